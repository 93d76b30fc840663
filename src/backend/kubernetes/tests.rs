//! The settings, the connection made of them and the errors of a failed exchange, natively.

use serde_json::json;

use super::connect::{self, Parts};
use super::*;
use crate::backend::config::From;
use crate::backend::workspace::Selected;
use crate::host::HostError;

const CA: &str = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
const CERT: &str = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";

fn input(line: usize) -> From {
    From::Input { line }
}

fn env(name: &str) -> From {
    From::Env { name: name.into() }
}

fn workspace() -> Workspace {
    Workspace { name: "dev".into(), selected: Selected::Setting }
}

fn context() -> Context {
    Context { workspace: "/repo".into(), ..Context::default() }
}

/// The seed's configuration: host and the three PEM values, nothing else.
fn pem_config() -> BackendConfig {
    let mut c = BackendConfig::new(NAME);
    c.set("secret_suffix", json!("app"), input(1));
    c.set("namespace", json!("tfstate"), input(2));
    c.set("host", json!("https://192.168.49.2:8443"), env("KUBE_HOST"));
    c.set("cluster_ca_certificate", json!(CA), env("KUBE_CLUSTER_CA_CERT_DATA"));
    c.set("client_certificate", json!(CERT), env("KUBE_CLIENT_CERT_DATA"));
    c.set("client_key", json!(KEY), env("KUBE_CLIENT_KEY_DATA"));
    c
}

fn problems(c: &BackendConfig) -> Vec<String> {
    configure(c, &workspace(), &context(), 30_000).unwrap_err().iter().map(ToString::to_string).collect()
}

#[test]
fn host_and_three_pem_values_are_enough_without_a_kubeconfig() {
    let loc = configure(&pem_config(), &workspace(), &context(), 30_000).unwrap();
    assert_eq!(loc.secret(), "tfstate-dev-app");
    assert_eq!(loc.namespace, "tfstate");
    assert_eq!(loc.kubeconfig, None);
    let conn = Parts::default().overlay(&loc).connection(Some("terraform".into()), loc.timeout_ms).unwrap();
    assert_eq!(conn.server, "https://192.168.49.2:8443");
    assert_eq!(conn.authorization, None);
    let tls = conn.tls.unwrap();
    assert_eq!(
        (tls.ca.as_deref(), tls.cert.as_deref(), tls.key.as_deref(), tls.insecure),
        (Some(CA), Some(CERT), Some(KEY), false)
    );
    assert_eq!(
        conn.identity.to_string(),
        "the client certificate CN=terraform from `client_certificate` (environment variable KUBE_CLIENT_CERT_DATA)"
    );
}

#[test]
fn the_namespace_defaults_to_default_and_labels_are_kept_sorted() {
    let mut c = BackendConfig::new(NAME);
    c.set("secret_suffix", json!("app"), input(1));
    c.set("host", json!("https://k"), input(2));
    c.set("labels", json!({"team": "payments", "app": "shop"}), input(3));
    let loc = configure(&c, &workspace(), &context(), 30_000).unwrap();
    assert_eq!(loc.namespace, "default");
    assert_eq!(loc.labels, [("app".to_string(), "shop".to_string()), ("team".to_string(), "payments".to_string())]);
}

#[test]
fn the_secret_suffix_is_required_and_may_not_end_in_dash_digits() {
    let mut c = BackendConfig::new(NAME);
    c.set("host", json!("https://k"), input(1));
    assert_eq!(
        problems(&c),
        ["`secret_suffix`: is required: the suffix of the Secret names Terraform wrote (`tfstate-<workspace>-<suffix>`), as in the backend block"]
    );
    c.set("secret_suffix", json!("app-2"), input(2));
    assert_eq!(
        problems(&c),
        ["input `backend-config` line 2, `secret_suffix`: \"app-2\" may not end in a dash and digits (Terraform refuses it: it would read as a chunk's `-part-N`)"]
    );
    c.set("secret_suffix", json!("app-v2"), input(3));
    assert!(configure(&c, &workspace(), &context(), 1).is_ok());
}

