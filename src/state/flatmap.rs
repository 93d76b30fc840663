//! Terraform's "flatmap": the string-to-string encoding of nested values in states before 0.12
//! (`spec.#` = "1", `spec.0.template.0.spec.0.container.0.image` = "nginx", `labels.%` = "2").
//!
//! Without the provider's schema the encoding is ambiguous, so this follows the markers:
//! `NAME.#` introduces a list when every key below it is an index (version 1 also used `#`
//! for maps), `NAME.%` a map. Map keys may contain dots (`app.kubernetes.io/name`), so below a
//! map the rest of the key is one map key unless it starts a nested list or map of its own.
//!
//! The keys are sorted once and split into groups level by level, so each key is looked at once
//! per level it spans: a list of 160,000 items costs what its keys weigh, not their square.
//! Nesting stops at [`MAX_DEPTH`] levels, before the recursion (or the recursive drop of the
//! tree it builds) could exhaust a small stack.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Levels of lists, maps and objects a flatmap key may open: the limit JSON states have too.
pub const MAX_DEPTH: usize = super::scan::MAX_DEPTH;

/// The attributes nest deeper than [`MAX_DEPTH`]; `key` is the key that goes deepest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// The full flatmap key with the most segments.
    pub key: String,
}

/// Keys relative to the value being built, and their values; sorted by key.
type Pairs<'p> = Vec<(&'p str, &'p str)>;

/// Expands flatmap pairs into a JSON object.
pub fn expand(pairs: &[(Cow<'_, str>, Cow<'_, str>)]) -> Result<Value, TooDeep> {
    let mut sorted: Pairs = pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    sorted.sort_unstable();
    object(sorted, 0).map_err(|Deep| {
        let deepest = pairs.iter().map(|(k, _)| k).max_by_key(|k| k.bytes().filter(|&b| b == b'.').count());
        TooDeep { key: deepest.map(|k| k.to_string()).unwrap_or_default() }
    })
}

/// Nesting went past [`MAX_DEPTH`] (which key did is found once, at the top).
struct Deep;

/// The pairs of one member: the value of the key that is its name alone, and the pairs below
/// `NAME.`, with that prefix removed.
#[derive(Default)]
struct Group<'p> {
    exact: Option<&'p str>,
    inner: Pairs<'p>,
}

