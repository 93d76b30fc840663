//! HCP Terraform and Terraform Enterprise: the `remote` backend and the `cloud` block, one
//! client for both (`remote.rs` and `cloud.rs` are their names and keys over it).
//!
//! A read is the calls Terraform makes (go-tfe), without writing anything: service discovery
//! (`GET https://<host>/.well-known/terraform.json`, `tfe.v2.1` for remote, `tfe.v2` for cloud),
//! the workspace (`GET <api>organizations/<org>/workspaces/<name>?include=locked_by`: its id and
//! lock), its current state version (`GET <api>workspaces/<id>/current-state-version`; 404 is
//! "no state yet"), then the state's bytes from the version's `hosted-state-download-url`. The
//! token goes with every call to the host, and with the download only when that is on the same
//! origin: Terraform Enterprise's archivist URLs on another host are pre-signed.
//!
//! Which remote workspace (Terraform's `internal/backend/remote` and `internal/cloud`):
//! - remote, `workspaces { name = "app" }`: the local workspace `default` only, which is `app`;
//! - remote, `workspaces { prefix = "app-" }`: local `X` is remote `app-X`, and there is no
//!   `default`;
//! - cloud, `workspaces { name = "app" }`: only `app`; `workspaces { tags | project }` or
//!   `TF_WORKSPACE`: the local workspace's name is the remote one's, and there is no `default`.
//!
//! The token, first match wins, as Terraform's CLI finds it: `token`; `TF_TOKEN_<host>` (dots
//! as `_`, dashes as `__`; a host with a port as written, `TF_TOKEN_localhost:8443`, or without
//! its port); the CLI config's `credentials "<host>" { token = … }` (`TF_CLI_CONFIG_FILE`, else
//! `~/.terraformrc`; what hashicorp/setup-terraform's `cli_config_credentials_token` writes);
//! `~/.terraform.d/credentials.tfrc.json` (what `terraform login` writes). Credentials helpers
//! are not run: a helper is a program of the runner's, and the four places cover a workflow.

mod error;
mod token;

/// Every key of the `remote` backend's and the `cloud` block's schema; `workspaces` is the
/// nested block.
pub const KEYS: &[&str] = &["hostname", "organization", "token", "workspaces"];

/// The keys whose values are credentials.
pub const SECRETS: &[&str] = &["token"];

pub use error::{At, Error};

use std::io::Cursor;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::lock::Lock;
use super::workspace::{Selected, Workspace, DEFAULT};
use super::{BackendConfig, KeyProblem, NoState, Opened, Snapshot};
use crate::context::Context;
use crate::host::{self, HttpRequest, HttpResponse};
use crate::secret::Secret;
use crate::text::quote;

/// HCP Terraform's host, the default `hostname`.
pub const DEFAULT_HOSTNAME: &str = "app.terraform.io";

/// At most this many pages of 100 workspaces are listed.
const MAX_PAGES: u32 = 50;

/// Which of the two backends: the same service, different keys and workspace rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// `backend "remote"`.
    Remote,
    /// The `cloud` block (recorded as backend `cloud`).
    Cloud,
}

impl Kind {
    /// The backend's name, as Terraform records it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Remote => "remote",
            Kind::Cloud => "cloud",
        }
    }

    /// The service discovery ids to use, in order.
    fn services(self) -> [&'static str; 2] {
        match self {
            Kind::Remote => ["tfe.v2.1", "tfe.v2"],
            Kind::Cloud => ["tfe.v2", "tfe.v2.1"],
        }
    }
}

/// A token, and the words that name where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// The token.
    pub value: Secret,
    /// Where it was found: "`token` (input `backend-config` line 2)", "environment variable
    /// TF_TOKEN_app_terraform_io", ….
    pub from: String,
}

