//! Terraform's `s3` backend: a workspace's state is the object `<key>` (`default`) or
//! `<workspace_key_prefix>/<workspace>/<key>` in `bucket`; its lock is the object
//! `<state key>.tflock` (`use_lockfile`) and/or the DynamoDB item `LockID = "<bucket>/<state
//! key>"` (`dynamodb_table`), both holding Terraform's `LockInfo`.
//!
//! Requests are signed with SigV4 by hand ([`sigv4`]). Credentials come from the chain a
//! workflow has ([`credentials`]): the `access_key`/`secret_key` settings; the
//! `assume_role_with_web_identity` block; a profile (`profile` or `AWS_PROFILE`) in the shared
//! files (static keys, `role_arn` + `source_profile`, `role_arn` + `web_identity_token_file`);
//! the environment's keys (what aws-actions/configure-aws-credentials exports); the SDK's web
//! identity variables (`AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`); the `default` profile.
//! `assume_role` is then taken with them (STS AssumeRole). As in the AWS SDK, a profile that is
//! named explicitly wins over the environment's keys.
//!
//! Not supported, with a clear error when nothing else gives credentials: EC2 instance metadata,
//! the ECS container endpoint, IAM Identity Center (SSO) and `credential_process` — a workflow
//! has none of them. Accepted and ignored (they change nothing in a read, or concern transport
//! this action does itself): `acl`, `encrypt`, `kms_key_id` (SSE-S3/KMS decrypt transparently),
//! `skip_*`, `max_retries`, `retry_mode`, `allowed_account_ids`, `forbidden_account_ids`,
//! `custom_ca_bundle`, `ec2_metadata_service_endpoint(_mode)`, `http_proxy`, `https_proxy`,
//! `no_proxy`, `insecure`, `use_fips_endpoint`, `use_dualstack_endpoint`, `iam_endpoint`,
//! `endpoints.iam`/`sso`. The DynamoDB `-md5` digest is not compared (one read, no retry).

pub mod credentials;
pub mod error;
pub mod request;

pub use credentials::{Chain, Credentials, Keys, WebIdentity};
pub use error::Error;

use serde::{Deserialize, Serialize};

use super::config::{BackendConfig, From as Written, KeyProblem};
use super::workspace::{Workspace, DEFAULT};
use super::{NoState, Opened, Snapshot};
use crate::context::Context;
use crate::secret::Secret;

pub mod sigv4;

/// The backend's type, as Terraform names it.
pub const NAME: &str = "s3";

/// Every key of Terraform 1.11's s3 backend schema (as `terraform init` records it).
pub const KEYS: &[&str] = &[
    "bucket",
    "key",
    "region",
    "workspace_key_prefix",
    "endpoints",
    "endpoint",
    "sts_endpoint",
    "dynamodb_endpoint",
    "iam_endpoint",
    "use_path_style",
    "force_path_style",
    "sse_customer_key",
    "use_lockfile",
    "dynamodb_table",
    "profile",
    "shared_credentials_files",
    "shared_credentials_file",
    "shared_config_files",
    "access_key",
    "secret_key",
    "token",
    "assume_role",
    "assume_role_with_web_identity",
    "sts_region",
    "acl",
    "encrypt",
    "kms_key_id",
    "skip_credentials_validation",
    "skip_metadata_api_check",
    "skip_region_validation",
    "skip_requesting_account_id",
    "skip_s3_checksum",
    "max_retries",
    "retry_mode",
    "allowed_account_ids",
    "forbidden_account_ids",
    "custom_ca_bundle",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "insecure",
    "use_dualstack_endpoint",
    "use_fips_endpoint",
];

/// The keys whose values are credentials (`block.field`: one field of a block). The access key
/// id is not one: it names the identity in messages, as AWS's own errors do.
pub const SECRETS: &[&str] =
    &["secret_key", "token", "sse_customer_key", "assume_role_with_web_identity.web_identity_token"];

