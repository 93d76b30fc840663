//! The stages file (`.github/stages.yml`): which stages exist, where each one's state is, and
//! which stage each is promoted from.
//!
//! ```yaml
//! stages:
//!   dev:
//!     state: infra/stages/dev
//!     address: kubernetes_deployment_v1.backend
//!   qa:
//!     from: dev
//!     state: infra/stages/qa
//!     address: kubernetes_deployment_v1.backend
//!     min-soak: 2h
//! ```
//!
//! The whole file is checked before anything else happens, and every problem is reported, each
//! at its 1-based line: a person fixing the file should see everything wrong with it in one
//! run, not one problem per push. The YAML is read with `marked-yaml`'s node tree and walked by
//! hand rather than deserialized with serde: serde stops at the first error and speaks of
//! types (`invalid type: string "yes", expected a boolean`), where a person wants
//! `stage "prod": "hold" must be true or false, not yes`.
//!
//! YAML 1.2 rules apply, as in GitHub's own workflow files: `yes`, `no`, `on` and `off` are
//! words, not booleans. Anchors, aliases and tags are refused (`marked-yaml` does not read
//! them); a file of a handful of stages has no need for them.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::{LoadError, LoaderOptions, Node};

use super::duration::parse_duration;
use super::nesting;
use crate::state::Address;
use crate::text::quote;

/// A valid stages file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StagesFile {
    /// The stages, in the order the file lists them.
    pub stages: Vec<Stage>,
}

impl StagesFile {
    /// The stage with this name (exactly; names are case-sensitive here even though GitHub
    /// environment names are not, because the file refuses names that differ only in case).
    pub fn get(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    /// Every stage's name, in file order.
    pub fn names(&self) -> Vec<&str> {
        self.stages.iter().map(|s| s.name.as_str()).collect()
    }

    /// The stages promoted from `name` (its `from` names it), in file order. Several stages may
    /// share a source (`qa-eu` and `qa-us` both from `dev`).
    pub fn promoted_from(&self, name: &str) -> Vec<&Stage> {
        self.stages.iter().filter(|s| s.from.as_deref() == Some(name)).collect()
    }
}

/// One stage: where its Terraform state is, what in it holds the image, and how it is promoted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stage {
    /// The stage's name; also its GitHub environment's name.
    pub name: String,
    /// A `.tfstate` file or a Terraform working directory, as written: a relative path is
    /// relative to `GITHUB_WORKSPACE`, which the caller resolves.
    pub state: String,
    /// The Terraform workspace, when not the default (or the one the directory selects).
    pub workspace: Option<String>,
    /// The Terraform address whose value is (or whose workload runs) the image. It parses
    /// with [`Address::parse`].
    pub address: String,
    /// The container, for a workload with several.
    pub container: Option<String>,
    /// The stage this one is promoted from; `None` for a stage deployed directly.
    pub from: Option<String>,
    /// Whether this stage accepts an image that is not pinned (no tag, or `latest`).
    pub allow_latest: bool,
    /// How long the source stage must have been unchanged before a promotion into this one.
    pub min_soak: Option<Duration>,
    /// Whether promotions into this stage are stopped.
    pub hold: bool,
    /// The 1-based line of the stage's name.
    pub line: usize,
    /// The 1-based line of each setting, for annotations about it (e.g. an address that the
    /// state does not have).
    pub lines: SettingLines,
}

/// Where each setting of a stage was written (1-based lines); `None` for one not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SettingLines {
    /// `state`.
    pub state: usize,
    /// `workspace`.
    pub workspace: Option<usize>,
    /// `address`.
    pub address: usize,
    /// `container`.
    pub container: Option<usize>,
    /// `from`.
    pub from: Option<usize>,
    /// `allow-latest`.
    pub allow_latest: Option<usize>,
    /// `min-soak`.
    pub min_soak: Option<usize>,
    /// `hold`.
    pub hold: Option<usize>,
}

/// One thing wrong with a stages file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file's name, as given to [`parse`].
    pub file: String,
    /// The 1-based line; 1 for a problem with the file as a whole.
    pub line: usize,
    /// The 1-based column, where it helps to point into the line.
    pub column: Option<usize>,
    /// What is wrong and what to do, without the file's name or the position.
    pub message: String,
}

impl Problem {
    /// `file:line[:column]: message`, as compilers write it (and editors link it).
    pub fn located(&self) -> String {
        match self.column {
            Some(column) => format!("{}:{}:{column}: {}", self.file, self.line, self.message),
            None => format!("{}:{}: {}", self.file, self.line, self.message),
        }
    }
}

