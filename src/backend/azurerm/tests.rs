use serde_json::json;

use super::*;
use crate::backend::config::From as Written;
use crate::backend::workspace::Selected;

const KEY: &str = "c3RhZ2UtYWN0aW9uIGF6dXJpdGUgdGVzdCBrZXkgLSBub3QgYSBzZWNyZXQgLSAwMTIzNDU2Nzg5YWJjZGVm";
const NOW: f64 = 1_795_955_588_000.0; // Sun, 29 Nov 2026 12:33:08 GMT

fn config(pairs: &[(&str, serde_json::Value)]) -> BackendConfig {
    let mut c = BackendConfig::new(NAME);
    for (i, (key, value)) in pairs.iter().enumerate() {
        c.set(key, value.clone(), Written::Input { line: i + 1 });
    }
    c
}

fn ws(name: &str) -> Workspace {
    Workspace { name: name.into(), selected: if name == DEFAULT { Selected::Default } else { Selected::Setting } }
}

fn base() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("storage_account_name", json!("tfstatetest")),
        ("container_name", json!("tfstate")),
        ("key", json!("stages/app/terraform.tfstate")),
    ]
}

fn with(extra: &[(&'static str, serde_json::Value)]) -> Vec<(&'static str, serde_json::Value)> {
    let mut v = base();
    v.extend(extra.iter().cloned());
    v
}

fn context() -> Context {
    Context { workspace: "/home/runner/work/repo".into(), ..Context::default() }
}

fn configure_ok(pairs: &[(&str, serde_json::Value)], workspace: &str) -> Location {
    configure(&config(pairs), &ws(workspace), &context(), 30_000).unwrap()
}

fn problems(pairs: &[(&str, serde_json::Value)]) -> Vec<String> {
    configure(&config(pairs), &ws(DEFAULT), &context(), 30_000).unwrap_err().iter().map(|p| p.to_string()).collect()
}

fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
        body: body.to_vec(),
    }
}

fn shared_key(workspace: &str) -> Location {
    configure_ok(&with(&[("access_key", json!(KEY))]), workspace)
}

#[test]
fn keys_are_terraforms_and_every_env_fallback_names_a_key() {
    assert_eq!(KEYS.len(), 31);
    for (key, _) in ENV {
        assert!(KEYS.contains(key), "{key}");
    }
    for key in SECRETS {
        assert!(KEYS.contains(key), "{key}");
    }
    let env = |k: &str| ENV.iter().find(|(key, _)| *key == k).unwrap().1;
    assert_eq!(
        env("oidc_request_url"),
        ["ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_OIDCREQUESTURI"]
    );
    assert_eq!(env("metadata_host"), ["ARM_METADATA_HOSTNAME", "ARM_METADATA_HOST"]);
    assert_eq!(env("use_azuread_auth"), ["ARM_USE_AZUREAD"]);
}

#[test]
fn other_workspaces_are_the_key_with_env_and_no_separator() {
    assert_eq!(shared_key(DEFAULT).blob_name(), "stages/app/terraform.tfstate");
    assert_eq!(shared_key("staging").blob_name(), "stages/app/terraform.tfstateenv:staging");
}

#[test]
fn every_problem_at_once() {
    let p = problems(&[
        ("storage_account_name", json!("Not_An-Account")),
        ("environment", json!("mars")),
        ("lookup_blob_endpoint", json!(true)),
    ]);
    assert_eq!(
        p,
        [
            "input `backend-config` line 1, `storage_account_name`: \"Not_An-Account\" is not a storage account name: 3 to 24 lower-case letters and digits",
            "`container_name`: is required: the blob container that holds the state, as in the backend block",
            "`key`: is required: the state's blob name in the container (e.g. prod.terraform.tfstate), as in the backend block",
            "input `backend-config` line 3, `lookup_blob_endpoint`: is not supported: it asks Azure Resource Manager for the account's endpoint; remove it (the endpoint is then https://<account>.blob.<the cloud's storage suffix>)",
            "input `backend-config` line 2, `environment`: \"mars\" is not a cloud this backend knows: use public, usgovernment or china (or `metadata_host` for another)",
            "`use_azuread_auth`: no credentials for the storage account: set `use_azuread_auth = true` (ARM_USE_AZUREAD=true, with OIDC: ARM_USE_OIDC, ARM_CLIENT_ID, ARM_TENANT_ID), `access_key` (ARM_ACCESS_KEY) or `sas_token` (ARM_SAS_TOKEN)",
        ]
    );
}

