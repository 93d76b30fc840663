//! From settings to a [`Connection`]: the base Terraform starts from (a kubeconfig's context,
//! or the pod's service account), the settings written over it, an exec plugin run when the
//! kubeconfig user has one, and the client certificate checked before it is sent (an expired
//! one is named with its expiry rather than left to a TLS alert).

use base64::Engine;

use super::api::Connection;
use super::error::{Error, Identity};
use super::kubeconfig::{self, Material};
use super::{Given, Location};
use crate::files::{Named, SMALL_FILE_LIMIT};
use crate::host::{self, HostError, TlsFailure};
use crate::secret::Secret;

/// What the connection is made of, each part with where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts {
    /// The API server's URL.
    pub server: Option<Given<String>>,
    /// The CA (PEM).
    pub ca: Option<Given<String>>,
    /// The client certificate (PEM).
    pub cert: Option<Given<String>>,
    /// The client key (PEM).
    pub key: Option<Secret>,
    /// A bearer token.
    pub token: Option<Given<Secret>>,
    /// Basic authentication.
    pub basic: Option<(String, Secret)>,
    /// Skip the server certificate's check.
    pub insecure: bool,
}

impl Parts {
    /// The settings written over the base, as Terraform writes them over the kubeconfig's.
    pub fn overlay(mut self, location: &Location) -> Parts {
        if let Some(host) = &location.host {
            self.server = Some(host.clone());
        }
        if let Some(ca) = &location.ca {
            self.ca = Some(ca.clone());
        }
        if let (Some(cert), Some(key)) = (&location.cert, &location.key) {
            self.cert = Some(cert.clone());
            self.key = Some(key.value.clone());
        }
        if let Some(token) = &location.token {
            self.token = Some(token.clone());
        }
        if let (Some(user), Some(password)) = (&location.username, &location.password) {
            self.basic = Some((user.clone(), password.clone()));
        }
        if let Some(insecure) = location.insecure {
            self.insecure = insecure;
        }
        self
    }

    /// The connection, once the certificate's subject is known (`None` when it could not be
    /// read).
    pub fn connection(self, subject: Option<String>, timeout_ms: u64) -> Result<Connection, Error> {
        let Some(server) = self.server else {
            return Err(Error::NoServer);
        };
        let server_url = server.value.trim_end_matches('/').to_string();
        let server_url = if server_url.contains("://") { server_url } else { format!("https://{server_url}") };
        let identity = match (&self.cert, &self.token, &self.basic) {
            (Some(cert), _, _) => Identity::Certificate { subject, from: cert.from.clone() },
            (None, Some(token), _) => Identity::Token { from: token.from.clone() },
            (None, None, Some((user, _))) => Identity::Basic { user: user.clone() },
            (None, None, None) => Identity::Anonymous,
        };
        let authorization = match (&self.token, &self.basic) {
            (Some(token), _) => Some(Secret::new(format!("Bearer {}", token.value.expose().trim()))),
            (None, Some((user, password))) => {
                let pair = format!("{user}:{}", password.expose());
                Some(Secret::new(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))))
            }
            (None, None) => None,
        };
        let tls = host::Tls {
            ca: self.ca.map(|c| c.value),
            cert: self.cert.map(|c| c.value),
            key: self.key.map(|k| k.expose().to_string()),
            insecure: self.insecure,
        };
        Ok(Connection { server: server_url, authorization, tls: Some(tls), identity, timeout_ms })
    }
}

/// A small file a setting or kubeconfig names; `None` when it is not there. `within`: the
/// workspace, when the path was given relative to it (then it must stay inside).
fn read_small(
    path: &str,
    given: &str,
    setting: &str,
    within: Option<&str>,
) -> Result<Option<String>, crate::error::Error> {
    let named = Named { path, given, setting, within };
    let Some(bytes) = named.read(SMALL_FILE_LIMIT)? else { return Ok(None) };
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| Error::Kubeconfig { path: given.to_string(), problem: "is not text (UTF-8)".into() }.into())
}

/// The PEM text of a kubeconfig value: inline, or the file it names.
fn pem(material: Option<Material>, kubeconfig: &str, field: &str) -> Result<Option<String>, crate::error::Error> {
    match material {
        None => Ok(None),
        Some(Material::Data(pem)) => Ok(Some(pem)),
        Some(Material::File(path)) => match read_small(&path, &path, &format!("`{field}` in {kubeconfig}"), None)? {
            Some(text) => Ok(Some(text)),
            None => Err(Error::Kubeconfig {
                path: kubeconfig.to_string(),
                problem: format!("its `{field}` names {path}, which does not exist"),
            }
            .into()),
        },
    }
}

