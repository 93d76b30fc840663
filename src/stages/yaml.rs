//! The stages file's YAML, read into plain values that remember where they were written.
//!
//! `marked-yaml`'s node tree is walked once, here, into [`Value`]s: the checks in
//! [`super::parse`] and [`super::settings`] see keys, scalars and their 1-based positions, never
//! the YAML library's types. What the library itself refuses (a syntax error, a repeated key,
//! an anchor, a tag) becomes a [`super::Problem`] here, and stops the read: nothing after it is
//! loaded.
//!
//! YAML 1.2 rules apply, as in GitHub's own workflow files: `yes`, `no`, `on` and `off` are
//! words, not booleans. Anchors, aliases and tags are refused (`marked-yaml` does not read
//! them); a file of a handful of stages has no need for them.

use marked_yaml::types::MarkedScalarNode;
use marked_yaml::{LoadError, LoaderOptions, Node};

use super::nesting;
use super::problem::{Pos, Problems};
use crate::text::quote;

/// A value as the file wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value {
    /// A scalar: text, a number, a boolean or nothing, still as written.
    Scalar(Scalar),
    /// A list, its items in file order (a value of a stage's `backend-config:` may be one).
    List(Vec<Value>),
    /// A mapping, its entries in file order.
    Mapping(Vec<Entry>),
}

/// A scalar, with what YAML's core schema makes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Scalar {
    /// The text as written, without quotes.
    pub text: String,
    /// A YAML null: nothing after the colon, `~` or `null`, unquoted. A quoted `""` counts as
    /// empty too; no setting means anything by an empty string.
    pub null: bool,
    /// `true` or `false` (and `True`, `TRUE`, `False`, `FALSE`) unquoted; `None` for anything
    /// else, a quoted `"true"` included.
    pub boolean: Option<bool>,
}

/// One `key: value` of a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// The key, as written.
    pub key: String,
    /// Where the key starts.
    pub at: Pos,
    /// Its value.
    pub value: Value,
    /// Where to point a message about the value. Only a scalar's start is reliable: a block
    /// mapping or list is marked where the loader noticed it (the colon or dash after its first
    /// item), and an empty value (`from:`) where the next token starts, often lines below.
    /// Those are placed at their key instead.
    pub value_at: Pos,
}

