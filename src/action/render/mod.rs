//! The pure renderers: a [`Report`](super::Report) (and the error that stopped a run, if any)
//! as the strings a person or the runner reads — the Markdown summary, the terminal's text,
//! workflow command lines, the `$GITHUB_OUTPUT` bytes. Nothing here touches the host; the
//! writers in `super::write` print what these return. Every renderer is snapshot-tested
//! (`src/action/snapshots/`).

mod summary;
mod terminal;
mod workflow;

pub use summary::{failure_markdown, step_summary, summary_markdown, SUMMARY_LIMIT};
pub use terminal::{summary_text, table_lines, terminal, Terminal};
pub use workflow::{
    annotation_line, error_annotations, mask_lines, outputs_file, outputs_written, panic_line, set_output_lines,
    workflow_lines, WorkflowLines, ERRORS_SHOWN, MIN_MASK_CHARS,
};

/// How an empty value is shown, in every summary, terminal table and log table: one dash, so
/// that "nothing" never reads as a missing column or a blank someone forgot to fill.
pub const EMPTY: &str = "—";

/// An annotation's message is cut here: GitHub shows only the start of a long one anyway, and a
/// message is never the place for a whole value.
const MESSAGE_LIMIT: usize = 4096;

/// At most `max` characters of `text`, saying when it was cut.
fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((end, _)) => format!("{}… (cut at {max} characters)", &text[..end]).into(),
    }
}

/// `value`, or [`EMPTY`] when there is none.
fn or_empty(value: &str) -> &str {
    if value.is_empty() {
        EMPTY
    } else {
        value
    }
}

/// The word for an annotation's level, as the workflow command and the terminal both spell it.
fn level_name(level: super::Level) -> &'static str {
    match level {
        super::Level::Error => "error",
        super::Level::Warning => "warning",
        super::Level::Notice => "notice",
    }
}
