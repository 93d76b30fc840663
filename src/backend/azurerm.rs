//! Terraform's `azurerm` backend: a workspace's state is a block blob in a container of an
//! Azure Storage account — `key` for `default`, `<key>env:<workspace>` (no separator) for the
//! others — read with Get Blob at `https://<account>.blob.<storage suffix>/<container>/<blob>`.
//!
//! The storage suffix and the Entra ID login endpoint come from `environment` (`public`,
//! `usgovernment`, `china`) or, when `metadata_host` is set, from
//! `https://<metadata_host>/metadata/endpoints?api-version=2022-09-01`, as in Terraform. There is
//! no endpoint setting: https is hard-coded. The runner's HTTPS_PROXY/NO_PROXY are honoured (the
//! host's HTTP, js/host.js).
//!
//! Credentials, in Terraform's order: `access_key` (Shared Key signing), then `sas_token`, then
//! `use_azuread_auth` (an Entra ID token for Azure Storage, obtained with `client_secret` or a
//! federated OIDC token: `oidc_token`, `oidc_token_file_path`, or GitHub's token through
//! `oidc_request_url`/`oidc_request_token`, i.e. `ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN`).
//!
//! Not supported, each refused with what to use instead: Terraform's fallback of listing the
//! account's keys through Azure Resource Manager (`resource_group_name` without key, SAS or
//! `use_azuread_auth`), `lookup_blob_endpoint`, the Azure CLI (`use_cli`), managed identity
//! (`use_msi`), client certificates, AKS workload identity and Azure DevOps service connections.
//! Use `use_azuread_auth` with OIDC (azure/login's `ARM_*` variables), a SAS or the key.
//!
//! The workspaces are one List Blobs with the prefix `key` (paginated by `NextMarker`): `key`
//! itself is `default`, each `<key>env:<name>` (no `/` in the name) another; an empty blob (the
//! placeholder Terraform writes when it locks a missing state) has no state.
//!
//! The lock is the blob's lease (`x-ms-lease-status: locked`) with Terraform's LockInfo in its
//! `terraformlockid` metadata (base64), which Get Blob returns with the state.

pub mod entra;
mod error;
pub mod sharedkey;

pub use error::{Blob, Error, Identity};

use std::io::Cursor;

use super::config::{BackendConfig, KeyProblem};
use super::workspace::{Workspace, DEFAULT};
use super::{Lock, NoState, Opened, Snapshot};
use crate::context::Context;
use crate::host::{self, HostError, HttpRequest, HttpResponse};
use crate::secret::Secret;

/// The backend's type, as Terraform names it.
pub const NAME: &str = "azurerm";

/// The storage service version Terraform 1.11 sends.
pub const VERSION: &str = "2023-11-03";

/// Every key of the backend's schema in Terraform 1.11.
pub const KEYS: &[&str] = &[
    "storage_account_name",
    "container_name",
    "key",
    "environment",
    "metadata_host",
    "snapshot",
    "lookup_blob_endpoint",
    "resource_group_name",
    "subscription_id",
    "tenant_id",
    "client_id",
    "client_id_file_path",
    "endpoint",
    "access_key",
    "sas_token",
    "client_secret",
    "client_secret_file_path",
    "client_certificate",
    "client_certificate_password",
    "client_certificate_path",
    "use_msi",
    "msi_endpoint",
    "use_oidc",
    "oidc_request_token",
    "oidc_request_url",
    "oidc_token",
    "oidc_token_file_path",
    "ado_pipeline_service_connection_id",
    "use_aks_workload_identity",
    "use_cli",
    "use_azuread_auth",
];

/// The keys whose values are credentials.
pub const SECRETS: &[&str] = &[
    "access_key",
    "sas_token",
    "client_secret",
    "client_certificate",
    "client_certificate_password",
    "oidc_request_token",
    "oidc_token",
];

