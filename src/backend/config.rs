//! A backend's configuration in Terraform's own keys (`host`, `secret_suffix`, `conn_str`, …),
//! gathered from wherever it was written — the `backend-config` input, a stage's
//! `backend-config:` map, `.terraform/terraform.tfstate`, a `backend` block, Terraform's
//! environment fallbacks — each value with where it came from. A backend reads its keys from a
//! [`BackendConfig`] into its own typed configuration; where a value came from names it in a
//! problem ("`backend-config` line 3, `host`: …") and says whether it is a secret to mask.

use serde_json::Value;

/// Where one value was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum From {
    /// Line `line` of the `backend-config` input (1-based).
    Input { line: usize },
    /// A stage's `backend-config:` map, at `line` of the stages file `file`.
    Stage { file: String, line: usize },
    /// `.terraform/terraform.tfstate` in a working directory, written by `terraform init`.
    InitState { path: String },
    /// The `backend` block of the Terraform file `file`, at `line`.
    Block { file: String, line: usize },
    /// A `-backend-config` file (`*.tfbackend`), at `line`.
    ConfigFile { path: String, line: usize },
    /// Terraform's environment fallback for the key.
    Env { name: String },
    /// A setting of this action that stands for the key (the local backend's `path` is
    /// `state`), as named in advice: "input `state`", "`state` of stage dev in … (line 4)".
    Setting { named: String },
}

impl std::fmt::Display for From {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            From::Input { line } => write!(f, "input `backend-config` line {line}"),
            From::Stage { file, line } => write!(f, "{file} line {line}"),
            From::InitState { path } => write!(f, "{path}"),
            From::Block { file, line } => write!(f, "the backend block in {file} line {line}"),
            From::ConfigFile { path, line } => write!(f, "{path} line {line}"),
            From::Env { name } => write!(f, "environment variable {name}"),
            From::Setting { named } => f.write_str(named),
        }
    }
}

/// One key's value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key, as Terraform's backend schema spells it.
    pub key: String,
    /// The value: a string, bool or number; a list or map for the keys that take one.
    pub value: Value,
    /// Where it was written.
    pub from: From,
}

/// A problem with one key of a backend's configuration: its key, where it was written, what is
/// wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProblem {
    /// The key.
    pub key: String,
    /// Where the value was written; `None` when the key is missing.
    pub from: Option<From>,
    /// What is wrong and what to do, without the key or the place.
    pub message: String,
}

impl std::fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.from {
            Some(from) => write!(f, "{from}, `{}`: {}", self.key, self.message),
            None => write!(f, "`{}`: {}", self.key, self.message),
        }
    }
}

/// A value read from a [`BackendConfig`], with where it was written; `None` when unset.
pub type Read<'a, T> = Result<Option<(T, &'a From)>, KeyProblem>;

/// A backend's type and its configuration. Entries added later override earlier ones with the
/// same key, as `-backend-config` flags override the backend block and each other.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackendConfig {
    /// The backend's type, as Terraform names it (`kubernetes`, `pg`, `http`, …).
    pub backend: String,
    /// Every value, in the order they were added.
    pub entries: Vec<Entry>,
}

impl BackendConfig {
    /// An empty configuration of the backend `backend`.
    pub fn new(backend: &str) -> BackendConfig {
        BackendConfig { backend: backend.to_string(), entries: Vec::new() }
    }

    /// Adds `key = value`, overriding an earlier value of the key. A JSON `null` (what
    /// `terraform init` records for an unset key) sets nothing.
    pub fn set(&mut self, key: &str, value: Value, from: From) {
        if value.is_null() {
            return;
        }
        self.entries.push(Entry { key: key.to_string(), value, from });
    }

    /// The value of `key` that counts: the last one added.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }

