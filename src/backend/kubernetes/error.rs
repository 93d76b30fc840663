//! What can go wrong reading a state from Kubernetes, each with the words a person needs: which
//! backend, which setting or server, what is wrong, what to do. Server data in a message is
//! quoted ([`crate::text::quote`]); credentials never appear.

use std::fmt;

use crate::text::quote;

/// Who the action presented itself as, for a 401 or 403: the client certificate's subject, a
/// token (never its value), a basic-auth user, or nobody.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A client certificate; its subject's CN when it could be read.
    Certificate { subject: Option<String>, from: String },
    /// A bearer token, and where it came from (a setting, a kubeconfig user, an exec plugin).
    Token { from: String },
    /// Basic authentication as `user`.
    Basic { user: String },
    /// No credentials at all.
    Anonymous,
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identity::Certificate { subject: Some(cn), from } => {
                write!(f, "the client certificate CN={} from {from}", crate::text::name(cn))
            }
            Identity::Certificate { subject: None, from } => write!(f, "the client certificate from {from}"),
            Identity::Token { from } => write!(f, "the token from {from}"),
            Identity::Basic { user } => write!(f, "user {} (basic authentication)", quote(user)),
            Identity::Anonymous => f.write_str("no credentials"),
        }
    }
}

/// A problem of the kubernetes backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A kubeconfig could not be used: not YAML, no such context, a user with nothing to
    /// authenticate with, a file it names missing.
    Kubeconfig { path: String, problem: String },
    /// The kubeconfig user's `exec` credential plugin failed or printed no credential.
    Exec { command: String, problem: String },
    /// Neither `host` nor the kubeconfig's cluster says where the API server is.
    NoServer,
    /// `in_cluster_config` is set, and this is not a pod (or its service account is not mounted).
    InCluster { problem: String },
    /// A PEM value (a setting, a kubeconfig field) is not a usable certificate, or is expired or
    /// not valid yet.
    Certificate { from: String, problem: String },
    /// The API server could not be reached.
    Unreachable { server: String, message: String },
    /// The API server did not answer within the time limit.
    TimedOut { server: String, timeout_ms: u64 },
    /// The TLS handshake failed: what failed, and what to do.
    Tls { server: String, problem: String, advice: String },
    /// 401: the server did not accept the credentials.
    Unauthorized { server: String, identity: Identity },
    /// 403: the identity may not do what a read needs (`what`: "list secrets").
    Forbidden { server: String, identity: Identity, namespace: String, what: &'static str },
    /// Any other unexpected answer.
    Status { server: String, what: String, status: u16, message: String },
    /// An answer that is not what the Kubernetes API returns.
    Answer { server: String, what: String, problem: String },
    /// The Secrets hold something that is not a state Terraform wrote.
    State { secret: String, namespace: String, problem: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("kubernetes backend: ")?;
        match self {
            Error::Kubeconfig { path, problem } => write!(
                f,
                "kubeconfig {path}: {problem}; fix the file, or point `config_path` at another (or set `host` and the credentials directly)"
            ),
            Error::Exec { command, problem } => write!(
                f,
                "the kubeconfig user's exec credential plugin {command} {problem}; make sure it is installed and works on the runner (run it by hand with the same environment), or give a `token` or client certificate instead"
            ),
            Error::NoServer => f.write_str(
                "no API server to read from: the kubeconfig's cluster has no `server`, and `host` is not set; set `host`, or fix the kubeconfig",
            ),
            Error::InCluster { problem } => write!(
                f,
                "`in_cluster_config` is set, but {problem}; it works only inside a pod with a service account token mounted: unset it, or set `host` and credentials, or `config_path`"
            ),
            Error::Certificate { from, problem } => write!(f, "{from}: {problem}"),
            Error::Unreachable { server, message } => write!(
                f,
                "cannot reach the API server at {server}: {}; check `host` (or the kubeconfig's cluster server), and that the runner can reach it",
                quote(message)
            ),
            Error::TimedOut { server, timeout_ms } => write!(
                f,
                "the API server at {server} did not answer within {} s; check that it is up and reachable from the runner",
                timeout_ms / 1000
            ),
            Error::Tls { server, problem, advice } => write!(f, "TLS with {server} failed: {problem}; {advice}"),
            Error::Unauthorized { server, identity } => write!(
                f,
                "the API server at {server} did not accept {identity} (401 Unauthorized); check that the credentials belong to this cluster and have not expired or been revoked"
            ),
            Error::Forbidden { server, identity, namespace, what } => write!(
                f,
                "{identity} may not {what} in namespace {namespace} (403 Forbidden from {server}); reading a state needs a Role in that namespace that allows `get` and `list` on `secrets` (and `get` on `leases` in group coordination.k8s.io, to see the lock), bound to that identity"
            ),
            Error::Status { server, what, status, message } => {
                write!(f, "{what} at {server} answered {status}")?;
                if !message.is_empty() {
                    write!(f, ": {}", quote(message))?;
                }
                Ok(())
            }
            Error::Answer { server, what, problem } => write!(
                f,
                "{what} at {server} answered with {problem}; is `host` the Kubernetes API server?"
            ),
            Error::State { secret, namespace, problem } => write!(
                f,
                "Secret {secret} in namespace {namespace} does not hold a state Terraform wrote: {problem}; is another tool writing Secrets with Terraform's labels?"
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<Error> for crate::error::Error {
    fn from(e: Error) -> crate::error::Error {
        crate::error::Error::Backend(super::super::Error::Kubernetes(e))
    }
}
