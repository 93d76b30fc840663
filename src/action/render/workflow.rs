//! What a run in Actions mode prints to the runner's standard output (masks, debug lines,
//! annotations, log lines) and the bytes it appends to `$GITHUB_OUTPUT`.

use super::{cut, level_name, MESSAGE_LIMIT};
use crate::action::inputs::Mode;
use crate::action::protocol::{command, defuse, escape_data, output_entry, safe_log_line};
use crate::action::report::{Annotation, Level, Report};
use crate::error::Error;
use crate::stages;

/// The runner masks every occurrence of a registered value in the rest of the job's log; a
/// value this short (`1`, `on`, `dev`) would garble every line that happens to contain it, so
/// shorter values are not registered. The action still never prints them itself.
pub const MIN_MASK_CHARS: usize = 4;

/// GitHub shows at most this many error annotations of a step; the rest would be lost.
pub const ERRORS_SHOWN: usize = 10;

/// The lines that mask `secret`: the whole value, and each line of a multi-line value (the
/// runner masks line by line, so a multi-line secret needs both). Values and lines shorter than
/// [`MIN_MASK_CHARS`] are left out.
pub fn mask_lines(secret: &str) -> Vec<String> {
    let long_enough = |s: &str| s.trim().chars().count() >= MIN_MASK_CHARS;
    let mut lines = Vec::new();
    if long_enough(secret) {
        lines.push(command("add-mask", &[], secret));
    }
    if secret.contains('\n') || secret.contains('\r') {
        for part in secret.split(['\n', '\r']).filter(|l| long_enough(l)) {
            lines.push(command("add-mask", &[], part));
        }
    }
    lines
}

/// An annotation as its workflow command (`::warning title=…::message`), without the line end;
/// the message is cut at 4096 characters and cannot start an old-style `##[` command.
pub fn annotation_line(a: &Annotation) -> String {
    let mut props = Vec::new();
    if let Some(t) = &a.title {
        props.push(("title", t.clone()));
    }
    if let Some(f) = &a.file {
        props.push(("file", f.clone()));
    }
    if let Some(l) = a.line {
        props.push(("line", l.to_string()));
    }
    command(level_name(a.level), &props, &defuse(&cut(&a.message, MESSAGE_LIMIT)))
}

/// The error as annotations: one, or one for each problem of a stages file, each at its own
/// line so that GitHub shows it there. The second value holds the problems past
/// [`ERRORS_SHOWN`], as plain lines for the log.
pub fn error_annotations(e: &Error) -> (Vec<Annotation>, Vec<String>) {
    let title = Some(e.title().to_string());
    if let Error::Stages(stages::Error::Invalid { file, problems }) = e {
        let mut all = problems.iter().map(|problem| Annotation {
            level: Level::Error,
            title: title.clone(),
            message: format!("{file}: {problem}"),
            file: Some(file.clone()),
            line: Some(problem.line),
        });
        let shown: Vec<Annotation> = all.by_ref().take(ERRORS_SHOWN).collect();
        let rest: Vec<String> = all.map(|a| a.message).collect();
        let more = if rest.is_empty() {
            Vec::new()
        } else {
            std::iter::once(format!("{} more problems in {file}:", rest.len())).chain(rest).collect()
        };
        return (shown, more);
    }
    let (file, line) = match e.location() {
        Some((file, line)) => (Some(file), line),
        None => (None, None),
    };
    (vec![Annotation { level: Level::Error, title, message: e.to_string(), file, line }], Vec::new())
}

/// A run's standard output in Actions mode, in the three parts the writer prints around the
/// files it writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkflowLines {
    /// Printed before anything else: the masks (nothing printed before them could contain a
    /// secret), then the debug lines when the runner is in debug mode.
    pub first: String,
    /// Printed after the files: the error's annotations first (the runner shows only the first
    /// ten of each kind), the problems past those as log lines, then the report's warnings.
    pub annotations: String,
    /// The report's log lines; printed last, and only when the files were written (a log must
    /// not say a run succeeded that then failed). Empty for a failed run.
    pub log: String,
}

