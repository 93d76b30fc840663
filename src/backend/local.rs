//! The local backend: a state file, or a working directory with `terraform.tfstate` for the
//! default workspace and `terraform.tfstate.d/NAME/terraform.tfstate` for the others.
//!
//! Its one key, `path`, is the `state` setting (the file or the directory, relative to the
//! run's workspace) unless `backend-config` gives it. The workspace is the `workspace` setting,
//! else, for a directory, `TF_WORKSPACE` from the context and the directory's
//! `.terraform/environment` ([`workspace::select`]), chosen when the path is known to be a
//! directory: a state file has no workspace.

use super::config::{BackendConfig, From, KeyProblem};
use super::workspace::{self, Selected, Workspace};
use super::{Error as BackendError, NoState, Opened, Snapshot};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::files::{within, Named, SMALL_FILE_LIMIT, STATE_FILE_LIMIT};
use crate::host::{self, Kind};

/// The backend's type, as Terraform names it.
pub const NAME: &str = "local";
/// Its settings: `path` stands for the `state` setting.
pub const KEYS: &[&str] = &["path"];
/// It holds no credentials.
pub const SECRETS: &[&str] = &[];
/// It has no environment fallbacks (`TF_WORKSPACE` is every backend's, in the context).
pub const ENV: &[(&str, &[&str])] = &[];

/// Reads `path` into a location; the workspace only when the `workspace` setting chose it (the
/// rest of the choice waits for [`open`] to know that the path is a directory).
pub fn configure(
    config: &BackendConfig,
    workspace: &Workspace,
    context: &Context,
    _timeout_ms: u64,
) -> std::result::Result<Location, Vec<KeyProblem>> {
    let (given, from) = match config.string("path") {
        Ok(Some((given, from))) => (given, from.clone()),
        Ok(None) => {
            return Err(vec![config
                .problem("path", "is required: the .tfstate file, or the Terraform working directory that holds it")])
        }
        Err(problem) => return Err(vec![problem]),
    };
    let setting = match from {
        From::Setting { named } => named,
        other => other.to_string(),
    };
    let chosen = (workspace.selected == Selected::Setting).then(|| workspace.name.clone());
    Ok(Location::new(context, &given, chosen, setting))
}

/// Opens the state the location names; see [`open_now`].
pub async fn open(location: &Location) -> Result<Opened> {
    open_now(location)
}

/// The workspaces that have a state; see [`workspaces_now`].
pub async fn workspaces(location: &Location) -> Result<Vec<String>> {
    workspaces_now(location)
}

/// A validated local location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The path as the user wrote it, for messages.
    pub given: String,
    /// The absolute path.
    pub path: String,
    /// The `workspace` setting, if given (checked).
    pub workspace: Option<String>,
    /// What named the location, for advice: "input `state`", "`state` of stage dev in …".
    pub setting: String,
    /// The workspace, when `given` is relative to it: then every file read must stay inside.
    pub within: Option<String>,
    /// `TF_WORKSPACE`, when set: chooses the workspace unless the setting does.
    pub tf_workspace: Option<String>,
    /// The backend the directory's Terraform files or `terraform init` name, when this action
    /// does not read it: no state in the directory is then that error, not "no state yet".
    pub remote: Option<String>,
}

impl Location {
    /// A location as the user gave it: relative paths start at the run's workspace and must
    /// stay in it.
    pub fn new(context: &Context, given: &str, state_workspace: Option<String>, setting: String) -> Location {
        let workspace = &context.workspace;
        Location {
            path: resolve(workspace, given),
            given: given.to_string(),
            workspace: state_workspace,
            setting,
            within: within(workspace, given).map(str::to_string),
            tf_workspace: context.tf_workspace.clone(),
            remote: None,
        }
    }

    fn file<'a>(&'a self, path: &'a str, given: &'a str) -> Named<'a> {
        Named { path, given, setting: &self.setting, within: self.within.as_deref() }
    }

    /// The directory as the user wrote it, without a trailing slash.
    fn dir(&self) -> &str {
        self.given.trim_end_matches('/')
    }
}

/// Joins `path` onto `base` unless it is absolute.
pub fn resolve(base: &str, path: &str) -> String {
    if path.starts_with('/') || base.is_empty() {
        path.to_string()
    } else {
        format!("{}/{}", base.trim_end_matches('/'), path)
    }
}

fn io(op: &'static str, path: &str, e: host::HostError) -> Error {
    crate::files::Error::Io { op, path: path.to_string(), message: e.message }.into()
}

fn join(a: &str, b: &str) -> String {
    format!("{}/{}", a.trim_end_matches('/'), b)
}

/// Opens the state the location names; no file, or a working directory whose workspace has no
/// state, is "no state yet".
pub fn open_now(loc: &Location) -> Result<Opened> {
    loc.file(&loc.path, &loc.given).check_inside()?;
    let meta = host::stat(&loc.path).map_err(|e| io("read", &loc.given, e))?;
    match meta.map(|m| m.kind) {
        None => Ok(Opened::NoStateYet(NoState {
            backend: NAME,
            place: loc.given.clone(),
            looked_for: loc.given.clone(),
            workspace: None,
            existing: Vec::new(),
        })),
        Some(Kind::Dir) => read_dir(loc),
        Some(_) => {
            if loc.workspace.is_some() {
                return Err(BackendError::WorkspaceForFile { state: loc.given.clone() }.into());
            }
            if loc.path.ends_with("/.terraform/terraform.tfstate") {
                return Err(BackendError::BackendSettings { path: loc.given.clone() }.into());
            }
            read_file(loc, &loc.path, loc.given.clone(), None).map(Opened::State)
        }
    }
}

