// `command: guard` through dist/index.js, run as the GitHub runner runs it, against real git
// repositories and a loopback server that answers as GitHub's REST API documents.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { assertFailureSummary, runAction, runCli } from './harness.mjs';
import { makeFixture, versionTags } from './git-fixtures.mjs';
import { startGitHub } from './github-server.mjs';

const cleanups = [];
after(() => cleanups.forEach((c) => c()));

function fixture(opts) {
  const fx = makeFixture(opts);
  cleanups.push(fx.cleanup);
  return fx;
}

/** Runs guard with tags from git in `fx`. */
function guardGit(fx, inputs, env = {}) {
  return runAction({ command: 'guard', 'tags-from': 'git', ...inputs }, { workspace: fx.path, env: { ...fx.env, ...env } });
}

function assertRefused(r) {
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.errors.length, 1, r.stdout);
  assert.equal(r.outputText, '');
  assertFailureSummary(r, 'guard', r.errors[0].props.title, r.errors[0].message);
  return r.errors[0];
}

describe('tags from git', () => {
  let fx;
  before(() => {
    fx = fixture({
      remote: 'origin',
      tags: ['v1.0.0', 'v1.1.0', 'v1.2.0-rc.1', 'v1.2.0', 'v1.2.1+build.5', 'release-2024', 'vfoo', 'app/v9.0.0'],
      annotated: ['v1.1.0', 'v1.2.0'],
    });
  });

  test('accepts the next minor and writes every output', () => {
    const r = guardGit(fx, { tag: 'v1.3.0' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.outputs, { version: '1.3.0', 'previous-version': '1.2.1+build.5', bump: 'minor', prerelease: 'false' });
    assert.match(r.summary, /\| Decision \| <code>release allowed<\/code> \|/);
    // v1.2.0-rc.1 is no previous version under `prerelease: deny`.
    assert.match(r.summary, /\| Tags considered \| <code>4 \(git ls-remote origin\)<\/code> \|/);
    assert.match(r.summary, /1 prerelease version did not count/);
    assert.match(r.summary, /1 tags with the prefix are not valid versions and were ignored, e\.g\. vfoo/);
  });

  const cases = [
    ['an older tag', 'v1.1.5', 'v1.1.5 may not be released: it is not higher than v1.2.1+build.5, the highest existing version; the next valid tags are v1.2.2, v1.3.0 or v2.0.0'],
    ['a duplicate by build metadata', 'v1.2.1', 'v1.2.1 may not be released: v1.2.1+build.5 already exists, and build metadata does not count when comparing versions; the next valid tags are v1.2.2, v1.3.0 or v2.0.0'],
    ['a prerelease under prerelease: deny', 'v1.3.0-rc.1', 'v1.3.0-rc.1 may not be released: it is a prerelease, and prereleases are not allowed; the next valid tags are v1.2.2, v1.3.0 or v2.0.0'],
  ];
  for (const [name, tag, message] of cases) {
    test(`refuses ${name}, naming the blocker and the next valid tags`, () => {
      const e = assertRefused(guardGit(fx, { tag }));
      assert.equal(e.props.title, 'release refused');
      assert.equal(e.message, message);
    });
  }

  const malformed = [
    ['v1.2', 'tag "v1.2": '],
    ['vv1.2.3', 'tag "vv1.2.3": '],
    ['1.2.3', 'tag "1.2.3" does not start with the prefix "v"'],
    ['v1.02.3', 'tag "v1.02.3": the minor version has a leading zero'],
  ];
  for (const [tag, start] of malformed) {
    test(`refuses the malformed tag ${JSON.stringify(tag)}`, () => {
      const e = assertRefused(guardGit(fx, { tag }));
      assert.equal(e.props.title, 'invalid version');
      assert.ok(e.message.startsWith(start), e.message);
      assert.ok(e.message.endsWith('; a release tag is the prefix and a SemVer 2.0.0 version, such as v1.2.3 or v2.0.0-rc.1'), e.message);
    });
  }

  test('allows a prerelease with prerelease: allow, and says so', () => {
    const r = guardGit(fx, { tag: 'v1.3.0-rc.1', prerelease: 'allow' });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs.bump, 'minor');
    assert.equal(r.outputs.prerelease, 'true');
  });

  test('a backport to an existing line needs backports: allow', () => {
    assertRefused(guardGit(fx, { tag: 'v1.1.1' }));
    const r = guardGit(fx, { tag: 'v1.1.1', backports: 'allow' });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs.bump, 'backport');
  });

  test('the tag under test is left out by name: on a tag push it exists already', () => {
    const r = guardGit(fx, {}, { GITHUB_REF: 'refs/tags/v1.2.1+build.5' });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs['previous-version'], '1.2.0');
    assert.equal(r.outputs.bump, 'patch');
  });

  test('an existing tag named explicitly, not pushed, is its own duplicate', () => {
    const e = assertRefused(guardGit(fx, { tag: 'v1.2.0' }));
    assert.match(e.message, /^v1\.2\.0 may not be released: v1\.2\.0 already exists/);
  });

  test('a literal prefix selects a monorepo component', () => {
    const r = guardGit(fx, { tag: 'app/v9.0.1', 'tag-prefix': 'app/v' });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs['previous-version'], '9.0.0');
    const e = assertRefused(guardGit(fx, { tag: 'app/v8.0.0', 'tag-prefix': 'app/v' }));
    assert.match(e.message, /it is not higher than app\/v9\.0\.0/);
  });

  test('an empty prefix means none', () => {
    const r = guardGit(fx, { tag: '0.1.0', 'tag-prefix': '' });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs.bump, 'initial');
  });
});

