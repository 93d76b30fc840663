//! What a run prints in a terminal: outputs as `name=value` lines (or one JSON object with
//! `--json`) on standard output, for scripts; errors, warnings and the summary as plain text on
//! standard error, for a person.

use super::{level_name, or_empty};
use crate::action::report::{Report, Summary, Table};
use crate::error::Error;

/// What a run prints in a terminal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terminal {
    /// Standard output: the outputs, nothing else (nothing when the run failed).
    pub stdout: String,
    /// Standard error: the error, the warnings, then the summary.
    pub stderr: String,
}

/// Shown in a terminal in place of a sensitive output's value.
const HIDDEN: &str = "***";

/// A run as a terminal shows it. The text form leaves out the outputs the report marks
/// `json_only` (a workload's whole object: kilobytes of JSON on one line, before the image a
/// person asked for) and says on standard error how big each is and that `--json` prints it.
pub fn terminal(report: &Report, failure: Option<&Error>) -> Terminal {
    let mut stderr = String::new();
    if let Some(e) = failure {
        stderr.push_str(&format!("error: {e}\n"));
    }
    for a in &report.annotations {
        stderr.push_str(&format!("{}: {}\n", level_name(a.level), a.message));
    }
    if failure.is_some() {
        return Terminal { stdout: String::new(), stderr };
    }
    let sensitive = |name: &&'static str| report.sensitive_outputs.contains(name);
    let mut stdout = String::new();
    if report.json {
        // For scripts: every output, sensitive ones hidden as in the text form.
        let outputs: serde_json::Map<String, serde_json::Value> = report
            .outputs
            .iter()
            .map(|(name, value)| {
                let value = if sensitive(name) { HIDDEN } else { value.as_str() };
                (name.to_string(), serde_json::Value::String(value.to_string()))
            })
            .collect();
        stdout.push_str(&format!("{}\n", serde_json::Value::Object(outputs)));
        return Terminal { stdout, stderr };
    }
    let mut left_out = Vec::new();
    for (name, value) in &report.outputs {
        let value = if sensitive(name) {
            HIDDEN
        } else if report.json_only.contains(name) {
            left_out.push(format!("{name} is not shown: {} bytes of JSON; --json prints it\n", value.len()));
            continue;
        } else {
            value.as_str()
        };
        if value.contains('\n') {
            stdout.push_str(&format!("{name}<<EOF\n{value}\nEOF\n"));
        } else {
            stdout.push_str(&format!("{name}={value}\n"));
        }
    }
    stderr.push('\n');
    stderr.push_str(&summary_text(&report.summary));
    stderr.push_str(&left_out.concat());
    Terminal { stdout, stderr }
}

/// The summary as plain text: the title, the field/value rows aligned, the table, the notes.
pub fn summary_text(s: &Summary) -> String {
    let width = s.rows.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
    let mut out = format!("{}\n", s.title);
    for (label, value) in &s.rows {
        out.push_str(&format!("  {label:width$}  {}\n", or_empty(value)));
    }
    if let Some(t) = &s.table {
        for line in table_lines(t) {
            out.push_str(&format!("  {line}\n"));
        }
    }
    for note in &s.notes {
        out.push_str(&format!("{note}\n"));
    }
    out
}

/// A table as lines of text, the header first, columns padded to line up; an empty cell shows
/// as the one empty sign. For the terminal's summary and for the log (`status`).
pub fn table_lines(t: &Table) -> Vec<String> {
    let widths: Vec<usize> = (0..t.header.len())
        .map(|i| {
            t.rows
                .iter()
                .chain([&t.header])
                .map(|r| r.get(i).map_or(0, |c| or_empty(c).chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    [&t.header]
        .into_iter()
        .chain(&t.rows)
        .map(|row| {
            let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{:w$}", or_empty(c))).collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workload_report(json: bool) -> Report {
        let mut r = Report { json, ..Report::default() };
        r.output("value", r#"{"metadata":[{"name":"backend"}]}"#);
        r.output("image", "ghcr.io/acme/backend:1.4.2");
        r.output("image-digest", "");
        r.json_only.push("value");
        r.summary = Summary { title: "stage-action lookup".into(), ..Summary::default() };
        r
    }

    #[test]
    fn a_workloads_whole_object_is_printed_only_with_json_and_the_image_comes_first() {
        let t = terminal(&workload_report(false), None);
        assert_eq!(t.stdout, "image=ghcr.io/acme/backend:1.4.2\nimage-digest=\n");
        assert_eq!(t.stderr, "\nstage-action lookup\nvalue is not shown: 33 bytes of JSON; --json prints it\n");
        let t = terminal(&workload_report(true), None);
        assert_eq!(
            t.stdout,
            "{\"value\":\"{\\\"metadata\\\":[{\\\"name\\\":\\\"backend\\\"}]}\",\"image\":\"ghcr.io/acme/backend:1.4.2\",\"image-digest\":\"\"}\n"
        );
    }

    #[test]
    fn a_failed_run_prints_the_error_and_warnings_and_no_outputs() {
        let mut r = workload_report(false);
        r.warning("image has no tag", "w");
        let t = terminal(
            &r,
            Some(
                &crate::stages::Error::Refused {
                    to: "qa".into(),
                    refusal: Box::new(crate::stages::Refusal::Hold { to: "qa".into() }),
                }
                .into(),
            ),
        );
        assert_eq!(
            t,
            Terminal { stdout: String::new(), stderr: "error: cannot promote into qa: qa is on hold (\"hold: true\" in the stages file); set \"hold: false\" to promote into it again\nwarning: w\n".into() }
        );
    }

    #[test]
    fn text_summaries_align_rows_and_tables_and_show_an_empty_value_as_a_dash() {
        let s = Summary {
            title: "t".into(),
            rows: vec![("Image".into(), "<b>x|y</b>".into()), ("Digest".into(), String::new())],
            table: Some(Table {
                header: vec!["stage".into(), "image".into(), "tag".into()],
                rows: vec![
                    vec!["dev".into(), "a|b:1".into(), String::new()],
                    vec!["production".into(), String::new(), "1".into()],
                ],
            }),
            notes: vec!["a & b".into()],
        };
        assert_eq!(
            summary_text(&s),
            "t\n  Image   <b>x|y</b>\n  Digest  —\n  stage       image  tag\n  dev         a|b:1  —\n  production  —      1\na & b\n"
        );
    }
}
