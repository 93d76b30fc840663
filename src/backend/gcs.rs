//! Terraform's `gcs` backend: a workspace's state is the object `<prefix><workspace>.tfstate` in
//! a Cloud Storage bucket (`default` included: `stages/app/default.tfstate`), raw JSON; its lock
//! is the object `<prefix><workspace>.tflock`, which exists while Terraform holds the lock and
//! holds its `LockInfo`. The lock ID `terraform force-unlock` takes is that object's
//! *generation*, not the JSON's `ID`.
//!
//! A read is the JSON API's `GET …/b/<bucket>/o/<object>?alt=media` with a Bearer token (and
//! the customer-supplied key's headers with `encryption_key`), beside the lock object's metadata
//! (`GET …/o/<object>`); the workspaces are `objects.list` with `prefix` and `delimiter=/`.
//!
//! Credentials, in Terraform's order ([`credentials`]): `access_token`; else `credentials` (a
//! service account's JSON key, or any Google credentials file: its path or its contents); else
//! Application Default Credentials — `GOOGLE_APPLICATION_CREDENTIALS` (what
//! google-github-actions/auth sets, an `external_account` file for Workload Identity
//! Federation), then gcloud's `application_default_credentials.json`. Then
//! `impersonate_service_account` (with its delegates) trades that token for the account's.
//!
//! Not done, and why: the GCE metadata server (a runner is not a GCE VM; a GKE or GCE
//! self-hosted runner can still use Workload Identity Federation or a key); `kms_encryption_key`
//! is accepted and needs nothing to read (Cloud Storage decrypts for a principal with
//! `cloudkms.cryptoKeyVersions.useToDecrypt`).

pub mod credentials;
pub mod error;
pub mod jwt;

pub use error::Error;

use base64::Engine;

use super::config::{BackendConfig, KeyProblem};
use super::workspace::{Workspace, DEFAULT};
use super::{Lock, NoState, Opened, Snapshot};
use crate::context::Context;
use crate::host::{self, HttpRequest, HttpResponse};
use crate::secret::Secret;

/// The backend's type, as Terraform names it.
pub const NAME: &str = "gcs";

/// Every key of Terraform 1.11's gcs backend schema.
pub const KEYS: &[&str] = &[
    "bucket",
    "prefix",
    "credentials",
    "access_token",
    "impersonate_service_account",
    "impersonate_service_account_delegates",
    "encryption_key",
    "kms_encryption_key",
    "storage_custom_endpoint",
];

/// The keys whose values are credentials. What a credentials file holds (a private key, a
/// refresh token, GitHub's bearer) and every token obtained at run time are never printed.
pub const SECRETS: &[&str] = &["credentials", "access_token", "encryption_key"];

/// Terraform's environment fallbacks, key by key.
pub const ENV: &[(&str, &[&str])] = &[
    ("credentials", &["GOOGLE_BACKEND_CREDENTIALS", "GOOGLE_CREDENTIALS"]),
    ("access_token", &["GOOGLE_OAUTH_ACCESS_TOKEN"]),
    (
        "impersonate_service_account",
        &["GOOGLE_BACKEND_IMPERSONATE_SERVICE_ACCOUNT", "GOOGLE_IMPERSONATE_SERVICE_ACCOUNT"],
    ),
    ("encryption_key", &["GOOGLE_ENCRYPTION_KEY"]),
    ("kms_encryption_key", &["GOOGLE_KMS_ENCRYPTION_KEY"]),
    ("storage_custom_endpoint", &["GOOGLE_BACKEND_STORAGE_CUSTOM_ENDPOINT", "GOOGLE_STORAGE_CUSTOM_ENDPOINT"]),
];

/// The JSON API's base URL when `storage_custom_endpoint` is not set.
pub const DEFAULT_ENDPOINT: &str = "https://storage.googleapis.com/storage/v1/";

/// At most this many pages of `objects.list` (1000 objects each) are read for workspaces.
pub const MAX_PAGES: usize = 50;