/// `line L[, column C]: message` — without the file's name, which the caller knows.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}, column {column}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// The settings a stage may have, in the order the messages list them.
const SETTINGS: [&str; 8] = ["state", "workspace", "address", "container", "from", "allow-latest", "min-soak", "hold"];

/// The longest GitHub environment name.
const MAX_NAME: usize = 255;

/// Reads and checks a stages file. `file_name` goes into each [`Problem`]. On failure every
/// problem found is returned, ordered by position. The exception is a problem the YAML loader
/// itself stops at (a syntax error, a repeated key, an anchor, a tag): nothing after it is
/// read, so it is the only one.
pub fn parse(file_name: &str, text: &str) -> Result<StagesFile, Vec<Problem>> {
    let mut problems = Problems { file: file_name.to_string(), list: Vec::new() };
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
        return Err(problems.list);
    }
    let root = match marked_yaml::parse_yaml_with_options(0, text, options) {
        Ok(root) => root,
        Err(e) => {
            problems.load_error(e, text);
            return Err(problems.list);
        }
    };
    if let Some(line) = second_document(text) {
        problems.push(
            line,
            Some(1),
            "a second YAML document starts here, and only the first is read; remove this line to make one document",
        );
    }
    let stages = match root.as_mapping() {
        Some(top) => read_top(top, &mut problems),
        // The loader requires a mapping at the top and says so as an error; this is a guard.
        None => {
            problems.push(1, None, TOP_NOT_MAPPING);
            Vec::new()
        }
    };
    check_from(&stages, &mut problems);
    if problems.list.is_empty() {
        Ok(StagesFile { stages: stages.into_iter().map(Draft::into_stage).collect() })
    } else {
        let mut list = problems.list;
        list.sort_by_key(|p| (p.line, p.column.unwrap_or(0)));
        Err(list)
    }
}

const TOP_NOT_MAPPING: &str =
    "the top level must be a mapping with one key, \"stages\", under which each stage is named with its settings";

/// The problems found so far.
struct Problems {
    file: String,
    list: Vec<Problem>,
}

impl Problems {
    fn push(&mut self, line: usize, column: Option<usize>, message: impl Into<String>) {
        self.list.push(Problem { file: self.file.clone(), line, column, message: message.into() });
    }

    /// A problem at a node (a key or a value).
    fn at(&mut self, at: Pos, message: impl Into<String>) {
        self.push(at.line, Some(at.column), message);
    }

    fn load_error(&mut self, error: LoadError, text: &str) {
        match error {
            LoadError::ScanError(mark, e) => {
                let mut message = format!("not valid YAML: {}", e.info());
                // A tab in the indentation is the most common cause of a baffling YAML error.
                let line = text.lines().nth(mark.line().saturating_sub(1)).unwrap_or_default();
                if line.chars().take_while(|c| c.is_whitespace()).any(|c| c == '\t') {
                    message.push_str(" (this line is indented with a tab; YAML indents with spaces only)");
                }
                self.push(mark.line(), Some(mark.column()), message);
            }
            LoadError::TopLevelMustBeMapping(mark) => self.push(mark.line(), None, TOP_NOT_MAPPING),
            LoadError::DuplicateKey(d) => {
                let first = Pos::of_scalar(&d.prev_key);
                self.at(
                    Pos::of_scalar(&d.key),
                    format!(
                        "{} appears twice in the same mapping (first at line {}); keep one",
                        quote(d.key.as_str()),
                        first.line
                    ),
                );
            }
            LoadError::UnexpectedAnchor(mark) => {
                // The loader marks the node the anchor is on, and a block mapping's mark is
                // after its first key, lines below the `&`: point at the `&` itself.
                let at =
                    last_ampersand(text, mark.character()).unwrap_or(Pos { line: mark.line(), column: mark.column() });
                self.at(
                    at,
                    "YAML anchors and aliases (& and *) are not supported in a stages file; write each setting out",
                )
            }
            LoadError::UnexpectedTag(mark) => self.push(
                mark.line(),
                Some(mark.column()),
                "YAML tags (such as !!str) are not supported in a stages file; remove the tag",
            ),
            LoadError::MappingKeyMustBeScalar(mark) => {
                self.push(mark.line(), Some(mark.column()), "a key must be a plain name, not a list or a mapping")
            }
            // Only a loader asked for a top-level sequence says this; ours never is.
            other @ LoadError::TopLevelMustBeSequence(_) => self.push(1, None, format!("not valid YAML: {other}")),
        }
    }
}

