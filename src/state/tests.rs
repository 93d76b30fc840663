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
    assert_eq!(
        e.to_string(),
        "kubernetes_deployment_v1.web has 2 containers; set input `container` to one of: app, sidecar"
    );
    let a = ask("kubernetes_deployment_v1.web", Some("sidecar")).unwrap();
    assert_eq!(a.image.as_deref(), Some("envoy:1"));
    assert_eq!(a.address, "kubernetes_deployment_v1.web");
}

#[test]
fn container_on_something_that_is_not_a_workload_is_an_error() {
    let e = ask("output.image", Some("app")).unwrap_err();
    assert_eq!(e.to_string(), "input `container`: \"app\" was given, but output.image is not a Kubernetes workload with containers; remove `container`, or address a deployment, stateful set, daemon set, job, cron job, pod or kubernetes_manifest");
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
fn a_bad_address_names_the_input_and_column() {
    let e = ask("kubernetes_deployment_v1 .web", None).unwrap_err();
    assert_eq!(e.to_string(), "input `address`: \"kubernetes_deployment_v1 .web\" is not a Terraform address: white space is not allowed in an address at column 25; write it as Terraform prints it, e.g. output.image, module.app.kubernetes_deployment_v1.web[\"blue\"] or kubernetes_deployment_v1.web.spec[0].replicas");
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
