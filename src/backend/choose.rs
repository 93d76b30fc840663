//! From the settings as written to a [`Source`]: which backend, its settings merged in
//! Terraform's order, the workspace, and the credentials to mask. See the module documentation
//! of [`super`] for the order; every problem is returned at once, each naming its setting.

use serde_json::Value;

use super::config::{Entry, From};
use super::discover::{self, hcl, Discovered, WorkingDir};
use super::settings::{Given, Written};
use super::workspace::{self, Selected, Workspace};
use super::{configure_named, local, specs, BackendConfig, KeyProblem, Location, Problem, Settings, Spec};
use crate::context::Context;
use crate::files::{within, Named, SMALL_FILE_LIMIT};
use crate::text::quote;

/// How long a backend may take to answer, unless a setting says otherwise: a backend that never
/// answers fails the step in a stated time.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;

/// Every backend type Terraform 1.11 has (`internal/backend/init/init.go`): a name among these
/// that this action does not read is "not yet", not a typo.
const TERRAFORM_BACKENDS: &[&str] =
    &["local", "remote", "azurerm", "consul", "cos", "gcs", "http", "inmem", "kubernetes", "oss", "pg", "s3", "cloud"];

/// Where to read a state from, validated, with the credentials its settings hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The backend and where in it.
    pub location: Location,
    /// Every credential in the settings (the values of the backend's secret keys, wherever
    /// they were written, and the password inside a connection string): masked before anything
    /// prints.
    pub secrets: Vec<String>,
}

impl Source {
    /// The backend's name, as Terraform spells it.
    pub fn backend(&self) -> &'static str {
        self.location.backend()
    }
}

/// Registers every credential of `source` with the report, to be masked before anything prints.
pub fn mask(source: &Source, report: &mut crate::action::Report) {
    for secret in &source.secrets {
        report.secret(secret.clone());
    }
}

/// Turns the settings into the source they name; see [`super`] for the order.
pub fn configure(settings: &Settings, context: &Context) -> Result<Source, Vec<Problem>> {
    let mut problems = Vec::new();
    if let Some(Err(why)) = settings.workspace.as_deref().map(workspace::check) {
        problems.push(Problem::new("workspace", why.to_string()));
    }
    let dir = settings.state.as_deref().and_then(|state| WorkingDir::of_state(context, state));
    let discovered = dir.as_ref().and_then(|d| {
        discover::discover(d).unwrap_or_else(|found| {
            problems.extend(found.into_iter().map(|m| Problem::new("state", m)));
            None
        })
    });
    let all = specs();
    let spec_of = |name: &str| all.iter().find(|s| s.name == name).copied();
    // A directory whose backend this action does not read is left to the local backend, which
    // says so, with today's advice, when the directory holds no state of its own.
    let mut unsupported = None;
    let spec = match (&settings.backend, &discovered) {
        (Some(name), _) => match spec_of(name) {
            Some(spec) => spec,
            None => {
                problems.push(Problem::new("backend", unknown_backend(name, &all)));
                return Err(problems);
            }
        },
        (None, Some(found)) => spec_of(&found.backend).unwrap_or_else(|| {
            unsupported = Some(found.backend.clone());
            local_spec(&all)
        }),
        (None, None) => local_spec(&all),
    };
    let remote = spec.name != local::NAME;
    if remote && settings.state.is_some() && dir.is_none() {
        problems.push(Problem::new(
            "state",
            format!("is not a Terraform working directory; with the {} backend, set it to the stage's working directory (whose .terraform/environment may choose the workspace), or remove it", spec.name),
        ));
    }
    // `state` naming `.terraform/terraform.tfstate` of a directory whose backend is not read
    // here: the local backend's advice is about the directory.
    let state = match (&unsupported, &dir) {
        (Some(_), Some(dir)) => Some(dir.given.clone()),
        _ => settings.state.clone(),
    };
    let config = merge(spec, settings, state, discovered, context, &mut problems);
    for entry in config.entries.iter().filter(|e| !spec.keys.contains(&e.key.as_str())) {
        problems.push(key_problem(unknown_key(spec, entry)));
    }
    let workspace = select(settings, context, dir.as_ref(), remote).unwrap_or_else(|problem| {
        problems.push(problem);
        Workspace { name: workspace::DEFAULT.to_string(), selected: Selected::Default }
    });
    // The backend's own problems too, so that every problem is listed at once.
    let configured = configure_named(&config, &workspace, context, DEFAULT_TIMEOUT_MS)
        .unwrap_or_else(|| unreachable!("{} is in the list of backends", config.backend))
        .map_err(|found| problems.extend(found.into_iter().map(key_problem)));
    let mut location = match configured {
        Ok(location) if problems.is_empty() => location,
        _ => {
            // Where the state is comes first, then how to read it, then which workspace.
            let rank =
                |p: &Problem| ["state", "backend", "backend-config"].iter().position(|s| *s == p.setting).unwrap_or(3);
            problems.sort_by_key(rank);
            return Err(problems);
        }
    };
    if let Location::Local(local) = &mut location {
        local.remote = unsupported;
    }
    let mut secrets = secrets(spec, &config);
    secrets.extend(location.env_secrets());
    Ok(Source { location, secrets })
}

