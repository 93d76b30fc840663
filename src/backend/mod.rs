//! Where a state lives. Each backend returns the state's bytes and where they came from;
//! adding one means a file of its own and one arm in [`read`].

pub mod local;

use crate::error::Result;

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

/// Opens the state at `source`.
pub fn open(source: &Source) -> Result<Snapshot> {
    match source {
        Source::Local(location) => local::open(location),
    }
}
