//! Answering an address against a state.

use std::collections::BTreeSet;

use serde_json::Value;

use super::address::{module_string, parse_module, path_string, Address, Key, ResourceAddress, Step};
use super::error::{Error, Result};
use super::path::{kind, resolve, walk};
use super::workload::{containers, Container};
use super::{Instance, Resource, State};

/// What to look up.
#[derive(Debug, Clone, Copy)]
pub struct Lookup<'q> {
    /// The address as the user wrote it.
    pub address: &'q str,
    /// The container to pick in a workload with several.
    pub container: Option<&'q str>,
    /// How the state is named in messages.
    pub origin: &'q str,
}

/// The answer to a lookup.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The address that answered, in Terraform's canonical form (with instance key and path).
    pub address: String,
    /// The value at the address (a dynamic value's inner value).
    pub value: Value,
    /// The whole value is sensitive (a sensitive output, or under a sensitive attribute path).
    pub sensitive: bool,
    /// Sensitive strings and numbers inside the value, to mask before anything is printed.
    pub secrets: Vec<String>,
    /// The instance is tainted (it will be replaced on the next apply).
    pub tainted: bool,
    /// The container that was picked, for a workload.
    pub container: Option<Container>,
    /// The image reference: the container's, or the value itself when it is one.
    pub image: Option<String>,
}

/// Parses an address as the user wrote it; a problem is an `address` input error.
pub fn parse_address(text: &str) -> Result<Address> {
    Address::parse(text).map_err(|e| Error::BadAddress {
        address: text.to_string(),
        column: e.column,
        problem: e.problem,
    })
}

/// Looks up `query.address` in `state`.
pub fn lookup(state: &State<'_>, query: Lookup<'_>) -> Result<Answer> {
    lookup_parsed(state, &parse_address(query.address)?, query)
}

/// Looks up `address`, already parsed from `query.address` (which messages quote).
pub fn lookup_parsed(state: &State<'_>, address: &Address, query: Lookup<'_>) -> Result<Answer> {
    match address {
        Address::Output { name, path } => output(state, query, name, path),
        Address::Resource(r) => resource(state, query, r),
    }
}

fn output(state: &State<'_>, query: Lookup<'_>, name: &str, path: &[Step]) -> Result<Answer> {
    let Some(out) = state.outputs.iter().find(|o| o.name == name) else {
        let candidates: Vec<String> = state.outputs.iter().map(|o| format!("output.{}", o.name)).collect();
        return Err(not_found(query, &format!("output.{name}"), &candidates));
    };
    let found = format!("output.{name}");
    let root = out.value.to_value(query.origin, &found)?;
    let value = walk_path(query, &root, path, &found, &|_| out.sensitive)?;
    if query.container.is_some() {
        return Err(not_a_workload(query));
    }
    let mut secrets = Vec::new();
    if out.sensitive {
        leaves(&value, &mut secrets);
    }
    let image = image_in(&value);
    Ok(Answer {
        address: format!("{found}{}", path_string(path)),
        sensitive: out.sensitive,
        secrets,
        tainted: false,
        container: None,
        image,
        value,
    })
}

fn resource(state: &State<'_>, query: Lookup<'_>, addr: &ResourceAddress) -> Result<Answer> {
    let wanted_module = module_string(&addr.module);
    let found = state.resources.iter().find(|r| {
        r.mode == addr.mode && r.type_ == addr.type_ && r.name == addr.name && same_module(&r.module, &wanted_module)
    });
    let Some(res) = found else {
        let candidates: Vec<String> = state
            .resources
            .iter()
            .map(Resource::address)
            .chain(state.outputs.iter().map(|o| format!("output.{}", o.name)))
            .collect();
        return Err(not_found(query, &addr.resource(), &candidates));
    };
    let instance = pick_instance(res, addr)?;
    let instance_address = addr.instance();
    let attributes = instance.attributes.to_value(query.origin, &instance_address)?;
    let sensitive_paths = sensitive_paths(instance);
    // A path that stops at or under a sensitive value: Terraform's own spelling of the path
    // reached is compared with each sensitive one.
    let under_sensitive = |reached: &[Step]| {
        let logical = resolve(&attributes, reached).map(|(_, p)| p).unwrap_or_default();
        sensitive_paths.iter().any(|s| logical.starts_with(s))
    };
    let value = walk_path(query, &attributes, &addr.path, &instance_address, &under_sensitive)?;

    let (container, image) = if addr.path.is_empty() {
        match containers(&res.type_, &attributes) {
            Some(list) => {
                let picked = pick_container(&instance_address, list, query.container)?;
                let image = picked.as_ref().map(|c| c.image.clone());
                (picked, image)
            }
            None if query.container.is_some() => return Err(not_a_workload(query)),
            None => (None, None),
        }
    } else if query.container.is_some() {
        return Err(not_a_workload(query));
    } else {
        (None, image_in(&value))
    };

    // Compare with sensitive_attributes in Terraform's own spelling of the path.
    let logical = resolve(&attributes, &addr.path).map(|(_, p)| p).unwrap_or_default();
    let (sensitive, secrets) = sensitivity(&sensitive_paths, &attributes, &logical, &value);
    Ok(Answer {
        address: format!("{instance_address}{}", path_string(&addr.path)),
        value,
        sensitive,
        secrets,
        tainted: instance.tainted,
        container,
        image,
    })
}

