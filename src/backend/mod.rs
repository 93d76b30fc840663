//! Where a state lives. Each backend opens a state as a stream of bytes, or says, typed, that
//! there is no state there yet (no apply has written one); adding a backend means a file of its
//! own and one arm in [`open`]. Opening is async: the backends to come speak HTTP.

pub mod local;

use crate::error::{Error, Result};

/// Where to read a state from, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A local file, or a Terraform working directory and its workspace.
    Local(local::Location),
}

/// A state ready to be read: its bytes stream from `body`.
pub struct Snapshot {
    /// The state's bytes, as a stream: a large state is never held whole.
    pub body: Box<dyn std::io::Read>,
    /// Its size in bytes, when known up front.
    pub size: Option<u64>,
    /// How to name it to a person (the file, relative to the workspace when inside it).
    pub name: String,
    /// The workspace it belongs to, when read from a working directory.
    pub workspace: Option<String>,
    /// When the state last changed, milliseconds since the epoch.
    pub modified_ms: Option<f64>,
}

/// What opening a state found.
pub enum Opened {
    /// A state to read.
    State(Snapshot),
    /// There is no state there yet: the stage's first apply is to come. The error says so in
    /// the backend's own words, for a command that needs a state (`lookup`); `promote` and
    /// `status` take it as "runs nothing yet".
    NoStateYet(Error),
}

/// Opens the state at `source`.
pub async fn open(source: &Source) -> Result<Opened> {
    match source {
        Source::Local(location) => local::open(location),
    }
}
