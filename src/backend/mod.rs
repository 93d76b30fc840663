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

/// A state as read, before parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The bytes of the state file.
    pub bytes: Vec<u8>,
    /// How to name it to a person (the file, relative to the workspace when inside it).
    pub name: String,
    /// The workspace it belongs to, when read from a working directory.
    pub workspace: Option<String>,
    /// When the state last changed, milliseconds since the epoch.
    pub modified_ms: Option<f64>,
}

/// Reads the state at `source`.
pub fn read(source: &Source) -> Result<Snapshot> {
    match source {
        Source::Local(location) => local::read(location),
    }
}
