//! The settings, the requests and the answers, natively.

use serde_json::json;

use super::credentials::{self, FromProfile};
use super::request;
use super::*;
use crate::backend::config::From;
use crate::backend::workspace::Selected;
use crate::host::HttpResponse;

fn input(line: usize) -> From {
    From::Input { line }
}

fn env(name: &str) -> From {
    From::Env { name: name.into() }
}

fn workspace(name: &str) -> Workspace {
    Workspace { name: name.into(), selected: Selected::Setting }
}

fn context() -> Context {
    Context { workspace: "/repo".into(), home: Some("/home/runner".into()), ..Context::default() }
}

fn base() -> BackendConfig {
    let mut c = BackendConfig::new(NAME);
    c.set("bucket", json!("tfstate"), input(1));
    c.set("key", json!("stages/app/terraform.tfstate"), input(2));
    c.set("region", json!("eu-west-1"), env("AWS_REGION"));
    c.set("access_key", json!("AKIAENV"), env("AWS_ACCESS_KEY_ID"));
    c.set("secret_key", json!("env-secret"), env("AWS_SECRET_ACCESS_KEY"));
    c.set("token", json!("env-token"), env("AWS_SESSION_TOKEN"));
    c
}

fn problems(c: &BackendConfig) -> Vec<String> {
    configure(c, &workspace("default"), &context(), 30_000).unwrap_err().iter().map(ToString::to_string).collect()
}

fn location(c: &BackendConfig, ws: &str) -> Location {
    configure(c, &workspace(ws), &context(), 30_000).unwrap()
}

fn creds() -> Credentials {
    Credentials {
        access_key_id: "AKIAEXAMPLE".into(),
        secret: crate::secret::Secret::new("s3cr3t"),
        token: None,
        source: "environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into(),
        role_arn: None,
    }
}

fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse { status, headers: Vec::new(), body: body.as_bytes().to_vec() }
}

#[test]
fn the_keys_are_terraform_1_11s_schema_and_its_env_fallbacks() {
    assert_eq!(KEYS.len(), 45);
    for (key, _) in ENV {
        assert!(KEYS.contains(key), "{key}");
    }
    let loc = location(&base(), "default");
    assert_eq!(loc.s3_endpoint, "https://s3.eu-west-1.amazonaws.com");
    assert_eq!(loc.sts_endpoint, "https://sts.eu-west-1.amazonaws.com");
    assert_eq!(loc.dynamodb_endpoint, "https://dynamodb.eu-west-1.amazonaws.com");
    assert_eq!(loc.workspace_key_prefix, "env:");
    let keys = loc.chain.env_keys.as_ref().unwrap();
    assert_eq!(keys.access_key_id, "AKIAENV");
    assert_eq!(keys.token.as_ref().unwrap().expose(), "env-token");
    assert_eq!(loc.chain.settings_keys, None);
    assert_eq!(
        loc.chain.credentials_files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        ["/home/runner/.aws/credentials"]
    );
    assert_eq!(
        loc.chain.config_files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        ["/home/runner/.aws/config"]
    );
    // The Location crosses to the on-demand module as JSON.
    let json = serde_json::to_string(&loc).unwrap();
    assert_eq!(serde_json::from_str::<Location>(&json).unwrap(), loc);
}

#[test]
fn every_problem_at_once() {
    let mut c = BackendConfig::new(NAME);
    c.set("key", json!("/x//y/"), input(1));
    c.set("sse_customer_key", json!("short"), input(2));
    c.set("endpoints", json!({"s3": "minio:9000"}), input(3));
    c.set("access_key", json!("AKIA"), input(4));
    c.set("assume_role", json!({"session_name": "x"}), input(5));
    c.set("use_lockfile", json!("maybe"), input(6));
    assert_eq!(
        problems(&c),
        [
            "`bucket`: is required: the S3 bucket that holds the state, as in the backend block",
            "input `backend-config` line 1, `key`: \"/x//y/\" is not a valid key: Terraform refuses a leading or trailing `/` and `//`",
            "`region`: is required: the bucket's region, in the backend block or AWS_REGION (aws-actions/configure-aws-credentials sets it)",
            "input `backend-config` line 3, `endpoints`: \"minio:9000\" is not an http(s) URL",
            "input `backend-config` line 2, `sse_customer_key`: must be the base64 of a 32-byte key (44 characters), as Terraform requires",
            "input `backend-config` line 6, `use_lockfile`: must be true or false",
            "`secret_key`: is required with `access_key`",
            "input `backend-config` line 5, `assume_role`: needs `role_arn`: the role to assume",
        ]
    );
}

