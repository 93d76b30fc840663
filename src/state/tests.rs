//! Reading states and answering addresses: behaviours and exact messages.

use super::*;

fn parse_err(text: &str) -> String {
    parse(text.as_bytes(), "s.tfstate").unwrap_err().to_string()
}

const V4: &str = r#"{
  "version": 4, "terraform_version": "1.11.0", "serial": 7, "lineage": "L",
  "outputs": {
    "image": {"value": "ghcr.io/acme/app:1.2.3", "type": "string"},
    "token": {"value": "hunter2", "type": "string", "sensitive": true}
  },
  "resources": [
    {"mode": "managed", "type": "kubernetes_deployment_v1", "name": "web", "instances": [
      {"schema_version": 1, "attributes": {"spec": [{"template": [{"spec": [{"container": [
        {"name": "app", "image": "ghcr.io/acme/app:1.2.3"}, {"name": "sidecar", "image": "envoy:1"}]}]}]}]}},
      {"schema_version": 1, "deposed": "00000001", "attributes": {"spec": []}}
    ]},
    {"module": "module.svc[\"eu.west\"]", "mode": "managed", "type": "terraform_data", "name": "app", "each": "list",
     "instances": [{"index_key": 0, "attributes": {"output": {"value": {"image": "a/b:1"}, "type": ["object", {"image": "string"}]}}}]},
    {"mode": "managed", "type": "terraform_data", "name": "gone", "instances": [
      {"deposed": "abc", "attributes": {}}]},
    {"mode": "managed", "type": "terraform_data", "name": "none", "each": "map", "instances": []}
  ]
}"#;

fn ask(address: &str, container: Option<&str>) -> Result<Answer> {
    let state = parse(V4.as_bytes(), "s.tfstate")?;
    lookup(&state, Lookup { address, container, origin: "s.tfstate" })
}

#[test]
fn unreadable_files_each_get_their_own_message() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let cases = [
        ("", "state s.tfstate is empty: a Terraform state is a JSON object; was it truncated, or is this the wrong file?"),
        (" \n\t", "state s.tfstate is empty: a Terraform state is a JSON object; was it truncated, or is this the wrong file?"),
        ("invalid\n", "state s.tfstate is not valid JSON: expected value at line 1, column 1"),
        ("{\"version\": 4,", "state s.tfstate is not valid JSON: EOF while parsing a value at line 1, column 14"),
        ("[1, 2]", "s.tfstate is not a Terraform state: the file is JSON but not an object (a state starts with \"{\")"),
        ("{\"serial\": 1}", "s.tfstate is not a Terraform state: it has no \"version\" field"),
        ("{\"version\": \"4\"}", "s.tfstate is not a Terraform state: its \"version\" is \"4\", not a whole number"),
        ("{\"version\": 0}", "state s.tfstate has format version 0; this action reads versions 1 to 4 (Terraform 0.x to 1.x)"),
        ("{\"version\": 5, \"resources\": []}", "state s.tfstate has format version 5; this action reads versions 1 to 4 (Terraform 0.x to 1.x)"),
        (
            "{\"serial\": 1, \"lineage\": \"x\", \"meta\": {}, \"encrypted_data\": \"AAAA\", \"encryption_version\": \"v0\"}",
            "state s.tfstate is encrypted by OpenTofu (it has `encrypted_data`); decrypt it first, e.g. with `tofu show -json`, or read an unencrypted state",
        ),
        (
            "{\"version\": 3, \"serial\": 0, \"backend\": {\"type\": \"s3\", \"config\": {}}, \"modules\": [{\"path\": [\"root\"], \"outputs\": {}, \"resources\": {}}]}",
            "s.tfstate holds Terraform's backend settings, not a state; set input `state` to the working directory (the folder that holds .terraform) or to its terraform.tfstate",
        ),
        (&deep, "state s.tfstate nests JSON more than 128 levels deep (line 1, column 128): Terraform never writes that; this file is not a state"),
        ("{\"version\": 4, \"resources\": {}}", "state s.tfstate is malformed: \"resources\": invalid type: map, expected a sequence"),
    ];
    for (text, want) in cases {
        assert_eq!(parse_err(text), want, "{text:.60}");
    }
    let bad_utf8 = parse(b"{\"version\": 4, \"x\": \"\xff\"}", "s.tfstate").unwrap_err();
    assert_eq!(bad_utf8.to_string(), "state s.tfstate is not UTF-8 text (invalid byte at offset 21): is it compressed or encrypted? Decompress it first");
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let text = format!("\u{feff}{V4}");
    assert_eq!(parse(text.as_bytes(), "s").unwrap().serial, Some(7));
}