/// Terraform's environment fallbacks, key by key (the deprecated flat endpoint keys carry the
/// endpoint variables: the `endpoints` block, when set, wins over them).
pub const ENV: &[(&str, &[&str])] = &[
    ("region", &["AWS_REGION", "AWS_DEFAULT_REGION"]),
    ("endpoint", &["AWS_ENDPOINT_URL_S3", "AWS_S3_ENDPOINT"]),
    ("sts_endpoint", &["AWS_ENDPOINT_URL_STS", "AWS_STS_ENDPOINT"]),
    ("dynamodb_endpoint", &["AWS_ENDPOINT_URL_DYNAMODB", "AWS_DYNAMODB_ENDPOINT"]),
    ("access_key", &["AWS_ACCESS_KEY_ID"]),
    ("secret_key", &["AWS_SECRET_ACCESS_KEY"]),
    ("token", &["AWS_SESSION_TOKEN"]),
    ("profile", &["AWS_PROFILE"]),
    ("shared_credentials_files", &["AWS_SHARED_CREDENTIALS_FILE"]),
    ("shared_config_files", &["AWS_SHARED_CONFIG_FILE", "AWS_CONFIG_FILE"]),
    ("sse_customer_key", &["AWS_SSE_CUSTOMER_KEY"]),
];

/// The SDK's variables that are no key's fallback, read into [`Context::aws_env`]: web identity.
pub const SDK_ENV: &[&str] = &["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME"];

/// `assume_role { … }`: the role taken with the base credentials (STS AssumeRole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssumeRole {
    /// `role_arn`.
    pub role_arn: String,
    /// `session_name`, else `stage-action`.
    pub session_name: String,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `duration` in seconds (Terraform takes a Go duration: `1h`, `15m`).
    pub duration_seconds: Option<u64>,
    /// `policy` (JSON).
    pub policy: Option<String>,
    /// `policy_arns`.
    pub policy_arns: Vec<String>,
    /// `source_identity`.
    pub source_identity: Option<String>,
    /// `tags`, sorted.
    pub tags: Vec<(String, String)>,
    /// `transitive_tag_keys`.
    pub transitive_tag_keys: Vec<String>,
}

/// Where the state is and how to ask for it, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// `bucket`.
    pub bucket: String,
    /// `key`: the default workspace's object.
    pub key: String,
    /// `region`.
    pub region: String,
    /// `workspace_key_prefix` (default `env:`).
    pub workspace_key_prefix: String,
    /// The workspace, and what chose it.
    pub workspace: Workspace,
    /// The S3 endpoint, `scheme://host[:port]` and maybe a path, without a trailing `/`.
    pub s3_endpoint: String,
    /// The STS endpoint.
    pub sts_endpoint: String,
    /// The DynamoDB endpoint.
    pub dynamodb_endpoint: String,
    /// `use_path_style` (or `force_path_style`).
    pub path_style: bool,
    /// `sse_customer_key` (base64 of 32 bytes): the SSE-C headers go with every object read.
    pub sse_customer_key: Option<Secret>,
    /// `use_lockfile`.
    pub use_lockfile: bool,
    /// `dynamodb_table`.
    pub dynamodb_table: Option<String>,
    /// The credential chain's inputs.
    pub chain: Chain,
    /// `assume_role`, taken on top of the chain's credentials.
    pub assume_role: Option<AssumeRole>,
    /// `sts_region`, else `region`.
    pub sts_region: String,
    /// Every request ends within this many milliseconds.
    pub timeout_ms: u64,
}

impl Location {
    /// The object that holds the workspace's state.
    pub fn state_key(&self) -> String {
        state_key(&self.key, &self.workspace_key_prefix, &self.workspace.name)
    }
}

/// `key` for `default`; `path.Join(prefix, workspace, key)` for others.
pub fn state_key(key: &str, prefix: &str, workspace: &str) -> String {
    if workspace == DEFAULT {
        return key.to_string();
    }
    [prefix, workspace, key].iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join("/")
}

/// The AWS endpoint of `service` in `region` (`amazonaws.com.cn` in China).
fn aws_endpoint(service: &str, region: &str) -> String {
    let suffix = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
    format!("https://{service}.{region}.{suffix}")
}