/// How the remote workspaces are chosen: the `workspaces` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspaces {
    /// `name`: the one workspace.
    pub name: Option<String>,
    /// `prefix` (remote): local `X` is remote `<prefix>X`.
    pub prefix: Option<String>,
    /// `tags` (cloud) as a list: workspaces with all of them.
    pub tags: Vec<String>,
    /// `tags` (cloud) as a map: workspaces with each key and value.
    pub tag_bindings: Vec<(String, String)>,
    /// `project` (cloud; `TF_CLOUD_PROJECT`): the listing of workspaces is narrowed to it (by
    /// its id, looked up by name first).
    pub project: Option<String>,
}

/// Everything `open` and `workspaces` need, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// `remote` or `cloud`.
    pub kind: Kind,
    /// `hostname`, lower case, with its port when it has one.
    pub hostname: String,
    /// `organization`.
    pub organization: String,
    /// The `workspaces` block.
    pub workspaces: Workspaces,
    /// The remote workspace read for the local one.
    pub remote: String,
    /// The local workspace, and what chose it.
    pub workspace: Workspace,
    /// The token from `token` or `TF_TOKEN_<host>`; `None`: the CLI config files, at open.
    pub token: Option<Token>,
    /// The CLI config file: `TF_CLI_CONFIG_FILE`, else `~/.terraformrc`.
    pub cli_config: Option<String>,
    /// `~/.terraform.d/credentials.tfrc.json`.
    pub credentials_file: Option<String>,
    /// Every request ends within this many milliseconds.
    pub timeout_ms: u64,
}

impl Location {
    /// Where errors say the read was: backend, host, organization, workspace.
    pub fn at(&self) -> Box<At> {
        Box::new(At {
            backend: self.kind.name(),
            host: self.hostname.clone(),
            organization: self.organization.clone(),
            workspace: self.remote.clone(),
        })
    }

    /// The token found from the environment at configure time, to be masked: the `token`
    /// setting is masked with the settings already.
    pub fn env_secrets(&self) -> Vec<String> {
        self.token.iter().filter(|t| t.from.starts_with("environment")).map(|t| t.value.expose().to_string()).collect()
    }

    fn state_name(&self) -> String {
        format!("{} workspace {}/{} at {}", service(&self.hostname), self.organization, self.remote, self.hostname)
    }

    /// `https://<host>`: the origin the token belongs to.
    fn origin(&self) -> String {
        format!("https://{}", self.hostname)
    }
}

/// How the service is called: HCP Terraform on its own host, else Terraform Enterprise.
pub fn service(hostname: &str) -> &'static str {
    if hostname == DEFAULT_HOSTNAME {
        "HCP Terraform"
    } else {
        "Terraform Enterprise"
    }
}

