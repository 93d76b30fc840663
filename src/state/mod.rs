//! Terraform state: reading every format version into one model, and answering addresses.
//!
//! Pure: takes bytes, returns values and errors. State files reach hundreds of megabytes, so
//! parsing borrows from the input and keeps every instance's attributes as a raw JSON slice;
//! only the instance that answers a lookup is parsed into a tree.

mod address;
pub mod error;
mod flatmap;
pub mod image;
mod legacy;
mod load;
mod lookup;
mod path;
mod scan;
mod v4;
mod workload;

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

pub use self::error::Error;
use self::error::Result;
use crate::text;
pub use address::{path_string, Address, Key, Mode, ModuleStep, ResourceAddress, Step};
pub use error::Kind as ErrorKind;
pub use load::{load, Loaded, Want};
pub use lookup::{lookup, lookup_parsed, parse_address, Answer, Lookup};
pub use workload::Container;

/// A state, whatever format version it was read from.
#[derive(Debug)]
pub struct State<'a> {
    /// The format version (`version`): 1 to 4.
    pub format_version: u64,
    /// The Terraform version that wrote it (absent before 0.7).
    pub terraform_version: Option<String>,
    /// Incremented by Terraform on every change.
    pub serial: Option<u64>,
    /// Identifies the state's history across copies.
    pub lineage: Option<String>,
    /// Root module outputs.
    pub outputs: Vec<Output<'a>>,
    /// Every resource of every module.
    pub resources: Vec<Resource<'a>>,
}

/// A root module output.
#[derive(Debug)]
pub struct Output<'a> {
    /// The output's name.
    pub name: Cow<'a, str>,
    /// Its value.
    pub value: Attributes<'a>,
    /// Whether it was declared `sensitive = true`.
    pub sensitive: bool,
}

/// A resource (all its instances).
#[derive(Debug)]
pub struct Resource<'a> {
    /// The module path as stored; empty for the root module.
    pub module: Cow<'a, str>,
    /// Managed or data.
    pub mode: Mode,
    /// Resource type.
    pub type_: Cow<'a, str>,
    /// Resource name.
    pub name: Cow<'a, str>,
    /// Whether instances carry keys (count or for_each).
    pub keyed: bool,
    /// The instances, deposed objects included (they are flagged).
    pub instances: Vec<Instance<'a>>,
}

/// One object of a resource instance.
#[derive(Debug)]
pub struct Instance<'a> {
    /// The instance key; `None` without count and for_each.
    pub key: Option<Key>,
    /// Marked for replacement; still the live object.
    pub tainted: bool,
    /// A deposed object (create_before_destroy): being replaced, never answered.
    pub deposed: bool,
    /// The attributes.
    pub attributes: Attributes<'a>,
    /// Paths (state v4 `sensitive_attributes`) whose values are sensitive.
    pub sensitive_paths: Option<&'a RawValue>,
}

/// Attribute values, parsed only when needed.
#[derive(Debug)]
pub enum Attributes<'a> {
    /// JSON as stored (state v4 `attributes`, output values).
    Json(&'a RawValue),
    /// Flatmap strings (states v1–3, v4 `attributes_flat`).
    Flat(Vec<(Cow<'a, str>, Cow<'a, str>)>),
    /// A value already in hand (v1 string outputs).
    Value(Value),
    /// Nothing stored.
    Absent,
    /// Not kept by a streaming load (the lookup does not need them).
    Skipped,
}

impl Attributes<'_> {
    /// Parses the attributes into a tree. `origin` and `owner` (the address) name them in errors.
    pub fn to_value(&self, origin: &str, owner: &str) -> Result<Value> {
        match self {
            Attributes::Json(raw) => serde_json::from_str(raw.get()).map_err(|e| {
                // Skipping over attributes while reading the file does not count depth; only
                // parsing the one instance that answers does.
                if e.to_string().starts_with("recursion limit exceeded") {
                    Error::TooDeep { path: origin.to_string(), at: format!("in {owner}") }
                } else {
                    Error::Malformed { path: origin.to_string(), detail: format!("{owner}: {e}") }
                }
            }),
            Attributes::Flat(pairs) => flatmap::expand(pairs).map_err(|deep| Error::Malformed {
                path: origin.to_string(),
                detail: format!(
                    "the attributes of {owner} nest more than {} levels deep (key {}); Terraform never writes that, so this file is not a state",
                    flatmap::MAX_DEPTH,
                    text::quote(&deep.key)
                ),
            }),
            Attributes::Value(v) => Ok(v.clone()),
            Attributes::Absent => Ok(Value::Object(Default::default())),
            Attributes::Skipped => {
                Err(Error::Internal(format!("the attributes of {owner} were not kept while reading")))
            }
        }
    }
}

impl Resource<'_> {
    /// `module.x.data.TYPE.NAME`.
    pub fn address(&self) -> String {
        address::resource_string(&self.module, self.mode, &self.type_, &self.name)
    }
}

