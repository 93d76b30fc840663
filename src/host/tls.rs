//! TLS for the host's HTTP: the settings a request carries ([`Tls`]), what a failed handshake
//! means ([`TlsFailure`]), and the dates of a certificate ([`certificate`]).
//!
//! Node names a TLS failure by a code (`CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`,
//! `ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED`, …) and a message written for OpenSSL's developers;
//! [`explain`] keeps the code and writes a message a person can act on.

use std::fmt;

use super::{imp, HostError, HttpRequest};

/// How a request's TLS connection trusts the server and proves who the client is.
// Serialized only to cross into the on-demand module (`backend::on_demand`), never to print.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tls {
    /// The CA certificates (PEM) that sign the server's certificate; they replace the system roots.
    pub ca: Option<String>,
    /// The client certificate (PEM), for servers that authenticate clients by certificate.
    pub cert: Option<String>,
    /// The client certificate's private key (PEM).
    pub key: Option<String>,
    /// Accept any server certificate (Terraform's `skip_cert_verification`, `insecure`).
    pub insecure: bool,
}

/// Never prints the PEMs: the key is a credential, and the certificates are noise in a log.
impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let given = |v: &Option<String>| if v.is_some() { "Some(..)" } else { "None" };
        f.debug_struct("Tls")
            .field("ca", &format_args!("{}", given(&self.ca)))
            .field("cert", &format_args!("{}", given(&self.cert)))
            .field("key", &format_args!("{}", given(&self.key)))
            .field("insecure", &self.insecure)
            .finish()
    }
}

/// What a certificate says about itself, for a message ("the client certificate CN=ci expired
/// on …").
#[derive(Debug, Clone, PartialEq)]
pub struct Certificate {
    /// The subject's names, as `O=system:masters, CN=terraform`.
    pub subject: String,
    /// Valid from, milliseconds since the Unix epoch.
    pub not_before_ms: f64,
    /// Valid until, milliseconds since the Unix epoch.
    pub not_after_ms: f64,
}

/// Reads the first certificate of `pem` (Node's `X509Certificate`; `node:crypto` is loaded only
/// when this is called). A PEM that does not parse is an error with OpenSSL's code
/// (`ERR_OSSL_PEM_NO_START_LINE`, …). A native build cannot read certificates: `ENOTSUP`.
pub fn certificate(pem: &str) -> Result<Certificate, HostError> {
    imp::certificate(pem)
}

/// Whether the private key `key` (PEM) belongs to the certificate `cert` (PEM): Node compares
/// their public keys (`X509Certificate.checkPrivateKey`). An error when either does not parse
/// (its message never holds the key); `ENOTSUP` in a native build.
pub fn certificate_matches_key(cert: &str, key: &str) -> Result<bool, HostError> {
    imp::certificate_matches_key(cert, key)
}

/// What a failed TLS exchange means, read from the [`HostError`] of [`super::http`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsFailure {
    /// The server's certificate has expired, or is not valid yet.
    ServerCertificateExpired,
    /// The server's certificate is not signed by a trusted CA (self-signed, or another CA).
    ServerCertificateUntrusted,
    /// The server's certificate names other hosts than the one asked.
    ServerNameMismatch,
    /// The client's private key does not belong to its certificate.
    KeyMismatch,
    /// A CA certificate, client certificate or key does not parse as PEM.
    BadPem,
    /// The server refused the client certificate, or asked for one that was not sent (a TLS
    /// alert such as `certificate expired`, `bad certificate`, `unknown ca`).
    ClientCertificateRefused,
}

impl HostError {
    /// The TLS failure behind this error, when it is one.
    pub fn tls_failure(&self) -> Option<TlsFailure> {
        let code = self.code.as_str();
        Some(match code {
            "CERT_HAS_EXPIRED" | "CERT_NOT_YET_VALID" => TlsFailure::ServerCertificateExpired,
            "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
            | "DEPTH_ZERO_SELF_SIGNED_CERT"
            | "SELF_SIGNED_CERT_IN_CHAIN"
            | "UNABLE_TO_GET_ISSUER_CERT"
            | "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
            | "CERT_UNTRUSTED"
            | "CERT_SIGNATURE_FAILURE"
            | "CERT_REJECTED" => TlsFailure::ServerCertificateUntrusted,
            "ERR_TLS_CERT_ALTNAME_INVALID" => TlsFailure::ServerNameMismatch,
            "ERR_OSSL_X509_KEY_VALUES_MISMATCH" => TlsFailure::KeyMismatch,
            _ if self.message.contains("key values mismatch") => TlsFailure::KeyMismatch,
            _ if code.starts_with("ERR_OSSL_PEM_")
                || code.starts_with("ERR_OSSL_ASN1_")
                || code == "ERR_OSSL_UNSUPPORTED"
                || self.message.contains("does not parse as PEM") =>
            {
                TlsFailure::BadPem
            }
            _ if alert(self).is_some_and(|a| a.contains("certificate") || a == "unknown ca") => {
                TlsFailure::ClientCertificateRefused
            }
            _ => return None,
        })
    }
}

