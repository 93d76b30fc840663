//! The local backend: a state file, or a working directory with `terraform.tfstate` for the
//! default workspace and `terraform.tfstate.d/NAME/terraform.tfstate` for the others.
//!
//! It reads `state` (the file or the directory, relative to the run's workspace) and
//! `workspace`, and, for a directory, `TF_WORKSPACE` from the context and the directory's
//! `.terraform/environment` ([`workspace::select`]).

use super::settings::Problem;
use super::workspace::{self, Workspace};
use super::{Backend, Error as BackendError, NoState, Opened, Settings, Snapshot};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::files::{within, Named, SMALL_FILE_LIMIT, STATE_FILE_LIMIT};
use crate::host::{self, Kind};

/// The local backend.
#[derive(Debug)]
pub struct Local;

impl Backend for Local {
    const NAME: &'static str = "local";
    const SETTINGS: &'static [&'static str] = &["state", "workspace"];
    type Location = Location;

    fn configure(settings: &Settings, context: &Context) -> std::result::Result<Location, Vec<Problem>> {
        let mut problems = Vec::new();
        if settings.state.is_none() {
            problems.push(Problem::new(
                "state",
                "is required: the .tfstate file, or the Terraform working directory that holds it",
            ));
        }
        if let Some(Err(why)) = settings.workspace.as_deref().map(workspace::check) {
            problems.push(Problem::new("workspace", why.to_string()));
        }
        match &settings.state {
            Some(given) if problems.is_empty() => {
                Ok(Location::new(context, given, settings.workspace.clone(), settings.named("state")))
            }
            _ => Err(problems),
        }
    }

    async fn open(location: &Location) -> Result<Opened> {
        match open(location) {
            // Issue 9, until discovery lands ("disc"): a working directory that `terraform init`
            // set up with the pg backend is read where its state lives.
            Err(Error::Backend(BackendError::RemoteBackend { backend, .. })) if backend == super::pg::NAME => {
                super::pg::open(&pg_location(location)?).await
            }
            other => other,
        }
    }

    async fn workspaces(location: &Location) -> Result<Vec<String>> {
        workspaces(location)
    }
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
pub fn open(loc: &Location) -> Result<Opened> {
    loc.file(&loc.path, &loc.given).check_inside()?;
    let meta = host::stat(&loc.path).map_err(|e| io("read", &loc.given, e))?;
    match meta.map(|m| m.kind) {
        None => Ok(Opened::NoStateYet(NoState {
            backend: Local::NAME,
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
        modified_ms: Some(meta.modified_ms),
        lock: None,
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
pub fn workspaces(loc: &Location) -> Result<Vec<String>> {
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
        if let Some(backend) = remote_backend(loc) {
            return Err(BackendError::RemoteBackend { dir: loc.dir().to_string(), backend }.into());
        }
        return Ok(Opened::NoStateYet(NoState {
            backend: Local::NAME,
            place: loc.given.clone(),
            looked_for: name,
            workspace: Some(workspace),
            existing: existing_workspaces(&loc.path),
        }));
    }
    read_file(loc, &path, name, Some(workspace.name)).map(Opened::State)
}

/// The backend type recorded in `.terraform/terraform.tfstate` by `terraform init`, unless local.
fn remote_backend(loc: &Location) -> Option<String> {
    let path = join(&loc.path, ".terraform/terraform.tfstate");
    let bytes = loc.file(&path, &path).read(SMALL_FILE_LIMIT).ok()??;
    let settings: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let backend = settings.get("backend")?.get("type")?.as_str()?;
    (backend != Local::NAME).then(|| backend.to_string())
}

/// The pg backend's location from what `terraform init` recorded in the working directory
/// (`.terraform/terraform.tfstate`), with Terraform's environment fallbacks, the directory's
/// workspace and the default time-out. A stop-gap until discovery lands; it masks nothing, and
/// no message of the pg backend holds the connection string or its password.
fn pg_location(loc: &Location) -> Result<super::pg::Location> {
    use super::config::From;
    let path = join(&loc.path, ".terraform/terraform.tfstate");
    let given = join(loc.dir(), ".terraform/terraform.tfstate");
    let bytes = loc.file(&path, &given).read(SMALL_FILE_LIMIT)?.unwrap_or_default();
    let settings: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let mut config = super::BackendConfig::new(super::pg::NAME);
    for (key, names) in super::pg::ENV {
        if let Some(value) = names.iter().find_map(|n| host::env(n)).filter(|v| !v.is_empty()) {
            config.set(key, serde_json::Value::String(value), From::Env { name: names[0].to_string() });
        }
    }
    if let Some(values) = settings.pointer("/backend/config").and_then(|c| c.as_object()) {
        for (key, value) in values {
            config.set(key, value.clone(), From::InitState { path: given.clone() });
        }
    }
    let workspace = selected_workspace(loc)?;
    let context = Context { workspace: loc.path.clone(), ..Context::default() };
    super::pg::configure(&config, &workspace, &context, 30_000).map_err(|problems| {
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        Error::Environment { name: "backend", problem: text.join("; ") }
    })
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
            no_state(open(&location(dir.path(), "dev.tfstate", None))),
            "state dev.tfstate does not exist; set input `state` to a .tfstate file or to the Terraform working directory that holds terraform.tfstate"
        );
        std::fs::write(dir.path().join("dev.tfstate"), "{}").unwrap();
        let Ok(Opened::State(snapshot)) = open(&location(dir.path(), "dev.tfstate", None)) else { panic!() };
        assert_eq!((snapshot.name.as_str(), snapshot.size, snapshot.workspace), ("dev.tfstate", Some(2), None));
    }

    #[test]
    fn a_working_directory_without_the_workspace_state_is_no_state_yet_naming_what_chose_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("infra/terraform.tfstate.d/blue")).unwrap();
        std::fs::write(dir.path().join("infra/terraform.tfstate.d/blue/terraform.tfstate"), "{}").unwrap();
        assert_eq!(
            no_state(open(&location(dir.path(), "infra", Some("green")))),
            "workspace \"green\" (selected by TF_WORKSPACE) has no state in infra; workspaces with a state: blue; set input `workspace` to one of them"
        );
        let Ok(Opened::State(snapshot)) = open(&location(dir.path(), "infra", Some("blue"))) else { panic!() };
        assert_eq!(
            (snapshot.name.as_str(), snapshot.workspace.as_deref()),
            ("infra/terraform.tfstate.d/blue/terraform.tfstate", Some("blue"))
        );
    }
}
