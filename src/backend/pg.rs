//! The pg backend: Terraform's state in PostgreSQL, one row per workspace in
//! `<schema_name>.states(id, name, data)` (`data` the state's JSON text), locked by a session
//! advisory lock on the row's id while Terraform plans or applies.
//!
//! The wire protocol is spoken here ([`wire`], [`auth`], [`session`]) over the host's TCP
//! socket, upgraded to TLS as `sslmode` says: Terraform's driver, lib/pq, defaults to
//! `require` (encrypted, not verified), knows `disable`, `verify-ca` and `verify-full`, and
//! refuses libpq's `prefer` and `allow`, so they are refused here too. One read logs in and sends
//! three queries at once (the state, the lock, the workspaces): one round trip after the login.
//!
//! A database without the schema or its `states` table is an error, not "no state yet":
//! Terraform creates both at `terraform init`, so their absence means init never ran against
//! this database — or `conn_str` names the wrong database, or `schema_name` the wrong schema, a
//! mistake that `promote` must not take for a first deployment.

pub mod auth;
pub mod conn_str;
pub mod error;
pub mod session;
pub mod wire;

pub use error::Error;

use super::config::{BackendConfig, KeyProblem};
use super::workspace::Workspace;
use super::{Lock, NoState, Opened, Snapshot};
use crate::context::Context;
use crate::secret::Secret;
use session::{Answer, Session};
use wire::{quote_identifier, ServerError};

/// The backend's name, as Terraform's `backend "pg"` block spells it.
pub const NAME: &str = "pg";

/// Every key of Terraform's schema for this backend (`internal/backend/remote-state/pg`). The
/// `skip_*_creation` keys only matter to a writer: a reader creates nothing.
pub const KEYS: &[&str] =
    &["conn_str", "schema_name", "skip_schema_creation", "skip_table_creation", "skip_index_creation"];

/// Keys whose values are credentials: the connection string may hold the password, which the
/// seam also masks alone (`backend::choose::passwords`, with this module's conn_str parser),
/// since it appears in the string percent-encoded or quoted.
pub const SECRETS: &[&str] = &["conn_str"];

/// Terraform's environment fallbacks, in order.
pub const ENV: &[(&str, &[&str])] = &[
    ("conn_str", &["PG_CONN_STR"]),
    ("schema_name", &["PG_SCHEMA_NAME"]),
    ("skip_schema_creation", &["PG_SKIP_SCHEMA_CREATION"]),
    ("skip_table_creation", &["PG_SKIP_TABLE_CREATION"]),
    ("skip_index_creation", &["PG_SKIP_INDEX_CREATION"]),
];

/// The schema Terraform uses when `schema_name` is not set.
pub const DEFAULT_SCHEMA: &str = "terraform_remote_state";

/// PostgreSQL's port.
pub const DEFAULT_PORT: u16 = 5432;

/// How the connection is encrypted, as lib/pq reads `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// No TLS.
    Disable,
    /// TLS, the certificate not checked (unless `sslrootcert` names a CA: then its chain is).
    Require,
    /// TLS, the certificate's chain checked, not its name.
    VerifyCa,
    /// TLS, the certificate's chain and name checked.
    VerifyFull,
}

impl SslMode {
    /// As written in a connection string.
    pub fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Where a pg state is, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The server's host name or address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The user to log in as.
    pub user: String,
    /// The password, if the connection string has one.
    pub password: Option<Secret>,
    /// The database; `None` for the server's default (the user's name).
    pub database: Option<String>,
    /// How the connection is encrypted.
    pub sslmode: SslMode,
    /// The CA's PEM file that checks the server's certificate (`sslrootcert`).
    pub sslrootcert: Option<String>,
    /// The schema of the `states` table.
    pub schema: String,
    /// The workspace, and what chose it.
    pub workspace: Workspace,
    /// The whole read must end within this many milliseconds.
    pub timeout_ms: u64,
}

