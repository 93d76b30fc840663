//! The local backend: a state file, or a working directory with `terraform.tfstate` for the
//! default workspace and `terraform.tfstate.d/NAME/terraform.tfstate` for the others.

use super::{Opened, Snapshot};
use crate::context::Context;
use crate::error::{Error, InputProblem, Result};
use crate::files::{within, Named, SMALL_FILE_LIMIT, STATE_FILE_LIMIT};
use crate::host::{self, Kind};
use crate::text::quote;

/// How the workspace was chosen, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selected {
    /// The `workspace` input.
    Input,
    /// The `TF_WORKSPACE` environment variable.
    Env,
    /// `.terraform/environment`, written by `terraform workspace select`.
    EnvironmentFile,
    /// Nothing chose one.
    Default,
}

/// A validated local location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The path as the user wrote it, for messages.
    pub given: String,
    /// The absolute path.
    pub path: String,
    /// The `workspace` input, if given.
    pub workspace: Option<String>,
    /// What named the location, for advice: "input `state`", "`state` of stage dev in …".
    pub setting: String,
    /// The workspace, when `given` is relative to it: then every file read must stay inside.
    pub within: Option<String>,
    /// `TF_WORKSPACE`, when set: chooses the workspace unless the input does.
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
}

/// Joins `path` onto `base` unless it is absolute.
pub fn resolve(base: &str, path: &str) -> String {
    if path.starts_with('/') || base.is_empty() {
        path.to_string()
    } else {
        format!("{}/{}", base.trim_end_matches('/'), path)
    }
}

/// Checks a workspace name as Terraform does: no slashes, not empty.
pub fn check_workspace(input: &str, name: &str) -> std::result::Result<(), InputProblem> {
    if name.contains('/') || name.contains('\\') || name == "." || name == ".." {
        return Err(InputProblem::new(
            input,
            format!("{} is not a workspace name (it may not contain \"/\")", quote(name)),
        ));
    }
    Ok(())
}

fn io(op: &'static str, path: &str, e: host::HostError) -> Error {
    Error::Io { op, path: path.to_string(), message: e.message }
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
        None => Ok(Opened::NoStateYet(Error::StateNotFound { path: loc.given.clone(), hint: None })),
        Some(Kind::Dir) => read_dir(loc),
        Some(_) => {
            if loc.workspace.is_some() {
                return Err(Error::Inputs(vec![InputProblem::new(
                    "workspace",
                    format!("applies only when `state` is a working directory, and {} is a file; remove `workspace`, or set `state` to the directory", loc.given),
                )]));
            }
            if loc.path.ends_with("/.terraform/terraform.tfstate") {
                return Err(Error::BackendSettings { path: loc.given.clone() });
            }
            read_file(loc, &loc.path, loc.given.clone(), None).map(Opened::State)
        }
    }
}

fn read_file(loc: &Location, path: &str, name: String, workspace: Option<String>) -> Result<Snapshot> {
    let named = loc.file(path, &name);
    named.check_inside()?;
    let (file, meta) = host::File::open(path, STATE_FILE_LIMIT).map_err(|e| named.refused(e))?;
    Ok(Snapshot { body: Box::new(file), size: Some(meta.size), name, workspace, modified_ms: Some(meta.modified_ms) })
}

/// The workspace a working directory uses, and what chose it.
fn selected_workspace(loc: &Location) -> Result<(String, Selected)> {
    if let Some(w) = &loc.workspace {
        return Ok((w.clone(), Selected::Input));
    }
    if let Some(w) = loc.tf_workspace.clone() {
        check_workspace("TF_WORKSPACE", &w).map_err(|p| Error::Inputs(vec![p]))?;
        return Ok((w, Selected::Env));
    }
    let file = join(&loc.path, ".terraform/environment");
    let given = join(loc.given.trim_end_matches('/'), ".terraform/environment");
    if let Some(bytes) = loc.file(&file, &given).read(SMALL_FILE_LIMIT)? {
        let w = String::from_utf8_lossy(&bytes).trim().to_string();
        if !w.is_empty() {
            check_workspace(".terraform/environment", &w).map_err(|p| Error::Inputs(vec![p]))?;
            return Ok((w, Selected::EnvironmentFile));
        }
    }
    Ok(("default".to_string(), Selected::Default))
}

fn state_file(dir: &str, workspace: &str) -> String {
    if workspace == "default" {
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
    if is_file(&state_file(dir, "default")) {
        found.push("default".to_string());
    }
    if let Ok(names) = host::read_dir(&join(dir, "terraform.tfstate.d")) {
        found.extend(names.into_iter().filter(|n| is_file(&state_file(dir, n))));
    }
    found
}

fn read_dir(loc: &Location) -> Result<Opened> {
    let (workspace, selected) = selected_workspace(loc)?;
    let path = state_file(&loc.path, &workspace);
    let name = state_file(loc.given.trim_end_matches('/'), &workspace);
    // Something there that is not a regular file is refused when opened, not taken for "none".
    if host::stat(&path).map_err(|e| io("read", &name, e))?.is_none() {
        let selected_by = match selected {
            Selected::Input => "input `workspace`".to_string(),
            Selected::Env => "TF_WORKSPACE".to_string(),
            Selected::EnvironmentFile => format!("{}/.terraform/environment", loc.given.trim_end_matches('/')),
            Selected::Default => "default".to_string(),
        };
        if let Some(backend) = remote_backend(loc) {
            return Err(Error::RemoteBackend { dir: loc.given.trim_end_matches('/').to_string(), backend });
        }
        return Ok(Opened::NoStateYet(Error::WorkspaceNotFound {
            workspace,
            selected_by,
            dir: loc.given.clone(),
            existing: existing_workspaces(&loc.path),
        }));
    }
    read_file(loc, &path, name, Some(workspace)).map(Opened::State)
}

/// The backend type recorded in `.terraform/terraform.tfstate` by `terraform init`, unless local.
fn remote_backend(loc: &Location) -> Option<String> {
    let path = join(&loc.path, ".terraform/terraform.tfstate");
    let bytes = loc.file(&path, &path).read(SMALL_FILE_LIMIT).ok()??;
    let settings: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let backend = settings.get("backend")?.get("type")?.as_str()?;
    (backend != "local").then(|| backend.to_string())
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