/// A 1-based position in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pos {
    line: usize,
    column: usize,
}

impl Pos {
    fn of_scalar(node: &MarkedScalarNode) -> Pos {
        node.span().start().map_or(Pos { line: 1, column: 1 }, |m| Pos { line: m.line(), column: m.column() })
    }

    /// Where a value is, for a message about it. Only a scalar's start is reliable: a block
    /// mapping or list is marked where the loader noticed it (the colon or dash after its
    /// first item), and an empty value (`from:`) where the next token starts, often lines
    /// below. Those are placed at their key instead.
    fn of_value(key: &MarkedScalarNode, value: &Node) -> Pos {
        match value.as_scalar() {
            Some(s) if !s.as_str().is_empty() => Pos::of_scalar(s),
            _ => Pos::of_scalar(key),
        }
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

/// What a node is, for "must be X, not Y" messages.
fn kind(node: &Node) -> String {
    match node {
        Node::Mapping(_) => "a mapping".into(),
        Node::Sequence(_) => "a list".into(),
        Node::Scalar(s) if is_null(s) => "empty".into(),
        Node::Scalar(s) => quote(s.as_str()),
    }
}

/// A YAML null: nothing after the colon, `~` or `null`, unquoted. A quoted `""` counts as
/// empty too; no setting means anything by an empty string.
fn is_null(s: &MarkedScalarNode) -> bool {
    s.as_str().is_empty() || (s.may_coerce() && matches!(s.as_str(), "~" | "null" | "Null" | "NULL"))
}

/// Stage names for a message: each as [`crate::text::name`] shows it, at most ten, then how
/// many more.
fn list_names(names: &[&str]) -> String {
    const SHOWN: usize = 10;
    let mut quoted: Vec<String> = names.iter().take(SHOWN).map(|n| crate::text::name(n)).collect();
    if names.len() > SHOWN {
        quoted.push(format!("{} more", names.len() - SHOWN));
    }
    let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
    list(&quoted)
}

/// `a`, `a and b`, `a, b and c`.
fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn read_top(top: &MarkedMappingNode, problems: &mut Problems) -> Vec<Draft> {
    let mut stages = Vec::new();
    let mut found = false;
    // Whether a problem with a top-level key already says where the stages should be.
    let mut explained = false;
    for (key, value) in top.iter() {
        if key.as_str() == "stages" {
            found = true;
            stages = read_stages(key, value, problems);
            continue;
        }
        let looks_like_a_stage =
            value.as_mapping().is_some_and(|m| m.get_node("state").is_some() || m.get_node("address").is_some());
        let message = if looks_like_a_stage {
            explained = true;
            format!("unknown top-level key {}; if it is a stage, indent it under \"stages:\"", quote(key.as_str()))
        } else if crate::suggest::closest(key.as_str(), ["stages"]).is_some() {
            explained = true;
            format!("unknown top-level key {}; did you mean \"stages\"?", quote(key.as_str()))
        } else {
            format!("unknown top-level key {}; the only one is \"stages\"", quote(key.as_str()))
        };
        problems.at(Pos::of_scalar(key), message);
    }
    if !found && !explained {
        let message = if top.is_empty() {
            "the file is empty; list the stages under \"stages:\", each with at least state and address"
        } else {
            "the file has no \"stages\"; list the stages under \"stages:\", each with at least state and address"
        };
        problems.push(1, None, message);
    }
    stages
}

fn read_stages(key: &MarkedScalarNode, value: &Node, problems: &mut Problems) -> Vec<Draft> {
    let at = Pos::of_value(key, value);
    let stages = match value {
        Node::Mapping(m) if m.is_empty() => {
            problems.at(at, "\"stages\" is empty; define at least one stage, with state and address");
            return Vec::new();
        }
        Node::Mapping(m) => m,
        Node::Scalar(s) if is_null(s) => {
            problems.at(at, "\"stages\" is empty; define at least one stage, with state and address");
            return Vec::new();
        }
        Node::Sequence(_) => {
            problems.at(at, "\"stages\" must be a mapping from each stage's name to its settings (dev: followed by its settings, indented), not a list");
            return Vec::new();
        }
        Node::Scalar(_) => {
            problems.at(
                at,
                format!("\"stages\" must be a mapping from each stage's name to its settings, not {}", kind(value)),
            );
            return Vec::new();
        }
    };
    let mut drafts: Vec<Draft> = Vec::new();
    // Each name as GitHub compares them (case ignored), with the first spelling and its line.
    let mut folded = HashMap::new();
    for (name, settings) in stages.iter() {
        check_name(name, &mut folded, problems);
        drafts.push(read_stage(name, settings, problems));
    }
    drafts
}

/// A stage's name must be usable as a GitHub environment's name.
fn check_name(key: &MarkedScalarNode, folded: &mut HashMap<String, (String, usize)>, problems: &mut Problems) {
    let name = key.as_str();
    let at = Pos::of_scalar(key);
    if name.is_empty() {
        problems.at(at, "a stage's name is empty; name it as its GitHub environment is named, e.g. qa");
        return;
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        problems.at(
            at,
            format!(
                "stage name {} contains {bad:?}; a stage is named as its GitHub environment, with letters, digits, \"-\", \"_\" and \".\" only",
                quote(name)
            ),
        );
    } else if name.chars().count() > MAX_NAME {
        problems.at(
            at,
            format!(
                "stage name {} is longer than {MAX_NAME} characters, the longest a GitHub environment name may be",
                quote(name)
            ),
        );
    }
    // GitHub environment names ignore case: `QA` and `qa` would be one environment.
    let other = folded.entry(name.to_ascii_lowercase()).or_insert_with(|| (name.to_string(), at.line));
    if other.0 != name {
        problems.at(
            at,
            format!(
                "stage names {} (line {}) and {} differ only in case, but GitHub environment names ignore case; rename one",
                quote(&other.0),
                other.1,
                quote(name)
            ),
        );
    }
}

/// A stage as read, before the whole file is known to be valid.
#[derive(Debug, Default)]
struct Draft {
    name: String,
    line: usize,
    state: Option<String>,
    workspace: Option<String>,
    address: Option<String>,
    container: Option<String>,
    from: Option<String>,
    /// Where `from`'s value is, for problems found once every stage is known.
    from_at: Option<Pos>,
    allow_latest: bool,
    min_soak: Option<Duration>,
    hold: bool,
    lines: SettingLines,
}

impl Draft {
    /// Only called when the file has no problem, so the required settings are present.
    fn into_stage(self) -> Stage {
        Stage {
            name: self.name,
            state: self.state.unwrap_or_default(),
            workspace: self.workspace,
            address: self.address.unwrap_or_default(),
            container: self.container,
            from: self.from,
            allow_latest: self.allow_latest,
            min_soak: self.min_soak,
            hold: self.hold,
            line: self.line,
            lines: self.lines,
        }
    }
}

fn read_stage(name_key: &MarkedScalarNode, value: &Node, problems: &mut Problems) -> Draft {
    let name = name_key.as_str();
    let name_at = Pos::of_scalar(name_key);
    let mut draft = Draft { name: name.to_string(), line: name_at.line, ..Draft::default() };
    // The name as messages quote it: short and escaped, whatever the file holds.
    let name = &quote(name);
    let settings = match value {
        Node::Mapping(m) if !m.is_empty() => m,
        Node::Mapping(_) => {
            problems.at(name_at, format!("stage {name} has no settings; it needs at least state and address"));
            return draft;
        }
        Node::Scalar(s) if is_null(s) => {
            problems.at(name_at, format!("stage {name} has no settings; it needs at least state and address"));
            return draft;
        }
        _ => {
            problems.at(
                Pos::of_value(name_key, value),
                format!(
                    "stage {name} must be a mapping of its settings (state, address, …, indented below its name), not {}",
                    kind(value)
                ),
            );
            return draft;
        }
    };
    for (key, value) in settings.iter() {
        let line = Pos::of_scalar(key).line;
        let setting = Setting { stage: name, key, value };
        match key.as_str() {
            "state" => {
                draft.state = setting.text(problems, Some(STATE_HINT));
                draft.lines.state = line;
            }
            "workspace" => {
                draft.workspace = setting.text(problems, None);
                draft.lines.workspace = Some(line);
            }
            "address" => {
                draft.address = setting.text(problems, Some(ADDRESS_HINT));
                if let Some(address) = &draft.address {
                    if let Err(e) = Address::parse(address) {
                        problems.at(
                            Pos::of_value(key, value),
                            format!(
                                "stage {name}: {} is not a Terraform address: {} at column {}; write it as Terraform prints it, e.g. output.image, module.app.kubernetes_deployment_v1.web[\"blue\"] or kubernetes_deployment_v1.web.spec[0].replicas",
                                quote(address),
                                e.problem,
                                e.column
                            ),
                        );
                    }
                }
                draft.lines.address = line;
            }
            "container" => {
                draft.container = setting.text(problems, None);
                draft.lines.container = Some(line);
            }
            "from" => {
                draft.from = setting.text(problems, None);
                draft.from_at = Some(Pos::of_value(key, value));
                draft.lines.from = Some(line);
            }
            "allow-latest" => {
                draft.allow_latest = setting.boolean(problems).unwrap_or_default();
                draft.lines.allow_latest = Some(line);
            }
            "min-soak" => {
                draft.min_soak = setting.duration(problems);
                draft.lines.min_soak = Some(line);
            }
            "hold" => {
                draft.hold = setting.boolean(problems).unwrap_or_default();
                draft.lines.hold = Some(line);
            }
            other => {
                let message = match crate::suggest::closest(other, SETTINGS) {
                    Some(known) => format!("stage {name}: unknown setting {}; did you mean \"{known}\"?", quote(other)),
                    None => {
                        format!("stage {name}: unknown setting {}; the settings are {}", quote(other), list(&SETTINGS))
                    }
                };
                problems.at(Pos::of_scalar(key), message);
            }
        }
    }
    // A required setting that is present but wrong was reported above; only a missing one is
    // reported here, at the stage's name.
    if settings.get_node("state").is_none() {
        problems.at(name_at, format!("stage {name} has no \"state\"; add {STATE_HINT}"));
    }
    if settings.get_node("address").is_none() {
        problems.at(name_at, format!("stage {name} has no \"address\"; add {ADDRESS_HINT}"));
    }
    draft
}

const STATE_HINT: &str = "the path of its .tfstate file or Terraform working directory, e.g. state: infra/stages/dev";
const ADDRESS_HINT: &str =
    "the Terraform address of what runs its image, e.g. address: kubernetes_deployment_v1.backend";

/// One `key: value` of a stage, being read.
struct Setting<'a> {
    stage: &'a str,
    key: &'a MarkedScalarNode,
    value: &'a Node,
}

impl Setting<'_> {
    fn at(&self) -> Pos {
        Pos::of_value(self.key, self.value)
    }