#[test]
fn arm_list_keys_cli_msi_and_certificates_are_refused_with_what_to_use() {
    let p = problems(&with(&[("resource_group_name", json!("rg"))]));
    assert!(p[0].contains("list the account's keys through Azure Resource Manager"), "{p:?}");
    assert!(p[0].contains("Storage Blob Data Reader"), "{p:?}");
    let p = problems(&with(&[("use_azuread_auth", json!(true)), ("tenant_id", json!("t")), ("client_id", json!("c"))]));
    assert_eq!(p.len(), 1);
    assert!(p[0].contains("Azure CLI (`use_cli`)") && p[0].contains("ARM_USE_OIDC=true"), "{p:?}");
    let p = problems(&with(&[
        ("use_azuread_auth", json!("true")),
        ("tenant_id", json!("t")),
        ("client_id", json!("c")),
        ("use_msi", json!(true)),
    ]));
    assert!(p[0].contains("`use_msi`: is not supported (managed identity)"), "{p:?}");
    let p = problems(&with(&[
        ("use_azuread_auth", json!(true)),
        ("tenant_id", json!("t")),
        ("client_id", json!("c")),
        ("client_certificate_path", json!("c.pfx")),
    ]));
    assert!(p[0].contains("`client_certificate`: is not supported"), "{p:?}");
    let p = problems(&with(&[("use_azuread_auth", json!(true)), ("use_oidc", json!(true))]));
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(p[0].contains("`tenant_id`: is required") && p[1].contains("`client_id`: is required"), "{p:?}");
    assert!(p[2].contains("`permissions: id-token: write`"), "{p:?}");
    let p = problems(&with(&[("access_key", json!("not base64!"))]));
    assert_eq!(p.len(), 1);
    assert!(!p[0].contains("not base64!"), "a key never appears: {p:?}");
}

