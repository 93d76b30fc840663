//! The stages file (`.github/stages.yml`): which stages exist, where each one's state is, and
//! which stage each is promoted from.
//!
//! ```yaml
//! stages:
//!   dev:
//!     state: infra/stages/dev
//!     address: kubernetes_deployment_v1.backend
//!   qa:
//!     from: dev
//!     state: infra/stages/qa
//!     address: kubernetes_deployment_v1.backend
//!     min-soak: 2h
//! ```
//!
//! The whole file is checked before anything else happens, and every problem is reported, each
//! at its 1-based line: a person fixing the file should see everything wrong with it in one
//! run, not one problem per push. The YAML is walked by hand ([`super::yaml`]) rather than
//! deserialized with serde: serde stops at the first error and speaks of types (`invalid type:
//! string "yes", expected a boolean`), where a person wants `stage "prod": "hold" must be true
//! or false, not yes`. Each setting is checked as [`super::SETTINGS`] defines it; the `from`
//! links between stages are checked once every stage is known ([`super::links`]).

use std::collections::HashMap;

use super::links::check_from;
use super::model::{Stage, StagesFile};
use super::problem::{list, Pos, Problem, Problems};
use super::settings::{self, SETTINGS};
use super::yaml::{self, Entry, Value};
use crate::text::quote;

/// The longest GitHub environment name.
const MAX_NAME: usize = 255;

/// Reads and checks a stages file. `file_name` goes into each [`Problem`]. On failure every
/// problem found is returned, ordered by position. The exception is a problem the YAML loader
/// itself stops at (a syntax error, a repeated key, an anchor, a tag): nothing after it is
/// read, so it is the only one.
pub fn parse(file_name: &str, text: &str) -> Result<StagesFile, Vec<Problem>> {
    let mut problems = Problems::new(file_name);
    let Some(root) = yaml::load(text, &mut problems) else {
        return Err(problems.into_vec());
    };
    let stages = match root.as_mapping() {
        Some(top) => read_top(top, &mut problems),
        // The loader requires a mapping at the top and says so as an error; this is a guard.
        None => {
            problems.push(1, None, yaml::TOP_NOT_MAPPING);
            Vec::new()
        }
    };
    check_from(&stages, &mut problems);
    if problems.is_empty() {
        Ok(StagesFile { stages: stages.into_iter().map(|d| d.stage).collect() })
    } else {
        Err(problems.into_sorted())
    }
}

