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
fn env_names_lists_the_variables_with_a_prefix() {
    let path = host::env_names("PAT");
    assert!(path.iter().any(|n| n == "PATH"), "{path:?}");
    assert!(path.iter().all(|n| n.starts_with("PAT")), "{path:?}");
    assert!(host::env_names("STAGE_ACTION_SURELY_UNSET_").is_empty());
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
    assert_eq!(host::read_file(&path, 1 << 30).unwrap(), "hello wörld".as_bytes());
}

#[wasm_bindgen_test]
fn a_large_file_is_read_whole() {
    let path = temp_path("large");
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    host::append_file(&path, &data).unwrap();
    assert_eq!(host::read_file(&path, 1 << 30).unwrap(), data);
}

#[wasm_bindgen_test]
fn an_empty_file_reads_as_empty() {
    let path = temp_path("empty");
    host::append_file(&path, b"").unwrap();
    assert_eq!(host::read_file(&path, 1 << 30).unwrap(), Vec::<u8>::new());
}

#[wasm_bindgen_test]
fn node_errors_become_host_errors_with_their_code() {
    let e = host::read_file("/surely/not/here.tfstate", 1 << 20).unwrap_err();
    assert_eq!(e.code, "ENOENT");
    assert!(e.message.contains("/surely/not/here.tfstate"), "{}", e.message);
    let e = host::read_file("/", 1 << 20).unwrap_err();
    assert_eq!((e.code.as_str(), e.message.as_str()), (host::NOT_REGULAR, "is a directory"));
    let e = host::append_file("/surely/not/here/x", b"x").unwrap_err();
    assert_eq!(e.code, "ENOENT");
    assert_eq!(host::stat("/surely/not/here"), Ok(None));
}

#[wasm_bindgen_test]
fn only_regular_files_within_the_limit_are_read() {
    let e = host::read_file("/dev/zero", 1 << 20).unwrap_err();
    assert_eq!((e.code.as_str(), e.message.as_str()), (host::NOT_REGULAR, "is a character device"));
    let path = temp_path("limit");
    host::append_file(&path, &[b'x'; 2048]).unwrap();
    let e = host::read_file(&path, 1024).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (host::TOO_LARGE, "is 2 KiB, more than the 1 KiB this action reads")
    );
    assert_eq!(host::read_file(&path, 2048).unwrap().len(), 2048);
}

#[wasm_bindgen_test]
async fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let path = temp_path("fifo");
    host::run_process("mkfifo", &[&path], "", &[], 10_000).await.unwrap();
    let e = host::read_file(&path, 1 << 20).unwrap_err();
    assert_eq!((e.code.as_str(), e.message.as_str()), (host::NOT_REGULAR, "is a FIFO (named pipe)"));
    assert_eq!(host::realpath(&path).unwrap(), path);
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
async fn processes_run_without_a_shell_and_report_status_and_output() {
    let out = host::run_process("sh", &["-c", "printf 'a b'; printf err >&2; exit 3"], "/", &[], 10_000).await.unwrap();
    assert_eq!((out.status, out.stdout.as_slice(), out.stderr.as_slice()), (3, &b"a b"[..], &b"err"[..]));
    let out = host::run_process("sh", &["-c", "printf %s \"$STAGE_X\"; pwd"], "/tmp", &[("STAGE_X", "y z")], 10_000)
        .await
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "y z/tmp\n");
    let e = host::run_process("surely-not-a-program-here", &[], "", &[], 10_000).await.unwrap_err();
    assert_eq!(e.code, "ENOENT");
}

