//! Loading a state for one lookup.
//!
//! Version 4 — every state Terraform 0.12 and later writes, and the only one that grows large — is
//! streamed: the scanner keeps the top-level fields, the outputs, each resource's header and its
//! instances' keys, and the full instances of the one resource the lookup asks for. Everything
//! else is skipped as it streams past, so memory is one read buffer plus what is kept, and the
//! file is read once. Older formats, and anything the scanner cannot make sense of before it knows
//! the format, are read whole and parsed by [`super::parse`], whose messages are the reference.

use std::borrow::Cow;
use std::io::Read;

use super::address::{module_string, parse_module, Address, Mode};
use super::error::{Error, Result};
use super::scan::{ScanError, Scanner};
use super::{v4, Attributes, Instance, Key, State};

/// Which resource's instances the lookup needs in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// An output: no instances are needed.
    Outputs,
    /// This resource (canonical module path, mode, type, name).
    Resource { module: String, mode: Mode, type_: String, name: String },
}

impl Want {
    /// What answering `address` needs.
    pub fn for_address(address: &Address) -> Want {
        match address {
            Address::Output { .. } => Want::Outputs,
            Address::Resource(r) => Want::Resource {
                module: module_string(&r.module),
                mode: r.mode,
                type_: r.type_.clone(),
                name: r.name.clone(),
            },
        }
    }
}

/// A state as loaded: either the whole file, or what a streaming read kept.
#[derive(Debug)]
pub struct Loaded(Inner);

#[derive(Debug)]
enum Inner {
    Whole(Vec<u8>),
    Skimmed(Skim),
}

#[derive(Debug, Default)]
struct Skim {
    terraform_version: Option<String>,
    serial: Option<u64>,
    lineage: Option<String>,
    outputs: Option<String>,
    resources: Vec<SkimResource>,
}

/// What the scan saw at the top level, checked once the whole file has been read: the
/// whole-file parser checks these after it has read the file too, so both report the same
/// first problem.
#[derive(Debug, Default)]
struct Top {
    /// The small fields as written, to check with [`super::header`].
    terraform_version: Option<String>,
    serial: Option<String>,
    lineage: Option<String>,
    /// `encrypted_data`, `modules` and `resources` are present and not null.
    encrypted: bool,
    modules: bool,
    resources: bool,
    /// The envelope's fields seen so far, to refuse one that repeats.
    seen: Vec<&'static str>,
}

#[derive(Debug)]
struct SkimResource {
    module: String,
    mode: Mode,
    type_: Option<String>,
    name: Option<String>,
    each: bool,
    instances: SkimInstances,
}

#[derive(Debug)]
enum SkimInstances {
    /// The instances array as written: this is the resource the lookup wants.
    Raw(String),
    /// Only what listing and error messages need.
    Heads(Vec<Head>),
}

#[derive(Debug, Default)]
struct Head {
    key: Option<Key>,
    tainted: bool,
    deposed: bool,
}

/// Why scanning stopped early.
enum Stop {
    /// Not a version 4 state (or not yet known to be one): read it whole instead.
    Whole,
    /// A real error in a version 4 state.
    Scan(ScanError),
    /// A version 4 state that is malformed; the detail is the whole-file parser's.
    Malformed(String),
}

impl From<ScanError> for Stop {
    fn from(e: ScanError) -> Self {
        Stop::Scan(e)
    }
}

/// Loads the state `reader` yields, keeping what answering `want` needs. `origin` names it in
/// error messages; `size` (when known) sizes the read buffer.
pub fn load(reader: impl Read, size: Option<u64>, origin: &str, want: &Want) -> Result<Loaded> {
    let mut scanner = Scanner::new(reader, size);
    let mut skim = Skim::default();
    let mut top = Top::default();
    let mut version_is_4 = false;
    let outcome = skim_state(&mut scanner, &mut skim, &mut top, &mut version_is_4, want);
    let malformed = |detail: String| Error::Malformed { path: origin.to_string(), detail };
    match outcome {
        Ok(()) if version_is_4 => {
            // In the order the whole-file parser checks them.
            if top.encrypted {
                return Err(Error::Encrypted { path: origin.to_string() });
            }
            let head = super::header(top.terraform_version.as_deref(), top.serial.as_deref(), top.lineage.as_deref())
                .map_err(malformed)?;
            if top.modules && !top.resources {
                return Err(malformed(
                    "it says version 4 but has \"modules\" (a version 3 layout) and no \"resources\"".into(),
                ));
            }
            skim.terraform_version = head.terraform_version;
            skim.serial = head.serial;
            skim.lineage = head.lineage;
            Ok(Loaded(Inner::Skimmed(skim)))
        }
        Ok(()) | Err(Stop::Whole) => whole(scanner, origin),
        // Before the version is known, errors are the whole-file parser's to explain.
        Err(Stop::Scan(_)) if !version_is_4 => whole(scanner, origin),
        Err(Stop::Scan(e)) => Err(scan_error(e, origin)),
        Err(Stop::Malformed(detail)) => Err(malformed(detail)),
    }
}

