//! Raw inputs: from `INPUT_*` inside Actions, from `--name value` arguments in a terminal.
//! Validation into a command's config happens in the command, in one step.

use std::collections::BTreeMap;

use crate::error::{Error, InputProblem, Result};
use crate::host;

/// Where the inputs came from, which also decides how the run speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Inside GitHub Actions (`GITHUB_ACTIONS=true`): the runner protocol.
    Actions,
    /// A terminal: plain text.
    Terminal,
}

/// The raw inputs of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// How the run speaks.
    pub mode: Mode,
    /// The command to run.
    pub command: String,
    /// A terminal's `--json`: the outputs as one JSON object on standard output.
    pub json: bool,
    values: BTreeMap<String, String>,
}

/// The environment variable `@actions/core` reads for input `name`.
pub fn env_name(name: &str) -> String {
    format!("INPUT_{}", name.replace(' ', "_").to_uppercase())
}

/// Whether this process runs inside GitHub Actions.
pub fn mode() -> Mode {
    if host::env("GITHUB_ACTIONS").as_deref() == Some("true") {
        Mode::Actions
    } else {
        Mode::Terminal
    }
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Run a command with these inputs.
    Run(Inputs),
    /// Print the version (`--version`).
    Version,
    /// Print usage (`--help`, or no arguments in a terminal).
    Help,
}

impl Inputs {
    /// Inputs given directly, for tests and embedding; as from the environment, trimmed, and an
    /// empty value kept (`tag-prefix: ''` means "no prefix").
    pub fn new(mode: Mode, command: &str, values: &[(&str, &str)]) -> Inputs {
        let values = values.iter().map(|(k, v)| (k.to_string(), v.trim().to_string())).collect();
        Inputs { mode, command: command.to_string(), json: false, values }
    }

    /// Reads every input in `names` from `INPUT_*`, as `core.getInput` does: trimmed, and an
    /// empty value is the same as none.
    pub fn from_env(names: &[&str]) -> Inputs {
        let mut values = BTreeMap::new();
        for name in names {
            if let Some(v) = host::env(&env_name(name)) {
                values.insert(name.to_string(), v.trim().to_string());
            }
        }
        let command = values.remove("command").unwrap_or_default();
        Inputs { mode: Mode::Actions, command, json: false, values }
    }

    /// Parses `COMMAND --name value --name=value …`; `names` are the inputs that exist.
    pub fn from_args(args: &[String], names: &[&str]) -> Result<Request> {
        let mut command = None;
        let mut json = false;
        let mut values = BTreeMap::new();
        let mut problems = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            if arg == "--help" || arg == "-h" || arg == "help" {
                return Ok(Request::Help);
            }
            if arg == "--version" {
                return Ok(Request::Version);
            }
            if arg == "--json" {
                json = true;
                continue;
            }
            let Some(flag) = arg.strip_prefix("--") else {
                if command.is_none() {
                    command = Some(arg.clone());
                } else {
                    problems.push(InputProblem::new(arg, "unexpected argument; inputs are given as --name value"));
                }
                continue;
            };
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (flag.to_string(), None),
            };
            if !names.contains(&name.as_str()) || name == "command" {
                let known: Vec<&str> = names.iter().copied().filter(|n| *n != "command").collect();
                let problem = match crate::suggest::closest(&name, known.iter().copied()) {
                    Some(close) => format!("unknown input; did you mean --{close}?"),
                    None => {
                        let flags: Vec<String> = known.iter().map(|n| format!("--{n}")).collect();
                        format!("unknown input; the inputs are: {}", flags.join(", "))
                    }
                };
                problems.push(InputProblem::new(&name, problem));
                // Skip its value too, so it is not taken for a stray argument.
                if value.is_none() && args.get(i).is_some_and(|a| !a.starts_with("--")) {
                    i += 1;
                }
                continue;
            }
            let value = match value {
                Some(v) => v,
                None if i < args.len() => {
                    i += 1;
                    args[i - 1].clone()
                }
                None => {
                    problems.push(InputProblem::new(&name, "needs a value: --NAME VALUE"));
                    continue;
                }
            };
            values.insert(name, value.trim().to_string());
        }
        if !problems.is_empty() {
            return Err(Error::Inputs(problems));
        }
        match command {
            None => Ok(Request::Help),
            Some(command) => Ok(Request::Run(Inputs { mode: Mode::Terminal, command, json, values })),
        }
    }

    /// The trimmed value of `name`, or `None` when it is absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The trimmed value of `name` even when empty: `Some("")` means "given, and empty" (an
    /// input whose default is not empty, set to `''` on purpose); `None` means not given.
    pub fn get_exact(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A boolean input: only `true`, `True`, `TRUE`, `false`, `False`, `FALSE` (YAML 1.2's core
    /// schema, as `core.getBooleanInput` accepts); `default` when absent.
    pub fn boolean(&self, name: &str, default: bool) -> std::result::Result<bool, InputProblem> {
        match self.get(name) {
            None => Ok(default),
            Some("true" | "True" | "TRUE") => Ok(true),
            Some("false" | "False" | "FALSE") => Ok(false),
            Some(other) => Err(InputProblem::new(name, format!("\"{other}\" is not a boolean; use true or false"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn env_names_follow_actions_core() {
        assert_eq!(env_name("image-tag"), "INPUT_IMAGE-TAG");
        assert_eq!(env_name("my input"), "INPUT_MY_INPUT");
    }

    #[test]
    fn args_take_both_flag_forms_and_trim() {
        let names = ["command", "state", "address"];
        let r = Inputs::from_args(&strings(&["lookup", "--state", " s.tfstate ", "--address=output.x"]), &names);
        let Ok(Request::Run(inputs)) = r else { panic!("{r:?}") };
        assert_eq!(inputs.command, "lookup");
        assert_eq!(inputs.get("state"), Some("s.tfstate"));
        assert_eq!(inputs.get("address"), Some("output.x"));
    }

    #[test]
    fn unknown_flags_and_missing_values_are_input_errors() {
        let names = ["command", "state", "address"];
        let e =
            Inputs::from_args(&strings(&["lookup", "--stat", "x", "--colour", "y", "--state"]), &names).unwrap_err();
        assert_eq!(
            e.to_string(),
            "input `stat`: unknown input; did you mean --state?\ninput `colour`: unknown input; the inputs are: --state, --address\ninput `state`: needs a value: --NAME VALUE"
        );
    }

    #[test]
    fn booleans_accept_only_the_yaml_core_spellings() {
        for (v, want) in
            [("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false)]
        {
            assert_eq!(Inputs::new(Mode::Actions, "x", &[("b", v)]).boolean("b", !want), Ok(want));
        }
        for bad in ["yes", "1", "tRUE", "on"] {
            let e = Inputs::new(Mode::Actions, "x", &[("b", bad)]).boolean("b", false).unwrap_err();
            assert_eq!(e.problem, format!("\"{bad}\" is not a boolean; use true or false"));
        }
        assert_eq!(Inputs::new(Mode::Actions, "x", &[("b", "  ")]).boolean("b", true), Ok(true));
    }
}
