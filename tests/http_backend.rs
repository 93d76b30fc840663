//! Terraform's `http` backend read from inside wasm, under Node, as the action runs: against the
//! loopback state server of tests/servers/, into which the real `terraform` binary wrote the
//! state (when it is on PATH), over plain HTTP with Basic credentials and over HTTPS with a
//! client certificate (the test-only PEMs of tests/fixtures/tls/).
#![cfg(target_arch = "wasm32")]

use serde_json::json;
use stage_action::backend::config::From;
use stage_action::backend::http::{self, Location};
use stage_action::backend::workspace::{Selected, Workspace};
use stage_action::backend::{BackendConfig, Opened};
use stage_action::context::Context;
use stage_action::host;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[wasm_bindgen(inline_js = r#"
    const servers = (globalThis.__httpStateServers ??= new Map());
    // Starts tests/servers/http-state-server.mjs; `tls_dir` empty for plain HTTP, else HTTPS
    // requiring a client certificate signed by its ca.crt. `share` is the URL of a server whose
    // states this one serves, or empty.
    export async function start_state_server(root, user, password, tls_dir, share) {
        const fs = await import('node:fs');
        const { startStateServer } = await import(`${root}/tests/servers/http-state-server.mjs`);
        const read = (name) => fs.readFileSync(`${tls_dir}/${name}`, 'utf8');
        const tls = tls_dir ? { key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt') } : undefined;
        const states = share ? servers.get(share).states : undefined;
        const server = await startStateServer({ user: user || undefined, password, tls, states });
        servers.set(server.url, server);
        return server.url;
    }
    export function stored_state(url, name) {
        const data = servers.get(url).states.get(name);
        return data ? new Uint8Array(data) : undefined;
    }
    export function requests_seen(url) {
        return servers.get(url).requests.map((r) => `${r.method} ${r.path} ${r.status} ${r.auth}`).join('\n');
    }
"#)]
extern "C" {
    async fn start_state_server(root: &str, user: &str, password: &str, tls_dir: &str, share: &str) -> JsValue;
    fn stored_state(url: &str, name: &str) -> Option<Vec<u8>>;
    fn requests_seen(url: &str) -> String;
}

async fn server(user: &str, password: &str, tls_dir: &str, share: &str) -> String {
    start_state_server(ROOT, user, password, tls_dir, share).await.as_string().unwrap()
}

fn tls_dir() -> String {
    format!("{ROOT}/tests/fixtures/tls")
}

fn pem(name: &str) -> String {
    String::from_utf8(host::read_file(&format!("{}/{name}", tls_dir()), 1 << 20).unwrap()).unwrap()
}

fn location(pairs: &[(&str, serde_json::Value)], timeout_ms: u64) -> Location {
    let mut config = BackendConfig::new(http::NAME);
    for (i, (key, value)) in pairs.iter().enumerate() {
        config.set(key, value.clone(), From::Input { line: i + 1 });
    }
    let workspace = Workspace { name: "default".into(), selected: Selected::Default };
    http::configure(&config, &workspace, &Context::default(), timeout_ms).unwrap()
}

async fn read_state(location: &Location) -> Vec<u8> {
    match http::open(location).await.unwrap() {
        Opened::State(mut snapshot) => {
            let mut body = Vec::new();
            std::io::Read::read_to_end(&mut snapshot.body, &mut body).unwrap();
            body
        }
        Opened::NoStateYet(none) => panic!("no state at {}", none.looked_for),
    }
}

fn message(result: stage_action::error::Result<Opened>) -> String {
    match result {
        Err(e) => e.to_string(),
        Ok(_) => panic!("read a state"),
    }
}

/// `terraform init` and `apply` in a new directory with `backend "http" {}`, writing to
/// `address` with the credentials in TF_HTTP_*; `false` when terraform is not installed.
async fn terraform_writes(address: &str, user: &str, password: &str) -> bool {
    let dir =
        format!("{}/stage-action-http-{}", host::env("TMPDIR").unwrap_or_else(|| "/tmp".into()), host::random_uuid());
    host::run_process("mkdir", &["-p", &dir], "", &[], 10_000).await.unwrap();
    host::append_file(&format!("{dir}/terraformrc"), b"").unwrap();
    let main = r#"
terraform {
  backend "http" {}
}
resource "terraform_data" "app" {
  input = { image = "registry.example/shop/backend:1.4.2" }
}
output "image" {
  value = terraform_data.app.output.image
}
"#;
    host::append_file(&format!("{dir}/main.tf"), main.as_bytes()).unwrap();
    let rc = format!("{dir}/terraformrc");
    let env = [
        ("TF_HTTP_USERNAME", user),
        ("TF_HTTP_PASSWORD", password),
        ("TF_IN_AUTOMATION", "1"),
        ("TF_INPUT", "0"),
        ("CHECKPOINT_DISABLE", "1"),
        ("TF_CLI_CONFIG_FILE", rc.as_str()),
    ];
    let lock = format!("-backend-config=lock_address={}", address.replace("/state/", "/lock/"));
    let unlock = format!("-backend-config=unlock_address={}", address.replace("/state/", "/lock/"));
    let init = ["init", "-input=false", "-no-color", &format!("-backend-config=address={address}"), &lock, &unlock];
    let mut installed = true;
    for args in [&init[..], &["apply", "-auto-approve", "-input=false", "-no-color"][..]] {
        match host::run_process("terraform", args, &dir, &env, 120_000).await {
            Err(e) if e.code == "ENOENT" => {
                installed = false;
                break;
            }
            Err(e) => panic!("terraform {}: {e:?}", args[0]),
            Ok(out) => assert_eq!(out.status, 0, "terraform {}: {}", args[0], String::from_utf8_lossy(&out.stderr)),
        }
    }
    host::run_process("rm", &["-rf", &dir], "", &[], 10_000).await.unwrap();
    installed
}

#[wasm_bindgen_test]
async fn a_state_terraform_wrote_through_the_http_backend_reads_back_over_basic_auth_and_mtls() {
    let base = server("tf", "s3cret", "", "").await;
    let address = format!("{base}/state/dev");
    if !terraform_writes(&address, "tf", "s3cret").await {
        // As tests/node/terraform.test.mjs does: without the binary there is nothing to read;
        // a developer's machine says it skipped, CI fails, so that CI never passes by skipping.
        assert!(
            host::env("CI").as_deref() != Some("true"),
            "terraform is not on PATH, and CI=true: this test must run"
        );
        host::write_stderr("skipped: terraform not found on PATH\n").unwrap();
        return;
    }
    let written = stored_state(&base, "dev").expect("terraform stored no state");
    assert!(String::from_utf8_lossy(&written).contains("registry.example/shop/backend:1.4.2"));

    // Basic credentials right: the exact bytes terraform wrote (its Content-MD5 checked).
    let right =
        location(&[("address", json!(address)), ("username", json!("tf")), ("password", json!("s3cret"))], 10_000);
    assert_eq!(read_state(&right).await, written);

    // Wrong, or none.
    let wrong =
        location(&[("address", json!(address)), ("username", json!("tf")), ("password", json!("nope"))], 10_000);
    assert_eq!(
        message(http::open(&wrong).await),
        format!("the http backend's server at {address} answered 401 Unauthorized: it did not accept `username` and `password`; check both (TF_HTTP_USERNAME and TF_HTTP_PASSWORD when they come from the environment), and that the password or token has not expired")
    );
    let none = location(&[("address", json!(address))], 10_000);
    assert!(message(http::open(&none).await).contains("answered 401 Unauthorized: it needs credentials"));

    // Another address: no state yet.
    let staging = location(
        &[
            ("address", json!(format!("{base}/state/staging"))),
            ("username", json!("tf")),
            ("password", json!("s3cret")),
        ],
        10_000,
    );
    assert!(matches!(http::open(&staging).await.unwrap(), Opened::NoStateYet(_)));
    assert_eq!(http::workspaces(&staging).await.unwrap(), Vec::<String>::new());
    assert_eq!(http::workspaces(&right).await.unwrap(), ["default"]);

    // The same states over HTTPS, with a client certificate.
    let secure = server("tf", "s3cret", &tls_dir(), &base).await;
    let mtls = |cert: &str, key: &str| {
        location(
            &[
                ("address", json!(format!("{secure}/state/dev"))),
                ("username", json!("tf")),
                ("password", json!("s3cret")),
                ("client_ca_certificate_pem", json!(pem("ca.crt"))),
                ("client_certificate_pem", json!(pem(cert))),
                ("client_private_key_pem", json!(pem(key))),
            ],
            10_000,
        )
    };
    assert_eq!(read_state(&mtls("client.crt", "client.key")).await, written);
    let expired = message(http::open(&mtls("expired.crt", "expired.key")).await);
    assert!(
        expired.ends_with("; the client certificate expired on 2020-01-02 00:00:00 UTC: renew `client_certificate_pem` (and `client_private_key_pem`)"),
        "{expired}"
    );
    let mismatched = message(http::open(&mtls("client.crt", "stranger.key")).await);
    assert!(mismatched.ends_with("(ERR_OSSL_X509_KEY_VALUES_MISMATCH); `client_private_key_pem` must be the private key of `client_certificate_pem`"), "{mismatched}");
    let log = requests_seen(&secure);
    assert!(log.lines().all(|l| l.ends_with(" basic")), "credentials missing:\n{log}");
}

#[wasm_bindgen_test]
async fn a_server_that_never_answers_fails_within_the_time_out() {
    let base = server("", "", "", "").await;
    let e = message(http::open(&location(&[("address", json!(format!("{base}/hang")))], 300)).await);
    assert_eq!(
        e,
        format!("the http backend could not read its state: GET {base}/hang did not finish within 0.3 s; check that `address` is reachable from the runner")
    );
}

#[wasm_bindgen_test]
async fn a_server_error_is_quoted() {
    let base = server("", "", "", "").await;
    let e = message(http::open(&location(&[("address", json!(format!("{base}/status/500")))], 10_000)).await);
    assert_eq!(
        e,
        format!("the http backend's server at {base}/status/500 answered 500 instead of a state: \"status 500 from the test server\"; check `address`, and the server")
    );
}