impl State<'_> {
    /// Every output and resource instance address, as `terraform state list` prints them
    /// (plus `output.NAME`); deposed objects are not listed.
    pub fn addresses(&self) -> Vec<String> {
        let mut out: Vec<String> = self.outputs.iter().map(|o| format!("output.{}", o.name)).collect();
        for r in &self.resources {
            let base = r.address();
            for i in r.instances.iter().filter(|i| !i.deposed) {
                out.push(match &i.key {
                    Some(k) => format!("{base}{k}"),
                    None => base.clone(),
                });
            }
        }
        out
    }
}

/// The top level of every format version, with the large parts left unparsed. A field that
/// appears twice is refused (serde's derive does that), as the streaming loader refuses it.
/// An output as versions 2 to 4 store it: `{"value": …, "type": …, "sensitive": …}`. The
/// same shape in every version (`type` is not needed); version 1 stored bare strings.
#[derive(Deserialize)]
struct StoredOutput<'a> {
    #[serde(borrow)]
    value: &'a RawValue,
    #[serde(default)]
    sensitive: bool,
}

impl<'a> StoredOutput<'a> {
    /// The model's output named `name`.
    fn named(self, name: Cow<'a, str>) -> Output<'a> {
        Output { name, value: Attributes::Json(self.value), sensitive: self.sensitive }
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    version: Option<&'a RawValue>,
    #[serde(default, borrow)]
    terraform_version: Option<&'a RawValue>,
    #[serde(default, borrow)]
    serial: Option<&'a RawValue>,
    #[serde(default, borrow)]
    lineage: Option<&'a RawValue>,
    #[serde(default, borrow)]
    outputs: Option<&'a RawValue>,
    #[serde(default, borrow)]
    resources: Option<&'a RawValue>,
    #[serde(default, borrow)]
    modules: Option<&'a RawValue>,
    #[serde(default, borrow)]
    backend: Option<&'a RawValue>,
    #[serde(default, borrow)]
    encrypted_data: Option<&'a RawValue>,
}

/// `Some` for any value, `null` included (serde's `Option` would read `null` as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// The top-level fields of [`Envelope`]: the ones a state may not repeat.
const ENVELOPE_FIELDS: [&str; 9] = [
    "version",
    "terraform_version",
    "serial",
    "lineage",
    "outputs",
    "resources",
    "modules",
    "backend",
    "encrypted_data",
];

/// Why a state is malformed when a top-level field appears twice (both loaders say this).
fn repeated(field: &str) -> String {
    format!(
        "the top-level \"{field}\" appears twice; Terraform writes each field once, so this file was edited or not written by Terraform: keep one"
    )
}

/// The small top-level fields, checked alike by both loaders.
struct Header {
    terraform_version: Option<String>,
    serial: Option<u64>,
    lineage: Option<String>,
}

/// Checks the small top-level fields, each as written (`None` or `null` when absent).
fn header(terraform_version: Option<&str>, serial: Option<&str>, lineage: Option<&str>) -> Result<Header, String> {
    fn present(raw: Option<&str>) -> Option<&str> {
        raw.map(str::trim).filter(|r| *r != "null")
    }
    let string = |name: &str, raw: Option<&str>, what: &str| -> Result<Option<String>, String> {
        match present(raw) {
            None => Ok(None),
            Some(r) => match serde_json::from_str::<String>(r) {
                Ok(s) if r.starts_with('"') => Ok(Some(s)),
                _ => Err(format!(
                    "\"{name}\" is {}; Terraform writes {what} there, so this file was edited or not written by Terraform",
                    json_excerpt(r)
                )),
            },
        }
    };
    let serial = match present(serial) {
        None => None,
        // JSON has no "+": a whole number of digits is all Terraform writes.
        Some(r) if r.bytes().all(|b| b.is_ascii_digit()) && r.parse::<u64>().is_ok() => r.parse().ok(),
        Some(r) => {
            return Err(format!(
                "\"serial\" is {}; Terraform writes a whole number of 0 or more there (it counts the state's changes), so this file was edited or not written by Terraform",
                json_excerpt(r)
            ))
        }
    };
    Ok(Header {
        terraform_version: string(
            "terraform_version",
            terraform_version,
            "its version as a string, such as \"1.9.0\"",
        )?,
        serial,
        lineage: string("lineage", lineage, "a string (an identifier of the state's history)")?,
    })
}

/// A short, escaped rendering of a JSON value as written, for messages: a string quoted (and
/// cut), an object or list by its kind alone, anything else (a number, `true`) as written, cut.
pub(crate) fn json_excerpt(raw: &str) -> String {
    let raw = raw.trim();
    match raw.as_bytes().first() {
        Some(b'"') => text::quote(&serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_string())),
        Some(b'{') => "an object".to_string(),
        Some(b'[') => "a list".to_string(),
        _ => {
            const SHOWN: usize = 40;
            let count = raw.chars().count();
            if count <= SHOWN {
                text::escape(raw)
            } else {
                let head: String = raw.chars().take(SHOWN).collect();
                format!("{}… ({count} characters)", text::escape(&head))
            }
        }
    }
}

/// Parses a state file. `origin` names it in error messages.
pub fn parse<'a>(bytes: &'a [u8], origin: &str) -> Result<State<'a>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return Err(Error::NotText { path: origin.to_string(), offset: e.valid_up_to() }),
    };
    // A byte-order mark is not JSON, but editors on Windows add one; Terraform ignores it too.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Error::Empty { path: origin.to_string() });
    }
    let envelope = envelope(text).map_err(|e| json_error(&e, origin, text))?;
    if envelope.encrypted_data.is_some() {
        return Err(Error::Encrypted { path: origin.to_string() });
    }
    let version: u64 = match envelope.version.map(|v| v.get().trim()) {
        None => {
            return Err(Error::NotAState { path: origin.to_string(), why: "it has no \"version\" field".to_string() })
        }
        Some(v) if v.bytes().all(|b| b.is_ascii_digit()) && v.parse::<u64>().is_ok() => v.parse().unwrap_or_default(),
        Some(other) => {
            return Err(Error::NotAState {
                path: origin.to_string(),
                why: format!("its \"version\" is {}, not a whole number", json_excerpt(other)),
            })
        }
    };
    if !(1..=4).contains(&version) {
        return Err(Error::UnsupportedVersion { path: origin.to_string(), version: version.to_string() });
    }
    let head = header(
        envelope.terraform_version.map(RawValue::get),
        envelope.serial.map(RawValue::get),
        envelope.lineage.map(RawValue::get),
    )
    .map_err(|detail| Error::Malformed { path: origin.to_string(), detail })?;
    let mut state = State {
        format_version: version,
        terraform_version: head.terraform_version,
        serial: head.serial,
        lineage: head.lineage,
        outputs: Vec::new(),
        resources: Vec::new(),
    };
    let malformed = |detail: String| Error::Malformed { path: origin.to_string(), detail };
    match version {
        4 => {
            if envelope.modules.is_some() && envelope.resources.is_none() {
                return Err(Error::Malformed {
                    path: origin.to_string(),
                    detail: "it says version 4 but has \"modules\" (a version 3 layout) and no \"resources\"".into(),
                });
            }
            v4::read(&mut state, envelope.outputs, envelope.resources).map_err(malformed)?;
        }
        1..=3 => {
            let modules = legacy::read(&mut state, envelope.modules).map_err(malformed)?;
            // `.terraform/terraform.tfstate` is a version 3 file too: a backend block and no
            // module content. A real state that happens to record a backend has resources.
            if envelope.backend.is_some() && modules.iter().all(|m| m.is_empty) {
                return Err(Error::BackendSettings { path: origin.to_string() });
            }
        }
        other => return Err(Error::UnsupportedVersion { path: origin.to_string(), version: other.to_string() }),
    }
    Ok(state)
}

