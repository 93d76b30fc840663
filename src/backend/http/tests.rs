use serde_json::json;

use super::*;

const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

fn config(pairs: &[(&str, serde_json::Value)]) -> BackendConfig {
    let mut c = BackendConfig::new(NAME);
    for (i, (key, value)) in pairs.iter().enumerate() {
        c.set(key, value.clone(), Written::Input { line: i + 1 });
    }
    c
}

fn default_workspace() -> Workspace {
    Workspace { name: DEFAULT.into(), selected: Selected::Default }
}

fn configure_ok(pairs: &[(&str, serde_json::Value)]) -> Location {
    configure(&config(pairs), &default_workspace(), &Context::default(), 30_000).unwrap()
}

fn problems(pairs: &[(&str, serde_json::Value)], workspace: &Workspace) -> Vec<String> {
    configure(&config(pairs), workspace, &Context::default(), 30_000)
        .unwrap_err()
        .iter()
        .map(|p| p.to_string())
        .collect()
}

fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
        body: body.to_vec(),
    }
}

fn location() -> Location {
    configure_ok(&[
        ("address", json!("https://state.example/state/dev")),
        ("username", json!("ci")),
        ("password", json!("s3cret")),
    ])
}

#[test]
fn basic_credentials_go_with_the_get_only_when_a_username_is_set() {
    let r = request(&location());
    assert_eq!((r.method.as_str(), r.url.as_str(), r.timeout_ms), ("GET", "https://state.example/state/dev", 30_000));
    // base64("ci:s3cret")
    assert!(r.headers.contains(&("authorization".into(), "Basic Y2k6czNjcmV0".into())), "{:?}", r.headers);
    assert_eq!(r.tls, None, "no TLS settings: the system's roots");

    let anonymous = configure_ok(&[
        ("address", json!("http://127.0.0.1:8080/s")),
        ("username", json!("")),
        ("password", json!("p")),
    ]);
    assert_eq!(anonymous.basic, None);
    assert!(!request(&anonymous).headers.iter().any(|(n, _)| n == "authorization"));
}

#[test]
fn the_password_never_prints() {
    let debug = format!("{:?}", location());
    assert!(!debug.contains("s3cret") && debug.contains("***"), "{debug}");
}

#[test]
fn tls_settings_are_carried_for_an_https_address() {
    let loc = configure_ok(&[
        ("address", json!("https://state.example/s")),
        ("client_ca_certificate_pem", json!(CERT)),
        ("client_certificate_pem", json!(CERT)),
        ("client_private_key_pem", json!(KEY)),
        ("skip_cert_verification", json!("true")),
    ]);
    assert_eq!(
        request(&loc).tls,
        Some(Tls { ca: Some(CERT.into()), cert: Some(CERT.into()), key: Some(KEY.into()), insecure: true })
    );
    let plain = configure_ok(&[("address", json!("http://state.example/s")), ("skip_cert_verification", json!(true))]);
    assert_eq!(plain.tls, None, "plain http has no TLS to configure");
}

#[test]
fn settings_for_writing_and_locking_are_accepted_and_ignored() {
    let loc = configure_ok(&[
        ("address", json!("https://state.example/s")),
        ("lock_address", json!("https://state.example/lock")),
        ("lock_method", json!("POST")),
        ("unlock_address", json!("https://state.example/lock")),
        ("unlock_method", json!("DELETE")),
        ("update_method", json!("PUT")),
        ("retry_max", json!(5)),
        ("retry_wait_min", json!("2")),
        ("retry_wait_max", json!(60)),
    ]);
    assert_eq!(request(&loc).method, "GET");
    assert!(KEYS.iter().all(|k| ENV.iter().any(|(key, _)| key == k) || ["skip_cert_verification"].contains(k)));
}

#[test]
fn every_problem_with_the_settings_is_reported_at_once() {
    let got = problems(
        &[
            ("client_certificate_pem", json!(CERT)),
            ("client_ca_certificate_pem", json!("/etc/ssl/ca.pem")),
            ("skip_cert_verification", json!("maybe")),
        ],
        &default_workspace(),
    );
    assert_eq!(
        got,
        [
            "input `backend-config` line 3, `skip_cert_verification`: must be true or false",
            "`address`: is required: the URL of the state (Terraform's http backend), in the backend configuration or TF_HTTP_ADDRESS",
            "input `backend-config` line 1, `client_certificate_pem`: is set, and `client_private_key_pem` is not: give both, or neither",
            "input `backend-config` line 2, `client_ca_certificate_pem`: is not PEM text: it must hold the CA certificate itself (-----BEGIN CERTIFICATE----- …), not a file name",
        ]
    );
}