    /// `key` as a string (a number or bool is taken as Terraform takes it from
    /// `-backend-config`: literally); a list or map is a problem.
    pub fn string(&self, key: &str) -> Read<'_, String> {
        let Some(entry) = self.get(key) else { return Ok(None) };
        match &entry.value {
            Value::String(s) => Ok(Some((s.clone(), &entry.from))),
            Value::Bool(b) => Ok(Some((b.to_string(), &entry.from))),
            Value::Number(n) => Ok(Some((n.to_string(), &entry.from))),
            _ => Err(entry.problem("must be a string")),
        }
    }

    /// `key` as a boolean: `true`/`false`, or a string that says one (`-backend-config`
    /// passes `insecure=true` as text; Terraform accepts `1`/`0`/`t`/`f` as Go's ParseBool does).
    pub fn boolean(&self, key: &str) -> Read<'_, bool> {
        let Some(entry) = self.get(key) else { return Ok(None) };
        let value = match &entry.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.trim() {
                "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
                "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
                _ => None,
            },
            _ => None,
        };
        match value {
            Some(b) => Ok(Some((b, &entry.from))),
            None => Err(entry.problem("must be true or false")),
        }
    }

    /// `key` as a list of strings (a JSON/HCL list).
    pub fn strings(&self, key: &str) -> Read<'_, Vec<String>> {
        let Some(entry) = self.get(key) else { return Ok(None) };
        let items = entry.value.as_array().and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect());
        match items {
            Some(list) => Ok(Some((list, &entry.from))),
            None => Err(entry.problem("must be a list of strings, e.g. [\"a\", \"b\"]")),
        }
    }

    /// `key` as a map of strings (a JSON/HCL object), in key order.
    pub fn map(&self, key: &str) -> Read<'_, Vec<(String, String)>> {
        let Some(entry) = self.get(key) else { return Ok(None) };
        let pairs = entry.value.as_object().and_then(|o| {
            let mut pairs: Vec<(String, String)> =
                o.iter().map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect::<Option<_>>()?;
            pairs.sort();
            Some(pairs)
        });
        match pairs {
            Some(pairs) => Ok(Some((pairs, &entry.from))),
            None => Err(entry.problem("must be a map of strings, e.g. {team = \"payments\"}")),
        }
    }

    /// A problem with `key`, at the place its value came from (or missing, when it has none).
    pub fn problem(&self, key: &str, message: impl Into<String>) -> KeyProblem {
        KeyProblem { key: key.to_string(), from: self.get(key).map(|e| e.from.clone()), message: message.into() }
    }
}

impl Entry {
    fn problem(&self, message: &str) -> KeyProblem {
        KeyProblem { key: self.key.clone(), from: Some(self.from.clone()), message: message.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> BackendConfig {
        let mut c = BackendConfig::new("kubernetes");
        c.set("namespace", json!("tfstate"), From::Block { file: "main.tf".into(), line: 3 });
        c.set("insecure", json!("true"), From::Input { line: 2 });
        c.set(
            "labels",
            json!({"team": "payments", "app": "shop"}),
            From::ConfigFile { path: "k.tfbackend".into(), line: 1 },
        );
        c.set("config_paths", json!(["a", "b"]), From::Env { name: "KUBE_CONFIG_PATHS".into() });
        c.set("token", Value::Null, From::InitState { path: ".terraform/terraform.tfstate".into() });
        c
    }

    #[test]
    fn a_later_value_overrides_an_earlier_one_and_null_sets_nothing() {
        let mut c = config();
        c.set("namespace", json!("other"), From::Input { line: 1 });
        assert_eq!(c.string("namespace").unwrap().map(|(v, _)| v), Some("other".to_string()));
        assert_eq!(c.string("token").unwrap(), None);
    }

    #[test]
    fn values_read_as_the_type_the_key_takes() {
        let c = config();
        assert_eq!(c.boolean("insecure").unwrap().map(|(v, _)| v), Some(true));
        assert_eq!(
            c.map("labels").unwrap().map(|(v, _)| v),
            Some(vec![("app".into(), "shop".into()), ("team".into(), "payments".into())])
        );
        assert_eq!(c.strings("config_paths").unwrap().map(|(v, _)| v), Some(vec!["a".into(), "b".into()]));
    }

    #[test]
    fn a_value_of_the_wrong_type_is_a_problem_that_says_where_it_was_written() {
        let c = config();
        assert_eq!(c.string("labels").unwrap_err().to_string(), "k.tfbackend line 1, `labels`: must be a string");
        assert_eq!(
            c.boolean("namespace").unwrap_err().to_string(),
            "the backend block in main.tf line 3, `namespace`: must be true or false"
        );
        assert_eq!(c.problem("secret_suffix", "is required").to_string(), "`secret_suffix`: is required");
    }
}
