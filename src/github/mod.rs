//! GitHub's REST API through octocrab, with the host's HTTP (Node's `fetch`) as transport.
//!
//! octocrab normally brings hyper, rustls and tokio; none of them runs in wasm. Built with
//! `default-features = false` it is a typed client over any tower `Service`, so this module gives
//! it one (`transport::HostTransport`) and an executor on the JavaScript event loop. Requests go
//! through octocrab's own layers: the base URI (`GITHUB_API_URL`, so GitHub Enterprise works), the
//! headers GitHub asks for, and the token. Responses are read raw so that errors keep their
//! headers (a rate limit's reset time lives in `x-ratelimit-reset`).

mod transport;

use std::sync::Arc;

use http::header::{HeaderValue, ACCEPT, USER_AGENT};
use http::Uri;
use http_body_util::BodyExt;
use octocrab::service::middleware::auth_header::AuthHeaderLayer;
use octocrab::service::middleware::base_uri::BaseUriLayer;
use octocrab::service::middleware::extra_headers::ExtraHeadersLayer;
use octocrab::{AuthState, Octocrab, OctocrabBuilder};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// A repository, `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    /// The owner (user or organisation).
    pub owner: String,
    /// The repository's name.
    pub name: String,
}

impl Repo {
    /// Parses `GITHUB_REPOSITORY` (`owner/name`).
    pub fn parse(text: &str) -> Option<Repo> {
        let (owner, name) = text.split_once('/')?;
        let ok = |s: &str| !s.is_empty() && !s.contains('/') && !s.contains(char::is_whitespace);
        (ok(owner) && ok(name)).then(|| Repo { owner: owner.to_string(), name: name.to_string() })
    }
}

impl std::fmt::Display for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// A tag as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRef {
    /// The tag's name, without `refs/tags/`.
    pub name: String,
}

/// How `compare/{base}...{head}` relates two commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `head` has commits `base` lacks (and none the other way).
    Ahead,
    /// `head` is an ancestor of `base`.
    Behind,
    /// The same commit.
    Identical,
    /// Both have commits the other lacks.
    Diverged,
}

/// A GitHub API client for one repository.
pub struct GitHub {
    client: Octocrab,
    repo: Repo,
    api: String,
    /// Requests sent, for the summary and the benchmark.
    requests: std::cell::Cell<usize>,
}

/// The most pages one listing may take: 100,000 tags at 100 a page.
pub const MAX_PAGES: usize = 1000;

/// Whether `url` (absolute, or a path) is on the API at `api`, a boundary included: a path,
/// `api` itself, or `api` followed by `/` or `?` — not `https://api.github.com.evil.example`.
fn within(api: &str, url: &str) -> bool {
    if url.starts_with('/') {
        return !url.starts_with("//");
    }
    url.strip_prefix(api).is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
}

/// What a path segment keeps as it is: RFC 3986's unreserved characters.
const UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes a path segment (tag names may hold `/`, `+` and more).
fn segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

/// Like [`segment`], but keeps `/` (a ref prefix such as `app/v` is a path).
fn path(s: &str) -> String {
    s.split('/').map(segment).collect::<Vec<_>>().join("/")
}

impl GitHub {
    /// A client for `repo` at `api_url` (`GITHUB_API_URL`), sending `token` as a bearer token;
    /// each request, body included, must end within `timeout_ms`.
    pub fn new(api_url: &str, repo: Repo, token: Option<&Secret>, timeout_ms: u64) -> Result<GitHub> {
        let api = api_url.trim_end_matches('/').to_string();
        let base: Uri = api.parse().map_err(|_| {
            Error::Inputs(vec![crate::error::InputProblem::new(
                "GITHUB_API_URL",
                format!("\"{api_url}\" is not a URL"),
            )])
        })?;
        let auth = match token {
            Some(t) => Some(HeaderValue::from_str(&format!("Bearer {}", t.expose())).map_err(|_| {
                Error::Inputs(vec![crate::error::InputProblem::new(
                    "token",
                    "contains characters a header cannot carry",
                )])
            })?),
            None => None,
        };
        // octocrab adds `X-GitHub-Api-Version` itself.
        let headers = Arc::new(vec![
            (USER_AGENT, HeaderValue::from_static("stage-action")),
            (ACCEPT, HeaderValue::from_static("application/vnd.github+json")),
        ]);
        // AuthHeaderLayer sends the token only to these hosts: the API's own, so it works for
        // GitHub Enterprise and a loopback test server alike (AuthState::AccessToken would
        // send it to api.github.com only).
        let client = OctocrabBuilder::new_empty()
            .with_service(transport::HostTransport { timeout_ms })
            .with_layer(&BaseUriLayer::new(base.clone()))
            .with_layer(&ExtraHeadersLayer::new(headers))
            .with_layer(&AuthHeaderLayer::new(auth, base.clone(), base))
            .with_executor(Box::new(|future| {
                // Without an executor octocrab would spawn its worker on tokio, which wasm lacks.
                if let Err(e) = crate::host::spawn(future) {
                    crate::host::write_stderr(&format!("stage-action: cannot start the GitHub client: {e}\n")).ok();
                }
            }))
            .with_auth(AuthState::None)
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        Ok(GitHub { client, repo, api, requests: std::cell::Cell::new(0) })
    }

