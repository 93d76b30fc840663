//! The credential chain, as the AWS SDK walks it for Terraform, without what a workflow never
//! has (EC2/ECS metadata, SSO, `credential_process`):
//!
//! 1. `access_key` + `secret_key` (+ `token`) written in the settings;
//! 2. the `assume_role_with_web_identity` block (STS AssumeRoleWithWebIdentity);
//! 3. a profile named by `profile` or `AWS_PROFILE`, in the shared files: static keys, or
//!    `role_arn` with `source_profile` (AssumeRole) or `web_identity_token_file`;
//! 4. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`): what
//!    aws-actions/configure-aws-credentials exports;
//! 5. `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` (+ `AWS_ROLE_SESSION_NAME`);
//! 6. the `default` profile, when the shared files have one.
//!
//! Then `assume_role`, signed with what the chain gave. Tokens obtained from STS are
//! [`Secret`]s: never printed, never in a message (only their access key id is).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::Error;
use super::{from, request, AssumeRole, Location};
use crate::backend::config::{BackendConfig, From as Written, KeyProblem};
use crate::context::Context;
use crate::host;
use crate::secret::Secret;

/// Static keys, and where they were written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keys {
    /// The access key id (not a secret: it names the identity in messages).
    pub access_key_id: String,
    /// The secret access key.
    pub secret: Secret,
    /// The session token of temporary keys.
    pub token: Option<Secret>,
    /// Where they were written, for messages.
    pub from: String,
}

/// A role to take with a web identity token (an OIDC JWT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebIdentity {
    /// The role's ARN.
    pub role_arn: String,
    /// The token itself (`web_identity_token`).
    pub token: Option<Secret>,
    /// The file that holds the token (`web_identity_token_file`, `AWS_WEB_IDENTITY_TOKEN_FILE`):
    /// read when the credentials are needed.
    pub token_file: Option<crate::files::Setting>,
    /// The session's name.
    pub session_name: Option<String>,
    /// How long the credentials last, in seconds.
    pub duration_seconds: Option<u64>,
    /// An inline session policy.
    pub policy: Option<String>,
    /// Managed session policies.
    pub policy_arns: Vec<String>,
    /// Where it was written, for messages.
    pub from: String,
}

/// What the chain may take credentials from, in its order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    /// `access_key`/`secret_key`/`token` in the settings.
    pub settings_keys: Option<Keys>,
    /// The `assume_role_with_web_identity` block.
    pub settings_web_identity: Option<WebIdentity>,
    /// `profile` or `AWS_PROFILE`, and where it was written.
    pub profile: Option<(String, String)>,
    /// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`.
    pub env_keys: Option<Keys>,
    /// `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`.
    pub env_web_identity: Option<WebIdentity>,
    /// The shared credentials files, resolved (`~` expanded).
    pub credentials_files: Vec<crate::files::Setting>,
    /// The shared config files, resolved.
    pub config_files: Vec<crate::files::Setting>,
}

/// Credentials to sign with, and who they are for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret: Secret,
    /// The session token.
    pub token: Option<Secret>,
    /// Where they came from: "environment variables AWS_ACCESS_KEY_ID and …", "profile ci in …",
    /// "role arn:… (STS AssumeRoleWithWebIdentity with the token in …)".
    pub source: String,
    /// The role they are a session of, when one was assumed.
    pub role_arn: Option<String>,
}

impl Credentials {
    /// Who the requests were signed as: the role, else the access key id (never a secret).
    pub fn identity(&self) -> String {
        match &self.role_arn {
            Some(role) => {
                format!("role {} (session key {})", crate::text::name(role), crate::text::name(&self.access_key_id))
            }
            None => format!("access key {}", crate::text::name(&self.access_key_id)),
        }
    }

    fn from_keys(keys: &Keys) -> Credentials {
        Credentials {
            access_key_id: keys.access_key_id.clone(),
            secret: keys.secret.clone(),
            token: keys.token.clone(),
            source: keys.from.clone(),
            role_arn: None,
        }
    }
}

/// A Go duration as Terraform takes it (`1h`, `15m`, `1h30m`, `900s`), in seconds.
pub fn duration_seconds(text: &str) -> Option<u64> {
    let mut total = 0.0f64;
    let mut number = String::new();
    let mut chars = text.trim().chars().peekable();
    if text.trim().is_empty() {
        return None;
    }
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            unit.push(chars.next()?);
        }
        let n: f64 = number.parse().ok()?;
        number.clear();
        total += n * match unit.as_str() {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return None,
        };
    }
    number.is_empty().then_some(total.round() as u64)
}