/// Compares a module path as stored with the canonical form of the query's.
fn same_module(stored: &str, wanted: &str) -> bool {
    stored == wanted || parse_module(stored).is_ok_and(|m| module_string(&m) == wanted)
}

fn pick_instance<'s, 'a>(res: &'s Resource<'a>, addr: &ResourceAddress) -> Result<&'s Instance<'a>> {
    if res.instances.is_empty() {
        return Err(Error::NoInstances { address: addr.resource() });
    }
    let keys = || -> Vec<String> {
        let set: BTreeSet<&Key> = res.instances.iter().filter(|i| !i.deposed).filter_map(|i| i.key.as_ref()).collect();
        set.into_iter().map(|k| format!("{}{}", addr.resource(), shown_key(k))).collect()
    };
    match &addr.key {
        Some(_) if !res.keyed => {
            Err(Error::UnexpectedInstanceKey { address: addr.instance(), resource: addr.resource() })
        }
        None if res.keyed => Err(Error::InstanceKeyRequired { address: addr.resource(), keys: keys() }),
        key => {
            let mut objects = res.instances.iter().filter(|i| i.key.as_ref() == key.as_ref()).peekable();
            if objects.peek().is_none() {
                return Err(Error::InstanceNotFound { address: addr.instance(), keys: keys() });
            }
            objects.find(|i| !i.deposed).ok_or_else(|| Error::OnlyDeposed { address: addr.instance() })
        }
    }
}

fn pick_container(address: &str, list: Vec<Container>, wanted: Option<&str>) -> Result<Option<Container>> {
    let names = || -> Vec<String> {
        list.iter().map(|c| if c.init { format!("{} (init)", c.name) } else { c.name.clone() }).collect()
    };
    if let Some(name) = wanted {
        // A regular container wins over an init container of the same name.
        let hit = list.iter().find(|c| c.name == name && !c.init).or_else(|| list.iter().find(|c| c.name == name));
        return match hit {
            Some(c) => Ok(Some(c.clone())),
            None => {
                Err(Error::ContainerNotFound { address: address.to_string(), name: name.to_string(), names: names() })
            }
        };
    }
    let regular: Vec<&Container> = list.iter().filter(|c| !c.init).collect();
    match regular.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).clone())),
        _ => Err(Error::ContainerRequired {
            address: address.to_string(),
            names: regular.iter().map(|c| c.name.clone()).collect(),
        }),
    }
}

/// An instance key as messages show it: as Terraform writes it, or, for a key too long or too
/// odd to write back, a short escaped excerpt in the brackets.
fn shown_key(key: &Key) -> String {
    match key {
        Key::Str(s) if s.chars().count() > crate::text::EXCERPT_CHARS || s.chars().any(char::is_control) => {
            format!("[{}]", crate::text::quote(s))
        }
        k => k.to_string(),
    }
}

/// Follows `path` from `root`; a miss names what is there instead, unless `sensitive` says the
/// value where the walk stopped is sensitive: then nothing of it is listed (the keys of a
/// secret map can be secrets too).
fn walk_path(
    query: Lookup<'_>,
    root: &Value,
    path: &[Step],
    found: &str,
    sensitive: &dyn Fn(&[Step]) -> bool,
) -> Result<Value> {
    walk(root, path).cloned().map_err(|miss| {
        let reached = format!("{found}{}", path_string(&path[..miss.at]));
        let missing = path_string(&path[miss.at..=miss.at]);
        if sensitive(&path[..miss.at]) {
            return Error::AttributeNotFound {
                address: query.address.to_string(),
                found: format!("{reached} (sensitive)"),
                missing,
                available: Vec::new(),
            };
        }
        let mut available = miss.available;
        // Name a close match first: a typo is the usual reason.
        if let Step::Attr(name) = &path[miss.at] {
            rank_by_closeness(&mut available, name);
        }
        let reached = match walk(root, &path[..miss.at]) {
            Ok(v) if !v.is_object() && !v.is_array() => format!("{reached} (a {})", kind(v)),
            _ => reached,
        };
        Error::AttributeNotFound { address: query.address.to_string(), found: reached, missing, available }
    })
}

