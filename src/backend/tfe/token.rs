//! Where Terraform's CLI finds a host's token besides the `token` setting
//! (`internal/command/cliconfig/credentials.go`): `TF_TOKEN_<host>` variables, the CLI config's
//! `credentials "<host>"` blocks, and `credentials.tfrc.json`. Pure: the caller reads the files.

use std::collections::BTreeMap;

use hcl_edit::structure::Structure;

use super::Token;
use crate::secret::Secret;

/// The host a `TF_TOKEN_` variable's name stands for, as Terraform decodes it: `__` is a dash,
/// `_` a dot; lower case.
pub fn host_of(name: &str) -> Option<String> {
    let raw = name.strip_prefix("TF_TOKEN_")?;
    Some(raw.replace("__", "\u{0}").replace('_', ".").replace('\u{0}', "-").to_ascii_lowercase())
}

/// The token of `hostname` from the `TF_TOKEN_<host>` variables: the host as written (with its
/// port, `TF_TOKEN_localhost:8443`), else without its port (`TF_TOKEN_localhost`).
pub fn from_env(vars: &BTreeMap<String, String>, hostname: &str) -> Option<Token> {
    let bare = hostname.split(':').next().unwrap_or(hostname);
    for wanted in [hostname, bare] {
        for (name, value) in vars.iter().filter(|(_, v)| !v.trim().is_empty()) {
            if host_of(name).as_deref() == Some(wanted) {
                return Some(Token { value: Secret::new(value.trim()), from: format!("environment variable {name}") });
            }
        }
    }
    None
}

/// The token of a `credentials "<hostname>" { token = "…" }` block of a CLI config file; an
/// error says why the file cannot be read (never with a value from it).
pub fn from_cli_config(text: &str, hostname: &str) -> Result<Option<String>, String> {
    let body = hcl_edit::parser::parse_body(text)
        .map_err(|e| format!("is not valid HCL at line {}, column {}", e.location().line(), e.location().column()))?;
    for block in body.get_blocks("credentials") {
        let host = block.labels.first().map(|l| l.as_str().to_ascii_lowercase());
        if host.as_deref() != Some(hostname) {
            continue;
        }
        for structure in block.body.iter() {
            if let Structure::Attribute(a) = structure {
                if a.key.as_str() == "token" {
                    // The same literals the backend block takes: a quoted string or a heredoc
                    // without interpolation.
                    return match crate::backend::discover::hcl::literal(&a.value) {
                        Ok(serde_json::Value::String(s)) => Ok(Some(s.trim().to_string())),
                        _ => Err(format!("the credentials \"{hostname}\" block's `token` is not a literal string")),
                    };
                }
            }
        }
    }
    Ok(None)
}

/// The token of `hostname` in a `credentials.tfrc.json` (`{"credentials":{"<host>":{"token":…}}}`).
pub fn from_credentials_json(text: &str, hostname: &str) -> Result<Option<String>, String> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|_| "is not JSON".to_string())?;
    let Some(hosts) = doc.get("credentials").and_then(|c| c.as_object()) else { return Ok(None) };
    Ok(hosts
        .iter()
        .find(|(h, _)| h.to_ascii_lowercase() == hostname)
        .and_then(|(_, c)| c.get("token")?.as_str().map(str::to_string))
        .filter(|t| !t.is_empty()))
}