#[test]
fn file_paths_instead_of_pem_text_are_refused_with_the_usual_mistake_named() {
    let mut c = pem_config();
    c.set("client_certificate", json!("/home/u/.minikube/profiles/minikube/client.crt"), input(5));
    c.set("client_key", json!("~/.minikube/profiles/minikube/client.key"), input(6));
    assert_eq!(
        problems(&c),
        [
            "input `backend-config` line 5, `client_certificate`: must be PEM text (-----BEGIN …CERTIFICATE-----); it looks like a file path: Terraform takes the PEM text itself (put the file's content there, e.g. from a secret), or use a kubeconfig that names the files with `config_path`",
            "input `backend-config` line 6, `client_key`: must be PEM text (-----BEGIN …PRIVATE KEY-----); it looks like a file path: Terraform takes the PEM text itself (put the file's content there, e.g. from a secret), or use a kubeconfig that names the files with `config_path`",
        ]
    );
}

#[test]
fn every_problem_comes_at_once_and_secrets_never_appear_in_them() {
    let mut c = BackendConfig::new(NAME);
    c.set("client_key", json!(KEY), input(1));
    c.set("token", json!(["not", "a", "string"]), input(2));
    c.set("proxy_url", json!("http://proxy:3128"), env("KUBE_PROXY_URL"));
    c.set("exec", json!({"api_version": "client.authentication.k8s.io/v1beta1", "command": "aws"}), input(3));
    c.set("username", json!("admin"), env("KUBE_USER"));
    let all = problems(&c);
    assert_eq!(
        all,
        [
            "`secret_suffix`: is required: the suffix of the Secret names Terraform wrote (`tfstate-<workspace>-<suffix>`), as in the backend block",
            "`client_certificate`: is required with `client_key`: a client certificate and its key go together",
            "input `backend-config` line 2, `token`: must be a string",
            "environment variable KUBE_PROXY_URL, `proxy_url`: is not supported: this action connects to the API server directly; remove it (or unset KUBE_PROXY_URL for this step)",
            "input `backend-config` line 3, `exec`: is not used: Terraform 1.11's backend cannot use its `exec` block either (hashicorp/terraform#31275); put the plugin in a kubeconfig user (`users[].user.exec`, as `aws eks update-kubeconfig` writes) and set `config_path`",
            "`host`: is required, or `config_path` (a kubeconfig), or `in_cluster_config = true`: with `host`, give `cluster_ca_certificate` and `client_certificate` + `client_key` (or a `token`); no kubeconfig is needed, unlike in Terraform",
            "`password`: is required with the other: basic authentication takes both",
        ]
    );
    assert!(all.iter().all(|p| !p.contains("KEY\n")));
}

#[test]
fn a_kubeconfig_from_config_path_or_the_kube_config_paths_list() {
    let mut c = BackendConfig::new(NAME);
    c.set("secret_suffix", json!("app"), input(1));
    c.set("config_paths", json!("/a/config::/b/config"), env("KUBE_CONFIG_PATHS"));
    c.set("config_context", json!("minikube"), env("KUBE_CTX"));
    let loc = configure(&c, &workspace(), &context(), 1).unwrap();
    let k = loc.kubeconfig.clone().unwrap();
    assert_eq!((k.paths, k.explicit), (vec!["/a/config".to_string(), "/b/config".to_string()], false));
    assert_eq!(loc.choice.context.as_deref(), Some("minikube"));
    c.set("config_path", json!("~/.kube/config"), input(2));
    let k = configure(&c, &workspace(), &context(), 1).unwrap().kubeconfig.unwrap();
    assert_eq!((k.paths, k.explicit), (vec!["~/.kube/config".to_string()], true));
}

#[test]
fn settings_are_written_over_the_kubeconfigs_and_the_token_becomes_a_bearer_header() {
    let mut c = BackendConfig::new(NAME);
    c.set("secret_suffix", json!("app"), input(1));
    c.set("config_path", json!("/k"), input(2));
    c.set("token", json!("s3cr3t\n"), env("KUBE_TOKEN"));
    c.set("insecure", json!("true"), env("KUBE_INSECURE"));
    let loc = configure(&c, &workspace(), &context(), 1).unwrap();
    let base = Parts {
        server: Some(Given { value: "https://kube.example:6443/".into(), from: "the kubeconfig /k".into() }),
        ca: Some(Given { value: CA.into(), from: "the kubeconfig /k".into() }),
        ..Parts::default()
    };
    let conn = base.overlay(&loc).connection(None, 1).unwrap();
    assert_eq!(conn.server, "https://kube.example:6443");
    assert_eq!(conn.authorization.as_ref().map(|a| a.expose()), Some("Bearer s3cr3t"));
    assert!(conn.tls.as_ref().unwrap().insecure);
    assert_eq!(conn.identity.to_string(), "the token from `token` (environment variable KUBE_TOKEN)");
    assert!(!format!("{conn:?}").contains("s3cr3t"));
}