/// Reads `config` into a [`Location`]; every problem at once. Pure.
pub fn configure(
    config: &BackendConfig,
    workspace: &Workspace,
    context: &Context,
    timeout_ms: u64,
) -> Result<Location, Vec<KeyProblem>> {
    let mut problems = Vec::new();
    macro_rules! read {
        ($method:ident, $key:expr) => {
            match config.$method($key) {
                Ok(v) => v.map(|(v, _)| v),
                Err(p) => {
                    problems.push(p);
                    None
                }
            }
        };
    }
    let text = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let bucket = text(read!(string, "bucket"));
    let key = text(read!(string, "key"));
    let region = text(read!(string, "region"));
    match &bucket {
        None => problems
            .push(config.problem("bucket", "is required: the S3 bucket that holds the state, as in the backend block")),
        Some(b) if b.contains('/') || b.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            problems.push(config.problem("bucket", format!("{} is not a bucket name", crate::text::quote(b))))
        }
        Some(_) => {}
    }
    match &key {
        None => problems.push(config.problem(
            "key",
            "is required: the state object's key, as in the backend block (e.g. stages/app/terraform.tfstate)",
        )),
        Some(k) if k.starts_with('/') || k.ends_with('/') || k.contains("//") => problems.push(config.problem(
            "key",
            format!(
                "{} is not a valid key: Terraform refuses a leading or trailing `/` and `//`",
                crate::text::quote(k)
            ),
        )),
        Some(_) => {}
    }
    if region.is_none() {
        problems.push(config.problem(
            "region",
            "is required: the bucket's region, in the backend block or AWS_REGION (aws-actions/configure-aws-credentials sets it)",
        ));
    }
    let prefix = match read!(string, "workspace_key_prefix") {
        Some(p) if p.starts_with('/') || p.ends_with('/') => {
            problems.push(config.problem("workspace_key_prefix", "must not start or end with `/`"));
            String::new()
        }
        Some(p) => p,
        None => "env:".to_string(),
    };

    // The `endpoints` block wins over the deprecated flat keys, which carry the environment.
    let endpoints = match config.get("endpoints").map(|e| &e.value) {
        None => Default::default(),
        Some(serde_json::Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| v.as_str().filter(|s| !s.trim().is_empty()).map(|s| (k.clone(), s.trim().to_string())))
            .collect(),
        Some(_) => {
            problems.push(config.problem("endpoints", "must be a block: endpoints = { s3 = \"https://…\" }"));
            std::collections::BTreeMap::new()
        }
    };
    let mut endpoint = |service: &str, flat: &str| -> Option<String> {
        let chosen = endpoints.get(service).cloned().or_else(|| text(read!(string, flat)));
        let key = if endpoints.contains_key(service) { "endpoints" } else { flat };
        match chosen {
            Some(e) if !(e.starts_with("https://") || e.starts_with("http://")) => {
                problems.push(config.problem(key, format!("{} is not an http(s) URL", crate::text::quote(&e))));
                None
            }
            Some(e) => Some(e.trim_end_matches('/').to_string()),
            None => None,
        }
    };
    let s3 = endpoint("s3", "endpoint");
    let sts = endpoint("sts", "sts_endpoint");
    let dynamodb = endpoint("dynamodb", "dynamodb_endpoint");
    let _ = text(read!(string, "iam_endpoint"));
    let path_style = read!(boolean, "use_path_style").or(read!(boolean, "force_path_style")).unwrap_or(false);
    let sse = text(read!(string, "sse_customer_key"));
    if let Some(k) = &sse {
        use base64::Engine;
        if base64::engine::general_purpose::STANDARD.decode(k).map(|b| b.len()) != Ok(32) {
            problems.push(config.problem(
                "sse_customer_key",
                "must be the base64 of a 32-byte key (44 characters), as Terraform requires",
            ));
        }
    }
    let use_lockfile = read!(boolean, "use_lockfile").unwrap_or(false);
    let dynamodb_table = text(read!(string, "dynamodb_table"));
    let sts_region = text(read!(string, "sts_region"));
    for flag in [
        "encrypt",
        "skip_credentials_validation",
        "skip_metadata_api_check",
        "skip_region_validation",
        "skip_requesting_account_id",
        "skip_s3_checksum",
        "insecure",
        "use_dualstack_endpoint",
        "use_fips_endpoint",
    ] {
        let _ = read!(boolean, flag);
    }

    let chain = credentials::configure(config, context, &mut problems);
    let assume_role = credentials::assume_role(config, &mut problems);

    if !problems.is_empty() {
        return Err(problems);
    }
    let region = region.unwrap_or_default();
    Ok(Location {
        bucket: bucket.unwrap_or_default(),
        key: key.unwrap_or_default(),
        workspace_key_prefix: prefix,
        workspace: workspace.clone(),
        s3_endpoint: s3.unwrap_or_else(|| aws_endpoint("s3", &region)),
        sts_endpoint: sts.unwrap_or_else(|| aws_endpoint("sts", sts_region.as_deref().unwrap_or(&region))),
        dynamodb_endpoint: dynamodb.unwrap_or_else(|| aws_endpoint("dynamodb", &region)),
        path_style,
        sse_customer_key: sse.map(Secret::new),
        use_lockfile,
        dynamodb_table,
        chain,
        assume_role,
        sts_region: sts_region.unwrap_or_else(|| region.clone()),
        region,
        timeout_ms,
    })
}

