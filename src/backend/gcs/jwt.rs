//! The JSON Web Token a service-account key signs to get an access token (RFC 7523, Google's
//! "Using OAuth 2.0 for Server to Server Applications"): header `{"alg":"RS256","typ":"JWT",
//! "kid":<private_key_id>}`, claims `iss` (the account's email), `scope`, `aud` (the key's
//! `token_uri`), `iat` and `exp` (one hour later). The signature is the host's
//! ([`crate::host::sign_rs256`]): no RSA in Rust.

use base64::Engine;
use serde::Serialize;

/// The scope asked for: reading objects (Terraform's backend asks for `devstorage.read_write`).
pub const SCOPE: &str = "https://www.googleapis.com/auth/devstorage.read_write";

/// How long the asked-for token lives, in seconds: Google's maximum for this grant.
pub const LIFETIME_S: u64 = 3600;

#[derive(Serialize)]
struct Header<'a> {
    alg: &'static str,
    typ: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

/// What the token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claims {
    /// The service account's email.
    pub iss: String,
    /// The scopes asked for, space-separated.
    pub scope: String,
    /// Where the token is exchanged: the key's `token_uri`.
    pub aud: String,
    /// Issued at, seconds since the epoch.
    pub iat: u64,
    /// Expires at, seconds since the epoch.
    pub exp: u64,
}

impl Claims {
    /// The claims of a token for `email`, exchanged at `token_uri`, issued at `now_s`.
    pub fn new(email: &str, token_uri: &str, now_s: u64) -> Claims {
        Claims {
            iss: email.to_string(),
            scope: SCOPE.to_string(),
            aud: token_uri.to_string(),
            iat: now_s,
            exp: now_s + LIFETIME_S,
        }
    }
}

/// base64url without padding (RFC 7515 §2).
pub fn b64url(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// `base64url(header) "." base64url(claims)`: the bytes the key signs.
pub fn signing_input(key_id: Option<&str>, claims: &Claims) -> String {
    let header = Header { alg: "RS256", typ: "JWT", kid: key_id.filter(|k| !k.is_empty()) };
    // Serializing these plain structs cannot fail.
    let header = serde_json::to_vec(&header).unwrap_or_default();
    let claims = serde_json::to_vec(claims).unwrap_or_default();
    format!("{}.{}", b64url(&header), b64url(&claims))
}

/// The whole token: the signing input, a dot, the signature in base64url.
pub fn assemble(signing_input: &str, signature: &[u8]) -> String {
    format!("{signing_input}.{}", b64url(signature))
}
