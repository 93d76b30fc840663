//! Terraform's `remote` backend (HCP Terraform, Terraform Enterprise): the names and keys over the
//! shared client in [`super::tfe`].

use super::tfe::{self, Kind};
pub use super::tfe::{open, workspaces, Location, KEYS, SECRETS};
use super::workspace::Workspace;
use super::{BackendConfig, KeyProblem};
use crate::context::Context;

/// The backend's type, as Terraform names it.
pub const NAME: &str = "remote";

/// Terraform's environment fallbacks, key by key.
pub const ENV: &[(&str, &[&str])] = &[];

/// Reads `config` into a [`Location`]; every problem at once. Pure.
pub fn configure(
    config: &BackendConfig,
    workspace: &Workspace,
    context: &Context,
    timeout_ms: u64,
) -> Result<Location, Vec<KeyProblem>> {
    tfe::configure(Kind::Remote, config, workspace, context, timeout_ms)
}
