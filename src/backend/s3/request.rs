//! The requests a read sends (S3 GetObject/HeadObject/ListObjectsV2, DynamoDB GetItem, STS
//! AssumeRole and AssumeRoleWithWebIdentity), each built purely from the [`Location`] and the
//! time, and the readers of their answers, pure too.

use base64::Engine;

use super::credentials::{Credentials, WebIdentity};
use super::error::{Error, Said};
use super::sigv4::{self, Signer};
use super::{AssumeRole, Location};
use crate::backend::lock::Lock;
use crate::files::STATE_FILE_LIMIT;
use crate::host::{self, HttpRequest, HttpResponse};
use crate::secret::Secret;

/// At most this many pages of a listing (1000 keys each) are read.
pub const MAX_PAGES: usize = 100;

fn signer<'a>(creds: &'a Credentials, region: &'a str, service: &'a str, date: &'a str) -> Signer<'a> {
    Signer {
        access_key_id: &creds.access_key_id,
        secret: creds.secret.expose(),
        token: creds.token.as_ref().map(Secret::expose),
        region,
        service,
        amz_date: date,
    }
}

/// The URL of `key` in the bucket (no key: the bucket itself), with `query`.
pub fn object_url(location: &Location, key: Option<&str>, query: &str) -> String {
    let path = key.map(|k| format!("/{}", crate::encode::path(k))).unwrap_or_else(|| "/".to_string());
    let base = if location.path_style {
        format!("{}/{}{path}", location.s3_endpoint, crate::encode::component(&location.bucket))
    } else {
        // Virtual-host style: the bucket is the first label of the endpoint's host.
        let (scheme, rest) = location.s3_endpoint.split_once("://").unwrap_or(("https", &location.s3_endpoint));
        let (host, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        format!("{scheme}://{}.{host}{tail}{path}", location.bucket)
    };
    if query.is_empty() {
        base
    } else {
        format!("{base}?{query}")
    }
}

fn s3_request(
    location: &Location,
    creds: &Credentials,
    method: &str,
    url: String,
    sse: bool,
    now_ms: f64,
) -> HttpRequest {
    let mut headers = Vec::new();
    if let (true, Some(key)) = (sse, &location.sse_customer_key) {
        let raw = base64::engine::general_purpose::STANDARD.decode(key.expose()).unwrap_or_default();
        use md5::Digest;
        let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&raw));
        headers.push(("x-amz-server-side-encryption-customer-algorithm".into(), "AES256".into()));
        headers.push(("x-amz-server-side-encryption-customer-key".into(), key.expose().to_string()));
        headers.push(("x-amz-server-side-encryption-customer-key-md5".into(), md5));
    }
    let date = sigv4::amz_date(now_ms);
    signer(creds, &location.region, "s3", &date).sign(method, &url, &mut headers, b"");
    HttpRequest { method: method.into(), url, headers, body: Vec::new(), timeout_ms: location.timeout_ms, tls: None }
}

/// GetObject of `key`; `sse` sends the SSE-C headers (the state is encrypted with them; the
/// `.tflock` object is not).
pub fn get_object(location: &Location, creds: &Credentials, key: &str, sse: bool, now_ms: f64) -> HttpRequest {
    s3_request(location, creds, "GET", object_url(location, Some(key), ""), sse, now_ms)
}

/// HeadObject of `key`: does it exist.
pub fn head_object(location: &Location, creds: &Credentials, key: &str, now_ms: f64) -> HttpRequest {
    s3_request(location, creds, "HEAD", object_url(location, Some(key), ""), true, now_ms)
}

/// ListObjectsV2 under the workspace prefix, from `token`.
pub fn list_objects(location: &Location, creds: &Credentials, token: Option<&str>, now_ms: f64) -> HttpRequest {
    let prefix = if location.workspace_key_prefix.is_empty() {
        String::new()
    } else {
        format!("{}/", location.workspace_key_prefix)
    };
    let mut pairs = vec![("list-type", "2"), ("max-keys", "1000"), ("prefix", prefix.as_str())];
    if let Some(t) = token {
        pairs.push(("continuation-token", t));
    }
    s3_request(location, creds, "GET", object_url(location, None, &sigv4::query(&pairs)), false, now_ms)
}

