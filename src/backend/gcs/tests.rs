use base64::Engine;
use serde_json::json;

use super::credentials::{self, Credentials, SubjectSource};
use super::error::Step;
use super::*;
use crate::backend::config::From as Written;
use crate::backend::workspace::Selected;

fn config(pairs: &[(&str, serde_json::Value)]) -> BackendConfig {
    let mut c = BackendConfig::new(NAME);
    for (i, (key, value)) in pairs.iter().enumerate() {
        c.set(key, value.clone(), Written::Input { line: i + 1 });
    }
    c
}

fn ws(name: &str) -> Workspace {
    Workspace { name: name.into(), selected: Selected::Setting }
}

fn context() -> Context {
    Context { workspace: "/work".into(), home: Some("/home/runner".into()), ..Context::default() }
}

fn configure_ok(pairs: &[(&str, serde_json::Value)]) -> Location {
    configure(&config(pairs), &ws("default"), &context(), 30_000).unwrap()
}

fn problems(pairs: &[(&str, serde_json::Value)]) -> Vec<String> {
    configure(&config(pairs), &ws("default"), &context(), 30_000).unwrap_err().iter().map(|p| p.to_string()).collect()
}

fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse { status, headers: Vec::new(), body: body.as_bytes().to_vec() }
}

const KEY32: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // "0123456789abcdef0123456789abcdef"

#[test]
fn every_key_is_read_and_the_prefix_is_normalized_as_terraform_does() {
    let l = configure_ok(&[
        ("bucket", json!("tfstate")),
        ("prefix", json!("/stages/app")),
        ("access_token", json!("ya29.token")),
        ("credentials", json!("/ignored/when/a/token/is/set.json")),
        ("impersonate_service_account", json!("deployer@p.iam.gserviceaccount.com")),
        ("impersonate_service_account_delegates", json!(["a@p.iam.gserviceaccount.com"])),
        ("encryption_key", json!(KEY32)),
        ("kms_encryption_key", json!("projects/p/locations/l/keyRings/r/cryptoKeys/k")),
        ("storage_custom_endpoint", json!("http://127.0.0.1:4443/storage/v1")),
    ]);
    assert_eq!(l.bucket, "tfstate");
    assert_eq!(l.prefix, "stages/app/");
    assert_eq!(l.state_object("default"), "stages/app/default.tfstate");
    assert_eq!(l.lock_object("staging"), "stages/app/staging.tflock");
    assert_eq!(l.endpoint, "http://127.0.0.1:4443/storage/v1/");
    assert!(
        matches!(&l.auth, Auth::AccessToken { token, from } if token.expose() == "ya29.token" && from.starts_with("`access_token`"))
    );
    assert_eq!(l.impersonate.as_deref(), Some("deployer@p.iam.gserviceaccount.com"));
    assert_eq!(l.delegates, vec!["a@p.iam.gserviceaccount.com".to_string()]);
    assert!(matches!(&l.encryption_key, Some((KeySource::Key(_), _))));
    for key in KEYS {
        assert!(config(&[]).get(key).is_none());
    }

    let bare = configure_ok(&[("bucket", json!("b"))]);
    assert_eq!((bare.prefix.as_str(), bare.endpoint.as_str()), ("", DEFAULT_ENDPOINT));
    assert_eq!(bare.state_object("default"), "default.tfstate");
    assert_eq!(configure_ok(&[("bucket", json!("b")), ("prefix", json!("x/"))]).prefix, "x/");
}

#[test]
fn without_token_or_credentials_application_default_credentials_are_used() {
    let mut ctx = context();
    ctx.google_application_credentials = Some("/tmp/gha-creds-1.json".into());
    let l = configure(&config(&[("bucket", json!("b"))]), &ws("default"), &ctx, 1000).unwrap();
    assert_eq!(
        l.auth,
        Auth::Default {
            adc: Some("/tmp/gha-creds-1.json".into()),
            gcloud: Some("/home/runner/.config/gcloud/application_default_credentials.json".into())
        }
    );
    let l = configure_ok(&[("bucket", json!("b")), ("credentials", json!("{\"type\":\"service_account\"}"))]);
    assert!(matches!(l.auth, Auth::Credentials { .. }));
}

