//! Walking an attribute path through a value.

use serde_json::Value;

use super::address::Step;

/// Where a walk stopped: `steps[..at]` were found, `steps[at]` was not.
#[derive(Debug, PartialEq, Eq)]
pub struct Miss {
    /// Index of the step that was not found.
    pub at: usize,
    /// What the value at the stopping point offers instead (attribute names, or index range).
    pub available: Vec<String>,
}

/// A dynamically typed value as Terraform stores it: `{"value": ..., "type": ...}`
/// (`terraform_data.output`, `terraform_remote_state.outputs`, `kubernetes_manifest.manifest`).
pub fn dynamic_inner(v: &Value) -> Option<&Value> {
    let obj = v.as_object()?;
    if obj.len() != 2 {
        return None;
    }
    let type_ok = matches!(obj.get("type")?, Value::String(_) | Value::Array(_));
    if type_ok {
        obj.get("value")
    } else {
        None
    }
}

/// Follows `steps` from `root`. A dynamic value may be entered with or without a `.value` step,
/// and a walk that ends on one answers its inner value.
pub fn walk<'v>(root: &'v Value, steps: &[Step]) -> Result<&'v Value, Miss> {
    resolve(root, steps).map(|(v, _)| v)
}

/// As [`walk`], also returning the path as Terraform records it (in `sensitive_attributes`):
/// no `.value` steps into dynamic values, negative indices counted from the start, and
/// object keys as attribute names.
pub fn resolve<'v>(root: &'v Value, steps: &[Step]) -> Result<(&'v Value, Vec<Step>), Miss> {
    let mut current = root;
    let mut logical = Vec::with_capacity(steps.len());
    for (at, step) in steps.iter().enumerate() {
        if let Some(inner) = dynamic_inner(current) {
            if *step == Step::Attr("value".to_string()) {
                current = inner;
                continue;
            }
            if next(current, step).is_none() {
                current = inner;
            }
        }
        match next(current, step) {
            Some((v, s)) => {
                current = v;
                logical.push(s);
            }
            None => return Err(Miss { at, available: available(current) }),
        }
    }
    Ok((dynamic_inner(current).unwrap_or(current), logical))
}

/// One step, and the step as Terraform would record it.
fn next<'v>(v: &'v Value, step: &Step) -> Option<(&'v Value, Step)> {
    match (v, step) {
        (Value::Object(map), Step::Attr(name)) => map.get(name).map(|v| (v, step.clone())),
        (Value::Object(map), Step::Index(i)) => map.get(&i.to_string()).map(|v| (v, Step::Attr(i.to_string()))),
        (Value::Array(items), Step::Index(i)) => {
            let len = items.len() as i64;
            let i = if *i < 0 { len + i } else { *i };
            if (0..len).contains(&i) {
                items.get(i as usize).map(|v| (v, Step::Index(i)))
            } else {
                None
            }
        }
        _ => None,
    }
}

fn available(v: &Value) -> Vec<String> {
    match v {
        // Keys are data: a long or odd one is listed as a short escaped excerpt.
        Value::Object(map) => map.keys().map(|k| crate::text::name(k)).collect(),
        Value::Array(items) if items.is_empty() => vec!["no elements".to_string()],
        Value::Array(items) => vec![format!("indices [0] to [{}]", items.len() - 1)],
        Value::Null => vec![],
        other => vec![format!("only a {} value", kind(other))],
    }
}

/// "string", "number", … for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attr(s: &str) -> Step {
        Step::Attr(s.into())
    }

    #[test]
    fn negative_index_counts_from_the_end() {
        let v = json!([1, 2, 3]);
        assert_eq!(walk(&v, &[Step::Index(-1)]), Ok(&json!(3)));
        assert_eq!(walk(&v, &[Step::Index(-4)]).unwrap_err().at, 0);
    }

    #[test]
    fn dynamic_values_answer_with_or_without_value_step() {
        let v = json!({"output": {"value": {"image": "app:1"}, "type": ["object", {"image": "string"}]}});
        assert_eq!(walk(&v, &[attr("output"), attr("image")]), Ok(&json!("app:1")));
        assert_eq!(walk(&v, &[attr("output"), attr("value"), attr("image")]), Ok(&json!("app:1")));
        assert_eq!(walk(&v, &[attr("output")]), Ok(&json!({"image": "app:1"})));
        assert_eq!(walk(&v, &[attr("output"), attr("type")]).unwrap()[0], json!("object"));
    }

    #[test]
    fn resolve_records_the_path_as_terraform_does() {
        let v = json!({"input": {"value": {"tokens": ["a", "b"], "m": {"k": 1}}, "type": "dynamic"}});
        let (got, logical) = resolve(&v, &[attr("input"), attr("value"), attr("tokens"), Step::Index(-1)]).unwrap();
        assert_eq!(got, &json!("b"));
        assert_eq!(logical, vec![attr("input"), attr("tokens"), Step::Index(1)]);
        let (_, logical) = resolve(&v, &[attr("input"), attr("m"), attr("k")]).unwrap();
        assert_eq!(logical, vec![attr("input"), attr("m"), attr("k")]);
    }

    #[test]
    fn miss_reports_the_step_and_what_exists() {
        let v = json!({"spec": [{"replicas": 2, "paused": false}]});
        let miss = walk(&v, &[attr("spec"), Step::Index(0), attr("replica")]).unwrap_err();
        assert_eq!(miss, Miss { at: 2, available: vec!["replicas".into(), "paused".into()] });
        let miss = walk(&v, &[attr("spec"), Step::Index(3)]).unwrap_err();
        assert_eq!(miss.available, vec!["indices [0] to [0]".to_string()]);
    }
}
