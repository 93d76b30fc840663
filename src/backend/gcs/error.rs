//! What can go wrong in reading a state from Terraform's `gcs` backend, in words that name the
//! backend, the setting, the principal, the missing permission and what to do. No message ever
//! holds a credential: server text is quoted short ([`crate::text::quote`]), and the token,
//! key, assertion or refresh token sent is never repeated.

use std::fmt;

/// A step of getting an access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A service-account key's signed JWT, exchanged at the key's `token_uri`.
    ServiceAccount,
    /// An `authorized_user` file's refresh token (gcloud's application default credentials).
    Refresh,
    /// The subject token of an `external_account` file: GitHub's OIDC token endpoint, or a file.
    Subject,
    /// Google's Security Token Service (`token_url`): the subject token for a federated token.
    Sts,
    /// IAM Credentials `generateAccessToken`: a token of the impersonated service account.
    Impersonation,
}

impl Step {
    fn words(self) -> &'static str {
        match self {
            Step::ServiceAccount => "Google's token endpoint (service-account key)",
            Step::Refresh => "Google's token endpoint (refresh token)",
            Step::Subject => "the subject token source (GitHub's OIDC token endpoint)",
            Step::Sts => "Google's Security Token Service",
            Step::Impersonation => "IAM Credentials generateAccessToken",
        }
    }

    fn advice(self, error: Option<&str>, status: u16) -> &'static str {
        match (self, error) {
            (Step::ServiceAccount, Some("invalid_grant")) => "the key was deleted or disabled, its service account was deleted, or the runner's clock is off; create a new key (gcloud iam service-accounts keys create) and put it in the secret `credentials` comes from — or better, use Workload Identity Federation (google-github-actions/auth) and no key",
            (Step::ServiceAccount, _) => "check the key file: it must be a service account's JSON key, as `gcloud iam service-accounts keys create` writes it",
            (Step::Refresh, Some("invalid_grant")) => "the refresh token expired or was revoked: run `gcloud auth application-default login` again",
            (Step::Refresh, _) => "run `gcloud auth application-default login` again",
            (Step::Subject, _) if status == 401 || status == 403 => "the job needs `permissions: id-token: write` for GitHub to give it an OIDC token; run google-github-actions/auth in the same job, just before",
            (Step::Subject, _) => "run google-github-actions/auth in the same job, just before this step: the file it writes is valid only in that job",
            (Step::Sts, _) => "check the workload identity provider: its audience must be the file's `audience`, and its attribute condition must admit this repository and workflow (google-github-actions/auth's `workload_identity_provider`)",
            (Step::Impersonation, _) if status == 403 => "the principal needs roles/iam.serviceAccountTokenCreator (permission iam.serviceAccounts.getAccessToken) on the service account; for Workload Identity Federation, grant roles/iam.workloadIdentityUser to the pool's principal set",
            (Step::Impersonation, _) => "check `impersonate_service_account` (an email) and its delegates",
        }
    }
}

