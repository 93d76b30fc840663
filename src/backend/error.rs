//! What can go wrong in finding a state where a backend keeps it: nothing there yet (as an
//! error, for a command that needs a state), a workspace name that is not one, a directory whose
//! state lives in a backend this action does not read, a setting that does not apply.
//!
//! Reading the files a backend is pointed at fails with [`crate::files`]' errors, and reading
//! the state's bytes with the state's: those are not repeated here.

use std::fmt;

use super::workspace::InvalidName;

/// A backend's problem, with the words a person needs: what was looked for, where, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The state file (or directory) the settings name is not there. `hint` replaces the advice
    /// when the caller knows better (a stage's setting: "fix the path, or run …").
    StateNotFound {
        /// The path as the user wrote it.
        path: String,
        /// Advice in place of the default ("set input `state` to …").
        hint: Option<String>,
    },
    /// A working directory's selected workspace has no state.
    WorkspaceNotFound {
        /// The workspace looked for.
        workspace: String,
        /// What chose it ([`super::workspace::Selected::describe`]).
        selected_by: String,
        /// The working directory as the user wrote it.
        dir: String,
        /// The workspaces there that do have a state.
        existing: Vec<String>,
    },
    /// A remote backend has no state for the selected workspace: what it looked for, and what
    /// exists (boxed: errors stay small).
    NoRemoteState(Box<super::NoState>),
    /// The working directory keeps its state in a backend this action does not read (yet).
    RemoteBackend {
        /// The working directory as the user wrote it.
        dir: String,
        /// The backend's type as `terraform init` recorded it (`s3`, `kubernetes`, …).
        backend: String,
    },
    /// `state` names `.terraform/terraform.tfstate`: the backend settings, not a state.
    BackendSettings {
        /// The path as the user wrote it.
        path: String,
    },
    /// A `workspace` was given for a state file, which has none.
    WorkspaceForFile {
        /// The state file as the user wrote it.
        state: String,
    },
    /// `TF_WORKSPACE` or `.terraform/environment` holds a name that is not a workspace's.
    InvalidWorkspace {
        /// Where the name came from: `TF_WORKSPACE` or `.terraform/environment`.
        setting: &'static str,
        /// What is wrong with it.
        why: InvalidName,
    },
    /// Terraform's `http` backend could not give the state.
    Http(super::http::Error),
    /// The pg backend could not read the state: the server, TLS, the login or a query failed.
    Pg(super::pg::Error),
    /// The kubernetes backend's own problem (settings, credentials, the API server's answer).
    Kubernetes(super::kubernetes::Error),
    /// A backend read in the module loaded on demand failed there: its error, as that module
    /// decided its title, message and place (boxed: errors stay small).
    OnDemand(Box<super::on_demand::Failed>),
    /// The gcs backend's own problem (credentials, a token exchange, the storage API's answer).
    Gcs(super::gcs::Error),
    /// The remote or cloud backend's own problem (HCP Terraform, Terraform Enterprise).
    Tfe(Box<super::tfe::Error>),
    /// The s3 backend's own problem (credentials, S3, STS or DynamoDB's answer).
    S3(Box<super::s3::Error>),
    /// The azurerm backend's own problem (the metadata host, credentials, the storage service's answer).
    Azurerm(super::azurerm::Error),
}

