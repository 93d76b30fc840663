//! Reading the files a run is pointed at — a state, the stages file, a version file — as files
//! someone else may have written. Only regular files are read (a FIFO would block forever,
//! `/dev/zero` never ends), each kind within a stated size, and a path given relative to the
//! workspace must stay inside the workspace once every symbolic link is followed: a pull request
//! can turn `VERSION` into a link to `/proc/self/environ`, but cannot make the action read it.
//! Absolute paths are taken as written: only the workflow's author writes those.

use std::fmt;

use crate::host::{self, HostError};
use crate::text::quote;

/// A file the action could not, or would not, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The host could not read it (`op` is what was tried: "read", "list").
    Io { op: &'static str, path: String, message: String },
    /// A file the action will not read: not a regular file, too large, or leading outside the
    /// workspace. `why` follows the path ("is a FIFO (named pipe)"); `hint` says what to do.
    Refused { path: String, why: String, hint: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { op, path, message } => write!(f, "cannot {op} {path}: {message}"),
            Error::Refused { path, why, hint } => write!(f, "{path} {why}; {hint}"),
        }
    }
}

impl std::error::Error for Error {}

/// The result of reading a file.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The most a stages file, version file or other small settings file may hold: 1 MiB.
pub const SMALL_FILE_LIMIT: u64 = 1 << 20;
/// The most a state file may hold: 256 MiB (large real states are tens of MiB).
pub const STATE_FILE_LIMIT: u64 = 256 << 20;

/// The workspace a path must stay inside: `Some(workspace)` when `given` is relative to it.
pub fn within<'a>(workspace: &'a str, given: &str) -> Option<&'a str> {
    (!given.starts_with('/') && !workspace.is_empty()).then_some(workspace)
}

/// A path as a setting wrote it, made absolute: `~` and `~/…` under `home` (when it is known), a
/// relative path under `workspace`, an absolute one as written. The one expansion every backend
/// setting that names a file uses; without a home, `~` is a directory name like any other.
pub fn expand(given: &str, workspace: &str, home: Option<&str>) -> String {
    if let Some(home) = home.filter(|_| is_home(given)) {
        let rest = given.strip_prefix('~').unwrap_or_default().trim_start_matches('/');
        let home = home.trim_end_matches('/');
        return if rest.is_empty() { home.to_string() } else { format!("{home}/{rest}") };
    }
    if given.starts_with('/') || workspace.is_empty() {
        given.to_string()
    } else {
        format!("{}/{given}", workspace.trim_end_matches('/'))
    }
}

/// Whether `given` starts from the home directory (`~` or `~/…`).
fn is_home(given: &str) -> bool {
    given == "~" || given.starts_with("~/")
}

/// A file a setting names, kept until it is read: [`Named`] with owned parts, built by
/// [`Setting::new`] with the one expansion and the one rule for what must stay in the workspace.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Setting {
    /// The absolute path.
    pub path: String,
    /// The path as the user wrote it, for messages.
    pub given: String,
    /// What named it, for advice.
    pub setting: String,
    /// The workspace, when the path was given relative to it and must stay inside.
    pub within: Option<String>,
}

impl Setting {
    /// `given`, named by `setting`, expanded with [`expand`]; a path relative to the workspace
    /// must stay inside it, one under the home directory (the workflow author's) need not.
    pub fn new(given: &str, setting: impl Into<String>, workspace: &str, home: Option<&str>) -> Setting {
        let from_home = home.is_some() && is_home(given);
        Setting {
            path: expand(given, workspace, home),
            given: given.to_string(),
            setting: setting.into(),
            within: within(workspace, given).filter(|_| !from_home).map(str::to_string),
        }
    }

    /// The file to read.
    pub fn named(&self) -> Named<'_> {
        Named { path: &self.path, given: &self.given, setting: &self.setting, within: self.within.as_deref() }
    }

    /// [`Named::read`].
    pub fn read(&self, limit: u64) -> Result<Option<Vec<u8>>> {
        self.named().read(limit)
    }

    /// [`Named::read_existing`].
    pub fn read_existing(&self, limit: u64) -> Result<Vec<u8>> {
        self.named().read_existing(limit)
    }
}

