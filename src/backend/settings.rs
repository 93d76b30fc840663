//! Where a stage's state lives, as the user wrote it — the step's inputs, or a stage of the
//! stages file — before any backend reads it. Commands build [`Settings`] with one call and hand
//! them to [`super::configure`]; which settings exist and what they mean is the backends'
//! business, so a new setting changes this file and the backend that reads it, not the commands.
//!
//! `backend` names the backend; `backend-config` gives its settings in Terraform's keys, as
//! `terraform init -backend-config` takes them: as input, one `key=value` a line (or a line that
//! names a `*.tfbackend` file), and in a stage, a `backend-config:` map. Each is kept with where
//! it was written ([`From`]), for problems and for masking.

use serde_json::Value;

use super::config::From;
use crate::action::Inputs;
use crate::stages::{SettingLines, Stage};

/// The settings of where a state lives, as written; each backend reads what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `state`: a state file, or the stage's Terraform working directory, as written.
    pub state: Option<String>,
    /// `workspace`: the Terraform workspace, when the user chose one.
    pub workspace: Option<String>,
    /// `backend`: the backend's type as Terraform names it, when the user chose one (else it is
    /// discovered from the working directory at `state`, else `local`).
    pub backend: Option<String>,
    /// `backend-config`: what was written, in order (a later value of a key overrides).
    pub config: Vec<Given>,
    /// Who wrote them, to name a setting in advice and to place a problem with it.
    pub origin: Origin,
}

/// Who wrote the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The step's inputs, named as the settings are.
    Inputs,
    /// A stage of a stages file.
    Stage {
        /// The stages file, as named to a person.
        file: String,
        /// The stage's name.
        stage: String,
        /// The line of the stage's name: where a setting it lacks is reported.
        line: usize,
        /// The line of each setting.
        lines: SettingLines,
    },
}

/// One entry of `backend-config`, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    /// What was written.
    pub written: Written,
    /// Where.
    pub from: From,
}

/// What one entry of `backend-config` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// `key=value` of the input: the value as text, taken literally, unless it opens with `[` or
    /// `{`: then it is an HCL list or map, as `-backend-config='labels={team="payments"}'`.
    Text {
        /// The key.
        key: String,
        /// The text after the first `=`.
        text: String,
    },
    /// `key: value` of a stage's map: a YAML scalar (as a string), list or map.
    Value {
        /// The key.
        key: String,
        /// The value.
        value: Value,
    },
    /// A line without `=`: the path of a `*.tfbackend` file of HCL attributes, as
    /// `-backend-config=FILE`.
    File(String),
}

/// One setting's problem, found before anything is read: the setting's key (also its input's
/// name) and what is wrong, in words that do not name the setting (the caller does); `line` is
/// where in the stages file it was written, when more precise than the setting's own line (an
/// entry of a stage's `backend-config:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The setting: `state`, `workspace`, ….
    pub setting: &'static str,
    /// What is wrong and what to do.
    pub message: String,
    /// The line of the stages file the problem is at, when it is not the setting's line.
    pub line: Option<usize>,
}

impl Problem {
    /// A problem with `setting`.
    pub fn new(setting: &'static str, message: impl Into<String>) -> Problem {
        Problem { setting, message: message.into(), line: None }
    }

    /// The problem, at `line` of the stages file.
    pub fn at(self, line: Option<usize>) -> Problem {
        Problem { line, ..self }
    }
}

/// The entries of the `backend-config` input: one a line, blank lines and `#` comments skipped.
pub fn config_lines(text: &str) -> Vec<Given> {
    text.lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let written = match line.split_once('=') {
                Some((key, text)) => Written::Text { key: key.trim().to_string(), text: text.trim().to_string() },
                None => Written::File(line.to_string()),
            };
            Some(Given { written, from: From::Input { line: n + 1 } })
        })
        .collect()
}