/// The problem with a `workspace` given for a state file, as the input's.
fn workspace_for_file(state: &str) -> String {
    format!("applies only when `state` is a working directory, and {state} is a file; remove `workspace`, or set `state` to the directory")
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::StateNotFound { path, hint } => {
                write!(f, "state {path} does not exist")?;
                match hint {
                    Some(h) => write!(f, "; {h}"),
                    None => f.write_str(
                        "; set input `state` to a .tfstate file or to the Terraform working directory that holds terraform.tfstate",
                    ),
                }
            }
            Error::WorkspaceNotFound { workspace, selected_by, dir, existing } => {
                write!(f, "workspace \"{workspace}\" (selected by {selected_by}) has no state in {dir}; ")?;
                match workspaces_with_state(existing) {
                    None => f.write_str("no workspace there has a state: run terraform apply first, or point `state` at another directory"),
                    Some(listed) => f.write_str(&listed),
                }
            }
            Error::NoRemoteState(none) => {
                let (workspace, selected_by) = none.selected();
                write!(
                    f,
                    "workspace \"{workspace}\" (selected by {selected_by}) has no state in the {} backend at {}: looked for {}; ",
                    none.backend, none.place, none.looked_for
                )?;
                match workspaces_with_state(&none.existing) {
                    None => f.write_str("no workspace there has a state: run terraform apply first, or check `backend` and `backend-config`"),
                    Some(listed) => f.write_str(&listed),
                }
            }
            Error::RemoteBackend { dir, backend } => write!(
                f,
                "{dir} keeps its state in Terraform's \"{backend}\" backend, not in the directory; this action reads local state files: add a step that runs `terraform -chdir={dir} state pull > {dir}.tfstate` and set `state` to that file"
            ),
            Error::BackendSettings { path } => write!(
                f,
                "{path} holds Terraform's backend settings, not a state; set input `state` to the working directory (the folder that holds .terraform) or to its terraform.tfstate"
            ),
            Error::WorkspaceForFile { state } => write!(f, "input `workspace`: {}", workspace_for_file(state)),
            Error::InvalidWorkspace { setting, why } => write!(f, "input `{setting}`: {why}"),
            Error::Http(e) => e.fmt(f),
            Error::Pg(e) => e.fmt(f),
            Error::Kubernetes(e) => e.fmt(f),
            Error::OnDemand(e) => f.write_str(&e.message),
            Error::Gcs(e) => e.fmt(f),
            Error::Tfe(e) => e.fmt(f),
            Error::S3(e) => e.fmt(f),
            Error::Azurerm(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

/// The advice that lists the workspaces that do have a state; `None` when there are none. Their
/// names come from a directory or a server (Secret labels, table rows): each is escaped as data,
/// and past ten only their number is given.
fn workspaces_with_state(existing: &[String]) -> Option<String> {
    if existing.is_empty() {
        return None;
    }
    let names: Vec<String> = existing.iter().map(|w| crate::text::name(w)).collect();
    Some(format!("workspaces with a state: {}; set input `workspace` to one of them", crate::text::list(&names, 10)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_names_from_a_server_are_escaped_and_the_list_is_bounded() {
        let mut existing: Vec<String> = (1..=12).map(|n| format!("ws{n}")).collect();
        existing[0] = "evil\n::error::x".into();
        let listed = workspaces_with_state(&existing).unwrap();
        assert_eq!(
            listed,
            "workspaces with a state: \"evil\\n::error::x\", ws2, ws3, ws4, ws5, ws6, ws7, ws8, ws9, ws10 and 2 more; set input `workspace` to one of them"
        );
        assert_eq!(workspaces_with_state(&[]), None);
    }

    fn every_kind() -> Vec<Error> {
        vec![
            Error::StateNotFound { path: "dev.tfstate".into(), hint: None },
            Error::StateNotFound { path: "stages/dev".into(), hint: Some("fix the path".into()) },
            Error::WorkspaceNotFound {
                workspace: "green".into(),
                selected_by: "TF_WORKSPACE".into(),
                dir: "infra".into(),
                existing: vec!["default".into(), "blue".into()],
            },
            Error::WorkspaceNotFound {
                workspace: "default".into(),
                selected_by: "default".into(),
                dir: "infra".into(),
                existing: Vec::new(),
            },
            Error::RemoteBackend { dir: "infra".into(), backend: "s3".into() },
            Error::NoRemoteState(Box::new(super::super::NoState {
                backend: "kubernetes",
                place: "namespace tfstate".into(),
                looked_for: "secret tfstate-dev-app".into(),
                workspace: Some(super::super::workspace::Workspace {
                    name: "dev".into(),
                    selected: super::super::workspace::Selected::Env,
                }),
                existing: vec!["default".into()],
            })),
            Error::BackendSettings { path: "infra/.terraform/terraform.tfstate".into() },
            Error::WorkspaceForFile { state: "dev.tfstate".into() },
            Error::InvalidWorkspace { setting: "TF_WORKSPACE", why: InvalidName { name: "a/b".into() } },
        ]
    }

    #[test]
    fn each_kind_says_what_the_crate_error_it_becomes_says_under_the_same_title() {
        let expected = [
            ("state not found", "state dev.tfstate does not exist; set input `state` to a .tfstate file or to the Terraform working directory that holds terraform.tfstate"),
            ("state not found", "state stages/dev does not exist; fix the path"),
            ("state not found", "workspace \"green\" (selected by TF_WORKSPACE) has no state in infra; workspaces with a state: default, blue; set input `workspace` to one of them"),
            ("state not found", "workspace \"default\" (selected by default) has no state in infra; no workspace there has a state: run terraform apply first, or point `state` at another directory"),
            ("state not found", "infra keeps its state in Terraform's \"s3\" backend, not in the directory; this action reads local state files: add a step that runs `terraform -chdir=infra state pull > infra.tfstate` and set `state` to that file"),
            ("state not found", "workspace \"dev\" (selected by TF_WORKSPACE) has no state in the kubernetes backend at namespace tfstate: looked for secret tfstate-dev-app; workspaces with a state: default; set input `workspace` to one of them"),
            ("unreadable state", "infra/.terraform/terraform.tfstate holds Terraform's backend settings, not a state; set input `state` to the working directory (the folder that holds .terraform) or to its terraform.tfstate"),
            ("invalid input", "input `workspace`: applies only when `state` is a working directory, and dev.tfstate is a file; remove `workspace`, or set `state` to the directory"),
            ("invalid input", "input `TF_WORKSPACE`: \"a/b\" is not a workspace name (it may not contain \"/\")"),
        ];
        for (e, (title, message)) in every_kind().into_iter().zip(expected) {
            assert_eq!(e.to_string(), message);
            let top = crate::error::Error::from(e);
            assert_eq!((top.title(), top.to_string().as_str()), (title, message));
        }
    }
}
