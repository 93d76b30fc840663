//! The Kubernetes API as the backend speaks it, without I/O: the requests a read sends (one list
//! of Secrets by Terraform's labels, one Lease, one list for the workspaces) and what their
//! answers mean. `open` only sends what these build and hands back what comes.

use serde_json::Value;

use super::error::{Error, Identity};
use super::payload;
use crate::backend::lock::Lock;
use crate::host::{HttpRequest, HttpResponse};
use crate::secret::Secret;

/// The label Terraform puts on every Secret and Lease it manages.
const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "terraform");
/// The Lease annotation that holds Terraform's LockInfo while the lock is held.
pub const LOCK_INFO_ANNOTATION: &str = "app.terraform.io/lock-info";

/// Where and as whom requests go: everything but the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The API server, `https://host:port` (a path prefix kept), without a trailing `/`.
    pub server: String,
    /// The `Authorization` header's value (a bearer token or basic credentials), if any.
    pub authorization: Option<Secret>,
    /// The TLS settings: CA, client certificate and key, `insecure`.
    pub tls: Option<crate::host::Tls>,
    /// Who the requests present themselves as, for a 401 or 403.
    pub identity: Identity,
    /// The time limit of each request.
    pub timeout_ms: u64,
}

/// The name of the Secret holding the first chunk of `workspace`'s state.
pub fn secret_name(workspace: &str, suffix: &str) -> String {
    format!("tfstate-{workspace}-{suffix}")
}

/// The name of the Lease Terraform locks `workspace`'s state with.
pub fn lease_name(workspace: &str, suffix: &str) -> String {
    format!("lock-tfstate-{workspace}-{suffix}")
}

/// Terraform's label selector for a workspace's Secrets: every label it writes, the user's
/// `labels` included, sorted by key and `=`-joined (`client.go` `getLabels`/`getSecrets`).
pub fn selector(labels: &[(String, String)], suffix: &str, workspace: &str) -> String {
    let ours = [MANAGED_BY, ("tfstate", "true"), ("tfstateSecretSuffix", suffix), ("tfstateWorkspace", workspace)];
    // Terraform's own labels win over a user label of the same key, as in its label map.
    let mut all: Vec<(&str, &str)> = ours.to_vec();
    all.extend(labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).filter(|(k, _)| ours.iter().all(|(o, _)| o != k)));
    all.sort_unstable();
    all.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

impl Connection {
    /// A GET of `path` (with its query), as Terraform's clients send it.
    pub fn get(&self, path: &str) -> HttpRequest {
        let mut headers = vec![
            ("Accept".to_string(), "application/json".to_string()),
            ("User-Agent".to_string(), concat!("stage-action/", env!("CARGO_PKG_VERSION")).to_string()),
        ];
        if let Some(value) = &self.authorization {
            headers.push(("Authorization".to_string(), value.expose().to_string()));
        }
        HttpRequest {
            method: "GET".into(),
            url: format!("{}{path}", self.server),
            headers,
            body: Vec::new(),
            timeout_ms: self.timeout_ms,
            tls: self.tls.clone(),
        }
    }

    /// A POST of the JSON `body` to `path`.
    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> HttpRequest {
        let mut request = self.get(path);
        request.method = "POST".into();
        request.headers.push(("Content-Type".to_string(), "application/json".to_string()));
        request.body = body.to_string().into_bytes();
        request
    }

