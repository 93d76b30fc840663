//! Terraform's `http` backend: a state is one URL, read with `GET`.
//!
//! Terraform (`internal/backend/remote-state/http`) writes with `POST <address>` and reads with
//! `GET <address>`: 200 with a body is the state; 204, 404 or an empty body means no state yet.
//! Basic credentials go with every request when `username` is not empty. TLS takes the server's
//! CA (`client_ca_certificate_pem`, in place of the system roots), a client certificate and its
//! key (`client_certificate_pem`, `client_private_key_pem`: both or neither), or none at all
//! (`skip_cert_verification`). Each key falls back to its `TF_HTTP_*` variable ([`ENV`]).
//!
//! What this reader does not do, and why:
//! - **No workspaces.** Terraform's http backend has none (`terraform workspace new` fails with
//!   "workspaces not supported"): each state has its own address. A workspace other than
//!   `default` is a problem with the settings.
//! - **Locks are not observable.** The protocol only takes and releases a lock (`LOCK`/`UNLOCK`
//!   at `lock_address`); nothing reads one, so a snapshot carries no lock. `lock_address`,
//!   `lock_method`, `unlock_address`, `unlock_method` and `update_method` are accepted and
//!   ignored, as are `retry_max`, `retry_wait_min` and `retry_wait_max`: one read is one `GET`,
//!   bounded by the run's time-out, not retried.
//! - **Credentials stay out of `address`.** A URL with `user:password@` is refused: the address
//!   appears in messages, so credentials go in `username` and `password`, which are masked.
//! - The server's `Content-MD5`, when it sends one, is checked, as Terraform does.
//!
//! # GitLab-managed state
//!
//! GitLab serves this protocol: `address` is
//! `https://gitlab.example/api/v4/projects/<project id>/terraform/state/<state name>`,
//! `username` any name, and `password` a token with the `api` scope (a project, group or
//! personal access token).

mod error;

pub use error::Error;

use std::io::Cursor;

use super::config::From as Written;
use super::workspace::{Selected, Workspace, DEFAULT};
use super::{BackendConfig, KeyProblem, NoState, Opened, Snapshot};
use crate::context::Context;
use crate::host::{self, HostError, HttpRequest, HttpResponse, Tls, TlsFailure};
use crate::secret::Secret;

/// The backend's type, as Terraform names it.
pub const NAME: &str = "http";

/// Every key of Terraform's http backend schema.
pub const KEYS: &[&str] = &[
    "address",
    "username",
    "password",
    "skip_cert_verification",
    "client_ca_certificate_pem",
    "client_certificate_pem",
    "client_private_key_pem",
    "update_method",
    "lock_address",
    "lock_method",
    "unlock_address",
    "unlock_method",
    "retry_max",
    "retry_wait_min",
    "retry_wait_max",
];

/// The keys whose values are credentials, masked before anything prints.
pub const SECRETS: &[&str] = &["password", "client_private_key_pem"];

/// Terraform's environment fallbacks, key by key.
pub const ENV: &[(&str, &[&str])] = &[
    ("address", &["TF_HTTP_ADDRESS"]),
    ("username", &["TF_HTTP_USERNAME"]),
    ("password", &["TF_HTTP_PASSWORD"]),
    ("client_ca_certificate_pem", &["TF_HTTP_CLIENT_CA_CERTIFICATE_PEM"]),
    ("client_certificate_pem", &["TF_HTTP_CLIENT_CERTIFICATE_PEM"]),
    ("client_private_key_pem", &["TF_HTTP_CLIENT_PRIVATE_KEY_PEM"]),
    ("update_method", &["TF_HTTP_UPDATE_METHOD"]),
    ("lock_address", &["TF_HTTP_LOCK_ADDRESS"]),
    ("lock_method", &["TF_HTTP_LOCK_METHOD"]),
    ("unlock_address", &["TF_HTTP_UNLOCK_ADDRESS"]),
    ("unlock_method", &["TF_HTTP_UNLOCK_METHOD"]),
    ("retry_max", &["TF_HTTP_RETRY_MAX"]),
    ("retry_wait_min", &["TF_HTTP_RETRY_WAIT_MIN"]),
    ("retry_wait_max", &["TF_HTTP_RETRY_WAIT_MAX"]),
];

/// Where the state is and how to ask for it, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The state's URL (`address`), `http://` or `https://`, without credentials.
    pub address: String,
    /// Basic credentials (`username`, `password`), sent when the username is not empty.
    pub basic: Option<(String, Secret)>,
    /// TLS settings for an `https://` address that has any; `None` uses the system's roots.
    pub tls: Option<Tls>,
    /// Always `default`: the backend has no other.
    pub workspace: Workspace,
    /// Every request ends within this many milliseconds.
    pub timeout_ms: u64,
}