/// Reads `config` into a [`Location`] for the `kind` backend; every problem at once. Pure.
pub fn configure(
    kind: Kind,
    config: &BackendConfig,
    workspace: &Workspace,
    context: &Context,
    timeout_ms: u64,
) -> Result<Location, Vec<KeyProblem>> {
    let mut problems = Vec::new();
    let mut string = |key: &str| match config.string(key) {
        Ok(value) => value.map(|(v, _)| v.trim().to_string()).filter(|v| !v.is_empty()),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let hostname = string("hostname").unwrap_or_else(|| DEFAULT_HOSTNAME.to_string()).to_ascii_lowercase();
    let organization = string("organization");
    let token_setting = string("token");
    if let Err(why) = check_hostname(&hostname) {
        problems.push(config.problem("hostname", why));
    }
    if organization.is_none() {
        let env = if kind == Kind::Cloud { ", or TF_CLOUD_ORGANIZATION" } else { "" };
        problems.push(config.problem(
            "organization",
            format!(
                "is required: the {} organization that holds the workspaces, in the {} block{env}",
                service(&hostname),
                block(kind)
            ),
        ));
    }
    let mut blocks = read_workspaces(config, &mut problems);
    if kind == Kind::Cloud && blocks.project.is_none() {
        blocks.project = context.terraform_cli.get("TF_CLOUD_PROJECT").map(|p| p.trim().to_string());
    }
    let remote = remote_name(kind, &blocks, workspace, config).unwrap_or_else(|p| {
        problems.push(p);
        String::new()
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    let token = match token_setting {
        Some(value) => Some(Token { value: Secret::new(value), from: from(config, "token") }),
        None => token::from_env(&context.terraform_cli, &hostname),
    };
    let home = context.home.as_deref().map(|h| h.trim_end_matches('/').to_string());
    Ok(Location {
        kind,
        hostname,
        organization: organization.unwrap_or_default(),
        workspaces: blocks,
        remote,
        workspace: workspace.clone(),
        token,
        cli_config: context
            .terraform_cli
            .get("TF_CLI_CONFIG_FILE")
            .cloned()
            .or_else(|| home.as_ref().map(|h| format!("{h}/.terraformrc"))),
        credentials_file: home.map(|h| format!("{h}/.terraform.d/credentials.tfrc.json")),
        timeout_ms,
    })
}

fn block(kind: Kind) -> &'static str {
    match kind {
        Kind::Remote => "backend \"remote\"",
        Kind::Cloud => "cloud",
    }
}

/// "`key` (where it was written)".
fn from(config: &BackendConfig, key: &str) -> String {
    match config.get(key) {
        Some(e) => format!("`{key}` ({})", e.from),
        None => format!("`{key}`"),
    }
}

/// A host name with an optional port, as Terraform's `svchost` takes it: no scheme, no path.
fn check_hostname(hostname: &str) -> Result<(), String> {
    if hostname.contains("://") {
        return Err(format!(
            "{} must be a host name (app.terraform.io, tfe.example.com), without https:// or a path",
            quote(hostname)
        ));
    }
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':');
    if hostname.is_empty() || !hostname.chars().all(valid) || hostname.starts_with([':', '.', '-']) {
        return Err(format!("{} is not a host name (app.terraform.io, tfe.example.com)", quote(hostname)));
    }
    Ok(())
}

/// The `workspaces` block: an object (a list of one, as some writers record a nested block).
fn read_workspaces(config: &BackendConfig, problems: &mut Vec<KeyProblem>) -> Workspaces {
    let mut found = Workspaces::default();
    let Some(entry) = config.get("workspaces") else { return found };
    let object = match &entry.value {
        Value::Object(map) => Some(map),
        Value::Array(items) if items.len() == 1 => items[0].as_object(),
        _ => None,
    };
    let Some(object) = object else {
        problems.push(config.problem("workspaces", "must be a block: workspaces { name = \"app\" }"));
        return found;
    };
    let text = |v: &Value| v.as_str().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    for (key, value) in object.iter().filter(|(_, v)| !v.is_null()) {
        match key.as_str() {
            "name" | "prefix" | "project" => match text(value) {
                Some(s) if key == "name" => found.name = Some(s),
                Some(s) if key == "prefix" => found.prefix = Some(s),
                Some(s) => found.project = Some(s),
                None => problems.push(config.problem("workspaces", format!("`{key}` must be a non-empty string"))),
            },
            "tags" => match value {
                Value::Array(items) if items.iter().all(Value::is_string) => {
                    found.tags = items.iter().filter_map(text).collect();
                }
                Value::Object(map) if map.values().all(Value::is_string) => {
                    found.tag_bindings =
                        map.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect();
                }
                _ => problems.push(config.problem(
                    "workspaces",
                    "`tags` must be a list of strings ([\"app\"]) or a map of strings ({env = \"prod\"})",
                )),
            },
            other => problems.push(config.problem(
                "workspaces",
                format!(
                    "has no setting {}: it takes `name`, `prefix` (remote), `tags` and `project` (cloud)",
                    quote(other)
                ),
            )),
        }
    }
    found
}

/// The remote workspace for the local `workspace`, by the backend's rules.
fn remote_name(
    kind: Kind,
    w: &Workspaces,
    workspace: &Workspace,
    config: &BackendConfig,
) -> Result<String, KeyProblem> {
    let tags = !w.tags.is_empty() || !w.tag_bindings.is_empty();
    let problem = |message: String| Err(config.problem("workspaces", message));
    let chosen = workspace.selected != Selected::Default;
    let local = &workspace.name;
    match kind {
        Kind::Remote => match (&w.name, &w.prefix) {
            (Some(_), Some(_)) => problem("sets both `name` and `prefix`: the remote backend takes exactly one".into()),
            (None, None) => problem("is required, with `name` (one workspace) or `prefix` (local workspace X is remote <prefix>X), as in the backend \"remote\" block".into()),
            (Some(name), None) if local == DEFAULT => Ok(name.clone()),
            (Some(name), None) => problem(format!(
                "has `name` = {}: the remote backend then has only the workspace `default`, and workspace {} was selected; remove the workspace selection, or use `prefix`",
                quote(name), quote(local)
            )),
            (None, Some(prefix)) if local == DEFAULT => problem(format!(
                "has `prefix` = {}: the remote backend then has no `default` workspace; select one (input `workspace`, TF_WORKSPACE, or `terraform workspace select` in the working directory): workspace X reads {}X",
                quote(prefix), prefix
            )),
            (None, Some(prefix)) => Ok(format!("{prefix}{local}")),
        },
        Kind::Cloud => {
            if w.prefix.is_some() {
                return problem("`prefix` is the remote backend's: the cloud block takes `name`, `tags` or `project`".into());
            }
            match &w.name {
                Some(_) if tags => problem("sets both `name` and `tags`: the cloud block takes one of them".into()),
                Some(name) if !chosen || local == name => Ok(name.clone()),
                Some(name) => problem(format!(
                    "has `name` = {}: the cloud block then has only that workspace, and {} was selected ({}); remove the selection, or make them equal",
                    quote(name), quote(local), workspace.selected.describe(".")
                )),
                None if !chosen || local == DEFAULT => problem(
                    "names no workspace and none is selected: set `workspaces { name = \"…\" }`, or select one (input `workspace`, TF_WORKSPACE); the cloud block has no `default` workspace".into(),
                ),
                None => Ok(local.clone()),
            }
        }
    }
}

// ---- Requests and answers: pure ----

/// A `GET` of `url`, with the token when `url` is on the host's origin.
pub fn get(location: &Location, url: &str, token: &Secret) -> HttpRequest {
    let mut headers = vec![("accept".to_string(), "application/vnd.api+json".to_string())];
    if host::origin(url).is_some_and(|o| o.eq_ignore_ascii_case(&location.origin())) {
        headers.push(("authorization".to_string(), format!("Bearer {}", token.expose())));
    }
    HttpRequest {
        method: "GET".into(),
        url: url.to_string(),
        headers,
        body: Vec::new(),
        timeout_ms: location.timeout_ms,
        tls: None,
    }
}

/// The service discovery document's URL.
pub fn discovery_url(location: &Location) -> String {
    format!("{}/.well-known/terraform.json", location.origin())
}

/// The API's base URL (ending in `/`) from the discovery answer.
pub fn read_discovery(location: &Location, response: &HttpResponse) -> Result<String, Error> {
    let at = location.at();
    if response.status != 200 {
        return Err(Error::Discovery { at, problem: format!("answered {}{}", response.status, said(&response.body)) });
    }
    let doc: Value = serde_json::from_slice(&response.body)
        .map_err(|_| Error::Discovery { at: at.clone(), problem: "answered with something that is not JSON".into() })?;
    let Some(path) = location.kind.services().iter().find_map(|s| doc.get(*s).and_then(Value::as_str)) else {
        return Err(Error::Discovery {
            at,
            problem: "lists no `tfe.v2` service: it is not HCP Terraform or Terraform Enterprise".into(),
        });
    };
    let url = if path.starts_with('/') {
        format!("{}{path}", location.origin())
    } else if host::origin(path).is_some() {
        if !host::origin(path).is_some_and(|o| o.eq_ignore_ascii_case(&location.origin())) {
            return Err(Error::OtherHost { at, url: quote(path) });
        }
        path.to_string()
    } else {
        format!("{}/{path}", location.origin())
    };
    Ok(if url.ends_with('/') { url } else { format!("{url}/") })
}

/// `<api>organizations/<org>/workspaces/<name>?include=locked_by`.
pub fn workspace_url(location: &Location, api: &str) -> String {
    format!(
        "{api}organizations/{}/workspaces/{}?include=locked_by",
        crate::encode::component(&location.organization),
        crate::encode::component(&location.remote)
    )
}

/// The workspace's id and lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteWorkspace {
    /// `ws-…`.
    pub id: String,
    /// The lock, when `locked`.
    pub lock: Option<Lock>,
}