fn local_spec(all: &[Spec]) -> Spec {
    *all.iter().find(|s| s.name == local::NAME).expect("the local backend is in the list")
}

/// The problem with a `backend` this action does not read.
fn unknown_backend(name: &str, all: &[Spec]) -> String {
    let read: Vec<&str> = all.iter().map(|s| s.name).filter(|n| *n != "fake").collect();
    if TERRAFORM_BACKENDS.contains(&name) {
        return format!(
            "this action does not read Terraform's \"{name}\" backend (yet); it reads {}: add a step that runs `terraform state pull > stage.tfstate` in the stage's working directory, and set `state` to that file instead",
            read.join(", ")
        );
    }
    let known = TERRAFORM_BACKENDS.iter().copied();
    match crate::suggest::closest(name, known) {
        Some(near) => format!("{} is not a Terraform backend; did you mean \"{near}\"?", quote(name)),
        None => format!("{} is not a Terraform backend; this action reads {}", quote(name), read.join(", ")),
    }
}

fn unknown_key(spec: Spec, entry: &Entry) -> KeyProblem {
    let message = match crate::suggest::closest(&entry.key, spec.keys.iter().copied()) {
        Some(near) => format!("is not a setting of the {} backend; did you mean `{near}`?", spec.name),
        None => format!("is not a setting of the {} backend; its settings are {}", spec.name, spec.keys.join(", ")),
    };
    KeyProblem { key: entry.key.clone(), from: Some(entry.from.clone()), message }
}

/// The backend's settings, later over earlier: what the directory says (for the local backend,
/// `state`), then `backend-config`; then the environment fills what is still unset.
fn merge(
    spec: Spec,
    settings: &Settings,
    state: Option<String>,
    discovered: Option<Discovered>,
    context: &Context,
    problems: &mut Vec<Problem>,
) -> BackendConfig {
    let mut config = BackendConfig::new(spec.name);
    if spec.name == local::NAME {
        if let Some(state) = state {
            config.set("path", Value::String(state), From::Setting { named: settings.named("state") });
        }
    } else if let Some(found) = discovered.filter(|d| d.backend == spec.name) {
        config.entries.extend(found.entries);
    }
    for given in &settings.config {
        match expand(given, context) {
            Ok(entries) => config.entries.extend(entries),
            Err(found) => problems.extend(found.into_iter().map(key_problem)),
        }
    }
    for (key, names) in spec.env {
        if config.get(key).is_some() {
            continue;
        }
        if let Some((name, value)) = names.iter().find_map(|n| context.backend_env.get(*n).map(|v| (*n, v))) {
            config.set(key, Value::String(value.clone()), From::Env { name: name.to_string() });
        }
    }
    config
}

