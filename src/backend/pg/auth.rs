//! PostgreSQL's password authentications, pure: `md5` and SCRAM-SHA-256 (RFC 5802 and 7677,
//! without channel binding). The client nonce comes from the caller (the host's CSPRNG), so a
//! conversation is reproducible in tests.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use md5::{Digest, Md5};
use sha2::Sha256;

use crate::backend::mac::{hex, hmac_sha256 as hmac};

/// The answer to `AuthenticationMD5Password`: `md5` + hex(md5(hex(md5(password + user)) + salt)).
pub fn md5_password(user: &str, password: &str, salt: [u8; 4]) -> String {
    let inner = hex(&Md5::new().chain_update(password).chain_update(user).finalize());
    format!("md5{}", hex(&Md5::new().chain_update(inner).chain_update(salt).finalize()))
}

/// PBKDF2-HMAC-SHA-256 with one block of output: SCRAM's `Hi(password, salt, i)`.
fn hi(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut first = salt.to_vec();
    first.extend_from_slice(&1u32.to_be_bytes());
    let mut u = hmac(password, &first);
    let mut out = u;
    for _ in 1..iterations {
        u = hmac(password, &u);
        out.iter_mut().zip(u).for_each(|(o, x)| *o ^= x);
    }
    out
}

/// The name of the only mechanism this client offers.
pub const SCRAM_SHA_256: &str = "SCRAM-SHA-256";

/// The most iterations a server may ask for: PostgreSQL's default is 4096; a hostile server
/// asking for billions would keep the step busy until its time-out.
const MAX_ITERATIONS: u32 = 1 << 20;

/// A SCRAM-SHA-256 exchange, from the client's side.
pub struct Scram {
    password: String,
    client_first_bare: String,
    nonce: String,
    /// What the server's final message must prove, once the client's proof was sent.
    expected_server_signature: Option<[u8; 32]>,
    /// Whether the server's signature was checked and right.
    verified: bool,
}

impl Scram {
    /// Starts an exchange. PostgreSQL ignores SCRAM's user name (the startup message named the
    /// user), so it is empty, as libpq sends it. The password is used as given: SASLprep is not
    /// applied, which changes nothing for passwords without non-ASCII characters.
    pub fn new(password: &str, nonce: &str) -> Scram {
        Scram::with_user("", password, nonce)
    }

    fn with_user(user: &str, password: &str, nonce: &str) -> Scram {
        Scram {
            password: password.to_string(),
            client_first_bare: format!("n={user},r={nonce}"),
            nonce: nonce.to_string(),
            expected_server_signature: None,
            verified: false,
        }
    }

    /// The client-first-message: no channel binding (`n,,`).
    pub fn client_first(&self) -> String {
        format!("n,,{}", self.client_first_bare)
    }

    /// The client-final-message, from the server-first-message; an error says what is wrong
    /// with the server's message.
    pub fn client_final(&mut self, server_first: &[u8]) -> Result<String, String> {
        let server_first = std::str::from_utf8(server_first).map_err(|_| "the server's SCRAM message is not UTF-8")?;
        let (mut nonce, mut salt, mut iterations) = (None, None, None);
        for attr in server_first.split(',') {
            match attr.split_once('=') {
                Some(("r", v)) => nonce = Some(v),
                Some(("s", v)) => salt = Some(BASE64.decode(v).map_err(|_| "the server's SCRAM salt is not base64")?),
                Some(("i", v)) => iterations = v.parse::<u32>().ok(),
                _ => {}
            }
        }
        let nonce = nonce.ok_or("the server's SCRAM message has no nonce")?;
        if !nonce.starts_with(&self.nonce) || nonce.len() == self.nonce.len() {
            return Err("the server's SCRAM nonce does not extend the client's".to_string());
        }
        let salt = salt.ok_or("the server's SCRAM message has no salt")?;
        let iterations = iterations
            .filter(|i| (1..=MAX_ITERATIONS).contains(i))
            .ok_or("the server's SCRAM iteration count is missing or out of range")?;

        let salted = hi(self.password.as_bytes(), &salt, iterations);
        let client_key = hmac(&salted, b"Client Key");
        let stored_key: [u8; 32] = Sha256::digest(client_key).into();
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{server_first},{without_proof}", self.client_first_bare);
        let client_signature = hmac(&stored_key, auth_message.as_bytes());
        let proof: Vec<u8> = client_key.iter().zip(client_signature).map(|(k, s)| k ^ s).collect();
        let server_key = hmac(&salted, b"Server Key");
        self.expected_server_signature = Some(hmac(&server_key, auth_message.as_bytes()));
        Ok(format!("{without_proof},p={}", BASE64.encode(proof)))
    }

    /// Whether the server's final message proved that it knows the password.
    pub fn verified(&self) -> bool {
        self.verified
    }

    /// Checks the server-final-message: the server too knew the password. An error says why not.
    pub fn verify_server(&mut self, server_final: &[u8]) -> Result<(), String> {
        let text = std::str::from_utf8(server_final).map_err(|_| "the server's final SCRAM message is not UTF-8")?;
        if let Some(e) = text.strip_prefix("e=") {
            return Err(format!("the server ended SCRAM with {}", crate::text::quote(e)));
        }
        let signature = text
            .split(',')
            .find_map(|a| a.strip_prefix("v="))
            .and_then(|v| BASE64.decode(v).ok())
            .ok_or("the server's final SCRAM message has no signature")?;
        match self.expected_server_signature {
            Some(expected) if signature == expected => {
                self.verified = true;
                Ok(())
            }
            _ => Err("the server's SCRAM signature is wrong: it does not know the password".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scram_sha_256_follows_rfc_7677s_example() {
        let mut scram = Scram::with_user("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        assert_eq!(scram.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        assert_eq!(
            scram.client_final(server_first.as_bytes()).unwrap(),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        assert!(!scram.verified());
        assert_eq!(scram.verify_server(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), Ok(()));
        assert!(scram.verified());
        let mut scram = Scram::with_user("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        scram.client_final(server_first.as_bytes()).unwrap();
        assert_eq!(
            scram.verify_server(b"v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").unwrap_err(),
            "the server's SCRAM signature is wrong: it does not know the password"
        );
        assert!(!scram.verified());
    }

    #[test]
    fn a_server_that_does_not_extend_the_nonce_or_asks_for_endless_work_is_refused() {
        let mut scram = Scram::new("pw", "abc");
        assert_eq!(
            scram.client_final(b"r=xyz,s=AAAA,i=4096").unwrap_err(),
            "the server's SCRAM nonce does not extend the client's"
        );
        assert_eq!(
            scram.client_final(b"r=abcdef,s=AAAA,i=4000000000").unwrap_err(),
            "the server's SCRAM iteration count is missing or out of range"
        );
    }

    #[test]
    fn md5_hashes_the_password_with_the_user_then_the_salt() {
        // md5(hex(md5("secret" + "tf")) + salt), computed independently with Python's hashlib.
        assert_eq!(md5_password("tf", "secret", [1, 2, 3, 4]), "md51907715533cd8c39d021a6ce1044bd3e");
    }
}