describe('git layouts', () => {
  test('10,000 tags in a shallow clone without local tags: ls-remote still sees them all', () => {
    const fx = fixture({ remote: 'shallow', tags: versionTags(10000) });
    assert.equal(fx.git('tag', '--list'), '');
    const last = versionTags(10000).at(-1);
    const r = guardGit(fx, {}, { GITHUB_REF: `refs/tags/${last}` });
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.summary, /Tags considered \| <code>9999 \(git ls-remote origin\)/);
    const e = assertRefused(guardGit(fx, { tag: 'v0.0.5' }));
    assert.match(e.message, /^v0\.0\.5 may not be released: v0\.0\.5 already exists/);
    const older = assertRefused(guardGit(fx, { tag: 'v0.0.4+x' }));
    assert.match(older.message, /v0\.0\.4 already exists, and build metadata does not count/);
  });

  test('a repository without a remote uses git tag', () => {
    const fx = fixture({ remote: 'none', tags: ['v2.0.0'] });
    const r = guardGit(fx, { tag: 'v3.0.0' });
    assert.equal(r.outputs.bump, 'major');
    assert.match(r.summary, /\(git tag\)/);
  });

  test('a workspace that is not a repository says to check it out', () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'not-a-repo-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const r = runAction({ command: 'guard', 'tags-from': 'git', tag: 'v1.0.0' }, { workspace: dir });
    const e = assertRefused(r);
    assert.equal(e.props.title, 'git error');
    assert.match(e.message, /^git remote failed: \/tmp\/not-a-repo-\w+ is not a git checkout \(it has no \.git\); check out the repository first \(actions\/checkout\), or use `tags-from: api`$/);
  });

  test('branch: a tag on an unmerged branch cannot release', () => {
    const merged = fixture({ remote: 'origin', commits: 2, tags: [{ name: 'v1.0.0', at: 1 }, { name: 'v1.1.0', at: 'main' }] });
    const ok = guardGit(merged, { branch: 'main' }, { GITHUB_REF: 'refs/tags/v1.1.0' });
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.summary, /On branch \| <code>main<\/code>/);
    const unmerged = fixture({
      remote: 'origin',
      commits: 2,
      branches: { feature: { from: 2, commits: 1 } },
      tags: [{ name: 'v1.0.0', at: 'main' }, { name: 'v2.0.0', at: 'feature' }],
    });
    const e = assertRefused(guardGit(unmerged, { branch: 'main' }, { GITHUB_REF: 'refs/tags/v2.0.0' }));
    assert.equal(e.message, 'v2.0.0 may not be released: it is not on branch main; tag a commit that is merged into main');
  });
});

