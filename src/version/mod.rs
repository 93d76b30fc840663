//! Release versions: tags, SemVer precedence, the guard's policy, and the files a project
//! writes its version in.
//!
//! Pure: takes strings, returns values and errors. The `guard` command parses the candidate tag
//! ([`parse_tag`]) and the repository's tags ([`existing_versions`]), asks [`decide`] whether the
//! candidate may follow them, and may compare it with a version file ([`read_version_file`]).

pub mod error;
mod file;
mod policy;
mod tag;

pub use error::Error;
pub use file::{read, read_version_file, FileError, FileVersion, VersionFileKind};
pub use policy::{can_block, counted, decide, Accepted, Bump, Existing, Next, Policy, Reason, Refused};
pub use tag::{existing_versions, is_alias, parse_tag, released_version, TagError, TagProblem};

#[cfg(test)]
mod tests;