/// The entries one `backend-config` entry stands for: itself, or a `*.tfbackend` file's.
fn expand(given: &Given, context: &Context) -> Result<Vec<Entry>, Vec<KeyProblem>> {
    let from = given.from.clone();
    match &given.written {
        Written::Value { key, value } => Ok(vec![Entry { key: key.clone(), value: value.clone(), from }]),
        Written::Text { key, text } => {
            // As `-backend-config=KEY=VALUE`: literal text, unless it is an HCL list or map.
            let value = if text.starts_with('[') || text.starts_with('{') {
                hcl::expression(text)
                    .map_err(|message| vec![KeyProblem { key: key.clone(), from: Some(from.clone()), message }])?
            } else {
                Value::String(text.clone())
            };
            Ok(vec![Entry { key: key.clone(), value, from }])
        }
        Written::File(name) => backend_file(name, &from, context),
    }
}

/// The attributes of a `*.tfbackend` file, as `-backend-config=FILE` reads it.
fn backend_file(name: &str, from: &From, context: &Context) -> Result<Vec<Entry>, Vec<KeyProblem>> {
    let file_problem = |message: String| vec![KeyProblem { key: name.to_string(), from: Some(from.clone()), message }];
    let path = local::resolve(&context.workspace, name);
    let setting = "input `backend-config`";
    let named = Named { path: &path, given: name, setting, within: within(&context.workspace, name) };
    let text = match named.read(SMALL_FILE_LIMIT) {
        Ok(Some(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        Ok(None) => {
            return Err(file_problem(
                "names no file: a line without `=` is a *.tfbackend file, relative to GITHUB_WORKSPACE; write key=value, or fix the path".into(),
            ))
        }
        Err(e) => return Err(file_problem(e.to_string())),
    };
    let at = |line| From::ConfigFile { path: name.to_string(), line };
    let body = hcl::parse(&text).map_err(|p| file_problem(format!("line {}: {}", p.line, p.message)))?;
    match hcl::attributes(&body, &text) {
        Ok(found) => Ok(found.into_iter().map(|(key, value, line)| Entry { key, value, from: at(line) }).collect()),
        Err(found) => Err(found
            .into_iter()
            .map(|p| KeyProblem { key: p.key.unwrap_or_default(), from: Some(at(p.line)), message: p.message })
            .collect()),
    }
}

/// The problem of one key, as a problem of the setting that holds it.
fn key_problem(p: KeyProblem) -> Problem {
    match &p.from {
        // The local backend's `path` is `state`: missing, or as `state` gave it.
        None if p.key == "path" => Problem::new("state", p.message),
        Some(From::Setting { .. }) => Problem::new("state", p.message),
        Some(From::Input { line }) => {
            Problem::new("backend-config", format!("line {line}, `{}`: {}", p.key, p.message))
        }
        Some(From::Stage { line, .. }) => {
            Problem::new("backend-config", format!("`{}`: {}", p.key, p.message)).at(Some(*line))
        }
        Some(From::InitState { .. } | From::Block { .. }) => Problem::new("state", p.to_string()),
        Some(From::Env { .. }) => Problem::new("backend", p.to_string()),
        Some(From::ConfigFile { .. }) | None => Problem::new("backend-config", p.to_string()),
    }
}

/// The workspace. For a remote backend, Terraform's rules in full; the local backend gets only
/// the `workspace` setting here, and finishes the choice itself once it knows `state` is a
/// directory (a state file has no workspace, and its `TF_WORKSPACE` does not matter).
fn select(
    settings: &Settings,
    context: &Context,
    dir: Option<&WorkingDir>,
    remote: bool,
) -> Result<Workspace, Problem> {
    if !remote {
        return Ok(match &settings.workspace {
            Some(name) => Workspace { name: name.clone(), selected: Selected::Setting },
            None => Workspace { name: workspace::DEFAULT.to_string(), selected: Selected::Default },
        });
    }
    enum Why {
        Invalid(super::Error),
        Unreadable(String),
    }
    impl std::convert::From<super::Error> for Why {
        fn from(e: super::Error) -> Why {
            Why::Invalid(e)
        }
    }
    let setting = settings.workspace.as_deref().filter(|w| workspace::check(w).is_ok());
    let chosen = workspace::select(setting, context.tf_workspace.as_deref(), || match dir {
        Some(dir) => dir.environment().map_err(Why::Unreadable),
        None => Ok(None),
    });
    chosen.map_err(|why| match why {
        Why::Invalid(super::Error::InvalidWorkspace { setting, why }) => Problem::new(setting, why.to_string()),
        Why::Invalid(other) => Problem::new("workspace", other.to_string()),
        Why::Unreadable(message) => Problem::new("state", message),
    })
}

/// Every credential in `config`: each value (and each string inside a list or map) of a secret
/// key, wherever it was written — overridden ones too, since they were read — and the password
/// inside a connection string.
fn secrets(spec: Spec, config: &BackendConfig) -> Vec<String> {
    let mut found = Vec::new();
    for entry in config.entries.iter().filter(|e| spec.secrets.contains(&e.key.as_str())) {
        strings(&entry.value, &mut found);
    }
    // `block.field`: one value inside a block (s3's `assume_role_with_web_identity`'s token).
    for (block, field) in spec.secrets.iter().filter_map(|s| s.split_once('.')) {
        for entry in config.entries.iter().filter(|e| e.key == block) {
            if let Some(value) = entry.value.get(field) {
                strings(value, &mut found);
            }
        }
    }
    let inner: Vec<String> = found.iter().flat_map(|s| passwords(s)).collect();
    found.extend(inner);
    found.retain(|s| !s.trim().is_empty());
    found.sort();
    found.dedup();
    found
}

fn strings(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::String(s) => into.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, into)),
        Value::Object(map) => map.values().for_each(|v| strings(v, into)),
        Value::Bool(_) | Value::Number(_) | Value::Null => {}
    }
}