/// What a run in Actions mode prints; `debug` when the runner is in debug mode (`RUNNER_DEBUG=1`).
pub fn workflow_lines(report: &Report, failure: Option<&Error>, debug: bool) -> WorkflowLines {
    let mut first = String::new();
    let mut masked = std::collections::BTreeSet::new();
    for secret in report.secrets.iter().filter(|s| masked.insert(s.as_str())) {
        for line in mask_lines(secret) {
            first.push_str(&line);
            first.push('\n');
        }
    }
    if debug {
        for d in &report.debug {
            first.push_str(&command("debug", &[], &defuse(d)));
            first.push('\n');
        }
    }
    let mut annotations = String::new();
    if let Some(e) = failure {
        let (shown, more) = error_annotations(e);
        for a in &shown {
            annotations.push_str(&annotation_line(a));
            annotations.push('\n');
        }
        for line in &more {
            annotations.push_str(&safe_log_line(&cut(line, MESSAGE_LIMIT)));
            annotations.push('\n');
        }
    }
    for a in &report.annotations {
        annotations.push_str(&annotation_line(a));
        annotations.push('\n');
    }
    let mut log = String::new();
    if failure.is_none() {
        for line in &report.log {
            log.push_str(&safe_log_line(&cut(line, MESSAGE_LIMIT)));
            log.push('\n');
        }
    }
    WorkflowLines { first, annotations, log }
}

