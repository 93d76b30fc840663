//! State format version 4 (Terraform 0.12 and later).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Attributes, Instance, Key, Mode, Output, Resource, State};

#[derive(Deserialize)]
struct OutputV4<'a> {
    #[serde(borrow)]
    value: &'a RawValue,
    #[serde(default)]
    sensitive: bool,
}

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

/// Fills `state` from version 4's `outputs` and `resources`.
pub(super) fn read<'a>(
    state: &mut State<'a>,
    outputs: Option<&'a RawValue>,
    resources: Option<&'a RawValue>,
) -> Result<(), String> {
    let field = |name: &'static str| {
        move |e: serde_json::Error| format!("\"{name}\": {}", super::strip_position(&e.to_string()))
    };
    if let Some(raw) = outputs {
        let outputs: BTreeMap<Cow<'a, str>, OutputV4<'a>> =
            serde_json::from_str(raw.get()).map_err(field("outputs"))?;
        state.outputs = outputs
            .into_iter()
            .map(|(name, o)| Output { name, value: Attributes::Json(o.value), sensitive: o.sensitive })
            .collect();
    }
    if let Some(raw) = resources {
        let resources: Vec<ResourceV4<'a>> = serde_json::from_str(raw.get()).map_err(field("resources"))?;
        state.resources = resources.into_iter().map(convert).collect::<Result<_, _>>().map_err(field("resources"))?;
    }
    Ok(())
}

fn convert(r: ResourceV4<'_>) -> Result<Resource<'_>, serde_json::Error> {
    let mode = match r.mode.as_deref() {
        Some("data") => Mode::Data,
        _ => Mode::Managed,
    };
    let instances = r
        .instances
        .into_iter()
        .map(|i| {
            let key = match i.index_key {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::Number(n)) => Some(Key::Int(n.as_i64().ok_or_else(|| {
                    serde::de::Error::custom(format!("index_key {n} of {}.{} is not a whole number", r.type_, r.name))
                })?)),
                Some(serde_json::Value::String(s)) => Some(Key::Str(s)),
                Some(other) => {
                    return Err(serde::de::Error::custom(format!(
                        "index_key {other} of {}.{} is neither a number nor a string",
                        r.type_, r.name
                    )))
                }
            };
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
        .collect::<Result<Vec<_>, _>>()?;
    let keyed = r.each.is_some() || instances.iter().any(|i| i.key.is_some());
    Ok(Resource { module: r.module.unwrap_or(Cow::Borrowed("")), mode, type_: r.type_, name: r.name, keyed, instances })
}
