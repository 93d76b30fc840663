//! What can go wrong reading a state from S3, each with the words a person needs: the backend,
//! the setting, who the requests were signed as (an access key id or a role ARN, never a
//! secret), the permission that is missing, what to do. What AWS said is quoted
//! ([`crate::text::quote`]) and cut short.

use std::fmt;

use crate::host::HttpResponse;
use crate::text::quote;

/// What an AWS error answer said: its code and message, each short and escaped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Said {
    /// `AccessDenied`, `NoSuchBucket`, `com.amazonaws.dynamodb.v20120810#ResourceNotFoundException`, ….
    pub code: Box<str>,
    /// The message, as written (quoted when shown).
    pub message: Box<str>,
}

impl Said {
    /// An S3 or STS XML error (`<Error><Code>…`, `<ErrorResponse><Error><Code>…`); a HEAD has no
    /// body: its status alone then speaks.
    pub fn xml(response: &HttpResponse) -> Said {
        let body = &response.body[..response.body.len().min(64 << 10)];
        let text = String::from_utf8_lossy(body);
        let pick = |leaf: &str| {
            crate::backend::xml::text(&text, &["Error", leaf])
                .ok()
                .flatten()
                .or_else(|| crate::backend::xml::text(&text, &["ErrorResponse", "Error", leaf]).ok().flatten())
                .unwrap_or_default()
        };
        let mut code = pick("Code");
        if code.is_empty() {
            code = match response.status {
                403 => "AccessDenied",
                404 => "NotFound",
                _ => "",
            }
            .to_string();
        }
        Said { code: code.into(), message: pick("Message").into() }
    }

    /// A DynamoDB JSON error (`{"__type": "…#ResourceNotFoundException", "message": "…"}`).
    pub fn json(response: &HttpResponse) -> Said {
        let body = &response.body[..response.body.len().min(64 << 10)];
        let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let s = |k: &str| value.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let message = if s("message").is_empty() { s("Message") } else { s("message") };
        Said { code: s("__type").into(), message: message.into() }
    }
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code.is_empty(), self.message.is_empty()) {
            (true, true) => f.write_str("no error code"),
            (false, true) => write!(f, "{}", crate::text::name(&self.code)),
            (true, false) => write!(f, "{}", quote(&self.message)),
            (false, false) => write!(f, "{}: {}", crate::text::name(&self.code), quote(&self.message)),
        }
    }
}

