//! Terraform's "flatmap": the string-to-string encoding of nested values in states before 0.12
//! (`spec.#` = "1", `spec.0.template.0.spec.0.container.0.image` = "nginx", `labels.%` = "2").
//!
//! Without the provider's schema the encoding is ambiguous, so this follows the markers:
//! `NAME.#` introduces a list when every key below it is an index (version 1 also used `#`
//! for maps), `NAME.%` a map. Map keys may contain dots (`app.kubernetes.io/name`), so below a
//! map the rest of the key is one map key unless it starts a nested list or map of its own.

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// Expands flatmap pairs into a JSON object.
pub fn expand(pairs: &[(Cow<'_, str>, Cow<'_, str>)]) -> Value {
    let mut sorted: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    sorted.sort();
    object(&sorted, "")
}

/// The pairs whose key starts with `prefix` (which ends with a dot, or is empty).
fn below<'p>(pairs: &[(&'p str, &'p str)], prefix: &str) -> Vec<(&'p str, &'p str)> {
    pairs.iter().filter_map(|(k, v)| k.strip_prefix(prefix).map(|rest| (rest, *v))).collect()
}

/// An object whose attribute names end at the first dot.
fn object(pairs: &[(&str, &str)], prefix: &str) -> Value {
    let scoped = below(pairs, prefix);
    let names: BTreeSet<&str> = scoped.iter().map(|(k, _)| k.split('.').next().unwrap_or(k)).collect();
    let mut map = Map::new();
    for name in names {
        map.insert(name.to_string(), member(&scoped, name));
    }
    Value::Object(map)
}

/// The value of `name` among `scoped` pairs (keys relative to the enclosing object).
fn member(scoped: &[(&str, &str)], name: &str) -> Value {
    if let Some((_, v)) = scoped.iter().find(|(k, _)| *k == name) {
        return Value::String(v.to_string());
    }
    let prefix = format!("{name}.");
    let inner = below(scoped, &prefix);
    let has = |marker: &str| inner.iter().any(|(k, _)| *k == marker);
    let all_indices = inner
        .iter()
        .filter(|(k, _)| *k != "#" && *k != "%")
        .all(|(k, _)| k.split('.').next().is_some_and(|i| i.parse::<usize>().is_ok()));
    if has("#") && all_indices {
        list(&inner)
    } else if has("#") || has("%") {
        map(&inner)
    } else {
        object(&inner, "")
    }
}

fn list(inner: &[(&str, &str)]) -> Value {
    let mut indices: Vec<usize> =
        inner.iter().filter_map(|(k, _)| k.split('.').next().and_then(|i| i.parse().ok())).collect();
    indices.sort_unstable();
    indices.dedup();
    Value::Array(indices.into_iter().map(|i| member(inner, &i.to_string())).collect())
}

fn map(inner: &[(&str, &str)]) -> Value {
    let mut map = Map::new();
    // Keys that open a nested collection (`KEY.#`, `KEY.%`) are values of their own.
    let nested: BTreeSet<&str> =
        inner.iter().filter_map(|(k, _)| k.strip_suffix(".#").or_else(|| k.strip_suffix(".%"))).collect();
    for (k, v) in inner {
        if *k == "#" || *k == "%" {
            continue;
        }
        if let Some(n) = nested.iter().find(|n| k.strip_prefix(**n).is_some_and(|r| r.starts_with('.'))) {
            if !map.contains_key(*n) {
                map.insert(n.to_string(), member(inner, n));
            }
            continue;
        }
        map.insert(k.to_string(), Value::String(v.to_string()));
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expand_pairs(pairs: &[(&str, &str)]) -> Value {
        let owned: Vec<(Cow<str>, Cow<str>)> =
            pairs.iter().map(|(k, v)| (Cow::Borrowed(*k), Cow::Borrowed(*v))).collect();
        expand(&owned)
    }

    #[test]
    fn nested_lists_become_arrays() {
        let v = expand_pairs(&[
            ("id", "x"),
            ("spec.#", "1"),
            ("spec.0.replicas", "2"),
            ("spec.0.template.#", "1"),
            ("spec.0.template.0.spec.#", "1"),
            ("spec.0.template.0.spec.0.container.#", "2"),
            ("spec.0.template.0.spec.0.container.0.image", "ghost:alpine"),
            ("spec.0.template.0.spec.0.container.1.image", "busybox"),
        ]);
        assert_eq!(v["spec"][0]["template"][0]["spec"][0]["container"][1]["image"], json!("busybox"));
        assert_eq!(v["spec"][0]["replicas"], json!("2"));
        assert_eq!(v["id"], json!("x"));
    }

    #[test]
    fn map_keys_keep_their_dots() {
        let v = expand_pairs(&[("labels.%", "2"), ("labels.app", "web"), ("labels.app.kubernetes.io/name", "web")]);
        assert_eq!(v, json!({"labels": {"app": "web", "app.kubernetes.io/name": "web"}}));
    }

    #[test]
    fn version_one_hash_marker_on_a_map() {
        let v = expand_pairs(&[("triggers.#", "1"), ("triggers.whaaat", "0,1")]);
        assert_eq!(v, json!({"triggers": {"whaaat": "0,1"}}));
    }

    #[test]
    fn empty_list_and_nested_map_in_list() {
        let v =
            expand_pairs(&[("ports.#", "0"), ("meta.#", "1"), ("meta.0.labels.%", "1"), ("meta.0.labels.a.b", "c")]);
        assert_eq!(v, json!({"ports": [], "meta": [{"labels": {"a.b": "c"}}]}));
    }
}