#[test]
fn an_environment_fallback_is_named_where_it_was_written() {
    let mut c = config(&[("bucket", json!("b"))]);
    c.set("access_token", json!("t"), Written::Env { name: "GOOGLE_OAUTH_ACCESS_TOKEN".into() });
    let l = configure(&c, &ws("default"), &context(), 1000).unwrap();
    let Auth::AccessToken { from, .. } = l.auth else { panic!() };
    assert!(from.contains("GOOGLE_OAUTH_ACCESS_TOKEN"), "{from}");
    assert!(ENV.iter().any(|(k, v)| *k == "credentials" && v == &["GOOGLE_BACKEND_CREDENTIALS", "GOOGLE_CREDENTIALS"]));
}

#[test]
fn every_problem_is_told_at_once() {
    let p = problems(&[
        ("bucket", json!("gs://tfstate")),
        ("storage_custom_endpoint", json!("storage.example")),
        ("encryption_key", json!("short")),
        ("impersonate_service_account_delegates", json!({"a": "b"})),
    ]);
    assert_eq!(p.len(), 4, "{p:#?}");
    assert!(p[0].contains("impersonate_service_account_delegates"), "{p:#?}");
    assert!(p.iter().any(|m| m.contains("`bucket`") && m.contains("without gs://")), "{p:#?}");
    assert!(p.iter().any(|m| m.contains("`storage_custom_endpoint`")), "{p:#?}");
    assert!(
        p.iter().any(|m| m.contains("`encryption_key`") && !m.contains("short")),
        "the key is not repeated: {p:#?}"
    );
    let p = problems(&[]);
    assert!(p[0].starts_with("`bucket`: is required"), "{p:#?}");
}

fn location() -> Location {
    configure_ok(&[
        ("bucket", json!("tf state")),
        ("prefix", json!("stages/app")),
        ("access_token", json!("ya29.token")),
        ("storage_custom_endpoint", json!("http://127.0.0.1:4443/storage/v1/")),
    ])
}

#[test]
fn the_state_is_one_json_api_download_with_the_bearer_and_the_customer_key() {
    let l = location();
    let token = Secret::new("ya29.obtained");
    let r = state_request(&l, &token, None);
    assert_eq!(r.method, "GET");
    assert_eq!(r.url, "http://127.0.0.1:4443/storage/v1/b/tf%20state/o/stages%2Fapp%2Fdefault.tfstate?alt=media");
    assert!(r.headers.contains(&("authorization".into(), "Bearer ya29.obtained".into())));
    assert_eq!(r.timeout_ms, 30_000);

    let key = base64::engine::general_purpose::STANDARD.decode(KEY32).unwrap();
    let r = state_request(&l, &token, Some(&key));
    let h = |n: &str| r.headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    assert_eq!(h("x-goog-encryption-algorithm"), Some("AES256"));
    assert_eq!(h("x-goog-encryption-key"), Some(KEY32));
    // sha256("0123456789abcdef0123456789abcdef"), base64 (as `openssl dgst -sha256 -binary | base64` gives it)
    assert_eq!(h("x-goog-encryption-key-sha256"), Some("PrG9Q5lH63YpmOVmzMLgmceREYsvQFecxPfaK1Bht/k="));

    let lock = lock_request(&l, &token);
    assert_eq!(lock.url, "http://127.0.0.1:4443/storage/v1/b/tf%20state/o/stages%2Fapp%2Fdefault.tflock");
    assert!(
        !lock.headers.iter().any(|(k, _)| k.starts_with("x-goog-encryption")),
        "Terraform's lock object has no key"
    );
    let info = lock_info_request(&l, &token, "1795930745532408");
    assert!(info.url.ends_with("default.tflock?alt=media&generation=1795930745532408"), "{}", info.url);
    let list = list_request(&l, &token, Some("p2"));
    assert_eq!(
        list.url,
        "http://127.0.0.1:4443/storage/v1/b/tf%20state/o?prefix=stages%2Fapp%2F&delimiter=%2F&fields=items%2Fname%2CnextPageToken&pageToken=p2"
    );
}