/// How the token is obtained.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Auth {
    /// `access_token`: used as it is.
    AccessToken {
        /// The token.
        token: Secret,
        /// The setting and where it was written, for messages.
        from: String,
    },
    /// `credentials`: a credentials file's path, or its JSON.
    Credentials {
        /// The path or the JSON.
        value: Secret,
        /// The setting and where it was written.
        from: String,
    },
    /// Application Default Credentials.
    Default {
        /// `GOOGLE_APPLICATION_CREDENTIALS`.
        adc: Option<String>,
        /// gcloud's file under `HOME`.
        gcloud: Option<String>,
    },
}

/// A customer-supplied encryption key: the key, or the file that holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum KeySource {
    /// The 32 bytes, in base64, as given.
    Key(Secret),
    /// A file that holds the base64.
    Path(String),
}

/// Everything `open` needs, validated.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// `bucket`.
    pub bucket: String,
    /// `prefix`, normalized: empty, or ending in `/` and not starting with one.
    pub prefix: String,
    /// The JSON API's base URL, ending in `/`.
    pub endpoint: String,
    /// How to get a token.
    pub auth: Auth,
    /// `impersonate_service_account`.
    pub impersonate: Option<String>,
    /// `impersonate_service_account_delegates`.
    pub delegates: Vec<String>,
    /// IAM Credentials' base URL ([`credentials::IAM_CREDENTIALS`]; tests point it elsewhere).
    pub iam_endpoint: String,
    /// `encryption_key`, with where it was written.
    pub encryption_key: Option<(KeySource, String)>,
    /// The workspace.
    pub workspace: Workspace,
    /// Every request ends within this many milliseconds.
    pub timeout_ms: u64,
    /// Where relative paths start: the run's workspace.
    pub cwd: String,
    /// `HOME`, for `~` in a path.
    pub home: Option<String>,
}

/// Reads `config` into a [`Location`]: every problem at once. Pure.
pub fn configure(
    config: &BackendConfig,
    workspace: &Workspace,
    context: &Context,
    timeout_ms: u64,
) -> Result<Location, Vec<KeyProblem>> {
    let mut problems = Vec::new();
    let from = |key: &str| match config.get(key) {
        Some(e) => format!("`{key}` ({})", e.from),
        None => format!("`{key}`"),
    };
    let mut string = |key: &str| match config.string(key) {
        Ok(v) => v.map(|(v, _)| v).filter(|v| !v.trim().is_empty()),
        Err(p) => {
            problems.push(p);
            None
        }
    };
    let bucket = string("bucket");
    let prefix = string("prefix").unwrap_or_default();
    let credentials = string("credentials");
    let access_token = string("access_token");
    let impersonate = string("impersonate_service_account");
    let encryption_key = string("encryption_key");
    let _kms = string("kms_encryption_key");
    let endpoint = string("storage_custom_endpoint");
    let delegates = match config.strings("impersonate_service_account_delegates") {
        Ok(v) => v.map(|(v, _)| v).unwrap_or_default(),
        Err(p) => {
            problems.push(p);
            Vec::new()
        }
    };

    match &bucket {
        None => problems.push(config.problem(
            "bucket",
            "is required: the name of the Cloud Storage bucket that holds the states, as in the backend block",
        )),
        Some(b) if b.starts_with("gs://") || b.contains('/') => problems.push(config.problem(
            "bucket",
            format!(
                "{} must be a bucket's name alone, without gs:// or a path (the path goes in `prefix`)",
                crate::text::quote(b)
            ),
        )),
        Some(_) => {}
    }
    let endpoint = match endpoint {
        None => DEFAULT_ENDPOINT.to_string(),
        Some(e) if e.starts_with("https://") || e.starts_with("http://") => {
            if e.ends_with('/') {
                e
            } else {
                format!("{e}/")
            }
        }
        Some(e) => {
            problems.push(config.problem(
                "storage_custom_endpoint",
                format!(
                    "{} is not an http(s) URL (the JSON API's base, as https://storage.example/storage/v1/)",
                    crate::text::quote(&e)
                ),
            ));
            String::new()
        }
    };
    let encryption_key = encryption_key.map(|k| {
        let k = k.trim().to_string();
        let source = if decode_key(&k).is_ok() { KeySource::Key(Secret::new(k)) } else if k.contains('/') || k.starts_with('~') {
            KeySource::Path(k)
        } else {
            problems.push(config.problem(
                "encryption_key",
                "is neither the base64 of a 32-byte key nor a file's path: it must be the customer-supplied key the state was written with",
            ));
            KeySource::Path(String::new())
        };
        (source, from("encryption_key"))
    });
    if !problems.is_empty() {
        return Err(problems);
    }

    // Terraform trims a leading `/` and appends one (`backend.go`).
    let prefix = prefix.trim_start_matches('/').to_string();
    let prefix = if prefix.is_empty() || prefix.ends_with('/') { prefix } else { format!("{prefix}/") };
    let auth = match (access_token, credentials) {
        (Some(token), _) => Auth::AccessToken { token: Secret::new(token), from: from("access_token") },
        (None, Some(value)) => Auth::Credentials { value: Secret::new(value), from: from("credentials") },
        (None, None) => Auth::Default {
            adc: context.google_application_credentials.clone(),
            gcloud: context.home.as_ref().map(|h| format!("{}/{}", h.trim_end_matches('/'), credentials::GCLOUD_FILE)),
        },
    };
    Ok(Location {
        bucket: bucket.unwrap_or_default(),
        prefix,
        endpoint,
        auth,
        impersonate,
        delegates,
        iam_endpoint: credentials::IAM_CREDENTIALS.to_string(),
        encryption_key,
        workspace: workspace.clone(),
        timeout_ms,
        cwd: context.workspace.clone(),
        home: context.home.clone(),
    })
}