/// Where a value was written, for a message: "`access_key` (environment variable …)".
pub(crate) fn from(key: &str, written: Option<&Written>) -> String {
    match written {
        Some(w) => format!("`{key}` ({w})"),
        None => format!("`{key}`"),
    }
}

/// The seam's error for this backend's (boxed: errors stay small).
fn fail(e: Error) -> super::Error {
    super::Error::S3(Box::new(e))
}

/// Reads the workspace's state and its locks.
pub async fn open(location: &Location) -> crate::error::Result<Opened> {
    let creds = credentials::resolve(location).await.map_err(fail)?;
    let state_key = location.state_key();
    let (state, (lockfile, item)) = crate::join::both(
        request::send(location, request::get_object(location, &creds, &state_key, true, crate::host::now_ms())),
        crate::join::both(
            async {
                if !location.use_lockfile {
                    return None;
                }
                let key = format!("{state_key}.tflock");
                Some(
                    request::send(location, request::get_object(location, &creds, &key, false, crate::host::now_ms()))
                        .await,
                )
            },
            async {
                location.dynamodb_table.as_ref()?;
                Some(
                    request::send(location, request::get_item(location, &creds, &state_key, crate::host::now_ms()))
                        .await,
                )
            },
        ),
    )
    .await;
    let state = state.map_err(fail)?;
    let modified_ms = state.last_modified_ms();
    let state = request::read_object(location, &creds, &state_key, state).map_err(fail)?;
    let mut warnings = Vec::new();
    let mut lock = None;
    if let Some(answer) = lockfile {
        match answer.and_then(|r| request::read_lockfile(location, &creds, &state_key, r)) {
            Ok(found) => lock = lock.or(found),
            Err(e) => warnings.push(format!("{e} (the state was read; whether an apply holds its lock is not known)")),
        }
    }
    if let Some(answer) = item {
        match answer.and_then(|r| request::read_item(location, &creds, r)) {
            Ok(found) => lock = lock.or(found),
            Err(e) => warnings.push(format!("{e} (the state was read; whether an apply holds its lock is not known)")),
        }
    }
    Ok(match state {
        Some(bytes) => Opened::State(Snapshot {
            size: Some(bytes.len() as u64),
            body: Box::new(std::io::Cursor::new(bytes)),
            name: format!("s3://{}/{state_key}", location.bucket),
            workspace: Some(location.workspace.name.clone()),
            modified_ms,
            lock,
            warnings,
        }),
        None => {
            let existing =
                list(location, &creds).await?.into_iter().filter(|w| *w != location.workspace.name).collect();
            Opened::NoStateYet(NoState {
                backend: NAME,
                place: format!("s3://{}", location.bucket),
                looked_for: format!("object {}", crate::text::name(&state_key)),
                workspace: Some(location.workspace.clone()),
                existing,
            })
        }
    })
}

/// The workspaces with a state: `default` first when `<key>` exists, then those listed under the
/// prefix, as Terraform lists them.
async fn list(location: &Location, creds: &Credentials) -> crate::error::Result<Vec<String>> {
    let (default, listed) = crate::join::both(
        request::send(location, request::head_object(location, creds, &location.key, crate::host::now_ms())),
        request::list_workspaces(location, creds),
    )
    .await;
    let default = request::exists(location, creds, &location.key, default.map_err(fail)?).map_err(fail)?;
    let listed = listed.map_err(fail)?;
    Ok(super::workspace::ordered(listed.into_iter().chain(default.then(|| DEFAULT.to_string()))))
}

/// The workspaces that have a state, `default` first.
pub async fn workspaces(location: &Location) -> crate::error::Result<Vec<String>> {
    let creds = credentials::resolve(location).await.map_err(fail)?;
    list(location, &creds).await
}

#[cfg(test)]
mod tests;