/// Moves the names within a few edits of `wanted` to the front, closest first; the rest keep
/// their order. Each distance is computed once, and only within a band of the allowed edits,
/// so a map of 80,000 keys costs one short pass.
fn rank_by_closeness(names: &mut [String], wanted: &str) {
    // Names longer than any attribute Terraform has are not compared (nor do they match).
    if wanted.chars().count() > 128 {
        return;
    }
    let max = (wanted.chars().count() / 4).clamp(1, 4);
    names.sort_by_cached_key(|n| distance_within(n, wanted, max).unwrap_or(usize::MAX));
}

/// The Levenshtein distance between `a` and `b` when it is at most `max`, else `None`. Only the
/// band of cells within `max` of the diagonal is computed, and the work stops as soon as every
/// cell of a row is past `max`: O(max × length) at most.
fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let far = usize::MAX / 2;
    let m = b.len();
    let mut prev: Vec<usize> = (0..=m).map(|j| if j <= max { j } else { far }).collect();
    let mut cur = vec![far; m + 1];
    for i in 1..=a.len() {
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(m);
        cur[lo - 1] = if lo == 1 { i } else { far };
        let mut best = cur[lo - 1];
        for j in lo..=hi {
            let substitute = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = substitute.min(prev[j] + 1).min(cur[j - 1] + 1);
            best = best.min(cur[j]);
        }
        if hi < m {
            cur[hi + 1] = far;
        }
        if best > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[m]).filter(|d| *d <= max)
}

/// A string value that is recognisably an image reference.
fn image_in(value: &Value) -> Option<String> {
    let s = value.as_str()?;
    super::image::parse(s).ok().filter(|r| r.is_distinctive()).map(|_| s.to_string())
}

/// Decodes version 4's `sensitive_attributes`: a list of paths, each a list of
/// `{"type": "get_attr", "value": NAME}` or `{"type": "index", "value": {"value": K, "type": T}}`.
fn sensitive_paths(instance: &Instance<'_>) -> Vec<Vec<Step>> {
    // Parsed with serde_json's nesting limit; each path is a flat list of steps.
    let Some(raw) = instance.sensitive_paths else { return Vec::new() };
    let Ok(Value::Array(paths)) = serde_json::from_str::<Value>(raw.get()) else { return Vec::new() };
    paths
        .iter()
        .filter_map(|p| {
            p.as_array()?
                .iter()
                .map(|step| match step.get("type")?.as_str()? {
                    "get_attr" => Some(Step::Attr(step.get("value")?.as_str()?.to_string())),
                    "index" => {
                        let key = step.get("value")?.get("value")?;
                        match key {
                            Value::String(s) => Some(Step::Attr(s.clone())),
                            Value::Number(n) => Some(Step::Index(n.as_i64()?)),
                            _ => None,
                        }
                    }
                    _ => None,
                })
                .collect::<Option<Vec<Step>>>()
        })
        .collect()
}

/// Whether the answered value is sensitive as a whole, and the secrets inside it.
fn sensitivity(paths: &[Vec<Step>], attributes: &Value, path: &[Step], value: &Value) -> (bool, Vec<String>) {
    let mut whole = false;
    let mut secrets = Vec::new();
    for sensitive in paths {
        if path.starts_with(sensitive) {
            whole = true;
        } else if sensitive.starts_with(path) {
            if let Ok(v) = walk(attributes, sensitive) {
                leaves(v, &mut secrets);
            }
        }
    }
    if whole {
        secrets.clear();
        leaves(value, &mut secrets);
    }
    secrets.sort();
    secrets.dedup();
    (whole, secrets)
}

/// Every string and number below `v`: what could appear in a log if printed.
fn leaves(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if !s.is_empty() => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|i| leaves(i, out)),
        Value::Object(map) => map.values().for_each(|i| leaves(i, out)),
        _ => {}
    }
}

fn not_found(query: Lookup<'_>, wanted: &str, candidates: &[String]) -> Error {
    let max = (wanted.len() / 8).clamp(2, 8);
    // Addresses are compared only when the one asked for is of a plausible length.
    let mut scored: Vec<(usize, &String)> = if wanted.chars().count() > 256 {
        Vec::new()
    } else {
        candidates.iter().filter_map(|c| Some((distance_within(c, wanted, max)?, c))).collect()
    };
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    Error::AddressNotFound {
        address: query.address.to_string(),
        state: query.origin.to_string(),
        suggestions: scored.into_iter().take(3).map(|(_, c)| crate::text::escape(c)).collect(),
    }
}

fn not_a_workload(query: Lookup<'_>) -> Error {
    Error::NotAWorkload {
        address: query.address.to_string(),
        container: query.container.unwrap_or_default().to_string(),
    }
}
