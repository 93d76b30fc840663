// The kubernetes backend through `node dist/index.js`, as the runner runs it: the loopback API
// server of tests/servers/k8s (HTTPS, client-certificate and token authentication, PKI
// tests/fixtures/tls), into which the real Terraform 1.11 wrote the workspaces default, staging,
// big (several Secrets) and held (its Lease taken, as Terraform's lock). python3 or terraform
// missing fails these tests under CI=true (.ci/run installs them).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root, runAction, tempDir, writeFile, detail, assertFailureSummary, assertMasked, failedWith, pemLines } from './harness.mjs';
import { terraform, terraformSkip } from './terraform-cli.mjs';
import { startApiServer, readWhenWritten } from '../servers/k8s/start.mjs';

const pki = path.join(root, 'tests', 'fixtures', 'tls');
const pem = (name) => fs.readFileSync(path.join(pki, name), 'utf8');
const ADDRESS = 'terraform_data.app.output.image';

let work; // the server's and Terraform's scratch directory
let host; // https://127.0.0.1:<port>
const children = [];
let api; // the loopback API server (tests/servers/k8s/start.mjs)

before(async () => {
  if (!terraform) return;
  work = tempDir('stage-action-k8s-');
  api = await startApiServer(work, ['--token', 'ci=ci-token-123', '--token', 'nolease=nolease-token', '--forbid', 'nolease:leases']);
  host = api.host;
  const w = spawnSync('bash', [path.join(root, 'tests/servers/k8s/write_states.sh'), host, pki, work], { encoding: 'utf8' });
  assert.equal(w.status, 0, `write_states.sh failed:\n${w.stderr}\n${w.stdout}`);
});

