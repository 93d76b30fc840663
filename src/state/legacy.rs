//! State format versions 1 to 3 (Terraform 0.11 and earlier): `modules[]`, each with a map of
//! resources keyed `TYPE.NAME[.INDEX]` and flatmap string attributes.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::address::{module_string, ModuleStep};
use super::{Attributes, Instance, Key, Mode, Output, Resource, State, StoredOutput};

#[derive(Deserialize)]
struct ModuleV3<'a> {
    #[serde(default, borrow)]
    path: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    outputs: BTreeMap<Cow<'a, str>, &'a RawValue>,
    #[serde(default, borrow)]
    resources: BTreeMap<Cow<'a, str>, ResourceV3<'a>>,
}

#[derive(Deserialize)]
struct ResourceV3<'a> {
    #[serde(default, borrow)]
    primary: Option<InstanceV3<'a>>,
    /// Versions 1 and 2 kept tainted objects in their own list.
    #[serde(default, borrow)]
    tainted: Vec<InstanceV3<'a>>,
}

#[derive(Deserialize)]
struct InstanceV3<'a> {
    #[serde(default, borrow)]
    attributes: BTreeMap<Cow<'a, str>, Cow<'a, str>>,
    #[serde(default)]
    tainted: bool,
}

/// What the caller needs to know of each module beyond the resources.
pub(super) struct ModuleSummary {
    /// No resources and no outputs.
    pub is_empty: bool,
}

/// Fills `state` from `modules`. Outputs of the root module become the state's outputs.
pub(super) fn read<'a>(state: &mut State<'a>, modules: Option<&'a RawValue>) -> Result<Vec<ModuleSummary>, String> {
    let field = |e: serde_json::Error| format!("\"modules\": {}", super::strip_position(&e.to_string()));
    let Some(raw) = modules else { return Ok(Vec::new()) };
    let modules: Vec<ModuleV3<'a>> = serde_json::from_str(raw.get()).map_err(field)?;
    let mut summaries = Vec::new();
    // Where each resource is in `state.resources`: a resource's instances are keys of their
    // own (`TYPE.NAME.0`, `TYPE.NAME.1`), gathered in one pass however many there are.
    let mut by_identity = HashMap::new();
    for module in modules {
        summaries.push(ModuleSummary { is_empty: module.resources.is_empty() && module.outputs.is_empty() });
        // path is ["root", "child", "grandchild"]; 0.11 had no module count or for_each.
        let steps: Vec<ModuleStep> =
            module.path.iter().skip(1).map(|n| ModuleStep { name: n.to_string(), key: None }).collect();
        let module_path = module_string(&steps);
        if steps.is_empty() {
            for (name, raw) in module.outputs {
                state.outputs.push(output(name, raw).map_err(field)?);
            }
        }
        for (key, resource) in module.resources {
            add_resource(state, &mut by_identity, &module_path, &key, resource);
        }
    }
    Ok(summaries)
}

fn output<'a>(name: Cow<'a, str>, raw: &'a RawValue) -> Result<Output<'a>, serde_json::Error> {
    // Version 1 stored outputs as bare strings; versions 2 and 3 as {sensitive, type, value}.
    if raw.get().trim_start().starts_with('{') {
        Ok(serde_json::from_str::<StoredOutput>(raw.get())?.named(name))
    } else {
        let v: Value = serde_json::from_str(raw.get())?;
        Ok(Output { name, value: Attributes::Value(v), sensitive: false })
    }
}

/// Splits `data.TYPE.NAME.3` into its parts.
fn split_key(key: &str) -> Option<(Mode, &str, &str, Option<i64>)> {
    let (mode, rest) = match key.strip_prefix("data.") {
        Some(rest) => (Mode::Data, rest),
        None => (Mode::Managed, key),
    };
    let mut parts = rest.splitn(3, '.');
    let type_ = parts.next()?;
    let name = parts.next()?;
    let index = match parts.next() {
        None => None,
        Some(i) => Some(i.parse().ok()?),
    };
    Some((mode, type_, name, index))
}

/// Identifies a resource: module path, mode, type and name.
type Identity = (String, Mode, String, String);

fn add_resource<'a>(
    state: &mut State<'a>,
    by_identity: &mut HashMap<Identity, usize>,
    module: &str,
    key: &str,
    r: ResourceV3<'a>,
) {
    let Some((mode, type_, name, index)) = split_key(key) else { return };
    let (object, tainted) = match (r.primary, r.tainted.into_iter().next()) {
        (Some(p), _) => {
            let t = p.tainted;
            (p, t)
        }
        (None, Some(t)) => (t, true),
        (None, None) => return, // only deposed objects
    };
    let instance = Instance {
        key: index.map(Key::Int),
        tainted,
        deposed: false,
        attributes: Attributes::Flat(object.attributes.into_iter().collect()),
        sensitive_paths: None,
    };
    let identity = (module.to_string(), mode, type_.to_string(), name.to_string());
    match by_identity.get(&identity).and_then(|&i| state.resources.get_mut(i)) {
        Some(e) => {
            e.keyed |= instance.key.is_some();
            e.instances.push(instance);
        }
        None => {
            by_identity.insert(identity, state.resources.len());
            state.resources.push(Resource {
                module: Cow::Owned(module.to_string()),
                mode,
                type_: Cow::Owned(type_.to_string()),
                name: Cow::Owned(name.to_string()),
                keyed: instance.key.is_some(),
                instances: vec![instance],
            })
        }
    }
}