describe('a moving major tag (v1), as this action publishes its own', () => {
  // After the release of v1.2.3 the release workflow moves v1 to it: v1 is an alias, neither a
  // release (it does not block v1.2.4) nor a malformed tag (no note in the summary).
  const tags = ['v1.2.2', 'v1.2.3', 'v1', 'v0'];

  test('through git: v1.2.4 follows v1.2.3, and v1 is not listed as malformed', () => {
    const fx = fixture({ remote: 'origin', tags });
    const r = guardGit(fx, {}, { GITHUB_REF: 'refs/tags/v1.2.4', RUNNER_DEBUG: '1' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.outputs, { version: '1.2.4', 'previous-version': '1.2.3', bump: 'patch', prerelease: 'false' });
    assert.match(r.summary, /Tags considered \| <code>2 \(git ls-remote origin\)<\/code>/);
    assert.doesNotMatch(r.summary, /not valid versions/);
    assert.match(r.stdout, /::debug::4 tags from git ls-remote origin; 2 with prefix "v" count, 0 prereleases do not, 0 with the prefix do not parse/);
    // A tag that is not higher is still refused by the release, not by the alias.
    const e = assertRefused(guardGit(fx, { tag: 'v1.2.3' }));
    assert.match(e.message, /^v1\.2\.3 may not be released: v1\.2\.3 already exists/);
  });

  test('through the API: the same', async () => {
    const gh = await startGitHub({ tags });
    try {
      const r = runAction({ command: 'guard', token: gh.token, tag: 'v1.3.0' }, { env: gh.env });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.outputs['previous-version'], '1.2.3');
      assert.equal(r.outputs.bump, 'minor');
      assert.doesNotMatch(r.summary, /not valid versions/);
    } finally {
      await gh.close();
    }
  });

  test('v1 itself is no release tag', () => {
    const fx = fixture({ remote: 'origin', tags });
    const e = assertRefused(guardGit(fx, {}, { GITHUB_REF: 'refs/tags/v1' }));
    assert.equal(e.props.title, 'invalid version');
  });
});

