//! The pg backend against a real PostgreSQL (started by tests/servers/pg.sh, states written by
//! the real Terraform): each authentication, workspaces, a held lock, no state yet, wrong
//! credentials, a server that is not there or never answers. Natively, without TLS (the native
//! host has none); TLS is tested through `node dist/index.js` (tests/node/pg.test.mjs).
//! PostgreSQL missing is a failure, not a skip: .ci/run installs it.
#![cfg(not(target_arch = "wasm32"))]

use std::future::Future;
use std::io::Read;
use std::pin::pin;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::task::{Context as TaskContext, Poll, Waker};

use serde_json::json;
use stage_action::backend::config::From;
use stage_action::backend::pg::{self, Location};
use stage_action::backend::workspace::{Selected, Workspace};
use stage_action::backend::{BackendConfig, Opened};
use stage_action::context::Context;

/// The native host's futures are ready when first polled.
fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut TaskContext::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the native host never waits"),
    }
}

struct Server {
    port: u16,
    socket_dir: String,
    _dir: tempfile::TempDir,
}

/// One server for every test of this file; a watcher stops it when the test process ends.
fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("pg-backend-").tempdir_in("/tmp").expect("a temporary directory");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/servers/pg.sh");
        let out = Command::new("bash")
            .args([script, "start", dir.path().to_str().unwrap()])
            .env("WATCH_PID", std::process::id().to_string())
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "tests/servers/pg.sh could not start PostgreSQL (is it installed? .ci/run installs it):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = String::from_utf8_lossy(&out.stdout).trim().parse().expect("the port");
        let socket_dir = format!("{}/run", dir.path().display());
        Server { port, socket_dir, _dir: dir }
    })
}

fn location(conn: &str, workspace: &str, schema: Option<&str>) -> Location {
    let mut config = BackendConfig::new(pg::NAME);
    config.set("conn_str", json!(conn), From::Input { line: 1 });
    if let Some(s) = schema {
        config.set("schema_name", json!(s), From::Input { line: 2 });
    }
    let ws = Workspace { name: workspace.into(), selected: Selected::Setting };
    pg::configure(&config, &ws, &Context::default(), 10_000).expect("a valid configuration")
}

fn conn(user: &str, password: &str) -> String {
    format!("postgres://{user}:{password}@127.0.0.1:{}/tfstate?sslmode=disable", server().port)
}

fn read_state(location: &Location) -> (String, Option<String>) {
    match ready(pg::open(location)) {
        Ok(Opened::State(mut s)) => {
            let mut body = String::new();
            s.body.read_to_string(&mut body).unwrap();
            (body, s.lock.map(|l| l.to_string()))
        }
        Ok(Opened::NoStateYet(none)) => panic!("no state: {none}"),
        Err(e) => panic!("{e}"),
    }
}

fn error(location: &Location) -> String {
    match ready(pg::open(location)) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("an error"),
    }
}

#[test]
fn scram_md5_and_cleartext_users_read_the_state_terraform_wrote() {
    for user in ["tf_scram", "tf_md5", "tf_plain"] {
        let (body, lock) = read_state(&location(&conn(user, &format!("{user}-pw")), "default", None));
        assert!(body.contains("registry.example.com/app:default-v1"), "{user}: {body}");
        assert!(body.contains("\"serial\""), "{user}");
        assert_eq!(lock, None);
    }
}

#[test]
fn a_named_workspace_is_its_own_row() {
    let (body, _) = read_state(&location(&conn("tf_scram", "tf_scram-pw"), "staging", None));
    assert!(body.contains("registry.example.com/app:staging-v1"), "{body}");
    let l = location(&conn("tf_md5", "tf_md5-pw"), "default", None);
    assert_eq!(ready(pg::workspaces(&l)).unwrap(), ["default", "staging"]);
}

#[test]
fn a_workspace_without_a_row_is_no_state_yet_listing_those_that_have_one() {
    let l = location(&conn("tf_scram", "tf_scram-pw"), "prod", None);
    let Ok(Opened::NoStateYet(none)) = ready(pg::open(&l)) else { panic!("no state yet") };
    assert_eq!(none.existing, ["default", "staging"]);
    assert_eq!(
        none.to_string(),
        format!(
            "workspace \"prod\" (selected by input `workspace`) has no state in the pg backend at database tfstate on 127.0.0.1:{}: looked for row \"prod\" of \"terraform_remote_state\".states; workspaces with a state: default, staging; set input `workspace` to one of them",
            server().port
        )
    );
}

#[test]
fn a_schema_terraform_never_created_says_init_has_not_run() {
    let l = location(&conn("tf_scram", "tf_scram-pw"), "default", Some("elsewhere"));
    assert_eq!(
        error(&l),
        format!("pg backend: database \"tfstate\" on 127.0.0.1:{} has no table \"elsewhere\".states: terraform init has not run with this backend (or `conn_str` names another database, or `schema_name` another schema); run terraform init, or fix the database and schema_name", server().port)
    );
}

