//! Version files: where a project writes down the version it is about to release.
//!
//! The guard compares a tag with the version in one of these files, so every error carries the
//! 1-based line it is about when there is one: GitHub shows an annotation with `file=` and
//! `line=` on that line of the pull request's diff. Messages do not repeat the file's name; the
//! caller puts it (and the line) in front.
//!
//! TOML is read with `toml`'s spanned document tree and YAML with `marked-yaml`'s node tree:
//! both keep where each value was written, which a plain serde model would lose. JSON needs no
//! extra crate: `serde_json`'s `RawValue` borrows from the input, and its address in the input
//! is its offset.

use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Which kind of file, chosen by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionFileKind {
    /// `Cargo.toml`: `[package] version`, or `[workspace.package] version`.
    CargoToml,
    /// `package.json`: the top-level `"version"`.
    PackageJson,
    /// `pyproject.toml`: `[project] version`, or `[tool.poetry] version`.
    PyProject,
    /// `Chart.yaml`: the chart's `version` (not `appVersion`).
    ChartYaml,
    /// Any other name: a plain file (`VERSION`) whose single non-empty line is the version.
    Plain,
}

impl VersionFileKind {
    /// The kind for a file name or path; only the last component counts, case included
    /// (`cargo.toml` is not a Cargo manifest, and Helm only reads `Chart.yaml`).
    pub fn from_file_name(path: &str) -> Self {
        match path.rsplit(['/', '\\']).next().unwrap_or(path) {
            "Cargo.toml" => VersionFileKind::CargoToml,
            "package.json" => VersionFileKind::PackageJson,
            "pyproject.toml" => VersionFileKind::PyProject,
            "Chart.yaml" => VersionFileKind::ChartYaml,
            _ => VersionFileKind::Plain,
        }
    }
}

/// The version a file declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileVersion {
    /// The version as written (unquoted, trimmed); not checked against SemVer here.
    pub version: String,
    /// The 1-based line of the version's value.
    pub line: usize,
}

/// Why no version could be read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// What is wrong and what to fix, without the file's name.
    pub message: String,
    /// The 1-based line the problem is on, when it is on one.
    pub line: Option<usize>,
}

impl FileError {
    fn new(message: impl Into<String>, line: Option<usize>) -> Self {
        FileError { message: message.into(), line }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FileError {}

/// Reads the version from `content`, a file named `file_name` (a name or a path; the kind is
/// chosen by [`VersionFileKind::from_file_name`]).
pub fn read_version_file(file_name: &str, content: &str) -> Result<FileVersion, FileError> {
    read(VersionFileKind::from_file_name(file_name), content)
}

/// Reads the version from `content`, a file of this kind.
pub fn read(kind: VersionFileKind, content: &str) -> Result<FileVersion, FileError> {
    // Editors on Windows may start a file with a byte-order mark; it holds no newline, so
    // line numbers are unchanged.
    let text = content.strip_prefix('\u{feff}').unwrap_or(content);
    let found = match kind {
        VersionFileKind::CargoToml => cargo(text)?,
        VersionFileKind::PackageJson => package_json(text)?,
        VersionFileKind::PyProject => pyproject(text)?,
        VersionFileKind::ChartYaml => chart(text)?,
        VersionFileKind::Plain => plain(text)?,
    };
    if found.version.trim().is_empty() {
        return Err(FileError::new("the version is empty", Some(found.line)));
    }
    Ok(FileVersion { version: found.version.trim().to_string(), line: found.line })
}

/// The 1-based line holding byte `offset` of `text`.
fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

// --- TOML --------------------------------------------------------------------------------

type Item<'i> = Spanned<DeValue<'i>>;

fn parse_toml(text: &str) -> Result<Spanned<DeTable<'_>>, FileError> {
    DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| line_at(text, s.start));
        FileError::new(format!("not valid TOML: {}", e.message()), line)
    })
}

/// The value at `key` of a table, with the line of its key (for "has no …" messages).
fn entry<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<(&'a Item<'i>, usize)> {
    table.get_key_value(key).map(|(k, v)| (v, k.span().start))
}

/// `name` as a table, or an error that says it must be one.
fn as_table<'a, 'i>(text: &str, item: &'a Item<'i>, name: &str) -> Result<&'a DeTable<'i>, FileError> {
    item.get_ref().as_table().ok_or_else(|| {
        let what = item.get_ref().type_str();
        FileError::new(format!("{name} must be a table, not {}", article(what)), Some(line_at(text, item.span().start)))
    })
}

