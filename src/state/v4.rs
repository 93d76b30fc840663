//! State format version 4 (Terraform 0.12 and later).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Attributes, Instance, Key, Mode, Output, Resource, State, StoredOutput};

#[derive(Deserialize)]
struct ResourceV4<'a> {
    #[serde(default, borrow)]
    module: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    mode: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow)]
    type_: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(default, borrow)]
    each: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    instances: Vec<InstanceV4<'a>>,
}

#[derive(Deserialize)]
struct InstanceV4<'a> {
    #[serde(default)]
    index_key: Option<serde_json::Value>,
    #[serde(default, borrow)]
    status: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    deposed: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    attributes: Option<&'a RawValue>,
    #[serde(default, borrow)]
    attributes_flat: Option<BTreeMap<Cow<'a, str>, Cow<'a, str>>>,
    #[serde(default, borrow)]
    sensitive_attributes: Option<&'a RawValue>,
}

fn field(name: &'static str) -> impl Fn(serde_json::Error) -> String {
    move |e| format!("\"{name}\": {}", super::strip_position(&e.to_string()))
}

/// Fills `state` from version 4's `outputs` and `resources`.
pub(super) fn read<'a>(
    state: &mut State<'a>,
    outputs: Option<&'a RawValue>,
    resources: Option<&'a RawValue>,
) -> Result<(), String> {
    if let Some(raw) = outputs {
        state.outputs = read_outputs(raw.get())?;
    }
    if let Some(raw) = resources {
        let resources: Vec<ResourceV4<'a>> = serde_json::from_str(raw.get()).map_err(field("resources"))?;
        state.resources = resources
            .into_iter()
            .map(|r| {
                let mode = mode(r.mode.as_deref());
                let instances = convert_instances(r.instances, &r.type_, &r.name)?;
                Ok(resource(r.module.unwrap_or_default(), mode, r.type_, r.name, r.each.is_some(), instances))
            })
            .collect::<Result<_, serde_json::Error>>()
            .map_err(field("resources"))?;
    }
    Ok(())
}

/// Version 4's `outputs` object.
pub(super) fn read_outputs(raw: &str) -> Result<Vec<Output<'_>>, String> {
    let outputs: BTreeMap<Cow<'_, str>, StoredOutput<'_>> = serde_json::from_str(raw).map_err(field("outputs"))?;
    Ok(outputs.into_iter().map(|(name, o)| o.named(name)).collect())
}

/// One resource's `instances` array.
pub(super) fn read_instances<'a>(raw: &'a str, type_: &str, name: &str) -> Result<Vec<Instance<'a>>, String> {
    let instances: Vec<InstanceV4<'a>> = serde_json::from_str(raw).map_err(field("instances"))?;
    convert_instances(instances, type_, name).map_err(field("instances"))
}

/// `mode` as stored; absent means managed.
pub(super) fn mode(stored: Option<&str>) -> Mode {
    match stored {
        Some("data") => Mode::Data,
        _ => Mode::Managed,
    }
}

/// A resource; keyed when it says `each` or any instance has a key.
pub(super) fn resource<'a>(
    module: Cow<'a, str>,
    mode: Mode,
    type_: Cow<'a, str>,
    name: Cow<'a, str>,
    each: bool,
    instances: Vec<Instance<'a>>,
) -> Resource<'a> {
    let keyed = each || instances.iter().any(|i| i.key.is_some());
    Resource { module, mode, type_, name, keyed, instances }
}

/// An `index_key` as stored: a number for count, a string for for_each.
pub(super) fn index_key(value: Option<serde_json::Value>, type_: &str, name: &str) -> Result<Option<Key>, String> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => match n.as_i64() {
            Some(i) => Ok(Some(Key::Int(i))),
            None => Err(format!("index_key {n} of {type_}.{name} is not a whole number")),
        },
        Some(serde_json::Value::String(s)) => Ok(Some(Key::Str(s))),
        Some(other) => Err(format!("index_key {other} of {type_}.{name} is neither a number nor a string")),
    }
}

fn convert_instances<'a>(
    instances: Vec<InstanceV4<'a>>,
    type_: &str,
    name: &str,
) -> Result<Vec<Instance<'a>>, serde_json::Error> {
    instances
        .into_iter()
        .map(|i| {
            let key = index_key(i.index_key, type_, name).map_err(serde::de::Error::custom)?;
            let attributes = match (i.attributes, i.attributes_flat) {
                (Some(json), _) => Attributes::Json(json),
                (None, Some(flat)) => Attributes::Flat(flat.into_iter().collect()),
                (None, None) => Attributes::Absent,
            };
            Ok(Instance {
                key,
                tainted: i.status.as_deref() == Some("tainted"),
                deposed: i.deposed.is_some(),
                attributes,
                sensitive_paths: i.sensitive_attributes,
            })
        })
        .collect()
}