/// Reads the workspace's answer.
pub fn read_workspace(
    location: &Location,
    token_from: &str,
    response: &HttpResponse,
) -> Result<RemoteWorkspace, Error> {
    let at = location.at();
    match response.status {
        200 => {}
        401 => return Err(Error::Unauthorized { at, token_from: token_from.to_string() }),
        404 => return Err(Error::NoWorkspace { at, token_from: token_from.to_string() }),
        status => return Err(Error::Status { at, what: "the workspace", status, said: said(&response.body) }),
    }
    let doc: Value = serde_json::from_slice(&response.body).map_err(|_| Error::Answer {
        at: at.clone(),
        what: "the workspace",
        problem: "not JSON".into(),
    })?;
    let data = &doc["data"];
    let Some(id) = data["id"].as_str().filter(|s| !s.is_empty()) else {
        return Err(Error::Answer { at, what: "the workspace", problem: "no `data.id`".into() });
    };
    let lock = (data["attributes"]["locked"] == Value::Bool(true)).then(|| holder(location, &doc));
    Ok(RemoteWorkspace { id: id.to_string(), lock })
}

/// Who holds the workspace's lock (`relationships.locked-by`, with `included`).
fn holder(location: &Location, doc: &Value) -> Lock {
    let by = &doc["data"]["relationships"]["locked-by"]["data"];
    let (kind, id) = (by["type"].as_str().unwrap_or_default(), by["id"].as_str().unwrap_or_default());
    let included = doc["included"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["type"].as_str() == Some(kind) && i["id"].as_str() == Some(id)));
    let attribute = |name: &str| included.and_then(|i| i["attributes"][name].as_str()).filter(|s| !s.is_empty());
    let lock_id = format!("{}/{}", location.organization, location.remote);
    let unlock = format!(
        "unlock it in the workspace's Settings → Locking, or run `terraform force-unlock {lock_id}` in its working directory"
    );
    let who = match kind {
        "runs" => {
            let status = attribute("status").map(|s| format!(" ({})", crate::text::name(s))).unwrap_or_default();
            Some(format!("run {}{status}, which releases it when it ends", crate::text::name(id)))
        }
        "users" => Some(format!("user {} ({unlock})", crate::text::name(attribute("username").unwrap_or(id)))),
        "teams" => Some(format!("team {} ({unlock})", crate::text::name(attribute("name").unwrap_or(id)))),
        _ if id.is_empty() => Some(format!("someone ({unlock})")),
        _ => Some(format!("{} {} ({unlock})", crate::text::name(kind), crate::text::name(id))),
    };
    Lock { who, operation: None, created: None, id: Some(crate::text::name(&lock_id)) }
}

