//! Why a proposed release is not accepted: the tag or version file does not parse, or the
//! policy refuses it. Each value keeps the typed cause from the version domain
//! ([`TagError`], [`FileError`], [`Refused`]) as its [`std::error::Error::source`], and knows
//! the line of the repository file it is about, so the annotation can point there.

use std::fmt;

use super::{FileError, Refused, TagError};

/// A file and a 1-based line in it.
pub type At = Option<(String, usize)>;

/// What kind of problem an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The tag or the version file does not say a valid version.
    Invalid,
    /// The version is valid, but may not be released.
    Refused,
}

/// A release the guard does not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The proposed tag is not the prefix and a SemVer version; `at` is the version file's line
    /// when the tag came from one.
    Tag { error: TagError, at: At },
    /// No version could be read from the version file `file`.
    File { file: String, error: FileError },
    /// The policy refuses the tag (`prefix` writes the suggested next tags).
    Refused { tag: String, prefix: String, refused: Box<Refused>, at: At },
    /// The tagged commit is not on the required branch (`commit` equals `tag` when the tag exists).
    NotOnBranch { tag: String, commit: String, branch: String },
}

impl Error {
    /// What kind of problem this is.
    pub fn kind(&self) -> Kind {
        match self {
            Error::Tag { .. } | Error::File { .. } => Kind::Invalid,
            Error::Refused { .. } | Error::NotOnBranch { .. } => Kind::Refused,
        }
    }

    /// The repository file and line the problem is in, when it is in one.
    pub fn location(&self) -> Option<(String, Option<usize>)> {
        match self {
            Error::Tag { at: Some((file, line)), .. } | Error::Refused { at: Some((file, line)), .. } => {
                Some((file.clone(), Some(*line)))
            }
            Error::File { file, error } => Some((file.clone(), error.line)),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Tag { error, .. } => write!(
                f,
                "{error}; a release tag is the prefix and a SemVer 2.0.0 version, such as v1.2.3 or v2.0.0-rc.1"
            ),
            Error::File { file, error } => write!(f, "{file}: {error}"),
            Error::Refused { tag, prefix, refused, .. } => {
                write!(f, "{tag} may not be released: {}", refused.message(prefix))
            }
            Error::NotOnBranch { tag, commit, branch } => {
                if tag == commit {
                    write!(f, "{tag} may not be released: it is not on branch {branch}; tag a commit that is merged into {branch}")
                } else {
                    write!(f, "{tag} may not be released: commit {commit} is not on branch {branch}; merge it into {branch} first")
                }
            }
        }
    }
}

/// The sentence above is whole for a person; `source` hands a program the typed cause.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Tag { error, .. } => Some(error),
            Error::File { error, .. } => Some(error),
            Error::Refused { refused, .. } => Some(refused.as_ref()),
            Error::NotOnBranch { .. } => None,
        }
    }
}