#[wasm_bindgen_test]
async fn a_process_that_overruns_is_killed_with_what_it_started() {
    // The child starts a grandchild that holds the pipes open: killing the child alone would
    // leave the wait hanging until the grandchild ends, a minute later.
    let marker = temp_path("grandchild");
    let script = format!("sleep 60 & echo $! > {marker}; wait");
    let e = host::run_process("sh", &["-c", &script], "", &[], 500).await.unwrap_err();
    assert_eq!((e.code.as_str(), e.message.as_str()), (host::TIMED_OUT, "sh did not finish within 0.5 s"));
    let pid = String::from_utf8(host::read_file(&marker, 100).unwrap()).unwrap();
    // Dead is gone, or a zombie nobody has reaped yet (`Z` in /proc/PID/stat).
    let check = format!("s=$(cut -d' ' -f3 /proc/{}/stat 2>/dev/null); [ -z \"$s\" ] || [ \"$s\" = Z ]", pid.trim());
    let dead = host::run_process("sh", &["-c", &check], "", &[], 10_000).await.unwrap();
    assert_eq!(dead.status, 0, "the grandchild survived");
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
            timeout_ms: 10_000,
            tls: None,
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

    #[wasm_bindgen(inline_js = r#"
        import * as http from 'node:http';
        // GET /same -> 302 /final on this server; GET /away -> 302 to a server on another port;
        // POST /write -> 307 /final; /hang never answers. Every request is counted by path.
        export function start_redirect_server() {
            return new Promise((resolve) => {
                const seen = {};
                const away = http.createServer((req, res) => { seen['away'] = (seen['away'] || 0) + 1; res.end('away'); });
                away.listen(0, '127.0.0.1', () => {
                    const server = http.createServer((req, res) => {
                        seen[req.url] = (seen[req.url] || 0) + 1;
                        if (req.url === '/hang') return;
                        if (req.url === '/same') { res.writeHead(302, { location: '/final' }); return res.end(); }
                        if (req.url === '/away') { res.writeHead(302, { location: `http://127.0.0.1:${away.address().port}/x` }); return res.end(); }
                        if (req.url === '/write') { res.writeHead(307, { location: '/final' }); return res.end(); }
                        res.end(`final ${req.method} ${req.headers.authorization || ''}`);
                    });
                    server.listen(0, '127.0.0.1', () => {
                        server.unref(); away.unref();
                        globalThis.__redirectSeen = seen;
                        resolve(`http://127.0.0.1:${server.address().port}`);
                    });
                });
            });
        }
        export function redirect_seen(path) { return globalThis.__redirectSeen[path] || 0; }
    "#)]
    extern "C" {
        async fn start_redirect_server() -> JsValue;
        fn redirect_seen(path: &str) -> u32;
    }

    fn request(method: &str, url: String, timeout_ms: u64) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            url,
            headers: vec![("authorization".into(), "Bearer t0k".into())],
            body: if method == "POST" { b"{}".to_vec() } else { Vec::new() },
            timeout_ms,
            tls: None,
        }
    }

    #[wasm_bindgen_test]
    async fn reads_follow_redirects_within_the_origin_only_and_writes_never() {
        let base = start_redirect_server().await.as_string().unwrap();
        let reply = host::http(request("GET", format!("{base}/same"), 10_000)).await.unwrap();
        assert_eq!((reply.status, reply.body.as_slice()), (200, &b"final GET Bearer t0k"[..]));
        let reply = host::http(request("GET", format!("{base}/away"), 10_000)).await.unwrap();
        assert_eq!(reply.status, 302);
        assert_eq!(redirect_seen("away"), 0, "the token went to another host");
        let reply = host::http(request("POST", format!("{base}/write"), 10_000)).await.unwrap();
        assert_eq!(reply.status, 307);
        assert_eq!(redirect_seen("/final"), 1, "the write was sent on");
    }

    #[wasm_bindgen_test]
    async fn a_server_that_never_answers_times_out() {
        let base = start_redirect_server().await.as_string().unwrap();
        let e = host::http(request("GET", format!("{base}/hang"), 300)).await.unwrap_err();
        assert_eq!(e.code, host::TIMED_OUT);
        assert_eq!(e.message, format!("GET {base}/hang did not finish within 0.3 s"));
    }

    #[wasm_bindgen_test]
    async fn an_unreachable_host_is_an_error_not_a_status() {
        let e = host::http(HttpRequest {
            method: "GET".into(),
            url: "http://127.0.0.1:1/".into(),
            headers: vec![],
            body: vec![],
            timeout_ms: 10_000,
            tls: None,
        })
        .await
        .unwrap_err();
        assert!(!e.message.is_empty());
    }
}

