//! One conversation with PostgreSQL over the host's socket: TLS as `sslmode` says, the startup
//! message, authentication, then queries sent together and answered in order.

use super::auth::{self, Scram};
use super::error::Error;
use super::wire::{self, Auth, ServerError};
use super::{Location, SslMode};
use crate::host::{self, HostError, Socket, TlsOptions, Verify};

/// The rows of one query (each column's text, `None` for NULL), or the error it ended with.
pub type Answer = Result<Vec<Vec<Option<Vec<u8>>>>, ServerError>;

/// An authenticated connection, ready for queries.
pub struct Session<'a> {
    socket: Socket,
    buf: Vec<u8>,
    location: &'a Location,
}

/// Codes of a refused login (`invalid_password`, `invalid_authorization_specification`).
const AUTH_CODES: [&str; 2] = ["28P01", "28000"];

impl<'a> Session<'a> {
    /// Connects, sets up TLS when `sslmode` asks, and logs in.
    pub async fn connect(location: &'a Location) -> Result<Session<'a>, Error> {
        let socket = Socket::connect(&location.host, location.port, location.timeout_ms)
            .await
            .map_err(|e| unreachable(location, e))?;
        let mut session = Session { socket, buf: Vec::new(), location };
        if location.sslmode != SslMode::Disable {
            session.start_tls().await?;
        }
        let mut params = vec![("user", location.user.as_str()), ("client_encoding", "UTF8")];
        if let Some(db) = &location.database {
            params.push(("database", db.as_str()));
        }
        // Names this reader in pg_stat_activity, where an administrator looks.
        params.push(("application_name", "stage-action"));
        session.send(&wire::startup(&params)).await?;
        session.authenticate().await?;
        Ok(session)
    }

    async fn start_tls(&mut self) -> Result<(), Error> {
        let location = self.location;
        self.send(&wire::ssl_request()).await?;
        let answer = self.socket.read(1).await.map_err(|e| unreachable(location, e))?;
        match answer.first() {
            Some(b'S') => {}
            Some(b'N') => return Err(Error::NoTls { peer: location.peer(), sslmode: location.sslmode.name() }),
            _ => return Err(self.protocol("an answer to SSLRequest that is neither S nor N")),
        }
        let ca = match &location.sslrootcert {
            Some(path) => Some(read_root_cert(path)?),
            None => None,
        };
        let verify = match location.sslmode {
            SslMode::VerifyFull => Verify::Full,
            SslMode::VerifyCa => Verify::Chain,
            // lib/pq: `require` with a root certificate checks the chain, as verify-ca does.
            _ if ca.is_some() => Verify::Chain,
            _ => Verify::Nothing,
        };
        let options = TlsOptions { ca, verify, servername: location.host.clone() };
        self.socket.start_tls(&options).await.map_err(|e| match e.code.as_str() {
            host::TIMED_OUT => Error::TimedOut { why: e.message },
            _ => Error::Tls { peer: location.peer(), sslmode: location.sslmode.name(), why: tls_why(location, e) },
        })
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let location = self.location;
        self.socket.write(bytes).await.map_err(|e| unreachable(location, e))
    }

    /// The next message: its type and body. Notices and parameter reports are skipped.
    async fn next(&mut self) -> Result<(u8, Vec<u8>), Error> {
        loop {
            let total = loop {
                match wire::complete(&self.buf) {
                    Ok(Some(n)) => break n,
                    Ok(None) => {}
                    Err(what) => return Err(self.protocol(&what)),
                }
                let location = self.location;
                let chunk = self.socket.read(1 << 16).await.map_err(|e| unreachable(location, e))?;
                if chunk.is_empty() {
                    return Err(Error::Unreachable {
                        peer: self.location.peer(),
                        why: "the server closed the connection".into(),
                    });
                }
                self.buf.extend_from_slice(&chunk);
            };
            let tag = self.buf[0];
            let body = self.buf[5..total].to_vec();
            self.buf.drain(..total);
            match tag {
                b'N' | b'S' | b'K' => continue,
                _ => return Ok((tag, body)),
            }
        }
    }

    fn protocol(&self, what: &str) -> Error {
        Error::Protocol { peer: self.location.peer(), what: what.to_string() }
    }

    async fn authenticate(&mut self) -> Result<(), Error> {
        let location = self.location;
        let mut scram: Option<Scram> = None;
        loop {
            let (tag, body) = self.next().await?;
            match tag {
                b'R' => {}
                b'E' => return Err(login_error(location, wire::server_error(&body))),
                _ => return Err(self.protocol("a message other than authentication during login")),
            }
            let request = wire::auth(&body).map_err(|what| self.protocol(&what))?;
            let password = || {
                location
                    .password
                    .as_ref()
                    .map(|p| p.expose().to_string())
                    .ok_or_else(|| Error::NoPassword { user: location.user.clone(), peer: location.peer() })
            };
            match request {
                // A server that skips SCRAM's last step has not proven it knows the password.
                Auth::Ok if scram.as_ref().is_some_and(|s| !s.verified()) => {
                    return Err(self.protocol("the server ended SCRAM without proving it knows the password"))
                }
                Auth::Ok => break,
                Auth::Cleartext => self.send(&wire::password(&password()?)).await?,
                Auth::Md5(salt) => {
                    self.send(&wire::password(&auth::md5_password(&location.user, &password()?, salt))).await?
                }
                Auth::Sasl(mechanisms) => {
                    if !mechanisms.iter().any(|m| m == auth::SCRAM_SHA_256) {
                        return Err(Error::UnsupportedAuth { peer: location.peer(), method: mechanisms.join(", ") });
                    }
                    // A random UUID (122 bits from the host's CSPRNG) as the nonce, in printable form.
                    let nonce = host::random_uuid().replace('-', "");
                    let s = Scram::new(&password()?, &nonce);
                    self.send(&wire::sasl_initial(auth::SCRAM_SHA_256, s.client_first().as_bytes())).await?;
                    scram = Some(s);
                }
                Auth::SaslContinue(data) => {
                    let s = scram.as_mut().ok_or_else(|| self.protocol("SASL data before SASL began"))?;
                    let last = s.client_final(&data).map_err(|what| self.protocol(&what))?;
                    self.send(&wire::sasl_response(last.as_bytes())).await?;
                }
                Auth::SaslFinal(data) => {
                    let s = scram.as_mut().ok_or_else(|| self.protocol("SASL data before SASL began"))?;
                    s.verify_server(&data).map_err(|what| self.protocol(&what))?;
                }
                Auth::Other(code) => {
                    let method = match code {
                        2 => "Kerberos V5".to_string(),
                        7 | 8 => "GSSAPI".to_string(),
                        9 => "SSPI".to_string(),
                        other => format!("code {other}"),
                    };
                    return Err(Error::UnsupportedAuth { peer: location.peer(), method });
                }
            }
        }
        // Parameters and the key data come next; the session is ready at ReadyForQuery.
        loop {
            match self.next().await? {
                (b'Z', _) => return Ok(()),
                (b'E', body) => return Err(login_error(location, wire::server_error(&body))),
                _ => {}
            }
        }
    }

    /// Sends every query at once (each with its own `Sync`, so one failing does not stop the
    /// next) and reads their answers, in order: one round trip.
    pub async fn queries(&mut self, queries: &[(&str, &[&str])]) -> Result<Vec<Answer>, Error> {
        let bytes: Vec<u8> = queries.iter().flat_map(|(sql, params)| wire::query(sql, params)).collect();
        self.send(&bytes).await?;
        let mut answers = Vec::with_capacity(queries.len());
        for _ in queries {
            let mut rows = Vec::new();
            let mut failure = None;
            loop {
                let (tag, body) = self.next().await?;
                match tag {
                    b'D' => rows.push(wire::data_row(&body).map_err(|what| self.protocol(&what))?),
                    b'E' => failure = Some(wire::server_error(&body)),
                    b'Z' => break,
                    // ParseComplete, BindComplete, CommandComplete, NoData, EmptyQuery…
                    _ => {}
                }
            }
            answers.push(match failure {
                Some(e) => Err(e),
                None => Ok(rows),
            });
        }
        Ok(answers)
    }

    /// Says goodbye; the socket closes when the session is dropped.
    pub async fn close(mut self) {
        let _ = self.socket.write(&wire::terminate()).await;
        self.socket.close();
    }
}

fn read_root_cert(path: &str) -> Result<String, Error> {
    let bytes = host::read_file(path, crate::files::SMALL_FILE_LIMIT)
        .map_err(|e| Error::RootCert { path: path.to_string(), why: e.message })?;
    String::from_utf8(bytes).map_err(|_| Error::RootCert { path: path.to_string(), why: "it is not PEM text".into() })
}

/// Why a TLS handshake failed, in words about the certificate, from Node's (OpenSSL's) code.
fn tls_why(location: &Location, e: HostError) -> String {
    let issuer = match &location.sslrootcert {
        Some(path) => format!("by the CA in sslrootcert {}", crate::text::quote(path)),
        None => "by a CA this runner trusts".to_string(),
    };
    match e.code.as_str() {
        "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
        | "UNABLE_TO_GET_ISSUER_CERT"
        | "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
        | "SELF_SIGNED_CERT_IN_CHAIN"
        | "DEPTH_ZERO_SELF_SIGNED_CERT"
        | "CERT_SIGNATURE_FAILURE" => format!("the server's certificate is not signed {issuer}"),
        "ERR_TLS_CERT_ALTNAME_INVALID" => {
            format!("the server's certificate does not name {}", crate::text::quote(&location.host))
        }
        "CERT_HAS_EXPIRED" => "the server's certificate has expired".to_string(),
        "CERT_NOT_YET_VALID" => "the server's certificate is not valid yet".to_string(),
        "" => crate::text::excerpt(&e.message),
        code => format!("{} ({})", crate::text::excerpt(&e.message), crate::text::name(code)),
    }
}

/// A transport failure, as the backend's error.
fn unreachable(location: &Location, e: HostError) -> Error {
    if e.code == host::TIMED_OUT {
        return Error::TimedOut { why: e.message };
    }
    Error::Unreachable { peer: location.peer(), why: e.message }
}

/// An error during login: refused credentials, or anything else the server says.
fn login_error(location: &Location, e: ServerError) -> Error {
    if AUTH_CODES.contains(&e.code.as_str()) {
        return Error::AuthFailed {
            user: location.user.clone(),
            peer: location.peer(),
            database: location.database_name().to_string(),
            server: e.message,
        };
    }
    super::server_error(location, e)
}