describe('tags from the GitHub API', () => {
  let gh;
  before(async () => {
    gh = await startGitHub({ tags: [...versionTags(10000), 'app/v1.0.0', 'nightly'] });
  });
  after(async () => gh.close());

  function guardApi(inputs, env = {}) {
    gh.clearRequests();
    return runAction({ command: 'guard', token: gh.token, ...inputs }, { env: { ...gh.env, ...env } });
  }

  test('10,000 tags in one request, with the token as a bearer token, never printed', () => {
    const r = guardApi({ tag: 'v9.0.0' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.outputs['previous-version'], versionTags(10000).at(-1).slice(1));
    assert.equal(gh.requests.length, 1);
    const req = gh.requests[0];
    assert.equal(req.path, '/repos/acme/app/git/matching-refs/tags/v');
    assert.equal(req.headers.authorization, `Bearer ${gh.token}`);
    assert.equal(req.headers.accept, 'application/vnd.github+json');
    assert.match(r.summary, /Tags considered \| <code>10000 \(GitHub API, 1 request\)<\/code>/);
    assert.equal(r.stdout.split('\n')[0], `::add-mask::${gh.token}`);
    assert.equal(r.stdout.split(gh.token).length, 2, 'the token appears only in its mask line');
    assert.ok(!r.summary.includes(gh.token));
  });

  test('the default source is the API when a token is set', () => {
    const r = guardApi({ tag: 'v9.0.0' });
    assert.equal(r.code, 0);
    assert.equal(gh.requests.length, 1);
  });

  test('when matching-refs fails, the paginated /tags answers (100 a page)', () => {
    gh.setError('matching-refs', 'server-error');
    try {
      const r = guardApi({ tag: 'v9.0.0' });
      assert.equal(r.code, 0, r.stdout);
      assert.equal(gh.requests.filter((q) => q.route === 'tags').length, 101);
      assert.match(r.summary, /\(GitHub API, 102 requests\)/);
    } finally {
      gh.clearErrors();
    }
  });

  const failures = [
    ['bad-credentials', 'cannot list the repository\'s tags: GitHub answered 401 "Bad credentials"; the token is invalid or expired: pass `token: ${{ github.token }}` or a valid token'],
    ['not-found', 'cannot list the repository\'s tags: GitHub answered 404 "Not Found"; acme/app does not exist, or the token cannot see it (it needs `contents: read`)'],
    ['forbidden', 'cannot list the repository\'s tags: GitHub answered 403 "Resource not accessible by integration"; the token lacks a permission on acme/app: grant `contents: read` in the workflow\'s `permissions`'],
  ];
  for (const [mode, message] of failures) {
    test(`a ${mode} answer is one clear error`, () => {
      gh.setError('*', mode);
      try {
        const e = assertRefused(guardApi({ tag: 'v9.0.0' }));
        assert.equal(e.props.title, 'GitHub API error');
        assert.equal(e.message, message);
      } finally {
        gh.clearErrors();
      }
    });
  }

  test('rate limiting says when the limit resets', () => {
    gh.setError('*', { status: 403, body: { message: 'API rate limit exceeded for installation ID 1.' }, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1798761599' } });
    try {
      const e = assertRefused(guardApi({ tag: 'v9.0.0' }));
      assert.equal(e.message, "cannot list the repository's tags: the GitHub API rate limit is used up until 2026-12-31 23:59:59 UTC; wait, use a token with a higher limit, or use `tags-from: git`");
    } finally {
      gh.clearErrors();
    }
  });

  test('GITHUB_API_URL with a path (GitHub Enterprise) is honoured', async () => {
    const ghe = await startGitHub({ pathPrefix: '/api/v3', tags: ['v1.0.0'] });
    try {
      const r = runAction({ command: 'guard', token: ghe.token, tag: 'v1.0.1' }, { env: ghe.env });
      assert.equal(r.code, 0, r.stdout);
      assert.equal(ghe.requests[0].path, '/api/v3/repos/acme/app/git/matching-refs/tags/v');
    } finally {
      await ghe.close();
    }
  });
});

describe('branch, through the API', () => {
  test('compare tells a merged tag from an unmerged one', async () => {
    const fx = fixture({
      remote: 'origin',
      commits: 2,
      branches: { feature: { from: 2, commits: 1 } },
      tags: [{ name: 'v1.0.0', at: 1 }, { name: 'v1.1.0', at: 'main' }, { name: 'v2.0.0', at: 'feature' }],
    });
    const gh = await startGitHub(fx.state());
    try {
      const run = (tag, existing) => {
        gh.setTags(existing);
        return runAction({ command: 'guard', token: gh.token, branch: 'main' }, { env: { ...gh.env, GITHUB_REF: `refs/tags/${tag}` } });
      };
      const state = fx.state();
      const only = (names) => state.tags.filter((t) => names.includes(t.name));
      const ok = run('v1.1.0', only(['v1.0.0', 'v1.1.0']));
      assert.equal(ok.code, 0, ok.stdout);
      assert.ok(gh.requests.some((q) => q.route === 'compare' && q.path.endsWith('/compare/main...v1.1.0')));
      const e = assertRefused(run('v2.0.0', only(['v1.0.0', 'v2.0.0'])));
      assert.equal(e.message, 'v2.0.0 may not be released: it is not on branch main; tag a commit that is merged into main');
      // v2.0.0 exists on the unmerged branch: one compare shows it is not on main, so it does not block.
      gh.clearRequests();
      const passed = run('v1.1.0', only(['v1.0.0', 'v1.1.0', 'v2.0.0']));
      assert.equal(passed.code, 0, passed.stdout);
      assert.equal(passed.outputs['previous-version'], '1.0.0');
      assert.match(passed.summary, /1 tag not on branch main did not count: v2\.0\.0/);
      assert.deepEqual(gh.requests.filter((q) => q.route === 'compare').map((q) => q.path.split('/compare/')[1]), ['main...v1.1.0', 'main...v2.0.0']);
    } finally {
      await gh.close();
    }
  });
});

describe('pull-request mode: version-file', () => {
  let fx;
  before(() => {
    fx = fixture({ remote: 'origin', tags: ['v1.4.0'] });
    const write = (name, text) => fs.writeFileSync(path.join(fx.path, name), text);
    write('Cargo.toml', '[package]\nname = "app"\nversion = "1.5.0"\nedition = "2021"\n');
    write('package.json', '{\n  "name": "app",\n  "version": "1.3.9"\n}\n');
    write('VERSION', '1.4.0\n');
    fs.mkdirSync(path.join(fx.path, 'charts/app'), { recursive: true });
    write('charts/app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 1.02.0\nappVersion: "1.4.0"\n');
  });

  test('a higher version in Cargo.toml passes', () => {
    const r = guardGit(fx, { 'version-file': 'Cargo.toml' });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs.version, '1.5.0');
  });

  test('a lower version points at the file and line', () => {
    const e = assertRefused(guardGit(fx, { 'version-file': 'package.json' }));
    assert.deepEqual([e.props.file, e.props.line], ['package.json', '3']);
    assert.match(e.message, /^v1\.3\.9 may not be released: it is not higher than v1\.4\.0/);
  });

  test('a duplicate in VERSION is refused', () => {
    const e = assertRefused(guardGit(fx, { 'version-file': 'VERSION' }));
    assert.deepEqual([e.props.file, e.props.line], ['VERSION', '1']);
    assert.match(e.message, /v1\.4\.0 already exists/);
  });

  test('a malformed version in Chart.yaml is named on its line', () => {
    const e = assertRefused(guardGit(fx, { 'version-file': 'charts/app/Chart.yaml' }));
    assert.deepEqual([e.props.file, e.props.line], ['charts/app/Chart.yaml', '3']);
    assert.match(e.message, /leading zero/);
  });

  test('a version file that is not there says which file cannot be read', () => {
    const e = assertRefused(guardGit(fx, { 'version-file': 'nope/Cargo.toml' }));
    assert.equal(e.props.title, 'cannot read file');
    assert.equal(e.message, 'cannot read nope/Cargo.toml: there is no such file; check input `version-file` (a relative path starts at the workspace)');
  });

  test('tag and version-file together are an input error', () => {
    const e = assertRefused(guardGit(fx, { tag: 'v1.0.0', 'version-file': 'VERSION' }));
    assert.equal(e.message, 'input `version-file`: give either `tag` (a release) or `version-file` (a pull request\'s proposed version), not both');
  });
});

describe('inputs', () => {
  test('without a tag, a tag push or a version file, says what to set', () => {
    const r = runCli(['guard', '--tags-from', 'git']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: input `tag`: is required: run on a tag push (GITHUB_REF=refs/tags/…), set `tag`, or set `version-file` in a pull request\n');
  });

  test('allow/deny and api/git are checked', () => {
    const r = runAction({ command: 'guard', tag: 'v1.0.0', prerelease: 'yes', 'tags-from': 'svn' });
    const e = assertRefused(r);
    assert.equal(e.message, 'input `prerelease`: "yes" is neither allow nor deny\ninput `tags-from`: "svn" is neither api nor git');
  });

  test('api without GITHUB_REPOSITORY is an input error', () => {
    const e = assertRefused(runAction({ command: 'guard', tag: 'v1.0.0', token: 'x' }, { env: { GITHUB_REPOSITORY: undefined } }));
    assert.equal(e.message, 'input `tags-from`: api needs GITHUB_REPOSITORY as owner/name (it is ""); set it, or use `tags-from: git`');
  });
});

describe('only released versions block', () => {
  test('a refused prerelease and the moving v1 / v1.0 aliases neither block nor count as malformed', () => {
    const fx = fixture({ remote: 'origin', tags: ['v1.0.0', 'v1.1.0-rc.1', 'v1', 'v1.0'] });
    const r = guardGit(fx, { tag: 'v1.0.1' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.outputs, { version: '1.0.1', 'previous-version': '1.0.0', bump: 'patch', prerelease: 'false' });
    assert.match(r.summary, /1 prerelease version did not count: under \\`prerelease: deny\\` a prerelease is not a release/);
    assert.doesNotMatch(r.summary, /not valid versions/);
    // Under `prerelease: allow` the rc is a previous version, and blocks.
    const e = assertRefused(guardGit(fx, { tag: 'v1.0.1', prerelease: 'allow' }));
    assert.match(e.message, /^v1\.0\.1 may not be released: it is not higher than v1\.1\.0-rc\.1/);
    // An alias is never a release itself.
    assert.equal(assertRefused(guardGit(fx, { tag: 'v1.0' })).props.title, 'invalid version');
  });

  test('with branch, a tag on an unmerged branch does not block', () => {
    const fx = fixture({
      remote: 'origin',
      commits: 2,
      branches: { feature: { from: 1, commits: 1 } },
      tags: [{ name: 'v1.0.0', at: 1 }, { name: 'v2.0.0', at: 'feature' }, { name: 'v1.1.0', at: 'main' }],
    });
    const blocked = assertRefused(guardGit(fx, {}, { GITHUB_REF: 'refs/tags/v1.1.0' }));
    assert.match(blocked.message, /not higher than v2\.0\.0/);
    const r = guardGit(fx, { branch: 'main' }, { GITHUB_REF: 'refs/tags/v1.1.0' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.outputs['previous-version'], '1.0.0');
    assert.match(r.summary, /1 tag not on branch main did not count: v2\.0\.0/);
  });
});

describe('branch in the shallow, tag-only checkout of a tag push', () => {
  /** What actions/checkout leaves on a tag push: the tag's commit at depth 1, no branches. */
  function tagCheckout(tag, opts) {
    const fx = fixture({ remote: 'shallow', ...opts });
    fx.git('fetch', '-q', '--depth=1', '--no-tags', 'origin', `+refs/tags/${tag}:refs/tags/${tag}`);
    fx.git('checkout', '-q', '--detach', `refs/tags/${tag}`);
    fx.git('update-ref', '-d', 'refs/remotes/origin/main');
    fx.git('branch', '-q', '-D', 'main');
    assert.equal(fx.git('rev-parse', '--is-shallow-repository').trim(), 'true');
    return fx;
  }
  const opts = {
    commits: 120,
    branches: { feature: { from: 100, commits: 2 } },
    tags: [{ name: 'v1.0.0', at: 1 }, { name: 'v2.0.0', at: 'feature' }, { name: 'v1.1.0', at: 110 }, { name: 'v1.2.0', at: 'feature' }],
  };

  test('fetches main as deep as needed, and an unmerged tag cannot block', () => {
    const fx = tagCheckout('v1.1.0', opts);
    const r = guardGit(fx, { branch: 'main' }, { GITHUB_REF: 'refs/tags/v1.1.0', GITHUB_SHA: fx.shas.main[109] });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.outputs['previous-version'], '1.0.0');
    // In the order of the listing (git ls-remote sorts by ref name).
    assert.match(r.summary, /2 tags not on branch main did not count: v1\.2\.0, v2\.0\.0(?![\w.])/);
    assert.doesNotMatch(r.stdout + r.stderr, /fetch-depth/);
    // Only main was fetched, and no tags.
    assert.equal(fx.git('tag', '--list').trim(), 'v1.1.0');
    assert.equal(fx.git('rev-parse', 'refs/remotes/origin/main').trim(), fx.tip('main'));
  });

  test('a tag on an unmerged branch is refused after the whole of main was searched', () => {
    const fx = tagCheckout('v1.2.0', opts);
    const e = assertRefused(guardGit(fx, { branch: 'main' }, { GITHUB_REF: 'refs/tags/v1.2.0' }));
    assert.equal(e.message, 'v1.2.0 may not be released: it is not on branch main; tag a commit that is merged into main');
    assert.equal(fx.git('rev-parse', '--is-shallow-repository').trim(), 'false');
  });

  test('a branch origin does not have says so', () => {
    const fx = tagCheckout('v1.1.0', opts);
    const e = assertRefused(guardGit(fx, { branch: 'trunk' }, { GITHUB_REF: 'refs/tags/v1.1.0' }));
    assert.equal(e.props.title, 'git error');
    assert.match(e.message, /^git fetch .* origin \+refs\/heads\/trunk:refs\/remotes\/origin\/trunk failed: .*; check that origin has branch "trunk"/);
  });
});

describe('versions-from: deployments', () => {
  let gh;
  let ws;
  before(async () => {
    gh = await startGitHub({ tags: ['v1.0.0', 'v1.1.0-rc.1', 'v1.2.0'] });
    ws = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'guard-ws-'));
    cleanups.push(() => fs.rmSync(ws, { recursive: true, force: true }));
    const post = (body) => fetch(`${gh.url}/repos/acme/app/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gh.token}`, 'content-type': 'application/json', 'x-github-api-version': '2022-11-28' },
      body: JSON.stringify({ auto_merge: false, required_contexts: [], ...body }),
    }).then((res) => assert.equal(res.status, 201));
    const sha = 'a'.repeat(40);
    // prod ran v0.9.0 (an image tagged with the version), then v1.0.0 (SHA-tagged, its release in the payload);
    // v1.2.0 was tagged but refused, so never deployed; qa ran an image without a version.
    await post({ ref: 'v1.0.0', environment: 'prod', payload: { image: 'r/app:0.9.0', tag: '0.9.0', release: null } });
    await post({ ref: 'v1.0.0', environment: 'prod', payload: { image: `r/app:${sha}`, tag: sha, release: 'v1.0.0' } });
    await post({ ref: 'v1.0.0', environment: 'qa', payload: { image: 'r/app:3.0.0', tag: '3.0.0' } });
  });
  after(() => gh.close());

  const run = (inputs, env = {}) => runAction(
    { command: 'guard', token: gh.token, 'versions-from': 'deployments', ...inputs },
    { workspace: ws, env: { ...gh.env, ...env } },
  );

  test('compares with what prod ran, so a refused tag never counts', () => {
    const r = run({ tag: 'v1.0.1' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.outputs, { version: '1.0.1', 'previous-version': '1.0.0', bump: 'patch', prerelease: 'false' });
    assert.match(r.summary, /\| Compared with \| <code>deployments to prod<\/code> \|/);
    assert.ok(gh.requests.some((q) => q.route === 'list-deployments' && q.query.environment === 'prod'));
    // The same tag against the tags is refused: v1.2.0 exists.
    assert.match(assertRefused(run({ tag: 'v1.0.1', 'versions-from': 'tags' })).message, /not higher than v1\.2\.0/);
  });

  test('a version prod ran is a duplicate; environment picks another environment', () => {
    assert.match(assertRefused(run({ tag: 'v1.0.0' })).message, /^v1\.0\.0 may not be released: v1\.0\.0 already exists/);
    assert.match(assertRefused(run({ tag: 'v2.0.0', environment: 'qa' })).message, /not higher than v3\.0\.0/);
  });

  test('the default environment is the last stage of the stages file', () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'guard-stages-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.mkdirSync(path.join(dir, '.github'));
    fs.writeFileSync(path.join(dir, '.github/stages.yml'), 'stages:\n  dev:\n    state: dev.tfstate\n    address: output.image\n  qa:\n    state: qa.tfstate\n    address: output.image\n    from: dev\n');
    const r = runAction({ command: 'guard', token: gh.token, 'versions-from': 'deployments', tag: 'v2.0.0' }, { workspace: dir, env: gh.env });
    assert.match(assertRefused(r).message, /not higher than v3\.0\.0/);
  });

  test('the default environment is the last stage in promotion order, even when the file lists it first', () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'guard-stages-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.mkdirSync(path.join(dir, '.github'));
    // qa first, dev last: the file's last stage is dev, but images end up in qa.
    fs.writeFileSync(path.join(dir, '.github/stages.yml'), 'stages:\n  qa:\n    state: qa.tfstate\n    address: output.image\n    from: dev\n  dev:\n    state: dev.tfstate\n    address: output.image\n');
    const before = gh.requests.length;
    const r = runAction({ command: 'guard', token: gh.token, 'versions-from': 'deployments', tag: 'v2.0.0' }, { workspace: dir, env: gh.env });
    assert.match(assertRefused(r).message, /not higher than v3\.0\.0/);
    const listed = gh.requests.slice(before).filter((q) => q.route === 'list-deployments').map((q) => q.query.environment);
    assert.deepEqual([...new Set(listed)], ['qa']);
  });

  test('without a token says it needs one', () => {
    const e = assertRefused(runAction({ command: 'guard', 'tags-from': 'git', 'versions-from': 'deployments', tag: 'v1.0.1', token: '' }, { workspace: ws, env: gh.env }));
    assert.match(e.message, /^input `token`: is required by `versions-from: deployments`/);
  });
});