/// Terraform's environment fallbacks, key by key.
pub const ENV: &[(&str, &[&str])] = &[
    ("environment", &["ARM_ENVIRONMENT"]),
    ("metadata_host", &["ARM_METADATA_HOSTNAME", "ARM_METADATA_HOST"]),
    ("snapshot", &["ARM_SNAPSHOT"]),
    ("lookup_blob_endpoint", &["ARM_USE_DNS_ZONE_ENDPOINT"]),
    ("subscription_id", &["ARM_SUBSCRIPTION_ID"]),
    ("tenant_id", &["ARM_TENANT_ID"]),
    ("client_id", &["ARM_CLIENT_ID"]),
    ("client_id_file_path", &["ARM_CLIENT_ID_FILE_PATH"]),
    ("access_key", &["ARM_ACCESS_KEY"]),
    ("sas_token", &["ARM_SAS_TOKEN"]),
    ("client_secret", &["ARM_CLIENT_SECRET"]),
    ("client_secret_file_path", &["ARM_CLIENT_SECRET_FILE_PATH"]),
    ("client_certificate", &["ARM_CLIENT_CERTIFICATE"]),
    ("client_certificate_password", &["ARM_CLIENT_CERTIFICATE_PASSWORD"]),
    ("client_certificate_path", &["ARM_CLIENT_CERTIFICATE_PATH"]),
    ("use_msi", &["ARM_USE_MSI"]),
    ("msi_endpoint", &["ARM_MSI_ENDPOINT"]),
    ("use_oidc", &["ARM_USE_OIDC"]),
    ("oidc_request_token", &["ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN"]),
    ("oidc_request_url", &["ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_OIDCREQUESTURI"]),
    ("oidc_token", &["ARM_OIDC_TOKEN"]),
    ("oidc_token_file_path", &["ARM_OIDC_TOKEN_FILE_PATH"]),
    (
        "ado_pipeline_service_connection_id",
        &["ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID"],
    ),
    ("use_aks_workload_identity", &["ARM_USE_AKS_WORKLOAD_IDENTITY"]),
    ("use_cli", &["ARM_USE_CLI"]),
    ("use_azuread_auth", &["ARM_USE_AZUREAD"]),
];

/// The most pages of a container's listing read for the workspaces (5000 blobs a page).
const MAX_PAGES: usize = 20;

/// Which cloud: its endpoints given by `environment`, or asked of `metadata_host`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Cloud {
    /// A known cloud (`environment`).
    Known {
        /// The storage DNS suffix (`core.windows.net`).
        storage_suffix: String,
        /// Entra ID's login endpoint (`https://login.microsoftonline.com`).
        login: String,
    },
    /// `metadata_host`: `host[:port]`, asked over https.
    Metadata(String),
}

/// A value given directly, or a file that holds it (read by `open`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Value<T> {
    /// The value.
    Given(T),
    /// `(setting, file)`: the file the setting names.
    File(String, Box<crate::files::Setting>),
}

/// What proves the application to Entra ID.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EntraCredential {
    /// `client_secret` or `client_secret_file_path`.
    ClientSecret(Value<Secret>),
    /// A federated token given (`oidc_token`) or in a file (`oidc_token_file_path`).
    OidcToken(Value<Secret>),
    /// GitHub's OIDC token, asked of `oidc_request_url` with `oidc_request_token`.
    OidcRequest {
        /// `oidc_request_url` (`ACTIONS_ID_TOKEN_REQUEST_URL`).
        url: String,
        /// `oidc_request_token` (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`).
        token: Secret,
    },
}

/// How requests are authorized.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Auth {
    /// `access_key`: Shared Key signing.
    SharedKey(Secret),
    /// `sas_token`, without a leading `?`.
    Sas(Secret),
    /// `use_azuread_auth`: a Bearer token from Entra ID.
    Entra {
        /// `tenant_id`.
        tenant_id: String,
        /// `client_id` (or `client_id_file_path`).
        client_id: Value<String>,
        /// How the application signs in.
        credential: EntraCredential,
    },
}

/// Everything `open` needs, validated.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// `storage_account_name`.
    pub account: String,
    /// `container_name`.
    pub container: String,
    /// `key`: the default workspace's blob.
    pub key: String,
    /// The workspace, and what chose it.
    pub workspace: Workspace,
    /// The cloud's endpoints.
    pub cloud: Cloud,
    /// The credentials.
    pub auth: Auth,
    /// Every request ends within this many milliseconds.
    pub timeout_ms: u64,
}

impl Location {
    /// The blob of the selected workspace: `key`, or `<key>env:<workspace>`.
    pub fn blob_name(&self) -> String {
        blob_name(&self.key, &self.workspace.name)
    }

    fn blob(&self, name: String) -> Blob {
        Blob { account: self.account.clone(), container: self.container.clone(), name }
    }
}

