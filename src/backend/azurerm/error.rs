//! What can go wrong in reading a state from Terraform's `azurerm` backend, in words that name
//! the backend, the account, container and blob, the identity, and the permission it lacks.

use std::fmt;

/// Who the requests were made as, for messages: never a credential itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The account's key (`access_key`).
    SharedKey,
    /// A shared access signature (`sas_token`).
    Sas,
    /// An Entra ID application (`client_id`), and how it signed in ("OIDC", "client secret").
    Entra {
        /// The application (client) id.
        client_id: String,
        /// How it signed in.
        how: &'static str,
    },
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identity::SharedKey => f.write_str("the shared key (`access_key`)"),
            Identity::Sas => f.write_str("the SAS token (`sas_token`)"),
            Identity::Entra { client_id, how } => write!(f, "Entra ID application {client_id} ({how})"),
        }
    }
}

/// The blob a read was about: `container/blob in storage account <account>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// `storage_account_name`.
    pub account: String,
    /// `container_name`.
    pub container: String,
    /// The blob's name (`key`, or `<key>env:<workspace>`); empty for the container's listing.
    pub name: String,
}

impl fmt::Display for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "container {} in storage account {}", self.container, self.account)
        } else {
            write!(f, "blob {}/{} in storage account {}", self.container, self.name, self.account)
        }
    }
}

