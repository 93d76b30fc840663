//! Getting an access token for Cloud Storage from what a workflow has, as Google's client
//! libraries do, minus the GCE metadata server:
//!
//! - `service_account` (a JSON key): a JWT signed RS256 with the key ([`super::jwt`]), exchanged at
//!   the key's `token_uri` with the `jwt-bearer` grant (RFC 7523).
//! - `authorized_user` (`gcloud auth application-default login`): the refresh-token grant at its
//!   `token_uri` (default `https://oauth2.googleapis.com/token`).
//! - `external_account` (Workload Identity Federation, as google-github-actions/auth writes it):
//!   the subject token from `credential_source` (GitHub's OIDC token endpoint — a `url` with its
//!   `headers` — or a `file`), exchanged at `token_url` (Google's STS, RFC 8693), then, with
//!   `service_account_impersonation_url`, a token of that service account (IAM Credentials
//!   `generateAccessToken`).
//!
//! Each credential goes only to the URL its own file names (a key's assertion to its
//! `token_uri`, GitHub's bearer to its `url`, …); a redirect never leaves that origin
//! ([`crate::host::http`]). Every request and answer reader here is pure; [`token`] joins them.
//! A token obtained here is never printed, masked or put in a message: it only goes into the
//! `Authorization` header of the next request.

use serde::Deserialize;

use super::error::{Error, Step};
use super::jwt;
use super::{Auth, Location};
use crate::host::{self, HostError, HttpRequest, HttpResponse};
use crate::secret::Secret;

/// Where gcloud keeps application default credentials, under `HOME`.
pub const GCLOUD_FILE: &str = ".config/gcloud/application_default_credentials.json";

/// The token endpoint of an `authorized_user` file without `token_uri`.
pub const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// The scope of a federated or impersonated token.
pub const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";

/// IAM Credentials' base URL, for `impersonate_service_account`.
pub const IAM_CREDENTIALS: &str = "https://iamcredentials.googleapis.com/v1/";

/// The largest credentials file read.
const FILE_LIMIT: u64 = 1 << 20;

/// A credentials file, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A service account's JSON key.
    ServiceAccount {
        /// `client_email`.
        email: String,
        /// `private_key` (PEM).
        private_key: Secret,
        /// `private_key_id`: the JWT's `kid`.
        key_id: Option<String>,
        /// `token_uri`.
        token_uri: String,
    },
    /// gcloud's application default credentials.
    AuthorizedUser {
        /// `client_id`.
        client_id: String,
        /// `client_secret`.
        client_secret: Secret,
        /// `refresh_token`.
        refresh_token: Secret,
        /// `token_uri`, or Google's.
        token_uri: String,
    },
    /// Workload Identity Federation.
    ExternalAccount {
        /// `audience`: the workload identity provider.
        audience: String,
        /// `subject_token_type`.
        subject_token_type: String,
        /// `token_url`: Google's STS.
        token_url: String,
        /// `service_account_impersonation_url`.
        impersonation_url: Option<String>,
        /// `credential_source`.
        source: SubjectSource,
    },
}

/// Where an `external_account`'s subject token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectSource {
    /// A URL (GitHub's OIDC token endpoint), with headers (its bearer).
    Url {
        /// `url`, with its query (the audience).
        url: String,
        /// `headers`; the values are credentials.
        headers: Vec<(String, Secret)>,
        /// `format.subject_token_field_name` when `format.type` is `json`; else the body is the token.
        field: Option<String>,
    },
    /// A file that holds the token.
    File {
        /// `file`.
        path: String,
        /// As for `Url`.
        field: Option<String>,
    },
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: Option<String>,
    private_key: Option<String>,
    private_key_id: Option<String>,
    token_uri: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    refresh_token: Option<String>,
    audience: Option<String>,
    subject_token_type: Option<String>,
    token_url: Option<String>,
    service_account_impersonation_url: Option<String>,
    credential_source: Option<RawSource>,
}

