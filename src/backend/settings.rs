//! Where a stage's state lives, as the user wrote it — the step's inputs, or a stage of the
//! stages file — before any backend reads it. Commands build [`Settings`] with one call and hand
//! them to [`super::configure`]; which settings exist and what they mean is the backends'
//! business, so a new setting (issue 9's `backend`, `backend-config`) changes this file and the
//! backend that reads it, not the commands.

use crate::action::Inputs;
use crate::stages::{SettingLines, Stage};

/// The settings of where a state lives, as written; each backend reads what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `state`: a state file, or the stage's Terraform working directory, as written.
    pub state: Option<String>,
    /// `workspace`: the Terraform workspace, when the user chose one.
    pub workspace: Option<String>,
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

/// One setting's problem, found before anything is read: the setting's key (also its input's
/// name) and what is wrong, in words that do not name where it was written (the caller does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The setting: `state`, `workspace`, ….
    pub setting: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

impl Problem {
    /// A problem with `setting`.
    pub fn new(setting: &'static str, message: impl Into<String>) -> Problem {
        Problem { setting, message: message.into() }
    }
}

impl Settings {
    /// The inputs these settings are read from; every command that reads a state lists them.
    pub const INPUTS: [&'static str; 2] = ["state", "workspace"];

    /// The settings in the step's inputs.
    pub fn from_inputs(inputs: &Inputs) -> Settings {
        Settings {
            state: inputs.get("state").map(str::to_string),
            workspace: inputs.get("workspace").map(str::to_string),
            origin: Origin::Inputs,
        }
    }

    /// The settings of `stage` in the stages file `file`.
    pub fn from_stage(file: &str, stage: &Stage) -> Settings {
        Settings {
            state: Some(stage.state.clone()),
            workspace: stage.workspace.clone(),
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
            "state" => lines.state,
            "workspace" => lines.workspace.unwrap_or(*line),
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
}