/// Reads the rest of the input, and parses it whole. A file whose first bytes already decide
/// the whole-file parser's verdict (bytes that are not UTF-8, or not JSON from the start: a
/// file of zeros, random bytes) fails on what has been read, without reading on.
fn whole<R: Read>(scanner: Scanner<R>, origin: &str) -> Result<Loaded> {
    let (mut bytes, mut rest, at_end) = scanner.into_prefix().map_err(|e| scan_error(e, origin))?;
    if !at_end {
        if let Some(error) = decided_by(&bytes, origin) {
            return Err(error);
        }
        rest.read_to_end(&mut bytes).map_err(|e| scan_error(ScanError::Io(e.to_string()), origin))?;
    }
    Ok(Loaded(Inner::Whole(bytes)))
}

/// The whole-file parser's error for any file that starts with `prefix`, when the prefix alone
/// decides it: the first byte that is not UTF-8, or a JSON error before the prefix ends. (Of a
/// file that breaks early and also holds a byte that is not UTF-8 later, this says the former.)
fn decided_by(prefix: &[u8], origin: &str) -> Option<Error> {
    let text = match std::str::from_utf8(prefix) {
        Ok(text) => text,
        Err(e) if e.error_len().is_some() => {
            return Some(Error::NotText { path: origin.to_string(), offset: e.valid_up_to() })
        }
        // A character cut at the end of the prefix: judge what comes before it.
        Err(e) => std::str::from_utf8(&prefix[..e.valid_up_to()]).unwrap_or_default(),
    };
    let json = text.strip_prefix('\u{feff}').unwrap_or(text);
    let e = super::envelope(json).err()?;
    // A token cut where the prefix ends (`1e`) can read as an error right at the end: only an
    // error before it is the file's own.
    let line_start = match e.line() {
        0 | 1 => 0,
        n => json.match_indices('\n').nth(n - 2).map_or(json.len(), |(i, _)| i + 1),
    };
    let decided = e.classify() != serde_json::error::Category::Eof && line_start + e.column() + 4 < json.len();
    if decided {
        super::parse(text.as_bytes(), origin).err()
    } else {
        None
    }
}

fn scan_error(e: ScanError, origin: &str) -> Error {
    let path = origin.to_string();
    match e {
        ScanError::Io(message) => Error::Read { path, message },
        ScanError::Syntax { line, column, problem } => {
            Error::NotJson { path, line: line as usize, column: column as usize, detail: problem }
        }
        ScanError::TooDeep { line, column } => Error::TooDeep { path, at: format!("line {line}, column {column}") },
    }
}

fn skim_state<R: Read>(
    s: &mut Scanner<R>,
    skim: &mut Skim,
    top: &mut Top,
    version_is_4: &mut bool,
    want: &Want,
) -> Result<(), Stop> {
    s.skip_bom()?;
    if s.skip_ws()? != Some(b'{') {
        return Err(Stop::Whole);
    }
    let mut stop = None;
    let scanned = s.object(0, |s, key| {
        if let Some(field) = super::ENVELOPE_FIELDS.iter().find(|f| **f == key) {
            if top.seen.contains(field) {
                // Before the version is known the whole-file parser says it, after it this does.
                stop = Some(if *version_is_4 { Stop::Malformed(super::repeated(field)) } else { Stop::Whole });
                return s.error("a repeated field");
            }
            top.seen.push(field);
        }
        match key.as_str() {
            "version" => {
                let raw = s.capture(1)?;
                if raw.trim() == "4" {
                    *version_is_4 = true;
                    s.stop_recording();
                } else {
                    stop = Some(Stop::Whole);
                    return s.error("not version 4");
                }
            }
            "terraform_version" => top.terraform_version = Some(s.capture(1)?),
            "lineage" => top.lineage = Some(s.capture(1)?),
            "serial" => top.serial = Some(s.capture(1)?),
            "outputs" => skim.outputs = Some(s.capture(1)?),
            "resources" => {
                if !s.null()? {
                    top.resources = true;
                    s.array(1, |s| {
                        let r = skim_resource(s, want)?;
                        skim.resources.push(r);
                        Ok(())
                    })?;
                }
            }
            "encrypted_data" | "modules" | "backend" if !*version_is_4 => {
                stop = Some(Stop::Whole);
                return s.error(key);
            }
            // In a version 4 state, as in the whole-file parser, these only matter once the
            // whole file is known to be JSON: checked then.
            "encrypted_data" | "modules" => {
                let present = !s.null()?;
                if present {
                    s.skip(1)?;
                }
                if key == "modules" {
                    top.modules = present;
                } else {
                    top.encrypted = present;
                }
            }
            _ => s.skip(1)?,
        }
        Ok(())
    });
    if let Some(stop) = stop {
        return Err(stop);
    }
    scanned?;
    if !s.at_end()? {
        return Err(Stop::Scan(s.fail("unexpected text after the state's closing \"}\"")));
    }
    Ok(())
}