fn string_of(map: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<String> {
    map.get(key).and_then(|v| v.as_str()).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn strings_of(map: &serde_json::Map<String, serde_json::Value>, key: &str) -> Vec<String> {
    map.get(key)
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// A block (`assume_role`, `assume_role_with_web_identity`) as a JSON object; a problem when it
/// is something else.
fn block<'a>(
    config: &'a BackendConfig,
    key: &str,
    problems: &mut Vec<KeyProblem>,
) -> Option<&'a serde_json::Map<String, serde_json::Value>> {
    match &config.get(key)?.value {
        serde_json::Value::Object(map) => Some(map),
        _ => {
            problems.push(config.problem(key, "must be a block: { role_arn = \"arn:aws:iam::…:role/…\", … }"));
            None
        }
    }
}

fn duration_in(
    config: &BackendConfig,
    key: &str,
    map: &serde_json::Map<String, serde_json::Value>,
    problems: &mut Vec<KeyProblem>,
) -> Option<u64> {
    let text = string_of(map, "duration")?;
    let seconds = duration_seconds(&text);
    if seconds.is_none() {
        problems.push(
            config
                .problem(key, format!("`duration` {} is not a duration such as 1h or 15m", crate::text::quote(&text))),
        );
    }
    seconds
}

/// `assume_role { … }`, validated.
pub fn assume_role(config: &BackendConfig, problems: &mut Vec<KeyProblem>) -> Option<AssumeRole> {
    let map = block(config, "assume_role", problems)?;
    let Some(role_arn) = string_of(map, "role_arn") else {
        problems.push(config.problem("assume_role", "needs `role_arn`: the role to assume"));
        return None;
    };
    let tags = match map.get("tags") {
        Some(serde_json::Value::Object(t)) => {
            let mut tags: Vec<(String, String)> =
                t.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect();
            tags.sort();
            tags
        }
        _ => Vec::new(),
    };
    Some(AssumeRole {
        role_arn,
        session_name: string_of(map, "session_name").unwrap_or_else(|| "stage-action".to_string()),
        external_id: string_of(map, "external_id"),
        duration_seconds: duration_in(config, "assume_role", map, problems),
        policy: string_of(map, "policy"),
        policy_arns: strings_of(map, "policy_arns"),
        source_identity: string_of(map, "source_identity"),
        tags,
        transitive_tag_keys: strings_of(map, "transitive_tag_keys"),
    })
}

/// The chain's inputs, validated.
pub fn configure(config: &BackendConfig, context: &Context, problems: &mut Vec<KeyProblem>) -> Chain {
    let value = |key: &str| -> Option<(String, Option<&Written>)> {
        let entry = config.get(key)?;
        let s = entry.value.as_str().map(str::trim).filter(|s| !s.is_empty())?;
        Some((s.to_string(), Some(&entry.from)))
    };
    let (access, secret, token) = (value("access_key"), value("secret_key"), value("token"));
    let mut chain = Chain::default();
    fn pick<'a>(v: &Option<(String, Option<&'a Written>)>, env: bool) -> Option<(String, Option<&'a Written>)> {
        v.as_ref().filter(|(_, w)| matches!(w, Some(Written::Env { .. })) == env).cloned()
    }
    let setting = |v| pick(v, false);
    let env = |v| pick(v, true);
    match (setting(&access), setting(&secret)) {
        (Some((id, w)), Some((s, _))) => {
            chain.settings_keys = Some(Keys {
                access_key_id: id,
                secret: Secret::new(s),
                token: setting(&token).map(|(t, _)| Secret::new(t)),
                from: from("access_key", w),
            })
        }
        (Some(_), None) => problems.push(config.problem("secret_key", "is required with `access_key`")),
        (None, Some(_)) => problems.push(config.problem("access_key", "is required with `secret_key`")),
        (None, None) => {}
    }
    if let (Some((id, _)), Some((s, _))) = (env(&access), env(&secret)) {
        chain.env_keys = Some(Keys {
            access_key_id: id,
            secret: Secret::new(s),
            token: env(&token).map(|(t, _)| Secret::new(t)),
            from: if env(&token).is_some() {
                "environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN".into()
            } else {
                "environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into()
            },
        });
    }
    chain.profile = value("profile").map(|(p, w)| (p, from("profile", w)));

    let aws = |name: &str| context.aws_env.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    if let Some(map) = block(config, "assume_role_with_web_identity", problems) {
        let role_arn = string_of(map, "role_arn").or_else(|| aws("AWS_ROLE_ARN"));
        let token = string_of(map, "web_identity_token").map(Secret::new);
        let token_file = string_of(map, "web_identity_token_file")
            .map(|f| (f, "`web_identity_token_file`"))
            .or_else(|| aws("AWS_WEB_IDENTITY_TOKEN_FILE").map(|f| (f, "AWS_WEB_IDENTITY_TOKEN_FILE")));
        match role_arn {
            None => {
                problems.push(config.problem("assume_role_with_web_identity", "needs `role_arn` (or AWS_ROLE_ARN)"))
            }
            Some(_) if token.is_none() && token_file.is_none() => problems.push(config.problem(
                "assume_role_with_web_identity",
                "needs `web_identity_token` or `web_identity_token_file` (or AWS_WEB_IDENTITY_TOKEN_FILE)",
            )),
            Some(role_arn) => {
                chain.settings_web_identity = Some(WebIdentity {
                    role_arn,
                    token,
                    token_file: token_file.map(|(f, setting)| resolve_path(&f, setting, context)),
                    session_name: string_of(map, "session_name").or_else(|| aws("AWS_ROLE_SESSION_NAME")),
                    duration_seconds: duration_in(config, "assume_role_with_web_identity", map, problems),
                    policy: string_of(map, "policy"),
                    policy_arns: strings_of(map, "policy_arns"),
                    from: from(
                        "assume_role_with_web_identity",
                        config.get("assume_role_with_web_identity").map(|e| &e.from),
                    ),
                })
            }
        }
    }
    if let (Some(role_arn), Some(file)) = (aws("AWS_ROLE_ARN"), aws("AWS_WEB_IDENTITY_TOKEN_FILE")) {
        chain.env_web_identity = Some(WebIdentity {
            role_arn,
            token: None,
            token_file: Some(resolve_path(&file, "AWS_WEB_IDENTITY_TOKEN_FILE", context)),
            session_name: aws("AWS_ROLE_SESSION_NAME"),
            duration_seconds: None,
            policy: None,
            policy_arns: Vec::new(),
            from: "environment variables AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE".into(),
        });
    }

    let files = |keys: &[&str], default: &str, problems: &mut Vec<KeyProblem>| -> Vec<crate::files::Setting> {
        for key in keys {
            let Some(entry) = config.get(key) else { continue };
            let list: Vec<String> = match &entry.value {
                // An environment variable (or `-backend-config`) gives one path.
                serde_json::Value::String(s) => vec![s.clone()],
                serde_json::Value::Array(_) => {
                    config.strings(key).map(|v| v.map(|(l, _)| l).unwrap_or_default()).unwrap_or_else(|p| {
                        problems.push(p);
                        Vec::new()
                    })
                }
                _ => {
                    problems.push(config.problem(key, "must be a list of file paths"));
                    Vec::new()
                }
            };
            let setting = format!("`{key}` ({})", entry.from);
            return list
                .iter()
                .filter(|p| !p.trim().is_empty())
                .map(|p| resolve_path(p.trim(), &setting, context))
                .collect();
        }
        vec![resolve_path(default, "the default shared file", context)]
    };
    chain.credentials_files =
        files(&["shared_credentials_files", "shared_credentials_file"], "~/.aws/credentials", problems);
    chain.config_files = files(&["shared_config_files"], "~/.aws/config", problems);
    chain
}

