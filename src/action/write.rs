//! The writers: the only code that prints or writes the runner's files. A run's result is
//! written once, at the end, as the renderers in [`super::render`] made it. A failed run writes
//! no outputs (but those a report keeps on failure) and does write its summary; a run whose
//! files cannot be written fails, with one error, before its log claims success.

use super::inputs::Mode;
use super::protocol::command;
use super::render::{self, outputs_file, set_output_lines, step_summary, terminal, workflow_lines};
use super::report::Report;
use crate::error::Error;
use crate::host;

/// Writes `report` (and `failure`, if the run failed) the way `mode` speaks; returns the exit code.
pub fn emit(mode: Mode, report: &Report, failure: Option<&Error>) -> i32 {
    let result = match mode {
        Mode::Actions => emit_actions(report, failure),
        Mode::Terminal => emit_terminal(report, failure),
    };
    match (result, failure) {
        (Ok(()), None) => 0,
        (Ok(()), Some(_)) => 1,
        (Err(e), _) => {
            // Writing failed part-way: one error, in the mode's voice, on whatever still works.
            let line = match mode {
                Mode::Actions => format!("{}\n", command("error", &[("title", "cannot write results".into())], &e)),
                Mode::Terminal => format!("error: {e}\n"),
            };
            if host::write_stdout(&line).is_err() {
                let _ = host::write_stderr(&line);
            }
            1
        }
    }
}

/// Reports a panic as one line in the runner's voice (`::error` in Actions, `error:` on a
/// terminal), from the panic hook; the entry then exits 1.
pub fn emit_panic(message: &str) {
    let mode = super::inputs::mode();
    let line = render::panic_line(mode, message);
    let _ = match mode {
        Mode::Actions => host::write_stdout(&line),
        Mode::Terminal => host::write_stderr(&line),
    };
}

/// Prints `text` (usage, the version) to standard output as it is; returns the exit code.
pub fn emit_text(text: &str) -> i32 {
    match host::write_stdout(text) {
        Ok(()) => 0,
        Err(e) => {
            let _ = host::write_stderr(&format!("error: cannot write to standard output: {e}\n"));
            1
        }
    }
}

/// A fresh `$GITHUB_OUTPUT` delimiter, as `@actions/core` makes one: unguessable, so that no
/// value can end its entry early.
fn random_delimiter() -> String {
    format!("ghadelimiter_{}", host::random_uuid())
}

fn emit_actions(report: &Report, failure: Option<&Error>) -> Result<(), String> {
    let lines = workflow_lines(report, failure, host::env("RUNNER_DEBUG").as_deref() == Some("1"));
    host::write_stdout(&lines.first).map_err(|e| format!("cannot write to standard output: {e}"))?;
    // The files before the log: if either cannot be written the run fails, and its log must not
    // have said it succeeded. The summary goes first, so a failure leaves no outputs behind.
    let outputs = render::outputs_written(report, failure.is_some());
    let written = write_summary(host::env("GITHUB_STEP_SUMMARY").as_deref(), &step_summary(report, failure))
        .and_then(|()| write_outputs(host::env("GITHUB_OUTPUT").as_deref(), &outputs, random_delimiter));
    let mut out = lines.annotations;
    if written.is_ok() {
        out.push_str(&lines.log);
    }
    host::write_stdout(&out).map_err(|e| format!("cannot write to standard output: {e}"))?;
    written
}

/// Appends `outputs` to the output file at `path`, each entry under the delimiter `delimiter`
/// makes (random in a run, pinned in tests); all or nothing: a refused value writes nothing.
/// Without a file (runners before 2.297) they are `::set-output` commands, as `@actions/core`
/// falls back to.
pub fn write_outputs(
    path: Option<&str>,
    outputs: &[(&str, &str)],
    delimiter: impl FnMut() -> String,
) -> Result<(), String> {
    if outputs.is_empty() {
        return Ok(());
    }
    match path.filter(|p| !p.is_empty()) {
        Some(path) => {
            let text = outputs_file(outputs, delimiter)?;
            host::append_file(path, text.as_bytes()).map_err(|e| format!("cannot write GITHUB_OUTPUT {path}: {e}"))
        }
        None => host::write_stdout(&set_output_lines(outputs)).map_err(|e| e.to_string()),
    }
}

/// Appends the summary to the summary file at `path`, when the runner gives one.
fn write_summary(path: Option<&str>, markdown: &str) -> Result<(), String> {
    let Some(path) = path.filter(|p| !p.is_empty()) else { return Ok(()) };
    host::append_file(path, markdown.as_bytes()).map_err(|e| format!("cannot write GITHUB_STEP_SUMMARY {path}: {e}"))
}

fn emit_terminal(report: &Report, failure: Option<&Error>) -> Result<(), String> {
    let text = terminal(report, failure);
    if !text.stdout.is_empty() {
        host::write_stdout(&text.stdout).map_err(|e| e.to_string())?;
    }
    host::write_stderr(&text.stderr).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_writer_appends_entries_under_the_delimiter_it_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("github_output");
        std::fs::write(&path, "earlier<<d0\nx\nd0\n").unwrap();
        let path = path.to_str().unwrap();
        let mut n = 0;
        let pinned = || {
            n += 1;
            format!("ghadelimiter_{n}")
        };
        write_outputs(Some(path), &[("image", "a:1"), ("tag", "1")], pinned).unwrap();
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            "earlier<<d0\nx\nd0\nimage<<ghadelimiter_1\na:1\nghadelimiter_1\ntag<<ghadelimiter_2\n1\nghadelimiter_2\n"
        );
        let refused = write_outputs(Some(path), &[("ok", "1"), ("v", "ghadelimiter_x")], || "ghadelimiter_x".into());
        assert!(refused.unwrap_err().contains("value should not contain the delimiter"));
        assert!(
            std::fs::read_to_string(path).unwrap().ends_with("tag<<ghadelimiter_2\n1\nghadelimiter_2\n"),
            "a refused value wrote something"
        );
    }
}
