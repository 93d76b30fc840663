//! The kubernetes backend against states the real `terraform` wrote through its own kubernetes
//! backend, into the loopback API server of tests/servers/k8s (HTTPS, client-certificate and
//! token authentication, Secrets and Leases), read inside wasm under Node as the action reads
//! them: `configure` from Terraform's keys, then `read` over the host's HTTP with TLS.
//!
//! The server and the states are made once per run (tests/servers/k8s/write_states.sh, about
//! 6 s); the PKI is tests/fixtures/tls (no `openssl` at test time). Without `terraform` on PATH
//! the tests say they skipped, except under CI=true, where they fail.
#![cfg(target_arch = "wasm32")]

use serde_json::{json, Value};
use stage_action::backend::config::{BackendConfig, From};
use stage_action::backend::kubernetes::{self, Read};
use stage_action::backend::workspace::{Selected, Workspace};
use stage_action::backend::Opened;
use stage_action::context::Context;
use stage_action::host;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[wasm_bindgen(inline_js = r#"
    import { spawn, spawnSync } from 'node:child_process';
    import * as fs from 'node:fs';
    import * as os from 'node:os';
    import * as path from 'node:path';
    // Starts the fake API server and has terraform write the states, once; resolves to
    // {host, work, pki} as JSON, or null when terraform is not installed (outside CI).
    export function k8s_fixture(root) {
        globalThis.__stageActionK8s ??= (async () => {
            if (spawnSync('sh', ['-c', 'command -v terraform']).status !== 0) {
                if (process.env.CI === 'true') throw new Error('terraform is not on PATH, and CI=true: the kubernetes tests must run');
                return null;
            }
            const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-action-k8s-'));
            const pki = `${root}/tests/fixtures/tls`;
            const server = spawn('python3', [`${root}/tests/servers/k8s/fake_apiserver.py`,
                '--port', '0', '--portfile', `${work}/port`, '--log', `${work}/requests.jsonl`,
                '--cert', `${pki}/server.crt`, '--key', `${pki}/server.key`, '--client-ca', `${pki}/ca.crt`,
                '--token', 'ci=exec-token-123',
                '--token', 'nolease=nolease-token', '--forbid', 'nolease:leases',
                '--token', 'nosecrets=nosecrets-token', '--forbid', 'nosecrets:secrets', '--exit-with-stdin'],
                { stdio: ['pipe', 'ignore', 'ignore'] });
            // Its stdin is a pipe from this process: if the run is killed, the server stops too.
            server.unref();
            server.stdin.unref();
            process.on('exit', () => { server.kill(); fs.rmSync(work, { recursive: true, force: true }); });
            let port = '';
            for (let i = 0; i < 100 && !port; i++) {
                await new Promise((r) => setTimeout(r, 100));
                try { port = fs.readFileSync(`${work}/port`, 'utf8').trim(); } catch { /* not yet */ }
            }
            if (!port) throw new Error('the fake API server did not start');
            const host = `https://127.0.0.1:${port}`;
            const w = spawnSync('bash', [`${root}/tests/servers/k8s/write_states.sh`, host, pki, work], { encoding: 'utf8' });
            if (w.status !== 0) throw new Error(`write_states.sh failed:\n${w.stderr}\n${w.stdout}`);
            return JSON.stringify({ host, work, pki });
        })();
        return globalThis.__stageActionK8s;
    }
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn k8s_fixture(root: &str) -> Result<JsValue, JsValue>;
}

struct Fixture {
    host: String,
    work: String,
    pki: String,
}

impl Fixture {
    fn pem(&self, name: &str) -> String {
        String::from_utf8(host::read_file(&format!("{}/{name}", self.pki), 1 << 20).unwrap()).unwrap()
    }

    /// The state `terraform state pull` printed for `workspace`.
    fn pulled(&self, workspace: &str) -> Value {
        serde_json::from_slice(&host::read_file(&format!("{}/out/{workspace}.tfstate", self.work), 1 << 30).unwrap())
            .unwrap()
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = format!("{}/{name}", self.work);
        if host::stat(&path).unwrap().is_none() {
            host::append_file(&path, text.as_bytes()).unwrap();
        }
        path
    }

    /// The seed's configuration: host and the three PEM values, as `backend-config` lines.
    fn pem_settings(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("host", json!(self.host)),
            ("cluster_ca_certificate", json!(self.pem("ca.crt"))),
            ("client_certificate", json!(self.pem("client.crt"))),
            ("client_key", json!(self.pem("client.key"))),
        ]
    }
}