/// The azurerm backend's problem with one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The metadata host (`metadata_host`) did not give the cloud's endpoints.
    Metadata {
        /// The host, as configured.
        host: String,
        /// What went wrong.
        why: String,
    },
    /// A request did not get an answer (refused, unresolvable, timed out, TLS).
    Unreachable {
        /// The URL asked, without its query.
        url: String,
        /// The host's words.
        message: String,
        /// Whether it ran out of time.
        timed_out: bool,
    },
    /// 403 AuthorizationPermissionMismatch / AuthorizationFailure: the identity is known and
    /// may not read.
    Forbidden {
        /// What was read.
        blob: Box<Blob>,
        /// Who asked.
        identity: Box<Identity>,
        /// The storage error code.
        code: String,
    },
    /// 403 AuthenticationFailed: the signature, SAS or token was not accepted.
    AuthenticationFailed {
        /// What was read.
        blob: Box<Blob>,
        /// Who asked.
        identity: Box<Identity>,
        /// The HTTP status (403 from Azure).
        status: u16,
        /// The storage error code (`AuthenticationFailed`).
        code: String,
        /// The storage service's detail, quoted.
        said: String,
    },
    /// 404 ContainerNotFound (or the account has no such container).
    ContainerNotFound {
        /// The container.
        blob: Box<Blob>,
    },
    /// Any other answer.
    Status {
        /// What was read.
        blob: Box<Blob>,
        /// The HTTP status.
        status: u16,
        /// The storage error code, quoted, or empty.
        code: String,
        /// The start of the body, quoted.
        said: String,
    },
    /// The GitHub OIDC token could not be had from `oidc_request_url`.
    OidcRequest {
        /// The request URL, without its query.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body, quoted.
        said: String,
    },
    /// A file a setting names that the action will not read: outside the workspace, not a
    /// regular file, or too large.
    Refused(crate::files::Error),
    /// The OIDC token file (`oidc_token_file_path`, `client_id_file_path`, …) could not be read.
    File {
        /// The setting.
        key: String,
        /// The path.
        path: String,
        /// What went wrong.
        why: String,
    },
    /// Entra ID refused to give a token for Azure Storage.
    Entra {
        /// The token endpoint, `<login>/<tenant>/oauth2/v2.0/token`.
        url: String,
        /// The application that asked.
        client_id: String,
        /// `AADSTS…` code when given.
        code: Option<String>,
        /// Entra ID's `error` and `error_description`, quoted.
        said: String,
    },
    /// The container's listing is not the XML the service sends.
    BadListing {
        /// The container.
        blob: Box<Blob>,
        /// Why.
        why: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Metadata { host, why } => write!(
                f,
                "azurerm backend: the metadata host {host} (`metadata_host`) did not give the cloud's endpoints: {why}; check `metadata_host` (ARM_METADATA_HOSTNAME), or unset it and set `environment`"
            ),
            Error::Unreachable { url, message, timed_out } => {
                write!(f, "azurerm backend: {url} did not answer")?;
                if *timed_out {
                    f.write_str(" in time")?;
                }
                write!(f, ": {}; check `storage_account_name`, `environment`/`metadata_host`, and the runner's network (HTTPS_PROXY, NO_PROXY)", crate::text::one_line(message))
            }
            Error::Forbidden { blob, identity, code } => write!(
                f,
                "azurerm backend: {identity} may not read {blob} ({code}); reading a state needs the role Storage Blob Data Reader on the container (or the account) for that identity — Contributor or Owner alone do not give data access — or a SAS with read and list permissions"
            ),
            Error::AuthenticationFailed { blob, identity, status, code, said } => {
                write!(f, "azurerm backend: the storage account did not accept {identity} for {blob} ({status} {code})")?;
                if !said.is_empty() {
                    write!(f, ": {said}")?;
                }
                match identity.as_ref() {
                    Identity::SharedKey => f.write_str("; the key is wrong or was rotated: set `access_key` (ARM_ACCESS_KEY) to one of the account's current access keys"),
                    Identity::Sas => f.write_str("; the SAS is wrong, expired, or lacks read (r) and list (l) permissions on the blob service: make a new one for `sas_token` (ARM_SAS_TOKEN)"),
                    Identity::Entra { .. } => f.write_str("; the token was refused: check `tenant_id` is the account's tenant"),
                }
            }
            Error::ContainerNotFound { blob } => write!(
                f,
                "azurerm backend: there is no container {} in storage account {} (404 ContainerNotFound); check `container_name` and `storage_account_name`",
                blob.container, blob.account
            ),
            Error::Status { blob, status, code, said } => {
                write!(f, "azurerm backend: reading {blob} answered {status}")?;
                if !code.is_empty() {
                    write!(f, " {code}")?;
                }
                if !said.is_empty() {
                    write!(f, ": {said}")?;
                }
                f.write_str("; check the backend settings, and the storage account")
            }
            Error::OidcRequest { url, status, said } => {
                write!(f, "azurerm backend: the OIDC token request to {url} (`oidc_request_url`) answered {status}")?;
                if !said.is_empty() {
                    write!(f, ": {said}")?;
                }
                f.write_str("; in GitHub Actions the job needs `permissions: id-token: write`")
            }
            Error::Refused(e) => write!(f, "azurerm backend: {e}"),
            Error::File { key, path, why } => write!(f, "azurerm backend: `{key}` {path} could not be read: {why}"),
            Error::Entra { url, client_id, code, said } => {
                write!(f, "azurerm backend: Entra ID ({url}) gave application {client_id} no token for Azure Storage")?;
                if !said.is_empty() {
                    write!(f, ": {said}")?;
                }
                match code.as_deref() {
                    Some("AADSTS70021" | "AADSTS700213" | "AADSTS700212" | "AADSTS700211") => f.write_str(
                        "; the application has no federated credential that matches this workflow's token: add one whose issuer is https://token.actions.githubusercontent.com and whose subject matches this job (repo:<owner>/<repo>:environment:<name>, :ref:refs/heads/<branch>, or :pull_request)",
                    ),
                    Some("AADSTS700016") => f.write_str("; check `client_id` (ARM_CLIENT_ID) and `tenant_id` (ARM_TENANT_ID)"),
                    Some("AADSTS90002") => f.write_str("; check `tenant_id` (ARM_TENANT_ID)"),
                    Some("AADSTS7000215" | "AADSTS7000222") => {
                        f.write_str("; the client secret is wrong or expired: set a current one in `client_secret` (ARM_CLIENT_SECRET)")
                    }
                    _ => f.write_str("; check `tenant_id`, `client_id` and the application's credentials"),
                }
            }
            Error::BadListing { blob, why } => write!(f, "azurerm backend: the listing of {blob} is not one: {why}"),
        }
    }
}

impl std::error::Error for Error {}
