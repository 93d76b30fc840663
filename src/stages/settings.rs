//! Every setting a stage may have, each defined once: its key, what it accepts and how that is
//! checked, whether it is required, where its value and line go, and the line the README's
//! table shows for it. Reading a stage, "did you mean" for an unknown key, every message about a
//! setting, and a test that keeps the README's table equal to this one all come from
//! [`SETTINGS`].
//!
//! A new setting is one entry here, plus its field in [`Stage`] and in [`SettingLines`] (the
//! typed model commands read) and its row in the README (the test says when it is missing).

use std::time::Duration;

use super::duration::parse_duration;
use super::model::{SettingLines, Stage};
use super::problem::Problems;
use super::yaml::{Entry, Value};
use crate::state::Address;
use crate::text::quote;

/// One setting of a stage.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The key, as written in the file.
    pub key: &'static str,
    /// What it means, as the README's table of settings says it.
    pub doc: &'static str,
    /// Whether a stage must have it, and what to write when it is missing or empty.
    pub need: Need,
    /// What it accepts, and where a valid value goes.
    pub accepts: Accepts,
    /// Records the line it was written on.
    pub line: fn(&mut SettingLines, usize),
}

/// Whether a stage must have a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Every stage has it; `example` says what to write ("the path of …, e.g. state: …").
    Required { example: &'static str },
    /// It may be left out; `if_empty` says what to do when it is written with no value.
    Optional { if_empty: &'static str },
}

/// What a setting accepts, and the field of [`Stage`] a valid value is stored in.
#[derive(Debug, Clone, Copy)]
pub enum Accepts {
    /// A name or a path. Any non-empty scalar is taken as written (`workspace: 2024` is the
    /// workspace "2024"): YAML's idea of a number is no concern of a name's.
    Text(fn(&mut Stage, String)),
    /// A Terraform address, as Terraform prints it (checked with [`Address::parse`]).
    Address(fn(&mut Stage, String)),
    /// `true` or `false`, unquoted (and `True`, `TRUE`, `False`, `FALSE`: YAML 1.2's core
    /// schema, and the spellings GitHub accepts for boolean inputs).
    Flag(fn(&mut Stage, bool)),
    /// A duration such as `2h` or `1h30m`; `noun` names it in messages ("soak time").
    Duration { noun: &'static str, store: fn(&mut Stage, Duration) },
    /// A mapping of keys to values (scalars as text, lists, mappings), each with its line: a
    /// backend's settings in Terraform's keys, checked by the backend.
    Config(fn(&mut Stage, Vec<(String, serde_json::Value, usize)>)),
}

impl Accepts {
    /// What a value must be, for "must be X, not Y".
    fn must_be(&self) -> &'static str {
        match self {
            Accepts::Text(_) | Accepts::Address(_) => "a string",
            Accepts::Flag(_) => "true or false",
            Accepts::Duration { .. } => "a duration such as 2h",
            Accepts::Config(_) => "a mapping of the backend's settings",
        }
    }
}

const STATE_EXAMPLE: &str =
    "the path of its .tfstate file or Terraform working directory, e.g. state: infra/stages/dev";
const ADDRESS_EXAMPLE: &str =
    "the Terraform address of what runs its image, e.g. address: kubernetes_deployment_v1.backend";

/// Every setting, in the order messages list them.
pub const SETTINGS: &[Setting] = &[
    Setting {
        key: "state",
        doc: "Required. Where the stage's Terraform state is, as lookup's `state`: a `.tfstate` file or a Terraform working directory, relative to `GITHUB_WORKSPACE`. A stage with `backend` may leave it out.",
        need: Need::Required { example: STATE_EXAMPLE },
        accepts: Accepts::Text(|s, v| s.state = v),
        line: |l, n| l.state = n,
    },
    Setting {
        key: "workspace",
        doc: "The Terraform workspace when `state` is a directory, as lookup's `workspace`.",
        need: Need::Optional { if_empty: "give one, or remove the line" },
        accepts: Accepts::Text(|s, v| s.workspace = Some(v)),
        line: |l, n| l.workspace = Some(n),
    },
    Setting {
        key: "backend",
        doc: "The Terraform backend that keeps the stage's state (`kubernetes`, `pg`, `http`, `s3`, `gcs`, `azurerm`, `remote`, `cloud`, `local`), as lookup's `backend`; by default the one the working directory at `state` uses.",
        need: Need::Optional { if_empty: "name a backend such as kubernetes, or remove the line" },
        accepts: Accepts::Text(|s, v| s.backend = Some(v)),
        line: |l, n| l.backend = Some(n),
    },
    Setting {
        key: "backend-config",
        doc: "The backend's settings in Terraform's keys, as a mapping (`secret_suffix: app`); they override what the working directory says, as lookup's `backend-config`.",
        need: Need::Optional { if_empty: "give the backend's settings as a mapping, or remove the line" },
        accepts: Accepts::Config(|s, v| s.backend_config = v),
        line: |l, n| l.backend_config = Some(n),
    },
    Setting {
        key: "address",
        doc: "Required. The Terraform address of what runs the stage's image, as lookup's `address`: a workload, or a value such as `output.image`.",
        need: Need::Required { example: ADDRESS_EXAMPLE },
        accepts: Accepts::Address(|s, v| s.address = v),
        line: |l, n| l.address = n,
    },
    Setting {
        key: "container",
        doc: "The container whose image the stage runs, when the workload has several.",
        need: Need::Optional { if_empty: "give one, or remove the line" },
        accepts: Accepts::Text(|s, v| s.container = Some(v)),
        line: |l, n| l.container = Some(n),
    },
    Setting {
        key: "from",
        doc: "The stage this one is promoted from (it takes what that stage runs); a stage without it is deployed directly.",
        need: Need::Optional { if_empty: "name the stage it is promoted from, or remove the line" },
        accepts: Accepts::Text(|s, v| s.from = Some(v)),
        line: |l, n| l.from = Some(n),
    },
    Setting {
        key: "allow-latest",
        doc: "`true` to accept an image with no tag, or tagged `latest`. Default `false`.",
        need: Need::Optional { if_empty: "write allow-latest: true or allow-latest: false" },
        accepts: Accepts::Flag(|s, v| s.allow_latest = v),
        line: |l, n| l.allow_latest = Some(n),
    },
    Setting {
        key: "min-soak",
        doc: "How long the source stage must have run the image it runs now before it is promoted here: `30m`, `2h`, `1d`, `1h30m`. Measured from the source's deployments that `record` records (so `promote` needs `token`), else from the backend's own change time; never from a state file's modification time, which a checkout resets.",
        need: Need::Optional { if_empty: "give a duration such as 2h, or remove the line" },
        accepts: Accepts::Duration { noun: "soak time", store: |s, v| s.min_soak = Some(v) },
        line: |l, n| l.min_soak = Some(n),
    },
    Setting {
        key: "hold",
        doc: "`true` stops every promotion into this stage. Default `false`.",
        need: Need::Optional { if_empty: "write hold: true or hold: false" },
        accepts: Accepts::Flag(|s, v| s.hold = v),
        line: |l, n| l.hold = Some(n),
    },
];

/// The setting called `key`.
pub fn setting(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

/// Every setting's key, in [`SETTINGS`]' order.
pub fn keys() -> impl Iterator<Item = &'static str> + Clone {
    SETTINGS.iter().map(|s| s.key)
}

impl Setting {
    /// Whether every stage must have it.
    pub fn required(&self) -> bool {
        matches!(self.need, Need::Required { .. })
    }

    /// The problem of a stage (`stage`, quoted as messages show it) that lacks this setting.
    pub(super) fn missing(&self, stage: &str) -> Option<String> {
        match self.need {
            Need::Required { example } => Some(format!("stage {stage} has no \"{}\"; add {example}", self.key)),
            Need::Optional { .. } => None,
        }
    }

    /// Checks `entry`, this setting's `key: value` in stage `stage` (quoted as messages show
    /// it), and stores a valid value in `into`; a value that is not valid is a problem at the
    /// value. Returns whether the value was valid.
    pub(super) fn read(&self, stage: &str, entry: &Entry, into: &mut Stage, problems: &mut Problems) -> bool {
        let key = self.key;
        let at = entry.value_at;
        if let (Accepts::Config(store), Value::Mapping(entries)) = (self.accepts, &entry.value) {
            let mut ok = true;
            let mut config = Vec::new();
            for e in entries {
                match json(&e.value) {
                    Some(value) => config.push((e.key.clone(), value, e.at.line)),
                    None => {
                        ok = false;
                        problems.at(
                            e.at,
                            format!(
                                "stage {stage}: \"{key}\" entry {} has no value; give one, or remove the line",
                                quote(&e.key)
                            ),
                        );
                    }
                }
            }
            store(into, config);
            return ok;
        }
        let scalar = match &entry.value {
            Value::Scalar(s) if !s.null => s,
            Value::Scalar(_) => {
                let remedy = match self.need {
                    Need::Required { example } => format!("give {example}"),
                    Need::Optional { if_empty } => if_empty.to_string(),
                };
                problems.at(at, format!("stage {stage}: \"{key}\" has no value; {remedy}"));
                return false;
            }
            other => {
                let must_be = self.accepts.must_be();
                problems.at(at, format!("stage {stage}: \"{key}\" must be {must_be}, not {}", other.kind()));
                return false;
            }
        };
        let text = &scalar.text;
        let checked = match self.accepts {
            // A scalar is not a mapping.
            Accepts::Config(_) => Err(format!("stage {stage}: \"{key}\" must be {}, not {}", self.accepts.must_be(), entry.value.kind())),
            Accepts::Text(store) => {
                store(into, text.clone());
                Ok(())
            }
            Accepts::Address(store) => Address::parse(text).map(|_| store(into, text.clone())).map_err(|e| {
                format!(
                    "stage {stage}: {} is not a Terraform address: {} at column {}; write it as Terraform prints it, e.g. output.image, module.app.kubernetes_deployment_v1.web[\"blue\"] or kubernetes_deployment_v1.web.spec[0].replicas",
                    quote(text),
                    e.problem,
                    e.column
                )
            }),
            Accepts::Flag(store) => scalar.boolean.map(|b| store(into, b)).ok_or_else(|| not_a_flag(stage, key, text)),
            Accepts::Duration { noun, store } => parse_duration(text).map(|d| store(into, d)).map_err(|e| {
                format!("stage {stage}: \"{key}: {}\" is not a valid {noun}: {e}", crate::text::excerpt(text))
            }),
        };
        match checked {
            Ok(()) => true,
            Err(problem) => {
                problems.at(at, problem);
                false
            }
        }
    }
}

/// A value of `backend-config:` as JSON: scalars as their text (a backend reads `true` or `8080`
/// from text, as from `-backend-config`), lists and mappings as such; `None` for an empty value,
/// anywhere in it.
fn json(value: &Value) -> Option<serde_json::Value> {
    Some(match value {
        Value::Scalar(s) if s.null => return None,
        Value::Scalar(s) => serde_json::Value::String(s.text.clone()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(json).collect::<Option<_>>()?),
        Value::Mapping(entries) => serde_json::Value::Object(
            entries.iter().map(|e| Some((e.key.clone(), json(&e.value)?))).collect::<Option<_>>()?,
        ),
    })
}

/// Why `word` is not `true` or `false`, as helpfully as the word allows.
fn not_a_flag(stage: &str, key: &str, word: &str) -> String {
    if matches!(word, "true" | "True" | "TRUE" | "false" | "False" | "FALSE") {
        // The loader refuses it as a boolean only because it was quoted.
        format!("stage {stage}: \"{key}\" must be true or false without quotes; \"{word}\" in quotes is a string")
    } else if matches!(word.to_ascii_lowercase().as_str(), "yes" | "no" | "on" | "off" | "y" | "n") {
        format!(
            "stage {stage}: \"{key}\" must be true or false, not {word} (in YAML 1.2, yes, no, on and off are words, not booleans)"
        )
    } else {
        format!("stage {stage}: \"{key}\" must be true or false, not {}", quote(word))
    }
}

/// The setting closest to an unknown key, for "did you mean".
pub(super) fn closest(key: &str) -> Option<&'static str> {
    crate::suggest::closest(key, keys())
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = include_str!("../../README.md");

    /// The rows of the README's table of stage settings: (key, what it means).
    fn readme_rows() -> Vec<(String, String)> {
        let section = README.split("\n## Stages: ").nth(1).expect("README has a \"## Stages: …\" section");
        let section = section.split("\n## ").next().unwrap_or_default();
        let table = section.split("\n| setting |").nth(1).expect("the Stages section has a table of settings");
        table
            .lines()
            .skip(2) // the rest of the header line, and the |---| line
            .take_while(|l| l.starts_with('|'))
            .map(|row| {
                let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
                assert_eq!(cells.len(), 2, "a row of the settings table has two cells: {row}");
                (cells[0].trim_matches('`').to_string(), cells[1].to_string())
            })
            .collect()
    }

    #[test]
    fn the_readme_documents_exactly_these_settings_in_this_order_with_these_words() {
        let want: Vec<(String, String)> = SETTINGS.iter().map(|s| (s.key.to_string(), s.doc.to_string())).collect();
        assert_eq!(readme_rows(), want);
    }

    #[test]
    fn exactly_state_and_address_are_required_and_each_says_what_to_write() {
        let required: Vec<&str> = SETTINGS.iter().filter(|s| s.required()).map(|s| s.key).collect();
        assert_eq!(required, ["state", "address"]);
        for s in SETTINGS {
            assert!(s.doc.starts_with("Required.") == s.required(), "{}: the doc says whether it is required", s.key);
            if let Need::Required { example } = s.need {
                assert!(example.contains(&format!("e.g. {}: ", s.key)), "{}: its example writes it", s.key);
            }
        }
    }

    #[test]
    fn each_setting_stores_its_value_and_line_in_its_own_field() {
        let mut stage = Stage::default();
        let mut lines = SettingLines::default();
        for (n, s) in SETTINGS.iter().enumerate() {
            (s.line)(&mut lines, n + 1);
            match s.accepts {
                Accepts::Text(store) | Accepts::Address(store) => store(&mut stage, s.key.to_string()),
                Accepts::Flag(store) => store(&mut stage, true),
                Accepts::Duration { store, .. } => store(&mut stage, Duration::from_secs(n as u64)),
                Accepts::Config(store) => store(&mut stage, vec![(s.key.to_string(), serde_json::json!("v"), n + 1)]),
            }
        }
        let want = Stage {
            state: "state".into(),
            workspace: Some("workspace".into()),
            backend: Some("backend".into()),
            backend_config: vec![("backend-config".into(), serde_json::json!("v"), 4)],
            address: "address".into(),
            container: Some("container".into()),
            from: Some("from".into()),
            allow_latest: true,
            min_soak: Some(Duration::from_secs(8)),
            hold: true,
            ..Stage::default()
        };
        assert_eq!(stage, want);
        let want = SettingLines {
            state: 1,
            workspace: Some(2),
            backend: Some(3),
            backend_config: Some(4),
            address: 5,
            container: Some(6),
            from: Some(7),
            allow_latest: Some(8),
            min_soak: Some(9),
            hold: Some(10),
        };
        assert_eq!(lines, want);
    }

    #[test]
    fn keys_are_unique_and_a_misspelt_one_finds_its_setting() {
        let mut all: Vec<&str> = keys().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), SETTINGS.len());
        assert_eq!(closest("min_soak"), Some("min-soak"));
        assert_eq!(setting("hold").map(|s| s.key), Some("hold"));
        assert!(setting("image").is_none());
    }
}