/// The base from the kubeconfig files; `None` when `config_path` names a file that is not there
/// (Terraform then goes on with the settings alone: the workaround users of #31275 rely on).
async fn from_kubeconfig(location: &Location) -> Result<Option<Parts>, crate::error::Error> {
    let Some(configs) = &location.kubeconfig else { return Ok(None) };
    let mut files = Vec::new();
    for given in &configs.paths {
        let file = crate::files::Setting::new(given, configs.from.as_str(), &location.cwd, location.home.as_deref());
        let path = &file.path;
        match read_small(path, given, &configs.from, file.within.as_deref())? {
            Some(text) => files.push(kubeconfig::parse(given, path, &text).map_err(kubeconfig_error)?),
            None if configs.explicit && location.host.is_some() => return Ok(None),
            None if configs.explicit => {
                return Err(Error::Kubeconfig {
                    path: given.clone(),
                    problem: format!("does not exist (set by {})", configs.from),
                }
                .into())
            }
            None => {}
        }
    }
    if files.is_empty() {
        return Err(Error::Kubeconfig {
            path: configs.paths.join(":"),
            problem: format!("none of these files exists (set by {})", configs.from),
        }
        .into());
    }
    let selected = kubeconfig::select(&files, &location.choice).map_err(kubeconfig_error)?;
    let path = selected.path.clone();
    let context = selected.context.as_deref().map(|c| format!(" context {}", crate::text::name(c))).unwrap_or_default();
    let user = selected.user.as_deref().map(crate::text::name).unwrap_or_default();
    let from = |what: &str| format!("the kubeconfig {path}{context}, user {user} ({what})");
    let mut parts = Parts {
        server: selected.server.clone().map(|s| Given { value: s, from: format!("the kubeconfig {path}{context}") }),
        ca: pem(selected.ca.clone(), &path, "certificate-authority")?
            .map(|v| Given { value: v, from: format!("the kubeconfig {path}{context}") }),
        insecure: selected.insecure,
        ..Parts::default()
    };
    let cert = pem(selected.cert.clone(), &path, "client-certificate")?;
    let key = pem(selected.key.clone().map(|(m, _)| m), &path, "client-key")?;
    if let (Some(cert), Some(key)) = (cert, key) {
        parts.cert = Some(Given { value: cert, from: from("client-certificate") });
        parts.key = Some(Secret::new(key));
    }
    if let Some(token) = selected.token.clone() {
        parts.token = Some(Given { value: token, from: from("token") });
    } else if let Some(file) = &selected.token_file {
        let token =
            read_small(file, file, &format!("`tokenFile` in {path}"), None)?.ok_or_else(|| Error::Kubeconfig {
                path: path.clone(),
                problem: format!("its `tokenFile` names {file}, which does not exist"),
            })?;
        parts.token = Some(Given { value: Secret::new(token.trim()), from: from("tokenFile") });
    }
    if let (Some(user), Some(password)) = (selected.username.clone(), selected.password.clone()) {
        parts.basic = Some((user, password));
    }
    // The plugin runs only when the settings give no credentials of their own.
    let direct = location.token.is_some() || location.cert.is_some() || location.username.is_some();
    if let (Some(exec), false) = (&selected.exec, direct) {
        let credential = run_exec(exec, &location.cwd, location.timeout_ms).await?;
        let from = from(&format!("exec {}", crate::text::name(&exec.command)));
        if let Some(token) = credential.token {
            parts.token = Some(Given { value: token, from: from.clone() });
        }
        if let (Some(cert), Some(key)) = (credential.cert, credential.key) {
            parts.cert = Some(Given { value: cert, from });
            parts.key = Some(key);
        }
    }
    Ok(Some(parts))
}

fn kubeconfig_error((path, problem): kubeconfig::Problem) -> crate::error::Error {
    Error::Kubeconfig { path, problem }.into()
}

/// Runs a kubeconfig user's exec plugin, non-interactively, within the time limit.
async fn run_exec(exec: &kubeconfig::Exec, cwd: &str, timeout_ms: u64) -> Result<kubeconfig::Credential, Error> {
    let command = crate::text::quote(&exec.command);
    let fail = |problem: String| Error::Exec { command: command.clone(), problem };
    let info = serde_json::json!({
        "apiVersion": exec.api_version,
        "kind": "ExecCredential",
        "spec": { "interactive": false },
    })
    .to_string();
    let mut env: Vec<(&str, &str)> = exec.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(("KUBERNETES_EXEC_INFO", &info));
    let args: Vec<&str> = exec.args.iter().map(String::as_str).collect();
    let out =
        host::run_process(&exec.command, &args, cwd, &env, timeout_ms).await.map_err(|e| match e.code.as_str() {
            "ENOENT" => fail("is not installed (not found on PATH)".into()),
            host::TIMED_OUT => fail(format!("did not finish within {} s", timeout_ms / 1000)),
            _ => fail(format!("could not run: {}", crate::text::quote(&e.message))),
        })?;
    if out.status != 0 {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(fail(format!("failed (exit status {}): {}", out.status, crate::text::quote(stderr.trim()))));
    }
    kubeconfig::exec_credential(&out.stdout).map_err(fail)
}