#[test]
fn basic_authentication_names_its_user() {
    let mut c = BackendConfig::new(NAME);
    c.set("secret_suffix", json!("app"), input(1));
    c.set("host", json!("kube.example"), input(2));
    c.set("username", json!("admin"), input(3));
    c.set("password", json!("pw"), input(4));
    let loc = configure(&c, &workspace(), &context(), 1).unwrap();
    let conn = Parts::default().overlay(&loc).connection(None, 1).unwrap();
    assert_eq!(conn.server, "https://kube.example");
    assert_eq!(conn.authorization.as_ref().map(|a| a.expose()), Some("Basic YWRtaW46cHc="));
    assert_eq!(conn.identity.to_string(), "user \"admin\" (basic authentication)");
}

#[test]
fn an_in_cluster_server_puts_an_ipv6_address_in_brackets() {
    assert_eq!(connect::in_cluster_server("10.96.0.1", "443"), "https://10.96.0.1:443");
    assert_eq!(connect::in_cluster_server("fd00::1", "443"), "https://[fd00::1]:443");
    assert_eq!(SERVICE_ACCOUNT_DIR, "/var/run/secrets/kubernetes.io/serviceaccount");
}

#[test]
fn an_expired_or_not_yet_valid_client_certificate_is_refused_with_its_dates() {
    let cert = Given { value: CERT.to_string(), from: "`client_certificate` (input `backend-config` line 4)".into() };
    let info = |before: f64, after: f64| crate::host::Certificate {
        subject: "O=system:masters, CN=terraform".into(),
        not_before_ms: before,
        not_after_ms: after,
    };
    let day = 86_400_000.0;
    let now = 1_800_000_000_000.0;
    assert_eq!(connect::validity(&cert, &info(now - day, now + day), now).unwrap().as_deref(), Some("terraform"));
    assert_eq!(
        connect::validity(&cert, &info(now - 3.0 * day, now - day), now).unwrap_err().to_string(),
        "kubernetes backend: `client_certificate` (input `backend-config` line 4): the client certificate CN=terraform expired on 2027-01-14 08:00:00 UTC; issue a new one (Minikube renews its own on `minikube start`) and update the setting"
    );
    assert_eq!(
        connect::validity(&cert, &info(now + day, now + 3.0 * day), now).unwrap_err().to_string(),
        "kubernetes backend: `client_certificate` (input `backend-config` line 4): the client certificate CN=terraform is not valid until 2027-01-16 08:00:00 UTC; check the runner's clock, or wait"
    );
}

#[test]
fn a_failed_exchange_says_time_out_tls_or_unreachable_with_what_to_do() {
    let loc = configure(&pem_config(), &workspace(), &context(), 30_000).unwrap();
    let conn = Parts::default().overlay(&loc).connection(None, 30_000).unwrap();
    let e = |code: &str, message: &str| {
        connect::transport(&conn, HostError { code: code.into(), message: message.into() }).to_string()
    };
    assert_eq!(
        e("ETIMEDOUT", "timed out"),
        "kubernetes backend: the API server at https://192.168.49.2:8443 did not answer within 30 s; check that it is up and reachable from the runner"
    );
    assert_eq!(
        e("ECONNREFUSED", "connect ECONNREFUSED 192.168.49.2:8443"),
        "kubernetes backend: cannot reach the API server at https://192.168.49.2:8443: \"connect ECONNREFUSED 192.168.49.2:8443\"; check `host` (or the kubeconfig's cluster server), and that the runner can reach it"
    );
    assert_eq!(
        e("SELF_SIGNED_CERT_IN_CHAIN", "GET https://192.168.49.2:8443/api: the server's certificate is not signed by the CA certificate given (SELF_SIGNED_CERT_IN_CHAIN)"),
        "kubernetes backend: TLS with https://192.168.49.2:8443 failed: GET https://192.168.49.2:8443/api: the server's certificate is not signed by the CA certificate given (SELF_SIGNED_CERT_IN_CHAIN); set `cluster_ca_certificate` to the PEM text of the cluster's CA (Minikube: ~/.minikube/ca.crt; a kubeconfig: its certificate-authority), or the right CA if one is set"
    );
    assert!(e("ERR_OSSL_X509_KEY_VALUES_MISMATCH", "key values mismatch")
        .ends_with("`client_key` must be the private key of `client_certificate`: they come in pairs (Minikube: profiles/minikube/client.crt and client.key)"));
}