#[test]
fn credentials_in_terraforms_order_key_then_sas_then_entra() {
    let all = with(&[
        ("access_key", json!(KEY)),
        ("sas_token", json!("?sv=2023&sig=abc")),
        ("use_azuread_auth", json!(true)),
    ]);
    assert!(matches!(configure_ok(&all, DEFAULT).auth, Auth::SharedKey(_)));
    let sas = configure_ok(
        &all[..all.len()].iter().filter(|(k, _)| *k != "access_key").cloned().collect::<Vec<_>>(),
        DEFAULT,
    );
    assert_eq!(sas.auth, Auth::Sas(Secret::new("sv=2023&sig=abc")), "the leading ? is dropped");

    // azure/login's OIDC, with Terraform's environment fallbacks as the runner sets them.
    let mut c = config(&base());
    for (k, v, env) in [
        ("use_azuread_auth", "true", "ARM_USE_AZUREAD"),
        ("use_oidc", "true", "ARM_USE_OIDC"),
        ("client_id", "00000000-0000-0000-0000-00000000c1d0", "ARM_CLIENT_ID"),
        ("tenant_id", "00000000-0000-0000-0000-0000000007e7", "ARM_TENANT_ID"),
        (
            "oidc_request_url",
            "https://pipelines.actions.example/idtoken?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
        ),
        ("oidc_request_token", "runner-token", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
    ] {
        c.set(k, json!(v), Written::Env { name: env.into() });
    }
    let l = configure(&c, &ws(DEFAULT), &context(), 30_000).unwrap();
    assert_eq!(
        l.auth,
        Auth::Entra {
            tenant_id: "00000000-0000-0000-0000-0000000007e7".into(),
            client_id: Value::Given("00000000-0000-0000-0000-00000000c1d0".into()),
            credential: EntraCredential::OidcRequest {
                url: "https://pipelines.actions.example/idtoken?api-version=2.0".into(),
                token: Secret::new("runner-token"),
            },
        }
    );
    // A client secret comes before OIDC, as in go-azure-sdk; files are relative to the workspace.
    c.set("client_secret_file_path", json!("secret.txt"), Written::Input { line: 9 });
    let l = configure(&c, &ws(DEFAULT), &context(), 30_000).unwrap();
    assert!(matches!(
        l.auth,
        Auth::Entra { credential: EntraCredential::ClientSecret(Value::File(ref k, ref p)), .. }
            if k == "client_secret_file_path" && p.path == "/home/runner/work/repo/secret.txt"
    ));
    // The Location crosses to the on-demand module as JSON.
    let back: Location = serde_json::from_str(&serde_json::to_string(&l).unwrap()).unwrap();
    assert_eq!(back, l);
}

#[test]
fn the_cloud_comes_from_environment_or_metadata_host() {
    let l = shared_key(DEFAULT);
    assert_eq!(
        l.cloud,
        Cloud::Known { storage_suffix: "core.windows.net".into(), login: "https://login.microsoftonline.com".into() }
    );
    let l = configure_ok(&with(&[("access_key", json!(KEY)), ("environment", json!("china"))]), DEFAULT);
    assert!(matches!(l.cloud, Cloud::Known { ref storage_suffix, .. } if storage_suffix == "core.chinacloudapi.cn"));
    let l = configure_ok(&with(&[("access_key", json!(KEY)), ("metadata_host", json!("127.0.0.1:8443"))]), DEFAULT);
    assert_eq!(l.cloud, Cloud::Metadata("127.0.0.1:8443".into()));
    assert_eq!(
        metadata_request("127.0.0.1:8443", 5).url,
        "https://127.0.0.1:8443/metadata/endpoints?api-version=2022-09-01"
    );
    let doc =
        json!({"authentication": {"loginEndpoint": "https://127.0.0.1:9/"}, "suffixes": {"storage": "localhost"}});
    assert_eq!(
        metadata_answer("h", &response(200, &[], doc.to_string().as_bytes())).unwrap(),
        ("localhost".to_string(), "https://127.0.0.1:9/".to_string())
    );
    let hostile =
        json!({"authentication": {"loginEndpoint": "https://x"}, "suffixes": {"storage": "evil.example/\n::error::x"}});
    let e = metadata_answer("h", &response(200, &[], hostile.to_string().as_bytes())).unwrap_err().to_string();
    assert!(e.contains("\\n::error::x"), "{e}");
    assert!(problems(&with(&[("access_key", json!(KEY)), ("metadata_host", json!("https://x/y"))]))[0]
        .contains("is not a host name"));
}

#[test]
fn a_shared_key_get_is_signed_as_azure_blob_py_signs_it() {
    let l = shared_key("staging");
    let r = blob_request(
        &l,
        "localhost",
        &Authorizer::SharedKey(Secret::new(KEY)),
        &blob_path(&l, &l.blob_name()),
        &[],
        NOW,
    );
    assert_eq!(r.url, "https://tfstatetest.blob.localhost/tfstate/stages/app/terraform.tfstateenv%3Astaging");
    assert_eq!((r.method.as_str(), r.timeout_ms), ("GET", 30_000));
    // python3: base64(hmac_sha256(key, "GET\n×12 x-ms-date:… x-ms-version:… /tfstatetest/tfstate/…env%3Astaging"))
    assert_eq!(
        r.headers,
        vec![
            ("x-ms-date".to_string(), "Sun, 29 Nov 2026 12:33:08 GMT".to_string()),
            ("x-ms-version".to_string(), "2023-11-03".to_string()),
            (
                "authorization".to_string(),
                "SharedKey tfstatetest:VMCdDL/x+cwdWY157weoHQ3DHQCbq0mLOY6e8O/KiJM=".to_string()
            ),
        ]
    );
}

#[test]
fn a_sas_goes_in_the_query_and_a_token_in_a_bearer_header() {
    let l = shared_key(DEFAULT);
    let path = format!("/{}", l.container);
    let params = [("restype", "container"), ("comp", "list"), ("prefix", "stages/app/terraform.tfstate")];
    let r = blob_request(&l, "core.windows.net", &Authorizer::Sas(Secret::new("sv=1&sig=a%2Bb")), &path, &params, NOW);
    assert_eq!(
        r.url,
        "https://tfstatetest.blob.core.windows.net/tfstate?restype=container&comp=list&prefix=stages%2Fapp%2Fterraform.tfstate&sv=1&sig=a%2Bb"
    );
    assert!(r.headers.iter().all(|(n, _)| n != "authorization"));
    let r = blob_request(&l, "core.windows.net", &Authorizer::Bearer(Secret::new("eyJ")), &path, &[], NOW);
    assert!(r.headers.contains(&("authorization".into(), "Bearer eyJ".into())));
}

#[test]
fn a_state_is_read_with_its_lock_and_an_empty_or_missing_blob_is_no_state() {
    let l = shared_key(DEFAULT);
    use base64::Engine;
    let info = r#"{"ID":"7e41","Operation":"OperationTypeApply","Info":"","Who":"root@vm","Version":"1.11.4","Created":"2026-11-29T05:42:19Z","Path":"tfstate/x"}"#;
    let meta = base64::engine::general_purpose::STANDARD.encode(info);
    let locked = response(
        200,
        &[("x-ms-lease-status", "locked"), ("x-ms-lease-state", "leased"), ("x-ms-meta-Terraformlockid", &meta)],
        b"{\"version\":4}",
    );
    let s = answer(&l, locked, None).unwrap().unwrap();
    assert_eq!(s.lock.unwrap().to_string(), "locked by root@vm for apply since 2026-11-29T05:42:19Z");
    // No Last-Modified: when the state changed is not known.
    assert_eq!(s.modified_ms, None);
    assert_eq!(s.size, Some(13));
    assert_eq!(s.name, "azurerm blob tfstate/stages/app/terraform.tfstate in storage account tfstatetest");
    // Leased without readable metadata: still locked.
    let s = answer(
        &l,
        response(200, &[("x-ms-lease-status", "locked"), ("x-ms-meta-terraformlockid", "%%%")], b"{}"),
        None,
    );
    assert_eq!(s.unwrap().unwrap().lock, Some(Lock::default()));
    let s =
        answer(&l, response(200, &[("x-ms-lease-status", "unlocked"), ("x-ms-lease-state", "available")], b"{}"), None);
    assert_eq!(s.unwrap().unwrap().lock, None);
    // The blob's Last-Modified is when the state last changed (the soak clock).
    let s = answer(&l, response(200, &[("last-modified", "Sun, 29 Nov 2026 12:23:08 GMT")], b"{}"), None);
    assert_eq!(s.unwrap().unwrap().modified_ms, Some(1_795_954_988_000.0));
    assert!(answer(&l, response(200, &[], b""), None).unwrap().is_none());
    assert!(answer(&l, response(404, &[("x-ms-error-code", "BlobNotFound")], b""), None).unwrap().is_none());
}

#[test]
fn errors_name_the_identity_and_the_missing_role() {
    let l = shared_key(DEFAULT);
    let body = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>This request is not authorized to perform this operation using this permission.\nRequestId:1</Message></Error>";
    let mut entra = l.clone();
    entra.auth = Auth::Entra {
        tenant_id: "t".into(),
        client_id: Value::Given("c1d0".into()),
        credential: EntraCredential::OidcToken(Value::Given(Secret::new("x"))),
    };
    let e = answer(&entra, response(403, &[("x-ms-error-code", "AuthorizationPermissionMismatch")], body), None)
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "azurerm backend: Entra ID application c1d0 (OIDC) may not read blob tfstate/stages/app/terraform.tfstate in storage account tfstatetest (AuthorizationPermissionMismatch); reading a state needs the role Storage Blob Data Reader on the container (or the account) for that identity — Contributor or Owner alone do not give data access — or a SAS with read and list permissions"
    );
    let failed = b"<Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.\nRequestId:2</Message></Error>";
    let e = answer(&l, response(403, &[], failed), None).err().unwrap();
    assert_eq!(
        e.to_string(),
        "azurerm backend: the storage account did not accept the shared key (`access_key`) for blob tfstate/stages/app/terraform.tfstate in storage account tfstatetest (403 AuthenticationFailed): \"Server failed to authenticate the request.\"; the key is wrong or was rotated: set `access_key` (ARM_ACCESS_KEY) to one of the account's current access keys"
    );
    let e = answer(&l, response(404, &[("x-ms-error-code", "ContainerNotFound")], b""), None).err().unwrap();
    assert!(e.to_string().contains("there is no container tfstate in storage account tfstatetest"), "{e}");
    // A hostile body is bounded and escaped.
    let hostile = format!("<Error><Code>X\n::error::y</Code><Message>{}</Message></Error>", "A".repeat(100_000));
    let e = answer(&l, response(500, &[], hostile.as_bytes()), None).err().unwrap().to_string();
    assert!(e.len() < 600 && !e.contains("\n::error"), "{e}");
}