/// DynamoDB GetItem of the lock item `LockID = "<bucket>/<state key>"`.
pub fn get_item(location: &Location, creds: &Credentials, state_key: &str, now_ms: f64) -> HttpRequest {
    let body = serde_json::json!({
        "TableName": location.dynamodb_table.clone().unwrap_or_default(),
        "Key": {"LockID": {"S": format!("{}/{state_key}", location.bucket)}},
        "ConsistentRead": true,
    })
    .to_string()
    .into_bytes();
    let url = format!("{}/", location.dynamodb_endpoint);
    let mut headers = vec![
        ("content-type".to_string(), "application/x-amz-json-1.0".to_string()),
        ("x-amz-target".to_string(), "DynamoDB_20120810.GetItem".to_string()),
    ];
    let date = sigv4::amz_date(now_ms);
    signer(creds, &location.region, "dynamodb", &date).sign("POST", &url, &mut headers, &body);
    HttpRequest { method: "POST".into(), url, headers, body, timeout_ms: location.timeout_ms, tls: None }
}

fn form(pairs: &[(String, String)]) -> Vec<u8> {
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    crate::encode::form(&pairs)
}

fn sts_url(location: &Location) -> String {
    format!("{}/", location.sts_endpoint)
}

/// STS AssumeRoleWithWebIdentity: unsigned, the token in the form.
pub fn assume_role_with_web_identity(
    location: &Location,
    wi: &WebIdentity,
    token: &Secret,
    now_ms: f64,
) -> HttpRequest {
    let mut pairs: Vec<(String, String)> = vec![
        ("Action".into(), "AssumeRoleWithWebIdentity".into()),
        ("Version".into(), "2011-06-15".into()),
        ("RoleArn".into(), wi.role_arn.clone()),
        (
            "RoleSessionName".into(),
            wi.session_name.clone().unwrap_or_else(|| format!("stage-action-{}", now_ms as u64)),
        ),
        ("WebIdentityToken".into(), token.expose().to_string()),
    ];
    if let Some(d) = wi.duration_seconds {
        pairs.push(("DurationSeconds".into(), d.to_string()));
    }
    if let Some(p) = &wi.policy {
        pairs.push(("Policy".into(), p.clone()));
    }
    for (i, arn) in wi.policy_arns.iter().enumerate() {
        pairs.push((format!("PolicyArns.member.{}.arn", i + 1), arn.clone()));
    }
    HttpRequest {
        method: "POST".into(),
        url: sts_url(location),
        headers: vec![("content-type".into(), "application/x-www-form-urlencoded; charset=utf-8".into())],
        body: form(&pairs),
        timeout_ms: location.timeout_ms,
        tls: None,
    }
}

/// STS AssumeRole, signed with `base`.
pub fn assume_role(location: &Location, base: &Credentials, role: &AssumeRole, now_ms: f64) -> HttpRequest {
    let mut pairs: Vec<(String, String)> = vec![
        ("Action".into(), "AssumeRole".into()),
        ("Version".into(), "2011-06-15".into()),
        ("RoleArn".into(), role.role_arn.clone()),
        ("RoleSessionName".into(), role.session_name.clone()),
    ];
    let mut push = |k: String, v: &Option<String>| {
        if let Some(v) = v {
            pairs.push((k, v.clone()));
        }
    };
    push("ExternalId".into(), &role.external_id);
    push("DurationSeconds".into(), &role.duration_seconds.map(|d| d.to_string()));
    push("Policy".into(), &role.policy);
    push("SourceIdentity".into(), &role.source_identity);
    for (i, arn) in role.policy_arns.iter().enumerate() {
        pairs.push((format!("PolicyArns.member.{}.arn", i + 1), arn.clone()));
    }
    for (i, (k, v)) in role.tags.iter().enumerate() {
        pairs.push((format!("Tags.member.{}.Key", i + 1), k.clone()));
        pairs.push((format!("Tags.member.{}.Value", i + 1), v.clone()));
    }
    for (i, k) in role.transitive_tag_keys.iter().enumerate() {
        pairs.push((format!("TransitiveTagKeys.member.{}", i + 1), k.clone()));
    }
    let body = form(&pairs);
    let url = sts_url(location);
    let mut headers =
        vec![("content-type".to_string(), "application/x-www-form-urlencoded; charset=utf-8".to_string())];
    let date = sigv4::amz_date(now_ms);
    signer(base, &location.sts_region, "sts", &date).sign("POST", &url, &mut headers, &body);
    HttpRequest { method: "POST".into(), url, headers, body, timeout_ms: location.timeout_ms, tls: None }
}

/// Sends `request`; a transport failure names the endpoint.
pub async fn send(location: &Location, request: HttpRequest) -> Result<HttpResponse, Error> {
    let endpoint = host::origin(&request.url).unwrap_or(&request.url).to_string();
    host::http(request).await.map_err(|e| Error::Unreachable {
        endpoint,
        timed_out: e.code == host::TIMED_OUT,
        timeout_ms: location.timeout_ms,
        message: e.message,
    })
}