async fn fixture() -> Option<Fixture> {
    let value = k8s_fixture(ROOT).await.unwrap_or_else(|e| panic!("{e:?}"));
    let Some(text) = value.as_string() else {
        host::write_stderr("skipped: terraform not found on PATH\n").unwrap();
        return None;
    };
    let v: Value = serde_json::from_str(&text).unwrap();
    let field = |k: &str| v[k].as_str().unwrap().to_string();
    Some(Fixture { host: field("host"), work: field("work"), pki: field("pki") })
}

/// `secret_suffix`, `namespace` and `labels` as the backend block has them, then `settings`,
/// each from its line of `backend-config` (or the environment variable `env` names for it).
fn config(settings: Vec<(&'static str, Value)>, env: &[(&str, &str)]) -> BackendConfig {
    let mut c = BackendConfig::new(kubernetes::NAME);
    let block = |line| From::Block { file: "main.tf".into(), line };
    c.set("secret_suffix", json!("app"), block(3));
    c.set("namespace", json!("tfstate"), block(4));
    c.set("labels", json!({"team": "payments"}), block(5));
    for (line, (key, value)) in settings.into_iter().enumerate() {
        let from = match env.iter().find(|(k, _)| *k == key) {
            Some((_, name)) => From::Env { name: name.to_string() },
            None => From::Input { line: line + 1 },
        };
        c.set(key, value, from);
    }
    c
}

fn location(f: &Fixture, c: &BackendConfig, workspace: &str) -> kubernetes::Location {
    let ws = Workspace { name: workspace.into(), selected: Selected::Setting };
    let context = Context { workspace: f.work.clone(), ..Context::default() };
    kubernetes::configure(c, &ws, &context, 10_000).unwrap_or_else(|p| panic!("{p:?}"))
}

async fn read(f: &Fixture, c: &BackendConfig, workspace: &str) -> Result<Read, String> {
    kubernetes::read(&location(f, c, workspace)).await.map_err(|e| e.to_string())
}

/// The state read, as JSON, and the snapshot's lock, as said.
fn state(read: Read) -> (Value, Option<String>, String) {
    let Opened::State(mut s) = read.opened else { panic!("no state") };
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut s.body, &mut bytes).unwrap();
    assert_eq!(s.size, Some(bytes.len() as u64));
    (serde_json::from_slice(&bytes).unwrap(), s.lock.map(|l| l.to_string()), s.name)
}

#[wasm_bindgen_test]
async fn host_and_the_three_pem_values_read_what_terraform_wrote_in_each_workspace() {
    let Some(f) = fixture().await else { return };
    let c = config(f.pem_settings(), &[]);
    for ws in ["default", "staging"] {
        let r = read(&f, &c, ws).await.unwrap();
        assert_eq!(r.lock_unknown, None);
        let (state, lock, name) = state(r);
        assert_eq!(state, f.pulled(ws), "{ws}");
        assert_eq!(state["outputs"]["image"]["value"], json!(format!("registry.example.com/app:{ws}-v1")));
        assert_eq!((lock, name), (None, format!("kubernetes secret tfstate-{ws}-app in namespace tfstate")));
    }
}

#[wasm_bindgen_test]
async fn the_same_values_from_terraforms_kube_environment_variables() {
    let Some(f) = fixture().await else { return };
    let env = [
        ("host", "KUBE_HOST"),
        ("cluster_ca_certificate", "KUBE_CLUSTER_CA_CERT_DATA"),
        ("client_certificate", "KUBE_CLIENT_CERT_DATA"),
        ("client_key", "KUBE_CLIENT_KEY_DATA"),
    ];
    let (state, _, _) = state(read(&f, &config(f.pem_settings(), &env), "staging").await.unwrap());
    assert_eq!(state, f.pulled("staging"));
}

#[wasm_bindgen_test]
async fn a_state_of_several_mib_is_joined_from_its_secrets_in_order() {
    let Some(f) = fixture().await else { return };
    let (state, _, _) = state(read(&f, &config(f.pem_settings(), &[]), "big").await.unwrap());
    assert_eq!(state, f.pulled("big"));
}

#[wasm_bindgen_test]
async fn a_held_lease_is_terraforms_lock_with_who_what_and_since_when() {
    let Some(f) = fixture().await else { return };
    let (state, lock, _) = state(read(&f, &config(f.pem_settings(), &[]), "held").await.unwrap());
    assert_eq!(state, f.pulled("held"));
    assert_eq!(lock.as_deref(), Some("locked by deployer@runner-7 for apply since 2026-11-29T05:42:19.510022006Z"));
}