#[test]
fn settings_win_over_the_environment_and_the_endpoints_block_over_the_flat_keys() {
    let mut c = base();
    c.set("endpoint", json!("http://env-endpoint:1"), env("AWS_ENDPOINT_URL_S3"));
    c.set("endpoints", json!({"s3": "http://127.0.0.1:9000/", "sts": "http://127.0.0.1:9001", "sso": null}), input(3));
    c.set("force_path_style", json!(true), input(4));
    c.set("access_key", json!("AKIASET"), input(5));
    c.set("secret_key", json!("set-secret"), input(6));
    c.set("workspace_key_prefix", json!("workspaces"), input(7));
    let loc = location(&c, "staging");
    assert_eq!(loc.s3_endpoint, "http://127.0.0.1:9000");
    assert_eq!(loc.sts_endpoint, "http://127.0.0.1:9001");
    assert!(loc.path_style);
    let keys = loc.chain.settings_keys.as_ref().unwrap();
    // The environment's session token does not go with keys written in the settings.
    assert_eq!((keys.access_key_id.as_str(), keys.token.is_none()), ("AKIASET", true));
    assert_eq!(keys.from, "`access_key` (input `backend-config` line 5)");
    assert_eq!(loc.state_key(), "workspaces/staging/stages/app/terraform.tfstate");
    let mut c = base();
    c.set("endpoint", json!("http://env-endpoint:1"), env("AWS_ENDPOINT_URL_S3"));
    assert_eq!(location(&c, "default").s3_endpoint, "http://env-endpoint:1");
}

#[test]
fn web_identity_from_the_block_or_the_sdk_variables_and_assume_role_on_top() {
    let mut c = base();
    c.set(
        "assume_role_with_web_identity",
        json!({"role_arn": "arn:aws:iam::1:role/ci", "web_identity_token_file": "token", "duration": "15m"}),
        input(3),
    );
    c.set(
        "assume_role",
        json!({"role_arn": "arn:aws:iam::2:role/state", "external_id": "x", "duration": "1h30m", "tags": {"b": "2", "a": "1"}}),
        input(4),
    );
    let mut ctx = context();
    ctx.aws_env.insert("AWS_ROLE_ARN".into(), "arn:aws:iam::1:role/env".into());
    ctx.aws_env.insert("AWS_WEB_IDENTITY_TOKEN_FILE".into(), "/tmp/oidc".into());
    let loc = configure(&c, &workspace("default"), &ctx, 30_000).unwrap();
    let wi = loc.chain.settings_web_identity.as_ref().unwrap();
    assert_eq!(
        (wi.role_arn.as_str(), wi.token_file.as_ref().map(|f| f.path.as_str()), wi.duration_seconds),
        ("arn:aws:iam::1:role/ci", Some("/repo/token"), Some(900))
    );
    assert_eq!(
        loc.chain.env_web_identity.as_ref().unwrap().token_file.as_ref().map(|f| f.path.as_str()),
        Some("/tmp/oidc")
    );
    let role = loc.assume_role.as_ref().unwrap();
    assert_eq!(role.duration_seconds, Some(5400));
    assert_eq!(role.session_name, "stage-action");
    assert_eq!(role.tags, [("a".to_string(), "1".to_string()), ("b".to_string(), "2".to_string())]);
    assert_eq!(credentials::duration_seconds("bogus"), None);
    assert_eq!(credentials::duration_seconds("900s"), Some(900));
}

#[test]
fn a_web_identity_token_in_the_settings_is_masked_its_role_is_not() {
    let mut c = base();
    c.set(
        "assume_role_with_web_identity",
        json!({"role_arn": "arn:aws:iam::1:role/ci", "web_identity_token": "eyJ.jwt.sig"}),
        input(3),
    );
    let spec = crate::backend::specs().into_iter().find(|s| s.name == NAME).unwrap();
    assert!(spec.secrets.contains(&"assume_role_with_web_identity.web_identity_token"));
}

