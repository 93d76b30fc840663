//! The job summary as Markdown (`$GITHUB_STEP_SUMMARY`): a successful run's summary, and the
//! summary of a failed one (what it tried, what stopped it, what to do). Every piece of data is
//! escaped (see [`escape_markdown`]), so it renders as the text it is: no links, images,
//! emphasis or HTML.

use super::{cut, or_empty, EMPTY, MESSAGE_LIMIT};
use crate::action::protocol::escape_markdown;
use crate::action::report::{Annotation, Level, Report, Summary};
use crate::error::Error;
use crate::stages;

/// GitHub refuses step summaries over 1 MiB.
pub const SUMMARY_LIMIT: usize = 1024 * 1024;

/// The summary a run appends: the report's, or for a failed run what stopped it; either way with
/// the report's warnings, and cut to fit GitHub's limit.
pub fn step_summary(report: &Report, failure: Option<&Error>) -> String {
    let markdown = match failure {
        None => summary_markdown(&report.summary, &report.annotations),
        Some(e) => failure_markdown(&report.command, e, &report.annotations),
    };
    fit(markdown)
}

/// `markdown`, cut (at a character boundary, saying so) when it is over [`SUMMARY_LIMIT`].
fn fit(mut text: String) -> String {
    if text.len() > SUMMARY_LIMIT {
        let mut cut = SUMMARY_LIMIT - 200;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n\n*(summary truncated at GitHub's 1 MiB limit)*\n");
    }
    text
}

/// A successful run's summary: the heading, the field/value table (values as code), the table,
/// the notes, then the warnings and notices, which a person reading the summary must see too.
pub fn summary_markdown(s: &Summary, annotations: &[Annotation]) -> String {
    let mut out = format!("### {}\n\n", escape_markdown(&s.title));
    if !s.rows.is_empty() {
        out.push_str("| Field | Value |\n|---|---|\n");
        for (label, value) in &s.rows {
            let shown =
                if value.is_empty() { EMPTY.to_string() } else { format!("<code>{}</code>", escape_markdown(value)) };
            out.push_str(&format!("| {} | {} |\n", escape_markdown(label), shown));
        }
        out.push('\n');
    }
    if let Some(t) = &s.table {
        let cells = |row: &[String]| row.iter().map(|c| escape_markdown(or_empty(c))).collect::<Vec<_>>().join(" | ");
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
    out.push_str(&warnings(annotations));
    out
}

/// The summary of a failed run: the command, what stopped it (the annotation's title), and the
/// message, which says where and what to do; each problem of a stages file is an item.
pub fn failure_markdown(command: &str, e: &Error, annotations: &[Annotation]) -> String {
    let command = if command.is_empty() { String::new() } else { format!(" {}", escape_markdown(command)) };
    let mut out = format!("### stage-action{command}: {}\n\n", escape_markdown(e.title()));
    match e {
        Error::Stages(stages::Error::Invalid { file, problems }) => {
            out.push_str(&format!("{} is not a valid stages file:\n\n", escape_markdown(file)));
            for problem in problems {
                out.push_str(&format!("- {}\n", escape_markdown(&problem.to_string())));
            }
            out.push('\n');
        }
        e => {
            out.push_str(&escape_markdown(&cut(&e.to_string(), MESSAGE_LIMIT)));
            out.push_str("\n\n");
        }
    }
    out.push_str(&warnings(annotations));
    out
}

/// The report's warnings and notices as a list under a heading; nothing when there are none.
fn warnings(annotations: &[Annotation]) -> String {
    let items: Vec<String> = annotations
        .iter()
        .filter(|a| matches!(a.level, Level::Warning | Level::Notice))
        .map(|a| {
            let message = escape_markdown(&cut(&a.message, MESSAGE_LIMIT));
            match &a.title {
                Some(t) => format!("- **{}**: {message}\n", escape_markdown(t)),
                None => format!("- {message}\n"),
            }
        })
        .collect();
    if items.is_empty() {
        return String::new();
    }
    format!("#### Warnings\n\n{}\n", items.concat())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Table;

    /// A real refusal: `qa` is on hold.
    fn on_hold() -> Error {
        stages::Error::Refused { to: "qa".into(), refusal: Box::new(stages::Refusal::Hold { to: "qa".into() }) }.into()
    }

    #[test]
    fn a_failure_has_a_summary_that_says_what_stopped_it() {
        let e = on_hold();
        assert_eq!(
            failure_markdown("promote", &e, &[]),
            "### stage-action promote: promotion refused\n\ncannot promote into qa: qa is on hold (\"hold: true\" in the stages file); set \"hold: false\" to promote into it again\n\n"
        );
        let problem = |line, message: &str| stages::Problem {
            file: "s.yml".into(),
            line,
            column: Some(if line == 2 { 3 } else { 1 }),
            message: message.into(),
        };
        let e = stages::Error::invalid("s.yml", vec![problem(2, "a"), problem(4, "*b*")]).into();
        assert_eq!(
            failure_markdown("status", &e, &[]),
            "### stage-action status: invalid stages file\n\ns.yml is not a valid stages file:\n\n- line 2, column 3: a\n- line 4, column 1: \\*b\\*\n\n"
        );
    }

    #[test]
    fn summaries_escape_data_and_show_an_empty_value_as_a_dash() {
        let s = Summary {
            title: "t".into(),
            rows: vec![("Image".into(), "<b>x|y</b>".into()), ("Digest".into(), String::new())],
            table: Some(Table {
                header: vec!["stage".into(), "image".into(), "tag".into()],
                rows: vec![vec!["dev".into(), "a|b:1".into(), String::new()]],
            }),
            notes: vec!["a & b".into()],
        };
        assert_eq!(
            summary_markdown(&s, &[]),
            "### t\n\n| Field | Value |\n|---|---|\n| Image | <code>\\<b\\>x\\|y\\</b\\></code> |\n| Digest | — |\n\n\
             | stage | image | tag |\n|---|---|---|\n| dev | a\\|b:1 | — |\n\na \\& b\n\n"
        );
    }

    #[test]
    fn warnings_appear_in_the_summary_too_escaped_and_errors_do_not() {
        let a = |level, title: Option<&str>, message: &str| Annotation {
            level,
            title: title.map(str::to_string),
            message: message.into(),
            file: None,
            line: None,
        };
        let annotations = [
            a(Level::Warning, Some("tainted instance"), "terraform_data.app is *tainted*"),
            a(Level::Error, Some("x"), "not a warning"),
            a(Level::Notice, None, "a notice"),
        ];
        let s = Summary { title: "t".into(), ..Summary::default() };
        assert_eq!(
            summary_markdown(&s, &annotations),
            "### t\n\n#### Warnings\n\n- **tainted instance**: terraform_data.app is \\*tainted\\*\n- a notice\n\n"
        );
        assert!(failure_markdown("lookup", &on_hold(), &annotations).ends_with(
            "to promote into it again\n\n#### Warnings\n\n- **tainted instance**: terraform_data.app is \\*tainted\\*\n- a notice\n\n"
        ));
    }

    #[test]
    fn a_summary_over_githubs_limit_is_cut_and_says_so() {
        let long = "é".repeat(SUMMARY_LIMIT);
        let fitted = fit(long);
        assert!(fitted.len() <= SUMMARY_LIMIT);
        assert!(fitted.ends_with("\n\n*(summary truncated at GitHub's 1 MiB limit)*\n"));
        assert_eq!(fit("short".into()), "short");
    }
}