/// A file a setting names: `~/x` under `HOME`, a relative path under the run's workspace (and
/// kept inside it).
fn resolve_path(path: &str, setting: &str, context: &Context) -> crate::files::Setting {
    crate::files::Setting::new(path, setting, &context.workspace, context.home.as_deref())
}

/// Profiles by name, each its keys (lower case) and values.
pub type Profiles = BTreeMap<String, BTreeMap<String, String>>;

/// The shared files' profiles: `[name]` in a credentials file, `[profile name]` or `[default]` in
/// a config file; a credentials file's keys win over the config file's for the same profile.
pub fn profiles(
    config_files: &[(String, String)],
    credentials_files: &[(String, String)],
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut all: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (is_config, files) in [(true, config_files), (false, credentials_files)] {
        for (_, text) in files {
            let mut section: Option<String> = None;
            for line in text.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                    continue;
                }
                if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                    let name = name.trim();
                    section = if is_config {
                        match name.strip_prefix("profile ") {
                            Some(n) => Some(n.trim().to_string()),
                            None if name == "default" => Some(name.to_string()),
                            None => None, // `[sso-session …]`, `[services …]`
                        }
                    } else {
                        Some(name.to_string())
                    };
                    continue;
                }
                if let (Some(s), Some((k, v))) = (&section, line.split_once('=')) {
                    all.entry(s.clone()).or_default().insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                }
            }
        }
    }
    all
}

