//! What a command hands back: outputs, secrets to mask, a summary, annotations. Commands never
//! print; the entry gives the report to [`super::emit`] once, at the end.

/// The severity of an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `::error`
    Error,
    /// `::warning`
    Warning,
    /// `::notice`
    Notice,
}

/// An annotation on the run, optionally pointing at a file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Severity.
    pub level: Level,
    /// Bold title.
    pub title: Option<String>,
    /// The message.
    pub message: String,
    /// A file in the repository.
    pub file: Option<String>,
    /// A line in that file.
    pub line: Option<usize>,
}

/// The job summary, as data; rendered as Markdown for the runner and as text for a terminal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The heading.
    pub title: String,
    /// Label/value rows of the table; values are shown as code.
    pub rows: Vec<(String, String)>,
    /// A table with a header row, after the label/value rows (`stage | image | tag | …`).
    pub table: Option<Table>,
    /// Sentences below the table.
    pub notes: Vec<String>,
}

/// A table: a header and rows of cells (plain text, escaped when rendered).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Column headings.
    pub header: Vec<String>,
    /// Rows, each as many cells as the header.
    pub rows: Vec<Vec<String>>,
}

/// Everything a run produces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The command that ran, for the summary of a failed run.
    pub command: String,
    /// A terminal asked for the outputs as one JSON object (`--json`).
    pub json: bool,
    /// Step outputs in order.
    pub outputs: Vec<(&'static str, String)>,
    /// Outputs whose value is sensitive: masked, and hidden in a terminal.
    pub sensitive_outputs: Vec<&'static str>,
    /// Outputs a terminal prints only with `--json`: the text form leaves them out, saying how
    /// big they are (a workload's whole object is kilobytes of JSON on one line).
    pub json_only: Vec<&'static str>,
    /// Outputs that are facts even when the run then fails (a deployment that was created), and
    /// so are written in spite of the all-or-nothing rule.
    pub kept_on_failure: Vec<&'static str>,
    /// Values to mask before anything else is printed.
    pub secrets: Vec<String>,
    /// The job summary.
    pub summary: Summary,
    /// Warnings and notices.
    pub annotations: Vec<Annotation>,
    /// Log lines for the step's output.
    pub log: Vec<String>,
    /// Debug lines, shown when the runner is in debug mode.
    pub debug: Vec<String>,
}

impl Report {
    /// Sets an output.
    pub fn output(&mut self, name: &'static str, value: impl Into<String>) {
        self.outputs.push((name, value.into()));
    }

    /// Adds a warning annotation.
    pub fn warning(&mut self, title: &str, message: impl Into<String>) {
        self.annotations.push(Annotation {
            level: Level::Warning,
            title: Some(title.to_string()),
            message: message.into(),
            file: None,
            line: None,
        });
    }

    /// Adds a value to mask.
    pub fn secret(&mut self, value: impl Into<String>) {
        self.secrets.push(value.into());
    }
}
