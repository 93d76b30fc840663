//! One module per command: validated inputs → core calls → a [`Report`]. Commands never
//! print; [`main`] hands the report to `action` once, at the end.

pub mod deployments;
pub mod guard;
pub mod lookup;
pub mod preflight;
pub mod promote;
pub mod read;
pub mod record;
pub mod registry;
pub mod stage_file;
pub mod status;
#[cfg(test)]
mod tests;
pub mod validate;
// Beside `tests.rs` rather than in it: promote's and status's configurations.
#[cfg(test)]
#[path = "tests/stage_commands.rs"]
mod stage_commands_tests;

pub use crate::context::Context;

use crate::action::{self, Inputs, Mode, Report, Request};
use crate::error::{Error, InputProblem, Result};
use crate::host;

/// A command's run, started: what [`dispatch`] awaits.
pub type Running<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + 'a>>;

/// A command, defined once: its name, what it does, the inputs it reads and the outputs it sets
/// (each defined in [`registry`]), and how to run it. Dispatch, `--help`, the terminal's flags and
/// the warning for inputs a command does not read all come from [`COMMANDS`].
pub struct Spec {
    /// The value of the `command` input.
    pub name: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    /// The inputs it reads (besides `command`).
    pub inputs: &'static [&'static str],
    /// The outputs it sets.
    pub outputs: &'static [&'static str],
    /// Runs it.
    pub run: for<'a> fn(&'a Inputs, &'a Context, &'a mut Report) -> Running<'a>,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec").field("name", &self.name).field("inputs", &self.inputs).finish_non_exhaustive()
    }
}

/// Every command.
pub const COMMANDS: &[Spec] =
    &[lookup::SPEC, guard::SPEC, promote::SPEC, status::SPEC, record::SPEC, preflight::SPEC, validate::SPEC];

/// The command called `name`.
pub fn spec(name: &str) -> Option<&'static Spec> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// Every input name, `command` first.
pub fn input_names() -> Vec<&'static str> {
    registry::INPUTS.iter().map(|i| i.name).collect()
}

/// Runs the command the inputs name. In Actions mode, an input the step set that the command
/// does not read gets a warning: it was probably meant for another command.
pub async fn dispatch(inputs: &Inputs, context: &Context, report: &mut Report) -> Result<()> {
    let spec = match inputs.command.as_str() {
        "" => {
            return Err(Error::Inputs(vec![InputProblem::new(
                "command",
                format!("is required; set it to one of: {}", names().join(", ")),
            )]))
        }
        name => spec(name).ok_or_else(|| Error::UnknownCommand {
            given: name.to_string(),
            known: names(),
            suggestion: crate::suggest::closest(name, names()),
        })?,
    };
    for name in unread_inputs(spec, inputs) {
        report.warning(
            "input not used",
            format!("input `{name}` is set, but `{}` does not read it; remove it from the step's `with:`", spec.name),
        );
    }
    (spec.run)(inputs, context, report).await
}

/// The inputs set to something other than their default that `spec` does not read. An input
/// whose default is an expression (`${{ github.token }}`) is always set, so it never counts.
pub fn unread_inputs(spec: &Spec, inputs: &Inputs) -> Vec<&'static str> {
    registry::INPUTS
        .iter()
        .filter(|i| i.name != "command" && !spec.inputs.contains(&i.name) && !i.default_is_expression())
        .filter(|i| inputs.get_exact(i.name).is_some_and(|v| !v.is_empty() && Some(v) != i.default))
        .map(|i| i.name)
        .collect()
}

/// How long one request or one child process may take unless input `timeout` says otherwise.
pub const DEFAULT_TIMEOUT_MS: u64 = 60_000;
/// The longest `timeout` accepted: one hour, well within a job's own limit.
const MAX_TIMEOUT_MS: u64 = 3_600_000;