/// The outputs a run writes: all of them when it succeeded; when it failed only those the
/// report keeps on failure, which are facts (a deployment that exists).
pub fn outputs_written(report: &Report, failed: bool) -> Vec<(&'static str, &str)> {
    report
        .outputs
        .iter()
        .filter(|(name, _)| !failed || report.kept_on_failure.contains(name))
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

/// The bytes appended to `$GITHUB_OUTPUT` for `outputs`, each entry with the delimiter
/// `delimiter` returns for it (`ghadelimiter_<random UUID>` in a run; pinned in tests). Refuses,
/// writing nothing, when a name or value contains its delimiter, as `@actions/core` does.
pub fn outputs_file(outputs: &[(&str, &str)], mut delimiter: impl FnMut() -> String) -> Result<String, String> {
    let mut text = String::new();
    for (name, value) in outputs {
        text.push_str(&output_entry(name, value, &delimiter())?);
    }
    Ok(text)
}

/// `outputs` as `::set-output` commands, for runners before 2.297 that have no output file
/// (what `@actions/core` falls back to).
pub fn set_output_lines(outputs: &[(&str, &str)]) -> String {
    let mut text = String::new();
    for (name, value) in outputs {
        text.push_str(&command("set-output", &[("name", name.to_string())], value));
        text.push('\n');
    }
    text
}

/// One line for a panic, in the mode's voice.
pub fn panic_line(mode: Mode, message: &str) -> String {
    let text =
        format!("stage-action crashed: {message}. This is a bug in stage-action; please report it with this log");
    match mode {
        Mode::Actions => format!("{}\n", command("error", &[("title", "internal error".into())], &text)),
        Mode::Terminal => format!("error: {}\n", escape_data(&text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multi_line_secret_is_masked_whole_and_line_by_line() {
        assert_eq!(mask_lines("once"), vec!["::add-mask::once"]);
        assert_eq!(
            mask_lines("-----BEGIN KEY-----\nabcd\n-----END KEY-----"),
            vec![
                "::add-mask::-----BEGIN KEY-----%0Aabcd%0A-----END KEY-----",
                "::add-mask::-----BEGIN KEY-----",
                "::add-mask::abcd",
                "::add-mask::-----END KEY-----",
            ]
        );
    }

    #[test]
    fn values_too_short_to_mask_without_garbling_the_log_are_not_registered() {
        assert_eq!(mask_lines("one"), Vec::<String>::new());
        assert_eq!(mask_lines("  ab  "), Vec::<String>::new());
        assert_eq!(
            mask_lines("key-1\nab\nkey-2"),
            vec!["::add-mask::key-1%0Aab%0Akey-2", "::add-mask::key-1", "::add-mask::key-2"]
        );
    }

    #[test]
    fn each_problem_of_a_stages_file_is_an_annotation_at_its_line_and_past_ten_a_log_line() {
        let problems = (1..=12)
            .map(|line| stages::Problem { file: "s.yml".into(), line, column: Some(1), message: format!("p{line}") })
            .collect();
        let e = stages::Error::invalid("s.yml", problems).into();
        let (shown, more) = error_annotations(&e);
        assert_eq!(shown.len(), 10);
        assert_eq!(
            (shown[3].file.as_deref(), shown[3].line, shown[3].message.as_str()),
            (Some("s.yml"), Some(4), "s.yml: line 4, column 1: p4")
        );
        assert_eq!(
            more,
            ["2 more problems in s.yml:", "s.yml: line 11, column 1: p11", "s.yml: line 12, column 1: p12"]
        );
    }

    #[test]
    fn a_panic_is_reported_as_one_error_in_either_voice() {
        assert_eq!(
            panic_line(Mode::Actions, "panicked at src/x.rs:1:2:\nboom"),
            "::error title=internal error::stage-action crashed: panicked at src/x.rs:1:2:%0Aboom. This is a bug in stage-action; please report it with this log\n"
        );
        assert!(panic_line(Mode::Terminal, "boom").starts_with("error: stage-action crashed: boom."));
    }

    #[test]
    fn a_failed_run_prints_no_log_lines_and_writes_only_the_outputs_kept_on_failure() {
        let mut report = Report::default();
        report.output("deployment-id", "7");
        report.output("image", "a:1");
        report.kept_on_failure.push("deployment-id");
        report.log.push("recorded".into());
        let e = Error::Internal("x".into());
        assert_eq!(workflow_lines(&report, Some(&e), false).log, "");
        assert_eq!(workflow_lines(&report, None, false).log, "recorded\n");
        assert_eq!(outputs_written(&report, true), [("deployment-id", "7")]);
        assert_eq!(outputs_written(&report, false).len(), 2);
    }

    #[test]
    fn debug_lines_are_printed_only_in_debug_mode_and_after_the_masks() {
        let mut report = Report::default();
        report.debug.push("read ##[x]".into());
        report.secret("s3cret");
        assert_eq!(workflow_lines(&report, None, false).first, "::add-mask::s3cret\n");
        assert_eq!(workflow_lines(&report, None, true).first, "::add-mask::s3cret\n::debug::read ##\\[x]\n");
    }

    #[test]
    fn the_output_file_is_byte_for_byte_what_actions_core_writes_and_refuses_its_delimiter() {
        let d = || "ghadelimiter_00000000-0000-4000-8000-000000000000".to_string();
        assert_eq!(
            outputs_file(&[("image", "ghcr.io/a:1"), ("value", "two\nlines"), ("tag", "")], d).unwrap(),
            "image<<ghadelimiter_00000000-0000-4000-8000-000000000000\nghcr.io/a:1\nghadelimiter_00000000-0000-4000-8000-000000000000\n\
             value<<ghadelimiter_00000000-0000-4000-8000-000000000000\ntwo\nlines\nghadelimiter_00000000-0000-4000-8000-000000000000\n\
             tag<<ghadelimiter_00000000-0000-4000-8000-000000000000\n\nghadelimiter_00000000-0000-4000-8000-000000000000\n"
        );
        let hostile = "x\nghadelimiter_00000000-0000-4000-8000-000000000000\ny";
        assert_eq!(
            outputs_file(&[("image", "a"), ("value", hostile)], d),
            Err("Unexpected input: value should not contain the delimiter \"ghadelimiter_00000000-0000-4000-8000-000000000000\"".into())
        );
        assert_eq!(
            set_output_lines(&[("image", "a:1"), ("v", "50%\n")]),
            "::set-output name=image::a:1\n::set-output name=v::50%25%0A\n"
        );
    }
}