/// Reads `config` into a [`Location`]; every problem at once. Pure.
pub fn configure(
    config: &BackendConfig,
    workspace: &Workspace,
    _context: &Context,
    timeout_ms: u64,
) -> Result<Location, Vec<KeyProblem>> {
    let mut problems = Vec::new();
    let mut string = |key: &str| match config.string(key) {
        Ok(value) => value.map(|(v, _)| v),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let address = string("address");
    let username = string("username").filter(|u| !u.is_empty());
    let password = string("password").unwrap_or_default();
    let ca = string("client_ca_certificate_pem").filter(|v| !v.trim().is_empty());
    let cert = string("client_certificate_pem").filter(|v| !v.trim().is_empty());
    let key = string("client_private_key_pem").filter(|v| !v.trim().is_empty());
    let insecure = match config.boolean("skip_cert_verification") {
        Ok(value) => value.is_some_and(|(v, _)| v),
        Err(problem) => {
            problems.push(problem);
            false
        }
    };

    match &address {
        None => problems.push(config.problem(
            "address",
            "is required: the URL of the state (Terraform's http backend), in the backend configuration or TF_HTTP_ADDRESS",
        )),
        Some(a) => {
            if let Err(why) = check_address(a) {
                problems.push(config.problem("address", why));
            }
        }
    }
    for (given, missing) in
        [("client_certificate_pem", "client_private_key_pem"), ("client_private_key_pem", "client_certificate_pem")]
    {
        let (g, m) = if given == "client_certificate_pem" { (&cert, &key) } else { (&key, &cert) };
        if g.is_some() && m.is_none() {
            problems.push(config.problem(given, format!("is set, and `{missing}` is not: give both, or neither")));
        }
    }
    for (key_name, value, kind) in [
        ("client_ca_certificate_pem", &ca, "CERTIFICATE"),
        ("client_certificate_pem", &cert, "CERTIFICATE"),
        ("client_private_key_pem", &key, "PRIVATE KEY"),
    ] {
        // The value itself never appears in the problem: a key is a secret.
        if value.as_ref().is_some_and(|v| !v.contains("-----BEGIN ")) {
            problems.push(config.problem(
                key_name,
                format!(
                    "is not PEM text: it must hold the {} itself (-----BEGIN {kind}----- …), not a file name",
                    what_pem(key_name)
                ),
            ));
        }
    }
    if workspace.name != DEFAULT {
        problems.push(KeyProblem {
            key: "workspace".into(),
            from: workspace_from(workspace),
            message: format!(
                "\"{}\" cannot be read: Terraform's http backend has no workspaces (\"workspaces not supported\"), each state has its own `address`; remove the workspace, and set `address` to that state's URL",
                workspace.name
            ),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let address = address.unwrap_or_default();
    let https = address.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://"));
    let tls = (https && (ca.is_some() || cert.is_some() || insecure)).then_some(Tls { ca, cert, key, insecure });
    Ok(Location {
        address,
        basic: username.map(|u| (u, Secret::new(password))),
        tls,
        workspace: workspace.clone(),
        timeout_ms,
    })
}

/// What the PEM of `key` holds, for a problem.
fn what_pem(key: &str) -> &'static str {
    match key {
        "client_ca_certificate_pem" => "CA certificate",
        "client_certificate_pem" => "certificate",
        _ => "private key",
    }
}

/// Where a workspace other than `default` was chosen, for the problem that names it.
fn workspace_from(workspace: &Workspace) -> Option<Written> {
    match workspace.selected {
        Selected::Env => Some(Written::Env { name: "TF_WORKSPACE".into() }),
        Selected::Setting | Selected::EnvironmentFile | Selected::Default => None,
    }
}

/// An `http://` or `https://` URL with a host and without credentials; else why not. The value
/// is not repeated: it may hold a password.
fn check_address(address: &str) -> Result<(), String> {
    let lower = address.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) else {
        return Err("must be an http:// or https:// URL".into());
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.contains('@') {
        return Err("must not hold credentials (user:password@): set `username` and `password` instead, or TF_HTTP_USERNAME and TF_HTTP_PASSWORD".into());
    }
    if authority.is_empty() || authority.starts_with(':') {
        return Err("must name a host, as in https://state.example/path".into());
    }
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    Ok(())
}

/// The `GET` that reads the state. Pure.
pub fn request(location: &Location) -> HttpRequest {
    let mut headers = vec![("accept".to_string(), "application/json".to_string())];
    if let Some((user, password)) = &location.basic {
        let credentials = base64(format!("{user}:{}", password.expose()).as_bytes());
        headers.push(("authorization".to_string(), format!("Basic {credentials}")));
    }
    HttpRequest {
        method: "GET".into(),
        url: location.address.clone(),
        headers,
        body: Vec::new(),
        timeout_ms: location.timeout_ms,
        tls: location.tls.clone(),
    }
}

/// What the server's answer means: a state, no state yet, or an error. Pure.
pub fn answer(location: &Location, response: HttpResponse) -> Result<Opened, Error> {
    let address = location.address.clone();
    match response.status {
        200 if response.body.is_empty() => Ok(no_state(location)),
        200 => {
            let md5 = response.header("content-md5").map(str::trim);
            if let Some(expected) = md5.filter(|v| !v.is_empty()) {
                use md5::Digest;
                if base64(&md5::Md5::digest(&response.body)) != expected {
                    return Err(Error::Md5Mismatch { address, expected: crate::text::quote(expected) });
                }
            }
            let size = response.body.len() as u64;
            let modified_ms = response.last_modified_ms();
            Ok(Opened::State(Snapshot {
                body: Box::new(Cursor::new(response.body)),
                size: Some(size),
                name: format!("http state at {address}"),
                workspace: None,
                modified_ms,
                // The protocol has no way to read a lock (see the module's documentation).
                lock: None,
                warnings: Vec::new(),
            }))
        }
        204 | 404 => Ok(no_state(location)),
        401 => Err(Error::Unauthorized { address, sent: location.basic.is_some() }),
        403 => Err(Error::Forbidden { address }),
        status => Err(Error::Status { address, status, said: crate::text::said(&response.body) }),
    }
}

fn no_state(location: &Location) -> Opened {
    Opened::NoStateYet(NoState {
        backend: NAME,
        place: location.address.clone(),
        looked_for: location.address.clone(),
        // One state per address: not a set of workspaces.
        workspace: None,
        existing: Vec::new(),
    })
}

/// What a failed request means; `client_certificate` is what the client certificate says of
/// itself (read when the server refused it), and `now_ms` the time, to tell whether it expired.
/// Pure.
pub fn failed(location: &Location, e: HostError, client_certificate: Option<&host::Certificate>, now_ms: f64) -> Error {
    let tls = e.tls_failure();
    let refused = tls == Some(TlsFailure::ClientCertificateRefused)
        || (e.code == "ECONNRESET" && location.tls.as_ref().is_some_and(|t| t.cert.is_some()));
    let client_certificate_expired = client_certificate
        .filter(|c| refused && c.not_after_ms < now_ms)
        .map(|c| crate::time::Utc::from_ms(c.not_after_ms).readable());
    Error::Unreachable {
        address: location.address.clone(),
        timed_out: e.code == host::TIMED_OUT,
        message: e.message,
        tls,
        client_certificate_expired,
        client_certificate_sent: location.tls.as_ref().is_some_and(|t| t.cert.is_some()),
    }
}

/// Reads the state at `location`: one `GET`, bounded by its time-out.
pub async fn open(location: &Location) -> crate::error::Result<Opened> {
    match host::http(request(location)).await {
        Ok(response) => Ok(answer(location, response).map_err(super::Error::Http)?),
        Err(e) => {
            // Only a refused handshake needs the certificate's dates (and node:crypto).
            let certificate = match (&e.tls_failure(), location.tls.as_ref().and_then(|t| t.cert.as_deref())) {
                (Some(TlsFailure::ClientCertificateRefused), Some(pem)) => host::certificate(pem).ok(),
                (None, Some(pem)) if e.code == "ECONNRESET" => host::certificate(pem).ok(),
                _ => None,
            };
            Err(super::Error::Http(failed(location, e, certificate.as_ref(), host::now_ms())).into())
        }
    }
}

/// The workspaces with a state: `default` when its address has one, else none (the backend
/// has no other workspace).
pub async fn workspaces(location: &Location) -> crate::error::Result<Vec<String>> {
    Ok(match open(location).await? {
        Opened::State(_) => vec![DEFAULT.to_string()],
        Opened::NoStateYet(_) => Vec::new(),
    })
}

/// Standard base64 with padding (RFC 4648 §4), for Basic credentials and Content-MD5: a dozen
/// lines rather than a crate for two short values.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
