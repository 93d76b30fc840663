// The scripts of the reusable workflows' composite actions (.github/actions/*/*.sh), run as the
// runner runs them (bash, with GITHUB_ENV and RUNNER_TEMP), against hostile input. The whole path
// runs under act in pipeline.test.mjs; these pin down each script's refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root, tempDir, parseOutputFile, parseCommands } from './harness.mjs';
import { terraformSkip } from './terraform-cli.mjs';

const actions = path.join(root, '.github/actions');

/** Runs a composite's script with a fresh GITHUB_ENV and RUNNER_TEMP. */
function run(script, env = {}, { cwd } = {}) {
  const dir = tempDir('stage-action-scripts-');
  const githubEnv = path.join(dir, 'github_env');
  fs.writeFileSync(githubEnv, '');
  const temp = path.join(dir, 'temp');
  fs.mkdirSync(temp);
  const log = path.join(dir, 'calls.jsonl');
  const r = spawnSync('bash', [path.join(actions, script)], {
    encoding: 'utf8', cwd: cwd ?? dir,
    env: {
      PATH: `${path.join(root, 'tests/e2e/bin')}:${process.env.PATH}`, HOME: dir, GITHUB_ENV: githubEnv, RUNNER_TEMP: temp, E2E_LOG: log,
      GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/app', ...env,
    },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  const result = { code: r.status, out: r.stdout + r.stderr, githubEnv: fs.readFileSync(githubEnv, 'utf8'), temp, calls };
  return { ...result, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('backend-env: NAME=value lines of backend variables are exported, each value masked first; comments and blank lines skipped', () => {
  const r = run('prepare/backend-env.sh', {
    STAGE_ACTION_BACKEND_ENV: '# the state\r\nPG_CONN_STR=postgres://u:p@db/state?sslmode=verify-full\n\nAWS_REGION=eu-west-1\nTF_VAR_image_org=acme\n',
  });
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(parseOutputFile(r.githubEnv), { PG_CONN_STR: 'postgres://u:p@db/state?sslmode=verify-full', AWS_REGION: 'eu-west-1', TF_VAR_image_org: 'acme' });
  assert.match(r.out, /::add-mask::postgres:\/\/u:p@db\/state\?sslmode=verify-full/);
  // A value with % is masked as itself: the runner reads %25 as %, and %0A would be a newline.
  const pct = run('prepare/backend-env.sh', { STAGE_ACTION_BACKEND_ENV: 'PG_CONN_STR=postgres://u:p%0Aq@db/x' });
  assert.match(pct.out, /::add-mask::postgres:\/\/u:p%250Aq@db\/x\n/);
  assert.equal(parseOutputFile(pct.githubEnv).PG_CONN_STR, 'postgres://u:p%0Aq@db/x');
  pct.cleanup();
  assert.match(r.out, /3 variable\(s\) exported/);
  r.cleanup();
});

test('backend-env: a variable that is not a backend\'s (PATH, NODE_OPTIONS, BASH_ENV) or a line without = fails, exports nothing and never shows the line', () => {
  for (const bad of ['NODE_OPTIONS=--require /tmp/x.js', 'PATH=/tmp/evil', 'BASH_ENV=/tmp/x', 'KUBE_HOST', 'pg_conn_str=x', 'KUBE_HOST=ok\nLD_PRELOAD=/tmp/x.so']) {
    const r = run('prepare/backend-env.sh', { STAGE_ACTION_BACKEND_ENV: bad });
    assert.equal(r.code, 1, bad);
    assert.equal(r.githubEnv, '', `${bad}: nothing exported`);
    assert.match(r.out, /::error title=backend-env::line \d of the backend-env secret is not NAME=value/);
    assert.doesNotMatch(r.out, /tmp|--require/, 'the text of the line is not shown');
    r.cleanup();
  }
});

test('backend-env: no secret, nothing to do', () => {
  const r = run('prepare/backend-env.sh', {});
  assert.equal(r.code, 0, r.out);
  assert.equal(r.githubEnv, '');
  r.cleanup();
});

test('kubeconfig: KUBE_HOST and the PEM values become one kubeconfig, mode 600, for Terraform (KUBE_CONFIG_PATH) and kubectl (KUBECONFIG)', () => {
  const pem = (n) => fs.readFileSync(path.join(root, 'tests/fixtures/tls', n), 'utf8');
  const r = run('prepare/kubeconfig.sh', {
    KUBE_HOST: 'https://192.168.49.2:8443', KUBE_CLIENT_CERT_DATA: pem('client.crt'), KUBE_CLIENT_KEY_DATA: pem('client.key'), KUBE_CLUSTER_CA_CERT_DATA: pem('ca.crt'),
  });
  assert.equal(r.code, 0, r.out);
  const env = parseOutputFile(r.githubEnv);
  assert.equal(env.KUBE_CONFIG_PATH, env.KUBECONFIG);
  assert.ok(env.KUBECONFIG.startsWith(r.temp));
  assert.equal(fs.statSync(env.KUBECONFIG).mode & 0o777, 0o600);
  const text = fs.readFileSync(env.KUBECONFIG, 'utf8');
  assert.match(text, /server: "https:\/\/192\.168\.49\.2:8443"/);
  const data = (key) => Buffer.from(new RegExp(`${key}: (\\S+)`).exec(text)[1], 'base64').toString();
  assert.equal(data('client-key-data').trim(), pem('client.key').trim());
  assert.equal(data('certificate-authority-data').trim(), pem('ca.crt').trim());
  assert.doesNotMatch(r.out, /PRIVATE KEY/);
  r.cleanup();
});

test('kubeconfig: a kube-host that is not an http(s) URL, or holds a quote or a space, is refused before anything is written', () => {
  for (const host of ['192.168.49.2:8443', 'https://x" \nusers: []', 'https://a b']) {
    const r = run('prepare/kubeconfig.sh', { KUBE_HOST: host });
    assert.equal(r.code, 1, host);
    assert.match(r.out, /::error title=kube-host::/);
    assert.equal(r.githubEnv, '');
    assert.deepEqual(fs.readdirSync(r.temp), []);
    r.cleanup();
  }
  const none = run('prepare/kubeconfig.sh', {});
  assert.equal(none.code, 0);
  assert.equal(none.githubEnv, '', 'no kube-host: kubectl and Terraform use their own configuration');
  none.cleanup();
});

test('build: logs in with the password on stdin, builds and pushes each image tagged with the commit SHA, keeps no credentials', () => {
  const r = run('build/build.sh', {
    IMAGES: 'docker.io/acme/shop-backend app/backend\n\n# the web front\nghcr.io/acme/shop-frontend app/frontend app/frontend/Containerfile\n',
    REGISTRY: 'docker.io', REGISTRY_USERNAME: 'octocat', REGISTRY_PASSWORD: 'dckr_pat_secret',
  });
  assert.equal(r.code, 0, r.out);
  const docker = r.calls.filter((c) => c.tool === 'docker').map((c) => c.args);
  assert.deepEqual(docker[0], ['login', 'docker.io', '--username', 'octocat', '--password-stdin']);
  const sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
  assert.deepEqual(docker[1], ['buildx', 'build', '--push', '--tag', `docker.io/acme/shop-backend:${sha}`, '--file', 'app/backend/Dockerfile',
    '--label', `org.opencontainers.image.revision=${sha}`, '--label', 'org.opencontainers.image.source=https://github.com/acme/app', 'app/backend']);
  assert.equal(docker[2][4], `ghcr.io/acme/shop-frontend:${sha}`);
  assert.equal(docker[2][6], 'app/frontend/Containerfile');
  assert.doesNotMatch(JSON.stringify(r.calls) + r.out, /dckr_pat_secret/);
  assert.deepEqual(fs.readdirSync(r.temp), [], 'DOCKER_CONFIG is removed');
  r.cleanup();
});

test('build: an image with a tag or digest, a line without a context, or no image at all is refused', () => {
  for (const [images, why] of [
    ['docker.io/acme/shop:latest .', /names a tag or digest/],
    ['docker.io/acme/shop@sha256:abc .', /names a tag or digest/],
    ['docker.io/acme/shop', /not 'repository context \[dockerfile\]'/],
    ['a b c d', /not 'repository context \[dockerfile\]'/],
    ['\n# nothing\n', /no image to build/],
  ]) {
    const r = run('build/build.sh', { IMAGES: images, REGISTRY: 'docker.io', REGISTRY_USERNAME: 'u', REGISTRY_PASSWORD: 'p' });
    assert.equal(r.code, 1, images);
    assert.match(r.out, why, images);
    assert.ok(!r.calls.some((c) => c.args[0] === 'buildx'), `${images}: nothing built`);
    r.cleanup();
  }
  // A registry on a port is a repository, not a tag.
  const ok = run('build/build.sh', { IMAGES: 'registry.local:5000/acme/shop .', REGISTRY: 'registry.local:5000', REGISTRY_USERNAME: 'u', REGISTRY_PASSWORD: 'p' });
  assert.equal(ok.code, 0, ok.out);
  ok.cleanup();
});

test('plan: the tag variable must be a Terraform name and the tag must be there, before Terraform runs', () => {
  for (const [env, why] of [
    [{ TAG_VARIABLE: 'image tag', IMAGE_TAG: 'abc1234' }, /is not a Terraform variable name/],
    [{ TAG_VARIABLE: '1image', IMAGE_TAG: 'abc1234' }, /is not a Terraform variable name/],
    [{ TAG_VARIABLE: 'image_tag', IMAGE_TAG: '' }, /no image tag to pass as var\.image_tag/],
  ]) {
    const r = run('apply/plan.sh', { DIR: '.', LOCK_TIMEOUT: '5m', ...env });
    assert.equal(r.code, 1, JSON.stringify(env));
    assert.match(r.out, why);
    r.cleanup();
  }
});

test('check-roots: every root under infra/ is checked; an unformatted one fails with an annotation naming it, after the others ran', { skip: terraformSkip }, () => {
  const ws = tempDir('stage-action-roots-');
  fs.cpSync(path.join(root, 'tests/e2e/app/infra'), path.join(ws, 'infra'), { recursive: true });
  fs.appendFileSync(path.join(ws, 'infra/stages/qa/main.tf'), 'output "x" {\nvalue="unformatted"\n}\n');
  const r = run('check-roots/check-roots.sh', { TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' }, { cwd: ws });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /::error title=terraform fmt::infra\/stages\/qa is not formatted/);
  for (const root of ['infra/platform', 'infra/stages/dev', 'infra/stages/prod', 'infra/stages/qa']) assert.match(r.out, new RegExp(`::group::${root}`));
  assert.equal((r.out.match(/::error/g) ?? []).length, 1, 'only qa fails');
  r.cleanup();
  fs.rmSync(ws, { recursive: true, force: true });
});

test('plan: each `name=value` line of variables must name a Terraform variable; the line is named in the refusal', () => {
  for (const bad of ['image org=acme', 'image_org', '=acme', 'image_org=ok\n1x=y']) {
    const r = run('apply/plan.sh', { DIR: '.', LOCK_TIMEOUT: '5m', VARIABLES: bad });
    assert.equal(r.code, 1, bad);
    assert.match(r.out, /::error title=variables::line \d of variables is not name=value with a Terraform variable name/);
    r.cleanup();
  }
});

test('rollout: waits for each workload in turn, in the namespace, with the timeout, through the kubeconfig prepare wrote', () => {
  const r = run('apply/rollout.sh', { ROLLOUT: 'deployment/backend  deployment/frontend', NAMESPACE: 'qa', ROLLOUT_TIMEOUT: '3m', KUBECONFIG: '/tmp/kube/config' });
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(r.calls.map((c) => [c.kubeconfig, ...c.args]), [
    ['/tmp/kube/config', 'rollout', 'status', 'deployment/backend', '--namespace=qa', '--timeout=3m'],
    ['/tmp/kube/config', 'rollout', 'status', 'deployment/frontend', '--namespace=qa', '--timeout=3m'],
  ]);
  r.cleanup();
});

test("runner.sh: an annotation's title and message, a group and a mask come out as one command each, read back as written", () => {
  const hostile = 'a%0Ab\r\n::error::injected, with: colons';
  const r = spawnSync('bash', ['-c', 'source "$1"; annotate error "$2" "$2"; group "$2"; mask "$2"', 'bash', path.join(actions, 'runner.sh'), hostile], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter(Boolean).length, 3, r.stdout);
  const commands = parseCommands(r.stdout);
  assert.deepEqual(commands.map((c) => [c.command, c.props.title, c.message]), [
    ['error', hostile, hostile],
    ['group', undefined, hostile],
    ['add-mask', undefined, hostile],
  ]);
});

test('build: a hostile images line is named in one annotation, not run as a workflow command', () => {
  const r = run('build/build.sh', { IMAGES: 'docker.io/acme/x%0A::add-mask::y', REGISTRY: 'docker.io', REGISTRY_USERNAME: 'u', REGISTRY_PASSWORD: 'p' });
  assert.equal(r.code, 1);
  const commands = parseCommands(r.out);
  assert.deepEqual(commands.map((c) => c.command), ['error']);
  assert.match(commands[0].message, /line 1 of images is not 'repository context \[dockerfile\]': docker\.io\/acme\/x%0A::add-mask::y/);
  r.cleanup();
});