/// `host::http` with TLS settings, against a loopback HTTPS server that requires a client
/// certificate signed by its CA (the test-only PEMs of tests/fixtures/tls/).
mod tls {
    use stage_action::host::{self, HttpRequest, Tls, TlsFailure};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");

    #[wasm_bindgen(inline_js = r#"
        import * as https from 'node:https';
        import * as http from 'node:http';
        import * as fs from 'node:fs';
        // GET /hang never answers; GET /big sends 64 MiB and a byte; anything else answers 200
        // with the client certificate's CN.
        // `scheme` 'http' starts the same server without TLS.
        export function start_mtls_server(dir, scheme) {
            const read = (name) => fs.readFileSync(`${dir}/${name}`, 'utf8');
            const handler = (req, res) => {
                if (req.url === '/hang') return;
                if (req.url === '/big') {
                    // One byte more than the host reads, in 1 MiB pieces.
                    const piece = Buffer.alloc(1 << 20);
                    res.writeHead(200);
                    for (let i = 0; i < 64; i++) res.write(piece);
                    return res.end(Buffer.alloc(1));
                }
                const cn = req.socket.getPeerCertificate ? req.socket.getPeerCertificate().subject.CN : 'none';
                res.writeHead(200, { 'X-Client': cn });
                res.end(`hello ${cn}`);
            };
            const server = scheme === 'http' ? http.createServer(handler) : https.createServer({
                key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt'),
                requestCert: true, rejectUnauthorized: true,
            }, handler);
            return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
                server.unref();
                resolve(`${scheme}://127.0.0.1:${server.address().port}`);
            }));
        }
    "#)]
    extern "C" {
        async fn start_mtls_server(dir: &str, scheme: &str) -> JsValue;
    }

    fn pem(name: &str) -> String {
        String::from_utf8(host::read_file(&format!("{FIXTURES}/{name}"), 1 << 20).unwrap()).unwrap()
    }

    /// The test CA, and the client certificate and key `client` (`client`, `expired`, `stranger`).
    fn tls(ca: &str, client: &str) -> Tls {
        Tls {
            ca: Some(pem(&format!("{ca}.crt"))),
            cert: Some(pem(&format!("{client}.crt"))),
            key: Some(pem(&format!("{client}.key"))),
            insecure: false,
        }
    }

    fn get(url: String, tls: Tls, timeout_ms: u64) -> HttpRequest {
        HttpRequest { method: "GET".into(), url, headers: vec![], body: vec![], timeout_ms, tls: Some(tls) }
    }

    async fn server() -> String {
        start_mtls_server(FIXTURES, "https").await.as_string().unwrap()
    }

    #[wasm_bindgen_test]
    async fn a_trusted_client_certificate_gets_an_answer() {
        let base = server().await;
        let reply = host::http(get(format!("{base}/state"), tls("ca", "client"), 10_000)).await.unwrap();
        assert_eq!((reply.status, reply.body.as_slice()), (200, &b"hello client"[..]));
        assert!(reply.headers.contains(&("x-client".to_string(), "client".to_string())), "{:?}", reply.headers);
    }

    #[wasm_bindgen_test]
    async fn an_expired_client_certificate_is_refused_and_its_dates_tell_why() {
        let base = server().await;
        let e = host::http(get(format!("{base}/state"), tls("ca", "expired"), 10_000)).await.unwrap_err();
        // Node's server drops the connection without an alert; others send `certificate expired`.
        assert!(e.code == "ECONNRESET" || e.tls_failure() == Some(TlsFailure::ClientCertificateRefused), "{e:?}");
        assert!(e.message.contains("refused the client certificate"), "{}", e.message);
        let cert = host::certificate(&pem("expired.crt")).unwrap();
        assert_eq!(cert.subject, "CN=expired");
        assert_eq!((cert.not_before_ms, cert.not_after_ms), (1_577_836_800_000.0, 1_577_923_200_000.0));
    }

    #[wasm_bindgen_test]
    async fn a_server_signed_by_another_ca_is_not_trusted_unless_verification_is_skipped() {
        let base = server().await;
        let e = host::http(get(format!("{base}/state"), tls("other-ca", "client"), 10_000)).await.unwrap_err();
        assert_eq!(e.tls_failure(), Some(TlsFailure::ServerCertificateUntrusted), "{e:?}");
        assert_eq!(
            e.message,
            format!(
                "GET {base}/state: the server's certificate is not signed by the CA certificate given ({})",
                e.code
            )
        );
        let insecure = Tls { insecure: true, ..tls("other-ca", "client") };
        assert_eq!(host::http(get(format!("{base}/state"), insecure, 10_000)).await.unwrap().status, 200);
    }

    #[wasm_bindgen_test]
    async fn a_key_that_is_not_the_certificates_is_named() {
        let base = server().await;
        let mismatched = Tls { key: Some(pem("stranger.key")), ..tls("ca", "client") };
        let e = host::http(get(format!("{base}/state"), mismatched, 10_000)).await.unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.tls_failure()),
            ("ERR_OSSL_X509_KEY_VALUES_MISMATCH", Some(TlsFailure::KeyMismatch))
        );
        assert_eq!(
            e.message,
            format!("GET {base}/state: the client private key does not belong to the client certificate (ERR_OSSL_X509_KEY_VALUES_MISMATCH)")
        );
    }

    #[wasm_bindgen_test]
    async fn a_pem_that_does_not_parse_is_named() {
        let base = server().await;
        let garbage = Tls { cert: Some("not a certificate".into()), ..tls("ca", "client") };
        let e = host::http(get(format!("{base}/state"), garbage, 10_000)).await.unwrap_err();
        assert_eq!(e.tls_failure(), Some(TlsFailure::BadPem), "{e:?}");
        assert_eq!(
            e.message,
            format!("GET {base}/state: the client certificate does not parse as PEM (no start line)")
        );
        assert_eq!(host::certificate("not a certificate").unwrap_err().code, "ERR_OSSL_PEM_NO_START_LINE");
    }

    #[wasm_bindgen_test]
    async fn a_tls_server_that_never_answers_times_out() {
        let base = server().await;
        let e = host::http(get(format!("{base}/hang"), tls("ca", "client"), 300)).await.unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message),
            (host::TIMED_OUT, format!("GET {base}/hang did not finish within 0.3 s"))
        );
    }

    #[wasm_bindgen_test]
    async fn a_body_over_the_limit_is_refused_over_tls_too() {
        let base = server().await;
        let e = host::http(get(format!("{base}/big"), tls("ca", "client"), 30_000)).await.unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message),
            (host::TOO_LARGE, format!("GET {base}/big gave more than {} bytes", host::RESPONSE_LIMIT))
        );
    }

    #[wasm_bindgen_test]
    async fn plain_http_with_tls_settings_is_plain_http() {
        let base = start_mtls_server(FIXTURES, "http").await.as_string().unwrap();
        let reply = host::http(get(format!("{base}/state"), Tls::default(), 10_000)).await.unwrap();
        assert_eq!((reply.status, reply.body.as_slice()), (200, &b"hello none"[..]));
        let e = host::http(get("http://127.0.0.1:1/".into(), Tls::default(), 10_000)).await.unwrap_err();
        assert_eq!(e.code, "ECONNREFUSED");
        assert!(e.message.starts_with("GET http://127.0.0.1:1/: "), "{}", e.message);
    }
}
