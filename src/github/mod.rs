//! GitHub's REST API, over the host's HTTP (`crate::host::http`: Node's `fetch` in the action,
//! plain HTTP/1.1 natively for tests).
//!
//! A small client of our own rather than a general one: it sends the headers GitHub asks for
//! (`User-Agent`, `Accept`, `X-GitHub-Api-Version`) and the token, only ever to the API's own
//! origin (`GITHUB_API_URL`, so GitHub Enterprise works), decodes JSON with serde_json, follows
//! `Link` pagination within the API, and turns every failure into an [`Error`] that says what to
//! do. Time-outs, the body's size limit and same-origin redirects of GETs are the host's.
//! (octocrab did this wrapping until it was dropped: with tower, http and bytes it was about a
//! fifth of the module every run loads, for a base URI, four headers and two methods.)

mod error;

pub use error::{Error, Result};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::host::{self, HttpRequest, HttpResponse};
use crate::secret::Secret;

/// The REST API version this client is written against.
const API_VERSION: &str = "2022-11-28";

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
    repo: Repo,
    /// `GITHUB_API_URL` without a trailing `/`.
    api: String,
    /// `Bearer …`, sent only to the API's own origin.
    authorization: Option<Secret>,
    /// How long one request, body included, may take.
    timeout_ms: u64,
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