#[test]
fn the_listing_gives_the_workspaces_default_first_and_skips_empty_blobs() {
    let l = shared_key(DEFAULT);
    let xml = br#"<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://x/" ContainerName="tfstate"><Prefix>stages/app/terraform.tfstate</Prefix><Blobs>
<Blob><Name>stages/app/terraform.tfstate</Name><Properties><Content-Length>180</Content-Length></Properties></Blob>
<Blob><Name>stages/app/terraform.tfstate.backup</Name><Properties><Content-Length>180</Content-Length></Properties></Blob>
<Blob><Name>stages/app/terraform.tfstateenv:staging</Name><Properties><Content-Length>200</Content-Length></Properties></Blob>
<Blob><Name>stages/app/terraform.tfstateenv:a/b</Name><Properties><Content-Length>200</Content-Length></Properties></Blob>
<Blob><Name>stages/app/terraform.tfstateenv:empty</Name><Properties><Content-Length>0</Content-Length></Properties></Blob>
</Blobs><NextMarker>m2</NextMarker></EnumerationResults>"#;
    let (blobs, next) = listing(&l, xml).unwrap();
    assert_eq!(next.as_deref(), Some("m2"));
    assert_eq!(workspaces_of(&l.key, &blobs), ["default", "staging"]);
    assert!(matches!(listing(&l, b"<EnumerationResults><Blobs><Blob>"), Err(Error::BadListing { .. }) | Ok(_)));
}

