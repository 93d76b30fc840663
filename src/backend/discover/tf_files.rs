//! The `backend "<type>" { … }` or `cloud { … }` block in a working directory's `terraform {}`
//! blocks, as Terraform reads them before `terraform init`: every `*.tf` and `*.tf.json` file,
//! then the override files (`override.tf`, `*_override.tf`, and their `.json` forms), whose
//! backend block replaces the one before.

use serde_json::Value;

use super::hcl;
use super::{Discovered, WorkingDir};
use crate::backend::config::From;

/// A backend block found: its type, settings and where.
struct Block {
    backend: String,
    attributes: Vec<(String, Value, usize)>,
    file: String,
    line: usize,
}

fn is_override(name: &str) -> bool {
    let stem = name.strip_suffix(".json").unwrap_or(name).trim_end_matches(".tf");
    stem == "override" || stem.ends_with("_override")
}

/// The backend block of `dir`'s Terraform files; `None` when there is none.
pub fn backend_block(dir: &WorkingDir) -> Result<Option<Discovered>, Vec<String>> {
    let mut names: Vec<String> = dir
        .list()
        .map_err(|e| vec![e])?
        .into_iter()
        .filter(|n| (n.ends_with(".tf") || n.ends_with(".tf.json")) && !n.starts_with('.'))
        .collect();
    // Terraform reads the primary files, then the overrides, each group in name order.
    names.sort_by_key(|n| (is_override(n), n.clone()));
    let mut problems = Vec::new();
    let mut chosen: Option<Block> = None;
    for name in names {
        let (_, given) = dir.named(&name);
        let text = match dir.read(&name) {
            Ok(Some(text)) => text,
            Ok(None) => continue,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let blocks = if name.ends_with(".json") { json_blocks(&text, &given) } else { hcl_blocks(&text, &given) };
        for block in blocks.unwrap_or_else(|p| {
            problems.extend(p);
            Vec::new()
        }) {
            match &chosen {
                Some(first) if !is_override(&name) => problems.push(format!(
                    "{} line {}: a second backend block (the first is in {} line {}); Terraform allows one: remove one of them",
                    block.file, block.line, first.file, first.line
                )),
                _ => chosen = Some(block),
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(chosen.map(|b| {
        let file = b.file;
        Discovered::new(
            &b.backend,
            b.attributes.into_iter().map(|(k, v, line)| (k, v, From::Block { file: file.clone(), line })),
        )
    }))
}

fn message(given: &str, p: hcl::Problem) -> String {
    match p.key {
        Some(key) => format!("{given} line {}: `{key}` of the backend block {}", p.line, p.message),
        None => format!("{given} line {}: {}", p.line, p.message),
    }
}

fn hcl_blocks(text: &str, given: &str) -> Result<Vec<Block>, Vec<String>> {
    use hcl_edit::Span;
    let body = hcl::parse(text).map_err(|p| vec![message(given, p)])?;
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for terraform in body.get_blocks("terraform") {
        for block in terraform.body.blocks() {
            let backend = match block.ident.as_str() {
                "backend" => match block.labels.first() {
                    Some(label) => label.as_str().to_string(),
                    None => continue,
                },
                // HCP Terraform's block; `terraform init` records it as backend "cloud".
                "cloud" => "cloud".to_string(),
                _ => continue,
            };
            let line = hcl::line_of(text, block.span().map_or(0, |s| s.start));
            match hcl::attributes(&block.body, text) {
                Ok(attributes) => found.push(Block { backend, attributes, file: given.to_string(), line }),
                Err(p) => problems.extend(p.into_iter().map(|p| message(given, p))),
            }
        }
    }
    if problems.is_empty() {
        Ok(found)
    } else {
        Err(problems)
    }
}

/// The line where `needle` first appears in `text` (JSON keeps no positions once parsed).
fn line_of_text(text: &str, needle: &str) -> usize {
    text.find(needle).map_or(1, |at| hcl::line_of(text, at))
}

/// Terraform's JSON syntax: `{"terraform": {"backend": {"<type>": {…}}}}`, where `terraform`
/// (and `backend`) may also be a list of such objects. Values are JSON already, and literal.
fn json_blocks(text: &str, given: &str) -> Result<Vec<Block>, Vec<String>> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| vec![format!("{given} line {}: is not valid JSON at column {}", e.line(), e.column())])?;
    let each = |v: &Value| -> Vec<Value> {
        match v {
            Value::Array(items) => items.clone(),
            Value::Null => Vec::new(),
            other => vec![other.clone()],
        }
    };
    let mut found = Vec::new();
    for terraform in root.get("terraform").map(each).unwrap_or_default() {
        let mut kinds: Vec<(String, Value)> = Vec::new();
        for backends in terraform.get("backend").map(each).unwrap_or_default() {
            if let Value::Object(map) = backends {
                kinds.extend(map);
            }
        }
        for cloud in terraform.get("cloud").map(each).unwrap_or_default() {
            kinds.push(("cloud".to_string(), cloud));
        }
        for (backend, settings) in kinds {
            let settings = each(&settings).into_iter().next().unwrap_or_default();
            let line = line_of_text(text, &format!("\"{backend}\""));
            let attributes = match settings {
                Value::Object(map) => map.into_iter().map(|(k, v)| (k, v, line)).collect(),
                _ => Vec::new(),
            };
            found.push(Block { backend, attributes, file: given.to_string(), line });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;
    use serde_json::json;

    fn dir_with(files: &[(&str, &str)]) -> (tempfile::TempDir, WorkingDir) {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("infra")).unwrap();
        for (name, text) in files {
            std::fs::write(tmp.path().join("infra").join(name), text).unwrap();
        }
        let context = Context { workspace: tmp.path().to_string_lossy().into_owned(), ..Context::default() };
        let dir = WorkingDir::of_state(&context, "infra").unwrap();
        (tmp, dir)
    }

    fn keys(found: &Discovered) -> Vec<(String, Value, From)> {
        found.entries.iter().map(|e| (e.key.clone(), e.value.clone(), e.from.clone())).collect()
    }

    #[test]
    fn the_backend_block_of_the_tf_files_is_found_with_each_value_at_its_line() {
        let main = "resource \"x\" \"y\" {}\n\nterraform {\n  required_version = \">= 1.5\"\n  backend \"kubernetes\" {\n    secret_suffix = \"app\"\n    namespace     = \"tfstate\"\n  }\n}\n";
        let (_tmp, dir) = dir_with(&[("main.tf", main), ("vars.tf", "variable \"a\" {}\n")]);
        let found = backend_block(&dir).unwrap().unwrap();
        assert_eq!(found.backend, "kubernetes");
        let at = |line| From::Block { file: "infra/main.tf".into(), line };
        assert_eq!(
            keys(&found),
            [("secret_suffix".into(), json!("app"), at(6)), ("namespace".into(), json!("tfstate"), at(7))]
        );
    }

    #[test]
    fn an_override_file_replaces_the_block_and_json_files_count_too() {
        let (_tmp, dir) = dir_with(&[
            ("main.tf.json", "{\"terraform\": {\"backend\": {\"pg\": {\"schema_name\": \"dev\"}}}}"),
            ("backend_override.tf", "terraform {\n  backend \"http\" {\n    address = \"https://x/state\"\n  }\n}\n"),
        ]);
        let found = backend_block(&dir).unwrap().unwrap();
        assert_eq!(found.backend, "http");
        assert_eq!(found.entries[0].from, From::Block { file: "infra/backend_override.tf".into(), line: 3 });
        let (_tmp, dir) =
            dir_with(&[("main.tf.json", "{\"terraform\": [{\"backend\": [{\"pg\": [{\"schema_name\": \"dev\"}]}]}]}")]);
        let found = backend_block(&dir).unwrap().unwrap();
        assert_eq!((found.backend.as_str(), found.entries[0].value.clone()), ("pg", json!("dev")));
    }

    #[test]
    fn a_cloud_block_is_the_cloud_backend_and_no_block_is_none() {
        let (_tmp, dir) = dir_with(&[("main.tf", "terraform {\n  cloud {\n    organization = \"acme\"\n  }\n}\n")]);
        assert_eq!(backend_block(&dir).unwrap().unwrap().backend, "cloud");
        let (_tmp, dir) = dir_with(&[("main.tf", "terraform {\n  required_version = \">= 1\"\n}\n")]);
        assert_eq!(backend_block(&dir).unwrap(), None);
    }

    #[test]
    fn two_backend_blocks_a_variable_in_one_and_broken_hcl_are_problems_at_their_lines() {
        let (_tmp, dir) = dir_with(&[
            ("a.tf", "terraform {\n  backend \"pg\" {\n    conn_str = var.conn\n  }\n}\n"),
            ("b.tf", "terraform {\n  backend \"http\" {}\n}\n"),
            ("c.tf", "terraform {\n"),
        ]);
        let problems = backend_block(&dir).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(
            problems[0],
            "infra/a.tf line 3: `conn_str` of the backend block is a reference to a variable or resource, not a literal value; Terraform accepts only literal values in a backend's settings: write the value itself"
        );
        assert!(problems[1].starts_with("infra/c.tf line "), "{}", problems[1]);
        let (_tmp, dir) = dir_with(&[
            ("a.tf", "terraform {\n  backend \"pg\" {}\n}\n"),
            ("b.tf", "terraform {\n  backend \"http\" {}\n}\n"),
        ]);
        assert_eq!(
            backend_block(&dir).unwrap_err(),
            ["infra/b.tf line 2: a second backend block (the first is in infra/a.tf line 2); Terraform allows one: remove one of them"]
        );
    }
}
