//! The local backend: a state file, or a working directory with `terraform.tfstate` for the
//! default workspace and `terraform.tfstate.d/NAME/terraform.tfstate` for the others.

use super::Snapshot;
use crate::error::{Error, InputProblem, Result};
use crate::host::{self, Kind};

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
        return Err(InputProblem::new(input, format!("\"{name}\" is not a workspace name (it may not contain \"/\")")));
    }
    Ok(())
}

fn io(op: &'static str, path: &str, e: host::HostError) -> Error {
    Error::Io { op, path: path.to_string(), message: e.message }
}

fn join(a: &str, b: &str) -> String {
    format!("{}/{}", a.trim_end_matches('/'), b)
}

/// Opens the state the location names.
pub fn open(loc: &Location) -> Result<Snapshot> {
    let meta = host::stat(&loc.path).map_err(|e| io("read", &loc.given, e))?;
    match meta.map(|m| m.kind) {
        None => Err(Error::StateNotFound { path: loc.given.clone(), hint: None }),
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
            read_file(&loc.path, loc.given.clone(), None)
        }
    }
}

fn read_file(path: &str, name: String, workspace: Option<String>) -> Result<Snapshot> {
    let meta = host::stat(path).map_err(|e| io("read", &name, e))?;
    let file = host::File::open(path).map_err(|e| io("read", &name, e))?;
    Ok(Snapshot {
        body: Box::new(file),
        size: meta.map(|m| m.size),
        name,
        workspace,
        modified_ms: meta.map(|m| m.modified_ms),
    })
}

/// The workspace a working directory uses, and what chose it.
fn selected_workspace(loc: &Location) -> Result<(String, Selected)> {
    if let Some(w) = &loc.workspace {
        return Ok((w.clone(), Selected::Input));
    }
    if let Some(w) = host::env("TF_WORKSPACE").map(|w| w.trim().to_string()).filter(|w| !w.is_empty()) {
        check_workspace("TF_WORKSPACE", &w).map_err(|p| Error::Inputs(vec![p]))?;
        return Ok((w, Selected::Env));
    }
    let file = join(&loc.path, ".terraform/environment");
    if let Some(m) = host::stat(&file).map_err(|e| io("read", &file, e))? {
        if m.kind == Kind::File {
            let bytes = host::read_file(&file).map_err(|e| io("read", &file, e))?;
            let w = String::from_utf8_lossy(&bytes).trim().to_string();
            if !w.is_empty() {
                check_workspace(".terraform/environment", &w).map_err(|p| Error::Inputs(vec![p]))?;
                return Ok((w, Selected::EnvironmentFile));
            }
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

fn read_dir(loc: &Location) -> Result<Snapshot> {
    let (workspace, selected) = selected_workspace(loc)?;
    let path = state_file(&loc.path, &workspace);
    let name = state_file(loc.given.trim_end_matches('/'), &workspace);
    if !is_file(&path) {
        let selected_by = match selected {
            Selected::Input => "input `workspace`".to_string(),
            Selected::Env => "TF_WORKSPACE".to_string(),
            Selected::EnvironmentFile => format!("{}/.terraform/environment", loc.given.trim_end_matches('/')),
            Selected::Default => "default".to_string(),
        };
        if let Some(backend) = remote_backend(&loc.path) {
            return Err(Error::RemoteBackend { dir: loc.given.trim_end_matches('/').to_string(), backend });
        }
        return Err(Error::WorkspaceNotFound {
            workspace,
            selected_by,
            dir: loc.given.clone(),
            existing: existing_workspaces(&loc.path),
        });
    }
    read_file(&path, name, Some(workspace))
}

/// The backend type recorded in `.terraform/terraform.tfstate` by `terraform init`, unless local.
fn remote_backend(dir: &str) -> Option<String> {
    let bytes = host::read_file(&join(dir, ".terraform/terraform.tfstate")).ok()?;
    let settings: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let backend = settings.get("backend")?.get("type")?.as_str()?;
    (backend != "local").then(|| backend.to_string())
}