#[wasm_bindgen_test]
async fn a_minikube_kubeconfig_with_certificate_files_and_a_context() {
    let Some(f) = fixture().await else { return };
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: minikube\n  cluster:\n    server: {}\n    certificate-authority: {}/ca.crt\nusers:\n- name: minikube\n  user:\n    client-certificate: {pki}/client.crt\n    client-key: {pki}/client.key\ncontexts:\n- name: minikube\n  context: {{cluster: minikube, user: minikube, namespace: default}}\n- name: other\n  context: {{cluster: nowhere, user: minikube}}\ncurrent-context: other\n",
        f.host,
        f.pki,
        pki = f.pki
    );
    let path = f.write("kubeconfig-minikube", &kubeconfig);
    let c = config(vec![("config_path", json!(path)), ("config_context", json!("minikube"))], &[]);
    let (state, _, _) = state(read(&f, &c, "default").await.unwrap());
    assert_eq!(state, f.pulled("default"));
}

#[wasm_bindgen_test]
async fn a_kubeconfig_users_exec_plugin_gives_the_token() {
    let Some(f) = fixture().await else { return };
    let plugin = f.write(
        "exec-credential.sh",
        "#!/bin/sh\ncase \"$KUBERNETES_EXEC_INFO\" in *'\"interactive\":false'*) ;; *) exit 7;; esac\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"exec-token-123\"}}'\n",
    );
    host::run_process("chmod", &["+x", &plugin], "/", &[], 5_000).await.unwrap();
    let kubeconfig = format!(
        "apiVersion: v1\nclusters:\n- name: eks-like\n  cluster:\n    server: {}\n    certificate-authority-data: {}\nusers:\n- name: ci\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ./exec-credential.sh\n      env: null\n      interactiveMode: IfAvailable\ncontexts:\n- name: eks-like\n  context: {{cluster: eks-like, user: ci}}\ncurrent-context: eks-like\n",
        f.host,
        base64(&f.pem("ca.crt"))
    );
    let path = f.write("kubeconfig-exec", &kubeconfig);
    let c = config(vec![("config_path", json!(path))], &[]);
    let (state, _, _) = state(read(&f, &c, "staging").await.unwrap());
    assert_eq!(state, f.pulled("staging"));
}

#[wasm_bindgen_test]
async fn no_state_yet_names_the_secret_and_the_workspaces_that_have_one() {
    let Some(f) = fixture().await else { return };
    let r = read(&f, &config(f.pem_settings(), &[]), "green").await.unwrap();
    let Opened::NoStateYet(none) = r.opened else { panic!("a state") };
    assert_eq!(none.looked_for, "kubernetes secret tfstate-green-app in namespace tfstate");
    assert_eq!(none.existing, ["big", "default", "held", "staging"]);
    assert_eq!(
        none.to_string(),
        format!("workspace \"green\" (selected by input `workspace`) has no state in the kubernetes backend at namespace tfstate of {} (secret suffix app): looked for kubernetes secret tfstate-green-app in namespace tfstate; workspaces with a state: big, default, held, staging; set input `workspace` to one of them", f.host)
    );
    let ws = Workspace { name: "x".into(), selected: Selected::Setting };
    let loc = kubernetes::configure(&config(f.pem_settings(), &[]), &ws, &Context::default(), 10_000).unwrap();
    assert_eq!(kubernetes::workspaces(&loc).await.unwrap(), ["default", "big", "held", "staging"]);
}

#[wasm_bindgen_test]
async fn a_token_the_server_does_not_know_is_401_naming_where_the_token_came_from() {
    let Some(f) = fixture().await else { return };
    let c = config(
        vec![("host", json!(f.host)), ("cluster_ca_certificate", json!(f.pem("ca.crt"))), ("token", json!("wrong"))],
        &[("token", "KUBE_TOKEN")],
    );
    assert_eq!(
        read(&f, &c, "default").await.err().unwrap(),
        format!("kubernetes backend: the API server at {} did not accept the token from `token` (environment variable KUBE_TOKEN) (401 Unauthorized); check that the credentials belong to this cluster and have not expired or been revoked", f.host)
    );
}

