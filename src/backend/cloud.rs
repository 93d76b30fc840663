//! HCP Terraform's `cloud` block (recorded by `terraform init` as backend `cloud`): the names and keys
//! over the shared client in [`super::tfe`]. `TF_WORKSPACE` selects the workspace (its local name
//! is the remote one), `TF_CLOUD_PROJECT` stands for `workspaces { project }`.

use super::tfe::{self, Kind};
pub use super::tfe::{open, workspaces, Location, KEYS, SECRETS};
use super::workspace::Workspace;
use super::{BackendConfig, KeyProblem};
use crate::context::Context;

/// The backend's type, as Terraform names it.
pub const NAME: &str = "cloud";

/// Terraform's environment fallbacks, key by key.
pub const ENV: &[(&str, &[&str])] =
    &[("hostname", &["TF_CLOUD_HOSTNAME"]), ("organization", &["TF_CLOUD_ORGANIZATION"])];

/// Reads `config` into a [`Location`]; every problem at once. Pure.
pub fn configure(
    config: &BackendConfig,
    workspace: &Workspace,
    context: &Context,
    timeout_ms: u64,
) -> Result<Location, Vec<KeyProblem>> {
    tfe::configure(Kind::Cloud, config, workspace, context, timeout_ms)
}