/// A `version = "…"` value, or an error naming `what` and the type found instead.
fn toml_string(text: &str, item: &Item<'_>, what: &str) -> Result<FileVersion, FileError> {
    let line = line_at(text, item.span().start);
    match item.get_ref() {
        DeValue::String(s) => Ok(FileVersion { version: s.to_string(), line }),
        other => Err(FileError::new(
            format!("{what} must be a string such as \"1.2.3\", not {}", article(other.type_str())),
            Some(line),
        )),
    }
}

fn article(type_str: &str) -> String {
    match type_str {
        "integer" | "array" => format!("an {type_str}"),
        _ => format!("a {type_str}"),
    }
}

fn cargo(text: &str) -> Result<FileVersion, FileError> {
    let doc = parse_toml(text)?;
    let root = doc.get_ref();
    let workspace_version = match entry(root, "workspace") {
        Some((ws, _)) => match entry(as_table(text, ws, "[workspace]")?, "package") {
            Some((pkg, _)) => entry(as_table(text, pkg, "[workspace.package]")?, "version"),
            None => None,
        },
        None => None,
    };
    let workspace_version =
        workspace_version.map(|(v, _)| toml_string(text, v, "[workspace.package] version")).transpose()?;

    let Some((package, package_at)) = entry(root, "package") else {
        return workspace_version.ok_or_else(|| {
            let message = if root.contains_key("workspace") {
                "this is a virtual workspace manifest and its [workspace.package] has no version; add version = \"x.y.z\" to [workspace.package], or set version-file to a member's Cargo.toml"
            } else {
                "no [package] version or [workspace.package] version; is this the right Cargo.toml?"
            };
            FileError::new(message, None)
        });
    };
    let package = as_table(text, package, "[package]")?;
    let Some((version, _)) = entry(package, "version") else {
        return Err(FileError::new(
            "[package] has no version (Cargo then uses 0.0.0); add version = \"x.y.z\"",
            Some(line_at(text, package_at)),
        ));
    };
    // `version.workspace = true`: the version lives in the workspace root's manifest. When that
    // is this very file, its [workspace.package] version is the answer.
    let inherited = version.get_ref().as_table().and_then(|t| t.get("workspace")).and_then(|w| w.get_ref().as_bool());
    match inherited {
        Some(true) => workspace_version.ok_or_else(|| {
            FileError::new(
                "[package] version is inherited from the workspace (version.workspace = true); set version-file to the workspace root's Cargo.toml, which has [workspace.package] version",
                Some(line_at(text, version.span().start)),
            )
        }),
        _ => toml_string(text, version, "[package] version"),
    }
}

fn pyproject(text: &str) -> Result<FileVersion, FileError> {
    let doc = parse_toml(text)?;
    let root = doc.get_ref();
    let project = entry(root, "project").map(|(p, at)| as_table(text, p, "[project]").map(|t| (t, at))).transpose()?;
    if let Some((version, _)) = project.and_then(|(p, _)| entry(p, "version")) {
        return toml_string(text, version, "[project] version");
    }
    // Poetry before 2.0 keeps the version in [tool.poetry]; Poetry 2 may too, with "version"
    // listed in [project] dynamic — so it is looked for before a dynamic version is refused.
    let poetry = entry(root, "tool")
        .and_then(|(t, _)| t.get_ref().as_table())
        .and_then(|t| entry(t, "poetry"))
        .and_then(|(p, _)| p.get_ref().as_table());
    if let Some((version, _)) = poetry.and_then(|p| entry(p, "version")) {
        return toml_string(text, version, "[tool.poetry] version");
    }
    let dynamic = project
        .and_then(|(p, _)| entry(p, "dynamic"))
        .and_then(|(d, _)| d.get_ref().as_array())
        .and_then(|d| d.iter().find(|item| item.get_ref().as_str() == Some("version")));
    if let Some(item) = dynamic {
        return Err(FileError::new(
            "the version is dynamic ([project] dynamic lists \"version\"): the build backend computes it, so pyproject.toml does not hold it; set version-file to the file it is read from (a plain VERSION file), or leave version-file unset",
            Some(line_at(text, item.span().start)),
        ));
    }
    Err(FileError::new(
        "no [project] version (nor [tool.poetry] version); add version = \"x.y.z\" under [project]",
        project.map(|(_, at)| line_at(text, at)),
    ))
}

// --- JSON --------------------------------------------------------------------------------

#[derive(Deserialize)]
struct PackageJson<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    version: Option<&'a RawValue>,
}

/// `Some` for any value, `null` included (serde's `Option` would read `null` as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