    /// The SelfSubjectAccessReview that asks whether this identity may `verb` `resource` (of API
    /// group `group`, `""` for the core group) in `namespace`.
    pub fn access_review(&self, namespace: &str, group: &str, resource: &str, verb: &str) -> HttpRequest {
        let body = serde_json::json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": { "resourceAttributes": { "namespace": namespace, "group": group, "resource": resource, "verb": verb } },
        });
        self.post_json("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", &body)
    }

    /// The one list request that reads a workspace's state: every chunk, by Terraform's labels.
    pub fn list_state(
        &self,
        namespace: &str,
        labels: &[(String, String)],
        suffix: &str,
        workspace: &str,
    ) -> HttpRequest {
        let sel = selector(labels, suffix, workspace);
        self.get(&format!(
            "/api/v1/namespaces/{}/secrets?labelSelector={}",
            crate::encode::component(namespace),
            crate::encode::component(&sel)
        ))
    }

    /// The list of every state Secret with the suffix, for the workspaces (as `terraform
    /// workspace list`, narrowed to the suffix on the server).
    pub fn list_workspaces(&self, namespace: &str, suffix: &str) -> HttpRequest {
        let sel = format!("tfstate=true,tfstateSecretSuffix={suffix}");
        self.get(&format!(
            "/api/v1/namespaces/{}/secrets?labelSelector={}",
            crate::encode::component(namespace),
            crate::encode::component(&sel)
        ))
    }

    /// The GET of the workspace's lock Lease.
    pub fn get_lease(&self, namespace: &str, suffix: &str, workspace: &str) -> HttpRequest {
        self.get(&format!(
            "/apis/coordination.k8s.io/v1/namespaces/{}/leases/{}",
            crate::encode::component(namespace),
            crate::encode::component(&lease_name(workspace, suffix))
        ))
    }

    /// The error for an answer other than 200 (and 404 where that means "none").
    pub fn status(&self, response: &HttpResponse, namespace: &str, what: &'static str) -> Error {
        let server = self.server.clone();
        match response.status {
            401 => Error::Unauthorized { server, identity: self.identity.clone() },
            403 => Error::Forbidden { server, identity: self.identity.clone(), namespace: namespace.to_string(), what },
            status => Error::Status {
                server,
                what: format!("the request to {what} in namespace {namespace}"),
                status,
                message: status_message(&response.body),
            },
        }
    }
}

/// The `message` of a Kubernetes `Status` answer, else nothing.
fn status_message(body: &[u8]) -> String {
    let status: Option<Value> = serde_json::from_slice(body).ok();
    status.as_ref().and_then(|s| text(s, &["message"])).unwrap_or_default().to_string()
}

// Answers are read as `serde_json::Value`, walked by key: the module already carries Value's
// deserializer, while a derived struct per object adds its own (about 20 KB of wasm for these).

/// The string at `path` (object keys) in `value`.
fn text<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_str()
}

/// The `items` of a Kubernetes list answer.
fn list(conn: &Connection, response: &HttpResponse, what: &str) -> Result<Vec<Value>, Error> {
    let answer = || Error::Answer {
        server: conn.server.clone(),
        what: what.to_string(),
        problem: "something that is not a Kubernetes list (JSON)".into(),
    };
    let mut list: Value = serde_json::from_slice(&response.body).map_err(|_| answer())?;
    match list.as_object_mut().ok_or_else(answer)?.remove("items") {
        Some(Value::Array(items)) => Ok(items),
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(_) => Err(answer()),
    }
}

/// What the list of a workspace's Secrets holds.
#[derive(Debug, PartialEq, Eq)]
pub enum StateRead {
    /// The state, reassembled and decompressed.
    State(Vec<u8>),
    /// No Secret, or one without `data.tfstate` (Terraform creates it empty, then fills it).
    None,
}

/// Reads the answer to [`Connection::list_state`]: the chunks of `tfstate-<ws>-<suffix>` in
/// order, base64-decoded, joined and gunzipped, at most `limit` bytes. Secrets the selector let
/// through under other names (a server that ignores it) are left out.
pub fn read_state(
    conn: &Connection,
    response: &HttpResponse,
    namespace: &str,
    suffix: &str,
    workspace: &str,
    limit: u64,
) -> Result<StateRead, Error> {
    if response.status != 200 {
        return Err(conn.status(response, namespace, "list secrets"));
    }
    let first = secret_name(workspace, suffix);
    let ours = |name: &str| {
        name == first
            || name
                .strip_prefix(&first)
                .and_then(|r| r.strip_prefix("-part-"))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut chunks = Vec::new();
    for mut item in list(conn, response, "the list of secrets")? {
        let Some(name) = text(&item, &["metadata", "name"]).filter(|n| ours(n)).map(str::to_string) else { continue };
        // Taken, not copied: a chunk is a MiB and more of base64.
        match item.pointer_mut("/data/tfstate").map(Value::take) {
            Some(Value::String(data)) => chunks.push((name, data)),
            _ => return Ok(StateRead::None),
        }
    }
    if chunks.is_empty() {
        return Ok(StateRead::None);
    }
    let state_error =
        |problem: String| Error::State { secret: first.clone(), namespace: namespace.to_string(), problem };
    let gz = payload::join(chunks).map_err(|payload::NotBase64(secret)| Error::State {
        secret,
        namespace: namespace.to_string(),
        problem: "its data.tfstate is not base64".into(),
    })?;
    payload::gunzip(&gz, limit).map(StateRead::State).map_err(|p| match p {
        payload::Problem::NotGzip(why) => state_error(format!("its data.tfstate is not gzip ({why})")),
        payload::Problem::TooLarge { limit } => state_error(format!(
            "the state is larger than {} once decompressed, the most this action reads",
            crate::host::format_bytes(limit)
        )),
    })
}

/// What the lock Lease says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseRead {
    /// Held: Terraform's LockInfo as far as it could be read.
    Locked(Lock),
    /// Free, or never taken.
    Free,
    /// Could not be read (403 most often): the lock is unknown, and this says why and what to do.
    Unknown(String),
}

