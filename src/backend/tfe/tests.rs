use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::backend::config::From as Written;

fn config(backend: &str, pairs: &[(&str, Value)]) -> BackendConfig {
    let mut c = BackendConfig::new(backend);
    for (i, (key, value)) in pairs.iter().enumerate() {
        c.set(key, value.clone(), Written::Input { line: i + 1 });
    }
    c
}

fn ws(name: &str, selected: Selected) -> Workspace {
    Workspace { name: name.into(), selected }
}

fn context(vars: &[(&str, &str)]) -> Context {
    Context {
        home: Some("/home/runner".into()),
        terraform_cli: vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..Context::default()
    }
}

fn configure_ok(kind: Kind, pairs: &[(&str, Value)], workspace: &Workspace, vars: &[(&str, &str)]) -> Location {
    configure(kind, &config(kind.name(), pairs), workspace, &context(vars), 30_000).unwrap()
}

fn problems(kind: Kind, pairs: &[(&str, Value)], workspace: &Workspace) -> Vec<String> {
    configure(kind, &config(kind.name(), pairs), workspace, &context(&[]), 30_000)
        .unwrap_err()
        .iter()
        .map(|p| p.to_string())
        .collect()
}

fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse { status, headers: Vec::new(), body: body.as_bytes().to_vec() }
}

fn default() -> Workspace {
    ws(DEFAULT, Selected::Default)
}

fn remote_prefix(local: &str) -> Location {
    configure_ok(
        Kind::Remote,
        &[
            ("hostname", json!("tfe.example.com")),
            ("organization", json!("acme")),
            ("token", json!("tok-setting")),
            ("workspaces", json!({"prefix": "app-", "name": null})),
        ],
        &ws(local, Selected::Setting),
        &[],
    )
}

#[test]
fn remote_with_a_prefix_reads_prefix_plus_the_local_workspace() {
    let l = remote_prefix("dev");
    assert_eq!(
        (l.hostname.as_str(), l.organization.as_str(), l.remote.as_str()),
        ("tfe.example.com", "acme", "app-dev")
    );
    assert_eq!(l.token.as_ref().unwrap().from, "`token` (input `backend-config` line 3)");
    assert_eq!(l.cli_config.as_deref(), Some("/home/runner/.terraformrc"));
    assert_eq!(l.credentials_file.as_deref(), Some("/home/runner/.terraform.d/credentials.tfrc.json"));
    assert!(l.env_secrets().is_empty(), "the setting is masked as a setting");
}

#[test]
fn remote_with_a_name_has_only_default_and_the_hostname_defaults_to_hcp_terraform() {
    let l = configure_ok(
        Kind::Remote,
        &[("organization", json!("acme")), ("workspaces", json!({"name": "shop"}))],
        &default(),
        &[],
    );
    assert_eq!((l.hostname.as_str(), l.remote.as_str()), ("app.terraform.io", "shop"));
    let p = problems(
        Kind::Remote,
        &[("organization", json!("acme")), ("workspaces", json!({"name": "shop"}))],
        &ws("dev", Selected::Env),
    );
    assert_eq!(p, ["input `backend-config` line 2, `workspaces`: has `name` = \"shop\": the remote backend then has only the workspace `default`, and workspace \"dev\" was selected; remove the workspace selection, or use `prefix`"]);
}

#[test]
fn every_problem_at_once() {
    let p = problems(Kind::Remote, &[("hostname", json!("https://tfe.example.com/"))], &default());
    assert_eq!(
        p,
        [
            "input `backend-config` line 1, `hostname`: \"https://tfe.example.com/\" must be a host name (app.terraform.io, tfe.example.com), without https:// or a path",
            "`organization`: is required: the Terraform Enterprise organization that holds the workspaces, in the backend \"remote\" block",
            "`workspaces`: is required, with `name` (one workspace) or `prefix` (local workspace X is remote <prefix>X), as in the backend \"remote\" block",
        ]
    );
    let p =
        problems(Kind::Remote, &[("organization", json!("a")), ("workspaces", json!({"prefix": "app-"}))], &default());
    assert!(p[0].contains("has no `default` workspace; select one"), "{p:?}");
    let p = problems(
        Kind::Remote,
        &[("organization", json!("a")), ("workspaces", json!({"prefix": "p", "name": "n"}))],
        &default(),
    );
    assert!(p[0].ends_with("sets both `name` and `prefix`: the remote backend takes exactly one"), "{p:?}");
    let p = problems(
        Kind::Cloud,
        &[("organization", json!("a")), ("workspaces", json!({"tags": [1], "other": "x"}))],
        &default(),
    );
    assert_eq!(p.len(), 3, "{p:?}");
}