    /// How many requests this client has sent.
    pub fn requests(&self) -> usize {
        self.requests.get()
    }

    /// GETs `route` (relative to the API, or absolute as in a `Link` header) and decodes it.
    async fn get<T: DeserializeOwned>(&self, route: &str, what: &str) -> Result<(T, Option<String>)> {
        self.send::<T, ()>(route, None, what, "contents: read").await
    }

    /// POSTs `body` as JSON to `route` and decodes the answer.
    async fn post<T: DeserializeOwned, B: serde::Serialize>(&self, route: &str, body: &B, what: &str) -> Result<T> {
        self.send(route, Some(body), what, "deployments: write").await.map(|(v, _)| v)
    }

    /// One request (GET without a body, POST with one); any status but 2xx is an error.
    /// `permission` is what the workflow's token needs for it, named in 403 and 404 errors.
    async fn send<T: DeserializeOwned, B: serde::Serialize>(
        &self,
        route: &str,
        body: Option<&B>,
        what: &str,
        permission: &str,
    ) -> Result<(T, Option<String>)> {
        self.requests.set(self.requests.get() + 1);
        let sent = match body {
            None => self.client._get(route).await,
            Some(b) => self.client._post(route, Some(b)).await,
        };
        let response = sent.map_err(|e| {
            let message = transport::describe(&e);
            let hint = if message.contains("did not finish within") {
                format!("check that {} is reachable and answering, or raise input `timeout`", self.api)
            } else {
                format!("check that {} is reachable from the runner", self.api)
            };
            Error::GitHub { what: what.to_string(), status: None, message, hint }
        })?;
        let status = response.status();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let (remaining, reset, link) = (header("x-ratelimit-remaining"), header("x-ratelimit-reset"), header("link"));
        if status.is_redirection() {
            // Writes are never sent on, and a GET was already followed within the API's origin:
            // what is left leads elsewhere, where the token must not go.
            let to = header("location").map(|l| crate::text::quote(&l)).unwrap_or_else(|| "nowhere".into());
            return Err(Error::GitHub {
                what: what.to_string(),
                status: None,
                message: format!("GitHub answered {} with a redirect to {to}", status.as_u16()),
                hint: format!(
                    "the action does not follow redirects of writes, nor to another host; set GITHUB_API_URL to the API's own address (it is {})",
                    self.api
                ),
            });
        }
        let body = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        if !status.is_success() {
            return Err(self.api_error(
                what,
                permission,
                status.as_u16(),
                &body,
                remaining.as_deref(),
                reset.as_deref(),
            ));
        }
        let value = serde_json::from_slice(&body).map_err(|e| Error::GitHub {
            what: what.to_string(),
            status: Some(status.as_u16()),
            message: format!("the response is not what the API documents: {e}"),
            hint: format!("is {} a GitHub API (GITHUB_API_URL)?", self.api),
        })?;
        Ok((value, next_link(link.as_deref())))
    }

