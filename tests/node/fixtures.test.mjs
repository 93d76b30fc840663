// Tests of the test fixtures themselves: github-server.mjs (a loopback GitHub REST API) and
// git-fixtures.mjs (real git repositories), so the guard tests can trust them.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startGitHub, fakeSha } from './github-server.mjs';
import { makeFixture, makeRepo, versionTags, listTags, isValidTagName } from './git-fixtures.mjs';

const HEX40 = /^[0-9a-f]{40}$/;
const TOKEN = 'ghs_fixture_token';
const HEADERS = {
  authorization: `Bearer ${TOKEN}`,
  accept: 'application/vnd.github+json',
  'user-agent': 'stage-action-fixture-test',
  'x-github-api-version': '2022-11-28',
};

/** GET (or another method) against the server; resolves to {status, headers, body, text}. */
async function call(gh, pathOrUrl, { method = 'GET', headers = HEADERS, body } = {}) {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${gh.url}${pathOrUrl}`;
  const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, headers: r.headers, body: json, text };
}

/** Parses an RFC 8288 Link header into {rel: url}, keeping GitHub's order in `order`. */
function parseLink(value) {
  const out = { order: [] };
  if (!value) return out;
  for (const part of value.split(/,\s*(?=<)/)) {
    const m = /^<([^>]+)>;\s*rel="([^"]+)"$/.exec(part.trim());
    assert.ok(m, `Link part ${JSON.stringify(part)} is <url>; rel="..."`);
    out[m[2]] = m[1];
    out.order.push(m[2]);
  }
  return out;
}

const ALL = versionTags(10000);
const ANNOTATED = new Set(ALL.filter((_, i) => i % 3 === 0));

describe('github-server: listing 10,000 tags', () => {
  let gh;
  before(async () => {
    gh = await startGitHub({
      tags: ALL.map((name) => ({ name, annotated: ANNOTATED.has(name) })),
      branches: { main: fakeSha('main') },
    });
  });
  after(() => gh.close());

  test('matching-refs/tags/ returns every tag in one 200 response, in the documented shape, with no Link', async () => {
    for (const p of ['/repos/acme/app/git/matching-refs/tags/', '/repos/acme/app/git/matching-refs/tags']) {
      const r = await call(gh, p);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(r.headers.get('link'), null);
      assert.equal(r.body.length, 10000);
      assert.deepEqual(r.body.map((x) => x.ref), ALL.map((n) => `refs/tags/${n}`).sort());
    }
    const r = await call(gh, '/repos/acme/app/git/matching-refs/tags/v0.0.');
    const [annotated, light] = [r.body.find((x) => x.ref === 'refs/tags/v0.0.0'), r.body.find((x) => x.ref === 'refs/tags/v0.0.1')];
    for (const ref of [annotated, light]) {
      assert.deepEqual(Object.keys(ref), ['ref', 'node_id', 'url', 'object']);
      assert.deepEqual(Object.keys(ref.object).sort(), ['sha', 'type', 'url']);
      assert.match(ref.object.sha, HEX40);
      assert.equal(typeof ref.node_id, 'string');
      assert.equal(ref.url, `${gh.url}/repos/acme/app/git/${ref.ref}`);
    }
    assert.equal(annotated.object.type, 'tag');
    assert.equal(annotated.object.url, `${gh.url}/repos/acme/app/git/tags/${annotated.object.sha}`);
    assert.equal(light.object.type, 'commit');
    assert.equal(light.object.url, `${gh.url}/repos/acme/app/git/commits/${light.object.sha}`);
  });

  test('matching-refs ignores per_page and page, as GitHub does: everything, every time', async () => {
    for (const q of ['?per_page=100', '?per_page=100&page=2', '?page=50']) {
      const r = await call(gh, `/repos/acme/app/git/matching-refs/tags/${q}`);
      assert.equal(r.body.length, 10000, q);
      assert.equal(r.headers.get('link'), null, q);
    }
  });

  test('matching-refs filters by prefix (a prefix, not a name: v0.1.1 also matches v0.1.10..19); none is 200 []', async () => {
    let r = await call(gh, '/repos/acme/app/git/matching-refs/tags/v0.1.');
    assert.equal(r.body.length, 100);
    assert.ok(r.body.every((x) => x.ref.startsWith('refs/tags/v0.1.')));
    r = await call(gh, '/repos/acme/app/git/matching-refs/tags/v0.1.1');
    assert.deepEqual(r.body.map((x) => x.ref), ['refs/tags/v0.1.1', ...Array.from({ length: 10 }, (_, i) => `refs/tags/v0.1.1${i}`)]);
    r = await call(gh, '/repos/acme/app/git/matching-refs/tags/nope');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, []);
    // Without tags/, branches come too (GitHub: "anything in the namespace").
    r = await call(gh, '/repos/acme/app/git/matching-refs/');
    assert.equal(r.body.length, 10001);
    assert.equal(r.body[0].ref, 'refs/heads/main');
  });

  test('GET /tags: walking Link rel="next" at per_page=100 collects all 10,000 in 100 pages', async () => {
    gh.clearRequests();
    const names = [];
    const links = [];
    let next = `${gh.url}/repos/acme/app/tags?per_page=100`;
    let pages = 0;
    while (next) {
      const r = await call(gh, next);
      assert.equal(r.status, 200);
      assert.ok(r.body.length <= 100);
      names.push(...r.body.map((t) => t.name));
      const link = parseLink(r.headers.get('link'));
      links.push(link);
      next = link.next;
      pages += 1;
      assert.ok(pages <= 100, 'no more than 100 pages');
    }
    assert.equal(pages, 100);
    assert.equal(names.length, 10000);
    assert.deepEqual(new Set(names), new Set(ALL));
    // GitHub's rel order: prev, next, last, first; first page: next, last; last page: prev, first.
    assert.deepEqual(links[0].order, ['next', 'last']);
    assert.deepEqual(links[1].order, ['prev', 'next', 'last', 'first']);
    assert.deepEqual(links[99].order, ['prev', 'first']);
    // Link URLs name the repository by id, as api.github.com's do, and keep per_page.
    assert.equal(links[0].next, `${gh.url}/repositories/${gh.repositoryId}/tags?per_page=100&page=2`);
    assert.equal(links[0].last, `${gh.url}/repositories/${gh.repositoryId}/tags?per_page=100&page=100`);
    assert.equal(links[1].prev, `${gh.url}/repositories/${gh.repositoryId}/tags?per_page=100&page=1`);
    assert.equal(links[1].first, links[1].prev);
    const seen = gh.requestsFor('tags');
    assert.equal(seen.length, 100);
    assert.deepEqual(seen.slice(0, 3).map((r) => r.path), ['/repos/acme/app/tags', '/repositories/1296269/tags', '/repositories/1296269/tags']);
    assert.deepEqual(seen.map((r) => r.query.page ?? '1'), Array.from({ length: 100 }, (_, i) => String(i + 1)));
  });

  test('GET /tags: per_page defaults to 30 and is capped at 100; a page past the end is 200 []', async () => {
    let r = await call(gh, '/repos/acme/app/tags');
    assert.equal(r.body.length, 30);
    assert.equal(parseLink(r.headers.get('link')).last, `${gh.url}/repositories/1296269/tags?page=334`);
    r = await call(gh, '/repos/acme/app/tags?per_page=1000');
    assert.equal(r.body.length, 100);
    r = await call(gh, '/repos/acme/app/tags?per_page=100&page=101');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, []);
  });

  test('GET /tags: entries in the documented shape; an annotated tag lists its peeled commit', async () => {
    const refs = (await call(gh, '/repos/acme/app/git/matching-refs/tags/v0.0.0')).body;
    const r = await call(gh, '/repos/acme/app/tags?per_page=100&page=100'); // descending: the oldest last
    const t = r.body.find((x) => x.name === 'v0.0.0');
    assert.deepEqual(Object.keys(t).sort(), ['commit', 'name', 'node_id', 'tarball_url', 'zipball_url']);
    assert.deepEqual(Object.keys(t.commit).sort(), ['sha', 'url']);
    assert.equal(t.zipball_url, `${gh.url}/repos/acme/app/zipball/refs/tags/v0.0.0`);
    assert.equal(t.tarball_url, `${gh.url}/repos/acme/app/tarball/refs/tags/v0.0.0`);
    assert.match(t.commit.sha, HEX40);
    assert.equal(refs[0].object.type, 'tag');
    assert.notEqual(t.commit.sha, refs[0].object.sha, 'the tag object is not the commit');
    const tagObject = await call(gh, `/repos/acme/app/git/tags/${refs[0].object.sha}`);
    assert.equal(tagObject.status, 200);
    assert.equal(tagObject.body.tag, 'v0.0.0');
    assert.deepEqual(tagObject.body.object, { type: 'commit', sha: t.commit.sha, url: `${gh.url}/repos/acme/app/git/commits/${t.commit.sha}` });
  });
});

describe('github-server: headers, recording, auth', () => {
  let gh;
  before(async () => { gh = await startGitHub({ tags: ['v1.0.0', 'v1.1.0'] }); });
  after(() => gh.close());

  test('a success carries content-type, x-ratelimit-* and x-github-request-id; remaining counts down', async () => {
    const a = await call(gh, '/repos/acme/app/tags');
    const b = await call(gh, '/repos/acme/app/tags');
    for (const r of [a, b]) {
      assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(r.headers.get('x-ratelimit-limit'), '5000');
      assert.equal(r.headers.get('x-ratelimit-resource'), 'core');
      assert.match(r.headers.get('x-ratelimit-reset'), /^\d{10}$/);
      assert.ok(Number(r.headers.get('x-ratelimit-reset')) > Date.now() / 1000, 'reset is epoch seconds in the future');
      assert.match(r.headers.get('x-github-request-id'), /^[0-9A-F]+:[0-9A-F]+:[0-9A-F]+:[0-9A-F]+:[0-9A-F]+$/);
      assert.equal(r.headers.get('x-github-api-version-selected'), '2022-11-28');
      assert.equal(r.headers.get('link'), null, 'no Link when everything fits one page');
    }
    assert.equal(Number(a.headers.get('x-ratelimit-remaining')) - 1, Number(b.headers.get('x-ratelimit-remaining')));
    assert.equal(Number(b.headers.get('x-ratelimit-used')), 5000 - Number(b.headers.get('x-ratelimit-remaining')));
    assert.notEqual(a.headers.get('x-github-request-id'), b.headers.get('x-github-request-id'));
  });

  test('every request is recorded: method, path, query, headers, body, route, status', async () => {
    gh.clearRequests();
    await call(gh, '/repos/acme/app/tags?per_page=7&page=1');
    await call(gh, '/repos/acme/app/git/matching-refs/tags/v1', { headers: { authorization: `token ${TOKEN}`, 'user-agent': 'stage-action' } });
    const [a, b] = gh.requests;
    assert.equal(gh.count(), 2);
    assert.equal(gh.count('tags'), 1);
    assert.deepEqual({ method: a.method, path: a.path, query: a.query, route: a.route, status: a.status },
      { method: 'GET', path: '/repos/acme/app/tags', query: { per_page: '7', page: '1' }, route: 'tags', status: 200 });
    assert.equal(a.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(a.headers.accept, 'application/vnd.github+json');
    assert.equal(a.headers['user-agent'], 'stage-action-fixture-test');
    assert.equal(a.headers['x-github-api-version'], '2022-11-28');
    assert.equal(b.route, 'matching-refs');
    assert.deepEqual(b.params, { owner: 'acme', repo: 'app', ref: 'tags/v1' });
    assert.equal(b.headers.authorization, `token ${TOKEN}`, 'the legacy "token" scheme is accepted too');
    assert.equal(b.headers['x-github-api-version'], undefined);
    assert.equal(gh.lastRequest('matching-refs'), b);
    assert.equal(a.responseHeaders['x-ratelimit-resource'], 'core');
  });

  test('a wrong token is 401 Bad credentials; no token is 404 (a private repository)', async () => {
    let r = await call(gh, '/repos/acme/app/tags', { headers: { ...HEADERS, authorization: 'Bearer nope' } });
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    r = await call(gh, '/repos/acme/app/tags', { headers: { accept: 'application/vnd.github+json' } });
    assert.equal(r.status, 404);
    assert.equal(r.body.message, 'Not Found');
    assert.equal(r.body.documentation_url, 'https://docs.github.com/rest/repos/repos#list-repository-tags');
  });

  test('unknown routes, other repositories, a trailing slash and a wrong method are 404, recorded', async () => {
    gh.clearRequests();
    for (const [p, method] of [['/repos/acme/app/tags/', 'GET'], ['/repos/acme/other/tags', 'GET'], ['/repos/acme/app/tags', 'POST'], ['/user', 'GET'], ['/repositories/1/tags', 'GET']]) {
      const r = await call(gh, p, { method });
      assert.equal(r.status, 404, `${method} ${p}`);
      assert.equal(r.body.message, 'Not Found');
    }
    assert.deepEqual(gh.requests.map((r) => r.route), ['unknown', 'tags', 'unknown', 'unknown', 'unknown']);
    // Owner and name are not case sensitive.
    assert.equal((await call(gh, '/repos/ACME/App/tags')).status, 200);
  });

  test('an unsupported X-GitHub-Api-Version is 400; 2026-03-10 is selected when asked for', async () => {
    let r = await call(gh, '/repos/acme/app/tags', { headers: { ...HEADERS, 'x-github-api-version': '2020-01-01' } });
    assert.equal(r.status, 400);
    r = await call(gh, '/repos/acme/app/tags', { headers: { ...HEADERS, 'x-github-api-version': '2026-03-10' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-github-api-version-selected'), '2026-03-10');
  });

  test('If-None-Match with the ETag is 304 and costs no rate limit', async () => {
    const a = await call(gh, '/repos/acme/app/tags');
    const b = await call(gh, '/repos/acme/app/tags', { headers: { ...HEADERS, 'if-none-match': a.headers.get('etag') } });
    assert.equal(b.status, 304);
    assert.equal(b.headers.get('x-ratelimit-remaining'), a.headers.get('x-ratelimit-remaining'));
  });

  test('a child process blocked on by spawnSync (as runAction runs the action) is served, and recorded at once', () => {
    gh.clearRequests();
    const script = `fetch(process.argv[1], { headers: { authorization: 'Bearer ${TOKEN}' } }).then(async (r) => console.log(r.status, (await r.json()).length))`;
    const r = spawnSync(process.execPath, ['-e', script, `${gh.url}/repos/acme/app/git/matching-refs/tags/`], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.stdout.trim(), '200 2', r.stderr);
    assert.equal(gh.count('matching-refs'), 1);
    gh.setTags(['v9.9.9']); // synchronous: effective for the very next request
    const again = spawnSync(process.execPath, ['-e', script, `${gh.url}/repos/acme/app/git/matching-refs/tags/`], { encoding: 'utf8', timeout: 20000 });
    assert.equal(again.stdout.trim(), '200 1', again.stderr);
    assert.deepEqual(gh.tags().map((t) => t.name), ['v9.9.9']);
    gh.setTags(['v1.0.0', 'v1.1.0']);
  });

  test('options.pathPrefix serves as GitHub Enterprise Server does, under /api/v3', async () => {
    const ghes = await startGitHub({ pathPrefix: '/api/v3', tags: ['v1'], token: null });
    try {
      assert.match(ghes.url, /^http:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
      assert.equal(ghes.env.GITHUB_API_URL, ghes.url);
      const r = await call(ghes, '/repos/acme/app/git/matching-refs/tags/', { headers: {} });
      assert.equal(r.status, 200);
      assert.equal(r.body[0].url, `${ghes.url}/repos/acme/app/git/refs/tags/v1`);
      assert.equal((await call(ghes, `${ghes.origin}/repos/acme/app/tags`)).status, 404);
    } finally {
      await ghes.close();
    }
  });
});

describe('github-server: error modes', () => {
  let gh;
  before(async () => { gh = await startGitHub({ tags: versionTags(250) }); });
  after(() => gh.close());

  test('rate-limit: 403, x-ratelimit-remaining 0, reset in epoch seconds, resource core, the documented message', async () => {
    gh.setError('*', 'rate-limit');
    const r = await call(gh, '/repos/acme/app/git/matching-refs/tags/');
    gh.clearErrors();
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(r.headers.get('x-ratelimit-limit'), '5000');
    assert.equal(r.headers.get('x-ratelimit-used'), '5000');
    assert.equal(r.headers.get('x-ratelimit-resource'), 'core');
    assert.ok(Number(r.headers.get('x-ratelimit-reset')) > Date.now() / 1000);
    assert.match(r.body.message, /^API rate limit exceeded for installation ID \d+\.$/);
    assert.match(r.body.documentation_url, /rate-limits/);
    const r429 = (gh.setError('tags', { mode: 'rate-limit', status: 429 }), await call(gh, '/repos/acme/app/tags'));
    gh.clearErrors();
    assert.equal(r429.status, 429);
  });

  test('the core limit running out by itself gives the same 403', async () => {
    gh.setRateLimit({ limit: 1000, remaining: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(gh, '/repos/acme/app/tags')).status);
    const last = await call(gh, '/repos/acme/app/tags');
    gh.setRateLimit({});
    assert.deepEqual(statuses, [200, 200, 403]);
    assert.equal(last.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(last.headers.get('x-ratelimit-limit'), '1000');
  });

  test('secondary-rate-limit: 403 with retry-after', async () => {
    gh.setError('tags', { mode: 'secondary-rate-limit', retryAfter: 7 });
    const r = await call(gh, '/repos/acme/app/tags');
    gh.clearErrors();
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('retry-after'), '7');
    assert.match(r.body.message, /secondary rate limit/);
  });

  test('forbidden: 403 Resource not accessible by integration, with x-accepted-github-permissions', async () => {
    gh.setError('create-deployment', 'forbidden');
    const r = await call(gh, '/repos/acme/app/deployments', { method: 'POST', body: { ref: 'v0.0.1' } });
    gh.clearErrors();
    assert.equal(r.status, 403);
    assert.equal(r.body.message, 'Resource not accessible by integration');
    assert.equal(r.headers.get('x-accepted-github-permissions'), 'deployments=write');
    assert.equal(r.headers.get('x-ratelimit-remaining') === '0', false, 'not a rate limit');
  });

  test('bad-credentials, not-found, server-error, bad-gateway, unavailable, empty-repository', async () => {
    const want = {
      'bad-credentials': [401, 'Bad credentials'], 'not-found': [404, 'Not Found'], 'server-error': [500, 'Server Error'],
      unavailable: [503, 'Service Unavailable'], 'empty-repository': [409, 'Git Repository is empty.'],
    };
    for (const [mode, [status, message]] of Object.entries(want)) {
      gh.setError('matching-refs', mode);
      const r = await call(gh, '/repos/acme/app/git/matching-refs/tags/');
      assert.equal(r.status, status, mode);
      assert.equal(r.body.message, message, mode);
    }
    gh.setError('matching-refs', 'bad-gateway');
    const r = await call(gh, '/repos/acme/app/git/matching-refs/tags/');
    gh.clearErrors();
    assert.equal(r.status, 502);
    assert.equal(r.body, undefined, '502 has no JSON body');
  });

  test('the fallback mode: matching-refs fails while /tags answers', async () => {
    const fb = await startGitHub({ tags: ['v1.0.0'], errors: { 'matching-refs': 'server-error' } });
    try {
      assert.equal((await call(fb, '/repos/acme/app/git/matching-refs/tags/')).status, 500);
      const r = await call(fb, '/repos/acme/app/tags?per_page=100');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.map((t) => t.name), ['v1.0.0']);
    } finally {
      await fb.close();
    }
  });

  test('times, after, when and function specs pick which requests fail', async () => {
    gh.setError('tags', { mode: 'server-error', times: 2 });
    const a = [];
    for (let i = 0; i < 3; i++) a.push((await call(gh, '/repos/acme/app/tags')).status);
    assert.deepEqual(a, [500, 500, 200]);
    gh.setError('tags', { mode: 'server-error', after: 1, times: 1 });
    const b = [];
    for (let i = 0; i < 3; i++) b.push((await call(gh, '/repos/acme/app/tags')).status);
    assert.deepEqual(b, [200, 500, 200]);
    gh.setError('tags', (r) => (r.query.page === '2' ? 'unavailable' : null));
    const c = [];
    for (const p of [1, 2, 3]) c.push((await call(gh, `/repos/acme/app/tags?per_page=100&page=${p}`)).status);
    assert.deepEqual(c, [200, 503, 200]);
    gh.setError('tags', { mode: 'not-found', when: (r) => r.query.per_page === '5' });
    assert.equal((await call(gh, '/repos/acme/app/tags?per_page=5')).status, 404);
    assert.equal((await call(gh, '/repos/acme/app/tags?per_page=6')).status, 200);
    gh.clearErrors();
    assert.throws(() => gh.setError('tags', 'nonsense'), /unknown error mode/);
    assert.throws(() => gh.setError('nonsense', 'server-error'), /unknown route/);
  });

  test('hang never answers and reset drops the connection; both are recorded', async () => {
    gh.clearRequests();
    gh.setError('tags', 'hang');
    await assert.rejects(fetch(`${gh.url}/repos/acme/app/tags`, { headers: HEADERS, signal: AbortSignal.timeout(300) }), /abort|timeout/i);
    gh.setError('tags', 'reset');
    await assert.rejects(fetch(`${gh.url}/repos/acme/app/tags`, { headers: HEADERS }), /fetch failed/);
    gh.clearErrors();
    assert.deepEqual(gh.requests.map((r) => r.status), ['hang', 'reset']);
  });
});

describe('github-server: compare and deployments', () => {
  let gh;
  before(async () => { gh = await startGitHub({ tags: ['v1.0.0', 'v2.0.0'], branches: { main: fakeSha('main') } }); });
  after(() => gh.close());

  test('compare without a commit graph: options.compare decides, the shape is GitHub\'s', async () => {
    gh.setCompare((base, head) => (head === 'nope' ? null : base === 'v1.0.0' ? 'ahead' : 'diverged'));
    let r = await call(gh, '/repos/acme/app/compare/v1.0.0...main');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), ['url', 'html_url', 'permalink_url', 'diff_url', 'patch_url', 'base_commit', 'merge_base_commit', 'status', 'ahead_by', 'behind_by', 'total_commits', 'commits', 'files']);
    assert.equal(r.body.status, 'ahead');
    assert.equal(r.body.ahead_by, 1);
    assert.equal(r.body.behind_by, 0);
    assert.equal(r.body.total_commits, 1);
    assert.equal(r.body.commits.length, 1);
    assert.equal(r.body.commits[0].sha, fakeSha('main'), 'the last commit is head');
    assert.equal(r.body.merge_base_commit.sha, r.body.base_commit.sha);
    assert.deepEqual(r.body.files, []);
    for (const c of [r.body.base_commit, ...r.body.commits]) {
      assert.match(c.sha, HEX40);
      assert.deepEqual(Object.keys(c.commit).sort(), ['author', 'comment_count', 'committer', 'message', 'tree', 'url', 'verification']);
    }
    r = await call(gh, '/repos/acme/app/compare/v2.0.0...main');
    assert.deepEqual([r.body.status, r.body.ahead_by, r.body.behind_by], ['diverged', 1, 1]);
    assert.equal((await call(gh, '/repos/acme/app/compare/v1.0.0...nope')).status, 404);
    gh.setCompare({ 'v1.0.0...v2.0.0': { status: 'behind', behind_by: 3 } });
    r = await call(gh, '/repos/acme/app/compare/v1.0.0...v2.0.0');
    assert.deepEqual([r.body.status, r.body.ahead_by, r.body.behind_by], ['behind', 0, 3]);
    assert.equal((await call(gh, '/repos/acme/app/compare/v2.0.0...v1.0.0')).status, 404, 'not in the map');
    gh.setCompare(null);
    r = await call(gh, '/repos/acme/app/compare/v1.0.0...v1.0.0');
    assert.deepEqual([r.body.status, r.body.ahead_by, r.body.total_commits, r.body.commits], ['identical', 0, 0, []]);
  });

  test('create a deployment and its statuses: 201, the documented shapes, bodies recorded', async () => {
    gh.clearRequests();
    const req = { ref: 'v1.0.0', environment: 'staging', payload: { image: 'x:1' }, auto_merge: false, required_contexts: [], description: 'Deploy v1.0.0' };
    const d = await call(gh, '/repos/acme/app/deployments', { method: 'POST', body: req });
    assert.equal(d.status, 201);
    assert.equal(d.headers.get('location'), d.body.url);
    for (const k of ['url', 'id', 'node_id', 'sha', 'ref', 'task', 'payload', 'original_environment', 'environment', 'description', 'creator', 'created_at', 'updated_at', 'statuses_url', 'repository_url', 'transient_environment', 'production_environment']) {
      assert.ok(k in d.body, k);
    }
    assert.equal(typeof d.body.id, 'number');
    assert.equal(d.body.sha, gh.tags().find((t) => t.name === 'v1.0.0').commit);
    assert.deepEqual([d.body.ref, d.body.task, d.body.environment, d.body.production_environment], ['v1.0.0', 'deploy', 'staging', false]);
    assert.deepEqual(d.body.payload, { image: 'x:1' });
    assert.equal(d.body.creator.login, 'github-actions[bot]');
    assert.match(d.body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const s = await call(gh, `/repos/acme/app/deployments/${d.body.id}/statuses`, { method: 'POST', body: { state: 'success', environment_url: 'https://staging.example.com', log_url: 'https://ci/1' } });
    assert.equal(s.status, 201);
    for (const k of ['url', 'id', 'node_id', 'state', 'creator', 'description', 'environment', 'target_url', 'created_at', 'updated_at', 'deployment_url', 'repository_url', 'environment_url', 'log_url']) {
      assert.ok(k in s.body, k);
    }
    assert.deepEqual([s.body.state, s.body.environment, s.body.deployment_url, s.body.target_url], ['success', 'staging', d.body.url, 'https://ci/1']);

    assert.deepEqual(gh.lastRequest('create-deployment').json, req);
    assert.equal(gh.lastRequest('create-deployment-status').json.state, 'success');
    const [dep] = gh.deployments();
    assert.deepEqual(dep.body, req);
    assert.equal(dep.statuses.length, 1);
    assert.equal((await call(gh, `/repos/acme/app/deployments/${d.body.id}`)).body.id, d.body.id);
    assert.equal((await call(gh, `/repos/acme/app/deployments/${d.body.id}/statuses`)).body.length, 1);
  });

  test('deployment validation: 422 without ref or with an unknown one, 422 on a bad state, 404 on an unknown id, 400 on bad JSON', async () => {
    assert.equal((await call(gh, '/repos/acme/app/deployments', { method: 'POST', body: {} })).status, 422);
    assert.equal((await call(gh, '/repos/acme/app/deployments', { method: 'POST', body: { ref: 'no-such-ref' } })).status, 422);
    const d = await call(gh, '/repos/acme/app/deployments', { method: 'POST', body: { ref: 'main' } });
    assert.deepEqual([d.body.environment, d.body.production_environment, d.body.sha], ['production', true, fakeSha('main')]);
    const bad = await call(gh, `/repos/acme/app/deployments/${d.body.id}/statuses`, { method: 'POST', body: { state: 'done' } });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'state');
    assert.equal((await call(gh, '/repos/acme/app/deployments/999999/statuses', { method: 'POST', body: { state: 'success' } })).status, 404);
    const r = await fetch(`${gh.url}/repos/acme/app/deployments`, { method: 'POST', headers: HEADERS, body: '{' });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).message, 'Problems parsing JSON');
    assert.equal(gh.lastRequest('create-deployment').body, '{');
  });
});

describe('git-fixtures', () => {
  const fixtures = [];
  const fixture = (opts) => { const fx = makeFixture(opts); fixtures.push(fx); return fx; };
  after(() => { for (const fx of fixtures) fx.cleanup(); });
  const lines = (s) => s.split('\n').filter(Boolean);

  test('10,000 tags (a third annotated) in a repository with no remote: `git tag` lists them', (t) => {
    const fx = fixture({ tags: ALL, annotated: [...ANNOTATED], commits: 3 });
    t.diagnostic(`10,000-tag repository, no remote: built in ${fx.ms.toFixed(0)} ms`);
    const tags = lines(fx.git('tag'));
    assert.equal(tags.length, 10000);
    assert.deepEqual(new Set(tags), new Set(ALL));
    assert.equal(fx.git('remote'), '');
    const lsr = fx.gitResult('ls-remote', '--tags', '--refs', 'origin');
    assert.notEqual(lsr.code, 0, 'no origin to ask');
    assert.equal(fx.git('rev-parse', 'HEAD').trim(), fx.tip());
    assert.equal(fx.git('status', '--porcelain'), '', 'a clean work tree');
    assert.equal(lines(fx.git('for-each-ref', '--format=%(objecttype)', 'refs/tags')).filter((x) => x === 'tag').length, ANNOTATED.size);
    fx.git('fsck', '--strict', '--no-dangling');
  });

  test('10,000 tags behind a bare origin, cloned: ls-remote and local `git tag` both list them', (t) => {
    const fx = fixture({ tags: ALL, annotated: [...ANNOTATED], remote: 'origin' });
    t.diagnostic(`10,000-tag origin + full clone: built in ${fx.ms.toFixed(0)} ms`);
    assert.equal(fx.git('config', 'remote.origin.url').trim(), fx.originUrl);
    assert.match(fx.originUrl, /^file:\/\//);
    assert.equal(lines(fx.git('ls-remote', '--tags', '--refs', 'origin')).length, 10000);
    assert.equal(lines(fx.git('tag')).length, 10000);
    const noTags = fixture({ tags: ['v1.0.0'], remote: 'origin', cloneTags: false });
    assert.equal(noTags.git('tag'), '');
    assert.equal(lines(noTags.git('ls-remote', '--tags', '--refs', 'origin')).length, 1);
  });

  test('a shallow clone (--depth 1 --no-tags) has no local tags, but ls-remote --tags --refs origin lists all 10,000', (t) => {
    const fx = fixture({ tags: ALL, annotated: [...ANNOTATED], remote: 'shallow', commits: 5 });
    t.diagnostic(`10,000-tag origin + shallow clone: built in ${fx.ms.toFixed(0)} ms`);
    assert.equal(fx.git('rev-parse', '--is-shallow-repository').trim(), 'true');
    assert.equal(fx.git('rev-list', '--count', 'HEAD').trim(), '1');
    assert.equal(fx.git('tag'), '');
    const remote = lines(fx.git('ls-remote', '--tags', '--refs', 'origin'));
    assert.equal(remote.length, 10000);
    const byName = new Map(remote.map((l) => { const [sha, ref] = l.split('\t'); return [ref.slice('refs/tags/'.length), sha]; }));
    assert.deepEqual(new Set(byName.keys()), new Set(ALL));
    // --refs gives what each ref points at: the tag object for an annotated tag.
    const truth = new Map(fx.tags().map((x) => [x.name, x]));
    assert.equal(byName.get('v0.0.0'), truth.get('v0.0.0').sha);
    assert.equal(truth.get('v0.0.0').type, 'tag');
    assert.equal(byName.get('v0.0.1'), truth.get('v0.0.1').commit);
  });

  test('annotated and lightweight tags tell apart in ls-remote without --refs: only annotated ones have ^{} lines', () => {
    const fx = fixture({ tags: ['v1.0.0', 'v1.1.0', { name: 'v2.0.0', annotated: true, message: 'Two' }], annotated: ['v1.1.0'], remote: 'shallow' });
    const out = lines(fx.git('ls-remote', '--tags', 'origin')).map((l) => l.split('\t')[1]);
    assert.deepEqual(out, ['refs/tags/v1.0.0', 'refs/tags/v1.1.0', 'refs/tags/v1.1.0^{}', 'refs/tags/v2.0.0', 'refs/tags/v2.0.0^{}']);
    const peeled = lines(fx.git('ls-remote', '--tags', 'origin')).find((l) => l.endsWith('v2.0.0^{}')).split('\t')[0];
    assert.equal(peeled, fx.tip());
    assert.deepEqual(listTags(fx.origin).map((x) => [x.name, x.type]), [['v1.0.0', 'commit'], ['v1.1.0', 'tag'], ['v2.0.0', 'tag']]);
    assert.match(fx.git('-C', fx.origin, 'cat-file', '-p', 'v2.0.0'), /^object [0-9a-f]{40}\ntype commit\ntag v2\.0\.0\ntagger Fixture Tagger <tagger@example\.com> \d+ \+0000\n\nTwo\n$/);
  });

  test('prefixed (app/v1.2.3) and unprefixed tags side by side', () => {
    const fx = fixture({ tags: [...versionTags(3, { prefix: 'app/v' }), ...versionTags(2, { prefix: 'lib/v' }), 'v9.0.0'], remote: 'origin' });
    assert.deepEqual(lines(fx.git('ls-remote', '--tags', '--refs', 'origin', 'refs/tags/app/*')).map((l) => l.split('\t')[1]),
      ['refs/tags/app/v0.0.0', 'refs/tags/app/v0.0.1', 'refs/tags/app/v0.0.2']);
    assert.deepEqual(lines(fx.git('tag', '--list', 'v*')), ['v9.0.0']);
    const p = fixture({ prefix: 'svc/', tags: ['v1.0.0', 'v1.1.0'], annotated: ['v1.1.0'] });
    assert.deepEqual(p.tags().map((x) => [x.name, x.type]), [['svc/v1.0.0', 'commit'], ['svc/v1.1.0', 'tag']]);
  });

  test('a branch layout for reachability: main and an unmerged feature, a tag on each', () => {
    const fx = fixture({
      commits: 3,
      branches: { feature: { from: 2, commits: 2 } },
      tags: [{ name: 'v1.0.0', at: 1 }, { name: 'v1.1.0', at: 'main' }, { name: 'v2.0.0-rc.1', at: 'feature', annotated: true }],
      remote: 'origin',
    });
    assert.equal(fx.shas.main.length, 3);
    assert.equal(fx.shas.feature.length, 2);
    assert.deepEqual(lines(fx.git('tag', '--merged', 'main')), ['v1.0.0', 'v1.1.0']);
    assert.deepEqual(lines(fx.git('tag', '--no-merged', 'main')), ['v2.0.0-rc.1']);
    assert.equal(fx.gitResult('merge-base', '--is-ancestor', 'v2.0.0-rc.1', 'origin/main').code, 1);
    assert.equal(fx.gitResult('merge-base', '--is-ancestor', 'v1.1.0', 'origin/main').code, 0);
    assert.equal(fx.git('merge-base', 'origin/main', 'origin/feature').trim(), fx.shas.main[1]);
    assert.equal(fx.git('rev-parse', 'origin/feature').trim(), fx.tip('feature'));
    const onFeature = fixture({ commits: 2, branches: { feature: {} }, tags: [{ name: 'f', at: 'feature' }], remote: 'origin', checkout: 'feature' });
    assert.equal(onFeature.git('rev-parse', '--abbrev-ref', 'HEAD').trim(), 'feature');
    assert.equal(onFeature.git('rev-parse', 'HEAD').trim(), onFeature.tip('feature'));
  });

  test('isolated from the machine: no system config, a private HOME, fixed identity and dates (same SHAs every time)', () => {
    const fx = fixture({ tags: ['v1.0.0'], annotated: true });
    assert.equal(fx.env.GIT_CONFIG_NOSYSTEM, '1');
    assert.ok(fx.env.HOME.startsWith(fx.root));
    assert.equal(fx.git('config', 'user.name').trim(), 'Fixture Author');
    assert.equal(fx.git('config', 'init.defaultBranch').trim(), 'main');
    assert.equal(fx.git('config', 'protocol.file.allow').trim(), 'always');
    assert.match(fx.git('config', '--show-origin', 'user.email'), new RegExp(`^file:${fx.home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.gitconfig`));
    const again = fixture({ tags: ['v1.0.0'], annotated: true });
    assert.deepEqual(again.tags(), fx.tags());
    assert.deepEqual(again.shas, fx.shas);
  });

  test('makeRepo returns a path; empty and unreachable-origin repositories; invalid names refused', () => {
    const p = makeRepo({ tags: ['v1'] });
    try {
      assert.equal(typeof p, 'string');
      assert.ok(fs.existsSync(path.join(p, '.git')));
    } finally {
      fs.rmSync(path.dirname(p), { recursive: true, force: true });
    }
    const empty = fixture({ commits: 0 });
    assert.equal(empty.gitResult('rev-parse', '--verify', 'HEAD').code, 128);
    assert.equal(empty.git('tag'), '');
    assert.throws(() => makeFixture({ commits: 0, tags: ['v1'] }), /at least one commit/);
    const gone = fixture({ tags: ['v1'], remote: 'unreachable' });
    assert.equal(gone.origin, null);
    assert.notEqual(gone.gitResult('ls-remote', '--tags', '--refs', 'origin').code, 0);
    assert.deepEqual(lines(gone.git('tag')), ['v1'], 'the clone kept its own tags');
    for (const bad of ['a..b', 'a b', 'a~1', 'x.lock', '-x', 'a//b', '.hidden', 'a/']) {
      assert.equal(isValidTagName(bad), false, bad);
      assert.throws(() => makeFixture({ tags: [bad] }), /not a valid tag name/, bad);
    }
    assert.ok(isValidTagName('app/v1.2.3-rc.1+build.5'));
  });
});

describe('github-server mirroring a git fixture', () => {
  let gh;
  let fx;
  before(async () => {
    fx = makeFixture({
      commits: 4,
      branches: { feature: { from: 2, commits: 3 } },
      tags: [{ name: 'v1.0.0', at: 1 }, { name: 'v1.1.0', at: 'main' }, { name: 'v2.0.0-rc.1', at: 'feature' }, ...versionTags(500, { prefix: 'app/v' })],
      annotated: ['v1.1.0', 'app/v0.0.0'],
      remote: 'shallow',
    });
    gh = await startGitHub({ ...fx.state() });
  });
  after(async () => { await gh.close(); fx.cleanup(); });

  test('the API lists exactly what `git ls-remote --tags origin` does, SHAs and peeled commits included', async () => {
    const remote = new Map(fx.git('ls-remote', '--tags', 'origin').split('\n').filter(Boolean).map((l) => l.split('\t').reverse()));
    const refs = (await call(gh, '/repos/acme/app/git/matching-refs/tags/')).body;
    assert.equal(refs.length, 503);
    for (const r of refs) {
      assert.equal(r.object.sha, remote.get(r.ref), r.ref);
      assert.equal(r.object.type, remote.has(`${r.ref}^{}`) ? 'tag' : 'commit', r.ref);
    }
    const tags = [];
    for (let page = 1; ; page++) {
      const r = await call(gh, `/repos/acme/app/tags?per_page=100&page=${page}`);
      tags.push(...r.body);
      if (!parseLink(r.headers.get('link')).next) break;
    }
    assert.equal(tags.length, 503);
    for (const t of tags) assert.equal(t.commit.sha, remote.get(`refs/tags/${t.name}^{}`) ?? remote.get(`refs/tags/${t.name}`), t.name);
  });

  test('compare computes ahead/behind/diverged and the merge base from the commit graph', async () => {
    const c = async (basehead) => (await call(gh, `/repos/acme/app/compare/${basehead}`)).body;
    let r = await c('v1.0.0...main');
    assert.deepEqual([r.status, r.ahead_by, r.behind_by, r.total_commits], ['ahead', 3, 0, 3]);
    assert.deepEqual(r.commits.map((x) => x.sha), fx.shas.main.slice(1), 'oldest first');
    assert.equal(r.merge_base_commit.sha, fx.shas.main[0]);
    assert.deepEqual(r.commits[0].parents.map((p) => p.sha), [fx.shas.main[0]]);
    r = await c('main...v1.0.0');
    assert.deepEqual([r.status, r.ahead_by, r.behind_by], ['behind', 0, 3]);
    r = await c('v1.1.0...main');
    assert.deepEqual([r.status, r.ahead_by, r.behind_by, r.commits], ['identical', 0, 0, []]);
    r = await c('main...v2.0.0-rc.1');
    assert.deepEqual([r.status, r.ahead_by, r.behind_by], ['diverged', 3, 2]);
    assert.equal(r.merge_base_commit.sha, fx.shas.main[1]);
    assert.equal(r.base_commit.sha, fx.tip());
    r = await c(`${fx.shas.main[1].slice(0, 7)}...feature`);
    assert.deepEqual([r.status, r.ahead_by], ['ahead', 3]);
    assert.equal((await call(gh, '/repos/acme/app/compare/main...nope')).status, 404);
  });
});