/// The blob of `workspace` under `key` (Terraform's `keyEnvPrefix` is `env:`, with no separator).
pub fn blob_name(key: &str, workspace: &str) -> String {
    if workspace == DEFAULT {
        key.to_string()
    } else {
        format!("{key}env:{workspace}")
    }
}

/// The endpoints of the clouds `environment` names (go-azure-sdk's `environments`).
fn known_cloud(name: &str) -> Option<Cloud> {
    let (suffix, login) = match name.trim().to_ascii_lowercase().as_str() {
        "" | "public" => ("core.windows.net", "https://login.microsoftonline.com"),
        "usgovernment" => ("core.usgovcloudapi.net", "https://login.microsoftonline.us"),
        "china" => ("core.chinacloudapi.cn", "https://login.chinacloudapi.cn"),
        _ => return None,
    };
    Some(Cloud::Known { storage_suffix: suffix.into(), login: login.into() })
}

/// Reads `config` into a [`Location`]: every problem at once.
pub fn configure(
    config: &BackendConfig,
    workspace: &Workspace,
    context: &Context,
    timeout_ms: u64,
) -> Result<Location, Vec<KeyProblem>> {
    let mut problems = Vec::new();
    let mut string = |key: &str| match config.string(key) {
        Ok(v) => v.map(|(v, _)| v).filter(|v| !v.trim().is_empty()),
        Err(p) => {
            problems.push(p);
            None
        }
    };
    let account = string("storage_account_name");
    let container = string("container_name");
    let key = string("key");
    let environment = string("environment");
    let metadata_host = string("metadata_host");
    let access_key = string("access_key");
    let sas_token = string("sas_token");
    let tenant_id = string("tenant_id");
    let client_id = string("client_id");
    let client_id_file = string("client_id_file_path");
    let client_secret = string("client_secret");
    let client_secret_file = string("client_secret_file_path");
    let client_certificate = string("client_certificate").or(string("client_certificate_path"));
    let oidc_token = string("oidc_token");
    let oidc_token_file = string("oidc_token_file_path");
    let oidc_request_url = string("oidc_request_url");
    let oidc_request_token = string("oidc_request_token");
    let ado = string("ado_pipeline_service_connection_id");
    let resource_group = string("resource_group_name");
    let mut flag = |key: &str| match config.boolean(key) {
        Ok(v) => v.is_some_and(|(v, _)| v),
        Err(p) => {
            problems.push(p);
            false
        }
    };
    let use_azuread = flag("use_azuread_auth");
    let use_oidc = flag("use_oidc");
    let use_msi = flag("use_msi");
    let use_aks = flag("use_aks_workload_identity");
    let lookup_blob_endpoint = flag("lookup_blob_endpoint");

    match &account {
        None => problems.push(config.problem(
            "storage_account_name",
            "is required: the storage account that holds the state, as in the backend block",
        )),
        Some(a) if !(3..=24).contains(&a.len()) || !a.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) => {
            problems.push(config.problem(
                "storage_account_name",
                format!(
                    "{} is not a storage account name: 3 to 24 lower-case letters and digits",
                    crate::text::quote(a)
                ),
            ))
        }
        Some(_) => {}
    }
    if container.is_none() {
        problems.push(config.problem(
            "container_name",
            "is required: the blob container that holds the state, as in the backend block",
        ));
    }
    if key.is_none() {
        problems.push(config.problem("key", "is required: the state's blob name in the container (e.g. prod.terraform.tfstate), as in the backend block"));
    }
    if lookup_blob_endpoint {
        problems.push(config.problem(
            "lookup_blob_endpoint",
            "is not supported: it asks Azure Resource Manager for the account's endpoint; remove it (the endpoint is then https://<account>.blob.<the cloud's storage suffix>)",
        ));
    }

    let cloud = match &metadata_host {
        Some(host) => {
            let valid = !host.contains(['/', '?', '#', '@', ' ']) && !host.contains("://");
            if !valid {
                problems.push(config.problem(
                    "metadata_host",
                    format!(
                        "{} is not a host name: give `host` or `host:port`, without https:// or a path",
                        crate::text::quote(host)
                    ),
                ));
            }
            Some(Cloud::Metadata(host.clone()))
        }
        None => {
            let cloud = known_cloud(environment.as_deref().unwrap_or("public"));
            if cloud.is_none() {
                problems.push(config.problem(
                    "environment",
                    format!(
                        "{} is not a cloud this backend knows: use public, usgovernment or china (or `metadata_host` for another)",
                        crate::text::quote(environment.as_deref().unwrap_or_default())
                    ),
                ));
            }
            cloud
        }
    };

    // `~/` from HOME, a relative path from the workspace (and kept inside it).
    let file = |key: &str, path: &str| {
        Box::new(crate::files::Setting::new(path, format!("`{key}`"), &context.workspace, context.home.as_deref()))
    };
    let auth = if let Some(k) = access_key {
        use base64::Engine;
        if base64::engine::general_purpose::STANDARD.decode(k.trim()).is_err() {
            // Not quoted: it is a secret.
            problems.push(config.problem(
                "access_key",
                "is not an account key (base64, as the portal's Access keys show it); set one of the storage account's keys",
            ));
        }
        Some(Auth::SharedKey(Secret::new(k)))
    } else if let Some(s) = sas_token {
        Some(Auth::Sas(Secret::new(s.trim().trim_start_matches('?'))))
    } else if use_azuread {
        if tenant_id.is_none() {
            problems.push(config.problem(
                "tenant_id",
                "is required with `use_azuread_auth`: the Entra ID tenant (ARM_TENANT_ID; azure/login's `tenant-id`)",
            ));
        }
        let client = match (client_id, client_id_file) {
            (Some(id), _) => Some(Value::Given(id)),
            (None, Some(path)) => Some(Value::File("client_id_file_path".into(), file("client_id_file_path", &path))),
            (None, None) => {
                problems.push(config.problem(
                    "client_id",
                    "is required with `use_azuread_auth`: the application (client) id that may read the state (ARM_CLIENT_ID; azure/login's `client-id`)",
                ));
                None
            }
        };
        let credential = if client_certificate.is_some() {
            problems.push(config.problem(
                "client_certificate",
                "is not supported (a PKCS#12 client certificate): sign in with OIDC (`use_oidc`, ARM_USE_OIDC=true, with a federated credential for this workflow) or a `client_secret`",
            ));
            None
        } else if let Some(s) = client_secret {
            Some(EntraCredential::ClientSecret(Value::Given(Secret::new(s))))
        } else if let Some(path) = client_secret_file {
            Some(EntraCredential::ClientSecret(Value::File(
                "client_secret_file_path".into(),
                file("client_secret_file_path", &path),
            )))
        } else if use_oidc {
            if let Some(t) = oidc_token {
                Some(EntraCredential::OidcToken(Value::Given(Secret::new(t))))
            } else if let Some(path) = oidc_token_file {
                Some(EntraCredential::OidcToken(Value::File(
                    "oidc_token_file_path".into(),
                    file("oidc_token_file_path", &path),
                )))
            } else if ado.is_some() {
                problems.push(config.problem(
                    "ado_pipeline_service_connection_id",
                    "is not supported (Azure DevOps service connections): in GitHub Actions, OIDC uses ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN; remove it",
                ));
                None
            } else {
                match (oidc_request_url, oidc_request_token) {
                    (Some(url), Some(token)) => {
                        if !url.starts_with("https://") && !url.starts_with("http://") {
                            problems.push(
                                config.problem(
                                    "oidc_request_url",
                                    "must be an http(s) URL (ACTIONS_ID_TOKEN_REQUEST_URL)",
                                ),
                            );
                        }
                        Some(EntraCredential::OidcRequest { url, token: Secret::new(token) })
                    }
                    _ => {
                        problems.push(config.problem(
                            "use_oidc",
                            "is set, and there is no OIDC token: in GitHub Actions give the job `permissions: id-token: write` (the runner then sets ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN), or set `oidc_token` / `oidc_token_file_path`",
                        ));
                        None
                    }
                }
            }
        } else if use_aks {
            problems.push(config.problem(
                "use_aks_workload_identity",
                "is not supported: set `use_oidc = true` and `oidc_token_file_path` to the projected token (AZURE_FEDERATED_TOKEN_FILE)",
            ));
            None
        } else if use_msi {
            problems.push(config.problem(
                "use_msi",
                "is not supported (managed identity): sign in with OIDC (`use_oidc`, ARM_USE_OIDC=true) or a `client_secret`, or use `access_key`/`sas_token`",
            ));
            None
        } else {
            problems.push(config.problem(
                "use_azuread_auth",
                "is set with no credential this action can use: Terraform would sign in with the Azure CLI (`use_cli`), which this action does not run; set `use_oidc = true` (ARM_USE_OIDC=true, with azure/login's client-id and tenant-id as ARM_CLIENT_ID and ARM_TENANT_ID) or `client_secret`",
            ));
            None
        };
        match (tenant_id, client, credential) {
            (Some(tenant_id), Some(client_id), Some(credential)) => {
                Some(Auth::Entra { tenant_id, client_id, credential })
            }
            _ => None,
        }
    } else {
        let why = if resource_group.is_some() {
            "no credentials for the storage account: Terraform would list the account's keys through Azure Resource Manager (`resource_group_name`), which this action does not do; set `use_azuread_auth = true` (ARM_USE_AZUREAD=true) and give the identity Storage Blob Data Reader on the container, or set `access_key` (ARM_ACCESS_KEY) or `sas_token` (ARM_SAS_TOKEN)"
        } else {
            "no credentials for the storage account: set `use_azuread_auth = true` (ARM_USE_AZUREAD=true, with OIDC: ARM_USE_OIDC, ARM_CLIENT_ID, ARM_TENANT_ID), `access_key` (ARM_ACCESS_KEY) or `sas_token` (ARM_SAS_TOKEN)"
        };
        problems.push(config.problem("use_azuread_auth", why));
        None
    };

    match (problems.is_empty(), account, container, key, cloud, auth) {
        (true, Some(account), Some(container), Some(key), Some(cloud), Some(auth)) => {
            Ok(Location { account, container, key, workspace: workspace.clone(), cloud, auth, timeout_ms })
        }
        _ => Err(problems),
    }
}