/// How a profile gives credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromProfile {
    /// Static keys.
    Keys(Keys),
    /// Keys of a source profile, then AssumeRole.
    AssumeRole { base: Box<FromProfile>, role: AssumeRole },
    /// AssumeRoleWithWebIdentity.
    WebIdentity(WebIdentity),
}

/// What `name` in `profiles` gives; `files` names the files for messages. Pure.
pub fn from_profile(
    profiles: &BTreeMap<String, BTreeMap<String, String>>,
    name: &str,
    files: &str,
    depth: usize,
) -> Result<FromProfile, Error> {
    let problem = |p: String| Error::Profile { name: name.to_string(), files: files.to_string(), problem: p };
    let Some(p) = profiles.get(name) else {
        return Err(problem("is not in them".into()));
    };
    if depth > 4 {
        return Err(problem("is part of a `source_profile` loop".into()));
    }
    let keys = || -> Option<Keys> {
        Some(Keys {
            access_key_id: p.get("aws_access_key_id")?.clone(),
            secret: Secret::new(p.get("aws_secret_access_key")?.clone()),
            token: p.get("aws_session_token").map(|t| Secret::new(t.clone())),
            from: format!("profile {} in {files}", crate::text::name(name)),
        })
    };
    if let Some(role_arn) = p.get("role_arn") {
        if let Some(file) = p.get("web_identity_token_file") {
            return Ok(FromProfile::WebIdentity(WebIdentity {
                role_arn: role_arn.clone(),
                token: None,
                // Taken as written (as the SDK does): the shared files are the workflow author's.
                token_file: Some(crate::files::Setting {
                    path: file.clone(),
                    given: file.clone(),
                    setting: format!("`web_identity_token_file` of profile {}", crate::text::name(name)),
                    within: None,
                }),
                session_name: p.get("role_session_name").cloned(),
                duration_seconds: p.get("duration_seconds").and_then(|d| d.parse().ok()),
                policy: None,
                policy_arns: Vec::new(),
                from: format!("profile {} in {files}", crate::text::name(name)),
            }));
        }
        let role = AssumeRole {
            role_arn: role_arn.clone(),
            session_name: p.get("role_session_name").cloned().unwrap_or_else(|| "stage-action".into()),
            external_id: p.get("external_id").cloned(),
            duration_seconds: p.get("duration_seconds").and_then(|d| d.parse().ok()),
            policy: None,
            policy_arns: Vec::new(),
            source_identity: p.get("source_identity").cloned(),
            tags: Vec::new(),
            transitive_tag_keys: Vec::new(),
        };
        let base = match p.get("source_profile") {
            Some(source) if source == name => keys().map(FromProfile::Keys).ok_or_else(|| problem("names itself as `source_profile` and has no keys".into()))?,
            Some(source) => from_profile(profiles, source, files, depth + 1)?,
            None if p.contains_key("credential_source") => {
                return Err(problem("uses `credential_source` (EC2/ECS metadata), which a workflow does not have: use `source_profile`, or the keys aws-actions/configure-aws-credentials exports".into()))
            }
            None => return Err(problem("has `role_arn` but neither `source_profile` nor `web_identity_token_file`".into())),
        };
        return Ok(FromProfile::AssumeRole { base: Box::new(base), role });
    }
    if let Some(keys) = keys() {
        return Ok(FromProfile::Keys(keys));
    }
    let unsupported = ["sso_session", "sso_start_url", "credential_process"].into_iter().find(|k| p.contains_key(*k));
    Err(problem(match unsupported {
        Some(k) => format!("uses `{k}`, which this action does not run: use aws-actions/configure-aws-credentials (OIDC) in the workflow, or static keys"),
        None => "has no `aws_access_key_id`/`aws_secret_access_key`, no `role_arn`".into(),
    }))
}