/// Whether `api` can be the base of every request: an absolute http(s) URL with a host, and no
/// white space or control characters (which no URL holds). `record` checks `environment-url`
/// with it too: a URL a deployment shows must be one.
pub(crate) fn valid_api_url(api: &str) -> bool {
    let has_host = host::origin(api).is_some_and(|o| !o.ends_with("//"));
    has_host && !api.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether a header can carry `value` as it is: visible ASCII, spaces and tabs. (`fetch` refuses
/// the rest, or would send it altered.)
fn header_safe(value: &str) -> bool {
    value.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

impl GitHub {
    /// A client for `repo` at `api_url` (`GITHUB_API_URL`), sending `token` as a bearer token;
    /// each request, body included, must end within `timeout_ms`.
    pub fn new(api_url: &str, repo: Repo, token: Option<&Secret>, timeout_ms: u64) -> Result<GitHub> {
        let api = api_url.trim_end_matches('/').to_string();
        if !valid_api_url(&api) {
            return Err(Error::BadApiUrl { given: api_url.to_string() });
        }
        let authorization = match token {
            Some(t) if !header_safe(t.expose()) => return Err(Error::BadToken),
            Some(t) => Some(Secret::new(format!("Bearer {}", t.expose()))),
            None => None,
        };
        Ok(GitHub { repo, api, authorization, timeout_ms, requests: std::cell::Cell::new(0) })
    }

    /// How many requests this client has sent.
    pub fn requests(&self) -> usize {
        self.requests.get()
    }

    /// The absolute URL of `route`: a path is joined to the API's address (its own path kept,
    /// as GitHub Enterprise's `/api/v3`), an absolute URL (a `Link` header's) is used as it is.
    fn url(&self, route: &str) -> String {
        if route.starts_with("http://") || route.starts_with("https://") {
            return route.to_string();
        }
        let origin = host::origin(&self.api).unwrap_or(&self.api);
        let base_path = &self.api[origin.len()..];
        // A path that already starts with the API's own path (a relative `Link`) is not joined twice.
        if !base_path.is_empty() && route.starts_with(base_path) {
            format!("{origin}{route}")
        } else {
            format!("{}{route}", self.api)
        }
    }

    /// GETs `route` (relative to the API, or absolute as in a `Link` header) and decodes it.
    async fn get<T: DeserializeOwned>(&self, route: &str, what: &str) -> Result<(T, Option<String>)> {
        self.send(route, None, what, "contents: read").await
    }

    /// POSTs `body` as JSON to `route` and decodes the answer.
    async fn post<T: DeserializeOwned, B: serde::Serialize>(&self, route: &str, body: &B, what: &str) -> Result<T> {
        // Serializing our own structs and `json!` values cannot fail.
        let body = serde_json::to_vec(body).unwrap_or_default();
        self.send(route, Some(body), what, "deployments: write").await.map(|(v, _)| v)
    }

    /// One request (GET without a body, POST with one); any status but 2xx is an error.
    /// `permission` is what the workflow's token needs for it, named in 403 and 404 errors.
    async fn send<T: DeserializeOwned>(
        &self,
        route: &str,
        body: Option<Vec<u8>>,
        what: &str,
        permission: &'static str,
    ) -> Result<(T, Option<String>)> {
        self.requests.set(self.requests.get() + 1);
        let url = self.url(route);
        let mut headers = vec![
            ("user-agent".to_string(), "stage-action".to_string()),
            ("accept".to_string(), "application/vnd.github+json".to_string()),
            ("x-github-api-version".to_string(), API_VERSION.to_string()),
        ];
        // Only to the API's own origin: a route is checked to stay on the API before it gets
        // here, and this keeps it so should a caller ever pass another URL.
        let own_origin =
            host::origin(&url).zip(host::origin(&self.api)).is_some_and(|(a, b)| a.eq_ignore_ascii_case(b));
        if let (Some(auth), true) = (&self.authorization, own_origin) {
            headers.push(("authorization".to_string(), auth.expose().to_string()));
        }
        let method = if body.is_some() { "POST" } else { "GET" };
        if body.is_some() {
            headers.push(("content-type".to_string(), "application/json".to_string()));
        }
        let request = HttpRequest {
            method: method.to_string(),
            url,
            headers,
            body: body.unwrap_or_default(),
            timeout_ms: self.timeout_ms,
            tls: None,
        };
        let response = host::http(request).await.map_err(|e| Error::RequestFailed {
            what: what.to_string(),
            api: self.api.clone(),
            timed_out: e.code == host::TIMED_OUT,
            message: e.message,
        })?;
        let status = response.status;
        let link = response.header("link").map(str::to_string);
        if (300..400).contains(&status) {
            // Writes are never sent on, and a GET was already followed within the API's origin:
            // what is left leads elsewhere, where the token must not go.
            return Err(Error::Redirected {
                what: what.to_string(),
                api: self.api.clone(),
                status,
                location: response.header("location").map(str::to_string),
            });
        }
        if !(200..300).contains(&status) {
            return Err(self.api_error(what, permission, &response));
        }
        let value = serde_json::from_slice(&response.body).map_err(|e| Error::UnexpectedResponse {
            what: what.to_string(),
            api: self.api.clone(),
            status,
            detail: e.to_string(),
        })?;
        Ok((value, next_link(link.as_deref())))
    }

    /// The error for an answer with an error status: a used-up rate limit, or what GitHub said.
    fn api_error(&self, what: &str, permission: &'static str, response: &HttpResponse) -> Error {
        #[derive(Deserialize)]
        struct Message {
            message: Option<String>,
        }
        let message =
            serde_json::from_slice::<Message>(&response.body).ok().and_then(|m| m.message).unwrap_or_default();
        // The server's words, quoted short: a 100 MB "message" must not become a log line.
        let message = crate::text::excerpt(&message);
        let status = response.status;
        let rate_limited = (status == 403 || status == 429)
            && (response.header("x-ratelimit-remaining") == Some("0") || message.contains("rate limit"));
        if rate_limited {
            let reset = response.header("x-ratelimit-reset").and_then(|r| r.parse::<i64>().ok());
            return Error::RateLimited {
                what: what.to_string(),
                reset: reset
                    .map(|epoch| crate::time::Utc::from_epoch(epoch).readable())
                    .unwrap_or_else(|| "later".into()),
            };
        }
        Error::Answered { what: what.to_string(), status, message, repo: self.repo.to_string(), permission }
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
            crate::encode::component(&self.repo.owner),
            crate::encode::component(&self.repo.name),
            crate::encode::path(prefix)
        );
        // GitHub answers in one response; should it ever paginate, its Link header is followed.
        let refs: Vec<Ref> = self.paginate(route, "list the repository's tags", "contents: read").await?;
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
        let route = format!(
            "/repos/{}/{}/tags?per_page=100",
            crate::encode::component(&self.repo.owner),
            crate::encode::component(&self.repo.name)
        );
        let tags: Vec<Tag> = self.paginate(route, "list the repository's tags", "contents: read").await?;
        Ok(tags.into_iter().map(|t| TagRef { name: t.name }).collect())
    }

    /// Every item of a paginated listing, following `Link: rel="next"`: at most [`MAX_PAGES`]
    /// pages, never the same page twice, and never off the API's own address (a hostile or
    /// broken server could otherwise keep the run requesting forever, or lead it elsewhere).
    /// `permission` is what the token needs, as [`GitHub::send`] names it.
    async fn paginate<T: DeserializeOwned>(
        &self,
        first: String,
        what: &str,
        permission: &'static str,
    ) -> Result<Vec<T>> {
        let broken = |problem: String| Error::BrokenListing { what: what.to_string(), api: self.api.clone(), problem };
        let mut route = first;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        loop {
            let (page, next): (Vec<T>, _) = self.send(&route, None, what, permission).await?;
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
            crate::encode::component(&self.repo.owner),
            crate::encode::component(&self.repo.name),
            crate::encode::component(base),
            crate::encode::component(head)
        );
        let what = format!("compare {head} with {base}");
        let (c, _): (Compare, _) = self.get(&route, &what).await?;
        match c.status.as_str() {
            "ahead" => Ok(Comparison::Ahead),
            "behind" => Ok(Comparison::Behind),
            "identical" => Ok(Comparison::Identical),
            "diverged" => Ok(Comparison::Diverged),
            other => Err(Error::UnknownComparison { what, status: other.to_string() }),
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
    /// Whether the environment is production (GitHub's default: only one named `production`).
    pub production_environment: bool,
    /// Whether the environment goes away (a preview).
    pub transient_environment: bool,
    /// Where the deployed environment answers; sent with the success status, not here.
    #[serde(skip)]
    pub environment_url: Option<String>,
}

impl GitHub {
    fn deployments(&self) -> String {
        format!(
            "/repos/{}/{}/deployments",
            crate::encode::component(&self.repo.owner),
            crate::encode::component(&self.repo.name)
        )
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

    /// The deployments to `environment`, newest first, as `GET /repos/{owner}/{repo}/deployments`
    /// lists them: every page, or with `at_most` only the first page of that many (the history a
    /// decision looks back over, [`HISTORY_DEPTH`]). Needs `deployments: read` on a private
    /// repository, which a 403 names.
    pub async fn deployments_to(&self, environment: &str, at_most: Option<usize>) -> Result<Vec<Deployment>> {
        let per_page = at_most.map_or(100, |n| n.clamp(1, 100));
        let route =
            format!("{}?environment={}&per_page={per_page}", self.deployments(), crate::encode::component(environment));
        let what = format!("list the deployments to {environment}");
        if at_most.is_none() {
            return self.paginate(route, &what, "deployments: read").await;
        }
        let (list, _): (Vec<Deployment>, _) = self.send(&route, None, &what, "deployments: read").await?;
        Ok(list)
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
        if let Some(url) = &deployment.environment_url {
            status["environment_url"] = serde_json::Value::String(url.clone());
        }
        let route = format!("{}/{id}/statuses", self.deployments());
        let _: serde_json::Value = self.post(&route, &status, &format!("mark deployment {id} successful")).await?;
        Ok(())
    }
}

/// A deployment as `GET /repos/{owner}/{repo}/deployments` lists it: what the history
/// decisions (promote, status) and the guard's released versions need.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Deployment {
    /// Its id.
    pub id: u64,
    /// The ref it was created for (a SHA, a branch or a tag).
    #[serde(rename = "ref", default)]
    pub git_ref: String,
    /// The commit deployed.
    #[serde(default)]
    pub sha: String,
    /// When it was created (RFC 3339, `2026-11-29T13:29:08Z`).
    #[serde(default)]
    pub created_at: String,
    /// What the deployer put there: `record` writes `image`, `tag`, `digest`, …
    #[serde(default)]
    pub payload: serde_json::Value,
}

impl Deployment {
    /// The image its payload names, as `record` writes it; `None` for a deployment another tool
    /// made, or one whose image was sensitive.
    pub fn image(&self) -> Option<&str> {
        self.payload.get("image").and_then(|v| v.as_str())
    }
}

/// How many of an environment's latest deployments are read (one page): the history a
/// decision looks back over, and the requests it costs (one more per deployment for its
/// statuses).
pub const HISTORY_DEPTH: usize = 30;

impl GitHub {
    /// Whether deployment `id` ever succeeded: one of its statuses (newest first; a later
    /// deployment marks it `inactive`) is `success`.
    pub async fn succeeded(&self, id: u64) -> Result<bool> {
        #[derive(Deserialize)]
        struct Status {
            state: String,
        }
        let route = format!("{}/{id}/statuses?per_page=100", self.deployments());
        let what = format!("read the statuses of deployment {id}");
        let (list, _): (Vec<Status>, _) = self.send(&route, None, &what, "deployments: read").await?;
        Ok(list.iter().any(|s| s.state == "success"))
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
    fn routes_join_the_api_address_and_its_path_once() {
        let gh = GitHub::new("https://ghe.example/api/v3/", Repo::parse("a/b").unwrap(), None, 1).unwrap();
        assert_eq!(gh.url("/repos/a/b/tags"), "https://ghe.example/api/v3/repos/a/b/tags");
        assert_eq!(
            gh.url("/api/v3/repositories/1/tags?page=2"),
            "https://ghe.example/api/v3/repositories/1/tags?page=2"
        );
        assert_eq!(gh.url("https://ghe.example/api/v3/x?page=3"), "https://ghe.example/api/v3/x?page=3");
        let gh = GitHub::new("https://api.github.com", Repo::parse("a/b").unwrap(), None, 1).unwrap();
        assert_eq!(gh.url("/repos/a/b/tags"), "https://api.github.com/repos/a/b/tags");
    }

    #[test]
    fn only_what_a_header_carries_is_a_token() {
        assert!(header_safe("ghs_abc 123\tx"));
        for bad in ["a\nb", "a\rb", "tök", "a\u{7f}"] {
            assert!(!header_safe(bad), "{bad:?}");
        }
    }

    #[test]
    fn repositories_and_path_segments() {
        assert_eq!(Repo::parse("acme/app"), Some(Repo { owner: "acme".into(), name: "app".into() }));
        assert_eq!(Repo::parse("acme"), None);
        assert_eq!(Repo::parse("a/b/c"), None);
        assert_eq!(crate::encode::component("v1.2.3+build"), "v1.2.3%2Bbuild");
        assert_eq!(crate::encode::path("app/v"), "app/v");
    }
}