/// The metadata request: `GET https://<host>/metadata/endpoints?api-version=2022-09-01`.
pub fn metadata_request(host: &str, timeout_ms: u64) -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        url: format!("https://{host}/metadata/endpoints?api-version=2022-09-01"),
        headers: vec![("accept".into(), "application/json".into())],
        body: Vec::new(),
        timeout_ms,
        tls: None,
    }
}

/// The storage suffix and login endpoint of a metadata answer (an object, or a list whose
/// first entry counts).
pub fn metadata_answer(host: &str, response: &HttpResponse) -> Result<(String, String), Error> {
    let fail = |why: String| Error::Metadata { host: host.to_string(), why };
    if response.status != 200 {
        return Err(fail(format!("it answered {} {}", response.status, crate::text::said(&response.body))));
    }
    let doc: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|_| fail("the answer is not JSON".into()))?;
    let doc = match doc {
        serde_json::Value::Array(mut a) if !a.is_empty() => a.swap_remove(0),
        d => d,
    };
    let suffix =
        doc.pointer("/suffixes/storage").and_then(|v| v.as_str()).map(|s| s.trim_start_matches('.').to_string());
    let login = doc.pointer("/authentication/loginEndpoint").and_then(|v| v.as_str()).map(str::to_string);
    let valid = |s: &str| !s.is_empty() && !s.contains(['/', '?', '#', '@', ' ', '\n']);
    match (suffix, login) {
        // The login endpoint reaches messages and URLs: a host, as the suffix is, and nothing else.
        (Some(s), Some(l))
            if valid(&s) && l.strip_prefix("https://").is_some_and(|h| valid(h.trim_end_matches('/'))) =>
        {
            Ok((s, l))
        }
        (Some(s), _) if !valid(&s) => {
            Err(fail(format!("suffixes.storage {} is not a DNS suffix", crate::text::quote(&s))))
        }
        _ => Err(fail("the answer has no suffixes.storage or authentication.loginEndpoint (https)".into())),
    }
}

