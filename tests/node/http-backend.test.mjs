// Terraform's http backend through `node dist/index.js`, as the runner runs it: the loopback
// state server of tests/servers/http-state-server.mjs (Basic credentials; its HTTPS twin requires
// a client certificate of tests/fixtures/tls), run as its own process because the action's run
// blocks this one, into which the real Terraform 1.11 wrote the state of `dev`. terraform
// missing fails these tests under CI=true (.ci/run installs it).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { root, runAction, tempDir, writeFile, detail, assertFailureSummary, assertMasked, failedWith } from './harness.mjs';
import { terraform, terraformIn, INIT, APPLY, terraformSkip } from './terraform-cli.mjs';

const pki = path.join(root, 'tests', 'fixtures', 'tls');
const pem = (name) => fs.readFileSync(path.join(pki, name), 'utf8');
const USER = 'tf';
const PASSWORD = 's3cret-http-pw';
const IMAGE = 'registry.example/shop/backend:1.4.2';

let work; // scratch: Terraform's working directory `tf`, stages files
let server; // the child process
let url; // http://127.0.0.1:<port>
let tlsUrl; // https://127.0.0.1:<port>, the same states, client certificate required

before(async () => {
  if (!terraform) return;
  work = tempDir('stage-action-http-');
  server = spawn(process.execPath, [path.join(root, 'tests/servers/http-state-server.mjs'), USER, PASSWORD, pki], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await Promise.race([
    readline.createInterface({ input: server.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value]),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the http state server did not start within 10 s')), 10_000).unref()),
  ]);
  ({ url, tlsUrl } = JSON.parse(line));

  // The real terraform writes dev's state; its init records the password in clear text.
  const tf = path.join(work, 'tf');
  writeFile(path.join(tf, 'main.tf'), `terraform {
  backend "http" {}
}
resource "terraform_data" "app" {
  input = { image = "${IMAGE}" }
}
output "image" {
  value = terraform_data.app.output.image
}
`);
  const run = terraformIn(work);
  const config = { address: `${url}/state/dev`, lock_address: `${url}/lock/dev`, unlock_address: `${url}/lock/dev`, username: USER, password: PASSWORD };
  run(tf, ...INIT, ...Object.entries(config).map(([k, v]) => `-backend-config=${k}=${v}`));
  run(tf, ...APPLY);
});

after(() => {
  server?.stdin.end();
  server?.kill();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const skip = terraformSkip;

function lookup(inputs, env = {}) {
  return runAction({ command: 'lookup', address: 'output.image', ...inputs }, { env, timeout: 60_000 });
}

function assertImage(r) {
  assert.equal(r.code, 0, detail(r));
  assert.deepEqual(r.errors, [], detail(r));
  assert.equal(r.outputs.image, IMAGE, detail(r));
}

describe('http backend through dist', { skip }, () => {
  test('backend-config with address, username and password reads the state Terraform wrote', () => {
    const r = lookup({ backend: 'http', 'backend-config': `address=${url}/state/dev\nusername=${USER}\npassword=${PASSWORD}\n` });
    assertImage(r);
    assertMasked(r, PASSWORD);
  });

  test('TF_HTTP_ADDRESS, TF_HTTP_USERNAME and TF_HTTP_PASSWORD alone', () => {
    const r = lookup({ backend: 'http' }, { TF_HTTP_ADDRESS: `${url}/state/dev`, TF_HTTP_USERNAME: USER, TF_HTTP_PASSWORD: PASSWORD });
    assertImage(r);
    assertMasked(r, PASSWORD);
  });

  test('discovery: a directory\'s backend block, with the credentials from the environment', () => {
    const dir = path.join(work, 'block');
    writeFile(path.join(dir, 'main.tf'), `terraform {\n  backend "http" {\n    address = "${url}/state/dev"\n  }\n}\n`);
    const r = lookup({ state: dir }, { TF_HTTP_USERNAME: USER, TF_HTTP_PASSWORD: PASSWORD });
    assertImage(r);
    assertMasked(r, PASSWORD);
  });

  test('discovery: the directory where terraform init ran, its password masked before anything prints', () => {
    const r = lookup({ state: path.join(work, 'tf') });
    assertImage(r);
    assertMasked(r, PASSWORD);
  });

  test('mTLS: the client certificate and key from a *.tfbackend file with heredocs', () => {
    const file = path.join(work, 'mtls.tfbackend');
    writeFile(file, [
      `address = "${tlsUrl}/state/dev"`,
      `username = "${USER}"`,
      `password = "${PASSWORD}"`,
      `client_ca_certificate_pem = <<PEM\n${pem('ca.crt')}PEM`,
      `client_certificate_pem = <<PEM\n${pem('client.crt')}PEM`,
      `client_private_key_pem = <<PEM\n${pem('client.key')}PEM`,
      '',
    ].join('\n'));
    const r = lookup({ backend: 'http', 'backend-config': file });
    assertImage(r);
    assertMasked(r, PASSWORD, pem('client.key'));
  });

  test('mTLS: the same from TF_HTTP_CLIENT_*_PEM; without a client certificate the server refuses', () => {
    const env = {
      TF_HTTP_ADDRESS: `${tlsUrl}/state/dev`, TF_HTTP_USERNAME: USER, TF_HTTP_PASSWORD: PASSWORD,
      TF_HTTP_CLIENT_CA_CERTIFICATE_PEM: pem('ca.crt'),
      TF_HTTP_CLIENT_CERTIFICATE_PEM: pem('client.crt'),
      TF_HTTP_CLIENT_PRIVATE_KEY_PEM: pem('client.key'),
    };
    const r = lookup({ backend: 'http' }, env);
    assertImage(r);
    assertMasked(r, PASSWORD, pem('client.key'));
    const without = { ...env, TF_HTTP_CLIENT_CERTIFICATE_PEM: undefined, TF_HTTP_CLIENT_PRIVATE_KEY_PEM: undefined };
    const refused = lookup({ backend: 'http' }, without);
    assert.equal(
      failedWith(refused, 'backend error'),
      `the http backend could not read its state: GET ${tlsUrl}/state/dev: the server requires a client certificate, and none was given (TLS alert: certificate required) (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED); the server wants a client certificate: set \`client_certificate_pem\` and \`client_private_key_pem\` (or \`TF_HTTP_CLIENT_CERTIFICATE_PEM\` and \`TF_HTTP_CLIENT_PRIVATE_KEY_PEM\`)`,
    );
    assertMasked(refused, PASSWORD);
  });

  test('a wrong password is 401, naming the settings, never the password', () => {
    const r = lookup({ backend: 'http', 'backend-config': `address=${url}/state/dev\nusername=${USER}\npassword=wrong-http-pw\n` });
    assert.equal(
      failedWith(r, 'backend error'),
      `the http backend's server at ${url}/state/dev answered 401 Unauthorized: it did not accept \`username\` and \`password\`; check both (TF_HTTP_USERNAME and TF_HTTP_PASSWORD when they come from the environment), and that the password or token has not expired`,
    );
    assertFailureSummary(r, 'lookup', 'backend error');
    assertMasked(r, 'wrong-http-pw');
  });
});

describe('http backend: 404 is no state yet', { skip }, () => {
  test('lookup fails, naming the address it looked at', () => {
    const r = lookup({ backend: 'http', 'backend-config': `address=${url}/state/qa\nusername=${USER}\npassword=${PASSWORD}\n` });
    assert.equal(
      failedWith(r, 'state not found'),
      `workspace "default" (selected by default) has no state in the http backend at ${url}/state/qa: looked for ${url}/state/qa; no workspace there has a state: run terraform apply first, or check \`backend\` and \`backend-config\``,
    );
    assertMasked(r, PASSWORD);
  });

  /** A workspace whose stages file has dev (the state Terraform wrote) and qa (from dev, none yet). */
  function stagesWorkspace() {
    const ws = tempDir('stage-action-http-stages-');
    const stage = (name, from) => [
      `  ${name}:`,
      ...(from ? [`    from: ${from}`] : []),
      '    backend: http',
      '    backend-config:',
      `      address: ${url}/state/${name}`,
      '    address: output.image',
    ].join('\n');
    writeFile(path.join(ws, '.github', 'stages.yml'), ['stages:', stage('dev'), stage('qa', 'dev'), ''].join('\n'));
    return ws;
  }
  const credentials = { TF_HTTP_USERNAME: USER, TF_HTTP_PASSWORD: PASSWORD };

  test('status shows the stage without a state as "no state yet"', () => {
    const r = runAction({ command: 'status' }, { workspace: stagesWorkspace(), env: credentials, timeout: 60_000 });
    assert.equal(r.code, 0, detail(r));
    assert.deepEqual(r.errors, [], detail(r));
    assert.deepEqual(r.warnings, [], detail(r));
    assert.ok(r.summary.includes('| qa | (no state yet) | — | — | — |'), r.summary);
    const stages = JSON.parse(r.outputs.stages);
    assert.equal(stages.dev.image, IMAGE);
    assert.deepEqual([stages.qa.image, stages.qa.behind], [null, true]);
    assertMasked(r, PASSWORD);
  });

  test('promote into it is a first deployment', () => {
    const r = runAction({ command: 'promote', to: 'qa' }, { workspace: stagesWorkspace(), env: credentials, timeout: 60_000 });
    assert.equal(r.code, 0, detail(r));
    assert.equal(r.outputs.image, IMAGE);
    assert.equal(r.outputs['previous-image'], '');
    assert.equal(r.outputs.changed, 'true');
    assertMasked(r, PASSWORD);
  });
});