impl Location {
    /// `host:port`, for messages.
    pub fn peer(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The database as the server picks it.
    pub fn database_name(&self) -> &str {
        self.database.as_deref().unwrap_or(&self.user)
    }

    /// Where the states are, for messages: `database tfstate on db.example:5432`.
    pub fn place(&self) -> String {
        format!("database {} on {}", crate::text::name(self.database_name()), self.peer())
    }

    /// The row that holds the workspace's state, for messages.
    fn row(&self, workspace: &str) -> String {
        format!("row {} of {}.states", crate::text::quote(workspace), quote_identifier(&self.schema))
    }
}

/// Connection-string keys that ask for what this reader does not do: a client certificate.
const CLIENT_CERT_KEYS: [&str; 3] = ["sslcert", "sslkey", "sslinline"];

/// Reads `conn_str` and `schema_name` into a [`Location`]; every problem at once. Relative
/// `sslrootcert` paths start at the run's workspace.
pub fn configure(
    config: &BackendConfig,
    workspace: &Workspace,
    context: &Context,
    timeout_ms: u64,
) -> Result<Location, Vec<KeyProblem>> {
    let mut problems = Vec::new();
    let conn = match config.string("conn_str") {
        Ok(Some(value)) => Some(value),
        Ok(None) => {
            problems.push(config.problem(
                "conn_str",
                "is required: postgres://USER:PASSWORD@HOST:PORT/DATABASE, as Terraform's backend takes it (or PG_CONN_STR)",
            ));
            None
        }
        Err(p) => {
            problems.push(p);
            None
        }
    };
    let schema = match config.string("schema_name") {
        Ok(Some((s, _))) if !s.is_empty() => s,
        Ok(_) => DEFAULT_SCHEMA.to_string(),
        Err(p) => {
            problems.push(p);
            DEFAULT_SCHEMA.to_string()
        }
    };
    let Some((text, from)) = conn else { return Err(problems) };
    let problem = |message: String| KeyProblem { key: "conn_str".into(), from: Some(from.clone()), message };
    let params = match conn_str::parse(&text) {
        Ok(p) => p,
        Err(why) => {
            problems.push(problem(why));
            return Err(problems);
        }
    };
    let host = params.get("host").filter(|h| !h.is_empty()).unwrap_or("localhost").to_string();
    if host.starts_with('/') {
        problems.push(problem(
            "names a Unix socket directory as its host; this action connects over TCP: give the server's host name or address".into(),
        ));
    }
    let port = match params.get("port").filter(|p| !p.is_empty()) {
        None => DEFAULT_PORT,
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0).unwrap_or_else(|| {
            problems.push(problem(format!("has port {}, which is not a port number", crate::text::quote(p))));
            DEFAULT_PORT
        }),
    };
    let user = params.get("user").filter(|u| !u.is_empty()).map(str::to_string);
    if user.is_none() {
        problems.push(problem(
            "names no user; add one (postgres://USER:PASSWORD@HOST/DATABASE): this action does not guess it from the runner's account".into(),
        ));
    }
    let sslmode = match params.get("sslmode").unwrap_or("") {
        "" | "require" => SslMode::Require,
        "disable" => SslMode::Disable,
        "verify-ca" => SslMode::VerifyCa,
        "verify-full" => SslMode::VerifyFull,
        other => {
            problems.push(problem(format!(
                "has sslmode {}, which Terraform's driver (lib/pq) does not support; use require (the default), verify-ca, verify-full or disable",
                crate::text::quote(other)
            )));
            SslMode::Require
        }
    };
    for key in CLIENT_CERT_KEYS {
        if params.get(key).is_some() {
            problems.push(problem(format!(
                "sets {key}: client certificates are not supported by this action yet; authenticate with a password"
            )));
        }
    }
    let sslrootcert = params.get("sslrootcert").filter(|p| !p.is_empty()).map(|p| resolve(&context.workspace, p));
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Location {
        host,
        port,
        user: user.unwrap_or_default(),
        password: params.get("password").map(Secret::new),
        database: params.get("dbname").filter(|d| !d.is_empty()).map(str::to_string),
        sslmode,
        sslrootcert,
        schema,
        workspace: workspace.clone(),
        timeout_ms,
    })
}

/// `path`, relative to `base` unless absolute.
fn resolve(base: &str, path: &str) -> String {
    if path.starts_with('/') || base.is_empty() {
        path.to_string()
    } else {
        format!("{}/{path}", base.trim_end_matches('/'))
    }
}

/// The three queries of a read: the state, the lock on it, and the workspaces that have one.
fn read_queries(schema: &str) -> [String; 3] {
    let states = format!("{}.states", quote_identifier(schema));
    [
        format!("SELECT data FROM {states} WHERE name = $1"),
        // A session advisory lock on a bigint key shows in pg_locks as its high (classid) and low
        // (objid) 32 bits with objsubid 1; the session's address and start come from
        // pg_stat_activity (NULL for another role's session without pg_read_all_stats).
        format!(
            "SELECT l.pid::text, host(a.client_addr), to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') \
             FROM pg_locks l JOIN {states} s ON l.locktype = 'advisory' AND l.objsubid = 1 \
             AND ((l.classid::bigint << 32) | l.objid::bigint) = s.id \
             LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE s.name = $1 AND l.granted"
        ),
        format!("SELECT name FROM {states} ORDER BY name"),
    ]
}