/// The TLS alert a server sent, as OpenSSL words it (`certificate expired`, `unknown ca`), from
/// Node's code (`ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED`; TLS 1.3) or, when the code is only
/// `EPROTO` (TLS 1.2), from the message (`… sslv3 alert certificate expired:…`).
fn alert(e: &HostError) -> Option<String> {
    if let Some(rest) = e.code.strip_prefix("ERR_SSL_") {
        let name = rest.split_once("_ALERT_")?.1;
        return Some(name.to_ascii_lowercase().replace('_', " "));
    }
    if e.code == "EPROTO" {
        let after = &e.message[e.message.find(" alert ")? + " alert ".len()..];
        let name = after.split(':').next().unwrap_or("").trim();
        return (!name.is_empty()).then(|| name.to_string());
    }
    None
}

/// `e` with a message that names the request, and, for a request with TLS settings, says what
/// went wrong and what the settings have to do with it; the code stays Node's.
pub(super) fn explain(request: &HttpRequest, e: HostError) -> HostError {
    let what = format!("{} {}", request.method, request.url);
    let Some(tls) = &request.tls else {
        // Node's own words (`connect ECONNREFUSED 127.0.0.1:9`) do not say which request.
        let message = if e.message.starts_with(&what) { e.message } else { format!("{what}: {}", e.message) };
        return HostError { code: e.code, message };
    };
    let code = &e.code;
    let because = match e.tls_failure() {
        Some(TlsFailure::ServerCertificateExpired) if code == "CERT_NOT_YET_VALID" => {
            "the server's certificate is not valid yet".to_string()
        }
        Some(TlsFailure::ServerCertificateExpired) => "the server's certificate has expired".to_string(),
        Some(TlsFailure::ServerCertificateUntrusted) if tls.ca.is_some() => {
            "the server's certificate is not signed by the CA certificate given".to_string()
        }
        Some(TlsFailure::ServerCertificateUntrusted) => {
            "the server's certificate is not signed by a CA this system trusts".to_string()
        }
        Some(TlsFailure::ServerNameMismatch) => "the server's certificate is for another host name".to_string(),
        Some(TlsFailure::KeyMismatch) => "the client private key does not belong to the client certificate".to_string(),
        Some(TlsFailure::ClientCertificateRefused) => {
            let alert = alert(&e).unwrap_or_default();
            if tls.cert.is_some() {
                format!("the server refused the client certificate (TLS alert: {alert})")
            } else {
                format!("the server requires a client certificate, and none was given (TLS alert: {alert})")
            }
        }
        // A server that refuses a client certificate under TLS 1.3 may just close the
        // connection: the handshake has already succeeded on the client's side.
        None if code == "ECONNRESET" && tls.cert.is_some() => format!(
            "the server closed the connection without answering; it may have refused the client certificate ({})",
            e.message
        ),
        Some(TlsFailure::BadPem) | None => {
            let message = if e.message.starts_with(&what) { e.message } else { format!("{what}: {}", e.message) };
            return HostError { code: e.code, message };
        }
    };
    HostError { message: format!("{what}: {because} ({code})"), code: e.code }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: &str, message: &str) -> HostError {
        HostError { code: code.into(), message: message.into() }
    }

    fn request(tls: Tls) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            url: "https://state.example/s".into(),
            headers: vec![],
            body: vec![],
            timeout_ms: 1000,
            tls: Some(tls),
        }
    }

    fn with_cert() -> Tls {
        Tls { cert: Some("c".into()), key: Some("k".into()), ..Tls::default() }
    }

    // Node's own words, as Node 24 gave them against `openssl s_server -verify_return_error`.
    const TLS13_EXPIRED: &str = "80EC063E4B7F0000:error:0A000415:SSL routines:ssl3_read_bytes:sslv3 alert certificate expired:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 45\n";
    const TLS12_UNKNOWN_CA: &str = "write EPROTO 80EC063E4B7F0000:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 48\n";

    #[test]
    fn node_codes_name_what_failed_in_the_handshake() {
        for (code, message, failure) in [
            ("CERT_HAS_EXPIRED", "certificate has expired", Some(TlsFailure::ServerCertificateExpired)),
            ("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate", Some(TlsFailure::ServerCertificateUntrusted)),
            (
                "SELF_SIGNED_CERT_IN_CHAIN",
                "self-signed certificate in certificate chain",
                Some(TlsFailure::ServerCertificateUntrusted),
            ),
            (
                "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                "unable to verify the first certificate",
                Some(TlsFailure::ServerCertificateUntrusted),
            ),
            (
                "ERR_TLS_CERT_ALTNAME_INVALID",
                "Hostname/IP does not match certificate's altnames",
                Some(TlsFailure::ServerNameMismatch),
            ),
            (
                "ERR_OSSL_X509_KEY_VALUES_MISMATCH",
                "error:05800074:x509 certificate routines::key values mismatch",
                Some(TlsFailure::KeyMismatch),
            ),
            (
                "ERR_OSSL_PEM_NO_START_LINE",
                "the client certificate does not parse as PEM (no start line)",
                Some(TlsFailure::BadPem),
            ),
            (
                "ERR_OSSL_UNSUPPORTED",
                "the client private key does not parse as PEM (unsupported)",
                Some(TlsFailure::BadPem),
            ),
            ("ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED", TLS13_EXPIRED, Some(TlsFailure::ClientCertificateRefused)),
            (
                "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
                "alert bad certificate",
                Some(TlsFailure::ClientCertificateRefused),
            ),
            (
                "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
                "alert certificate required",
                Some(TlsFailure::ClientCertificateRefused),
            ),
            ("EPROTO", TLS12_UNKNOWN_CA, Some(TlsFailure::ClientCertificateRefused)),
            ("ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "alert handshake failure", None),
            ("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1", None),
            ("ETIMEDOUT", "GET x did not finish within 1 s", None),
        ] {
            assert_eq!(error(code, message).tls_failure(), failure, "{code}");
        }
    }

    #[test]
    fn messages_say_what_failed_and_keep_nodes_code() {
        let e = explain(&request(with_cert()), error("ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED", TLS13_EXPIRED));
        assert_eq!(e.code, "ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED");
        assert_eq!(
            e.message,
            "GET https://state.example/s: the server refused the client certificate (TLS alert: certificate expired) (ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED)"
        );
        let e = explain(&request(with_cert()), error("EPROTO", TLS12_UNKNOWN_CA));
        assert_eq!(
            e.message,
            "GET https://state.example/s: the server refused the client certificate (TLS alert: unknown ca) (EPROTO)"
        );
        let e = explain(&request(Tls::default()), error("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "x"));
        assert_eq!(
            e.message,
            "GET https://state.example/s: the server requires a client certificate, and none was given (TLS alert: certificate required) (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)"
        );
        let ca = Tls { ca: Some("pem".into()), ..Tls::default() };
        let e =
            explain(&request(ca), error("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain"));
        assert_eq!(
            e.message,
            "GET https://state.example/s: the server's certificate is not signed by the CA certificate given (SELF_SIGNED_CERT_IN_CHAIN)"
        );
        let e = explain(&request(Tls::default()), error("CERT_HAS_EXPIRED", "certificate has expired"));
        assert_eq!(e.message, "GET https://state.example/s: the server's certificate has expired (CERT_HAS_EXPIRED)");
        let e = explain(&request(with_cert()), error("ERR_OSSL_X509_KEY_VALUES_MISMATCH", "key values mismatch"));
        assert_eq!(
            e.message,
            "GET https://state.example/s: the client private key does not belong to the client certificate (ERR_OSSL_X509_KEY_VALUES_MISMATCH)"
        );
    }

    #[test]
    fn other_failures_keep_their_words_and_gain_the_request() {
        let e = explain(&request(Tls::default()), error("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1"));
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("ECONNREFUSED", "GET https://state.example/s: connect ECONNREFUSED 127.0.0.1:1")
        );
        let timed_out = "GET https://state.example/s did not finish within 1 s";
        assert_eq!(explain(&request(Tls::default()), error("ETIMEDOUT", timed_out)).message, timed_out);
        let e = explain(&request(with_cert()), error("ECONNRESET", "socket hang up"));
        assert_eq!(
            e.message,
            "GET https://state.example/s: the server closed the connection without answering; it may have refused the client certificate (socket hang up) (ECONNRESET)"
        );
    }

    #[test]
    fn debug_output_never_shows_a_pem() {
        let tls = Tls { ca: None, cert: Some("CERT".into()), key: Some("SECRET KEY".into()), insecure: true };
        assert_eq!(format!("{tls:?}"), "Tls { ca: None, cert: Some(..), key: Some(..), insecure: true }");
    }
}