impl Settings {
    /// The inputs these settings are read from; every command that reads a state lists them.
    pub const INPUTS: [&'static str; 4] = ["state", "workspace", "backend", "backend-config"];

    /// The settings in the step's inputs.
    pub fn from_inputs(inputs: &Inputs) -> Settings {
        Settings {
            state: inputs.get("state").map(str::to_string),
            workspace: inputs.get("workspace").map(str::to_string),
            backend: inputs.get("backend").map(str::to_string),
            config: inputs.get("backend-config").map(config_lines).unwrap_or_default(),
            origin: Origin::Inputs,
        }
    }

    /// The settings of `stage` in the stages file `file`.
    pub fn from_stage(file: &str, stage: &Stage) -> Settings {
        let config = stage
            .backend_config
            .iter()
            .map(|(key, value, line)| Given {
                written: Written::Value { key: key.clone(), value: value.clone() },
                from: From::Stage { file: file.to_string(), line: *line },
            })
            .collect();
        Settings {
            state: (!stage.state.is_empty()).then(|| stage.state.clone()),
            workspace: stage.workspace.clone(),
            backend: stage.backend.clone(),
            config,
            origin: Origin::Stage {
                file: file.to_string(),
                stage: stage.name.clone(),
                line: stage.line,
                lines: stage.lines,
            },
        }
    }

    /// The line of the stages file where `setting` is written (the stage's own line when it is
    /// not); `None` for inputs.
    pub fn line(&self, setting: &str) -> Option<usize> {
        let Origin::Stage { line, lines, .. } = &self.origin else { return None };
        Some(match setting {
            // A stage with `backend` may have no `state` line.
            "state" if lines.state == 0 => *line,
            "state" => lines.state,
            "workspace" => lines.workspace.unwrap_or(*line),
            "backend" => lines.backend.unwrap_or(*line),
            "backend-config" => lines.backend_config.unwrap_or(*line),
            _ => *line,
        })
    }

    /// `setting` as named in advice: "input `state`", or "`state` of stage dev in
    /// .github/stages.yml (line 4)".
    pub fn named(&self, setting: &str) -> String {
        match &self.origin {
            Origin::Inputs => format!("input `{setting}`"),
            Origin::Stage { file, stage, .. } => {
                let line = self.line(setting).unwrap_or_default();
                format!("`{setting}` of stage {stage} in {file} (line {line})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Mode;

    fn stage() -> Stage {
        Stage {
            name: "prod".into(),
            state: "stages/platform".into(),
            workspace: Some("prod".into()),
            line: 7,
            lines: SettingLines { state: 8, workspace: Some(9), ..SettingLines::default() },
            ..Stage::default()
        }
    }

    #[test]
    fn inputs_give_the_state_and_workspace_inputs_named_as_inputs() {
        let inputs = Inputs::new(Mode::Actions, "lookup", &[("state", " infra "), ("workspace", ""), ("address", "x")]);
        let settings = Settings::from_inputs(&inputs);
        assert_eq!((settings.state.as_deref(), settings.workspace.as_deref()), (Some("infra"), None));
        assert_eq!((settings.named("state"), settings.line("state")), ("input `state`".to_string(), None));
    }

    #[test]
    fn a_stage_gives_its_settings_named_by_stage_file_and_line() {
        let settings = Settings::from_stage(".github/stages.yml", &stage());
        assert_eq!((settings.state.as_deref(), settings.workspace.as_deref()), (Some("stages/platform"), Some("prod")));
        assert_eq!(settings.named("state"), "`state` of stage prod in .github/stages.yml (line 8)");
        assert_eq!((settings.line("workspace"), settings.line("address")), (Some(9), Some(7)));
        let unset =
            Settings::from_stage("s.yml", &Stage { workspace: None, lines: SettingLines::default(), ..stage() });
        assert_eq!(unset.line("workspace"), Some(7));
    }

    #[test]
    fn backend_config_lines_are_key_value_or_a_file_skipping_blanks_and_comments() {
        let given = config_lines("# the cluster\nhost = https://k8s:6443\n\nlabels={team=\"a=b\"}\ndev.tfbackend\n");
        let want = vec![
            Given {
                written: Written::Text { key: "host".into(), text: "https://k8s:6443".into() },
                from: From::Input { line: 2 },
            },
            Given {
                written: Written::Text { key: "labels".into(), text: "{team=\"a=b\"}".into() },
                from: From::Input { line: 4 },
            },
            Given { written: Written::File("dev.tfbackend".into()), from: From::Input { line: 5 } },
        ];
        assert_eq!(given, want);
    }

    #[test]
    fn a_stage_gives_its_backend_and_each_backend_config_entry_at_its_line() {
        let stage = Stage {
            backend: Some("pg".into()),
            backend_config: vec![("schema_name".into(), serde_json::json!("dev"), 12)],
            lines: SettingLines { backend: Some(10), backend_config: Some(11), ..SettingLines::default() },
            ..stage()
        };
        let settings = Settings::from_stage("s.yml", &stage);
        assert_eq!(settings.backend.as_deref(), Some("pg"));
        assert_eq!(
            settings.config,
            vec![Given {
                written: Written::Value { key: "schema_name".into(), value: serde_json::json!("dev") },
                from: From::Stage { file: "s.yml".into(), line: 12 },
            }]
        );
        assert_eq!((settings.line("backend"), settings.line("backend-config")), (Some(10), Some(11)));
    }
}