#[test]
fn the_only_container_answers_and_several_need_a_name() {
    let e = ask("kubernetes_deployment_v1.web", None).unwrap_err();
    assert_eq!(e.to_string(), "kubernetes_deployment_v1.web has 2 containers; set `container` to one of: app, sidecar");
    let a = ask("kubernetes_deployment_v1.web", Some("sidecar")).unwrap();
    assert_eq!(a.image.as_deref(), Some("envoy:1"));
    assert_eq!(a.address, "kubernetes_deployment_v1.web");
}

#[test]
fn container_on_something_that_is_not_a_workload_is_an_error() {
    let e = ask("output.image", Some("app")).unwrap_err();
    assert_eq!(e.to_string(), "\"app\" was given as `container`, but output.image is not a Kubernetes workload with containers; remove `container`, or address a deployment, stateful set, daemon set, job, cron job, pod or kubernetes_manifest");
}

#[test]
fn module_instance_keys_with_dots_and_dynamic_values() {
    let a = ask("module.svc[\"eu.west\"].terraform_data.app[0].output.image", None).unwrap();
    assert_eq!(a.value, serde_json::json!("a/b:1"));
    assert_eq!(a.image.as_deref(), Some("a/b:1"));
    assert_eq!(a.address, "module.svc[\"eu.west\"].terraform_data.app[0].output.image");
}

#[test]
fn misses_explain_themselves() {
    let cases = [
        ("output.imag", "address output.imag not found in s.tfstate; did you mean output.image?"),
        ("kubernetes_deployment_v1.wbe", "address kubernetes_deployment_v1.wbe not found in s.tfstate; did you mean kubernetes_deployment_v1.web?"),
        ("aws_instance.x", "address aws_instance.x not found in s.tfstate"),
        ("module.svc[\"eu.west\"].terraform_data.app", "module.svc[\"eu.west\"].terraform_data.app has several instances (count or for_each); add one of the keys: module.svc[\"eu.west\"].terraform_data.app[0]"),
        ("module.svc[\"eu.west\"].terraform_data.app[3]", "instance module.svc[\"eu.west\"].terraform_data.app[3] not found; the instances are: module.svc[\"eu.west\"].terraform_data.app[0]"),
        ("kubernetes_deployment_v1.web[0]", "instance kubernetes_deployment_v1.web[0] not found: kubernetes_deployment_v1.web has no count or for_each; address it as kubernetes_deployment_v1.web"),
        ("terraform_data.gone", "terraform_data.gone has only a deposed object (it is being replaced); run terraform apply to finish the replacement"),
        ("terraform_data.none", "terraform_data.none is in the state but has no instances (count or for_each is empty, or it was destroyed)"),
        ("kubernetes_deployment_v1.web.spec[0].templates", "kubernetes_deployment_v1.web.spec[0].templates not found: kubernetes_deployment_v1.web.spec[0] has no .templates; it has template"),
        ("kubernetes_deployment_v1.web.spec[1]", "kubernetes_deployment_v1.web.spec[1] not found: kubernetes_deployment_v1.web.spec has no [1]; it has indices [0] to [0]"),
        ("output.image.tag", "output.image.tag not found: output.image (a string) has no .tag; it has only a string value"),
    ];
    for (address, want) in cases {
        assert_eq!(ask(address, None).unwrap_err().to_string(), want, "{address}");
    }
}

#[test]
fn sensitive_outputs_are_secrets() {
    let a = ask("output.token", None).unwrap();
    assert!(a.sensitive);
    assert_eq!(a.secrets, vec!["hunter2".to_string()]);
    assert_eq!(a.image, None);
}

