//! The GitHub client natively: the host's plain HTTP/1.1 against a `std` server in a thread,
//! whose canned answers follow GitHub's REST API documentation (status, `message`, `Link`,
//! `x-ratelimit-*`).

use std::future::Future;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use stage_action::error::Error as ActionError;
use stage_action::github::{Comparison, Error, GitHub, NewDeployment, Repo};
use stage_action::secret::Secret;

/// Runs a future to completion on this thread (the native host never waits on anything else).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(out) => return out,
            Poll::Pending => std::thread::park(),
        }
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    /// Path and query.
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What the server does with a request.
enum Reply {
    /// A status, extra headers and a body.
    Answer(u16, Vec<(String, String)>, String),
    /// Nothing: the connection stays open and silent.
    Hang,
}

fn json(status: u16, body: serde_json::Value) -> Reply {
    Reply::Answer(status, vec![("content-type".into(), "application/json; charset=utf-8".into())], body.to_string())
}

fn with_headers(reply: Reply, extra: &[(&str, &str)]) -> Reply {
    match reply {
        Reply::Answer(status, mut headers, body) => {
            headers.extend(extra.iter().map(|(n, v)| (n.to_string(), v.to_string())));
            Reply::Answer(status, headers, body)
        }
        Reply::Hang => Reply::Hang,
    }
}

/// A loopback server answering with `handler(request, its own base URL)`, recording requests.
struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(handler: impl Fn(&Seen, &str) -> Reply + Send + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (log, here) = (seen.clone(), base.clone());
        // Serves until the test process ends; silent connections are kept open on purpose.
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(request) = read_request(&mut stream) else { continue };
                log.lock().unwrap().push(request.clone());
                match handler(&request, &here) {
                    Reply::Answer(status, headers, body) => {
                        let mut head = format!("HTTP/1.1 {status} Canned\r\ncontent-length: {}\r\n", body.len());
                        for (n, v) in headers {
                            head.push_str(&format!("{n}: {v}\r\n"));
                        }
                        let _ = stream.write_all(format!("{head}\r\n{body}").as_bytes());
                    }
                    Reply::Hang => held.push(stream),
                }
            }
        });
        Server { base, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// `METHOD target authorization`, for compact assertions.
    fn lines(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|s| format!("{} {} {}", s.method, s.target, s.header("authorization").unwrap_or("-")))
            .collect()
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf).ok().filter(|n| *n > 0)?;
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length = headers.iter().find(|(n, _)| n == "content-length").map_or(0, |(_, v)| v.parse().unwrap_or(0));
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).ok().filter(|n| *n > 0)?;
        data.extend_from_slice(&buf[..n]);
    }
    let body = String::from_utf8_lossy(&data[head_end..head_end + length]).to_string();
    Some(Seen { method, target, headers, body })
}

fn tags() -> Vec<String> {
    (0..250).map(|i| format!("v0.0.{i}")).collect()
}

/// GitHub Enterprise's layout (`/api/v3`): matching-refs answers at once, `/tags` pages by
/// `Link` (absolute URLs, as GitHub sends them), compare knows `main...v0.0.1`; all else 404.
fn github(request: &Seen, base: &str) -> Reply {
    let api = format!("{base}/api/v3");
    let (path, query) = request.target.split_once('?').unwrap_or((&request.target, ""));
    let param = |name: &str| query.split('&').find_map(|p| p.strip_prefix(&format!("{name}="))).map(str::to_string);
    match (request.method.as_str(), path) {
        ("GET", "/api/v3/repos/acme/app/git/matching-refs/tags/v") => json(
            200,
            tags().iter().map(|t| serde_json::json!({ "ref": format!("refs/tags/{t}"), "object": { "sha": "a".repeat(40), "type": "commit" } })).collect(),
        ),
        ("GET", "/api/v3/repos/acme/app/tags") => {
            let page: usize = param("page").map_or(1, |p| p.parse().unwrap());
            let per: usize = param("per_page").map_or(30, |p| p.parse().unwrap());
            let all = tags();
            let last = all.len().div_ceil(per);
            let names: Vec<_> = all.iter().skip((page - 1) * per).take(per).map(|n| serde_json::json!({ "name": n })).collect();
            let reply = json(200, names.into());
            if page < last {
                let link = format!(
                    "<{api}/repos/acme/app/tags?per_page={per}&page={}>; rel=\"next\", <{api}/repos/acme/app/tags?per_page={per}&page={last}>; rel=\"last\"",
                    page + 1
                );
                with_headers(reply, &[("link", &link)])
            } else {
                reply
            }
        }
        ("GET", "/api/v3/repos/acme/app/compare/main...v0.0.1") => {
            json(200, serde_json::json!({ "status": "behind", "ahead_by": 0, "behind_by": 3 }))
        }
        ("POST", "/api/v3/repos/acme/app/deployments") => json(201, serde_json::json!({ "id": 42 })),
        ("POST", "/api/v3/repos/acme/app/deployments/42/statuses") => json(201, serde_json::json!({ "id": 7 })),
        ("GET", "/api/v3/repos/acme/app/deployments") if query == "environment=qa%20eu&per_page=30" => json(
            200,
            serde_json::json!([
                { "id": 43, "sha": "d".repeat(40), "created_at": "2026-11-29T12:00:00Z", "payload": { "image": "app:1.2.3" } },
                { "id": 42, "sha": "c".repeat(40), "created_at": "2026-11-28T12:00:00Z", "payload": {} },
            ]),
        ),
        ("GET", "/api/v3/repos/acme/app/deployments/43/statuses") if query == "per_page=100" => {
            json(200, serde_json::json!([{ "id": 9, "state": "inactive" }, { "id": 8, "state": "success" }]))
        }
        ("GET", "/api/v3/repos/acme/app/deployments/42/statuses") if query == "per_page=100" => {
            json(200, serde_json::json!([{ "id": 7, "state": "failure" }]))
        }
        _ => not_found(),
    }
}