/// Reads the files that exist, each at most 1 MiB.
fn read_files(files: &[crate::files::Setting]) -> Result<Vec<(String, String)>, Error> {
    let mut found = Vec::new();
    for file in files {
        if let Some(bytes) = file.read(1 << 20).map_err(|e| refused(&file.path, e))? {
            found.push((file.path.clone(), String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok(found)
}

/// A file the action would not read ([`Error::Refused`]), or could not ([`Error::File`], in the
/// host's words as before).
fn refused(path: &str, e: crate::files::Error) -> Error {
    match e {
        crate::files::Error::Io { message, .. } => Error::File { path: path.to_string(), problem: message },
        refused => Error::Refused(refused),
    }
}

/// The web identity token: the setting, else the file's content (read now: it rotates).
pub(super) fn web_token(wi: &WebIdentity) -> Result<Secret, Error> {
    if let Some(t) = &wi.token {
        return Ok(t.clone());
    }
    let Some(file) = &wi.token_file else {
        return Err(Error::File { path: String::new(), problem: "is not set".into() });
    };
    let path = file.path.clone();
    let bytes = file.read_existing(64 << 10).map_err(|e| refused(&path, e))?;
    let token = String::from_utf8_lossy(&bytes).trim().to_string();
    if token.is_empty() {
        return Err(Error::File { path, problem: "is empty: it should hold the OIDC token".into() });
    }
    Ok(Secret::new(token))
}

async fn web_identity(location: &Location, wi: &WebIdentity) -> Result<Credentials, Error> {
    let token = web_token(wi)?;
    let req = request::assume_role_with_web_identity(location, wi, &token, host::now_ms());
    let response = request::send(location, req).await?;
    let mut creds = request::read_sts(location, "AssumeRoleWithWebIdentity", &wi.role_arn, None, response)?;
    creds.source = format!(
        "STS AssumeRoleWithWebIdentity with the token from {}",
        wi.token_file.as_ref().map_or_else(|| wi.from.clone(), |f| crate::text::name(&f.path))
    );
    Ok(creds)
}

async fn assume(location: &Location, base: &Credentials, role: &AssumeRole) -> Result<Credentials, Error> {
    let req = request::assume_role(location, base, role, host::now_ms());
    let response = request::send(location, req).await?;
    let mut creds = request::read_sts(location, "AssumeRole", &role.role_arn, Some(base), response)?;
    creds.source = format!("STS AssumeRole as {}, from {}", base.identity(), base.source);
    Ok(creds)
}

async fn profile_credentials(location: &Location, got: FromProfile) -> Result<Credentials, Error> {
    // Iterative over the source profiles: the innermost first.
    let mut roles = Vec::new();
    let mut at = got;
    let mut creds = loop {
        match at {
            FromProfile::Keys(k) => break Credentials::from_keys(&k),
            FromProfile::WebIdentity(wi) => break web_identity(location, &wi).await?,
            FromProfile::AssumeRole { base, role } => {
                roles.push(role);
                at = *base;
            }
        }
    };
    while let Some(role) = roles.pop() {
        creds = assume(location, &creds, &role).await?;
    }
    Ok(creds)
}

/// The chain's credentials, with `assume_role` taken on top.
pub async fn resolve(location: &Location) -> Result<Credentials, Error> {
    let chain = &location.chain;
    let files = || -> Result<(Profiles, String), Error> {
        let config = read_files(&chain.config_files)?;
        let credentials = read_files(&chain.credentials_files)?;
        let names: Vec<&str> =
            chain.credentials_files.iter().chain(&chain.config_files).map(|f| f.path.as_str()).collect();
        Ok((profiles(&config, &credentials), names.join(" and ")))
    };
    let base = if let Some(keys) = &chain.settings_keys {
        Credentials::from_keys(keys)
    } else if let Some(wi) = &chain.settings_web_identity {
        web_identity(location, wi).await?
    } else if let Some((name, _)) = &chain.profile {
        let (profiles, names) = files()?;
        profile_credentials(location, from_profile(&profiles, name, &names, 0)?).await?
    } else if let Some(keys) = &chain.env_keys {
        Credentials::from_keys(keys)
    } else if let Some(wi) = &chain.env_web_identity {
        web_identity(location, wi).await?
    } else {
        let (profiles, names) = files()?;
        if !profiles.contains_key("default") {
            return Err(Error::NoCredentials { files: names });
        }
        profile_credentials(location, from_profile(&profiles, "default", &names, 0)?).await?
    };
    match &location.assume_role {
        Some(role) => assume(location, &base, role).await,
        None => Ok(base),
    }
}
