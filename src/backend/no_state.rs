//! "No state yet": a backend answered, and no apply has written a state where the settings
//! point. Not a failure in itself — `promote` takes the target as a first deployment, `status`
//! shows the stage as running nothing yet — but an error for `lookup`, which needs a state. Every
//! backend says it with the same value, so every command renders it one way.

use std::fmt;

use super::workspace::{Selected, Workspace};
use super::Error;

/// Where a backend looked for a state and found none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoState {
    /// The backend, as Terraform names it (`local`, `kubernetes`, …).
    pub backend: &'static str,
    /// Where it looked, as the user named it: a state file, or a working directory.
    pub place: String,
    /// What would hold the state there: the file, the Secret, the row, the URL.
    pub looked_for: String,
    /// The workspace looked for, and what chose it; `None` when the place is one state (a
    /// state file), not a set of workspaces.
    pub workspace: Option<Workspace>,
    /// The workspaces at the place that do have a state, for advice.
    pub existing: Vec<String>,
}

impl NoState {
    /// The error this is for a command that needs a state: for a remote backend, it names the
    /// backend, the workspace and what chose it, what was looked for, and the workspaces that
    /// do have a state; the local backend's words are those it always had.
    pub fn error(&self) -> Error {
        if self.backend != super::local::NAME {
            return Error::NoRemoteState(Box::new(self.clone()));
        }
        match &self.workspace {
            None => Error::StateNotFound { path: self.looked_for.clone(), hint: None },
            Some(w) => Error::WorkspaceNotFound {
                workspace: w.name.clone(),
                selected_by: w.selected.describe(&self.place),
                dir: self.place.clone(),
                existing: self.existing.clone(),
            },
        }
    }
}

impl NoState {
    /// The workspace looked for and what chose it, as a remote backend's message says them.
    pub(super) fn selected(&self) -> (String, String) {
        match &self.workspace {
            None => (super::workspace::DEFAULT.to_string(), Selected::Default.describe(&self.place)),
            // A remote backend does not know the directory; the file is still named.
            Some(Workspace { name, selected: Selected::EnvironmentFile }) => {
                (name.clone(), format!("the working directory's {}", super::workspace::ENVIRONMENT_FILE))
            }
            Some(w) => (w.name.clone(), w.selected.describe(&self.place)),
        }
    }
}

impl From<NoState> for Error {
    fn from(none: NoState) -> Error {
        none.error()
    }
}

impl fmt::Display for NoState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_state_file_is_state_not_found_naming_the_file() {
        let none = NoState {
            backend: "local",
            place: "dev.tfstate".into(),
            looked_for: "dev.tfstate".into(),
            workspace: None,
            existing: Vec::new(),
        };
        assert_eq!(none.error(), Error::StateNotFound { path: "dev.tfstate".into(), hint: None });
    }

    #[test]
    fn a_workspace_without_a_state_names_it_what_chose_it_and_the_workspaces_that_exist() {
        let none = NoState {
            backend: "local",
            place: "infra/".into(),
            looked_for: "infra/terraform.tfstate.d/bar/terraform.tfstate".into(),
            workspace: Some(Workspace { name: "bar".into(), selected: Selected::EnvironmentFile }),
            existing: vec!["default".into(), "foo".into()],
        };
        assert_eq!(
            none.to_string(),
            "workspace \"bar\" (selected by infra/.terraform/environment) has no state in infra/; workspaces with a state: default, foo; set input `workspace` to one of them"
        );
    }

    #[test]
    fn a_remote_backend_without_the_state_names_itself_the_workspace_what_it_looked_for_and_what_exists() {
        let mut none = NoState {
            backend: "kubernetes",
            place: "namespace tfstate".into(),
            looked_for: "secret tfstate-qa-app".into(),
            workspace: Some(Workspace { name: "qa".into(), selected: Selected::EnvironmentFile }),
            existing: vec!["default".into(), "dev".into()],
        };
        assert_eq!(
            none.to_string(),
            "workspace \"qa\" (selected by the working directory's .terraform/environment) has no state in the kubernetes backend at namespace tfstate: looked for secret tfstate-qa-app; workspaces with a state: default, dev; set input `workspace` to one of them"
        );
        none.existing.clear();
        none.workspace = Some(Workspace { name: "default".into(), selected: Selected::Default });
        assert_eq!(
            none.to_string(),
            "workspace \"default\" (selected by default) has no state in the kubernetes backend at namespace tfstate: looked for secret tfstate-qa-app; no workspace there has a state: run terraform apply first, or check `backend` and `backend-config`"
        );
    }
}