#[test]
fn the_oidc_exchange_asks_github_for_the_token_exchange_audience_then_entra_id() {
    let r = entra::oidc_request("https://gh.example/idtoken?api-version=2.0", &Secret::new("rt"), 7);
    assert_eq!(r.url, "https://gh.example/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange");
    assert!(r.headers.contains(&("authorization".into(), "Bearer rt".into())));
    assert_eq!(
        entra::oidc_answer("https://gh.example/idtoken?x", &response(200, &[], br#"{"value":"jwt"}"#))
            .unwrap()
            .expose(),
        "jwt"
    );
    let e =
        entra::oidc_answer("https://gh.example/idtoken?secret", &response(401, &[], b"nope")).unwrap_err().to_string();
    assert_eq!(e, "azurerm backend: the OIDC token request to https://gh.example/idtoken (`oidc_request_url`) answered 401: \"nope\"; in GitHub Actions the job needs `permissions: id-token: write`");

    let url = entra::token_url("https://login.example/", "tenant");
    assert_eq!(url, "https://login.example/tenant/oauth2/v2.0/token");
    let jwt = Secret::new("a.b.c");
    let r = entra::token_request(&url, "client", entra::Credential::Assertion(&jwt), 7);
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        "grant_type=client_credentials&client_id=client&scope=https%3A%2F%2Fstorage.azure.com%2F.default&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c"
    );
    assert_eq!(
        entra::token_answer(&url, "client", &response(200, &[], br#"{"access_token":"tok","expires_in":3599}"#))
            .unwrap()
            .expose(),
        "tok"
    );
    let refused = json!({"error": "invalid_client", "error_description": "AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:o/r:ref:refs/heads/main'.\r\nTrace ID: 1", "error_codes": [700213]});
    let e = entra::token_answer(&url, "client", &response(400, &[], refused.to_string().as_bytes())).unwrap_err();
    assert_eq!(
        e.to_string(),
        "azurerm backend: Entra ID (https://login.example/tenant/oauth2/v2.0/token) gave application client no token for Azure Storage: \"invalid_client: AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:o/r:ref:refs/heads/main'.\"; the application has no federated credential that matches this workflow's token: add one whose issuer is https://token.actions.githubusercontent.com and whose subject matches this job (repo:<owner>/<repo>:environment:<name>, :ref:refs/heads/<branch>, or :pull_request)"
    );
}

#[test]
fn a_relative_client_secret_file_may_not_lead_outside_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::fs::write(dir.path().join("outside"), "secret").unwrap();
    let file = crate::files::Setting::new("../outside", "`client_secret_file_path`", &work.to_string_lossy(), None);
    let e = read_text("client_secret_file_path", &file, 1 << 10).unwrap_err().to_string();
    assert!(e.starts_with("azurerm backend: ../outside leads outside the workspace"), "{e}");
    assert!(e.contains("point `client_secret_file_path` at a file in the repository"), "{e}");
}
