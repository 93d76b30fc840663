//! The HCL a backend's settings are written in — the `backend` block of a Terraform file, a
//! `*.tfbackend` file, a list or map value of `backend-config` — read into JSON values with
//! `hcl-edit`. Only literal values are Terraform's there: a variable, a function call or an
//! interpolation is refused by name, never guessed at.

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::Element;
use hcl_edit::Span;
use serde_json::{Map, Value};

/// One attribute, or a nested block taken as a map: its key, value and 1-based line.
pub type Attribute = (String, Value, usize);

/// Why a text is not what was expected, at a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line.
    pub line: usize,
    /// The key, when the problem is one attribute's.
    pub key: Option<String>,
    /// What is wrong (never the value itself: it may be a secret).
    pub message: String,
}

/// The 1-based line of byte `offset` of `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Parses `text` as an HCL body.
pub fn parse(text: &str) -> Result<Body, Problem> {
    hcl_edit::parser::parse_body(text).map_err(|e| Problem {
        line: e.location().line(),
        key: None,
        message: format!("is not valid HCL at column {}: {}", e.location().column(), e.message()),
    })
}

/// The attributes of `body`, and its nested blocks as maps (as `terraform init` records a nested
/// block such as kubernetes' `exec {}`); every non-literal value is a problem.
pub fn attributes(body: &Body, text: &str) -> Result<Vec<Attribute>, Vec<Problem>> {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for structure in body.iter() {
        let line = line_of(text, structure.span().map_or(0, |s| s.start));
        match structure {
            Structure::Attribute(a) => match literal(&a.value) {
                Ok(value) => found.push((a.key.to_string(), value, line)),
                Err(what) => problems.push(not_literal(line, &a.key, what)),
            },
            Structure::Block(b) => match attributes(&b.body, text) {
                Ok(inner) => {
                    let map: Map<String, Value> = inner.into_iter().map(|(k, v, _)| (k, v)).collect();
                    found.push((b.ident.to_string(), Value::Object(map), line));
                }
                Err(inner) => problems.extend(inner),
            },
        }
    }
    if problems.is_empty() {
        Ok(found)
    } else {
        Err(problems)
    }
}

fn not_literal(line: usize, key: &str, what: &str) -> Problem {
    Problem {
        line,
        key: Some(key.to_string()),
        message: format!("is {what}, not a literal value; Terraform accepts only literal values in a backend's settings: write the value itself"),
    }
}

/// An HCL expression given as text (a `backend-config` value that opens with `[` or `{`).
pub fn expression(text: &str) -> Result<Value, String> {
    let expr = hcl_edit::parser::parse_expr(text)
        .map_err(|e| format!("is not a valid HCL list or map at column {}: {}", e.location().column(), e.message()))?;
    literal(&expr).map_err(|what| format!("is {what}, not a literal value; write the value itself"))
}

/// The value of a literal expression; else what the expression is, for the message.
pub fn literal(expr: &Expression) -> Result<Value, &'static str> {
    Ok(match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => {
            // Whole numbers stay integers: a port is 5432, not 5432.0.
            let n = n.value();
            n.as_i64()
                .map(Value::from)
                .or_else(|| n.as_u64().map(Value::from))
                .or_else(|| n.as_f64().and_then(serde_json::Number::from_f64).map(Value::Number))
                .unwrap_or(Value::Null)
        }
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::Array(items) => Value::Array(items.iter().map(literal).collect::<Result<_, _>>()?),
        Expression::Object(object) => {
            let mut map = Map::new();
            for (key, value) in object.iter() {
                let key = match key {
                    ObjectKey::Ident(ident) => ident.to_string(),
                    ObjectKey::Expression(e) => match literal(e)? {
                        Value::String(s) => s,
                        _ => return Err("a map whose key is not a string"),
                    },
                };
                map.insert(key, literal(value.expr())?);
            }
            Value::Object(map)
        }
        Expression::StringTemplate(t) => Value::String(text_of(t.iter())?),
        Expression::HeredocTemplate(h) => {
            let mut h = h.clone();
            h.dedent();
            Value::String(text_of(h.template.iter())?)
        }
        Expression::Parenthesis(p) => literal(p.inner())?,
        Expression::Variable(_) | Expression::Traversal(_) => return Err("a reference to a variable or resource"),
        Expression::FuncCall(_) => return Err("a function call"),
        _ => return Err("an expression"),
    })
}

/// The text of a template made of literal parts only (a string with an escape, a heredoc).
fn text_of<'a>(elements: impl Iterator<Item = &'a Element>) -> Result<String, &'static str> {
    elements.map(|e| e.as_literal().map(|l| l.as_str()).ok_or("an interpolation")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(text: &str) -> Result<Vec<Attribute>, Vec<Problem>> {
        attributes(&parse(text).unwrap(), text)
    }

    #[test]
    fn literal_values_of_every_kind_are_read_with_their_lines() {
        let text = "secret_suffix = \"app\"\ninsecure = true\nport = 5432\nconfig_paths = [\"a\", \"b\"]\nlabels = { team = \"payments\", \"x.y/z\" = \"1\" }\nclient_key = <<-EOT\n  -----BEGIN KEY-----\n  abc\n  EOT\nexec {\n  command = \"aws\"\n}\n";
        let got = attrs(text).unwrap();
        assert_eq!(
            got,
            vec![
                ("secret_suffix".into(), json!("app"), 1),
                ("insecure".into(), json!(true), 2),
                ("port".into(), json!(5432), 3),
                ("config_paths".into(), json!(["a", "b"]), 4),
                ("labels".into(), json!({"team": "payments", "x.y/z": "1"}), 5),
                ("client_key".into(), json!("-----BEGIN KEY-----\nabc\n"), 6),
                ("exec".into(), json!({"command": "aws"}), 10),
            ]
        );
    }

    #[test]
    fn a_value_that_is_not_literal_is_a_problem_naming_its_key_and_what_it_is() {
        let problems = attrs("host = var.host\nns = \"${local.ns}\"\npath = file(\"x\")\n").unwrap_err();
        let said: Vec<(usize, Option<&str>, &str)> =
            problems.iter().map(|p| (p.line, p.key.as_deref(), p.message.split(',').next().unwrap())).collect();
        assert_eq!(
            said,
            [
                (1, Some("host"), "is a reference to a variable or resource"),
                (2, Some("ns"), "is an interpolation"),
                (3, Some("path"), "is a function call"),
            ]
        );
    }

    #[test]
    fn an_expression_given_as_text_is_a_list_or_map_or_a_problem() {
        assert_eq!(expression("{team=\"payments\"}"), Ok(json!({"team": "payments"})));
        assert_eq!(expression("[\"a\",\"b\"]"), Ok(json!(["a", "b"])));
        assert!(expression("[var.x]").unwrap_err().starts_with("is a reference to a variable"));
        assert!(expression("{a=").unwrap_err().starts_with("is not a valid HCL list or map at column"));
    }

    #[test]
    fn invalid_hcl_is_a_problem_at_its_line() {
        let p = parse("a = 1\nb = = 2\n").unwrap_err();
        assert_eq!(p.line, 2);
        assert!(p.message.starts_with("is not valid HCL at column"), "{}", p.message);
    }
}