    fn api_error(
        &self,
        what: &str,
        permission: &str,
        status: u16,
        body: &[u8],
        remaining: Option<&str>,
        reset: Option<&str>,
    ) -> Error {
        #[derive(Deserialize)]
        struct Message {
            message: Option<String>,
        }
        let message = serde_json::from_slice::<Message>(body).ok().and_then(|m| m.message).unwrap_or_default();
        // The server's words, quoted short: a 100 MB "message" must not become a log line.
        let message = crate::text::excerpt(&message);
        let rate_limited =
            (status == 403 || status == 429) && (remaining == Some("0") || message.contains("rate limit"));
        let hint = if rate_limited {
            let when = reset.and_then(|r| r.parse::<i64>().ok()).map(utc).unwrap_or_else(|| "later".into());
            return Error::RateLimited { what: what.to_string(), reset: when };
        } else {
            match status {
                401 => {
                    "the token is invalid or expired: pass `token: ${{ github.token }}` or a valid token".to_string()
                }
                403 => format!(
                    "the token lacks a permission on {}: grant `{permission}` in the workflow's `permissions`",
                    self.repo
                ),
                404 => format!("{} does not exist, or the token cannot see it (it needs `{permission}`)", self.repo),
                _ => "GitHub could not answer; try again later".to_string(),
            }
        };
        Error::GitHub { what: what.to_string(), status: Some(status), message, hint }
    }

    /// Every tag whose name starts with `prefix`, in one request:
    /// `GET /repos/{owner}/{repo}/git/matching-refs/tags/{prefix}`.
    pub async fn matching_tags(&self, prefix: &str) -> Result<Vec<TagRef>> {
        #[derive(Deserialize)]
        struct Ref {
            #[serde(rename = "ref")]
            name: String,
        }
        let route = format!(
            "/repos/{}/{}/git/matching-refs/tags/{}",
            segment(&self.repo.owner),
            segment(&self.repo.name),
            path(prefix)
        );
        // GitHub answers in one response; should it ever paginate, its Link header is followed.
        let refs: Vec<Ref> = self.paginate(route, "list the repository's tags").await?;
        Ok(refs
            .into_iter()
            .filter_map(|r| r.name.strip_prefix("refs/tags/").map(|n| TagRef { name: n.to_string() }))
            .collect())
    }

    /// Every tag, through the paginated `GET /repos/{owner}/{repo}/tags` (100 a page).
    pub async fn all_tags(&self) -> Result<Vec<TagRef>> {
        #[derive(Deserialize)]
        struct Tag {
            name: String,
        }
        let route = format!("/repos/{}/{}/tags?per_page=100", segment(&self.repo.owner), segment(&self.repo.name));
        let tags: Vec<Tag> = self.paginate(route, "list the repository's tags").await?;
        Ok(tags.into_iter().map(|t| TagRef { name: t.name }).collect())
    }

    /// Every item of a paginated listing, following `Link: rel="next"`: at most [`MAX_PAGES`]
    /// pages, never the same page twice, and never off the API's own address (a hostile or
    /// broken server could otherwise keep the run requesting forever, or lead it elsewhere).
    async fn paginate<T: DeserializeOwned>(&self, first: String, what: &str) -> Result<Vec<T>> {
        let broken = |message: String| Error::GitHub {
            what: what.to_string(),
            status: None,
            message,
            hint: format!(
                "is {} a GitHub API (GITHUB_API_URL)? If so, try again later, or use `tags-from: git`",
                self.api
            ),
        };
        let mut route = first;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        loop {
            let (page, next): (Vec<T>, _) = self.get(&route, what).await?;
            out.extend(page);
            seen.insert(route);
            let Some(next) = next else { return Ok(out) };
            if !within(&self.api, &next) {
                return Err(broken(format!("the next page is on another host ({})", crate::text::quote(&next))));
            }
            if seen.contains(&next) {
                return Err(broken(format!(
                    "the pages loop: page {} leads back to {}",
                    seen.len(),
                    crate::text::quote(&next)
                )));
            }
            if seen.len() == MAX_PAGES {
                return Err(broken(format!("the listing goes on past {MAX_PAGES} pages")));
            }
            route = next;
        }
    }

