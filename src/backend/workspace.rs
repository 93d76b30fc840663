//! Which Terraform workspace a stage's state belongs to, for every backend: Terraform's own
//! rules, in its order — the `workspace` setting, else `TF_WORKSPACE`, else the workspace that
//! `terraform workspace select` wrote to `.terraform/environment`, else `default`. What chose it
//! is kept, for messages ("workspace \"green\" (selected by TF_WORKSPACE) has no state …").
//!
//! Pure: the caller reads `.terraform/environment` (when it has a working directory) and passes
//! a function that does; nothing here touches the host.

use std::fmt;

use super::Error;
use crate::text::quote;

/// The workspace a working directory uses when nothing selects one.
pub const DEFAULT: &str = "default";

/// The file in a working directory where `terraform workspace select` records its choice.
pub const ENVIRONMENT_FILE: &str = ".terraform/environment";

/// Workspace names as Terraform lists them: `default` first when it is among them, then the
/// others sorted (by bytes, as Go's `sort.Strings`), each once. Every backend's listing ends here;
/// one that always has `default` chains it in.
pub fn ordered(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut names: Vec<String> = names.into_iter().collect();
    names.sort();
    names.dedup();
    if let Some(i) = names.iter().position(|n| n == DEFAULT) {
        let default = names.remove(i);
        names.insert(0, default);
    }
    names
}

/// What chose the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Selected {
    /// The `workspace` setting (an input, or a stage's setting).
    Setting,
    /// The `TF_WORKSPACE` environment variable.
    Env,
    /// `.terraform/environment`, written by `terraform workspace select`.
    EnvironmentFile,
    /// Nothing chose one.
    Default,
}

impl Selected {
    /// What chose it, for "(selected by …)"; `dir` is the working directory as the user named
    /// it, whose `.terraform/environment` it may be.
    pub fn describe(self, dir: &str) -> String {
        match self {
            // Today's wording, in a stage's message too; the stage's setting is named where the
            // message is placed (the stages file's line).
            Selected::Setting => "input `workspace`".to_string(),
            Selected::Env => "TF_WORKSPACE".to_string(),
            Selected::EnvironmentFile => format!("{}/{ENVIRONMENT_FILE}", dir.trim_end_matches('/')),
            Selected::Default => DEFAULT.to_string(),
        }
    }
}

/// A workspace, and what chose it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Workspace {
    /// Its name, checked with [`check`].
    pub name: String,
    /// What chose it.
    pub selected: Selected,
}

/// A name Terraform would not accept as a workspace's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidName {
    /// The name as given.
    pub name: String,
}

impl fmt::Display for InvalidName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not a workspace name (it may not contain \"/\")", quote(&self.name))
    }
}

impl std::error::Error for InvalidName {}

/// Checks a workspace name as Terraform does: no slashes. `.` and `..` are refused too: a
/// backend that stores workspaces as paths (the local one) would read another directory.
pub fn check(name: &str) -> Result<(), InvalidName> {
    if name.contains('/') || name.contains('\\') || name == "." || name == ".." {
        return Err(InvalidName { name: name.to_string() });
    }
    Ok(())
}

