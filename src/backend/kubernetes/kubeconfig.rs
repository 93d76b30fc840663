//! Kubeconfig files, read as someone else's data: the clusters, users and contexts the backend
//! can use, and the one a context selects. Pure: the caller reads the files (within a size
//! limit) and, afterwards, the files a kubeconfig names (certificate-authority, tokenFile…).
//!
//! Several files (`config_paths`) merge as kubectl merges them: the first file that defines a
//! cluster, user or context by a name wins, and the first `current-context` set wins.

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::Node;

use crate::secret::Secret;
use crate::text::quote;

/// A value given inline (`*-data`, base64 in the file: decoded here), or a file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Material {
    /// The PEM text itself.
    Data(String),
    /// A file holding it, resolved against the kubeconfig's directory.
    File(String),
}

/// A user's `exec` credential plugin (client.authentication.k8s.io).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exec {
    /// The program; a relative path with a `/` is resolved against the kubeconfig's directory.
    pub command: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Variables added to its environment.
    pub env: Vec<(String, String)>,
    /// The ExecCredential version it speaks.
    pub api_version: String,
}

/// What the selected context says: the cluster's endpoint and trust, the user's credentials.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selected {
    /// The file it came from (the first of several), for messages.
    pub path: String,
    /// The context's name, when one was selected.
    pub context: Option<String>,
    /// The user's name in the kubeconfig.
    pub user: Option<String>,
    /// The cluster's `server`.
    pub server: Option<String>,
    /// `certificate-authority(-data)`.
    pub ca: Option<Material>,
    /// `insecure-skip-tls-verify`.
    pub insecure: bool,
    /// `client-certificate(-data)`.
    pub cert: Option<Material>,
    /// `client-key(-data)`: data is a credential.
    pub key: Option<(Material, Option<Secret>)>,
    /// `token`.
    pub token: Option<Secret>,
    /// `tokenFile`.
    pub token_file: Option<String>,
    /// `username`.
    pub username: Option<String>,
    /// `password`.
    pub password: Option<Secret>,
    /// `exec`.
    pub exec: Option<Exec>,
}

/// One kubeconfig file, parsed: its directory and YAML tree.
pub struct File {
    path: String,
    dir: String,
    /// The top-level mapping (checked to be one), or nothing for an empty file.
    root: Option<Node>,
}

/// Which context to use and what to override in it: Terraform's `config_context`,
/// `config_context_auth_info`, `config_context_cluster`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choice {
    /// `config_context`: else the files' `current-context`.
    pub context: Option<String>,
    /// `config_context_auth_info`: the user to use instead of the context's.
    pub user: Option<String>,
    /// `config_context_cluster`: the cluster to use instead of the context's.
    pub cluster: Option<String>,
}

/// A problem with a kubeconfig: the file and what is wrong.
pub type Problem = (String, String);

/// Parses the text of the kubeconfig at `real` (absolute), named `path` to a person. Paths in it
/// are relative to its directory. An empty file is an empty kubeconfig.
pub fn parse(path: &str, real: &str, text: &str) -> Result<File, Problem> {
    let fail = |why: String| (path.to_string(), why);
    if let Some((line, _)) = crate::stages::nesting::too_deep(text) {
        return Err(fail(format!(
            "the YAML nests more than {} levels deep (line {line}); a kubeconfig never does",
            crate::stages::nesting::MAX_DEPTH
        )));
    }
    let dir = match real.rfind('/') {
        Some(0) => "/".to_string(),
        Some(i) => real[..i].to_string(),
        None => ".".to_string(),
    };
    if text.trim().is_empty() {
        return Ok(File { path: path.to_string(), dir, root: None });
    }
    let node = marked_yaml::parse_yaml(0, text).map_err(|e| fail(format!("not a kubeconfig: {}", yaml_problem(e))))?;
    if node.as_mapping().is_none() {
        return Err(fail("not a kubeconfig: the top level is not a mapping".into()));
    }
    Ok(File { path: path.to_string(), dir, root: Some(node) })
}

fn yaml_problem(e: marked_yaml::LoadError) -> String {
    use marked_yaml::LoadError as L;
    match e {
        L::TopLevelMustBeMapping(m) => format!("the top level is not a mapping (line {})", m.line()),
        L::ScanError(m, e) => format!("not valid YAML at line {}: {}", m.line(), e.info()),
        L::UnexpectedAnchor(m) => format!("YAML anchors are not supported (line {})", m.line()),
        L::UnexpectedTag(m) => format!("YAML tags are not supported (line {})", m.line()),
        L::MappingKeyMustBeScalar(m) => format!("a key is not a plain string (line {})", m.line()),
        other => format!("not valid YAML: {other}"),
    }
}