/// The file a setting names (`~/` from `HOME`, a relative path from the run's workspace, and
/// kept inside it), at most `limit` bytes; a refusal is [`Error::Refused`], any other failure
/// `fail` of the host's words.
fn read_named(
    location: &Location,
    path: &str,
    setting: &str,
    limit: u64,
    fail: impl FnOnce(String) -> Error,
) -> Result<Vec<u8>, Error> {
    let file = crate::files::Setting::new(path, setting, &location.cwd, location.home.as_deref());
    file.read_existing(limit).map_err(|e| match e {
        crate::files::Error::Io { message, .. } => fail(message),
        refused => Error::Refused(refused),
    })
}

/// The 32 bytes of a base64 key; else why not (never repeating it).
fn decode_key(key: &str) -> Result<Vec<u8>, String> {
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(key.trim()).map_err(|_| "it is not base64".to_string())?;
    if bytes.len() != 32 {
        return Err(format!("it decodes to {} bytes, not 32 (AES-256)", bytes.len()));
    }
    Ok(bytes)
}

/// The customer-supplied key's three headers (`x-goog-encryption-*`), from its 32 bytes.
pub fn csek_headers(key: &[u8]) -> Vec<(String, String)> {
    use sha2::Digest;
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    vec![
        ("x-goog-encryption-algorithm".into(), "AES256".into()),
        ("x-goog-encryption-key".into(), b64(key)),
        ("x-goog-encryption-key-sha256".into(), b64(&sha2::Sha256::digest(key))),
    ]
}

/// The key's bytes, reading its file when it is one.
fn encryption_key(location: &Location) -> Result<Option<Vec<u8>>, Error> {
    let Some((source, from)) = &location.encryption_key else { return Ok(None) };
    let text = match source {
        KeySource::Key(k) => k.expose().to_string(),
        KeySource::Path(p) => {
            let bytes = read_named(location, p, from, 4096, |why| Error::EncryptionKey {
                from: format!("{from}, file {}", crate::text::name(p)),
                why,
            })?;
            String::from_utf8_lossy(&bytes).trim().to_string()
        }
    };
    decode_key(&text).map(Some).map_err(|why| Error::EncryptionKey { from: from.clone(), why })
}