/// Selects the workspace: `setting` (already checked where it was read) wins, then
/// `tf_workspace`, then what `environment_file` returns (the trimmed content of
/// `.terraform/environment`, `None` when there is none), then [`DEFAULT`]. `environment_file`
/// is called only when the first two are unset: a working directory's file is not read when
/// nothing needs it. A name from the environment or the file is checked here, and refused with
/// where it came from.
pub fn select<E: From<Error>>(
    setting: Option<&str>,
    tf_workspace: Option<&str>,
    environment_file: impl FnOnce() -> Result<Option<String>, E>,
) -> Result<Workspace, E> {
    let chosen = |name: &str, selected| Workspace { name: name.to_string(), selected };
    if let Some(name) = setting {
        return Ok(chosen(name, Selected::Setting));
    }
    if let Some(name) = tf_workspace {
        check(name).map_err(|why| Error::InvalidWorkspace { setting: "TF_WORKSPACE", why })?;
        return Ok(chosen(name, Selected::Env));
    }
    if let Some(text) = environment_file()? {
        let name = text.trim();
        // An empty file selects nothing, as in Terraform.
        if !name.is_empty() {
            check(name).map_err(|why| Error::InvalidWorkspace { setting: ENVIRONMENT_FILE, why })?;
            return Ok(chosen(name, Selected::EnvironmentFile));
        }
    }
    Ok(chosen(DEFAULT, Selected::Default))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Read = Result<Option<String>, Error>;

    fn file(text: &str) -> impl FnOnce() -> Read + '_ {
        move || Ok(Some(text.to_string()))
    }

    fn no_file() -> Read {
        Ok(None)
    }

    fn name_and_why(w: Workspace) -> (String, Selected) {
        (w.name, w.selected)
    }

    #[test]
    fn the_setting_wins_then_tf_workspace_then_the_environment_file_then_default() {
        let pick = |setting, env, f: &str| name_and_why(select(setting, env, file(f)).unwrap());
        assert_eq!(pick(Some("a"), Some("b"), "c"), ("a".into(), Selected::Setting));
        assert_eq!(pick(None, Some("b"), "c"), ("b".into(), Selected::Env));
        assert_eq!(pick(None, None, "c\n"), ("c".into(), Selected::EnvironmentFile));
        assert_eq!(name_and_why(select(None, None, no_file).unwrap()), ("default".into(), Selected::Default));
    }

    #[test]
    fn an_empty_environment_file_selects_the_default_workspace() {
        assert_eq!(name_and_why(select(None, None, file(" \n")).unwrap()), ("default".into(), Selected::Default));
    }

    #[test]
    fn the_environment_file_is_not_read_when_the_setting_or_tf_workspace_chooses() {
        let unread = || -> Read { panic!("read .terraform/environment") };
        assert_eq!(select(Some("a"), None, unread).unwrap().name, "a");
        assert_eq!(select(None, Some("b"), unread).unwrap().name, "b");
    }

    #[test]
    fn a_bad_name_from_the_environment_or_the_file_is_refused_naming_where_it_came_from() {
        let e = select(None, Some("a/b"), no_file).unwrap_err();
        assert_eq!(e.to_string(), "input `TF_WORKSPACE`: \"a/b\" is not a workspace name (it may not contain \"/\")");
        let e = select(None, None, file("..\n")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "input `.terraform/environment`: \"..\" is not a workspace name (it may not contain \"/\")"
        );
    }

    #[test]
    fn workspaces_are_listed_default_first_then_sorted_each_once() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(ordered(names(&["b", "default", "a", "b", "B"])), ["default", "B", "a", "b"]);
        assert_eq!(ordered(names(&["staging", "dev"])), ["dev", "staging"]);
        assert_eq!(ordered(names(&["default", "default"])), ["default"]);
        assert!(ordered(Vec::new()).is_empty());
    }

    #[test]
    fn names_with_a_slash_or_that_name_a_directory_are_not_workspace_names() {
        for bad in ["a/b", "a\\b", ".", ".."] {
            assert_eq!(check(bad), Err(InvalidName { name: bad.into() }), "{bad}");
        }
        for good in ["default", "prod", "2024", "eu.west", "..x"] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        assert_eq!(check("a/b").unwrap_err().to_string(), "\"a/b\" is not a workspace name (it may not contain \"/\")");
    }

    #[test]
    fn what_chose_the_workspace_is_said_as_today() {
        assert_eq!(Selected::Setting.describe("infra"), "input `workspace`");
        assert_eq!(Selected::Env.describe("infra"), "TF_WORKSPACE");
        assert_eq!(Selected::EnvironmentFile.describe("infra/"), "infra/.terraform/environment");
        assert_eq!(Selected::Default.describe("infra"), "default");
    }
}