/// The ARN of an object, for a message.
fn arn(location: &Location, key: &str) -> String {
    let partition = if location.region.starts_with("cn-") {
        "aws-cn"
    } else if location.region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    format!("arn:{partition}:s3:::{}/{key}", location.bucket)
}

/// An S3 error answer as an [`Error`]: `action` is the IAM action the request needs.
fn s3_error(
    location: &Location,
    creds: &Credentials,
    action: &'static str,
    resource: String,
    response: &HttpResponse,
) -> Error {
    let said = Said::xml(response);
    match &*said.code {
        "AccessDenied" | "AllAccessDisabled" => {
            Error::Denied { action, resource, identity: creds.identity(), source: creds.source.clone().into(), said }
        }
        "NoSuchBucket" => Error::NoSuchBucket {
            bucket: location.bucket.clone(),
            endpoint: location.s3_endpoint.clone(),
            region: location.region.clone(),
        },
        "SignatureDoesNotMatch" | "InvalidAccessKeyId" | "ExpiredToken" | "InvalidToken" | "TokenRefreshRequired" => {
            Error::Rejected { identity: creds.identity(), source: creds.source.clone(), said }
        }
        "PermanentRedirect" | "AuthorizationHeaderMalformed" | "IllegalLocationConstraintException" => {
            Error::WrongRegion { bucket: location.bucket.clone(), region: location.region.clone(), said }
        }
        "InvalidRequest" | "InvalidArgument"
            if location.sse_customer_key.is_some() || said.message.contains("Server Side Encryption") =>
        {
            Error::SseC { object: resource, key_given: location.sse_customer_key.is_some(), said }
        }
        _ if response.status == 403 => {
            Error::Denied { action, resource, identity: creds.identity(), source: creds.source.clone().into(), said }
        }
        _ => Error::Status { what: format!("{action} on {resource}"), status: response.status, said },
    }
}

/// The state's bytes, `None` when the object does not exist (no state yet).
pub fn read_object(
    location: &Location,
    creds: &Credentials,
    key: &str,
    response: HttpResponse,
) -> Result<Option<Vec<u8>>, Error> {
    match response.status {
        200 | 206 if response.body.len() as u64 > STATE_FILE_LIMIT => Err(Error::Answer {
            what: format!("s3:GetObject on {}", arn(location, key)),
            problem: format!("the object is over {}", host::format_bytes(STATE_FILE_LIMIT)),
        }),
        // An empty object is no state, as Terraform reads it.
        200 | 206 if response.body.is_empty() => Ok(None),
        200 | 206 => Ok(Some(response.body)),
        404 if &*Said::xml(&response).code != "NoSuchBucket" => Ok(None),
        _ => Err(s3_error(location, creds, "s3:GetObject", arn(location, key), &response)),
    }
}

/// Whether `key` exists (HeadObject: no body, so a 403 or 404 says nothing more).
pub fn exists(location: &Location, creds: &Credentials, key: &str, response: HttpResponse) -> Result<bool, Error> {
    match response.status {
        200 => Ok(true),
        404 => Ok(false),
        _ => Err(s3_error(location, creds, "s3:GetObject", arn(location, key), &response)),
    }
}

/// The `.tflock` object: `Some` lock when it exists.
pub fn read_lockfile(
    location: &Location,
    creds: &Credentials,
    state_key: &str,
    response: HttpResponse,
) -> Result<Option<Lock>, Error> {
    let key = format!("{state_key}.tflock");
    match response.status {
        200 => {
            let text = String::from_utf8_lossy(&response.body[..response.body.len().min(64 << 10)]).into_owned();
            Ok(Some(Lock::from_lock_info(&text).unwrap_or_default()))
        }
        404 => Ok(None),
        _ => Err(s3_error(location, creds, "s3:GetObject", arn(location, &key), &response)),
    }
}