#[test]
fn answers_mean_a_state_no_state_yet_or_an_error_that_names_the_principal_and_the_permission() {
    let l = location();
    let p = "service account ci@p.iam.gserviceaccount.com";
    assert_eq!(read_state(&l, p, response(200, "{}")).unwrap(), Some(b"{}".to_vec()));
    assert_eq!(read_state(&l, p, response(404, "No such object: tfstate/stages/app/default.tfstate")).unwrap(), None);
    let e = read_state(&l, p, response(403, r#"{"error":{"code":403,"message":"ci@p.iam.gserviceaccount.com does not have storage.objects.get access"}}"#)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "gcs backend: ci@p.iam.gserviceaccount.com may not read gs://tf state/stages/app/default.tfstate in bucket tf state (403: permission storage.objects.get is missing); grant it roles/storage.objectViewer on the bucket (gcloud storage buckets add-iam-policy-binding gs://tf state --member=… --role=roles/storage.objectViewer)"
    );
    // A bare access token does not say whose it is: Cloud Storage's message does; else the holder.
    let e = read_state(&l, "the holder of the access token", response(403, "")).unwrap_err().to_string();
    assert!(e.starts_with("gcs backend: the holder of the access token may not read"), "{e}");
    let e =
        read_state(&l, p, response(404, r#"{"error":{"code":404,"message":"The specified bucket does not exist."}}"#))
            .unwrap_err();
    assert!(matches!(e, Error::NoBucket { .. }), "{e}");
    let e = read_state(&l, p, response(400, r#"{"error":{"code":400,"message":"The target object is encrypted by a customer-supplied encryption key."}}"#)).unwrap_err();
    assert!(
        e.to_string().contains("is encrypted with a customer-supplied key")
            && e.to_string().contains("GOOGLE_ENCRYPTION_KEY"),
        "{e}"
    );
    let e = read_state(&l, p, response(401, "")).unwrap_err();
    assert!(e.to_string().contains("did not accept the access token of service account ci@"), "{e}");
    let hostile = format!("{{\"error\":{{\"code\":500,\"message\":\"::error::x\\n{}\"}}}}", "y".repeat(10_000));
    let e = read_state(&l, p, response(500, &hostile)).unwrap_err().to_string();
    assert!(e.len() < 500 && !e.contains('\n') && e.contains("\"::error::x\\n"), "{e}");
}

#[test]
fn a_lock_object_is_a_lock_whose_id_is_its_generation() {
    let l = location();
    assert_eq!(read_lock(&l, "p", &response(404, "")).unwrap(), None);
    let generation =
        read_lock(&l, "p", &response(200, r#"{"name":"stages/app/default.tflock","generation":"1795930745532408"}"#))
            .unwrap()
            .unwrap();
    assert_eq!(generation, "1795930745532408");
    let info = response(
        200,
        r#"{"ID":"7e4113c1-d864-f938-1b97-fe0ac47ee033","Operation":"OperationTypeApply","Who":"root@vm","Created":"2026-11-29T05:42:19Z","Path":"gs://tfstate/stages/app/default.tflock"}"#,
    );
    let held = lock(&generation, Some(&info));
    assert_eq!(held.to_string(), "locked by root@vm for apply since 2026-11-29T05:42:19Z");
    assert_eq!(held.id.as_deref(), Some("1795930745532408"), "force-unlock takes the generation");
    assert_eq!(lock("7", None).to_string(), "locked");
    assert!(read_lock(&l, "p", &response(403, "")).unwrap_err().to_string().contains("storage.objects.get"));
}

#[test]
fn workspaces_are_the_tfstate_objects_under_the_prefix_default_first() {
    let l = location();
    let page = response(
        200,
        r#"{"items":[{"name":"stages/app/default.tfstate"},{"name":"stages/app/staging.tfstate"},{"name":"stages/app/default.tflock"},{"name":"stages/app/a.tfstate"}],"nextPageToken":"n"}"#,
    );
    let (names, next) = read_list(&l, "p", &page, "u").unwrap();
    assert_eq!(names, vec!["default", "staging", "a"]);
    assert_eq!(next.as_deref(), Some("n"));
    assert_eq!(ordered(names), vec!["default", "a", "staging"]);
    assert_eq!(read_list(&l, "p", &response(200, "{}"), "u").unwrap(), (vec![], None));
    assert!(matches!(read_list(&l, "p", &response(404, ""), "u").unwrap_err(), Error::NoBucket { .. }));
    let e = read_list(&l, "p", &response(403, ""), "u").unwrap_err().to_string();
    assert!(
        e.contains("p may not list the objects of bucket tf state (403: permission storage.objects.list is missing)"),
        "{e}"
    );
    assert!(matches!(read_list(&l, "p", &response(200, "<html>"), "u").unwrap_err(), Error::BadAnswer { .. }));
}

const SA: &str = r#"{"type":"service_account","project_id":"p","private_key_id":"kid1","private_key":"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n","client_email":"ci@p.iam.gserviceaccount.com","client_id":"1","token_uri":"http://127.0.0.1:9/token"}"#;

/// As google-github-actions/auth v2 writes it (`createCredentialsFile`).
const EXTERNAL: &str = r#"{"type":"external_account","audience":"//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/github/providers/repo","subject_token_type":"urn:ietf:params:oauth:token-type:jwt","token_url":"https://sts.googleapis.com/v1/token","service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/deployer@p.iam.gserviceaccount.com:generateAccessToken","credential_source":{"url":"https://pipelines.actions.githubusercontent.com/abc/idtoken?api-version=2.0&audience=https%3A%2F%2Fiam.googleapis.com%2Fprojects%2F1","headers":{"Authorization":"Bearer gh-request-token"},"format":{"type":"json","subject_token_field_name":"value"}}}"#;

#[test]
fn credentials_files_of_each_type_are_read_without_repeating_them() {
    let Credentials::ServiceAccount { email, key_id, token_uri, .. } = credentials::parse(SA.as_bytes()).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (email.as_str(), key_id.as_deref(), token_uri.as_str()),
        ("ci@p.iam.gserviceaccount.com", Some("kid1"), "http://127.0.0.1:9/token")
    );

    let external = credentials::parse(EXTERNAL.as_bytes()).unwrap();
    assert_eq!(
        external.principal(),
        "service account deployer@p.iam.gserviceaccount.com (impersonated by Workload Identity Federation)"
    );
    let Credentials::ExternalAccount { source: SubjectSource::Url { url, headers, field }, .. } = external else {
        panic!()
    };
    assert!(url.contains("audience="));
    assert_eq!(headers[0].0, "Authorization");
    assert_eq!(field.as_deref(), Some("value"));

    let user = r#"{"type":"authorized_user","client_id":"764086051850.apps.googleusercontent.com","client_secret":"d-FL95Q19q7MQmFpd7hHD0Ty","refresh_token":"1//0rt"}"#;
    let Credentials::AuthorizedUser { token_uri, .. } = credentials::parse(user.as_bytes()).unwrap() else { panic!() };
    assert_eq!(token_uri, credentials::GOOGLE_TOKEN_URI);

    for (json, why) in [
        ("not json", "it is not JSON (line 1, column 2)"),
        ("{}", "it has no `type`: it is not a Google credentials file"),
        (r#"{"type":"service_account","private_key":"s3cret"}"#, "its `private_key` is not PEM text"),
        (r#"{"type":"impersonated_service_account"}"#, "its type \"impersonated_service_account\" is not one this action reads (service_account, authorized_user, external_account)"),
        (r#"{"type":"external_account","audience":"a","token_url":"https://sts","credential_source":{"environment_id":"aws1"}}"#, "its `credential_source` is AWS's or an executable's, which this action does not run; use the file google-github-actions/auth writes (a `url` source)"),
    ] {
        assert_eq!(credentials::parse(json.as_bytes()).unwrap_err(), why);
    }
}

#[test]
fn the_jwt_says_who_for_what_and_until_when() {
    let claims = jwt::Claims::new("ci@p.iam.gserviceaccount.com", "https://oauth2.googleapis.com/token", 1_700_000_000);
    let input = jwt::signing_input(Some("kid1"), &claims);
    let (header, body) = input.split_once('.').unwrap();
    let decode = |s: &str| -> serde_json::Value {
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap()
    };
    assert_eq!(decode(header), json!({"alg":"RS256","typ":"JWT","kid":"kid1"}));
    assert_eq!(
        decode(body),
        json!({"iss":"ci@p.iam.gserviceaccount.com","scope":"https://www.googleapis.com/auth/devstorage.read_write","aud":"https://oauth2.googleapis.com/token","iat":1_700_000_000u64,"exp":1_700_003_600u64})
    );
    assert_eq!(jwt::assemble("a.b", &[0xfb, 0xff]), "a.b.-_8");
}

#[test]
fn each_exchange_goes_to_the_url_its_file_names_with_the_documented_form() {
    let r = credentials::jwt_request("http://127.0.0.1:9/token", "a.b.c", 5);
    assert_eq!((r.method.as_str(), r.url.as_str()), ("POST", "http://127.0.0.1:9/token"));
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c"
    );
    assert!(!r.headers.iter().any(|(k, _)| k == "authorization"));

    let r = credentials::sts_request(
        "https://sts.googleapis.com/v1/token",
        "//iam/x",
        "urn:ietf:params:oauth:token-type:jwt",
        &Secret::new("oidc"),
        5,
    );
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&audience=%2F%2Fiam%2Fx&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&subject_token=oidc&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt"
    );

    let url = credentials::impersonation_url(credentials::IAM_CREDENTIALS, "deployer@p.iam.gserviceaccount.com");
    assert_eq!(url, "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/deployer%40p.iam.gserviceaccount.com:generateAccessToken");
    assert_eq!(credentials::impersonated(&url).as_deref(), Some("deployer@p.iam.gserviceaccount.com"));
    let r = credentials::impersonation_request(&url, &Secret::new("sts"), &["a@p.iam.gserviceaccount.com".into()], 5);
    assert!(r.headers.contains(&("authorization".into(), "Bearer sts".into())));
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        json!({"scope":[credentials::CLOUD_PLATFORM],"lifetime":"3600s","delegates":["projects/-/serviceAccounts/a@p.iam.gserviceaccount.com"]})
    );

    let r = credentials::subject_request(
        "https://gh/idtoken?audience=x",
        &[("Authorization".into(), Secret::new("Bearer gh"))],
        5,
    );
    assert!(r.headers.contains(&("Authorization".into(), "Bearer gh".into())));
    assert_eq!(credentials::read_subject(br#"{"value":"eyJ"}"#, Some("value")).unwrap().expose(), "eyJ");
    assert_eq!(credentials::read_subject(b" eyJ\n", None).unwrap().expose(), "eyJ");
    assert!(credentials::read_subject(br#"{"count":1}"#, Some("value")).is_err());
}

#[test]
fn a_refused_exchange_says_which_step_who_and_what_to_do_and_never_the_token() {
    let r = response(400, r#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#);
    let e =
        credentials::read_token(Step::ServiceAccount, "http://t/token?x=1", "service account ci@p", &r).unwrap_err();
    assert_eq!(
        e.to_string(),
        "gcs backend: Google's token endpoint (service-account key) at http://t/token refused a token for service account ci@p: 400 invalid_grant: \"Invalid JWT Signature.\"; the key was deleted or disabled, its service account was deleted, or the runner's clock is off; create a new key (gcloud iam service-accounts keys create) and put it in the secret `credentials` comes from — or better, use Workload Identity Federation (google-github-actions/auth) and no key"
    );
    let r = response(
        403,
        r#"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied","status":"PERMISSION_DENIED"}}"#,
    );
    let e = credentials::read_token(Step::Impersonation, "https://iam/x", "the federated principal", &r)
        .unwrap_err()
        .to_string();
    assert!(e.contains("403 PERMISSION_DENIED") && e.contains("roles/iam.serviceAccountTokenCreator"), "{e}");
    let ok = credentials::read_token(
        Step::Impersonation,
        "u",
        "p",
        &response(200, r#"{"accessToken":"ya29.i","expireTime":"x"}"#),
    )
    .unwrap();
    assert_eq!(ok.expose(), "ya29.i");
    assert!(credentials::read_token(Step::Sts, "u", "p", &response(200, "{}")).is_err());
}

#[test]
fn without_any_credentials_the_error_says_there_is_no_metadata_server() {
    let e = Error::NoCredentials {
        gcloud_file: Some("/home/runner/.config/gcloud/application_default_credentials.json".into()),
    }
    .to_string();
    assert!(
        e.contains("GOOGLE_APPLICATION_CREDENTIALS")
            && e.contains("GCE metadata server")
            && e.contains("google-github-actions/auth"),
        "{e}"
    );
}

#[test]
fn the_location_crosses_as_json_with_its_secrets() {
    let l = location();
    let json = serde_json::to_string(&l).unwrap();
    assert_eq!(serde_json::from_str::<Location>(&json).unwrap(), l);
}

/// A loopback server (natively the host speaks plain HTTP/1.1): answers each request with
/// `reply(method, path and query, headers, body)`, and records `method path authorization`.
fn serve(
    reply: impl Fn(&str, &str, &str, &str) -> (u16, String) + Send + 'static,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut data = Vec::new();
            let mut buf = [0u8; 8192];
            let head_end = loop {
                if let Some(p) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                    break p + 4;
                }
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break data.len();
                }
                data.extend_from_slice(&buf[..n]);
            };
            let head = String::from_utf8_lossy(&data[..head_end]).to_string();
            let header = |name: &str| {
                head.lines()
                    .find_map(|l| {
                        l.split_once(':')
                            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                            .map(|(_, v)| v.trim().to_string())
                    })
                    .unwrap_or_default()
            };
            let length: usize = header("content-length").parse().unwrap_or(0);
            while data.len() < head_end + length {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buf[..n]);
            }
            let body = String::from_utf8_lossy(&data[head_end..]).to_string();
            let mut first = head.lines().next().unwrap_or_default().split(' ');
            let (method, target) = (first.next().unwrap_or_default(), first.next().unwrap_or_default());
            let auth = header("authorization");
            log.lock().unwrap().push(format!("{method} {target} {auth}"));
            let (status, text) = reply(method, target, &auth, &body);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (url, seen)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

const STATE: &str = r#"{"version":4,"terraform_version":"1.11.4","serial":1,"lineage":"l","outputs":{"image":{"value":"r/app:1","type":"string"}},"resources":[]}"#;

#[test]
fn impersonation_trades_the_given_token_for_the_account_s_and_only_that_one_reads_the_storage() {
    let (url, seen) = serve(|method, target, auth, body| match (method, target) {
        ("POST", t) if t.ends_with("/serviceAccounts/deployer%40p.iam.gserviceaccount.com:generateAccessToken") => {
            assert_eq!(auth, "Bearer ya29.given");
            assert!(body.contains("projects/-/serviceAccounts/middle@p.iam.gserviceaccount.com"), "{body}");
            (200, r#"{"accessToken":"ya29.impersonated","expireTime":"2026-11-29T13:00:00Z"}"#.into())
        }
        (_, _) if auth != "Bearer ya29.impersonated" => {
            (401, r#"{"error":{"code":401,"message":"Invalid Credentials"}}"#.into())
        }
        ("GET", "/storage/v1/b/b/o/p%2Fdefault.tfstate?alt=media") => (200, STATE.into()),
        ("GET", "/storage/v1/b/b/o/p%2Fdefault.tflock") => {
            (404, r#"{"error":{"code":404,"message":"No such object"}}"#.into())
        }
        _ => (500, String::new()),
    });
    let mut l = configure_ok(&[
        ("bucket", json!("b")),
        ("prefix", json!("p")),
        ("access_token", json!("ya29.given")),
        ("impersonate_service_account", json!("deployer@p.iam.gserviceaccount.com")),
        ("impersonate_service_account_delegates", json!(["middle@p.iam.gserviceaccount.com"])),
        ("storage_custom_endpoint", json!(format!("{url}/storage/v1/"))),
    ]);
    l.iam_endpoint = format!("{url}/iam/v1/");
    let Opened::State(mut snapshot) = block_on(open(&l)).unwrap() else { panic!("no state") };
    let mut body = String::new();
    std::io::Read::read_to_string(&mut snapshot.body, &mut body).unwrap();
    assert_eq!(body, STATE);
    assert_eq!((snapshot.name.as_str(), snapshot.lock.is_none()), ("gs://b/p/default.tfstate", true));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert!(seen[1..].iter().all(|s| s.ends_with("Bearer ya29.impersonated")), "{seen:#?}");
}

#[test]
fn no_state_yet_lists_every_page_of_workspaces_with_an_authorized_user_s_token() {
    let dir = tempfile::tempdir().unwrap();
    let (url, seen) = serve(|method, target, auth, body| match (method, target) {
        ("POST", "/token") => {
            assert!(body.contains("grant_type=refresh_token") && body.contains("refresh_token=1%2F%2Frt"), "{body}");
            (200, r#"{"access_token":"ya29.user","expires_in":3599}"#.into())
        }
        (_, _) if auth != "Bearer ya29.user" => (401, String::new()),
        ("GET", t) if t.contains("green.tf") => (404, "No such object".into()),
        ("GET", t) if t.contains("pageToken=two") => (200, r#"{"items":[{"name":"default.tfstate"}]}"#.into()),
        ("GET", t) if t.contains("/o?prefix=") => {
            (200, r#"{"items":[{"name":"staging.tfstate"},{"name":"staging.tflock"}],"nextPageToken":"two"}"#.into())
        }
        _ => (500, String::new()),
    });
    let file = dir.path().join("adc.json");
    std::fs::write(
        &file,
        format!(r#"{{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"1//rt","token_uri":"{url}/token"}}"#),
    )
    .unwrap();
    let mut ctx = context();
    ctx.google_application_credentials = Some(file.to_string_lossy().into());
    let cfg = config(&[("bucket", json!("b")), ("storage_custom_endpoint", json!(format!("{url}/storage/v1")))]);
    let l = configure(&cfg, &ws("green"), &ctx, 5_000).unwrap();
    let Opened::NoStateYet(none) = block_on(open(&l)).unwrap() else { panic!("a state") };
    assert_eq!(none.existing, vec!["staging".to_string(), "default".to_string()]);
    assert_eq!(none.looked_for, "gs://b/green.tfstate");
    assert_eq!(block_on(workspaces(&l)).unwrap(), vec!["default", "staging"]);
    assert!(seen.lock().unwrap().iter().filter(|s| s.contains("/token")).all(|s| s.ends_with("POST /token ")));
}

#[test]
fn a_relative_credentials_file_may_not_lead_outside_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::fs::write(dir.path().join("outside"), "{}").unwrap();
    let mut l = location();
    l.cwd = work.to_string_lossy().into_owned();
    let e = read_named(&l, "../outside", "`credentials`", 1 << 10, |why| Error::Credentials { from: "x".into(), why })
        .unwrap_err();
    assert!(matches!(e, Error::Refused(_)), "{e:?}");
    let e = e.to_string();
    assert!(e.starts_with("gcs backend: ../outside leads outside the workspace"), "{e}");
    assert!(e.contains("point `credentials` at a file in the repository"), "{e}");
}