/// How the data-plane requests are authorized, once credentials are exchanged.
#[derive(Debug, Clone)]
pub enum Authorizer {
    /// Sign with the account key.
    SharedKey(Secret),
    /// Append the SAS to the query.
    Sas(Secret),
    /// Send `Authorization: Bearer`.
    Bearer(Secret),
}

/// A data-plane request to `path` (under the account's endpoint) with the query `params`
/// (decoded), authorized; `now_ms` dates it. Pure.
pub fn blob_request(
    location: &Location,
    suffix: &str,
    authorizer: &Authorizer,
    path: &str,
    params: &[(&str, &str)],
    now_ms: f64,
) -> HttpRequest {
    let mut headers = vec![
        ("x-ms-date".to_string(), sharedkey::http_date(now_ms)),
        ("x-ms-version".to_string(), VERSION.to_string()),
    ];
    let mut query: Vec<String> = params.iter().map(|(n, v)| format!("{n}={}", crate::encode::component(v))).collect();
    match authorizer {
        Authorizer::SharedKey(key) => {
            let sts = sharedkey::string_to_sign("GET", &location.account, path, params, &headers);
            // A key that is not base64 was refused by configure; an empty signature then fails as
            // AuthenticationFailed, which names the key.
            let value = sharedkey::authorization(&location.account, key.expose(), &sts)
                .unwrap_or_else(|| format!("SharedKey {}:", location.account));
            headers.push(("authorization".into(), value));
        }
        Authorizer::Sas(sas) => query.push(sas.expose().to_string()),
        Authorizer::Bearer(token) => headers.push(("authorization".into(), format!("Bearer {}", token.expose()))),
    }
    let mut url = format!("https://{}.blob.{suffix}{path}", location.account);
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    HttpRequest { method: "GET".into(), url, headers, body: Vec::new(), timeout_ms: location.timeout_ms, tls: None }
}

