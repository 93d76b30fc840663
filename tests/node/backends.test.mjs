// Where a state lives, through dist/index.js run as the runner runs it: the `backend` and
// `backend-config` inputs, a stage's `backend:` and `backend-config:`, the backend a working
// directory names (its .terraform/terraform.tfstate, or the backend block of its *.tf files),
// and a clear error for a backend this action does not read.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runAction, root, tempDir } from './harness.mjs';

const state = fs.readFileSync(path.join(root, 'examples/dev.tfstate'), 'utf8');

/** A run's workspace holding these files (path → text). */
function workspace(files) {
  const ws = tempDir();
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(ws, name)), { recursive: true });
    fs.writeFileSync(path.join(ws, name), text);
  }
  return ws;
}

function lookup(inputs, ws, env) {
  return runAction({ command: 'lookup', address: 'output.image', ...inputs }, { workspace: ws, env });
}

function failed(r) {
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.errors.length, 1, r.stdout);
  assert.equal(r.outputText, '');
  return r.errors[0];
}

describe('the backend input', () => {
  test('local with backend-config path reads that state file', () => {
    const ws = workspace({ 'states/dev.tfstate': state });
    const r = lookup({ backend: 'local', 'backend-config': '# where apply wrote it\npath=states/dev.tfstate\n' }, ws);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs.image, 'ghcr.io/acme/backend:1.4.2');
  });

  test('a backend Terraform has and this action does not read yet is one clear error naming it', () => {
    const e = failed(lookup({ backend: 'consul', 'backend-config': 'path=tfstate' }, workspace({})));
    assert.equal(e.props.title, 'invalid input');
    assert.match(e.message, /^input `backend`: this action does not read Terraform's "consul" backend \(yet\); it reads local, kubernetes, pg, http, s3, gcs, azurerm, remote, cloud: add a step that runs `terraform state pull > stage\.tfstate`/);
  });

  test('a misspelt backend or key is refused with did-you-mean, every problem at once', () => {
    const e = failed(lookup({ backend: 'locl' }, workspace({})));
    assert.equal(e.message, 'input `backend`: "locl" is not a Terraform backend; did you mean "local"?');
    const e2 = failed(lookup({ state: 'dev.tfstate', 'backend-config': '\npaht=x.tfstate' }, workspace({ 'dev.tfstate': state })));
    assert.equal(e2.message, 'input `backend-config`: line 1, `paht`: is not a setting of the local backend; did you mean `path`?');
  });
});

describe('a working directory says where its state lives', () => {
  test('a backend block this action does not read keeps the advice to pull the state', () => {
    const ws = workspace({ 'infra/main.tf': 'terraform {\n  backend "consul" {\n    path = "tfstate"\n  }\n}\n' });
    const e = failed(lookup({ state: 'infra' }, ws));
    assert.equal(e.props.title, 'state not found');
    assert.match(e.message, /^infra keeps its state in Terraform's "consul" backend, not in the directory; .*terraform -chdir=infra state pull/);
  });

  test('terraform init\'s record of the local backend still reads the directory', () => {
    const ws = workspace({
      'infra/terraform.tfstate': state,
      'infra/.terraform/terraform.tfstate': JSON.stringify({ version: 3, terraform_version: '1.11.4', backend: { type: 'local', config: { path: null, workspace_dir: null }, hash: 1 } }),
    });
    const r = lookup({ state: 'infra' }, ws);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs.image, 'ghcr.io/acme/backend:1.4.2');
  });

  test('a variable in the backend block is a problem naming the file, the line and the key', () => {
    const ws = workspace({ 'infra/backend.tf': 'terraform {\n  backend "pg" {\n    conn_str = var.conn_str\n  }\n}\n' });
    const e = failed(lookup({ state: 'infra' }, ws));
    assert.equal(e.message, "input `state`: infra/backend.tf line 3: `conn_str` of the backend block is a reference to a variable or resource, not a literal value; Terraform accepts only literal values in a backend's settings: write the value itself");
  });

  test('a broken .terraform/terraform.tfstate is refused without quoting it', () => {
    const ws = workspace({ 'infra/.terraform/terraform.tfstate': '{"version": 3, "backend": {"type": "pg", "config": {"conn_str": "postgres://u:hunter2@db' });
    const r = lookup({ state: 'infra' }, ws);
    const e = failed(r);
    assert.match(e.message, /^input `state`: infra\/\.terraform\/terraform\.tfstate is not the backend settings terraform init writes \(not valid JSON at line 1 column \d+\); run terraform init there again/);
    assert.ok(!(r.stdout + r.stderr + r.summary).includes('hunter2'), 'the password appears nowhere');
  });
});

describe('a stage says where its state lives', () => {
  test('backend and backend-config of a stage replace its state', () => {
    const ws = workspace({
      'states/dev.tfstate': state,
      '.github/stages.yml': 'stages:\n  dev:\n    backend: local\n    backend-config:\n      path: states/dev.tfstate\n    address: output.image\n',
    });
    const r = runAction({ command: 'lookup', stage: 'dev' }, { workspace: ws });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs.image, 'ghcr.io/acme/backend:1.4.2');
  });

  test('a problem with a backend-config entry is at its line of the stages file', () => {
    const ws = workspace({
      '.github/stages.yml': 'stages:\n  dev:\n    backend: local\n    backend-config:\n      pth: states/dev.tfstate\n      path: states/dev.tfstate\n    address: output.image\n',
    });
    const e = failed(runAction({ command: 'lookup', stage: 'dev' }, { workspace: ws }));
    assert.equal(e.props.title, 'invalid stages file');
    assert.equal(e.props.line, '5');
    assert.match(e.message, /line 5: stage dev: `pth`: is not a setting of the local backend; did you mean `path`\?/);
  });

  test('lookup refuses backend inputs beside stage', () => {
    const e = failed(runAction({ command: 'lookup', stage: 'dev', backend: 'local' }, { workspace: workspace({}) }));
    assert.equal(e.message, 'input `backend`: cannot be combined with `stage`, which takes it from the stages file; remove `backend` or `stage`');
  });
});

describe('what real terraform init wrote', () => {
  test('reads the directory\'s backend, and its password is masked first and appears nowhere else', () => {
    const ws = workspace({
      'infra/.terraform/terraform.tfstate': fs.readFileSync(path.join(root, 'tests/fixtures/backend-settings/http.terraform.tfstate'), 'utf8'),
    });
    // `state` pointing at the file means the directory's backend.
    for (const given of ['infra', 'infra/.terraform/terraform.tfstate']) {
      const r = lookup({ state: given }, ws);
      assert.equal(r.code, 1, r.stdout);
      // Masked first, then nowhere else: only the mask command itself may hold it.
      assert.equal(r.stdout.split('\n')[0], '::add-mask::s3cret');
      const shown = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n') + r.stderr + r.summary;
      assert.ok(!shown.includes('s3cret'), 'the password appears nowhere');
      // The directory's backend is read where it lives: here an address nothing answers on.
      assert.equal(r.errors[0].props.title, 'backend error');
      assert.match(r.errors[0].message, /^the http backend could not read its state: GET http:\/\/127\.0\.0\.1:9\/state: /);
    }
  });
});
