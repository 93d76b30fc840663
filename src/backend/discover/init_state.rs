//! `.terraform/terraform.tfstate`, which `terraform init` writes: not a state, but the backend
//! the directory was initialised with and its merged settings (block and `-backend-config`
//! alike, secrets in clear text; `null` for a key left unset or set from the environment).

use serde::Deserialize;
use serde_json::{Map, Value};

use super::Discovered;
use crate::backend::config::From;

#[derive(Deserialize)]
struct BackendState {
    version: u64,
    backend: Option<Recorded>,
}

#[derive(Deserialize)]
struct Recorded {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    config: Option<Map<String, Value>>,
}

/// The backend `text` records (`given` names the file); `None` when it records none (a newer
/// Terraform's `state_store`): then the directory's files say.
pub fn init_state(text: &str, given: &str) -> Result<Option<Discovered>, String> {
    let advice = "run terraform init there again, or set input `backend` and `backend-config`";
    // Only where, never serde's words: they may quote a value, and a value may be a secret.
    let read: BackendState = serde_json::from_str(text).map_err(|e| {
        let what = if e.is_data() { "an unexpected value" } else { "not valid JSON" };
        format!(
            "{given} is not the backend settings terraform init writes ({what} at line {} column {}); {advice}",
            e.line(),
            e.column()
        )
    })?;
    if read.version != 3 {
        return Err(format!(
            "{given} has version {} of terraform init's backend settings, and only version 3 is known; {advice}",
            read.version
        ));
    }
    Ok(read.backend.map(|b| {
        let from = From::InitState { path: given.to_string() };
        Discovered::new(&b.kind, b.config.unwrap_or_default().into_iter().map(|(k, v)| (k, v, from.clone())))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What `terraform init` 1.11 wrote for `backend "pg" {}` with `-backend-config=conn_str=…`
    /// (SPEC §1.4(b)): every key of the schema, null when unset.
    const PG: &str = r#"{
    "version": 3,
    "terraform_version": "1.11.4",
    "backend": {
        "type": "pg",
        "config": {
            "conn_str": "postgres://terraform:s3cret@127.0.0.1:5432/tfstate?sslmode=disable",
            "schema_name": null,
            "skip_index_creation": null,
            "skip_schema_creation": null,
            "skip_table_creation": null
        },
        "hash": 1949691007
    }
}"#;

    #[test]
    fn the_backend_and_its_set_values_are_read_and_nulls_are_unset() {
        let found = init_state(PG, "infra/.terraform/terraform.tfstate").unwrap().unwrap();
        assert_eq!(found.backend, "pg");
        let entries: Vec<(&str, &Value)> = found.entries.iter().map(|e| (e.key.as_str(), &e.value)).collect();
        assert_eq!(
            entries,
            [("conn_str", &json!("postgres://terraform:s3cret@127.0.0.1:5432/tfstate?sslmode=disable"))]
        );
        assert_eq!(found.entries[0].from, From::InitState { path: "infra/.terraform/terraform.tfstate".into() });
    }

    #[test]
    fn what_real_terraform_init_wrote_for_an_http_backend_is_read_key_for_key() {
        let text = include_str!("../../../tests/fixtures/backend-settings/http.terraform.tfstate");
        let found = init_state(text, "infra/.terraform/terraform.tfstate").unwrap().unwrap();
        assert_eq!(found.backend, "http");
        let entries: Vec<(&str, &Value)> = found.entries.iter().map(|e| (e.key.as_str(), &e.value)).collect();
        assert_eq!(
            entries,
            [
                ("address", &json!("http://127.0.0.1:9/state")),
                ("password", &json!("s3cret")),
                ("username", &json!("ci")),
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_what_init_writes_is_a_problem_that_quotes_nothing_of_it() {
        let e = init_state("{\"version\":3,\"backend\":{\"type\":7}}", "x/.terraform/terraform.tfstate").unwrap_err();
        assert_eq!(e, "x/.terraform/terraform.tfstate is not the backend settings terraform init writes (an unexpected value at line 1 column 32); run terraform init there again, or set input `backend` and `backend-config`");
        assert_eq!(
            init_state("{\"version\":4}", "t").unwrap_err(),
            "t has version 4 of terraform init's backend settings, and only version 3 is known; run terraform init there again, or set input `backend` and `backend-config`"
        );
        assert_eq!(init_state("{\"version\":3}", "t"), Ok(None));
    }
}
