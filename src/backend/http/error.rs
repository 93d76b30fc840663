//! What can go wrong in reading a state from Terraform's `http` backend, in words that name the
//! backend, the setting to change and what to do.

use std::fmt;

use crate::host::TlsFailure;

/// The http backend's problem with one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The server answered 401: it wants credentials, or did not take the ones sent.
    Unauthorized {
        /// The state's URL.
        address: String,
        /// Whether `username` was set (and Basic credentials sent).
        sent: bool,
    },
    /// The server answered 403: the credentials are known, and may not read this state.
    Forbidden {
        /// The state's URL.
        address: String,
    },
    /// Any other answer that is neither a state nor "no state yet".
    Status {
        /// The state's URL.
        address: String,
        /// The status code.
        status: u16,
        /// The start of the server's body, quoted ([`crate::text::quote`]), or empty.
        said: String,
    },
    /// The body is not what the server's `Content-MD5` says it is: cut short, or changed on
    /// the way.
    Md5Mismatch {
        /// The state's URL.
        address: String,
        /// The header's value, quoted.
        expected: String,
    },
    /// The request did not get an answer: refused, unresolvable, timed out, or a failed TLS
    /// handshake.
    Unreachable {
        /// The state's URL.
        address: String,
        /// The host's words for what happened (they name the request).
        message: String,
        /// What the failed handshake means, when it was one.
        tls: Option<TlsFailure>,
        /// Whether the request ran out of time.
        timed_out: bool,
        /// When the client certificate expired (`YYYY-MM-DD HH:MM:SS UTC`), when it has.
        client_certificate_expired: Option<String>,
        /// Whether a client certificate was sent: a server that wants one says so either way.
        client_certificate_sent: bool,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unauthorized { address, sent: false } => write!(
                f,
                "the http backend's server at {address} answered 401 Unauthorized: it needs credentials; set `username` and `password` in the backend configuration, or TF_HTTP_USERNAME and TF_HTTP_PASSWORD (for GitLab, any username and a token with the api scope)"
            ),
            Error::Unauthorized { address, sent: true } => write!(
                f,
                "the http backend's server at {address} answered 401 Unauthorized: it did not accept `username` and `password`; check both (TF_HTTP_USERNAME and TF_HTTP_PASSWORD when they come from the environment), and that the password or token has not expired"
            ),
            Error::Forbidden { address } => write!(
                f,
                "the http backend's server at {address} answered 403 Forbidden: the credentials in `username` and `password` may not read this state; use credentials that may (for GitLab, a token with the api scope of a member with at least the Developer role)"
            ),
            Error::Status { address, status, said } => {
                write!(f, "the http backend's server at {address} answered {status} instead of a state")?;
                if !said.is_empty() {
                    write!(f, ": {said}")?;
                }
                f.write_str("; check `address`, and the server")
            }
            Error::Md5Mismatch { address, expected } => write!(
                f,
                "the state from the http backend's server at {address} does not match its Content-MD5 {expected}: it was cut short or changed on the way; run again, and check any proxy in between"
            ),
            Error::Unreachable { message, tls, timed_out, client_certificate_expired, client_certificate_sent, .. } => {
                write!(f, "the http backend could not read its state: {message}")?;
                let advice = match (tls, client_certificate_expired) {
                    (_, Some(when)) => {
                        return write!(f, "; the client certificate expired on {when}: renew `client_certificate_pem` (and `client_private_key_pem`)");
                    }
                    (Some(TlsFailure::ServerCertificateUntrusted), _) => "set `client_ca_certificate_pem` to the CA certificate that signed the server's, or `skip_cert_verification = true` to trust any",
                    (Some(TlsFailure::ServerCertificateExpired), _) => "the server's certificate must be renewed; until then `skip_cert_verification = true` reads it anyway",
                    (Some(TlsFailure::ServerNameMismatch), _) => "write `address` with a host name the server's certificate is for",
                    (Some(TlsFailure::KeyMismatch), _) => "`client_private_key_pem` must be the private key of `client_certificate_pem`",
                    (Some(TlsFailure::BadPem), _) => "`client_ca_certificate_pem`, `client_certificate_pem` and `client_private_key_pem` hold PEM text (-----BEGIN …), not file names",
                    (Some(TlsFailure::ClientCertificateRefused), _) if !client_certificate_sent => "the server wants a client certificate: set `client_certificate_pem` and `client_private_key_pem` (or `TF_HTTP_CLIENT_CERTIFICATE_PEM` and `TF_HTTP_CLIENT_PRIVATE_KEY_PEM`)",
                    (Some(TlsFailure::ClientCertificateRefused), _) => "check that `client_certificate_pem` is signed by a CA the server trusts, and not revoked",
                    (None, None) if *timed_out => "check that `address` is reachable from the runner",
                    (None, None) => "check `address`, and that the server is up and reachable from the runner",
                };
                write!(f, "; {advice}")
            }
        }
    }
}

impl std::error::Error for Error {}