fn not_found() -> Reply {
    json(404, serde_json::json!({ "message": "Not Found", "documentation_url": "https://docs.github.com/rest" }))
}

fn client_at(api: &str, timeout_ms: u64) -> GitHub {
    GitHub::new(api, Repo::parse("acme/app").unwrap(), Some(&Secret::new("t0ken")), timeout_ms).unwrap()
}

fn client(server: &Server) -> GitHub {
    client_at(&format!("{}/api/v3", server.base), 10_000)
}

#[test]
fn matching_refs_lists_every_tag_in_one_request_with_githubs_headers_and_the_token() {
    let server = Server::start(github);
    let gh = client(&server);
    let tags = block_on(gh.matching_tags("v")).unwrap();
    assert_eq!((tags.len(), tags[249].name.as_str()), (250, "v0.0.249"));
    assert_eq!(gh.requests(), 1);
    let seen = &server.seen()[0];
    assert_eq!(
        (seen.method.as_str(), seen.target.as_str()),
        ("GET", "/api/v3/repos/acme/app/git/matching-refs/tags/v")
    );
    assert_eq!(seen.header("authorization"), Some("Bearer t0ken"));
    assert_eq!(seen.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(seen.header("x-github-api-version"), Some("2022-11-28"));
    assert_eq!(seen.header("user-agent"), Some("stage-action"));
}

#[test]
fn the_paginated_tags_list_follows_link_headers_to_the_last_page() {
    let server = Server::start(github);
    let gh = client(&server);
    let tags = block_on(gh.all_tags()).unwrap();
    assert_eq!(tags.len(), 250);
    assert_eq!(gh.requests(), 3);
    assert_eq!(
        server.lines(),
        [
            "GET /api/v3/repos/acme/app/tags?per_page=100 Bearer t0ken",
            "GET /api/v3/repos/acme/app/tags?per_page=100&page=2 Bearer t0ken",
            "GET /api/v3/repos/acme/app/tags?per_page=100&page=3 Bearer t0ken",
        ]
    );
}

#[test]
fn pages_that_lead_off_the_api_or_back_are_not_followed() {
    let server = Server::start(|_, _| {
        with_headers(json(200, serde_json::json!([])), &[("link", "<https://evil.example/tags?page=2>; rel=\"next\"")])
    });
    let e = block_on(client(&server).all_tags()).unwrap_err();
    let api = format!("{}/api/v3", server.base);
    assert_eq!(e.to_string(), format!("cannot list the repository's tags: the next page is on another host (\"https://evil.example/tags?page=2\"); is {api} a GitHub API (GITHUB_API_URL)? If so, try again later, or use `tags-from: git`"));
    assert_eq!(server.seen().len(), 1);

    let server = Server::start(|_, base| {
        let link = format!("<{base}/api/v3/repos/acme/app/tags?per_page=100>; rel=\"next\"");
        with_headers(json(200, serde_json::json!([])), &[("link", &link)])
    });
    let e = block_on(client(&server).all_tags()).unwrap_err();
    let first = format!("{}/api/v3/repos/acme/app/tags?per_page=100", server.base);
    // The first route is a path, so the absolute link is a second page; it then leads to itself.
    assert_eq!(e.to_string(), format!("cannot list the repository's tags: the pages loop: page 2 leads back to \"{first}\"; is {}/api/v3 a GitHub API (GITHUB_API_URL)? If so, try again later, or use `tags-from: git`", server.base));
    assert_eq!(server.seen().len(), 2);
}

#[test]
fn compare_reports_reachability_and_refuses_an_unknown_status() {
    let server = Server::start(github);
    assert_eq!(block_on(client(&server).compare("main", "v0.0.1")).unwrap(), Comparison::Behind);
    let server = Server::start(|_, _| json(200, serde_json::json!({ "status": "sideways" })));
    let e = block_on(client(&server).compare("main", "v2")).unwrap_err();
    assert_eq!(e.to_string(), "cannot compare v2 with main: GitHub answered 200 \"unknown comparison status \"sideways\"\"; this action knows ahead, behind, identical and diverged");
    assert_eq!(e.status(), Some(200));
}

#[test]
fn a_used_up_rate_limit_says_until_when() {
    let server = Server::start(|_, _| {
        with_headers(
            json(403, serde_json::json!({ "message": "API rate limit exceeded for installation ID 1." })),
            &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1798761599")],
        )
    });
    let e = block_on(client(&server).matching_tags("v")).unwrap_err();
    assert_eq!(
        e,
        Error::RateLimited { what: "list the repository's tags".into(), reset: "2026-12-31 23:59:59 UTC".into() }
    );
    assert_eq!(e.status(), None, "a rate limit is not worth a second listing");
    let action = ActionError::from(e);
    assert_eq!(action.title(), "GitHub API error");
    assert!(matches!(action, ActionError::GitHub(Error::RateLimited { .. })), "{action:?}");
    // A secondary limit (429, no reset header) says "later".
    let server =
        Server::start(|_, _| json(429, serde_json::json!({ "message": "You have exceeded a secondary rate limit." })));
    let e = block_on(client(&server).compare("main", "v1")).unwrap_err();
    assert_eq!(e.to_string(), "cannot compare v1 with main: the GitHub API rate limit is used up until later; wait, use a token with a higher limit, or use `tags-from: git`");
}

#[test]
fn error_statuses_say_what_failed_and_what_to_do() {
    let server = Server::start(|_, _| json(401, serde_json::json!({ "message": "Bad credentials" })));
    let e = block_on(client(&server).matching_tags("v")).unwrap_err();
    assert_eq!(e.to_string(), "cannot list the repository's tags: GitHub answered 401 \"Bad credentials\"; the token is invalid or expired: pass `token: ${{ github.token }}` or a valid token");
    assert_eq!(e.status(), Some(401));

    let server =
        Server::start(|_, _| json(403, serde_json::json!({ "message": "Resource not accessible by integration" })));
    let deployment = deployment();
    let e = block_on(client(&server).create_deployment(&deployment)).unwrap_err();
    assert_eq!(e.to_string(), "cannot create a deployment to qa: GitHub answered 403 \"Resource not accessible by integration\"; the token lacks a permission on acme/app: grant `deployments: write` in the workflow's `permissions`");

    let server = Server::start(github);
    let e = block_on(client(&server).compare("main", "nope")).unwrap_err();
    assert_eq!(e.to_string(), "cannot compare nope with main: GitHub answered 404 \"Not Found\"; acme/app does not exist, or the token cannot see it (it needs `contents: read`)");

    let server = Server::start(|_, _| Reply::Answer(502, vec![], "<html>Bad Gateway</html>".into()));
    let e = block_on(client(&server).matching_tags("v")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot list the repository's tags: GitHub answered 502; GitHub could not answer; try again later"
    );
    let action = ActionError::from(e);
    assert_eq!(action.title(), "GitHub API error");
    assert!(matches!(action, ActionError::GitHub(Error::Answered { status: 502, .. })), "{action:?}");
}

#[test]
fn a_success_that_is_not_the_documented_json_is_an_error() {
    let server = Server::start(|_, _| Reply::Answer(200, vec![], "<html>login</html>".into()));
    let e = block_on(client(&server).matching_tags("v")).unwrap_err();
    assert_eq!(e.to_string(), format!("cannot list the repository's tags: GitHub answered 200 \"the response is not what the API documents: expected value at line 1 column 1\"; is {}/api/v3 a GitHub API (GITHUB_API_URL)?", server.base));
}

#[test]
fn redirects_to_another_host_are_refused_for_reads_and_writes() {
    let away = Server::start(|_, _| json(200, serde_json::json!([])));
    let to = format!("{}/elsewhere", away.base);
    let server =
        Server::start(move |_, _| with_headers(Reply::Answer(307, vec![], String::new()), &[("location", &to)]));
    let gh = client(&server);
    let e = block_on(gh.matching_tags("v")).unwrap_err();
    assert_eq!(e.to_string(), format!("cannot list the repository's tags: GitHub answered 307 with a redirect to \"{}/elsewhere\"; the action does not follow redirects of writes, nor to another host; set GITHUB_API_URL to the API's own address (it is {}/api/v3)", away.base, server.base));
    let e = block_on(gh.create_deployment(&deployment())).unwrap_err();
    assert!(
        e.to_string().starts_with("cannot create a deployment to qa: GitHub answered 307 with a redirect to"),
        "{e}"
    );
    assert!(away.seen().is_empty(), "the other host was asked: {:?}", away.lines());
    assert_eq!(server.seen().len(), 2);
}

#[test]
fn a_same_origin_redirect_of_a_write_is_not_followed() {
    let server = Server::start(|_, base| {
        with_headers(
            Reply::Answer(307, vec![], String::new()),
            &[("location", &format!("{base}/api/v3/repos/acme/app/deployments"))],
        )
    });
    let e = block_on(client(&server).create_deployment(&deployment())).unwrap_err();
    assert!(
        e.to_string().starts_with("cannot create a deployment to qa: GitHub answered 307 with a redirect to"),
        "{e}"
    );
    assert_eq!(server.seen().len(), 1, "the body was sent once");
}

#[test]
fn a_same_origin_redirect_of_a_get_is_followed_with_the_token() {
    let server = Server::start(|request, base| {
        if request.target.starts_with("/old/") {
            let moved = format!("{base}/api/v3/{}", request.target.trim_start_matches("/old/api/v3/"));
            return with_headers(Reply::Answer(301, vec![], String::new()), &[("location", &moved)]);
        }
        github(request, base)
    });
    let gh = client_at(&format!("{}/old/api/v3", server.base), 10_000);
    assert_eq!(block_on(gh.compare("main", "v0.0.1")).unwrap(), Comparison::Behind);
    assert_eq!(
        server.lines(),
        [
            "GET /old/api/v3/repos/acme/app/compare/main...v0.0.1 Bearer t0ken",
            "GET /api/v3/repos/acme/app/compare/main...v0.0.1 Bearer t0ken",
        ]
    );
    assert_eq!(gh.requests(), 1, "the host follows the redirect inside one request");
}

#[test]
fn an_api_that_does_not_answer_is_abandoned_after_the_time_out() {
    let server = Server::start(|_, _| Reply::Hang);
    let api = format!("{}/api/v3", server.base);
    let started = std::time::Instant::now();
    let e = block_on(client_at(&api, 300).matching_tags("v")).unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(e.to_string(), format!("cannot list the repository's tags: GET {api}/repos/acme/app/git/matching-refs/tags/v did not finish within 0.3 s; check that {api} is reachable and answering, or raise input `timeout`"));
    assert_eq!(e.status(), None, "a time-out is not retried through the paginated list");
}

#[test]
fn an_unreachable_api_names_itself() {
    // Nothing listens on port 1.
    let e = block_on(client_at("http://127.0.0.1:1", 2_000).matching_tags("v")).unwrap_err();
    let text = e.to_string();
    assert!(
        text.starts_with(
            "cannot list the repository's tags: GET http://127.0.0.1:1/repos/acme/app/git/matching-refs/tags/v: "
        ),
        "{text}"
    );
    assert!(text.ends_with("; check that http://127.0.0.1:1 is reachable from the runner"), "{text}");
}

#[test]
fn no_token_means_no_authorization_header() {
    let server = Server::start(github);
    let gh = GitHub::new(&format!("{}/api/v3", server.base), Repo::parse("acme/app").unwrap(), None, 10_000).unwrap();
    block_on(gh.matching_tags("v")).unwrap();
    assert_eq!(server.seen()[0].header("authorization"), None);
}

fn deployment() -> NewDeployment {
    NewDeployment {
        git_ref: "c".repeat(40),
        environment: "qa".into(),
        description: "qa runs app:1.2.3".into(),
        payload: serde_json::json!({ "image": "app:1.2.3" }),
        auto_merge: false,
        required_contexts: Vec::new(),
        task: "deploy".into(),
        production_environment: false,
        transient_environment: false,
        environment_url: None,
    }
}

#[test]
fn a_deployment_is_created_and_marked_successful_as_json() {
    let server = Server::start(github);
    let gh = client(&server);
    let d = deployment();
    let id = block_on(gh.create_deployment(&d)).unwrap();
    assert_eq!(id, 42);
    block_on(gh.mark_successful(id, &d, Some("https://github.com/acme/app/actions/runs/1"))).unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    let created: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(created["ref"], "c".repeat(40));
    assert_eq!((created["environment"].as_str(), created["auto_merge"].as_bool()), (Some("qa"), Some(false)));
    let status: serde_json::Value = serde_json::from_str(&seen[1].body).unwrap();
    assert_eq!(
        status,
        serde_json::json!({ "state": "success", "description": "qa runs app:1.2.3", "environment": "qa", "auto_inactive": true, "log_url": "https://github.com/acme/app/actions/runs/1" })
    );
    assert_eq!(seen[1].target, "/api/v3/repos/acme/app/deployments/42/statuses");
}

#[test]
fn an_environments_deployments_are_listed_newest_first_with_whether_each_succeeded() {
    let server = Server::start(github);
    let gh = client(&server);
    let list = block_on(gh.deployments_to("qa eu", Some(stage_action::github::HISTORY_DEPTH))).unwrap();
    assert_eq!(list.iter().map(|d| d.id).collect::<Vec<_>>(), [43, 42]);
    assert_eq!((list[0].image(), list[1].image()), (Some("app:1.2.3"), None));
    assert_eq!(list[0].created_at, "2026-11-29T12:00:00Z");
    // Marked inactive by a later deployment, it did succeed; a failure did not.
    assert!(block_on(gh.succeeded(43)).unwrap());
    assert!(!block_on(gh.succeeded(42)).unwrap());
    let mut d = deployment();
    d.environment_url = Some("https://qa.example.com".into());
    d.production_environment = true;
    block_on(gh.create_deployment(&d)).unwrap();
    block_on(gh.mark_successful(42, &d, None)).unwrap();
    let seen = server.seen();
    let created: serde_json::Value = serde_json::from_str(&seen[seen.len() - 2].body).unwrap();
    assert_eq!((created["production_environment"].as_bool(), created.get("environment_url")), (Some(true), None));
    let status: serde_json::Value = serde_json::from_str(&seen[seen.len() - 1].body).unwrap();
    assert_eq!(status["environment_url"], "https://qa.example.com");
}

#[test]
fn a_client_is_refused_for_an_api_url_or_token_that_cannot_be_sent() {
    let repo = || Repo::parse("acme/app").unwrap();
    for bad in ["api.github.com", "https://", "https://api.github.com/ x", "ftp://example.com"] {
        let e = GitHub::new(bad, repo(), None, 1_000).err().unwrap();
        assert_eq!(e.to_string(), format!("input `GITHUB_API_URL`: \"{bad}\" is not a URL"));
    }
    let e =
        GitHub::new("https://api.github.com", repo(), Some(&Secret::new("ghs_x\nInjected: 1")), 1_000).err().unwrap();
    assert_eq!(e.to_string(), "input `token`: contains characters a header cannot carry");
    assert_eq!(ActionError::from(e).title(), "invalid input");
}

#[test]
fn a_tag_listing_falls_back_to_the_paginated_list_only_when_matching_refs_answers_an_error() {
    use stage_action::tags::{self, git::Git, TagSource};
    let git = Git { dir: ".".into(), timeout_ms: 1_000 };
    let server = Server::start(|request, base| {
        if request.target.contains("/matching-refs/") {
            return json(500, serde_json::json!({ "message": "Server Error" }));
        }
        github(request, base)
    });
    let listing = block_on(tags::list(TagSource::Api, Some(&client(&server)), &git, "v")).unwrap();
    assert_eq!((listing.names.len(), listing.how.as_str()), (250, "GitHub API, 4 requests"));

    // A time-out would only double the wait: it is reported, not retried.
    let server = Server::start(|_, _| Reply::Hang);
    let gh = client_at(&format!("{}/api/v3", server.base), 200);
    let e = block_on(tags::list(TagSource::Api, Some(&gh), &git, "v")).unwrap_err();
    assert!(e.to_string().contains("did not finish within 0.2 s"), "{e}");
    assert_eq!(server.seen().len(), 1);
}
