//! Which backend a Terraform working directory uses, and its settings, found as Terraform finds
//! them: `.terraform/terraform.tfstate` when `terraform init` has run there (in `TF_DATA_DIR`
//! when that is set), else the `backend "<type>" {}` (or `cloud {}`) block of its `*.tf` and
//! `*.tf.json` files, `*_override.tf` last. Nothing found means the local backend.
//!
//! Every problem is a message about a file, at a line; none quotes a value (a value in these
//! files may be a credential).

pub mod hcl;
mod init_state;
mod tf_files;

use serde_json::Value;

use super::config::{Entry, From};
use crate::context::Context;
use crate::files::{Named, SMALL_FILE_LIMIT};
use crate::host::{self, Kind};

pub use init_state::init_state;
pub use tf_files::backend_block;

/// The directory Terraform keeps its working data in, unless `TF_DATA_DIR` says otherwise.
pub const DATA_DIR: &str = ".terraform";

/// A backend found in a working directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovered {
    /// The backend's type, as Terraform names it.
    pub backend: String,
    /// Its settings, each with where it was written (a `null` of `terraform init` is not one).
    pub entries: Vec<Entry>,
}

impl Discovered {
    fn new(backend: &str, found: impl IntoIterator<Item = (String, Value, From)>) -> Discovered {
        let entries = found
            .into_iter()
            .filter(|(_, value, _)| !value.is_null())
            .map(|(key, value, from)| Entry { key, value, from })
            .collect();
        Discovered { backend: backend.to_string(), entries }
    }
}

/// A Terraform working directory, as the user named it and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingDir {
    /// The directory as the user wrote it (without a trailing slash), for messages.
    pub given: String,
    /// Its absolute path.
    pub path: String,
    /// The run's workspace, when `given` is relative to it: reads stay inside.
    pub within: Option<String>,
    /// The data directory, relative to the working directory: `.terraform`, or `TF_DATA_DIR`.
    pub data_dir: String,
}

fn join(a: &str, b: &str) -> String {
    format!("{}/{}", a.trim_end_matches('/'), b)
}

impl WorkingDir {
    /// The working directory `state` names: a directory, or its `.terraform/terraform.tfstate`
    /// ("this directory's backend"); `None` for a state file, or nothing there.
    pub fn of_state(context: &Context, state: &str) -> Option<WorkingDir> {
        let data_dir = context.tf_data_dir.clone().unwrap_or_else(|| DATA_DIR.to_string());
        let settings_file = format!("/{}/terraform.tfstate", data_dir.trim_end_matches('/'));
        let given = match state.strip_suffix(&settings_file) {
            Some(dir) => dir.to_string(),
            None if state == settings_file.trim_start_matches('/') => ".".to_string(),
            None => state.trim_end_matches('/').to_string(),
        };
        let given = if given.is_empty() { "/".to_string() } else { given };
        let path = super::local::resolve(&context.workspace, &given);
        let dir = WorkingDir {
            within: crate::files::within(&context.workspace, &given).map(str::to_string),
            given,
            path,
            data_dir,
        };
        // Outside the workspace, or not a directory: nothing to discover (the local backend
        // says why, when it opens the path).
        dir.file(&dir.path).check_inside().ok()?;
        matches!(host::stat(&dir.path), Ok(Some(m)) if m.kind == Kind::Dir).then_some(dir)
    }

    /// A file in the directory, named relative to it as the user named the directory.
    pub fn named(&self, name: &str) -> (String, String) {
        (join(&self.path, name), join(&self.given, name))
    }

    fn file<'a>(&'a self, path: &'a str) -> Named<'a> {
        Named { path, given: path, setting: "input `state`", within: self.within.as_deref() }
    }

    /// Reads `name` in the directory: its text, `None` when there is none; the problem as a
    /// message naming the file.
    pub fn read(&self, name: &str) -> Result<Option<String>, String> {
        let (path, given) = self.named(name);
        let named = Named { path: &path, given: &given, setting: "input `state`", within: self.within.as_deref() };
        match named.read(SMALL_FILE_LIMIT) {
            Ok(bytes) => Ok(bytes.map(|b| String::from_utf8_lossy(&b).into_owned())),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The names of the files in the directory.
    pub fn list(&self) -> Result<Vec<String>, String> {
        host::read_dir(&self.path).map_err(|e| format!("cannot list {}: {}", self.given, e.message))
    }

    /// The workspace `terraform workspace select` recorded here (`.terraform/environment`).
    pub fn environment(&self) -> Result<Option<String>, String> {
        self.read(&join(&self.data_dir, "environment"))
    }
}

/// The backend the working directory `dir` uses, and its settings; `None` when nothing names
/// one (the local backend). Problems are messages, each naming its file and line.
pub fn discover(dir: &WorkingDir) -> Result<Option<Discovered>, Vec<String>> {
    let settings = join(&dir.data_dir, "terraform.tfstate");
    if let Some(text) = dir.read(&settings).map_err(|e| vec![e])? {
        let (_, given) = dir.named(&settings);
        if let Some(found) = init_state(&text, &given).map_err(|e| vec![e])? {
            return Ok(Some(found));
        }
    }
    backend_block(dir)
}