/// A scalar's text, `None` for YAML's null (`null`, `~`, nothing) written plain.
fn scalar(node: Option<&Node>) -> Option<&MarkedScalarNode> {
    let s = node?.as_scalar()?;
    let null = s.may_coerce() && matches!(s.as_str(), "" | "~" | "null" | "Null" | "NULL");
    (!null).then_some(s)
}

fn text(map: &MarkedMappingNode, key: &str) -> Option<String> {
    scalar(map.get_node(key)).map(|s| s.as_str().to_string()).filter(|s| !s.is_empty())
}

/// The entry named `name` of the list `list` (`clusters`, `users`, `contexts`), first file first;
/// its body (`cluster`, `user`, `context`) and the file it is in.
fn entry<'a>(files: &'a [File], list: &str, body: &str, name: &str) -> Option<(&'a MarkedMappingNode, &'a File)> {
    files.iter().find_map(|file| {
        let seq = file.root.as_ref()?.as_mapping()?.get_sequence(list)?;
        seq.iter().find_map(|item| {
            let item = item.as_mapping()?;
            (text(item, "name").as_deref() == Some(name)).then_some(())?;
            // `user: {}` or `user:` with nothing: an entry without fields.
            static EMPTY: std::sync::OnceLock<MarkedMappingNode> = std::sync::OnceLock::new();
            let fields = item
                .get_mapping(body)
                .unwrap_or_else(|| EMPTY.get_or_init(|| MarkedMappingNode::new_empty(marked_yaml::Span::new_blank())));
            Some((fields, file))
        })
    })
}

fn names(files: &[File], list: &str) -> Vec<String> {
    let mut all: Vec<String> = files
        .iter()
        .filter_map(|f| f.root.as_ref()?.as_mapping()?.get_sequence(list))
        .flat_map(|seq| seq.iter().filter_map(|i| text(i.as_mapping()?, "name")))
        .collect();
    all.dedup();
    all
}

/// A path as a kubeconfig names it: relative to the kubeconfig's own directory.
fn resolve(dir: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", dir.trim_end_matches('/'))
    }
}

/// `*-data` (base64 of PEM) or the file named by the key without `-data`.
fn material(map: &MarkedMappingNode, key: &str, file: &File) -> Result<Option<(Material, Option<String>)>, String> {
    use base64::Engine;
    if let Some(data) = text(map, &format!("{key}-data")) {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|_| format!("`{key}-data` is not base64"))?;
        let pem = String::from_utf8(bytes).map_err(|_| format!("`{key}-data` is not PEM text"))?;
        return Ok(Some((Material::Data(pem.clone()), Some(pem))));
    }
    Ok(text(map, key).map(|path| (Material::File(resolve(&file.dir, &path)), None)))
}

/// The cluster and user `choice` selects in `files` (merged in order).
pub fn select(files: &[File], choice: &Choice) -> Result<Selected, Problem> {
    let path = files.first().map(|f| f.path.clone()).unwrap_or_default();
    let fail = |why: String| (path.clone(), why);
    let current = files.iter().find_map(|f| text(f.root.as_ref()?.as_mapping()?, "current-context"));
    let context_name = choice.context.clone().or(current);
    let (mut cluster_name, mut user_name) = (None, None);
    if let Some(name) = &context_name {
        let Some((context, _)) = entry(files, "contexts", "context", name) else {
            return Err(fail(format!(
                "it has no context {}; its contexts: {}",
                quote(name),
                listed(names(files, "contexts"))
            )));
        };
        cluster_name = text(context, "cluster");
        user_name = text(context, "user");
    }
    cluster_name = choice.cluster.clone().or(cluster_name);
    user_name = choice.user.clone().or(user_name);
    let mut selected = Selected { path: path.clone(), context: context_name, ..Selected::default() };
    if let Some(name) = &cluster_name {
        let Some((cluster, file)) = entry(files, "clusters", "cluster", name) else {
            return Err(fail(format!(
                "it has no cluster {}; its clusters: {}",
                quote(name),
                listed(names(files, "clusters"))
            )));
        };
        selected.server = text(cluster, "server");
        selected.ca = material(cluster, "certificate-authority", file).map_err(&fail)?.map(|(m, _)| m);
        selected.insecure =
            scalar(cluster.get_node("insecure-skip-tls-verify")).and_then(|s| s.as_bool()).unwrap_or(false);
    }
    if let Some(name) = &user_name {
        let Some((user, file)) = entry(files, "users", "user", name) else {
            return Err(fail(format!("it has no user {}; its users: {}", quote(name), listed(names(files, "users")))));
        };
        selected.user = Some(name.clone());
        selected.cert = material(user, "client-certificate", file).map_err(&fail)?.map(|(m, _)| m);
        selected.key = material(user, "client-key", file).map_err(&fail)?.map(|(m, data)| (m, data.map(Secret::new)));
        selected.token = text(user, "token").map(Secret::new);
        selected.token_file = text(user, "tokenFile").map(|p| resolve(&file.dir, &p));
        selected.username = text(user, "username");
        selected.password = text(user, "password").map(Secret::new);
        selected.exec = match user.get_mapping("exec") {
            Some(exec) => Some(exec_plugin(exec, file).map_err(&fail)?),
            None => None,
        };
    }
    Ok(selected)
}