/// Reads the answer to [`Connection::get_lease`]. A lease that cannot be read is not a failure
/// of the read: it leaves the lock unknown, with the reason ([`LeaseRead::Unknown`]).
pub fn read_lease(conn: &Connection, response: &HttpResponse, namespace: &str) -> LeaseRead {
    match response.status {
        200 => {}
        404 => return LeaseRead::Free,
        403 => {
            return LeaseRead::Unknown(format!(
                "kubernetes backend: cannot tell whether the state is locked: {} may not get leases (group coordination.k8s.io) in namespace {namespace}; allow `get` on `leases` in a Role bound to it to see Terraform's lock",
                conn.identity
            ))
        }
        _ => return LeaseRead::Unknown(format!("kubernetes backend: cannot tell whether the state is locked: {}", conn.status(response, namespace, "get leases"))),
    }
    let Ok(lease) = serde_json::from_slice::<Value>(&response.body) else {
        return LeaseRead::Unknown(
            "kubernetes backend: cannot tell whether the state is locked: the Lease is not JSON".to_string(),
        );
    };
    match text(&lease, &["spec", "holderIdentity"]).filter(|h| !h.is_empty()) {
        None => LeaseRead::Free,
        Some(holder) => {
            let info = text(&lease, &["metadata", "annotations", LOCK_INFO_ANNOTATION]);
            let lock = info.and_then(Lock::from_lock_info);
            LeaseRead::Locked(lock.unwrap_or_else(|| Lock { id: Some(crate::text::name(holder)), ..Lock::default() }))
        }
    }
}