fn package_json(text: &str) -> Result<FileVersion, FileError> {
    if !text.trim_start().starts_with('{') {
        return Err(FileError::new("the top level is not a JSON object; package.json starts with \"{\"", None));
    }
    let package: PackageJson = serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        // serde_json ends its messages with " at line L column C"; the line goes in `line`.
        let message = message.rfind(" at line ").map_or(message.as_str(), |i| &message[..i]);
        FileError::new(format!("not valid JSON: {message}"), Some(e.line()))
    })?;
    let Some(raw) = package.version else {
        return Err(FileError::new("no top-level \"version\"; add \"version\": \"x.y.z\"", None));
    };
    // The raw value is a slice of `text`, so where it starts is where it was written.
    let line = line_at(text, raw.get().as_ptr() as usize - text.as_ptr() as usize);
    match serde_json::from_str::<serde_json::Value>(raw.get()) {
        Ok(serde_json::Value::String(version)) => Ok(FileVersion { version, line }),
        Ok(other) => Err(FileError::new(
            format!("\"version\" must be a string such as \"1.2.3\", not {}", json_type(&other)),
            Some(line),
        )),
        Err(e) => Err(FileError::new(format!("not valid JSON: {e}"), Some(line))),
    }
}

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

// --- YAML --------------------------------------------------------------------------------

fn chart(text: &str) -> Result<FileVersion, FileError> {
    use marked_yaml::LoadError;

    // The YAML loader recurses once per level: a deep file is refused before it gets there.
    if let Some((line, column)) = crate::stages::nesting::too_deep(text) {
        return Err(FileError::new(
            format!(
                "the YAML nests more than {} levels deep (at column {column}); a Chart.yaml never does: is this the right file?",
                crate::stages::nesting::MAX_DEPTH
            ),
            Some(line),
        ));
    }
    // Helm refuses a chart whose keys repeat; so do we, rather than guess which one it meant.
    let options = marked_yaml::LoaderOptions::default().error_on_duplicate_keys(true);
    let node = marked_yaml::parse_yaml_with_options(0, text, options).map_err(|e| match e {
        LoadError::TopLevelMustBeMapping(m) => {
            FileError::new("the top level is not a mapping of keys to values", Some(m.line()))
        }
        LoadError::DuplicateKey(d) => FileError::new(
            format!("the key {} appears twice", crate::text::quote(d.key.as_str())),
            d.key.span().start().map(|m| m.line()),
        ),
        LoadError::ScanError(m, e) => FileError::new(format!("not valid YAML: {}", e.info()), Some(m.line())),
        LoadError::UnexpectedAnchor(m) => FileError::new("YAML anchors are not supported here", Some(m.line())),
        LoadError::UnexpectedTag(m) => FileError::new("YAML tags (\"!!\") are not supported here", Some(m.line())),
        LoadError::MappingKeyMustBeScalar(m) => FileError::new("a key is not a plain string", Some(m.line())),
        other => FileError::new(format!("not valid YAML: {other}"), None),
    })?;
    let Some(map) = node.as_mapping() else {
        return Err(FileError::new("the top level is not a mapping of keys to values", None));
    };
    let Some((key, version)) = map.iter().find(|(k, _)| k.as_str() == "version") else {
        let hint = if map.get_node("appVersion").is_some() {
            " (appVersion is the version of the application; the guard checks the chart's own version)"
        } else {
            ""
        };
        return Err(FileError::new(format!("no \"version\"; Helm requires one{hint}"), None));
    };
    // An empty value (`version:`) starts where the next token does: name the key's line.
    let at = match version.as_scalar() {
        Some(s) if s.as_str().is_empty() => key.span(),
        _ => version.span(),
    };
    let line = at.start().map_or(1, |m| m.line());
    match version.as_scalar() {
        Some(s) => Ok(FileVersion { version: s.as_str().to_string(), line }),
        None => Err(FileError::new("version must be a string such as \"1.2.3\"", Some(line))),
    }
}

// --- Plain -------------------------------------------------------------------------------

fn plain(text: &str) -> Result<FileVersion, FileError> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((index, version)) = lines.next() else {
        return Err(FileError::new("the file is empty; it should hold just the version, e.g. 1.2.3", None));
    };
    if let Some((second, _)) = lines.next() {
        return Err(FileError::new(
            format!("the file has {} non-empty lines; it should hold just the version, on one line", 2 + lines.count()),
            Some(second + 1),
        ));
    }
    Ok(FileVersion { version: version.trim().to_string(), line: index + 1 })
}