/// Reads the state of the location's workspace.
pub async fn open(location: &Location) -> crate::error::Result<Opened> {
    let [read, lock, names] = read_queries(&location.schema);
    let workspace = location.workspace.name.as_str();
    let mut session = Session::connect(location).await.map_err(into_crate)?;
    let answers = session.queries(&[(&read, &[workspace]), (&lock, &[workspace]), (&names, &[])]).await;
    session.close().await;
    let [state, lock, names]: [Answer; 3] = answers
        .map_err(into_crate)?
        .try_into()
        .map_err(|_| crate::error::Error::Internal("pg: three queries, not three answers".into()))?;
    answer(location, state, lock, names).map_err(into_crate)
}

/// The workspaces that have a state, `default` first, then by name (as `terraform workspace
/// list` orders them).
pub async fn workspaces(location: &Location) -> crate::error::Result<Vec<String>> {
    let [_, _, names] = read_queries(&location.schema);
    let mut session = Session::connect(location).await.map_err(into_crate)?;
    let answers = session.queries(&[(&names, &[])]).await;
    session.close().await;
    let names = answers.map_err(into_crate)?.pop().unwrap_or(Ok(Vec::new()));
    workspace_names(location, names).map_err(into_crate)
}

fn into_crate(e: Error) -> crate::error::Error {
    crate::error::Error::Backend(super::Error::Pg(e))
}

/// The answers of a read, as the state, or "no state yet". Pure.
pub fn answer(location: &Location, state: Answer, lock: Answer, names: Answer) -> Result<Opened, Error> {
    let rows = state.map_err(|e| server_error(location, e))?;
    let workspace = &location.workspace.name;
    let data = match rows.into_iter().next() {
        Some(mut columns) => columns.drain(..).next().flatten(),
        None => None,
    };
    let Some(data) = data else {
        return Ok(Opened::NoStateYet(NoState {
            backend: NAME,
            place: location.place(),
            looked_for: location.row(workspace),
            workspace: Some(location.workspace.clone()),
            existing: workspace_names(location, names)?,
        }));
    };
    let lock = lock.map_err(|e| server_error(location, e))?.into_iter().next().map(|columns| session_lock(&columns));
    Ok(Opened::State(Snapshot {
        size: Some(data.len() as u64),
        body: Box::new(std::io::Cursor::new(data)),
        name: format!("{} in {}", location.row(workspace), location.place()),
        workspace: Some(workspace.clone()),
        modified_ms: None,
        lock,
        warnings: Vec::new(),
    }))
}

/// A lock from a row of the lock query: pid, client address, session start (each may be NULL).
fn session_lock(columns: &[Option<Vec<u8>>]) -> Lock {
    let text = |i: usize| columns.get(i).cloned().flatten().map(|b| crate::text::name(&String::from_utf8_lossy(&b)));
    let mut who = "a session".to_string();
    if let Some(addr) = text(1) {
        who.push_str(&format!(" from {addr}"));
    }
    if let Some(pid) = text(0) {
        who.push_str(&format!(" (pid {pid})"));
    }
    if let Some(since) = text(2) {
        who.push_str(&format!(" since {since}"));
    }
    Lock { who: Some(who), ..Lock::default() }
}

/// The workspace names of the names query, `default` first.
fn workspace_names(location: &Location, names: Answer) -> Result<Vec<String>, Error> {
    let names = names
        .map_err(|e| server_error(location, e))?
        .into_iter()
        .filter_map(|columns| columns.into_iter().next().flatten())
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    Ok(super::workspace::ordered(names))
}

/// SQLSTATEs of a missing schema (`invalid_schema_name`) or table (`undefined_table`).
const MISSING_CODES: [&str; 2] = ["3F000", "42P01"];

/// A server's error, as the backend's.
fn server_error(location: &Location, e: ServerError) -> Error {
    if MISSING_CODES.contains(&e.code.as_str()) {
        return Error::NotInitialized {
            schema: location.schema.clone(),
            database: location.database_name().to_string(),
            peer: location.peer(),
        };
    }
    let message = match e.hint {
        Some(hint) => format!("{} ({hint})", e.message),
        None => e.message,
    };
    Error::Server { peer: location.peer(), database: location.database_name().to_string(), code: e.code, message }
}

#[cfg(test)]
mod tests;
