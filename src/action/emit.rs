//! Writing a run's result, once, at the end: the only place that prints or writes the
//! runner's files. A failed run writes no outputs (but those a report keeps on failure) and no
//! summary; a run whose files cannot be written fails, with one error, before its log claims
//! success.

use super::inputs::Mode;
use super::protocol::{command, defuse, escape_data, escape_markdown, output_entry, safe_log_line};
use super::report::{Annotation, Level, Report, Summary};
use crate::error::Error;
use crate::host;

/// GitHub refuses step summaries over 1 MiB.
const SUMMARY_LIMIT: usize = 1024 * 1024;

/// The runner masks every occurrence of a registered value in the rest of the job's log; a
/// value this short (`1`, `on`, `dev`) would garble every line that happens to contain it, so
/// shorter values are not registered. The action still never prints them itself.
pub const MIN_MASK_CHARS: usize = 4;

/// An annotation's message is cut here: GitHub shows only the start of a long one anyway, and a
/// message is never the place for a whole value.
const MESSAGE_LIMIT: usize = 4096;

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

fn annotation_line(a: &Annotation) -> String {
    let name = match a.level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Notice => "notice",
    };
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
    command(name, &props, &defuse(&cut(&a.message, MESSAGE_LIMIT)))
}

/// At most `max` characters of `text`, saying when it was cut.
fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((end, _)) => format!("{}… (cut at {max} characters)", &text[..end]).into(),
    }
}

/// GitHub shows at most this many error annotations of a step; the rest would be lost.
pub const ERRORS_SHOWN: usize = 10;