    /// A string setting. Any non-empty scalar is taken as written (`workspace: 2024` is the
    /// workspace "2024"): these are names and paths, and YAML's idea of a number is no concern
    /// of theirs. `hint` says what a required setting should hold.
    fn text(&self, problems: &mut Problems, hint: Option<&str>) -> Option<String> {
        let (stage, key) = (self.stage, self.key.as_str());
        match self.value {
            Node::Scalar(s) if !is_null(s) => return Some(s.as_str().to_string()),
            Node::Scalar(_) => {
                let message = match hint {
                    Some(hint) => format!("stage {stage}: \"{key}\" has no value; give {hint}"),
                    None if key == "from" => {
                        format!("stage {stage}: \"from\" has no value; name the stage it is promoted from, or remove the line")
                    }
                    None => format!("stage {stage}: \"{key}\" has no value; give one, or remove the line"),
                };
                problems.at(self.at(), message);
            }
            other => problems.at(self.at(), format!("stage {stage}: \"{key}\" must be a string, not {}", kind(other))),
        }
        None
    }

    /// `true` or `false`, unquoted (and `True`, `TRUE`, `False`, `FALSE`: YAML 1.2's core
    /// schema, and the spellings GitHub accepts for boolean inputs).
    fn boolean(&self, problems: &mut Problems) -> Option<bool> {
        let (stage, key) = (self.stage, self.key.as_str());
        let Node::Scalar(s) = self.value else {
            problems.at(self.at(), format!("stage {stage}: \"{key}\" must be true or false, not {}", kind(self.value)));
            return None;
        };
        if let Some(b) = s.as_bool() {
            return Some(b);
        }
        let word = s.as_str();
        let message = if is_null(s) {
            format!("stage {stage}: \"{key}\" has no value; write {key}: true or {key}: false")
        } else if matches!(word, "true" | "True" | "TRUE" | "false" | "False" | "FALSE") {
            // as_bool() refuses it only because it was quoted.
            format!("stage {stage}: \"{key}\" must be true or false without quotes; \"{word}\" in quotes is a string")
        } else if matches!(word.to_ascii_lowercase().as_str(), "yes" | "no" | "on" | "off" | "y" | "n") {
            format!(
                "stage {stage}: \"{key}\" must be true or false, not {word} (in YAML 1.2, yes, no, on and off are words, not booleans)"
            )
        } else {
            format!("stage {stage}: \"{key}\" must be true or false, not {}", quote(word))
        };
        problems.at(self.at(), message);
        None
    }