/// The DynamoDB lock item: `Some` lock when it exists.
pub fn read_item(location: &Location, creds: &Credentials, response: HttpResponse) -> Result<Option<Lock>, Error> {
    let table = location.dynamodb_table.clone().unwrap_or_default();
    let resource = format!("arn:aws:dynamodb:{}:*:table/{table}", location.region);
    if response.status != 200 {
        let said = Said::json(&response);
        let short = said.code.rsplit('#').next().unwrap_or_default().to_string();
        return Err(match short.as_str() {
            "AccessDeniedException" => Error::Denied {
                action: "dynamodb:GetItem",
                resource,
                identity: creds.identity(),
                source: creds.source.clone().into(),
                said,
            },
            "ResourceNotFoundException" => Error::NoSuchTable { table, region: location.region.clone() },
            "UnrecognizedClientException" | "InvalidSignatureException" | "ExpiredTokenException" => {
                Error::Rejected { identity: creds.identity(), source: creds.source.clone(), said }
            }
            _ => Error::Status { what: format!("dynamodb:GetItem on {resource}"), status: response.status, said },
        });
    }
    let answer: serde_json::Value = serde_json::from_slice(&response.body).map_err(|e| Error::Answer {
        what: format!("dynamodb:GetItem on {resource}"),
        problem: format!("not JSON: {e}"),
    })?;
    let Some(item) = answer.get("Item") else { return Ok(None) };
    let info = item.pointer("/Info/S").and_then(|v| v.as_str()).unwrap_or_default();
    Ok(Some(Lock::from_lock_info(info).unwrap_or_default()))
}

/// One page of ListObjectsV2: the workspaces in it and the next page's token.
pub fn read_list(location: &Location, xml: &str) -> Result<(Vec<String>, Option<String>), String> {
    let keys = crate::backend::xml::texts(xml, &["ListBucketResult", "Contents", "Key"])?;
    let truncated = crate::backend::xml::text(xml, &["ListBucketResult", "IsTruncated"])?.is_some_and(|t| t == "true");
    let next = crate::backend::xml::text(xml, &["ListBucketResult", "NextContinuationToken"])?;
    let workspaces =
        keys.iter().filter_map(|k| workspace_of(k, &location.workspace_key_prefix, &location.key)).collect();
    Ok((workspaces, next.filter(|_| truncated)))
}

/// The workspace whose state `object` is, as Terraform's `keyEnv` reads it.
pub fn workspace_of(object: &str, prefix: &str, key: &str) -> Option<String> {
    let rest = if prefix.is_empty() { object } else { object.strip_prefix(prefix)?.strip_prefix('/')? };
    let (workspace, tail) = rest.split_once('/')?;
    (tail == key && !workspace.is_empty() && workspace != super::DEFAULT).then(|| workspace.to_string())
}

/// Every workspace under the prefix, page after page. `AccessDenied` with the default prefix
/// gives none, as in Terraform (a policy may allow only the default state).
pub async fn list_workspaces(location: &Location, creds: &Credentials) -> Result<Vec<String>, Error> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let response = send(location, list_objects(location, creds, token.as_deref(), host::now_ms())).await?;
        if response.status != 200 {
            let e = s3_error(location, creds, "s3:ListBucket", format!("arn:aws:s3:::{}", location.bucket), &response);
            if matches!(e, Error::Denied { .. }) && location.workspace_key_prefix == "env:" {
                return Ok(Vec::new());
            }
            return Err(e);
        }
        let text = String::from_utf8_lossy(&response.body);
        let (page, next) =
            read_list(location, &text).map_err(|problem| Error::Answer { what: "s3:ListBucket".into(), problem })?;
        all.extend(page);
        match next {
            Some(t) if Some(&t) != token.as_ref() => token = Some(t),
            _ => break,
        }
    }
    Ok(all)
}

/// STS's answer: the temporary credentials, or the error.
pub fn read_sts(
    location: &Location,
    action: &'static str,
    role_arn: &str,
    base: Option<&Credentials>,
    response: HttpResponse,
) -> Result<Credentials, Error> {
    let text = String::from_utf8_lossy(&response.body[..response.body.len().min(1 << 20)]).into_owned();
    if response.status != 200 {
        return Err(Error::Sts {
            action,
            endpoint: location.sts_endpoint.clone(),
            role_arn: role_arn.to_string(),
            identity: base.map(|b| b.identity().into()),
            status: response.status,
            said: Said::xml(&response),
        });
    }
    let (outer, result) = (format!("{action}Response"), format!("{action}Result"));
    let read = |leaf: &str| {
        crate::backend::xml::text(&text, &[outer.as_str(), result.as_str(), "Credentials", leaf])
            .ok()
            .flatten()
            .filter(|s| !s.is_empty())
    };
    match (read("AccessKeyId"), read("SecretAccessKey"), read("SessionToken")) {
        (Some(id), Some(secret), Some(token)) => Ok(Credentials {
            access_key_id: id,
            secret: Secret::new(secret),
            token: Some(Secret::new(token)),
            source: String::new(),
            role_arn: Some(role_arn.to_string()),
        }),
        _ => Err(Error::Answer {
            what: format!("sts:{action} at {}", location.sts_endpoint),
            problem: "the answer holds no credentials".into(),
        }),
    }
}