/// The top level of a state. Only an object is one: anything else is checked to be JSON, then
/// refused (serde would fill a struct from a list too).
fn envelope(text: &str) -> serde_json::Result<Envelope<'_>> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text);
    }
    serde_json::from_str::<Checked>(text)?;
    Err(serde::de::Error::custom("not an object"))
}

/// Any JSON value, checked and dropped. Unlike serde's `IgnoredAny` it is read through
/// `deserialize_any`, so serde_json's nesting limit applies (and says "too deep" as it would
/// for a state).
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(Checked)
    }
}

impl<'de> serde::de::Visitor<'de> for Checked {
    type Value = Checked;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_i64<E>(self, _: i64) -> std::result::Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_u64<E>(self, _: u64) -> std::result::Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_f64<E>(self, _: f64) -> std::result::Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_str<E>(self, _: &str) -> std::result::Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_unit<E>(self) -> std::result::Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Checked, A::Error> {
        while map.next_entry::<serde::de::IgnoredAny, Checked>()?.is_some() {}
        Ok(Checked)
    }
}

/// Turns serde_json's error into ours, telling nesting apart from syntax.
fn json_error(e: &serde_json::Error, origin: &str, text: &str) -> Error {
    let path = origin.to_string();
    let (line, column) = (e.line(), e.column());
    let message = e.to_string();
    if message.starts_with("recursion limit exceeded") {
        return Error::TooDeep { path, at: format!("line {line}, column {column}") };
    }
    if e.is_data() {
        if let Some(field) = message.strip_prefix("duplicate field `").and_then(|m| m.split('`').next()) {
            return Error::Malformed { path, detail: repeated(field) };
        }
        let first = text.trim_start().chars().next().unwrap_or(' ');
        let why = if first != '{' {
            "the file is JSON but not an object (a state starts with \"{\")".to_string()
        } else {
            // A field of the wrong type at the top level, e.g. "serial": "x".
            strip_position(&message)
        };
        return Error::NotAState { path, why };
    }
    Error::NotJson { path, line, column, detail: strip_position(&message) }
}

/// serde_json appends " at line L column C"; we say where ourselves.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests;
