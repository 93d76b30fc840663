//! `preflight` for the kubernetes backend: the credentials as [`super::read`] would use them
//! ([`connect::parts`]: kubeconfig, service account, exec plugin, settings written over them),
//! checked part by part. The client certificate parses, belongs to its key and is valid now,
//! with a warning when less than a quarter of its lifetime is left; the CA verifies the API
//! server; the API answers `/version`; and the identity may do what Terraform's backend does in
//! the namespace (SelfSubjectAccessReviews, sent together).

use super::api::Connection;
use super::connect::{self, common_name};
use super::{send, Given, Location};
use crate::backend::preflight::{Check, Findings};
use crate::host::{self, Certificate};

/// What Terraform's backend does, resource by resource: (group, resource, what to call it,
/// verbs). A state read lists Secrets by label; a write creates or updates them; the lock is a
/// Lease it gets, creates and updates.
const ACCESS: &[(&str, &str, &str, &[&str])] = &[
    ("", "secrets", "Secrets", &["get", "list", "create", "update"]),
    ("coordination.k8s.io", "leases", "Leases", &["get", "create", "update"]),
];

/// How to renew a client certificate signed by the cluster, in short.
pub const RENEW: &str = "renew it: `openssl req -new -newkey rsa:2048 -nodes -keyout terraform.key -subj /CN=terraform -out terraform.csr`, submit the CSR as a CertificateSigningRequest (signerName kubernetes.io/kube-apiserver-client), `kubectl certificate approve <name>`, take `.status.certificate` (base64-decoded) as the new certificate and update the secrets that hold the certificate and key (Minikube renews its own on `minikube start`)";

/// Runs every check; stops early only where nothing further can be asked.
pub async fn preflight(location: &Location, now_ms: f64) -> Findings {
    let mut out = Findings::default();
    let parts = match connect::parts(location).await {
        Ok(parts) => parts,
        Err(e) => {
            out.checks.push(Check::fail("credentials", why(&e), None));
            return out;
        }
    };
    let mut subject = None;
    if let (Some(cert), Some(key)) = (&parts.cert, &parts.key) {
        match host::certificate(&cert.value) {
            Err(e) if e.code == "ENOTSUP" => out.checks.push(Check::warn(
                "client certificate",
                "not checked: this build cannot read certificates",
                "run the action itself (node dist/index.js)",
            )),
            Err(e) => out.checks.push(Check::fail(
                "client certificate",
                format!("{} does not parse ({})", cert.from, crate::text::quote(&e.message)),
                Some("give the client certificate's PEM text (-----BEGIN CERTIFICATE-----)".into()),
            )),
            Ok(info) => {
                subject = common_name(&info.subject);
                out.certificate_expires_ms = Some(info.not_after_ms);
                out.checks.push(match host::certificate_matches_key(&cert.value, key.expose()) {
                    Ok(true) => Check::pass("client key", "belongs to the client certificate"),
                    Ok(false) => Check::fail(
                        "client key",
                        format!("is not the private key of the client certificate from {}", cert.from),
                        Some("give the key the certificate was issued for: they come in pairs (Minikube: profiles/minikube/client.crt and client.key)".into()),
                    ),
                    Err(e) => Check::fail(
                        "client key",
                        format!("does not parse ({})", crate::text::quote(&e.message)),
                        Some("give the client key's PEM text (-----BEGIN … PRIVATE KEY-----)".into()),
                    ),
                });
                out.checks.push(lifetime(cert, &info, now_ms));
            }
        }
    }
    let conn = match parts.connection(subject, location.timeout_ms) {
        Ok(conn) => conn,
        Err(e) => {
            out.checks.push(Check::fail("API server", why(&e), None));
            return out;
        }
    };
    if !api(&conn, &mut out.checks).await {
        return out;
    }
    out.checks.extend(access(&conn, &location.namespace).await);
    out
}

/// The client certificate's dates at `now_ms`: not valid yet or expired fails; less than a
/// quarter of its lifetime left warns.
pub fn lifetime(cert: &Given<String>, info: &Certificate, now_ms: f64) -> Check {
    const NAME: &str = "client certificate";
    let who = common_name(&info.subject).map(|c| format!(" CN={}", crate::text::name(&c))).unwrap_or_default();
    let date = |ms: f64| crate::time::Utc::from_ms(ms).readable();
    let (from, to) = (info.not_before_ms, info.not_after_ms);
    if from > now_ms {
        return Check::fail(
            NAME,
            format!("the certificate{who} from {} is not valid until {}", cert.from, date(from)),
            Some("check the runner's clock, or wait".into()),
        );
    }
    if to < now_ms {
        return Check::fail(
            NAME,
            format!("the certificate{who} from {} expired on {}", cert.from, date(to)),
            Some(RENEW.into()),
        );
    }
    let left = duration(to - now_ms);
    if (to - now_ms) * 4.0 < to - from {
        return Check::warn(
            NAME,
            format!("the certificate{who} expires on {} ({left} left of {})", date(to), duration(to - from)),
            RENEW,
        );
    }
    Check::pass(NAME, format!("the certificate{who} is valid until {} ({left} left)", date(to)))
}

/// An error's sentence without the backend's name: the check's line is about this backend.
fn why(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    text.strip_prefix("kubernetes backend: ").map(str::to_string).unwrap_or(text)
}