/// Reads the answer to [`Connection::list_workspaces`]: the workspaces with a state Secret for
/// `suffix`, in name order (`default` among them: "no state yet" lists them so; the workspace
/// listing puts it first, [`read_workspaces`]).
pub fn read_states(
    conn: &Connection,
    response: &HttpResponse,
    namespace: &str,
    suffix: &str,
) -> Result<Vec<String>, Error> {
    if response.status != 200 {
        return Err(conn.status(response, namespace, "list secrets"));
    }
    let mut names: Vec<String> = list(conn, response, "the list of secrets")?
        .into_iter()
        .filter_map(|item| {
            (text(&item, &["metadata", "labels", "tfstateSecretSuffix"]) == Some(suffix)).then_some(())?;
            text(&item, &["metadata", "labels", "tfstateWorkspace"]).map(str::to_string)
        })
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// The workspaces as `terraform workspace list` shows them: `default` first, always (Terraform
/// lists it whether or not it has a state), then the others of [`read_states`].
pub fn read_workspaces(
    conn: &Connection,
    response: &HttpResponse,
    namespace: &str,
    suffix: &str,
) -> Result<Vec<String>, Error> {
    let states = read_states(conn, response, namespace, suffix)?;
    Ok(crate::backend::workspace::ordered(states.into_iter().chain([crate::backend::workspace::DEFAULT.to_string()])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::kubernetes::payload::tests::{b64, gzip};
    use serde_json::json;

    fn conn() -> Connection {
        Connection {
            server: "https://127.0.0.1:6443".into(),
            authorization: Some(Secret::new("Bearer t0k3n")),
            tls: None,
            identity: Identity::Certificate { subject: Some("terraform".into()), from: "`client_certificate`".into() },
            timeout_ms: 30_000,
        }
    }

    fn answer(status: u16, body: serde_json::Value) -> HttpResponse {
        HttpResponse { status, headers: Vec::new(), body: body.to_string().into_bytes() }
    }

    fn secret(name: &str, data: Option<&str>) -> serde_json::Value {
        let mut s = json!({"metadata": {"name": name, "labels": {"tfstate": "true"}}});
        if let Some(d) = data {
            s["data"] = json!({ "tfstate": d });
        }
        s
    }

    #[test]
    fn the_selector_is_terraforms_every_label_sorted_with_the_users() {
        let labels = vec![("team".to_string(), "payments".to_string())];
        assert_eq!(
            selector(&labels, "app", "default"),
            "app.kubernetes.io/managed-by=terraform,team=payments,tfstate=true,tfstateSecretSuffix=app,tfstateWorkspace=default"
        );
        let r = conn().list_state("tfstate", &labels, "app", "staging");
        assert_eq!(r.url, "https://127.0.0.1:6443/api/v1/namespaces/tfstate/secrets?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dterraform%2Cteam%3Dpayments%2Ctfstate%3Dtrue%2CtfstateSecretSuffix%3Dapp%2CtfstateWorkspace%3Dstaging");
        assert_eq!(r.method, "GET");
        assert!(r.headers.contains(&("Authorization".into(), "Bearer t0k3n".into())));
        assert_eq!(
            conn().get_lease("tfstate", "app", "dev").url,
            "https://127.0.0.1:6443/apis/coordination.k8s.io/v1/namespaces/tfstate/leases/lock-tfstate-dev-app"
        );
        assert_eq!(
            conn().list_workspaces("tfstate", "app").url,
            "https://127.0.0.1:6443/api/v1/namespaces/tfstate/secrets?labelSelector=tfstate%3Dtrue%2CtfstateSecretSuffix%3Dapp"
        );
    }

    #[test]
    fn chunks_are_read_in_order_and_other_secrets_left_out() {
        let state = br#"{"version":4,"serial":7,"lineage":"l","resources":[]}"#.repeat(50);
        let gz = gzip(&state);
        let (a, b) = gz.split_at(gz.len() / 3);
        let items = json!({"items": [
            secret("tfstate-dev-app-part-1", Some(&b64(b))),
            secret("tfstate-dev-app-other", Some("bm90")),
            secret("tfstate-dev-app", Some(&b64(a))),
        ]});
        let read = read_state(&conn(), &answer(200, items), "tfstate", "app", "dev", 1 << 20).unwrap();
        assert_eq!(read, StateRead::State(state));
    }

    #[test]
    fn no_secret_or_a_secret_without_data_is_no_state_yet() {
        let none = read_state(&conn(), &answer(200, json!({"items": []})), "ns", "app", "dev", 1 << 20).unwrap();
        assert_eq!(none, StateRead::None);
        let empty = json!({"items": [secret("tfstate-dev-app", None)]});
        assert_eq!(read_state(&conn(), &answer(200, empty), "ns", "app", "dev", 1 << 20).unwrap(), StateRead::None);
        assert_eq!(
            read_state(&conn(), &answer(200, json!({"items": null})), "ns", "app", "dev", 1).unwrap(),
            StateRead::None
        );
    }

    #[test]
    fn a_secret_that_is_not_gzip_or_too_large_is_a_clear_error() {
        let plain = json!({"items": [secret("tfstate-dev-app", Some(&b64(b"{\"version\":4}")))]});
        assert_eq!(
            read_state(&conn(), &answer(200, plain), "tfstate", "app", "dev", 1 << 20).unwrap_err().to_string(),
            "kubernetes backend: Secret tfstate-dev-app in namespace tfstate does not hold a state Terraform wrote: its data.tfstate is not gzip (it does not start with gzip's magic bytes 1f 8b); is another tool writing Secrets with Terraform's labels?"
        );
        let bomb = json!({"items": [secret("tfstate-dev-app", Some(&b64(&gzip(&vec![b' '; 4 << 20]))))]});
        assert_eq!(
            read_state(&conn(), &answer(200, bomb), "tfstate", "app", "dev", 1 << 20).unwrap_err().to_string(),
            "kubernetes backend: Secret tfstate-dev-app in namespace tfstate does not hold a state Terraform wrote: the state is larger than 1 MiB once decompressed, the most this action reads; is another tool writing Secrets with Terraform's labels?"
        );
        let bad = json!({"items": [secret("tfstate-dev-app-part-1", Some("%%%"))]});
        assert!(read_state(&conn(), &answer(200, bad), "t", "app", "dev", 1).unwrap_err().to_string().contains("Secret tfstate-dev-app-part-1 in namespace t does not hold a state Terraform wrote: its data.tfstate is not base64"));
    }

    #[test]
    fn a_401_names_the_identity_and_a_403_the_missing_permission() {
        let e = read_state(&conn(), &answer(401, json!({"kind": "Status"})), "tfstate", "app", "dev", 1).unwrap_err();
        assert_eq!(e.to_string(), "kubernetes backend: the API server at https://127.0.0.1:6443 did not accept the client certificate CN=terraform from `client_certificate` (401 Unauthorized); check that the credentials belong to this cluster and have not expired or been revoked");
        let e = read_state(&conn(), &answer(403, json!({})), "tfstate", "app", "dev", 1).unwrap_err();
        assert_eq!(e.to_string(), "kubernetes backend: the client certificate CN=terraform from `client_certificate` may not list secrets in namespace tfstate (403 Forbidden from https://127.0.0.1:6443); reading a state needs a Role in that namespace that allows `get` and `list` on `secrets` (and `get` on `leases` in group coordination.k8s.io, to see the lock), bound to that identity");
        let e =
            read_state(&conn(), &answer(500, json!({"message": "etcd\nleader changed"})), "tfstate", "app", "dev", 1)
                .unwrap_err();
        assert_eq!(e.to_string(), "kubernetes backend: the request to list secrets in namespace tfstate at https://127.0.0.1:6443 answered 500: \"etcd\\nleader changed\"");
        let e = read_state(
            &conn(),
            &HttpResponse { status: 200, headers: vec![], body: b"<html>".to_vec() },
            "t",
            "a",
            "d",
            1,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "kubernetes backend: the list of secrets at https://127.0.0.1:6443 answered with something that is not a Kubernetes list (JSON); is `host` the Kubernetes API server?");
    }

    #[test]
    fn a_held_lease_is_terraforms_lock_and_a_free_or_missing_one_is_none() {
        let info = r#"{"ID":"7e41","Operation":"OperationTypeApply","Info":"","Who":"root@vm","Version":"1.11.4","Created":"2026-11-29T05:42:19.510022006Z","Path":""}"#;
        let held = json!({"metadata": {"name": "lock-tfstate-default-app", "annotations": {LOCK_INFO_ANNOTATION: info}}, "spec": {"holderIdentity": "7e41"}});
        match read_lease(&conn(), &answer(200, held), "tfstate") {
            LeaseRead::Locked(lock) => {
                assert_eq!(lock.to_string(), "locked by root@vm for apply since 2026-11-29T05:42:19.510022006Z")
            }
            other => panic!("{other:?}"),
        }
        let bare = json!({"metadata": {"name": "x"}, "spec": {"holderIdentity": "abc"}});
        assert_eq!(
            read_lease(&conn(), &answer(200, bare), "t"),
            LeaseRead::Locked(Lock { id: Some("abc".into()), ..Lock::default() })
        );
        assert_eq!(read_lease(&conn(), &answer(200, json!({"metadata": {}, "spec": {}})), "t"), LeaseRead::Free);
        assert_eq!(read_lease(&conn(), &answer(404, json!({})), "t"), LeaseRead::Free);
    }

    #[test]
    fn a_lease_that_may_not_be_read_leaves_the_lock_unknown_and_says_which_permission() {
        assert_eq!(
            read_lease(&conn(), &answer(403, json!({})), "tfstate"),
            LeaseRead::Unknown("kubernetes backend: cannot tell whether the state is locked: the client certificate CN=terraform from `client_certificate` may not get leases (group coordination.k8s.io) in namespace tfstate; allow `get` on `leases` in a Role bound to it to see Terraform's lock".into())
        );
    }

    #[test]
    fn workspaces_are_default_first_then_by_name_for_this_suffix_only() {
        let items = json!({"items": [
            {"metadata": {"name": "a", "labels": {"tfstateSecretSuffix": "app", "tfstateWorkspace": "staging"}}},
            {"metadata": {"name": "b", "labels": {"tfstateSecretSuffix": "app", "tfstateWorkspace": "big"}}},
            {"metadata": {"name": "c", "labels": {"tfstateSecretSuffix": "app", "tfstateWorkspace": "big"}}},
            {"metadata": {"name": "d", "labels": {"tfstateSecretSuffix": "other", "tfstateWorkspace": "x"}}},
            {"metadata": {"name": "e"}},
        ]});
        assert_eq!(
            read_workspaces(&conn(), &answer(200, items.clone()), "t", "app").unwrap(),
            ["default", "big", "staging"]
        );
        assert_eq!(read_states(&conn(), &answer(200, items), "t", "app").unwrap(), ["big", "staging"]);
    }
}