fn read_file(loc: &Location, path: &str, name: String, workspace: Option<String>) -> Result<Snapshot> {
    let named = loc.file(path, &name);
    named.check_inside()?;
    let (file, meta) = host::File::open(path, STATE_FILE_LIMIT).map_err(|e| named.refused(e))?;
    Ok(Snapshot {
        body: Box::new(file),
        size: Some(meta.size),
        name,
        workspace,
        // A local file's modification time is no clock: a checkout resets it, so it says
        // nothing of when the state changed. Only a remote backend's own change time counts
        // (the soak clock falls back to it: `Reading::changed_at_ms`).
        modified_ms: None,
        lock: None,
        warnings: Vec::new(),
    })
}

/// The workspace a working directory uses, and what chose it.
fn selected_workspace(loc: &Location) -> Result<Workspace> {
    workspace::select(loc.workspace.as_deref(), loc.tf_workspace.as_deref(), || {
        let file = join(&loc.path, workspace::ENVIRONMENT_FILE);
        let given = join(loc.dir(), workspace::ENVIRONMENT_FILE);
        let bytes = loc.file(&file, &given).read(SMALL_FILE_LIMIT)?;
        Ok(bytes.map(|b| String::from_utf8_lossy(&b).into_owned()))
    })
}

fn state_file(dir: &str, workspace: &str) -> String {
    if workspace == workspace::DEFAULT {
        join(dir, "terraform.tfstate")
    } else {
        join(dir, &format!("terraform.tfstate.d/{workspace}/terraform.tfstate"))
    }
}

fn is_file(path: &str) -> bool {
    matches!(host::stat(path), Ok(Some(m)) if m.kind == Kind::File)
}

/// The workspaces of a working directory that have a state.
fn existing_workspaces(dir: &str) -> Vec<String> {
    let mut found = Vec::new();
    if is_file(&state_file(dir, workspace::DEFAULT)) {
        found.push(workspace::DEFAULT.to_string());
    }
    if let Ok(names) = host::read_dir(&join(dir, "terraform.tfstate.d")) {
        found.extend(names.into_iter().filter(|n| is_file(&state_file(dir, n))));
    }
    found
}

/// The workspaces that have a state: those of a working directory; none for a state file (or
/// nothing there).
pub fn workspaces_now(loc: &Location) -> Result<Vec<String>> {
    loc.file(&loc.path, &loc.given).check_inside()?;
    let meta = host::stat(&loc.path).map_err(|e| io("read", &loc.given, e))?;
    Ok(match meta.map(|m| m.kind) {
        Some(Kind::Dir) => existing_workspaces(&loc.path),
        _ => Vec::new(),
    })
}

fn read_dir(loc: &Location) -> Result<Opened> {
    let workspace = selected_workspace(loc)?;
    let path = state_file(&loc.path, &workspace.name);
    let name = state_file(loc.dir(), &workspace.name);
    // Something there that is not a regular file is refused when opened, not taken for "none".
    if host::stat(&path).map_err(|e| io("read", &name, e))?.is_none() {
        if let Some(backend) = &loc.remote {
            return Err(BackendError::RemoteBackend { dir: loc.dir().to_string(), backend: backend.clone() }.into());
        }
        return Ok(Opened::NoStateYet(NoState {
            backend: NAME,
            place: loc.given.clone(),
            looked_for: name,
            workspace: Some(workspace),
            existing: existing_workspaces(&loc.path),
        }));
    }
    read_file(loc, &path, name, Some(workspace.name)).map(Opened::State)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(dir: &std::path::Path, given: &str, tf_workspace: Option<&str>) -> Location {
        let context = Context {
            workspace: dir.to_string_lossy().into_owned(),
            tf_workspace: tf_workspace.map(str::to_string),
            ..Context::default()
        };
        Location::new(&context, given, None, "input `state`".into())
    }

    fn no_state(opened: Result<Opened>) -> String {
        match opened {
            Ok(Opened::NoStateYet(why)) => why.to_string(),
            Ok(Opened::State(s)) => panic!("a state: {}", s.name),
            Err(e) => panic!("an error: {e}"),
        }
    }

    #[test]
    fn nothing_there_is_no_state_yet_and_a_file_is_a_state() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            no_state(open_now(&location(dir.path(), "dev.tfstate", None))),
            "state dev.tfstate does not exist; set input `state` to a .tfstate file or to the Terraform working directory that holds terraform.tfstate"
        );
        std::fs::write(dir.path().join("dev.tfstate"), "{}").unwrap();
        let Ok(Opened::State(snapshot)) = open_now(&location(dir.path(), "dev.tfstate", None)) else { panic!() };
        assert_eq!((snapshot.name.as_str(), snapshot.size, snapshot.workspace), ("dev.tfstate", Some(2), None));
        // The file's modification time is no change time: a checkout sets it.
        assert_eq!(snapshot.modified_ms, None);
    }

    #[test]
    fn a_working_directory_without_the_workspace_state_is_no_state_yet_naming_what_chose_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("infra/terraform.tfstate.d/blue")).unwrap();
        std::fs::write(dir.path().join("infra/terraform.tfstate.d/blue/terraform.tfstate"), "{}").unwrap();
        assert_eq!(
            no_state(open_now(&location(dir.path(), "infra", Some("green")))),
            "workspace \"green\" (selected by TF_WORKSPACE) has no state in infra; workspaces with a state: blue; set input `workspace` to one of them"
        );
        let Ok(Opened::State(snapshot)) = open_now(&location(dir.path(), "infra", Some("blue"))) else { panic!() };
        assert_eq!(
            (snapshot.name.as_str(), snapshot.workspace.as_deref()),
            ("infra/terraform.tfstate.d/blue/terraform.tfstate", Some("blue"))
        );
    }
}