/// `<api>workspaces/<id>/current-state-version`.
pub fn state_version_url(api: &str, workspace_id: &str) -> String {
    format!("{api}workspaces/{}/current-state-version", crate::encode::component(workspace_id))
}

/// When the current state version was created (`created-at`), milliseconds since the epoch:
/// when the workspace's state last changed.
pub fn state_version_created_ms(response: &HttpResponse) -> Option<f64> {
    let doc: Value = serde_json::from_slice(&response.body).ok()?;
    doc["data"]["attributes"]["created-at"].as_str().and_then(crate::time::parse_rfc3339)
}

/// The state's download URL, absolute; `None`: no state yet.
pub fn read_state_version(location: &Location, api: &str, response: &HttpResponse) -> Result<Option<String>, Error> {
    let at = location.at();
    match response.status {
        200 => {}
        404 => return Ok(None),
        403 => return Err(Error::StateForbidden { at }),
        401 => return Err(Error::Unauthorized { at, token_from: String::new() }),
        status => {
            return Err(Error::Status { at, what: "the current state version", status, said: said(&response.body) })
        }
    }
    let doc: Value = serde_json::from_slice(&response.body).map_err(|_| Error::Answer {
        at: at.clone(),
        what: "the current state version",
        problem: "not JSON".into(),
    })?;
    let Some(url) = doc["data"]["attributes"]["hosted-state-download-url"].as_str().filter(|s| !s.is_empty()) else {
        return Err(Error::Answer {
            at,
            what: "the current state version",
            problem: "no `hosted-state-download-url` (the state may still be uploading: run again in a moment)".into(),
        });
    };
    if url.starts_with('/') {
        let origin = host::origin(api).unwrap_or_default();
        return Ok(Some(format!("{origin}{url}")));
    }
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(Error::Answer {
            at,
            what: "the current state version",
            problem: format!("a download URL {} that is not http(s)", quote(url)),
        });
    }
    Ok(Some(url.to_string()))
}