/// Groups sorted pairs by their first segment (up to the first dot), in the segments' order.
fn groups(pairs: Pairs<'_>) -> BTreeMap<&str, Group<'_>> {
    let mut out: BTreeMap<&str, Group> = BTreeMap::new();
    for (k, v) in pairs {
        match k.split_once('.') {
            Some((name, rest)) => out.entry(name).or_default().inner.push((rest, v)),
            None => {
                let group = out.entry(k).or_default();
                group.exact = group.exact.or(Some(v));
            }
        }
    }
    out
}

/// An object whose attribute names end at the first dot.
fn object(pairs: Pairs<'_>, depth: usize) -> Result<Value, Deep> {
    let mut map = Map::new();
    for (name, group) in groups(pairs) {
        map.insert(name.to_string(), member(group, depth)?);
    }
    Ok(Value::Object(map))
}

/// The value of one member: its own string, or the collection its inner pairs describe.
fn member(group: Group<'_>, depth: usize) -> Result<Value, Deep> {
    if let Some(v) = group.exact {
        return Ok(Value::String(v.to_string()));
    }
    if depth >= MAX_DEPTH {
        return Err(Deep);
    }
    let inner = group.inner;
    let has = |marker: &str| inner.iter().any(|(k, _)| *k == marker);
    let (hash, percent) = (has("#"), has("%"));
    let all_indices = inner
        .iter()
        .filter(|(k, _)| *k != "#" && *k != "%")
        .all(|(k, _)| k.split('.').next().is_some_and(|i| i.parse::<usize>().is_ok()));
    if hash && all_indices {
        list(inner, depth + 1)
    } else if hash || percent {
        map(inner, depth + 1)
    } else {
        object(inner, depth + 1)
    }
}

fn list(inner: Pairs<'_>, depth: usize) -> Result<Value, Deep> {
    // Indices in order; an index written `01` or `+1` counts as 1 but has no members under the
    // name `1`, so it stands for an empty object unless `1` itself is there too.
    let mut items: Vec<(usize, bool, Group)> = groups(inner)
        .into_iter()
        .filter_map(|(segment, group)| {
            let index = segment.parse().ok()?;
            let canonical = segment == "0" || !segment.starts_with(['0', '+']);
            Some((index, canonical, group))
        })
        .collect();
    items.sort_by_key(|(index, canonical, _)| (*index, !canonical));
    items.dedup_by_key(|(index, _, _)| *index);
    let mut values = Vec::with_capacity(items.len());
    for (_, canonical, group) in items {
        values.push(member(if canonical { group } else { Group::default() }, depth)?);
    }
    Ok(Value::Array(values))
}

fn map(inner: Pairs<'_>, depth: usize) -> Result<Value, Deep> {
    // Keys that open a nested collection (`KEY.#`, `KEY.%`) are values of their own: every key
    // below `KEY.` belongs to it. Sorted, the keys below a prefix are contiguous, so one sweep
    // with a stack of the open prefixes (each a prefix of the next) finds, for every key, the
    // shortest such prefix it lies below.
    let mut opening: Vec<String> = inner
        .iter()
        .filter_map(|(k, _)| k.strip_suffix(".#").or_else(|| k.strip_suffix(".%")))
        .map(|n| format!("{n}."))
        .collect();
    opening.sort_unstable();
    opening.dedup();
    let mut next_opening = 0;
    let mut open: Vec<&str> = Vec::new();
    let mut map = Map::new();
    let mut nested: Vec<(&str, Pairs)> = Vec::new();
    for (k, v) in inner {
        while let Some(p) = opening.get(next_opening).filter(|p| p.as_str() <= k) {
            while open.last().is_some_and(|o| !p.starts_with(o)) {
                open.pop();
            }
            open.push(p);
            next_opening += 1;
        }
        while open.last().is_some_and(|o| !k.starts_with(o)) {
            open.pop();
        }
        if k == "#" || k == "%" {
            continue;
        }
        if let Some(prefix) = open.first() {
            let name = &prefix[..prefix.len() - 1];
            match nested.last_mut() {
                Some((n, pairs)) if *n == name => pairs.push((&k[prefix.len()..], v)),
                // A key of the same name written as a plain value came first (it sorts before
                // its own `NAME.` keys) and stands.
                _ if map.contains_key(name) => {}
                _ => {
                    map.insert(name.to_string(), Value::Null);
                    nested.push((name, vec![(&k[prefix.len()..], v)]));
                }
            }
            continue;
        }
        map.insert(k.to_string(), Value::String(v.to_string()));
    }
    for (name, pairs) in nested {
        let value = member(Group { exact: None, inner: pairs }, depth)?;
        map.insert(name.to_string(), value);
    }
    Ok(Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expand_pairs(pairs: &[(&str, &str)]) -> Value {
        let owned: Vec<(Cow<str>, Cow<str>)> =
            pairs.iter().map(|(k, v)| (Cow::Borrowed(*k), Cow::Borrowed(*v))).collect();
        expand(&owned).unwrap()
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
    fn a_key_nested_far_beyond_the_limit_is_refused_without_recursion() {
        // 100,000 segments: recursing once per level would overflow any test thread's stack.
        let key = "a.0.".repeat(50_000) + "x";
        let deep = [(Cow::Borrowed(key.as_str()), Cow::Borrowed("v"))];
        assert_eq!(expand(&deep), Err(TooDeep { key: key.clone() }));
        let at_limit = "a.".repeat(MAX_DEPTH - 1) + "x";
        let ok = [(Cow::Borrowed(at_limit.as_str()), Cow::Borrowed("v"))];
        assert!(expand(&ok).is_ok());
    }

    #[test]
    fn a_list_of_160000_items_and_a_map_of_80000_nested_lists_expand_in_one_pass() {
        let n = 160_000;
        let mut pairs = vec![("x.#".to_string(), n.to_string()), ("m.%".to_string(), "80000".to_string())];
        pairs.extend((0..n).map(|i| (format!("x.{i}"), format!("v{i}"))));
        for i in 0..80_000 {
            pairs.push((format!("m.k.{i}.#"), "1".to_string()));
            pairs.push((format!("m.k.{i}.0"), format!("w{i}")));
        }
        let owned: Vec<(Cow<str>, Cow<str>)> =
            pairs.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str()))).collect();
        let v = expand(&owned).unwrap();
        assert_eq!(v["x"].as_array().map(Vec::len), Some(n));
        assert_eq!(v["x"][159_999], json!("v159999"));
        assert_eq!(v["m"].as_object().map(|m| m.len()), Some(80_000));
        assert_eq!(v["m"]["k.79999"], json!(["w79999"]));
    }

    #[test]
    fn nested_collections_in_a_map_take_the_keys_below_them() {
        let v = expand_pairs(&[
            ("m.%", "3"),
            ("m.a", "plain"),
            ("m.a.#", "1"),
            ("m.a.0", "shadowed by the plain value"),
            ("m.b.c.%", "1"),
            ("m.b.c.d.e", "f"),
            ("m.b.c-x", "g"),
            ("m.z", "last"),
        ]);
        assert_eq!(v, json!({"m": {"a": "plain", "b.c": {"d.e": "f"}, "b.c-x": "g", "z": "last"}}));
    }

    #[test]
    fn empty_list_and_nested_map_in_list() {
        let v =
            expand_pairs(&[("ports.#", "0"), ("meta.#", "1"), ("meta.0.labels.%", "1"), ("meta.0.labels.a.b", "c")]);
        assert_eq!(v, json!({"ports": [], "meta": [{"labels": {"a.b": "c"}}]}));
    }
}