after(() => {
  api?.stop();
  for (const c of children) c.kill();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** The `{ skip }` of a test that needs terraform: a reason outside CI, never under CI=true. */
const skip = terraformSkip;

/** The credentials a workflow gives as secrets, in Terraform's KUBE_* variables. */
const kubeEnv = () => ({
  KUBE_HOST: host,
  KUBE_CLIENT_CERT_DATA: pem('client.crt'),
  KUBE_CLIENT_KEY_DATA: pem('client.key'),
  KUBE_CLUSTER_CA_CERT_DATA: pem('ca.crt'),
});

/** The seed's settings as a `*.tfbackend` file: the PEM values as heredocs, as write_states.sh gives them to terraform init. */
function tfbackend(name, { cert = 'client.crt', key = 'client.key', ca = 'ca.crt', server = host } = {}) {
  const file = path.join(work, `${name}.tfbackend`);
  writeFile(file, [
    `host = "${server}"`,
    'secret_suffix = "app"',
    'namespace = "tfstate"',
    'labels = { team = "payments" }',
    `client_certificate = <<PEM\n${pem(cert)}PEM`,
    `client_key = <<PEM\n${pem(key)}PEM`,
    `cluster_ca_certificate = <<PEM\n${pem(ca)}PEM`,
    '',
  ].join('\n'));
  return file;
}

/** lookup of the app's image with `backend: kubernetes` and these `backend-config` lines. */
function lookup(config, { workspace, env = {}, extra = {} } = {}) {
  return runAction(
    { command: 'lookup', backend: 'kubernetes', 'backend-config': config, address: ADDRESS, ...(workspace ? { workspace } : {}), ...extra },
    { env, timeout: 90_000 },
  );
}

const SEED = 'secret_suffix=app\nnamespace=tfstate\nlabels={team="payments"}\n';

function assertImage(r, workspace) {
  assert.equal(r.code, 0, detail(r));
  assert.deepEqual(r.errors, [], detail(r));
  assert.equal(r.outputs.image, `registry.example.com/app:${workspace}-v1`, detail(r));
}

describe('kubernetes backend through dist', { skip }, () => {
  test('the seed\'s configuration: host, secret_suffix, namespace, labels and the three PEM values from a *.tfbackend file with heredocs', () => {
    const r = lookup(tfbackend('seed'));
    assertImage(r, 'default');
    assert.equal(r.outputs.locked, 'false');
    assertMasked(r, pem('client.key'));
  });

  test('the same with the PEM values in KUBE_* variables, as a workflow passes its secrets', () => {
    const env = kubeEnv();
    delete env.KUBE_HOST;
    const r = lookup(`host=${host}\n${SEED}`, { env });
    assertImage(r, 'default');
    assertMasked(r, pem('client.key'));
  });

  test('KUBE_HOST and the three KUBE_*_DATA variables alone, with the secret\'s name in backend-config', () => {
    const r = lookup(SEED, { env: kubeEnv(), workspace: 'staging' });
    assertImage(r, 'staging');
    assertMasked(r, pem('client.key'));
  });

  test('a Minikube kubeconfig with certificate files, chosen by config_context', () => {
    const kubeconfig = path.join(work, 'kubeconfig-minikube');
    writeFile(kubeconfig, `apiVersion: v1
kind: Config
clusters:
- name: minikube
  cluster:
    server: ${host}
    certificate-authority: ${pki}/ca.crt
users:
- name: minikube
  user:
    client-certificate: ${pki}/client.crt
    client-key: ${pki}/client.key
contexts:
- name: minikube
  context: {cluster: minikube, user: minikube, namespace: default}
- name: other
  context: {cluster: nowhere, user: minikube}
current-context: other
`);
    assertImage(lookup(`${SEED}config_path=${kubeconfig}\nconfig_context=minikube\n`), 'default');
  });

  test('discovery: a stage directory\'s backend block, with the credentials from the environment', () => {
    const dir = path.join(work, 'stage-dir');
    writeFile(path.join(dir, 'main.tf'), 'terraform {\n  backend "kubernetes" {\n    secret_suffix = "app"\n    namespace     = "tfstate"\n  }\n}\n');
    const r = runAction({ command: 'lookup', state: dir, address: ADDRESS }, { env: kubeEnv(), timeout: 90_000 });
    assertImage(r, 'default');
    assertMasked(r, pem('client.key'));
  });

  test('discovery: the directory where terraform init ran, whose clear-text key is masked before anything prints', () => {
    const dir = path.join(work, 'tf');
    const init = fs.readFileSync(path.join(dir, '.terraform', 'terraform.tfstate'), 'utf8');
    assert.ok(init.includes(pemLines(pem('client.key'))[0]), 'terraform init recorded the key in clear text');
    for (const workspace of ['default', 'staging']) {
      const r = runAction({ command: 'lookup', state: dir, address: ADDRESS, workspace }, { timeout: 90_000 });
      assertImage(r, workspace);
      assertMasked(r, pem('client.key'));
    }
  });

  test('a named workspace comes from input `workspace` or TF_WORKSPACE', () => {
    assertImage(lookup(tfbackend('seed'), { workspace: 'staging' }), 'staging');
    assertImage(lookup(tfbackend('seed'), { env: { TF_WORKSPACE: 'staging' } }), 'staging');
  });

  test('the big state, chunked into several Secrets, is joined', () => {
    const r = lookup(tfbackend('seed'), { workspace: 'big' });
    assertImage(r, 'big');
    const stored = JSON.parse(fs.readFileSync(path.join(work, 'out', 'big.tfstate'), 'utf8'));
    assert.equal(r.outputs.serial, String(stored.serial));
    assert.equal(r.outputs.lineage, stored.lineage);
  });
});

describe('kubernetes: Terraform\'s lock (the Lease of `held`)', { skip }, () => {
  const LOCK = 'locked by deployer@runner-7 for apply since 2026-11-29T05:42:19.510022006Z';

  test('lookup answers, warns that the state is locked, by whom, for what, since when, and sets locked', () => {
    const r = lookup(tfbackend('seed'), { workspace: 'held' });
    assertImage(r, 'held');
    assert.equal(r.outputs.locked, 'true');
    assert.equal(r.warnings.length, 1, detail(r));
    assert.equal(r.warnings[0].props.title, 'state locked');
    assert.equal(
      r.warnings[0].message,
      `state kubernetes secret tfstate-held-app in namespace tfstate is ${LOCK}: an apply may be in progress, and the state about to change`,
    );
  });

  /** A workspace whose stages file has dev (default), qa (held, from dev) and prod (staging, from qa), all in the cluster. */
  function stagesWorkspace() {
    const ws = tempDir('stage-action-k8s-stages-');
    const stage = (name, workspace, from) => [
      `  ${name}:`,
      ...(from ? [`    from: ${from}`] : []),
      '    backend: kubernetes',
      '    backend-config:',
      '      secret_suffix: app',
      '      namespace: tfstate',
      `    workspace: ${workspace}`,
      `    address: ${ADDRESS}`,
    ].join('\n');
    writeFile(path.join(ws, '.github', 'stages.yml'), ['stages:', stage('dev', 'default'), stage('qa', 'held', 'dev'), stage('prod', 'staging', 'qa'), ''].join('\n'));
    return ws;
  }
  const stagesRun = (inputs, ws) => runAction(inputs, { workspace: ws, env: kubeEnv(), timeout: 90_000 });

  test('status warns of the held stage and sets locked', () => {
    const r = stagesRun({ command: 'status' }, stagesWorkspace());
    assert.equal(r.code, 0, detail(r));
    assert.deepEqual(r.errors, [], detail(r));
    assert.equal(r.outputs.locked, 'true');
    assert.deepEqual(r.warnings.map((w) => [w.props.title, w.message]), [
      ['state locked', `stage qa: the state is ${LOCK}: an apply may be in progress`],
    ]);
    assertMasked(r, pem('client.key'));
  });

  test('promote into or out of the held stage is refused, naming the lock', () => {
    const ws = stagesWorkspace();
    for (const [to, held] of [['qa', 'qa'], ['prod', 'qa']]) {
      const r = stagesRun({ command: 'promote', to }, ws);
      const message = failedWith(r, 'promotion refused');
      assert.equal(
        message,
        `cannot promote into ${to}: the state of ${held} is ${LOCK}: an apply may be in progress; promote once it has finished, or set \`allow-locked: true\` to promote anyway`,
      );
      assertFailureSummary(r, 'promote', 'promotion refused');
    }
  });

  test('promote with allow-locked goes ahead and warns', () => {
    const ws = stagesWorkspace();
    const r = stagesRun({ command: 'promote', to: 'qa', 'allow-locked': 'true' }, ws);
    assert.equal(r.code, 0, detail(r));
    assert.equal(r.outputs.image, 'registry.example.com/app:default-v1');
    assert.equal(r.outputs['previous-image'], 'registry.example.com/app:held-v1');
    assert.equal(r.outputs.changed, 'true');
    assert.deepEqual(r.warnings.map((w) => [w.props.title, w.message]), [
      ['state locked', `the state of qa is ${LOCK}; promoting anyway (\`allow-locked: true\`)`],
    ]);
  });
});

describe('kubernetes: what fails says why', { skip }, () => {
  test('a token the API server does not know is 401, naming where the token came from, never the token', () => {
    const r = lookup(`host=${host}\n${SEED}`, { env: { KUBE_TOKEN: 'wrong-token-789', KUBE_CLUSTER_CA_CERT_DATA: pem('ca.crt') } });
    assert.equal(
      failedWith(r, 'backend error'),
      `kubernetes backend: the API server at ${host} did not accept the token from \`token\` (environment variable KUBE_TOKEN) (401 Unauthorized); check that the credentials belong to this cluster and have not expired or been revoked`,
    );
    assertMasked(r, 'wrong-token-789');
  });

  test('the token the API server knows reads the state', () => {
    const r = lookup(`host=${host}\n${SEED}`, { env: { KUBE_TOKEN: 'ci-token-123', KUBE_CLUSTER_CA_CERT_DATA: pem('ca.crt') } });
    assertImage(r, 'default');
    assertMasked(r, 'ci-token-123');
  });

  test('an identity that may not read the Lease still reads the state, and is told the lock is unknown', () => {
    const r = lookup(`host=${host}\n${SEED}`, { env: { KUBE_TOKEN: 'nolease-token', KUBE_CLUSTER_CA_CERT_DATA: pem('ca.crt') } });
    assertImage(r, 'default');
    assert.equal(r.outputs.locked, 'false');
    const warnings = r.warnings.filter((w) => w.props.title === 'lock unknown');
    assert.equal(warnings.length, 1, r.stdout);
    assert.match(warnings[0].message, /^kubernetes backend: cannot tell whether the state is locked: .*get.*leases/);
    assertMasked(r, 'nolease-token');
  });

  test('an expired client certificate is refused with its expiry', () => {
    const r = lookup(tfbackend('expired', { cert: 'expired.crt', key: 'expired.key' }));
    const message = failedWith(r, 'backend error');
    assert.match(message, /^kubernetes backend: `client_certificate` \(.*expired\.tfbackend line \d+\): the client certificate CN=expired expired on 2020-01-02 00:00:00 UTC; issue a new one/);
    assertMasked(r, pem('expired.key'));
  });

  test('a CA that did not sign the server\'s certificate says to fix cluster_ca_certificate', () => {
    const r = lookup(tfbackend('wrong-ca', { ca: 'other-ca.crt' }));
    const message = failedWith(r, 'backend error');
    assert.ok(message.includes('the server\'s certificate is not signed by the CA certificate given'), message);
    assert.ok(message.endsWith('set `cluster_ca_certificate` to the PEM text of the cluster\'s CA (Minikube: ~/.minikube/ca.crt; a kubeconfig: its certificate-authority), or the right CA if one is set'), message);
  });

  test('no state yet names the backend, the workspace, the secret and the workspaces that have one', () => {
    const r = lookup(tfbackend('seed'), { workspace: 'green' });
    assert.equal(
      failedWith(r, 'state not found'),
      `workspace "green" (selected by input \`workspace\`) has no state in the kubernetes backend at namespace tfstate of ${host} (secret suffix app): looked for kubernetes secret tfstate-green-app in namespace tfstate; workspaces with a state: big, default, held, staging; set input \`workspace\` to one of them`,
    );
  });

  test('a port nobody listens on is unreachable at once', () => {
    const r = lookup(tfbackend('refused', { server: 'https://127.0.0.1:1' }));
    assert.match(failedWith(r, 'backend error'), /^kubernetes backend: cannot reach the API server at https:\/\/127\.0\.0\.1:1: /);
  });

  test('a server that never answers fails within the backend\'s time-out, saying so', async () => {
    // A child that accepts connections and never answers the TLS handshake.
    const portFile = path.join(work, 'silent-port');
    const silent = spawn(process.execPath, ['-e', `const s = require('net').createServer(() => {}).listen(0, '127.0.0.1', () => require('fs').writeFileSync(${JSON.stringify(portFile)}, String(s.address().port)));`], { stdio: 'ignore' });
    children.push(silent);
    const port = await readWhenWritten(portFile, 'the silent server');
    const started = Date.now();
    const r = lookup(tfbackend('silent', { server: `https://127.0.0.1:${port}` }));
    const took = Date.now() - started;
    assert.ok(took < 60_000, `took ${took} ms`);
    assert.equal(
      failedWith(r, 'backend error'),
      `kubernetes backend: the API server at https://127.0.0.1:${port} did not answer within 30 s; check that it is up and reachable from the runner`,
    );
  });
});