fn listed(names: Vec<String>) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        crate::text::list(&names.iter().map(|n| crate::text::name(n)).collect::<Vec<_>>(), 10)
    }
}

fn exec_plugin(exec: &MarkedMappingNode, file: &File) -> Result<Exec, String> {
    let command = text(exec, "command").ok_or("the user's `exec` has no `command`")?;
    if text(exec, "interactiveMode").as_deref() == Some("Always") {
        return Err("the user's `exec` plugin wants `interactiveMode: Always`, and a workflow has no terminal".into());
    }
    let strings = |key: &str| -> Vec<String> {
        exec.get_sequence(key)
            .map(|s| s.iter().filter_map(|n| scalar(Some(n)).map(|s| s.as_str().to_string())).collect())
            .unwrap_or_default()
    };
    let env = exec
        .get_sequence("env")
        .map(|s| {
            s.iter()
                .filter_map(|n| {
                    let m = n.as_mapping()?;
                    Some((text(m, "name")?, text(m, "value").unwrap_or_default()))
                })
                .collect()
        })
        .unwrap_or_default();
    // client-go: a relative command with a path separator is relative to the kubeconfig.
    let command = if command.contains('/') { resolve(&file.dir, &command) } else { command };
    Ok(Exec {
        command,
        args: strings("args"),
        env,
        api_version: text(exec, "apiVersion").unwrap_or_else(|| "client.authentication.k8s.io/v1beta1".into()),
    })
}

/// What an exec plugin printed: an ExecCredential's token, or client certificate and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// `status.token`.
    pub token: Option<Secret>,
    /// `status.clientCertificateData`.
    pub cert: Option<String>,
    /// `status.clientKeyData`.
    pub key: Option<Secret>,
}

