//! "No state yet": a backend answered, and no apply has written a state where the settings
//! point. Not a failure in itself — `promote` takes the target as a first deployment, `status`
//! shows the stage as running nothing yet — but an error for `lookup`, which needs a state. Every
//! backend says it with the same value, so every command renders it one way.

use std::fmt;

use super::workspace::Workspace;
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
    /// The error this is for a command that needs a state.
    pub fn error(&self) -> Error {
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
    use super::super::workspace::Selected;
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
}