/// The pod's service account: `KUBERNETES_SERVICE_HOST`/`_PORT`, its token and CA.
fn in_cluster(location: &Location) -> Result<Parts, crate::error::Error> {
    let Some((h, port)) = &location.service else {
        return Err(Error::InCluster {
            problem: "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set".into(),
        }
        .into());
    };
    let dir = location.service_account_dir.trim_end_matches('/');
    let file = |name: &str| -> Result<String, crate::error::Error> {
        let path = format!("{dir}/{name}");
        read_small(&path, &path, "`in_cluster_config`", None)?
            .ok_or_else(|| Error::InCluster { problem: format!("{path} does not exist") }.into())
    };
    let from = "the pod's service account (`in_cluster_config`)".to_string();
    Ok(Parts {
        server: Some(Given { value: in_cluster_server(h, port), from: from.clone() }),
        ca: Some(Given { value: file("ca.crt")?, from: from.clone() }),
        token: Some(Given { value: Secret::new(file("token")?.trim()), from }),
        ..Parts::default()
    })
}

/// `https://host:port`, an IPv6 address in brackets.
pub fn in_cluster_server(host: &str, port: &str) -> String {
    if host.contains(':') {
        format!("https://[{host}]:{port}")
    } else {
        format!("https://{host}:{port}")
    }
}

/// The CN of a subject written `O=system:masters, CN=terraform`.
pub fn common_name(subject: &str) -> Option<String> {
    subject.split([',', '\n']).find_map(|part| part.trim().strip_prefix("CN=").map(str::to_string))
}

/// What `location` connects with: files read, plugin run, settings written over the base;
/// nothing checked yet (`preflight` checks each part on its own).
pub async fn parts(location: &Location) -> Result<Parts, crate::error::Error> {
    let base =
        if location.in_cluster { in_cluster(location)? } else { from_kubeconfig(location).await?.unwrap_or_default() };
    Ok(base.overlay(location))
}

/// The connection `location` describes: files read, plugin run, certificate checked.
pub async fn connection(location: &Location) -> Result<Connection, crate::error::Error> {
    let parts = parts(location).await?;
    let subject = match &parts.cert {
        Some(cert) => check_certificate(cert, host::now_ms())?,
        None => None,
    };
    Ok(parts.connection(subject, location.timeout_ms)?)
}

/// The client certificate's CN, after checking it is valid now: an expired or not yet valid one
/// is refused with its dates. `None` when the host cannot read certificates (a native build).
pub fn check_certificate(cert: &Given<String>, now_ms: f64) -> Result<Option<String>, Error> {
    let info = match host::certificate(&cert.value) {
        Ok(info) => info,
        Err(e) if e.code == "ENOTSUP" => return Ok(None),
        Err(e) => {
            return Err(Error::Certificate {
                from: cert.from.clone(),
                problem: format!(
                    "is not a certificate ({}); give the client certificate's PEM text",
                    crate::text::quote(&e.message)
                ),
            })
        }
    };
    validity(cert, &info, now_ms)
}

/// Checks `info`'s dates against `now_ms`; the CN when valid.
pub fn validity(cert: &Given<String>, info: &host::Certificate, now_ms: f64) -> Result<Option<String>, Error> {
    let cn = common_name(&info.subject);
    let who = cn.as_deref().map(|c| format!(" CN={}", crate::text::name(c))).unwrap_or_default();
    let date = |ms: f64| crate::time::Utc::from_ms(ms).readable();
    if info.not_after_ms < now_ms {
        return Err(Error::Certificate {
            from: cert.from.clone(),
            problem: format!(
                "the client certificate{who} expired on {}; issue a new one (Minikube renews its own on `minikube start`) and update the setting",
                date(info.not_after_ms)
            ),
        });
    }
    if info.not_before_ms > now_ms {
        return Err(Error::Certificate {
            from: cert.from.clone(),
            problem: format!(
                "the client certificate{who} is not valid until {}; check the runner's clock, or wait",
                date(info.not_before_ms)
            ),
        });
    }
    Ok(cn)
}

/// A failed exchange as the backend's error: a time-out, a TLS failure with what to do, or an
/// unreachable server.
pub fn transport(conn: &Connection, e: HostError) -> Error {
    let server = conn.server.clone();
    if e.code == host::TIMED_OUT {
        return Error::TimedOut { server, timeout_ms: conn.timeout_ms };
    }
    let advice = match e.tls_failure() {
        Some(TlsFailure::ServerCertificateUntrusted) => {
            "set `cluster_ca_certificate` to the PEM text of the cluster's CA (Minikube: ~/.minikube/ca.crt; a kubeconfig: its certificate-authority), or the right CA if one is set"
        }
        Some(TlsFailure::ServerCertificateExpired) => "the API server's certificate must be renewed",
        Some(TlsFailure::ServerNameMismatch) => "set `host` to a name or address the server's certificate is for",
        Some(TlsFailure::KeyMismatch) => {
            "`client_key` must be the private key of `client_certificate`: they come in pairs (Minikube: profiles/minikube/client.crt and client.key)"
        }
        Some(TlsFailure::BadPem) => "`cluster_ca_certificate`, `client_certificate` and `client_key` must hold PEM text",
        Some(TlsFailure::ClientCertificateRefused) => {
            "give a client certificate signed by the cluster's CA, valid now (or a `token`)"
        }
        None => return Error::Unreachable { server, message: e.message },
    };
    Error::Tls { server, problem: crate::text::escape(&e.message), advice: advice.to_string() }
}