#[test]
fn a_bad_address_names_the_column_and_the_input_is_named_by_the_caller() {
    let e = ask("kubernetes_deployment_v1 .web", None).unwrap_err();
    assert_eq!(e.to_string(), "\"kubernetes_deployment_v1 .web\" is not a Terraform address: white space is not allowed in an address at column 25; write it as Terraform prints it, e.g. output.image, module.app.kubernetes_deployment_v1.web[\"blue\"] or kubernetes_deployment_v1.web.spec[0].replicas");
}

#[test]
fn very_deep_nesting_in_attributes_neither_crashes_nor_answers() {
    let depth = 1_000_000;
    let deep = format!(
        "{{\"version\": 4, \"resources\": [{{\"type\": \"t\", \"name\": \"n\", \"instances\": [{{\"attributes\": {{\"a\": {}{}}}}}]}}]}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let result = parse(deep.as_bytes(), "s.tfstate")
        .and_then(|s| lookup(&s, Lookup { address: "t.n", container: None, origin: "s.tfstate" }).map(|_| ()));
    assert!(result.unwrap_err().to_string().contains("nests JSON more than 128 levels deep"));
}

/// The first error (or "ok") of the whole-file parser and of the streaming loader, each asked
/// for `address`.
fn both_loaders(text: &str, address: &str) -> (String, String) {
    let query = Lookup { address, container: None, origin: "s.tfstate" };
    let whole = parse(text.as_bytes(), "s.tfstate").and_then(|s| lookup(&s, query).map(|_| ()));
    let want = Want::for_address(&parse_address(address).unwrap());
    let streamed = load(text.as_bytes(), Some(text.len() as u64), "s.tfstate", &want)
        .and_then(|l| l.state("s.tfstate").and_then(|s| lookup(&s, query).map(|_| ())));
    let say = |r: Result<()>| r.map_or_else(|e| e.to_string(), |_| "ok".to_string());
    (say(whole), say(streamed))
}

#[test]
fn misshapen_top_level_fields_are_named_the_same_by_both_loaders() {
    let edited = "so this file was edited or not written by Terraform";
    let cases = [
        (
            r#"{"version": 4, "serial": -1, "outputs": {}}"#,
            format!("state s.tfstate is malformed: \"serial\" is -1; Terraform writes a whole number of 0 or more there (it counts the state's changes), {edited}"),
        ),
        (
            r#"{"version": 4, "serial": 1e999}"#,
            format!("state s.tfstate is malformed: \"serial\" is 1e999; Terraform writes a whole number of 0 or more there (it counts the state's changes), {edited}"),
        ),
        (
            r#"{"version": 4, "serial": "7"}"#,
            format!("state s.tfstate is malformed: \"serial\" is \"7\"; Terraform writes a whole number of 0 or more there (it counts the state's changes), {edited}"),
        ),
        (
            r#"{"version": 4, "serial": 18446744073709551616}"#,
            format!("state s.tfstate is malformed: \"serial\" is 18446744073709551616; Terraform writes a whole number of 0 or more there (it counts the state's changes), {edited}"),
        ),
        (
            r#"{"version": 4, "terraform_version": 1.5}"#,
            format!("state s.tfstate is malformed: \"terraform_version\" is 1.5; Terraform writes its version as a string, such as \"1.9.0\" there, {edited}"),
        ),
        (
            r#"{"version": 4, "lineage": {"a": 1}}"#,
            format!("state s.tfstate is malformed: \"lineage\" is an object; Terraform writes a string (an identifier of the state's history) there, {edited}"),
        ),
        (
            r#"{"version": 4, "serial": 1, "version": 4}"#,
            "state s.tfstate is malformed: the top-level \"version\" appears twice; Terraform writes each field once, so this file was edited or not written by Terraform: keep one".to_string(),
        ),
        (
            r#"{"version": 4, "resources": [], "outputs": {}, "resources": []}"#,
            "state s.tfstate is malformed: the top-level \"resources\" appears twice; Terraform writes each field once, so this file was edited or not written by Terraform: keep one".to_string(),
        ),
        (
            r#"{"outputs": {}, "outputs": {}, "version": 4}"#,
            "state s.tfstate is malformed: the top-level \"outputs\" appears twice; Terraform writes each field once, so this file was edited or not written by Terraform: keep one".to_string(),
        ),
        (
            r#"{"version": 4, "serial": -1, "serial": 2}"#,
            "state s.tfstate is malformed: the top-level \"serial\" appears twice; Terraform writes each field once, so this file was edited or not written by Terraform: keep one".to_string(),
        ),
        (
            r#"{"version": 4, "modules": []}"#,
            "state s.tfstate is malformed: it says version 4 but has \"modules\" (a version 3 layout) and no \"resources\"".to_string(),
        ),
        (
            r#"{"version": 4, "serial": -1, "encrypted_data": "AAAA"}"#,
            "state s.tfstate is encrypted by OpenTofu (it has `encrypted_data`); decrypt it first, e.g. with `tofu show -json`, or read an unencrypted state".to_string(),
        ),
        (
            &format!(r#"{{"version": 4, "serial": 1{}}}"#, "0".repeat(100_000)),
            format!("state s.tfstate is malformed: \"serial\" is 1{}… (100001 characters); Terraform writes a whole number of 0 or more there (it counts the state's changes), {edited}", "0".repeat(39)),
        ),
        (
            &format!(r#"{{"version": "{}\n::error::x"}}"#, "4".repeat(100_000)),
            format!("s.tfstate is not a Terraform state: its \"version\" is \"{}…\" (100011 characters), not a whole number", "4".repeat(80)),
        ),
        (r#"{"version": 4, "serial": null, "lineage": null, "modules": null, "backend": {}, "encrypted_data": null}"#, "ok".to_string()),
    ];
    for (text, want) in &cases {
        let (whole, streamed) = both_loaders(text, "output.x");
        let whole = whole.replace("address output.x not found in s.tfstate", "ok");
        let streamed = streamed.replace("address output.x not found in s.tfstate", "ok");
        assert_eq!(whole, *want, "{text:.80}");
        assert_eq!(streamed, *want, "{text:.80} (streamed)");
    }
}

/// A version 3 state with one resource `t.n` whose attributes are `pairs`.
fn v3_state(pairs: impl Iterator<Item = (String, String)>) -> String {
    let attributes: Vec<String> = pairs.map(|(k, v)| format!("{k:?}: {v:?}")).collect();
    format!(
        r#"{{"version": 3, "modules": [{{"path": ["root"], "resources": {{"t.n": {{"primary": {{"attributes": {{{}}}}}}}}}}}]}}"#,
        attributes.join(", ")
    )
}

fn ask_text(text: &str, address: &str) -> Result<Answer> {
    let state = parse(text.as_bytes(), "s.tfstate")?;
    lookup(&state, Lookup { address, container: None, origin: "s.tfstate" })
}

#[test]
fn a_legacy_key_of_100000_segments_is_too_deep_not_a_stack_overflow() {
    let key = "a.0.".repeat(50_000) + "x";
    let text = v3_state([(key, "v".to_string())].into_iter());
    let e = ask_text(&text, "t.n.a").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "state s.tfstate is malformed: the attributes of t.n nest more than 128 levels deep (key \"{}…\" (200001 characters)); Terraform never writes that, so this file is not a state",
            "a.0.".repeat(20)
        )
    );
}

#[test]
fn a_legacy_list_of_160000_items_is_read_in_one_pass() {
    let n = 160_000;
    let items = (0..n).map(|i| (format!("x.{i}"), format!("v{i}")));
    let text = v3_state([("x.#".to_string(), n.to_string())].into_iter().chain(items));
    assert_eq!(ask_text(&text, "t.n.x[-1]").unwrap().value, serde_json::json!("v159999"));
}

#[test]
fn a_miss_among_80000_keys_computes_each_distance_once() {
    let keys: serde_json::Map<String, serde_json::Value> =
        (0..80_000).map(|i| (format!("key_{i:05}"), serde_json::json!(i))).collect();
    let text = serde_json::json!({"version": 4, "resources": [{"type": "t", "name": "n", "instances": [{"attributes": {"m": keys}}]}]})
        .to_string();
    let e = ask_text(&text, "t.n.m.key_4000x").unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.n.m.key_4000x not found: t.n.m has no .key_4000x; it has key_40000, key_40001, key_40002, key_40003, key_40004, key_40005, key_40006, key_40007, key_40008, key_40009, key_00000, key_00001 and 79988 more"
    );
}

#[test]
fn a_miss_under_a_sensitive_value_lists_nothing_of_it() {
    let text = r#"{"version": 4,
      "outputs": {"db": {"value": {"password_prod": "x", "user": "y"}, "type": ["object", {}], "sensitive": true}},
      "resources": [{"type": "t", "name": "n", "instances": [{
        "attributes": {"data": {"api_key_for_acme": "s3cr3t"}, "meta": {"labels": {"team": "a"}}, "list": ["p"]},
        "sensitive_attributes": [[{"type": "get_attr", "value": "data"}], [{"type": "get_attr", "value": "list"}]]}]}]}"#;
    let cases = [
        ("output.db.password", "output.db.password not found: output.db (sensitive) has no .password"),
        ("t.n.data.api_key", "t.n.data.api_key not found: t.n.data (sensitive) has no .api_key"),
        ("t.n.list[3]", "t.n.list[3] not found: t.n.list (sensitive) has no [3]"),
        ("t.n.meta.labels.tam", "t.n.meta.labels.tam not found: t.n.meta.labels has no .tam; it has team"),
    ];
    for (address, want) in cases {
        let (whole, streamed) = both_loaders(text, address);
        assert_eq!(whole, want, "{address}");
        assert_eq!(streamed, want, "{address} (streamed)");
    }
}

