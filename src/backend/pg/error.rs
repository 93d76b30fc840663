//! What can go wrong reading a state from PostgreSQL, each message saying what failed, where
//! (the server, the database, the `conn_str` setting) and what to do. Server text is quoted;
//! no message holds a password or the connection string.

use std::fmt;

/// A problem of the pg backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// No connection could be made, or it broke: refused, unknown host, reset.
    Unreachable {
        /// `host:port`.
        peer: String,
        /// What the host said.
        why: String,
    },
    /// The server did not answer within the time-out.
    TimedOut {
        /// What the host said (it names the peer and the time).
        why: String,
    },
    /// The server refuses TLS, and `sslmode` asks for it.
    NoTls {
        /// `host:port`.
        peer: String,
        /// The `sslmode` in force.
        sslmode: &'static str,
    },
    /// The TLS handshake failed: a certificate not trusted, or naming another host.
    Tls {
        /// `host:port`.
        peer: String,
        /// The `sslmode` in force.
        sslmode: &'static str,
        /// Why, in words about the certificate (data in it already quoted).
        why: String,
    },
    /// `sslrootcert` could not be read.
    RootCert {
        /// The path as written.
        path: String,
        /// Why not.
        why: String,
    },
    /// The server refused the user's credentials.
    AuthFailed {
        /// The user.
        user: String,
        /// `host:port`.
        peer: String,
        /// The database.
        database: String,
        /// The server's message.
        server: String,
    },
    /// The server asks for a password and `conn_str` has none.
    NoPassword {
        /// The user.
        user: String,
        /// `host:port`.
        peer: String,
    },
    /// The server asks for an authentication this action does not speak.
    UnsupportedAuth {
        /// `host:port`.
        peer: String,
        /// Its name.
        method: String,
    },
    /// The schema or its `states` table does not exist: Terraform never initialized this
    /// backend in this database.
    NotInitialized {
        /// The schema.
        schema: String,
        /// The database.
        database: String,
        /// `host:port`.
        peer: String,
    },
    /// Any other error the server answered.
    Server {
        /// `host:port`.
        peer: String,
        /// The database.
        database: String,
        /// The SQLSTATE.
        code: String,
        /// The server's message (and hint).
        message: String,
    },
    /// The server broke the protocol.
    Protocol {
        /// `host:port`.
        peer: String,
        /// What was wrong.
        what: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unreachable { peer, why } => write!(
                f,
                "pg backend: cannot reach PostgreSQL at {peer} ({why}); check the host and port in `conn_str`, and that the server accepts TCP connections from this runner"
            ),
            Error::TimedOut { why } => write!(
                f,
                "pg backend: {why}; check the host and port in `conn_str`, and that no firewall drops the connection"
            ),
            Error::NoTls { peer, sslmode } => write!(
                f,
                "pg backend: PostgreSQL at {peer} does not accept TLS, and `conn_str` asks for it (sslmode={sslmode}, Terraform's default is require); enable ssl on the server, or add sslmode=disable to `conn_str` if the network is trusted"
            ),
            Error::Tls { peer, sslmode, why } => write!(
                f,
                "pg backend: the TLS handshake with PostgreSQL at {peer} failed (sslmode={sslmode}): {why}; check sslrootcert (the CA that signed the server's certificate) and that the host in `conn_str` is a name the certificate holds"
            ),
            Error::RootCert { path, why } => write!(
                f,
                "pg backend: cannot read sslrootcert {} from `conn_str`: {why}; point it at the PEM file of the CA that signed the server's certificate",
                crate::text::quote(path)
            ),
            Error::AuthFailed { user, peer, database, server } => write!(
                f,
                "pg backend: PostgreSQL at {peer} refused user {} for database {}: {}; check the user and password in `conn_str`",
                crate::text::quote(user),
                crate::text::quote(database),
                crate::text::quote(server)
            ),
            Error::NoPassword { user, peer } => write!(
                f,
                "pg backend: PostgreSQL at {peer} asks for the password of user {}, and `conn_str` has none; add it (postgres://USER:PASSWORD@HOST/DB, from a secret)",
                crate::text::quote(user)
            ),
            Error::UnsupportedAuth { peer, method } => write!(
                f,
                "pg backend: PostgreSQL at {peer} asks for {} authentication; this action speaks password, md5 and SCRAM-SHA-256: give the user one of those in pg_hba.conf",
                crate::text::name(method)
            ),
            Error::NotInitialized { schema, database, peer } => write!(
                f,
                "pg backend: database {} on {peer} has no table {}.states: terraform init has not run with this backend (or `conn_str` names another database, or `schema_name` another schema); run terraform init, or fix the database and schema_name",
                crate::text::quote(database),
                crate::text::quote(schema)
            ),
            Error::Server { peer, database, code, message } => write!(
                f,
                "pg backend: PostgreSQL at {peer} (database {}) answered error {}: {}",
                crate::text::quote(database),
                crate::text::name(code),
                crate::text::quote(message)
            ),
            Error::Protocol { peer, what } => {
                write!(f, "pg backend: PostgreSQL at {peer} broke the protocol: {what}; is it a PostgreSQL server?")
            }
        }
    }
}

impl std::error::Error for Error {}