/// The gcs backend's problem with one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// No credentials were given, and none were found where Application Default Credentials are.
    NoCredentials {
        /// The gcloud file looked for, when `HOME` is known.
        gcloud_file: Option<String>,
    },
    /// A credentials file (or `credentials`' contents) cannot be used.
    Credentials {
        /// The setting or variable, and the file: "`credentials` (…)".
        from: String,
        /// Why not.
        why: String,
    },
    /// A file a setting names that the action will not read: outside the workspace, not a
    /// regular file, or too large.
    Refused(crate::files::Error),
    /// `encryption_key` cannot be used.
    EncryptionKey {
        /// The setting, and where it was written.
        from: String,
        /// Why not.
        why: String,
    },
    /// A step of getting a token was refused.
    Exchange {
        /// Which step.
        step: Step,
        /// Where it was sent (no query: a URL may carry a token's parameters).
        url: String,
        /// The status code.
        status: u16,
        /// The OAuth `error` code, quoted short, when the answer had one.
        error: Option<String>,
        /// What the server said beside (`error_description`, `error.message`), quoted short.
        said: String,
        /// Who asked.
        principal: String,
    },
    /// A request got no answer.
    Unreachable {
        /// What was asked: "the storage endpoint", or a step's words.
        what: String,
        /// Where (no query).
        url: String,
        /// The host's words.
        message: String,
        /// Whether it ran out of time.
        timed_out: bool,
    },
    /// An answer was not what the API documents.
    BadAnswer {
        /// What was asked.
        what: String,
        /// Where (no query).
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// The storage API answered 401: the token is not accepted.
    Unauthorized {
        /// The bucket.
        bucket: String,
        /// Who the token is for.
        principal: String,
    },
    /// The storage API answered 403: the principal may not do this.
    Forbidden {
        /// The bucket.
        bucket: String,
        /// The object, for a read; `None` for a listing.
        object: Option<String>,
        /// Who asked.
        principal: String,
        /// The permission it needs: `storage.objects.get` or `storage.objects.list`.
        permission: &'static str,
    },
    /// The bucket does not exist (or is not visible to the principal).
    NoBucket {
        /// The bucket.
        bucket: String,
        /// The storage endpoint.
        endpoint: String,
    },
    /// The object is encrypted with a customer-supplied key, and none or another was sent.
    WrongKey {
        /// The object.
        object: String,
        /// Whether `encryption_key` was set.
        sent: bool,
        /// What the server said, quoted short.
        said: String,
    },
    /// Any other status from the storage API.
    Status {
        /// The request's URL, without its query.
        url: String,
        /// The status.
        status: u16,
        /// What the server said, quoted short.
        said: String,
    },
    /// The listing of workspaces did not end within the page limit.
    TooManyPages {
        /// The bucket.
        bucket: String,
        /// The pages read.
        pages: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("gcs backend: ")?;
        match self {
            Error::NoCredentials { gcloud_file } => {
                f.write_str("no credentials: none of `access_token` (GOOGLE_OAUTH_ACCESS_TOKEN), `credentials` (GOOGLE_BACKEND_CREDENTIALS, GOOGLE_CREDENTIALS) or GOOGLE_APPLICATION_CREDENTIALS is set")?;
                if let Some(file) = gcloud_file {
                    write!(f, ", and there is no gcloud file {file}")?;
                }
                f.write_str("; this action does not ask a GCE metadata server for a token (a GitHub runner has none to trust); run google-github-actions/auth before this step (Workload Identity Federation: it sets GOOGLE_APPLICATION_CREDENTIALS), or set `credentials` to a service account's key, or `access_token`")
            }
            Error::Credentials { from, why } => write!(
                f,
                "the credentials in {from} cannot be used: {why}; give a service account's JSON key, the file google-github-actions/auth writes (external_account), or gcloud's application_default_credentials.json (authorized_user)"
            ),
            Error::Refused(e) => e.fmt(f),
            Error::EncryptionKey { from, why } => write!(
                f,
                "{from} cannot be used: {why}; it must be the base64 of the 32-byte customer-supplied key the state was written with (or a file that holds it)"
            ),
            Error::Exchange { step, url, status, error, said, principal } => {
                write!(f, "{} at {url} refused a token for {principal}: {status}", step.words())?;
                if let Some(e) = error {
                    write!(f, " {e}")?;
                }
                if !said.is_empty() {
                    write!(f, ": {said}")?;
                }
                write!(f, "; {}", step.advice(error.as_deref().map(|e| e.trim_matches('"')), *status))
            }
            Error::Unreachable { what, url, message, timed_out } => {
                // The host's words name the request (method and URL) already.
                if message.contains(url.as_str()) {
                    write!(f, "{what} did not answer: {}; ", crate::text::one_line(message))?;
                } else {
                    write!(f, "{what} at {url} did not answer: {}; ", crate::text::one_line(message))?;
                }
                if *timed_out {
                    f.write_str("check that it is reachable from the runner, or raise the time-out")
                } else {
                    f.write_str("check `storage_custom_endpoint` (when set) and that the runner can reach it")
                }
            }
            Error::BadAnswer { what, url, why } => write!(f, "{what} at {url} answered, but {why}; check the endpoint"),
            Error::Unauthorized { bucket, principal } => write!(
                f,
                "the storage API did not accept the access token of {principal} for bucket {bucket} (401): it expired or is not a token for Cloud Storage; refresh it (google-github-actions/auth in the same job), or check `access_token`"
            ),
            Error::Forbidden { bucket, object, principal, permission } => {
                match object {
                    Some(o) => write!(f, "{principal} may not read {o} in bucket {bucket}")?,
                    None => write!(f, "{principal} may not list the objects of bucket {bucket}")?,
                }
                write!(
                    f,
                    " (403: permission {permission} is missing); grant it roles/storage.objectViewer on the bucket (gcloud storage buckets add-iam-policy-binding gs://{bucket} --member=… --role=roles/storage.objectViewer)"
                )
            }
            Error::NoBucket { bucket, endpoint } => write!(
                f,
                "bucket {bucket} does not exist at {endpoint} (404); check `bucket` (the name only, without gs://)"
            ),
            Error::WrongKey { object, sent: true, said } => write!(
                f,
                "{object} is encrypted with another customer-supplied key than `encryption_key`: {said}; set `encryption_key` (or GOOGLE_ENCRYPTION_KEY) to the key the state was written with"
            ),
            Error::WrongKey { object, sent: false, said } => write!(
                f,
                "{object} is encrypted with a customer-supplied key: {said}; set `encryption_key` (or GOOGLE_ENCRYPTION_KEY) to it"
            ),
            Error::Status { url, status, said } => {
                write!(f, "the storage API answered {status} at {url}")?;
                if !said.is_empty() {
                    write!(f, ": {said}")?;
                }
                f.write_str("; check `bucket`, `prefix` and `storage_custom_endpoint`")
            }
            Error::TooManyPages { bucket, pages } => write!(
                f,
                "the objects of bucket {bucket} did not fit in {pages} pages of listing; set `prefix` to the folder of this stage's states"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// What a Google API said in an error body, for a message: `(error code, what it said)`, each
/// quoted short. OAuth's `{"error": "invalid_grant", "error_description": "…"}` and the JSON
/// APIs' `{"error": {"code": 403, "message": "…", "status": "PERMISSION_DENIED"}}` both.
pub fn said(body: &[u8]) -> (Option<String>, String) {
    let quote = |s: &str| crate::text::quote(s.trim());
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (None, crate::text::said(body));
    };
    match value.get("error") {
        Some(serde_json::Value::String(code)) => {
            let description = value.get("error_description").and_then(|d| d.as_str()).map(quote).unwrap_or_default();
            (Some(crate::text::name(code)), description)
        }
        Some(serde_json::Value::Object(o)) => {
            let status = o.get("status").and_then(|s| s.as_str()).map(crate::text::name);
            let message = o.get("message").and_then(|m| m.as_str()).map(quote).unwrap_or_default();
            (status, message)
        }
        // GitHub's own errors: `{"message": "Bad credentials"}`.
        _ => (None, value.get("message").and_then(|m| m.as_str()).map(quote).unwrap_or_default()),
    }
}