/// The state's bytes from the download.
pub fn read_download(location: &Location, response: HttpResponse) -> Result<Vec<u8>, Error> {
    match response.status {
        200 => Ok(response.body),
        status => {
            Err(Error::Status { at: location.at(), what: "the state download", status, said: said(&response.body) })
        }
    }
}

/// One page of the organization's workspaces, narrowed as the `workspaces` block says.
pub fn list_url(location: &Location, api: &str, page: u32, project_id: Option<&str>) -> String {
    let mut url = format!(
        "{api}organizations/{}/workspaces?page%5Bnumber%5D={page}&page%5Bsize%5D=100",
        crate::encode::component(&location.organization)
    );
    let w = &location.workspaces;
    if let Some(search) = w.prefix.as_ref().or(w.name.as_ref()) {
        url.push_str(&format!("&search%5Bname%5D={}", crate::encode::component(search)));
    }
    if !w.tags.is_empty() {
        url.push_str(&format!("&search%5Btags%5D={}", crate::encode::component(&w.tags.join(","))));
    }
    for (i, (k, v)) in w.tag_bindings.iter().enumerate() {
        url.push_str(&format!(
            "&filter%5Btagged%5D%5B{i}%5D%5Bkey%5D={}&filter%5Btagged%5D%5B{i}%5D%5Bvalue%5D={}",
            crate::encode::component(k),
            crate::encode::component(v)
        ));
    }
    if let Some(id) = project_id {
        url.push_str(&format!("&filter%5Bproject%5D%5Bid%5D={}", crate::encode::component(id)));
    }
    url
}

/// The organization's project of that name (`filter[names]`).
pub fn project_url(location: &Location, api: &str, project: &str) -> String {
    format!(
        "{api}organizations/{}/projects?filter%5Bnames%5D={}",
        crate::encode::component(&location.organization),
        crate::encode::component(project)
    )
}

/// The project's id; `None` when there is no project of that name (no workspace is in it).
pub fn read_project(
    location: &Location,
    token_from: &str,
    project: &str,
    response: &HttpResponse,
) -> Result<Option<String>, Error> {
    let at = location.at();
    match response.status {
        200 => {}
        401 => return Err(Error::Unauthorized { at, token_from: token_from.to_string() }),
        404 => return Err(Error::NoOrganization { at, token_from: token_from.to_string() }),
        status => return Err(Error::Status { at, what: "the list of projects", status, said: said(&response.body) }),
    }
    let doc: Value = serde_json::from_slice(&response.body).map_err(|_| Error::Answer {
        at: at.clone(),
        what: "the list of projects",
        problem: "not JSON".into(),
    })?;
    let items = doc["data"].as_array().map(Vec::as_slice).unwrap_or_default();
    Ok(items
        .iter()
        .find(|p| p["attributes"]["name"].as_str() == Some(project))
        .and_then(|p| p["id"].as_str())
        .map(str::to_string))
}

