//! Terraform's `remote` backend (HCP Terraform, Terraform Enterprise): the names and keys over the
//! shared client in [`super::tfe`].

use super::tfe::{self, Kind};
use super::workspace::Workspace;
use super::{BackendConfig, KeyProblem, Opened};
use crate::context::Context;

/// The backend's type, as Terraform names it.
pub const NAME: &str = "remote";

/// Every key of the backend's schema; `workspaces` is the nested block.
pub const KEYS: &[&str] = &["hostname", "organization", "token", "workspaces"];

/// The keys whose values are credentials.
pub const SECRETS: &[&str] = &["token"];

/// Terraform's environment fallbacks, key by key.
pub const ENV: &[(&str, &[&str])] = &[];

/// Where the state is: the shared client's location.
pub type Location = tfe::Location;

/// Reads `config` into a [`Location`]; every problem at once. Pure.
pub fn configure(
    config: &BackendConfig,
    workspace: &Workspace,
    context: &Context,
    timeout_ms: u64,
) -> Result<Location, Vec<KeyProblem>> {
    tfe::configure(Kind::Remote, config, workspace, context, timeout_ms)
}

/// Reads the workspace's current state.
pub async fn open(location: &Location) -> crate::error::Result<Opened> {
    tfe::open(location).await
}

/// The workspaces that have a state.
pub async fn workspaces(location: &Location) -> crate::error::Result<Vec<String>> {
    tfe::workspaces(location).await
}
