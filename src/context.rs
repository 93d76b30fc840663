//! What the runner says about a run, read from the environment once, before any command runs:
//! commands and their configurations take it as a value, so that turning inputs into a
//! validated configuration is a pure function, tested natively with a context made up in the
//! test.

use std::collections::BTreeMap;

use crate::host;

/// The API GitHub.com serves; GitHub Enterprise sets `GITHUB_API_URL` to its own.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// The run's environment: `GITHUB_*` as the runner sets them, `TF_WORKSPACE`, `TF_DATA_DIR`, and
/// the variables Terraform's backends fall back to.
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
    /// `TF_DATA_DIR`: where a working directory keeps what `terraform init` writes, in place of
    /// `.terraform`.
    pub tf_data_dir: Option<String>,
    /// The backends' environment fallbacks that are set (`KUBE_HOST`, `PG_CONN_STR`, …; see
    /// [`crate::backend::env_names`]), read here once so that no backend reads the environment
    /// in the middle of its work. Values as set, untrimmed (a PEM's newlines are its own).
    pub backend_env: BTreeMap<String, String>,
    /// `HOME`: where a kubeconfig path's `~` leads.
    pub home: Option<String>,
    /// What Terraform's CLI reads for HCP Terraform (the `remote` and `cloud` backends) besides
    /// their keys' fallbacks: every `TF_TOKEN_<host>` variable, `TF_CLI_CONFIG_FILE` and
    /// `TF_CLOUD_PROJECT`. Values as set.
    pub terraform_cli: BTreeMap<String, String>,
    /// `KUBERNETES_SERVICE_HOST` and `_PORT`, as the kubelet sets them in a pod: the API server a
    /// service account (`in_cluster_config`) talks to.
    pub kubernetes_service: Option<(String, String)>,
    /// `GOOGLE_APPLICATION_CREDENTIALS`: Application Default Credentials, the file
    /// google-github-actions/auth writes (the gcs backend's credentials when none are set).
    pub google_application_credentials: Option<String>,
    /// The AWS SDK's variables that are no setting's fallback ([`crate::backend::s3::SDK_ENV`]:
    /// web identity), as set.
    pub aws_env: BTreeMap<String, String>,
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
            tf_data_dir: var("TF_DATA_DIR"),
            backend_env: crate::backend::env_names()
                .into_iter()
                .filter_map(|name| host::env(name).filter(|v| !v.is_empty()).map(|v| (name.to_string(), v)))
                .collect(),
            home: var("HOME"),
            terraform_cli: host::env_names("TF_TOKEN_")
                .into_iter()
                .chain(["TF_CLI_CONFIG_FILE".to_string(), "TF_CLOUD_PROJECT".to_string()])
                .filter_map(|name| host::env(&name).filter(|v| !v.trim().is_empty()).map(|v| (name, v)))
                .collect(),
            kubernetes_service: var("KUBERNETES_SERVICE_HOST").zip(var("KUBERNETES_SERVICE_PORT")),
            google_application_credentials: var("GOOGLE_APPLICATION_CREDENTIALS"),
            aws_env: crate::backend::s3::SDK_ENV.iter().filter_map(|n| var(n).map(|v| (n.to_string(), v))).collect(),
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
