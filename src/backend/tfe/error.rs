//! What can go wrong in reading a state from HCP Terraform or Terraform Enterprise, in words
//! that name the backend, the host, the organization, the workspace and what to do.

use std::fmt;

use super::service;
use crate::text::quote;

/// Where a read was: the backend, host, organization and remote workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
    /// `remote` or `cloud`.
    pub backend: &'static str,
    /// The host (with its port, when it has one).
    pub host: String,
    /// The organization.
    pub organization: String,
    /// The remote workspace.
    pub workspace: String,
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} backend ({} at {}, organization {})",
            self.backend,
            service(&self.host),
            self.host,
            self.organization
        )
    }
}

/// The remote and cloud backends' problem with one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// No token in any of the places Terraform looks.
    NoToken {
        /// Where.
        at: Box<At>,
        /// The CLI config file looked in.
        cli_config: String,
        /// The `credentials.tfrc.json` looked in.
        credentials_file: String,
    },
    /// A CLI config or credentials file that cannot be read.
    CliConfig {
        /// The file.
        path: String,
        /// Why (never a value from it).
        problem: String,
    },
    /// The host did not answer.
    Unreachable {
        /// Where.
        at: Box<At>,
        /// Which call.
        what: &'static str,
        /// Whether the time ran out.
        timed_out: bool,
        /// The transport's message.
        message: String,
    },
    /// Service discovery did not name the API.
    Discovery {
        /// Where.
        at: Box<At>,
        /// What it answered.
        problem: String,
    },
    /// Service discovery named an API on another host: the token is not sent there.
    OtherHost {
        /// Where.
        at: Box<At>,
        /// The API's URL, quoted.
        url: String,
    },
    /// 401: the token was not accepted.
    Unauthorized {
        /// Where.
        at: Box<At>,
        /// Where the token came from.
        token_from: String,
    },
    /// 404 on the workspace: it does not exist, or the token may not see it.
    NoWorkspace {
        /// Where.
        at: Box<At>,
        /// Where the token came from.
        token_from: String,
    },
    /// 404 on the organization's workspaces.
    NoOrganization {
        /// Where.
        at: Box<At>,
        /// Where the token came from.
        token_from: String,
    },
    /// 403 on the current state version.
    StateForbidden {
        /// Where.
        at: Box<At>,
    },
    /// Any other unexpected status.
    Status {
        /// Where.
        at: Box<At>,
        /// Which call.
        what: &'static str,
        /// The status code.
        status: u16,
        /// `: "<start of the body>"`, or empty.
        said: String,
    },
    /// An answer that is not what the API returns.
    Answer {
        /// Where.
        at: Box<At>,
        /// Which call.
        what: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoToken { at, cli_config, credentials_file } => write!(
                f,
                "{at}: no API token for {host}; give one in any of the places Terraform looks: the `token` setting (input `backend-config`: token=…, from a secret), the environment variable {env} (e.g. `env: {env}: ${{{{ secrets.TF_API_TOKEN }}}}`), a credentials \"{host}\" {{ token = … }} block in the CLI config {cli_config} (TF_CLI_CONFIG_FILE; hashicorp/setup-terraform writes it from `cli_config_credentials_token`), or {credentials_file} (written by `terraform login`); credentials helpers are not run",
                host = at.host,
                env = env_name(&at.host),
            ),
            Error::CliConfig { path, problem } => {
                write!(f, "Terraform CLI configuration {path} {problem}; fix the file, or give the token with the `token` setting or a TF_TOKEN_<host> variable")
            }
            Error::Unreachable { at, what, timed_out: true, .. } => write!(
                f,
                "{at}: {what} did not answer in time; check that {} is up and reachable from the runner",
                at.host
            ),
            Error::Unreachable { at, what, message, .. } => write!(
                f,
                "{at}: cannot reach {} for {what}: {}; check `hostname`, and that the runner can reach it (and trusts its certificate: NODE_EXTRA_CA_CERTS for a private CA)",
                at.host,
                quote(message)
            ),
            Error::Discovery { at, problem } => write!(
                f,
                "{at}: service discovery (https://{}/.well-known/terraform.json) {problem}; check `hostname`",
                at.host
            ),
            Error::OtherHost { at, url } => write!(
                f,
                "{at}: service discovery puts the API on another host ({url}); the token is sent only to {}: set `hostname` to the API's host",
                at.host
            ),
            Error::Unauthorized { at, token_from } => {
                write!(f, "{at}: the token was not accepted (401 Unauthorized)")?;
                if !token_from.is_empty() {
                    write!(f, "; it came from {token_from}")?;
                }
                f.write_str("; check that it is a valid user or team token for this host, not expired or revoked (an organization token cannot read state versions)")
            }
            Error::NoWorkspace { at, token_from } => write!(
                f,
                "{at}: workspace {} was not found (404); {} answers 404 both when the workspace does not exist and when the token may not see it: check the workspace name (and the workspace selection) and that the token ({token_from}) belongs to a user or team with access to it",
                quote(&at.workspace),
                service(&at.host)
            ),
            Error::NoOrganization { at, token_from } => write!(
                f,
                "{at}: the organization's workspaces were not found (404): the organization does not exist, or the token ({token_from}) may not see it; check `organization`"
            ),
            Error::StateForbidden { at } => write!(
                f,
                "{at}: the token may not read the state of workspace {} (403 Forbidden on its current state version); the team needs the workspace permission \"read state versions\" (or \"read\" access), or use a token of a team that has it",
                quote(&at.workspace)
            ),
            Error::Status { at, what, status, said } => write!(f, "{at}: {what} of workspace {} answered {status}{said}", quote(&at.workspace)),
            Error::Answer { at, what, problem } => write!(
                f,
                "{at}: {what} of workspace {} answered with {problem}; is `hostname` HCP Terraform or Terraform Enterprise?",
                quote(&at.workspace)
            ),
        }
    }
}

/// `TF_TOKEN_<host>` as Terraform names it: dots as `_`, dashes as `__`.
pub fn env_name(host: &str) -> String {
    format!("TF_TOKEN_{}", host.replace('-', "__").replace('.', "_"))
}

impl std::error::Error for Error {}

impl From<Error> for crate::error::Error {
    fn from(e: Error) -> crate::error::Error {
        crate::error::Error::Backend(super::super::Error::Tfe(Box::new(e)))
    }
}