#[test]
fn cloud_takes_the_local_workspace_name_as_the_remote_one_and_its_env_fallbacks() {
    let l = configure_ok(
        Kind::Cloud,
        &[("organization", json!("acme")), ("workspaces", json!({"tags": ["app", "shop"]}))],
        &ws("app-dev", Selected::Env),
        &[("TF_CLOUD_PROJECT", "payments")],
    );
    assert_eq!(l.remote, "app-dev");
    assert_eq!(l.workspaces.tags, ["app", "shop"]);
    assert_eq!(l.workspaces.project.as_deref(), Some("payments"));
    let named = configure_ok(
        Kind::Cloud,
        &[("organization", json!("acme")), ("workspaces", json!({"name": "shop"}))],
        &default(),
        &[],
    );
    assert_eq!(named.remote, "shop");
    let p = problems(
        Kind::Cloud,
        &[("organization", json!("acme")), ("workspaces", json!({"name": "shop"}))],
        &ws("x", Selected::Env),
    );
    assert!(p[0].contains("has `name` = \"shop\": the cloud block then has only that workspace, and \"x\" was selected (TF_WORKSPACE)"), "{p:?}");
    let p =
        problems(Kind::Cloud, &[("organization", json!("acme")), ("workspaces", json!({"project": "p"}))], &default());
    assert!(p[0].contains("names no workspace and none is selected"), "{p:?}");
    let p = problems(Kind::Cloud, &[], &ws("x", Selected::Env));
    assert_eq!(p, ["`organization`: is required: the HCP Terraform organization that holds the workspaces, in the cloud block, or TF_CLOUD_ORGANIZATION"]);
}