impl Location {
    /// The state object of `workspace`.
    pub fn state_object(&self, workspace: &str) -> String {
        format!("{}{workspace}.tfstate", self.prefix)
    }

    /// The lock object of `workspace`.
    pub fn lock_object(&self, workspace: &str) -> String {
        format!("{}{workspace}.tflock", self.prefix)
    }

    fn object_url(&self, object: &str) -> String {
        format!("{}b/{}/o/{}", self.endpoint, crate::encode::component(&self.bucket), crate::encode::component(object))
    }

    /// `gs://bucket/object`, as a person names it.
    fn gs(&self, object: &str) -> String {
        format!("gs://{}/{object}", self.bucket)
    }
}

fn get(url: String, token: &Secret, timeout_ms: u64) -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        url,
        headers: vec![
            ("authorization".into(), format!("Bearer {}", token.expose())),
            ("accept".into(), "application/json".into()),
        ],
        body: Vec::new(),
        timeout_ms,
        tls: None,
    }
}

/// The state's download, with the customer-supplied key's headers when there is one. Pure.
pub fn state_request(location: &Location, token: &Secret, key: Option<&[u8]>) -> HttpRequest {
    let object = location.state_object(&location.workspace.name);
    let mut request = get(format!("{}?alt=media", location.object_url(&object)), token, location.timeout_ms);
    if let Some(key) = key {
        request.headers.extend(csek_headers(key));
    }
    request
}

/// The lock object's metadata (its generation is the lock ID). Pure.
pub fn lock_request(location: &Location, token: &Secret) -> HttpRequest {
    get(location.object_url(&location.lock_object(&location.workspace.name)), token, location.timeout_ms)
}

/// The lock object's content (`LockInfo`) at `generation`. Pure.
pub fn lock_info_request(location: &Location, token: &Secret, generation: &str) -> HttpRequest {
    let url = location.object_url(&location.lock_object(&location.workspace.name));
    get(format!("{url}?alt=media&generation={}", crate::encode::component(generation)), token, location.timeout_ms)
}

/// One page of `objects.list` under the prefix. Pure.
pub fn list_request(location: &Location, token: &Secret, page_token: Option<&str>) -> HttpRequest {
    let mut url = format!(
        "{}b/{}/o?prefix={}&delimiter=%2F&fields=items%2Fname%2CnextPageToken",
        location.endpoint,
        crate::encode::component(&location.bucket),
        crate::encode::component(&location.prefix)
    );
    if let Some(page) = page_token {
        url.push_str(&format!("&pageToken={}", crate::encode::component(page)));
    }
    get(url, token, location.timeout_ms)
}

/// What a storage API answer other than success means.
fn failure(location: &Location, object: Option<&str>, principal: &str, response: &HttpResponse, url: &str) -> Error {
    let (code, said) = error::said(&response.body);
    let text = String::from_utf8_lossy(&response.body).to_ascii_lowercase();
    let encryption =
        text.contains("encryption key") || text.contains("customer-supplied") || text.contains("customer supplied");
    match (response.status, object) {
        (400 | 403, Some(o)) if encryption => {
            Error::WrongKey { object: location.gs(o), sent: location.encryption_key.is_some(), said }
        }
        (401, _) => Error::Unauthorized { bucket: location.bucket.clone(), principal: principal.into() },
        (403, o) => Error::Forbidden {
            bucket: location.bucket.clone(),
            object: o.map(|o| location.gs(o)),
            principal: match &location.auth {
                // A bare token does not say whose it is; Cloud Storage's message does.
                Auth::AccessToken { .. } if location.impersonate.is_none() => {
                    named_principal(&response.body).unwrap_or_else(|| principal.into())
                }
                _ => principal.into(),
            },
            permission: if o.is_some() { "storage.objects.get" } else { "storage.objects.list" },
        },
        (404, o) if o.is_none() || is_bucket_missing(&response.body) => {
            Error::NoBucket { bucket: location.bucket.clone(), endpoint: location.endpoint.clone() }
        }
        (status, _) => Error::Status {
            url: crate::host::without_query(url).to_string(),
            status,
            said: match code {
                Some(c) if said.is_empty() => c,
                Some(c) => format!("{c} {said}"),
                None => said,
            },
        },
    }
}

