//! The kubernetes backend: a workspace's state is the Secret `tfstate-<workspace>-<suffix>`
//! (and `…-part-N` for each further MiB of gzip) in a namespace, found by Terraform's labels;
//! its lock is the Lease `lock-tfstate-<workspace>-<suffix>`.
//!
//! Settings are Terraform's own keys and environment fallbacks ([`KEYS`], [`ENV`]), and every
//! way Terraform authenticates works here — including the one Terraform 1.11 fails at
//! (hashicorp/terraform#31275): `host` with the three PEM values `cluster_ca_certificate`,
//! `client_certificate` and `client_key`, and no kubeconfig. As in Terraform, the base is a
//! kubeconfig (`config_path`, else `config_paths`; `KUBECONFIG` and `~/.kube/config` are not
//! read) or, with `in_cluster_config`, the pod's service account; `host`, the PEM values,
//! `token`, `username`/`password` and `insecure` are then written over it.
//!
//! A read is two requests sent together: one list of Secrets by Terraform's label selector (the
//! state, every chunk) and one GET of the Lease (the lock); a third, the workspaces, only when
//! there is no state to say which workspaces do have one.
//!
//! Not used, and refused with a reason rather than ignored: `proxy_url` (the action connects
//! directly) and the backend's own `exec { }` block (Terraform 1.11 cannot use it either: the
//! plugin belongs in a kubeconfig user, which works here as in kubectl). `load_config_file` is
//! accepted and, as in Terraform, has no effect.

mod api;
mod connect;
mod error;
mod kubeconfig;
mod payload;
mod preflight;

pub use preflight::{preflight, RENEW};

pub use api::LeaseRead;
pub use error::{Error, Identity};

use super::config::{BackendConfig, KeyProblem};
use super::workspace::Workspace;
use super::{NoState, Opened, Snapshot};
use crate::context::Context;
use crate::files::STATE_FILE_LIMIT;
use crate::host;
use crate::secret::Secret;

/// The backend's type, as Terraform names it.
pub const NAME: &str = "kubernetes";

/// Every key of the backend's schema in Terraform 1.11.
pub const KEYS: &[&str] = &[
    "secret_suffix",
    "labels",
    "namespace",
    "in_cluster_config",
    "load_config_file",
    "host",
    "username",
    "password",
    "insecure",
    "client_certificate",
    "client_key",
    "cluster_ca_certificate",
    "config_paths",
    "config_path",
    "config_context",
    "config_context_auth_info",
    "config_context_cluster",
    "token",
    "proxy_url",
    "exec",
];

/// The keys whose values are credentials. What a kubeconfig holds (a user's token,
/// `client-key-data`, password) and what an exec plugin prints are credentials too: they are
/// read only by `open`, never leave it, and never appear in a message.
pub const SECRETS: &[&str] = &["client_key", "token", "password"];

/// Terraform's environment fallbacks, key by key.
pub const ENV: &[(&str, &[&str])] = &[
    ("namespace", &["KUBE_NAMESPACE"]),
    ("in_cluster_config", &["KUBE_IN_CLUSTER_CONFIG"]),
    ("load_config_file", &["KUBE_LOAD_CONFIG_FILE"]),
    ("host", &["KUBE_HOST"]),
    ("username", &["KUBE_USER"]),
    ("password", &["KUBE_PASSWORD"]),
    ("insecure", &["KUBE_INSECURE"]),
    ("client_certificate", &["KUBE_CLIENT_CERT_DATA"]),
    ("client_key", &["KUBE_CLIENT_KEY_DATA"]),
    ("cluster_ca_certificate", &["KUBE_CLUSTER_CA_CERT_DATA"]),
    ("config_paths", &["KUBE_CONFIG_PATHS"]),
    ("config_path", &["KUBE_CONFIG_PATH"]),
    ("config_context", &["KUBE_CTX"]),
    ("config_context_auth_info", &["KUBE_CTX_AUTH_INFO"]),
    ("config_context_cluster", &["KUBE_CTX_CLUSTER"]),
    ("token", &["KUBE_TOKEN"]),
    ("proxy_url", &["KUBE_PROXY_URL"]),
];

/// Where the service account's token and CA are mounted in a pod (`rest.InClusterConfig`).
/// [`Location::service_account_dir`] starts here; only tests point it elsewhere.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// A value and the words that name where it was written: "`host` (environment variable
/// KUBE_HOST)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given<T> {
    /// The value.
    pub value: T,
    /// The key and where it was written, for messages.
    pub from: String,
}

