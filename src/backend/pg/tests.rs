use std::io::Read;

use serde_json::json;

use super::*;
use crate::backend::config::From;
use crate::backend::workspace::Selected;

fn config(pairs: &[(&str, &str)]) -> BackendConfig {
    let mut c = BackendConfig::new(NAME);
    for (line, (k, v)) in pairs.iter().enumerate() {
        c.set(k, json!(v), From::Input { line: line + 1 });
    }
    c
}

fn workspace(name: &str) -> Workspace {
    Workspace { name: name.into(), selected: Selected::Setting }
}

fn context() -> Context {
    Context { workspace: "/work/repo".into(), ..Context::default() }
}

fn location(conn: &str) -> Location {
    configure(&config(&[("conn_str", conn)]), &workspace("dev"), &context(), 30_000).unwrap()
}

fn problems(pairs: &[(&str, &str)]) -> Vec<String> {
    configure(&config(pairs), &workspace("default"), &context(), 30_000)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_url_becomes_a_location_with_terraforms_defaults() {
    let l = location("postgres://tf:pw@db.example/tfstate");
    assert_eq!(
        (l.host.as_str(), l.port, l.user.as_str(), l.database.as_deref(), l.sslmode, l.schema.as_str()),
        ("db.example", 5432, "tf", Some("tfstate"), SslMode::Require, "terraform_remote_state")
    );
    assert_eq!(l.password.as_ref().map(Secret::expose), Some("pw"));
    assert!(!format!("{l:?}").contains("pw\""), "the password never prints");
    assert_eq!(l.timeout_ms, 30_000);
}

#[test]
fn a_dsn_sets_sslmode_a_relative_root_certificate_and_the_schema() {
    let c = config(&[
        ("conn_str", "host=10.0.0.5 port=6432 user=tf dbname=s sslmode=verify-full sslrootcert=ca.pem"),
        ("schema_name", "team_a"),
    ]);
    let l = configure(&c, &workspace("default"), &context(), 5_000).unwrap();
    assert_eq!((l.peer(), l.sslmode, l.schema.as_str()), ("10.0.0.5:6432".into(), SslMode::VerifyFull, "team_a"));
    assert_eq!(l.sslrootcert.as_deref(), Some("/work/repo/ca.pem"));
    assert_eq!(l.password, None);
}

#[test]
fn every_problem_with_the_connection_string_is_reported_at_once_without_its_text() {
    assert_eq!(
        problems(&[("conn_str", "postgres://:secret@/x?sslmode=prefer&sslcert=c.pem")]),
        [
            "input `backend-config` line 1, `conn_str`: names no user; add one (postgres://USER:PASSWORD@HOST/DATABASE): this action does not guess it from the runner's account",
            "input `backend-config` line 1, `conn_str`: has sslmode \"prefer\", which Terraform's driver (lib/pq) does not support; use require (the default), verify-ca, verify-full or disable",
            "input `backend-config` line 1, `conn_str`: sets sslcert: client certificates are not supported by this action yet; authenticate with a password",
        ]
    );
    assert_eq!(
        problems(&[("conn_str", "host=/var/run/postgresql port=x user=u")]),
        [
            "input `backend-config` line 1, `conn_str`: names a Unix socket directory as its host; this action connects over TCP: give the server's host name or address",
            "input `backend-config` line 1, `conn_str`: has port \"x\", which is not a port number",
        ]
    );
    assert_eq!(
        problems(&[]),
        ["`conn_str`: is required: postgres://USER:PASSWORD@HOST:PORT/DATABASE, as Terraform's backend takes it (or PG_CONN_STR)"]
    );
}

#[test]
fn the_connection_string_and_its_decoded_password_are_secrets() {
    // The whole conn_str is a secret key's value; the seam also masks the password inside it,
    // as pg's parser reads it (backend::choose::passwords).
    use crate::backend::choose::passwords;
    assert!(SECRETS.contains(&"conn_str"));
    assert_eq!(passwords("postgres://tf:p%40ss@h/db"), ["p%40ss", "p@ss"]);
    assert_eq!(passwords("host=h user=u password='a b'"), ["a b"]);
    assert_eq!(passwords("host=h user=u password='it\\'s'"), ["it's"]);
    assert!(passwords("host=h user=u").is_empty());
}

fn rows(values: &[&[Option<&str>]]) -> Answer {
    Ok(values.iter().map(|r| r.iter().map(|c| c.map(|s| s.as_bytes().to_vec())).collect()).collect())
}

fn missing_table() -> Answer {
    Err(ServerError { code: "42P01".into(), message: "relation does not exist".into(), ..ServerError::default() })
}

#[test]
fn a_row_is_the_state_and_a_held_advisory_lock_says_which_session() {
    let l = location("postgres://tf@127.0.0.1:5433/tfstate");
    let opened = answer(
        &l,
        rows(&[&[Some("{\"version\":4}")]]),
        rows(&[&[Some("4242"), Some("10.1.2.3"), Some("2026-11-29T10:00:00Z")]]),
        rows(&[&[Some("default")], &[Some("dev")]]),
    )
    .unwrap();
    let Opened::State(mut snapshot) = opened else { panic!("a state") };
    let mut body = String::new();
    snapshot.body.read_to_string(&mut body).unwrap();
    assert_eq!(body, "{\"version\":4}");
    assert_eq!(snapshot.size, Some(13));
    assert_eq!(snapshot.name, "row \"dev\" of \"terraform_remote_state\".states in database tfstate on 127.0.0.1:5433");
    assert_eq!(
        snapshot.lock.unwrap().to_string(),
        "locked by a session from 10.1.2.3 (pid 4242) since 2026-11-29T10:00:00Z"
    );
}

#[test]
fn a_lock_seen_without_the_right_to_see_its_session_still_shows() {
    let l = location("postgres://tf@h/db");
    let Opened::State(s) = answer(&l, rows(&[&[Some("{}")]]), rows(&[&[Some("7"), None, None]]), rows(&[])).unwrap()
    else {
        panic!("a state")
    };
    assert_eq!(s.lock.unwrap().to_string(), "locked by a session (pid 7)");
}

#[test]
fn no_row_is_no_state_yet_listing_the_workspaces_default_first() {
    let l = location("postgres://tf@h/db");
    let names = rows(&[&[Some("blue")], &[Some("default")], &[Some("green")]]);
    let Opened::NoStateYet(none) = answer(&l, rows(&[]), rows(&[]), names).unwrap() else { panic!("no state") };
    assert_eq!(none.backend, "pg");
    assert_eq!(none.existing, ["default", "blue", "green"]);
    assert_eq!(none.looked_for, "row \"dev\" of \"terraform_remote_state\".states");
    assert_eq!(
        none.to_string(),
        "workspace \"dev\" (selected by input `workspace`) has no state in the pg backend at database db on h:5432: looked for row \"dev\" of \"terraform_remote_state\".states; workspaces with a state: default, blue, green; set input `workspace` to one of them"
    );
}

#[test]
fn a_missing_table_means_terraform_init_has_not_run_there() {
    let l = location("postgres://tf@h/db");
    let Err(e) = answer(&l, missing_table(), missing_table(), missing_table()) else { panic!("an error") };
    assert_eq!(
        e.to_string(),
        "pg backend: database \"db\" on h:5432 has no table \"terraform_remote_state\".states: terraform init has not run with this backend (or `conn_str` names another database, or `schema_name` another schema); run terraform init, or fix the database and schema_name"
    );
    let top = crate::error::Error::Backend(crate::backend::Error::Pg(e));
    assert_eq!(top.title(), "backend error");
}

#[test]
fn a_hostile_schema_name_stays_one_identifier_in_every_query() {
    for sql in read_queries("x\".states; DROP TABLE y; --") {
        assert!(sql.contains("\"x\"\".states; DROP TABLE y; --\".states"), "{sql}");
    }
}