/// `3d 4h`, `5h 12m`, `42m`: a span, roughly.
fn duration(ms: f64) -> String {
    let minutes = (ms / 60_000.0).floor() as u64;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// TLS and `/version`: two lines. `false` when the API did not answer (nothing more to ask).
async fn api(conn: &Connection, checks: &mut Vec<Check>) -> bool {
    let tls_ok = || match &conn.tls {
        Some(tls) if tls.insecure => Check::warn(
            "TLS",
            format!("the API server's certificate at {} is not verified (`insecure`)", conn.server),
            "set `cluster_ca_certificate` to the cluster's CA and unset `insecure`",
        ),
        Some(tls) if tls.ca.is_some() => {
            Check::pass("TLS", format!("the CA verifies the API server at {}", conn.server))
        }
        _ => Check::pass("TLS", format!("the system's CAs verify the API server at {}", conn.server)),
    };
    let response = match send(conn, conn.get("/version")).await {
        Ok(response) => response,
        Err(e @ super::Error::Tls { .. }) => {
            checks.push(Check::fail("TLS", why(&e), None));
            return false;
        }
        Err(e) => {
            checks.push(Check::fail("API server", why(&e), None));
            return false;
        }
    };
    if conn.server.starts_with("https://") {
        checks.push(tls_ok());
    }
    match response.status {
        200 => {
            let answer: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
            let version = answer.get("gitVersion").and_then(|v| v.as_str()).map(crate::text::quote);
            let version = version.map(|v| format!(" (Kubernetes {v})")).unwrap_or_default();
            checks.push(Check::pass("API server", format!("{} answers{version}", conn.server)));
            true
        }
        401 => {
            checks.push(Check::fail(
                "API server",
                why(&super::Error::Unauthorized { server: conn.server.clone(), identity: conn.identity.clone() }),
                None,
            ));
            false
        }
        _ => {
            let e = super::Error::Status {
                server: conn.server.clone(),
                what: "GET /version".into(),
                status: response.status,
                message: String::new(),
            };
            checks.push(Check::fail("API server", why(&e), None));
            false
        }
    }
}

/// One SelfSubjectAccessReview per verb and resource, sent together; one line per resource.
async fn access(conn: &Connection, namespace: &str) -> Vec<Check> {
    let asks: Vec<(usize, &str)> =
        ACCESS.iter().enumerate().flat_map(|(i, (_, _, _, verbs))| verbs.iter().map(move |v| (i, *v))).collect();
    let answers = crate::join::all(asks.iter().map(|(i, verb)| {
        let (group, resource, _, _) = ACCESS[*i];
        send(conn, conn.access_review(namespace, group, resource, verb))
    }))
    .await;
    let mut denied: Vec<Vec<&str>> = vec![Vec::new(); ACCESS.len()];
    for ((i, verb), answer) in asks.iter().zip(answers) {
        let response = match answer {
            Ok(r) => r,
            Err(e) => return vec![Check::fail("permissions", why(&e), None)],
        };
        if response.status == 401 {
            let e = super::Error::Unauthorized { server: conn.server.clone(), identity: conn.identity.clone() };
            return vec![Check::fail("permissions", why(&e), None)];
        }
        if response.status != 201 && response.status != 200 {
            let e = conn.status(&response, namespace, "create selfsubjectaccessreviews");
            return vec![Check::fail(
                "permissions",
                why(&e),
                Some("the API server must allow SelfSubjectAccessReviews (Kubernetes allows them to every authenticated user)".into()),
            )];
        }
        let review: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
        let allowed = review.pointer("/status/allowed").and_then(|v| v.as_bool()).unwrap_or(false);
        if !allowed {
            denied[*i].push(verb);
        }
    }
    ACCESS
        .iter()
        .zip(denied)
        .map(|((group, resource, label, verbs), denied)| {
            if denied.is_empty() {
                return Check::pass(
                    label,
                    format!("{} may {} {resource} in namespace {namespace}", conn.identity, verbs.join(", ")),
                );
            }
            let group = if group.is_empty() { "the core API group".to_string() } else { format!("API group {group}") };
            Check::fail(
                label,
                format!("{} may not {} {resource} in namespace {namespace}", conn.identity, denied.join(", ")),
                Some(format!(
                    "bind it to a Role in namespace {namespace} that allows {} on `{resource}` ({group}): Terraform's backend needs them",
                    verbs.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
                )),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::preflight::Outcome;

    const HOUR: f64 = 3_600_000.0;

    fn cert() -> Given<String> {
        Given { value: String::new(), from: "`client_certificate`".into() }
    }

    fn info(from_h: f64, to_h: f64) -> Certificate {
        Certificate {
            subject: "O=system:masters, CN=terraform".into(),
            not_before_ms: from_h * HOUR,
            not_after_ms: to_h * HOUR,
        }
    }

    #[test]
    fn a_day_long_certificate_warns_in_its_last_six_hours_and_fails_once_expired() {
        let now = 1000.0 * HOUR;
        assert_eq!(lifetime(&cert(), &info(990.0, 1014.0), now).outcome, Outcome::Pass);
        let soon = lifetime(&cert(), &info(981.0, 1005.0), now);
        assert_eq!(soon.outcome, Outcome::Warn);
        assert!(
            soon.found.contains("CN=terraform expires on") && soon.found.contains("(5h 0m left of 1d 0h)"),
            "{}",
            soon.found
        );
        assert!(soon.fix.as_deref().unwrap().contains("kubectl certificate approve"));
        let expired = lifetime(&cert(), &info(970.0, 994.0), now);
        assert_eq!(expired.outcome, Outcome::Fail);
        assert!(expired.found.contains("expired on"), "{}", expired.found);
        let early = lifetime(&cert(), &info(1001.0, 1025.0), now);
        assert_eq!(early.outcome, Outcome::Fail);
        assert!(early.found.contains("is not valid until"), "{}", early.found);
    }

    #[test]
    fn spans_read_roughly() {
        assert_eq!(duration(42.0 * 60_000.0), "42m");
        assert_eq!(duration(5.5 * HOUR), "5h 30m");
        assert_eq!(duration(50.0 * HOUR), "2d 2h");
    }
}