/// The names of one page's workspaces that have a state, and the next page's number.
pub fn read_list(
    location: &Location,
    token_from: &str,
    response: &HttpResponse,
) -> Result<(Vec<String>, Option<u32>), Error> {
    let at = location.at();
    match response.status {
        200 => {}
        401 => return Err(Error::Unauthorized { at, token_from: token_from.to_string() }),
        404 => return Err(Error::NoOrganization { at, token_from: token_from.to_string() }),
        status => return Err(Error::Status { at, what: "the list of workspaces", status, said: said(&response.body) }),
    }
    let doc: Value = serde_json::from_slice(&response.body).map_err(|_| Error::Answer {
        at: at.clone(),
        what: "the list of workspaces",
        problem: "not JSON".into(),
    })?;
    let Some(items) = doc["data"].as_array() else {
        return Err(Error::Answer { at, what: "the list of workspaces", problem: "no `data` list".into() });
    };
    let names = items
        .iter()
        .filter(|w| w["relationships"]["current-state-version"]["data"].is_object())
        .filter_map(|w| w["attributes"]["name"].as_str().map(str::to_string))
        .collect();
    let next = doc["meta"]["pagination"]["next-page"].as_u64().and_then(|n| u32::try_from(n).ok());
    Ok((names, next))
}

/// The local workspace names for remote ones, by the backend's rules; `default` first.
pub fn local_names(location: &Location, remote: Vec<String>) -> Vec<String> {
    let w = &location.workspaces;
    let names: Vec<String> = match (location.kind, &w.name, &w.prefix) {
        (_, Some(name), _) => {
            let local = if location.kind == Kind::Remote { DEFAULT } else { name.as_str() };
            remote.iter().any(|r| r == name).then(|| local.to_string()).into_iter().collect()
        }
        // With a prefix there is no `default` workspace (ErrDefaultWorkspaceNotSupported).
        (_, None, Some(prefix)) => remote
            .iter()
            .filter_map(|r| r.strip_prefix(prefix.as_str()))
            .filter(|r| !r.is_empty() && *r != DEFAULT)
            .map(str::to_string)
            .collect(),
        _ => remote,
    };
    super::workspace::ordered(names)
}

/// The start of a body, for a message: quoted, bounded, after `: `; empty for none.
fn said(body: &[u8]) -> String {
    let said = crate::text::said(body);
    if said.is_empty() {
        said
    } else {
        format!(": {said}")
    }
}

// ---- The reads ----

/// The backend's error, as the seam's.
fn fail(e: Error) -> super::Error {
    super::Error::Tfe(Box::new(e))
}

async fn send(location: &Location, request: HttpRequest, what: &'static str) -> Result<HttpResponse, Error> {
    host::http(request).await.map_err(|e| Error::Unreachable {
        at: location.at(),
        what,
        timed_out: e.code == host::TIMED_OUT,
        message: e.message,
    })
}

/// The token, wherever it is (see the module's documentation).
fn find_token(location: &Location) -> Result<Token, Error> {
    if let Some(token) = &location.token {
        return Ok(token.clone());
    }
    if let Some(path) = &location.cli_config {
        if let Some(text) = read_optional(path).map_err(|problem| Error::CliConfig { path: path.clone(), problem })? {
            let found = token::from_cli_config(&text, &location.hostname)
                .map_err(|problem| Error::CliConfig { path: path.clone(), problem })?;
            if let Some(value) = found {
                let from = format!("the credentials \"{}\" block of {path}", location.hostname);
                return Ok(Token { value: Secret::new(value), from });
            }
        }
    }
    if let Some(path) = &location.credentials_file {
        if let Some(text) = read_optional(path).map_err(|problem| Error::CliConfig { path: path.clone(), problem })? {
            let found = token::from_credentials_json(&text, &location.hostname)
                .map_err(|problem| Error::CliConfig { path: path.clone(), problem })?;
            if let Some(value) = found {
                return Ok(Token { value: Secret::new(value), from: format!("{path} (terraform login)") });
            }
        }
    }
    Err(Error::NoToken {
        at: location.at(),
        cli_config: location.cli_config.clone().unwrap_or_else(|| "~/.terraformrc".into()),
        credentials_file: location
            .credentials_file
            .clone()
            .unwrap_or_else(|| "~/.terraform.d/credentials.tfrc.json".into()),
    })
}