/// The path of the workspace's blob.
pub fn blob_path(location: &Location, blob: &str) -> String {
    format!("/{}/{}", crate::encode::path(&location.container), crate::encode::path(blob))
}

/// The identity a location's requests go as.
fn identity(location: &Location, client_id: Option<&str>) -> Identity {
    match &location.auth {
        Auth::SharedKey(_) => Identity::SharedKey,
        Auth::Sas(_) => Identity::Sas,
        Auth::Entra { client_id: id, credential, .. } => Identity::Entra {
            client_id: crate::text::name(client_id.unwrap_or(match id {
                Value::Given(id) => id,
                Value::File(..) => "(from client_id_file_path)",
            })),
            how: match credential {
                EntraCredential::ClientSecret(_) => "client secret",
                _ => "OIDC",
            },
        },
    }
}

/// The error a storage answer that is not a success means.
pub fn storage_error(location: &Location, blob: Blob, response: &HttpResponse, client_id: Option<&str>) -> Error {
    let code = response
        .header("x-ms-error-code")
        .map(str::to_string)
        .or_else(|| super::xml::text(&String::from_utf8_lossy(&response.body), &["Error", "Code"]).ok().flatten())
        .unwrap_or_default();
    let message = super::xml::text(&String::from_utf8_lossy(&response.body), &["Error", "Message"]).ok().flatten();
    let said = message.map(|m| crate::text::quote(m.lines().next().unwrap_or_default())).unwrap_or_default();
    let identity = Box::new(identity(location, client_id));
    let blob = Box::new(blob);
    match (response.status, code.as_str()) {
        // Azure answers 403 AuthenticationFailed; Azurite 400 InvalidAuthenticationInfo for a bad signature.
        (400 | 403, "AuthenticationFailed" | "InvalidAuthenticationInfo" | "NoAuthenticationInformation")
        | (401, _) => Error::AuthenticationFailed {
            blob,
            identity,
            status: response.status,
            code: crate::text::name(if code.is_empty() { "AuthenticationFailed" } else { &code }),
            said,
        },
        (403, _) => Error::Forbidden {
            blob,
            identity,
            code: if code.is_empty() { "403".into() } else { crate::text::name(&code) },
        },
        (404, "ContainerNotFound") => Error::ContainerNotFound { blob },
        (status, code) => Error::Status {
            blob,
            status,
            code: if code.is_empty() { String::new() } else { crate::text::name(code) },
            said,
        },
    }
}

/// The lock the blob's headers show: leased, with Terraform's LockInfo in `terraformlockid`.
pub fn lock(response: &HttpResponse) -> Option<Lock> {
    let locked = response.header("x-ms-lease-status").is_some_and(|v| v.eq_ignore_ascii_case("locked"))
        || response.header("x-ms-lease-state").is_some_and(|v| v.eq_ignore_ascii_case("leased"));
    if !locked {
        return None;
    }
    use base64::Engine;
    let info = response
        .header("x-ms-meta-terraformlockid")
        .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|json| Lock::from_lock_info(&json));
    Some(info.unwrap_or_default())
}

