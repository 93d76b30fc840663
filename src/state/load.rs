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
use super::scan::{ScanError, Scanner};
use super::{v4, Attributes, Instance, Key, State};
use crate::error::{Error, Result};

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
    let mut version_is_4 = false;
    let outcome = skim_state(&mut scanner, &mut skim, &mut version_is_4, want);
    match outcome {
        Ok(()) if version_is_4 => Ok(Loaded(Inner::Skimmed(skim))),
        Ok(()) | Err(Stop::Whole) => whole(scanner, origin),
        // Before the version is known, errors are the whole-file parser's to explain.
        Err(Stop::Scan(_)) if !version_is_4 => whole(scanner, origin),
        Err(Stop::Scan(e)) => Err(scan_error(e, origin)),
    }
}

fn whole<R: Read>(scanner: Scanner<R>, origin: &str) -> Result<Loaded> {
    let bytes = scanner.into_whole().map_err(|e| scan_error(e, origin))?;
    Ok(Loaded(Inner::Whole(bytes)))
}

fn scan_error(e: ScanError, origin: &str) -> Error {
    let path = origin.to_string();
    match e {
        ScanError::Io(message) => Error::Io { op: "read", path, message },
        ScanError::Syntax { line, column, problem } => {
            Error::NotJson { path, line: line as usize, column: column as usize, detail: problem }
        }
        ScanError::TooDeep { line, column } => Error::TooDeep { path, at: format!("line {line}, column {column}") },
    }
}

fn skim_state<R: Read>(s: &mut Scanner<R>, skim: &mut Skim, version_is_4: &mut bool, want: &Want) -> Result<(), Stop> {
    s.skip_bom()?;
    if s.skip_ws()? != Some(b'{') {
        return Err(Stop::Whole);
    }
    let mut stop = None;
    let scanned = s.object(0, |s, key| {
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
            "terraform_version" => skim.terraform_version = optional_string(s)?,
            "lineage" => skim.lineage = optional_string(s)?,
            "serial" => {
                let raw = s.capture(1)?;
                match raw.parse::<u64>() {
                    Ok(n) => skim.serial = Some(n),
                    Err(_) if raw == "null" => {}
                    Err(_) => {
                        // Let the whole-file parser name the problem.
                        stop = Some(Stop::Whole);
                        return s.error("serial");
                    }
                }
            }
            "outputs" => skim.outputs = Some(s.capture(1)?),
            "resources" => {
                if !s.null()? {
                    s.array(1, |s| {
                        let r = skim_resource(s, want)?;
                        skim.resources.push(r);
                        Ok(())
                    })?;
                }
            }
            "encrypted_data" | "modules" | "backend" => {
                stop = Some(Stop::Whole);
                return s.error(key);
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
        let malformed = |detail: String| Error::MalformedState { path: origin.to_string(), detail };
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
