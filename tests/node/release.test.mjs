// The project's own release: CHANGELOG.md's sections read the way publish.yml extracts notes
// (scripts/release-notes.sh), the publish and major-tag steps of publish.yml run against a fake
// `gh` and a local bare repository, and the files users and the Marketplace expect are there.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { root } from './harness.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-action-release-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const script = path.join(root, 'scripts', 'release-notes.sh');
function notes(version, changelog) {
  const args = changelog === undefined ? [script, version] : [script, version, changelog];
  return spawnSync('bash', args, { encoding: 'utf8' });
}

test("every section of CHANGELOG.md is Keep a Changelog's and yields its notes", () => {
  const text = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
  assert.match(text, /^# Changelog\n/);
  assert.match(text, /keepachangelog\.com/);
  const headings = [...text.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
  assert.equal(headings[0], '[Unreleased]', 'Unreleased comes first');
  const versions = headings.slice(1).map((h) => {
    const m = h.match(/^\[(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\] - \d{4}-\d{2}-\d{2}$/);
    assert.ok(m, `"## ${h}" is "## [X.Y.Z] - YYYY-MM-DD"`);
    return m[1];
  });
  for (const v of ['Unreleased', ...versions]) {
    const r = notes(v);
    assert.equal(r.status, 0, `${v}: ${r.stderr}`);
    const body = text.split(new RegExp(`^## \\[${v.replace(/\./g, '\\.')}\\].*$`, 'm'))[1].split(/^## /m)[0].trim();
    assert.equal(r.stdout, `${body.replace(/\n\[[^\]]+\]: .*/gs, '').trim()}\n`, v);
    assert.match(r.stdout, /^### (Added|Changed|Deprecated|Removed|Fixed|Security)$/m, `${v} has a Keep a Changelog subsection`);
  }
});

test('release-notes.sh takes exactly the version asked for, with or without its v', () => {
  const changelog = path.join(tmp, 'CHANGELOG.md');
  fs.writeFileSync(changelog, [
    '# Changelog', '', '## [Unreleased]', '', '## [1.2.30] - 2026-12-03', '', '- thirty', '',
    '## [1.2.3] - 2026-12-02', '', '### Fixed', '', '- three', '  continued', '', '', '## [1.2.3-rc.1] - 2026-12-01', '',
    '- rc one', '', '## 1.0.0', '- bare heading', '## [0.9.0] - 2026-01-01', '',
    '[1.2.3]: https://github.com/acme/stage-action/compare/v1.2.3-rc.1...v1.2.3', '[0.9.0]: https://example.com', '',
  ].join('\n'));
  assert.equal(notes('1.2.3', changelog).stdout, '### Fixed\n\n- three\n  continued\n');
  assert.equal(notes('v1.2.3', changelog).stdout, '### Fixed\n\n- three\n  continued\n');
  assert.equal(notes('1.2.30', changelog).stdout, '- thirty\n');
  assert.equal(notes('1.2.3-rc.1', changelog).stdout, '- rc one\n');
  assert.equal(notes('1.0.0', changelog).stdout, '- bare heading\n');
  for (const [v, why] of [['1.2.4', 'missing'], ['Unreleased', 'empty'], ['0.9.0', 'empty before the links'], ['1.2', 'a prefix of a version']]) {
    const r = notes(v, changelog);
    assert.equal(r.status, 1, `${v} (${why}): ${r.stdout}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`has no notes for ${v.replace(/\./g, '\\.')}: add a '## \\[${v.replace(/\./g, '\\.')}\\] - YYYY-MM-DD' section`));
  }
});

/** The `run:` of publish.yml's step whose script matches `re`, with the job it is in. */
function releaseStep(re) {
  const rel = parse(fs.readFileSync(path.join(root, '.github/workflows/publish.yml'), 'utf8'));
  for (const job of Object.values(rel.jobs)) for (const step of job.steps) if (re.test(step.run ?? '')) return step;
  throw new Error(`publish.yml has no step matching ${re}`);
}

function git(cwd, ...args) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: tmp, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A checkout of a bare "origin" with v1.0.0 and v1 on the first commit, v1.1.0 (annotated) on the second. */
function releasedRepo(name) {
  const origin = path.join(tmp, `${name}-origin.git`);
  const work = path.join(tmp, name);
  git(tmp, 'init', '-q', '--bare', '-b', 'main', origin);
  git(tmp, 'clone', '-q', origin, work);
  git(work, 'commit', '-q', '--allow-empty', '-m', 'one');
  git(work, 'tag', 'v1.0.0');
  git(work, 'tag', 'v1');
  git(work, 'commit', '-q', '--allow-empty', '-m', 'two');
  git(work, 'tag', '-a', '-m', 'v1.1.0', 'v1.1.0');
  git(work, 'tag', '-a', '-m', 'rc', 'v1.2.0-rc.1');
  git(work, 'push', '-q', 'origin', 'main', '--tags');
  return { origin, work, first: git(work, 'rev-parse', 'v1.0.0^{commit}'), second: git(work, 'rev-parse', 'HEAD') };
}

function runStep(step, cwd, env) {
  return spawnSync('bash', ['-eo', 'pipefail', '-c', step.run], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, HOME: tmp, GIT_CONFIG_NOSYSTEM: '1', RUNNER_TEMP: tmp, GITHUB_SERVER_URL: 'https://github.com', GH_TOKEN: 'ghs_notarealtoken0000', ...env },
  });
}

test("publish.yml's publish step: the version's notes, --prerelease only for a prerelease", () => {
  const step = releaseStep(/gh release create/);
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const log = path.join(tmp, 'gh.log');
  // A `gh` that records its arguments and the notes file it was given.
  fs.writeFileSync(path.join(bin, 'gh'), `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> ${JSON.stringify(log)}\nwhile [ $# -gt 0 ]; do [ "$1" = --notes-file ] && cat "$2" >> ${JSON.stringify(log)}; shift; done\n`, { mode: 0o755 });
  const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
  const repo = path.join(tmp, 'publish');
  fs.mkdirSync(path.join(repo, 'scripts'), { recursive: true });
  fs.copyFileSync(script, path.join(repo, 'scripts', 'release-notes.sh'));
  // The real changelog, its Unreleased notes released as 1.1.0 and a candidate above them.
  fs.writeFileSync(path.join(repo, 'CHANGELOG.md'), changelog.replace('## [Unreleased]', '## [Unreleased]\n\n## [1.2.0-rc.1] - 2026-12-02\n\n### Added\n\n- a candidate\n\n## [1.1.0] - 2026-12-01'));
  const released = notes('1.1.0', path.join(repo, 'CHANGELOG.md')).stdout;
  assert.match(released, /^### Added\n\n- `command: lookup`/);
  const env = { PATH: `${bin}:${process.env.PATH}`, GH_REPO: 'acme/stage-action' };

  let r = runStep(step, repo, { ...env, TAG: 'v1.1.0', VERSION: '1.1.0', PRERELEASE: 'false' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.readFileSync(log, 'utf8'), `release create v1.1.0 --verify-tag --title v1.1.0 --notes-file ${tmp}/notes.md\n${released}`);
  fs.rmSync(log);
  r = runStep(step, repo, { ...env, TAG: 'v1.2.0-rc.1', VERSION: '1.2.0-rc.1', PRERELEASE: 'true' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.readFileSync(log, 'utf8'), `release create v1.2.0-rc.1 --verify-tag --title v1.2.0-rc.1 --notes-file ${tmp}/notes.md --prerelease\n### Added\n\n- a candidate\n`);
  fs.rmSync(log);
  r = runStep(step, repo, { ...env, TAG: 'v1.3.0', VERSION: '1.3.0', PRERELEASE: 'false' });
  assert.equal(r.status, 1, 'no notes, no release');
  assert.ok(!fs.existsSync(log), 'gh was not called');
});

test("publish.yml's major-tag step moves v1 to the release's commit, and pushes nothing else", () => {
  const step = releaseStep(/git push --force/);
  const { origin, work, first, second } = releasedRepo('move');
  assert.equal(git(origin, 'rev-parse', 'v1'), first);
  const before = git(origin, 'for-each-ref', '--format=%(refname) %(objectname)');
  const r = runStep(step, work, { TAG: 'v1.1.0', VERSION: '1.1.0' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').at(-1), `v1 now points at v1.1.0 (${second})`);
  assert.ok(!(r.stdout + r.stderr).includes('ghs_notarealtoken0000'), 'the token is printed nowhere');
  // A lightweight v1 on the commit itself, not on the annotated tag's object.
  assert.equal(git(origin, 'rev-parse', 'refs/tags/v1'), second);
  const after = git(origin, 'for-each-ref', '--format=%(refname) %(objectname)');
  assert.deepEqual(after.split('\n').filter((l) => !l.startsWith('refs/tags/v1 ')), before.split('\n').filter((l) => !l.startsWith('refs/tags/v1 ')));
  // Nothing about the token stays in the checkout's configuration.
  assert.doesNotMatch(fs.readFileSync(path.join(work, '.git', 'config'), 'utf8'), /extraheader|AUTHORIZATION/i);
});

test('LICENSE, SECURITY.md, dependabot (the project, its composites and the shop example) and action.yml author are there', () => {
  const license = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');
  assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} stage-action contributors\n/);
  assert.equal(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).license, 'MIT');
  const security = fs.readFileSync(path.join(root, 'SECURITY.md'), 'utf8');
  for (const h of ['## Reporting a vulnerability', '## Supported versions', '## In scope']) assert.ok(security.includes(h), h);
  for (const topic of [/mask/i, /hostile state files/i, /tags/i]) assert.match(security, topic);
  const action = parse(fs.readFileSync(path.join(root, 'action.yml'), 'utf8'));
  assert.ok(action.author && action.author !== action.name, `author: ${action.author}`);
  const dependabot = parse(fs.readFileSync(path.join(root, '.github/dependabot.yml'), 'utf8'));
  assert.deepEqual(dependabot.updates.map((u) => u['package-ecosystem']), ['github-actions', 'npm', 'cargo', 'pip', 'docker', 'terraform']);
  assert.deepEqual(dependabot.updates[0].directories, ['/', '/.github/actions/*'], 'the composites pin actions too');
  for (const u of dependabot.updates) {
    assert.equal(u.schedule.interval, 'weekly');
    assert.ok(u.cooldown['default-days'] >= 7, `${u['package-ecosystem']}: a week's cooldown`);
    assert.deepEqual(Object.values(u.groups).map((g) => g['update-types']), [['minor', 'patch']]);
  }
});