#[test]
fn profiles_from_the_shared_files_as_the_sdk_reads_them() {
    let config = "[default]\nregion = eu-west-1\n[profile ci]\nrole_arn = arn:aws:iam::2:role/state\nsource_profile = base\nexternal_id = ext\n[profile base]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = no\n[profile oidc]\nrole_arn = arn:aws:iam::3:role/w\nweb_identity_token_file = /tmp/t\n[profile sso]\nsso_session = corp\n[sso-session corp]\nsso_region = x\n";
    let creds = "# comment\n[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n";
    let profiles = credentials::profiles(&[("c".into(), config.into())], &[("k".into(), creds.into())]);
    let files = "k and c";
    match credentials::from_profile(&profiles, "ci", files, 0).unwrap() {
        FromProfile::AssumeRole { base, role } => {
            assert_eq!(role.role_arn, "arn:aws:iam::2:role/state");
            assert_eq!(role.external_id.as_deref(), Some("ext"));
            match *base {
                FromProfile::Keys(k) => {
                    assert_eq!((k.access_key_id.as_str(), k.secret.expose()), ("AKIABASE", "base-secret"))
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(credentials::from_profile(&profiles, "oidc", files, 0).unwrap(), FromProfile::WebIdentity(_)));
    assert_eq!(
        credentials::from_profile(&profiles, "sso", files, 0).unwrap_err().to_string(),
        "s3 backend: profile sso (k and c) uses `sso_session`, which this action does not run: use aws-actions/configure-aws-credentials (OIDC) in the workflow, or static keys; fix the profile, or set `profile`/AWS_PROFILE to another"
    );
    assert_eq!(
        credentials::from_profile(&profiles, "nope", files, 0).unwrap_err().to_string(),
        "s3 backend: profile nope (k and c) is not in them; fix the profile, or set `profile`/AWS_PROFILE to another"
    );
}

#[test]
fn requests_are_signed_as_sent_with_env_colon_encoded_once() {
    let mut c = base();
    c.set("endpoints", json!({"s3": "http://127.0.0.1:9000"}), input(3));
    c.set("use_path_style", json!(true), input(4));
    let loc = location(&c, "staging");
    let req = request::get_object(&loc, &creds(), &loc.state_key(), true, 1_796_558_400_000.0);
    assert_eq!(req.url, "http://127.0.0.1:9000/tfstate/env%3A/staging/stages/app/terraform.tfstate");
    let names: Vec<&str> = req.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["x-amz-date", "x-amz-content-sha256", "authorization"]);
    assert!(req.headers[2].1.starts_with("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261206/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="));
    // Virtual-host style by default, even on a custom endpoint.
    let mut c = base();
    c.set("endpoints", json!({"s3": "https://minio.example:9000/base"}), input(3));
    let loc = location(&c, "default");
    assert_eq!(request::object_url(&loc, Some("a b/c"), ""), "https://tfstate.minio.example:9000/base/a%20b/c");
    let loc = location(&base(), "default");
    let list = request::list_objects(&loc, &creds(), Some("tok/1"), 0.0);
    assert_eq!(list.url, "https://tfstate.s3.eu-west-1.amazonaws.com/?continuation-token=tok%2F1&list-type=2&max-keys=1000&prefix=env%3A%2F");
}

#[test]
fn sse_c_headers_go_with_the_state_not_with_the_lock_object() {
    let mut c = base();
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // "0123456789abcdef0123456789abcdef"; its MD5 from `openssl md5`
    c.set("sse_customer_key", json!(key), env("AWS_SSE_CUSTOMER_KEY"));
    let loc = location(&c, "default");
    let mut temp = creds();
    temp.token = Some(crate::secret::Secret::new("session"));
    let req = request::get_object(&loc, &temp, "k", true, 0.0);
    let h = |n: &str| req.headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    assert_eq!(h("x-amz-server-side-encryption-customer-algorithm").as_deref(), Some("AES256"));
    assert_eq!(h("x-amz-server-side-encryption-customer-key").as_deref(), Some(key));
    assert_eq!(h("x-amz-server-side-encryption-customer-key-md5").as_deref(), Some("hRasmdxgYDKV3nvbahU1MA=="));
    assert_eq!(h("x-amz-security-token").as_deref(), Some("session"));
    assert!(h("authorization").unwrap().contains("x-amz-date;x-amz-security-token;x-amz-server-side-encryption-customer-algorithm;x-amz-server-side-encryption-customer-key;x-amz-server-side-encryption-customer-key-md5"));
    let lock = request::get_object(&loc, &temp, "k.tflock", false, 0.0);
    assert!(!lock.headers.iter().any(|(n, _)| n.starts_with("x-amz-server-side")));
}

#[test]
fn answers_no_state_yet_a_state_and_the_errors_that_name_identity_and_permission() {
    let loc = location(&base(), "staging");
    let key = loc.state_key();
    let no_such_key = "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>";
    assert_eq!(request::read_object(&loc, &creds(), &key, response(404, no_such_key)).unwrap(), None);
    assert_eq!(request::read_object(&loc, &creds(), &key, response(200, "{}")).unwrap(), Some(b"{}".to_vec()));
    let denied = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
    assert_eq!(
        request::read_object(&loc, &creds(), &key, response(403, denied)).unwrap_err().to_string(),
        "s3 backend: access denied: access key AKIAEXAMPLE (from environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) may not s3:GetObject on arn:aws:s3:::tfstate/env:/staging/stages/app/terraform.tfstate (AccessDenied: \"Access Denied\"); grant s3:GetObject on arn:aws:s3:::tfstate/env:/staging/stages/app/terraform.tfstate to that identity (its IAM policy, and the bucket policy), or use credentials that have it"
    );
    let no_bucket = "<Error><Code>NoSuchBucket</Code><Message>x</Message></Error>";
    assert_eq!(
        request::read_object(&loc, &creds(), &key, response(404, no_bucket)).unwrap_err().to_string(),
        "s3 backend: bucket tfstate does not exist at https://s3.eu-west-1.amazonaws.com (region eu-west-1); check `bucket` and `region`"
    );
    let expired = "<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>";
    assert_eq!(
        request::read_object(&loc, &creds(), &key, response(400, expired)).unwrap_err().to_string(),
        "s3 backend: AWS did not accept access key AKIAEXAMPLE from environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (ExpiredToken: \"The provided token has expired.\"): the session has expired: configure the credentials again in this job (aws-actions/configure-aws-credentials) or raise its `role-duration-seconds`"
    );
    let hostile = format!("<Error><Code>X\n::error::y</Code><Message>{}</Message></Error>", "A".repeat(10_000));
    let message = request::read_object(&loc, &creds(), &key, response(500, &hostile)).unwrap_err().to_string();
    assert!(message.contains("\"X\\n::error::y\"") && message.len() < 400, "{message}");
    let message = request::read_object(&loc, &creds(), &key, response(502, "<html>")).unwrap_err().to_string();
    assert!(message.ends_with("answered HTTP 502 (no error code)"), "{message}");
}

#[test]
fn the_lock_object_and_the_dynamodb_item_say_who_holds_the_lock() {
    let mut c = base();
    c.set("dynamodb_table", json!("tf-locks"), input(3));
    let loc = location(&c, "default");
    let info = r#"{"ID":"0afaa0cf","Operation":"OperationTypeApply","Info":"","Who":"root@vm","Version":"1.11.4","Created":"2026-11-29T12:35:00.68724396Z","Path":"tfstate/stages/app/terraform.tfstate"}"#;
    let lock = request::read_lockfile(&loc, &creds(), "k", response(200, info)).unwrap().unwrap();
    assert_eq!(lock.to_string(), "locked by root@vm for apply since 2026-11-29T12:35:00.68724396Z");
    assert_eq!(request::read_lockfile(&loc, &creds(), "k", response(404, "")).unwrap(), None);
    let item =
        json!({"Item": {"LockID": {"S": "tfstate/stages/app/terraform.tfstate"}, "Info": {"S": info}}}).to_string();
    assert_eq!(
        request::read_item(&loc, &creds(), response(200, &item)).unwrap().unwrap().who.as_deref(),
        Some("root@vm")
    );
    assert_eq!(request::read_item(&loc, &creds(), response(200, "{}")).unwrap(), None);
    let req = request::get_item(&loc, &creds(), "stages/app/terraform.tfstate", 0.0);
    assert_eq!(req.url, "https://dynamodb.eu-west-1.amazonaws.com/");
    assert_eq!(
        String::from_utf8(req.body).unwrap(),
        r#"{"TableName":"tf-locks","Key":{"LockID":{"S":"tfstate/stages/app/terraform.tfstate"}},"ConsistentRead":true}"#
    );
    let denied = r#"{"__type":"com.amazonaws.dynamodb.v20120810#AccessDeniedException","message":"no"}"#;
    assert!(request::read_item(&loc, &creds(), response(400, denied))
        .unwrap_err()
        .to_string()
        .contains("may not dynamodb:GetItem on arn:aws:dynamodb:eu-west-1:*:table/tf-locks"));
    let missing = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no"}"#;
    assert_eq!(
        request::read_item(&loc, &creds(), response(400, missing)).unwrap_err().to_string(),
        "s3 backend: DynamoDB table tf-locks does not exist in eu-west-1; check `dynamodb_table` and `region` (or `endpoints.dynamodb`)"
    );
}

#[test]
fn workspaces_are_the_keys_of_the_form_prefix_workspace_key() {
    let loc = location(&base(), "default");
    let page = "<ListBucketResult><Contents><Key>env:/staging/stages/app/terraform.tfstate</Key></Contents><Contents><Key>env:/staging/stages/app/terraform.tfstate.tflock</Key></Contents><Contents><Key>env:/other/stages/db/terraform.tfstate</Key></Contents><Contents><Key>env:/prod/stages/app/terraform.tfstate</Key></Contents><IsTruncated>true</IsTruncated><NextContinuationToken>t2</NextContinuationToken></ListBucketResult>";
    assert_eq!(
        request::read_list(&loc, page).unwrap(),
        (vec!["staging".to_string(), "prod".to_string()], Some("t2".to_string()))
    );
    assert_eq!(request::workspace_of("a/k", "", "k").as_deref(), Some("a"));
    assert_eq!(request::workspace_of("k", "", "k"), None);
    assert!(request::read_list(&loc, "<ListBucketResult>").is_err());
}

#[test]
fn sts_answers_give_temporary_credentials_or_say_why_not() {
    let loc = location(&base(), "default");
    let ok = "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIATEMP</AccessKeyId><SecretAccessKey>tmp-secret</SecretAccessKey><SessionToken>tmp-token</SessionToken><Expiration>2026-11-29T13:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
    let got = request::read_sts(&loc, "AssumeRoleWithWebIdentity", "arn:aws:iam::1:role/ci", None, response(200, ok))
        .unwrap();
    assert_eq!(
        (got.access_key_id.as_str(), got.secret.expose(), got.token.unwrap().expose()),
        ("ASIATEMP", "tmp-secret", "tmp-token")
    );
    let refused = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Incorrect token audience</Message></Error></ErrorResponse>";
    assert_eq!(
        request::read_sts(&loc, "AssumeRoleWithWebIdentity", "arn:aws:iam::1:role/ci", None, response(400, refused)).unwrap_err().to_string(),
        "s3 backend: STS AssumeRoleWithWebIdentity of role arn:aws:iam::1:role/ci at https://sts.eu-west-1.amazonaws.com was refused (HTTP 400, InvalidIdentityToken: \"Incorrect token audience\"); the OIDC token was not accepted: check the role's trust policy (its `sub` and `aud` conditions) and that the job has `permissions: id-token: write`"
    );
    let wi = WebIdentity {
        role_arn: "arn:aws:iam::1:role/ci".into(),
        token: None,
        token_file: Some(crate::files::Setting::new("/t", "`web_identity_token_file`", "/repo", None)),
        session_name: Some("s".into()),
        duration_seconds: None,
        policy: None,
        policy_arns: Vec::new(),
        from: String::new(),
    };
    let req = request::assume_role_with_web_identity(&loc, &wi, &crate::secret::Secret::new("eyJ.a.b"), 0.0);
    assert_eq!(String::from_utf8(req.body).unwrap(), "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fci&RoleSessionName=s&WebIdentityToken=eyJ.a.b");
    assert!(!req.headers.iter().any(|(n, _)| n == "authorization"));
    let role = loc.assume_role.clone().unwrap_or(AssumeRole {
        role_arn: "arn:aws:iam::2:role/state".into(),
        session_name: "stage-action".into(),
        external_id: Some("e".into()),
        duration_seconds: None,
        policy: None,
        policy_arns: Vec::new(),
        source_identity: None,
        tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
    });
    let req = request::assume_role(&loc, &creds(), &role, 0.0);
    assert!(req.headers.iter().any(|(n, v)| n == "authorization" && v.contains("/eu-west-1/sts/aws4_request")));
}

#[test]
fn a_relative_web_identity_token_file_may_not_lead_outside_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::fs::write(dir.path().join("outside"), "token").unwrap();
    let mut c = base();
    c.set(
        "assume_role_with_web_identity",
        json!({"role_arn": "arn:aws:iam::1:role/ci", "web_identity_token_file": "../outside"}),
        input(3),
    );
    let context = Context { workspace: work.to_string_lossy().into_owned(), ..context() };
    let loc = configure(&c, &workspace("default"), &context, 30_000).unwrap();
    let e = credentials::web_token(loc.chain.settings_web_identity.as_ref().unwrap()).unwrap_err().to_string();
    assert!(e.starts_with("s3 backend: ../outside leads outside the workspace"), "{e}");
    assert!(e.contains("point `web_identity_token_file` at a file in the repository"), "{e}");
}