/// What Get Blob answered: the state, "no state yet" (404 BlobNotFound, or Terraform's empty
/// placeholder blob), or an error. `None` for "no state yet": the caller lists the workspaces.
pub fn answer(location: &Location, response: HttpResponse, client_id: Option<&str>) -> Result<Option<Snapshot>, Error> {
    let name = location.blob_name();
    match response.status {
        200 | 206 => {
            if response.body.is_empty() {
                // Terraform's lock on a missing blob writes an empty one first (SPEC §1.3).
                return Ok(None);
            }
            let lock = lock(&response);
            let size = response.body.len() as u64;
            let modified_ms = response.last_modified_ms();
            Ok(Some(Snapshot {
                size: Some(size),
                name: format!("azurerm blob {}/{} in storage account {}", location.container, name, location.account),
                workspace: Some(location.workspace.name.clone()),
                modified_ms,
                lock,
                warnings: Vec::new(),
                body: Box::new(Cursor::new(response.body)),
            }))
        }
        404 if response.header("x-ms-error-code").is_none_or(|c| c == "BlobNotFound") => Ok(None),
        _ => Err(storage_error(location, location.blob(name), &response, client_id)),
    }
}

/// One page of a container's listing: each blob's name and size, and the next page's marker.
pub type Page = (Vec<(String, u64)>, Option<String>);

/// One page of a listing: blob names with their sizes, and the next marker.
pub fn listing(location: &Location, body: &[u8]) -> Result<Page, Error> {
    let text = String::from_utf8_lossy(body);
    let bad = |why: String| Error::BadListing { blob: Box::new(location.blob(String::new())), why };
    let names = super::xml::texts(&text, &["EnumerationResults", "Blobs", "Blob", "Name"]).map_err(bad)?;
    let sizes = super::xml::texts(&text, &["EnumerationResults", "Blobs", "Blob", "Properties", "Content-Length"])
        .map_err(bad)?;
    let next = super::xml::text(&text, &["EnumerationResults", "NextMarker"]).map_err(bad)?.filter(|m| !m.is_empty());
    let sizes: Vec<u64> = if sizes.len() == names.len() {
        sizes.iter().map(|s| s.trim().parse().unwrap_or(1)).collect()
    } else {
        vec![1; names.len()]
    };
    Ok((names.into_iter().zip(sizes).collect(), next))
}

/// The workspaces a listing under `key` shows, `default` first: `key` itself, and every
/// `<key>env:<name>` whose name has no `/`; empty blobs (a lock's placeholder) have no state.
pub fn workspaces_of(key: &str, blobs: &[(String, u64)]) -> Vec<String> {
    let prefix = format!("{key}env:");
    let names = blobs
        .iter()
        .filter(|(_, size)| *size > 0)
        .filter_map(|(n, _)| n.strip_prefix(&prefix))
        .filter(|w| !w.is_empty() && !w.contains('/'))
        .map(str::to_string);
    let default = blobs.iter().any(|(n, size)| n == key && *size > 0).then(|| DEFAULT.to_string());
    super::workspace::ordered(names.chain(default))
}

fn failed(request: &HttpRequest, e: HostError) -> Error {
    Error::Unreachable {
        url: crate::host::without_query(&request.url).to_string(),
        timed_out: e.code == host::TIMED_OUT,
        message: e.message.replace(&request.url, crate::host::without_query(&request.url)),
    }
}

async fn send(request: HttpRequest) -> Result<HttpResponse, Error> {
    let copy = HttpRequest { headers: Vec::new(), body: Vec::new(), ..request.clone() };
    host::http(request).await.map_err(|e| failed(&copy, e))
}

fn read_value(v: &Value<String>, timeout_limit: u64) -> Result<String, Error> {
    match v {
        Value::Given(s) => Ok(s.clone()),
        Value::File(key, path) => read_text(key, path, timeout_limit),
    }
}

fn read_secret(v: &Value<Secret>) -> Result<Secret, Error> {
    match v {
        Value::Given(s) => Ok(s.clone()),
        Value::File(key, path) => read_text(key, path, 1 << 16).map(Secret::new),
    }
}