/// The error as annotations: one, or one for each problem of a stages file, each at its own
/// line so that GitHub shows it there. The second value holds the problems past
/// [`ERRORS_SHOWN`], as plain lines for the log.
pub fn error_annotations(e: &Error) -> (Vec<Annotation>, Vec<String>) {
    let title = Some(e.title().to_string());
    if let Error::StagesFile { file, problems } = e {
        let mut all = problems.iter().map(|(line, problem)| Annotation {
            level: Level::Error,
            title: title.clone(),
            message: format!("{file}: {problem}"),
            file: Some(file.clone()),
            line: Some(*line),
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

fn emit_actions(report: &Report, failure: Option<&Error>) -> Result<(), String> {
    let mut out = String::new();
    // Masks first: nothing printed before them could contain a secret.
    let mut masked = std::collections::BTreeSet::new();
    for secret in report.secrets.iter().filter(|s| masked.insert(s.as_str())) {
        for line in mask_lines(secret) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    if host::env("RUNNER_DEBUG").as_deref() == Some("1") {
        for d in &report.debug {
            out.push_str(&command("debug", &[], &defuse(d)));
            out.push('\n');
        }
    }
    host::write_stdout(&out).map_err(|e| format!("cannot write to standard output: {e}"))?;
    // The files before the log: if either cannot be written the run fails, and its log must not
    // have said it succeeded. The summary goes first, so a failure leaves no outputs behind.
    let written = match failure {
        None => write_summary(&render_markdown(&report.summary)).and_then(|()| write_outputs(report, |_| true)),
        // A failed step says in its summary too what stopped it and what to do; the outputs a
        // report keeps on failure are facts (a deployment that exists).
        Some(e) => write_summary(&render_failure(&report.command, e))
            .and_then(|()| write_outputs(report, |name| report.kept_on_failure.contains(&name))),
    };
    let mut out = String::new();
    // The error first: the runner shows only the first ten annotations of each kind.
    if let Some(e) = failure {
        let (annotations, more) = error_annotations(e);
        for a in &annotations {
            out.push_str(&annotation_line(a));
            out.push('\n');
        }
        for line in &more {
            out.push_str(&safe_log_line(&cut(line, MESSAGE_LIMIT)));
            out.push('\n');
        }
    }
    for a in &report.annotations {
        out.push_str(&annotation_line(a));
        out.push('\n');
    }
    if failure.is_none() && written.is_ok() {
        for line in &report.log {
            out.push_str(&safe_log_line(&cut(line, MESSAGE_LIMIT)));
            out.push('\n');
        }
    }
    host::write_stdout(&out).map_err(|e| format!("cannot write to standard output: {e}"))?;
    written
}

/// Writes the outputs `keep` selects.
fn write_outputs(report: &Report, keep: impl Fn(&'static str) -> bool) -> Result<(), String> {
    let outputs: Vec<&(&'static str, String)> = report.outputs.iter().filter(|(n, _)| keep(n)).collect();
    if outputs.is_empty() {
        return Ok(());
    }
    match host::env("GITHUB_OUTPUT").filter(|p| !p.is_empty()) {
        Some(path) => {
            // Build everything first so a refused value writes nothing at all.
            let mut text = String::new();
            for (name, value) in &outputs {
                let delimiter = format!("ghadelimiter_{}", host::random_uuid());
                text.push_str(&output_entry(name, value, &delimiter)?);
            }
            host::append_file(&path, text.as_bytes()).map_err(|e| format!("cannot write GITHUB_OUTPUT {path}: {e}"))
        }
        None => {
            // Runners before 2.297 have no output file; @actions/core falls back to set-output.
            let mut text = String::new();
            for (name, value) in &outputs {
                text.push_str(&command("set-output", &[("name", name.to_string())], value));
                text.push('\n');
            }
            host::write_stdout(&text).map_err(|e| e.to_string())
        }
    }
}

fn write_summary(markdown: &str) -> Result<(), String> {
    let Some(path) = host::env("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else { return Ok(()) };
    let mut text = markdown.to_string();
    if text.len() > SUMMARY_LIMIT {
        let mut cut = SUMMARY_LIMIT - 200;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n\n*(summary truncated at GitHub's 1 MiB limit)*\n");
    }
    host::append_file(&path, text.as_bytes()).map_err(|e| format!("cannot write GITHUB_STEP_SUMMARY {path}: {e}"))
}

/// The summary as Markdown; every piece of text is escaped (see [`escape_markdown`]), so data
/// renders as the text it is: no links, images, emphasis or HTML.
pub fn render_markdown(s: &Summary) -> String {
    let mut out = format!("### {}\n\n", escape_markdown(&s.title));
    if !s.rows.is_empty() {
        out.push_str("| | |\n|---|---|\n");
        for (label, value) in &s.rows {
            let shown =
                if value.is_empty() { "—".to_string() } else { format!("<code>{}</code>", escape_markdown(value)) };
            out.push_str(&format!("| {} | {} |\n", escape_markdown(label), shown));
        }
        out.push('\n');
    }
    if let Some(t) = &s.table {
        let cells = |row: &[String]| row.iter().map(|c| escape_markdown(c)).collect::<Vec<_>>().join(" | ");
        out.push_str(&format!("| {} |\n|{}\n", cells(&t.header), "---|".repeat(t.header.len())));
        for row in &t.rows {
            out.push_str(&format!("| {} |\n", cells(row)));
        }
        out.push('\n');
    }
    for note in &s.notes {
        out.push_str(&escape_markdown(note));
        out.push_str("\n\n");
    }
    out
}

/// The summary of a failed run: the command, what stopped it (the annotation's title), and the
/// message, which says where and what to do; each problem of a stages file is an item.
pub fn render_failure(command: &str, e: &Error) -> String {
    let command = if command.is_empty() { String::new() } else { format!(" {}", escape_markdown(command)) };
    let mut out = format!("### stage-action{command}: {}\n\n", escape_markdown(e.title()));
    match e {
        Error::StagesFile { file, problems } => {
            out.push_str(&format!("{} is not a valid stages file:\n\n", escape_markdown(file)));
            for (_, problem) in problems {
                out.push_str(&format!("- {}\n", escape_markdown(problem)));
            }
            out.push('\n');
        }
        e => {
            out.push_str(&escape_markdown(&cut(&e.to_string(), MESSAGE_LIMIT)));
            out.push_str("\n\n");
        }
    }
    out
}

/// The summary as plain text for a terminal.
pub fn render_text(s: &Summary) -> String {
    let width = s.rows.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
    let mut out = format!("{}\n", s.title);
    for (label, value) in &s.rows {
        let shown = if value.is_empty() { "-" } else { value };
        out.push_str(&format!("  {label:width$}  {shown}\n"));
    }
    if let Some(t) = &s.table {
        let widths: Vec<usize> = (0..t.header.len())
            .map(|i| {
                t.rows.iter().chain([&t.header]).map(|r| r.get(i).map_or(0, |c| c.chars().count())).max().unwrap_or(0)
            })
            .collect();
        for row in [&t.header].into_iter().chain(&t.rows) {
            let line: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:w$}")).collect();
            out.push_str(&format!("  {}\n", line.join("  ").trim_end()));
        }
    }
    for note in &s.notes {
        out.push_str(&format!("{note}\n"));
    }
    out
}

fn emit_terminal(report: &Report, failure: Option<&Error>) -> Result<(), String> {
    let mut err = String::new();
    if let Some(e) = failure {
        err.push_str(&format!("error: {e}\n"));
    }
    for a in &report.annotations {
        let level = match a.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        };
        err.push_str(&format!("{level}: {}\n", a.message));
    }
    if failure.is_none() && report.json {
        // For scripts: every output, sensitive ones hidden as in the text form.
        let outputs: serde_json::Map<String, serde_json::Value> = report
            .outputs
            .iter()
            .map(|(name, value)| {
                let value = if report.sensitive_outputs.contains(name) { "***" } else { value.as_str() };
                (name.to_string(), serde_json::Value::String(value.to_string()))
            })
            .collect();
        host::write_stdout(&format!("{}\n", serde_json::Value::Object(outputs))).map_err(|e| e.to_string())?;
    } else if failure.is_none() {
        let mut out = String::new();
        for (name, value) in &report.outputs {
            let value = if report.sensitive_outputs.contains(name) { "***" } else { value.as_str() };
            if value.contains('\n') {
                out.push_str(&format!("{name}<<EOF\n{value}\nEOF\n"));
            } else {
                out.push_str(&format!("{name}={value}\n"));
            }
        }
        host::write_stdout(&out).map_err(|e| e.to_string())?;
        err.push('\n');
        err.push_str(&render_text(&report.summary));
    }
    host::write_stderr(&err).map_err(|e| e.to_string())
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
    use crate::action::Table;

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
        let problems: Vec<(usize, String)> = (1..=12).map(|l| (l, format!("line {l}, column 1: p{l}"))).collect();
        let e = Error::StagesFile { file: "s.yml".into(), problems };
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
    fn a_failure_has_a_summary_that_says_what_stopped_it() {
        let e = Error::Promotion { to: "qa".into(), message: "qa is on hold".into() };
        assert_eq!(
            render_failure("promote", &e),
            "### stage-action promote: promotion refused\n\ncannot promote into qa: qa is on hold\n\n"
        );
        let e = Error::StagesFile {
            file: "s.yml".into(),
            problems: vec![(2, "line 2, column 3: a".into()), (4, "line 4, column 1: *b*".into())],
        };
        assert_eq!(
            render_failure("status", &e),
            "### stage-action status: invalid stages file\n\ns.yml is not a valid stages file:\n\n- line 2, column 3: a\n- line 4, column 1: \\*b\\*\n\n"
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
    fn summaries_escape_data_and_render_for_a_terminal() {
        let s = Summary {
            title: "t".into(),
            rows: vec![("Image".into(), "<b>x|y</b>".into()), ("Digest".into(), String::new())],
            table: Some(Table {
                header: vec!["stage".into(), "image".into()],
                rows: vec![vec!["dev".into(), "a|b:1".into()], vec!["production".into(), "c".into()]],
            }),
            notes: vec!["a & b".into()],
        };
        assert_eq!(
            render_markdown(&s),
            "### t\n\n| | |\n|---|---|\n| Image | <code>\\<b\\>x\\|y\\</b\\></code> |\n| Digest | — |\n\n\
             | stage | image |\n|---|---|\n| dev | a\\|b:1 |\n| production | c |\n\na \\& b\n\n"
        );
        assert_eq!(
            render_text(&s),
            "t\n  Image   <b>x|y</b>\n  Digest  -\n  stage       image\n  dev         a|b:1\n  production  c\na & b\n"
        );
    }
}
