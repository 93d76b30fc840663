//! The GitHub client over the host's HTTP, against loopback servers that answer as GitHub's REST
//! API documents: natively (plain HTTP/1.1, `cargo test`) with a `std` server in a thread, and in
//! wasm under Node (Node's `fetch`, `cargo test --target wasm32-unknown-unknown --test github`).

#[cfg(not(target_arch = "wasm32"))]
#[path = "github/native.rs"]
mod native;

/// The same client in wasm, over Node's `fetch`, against a `node:http` server.
#[cfg(target_arch = "wasm32")]
mod wasm {
    use stage_action::error::Error;
    use stage_action::github::{Comparison, GitHub, Repo};
    use stage_action::secret::Secret;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen(inline_js = r#"
        import * as http from 'node:http';
        // tags: v0.0.0 … v0.0.249; matching-refs answers all at once, /tags pages by Link.
        export function start_github(mode) {
            const tags = Array.from({ length: 250 }, (_, i) => `v0.0.${i}`);
            const seen = [];
            return new Promise((resolve) => {
                const server = http.createServer((req, res) => {
                    seen.push(`${req.method} ${req.url} ${req.headers['authorization'] || '-'} ${req.headers['accept']} ${req.headers['x-github-api-version']}`);
                    const base = `http://127.0.0.1:${server.address().port}/api/v3`;
                    const json = (status, body, headers = {}) => {
                        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
                        res.end(JSON.stringify(body));
                    };
                    const u = new URL(req.url, base);
                    if (mode === 'ratelimit') return json(403, { message: 'API rate limit exceeded for installation ID 1.' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1798761599' });
                    if (mode === 'badcreds') return json(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
                    if (u.pathname === '/api/v3/repos/acme/app/git/matching-refs/tags/v') {
                        return json(200, tags.map((t) => ({ ref: `refs/tags/${t}`, node_id: 'x', url: `${base}/repos/acme/app/git/refs/tags/${t}`, object: { sha: 'a'.repeat(40), type: 'commit', url: '' } })));
                    }
                    if (u.pathname === '/api/v3/repos/acme/app/tags') {
                        const page = Number(u.searchParams.get('page') || 1), per = Number(u.searchParams.get('per_page') || 30);
                        const last = Math.ceil(tags.length / per);
                        const link = page < last ? { link: `<${base}/repos/acme/app/tags?per_page=${per}&page=${page + 1}>; rel="next", <${base}/repos/acme/app/tags?per_page=${per}&page=${last}>; rel="last"` } : {};
                        return json(200, tags.slice((page - 1) * per, page * per).map((name) => ({ name, commit: { sha: 'a'.repeat(40), url: '' }, zipball_url: '', tarball_url: '', node_id: 'x' })), link);
                    }
                    if (u.pathname === '/api/v3/repos/acme/app/compare/main...v0.0.1') return json(200, { status: 'behind', ahead_by: 0, behind_by: 3 });
                    json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
                });
                server.listen(0, '127.0.0.1', () => {
                    const url = `http://127.0.0.1:${server.address().port}/api/v3`;
                    resolve({ url, seen, close: () => server.close() });
                });
            });
        }
    "#)]
    extern "C" {
        async fn start_github(mode: &str) -> JsValue;
    }

    fn field(v: &JsValue, name: &str) -> JsValue {
        js_sys::Reflect::get(v, &JsValue::from_str(name)).unwrap()
    }

    struct Server(JsValue);

    impl Server {
        async fn start(mode: &str) -> Server {
            Server(start_github(mode).await)
        }
        fn url(&self) -> String {
            field(&self.0, "url").as_string().unwrap()
        }
        fn seen(&self) -> Vec<String> {
            js_sys::Array::from(&field(&self.0, "seen")).iter().filter_map(|v| v.as_string()).collect()
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let close: js_sys::Function = field(&self.0, "close").into();
            close.call0(&JsValue::NULL).unwrap();
        }
    }

    fn client(server: &Server) -> GitHub {
        GitHub::new(&server.url(), Repo::parse("acme/app").unwrap(), Some(&Secret::new("t0ken")), 10_000).unwrap()
    }

    #[wasm_bindgen_test]
    async fn matching_refs_lists_every_tag_in_one_request_with_the_token() {
        let server = Server::start("").await;
        let gh = client(&server);
        let tags = gh.matching_tags("v").await.unwrap();
        assert_eq!(tags.len(), 250);
        assert_eq!(tags[249].name, "v0.0.249");
        assert_eq!(gh.requests(), 1);
        assert_eq!(
            server.seen(),
            vec!["GET /api/v3/repos/acme/app/git/matching-refs/tags/v Bearer t0ken application/vnd.github+json 2022-11-28"]
        );
    }

    #[wasm_bindgen_test]
    async fn the_paginated_tags_list_follows_link_headers() {
        let server = Server::start("").await;
        let gh = client(&server);
        let tags = gh.all_tags().await.unwrap();
        assert_eq!(tags.len(), 250);
        assert_eq!(gh.requests(), 3);
        assert!(server.seen().iter().all(|s| s.contains("Bearer t0ken")));
    }

    #[wasm_bindgen_test]
    async fn compare_reports_reachability() {
        let server = Server::start("").await;
        assert_eq!(client(&server).compare("main", "v0.0.1").await.unwrap(), Comparison::Behind);
    }

    #[wasm_bindgen_test]
    async fn errors_say_what_failed_and_what_to_do() {
        let server = Server::start("ratelimit").await;
        let e = client(&server).matching_tags("v").await.unwrap_err();
        assert_eq!(
            Error::from(e),
            Error::GitHub(stage_action::github::Error::RateLimited {
                what: "list the repository's tags".into(),
                reset: "2026-12-31 23:59:59 UTC".into()
            })
        );
        let server = Server::start("badcreds").await;
        let e = client(&server).matching_tags("v").await.unwrap_err();
        assert_eq!(e.to_string(), "cannot list the repository's tags: GitHub answered 401 \"Bad credentials\"; the token is invalid or expired: pass `token: ${{ github.token }}` or a valid token");
        let server = Server::start("").await;
        let e = client(&server).compare("main", "nope").await.unwrap_err();
        assert_eq!(e.to_string(), "cannot compare nope with main: GitHub answered 404 \"Not Found\"; acme/app does not exist, or the token cannot see it (it needs `contents: read`)");
    }

    #[wasm_bindgen_test]
    async fn no_token_means_no_authorization_header() {
        let server = Server::start("").await;
        let gh = GitHub::new(&server.url(), Repo::parse("acme/app").unwrap(), None, 10_000).unwrap();
        gh.matching_tags("v").await.unwrap();
        assert!(server.seen()[0].contains(" - "), "{:?}", server.seen());
    }
}