#[derive(Deserialize)]
struct RawSource {
    url: Option<String>,
    file: Option<String>,
    #[serde(default)]
    headers: std::collections::BTreeMap<String, String>,
    format: Option<RawFormat>,
    environment_id: Option<String>,
    executable: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawFormat {
    #[serde(rename = "type")]
    kind: Option<String>,
    subject_token_field_name: Option<String>,
}

/// A credentials file's JSON; the error says what is wrong without repeating any of it.
pub fn parse(json: &[u8]) -> Result<Credentials, String> {
    let raw: Raw = serde_json::from_slice(json)
        .map_err(|e| format!("it is not JSON (line {}, column {})", e.line(), e.column()))?;
    let need = |value: Option<String>, field: &str| -> Result<String, String> {
        value.filter(|v| !v.trim().is_empty()).ok_or_else(|| format!("its `{field}` is missing"))
    };
    let url = |value: String, field: &str| -> Result<String, String> {
        if value.starts_with("https://") || value.starts_with("http://") {
            Ok(value)
        } else {
            Err(format!("its `{field}` is not an http(s) URL"))
        }
    };
    match raw.kind.as_deref() {
        Some("service_account") => {
            let private_key = need(raw.private_key, "private_key")?;
            if !private_key.contains("-----BEGIN") {
                return Err("its `private_key` is not PEM text".into());
            }
            Ok(Credentials::ServiceAccount {
                email: need(raw.client_email, "client_email")?,
                private_key: Secret::new(private_key),
                key_id: raw.private_key_id.filter(|k| !k.is_empty()),
                token_uri: url(raw.token_uri.unwrap_or_else(|| GOOGLE_TOKEN_URI.into()), "token_uri")?,
            })
        }
        Some("authorized_user") => Ok(Credentials::AuthorizedUser {
            client_id: need(raw.client_id, "client_id")?,
            client_secret: Secret::new(need(raw.client_secret, "client_secret")?),
            refresh_token: Secret::new(need(raw.refresh_token, "refresh_token")?),
            token_uri: url(raw.token_uri.unwrap_or_else(|| GOOGLE_TOKEN_URI.into()), "token_uri")?,
        }),
        Some("external_account") => {
            let source = raw.credential_source.ok_or("its `credential_source` is missing")?;
            if source.environment_id.is_some() || source.executable.is_some() {
                return Err("its `credential_source` is AWS's or an executable's, which this action does not run; use the file google-github-actions/auth writes (a `url` source)".into());
            }
            let field = match source.format {
                Some(RawFormat { kind: Some(kind), subject_token_field_name }) if kind == "json" => {
                    Some(need(subject_token_field_name, "credential_source.format.subject_token_field_name")?)
                }
                _ => None,
            };
            let source = match (source.url, source.file) {
                (Some(u), _) => SubjectSource::Url {
                    url: url(u, "credential_source.url")?,
                    headers: source.headers.into_iter().map(|(k, v)| (k, Secret::new(v))).collect(),
                    field,
                },
                (None, Some(path)) => SubjectSource::File { path, field },
                (None, None) => return Err("its `credential_source` has neither `url` nor `file`".into()),
            };
            Ok(Credentials::ExternalAccount {
                audience: need(raw.audience, "audience")?,
                subject_token_type: raw
                    .subject_token_type
                    .unwrap_or_else(|| "urn:ietf:params:oauth:token-type:jwt".into()),
                token_url: url(need(raw.token_url, "token_url")?, "token_url")?,
                impersonation_url: raw
                    .service_account_impersonation_url
                    .filter(|u| !u.is_empty())
                    .map(|u| url(u, "service_account_impersonation_url"))
                    .transpose()?,
                source,
            })
        }
        Some(other) => Err(format!(
            "its type {} is not one this action reads (service_account, authorized_user, external_account)",
            crate::text::quote(other)
        )),
        None => Err("it has no `type`: it is not a Google credentials file".into()),
    }
}

impl Credentials {
    /// Who a token obtained with these credentials is for, as a message names it.
    pub fn principal(&self) -> String {
        match self {
            Credentials::ServiceAccount { email, .. } => format!("service account {}", crate::text::name(email)),
            Credentials::AuthorizedUser { client_id, .. } => {
                format!("the gcloud user (OAuth client {})", crate::text::name(client_id))
            }
            Credentials::ExternalAccount { impersonation_url: Some(u), .. } => match impersonated(u) {
                Some(email) => format!(
                    "service account {} (impersonated by Workload Identity Federation)",
                    crate::text::name(&email)
                ),
                None => "the impersonated service account of Workload Identity Federation".into(),
            },
            Credentials::ExternalAccount { audience, .. } => {
                format!("the federated principal of workload identity provider {}", crate::text::name(audience))
            }
        }
    }
}

/// The service account an impersonation URL names (`…/serviceAccounts/<email>:generateAccessToken`).
pub fn impersonated(url: &str) -> Option<String> {
    let tail = url.rsplit_once("/serviceAccounts/")?.1;
    let email = tail.split_once(':').map_or(tail, |(e, _)| e);
    let email = percent_encoding::percent_decode_str(email).decode_utf8().ok()?;
    (!email.is_empty()).then(|| email.into_owned())
}

use crate::encode::form;

fn post_form(url: &str, body: Vec<u8>, timeout_ms: u64) -> HttpRequest {
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

/// The jwt-bearer grant of a signed assertion, to the key's `token_uri`. Pure.
pub fn jwt_request(token_uri: &str, assertion: &str, timeout_ms: u64) -> HttpRequest {
    let body = form(&[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)]);
    post_form(token_uri, body, timeout_ms)
}

/// The refresh-token grant of an `authorized_user` file. Pure.
pub fn refresh_request(
    token_uri: &str,
    client_id: &str,
    client_secret: &Secret,
    refresh_token: &Secret,
    timeout_ms: u64,
) -> HttpRequest {
    let body = form(&[
        ("grant_type", "refresh_token"),
        ("client_id", client_id),
        ("client_secret", client_secret.expose()),
        ("refresh_token", refresh_token.expose()),
    ]);
    post_form(token_uri, body, timeout_ms)
}

/// The subject token's request to a `url` source (its headers, GitHub's bearer). Pure.
pub fn subject_request(url: &str, headers: &[(String, Secret)], timeout_ms: u64) -> HttpRequest {
    let mut all = vec![("accept".to_string(), "application/json".to_string())];
    all.extend(headers.iter().map(|(k, v)| (k.clone(), v.expose().to_string())));
    HttpRequest { method: "GET".into(), url: url.to_string(), headers: all, body: Vec::new(), timeout_ms, tls: None }
}

/// The subject token in a source's answer (or file): the body, or its JSON field.
pub fn read_subject(body: &[u8], field: Option<&str>) -> Result<Secret, String> {
    let token =
        match field {
            None => String::from_utf8_lossy(body).trim().to_string(),
            Some(field) => {
                let value: serde_json::Value = serde_json::from_slice(body)
                    .map_err(|_| "the subject token's source did not give JSON".to_string())?;
                value.get(field).and_then(|v| v.as_str()).map(str::to_string).ok_or_else(|| {
                    format!("the subject token's JSON has no string field {}", crate::text::name(field))
                })?
            }
        };
    if token.is_empty() {
        return Err("the subject token is empty".into());
    }
    Ok(Secret::new(token))
}

/// The STS token exchange (RFC 8693) of a subject token. Pure.
pub fn sts_request(
    token_url: &str,
    audience: &str,
    subject_token_type: &str,
    subject: &Secret,
    timeout_ms: u64,
) -> HttpRequest {
    let body = form(&[
        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("audience", audience),
        ("scope", CLOUD_PLATFORM),
        ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"),
        ("subject_token", subject.expose()),
        ("subject_token_type", subject_token_type),
    ]);
    post_form(token_url, body, timeout_ms)
}

/// IAM Credentials `generateAccessToken` at `url`, with the caller's token. Pure.
pub fn impersonation_request(url: &str, token: &Secret, delegates: &[String], timeout_ms: u64) -> HttpRequest {
    let mut body = serde_json::json!({ "scope": [CLOUD_PLATFORM], "lifetime": "3600s" });
    if !delegates.is_empty() {
        let named: Vec<String> = delegates
            .iter()
            .map(|d| if d.starts_with("projects/") { d.clone() } else { format!("projects/-/serviceAccounts/{d}") })
            .collect();
        body["delegates"] = serde_json::json!(named);
    }
    HttpRequest {
        method: "POST".into(),
        url: url.to_string(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("accept".into(), "application/json".into()),
            ("authorization".into(), format!("Bearer {}", token.expose())),
        ],
        body: serde_json::to_vec(&body).unwrap_or_default(),
        timeout_ms,
        tls: None,
    }
}

/// The `generateAccessToken` URL of `account` under IAM Credentials at `base`.
pub fn impersonation_url(base: &str, account: &str) -> String {
    let account = crate::encode::component(account);
    format!("{base}projects/-/serviceAccounts/{account}:generateAccessToken")
}

/// The token in a token endpoint's answer: `access_token` (OAuth, STS) or `accessToken` (IAM
/// Credentials). Pure.
pub fn read_token(step: Step, url: &str, principal: &str, response: &HttpResponse) -> Result<Secret, Error> {
    if response.status != 200 {
        let (error, said) = super::error::said(&response.body);
        return Err(Error::Exchange {
            step,
            url: crate::host::without_query(url).to_string(),
            status: response.status,
            error,
            said,
            principal: principal.into(),
        });
    }
    let value: serde_json::Value = serde_json::from_slice(&response.body).map_err(|_| Error::BadAnswer {
        what: step_words(step),
        url: crate::host::without_query(url).to_string(),
        why: "not with JSON".into(),
    })?;
    value
        .get("access_token")
        .or_else(|| value.get("accessToken"))
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .map(Secret::new)
        .ok_or_else(|| Error::BadAnswer {
            what: step_words(step),
            url: crate::host::without_query(url).to_string(),
            why: "without an access token".into(),
        })
}

fn step_words(step: Step) -> String {
    match step {
        Step::ServiceAccount | Step::Refresh => "Google's token endpoint".into(),
        Step::Subject => "the subject token source".into(),
        Step::Sts => "Google's Security Token Service".into(),
        Step::Impersonation => "IAM Credentials".into(),
    }
}

/// A token, and who it is for.
pub struct Token {
    /// The access token: only ever sent, in `Authorization`.
    pub token: Secret,
    /// Who it is for, as a message names it.
    pub principal: String,
}

async fn send(what: Step, request: HttpRequest) -> Result<HttpResponse, Error> {
    let url = crate::host::without_query(&request.url).to_string();
    host::http(request).await.map_err(|e: HostError| Error::Unreachable {
        what: step_words(what),
        url,
        timed_out: e.code == host::TIMED_OUT,
        message: e.message,
    })
}

/// The credentials `auth` names: read, parsed; `Ok(None)` when there are none to be found.
fn load(location: &Location) -> Result<Option<(Credentials, String)>, Error> {
    let (bytes, from) = match &location.auth {
        Auth::AccessToken { .. } => return Ok(None),
        Auth::Credentials { value, from } => {
            let text = value.expose().trim();
            if text.starts_with('{') {
                (text.as_bytes().to_vec(), from.clone())
            } else {
                let setting = from.as_str();
                let from = format!("{from}, file {}", crate::text::name(text));
                (
                    super::read_named(location, text, setting, FILE_LIMIT, |why| Error::Credentials {
                        from: from.clone(),
                        why,
                    })?,
                    from,
                )
            }
        }
        Auth::Default { adc, gcloud } => {
            if let Some(path) = adc {
                let from = format!("GOOGLE_APPLICATION_CREDENTIALS (file {})", crate::text::name(path));
                (
                    super::read_named(location, path, "GOOGLE_APPLICATION_CREDENTIALS", FILE_LIMIT, |why| {
                        Error::Credentials { from: from.clone(), why }
                    })?,
                    from,
                )
            } else if let Some(path) = gcloud {
                match host::read_file(path, FILE_LIMIT) {
                    Ok(bytes) => (bytes, format!("gcloud's file {}", crate::text::name(path))),
                    Err(e) if e.code == "ENOENT" => {
                        return Err(Error::NoCredentials { gcloud_file: Some(path.clone()) })
                    }
                    Err(e) => return Err(Error::Credentials { from: format!("gcloud's file {path}"), why: e.message }),
                }
            } else {
                return Err(Error::NoCredentials { gcloud_file: None });
            }
        }
    };
    parse(&bytes).map(|c| Some((c, from.clone()))).map_err(|why| Error::Credentials { from, why })
}

/// An access token for the location: `access_token` as given, else one obtained with the
/// credentials; then, with `impersonate_service_account`, the impersonated account's.
pub async fn token(location: &Location) -> Result<Token, Error> {
    let t = location.timeout_ms;
    let mut got = match &location.auth {
        Auth::AccessToken { token, from } => {
            Token { token: token.clone(), principal: format!("the holder of the access token in {from}") }
        }
        _ => {
            let (credentials, from) = load(location)?.ok_or(Error::NoCredentials { gcloud_file: None })?;
            obtain(&credentials, &from, location, t).await?
        }
    };
    if let Some(account) = &location.impersonate {
        let url = impersonation_url(&location.iam_endpoint, account);
        let principal = format!("service account {} (impersonated by {})", crate::text::name(account), got.principal);
        let response =
            send(Step::Impersonation, impersonation_request(&url, &got.token, &location.delegates, t)).await?;
        got = Token { token: read_token(Step::Impersonation, &url, &got.principal, &response)?, principal };
    }
    Ok(got)
}

async fn obtain(credentials: &Credentials, from: &str, location: &Location, t: u64) -> Result<Token, Error> {
    let principal = credentials.principal();
    let token = match credentials {
        Credentials::ServiceAccount { email, private_key, key_id, token_uri } => {
            let now_s = (host::now_ms() / 1000.0) as u64;
            let input = jwt::signing_input(key_id.as_deref(), &jwt::Claims::new(email, token_uri, now_s));
            let signature =
                host::sign_rs256(private_key.expose(), input.as_bytes()).map_err(|e| Error::Credentials {
                    from: from.to_string(),
                    why: format!("its `private_key` cannot sign ({})", crate::text::quote(&e.message)),
                })?;
            let assertion = jwt::assemble(&input, &signature);
            let response = send(Step::ServiceAccount, jwt_request(token_uri, &assertion, t)).await?;
            read_token(Step::ServiceAccount, token_uri, &principal, &response)?
        }
        Credentials::AuthorizedUser { client_id, client_secret, refresh_token, token_uri } => {
            let response =
                send(Step::Refresh, refresh_request(token_uri, client_id, client_secret, refresh_token, t)).await?;
            read_token(Step::Refresh, token_uri, &principal, &response)?
        }
        Credentials::ExternalAccount { audience, subject_token_type, token_url, impersonation_url, source } => {
            let subject = match source {
                SubjectSource::Url { url, headers, field } => {
                    let response = send(Step::Subject, subject_request(url, headers, t)).await?;
                    if response.status != 200 {
                        let (error, said) = super::error::said(&response.body);
                        return Err(Error::Exchange {
                            step: Step::Subject,
                            url: crate::host::without_query(url).to_string(),
                            status: response.status,
                            error,
                            said,
                            principal: "this job".into(),
                        });
                    }
                    read_subject(&response.body, field.as_deref()).map_err(|why| Error::BadAnswer {
                        what: step_words(Step::Subject),
                        url: crate::host::without_query(url).to_string(),
                        why,
                    })?
                }
                SubjectSource::File { path, field } => {
                    let bytes = super::read_named(
                        location,
                        path,
                        &format!("the subject token file of {from}"),
                        FILE_LIMIT,
                        |why| Error::Credentials {
                            from: format!("{from}, subject token file {}", crate::text::name(path)),
                            why,
                        },
                    )?;
                    read_subject(&bytes, field.as_deref())
                        .map_err(|why| Error::Credentials { from: from.to_string(), why })?
                }
            };
            let federated =
                format!("the federated principal of workload identity provider {}", crate::text::name(audience));
            let response = send(Step::Sts, sts_request(token_url, audience, subject_token_type, &subject, t)).await?;
            let sts = read_token(Step::Sts, token_url, &federated, &response)?;
            match impersonation_url {
                None => sts,
                Some(url) => {
                    let response = send(Step::Impersonation, impersonation_request(url, &sts, &[], t)).await?;
                    read_token(Step::Impersonation, url, &federated, &response)?
                }
            }
        }
    };
    Ok(Token { token, principal })
}