/// Everything `open` needs, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// `namespace` (default `default`).
    pub namespace: String,
    /// `secret_suffix`.
    pub secret_suffix: String,
    /// `labels`, sorted by key: part of Terraform's selector.
    pub labels: Vec<(String, String)>,
    /// The workspace, and what chose it.
    pub workspace: Workspace,
    /// The time limit of every request and of an exec plugin.
    pub timeout_ms: u64,
    /// `host`.
    pub host: Option<Given<String>>,
    /// `cluster_ca_certificate` (PEM text).
    pub ca: Option<Given<String>>,
    /// `client_certificate` (PEM text).
    pub cert: Option<Given<String>>,
    /// `client_key` (PEM text).
    pub key: Option<Given<Secret>>,
    /// `token`.
    pub token: Option<Given<Secret>>,
    /// `username`.
    pub username: Option<String>,
    /// `password`.
    pub password: Option<Secret>,
    /// `insecure`, when set: written over the kubeconfig's `insecure-skip-tls-verify`.
    pub insecure: Option<bool>,
    /// `config_path` (`explicit`) or `config_paths`, as written (`~` is expanded by `open`).
    pub kubeconfig: Option<Kubeconfigs>,
    /// Which context, user and cluster of the kubeconfig.
    pub choice: kubeconfig::Choice,
    /// `in_cluster_config`.
    pub in_cluster: bool,
    /// Where the service account is mounted ([`SERVICE_ACCOUNT_DIR`]).
    pub service_account_dir: String,
    /// Where relative paths start, and where an exec plugin runs: the run's workspace.
    pub cwd: String,
    /// `HOME`, for a kubeconfig path that starts with `~` (from the run's [`Context`]).
    pub home: Option<String>,
    /// The API server of a pod's service account, `KUBERNETES_SERVICE_HOST` and `_PORT` (from
    /// the run's [`Context`]).
    pub service: Option<(String, String)>,
}

/// The kubeconfig files to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kubeconfigs {
    /// The paths, as written.
    pub paths: Vec<String>,
    /// `config_path` (one file: when it does not exist, the settings alone count, as in
    /// Terraform) rather than `config_paths` (missing files are skipped, as kubectl does).
    pub explicit: bool,
    /// The setting, and where it was written.
    pub from: String,
}

/// What a secret suffix may not end with: Terraform refuses `-<digits>`, which would read as a
/// chunk's `-part-N`.
fn ends_in_dash_digits(s: &str) -> bool {
    s.rsplit_once('-').is_some_and(|(_, tail)| !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()))
}