/// The principal Cloud Storage names in a 403 (`x@p.iam.gserviceaccount.com does not have
/// storage.objects.get access …`).
fn named_principal(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let message = value.get("error")?.get("message")?.as_str()?;
    let (who, _) = message.split_once(" does not have ")?;
    (!who.is_empty() && !who.contains(char::is_whitespace)).then(|| crate::text::name(who))
}

/// The state in a download's answer: `Some` bytes, or `None` for 404 (no state yet). Pure.
pub fn read_state(location: &Location, principal: &str, response: HttpResponse) -> Result<Option<Vec<u8>>, Error> {
    let object = location.state_object(&location.workspace.name);
    match response.status {
        200 => Ok(Some(response.body)),
        404 if !is_bucket_missing(&response.body) => Ok(None),
        _ => Err(failure(location, Some(&object), principal, &response, &location.object_url(&object))),
    }
}

/// Whether a 404's body says the bucket, not the object, is missing.
fn is_bucket_missing(body: &[u8]) -> bool {
    String::from_utf8_lossy(body).to_ascii_lowercase().contains("bucket does not exist")
}

/// What the lock object's metadata says: `Ok(Some(generation))` when it exists (locked),
/// `Ok(None)` when not; an error is why the lock could not be read. Pure.
pub fn read_lock(location: &Location, principal: &str, response: &HttpResponse) -> Result<Option<String>, Error> {
    let object = location.lock_object(&location.workspace.name);
    match response.status {
        200 => {
            let value: serde_json::Value = serde_json::from_slice(&response.body).map_err(|_| Error::BadAnswer {
                what: "the storage API".into(),
                url: location.object_url(&object),
                why: "not with the lock object's metadata in JSON".into(),
            })?;
            let generation = match value.get("generation") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            Ok(Some(generation))
        }
        404 => Ok(None),
        _ => Err(failure(location, Some(&object), principal, response, &location.object_url(&object))),
    }
}

/// The lock a held lock object shows: its `LockInfo`, with the generation as the ID (what
/// `terraform force-unlock` takes). Pure.
pub fn lock(generation: &str, info: Option<&HttpResponse>) -> Lock {
    let mut lock = info
        .filter(|r| r.status == 200)
        .and_then(|r| Lock::from_lock_info(&String::from_utf8_lossy(&r.body)))
        .unwrap_or_default();
    // Server data: escaped as a name where it becomes what a person reads.
    lock.id = (!generation.is_empty()).then(|| crate::text::name(generation));
    lock
}