#[test]
fn state_data_in_messages_is_a_short_escaped_excerpt() {
    let long_key = "k".repeat(100_000);
    let text = serde_json::json!({"version": 4, "resources": [{"type": "t", "name": "n", "each": "map", "instances": [
        {"index_key": "a\n::error::x", "attributes": {"m": {"b\n::error::y": 1}}},
        {"index_key": long_key, "attributes": {}}]}]})
    .to_string();
    let cases = [
        (
            "t.n[\"zz\"]",
            format!("instance t.n[\"zz\"] not found; the instances are: t.n[\"a\\n::error::x\"], t.n[\"{}…\" (100000 characters)]", "k".repeat(80)),
        ),
        (
            "t.n[\"a\\n::error::x\"].m.c",
            "t.n[\"a\\n::error::x\"].m.c not found: t.n[\"a\\n::error::x\"].m has no .c; it has \"b\\n::error::y\"".to_string(),
        ),
    ];
    for (address, want) in cases {
        assert_eq!(ask_text(&text, address).unwrap_err().to_string(), want, "{address}");
    }
}

/// Zeros, or bytes from a small generator, without end: reading it all would never finish.
struct Endless {
    random: bool,
    seed: u64,
    served: usize,
}

impl std::io::Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.served > 64 << 20 {
            return Err(std::io::Error::other("read 64 MiB of a file that should have failed on its first bytes"));
        }
        for b in buf.iter_mut() {
            self.seed = self.seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            *b = if self.random { (self.seed >> 56) as u8 } else { 0 };
        }
        self.served += buf.len();
        Ok(buf.len())
    }
}

#[test]
fn zeros_or_random_bytes_fail_on_the_first_chunk_without_reading_on() {
    let want = Want::Outputs;
    let zeros = load(Endless { random: false, seed: 1, served: 0 }, None, "s.tfstate", &want).unwrap_err();
    assert_eq!(zeros.to_string(), "state s.tfstate is not valid JSON: expected value at line 1, column 1");
    let random = load(Endless { random: true, seed: 7, served: 0 }, None, "s.tfstate", &want).unwrap_err();
    assert!(matches!(random, Error::NotText { .. }), "{random}");
    // A state that starts well but breaks early fails there too.
    let mut broken = b"{\"version\": 3, \"modules\": [}".to_vec();
    broken.extend(std::iter::repeat_n(b' ', 3 << 20));
    let e = load(std::io::Read::chain(&broken[..], Endless { random: false, seed: 1, served: 0 }), None, "s", &want);
    assert_eq!(e.unwrap_err().to_string(), "state s is not valid JSON: expected value at line 1, column 28");
}