#[test]
fn a_wrong_password_names_the_user_and_never_the_password() {
    for user in ["tf_scram", "tf_md5", "tf_plain"] {
        let message = error(&location(&conn(user, "not-the-password"), "default", None));
        assert_eq!(
            message,
            format!(
                "pg backend: PostgreSQL at 127.0.0.1:{} refused user \"{user}\" for database \"tfstate\": \"password authentication failed for user \\\"{user}\\\"\"; check the user and password in `conn_str`",
                server().port
            )
        );
        assert!(!message.contains("not-the-password"));
    }
    let no_password = format!("postgres://tf_scram@127.0.0.1:{}/tfstate?sslmode=disable", server().port);
    assert_eq!(
        error(&location(&no_password, "default", None)),
        format!("pg backend: PostgreSQL at 127.0.0.1:{} asks for the password of user \"tf_scram\", and `conn_str` has none; add it (postgres://USER:PASSWORD@HOST/DB, from a secret)", server().port)
    );
}

/// A session that holds Terraform's lock (an advisory lock on the row's id) until killed.
struct HeldLock(Child);

impl HeldLock {
    fn take(workspace: &str) -> HeldLock {
        let s = server();
        let sql = format!(
            "SELECT pg_advisory_lock(id) FROM terraform_remote_state.states WHERE name = '{workspace}'; SELECT pg_sleep(60);"
        );
        let child = Command::new("psql")
            .args(["-h", "127.0.0.1", "-p", &s.port.to_string(), "-U", "tf_scram", "-d", "tfstate", "-X", "-c", &sql])
            .env("PGPASSWORD", "tf_scram-pw")
            .env("PGSSLMODE", "disable")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("psql runs");
        let held = HeldLock(child);
        for _ in 0..100 {
            let out = Command::new("psql")
                .args(["-h", &s.socket_dir, "-p", &s.port.to_string(), "-U", "postgres", "-d", "tfstate", "-XAtc"])
                .arg("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
                .output()
                .expect("psql runs");
            if String::from_utf8_lossy(&out.stdout).trim() != "0" {
                return held;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the advisory lock was never taken");
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_lock_held_as_terraform_holds_it_is_seen_with_its_session() {
    let held = HeldLock::take("staging");
    let (body, lock) = read_state(&location(&conn("tf_md5", "tf_md5-pw"), "staging", None));
    assert!(body.contains("staging-v1"));
    let lock = lock.expect("the lock is seen");
    let pid = held.0.id();
    // The pid is the server's backend process, not psql's: only its shape is known.
    assert!(lock.starts_with("locked by a session from 127.0.0.1 (pid "), "{lock} (psql {pid})");
    assert!(lock.contains(") since 20") && lock.ends_with('Z'), "{lock}");
    // The other workspace's row is not locked.
    assert_eq!(read_state(&location(&conn("tf_md5", "tf_md5-pw"), "default", None)).1, None);
    drop(held);
}

#[test]
fn tls_is_asked_for_by_default_and_the_native_host_says_it_has_none() {
    let l = location(&format!("postgres://tf_scram:tf_scram-pw@127.0.0.1:{}/tfstate", server().port), "default", None);
    assert_eq!(l.sslmode, pg::SslMode::Require);
    let message = error(&l);
    assert!(
        message.contains("the TLS handshake with PostgreSQL at 127.0.0.1:")
            && message.contains("failed (sslmode=require): TLS is not available in a native build"),
        "{message}"
    );
}

#[test]
fn a_closed_port_is_unreachable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let l = location(&format!("postgres://tf:pw@127.0.0.1:{port}/db?sslmode=disable"), "default", None);
    let message = error(&l);
    assert!(message.starts_with(&format!("pg backend: cannot reach PostgreSQL at 127.0.0.1:{port} (")), "{message}");
    assert!(message.ends_with(
        "check the host and port in `conn_str`, and that the server accepts TCP connections from this runner"
    ));
}

#[test]
fn a_server_that_never_answers_fails_within_the_time_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = BackendConfig::new(pg::NAME);
    config.set("conn_str", json!(format!("postgres://tf:pw@127.0.0.1:{port}/db")), From::Input { line: 1 });
    let ws = Workspace { name: "default".into(), selected: Selected::Default };
    let l = pg::configure(&config, &ws, &Context::default(), 300).unwrap();
    let started = std::time::Instant::now();
    let message = error(&l);
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(
        message,
        format!("pg backend: 127.0.0.1:{port} did not answer within 0.3 s; check the host and port in `conn_str`, and that no firewall drops the connection")
    );
    drop(listener);
}