fn optional_string<R: Read>(s: &mut Scanner<R>) -> Result<Option<String>, ScanError> {
    if s.null()? {
        Ok(None)
    } else {
        s.string().map(Some)
    }
}

/// Whether a resource's instances must be kept, judging by the header fields seen so far.
/// Terraform writes `module`, `mode`, `type` and `name` before `instances`; a file written in
/// another key order keeps the instances of any resource it cannot rule out yet.
fn wanted(r: &SkimResource, want: &Want) -> bool {
    match want {
        Want::Outputs => false,
        Want::Resource { module, mode, type_, name } => match (&r.type_, &r.name) {
            (Some(t), Some(n)) => {
                t == type_
                    && n == name
                    && r.mode == *mode
                    && (r.module == *module || parse_module(&r.module).is_ok_and(|m| module_string(&m) == *module))
            }
            _ => true,
        },
    }
}

fn skim_resource<R: Read>(s: &mut Scanner<R>, want: &Want) -> Result<SkimResource, ScanError> {
    let mut r = SkimResource {
        module: String::new(),
        mode: Mode::Managed,
        type_: None,
        name: None,
        each: false,
        instances: SkimInstances::Heads(Vec::new()),
    };
    s.object(2, |s, key| {
        match key.as_str() {
            "module" => r.module = optional_string(s)?.unwrap_or_default(),
            "mode" => r.mode = v4::mode(optional_string(s)?.as_deref()),
            "type" => r.type_ = Some(s.string()?),
            "name" => r.name = Some(s.string()?),
            "each" => {
                r.each = !s.null()?;
                if r.each {
                    s.skip(3)?;
                }
            }
            "instances" => {
                r.instances = if wanted(&r, want) {
                    SkimInstances::Raw(s.capture(3)?)
                } else {
                    let mut heads = Vec::new();
                    if !s.null()? {
                        s.array(3, |s| {
                            heads.push(skim_head(s)?);
                            Ok(())
                        })?;
                    }
                    SkimInstances::Heads(heads)
                }
            }
            _ => s.skip(3)?,
        }
        Ok(())
    })?;
    if r.type_.is_none() || r.name.is_none() {
        return s.error("a resource without \"type\" or \"name\"");
    }
    Ok(r)
}

fn skim_head<R: Read>(s: &mut Scanner<R>) -> Result<Head, ScanError> {
    let mut head = Head::default();
    s.object(4, |s, key| {
        match key.as_str() {
            "index_key" => {
                let raw = s.capture(5)?;
                let value = serde_json::from_str(&raw).ok();
                head.key = v4::index_key(value, "", "").or_else(|e| s.error(e))?;
            }
            "status" => head.tainted = optional_string(s)?.as_deref() == Some("tainted"),
            "deposed" => {
                head.deposed = !s.null()?;
                if head.deposed {
                    s.skip(5)?;
                }
            }
            _ => s.skip(5)?,
        }
        Ok(())
    })?;
    Ok(head)
}

impl Loaded {
    /// The state, parsed from what was kept. `origin` names it in error messages.
    pub fn state(&self, origin: &str) -> Result<State<'_>> {
        let skim = match &self.0 {
            Inner::Whole(bytes) => return super::parse(bytes, origin),
            Inner::Skimmed(skim) => skim,
        };
        let malformed = |detail: String| Error::Malformed { path: origin.to_string(), detail };
        let outputs = match &skim.outputs {
            Some(raw) if raw != "null" => v4::read_outputs(raw).map_err(malformed)?,
            _ => Vec::new(),
        };
        let mut resources = Vec::with_capacity(skim.resources.len());
        for r in &skim.resources {
            let type_ = r.type_.as_deref().unwrap_or_default();
            let name = r.name.as_deref().unwrap_or_default();
            let instances = match &r.instances {
                SkimInstances::Raw(raw) if raw == "null" => Vec::new(),
                SkimInstances::Raw(raw) => v4::read_instances(raw, type_, name).map_err(malformed)?,
                SkimInstances::Heads(heads) => heads
                    .iter()
                    .map(|h| Instance {
                        key: h.key.clone(),
                        tainted: h.tainted,
                        deposed: h.deposed,
                        attributes: Attributes::Skipped,
                        sensitive_paths: None,
                    })
                    .collect(),
            };
            resources.push(v4::resource(
                Cow::Borrowed(r.module.as_str()),
                r.mode,
                Cow::Borrowed(type_),
                Cow::Borrowed(name),
                r.each,
                instances,
            ));
        }
        Ok(State {
            format_version: 4,
            terraform_version: skim.terraform_version.clone(),
            serial: skim.serial,
            lineage: skim.lineage.clone(),
            outputs,
            resources,
        })
    }
}