#[test]
fn an_address_must_be_an_http_url_without_credentials() {
    for (address, why) in [
        ("state.example/s", "must be an http:// or https:// URL"),
        ("ftp://state.example/s", "must be an http:// or https:// URL"),
        ("https:///s", "must name a host, as in https://state.example/path"),
        ("https://ci:s3cret@state.example/s", "must not hold credentials (user:password@): set `username` and `password` instead, or TF_HTTP_USERNAME and TF_HTTP_PASSWORD"),
        ("https://state.example/a b", "must not contain spaces or control characters"),
    ] {
        let got = problems(&[("address", json!(address))], &default_workspace());
        assert_eq!(got, [format!("input `backend-config` line 1, `address`: {why}")], "{address}");
        assert!(!got[0].contains("s3cret"));
    }
    assert_eq!(
        configure_ok(&[("address", json!("HTTPS://State.Example:8443/x?y=1"))]).address,
        "HTTPS://State.Example:8443/x?y=1"
    );
}

#[test]
fn a_private_key_that_is_not_pem_is_refused_without_showing_it() {
    let got = problems(
        &[
            ("address", json!("https://s.example/")),
            ("client_certificate_pem", json!(CERT)),
            ("client_private_key_pem", json!("hunter2")),
        ],
        &default_workspace(),
    );
    assert_eq!(got, ["input `backend-config` line 3, `client_private_key_pem`: is not PEM text: it must hold the private key itself (-----BEGIN PRIVATE KEY----- …), not a file name"]);
}

#[test]
fn a_workspace_other_than_default_is_a_problem_because_the_backend_has_none() {
    let staging = Workspace { name: "staging".into(), selected: Selected::Env };
    assert_eq!(
        problems(&[("address", json!("https://s.example/"))], &staging),
        ["environment variable TF_WORKSPACE, `workspace`: \"staging\" cannot be read: Terraform's http backend has no workspaces (\"workspaces not supported\"), each state has its own `address`; remove the workspace, and set `address` to that state's URL"]
    );
}

#[test]
fn a_200_with_a_body_is_the_state_and_its_content_md5_is_checked() {
    let body = br#"{"version":4,"serial":3}"#;
    // base64(md5(body)), as Python's hashlib and Terraform compute it.
    let md5 = "/ogp5gEAc7NHYllML0ncSQ==";
    let Ok(Opened::State(mut snapshot)) = answer(&location(), response(200, &[("content-md5", md5)], body)) else {
        panic!("not a state")
    };
    let mut read = Vec::new();
    std::io::Read::read_to_end(&mut snapshot.body, &mut read).unwrap();
    assert_eq!((read.as_slice(), snapshot.size), (&body[..], Some(body.len() as u64)));
    assert_eq!(snapshot.name, "http state at https://state.example/state/dev");
    assert!(snapshot.lock.is_none());

    let Err(e) = answer(&location(), response(200, &[("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==")], body)) else {
        panic!("a changed body was taken")
    };
    assert_eq!(
        e.to_string(),
        "the state from the http backend's server at https://state.example/state/dev does not match its Content-MD5 \"AAAAAAAAAAAAAAAAAAAAAA==\": it was cut short or changed on the way; run again, and check any proxy in between"
    );
}

#[test]
fn no_content_not_found_and_an_empty_body_mean_no_state_yet() {
    for (status, body) in [(204, &b""[..]), (404, &b"not found"[..]), (200, &b""[..])] {
        let Ok(Opened::NoStateYet(none)) = answer(&location(), response(status, &[], body)) else {
            panic!("{status} is not 'no state yet'")
        };
        assert_eq!((none.backend, none.looked_for.as_str()), (NAME, "https://state.example/state/dev"));
        assert_eq!(none.workspace, None);
    }
}

