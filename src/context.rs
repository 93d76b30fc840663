//! What the runner says about a run, read from the environment once, before any command runs:
//! commands and their configurations take it as a value, so that turning inputs into a
//! validated configuration is a pure function, tested natively with a context made up in the
//! test.

use crate::host;

/// The API GitHub.com serves; GitHub Enterprise sets `GITHUB_API_URL` to its own.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// The run's environment: `GITHUB_*` as the runner sets them, and `TF_WORKSPACE`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Where relative paths start: `GITHUB_WORKSPACE`, else the current directory (a terminal).
    pub workspace: String,
    /// `GITHUB_REPOSITORY` (`owner/name`), unchecked.
    pub repository: Option<String>,
    /// `GITHUB_SHA`: the commit the run is for.
    pub sha: Option<String>,
    /// `GITHUB_REF`: `refs/tags/v1.2.3` on a tag push.
    pub git_ref: Option<String>,
    /// `GITHUB_API_URL`, else [`DEFAULT_API_URL`].
    pub api_url: String,
    /// `GITHUB_SERVER_URL` (`https://github.com`), for links to the run.
    pub server_url: Option<String>,
    /// `GITHUB_RUN_ID`, for links to the run.
    pub run_id: Option<String>,
    /// `TF_WORKSPACE`: the Terraform workspace a working directory uses, unless an input says.
    pub tf_workspace: Option<String>,
}

impl Context {
    /// Reads the environment; a variable set to the empty string counts as unset.
    pub fn from_env() -> Context {
        let var = |name: &str| host::env(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        Context {
            workspace: var("GITHUB_WORKSPACE").or_else(|| host::cwd().ok()).unwrap_or_default(),
            repository: var("GITHUB_REPOSITORY"),
            sha: var("GITHUB_SHA"),
            git_ref: var("GITHUB_REF"),
            api_url: var("GITHUB_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_string()),
            server_url: var("GITHUB_SERVER_URL"),
            run_id: var("GITHUB_RUN_ID"),
            tf_workspace: var("TF_WORKSPACE"),
        }
    }

    /// The tag this run was started for, when it is a tag push.
    pub fn pushed_tag(&self) -> Option<&str> {
        self.git_ref.as_deref()?.strip_prefix("refs/tags/")
    }

    /// The link to this run's log, when the runner says where it is.
    pub fn run_url(&self) -> Option<String> {
        let (server, repo, run) = (self.server_url.as_deref()?, self.repository.as_deref()?, self.run_id.as_deref()?);
        Some(format!("{}/{repo}/actions/runs/{run}", server.trim_end_matches('/')))
    }
}