/// A small file's text; `None` when it does not exist.
fn read_optional(path: &str) -> Result<Option<String>, String> {
    match host::read_file(path, crate::files::SMALL_FILE_LIMIT) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.code == "ENOENT" || e.code == "ENOTDIR" => Ok(None),
        Err(e) => Err(e.message),
    }
}

/// Discovery, then the API base URL and the token.
async fn connect(location: &Location) -> crate::error::Result<(String, Token)> {
    let token = find_token(location).map_err(fail)?;
    let response = send(location, get(location, &discovery_url(location), &token.value), "service discovery")
        .await
        .map_err(fail)?;
    let api = read_discovery(location, &response).map_err(fail)?;
    Ok((api, token))
}

/// Reads the remote workspace's current state, and its lock.
pub async fn open(location: &Location) -> crate::error::Result<Opened> {
    let (api, token) = connect(location).await?;
    let response = send(location, get(location, &workspace_url(location, &api), &token.value), "the workspace")
        .await
        .map_err(fail)?;
    let remote = read_workspace(location, &token.from, &response).map_err(fail)?;
    let response =
        send(location, get(location, &state_version_url(&api, &remote.id), &token.value), "the current state version")
            .await
            .map_err(fail)?;
    let modified_ms = state_version_created_ms(&response);
    let Some(url) = read_state_version(location, &api, &response)
        .map_err(|e| match e {
            Error::Unauthorized { at, .. } => Error::Unauthorized { at, token_from: token.from.clone() },
            e => e,
        })
        .map_err(fail)?
    else {
        let existing = list(location, &api, &token)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|w| *w != location.workspace.name)
            .collect();
        return Ok(Opened::NoStateYet(NoState {
            backend: location.kind.name(),
            place: format!(
                "{} organization {} at {}",
                service(&location.hostname),
                location.organization,
                location.hostname
            ),
            looked_for: format!("the current state version of workspace {}", location.remote),
            workspace: Some(location.workspace.clone()),
            existing,
        }));
    };
    let response = send(location, get(location, &url, &token.value), "the state download").await.map_err(fail)?;
    let bytes = read_download(location, response).map_err(fail)?;
    Ok(Opened::State(Snapshot {
        size: Some(bytes.len() as u64),
        body: Box::new(Cursor::new(bytes)),
        name: location.state_name(),
        workspace: Some(location.workspace.name.clone()),
        modified_ms,
        lock: remote.lock,
        warnings: Vec::new(),
    }))
}

/// The local names of the workspaces that have a state.
async fn list(location: &Location, api: &str, token: &Token) -> crate::error::Result<Vec<String>> {
    let project_id = match &location.workspaces.project {
        Some(project) => {
            let url = project_url(location, api, project);
            let response =
                send(location, get(location, &url, &token.value), "the list of projects").await.map_err(fail)?;
            match read_project(location, &token.from, project, &response).map_err(fail)? {
                Some(id) => Some(id),
                None => return Ok(Vec::new()),
            }
        }
        None => None,
    };
    let mut remote = Vec::new();
    let mut page = 1;
    for _ in 0..MAX_PAGES {
        let url = list_url(location, api, page, project_id.as_deref());
        let response =
            send(location, get(location, &url, &token.value), "the list of workspaces").await.map_err(fail)?;
        let (names, next) = read_list(location, &token.from, &response).map_err(fail)?;
        remote.extend(names);
        match next {
            Some(n) if n > page => page = n,
            _ => break,
        }
    }
    Ok(local_names(location, remote))
}

/// The workspaces that have a state, by their local names, `default` first.
pub async fn workspaces(location: &Location) -> crate::error::Result<Vec<String>> {
    let (api, token) = connect(location).await?;
    list(location, &api, &token).await
}

#[cfg(test)]
mod tests;