/// One page of `objects.list`: the workspaces in it and the next page's token. Pure.
pub fn read_list(
    location: &Location,
    principal: &str,
    response: &HttpResponse,
    url: &str,
) -> Result<(Vec<String>, Option<String>), Error> {
    if response.status != 200 {
        return Err(failure(location, None, principal, response, url));
    }
    #[derive(serde::Deserialize)]
    struct Item {
        name: String,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Page {
        #[serde(default)]
        items: Vec<Item>,
        next_page_token: Option<String>,
    }
    let page: Page = serde_json::from_slice(&response.body).map_err(|_| Error::BadAnswer {
        what: "the storage API".into(),
        url: crate::host::without_query(url).to_string(),
        why: "not with a listing of objects in JSON".into(),
    })?;
    let names = page
        .items
        .into_iter()
        .filter_map(|i| {
            let rest = i.name.strip_prefix(&location.prefix)?;
            // Terraform takes the base name: with `delimiter=/` there are no deeper objects.
            let ws = rest.strip_suffix(".tfstate")?;
            (!ws.is_empty() && !ws.contains('/')).then(|| ws.to_string())
        })
        .collect();
    Ok((names, page.next_page_token.filter(|t| !t.is_empty())))
}

/// Workspaces as Terraform lists them: `default` first, always (gcs lists it with or without a
/// state), then the others sorted.
pub fn ordered(found: Vec<String>) -> Vec<String> {
    super::workspace::ordered(found.into_iter().chain([DEFAULT.to_string()]))
}

async fn send(request: HttpRequest) -> Result<HttpResponse, Error> {
    let url = crate::host::without_query(&request.url).to_string();
    host::http(request).await.map_err(|e| Error::Unreachable {
        what: "the storage API".into(),
        url,
        timed_out: e.code == host::TIMED_OUT,
        message: e.message,
    })
}

async fn list(location: &Location, token: &credentials::Token) -> Result<Vec<String>, Error> {
    let mut found = Vec::new();
    let mut page: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let request = list_request(location, &token.token, page.as_deref());
        let url = request.url.clone();
        let response = send(request).await?;
        let (names, next) = read_list(location, &token.principal, &response, &url)?;
        found.extend(names);
        match next {
            Some(n) => page = Some(n),
            None => return Ok(found),
        }
    }
    Err(Error::TooManyPages { bucket: location.bucket.clone(), pages: MAX_PAGES })
}

/// Reads the workspace's state and its lock.
pub async fn open(location: &Location) -> crate::error::Result<Opened> {
    Ok(read(location).await.map_err(super::Error::Gcs)?)
}

async fn read(location: &Location) -> Result<Opened, Error> {
    let token = credentials::token(location).await?;
    let key = encryption_key(location)?;
    let (state, lock_meta) = crate::join::both(
        send(state_request(location, &token.token, key.as_deref())),
        send(lock_request(location, &token.token)),
    )
    .await;
    let state = state?;
    let modified_ms = state.last_modified_ms();
    let state = read_state(location, &token.principal, state)?;
    let ws = &location.workspace.name;
    let object = location.state_object(ws);
    let Some(bytes) = state else {
        let existing = list(location, &token).await?;
        return Ok(Opened::NoStateYet(NoState {
            backend: NAME,
            place: format!("gs://{}/{}", location.bucket, location.prefix),
            looked_for: location.gs(&object),
            workspace: Some(location.workspace.clone()),
            existing: existing.into_iter().filter(|w| w != ws).collect(),
        }));
    };
    let mut warnings = Vec::new();
    let lock = match lock_meta.and_then(|r| read_lock(location, &token.principal, &r)) {
        Ok(Some(generation)) => {
            let info = send(lock_info_request(location, &token.token, &generation)).await.ok();
            Some(lock(&generation, info.as_ref()))
        }
        Ok(None) => None,
        Err(e) => {
            let why = e.to_string();
            let why = why.strip_prefix("gcs backend: ").unwrap_or(&why);
            warnings.push(format!("gcs backend: cannot tell whether the state is locked: {why}"));
            None
        }
    };
    Ok(Opened::State(Snapshot {
        size: Some(bytes.len() as u64),
        body: Box::new(std::io::Cursor::new(bytes)),
        name: location.gs(&object),
        workspace: Some(ws.clone()),
        modified_ms,
        lock,
        warnings,
    }))
}

/// The workspaces that have a state, `default` first, as Terraform lists them.
pub async fn workspaces(location: &Location) -> crate::error::Result<Vec<String>> {
    let run = async {
        let token = credentials::token(location).await?;
        list(location, &token).await
    };
    Ok(ordered(run.await.map_err(super::Error::Gcs)?))
}

#[cfg(test)]
mod tests;