#[test]
fn tf_token_variables_are_found_as_terraform_decodes_their_names() {
    assert_eq!(token::host_of("TF_TOKEN_tfe_my__corp_com").as_deref(), Some("tfe.my-corp.com"));
    assert_eq!(error::env_name("tfe.my-corp.com"), "TF_TOKEN_tfe_my__corp_com");
    let vars: BTreeMap<String, String> =
        [("TF_TOKEN_app_terraform_io", "t1"), ("TF_TOKEN_localhost", "t2"), ("TF_TOKEN_localhost:8443", "t3")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    let t = token::from_env(&vars, "app.terraform.io").unwrap();
    assert_eq!((t.value.expose(), t.from.as_str()), ("t1", "environment variable TF_TOKEN_app_terraform_io"));
    assert_eq!(token::from_env(&vars, "localhost:8443").unwrap().value.expose(), "t3", "the form with the port first");
    assert_eq!(token::from_env(&vars, "localhost:9999").unwrap().value.expose(), "t2", "else without the port");
    assert!(token::from_env(&vars, "tfe.example.com").is_none());

    let l = configure_ok(
        Kind::Cloud,
        &[("organization", json!("acme")), ("workspaces", json!({"name": "shop"}))],
        &default(),
        &[("TF_TOKEN_app_terraform_io", "env-token")],
    );
    assert_eq!(l.env_secrets(), ["env-token"], "a token from the environment is masked");
    let l = configure_ok(
        Kind::Cloud,
        &[("organization", json!("acme")), ("token", json!("set")), ("workspaces", json!({"name": "shop"}))],
        &default(),
        &[("TF_TOKEN_app_terraform_io", "env-token"), ("TF_CLI_CONFIG_FILE", "/etc/tf.rc")],
    );
    assert_eq!(l.token.unwrap().value.expose(), "set", "the setting wins");
    assert_eq!(l.cli_config.as_deref(), Some("/etc/tf.rc"));
}

#[test]
fn the_cli_config_and_credentials_json_give_the_hosts_token() {
    let rc = "plugin_cache_dir = \"/tmp\"\ncredentials \"other.example\" {\n  token = \"no\"\n}\ncredentials \"App.Terraform.io\" {\n  token = \"from-rc\"\n}\n";
    assert_eq!(token::from_cli_config(rc, "app.terraform.io").unwrap().as_deref(), Some("from-rc"));
    assert_eq!(token::from_cli_config(rc, "tfe.example.com").unwrap(), None);
    assert!(token::from_cli_config("credentials {", "x").unwrap_err().starts_with("is not valid HCL"));
    // A heredoc is a literal too, as in a backend block; an interpolation is not.
    let heredoc = "credentials \"app.terraform.io\" {\n  token = <<EOT\nfrom-heredoc\nEOT\n}\n";
    assert_eq!(token::from_cli_config(heredoc, "app.terraform.io").unwrap().as_deref(), Some("from-heredoc"));
    let computed = "credentials \"app.terraform.io\" {\n  token = \"${var.t}\"\n}\n";
    assert!(token::from_cli_config(computed, "app.terraform.io").unwrap_err().contains("not a literal string"));
    let json = r#"{"credentials":{"app.terraform.io":{"token":"from-json"}}}"#;
    assert_eq!(token::from_credentials_json(json, "app.terraform.io").unwrap().as_deref(), Some("from-json"));
    assert_eq!(token::from_credentials_json(json, "localhost:8443").unwrap(), None);
    assert_eq!(token::from_credentials_json("nope", "x").unwrap_err(), "is not JSON");
}

#[test]
fn the_token_goes_only_to_the_hosts_origin() {
    let l = remote_prefix("dev");
    let t = Secret::new("tok");
    let r = get(&l, &discovery_url(&l), &t);
    assert_eq!(r.url, "https://tfe.example.com/.well-known/terraform.json");
    assert!(r.headers.contains(&("authorization".into(), "Bearer tok".into())));
    let r = get(&l, "https://archivist.example.net/v1/object/abc", &t);
    assert!(!r.headers.iter().any(|(n, _)| n == "authorization"), "a pre-signed URL on another host gets no token");
    let r = get(&l, "https://tfe.example.com:444/x", &t);
    assert!(!r.headers.iter().any(|(n, _)| n == "authorization"), "another port is another origin");
}

#[test]
fn discovery_gives_the_api_on_the_same_host_only() {
    let l = remote_prefix("dev");
    let api = read_discovery(
        &l,
        &response(200, r#"{"modules.v1":"/api/registry/v1/modules/","tfe.v2":"/api/v2/","tfe.v2.1":"/api/v2/"}"#),
    )
    .unwrap();
    assert_eq!(api, "https://tfe.example.com/api/v2/");
    assert_eq!(
        workspace_url(&l, &api),
        "https://tfe.example.com/api/v2/organizations/acme/workspaces/app-dev?include=locked_by"
    );
    assert_eq!(
        state_version_url(&api, "ws-123"),
        "https://tfe.example.com/api/v2/workspaces/ws-123/current-state-version"
    );
    let e = read_discovery(&l, &response(200, r#"{"tfe.v2":"https://evil.example/api/v2/"}"#)).unwrap_err();
    assert_eq!(e.to_string(), "remote backend (Terraform Enterprise at tfe.example.com, organization acme): service discovery puts the API on another host (\"https://evil.example/api/v2/\"); the token is sent only to tfe.example.com: set `hostname` to the API's host");
    let e = read_discovery(&l, &response(200, r#"{"modules.v1":"/m/"}"#)).unwrap_err();
    assert!(e.to_string().contains("lists no `tfe.v2` service"), "{e}");
    let e = read_discovery(&l, &response(404, "<html>nope</html>")).unwrap_err();
    assert!(e.to_string().contains("answered 404: \"<html>nope</html>\"; check `hostname`"), "{e}");
}

const WORKSPACE: &str = r#"{"data":{"id":"ws-abc","type":"workspaces","attributes":{"name":"app-dev","locked":false},"relationships":{"locked-by":{"data":null}}}}"#;

#[test]
fn the_workspace_gives_its_id_and_lock() {
    let l = remote_prefix("dev");
    let w = read_workspace(&l, "x", &response(200, WORKSPACE)).unwrap();
    assert_eq!(w, RemoteWorkspace { id: "ws-abc".into(), lock: None });
    let locked = r#"{"data":{"id":"ws-abc","attributes":{"locked":true},"relationships":{"locked-by":{"data":{"id":"user-1","type":"users"}}}},
        "included":[{"id":"user-1","type":"users","attributes":{"username":"alice"}}]}"#;
    let lock = read_workspace(&l, "x", &response(200, locked)).unwrap().lock.unwrap();
    assert_eq!(lock.to_string(), "locked by user alice (unlock it in the workspace's Settings → Locking, or run `terraform force-unlock acme/app-dev` in its working directory)");
    assert_eq!(lock.id.as_deref(), Some("acme/app-dev"));
    let run = r#"{"data":{"id":"ws-abc","attributes":{"locked":true},"relationships":{"locked-by":{"data":{"id":"run-9","type":"runs"}}}},
        "included":[{"id":"run-9","type":"runs","attributes":{"status":"applying"}}]}"#;
    assert_eq!(
        read_workspace(&l, "x", &response(200, run)).unwrap().lock.unwrap().to_string(),
        "locked by run run-9 (applying), which releases it when it ends"
    );
    let hostile = r#"{"data":{"id":"ws-abc","attributes":{"locked":true},"relationships":{"locked-by":{"data":{"id":"t","type":"teams"}}}},
        "included":[{"id":"t","type":"teams","attributes":{"name":"evil\n::error::x"}}]}"#;
    assert!(read_workspace(&l, "x", &response(200, hostile))
        .unwrap()
        .lock
        .unwrap()
        .to_string()
        .starts_with("locked by team \"evil\\n::error::x\""));
}

#[test]
fn the_error_faces_name_the_backend_host_organization_workspace_and_what_to_do() {
    let l = remote_prefix("dev");
    let from = "environment variable TF_TOKEN_tfe_example_com";
    assert_eq!(
        read_workspace(&l, from, &response(401, r#"{"errors":[{"status":"401","title":"unauthorized"}]}"#)).unwrap_err().to_string(),
        "remote backend (Terraform Enterprise at tfe.example.com, organization acme): the token was not accepted (401 Unauthorized); it came from environment variable TF_TOKEN_tfe_example_com; check that it is a valid user or team token for this host, not expired or revoked (an organization token cannot read state versions)"
    );
    assert_eq!(
        read_workspace(&l, from, &response(404, r#"{"errors":[{"status":"404","title":"not found"}]}"#)).unwrap_err().to_string(),
        "remote backend (Terraform Enterprise at tfe.example.com, organization acme): workspace \"app-dev\" was not found (404); Terraform Enterprise answers 404 both when the workspace does not exist and when the token may not see it: check the workspace name (and the workspace selection) and that the token (environment variable TF_TOKEN_tfe_example_com) belongs to a user or team with access to it"
    );
    let api = "https://tfe.example.com/api/v2/";
    assert_eq!(
        read_state_version(&l, api, &response(403, "{}")).unwrap_err().to_string(),
        "remote backend (Terraform Enterprise at tfe.example.com, organization acme): the token may not read the state of workspace \"app-dev\" (403 Forbidden on its current state version); the team needs the workspace permission \"read state versions\" (or \"read\" access), or use a token of a team that has it"
    );
    let e = read_workspace(&l, from, &response(500, &"x".repeat(10_000))).unwrap_err().to_string();
    assert!(e.len() < 400 && e.contains("answered 500: \"xxx"), "a hostile body is bounded: {e}");
    let e = read_workspace(&l, from, &response(200, "not json")).unwrap_err().to_string();
    assert!(e.ends_with("answered with not JSON; is `hostname` HCP Terraform or Terraform Enterprise?"), "{e}");
    let none = Error::NoToken {
        at: l.at(),
        cli_config: "/home/runner/.terraformrc".into(),
        credentials_file: "/home/runner/.terraform.d/credentials.tfrc.json".into(),
    };
    assert_eq!(
        none.to_string(),
        "remote backend (Terraform Enterprise at tfe.example.com, organization acme): no API token for tfe.example.com; give one in any of the places Terraform looks: the `token` setting (input `backend-config`: token=…, from a secret), the environment variable TF_TOKEN_tfe_example_com (e.g. `env: TF_TOKEN_tfe_example_com: ${{ secrets.TF_API_TOKEN }}`), a credentials \"tfe.example.com\" { token = … } block in the CLI config /home/runner/.terraformrc (TF_CLI_CONFIG_FILE; hashicorp/setup-terraform writes it from `cli_config_credentials_token`), or /home/runner/.terraform.d/credentials.tfrc.json (written by `terraform login`); credentials helpers are not run"
    );
    let top = crate::error::Error::from(none);
    assert_eq!(top.title(), "backend error");
}

#[test]
fn the_current_state_version_gives_the_download_or_no_state_yet() {
    let l = remote_prefix("dev");
    let api = "https://tfe.example.com/api/v2/";
    assert_eq!(read_state_version(&l, api, &response(404, "")).unwrap(), None);
    // `created-at` is when the state last changed (the soak clock); without it, not known.
    let dated = r#"{"data":{"attributes":{"created-at":"2026-11-29T12:23:08.000Z"}}}"#;
    assert_eq!(state_version_created_ms(&response(200, dated)), Some(1_795_954_988_000.0));
    assert_eq!(state_version_created_ms(&response(200, "{}")), None);
    let sv = r#"{"data":{"id":"sv-1","attributes":{"serial":3,"hosted-state-download-url":"https://archivist.example.net/v1/object/abc"}}}"#;
    assert_eq!(
        read_state_version(&l, api, &response(200, sv)).unwrap().as_deref(),
        Some("https://archivist.example.net/v1/object/abc")
    );
    let relative = r#"{"data":{"attributes":{"hosted-state-download-url":"/api/state-versions/sv-1/download"}}}"#;
    assert_eq!(
        read_state_version(&l, api, &response(200, relative)).unwrap().as_deref(),
        Some("https://tfe.example.com/api/state-versions/sv-1/download")
    );
    let e = read_state_version(&l, api, &response(200, r#"{"data":{"attributes":{}}}"#)).unwrap_err();
    assert!(e.to_string().contains("no `hosted-state-download-url`"), "{e}");
    let e = read_state_version(
        &l,
        api,
        &response(200, r#"{"data":{"attributes":{"hosted-state-download-url":"file:///etc/passwd"}}}"#),
    )
    .unwrap_err();
    assert!(e.to_string().contains("not http(s)"), "{e}");
    assert_eq!(read_download(&l, response(200, "{}")).unwrap(), b"{}");
}

#[test]
fn the_list_is_paginated_narrowed_and_mapped_to_local_names() {
    let l = remote_prefix("dev");
    let api = "https://tfe.example.com/api/v2/";
    assert_eq!(
        list_url(&l, api, 2, None),
        "https://tfe.example.com/api/v2/organizations/acme/workspaces?page%5Bnumber%5D=2&page%5Bsize%5D=100&search%5Bname%5D=app-"
    );
    let page = r#"{"data":[
        {"attributes":{"name":"app-staging"},"relationships":{"current-state-version":{"data":{"id":"sv-1","type":"state-versions"}}}},
        {"attributes":{"name":"app-empty"},"relationships":{"current-state-version":{"data":null}}},
        {"attributes":{"name":"other"},"relationships":{"current-state-version":{"data":{"id":"sv-2"}}}},
        {"attributes":{"name":"app-default"},"relationships":{"current-state-version":{"data":{"id":"sv-3"}}}}],
        "meta":{"pagination":{"current-page":1,"next-page":2,"total-pages":2}}}"#;
    let (names, next) = read_list(&l, "x", &response(200, page)).unwrap();
    assert_eq!((names.clone(), next), (vec!["app-staging".to_string(), "other".into(), "app-default".into()], Some(2)));
    assert_eq!(local_names(&l, names), ["staging"], "with a prefix there is no default");

    let cloud = configure_ok(
        Kind::Cloud,
        &[("organization", json!("acme")), ("workspaces", json!({"tags": {"env": "prod"}}))],
        &ws("a", Selected::Setting),
        &[],
    );
    assert_eq!(
        list_url(&cloud, api, 1, None),
        "https://tfe.example.com/api/v2/organizations/acme/workspaces?page%5Bnumber%5D=1&page%5Bsize%5D=100&filter%5Btagged%5D%5B0%5D%5Bkey%5D=env&filter%5Btagged%5D%5B0%5D%5Bvalue%5D=prod"
    );
    assert_eq!(
        project_url(&cloud, api, "pay ments"),
        "https://tfe.example.com/api/v2/organizations/acme/projects?filter%5Bnames%5D=pay%20ments"
    );
    assert!(list_url(&cloud, api, 1, Some("prj-1")).ends_with("&filter%5Bproject%5D%5Bid%5D=prj-1"));
    let projects = r#"{"data":[{"id":"prj-2","attributes":{"name":"payments-old"}},{"id":"prj-1","attributes":{"name":"payments"}}]}"#;
    assert_eq!(read_project(&cloud, "x", "payments", &response(200, projects)).unwrap().as_deref(), Some("prj-1"));
    assert_eq!(read_project(&cloud, "x", "nope", &response(200, projects)).unwrap(), None);
    let named = configure_ok(
        Kind::Remote,
        &[("organization", json!("acme")), ("workspaces", json!({"name": "shop"}))],
        &default(),
        &[],
    );
    assert_eq!(local_names(&named, vec!["shop".into(), "shop-2".into()]), ["default"]);
}

#[test]
fn a_location_crosses_as_json() {
    let l = remote_prefix("dev");
    let back: Location = serde_json::from_str(&serde_json::to_string(&l).unwrap()).unwrap();
    assert_eq!(back, l);
}

/// The seam's configure, for a working directory `dir/infra`.
fn seam(
    dir: &std::path::Path,
    values: &[(&str, &str)],
    vars: &[(&str, &str)],
    tf_workspace: Option<&str>,
) -> crate::backend::Source {
    let inputs = crate::action::Inputs::new(crate::action::Mode::Actions, "lookup", values);
    let context = Context {
        workspace: dir.to_string_lossy().into_owned(),
        tf_workspace: tf_workspace.map(str::to_string),
        ..context(vars)
    };
    crate::backend::configure(&crate::backend::Settings::from_inputs(&inputs), &context).unwrap()
}

fn write(dir: &std::path::Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn discovery_from_what_terraform_init_recorded_and_from_a_cloud_block() {
    let dir = tempfile::tempdir().unwrap();
    // terraform init with backend "remote": every key recorded, null when unset; the workspace file.
    write(
        dir.path(),
        "infra/.terraform/terraform.tfstate",
        r#"{"version":3,"terraform_version":"1.11.4","backend":{"type":"remote","config":{"hostname":"tfe.example.com","organization":"acme","token":null,"workspaces":{"name":null,"prefix":"app-"}},"hash":1}}"#,
    );
    write(dir.path(), "infra/.terraform/environment", "staging");
    let source = seam(dir.path(), &[("state", "infra")], &[("TF_TOKEN_tfe_example_com", "env-tok")], None);
    let crate::backend::Location::Remote(l) = &source.location else { panic!("{:?}", source.location) };
    assert_eq!((l.hostname.as_str(), l.remote.as_str()), ("tfe.example.com", "app-staging"));
    assert_eq!(l.token.as_ref().unwrap().from, "environment variable TF_TOKEN_tfe_example_com");
    assert!(
        source.secrets.contains(&"env-tok".to_string()),
        "the token from TF_TOKEN_<host> is masked: {:?}",
        source.secrets
    );

    // A cloud block in *.tf, before init: TF_WORKSPACE is the remote workspace; the token setting is masked.
    write(
        dir.path(),
        "cloud/main.tf",
        "terraform {\n  cloud {\n    organization = \"acme\"\n    token = \"tok-in-file\"\n    workspaces {\n      tags = [\"app\"]\n    }\n  }\n}\n",
    );
    let source = seam(dir.path(), &[("state", "cloud")], &[], Some("app-qa"));
    let crate::backend::Location::Cloud(l) = &source.location else { panic!("{:?}", source.location) };
    assert_eq!(
        (l.hostname.as_str(), l.remote.as_str(), l.workspaces.tags.clone()),
        ("app.terraform.io", "app-qa", vec!["app".to_string()])
    );
    assert!(source.secrets.contains(&"tok-in-file".to_string()));
    assert!(!format!("{:?}", source.location).contains("tok-in-file"), "a token never prints through Debug");
}