fn read_text(key: &str, file: &crate::files::Setting, limit: u64) -> Result<String, Error> {
    let path = file.path.as_str();
    let bytes = file.read_existing(limit).map_err(|e| match e {
        crate::files::Error::Io { message, .. } => {
            Error::File { key: key.to_string(), path: path.to_string(), why: crate::text::one_line(&message) }
        }
        refused => Error::Refused(refused),
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::File { key: key.to_string(), path: path.to_string(), why: "it is not text".into() })?
        .trim()
        .to_string();
    if text.is_empty() {
        return Err(Error::File { key: key.to_string(), path: path.to_string(), why: "it is empty".into() });
    }
    Ok(text)
}

/// The storage suffix and login endpoint.
async fn endpoints(location: &Location) -> Result<(String, String), Error> {
    match &location.cloud {
        Cloud::Known { storage_suffix, login } => Ok((storage_suffix.clone(), login.clone())),
        Cloud::Metadata(host) => {
            let response = host::http(metadata_request(host, location.timeout_ms))
                .await
                .map_err(|e| Error::Metadata { host: host.clone(), why: crate::text::one_line(&e.message) })?;
            metadata_answer(host, &response)
        }
    }
}

/// The storage suffix, how to authorize, and the client id when Entra ID is used.
async fn authorize(location: &Location) -> Result<(String, Authorizer, Option<String>), Error> {
    let (suffix, login) = endpoints(location).await?;
    let (authorizer, client) = match &location.auth {
        Auth::SharedKey(k) => (Authorizer::SharedKey(k.clone()), None),
        Auth::Sas(s) => (Authorizer::Sas(s.clone()), None),
        Auth::Entra { tenant_id, client_id, credential } => {
            let client_id = read_value(client_id, 4096)?;
            let url = entra::token_url(&login, tenant_id);
            let proof = match credential {
                EntraCredential::ClientSecret(s) => read_secret(s)?,
                EntraCredential::OidcToken(t) => read_secret(t)?,
                EntraCredential::OidcRequest { url, token } => {
                    let response = send(entra::oidc_request(url, token, location.timeout_ms)).await?;
                    entra::oidc_answer(url, &response)?
                }
            };
            let grant = match credential {
                EntraCredential::ClientSecret(_) => entra::Credential::Secret(&proof),
                _ => entra::Credential::Assertion(&proof),
            };
            let response = send(entra::token_request(&url, &client_id, grant, location.timeout_ms)).await?;
            let token = entra::token_answer(&url, &client_id, &response)?;
            (Authorizer::Bearer(token), Some(client_id))
        }
    };
    Ok((suffix, authorizer, client))
}

/// The workspaces with a state, `default` first, listed with the authorizer had.
async fn list(
    location: &Location,
    suffix: &str,
    authorizer: &Authorizer,
    client: Option<&str>,
) -> Result<Vec<String>, Error> {
    let path = format!("/{}", crate::encode::path(&location.container));
    let mut blobs = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut params = vec![("restype", "container"), ("comp", "list"), ("prefix", location.key.as_str())];
        if let Some(m) = &marker {
            params.push(("marker", m.as_str()));
        }
        let response = send(blob_request(location, suffix, authorizer, &path, &params, host::now_ms())).await?;
        if response.status != 200 {
            return Err(storage_error(location, location.blob(String::new()), &response, client));
        }
        let (page, next) = listing(location, &response.body)?;
        blobs.extend(page);
        match next {
            Some(n) => marker = Some(n),
            None => break,
        }
    }
    Ok(workspaces_of(&location.key, &blobs))
}

/// Reads the state of the selected workspace.
pub async fn open(location: &Location) -> crate::error::Result<Opened> {
    Ok(read(location).await.map_err(super::Error::Azurerm)?)
}

async fn read(location: &Location) -> Result<Opened, Error> {
    let (suffix, authorizer, client) = authorize(location).await?;
    let blob = location.blob_name();
    let request = blob_request(location, &suffix, &authorizer, &blob_path(location, &blob), &[], host::now_ms());
    let response = send(request).await?;
    match answer(location, response, client.as_deref())? {
        Some(snapshot) => Ok(Opened::State(snapshot)),
        None => {
            let existing = list(location, &suffix, &authorizer, client.as_deref()).await?;
            Ok(Opened::NoStateYet(NoState {
                backend: NAME,
                place: format!("container {} of storage account {}", location.container, location.account),
                looked_for: format!("blob {blob}"),
                workspace: Some(location.workspace.clone()),
                existing,
            }))
        }
    }
}

/// The workspaces with a state, `default` first.
pub async fn workspaces(location: &Location) -> crate::error::Result<Vec<String>> {
    let run = async {
        let (suffix, authorizer, client) = authorize(location).await?;
        list(location, &suffix, &authorizer, client.as_deref()).await
    };
    Ok(run.await.map_err(super::Error::Azurerm)?)
}

#[cfg(test)]
mod tests;