impl Value {
    /// The entries, when this is a mapping.
    pub fn as_mapping(&self) -> Option<&[Entry]> {
        match self {
            Value::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// Whether this is a null scalar.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Scalar(s) if s.null)
    }

    /// What the value is, for "must be X, not Y" messages.
    pub fn kind(&self) -> String {
        match self {
            Value::Mapping(_) => "a mapping".into(),
            Value::List(_) => "a list".into(),
            Value::Scalar(s) if s.null => "empty".into(),
            Value::Scalar(s) => quote(&s.text),
        }
    }
}

/// Whether `entries` has the key `key`.
pub(super) fn has(entries: &[Entry], key: &str) -> bool {
    entries.iter().any(|e| e.key == key)
}

/// The message for a file whose top level is not a mapping.
pub(super) const TOP_NOT_MAPPING: &str =
    "the top level must be a mapping with one key, \"stages\", under which each stage is named with its settings";

/// Reads the first YAML document of `text`; `None` when the loader refused it (its one problem
/// is then in `problems`). A later document is reported, and ignored.
pub(super) fn load(text: &str, problems: &mut Problems) -> Option<Value> {
    // A byte-order mark holds no newline: lines stay right, and columns on line 1 do too once
    // it is gone.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Keys that repeat are refused rather than resolved: the YAML loader would silently keep
    // the last, and two `dev:` stages are a mistake, not an override.
    let options = LoaderOptions::default().error_on_duplicate_keys(true).prevent_coercion(true);
    // The loader recurses once per level: a deep file is refused before it gets there.
    if let Some((line, column)) = nesting::too_deep(text) {
        problems.push(
            line,
            Some(column),
            format!(
                "the YAML nests more than {} levels deep here; a stages file needs three (stages, a stage, its settings)",
                nesting::MAX_DEPTH
            ),
        );
        return None;
    }
    let root = match marked_yaml::parse_yaml_with_options(0, text, options) {
        Ok(root) => root,
        Err(e) => {
            load_error(problems, e, text);
            return None;
        }
    };
    if let Some(line) = second_document(text) {
        problems.push(
            line,
            Some(1),
            "a second YAML document starts here, and only the first is read; remove this line to make one document",
        );
    }
    // The nesting check above bounds this recursion.
    Some(value(&root))
}

fn value(node: &Node) -> Value {
    match node {
        Node::Scalar(s) => {
            Value::Scalar(Scalar { text: s.as_str().to_string(), null: is_null(s), boolean: s.as_bool() })
        }
        Node::Sequence(items) => Value::List(items.iter().map(value).collect()),
        Node::Mapping(m) => Value::Mapping(
            m.iter()
                .map(|(key, node)| Entry {
                    key: key.as_str().to_string(),
                    at: of_scalar(key),
                    value: value(node),
                    value_at: of_value(key, node),
                })
                .collect(),
        ),
    }
}

fn is_null(s: &MarkedScalarNode) -> bool {
    s.as_str().is_empty() || (s.may_coerce() && matches!(s.as_str(), "~" | "null" | "Null" | "NULL"))
}

fn of_scalar(node: &MarkedScalarNode) -> Pos {
    node.span().start().map_or(Pos { line: 1, column: 1 }, |m| Pos { line: m.line(), column: m.column() })
}

/// See [`Entry::value_at`].
fn of_value(key: &MarkedScalarNode, value: &Node) -> Pos {
    match value.as_scalar() {
        Some(s) if !s.as_str().is_empty() => of_scalar(s),
        _ => of_scalar(key),
    }
}

fn load_error(problems: &mut Problems, error: LoadError, text: &str) {
    match error {
        LoadError::ScanError(mark, e) => {
            let mut message = format!("not valid YAML: {}", e.info());
            // A tab in the indentation is the most common cause of a baffling YAML error.
            let line = text.lines().nth(mark.line().saturating_sub(1)).unwrap_or_default();
            if line.chars().take_while(|c| c.is_whitespace()).any(|c| c == '\t') {
                message.push_str(" (this line is indented with a tab; YAML indents with spaces only)");
            }
            problems.push(mark.line(), Some(mark.column()), message);
        }
        LoadError::TopLevelMustBeMapping(mark) => problems.push(mark.line(), None, TOP_NOT_MAPPING),
        LoadError::DuplicateKey(d) => {
            let first = of_scalar(&d.prev_key);
            problems.at(
                of_scalar(&d.key),
                format!(
                    "{} appears twice in the same mapping (first at line {}); keep one",
                    quote(d.key.as_str()),
                    first.line
                ),
            );
        }
        LoadError::UnexpectedAnchor(mark) => {
            // The loader marks the node the anchor is on, and a block mapping's mark is after
            // its first key, lines below the `&`: point at the `&` itself.
            let at = last_ampersand(text, mark.character()).unwrap_or(Pos { line: mark.line(), column: mark.column() });
            problems
                .at(at, "YAML anchors and aliases (& and *) are not supported in a stages file; write each setting out")
        }
        LoadError::UnexpectedTag(mark) => problems.push(
            mark.line(),
            Some(mark.column()),
            "YAML tags (such as !!str) are not supported in a stages file; remove the tag",
        ),
        LoadError::MappingKeyMustBeScalar(mark) => {
            problems.push(mark.line(), Some(mark.column()), "a key must be a plain name, not a list or a mapping")
        }
        // Only a loader asked for a top-level sequence says this; ours never is.
        other @ LoadError::TopLevelMustBeSequence(_) => problems.push(1, None, format!("not valid YAML: {other}")),
    }
}

/// The position of the last `&` among the first `before` characters of `text`.
fn last_ampersand(text: &str, before: usize) -> Option<Pos> {
    let (mut line, mut column, mut found) = (1, 1, None);
    for c in text.chars().take(before) {
        if c == '&' {
            found = Some(Pos { line, column });
        }
        if c == '\n' {
            (line, column) = (line + 1, 1);
        } else {
            column += 1;
        }
    }
    found
}

/// The line of a second YAML document, if the file has one: `---` (or `...` then more content)
/// at the start of a line after the first document's content. The loader reads only the first
/// document and ignores the rest without a word; stages written below a stray `---` would
/// silently not exist.
fn second_document(text: &str) -> Option<usize> {
    let is_marker = |line: &str, marker: &str| {
        line.strip_prefix(marker).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    };
    let is_content = |line: &str| {
        let t = line.trim();
        !t.is_empty() && !t.starts_with('#') && !line.starts_with('%')
    };
    let mut seen_content = false;
    let mut ended_at: Option<usize> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if let Some(end) = ended_at {
            if is_marker(line, "---") || is_content(line) {
                return Some(end);
            }
            continue;
        }
        if is_marker(line, "---") {
            if seen_content {
                // `---` followed by nothing but comments is an empty document: harmless.
                ended_at = Some(number);
            } else {
                // Content on the marker's own line (`--- {stages: …}`) is the first document's.
                seen_content = is_content(&line[3..]);
            }
        } else if is_marker(line, "...") {
            if seen_content {
                ended_at = Some(number);
            }
        } else if is_content(line) {
            seen_content = true;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Value {
        let mut problems = Problems::new("f.yml");
        let value = load(text, &mut problems).expect("loads");
        assert!(problems.is_empty());
        value
    }

    #[test]
    fn values_keep_their_text_their_kind_and_where_they_were_written() {
        let root = read("a:\n  b: \"true\"\n  c: ~\n  d: [1]\n  e: TRUE\n  f:\n");
        let a = &root.as_mapping().unwrap()[0];
        assert_eq!((a.key.as_str(), a.at, a.value_at), ("a", Pos { line: 1, column: 1 }, Pos { line: 1, column: 1 }));
        let entries = a.value.as_mapping().unwrap();
        let b = &entries[0];
        assert_eq!(b.value, Value::Scalar(Scalar { text: "true".into(), null: false, boolean: None }));
        assert_eq!(b.value_at, Pos { line: 2, column: 6 });
        assert!(entries[1].value.is_null());
        assert_eq!((entries[2].value.kind(), entries[3].value.kind()), ("a list".to_string(), "\"TRUE\"".to_string()));
        assert_eq!(entries[3].value, Value::Scalar(Scalar { text: "TRUE".into(), null: false, boolean: Some(true) }));
        // An empty value is placed at its key.
        assert_eq!((entries[4].value.kind(), entries[4].value_at), ("empty".to_string(), Pos { line: 6, column: 3 }));
        assert!(has(entries, "d") && !has(entries, "g"));
    }
}