/// Input `timeout` in milliseconds: how long each request to a server and each git command may
/// take before it is abandoned (a server that never answers, or trickles bytes, must not hold a
/// release pipeline until the job's six-hour limit).
pub fn timeout_ms(inputs: &Inputs) -> std::result::Result<u64, InputProblem> {
    let Some(text) = inputs.get("timeout") else { return Ok(DEFAULT_TIMEOUT_MS) };
    let bad = |why: String| {
        InputProblem::new(
            "timeout",
            format!("{} is not a time-out: {why}; write it as 30s, 2m or 1m30s", crate::text::quote(text)),
        )
    };
    if text.starts_with('-') {
        return Err(bad("it is negative".into()));
    }
    let ms = crate::stages::parse_duration(text).map_err(bad)?.as_millis();
    if ms > u128::from(MAX_TIMEOUT_MS) {
        return Err(bad("it is longer than 1h, the longest accepted".into()));
    }
    Ok(ms as u64)
}

fn names() -> Vec<&'static str> {
    COMMANDS.iter().map(|c| c.name).collect()
}

/// Usage of one command for a terminal: what it does, and each input with the values it
/// accepts (when they are a closed set) and its default.
pub fn command_usage(spec: &Spec) -> String {
    let mut out = format!(
        "stage-action {}: {}\n\nUsage: node dist/index.js {} --input value ...\n\nInputs:\n",
        spec.name, spec.about, spec.name
    );
    for name in spec.inputs {
        let Some(def) = registry::input(name) else { continue };
        out.push_str(&format!("  --{name}\n      {}\n", def.description));
        if !def.allowed.is_empty() {
            out.push_str(&format!("      values: {}\n", def.allowed.join(", ")));
        }
        if let Some(d) = def.default.filter(|d| !d.contains("${{")) {
            out.push_str(&format!("      default: {d}\n"));
        }
    }
    out.push_str("\nOutputs:\n");
    for name in spec.outputs {
        out.push_str(&format!("  {name}\n"));
    }
    out
}

/// Usage text for a terminal.
pub fn usage() -> String {
    let mut out = String::from(
        "stage-action: what a Terraform stage runs, and what may be promoted.\n\nUsage: node dist/index.js COMMAND --input value ...\n\nCommands:\n",
    );
    for c in COMMANDS {
        out.push_str(&format!(
            "  {:9} {}\n            inputs: {}\n",
            c.name,
            c.about,
            c.inputs.iter().map(|i| format!("--{i}")).collect::<Vec<_>>().join(" ")
        ));
    }
    out.push_str("\nOutputs are printed as name=value lines on standard output (with --json, as one JSON object); the summary goes to standard error.\nInside GitHub Actions (GITHUB_ACTIONS=true) inputs come from the step's `with:` instead.\n`node dist/index.js COMMAND --help` describes one command; --version prints the version.\n");
    out
}

/// The whole run: read inputs the way the mode dictates, run, emit. Returns the exit code.
pub async fn main() -> i32 {
    let mode = action::inputs::mode();
    // The command named first in a terminal: it picks the flags checked and the help shown.
    let args = if mode == Mode::Terminal { host::args() } else { Vec::new() };
    let named = args.first().and_then(|c| spec(c));
    let request = match mode {
        Mode::Actions => Ok(Request::Run(Inputs::from_env(&input_names()))),
        Mode::Terminal => {
            // Flags are checked against the named command's own inputs, so a typo is told the
            // inputs that command takes.
            let names: Vec<&str> = match named {
                Some(s) => std::iter::once("command").chain(s.inputs.iter().copied()).collect(),
                None => input_names(),
            };
            Inputs::from_args(&args, &names)
        }
    };
    let mut report = Report::default();
    match request {
        Ok(Request::Help) => {
            // `lookup --help` describes lookup; `--help` alone, every command.
            let text = match named {
                Some(spec) => command_usage(spec),
                None => usage(),
            };
            action::emit_text(&text)
        }
        Ok(Request::Run(inputs)) => {
            report.command = inputs.command.clone();
            report.json = inputs.json;
            let result = dispatch(&inputs, &Context::from_env(), &mut report).await;
            action::emit(mode, &report, result.err().as_ref())
        }
        Ok(Request::Version) => action::emit_text(&format!("stage-action {}\n", env!("CARGO_PKG_VERSION"))),
        Err(e) => action::emit(mode, &report, Some(&e)),
    }
}