/// A file to read: where it is, how the user named it, and what setting named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named<'a> {
    /// The absolute path.
    pub path: &'a str,
    /// The path as the user wrote it, for messages.
    pub given: &'a str,
    /// What named it, for advice: "input `version-file`", "`state` of stage dev in …".
    pub setting: &'a str,
    /// The workspace, when the path was given relative to it and must stay inside.
    pub within: Option<&'a str>,
}

impl Named<'_> {
    /// Refuses the file when it was given relative to the workspace and leads outside it.
    /// Nothing there is not refused here: opening it says so, in the caller's words.
    pub fn check_inside(&self) -> Result<()> {
        let Some(root) = self.within else { return Ok(()) };
        let real_root = host::realpath(root).map_err(|e| self.io(e))?;
        let real = match host::realpath(self.path) {
            Ok(real) => real,
            Err(e) if e.code == "ENOENT" || e.code == "ENOTDIR" => return Ok(()),
            Err(e) => return Err(self.io(e)),
        };
        let inside = real == real_root
            || real.strip_prefix(real_root.trim_end_matches('/')).is_some_and(|rest| rest.starts_with('/'));
        if inside {
            return Ok(());
        }
        Err(Error::Refused {
            path: self.given.to_string(),
            why: format!("leads outside the workspace, to {}", quote(&real)),
            hint: format!(
                "a path relative to the workspace must stay inside it, so that what a pull request changes cannot make the action read other files; point {} at a file in the repository, or give an absolute path",
                self.setting
            ),
        })
    }

    /// The whole file, when it is a regular file of at most `limit` bytes inside the workspace;
    /// `Ok(None)` when nothing is there.
    pub fn read(&self, limit: u64) -> Result<Option<Vec<u8>>> {
        self.check_inside()?;
        match host::read_file(self.path, limit) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.code == "ENOENT" => Ok(None),
            Err(e) => Err(self.refused(e)),
        }
    }

    /// The whole file, as [`Named::read`] reads it, where nothing there is an error too
    /// ([`Error::Io`], in the host's words).
    pub fn read_existing(&self, limit: u64) -> Result<Vec<u8>> {
        self.check_inside()?;
        host::read_file(self.path, limit).map_err(|e| self.refused(e))
    }

    /// The error for a failed open or read: a refusal for what is not a regular file or is too
    /// large, else the host's own words.
    pub fn refused(&self, e: HostError) -> Error {
        match e.code.as_str() {
            host::NOT_REGULAR => Error::Refused {
                path: self.given.to_string(),
                why: e.message,
                hint: format!("the action reads only regular files; point {} at one", self.setting),
            },
            host::TOO_LARGE => Error::Refused {
                path: self.given.to_string(),
                why: e.message,
                hint: format!("point {} at the right file", self.setting),
            },
            _ => self.io(e),
        }
    }

    fn io(&self, e: HostError) -> Error {
        Error::Io { op: "read", path: self.given.to_string(), message: e.message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_paths_expand_under_home_and_relative_ones_under_the_workspace() {
        assert_eq!(expand("~/x/y", "/w", Some("/h/")), "/h/x/y");
        assert_eq!(expand("~", "/w", Some("/h")), "/h");
        assert_eq!(expand("x", "/w/", Some("/h")), "/w/x");
        assert_eq!(expand("/a", "/w", Some("/h")), "/a");
        assert_eq!(expand("~x", "/w", Some("/h")), "/w/~x");
        // Without a home, `~` is a directory name like any other (and stays in the workspace).
        assert_eq!(expand("~/x", "/w", None), "/w/~/x");
        assert_eq!(expand("x", "", None), "x");
    }

    #[test]
    fn only_a_path_relative_to_the_workspace_must_stay_inside_it() {
        assert_eq!(Setting::new("x", "`s`", "/w", Some("/h")).within.as_deref(), Some("/w"));
        assert_eq!(Setting::new("~/x", "`s`", "/w", Some("/h")).within, None);
        assert_eq!(Setting::new("~/x", "`s`", "/w", None).within.as_deref(), Some("/w"));
        assert_eq!(Setting::new("/x", "`s`", "/w", Some("/h")).within, None);
    }
}