    /// `min-soak`: a duration such as `2h` or `1h30m`.
    fn duration(&self, problems: &mut Problems) -> Option<Duration> {
        let stage = self.stage;
        let Node::Scalar(s) = self.value else {
            problems.at(
                self.at(),
                format!("stage {stage}: \"min-soak\" must be a duration such as 2h, not {}", kind(self.value)),
            );
            return None;
        };
        if is_null(s) {
            problems.at(
                self.at(),
                format!("stage {stage}: \"min-soak\" has no value; give a duration such as 2h, or remove the line"),
            );
            return None;
        }
        match parse_duration(s.as_str()) {
            Ok(d) => Some(d),
            Err(e) => {
                problems.at(
                    self.at(),
                    format!(
                        "stage {stage}: \"min-soak: {}\" is not a valid soak time: {e}",
                        crate::text::excerpt(s.as_str())
                    ),
                );
                None
            }
        }
    }
}

/// Checks every `from` once all stages are known: it names another stage, and following
/// `from`s never comes back to where it started.
fn check_from(stages: &[Draft], problems: &mut Problems) {
    let names: Vec<&str> = stages.iter().map(|d| d.name.as_str()).collect();
    // Each name's first stage: every `from` is looked up once, not compared with every name.
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        index.entry(name).or_insert(i);
    }
    // For each stage, the index of the stage it is promoted from, when that is a valid link.
    let mut source: Vec<Option<usize>> = vec![None; stages.len()];
    for (i, draft) in stages.iter().enumerate() {
        let (Some(from), Some(at)) = (&draft.from, draft.from_at) else { continue };
        let name = quote(&draft.name);
        if *from == draft.name {
            problems.at(at, format!("stage {name} is promoted from itself; \"from\" must name another stage"));
        } else if let Some(&j) = index.get(from.as_str()) {
            source[i] = Some(j);
        } else {
            // A handful of stages is usual; comparing a misspelt `from` with thousands of names,
            // for thousands of stages, would take longer than reading the file.
            let close = if names.len() <= 1_000 {
                crate::suggest::closest(from, names.iter().copied().filter(|n| *n != draft.name))
            } else {
                None
            };
            let message = match close {
                Some(close) => {
                    format!(
                        "stage {name}: \"from\" names {}, which is not a stage; did you mean {}?",
                        quote(from),
                        quote(close)
                    )
                }
                None => format!(
                    "stage {name}: \"from\" names {}, which is not a stage; the stages are {}",
                    quote(from),
                    list_names(&names)
                ),
            };
            problems.at(at, message);
        }
    }
    for cycle in cycles(&source) {
        // Name the circle in the direction promotions flow (`a → b` when b is promoted from a),
        // starting at the stage listed first in the file, and point at that stage's `from`:
        // the link that closes the circle.
        let first = *cycle.iter().min().unwrap_or(&0);
        let mut flow: Vec<usize> = cycle.iter().rev().copied().collect();
        let start = flow.iter().position(|&i| i == first).unwrap_or(0);
        flow.rotate_left(start);
        flow.push(first);
        let path: Vec<&str> = flow.iter().map(|&i| names[i]).collect();
        let at = stages[first].from_at.unwrap_or(Pos { line: stages[first].line, column: 1 });
        problems.at(
            at,
            format!(
                "the stages are promoted in a circle: {}; the stage that comes first must have no \"from\"",
                path.join(" → ")
            ),
        );
    }
}

/// Every cycle of the `from` links, each once, as the stages met following `from` (each is
/// promoted from the next). Each stage has at most one `from`, so a walk from any stage either
/// ends or runs into a cycle; marking stages as they are walked finds each cycle exactly once.
fn cycles(source: &[Option<usize>]) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnWalk,
        Done,
    }
    let mut marks = vec![Mark::New; source.len()];
    let mut found = Vec::new();
    for start in 0..source.len() {
        let mut walk = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            match marks[i] {
                Mark::Done => break,
                Mark::OnWalk => {
                    let from = walk.iter().position(|&w| w == i).unwrap_or(0);
                    found.push(walk[from..].to_vec());
                    break;
                }
                Mark::New => {
                    marks[i] = Mark::OnWalk;
                    walk.push(i);
                    at = source[i];
                }
            }
        }
        for i in walk {
            marks[i] = Mark::Done;
        }
    }
    found
}