/// The password inside a connection string (a `postgres://` URL or a `key=value` string), as
/// pg's own parser reads it — lib/pq's quoting, escapes and percent-decoding — and, in a URL, also
/// as written (`p%40ss`), since a message could quote the string's parts; none for anything else.
pub fn passwords(text: &str) -> Vec<String> {
    let Some(password) = super::pg::conn_str::parse(text).ok().and_then(|p| p.get("password").map(str::to_string))
    else {
        return Vec::new();
    };
    let as_written = text
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?', '#']).next()?.rsplit_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, p)| p.to_string());
    as_written.into_iter().chain([password]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_of_a_url_or_a_dsn_is_found_raw_and_decoded() {
        let mut got = passwords("postgres://terraform:p%40ss@db:5432/tfstate?sslmode=disable");
        got.dedup();
        assert_eq!(got, ["p%40ss", "p@ss"]);
        let mut got = passwords("host=db user=t password='a b' dbname=x");
        got.dedup();
        assert_eq!(got, ["a b"]);
        let mut got = passwords("postgres://db/x?user=t&password=hunter2&sslmode=require");
        got.dedup();
        assert_eq!(got, ["hunter2"]);
        assert!(passwords("https://k8s:6443").is_empty());
    }

    #[test]
    fn an_unknown_backend_is_a_typo_or_one_this_action_does_not_read_yet() {
        let all = specs();
        assert_eq!(
            unknown_backend("kuberentes", &all),
            "\"kuberentes\" is not a Terraform backend; did you mean \"kubernetes\"?"
        );
        assert!(unknown_backend("consul", &all)
            .starts_with("this action does not read Terraform's \"consul\" backend (yet); it reads local"));
        assert!(unknown_backend("consul", &all).contains("terraform state pull"));
    }
}