#[test]
fn refused_credentials_name_the_settings_to_fix() {
    let message = |status, loc: &Location| match answer(loc, response(status, &[], b"{\"error\":\"unauthorized\"}")) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("{status} was taken"),
    };
    let anonymous = configure_ok(&[("address", json!("https://state.example/state/dev"))]);
    assert_eq!(
        message(401, &anonymous),
        "the http backend's server at https://state.example/state/dev answered 401 Unauthorized: it needs credentials; set `username` and `password` in the backend configuration, or TF_HTTP_USERNAME and TF_HTTP_PASSWORD (for GitLab, any username and a token with the api scope)"
    );
    assert_eq!(
        message(401, &location()),
        "the http backend's server at https://state.example/state/dev answered 401 Unauthorized: it did not accept `username` and `password`; check both (TF_HTTP_USERNAME and TF_HTTP_PASSWORD when they come from the environment), and that the password or token has not expired"
    );
    assert_eq!(
        message(403, &location()),
        "the http backend's server at https://state.example/state/dev answered 403 Forbidden: the credentials in `username` and `password` may not read this state; use credentials that may (for GitLab, a token with the api scope of a member with at least the Developer role)"
    );
    let e = crate::error::Error::from(super::super::Error::Http(
        answer(&location(), response(403, &[], b"")).err().unwrap(),
    ));
    assert_eq!(e.title(), "backend error");
}

#[test]
fn other_statuses_quote_the_server_short() {
    let long = format!("upstream failed\n{}", "x".repeat(200));
    let Err(e) = answer(&location(), response(502, &[], long.as_bytes())) else { panic!() };
    assert_eq!(
        e.to_string(),
        format!("the http backend's server at https://state.example/state/dev answered 502 instead of a state: \"upstream failed\\n{}…\" (216 characters); check `address`, and the server", "x".repeat(64))
    );
    let Err(e) = answer(&location(), response(500, &[], b"")) else { panic!() };
    assert_eq!(e.to_string(), "the http backend's server at https://state.example/state/dev answered 500 instead of a state; check `address`, and the server");
}

#[test]
fn a_refused_client_certificate_that_expired_says_when() {
    let loc = configure_ok(&[
        ("address", json!("https://state.example/s")),
        ("client_certificate_pem", json!(CERT)),
        ("client_private_key_pem", json!(KEY)),
    ]);
    let refused = HostError {
        code: "ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED".into(),
        message: "GET https://state.example/s: the server refused the client certificate (TLS alert: certificate expired) (ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED)".into(),
    };
    let expired = host::Certificate {
        subject: "CN=ci".into(),
        not_before_ms: 1_577_836_800_000.0,
        not_after_ms: 1_577_923_200_000.0,
    };
    assert_eq!(
        failed(&loc, refused.clone(), Some(&expired), 1.7e12).to_string(),
        "the http backend could not read its state: GET https://state.example/s: the server refused the client certificate (TLS alert: certificate expired) (ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED); the client certificate expired on 2020-01-02 00:00:00 UTC: renew `client_certificate_pem` (and `client_private_key_pem`)"
    );
    assert_eq!(
        failed(&loc, refused, Some(&expired), 1.5e12).to_string(),
        "the http backend could not read its state: GET https://state.example/s: the server refused the client certificate (TLS alert: certificate expired) (ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED); check that `client_certificate_pem` is signed by a CA the server trusts, and not revoked"
    );
}

#[test]
fn transport_failures_say_which_setting_to_look_at() {
    let cases = [
        ("SELF_SIGNED_CERT_IN_CHAIN", "set `client_ca_certificate_pem` to the CA certificate that signed the server's, or `skip_cert_verification = true` to trust any"),
        ("ERR_OSSL_X509_KEY_VALUES_MISMATCH", "`client_private_key_pem` must be the private key of `client_certificate_pem`"),
        ("ERR_TLS_CERT_ALTNAME_INVALID", "write `address` with a host name the server's certificate is for"),
        ("ECONNREFUSED", "check `address`, and that the server is up and reachable from the runner"),
        (host::TIMED_OUT, "check that `address` is reachable from the runner"),
    ];
    for (code, advice) in cases {
        let e = HostError { code: code.into(), message: "GET https://state.example/state/dev: x".into() };
        let got = failed(&location(), e, None, 0.0);
        assert_eq!(
            got.to_string(),
            format!("the http backend could not read its state: GET https://state.example/state/dev: x; {advice}"),
            "{code}"
        );
    }
}

#[test]
fn base64_is_rfc_4648_with_padding() {
    for (data, encoded) in [
        (&b""[..], ""),
        (b"f", "Zg=="),
        (b"fo", "Zm8="),
        (b"foo", "Zm9v"),
        (b"foob", "Zm9vYg=="),
        (b"fooba", "Zm9vYmE="),
        (b"foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(data), encoded);
    }
}