/// Reads `config` into a [`Location`]: every problem at once.
pub fn configure(
    config: &BackendConfig,
    workspace: &Workspace,
    context: &Context,
    timeout_ms: u64,
) -> Result<Location, Vec<KeyProblem>> {
    let mut problems = Vec::new();
    let from = |key: &str| match config.get(key) {
        Some(e) => format!("`{key}` ({})", e.from),
        None => format!("`{key}`"),
    };
    macro_rules! read {
        ($method:ident, $key:expr) => {
            match config.$method($key) {
                Ok(v) => v.map(|(v, _)| v),
                Err(p) => {
                    problems.push(p);
                    None
                }
            }
        };
    }
    let text = |v: Option<String>| v.filter(|s| !s.trim().is_empty());

    let suffix = text(read!(string, "secret_suffix"));
    match &suffix {
        None => problems.push(config.problem(
            "secret_suffix",
            "is required: the suffix of the Secret names Terraform wrote (`tfstate-<workspace>-<suffix>`), as in the backend block",
        )),
        Some(s) if ends_in_dash_digits(s) => problems.push(config.problem(
            "secret_suffix",
            format!("{} may not end in a dash and digits (Terraform refuses it: it would read as a chunk's `-part-N`)", crate::text::quote(s)),
        )),
        Some(_) => {}
    }
    let namespace = text(read!(string, "namespace")).unwrap_or_else(|| "default".to_string());
    let labels = read!(map, "labels").unwrap_or_default();

    let pem = |key: &str, value: Option<String>, kind: &str, problems: &mut Vec<KeyProblem>| -> Option<String> {
        let value = text(value)?;
        if !value.contains("-----BEGIN") || !value.contains(kind) {
            let hint = if value.trim_start().starts_with(['/', '~', '.']) && !value.contains('\n') {
                "; it looks like a file path: Terraform takes the PEM text itself (put the file's content there, e.g. from a secret), or use a kubeconfig that names the files with `config_path`"
            } else {
                ""
            };
            problems.push(config.problem(key, format!("must be PEM text (-----BEGIN …{kind}-----){hint}")));
            return None;
        }
        Some(value)
    };
    let ca = pem("cluster_ca_certificate", read!(string, "cluster_ca_certificate"), "CERTIFICATE", &mut problems);
    let cert = pem("client_certificate", read!(string, "client_certificate"), "CERTIFICATE", &mut problems);
    let key = pem("client_key", read!(string, "client_key"), "PRIVATE KEY", &mut problems);
    if cert.is_some() != key.is_some() {
        let (missing, given) =
            if cert.is_some() { ("client_key", "client_certificate") } else { ("client_certificate", "client_key") };
        problems.push(
            config
                .problem(missing, format!("is required with `{given}`: a client certificate and its key go together")),
        );
    }

    let host = text(read!(string, "host"));
    if let Some(h) = &host {
        if !(h.starts_with("https://") || h.starts_with("http://")) && h.contains("://") {
            problems.push(config.problem("host", format!("{} is not an http(s) URL", crate::text::quote(h))));
        }
    }
    let token = text(read!(string, "token"));
    let username = text(read!(string, "username"));
    let password = text(read!(string, "password"));
    let insecure = read!(boolean, "insecure");
    let in_cluster = read!(boolean, "in_cluster_config").unwrap_or(false);
    let _ = read!(boolean, "load_config_file");

    let config_path = text(read!(string, "config_path"));
    // KUBE_CONFIG_PATHS is a path list (`:`-separated); the key itself is an HCL list.
    let config_paths = match config.get("config_paths").map(|e| &e.value) {
        Some(serde_json::Value::String(s)) => s.split(':').filter(|p| !p.is_empty()).map(str::to_string).collect(),
        _ => read!(strings, "config_paths").unwrap_or_default(),
    };
    let kubeconfig = match (config_path, config_paths) {
        (Some(path), _) => Some(Kubeconfigs { paths: vec![path], explicit: true, from: from("config_path") }),
        (None, paths) if !paths.is_empty() => Some(Kubeconfigs { paths, explicit: false, from: from("config_paths") }),
        _ => None,
    };

    if text(read!(string, "proxy_url")).is_some() {
        problems.push(config.problem(
            "proxy_url",
            "is not supported: this action connects to the API server directly; remove it (or unset KUBE_PROXY_URL for this step)",
        ));
    }
    if config.get("exec").is_some() {
        problems.push(config.problem(
            "exec",
            "is not used: Terraform 1.11's backend cannot use its `exec` block either (hashicorp/terraform#31275); put the plugin in a kubeconfig user (`users[].user.exec`, as `aws eks update-kubeconfig` writes) and set `config_path`",
        ));
    }
    if host.is_none() && kubeconfig.is_none() && !in_cluster {
        problems.push(config.problem(
            "host",
            "is required, or `config_path` (a kubeconfig), or `in_cluster_config = true`: with `host`, give `cluster_ca_certificate` and `client_certificate` + `client_key` (or a `token`); no kubeconfig is needed, unlike in Terraform",
        ));
    }
    if username.is_some() != password.is_some() && token.is_none() {
        let missing = if username.is_some() { "password" } else { "username" };
        problems.push(config.problem(missing, "is required with the other: basic authentication takes both"));
    }

    let choice = kubeconfig::Choice {
        context: text(read!(string, "config_context")),
        user: text(read!(string, "config_context_auth_info")),
        cluster: text(read!(string, "config_context_cluster")),
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let given = |value: String, key: &str| Given { value, from: from(key) };
    Ok(Location {
        namespace,
        secret_suffix: suffix.unwrap_or_default(),
        labels,
        workspace: workspace.clone(),
        timeout_ms,
        host: host.map(|h| given(h, "host")),
        ca: ca.map(|v| given(v, "cluster_ca_certificate")),
        cert: cert.map(|v| given(v, "client_certificate")),
        key: key.map(|v| Given { value: Secret::new(v), from: from("client_key") }),
        token: token.map(|v| Given { value: Secret::new(v), from: from("token") }),
        username,
        password: password.map(Secret::new),
        insecure,
        kubeconfig,
        choice,
        in_cluster,
        service_account_dir: SERVICE_ACCOUNT_DIR.to_string(),
        cwd: context.workspace.clone(),
        home: context.home.clone(),
        service: context.kubernetes_service.clone(),
    })
}

impl Location {
    /// The Secret that holds the first chunk of the workspace's state.
    pub fn secret(&self) -> String {
        api::secret_name(&self.workspace.name, &self.secret_suffix)
    }

    /// How the state is named to a person.
    fn state_name(&self) -> String {
        format!("kubernetes secret {} in namespace {}", self.secret(), self.namespace)
    }
}

/// Sends `request`; transport failures become the backend's errors (time-out, TLS, unreachable).
async fn send(conn: &api::Connection, request: host::HttpRequest) -> Result<host::HttpResponse, Error> {
    host::http(request).await.map_err(|e| connect::transport(conn, e))
}

/// What a read found, with what the lead may show beside it: why the lock is unknown, when the
/// Lease could not be read (a 403 on `leases` most often). That is a warning, not a failure:
/// the state was read; only whether an apply holds it is not known.
pub struct Read {
    /// The state, or "no state yet".
    pub opened: Opened,
    /// Why the lock could not be read, when it could not; `Snapshot::lock` is then `None`.
    pub lock_unknown: Option<String>,
}

/// Reads the workspace's state and its lock (see [`Read`]).
pub async fn read(location: &Location) -> crate::error::Result<Read> {
    let conn = connect::connection(location).await?;
    let (ns, suffix, ws) = (&location.namespace, &location.secret_suffix, &location.workspace.name);
    // The Secrets and the Lease are asked for at once: a read costs one round trip.
    let (secrets, lease) = crate::join::both(
        send(&conn, conn.list_state(ns, &location.labels, suffix, ws)),
        send(&conn, conn.get_lease(ns, suffix, ws)),
    )
    .await;
    let state = api::read_state(&conn, &secrets?, ns, suffix, ws, STATE_FILE_LIMIT)?;
    let (lock, lock_unknown) = match lease.map(|r| api::read_lease(&conn, &r, ns)) {
        Ok(LeaseRead::Locked(lock)) => (Some(lock), None),
        Ok(LeaseRead::Free) => (None, None),
        Ok(LeaseRead::Unknown(why)) => (None, Some(why)),
        Err(e) => {
            let why = e.to_string();
            let why = why.strip_prefix("kubernetes backend: ").unwrap_or(&why);
            (None, Some(format!("kubernetes backend: cannot tell whether the state is locked: {why}")))
        }
    };
    let opened = match state {
        api::StateRead::State(bytes) => Opened::State(Snapshot {
            size: Some(bytes.len() as u64),
            body: Box::new(std::io::Cursor::new(bytes)),
            name: location.state_name(),
            workspace: Some(ws.clone()),
            modified_ms: None,
            lock,
            warnings: Vec::new(),
        }),
        api::StateRead::None => {
            let response = send(&conn, conn.list_workspaces(ns, suffix)).await?;
            // Advice names only workspaces that have a state to read (not `default` for its own sake).
            let existing = api::read_states(&conn, &response, ns, suffix)?.into_iter().filter(|w| w != ws).collect();
            Opened::NoStateYet(NoState {
                backend: NAME,
                place: format!("namespace {ns} of {} (secret suffix {suffix})", conn.server),
                looked_for: location.state_name(),
                workspace: Some(location.workspace.clone()),
                existing,
            })
        }
    };
    Ok(Read { opened, lock_unknown })
}

/// Reads the state: [`read`], with its note on an unreadable lock as the snapshot's warning.
pub async fn open(location: &Location) -> crate::error::Result<Opened> {
    let Read { mut opened, lock_unknown } = read(location).await?;
    if let (Opened::State(snapshot), Some(why)) = (&mut opened, lock_unknown) {
        snapshot.warnings.push(why);
    }
    Ok(opened)
}

/// The workspaces that have a state, `default` first, as Terraform lists them.
pub async fn workspaces(location: &Location) -> crate::error::Result<Vec<String>> {
    let conn = connect::connection(location).await?;
    let response = send(&conn, conn.list_workspaces(&location.namespace, &location.secret_suffix)).await?;
    Ok(api::read_workspaces(&conn, &response, &location.namespace, &location.secret_suffix)?)
}

#[cfg(test)]
mod tests;