#[test]
fn each_error_becomes_a_backend_error_titled_so() {
    let e: crate::error::Error =
        Error::InCluster { problem: "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set".into() }.into();
    assert_eq!(e.title(), "backend error");
    assert_eq!(
        e.to_string(),
        "kubernetes backend: `in_cluster_config` is set, but KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; it works only inside a pod with a service account token mounted: unset it, or set `host` and credentials, or `config_path`"
    );
}

/// Runs a future that never waits (file reads of the native host) to its end.
fn now<F: std::future::Future>(future: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut cx) {
        std::task::Poll::Ready(out) => out,
        std::task::Poll::Pending => panic!("the future waited"),
    }
}

fn kubeconfig_location(dir: &std::path::Path, config_path: &str) -> Location {
    let mut c = BackendConfig::new(NAME);
    c.set("secret_suffix", json!("app"), input(1));
    c.set("config_path", json!(config_path), input(2));
    let context = Context { workspace: dir.to_string_lossy().into_owned(), ..Context::default() };
    configure(&c, &workspace(), &context, 1).unwrap()
}

#[test]
fn a_kubeconfig_relative_to_the_workspace_gives_the_server_and_a_token_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("ci")).unwrap();
    std::fs::write(dir.path().join("ci/token"), "from-file\n").unwrap();
    std::fs::write(
        dir.path().join("ci/kubeconfig"),
        "clusters:\n- name: c\n  cluster: {server: 'https://kube.example', insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {tokenFile: token}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n",
    )
    .unwrap();
    let conn = now(connect::connection(&kubeconfig_location(dir.path(), "ci/kubeconfig"))).unwrap();
    assert_eq!(conn.server, "https://kube.example");
    assert_eq!(conn.authorization.as_ref().map(|a| a.expose()), Some("Bearer from-file"));
    assert!(conn.tls.unwrap().insecure);
    assert_eq!(conn.identity.to_string(), "the token from the kubeconfig ci/kubeconfig context x, user u (tokenFile)");
}

#[test]
fn a_relative_kubeconfig_path_may_not_lead_outside_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::fs::write(dir.path().join("outside"), "clusters: []\n").unwrap();
    let e = now(connect::connection(&kubeconfig_location(&work, "../outside"))).unwrap_err().to_string();
    assert!(e.starts_with("../outside leads outside the workspace"), "{e}");
}

#[test]
fn a_missing_config_path_is_an_error_unless_host_is_set_as_in_terraforms_workaround() {
    let dir = tempfile::tempdir().unwrap();
    let loc = kubeconfig_location(dir.path(), "/surely/no/kubeconfig");
    assert_eq!(
        now(connect::connection(&loc)).unwrap_err().to_string(),
        "kubernetes backend: kubeconfig /surely/no/kubeconfig: does not exist (set by `config_path` (input `backend-config` line 2)); fix the file, or point `config_path` at another (or set `host` and the credentials directly)"
    );
    let mut with_host = loc.clone();
    with_host.host = Some(Given { value: "https://kube.example".into(), from: "`host`".into() });
    assert_eq!(now(connect::connection(&with_host)).unwrap().server, "https://kube.example");
}

#[test]
fn a_kubeconfig_cluster_without_a_server_and_no_host_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("k"),
        "clusters:\n- name: c\n  cluster: {}\ncontexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n",
    )
    .unwrap();
    assert_eq!(
        now(connect::connection(&kubeconfig_location(dir.path(), "k"))).unwrap_err().to_string(),
        "kubernetes backend: no API server to read from: the kubeconfig's cluster has no `server`, and `host` is not set; set `host`, or fix the kubeconfig"
    );
}
