//! One module per command: validated inputs → core calls → a [`Report`]. Commands never
//! print; [`main`] hands the report to `action` once, at the end.

pub mod guard;
pub mod lookup;
pub mod promote;
pub mod read;
pub mod record;
pub mod stage_file;
pub mod status;

use crate::action::{self, Inputs, Mode, Report, Request};
use crate::error::{Error, InputProblem, Result};
use crate::host;

/// A command's name, what it does, and the inputs it reads.
#[derive(Debug)]
pub struct Spec {
    /// The value of the `command` input.
    pub name: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    /// The inputs it reads (besides `command`).
    pub inputs: &'static [&'static str],
}

/// Every command.
pub const COMMANDS: &[Spec] = &[lookup::SPEC, guard::SPEC, promote::SPEC, status::SPEC, record::SPEC];

/// Every input name of every command, and `command`.
pub fn input_names() -> Vec<&'static str> {
    let mut names = vec!["command"];
    for spec in COMMANDS {
        for name in spec.inputs {
            if !names.contains(name) {
                names.push(name);
            }
        }
    }
    names
}

/// Runs the command the inputs name.
pub async fn dispatch(inputs: &Inputs, report: &mut Report) -> Result<()> {
    match inputs.command.as_str() {
        "lookup" => lookup::run(inputs, report),
        "guard" => guard::run(inputs, report).await,
        "promote" => promote::run(inputs, report),
        "status" => status::run(inputs, report),
        "record" => record::run(inputs, report).await,
        "" => Err(Error::Inputs(vec![InputProblem::new(
            "command",
            format!("is required; set it to one of: {}", names().join(", ")),
        )])),
        other => Err(Error::UnknownCommand { given: other.to_string(), known: names() }),
    }
}

/// The directory relative paths start from, for every command: `GITHUB_WORKSPACE`, else the
/// current directory (a terminal run).
pub fn workspace_dir() -> String {
    host::env("GITHUB_WORKSPACE").filter(|w| !w.is_empty()).or_else(|| host::cwd().ok()).unwrap_or_default()
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

/// Usage text for a terminal.
pub fn usage() -> String {
    let mut out = String::from(
        "stage-action: what a Terraform stage runs, and what may be promoted.\n\nUsage: node dist/index.js COMMAND --input value ...\n\nCommands:\n",
    );
    for c in COMMANDS {
        out.push_str(&format!(
            "  {:8} {}\n           inputs: {}\n",
            c.name,
            c.about,
            c.inputs.iter().map(|i| format!("--{i}")).collect::<Vec<_>>().join(" ")
        ));
    }
    out.push_str("\nOutputs are printed as name=value lines on standard output; the summary goes to standard error.\nInside GitHub Actions (GITHUB_ACTIONS=true) inputs come from the step's `with:` instead.\n");
    out
}

/// The whole run: read inputs the way the mode dictates, run, emit. Returns the exit code.
pub async fn main() -> i32 {
    let mode = action::inputs::mode();
    let request = match mode {
        Mode::Actions => Ok(Request::Run(Inputs::from_env(&input_names()))),
        Mode::Terminal => {
            // Flags are checked against the named command's own inputs, so a typo is told the
            // inputs that command takes.
            let args = host::args();
            let spec = args.first().and_then(|c| COMMANDS.iter().find(|s| s.name == c));
            let names: Vec<&str> = match spec {
                Some(s) => std::iter::once("command").chain(s.inputs.iter().copied()).collect(),
                None => input_names(),
            };
            Inputs::from_args(&args, &names)
        }
    };
    let mut report = Report::default();
    match request {
        Ok(Request::Help) => {
            let _ = host::write_stdout(&usage());
            0
        }
        Ok(Request::Run(inputs)) => {
            let result = dispatch(&inputs, &mut report).await;
            action::emit(mode, &report, result.err().as_ref())
        }
        Err(e) => action::emit(mode, &report, Some(&e)),
    }
}