    /// How `head` relates to `base`: `GET /repos/{owner}/{repo}/compare/{base}...{head}`.
    pub async fn compare(&self, base: &str, head: &str) -> Result<Comparison> {
        #[derive(Deserialize)]
        struct Compare {
            status: String,
        }
        let route = format!(
            "/repos/{}/{}/compare/{}...{}",
            segment(&self.repo.owner),
            segment(&self.repo.name),
            segment(base),
            segment(head)
        );
        let (c, _): (Compare, _) = self.get(&route, &format!("compare {head} with {base}")).await?;
        match c.status.as_str() {
            "ahead" => Ok(Comparison::Ahead),
            "behind" => Ok(Comparison::Behind),
            "identical" => Ok(Comparison::Identical),
            "diverged" => Ok(Comparison::Diverged),
            other => Err(Error::GitHub {
                what: format!("compare {head} with {base}"),
                status: Some(200),
                message: format!("unknown comparison status \"{other}\""),
                hint: "this action knows ahead, behind, identical and diverged".into(),
            }),
        }
    }
}

/// A deployment to create: `POST /repos/{owner}/{repo}/deployments`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewDeployment {
    /// The commit (or ref) deployed.
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// The environment: the stage's name.
    pub environment: String,
    /// Shown in GitHub's environment view.
    pub description: String,
    /// What was deployed, for tools that read deployments.
    pub payload: serde_json::Value,
    /// Never merge the default branch into the ref (GitHub's default is to try).
    pub auto_merge: bool,
    /// Deploy whatever the commit's checks say: the workflow already decided.
    pub required_contexts: Vec<String>,
    /// `deploy`.
    pub task: String,
}

impl GitHub {
    fn deployments(&self) -> String {
        format!("/repos/{}/{}/deployments", segment(&self.repo.owner), segment(&self.repo.name))
    }

    /// Creates a deployment; returns its id.
    pub async fn create_deployment(&self, deployment: &NewDeployment) -> Result<u64> {
        #[derive(Deserialize)]
        struct Created {
            id: u64,
        }
        let what = format!("create a deployment to {}", deployment.environment);
        let created: Created = self.post(&self.deployments(), deployment, &what).await?;
        Ok(created.id)
    }

    /// Marks deployment `id` successful, linking the run's log when there is one.
    pub async fn mark_successful(&self, id: u64, deployment: &NewDeployment, log_url: Option<&str>) -> Result<()> {
        let mut status = serde_json::json!({
            "state": "success",
            "description": deployment.description,
            "environment": deployment.environment,
            "auto_inactive": true,
        });
        if let Some(url) = log_url {
            status["log_url"] = serde_json::Value::String(url.to_string());
        }
        let route = format!("{}/{id}/statuses", self.deployments());
        let _: serde_json::Value = self.post(&route, &status, &format!("mark deployment {id} successful")).await?;
        Ok(())
    }
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(header: Option<&str>) -> Option<String> {
    header?.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| p.trim() == "rel=\"next\"");
        is_next.then(|| url.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

/// An epoch second as `YYYY-MM-DD HH:MM:SS UTC`. Written out rather than through chrono
/// (compiled in by octocrab, but not its formatter): chrono's formatting adds 18 KB to the module
/// that every run loads, for one line of a rate-limit error.
pub fn utc(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_give_the_next_page() {
        let h = r#"<https://api.github.com/repositories/1/tags?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/tags?per_page=100&page=100>; rel="last""#;
        assert_eq!(
            next_link(Some(h)).as_deref(),
            Some("https://api.github.com/repositories/1/tags?per_page=100&page=2")
        );
        let last = r#"<https://x/tags?page=99>; rel="prev", <https://x/tags?page=1>; rel="first""#;
        assert_eq!(next_link(Some(last)), None);
        assert_eq!(next_link(None), None);
    }

    #[test]
    fn pages_stay_on_the_api() {
        let api = "https://api.github.com";
        assert!(within(api, "https://api.github.com/repositories/1/tags?page=2"));
        assert!(within(api, "/repositories/1/tags?page=2"));
        for elsewhere in ["https://api.github.com.evil.example/x", "https://evil.example/x", "//evil.example/x"] {
            assert!(!within(api, elsewhere), "{elsewhere}");
        }
    }

    #[test]
    fn epoch_seconds_print_as_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_798_761_599), "2026-12-31 23:59:59 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn repositories_and_path_segments() {
        assert_eq!(Repo::parse("acme/app"), Some(Repo { owner: "acme".into(), name: "app".into() }));
        assert_eq!(Repo::parse("acme"), None);
        assert_eq!(Repo::parse("a/b/c"), None);
        assert_eq!(segment("v1.2.3+build"), "v1.2.3%2Bbuild");
        assert_eq!(path("app/v"), "app/v");
    }
}