/// A problem of the s3 backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Nothing in the chain gave credentials.
    NoCredentials {
        /// The shared files looked in.
        files: String,
    },
    /// A profile of the shared files cannot give credentials.
    Profile { name: String, files: String, problem: String },
    /// A file the credentials need (a web identity token, a shared file) could not be read.
    File { path: String, problem: String },
    /// A file a setting names that the action will not read: outside the workspace, not a
    /// regular file, or too large.
    Refused(crate::files::Error),
    /// STS refused to give credentials.
    Sts {
        action: &'static str,
        endpoint: String,
        role_arn: String,
        /// Who signed the request (AssumeRole), when anyone did.
        identity: Option<Box<str>>,
        status: u16,
        said: Said,
    },
    /// An endpoint could not be reached, or did not answer in time.
    Unreachable { endpoint: String, timed_out: bool, timeout_ms: u64, message: String },
    /// The identity may not do `action` on `resource`; `source` says where its credentials came
    /// from.
    Denied { action: &'static str, resource: String, identity: String, source: Box<str>, said: Said },
    /// The bucket does not exist.
    NoSuchBucket { bucket: String, endpoint: String, region: String },
    /// The DynamoDB table does not exist.
    NoSuchTable { table: String, region: String },
    /// AWS did not take the credentials (SignatureDoesNotMatch, InvalidAccessKeyId,
    /// ExpiredToken, …).
    Rejected { identity: String, source: String, said: Said },
    /// The bucket is in another region than `region`.
    WrongRegion { bucket: String, region: String, said: Said },
    /// The object is encrypted with a customer key (SSE-C), and the key was not given or not
    /// taken.
    SseC { object: String, key_given: bool, said: Said },
    /// Any other answer.
    Status { what: String, status: u16, said: Said },
    /// An answer that is not what AWS returns.
    Answer { what: String, problem: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("s3 backend: ")?;
        match self {
            Error::NoCredentials { files } => write!(
                f,
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE), name a `profile` of the shared files ({files}), or use aws-actions/configure-aws-credentials in the workflow before this step; EC2/ECS metadata, SSO and credential_process are not read"
            ),
            Error::Profile { name, files, problem } => write!(
                f,
                "profile {} ({}) {problem}; fix the profile, or set `profile`/AWS_PROFILE to another",
                crate::text::name(name),
                if files.is_empty() { "no shared files" } else { files }
            ),
            Error::File { path, problem } => write!(f, "cannot read {}: {problem}", crate::text::name(path)),
            Error::Refused(e) => e.fmt(f),
            Error::Sts { action, endpoint, role_arn, identity, status, said } => {
                write!(f, "STS {action} of role {} at {endpoint} was refused (HTTP {status}, {said})", crate::text::name(role_arn))?;
                if let Some(who) = identity {
                    write!(f, " for {who}")?;
                }
                let advice = match (*action, &*said.code) {
                    ("AssumeRoleWithWebIdentity", "InvalidIdentityToken" | "ExpiredTokenException") => "the OIDC token was not accepted: check the role's trust policy (its `sub` and `aud` conditions) and that the job has `permissions: id-token: write`",
                    ("AssumeRoleWithWebIdentity", _) => "check that the role trusts the OIDC provider (token.actions.githubusercontent.com) with conditions matching this repository",
                    (_, "AccessDenied") => "the base identity needs sts:AssumeRole on the role, and the role's trust policy must allow it (and `external_id` if it requires one)",
                    _ => "check `assume_role` and the STS endpoint (`endpoints.sts`, `sts_region`)",
                };
                write!(f, "; {advice}")
            }
            Error::Unreachable { endpoint, timed_out: true, timeout_ms, .. } => {
                write!(f, "{endpoint} did not answer within {timeout_ms} ms; check the endpoint (`endpoints`), `region` and the runner's network")
            }
            Error::Unreachable { endpoint, message, .. } => write!(
                f,
                "cannot reach {endpoint}: {}; check the endpoint (`endpoints`) and `region`",
                crate::text::one_line(message)
            ),
            Error::Denied { action, resource, identity, source, said } => write!(
                f,
                "access denied: {identity} (from {source}) may not {action} on {resource} ({said}); grant {action} on {resource} to that identity (its IAM policy, and the bucket policy), or use credentials that have it"
            ),
            Error::NoSuchBucket { bucket, endpoint, region } => write!(
                f,
                "bucket {} does not exist at {endpoint} (region {region}); check `bucket` and `region`",
                crate::text::name(bucket)
            ),
            Error::NoSuchTable { table, region } => write!(
                f,
                "DynamoDB table {} does not exist in {region}; check `dynamodb_table` and `region` (or `endpoints.dynamodb`)",
                crate::text::name(table)
            ),
            Error::Rejected { identity, source, said } => {
                let advice = match &*said.code {
                    "SignatureDoesNotMatch" | "InvalidSignatureException" => "the secret access key does not match the access key id",
                    "InvalidAccessKeyId" | "UnrecognizedClientException" => "the access key id is not known to AWS (deleted, or of another partition/endpoint)",
                    _ => "the session has expired: configure the credentials again in this job (aws-actions/configure-aws-credentials) or raise its `role-duration-seconds`",
                };
                write!(f, "AWS did not accept {identity} from {source} ({said}): {advice}")
            }
            Error::WrongRegion { bucket, region, said } => write!(
                f,
                "bucket {} is not in region {region} ({said}); set `region` (or AWS_REGION) to the bucket's region",
                crate::text::name(bucket)
            ),
            Error::SseC { object, key_given: false, said } => write!(
                f,
                "{object} is encrypted with a customer-provided key (SSE-C) ({said}); set `sse_customer_key` or AWS_SSE_CUSTOMER_KEY to the key Terraform wrote it with"
            ),
            Error::SseC { object, key_given: true, said } => write!(
                f,
                "{object} was not read with the customer-provided key (SSE-C) given in `sse_customer_key` ({said}); check that it is the key Terraform wrote the state with"
            ),
            Error::Status { what, status, said } => write!(f, "{what} answered HTTP {status} ({said})"),
            Error::Answer { what, problem } => write!(f, "{what}: {problem}"),
        }
    }
}

impl std::error::Error for Error {}
