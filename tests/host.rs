//! The host door, tested where it runs: inside wasm, under Node (`wasm-bindgen-test`).
#![cfg(target_arch = "wasm32")]

use stage_action::host::{self, Kind};
use wasm_bindgen_test::wasm_bindgen_test;

fn temp_path(name: &str) -> String {
    let dir = host::env("TMPDIR").unwrap_or_else(|| "/tmp".to_string());
    format!("{}/stage-action-host-{}-{name}", dir.trim_end_matches('/'), host::random_uuid())
}

#[wasm_bindgen_test]
fn env_reads_the_process_environment() {
    assert!(host::env("PATH").is_some_and(|p| !p.is_empty()));
    assert_eq!(host::env("STAGE_ACTION_SURELY_UNSET_VARIABLE"), None);
}

#[wasm_bindgen_test]
fn files_round_trip_through_append_stat_and_read() {
    let path = temp_path("roundtrip");
    assert_eq!(host::stat(&path), Ok(None));
    host::append_file(&path, b"hello ").unwrap();
    host::append_file(&path, "wörld".as_bytes()).unwrap();
    let meta = host::stat(&path).unwrap().unwrap();
    assert_eq!((meta.kind, meta.size), (Kind::File, 12));
    assert!(meta.modified_ms > 1.0e12);
    assert_eq!(host::read_file(&path).unwrap(), "hello wörld".as_bytes());
}

#[wasm_bindgen_test]
fn a_large_file_is_read_whole() {
    let path = temp_path("large");
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    host::append_file(&path, &data).unwrap();
    assert_eq!(host::read_file(&path).unwrap(), data);
}

#[wasm_bindgen_test]
fn an_empty_file_reads_as_empty() {
    let path = temp_path("empty");
    host::append_file(&path, b"").unwrap();
    assert_eq!(host::read_file(&path).unwrap(), Vec::<u8>::new());
}

#[wasm_bindgen_test]
fn node_errors_become_host_errors_with_their_code() {
    let e = host::read_file("/surely/not/here.tfstate").unwrap_err();
    assert_eq!(e.code, "ENOENT");
    assert!(e.message.contains("/surely/not/here.tfstate"), "{}", e.message);
    let e = host::read_file("/").unwrap_err();
    assert_eq!(e.code, "EISDIR");
    let e = host::append_file("/surely/not/here/x", b"x").unwrap_err();
    assert_eq!(e.code, "ENOENT");
    assert_eq!(host::stat("/surely/not/here"), Ok(None));
}

#[wasm_bindgen_test]
fn directories_list_sorted() {
    let dir = temp_path("dir");
    host::append_file(&format!("{dir}-b"), b"").unwrap();
    let parent = dir.rsplit_once('/').unwrap().0;
    let names = host::read_dir(parent).unwrap();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(host::stat(parent).unwrap().unwrap().kind, Kind::Dir);
}

#[wasm_bindgen_test]
fn random_uuids_are_version_4_and_differ() {
    let a = host::random_uuid();
    let b = host::random_uuid();
    assert_ne!(a, b);
    assert_eq!(a.len(), 36);
    assert_eq!(&a[14..15], "4");
}

#[wasm_bindgen_test]
fn time_and_cwd_come_from_node() {
    assert!(host::now_ms() > 1.6e12);
    assert!(host::cwd().unwrap().starts_with('/'));
}

#[wasm_bindgen_test]
fn processes_run_without_a_shell_and_report_status_and_output() {
    let out = host::run_process("sh", &["-c", "printf 'a b'; printf err >&2; exit 3"], "/", &[]).unwrap();
    assert_eq!((out.status, out.stdout.as_slice(), out.stderr.as_slice()), (3, &b"a b"[..], &b"err"[..]));
    let out = host::run_process("sh", &["-c", "printf %s \"$STAGE_X\"; pwd"], "/tmp", &[("STAGE_X", "y z")]).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "y z/tmp\n");
    let e = host::run_process("surely-not-a-program-here", &[], "", &[]).unwrap_err();
    assert_eq!(e.code, "ENOENT");
}

mod http {
    use stage_action::host::{self, HttpRequest};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen(inline_js = r#"
        import * as http from 'node:http';
        // Echoes the request as JSON, with a status and a header taken from the path.
        export function start_echo_server() {
            return new Promise((resolve) => {
                const server = http.createServer((req, res) => {
                    const chunks = [];
                    req.on('data', (c) => chunks.push(c));
                    req.on('end', () => {
                        const status = Number((req.url.match(/status=(\d+)/) || [])[1] || 200);
                        res.writeHead(status, { 'content-type': 'application/json', 'x-echo': 'yes' });
                        res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers['authorization'] || null, body: Buffer.concat(chunks).toString() }));
                        server.close();
                    });
                });
                server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
            });
        }
    "#)]
    extern "C" {
        async fn start_echo_server() -> JsValue;
    }

    #[wasm_bindgen_test]
    async fn http_sends_method_headers_body_and_returns_any_status() {
        let base = start_echo_server().await.as_string().unwrap();
        let reply = host::http(HttpRequest {
            method: "POST".into(),
            url: format!("{base}/x?status=404"),
            headers: vec![("authorization".into(), "Bearer t0k".into())],
            body: b"{\"a\":1}".to_vec(),
        })
        .await
        .unwrap();
        assert_eq!(reply.status, 404);
        assert!(reply.headers.contains(&("x-echo".to_string(), "yes".to_string())));
        let echo: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(
            echo,
            serde_json::json!({"method": "POST", "url": "/x?status=404", "auth": "Bearer t0k", "body": "{\"a\":1}"})
        );
    }

    #[wasm_bindgen_test]
    async fn an_unreachable_host_is_an_error_not_a_status() {
        let e = host::http(HttpRequest {
            method: "GET".into(),
            url: "http://127.0.0.1:1/".into(),
            headers: vec![],
            body: vec![],
        })
        .await
        .unwrap_err();
        assert!(!e.message.is_empty());
    }
}