/// Reads an ExecCredential (client.authentication.k8s.io v1 or v1beta1) from a plugin's output.
pub fn exec_credential(stdout: &[u8]) -> Result<Credential, String> {
    let out: serde_json::Value = serde_json::from_slice(stdout)
        .map_err(|_| "printed something that is not an ExecCredential (JSON)".to_string())?;
    if !out.is_object() || out.get("kind").and_then(|k| k.as_str()).is_some_and(|k| k != "ExecCredential") {
        return Err("printed JSON that is not an ExecCredential".into());
    }
    let status = out.get("status").filter(|s| s.is_object()).ok_or("printed an ExecCredential without `status`")?;
    let field = |key: &str| status.get(key).and_then(|v| v.as_str()).filter(|v| !v.is_empty()).map(str::to_string);
    let credential = Credential {
        token: field("token").map(Secret::new),
        cert: field("clientCertificateData"),
        key: field("clientKeyData").map(Secret::new),
    };
    if credential.token.is_none() && (credential.cert.is_none() || credential.key.is_none()) {
        return Err("printed an ExecCredential with neither `status.token` nor a client certificate and key".into());
    }
    Ok(credential)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIKUBE: &str = "apiVersion: v1
kind: Config
clusters:
- name: minikube
  cluster:
    server: https://192.168.49.2:8443
    certificate-authority: ../.minikube/ca.crt
users:
- name: minikube
  user:
    client-certificate: /home/u/.minikube/profiles/minikube/client.crt
    client-key: /home/u/.minikube/profiles/minikube/client.key
- name: ci
  user:
    token: abc
contexts:
- name: minikube
  context: {cluster: minikube, user: minikube, namespace: default}
- name: ci
  context: {cluster: minikube, user: ci}
current-context: minikube
preferences: {}
";

    const EKS: &str = "apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    server: https://ABC.gr7.eu-west-1.eks.amazonaws.com
  name: arn:aws:eks:eu-west-1:1:cluster/prod
contexts:
- context:
    cluster: arn:aws:eks:eu-west-1:1:cluster/prod
    user: arn:aws:eks:eu-west-1:1:cluster/prod
  name: arn:aws:eks:eu-west-1:1:cluster/prod
current-context: arn:aws:eks:eu-west-1:1:cluster/prod
kind: Config
preferences: {}
users:
- name: arn:aws:eks:eu-west-1:1:cluster/prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args: [--region, eu-west-1, eks, get-token, --cluster-name, prod]
      command: aws
      env: null
      interactiveMode: IfAvailable
      provideClusterInfo: false
";

    fn one(text: &str) -> Vec<File> {
        vec![parse("/home/u/.kube/config", "/home/u/.kube/config", text).unwrap()]
    }

    #[test]
    fn the_current_context_selects_a_minikube_cluster_and_its_certificate_files() {
        let s = select(&one(MINIKUBE), &Choice::default()).unwrap();
        assert_eq!(s.context.as_deref(), Some("minikube"));
        assert_eq!(s.server.as_deref(), Some("https://192.168.49.2:8443"));
        assert_eq!(s.ca, Some(Material::File("/home/u/.kube/../.minikube/ca.crt".into())));
        assert_eq!(s.cert, Some(Material::File("/home/u/.minikube/profiles/minikube/client.crt".into())));
        assert!(matches!(s.key, Some((Material::File(_), None))));
        assert_eq!(s.token, None);
    }

    #[test]
    fn a_context_or_user_named_in_the_settings_wins_over_the_current_context() {
        let s = select(&one(MINIKUBE), &Choice { context: Some("ci".into()), ..Choice::default() }).unwrap();
        assert_eq!(s.token.as_ref().map(Secret::expose), Some("abc"));
        let s = select(&one(MINIKUBE), &Choice { user: Some("ci".into()), ..Choice::default() }).unwrap();
        assert_eq!((s.context.as_deref(), s.user.as_deref()), (Some("minikube"), Some("ci")));
    }

    #[test]
    fn an_eks_user_runs_its_exec_plugin_and_inline_ca_data_is_decoded() {
        let s = select(&one(EKS), &Choice::default()).unwrap();
        assert_eq!(s.ca, Some(Material::Data("-----BEGIN CERTIFICATE-----\n".into())));
        let exec = s.exec.unwrap();
        assert_eq!(exec.command, "aws");
        assert_eq!(exec.args, ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "prod"]);
        assert_eq!(exec.env, Vec::<(String, String)>::new());
    }

    #[test]
    fn several_files_merge_with_the_first_definition_winning() {
        let a =
            parse("/a", "/a", "clusters:\n- name: c\n  cluster: {server: 'https://a'}\ncurrent-context: x\n").unwrap();
        let b = parse(
            "/b",
            "/b",
            "clusters:\n- name: c\n  cluster: {server: 'https://b'}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {token: t}\ncurrent-context: y\n",
        )
        .unwrap();
        let s = select(&[a, b], &Choice::default()).unwrap();
        assert_eq!(
            (s.server.as_deref(), s.token.map(|t| t.expose().to_string())),
            (Some("https://a"), Some("t".into()))
        );
    }

    #[test]
    fn a_missing_context_cluster_or_user_lists_what_there_is() {
        let e = select(&one(MINIKUBE), &Choice { context: Some("prod".into()), ..Choice::default() }).unwrap_err();
        assert_eq!(e.1, "it has no context \"prod\"; its contexts: minikube, ci");
        let e = select(&one(MINIKUBE), &Choice { cluster: Some("kind".into()), ..Choice::default() }).unwrap_err();
        assert_eq!(e.1, "it has no cluster \"kind\"; its clusters: minikube");
    }

    #[test]
    fn text_that_is_not_a_kubeconfig_is_refused_with_where() {
        assert_eq!(
            parse("/k", "/k", "- a\n- b\n").err().unwrap().1,
            "not a kubeconfig: the top level is not a mapping (line 1)"
        );
        let deep = "a:\n".to_string() + &"- ".repeat(300) + "x\n";
        assert!(parse("/k", "/k", &deep).err().unwrap().1.starts_with("the YAML nests more than 128 levels deep"));
        assert!(parse("/k", "/k", "clusters: [\n")
            .err()
            .unwrap()
            .1
            .starts_with("not a kubeconfig: not valid YAML at line"));
        assert!(select(&[parse("/k", "/k", "").unwrap()], &Choice::default()).unwrap().server.is_none());
    }

    #[test]
    fn an_exec_credential_gives_a_token_or_a_certificate_and_key() {
        let c = exec_credential(br#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"exec-token-123"}}"#).unwrap();
        assert_eq!(c.token.unwrap().expose(), "exec-token-123");
        let c =
            exec_credential(br#"{"kind":"ExecCredential","status":{"clientCertificateData":"C","clientKeyData":"K"}}"#)
                .unwrap();
        assert_eq!((c.cert.as_deref(), c.key.map(|k| k.expose().to_string())), (Some("C"), Some("K".into())));
        assert_eq!(
            exec_credential(b"Token: abc").unwrap_err(),
            "printed something that is not an ExecCredential (JSON)"
        );
        assert_eq!(
            exec_credential(br#"{"kind":"ExecCredential","status":{}}"#).unwrap_err(),
            "printed an ExecCredential with neither `status.token` nor a client certificate and key"
        );
    }
}
