//! An Entra ID (Azure AD) access token for Azure Storage, as Terraform's azurerm backend gets
//! one with `use_azuread_auth`: the client credentials grant at
//! `<login endpoint>/<tenant>/oauth2/v2.0/token` for the scope `https://storage.azure.com/.default`,
//! with a client secret, or with a federated token (OIDC) as the client assertion — the GitHub
//! OIDC token (audience `api://AzureADTokenExchange`) that azure/login also uses.
//!
//! Every function here is pure: requests built, answers read. The token obtained is a
//! [`Secret`] and is never printed.

use serde::Deserialize;

use super::error::Error;
use crate::host::{HttpRequest, HttpResponse};
use crate::secret::Secret;
use crate::text::said;

/// The audience of the GitHub OIDC token that Entra ID takes in exchange (go-azure-sdk's
/// `GitHubOIDCAuthorizer`, azure/login).
pub const AUDIENCE: &str = "api://AzureADTokenExchange";

/// The scope of a token for Azure Storage's data plane.
pub const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";

use crate::encode::component as form;

/// The GitHub OIDC token request: `GET <request url>&audience=api://AzureADTokenExchange` with
/// the runner's request token as a Bearer (`ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN`).
pub fn oidc_request(url: &str, token: &Secret, timeout_ms: u64) -> HttpRequest {
    let sep = if url.contains('?') { '&' } else { '?' };
    HttpRequest {
        method: "GET".into(),
        url: format!("{url}{sep}audience={}", form(AUDIENCE)),
        headers: vec![
            ("authorization".into(), format!("Bearer {}", token.expose())),
            ("accept".into(), "application/json".into()),
        ],
        body: Vec::new(),
        timeout_ms,
        tls: None,
    }
}

/// The ID token from the GitHub OIDC endpoint's answer (`{"value": "<jwt>"}`).
pub fn oidc_answer(url: &str, response: &HttpResponse) -> Result<Secret, Error> {
    #[derive(Deserialize)]
    struct Answer {
        value: Option<String>,
    }
    let url = crate::host::without_query(url).to_string();
    if response.status != 200 {
        return Err(Error::OidcRequest { url, status: response.status, said: said(&response.body) });
    }
    match serde_json::from_slice::<Answer>(&response.body).ok().and_then(|a| a.value).filter(|v| !v.is_empty()) {
        Some(value) => Ok(Secret::new(value)),
        None => Err(Error::OidcRequest { url, status: 200, said: "\"no `value` in the answer\"".into() }),
    }
}

/// How the application proves itself to Entra ID.
pub enum Credential<'a> {
    /// `client_secret`.
    Secret(&'a Secret),
    /// A federated token (the GitHub OIDC token, or `oidc_token`).
    Assertion(&'a Secret),
}

/// The token endpoint of `tenant` at `login` (`https://login.microsoftonline.com`).
pub fn token_url(login: &str, tenant: &str) -> String {
    format!("{}/{}/oauth2/v2.0/token", login.trim_end_matches('/'), form(tenant))
}

/// The client credentials grant for Azure Storage.
pub fn token_request(url: &str, client_id: &str, credential: Credential<'_>, timeout_ms: u64) -> HttpRequest {
    let mut pairs = vec![("grant_type", "client_credentials"), ("client_id", client_id), ("scope", STORAGE_SCOPE)];
    match &credential {
        Credential::Secret(s) => pairs.push(("client_secret", s.expose())),
        Credential::Assertion(a) => {
            pairs.push(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
            pairs.push(("client_assertion", a.expose()));
        }
    }
    let body = crate::encode::form(&pairs);
    HttpRequest {
        method: "POST".into(),
        url: url.to_string(),
        headers: vec![
            ("content-type".into(), "application/x-www-form-urlencoded".into()),
            ("accept".into(), "application/json".into()),
        ],
        body,
        timeout_ms,
        tls: None,
    }
}

/// The access token from the token endpoint's answer, or what Entra ID said.
pub fn token_answer(url: &str, client_id: &str, response: &HttpResponse) -> Result<Secret, Error> {
    #[derive(Deserialize)]
    struct Answer {
        access_token: Option<String>,
        error: Option<String>,
        error_description: Option<String>,
        error_codes: Option<Vec<u64>>,
    }
    let answer = serde_json::from_slice::<Answer>(&response.body).ok();
    if response.status == 200 {
        if let Some(token) = answer.as_ref().and_then(|a| a.access_token.clone()).filter(|t| !t.is_empty()) {
            return Ok(Secret::new(token));
        }
    }
    let (code, said) = match answer {
        Some(a) if a.error.is_some() || a.error_description.is_some() => {
            let description = a.error_description.unwrap_or_default();
            // "AADSTS700016: Application with identifier … Trace ID: …": the first line says it.
            let first = description.lines().next().unwrap_or_default().trim().to_string();
            let code = first
                .split(':')
                .next()
                .filter(|c| c.starts_with("AADSTS"))
                .map(str::to_string)
                .or_else(|| a.error_codes.and_then(|c| c.first().map(|n| format!("AADSTS{n}"))));
            let text = match a.error {
                Some(e) if first.is_empty() => e,
                Some(e) => format!("{e}: {first}"),
                None => first,
            };
            // Longer than a usual excerpt: the subject Entra ID did not match is what to fix.
            (
                code.map(|c| crate::text::name(&c)),
                format!("\"{}\"", crate::text::escape(&text.chars().take(300).collect::<String>())),
            )
        }
        _ => (None, format!("{} {}", response.status, said(&response.body))),
    };
    Err(Error::Entra { url: url.to_string(), client_id: client_id.to_string(), code, said })
}