/// A stage as read, before the whole file is known to be valid.
#[derive(Debug, Default)]
pub(super) struct Draft {
    /// The settings read so far; a required one that is missing stays empty, and is reported.
    pub stage: Stage,
    /// Where each valid setting's value is (its key, and the position), for problems found
    /// once every stage is known.
    pub values_at: Vec<(&'static str, Pos)>,
}

impl Draft {
    /// Where the value of setting `key` is, when it was written and valid.
    pub fn value_at(&self, key: &str) -> Option<Pos> {
        self.values_at.iter().find(|(k, _)| *k == key).map(|(_, at)| *at)
    }
}

fn read_top(top: &[Entry], problems: &mut Problems) -> Vec<Draft> {
    let mut stages = Vec::new();
    let mut found = false;
    // Whether a problem with a top-level key already says where the stages should be.
    let mut explained = false;
    for entry in top {
        let key = entry.key.as_str();
        if key == "stages" {
            found = true;
            stages = read_stages(entry, problems);
            continue;
        }
        // A mapping with a setting every stage has is a stage written one level too high.
        let looks_like_a_stage =
            entry.value.as_mapping().is_some_and(|m| SETTINGS.iter().any(|s| s.required() && yaml::has(m, s.key)));
        let message = if looks_like_a_stage {
            explained = true;
            format!("unknown top-level key {}; if it is a stage, indent it under \"stages:\"", quote(key))
        } else if crate::suggest::closest(key, ["stages"]).is_some() {
            explained = true;
            format!("unknown top-level key {}; did you mean \"stages\"?", quote(key))
        } else {
            format!("unknown top-level key {}; the only one is \"stages\"", quote(key))
        };
        problems.at(entry.at, message);
    }
    if !found && !explained {
        let message = if top.is_empty() {
            "the file is empty; list the stages under \"stages:\", each with at least state and address"
        } else {
            "the file has no \"stages\"; list the stages under \"stages:\", each with at least state and address"
        };
        problems.push(1, None, message);
    }
    stages
}

fn read_stages(entry: &Entry, problems: &mut Problems) -> Vec<Draft> {
    let at = entry.value_at;
    let stages = match &entry.value {
        Value::Mapping(m) if !m.is_empty() => m,
        Value::Mapping(_) => {
            problems.at(at, "\"stages\" is empty; define at least one stage, with state and address");
            return Vec::new();
        }
        v if v.is_null() => {
            problems.at(at, "\"stages\" is empty; define at least one stage, with state and address");
            return Vec::new();
        }
        Value::List(_) => {
            problems.at(at, "\"stages\" must be a mapping from each stage's name to its settings (dev: followed by its settings, indented), not a list");
            return Vec::new();
        }
        other @ Value::Scalar(_) => {
            problems.at(
                at,
                format!("\"stages\" must be a mapping from each stage's name to its settings, not {}", other.kind()),
            );
            return Vec::new();
        }
    };
    let mut drafts: Vec<Draft> = Vec::with_capacity(stages.len());
    // Each name as GitHub compares them (case ignored), with the first spelling and its line.
    let mut folded = HashMap::new();
    for stage in stages {
        check_name(stage, &mut folded, problems);
        drafts.push(read_stage(stage, problems));
    }
    drafts
}

/// A stage's name must be usable as a GitHub environment's name.
fn check_name(stage: &Entry, folded: &mut HashMap<String, (String, usize)>, problems: &mut Problems) {
    let (name, at) = (stage.key.as_str(), stage.at);
    if name.is_empty() {
        problems.at(at, "a stage's name is empty; name it as its GitHub environment is named, e.g. qa");
        return;
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        problems.at(
            at,
            format!(
                "stage name {} contains {bad:?}; a stage is named as its GitHub environment, with letters, digits, \"-\", \"_\" and \".\" only",
                quote(name)
            ),
        );
    } else if name.chars().count() > MAX_NAME {
        problems.at(
            at,
            format!(
                "stage name {} is longer than {MAX_NAME} characters, the longest a GitHub environment name may be",
                quote(name)
            ),
        );
    }
    // GitHub environment names ignore case: `QA` and `qa` would be one environment.
    let other = folded.entry(name.to_ascii_lowercase()).or_insert_with(|| (name.to_string(), at.line));
    if other.0 != name {
        problems.at(
            at,
            format!(
                "stage names {} (line {}) and {} differ only in case, but GitHub environment names ignore case; rename one",
                quote(&other.0),
                other.1,
                quote(name)
            ),
        );
    }
}

/// Reads one stage's settings, each as its entry in [`SETTINGS`] says.
fn read_stage(entry: &Entry, problems: &mut Problems) -> Draft {
    let name_at = entry.at;
    let mut draft = Draft {
        stage: Stage { name: entry.key.clone(), line: name_at.line, ..Stage::default() },
        values_at: Vec::new(),
    };
    // The name as messages quote it: short and escaped, whatever the file holds.
    let name = &quote(&entry.key);
    let settings = match &entry.value {
        Value::Mapping(m) if !m.is_empty() => m,
        v if v.is_null() || v.as_mapping().is_some() => {
            problems.at(name_at, format!("stage {name} has no settings; it needs at least state and address"));
            return draft;
        }
        other => {
            problems.at(
                entry.value_at,
                format!(
                    "stage {name} must be a mapping of its settings (state, address, …, indented below its name), not {}",
                    other.kind()
                ),
            );
            return draft;
        }
    };
    for entry in settings {
        let Some(setting) = settings::setting(&entry.key) else {
            let key = quote(&entry.key);
            let message = match settings::closest(&entry.key) {
                Some(known) => format!("stage {name}: unknown setting {key}; did you mean \"{known}\"?"),
                None => {
                    let all: Vec<&str> = settings::keys().collect();
                    format!("stage {name}: unknown setting {key}; the settings are {}", list(&all))
                }
            };
            problems.at(entry.at, message);
            continue;
        };
        (setting.line)(&mut draft.stage.lines, entry.at.line);
        if setting.read(name, entry, &mut draft.stage, problems) {
            draft.values_at.push((setting.key, entry.value_at));
        }
    }
    // A required setting that is present but wrong was reported above; only a missing one is
    // reported here, at the stage's name.
    for setting in SETTINGS.iter().filter(|s| !yaml::has(settings, s.key)) {
        // A stage whose `backend` says where its state is needs no working directory.
        if setting.key == "state" && yaml::has(settings, "backend") {
            continue;
        }
        if let Some(message) = setting.missing(name) {
            problems.at(name_at, message);
        }
    }
    draft
}