#[wasm_bindgen_test]
async fn a_403_on_secrets_names_the_verbs_and_on_leases_leaves_the_lock_unknown() {
    let Some(f) = fixture().await else { return };
    let with = |token: &str| {
        config(
            vec![("host", json!(f.host)), ("cluster_ca_certificate", json!(f.pem("ca.crt"))), ("token", json!(token))],
            &[],
        )
    };
    let e = read(&f, &with("nosecrets-token"), "default").await.err().unwrap();
    assert!(e.starts_with("kubernetes backend: the token from `token` (input `backend-config` line 3) may not list secrets in namespace tfstate (403 Forbidden from https://127.0.0.1:"), "{e}");
    let r = read(&f, &with("nolease-token"), "held").await.unwrap();
    assert_eq!(r.lock_unknown.as_deref(), Some("kubernetes backend: cannot tell whether the state is locked: the token from `token` (input `backend-config` line 3) may not get leases (group coordination.k8s.io) in namespace tfstate; allow `get` on `leases` in a Role bound to it to see Terraform's lock"));
    let (state, lock, _) = state(r);
    assert_eq!((state, lock), (f.pulled("held"), None));
}

#[wasm_bindgen_test]
async fn an_expired_client_certificate_is_refused_with_its_expiry_before_any_request() {
    let Some(f) = fixture().await else { return };
    let mut settings = f.pem_settings();
    settings[2].1 = json!(f.pem("expired.crt"));
    settings[3].1 = json!(f.pem("expired.key"));
    assert_eq!(
        read(&f, &config(settings, &[]), "default").await.err().unwrap(),
        "kubernetes backend: `client_certificate` (input `backend-config` line 3): the client certificate CN=expired expired on 2020-01-02 00:00:00 UTC; issue a new one (Minikube renews its own on `minikube start`) and update the setting"
    );
}

#[wasm_bindgen_test]
async fn a_client_certificate_from_another_ca_a_mismatched_key_and_a_wrong_ca_each_say_what_to_fix() {
    let Some(f) = fixture().await else { return };
    let with = |ca: &str, cert: &str, key: &str| {
        let mut s = f.pem_settings();
        s[1].1 = json!(f.pem(ca));
        s[2].1 = json!(f.pem(cert));
        s[3].1 = json!(f.pem(key));
        config(s, &[])
    };
    let e = read(&f, &with("ca.crt", "stranger.crt", "stranger.key"), "default").await.err().unwrap();
    assert!(e.contains("the server refused the client certificate"), "{e}");
    assert!(e.ends_with("give a client certificate signed by the cluster's CA, valid now (or a `token`)"), "{e}");
    let e = read(&f, &with("ca.crt", "client.crt", "stranger.key"), "default").await.err().unwrap();
    assert!(e.ends_with("`client_key` must be the private key of `client_certificate`: they come in pairs (Minikube: profiles/minikube/client.crt and client.key)"), "{e}");
    let e = read(&f, &with("other-ca.crt", "client.crt", "client.key"), "default").await.err().unwrap();
    assert!(e.contains("the server's certificate is not signed by the CA certificate given"), "{e}");
    assert!(e.ends_with("set `cluster_ca_certificate` to the PEM text of the cluster's CA (Minikube: ~/.minikube/ca.crt; a kubeconfig: its certificate-authority), or the right CA if one is set"), "{e}");
}

#[wasm_bindgen_test]
async fn a_server_that_is_not_there_is_unreachable() {
    let Some(f) = fixture().await else { return };
    let mut settings = f.pem_settings();
    settings[0].1 = json!("https://127.0.0.1:1");
    let e = read(&f, &config(settings, &[]), "default").await.err().unwrap();
    assert!(e.starts_with("kubernetes backend: cannot reach the API server at https://127.0.0.1:1: "), "{e}");
}

#[wasm_bindgen_test]
async fn in_cluster_config_uses_the_pods_service_account_token_and_ca() {
    let Some(f) = fixture().await else { return };
    let dir = format!("{}/serviceaccount", f.work);
    host::run_process("mkdir", &["-p", &dir], "/", &[], 5_000).await.unwrap();
    f.write("serviceaccount/token", "exec-token-123\n");
    f.write("serviceaccount/ca.crt", &f.pem("ca.crt"));
    let port = f.host.rsplit(':').next().unwrap().to_string();
    let c = config(vec![("in_cluster_config", json!("true"))], &[("in_cluster_config", "KUBE_IN_CLUSTER_CONFIG")]);
    let mut loc = location(&f, &c, "default");
    assert_eq!(loc.service_account_dir, kubernetes::SERVICE_ACCOUNT_DIR);
    loc.service_account_dir = dir;
    // What the kubelet sets in a pod's environment, as the run's context reads it.
    loc.service = Some(("127.0.0.1".into(), port));
    let (state, _, _) = state(kubernetes::read(&loc).await.unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(state, f.pulled("default"));
}

fn base64(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}
