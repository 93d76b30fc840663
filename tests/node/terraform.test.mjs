// `lookup` against states written by the real `terraform` binary: working directories are built
// at test time (init + apply with only the built-in provider, so no network), then the action is
// run as the runner runs it. The fixtures are built once; every test only reads them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APPLY, INIT, terraform, terraformLater } from './terraform-cli.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { assertClean, assertFailureSummary, runAction, tempDir, writeFile as write } from './harness.mjs';

const skip = terraform ? false : 'terraform not found on PATH';

// ---------------------------------------------------------------------------------------------
// Fixtures

const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const TAGS = { default: '1.4.2', qa: '1.5.0-rc.1', prod: '1.3.9' };
const DB_PASSWORD = 'pa55-w0rd-xyz';
const PRIVATE_IMAGE = 'ghcr.io/acme/private-api:2.0.0';
const SECRET_PASSWORD = 'hunter2-s3cr3t';
const SECRET_TOKEN = 'tok-9f8e7d6c';

/** An upstream stack whose outputs the main stack reads through data.terraform_remote_state. */
const NETWORK_TF = `
output "registry" { value = "ghcr.io/acme" }
output "cluster" { value = "dev-eu1" }
`;

/** The stage's stack: one image per workspace, modules with for_each and count, outputs. */
const STACK_TF = `
data "terraform_remote_state" "network" {
  backend = "local"
  config  = { path = "\${path.module}/../network/terraform.tfstate" }
}

locals {
  tags = { default = "${TAGS.default}", qa = "${TAGS.qa}", prod = "${TAGS.prod}" }
}

resource "terraform_data" "app" {
  input = {
    image    = "\${data.terraform_remote_state.network.outputs.registry}/backend:\${local.tags[terraform.workspace]}"
    replicas = 2
  }
}

resource "terraform_data" "route" {
  for_each = { "api.example.com" = 8080, "www.example.com" = 80 }
  input    = { host = each.key, port = each.value }
}

resource "terraform_data" "secret" {
  input = {
    user     = "svc"
    password = sensitive("${SECRET_PASSWORD}")
    tokens   = ["pub-token", sensitive("${SECRET_TOKEN}")]
  }
}

module "svc" {
  source   = "./modules/edge"
  for_each = toset(["eu.west", "us.east"])
  region   = each.key
}

module "batch" {
  source = "./modules/edge"
  count  = 2
  region = "batch-\${count.index}"
}

output "name" { value = "backend" }
output "regions" { value = ["eu-west-1", "us-east-1", "ap-south-1"] }
output "tags" {
  value = { team = "payments", tier = "gold" }
}
output "pinned" { value = "registry.example.com/acme/api@${DIGEST}" }
output "untagged" { value = "ghcr.io/acme/worker" }
output "db_password" {
  value     = "${DB_PASSWORD}"
  sensitive = true
}
output "private_image" {
  value     = "${PRIVATE_IMAGE}"
  sensitive = true
}
`;

const EDGE_TF = `
variable "region" { type = string }

resource "terraform_data" "x" {
  count = 2
  input = {
    region = var.region
    index  = count.index
    image  = "ghcr.io/acme/edge:\${var.region}-\${count.index}"
  }
}
`;

/** root: the temp dir; GITHUB_WORKSPACE for relative `state` inputs. */
let root;
/** Absolute paths of the working directories. */
let stack, selected, tainted;
/** The binary's version, e.g. "1.11.4". */
let tfVersion;
/** Parsed state files by workspace. */
const states = {};

/** Runs terraform in a directory (set up once the scratch directory exists). */
const tf = terraformLater(() => root);

function stateFile(dir, workspace) {
  return workspace === 'default'
    ? path.join(dir, 'terraform.tfstate')
    : path.join(dir, 'terraform.tfstate.d', workspace, 'terraform.tfstate');
}

function readState(dir, workspace) {
  return JSON.parse(fs.readFileSync(stateFile(dir, workspace), 'utf8'));
}


// ---------------------------------------------------------------------------------------------
// Helpers for assertions

const EMPTY_IMAGE = { image: '', 'image-repository': '', 'image-tag': '', 'image-digest': '' };

/** The outputs of a lookup whose value is the image `repository[:tag][@digest]`. */
function imageAnswer(repository, { tag = '', digest = '' } = {}) {
  const image = `${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { value: image, image, 'image-repository': repository, 'image-tag': tag, 'image-digest': digest };
}

/** The outputs every successful lookup of `workspace` in the stack writes, plus `extra`. */
function expectedOutputs(workspace, extra) {
  const s = states[workspace];
  return {
    value: '',
    ...EMPTY_IMAGE,
    container: '',
    serial: String(s.serial),
    lineage: s.lineage,
    'terraform-version': tfVersion,
    locked: 'false',
    ...extra,
  };
}

/** A lookup in the stack's default workspace, state given as the absolute directory. */
function lookup(address, inputs = {}, opts = {}) {
  return runAction({ command: 'lookup', state: stack, address, ...inputs }, { workspace: root, ...opts });
}

/** Asserts a failed run: exit 1, one ::error with this title and message, nothing written. */
function assertFailure(r, title, message) {
  assert.equal(r.code, 1, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.equal(r.errors.length, 1, r.stdout);
  assert.deepEqual(r.errors[0].props, { title });
  assert.equal(r.errors[0].message, message);
  assert.deepEqual(r.commands.map((c) => c.command), ['error'], r.stdout);
  assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
  assert.equal(r.outputText, '');
  assert.deepEqual(r.outputs, {});
  assertFailureSummary(r, 'lookup', title, message);
}

/**
 * Asserts `secret` is masked before any other stdout line mentions it, appears nowhere else in
 * stdout nor in the summary, and GITHUB_OUTPUT still carries `value`.
 */
function assertMasked(r, secret, value = secret) {
  assertClean(r);
  const lines = r.stdout.split('\n');
  const first = lines.findIndex((l) => l.includes(secret));
  assert.notEqual(first, -1, `no ::add-mask:: for ${secret}:\n${r.stdout}`);
  assert.equal(lines[first], `::add-mask::${secret}`, r.stdout);
  for (const line of lines) {
    if (line.includes(secret)) assert.equal(line, `::add-mask::${secret}`, `secret printed:\n${r.stdout}`);
  }
  assert.ok(!r.summary.includes(secret), `secret in the summary:\n${r.summary}`);
  assert.ok(r.summary.includes('<code>(sensitive)</code>'), r.summary);
  assert.equal(r.outputs.value, value);
}

// ---------------------------------------------------------------------------------------------

describe('lookup on states written by terraform', { skip }, () => {
  before(() => {
    root = tempDir('stage-action-tf-');
    tfVersion = JSON.parse(tf(root, 'version', '-json')).terraform_version;

    const network = path.join(root, 'network');
    write(path.join(network, 'main.tf'), NETWORK_TF);
    tf(network, ...INIT);
    tf(network, ...APPLY);

    stack = path.join(root, 'stack');
    write(path.join(stack, 'main.tf'), STACK_TF);
    write(path.join(stack, 'modules', 'edge', 'main.tf'), EDGE_TF);
    tf(stack, ...INIT);
    tf(stack, ...APPLY);
    for (const ws of ['qa', 'prod']) {
      tf(stack, 'workspace', 'new', '-no-color', ws);
      tf(stack, ...APPLY);
    }
    // A workspace created but never applied: a directory without a state.
    tf(stack, 'workspace', 'new', '-no-color', 'staging');
    tf(stack, 'workspace', 'select', '-no-color', 'default');
    for (const ws of ['default', 'qa', 'prod']) states[ws] = readState(stack, ws);

    // A copy where `terraform workspace select prod` wrote .terraform/environment.
    selected = path.join(root, 'selected');
    fs.cpSync(stack, selected, { recursive: true });
    tf(selected, 'workspace', 'select', '-no-color', 'prod');

    // A copy with tainted instances (taint needs no provider, so it works offline).
    tainted = path.join(root, 'tainted');
    fs.cpSync(stack, tainted, { recursive: true });
    tf(tainted, 'taint', '-no-color', 'terraform_data.app');
    tf(tainted, 'taint', '-no-color', 'module.svc["eu.west"].terraform_data.x[1]');
  });

  after(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('fixtures: terraform wrote what the tests expect', () => {
    assert.match(tfVersion, /^\d+\.\d+\.\d+/);
    for (const ws of ['default', 'qa', 'prod']) {
      assert.equal(states[ws].version, 4);
      assert.equal(states[ws].terraform_version, tfVersion);
    }
    assert.equal(fs.readFileSync(path.join(stack, '.terraform', 'environment'), 'utf8').trim(), 'default');
    assert.equal(fs.readFileSync(path.join(selected, '.terraform', 'environment'), 'utf8').trim(), 'prod');
    assert.ok(fs.statSync(path.join(stack, 'terraform.tfstate.d', 'staging')).isDirectory());
    assert.ok(!fs.existsSync(stateFile(stack, 'staging')));
    const app = readState(tainted, 'default').resources.find((r) => r.name === 'app');
    assert.equal(app.instances[0].status, 'tainted');
  });

  describe('pipeline: terraform_data.app.output.image', () => {
    test('answers the image, its parts, and the state identity', () => {
      const r = lookup('terraform_data.app.output.image');
      assertClean(r);
      assert.deepEqual(
        r.outputs,
        expectedOutputs('default', imageAnswer('ghcr.io/acme/backend', { tag: '1.4.2' })),
      );
      assert.equal(r.outputs['terraform-version'], tfVersion);
      assert.equal(r.stdout, 'terraform_data.app.output.image: ghcr.io/acme/backend:1.4.2\n');
      assert.equal(
        r.summary,
        [
          '### stage-action lookup',
          '',
          '| Field | Value |',
          '|---|---|',
          `| State | <code>${stack}/terraform.tfstate</code> |`,
          '| Workspace | <code>default</code> |',
          `| Serial | <code>${states.default.serial}</code> |`,
          '| Address | <code>terraform_data.app.output.image</code> |',
          '| Image | <code>ghcr.io/acme/backend:1.4.2</code> |',
          '| Tag | <code>1.4.2</code> |',
          '| Digest | — |',
          '',
          '',
        ].join('\n'),
      );
    });

    test('the same with the dynamic value entered through .value', () => {
      const r = lookup('terraform_data.app.output.value.image');
      assertClean(r);
      assert.deepEqual(
        r.outputs,
        expectedOutputs('default', imageAnswer('ghcr.io/acme/backend', { tag: '1.4.2' })),
      );
    });

    test('input answers too', () => {
      const r = lookup('terraform_data.app.input.image');
      assertClean(r);
      assert.equal(r.outputs.image, 'ghcr.io/acme/backend:1.4.2');
    });

    test('the whole dynamic value is its inner value, with or without .value', () => {
      for (const address of ['terraform_data.app.output', 'terraform_data.app.output.value']) {
        const r = lookup(address);
        assertClean(r);
        assert.deepEqual(
          r.outputs,
          expectedOutputs('default', { value: '{"image":"ghcr.io/acme/backend:1.4.2","replicas":2}' }),
          address,
        );
      }
    });

    test('a number inside the object is compact JSON', () => {
      const r = lookup('terraform_data.app.output.replicas');
      assertClean(r);
      assert.equal(r.outputs.value, '2');
      assert.equal(r.outputs.image, '');
    });

    test('a data source: data.terraform_remote_state outputs, with and without .value', () => {
      for (const address of [
        'data.terraform_remote_state.network.outputs.cluster',
        'data.terraform_remote_state.network.outputs.value.cluster',
      ]) {
        const r = lookup(address);
        assertClean(r);
        assert.deepEqual(r.outputs, expectedOutputs('default', { value: 'dev-eu1' }), address);
      }
    });
  });

  describe('workspaces', () => {
    const image = (ws) => imageAnswer('ghcr.io/acme/backend', { tag: TAGS[ws] });

    test('each workspace has its own state: different images, lineages', () => {
      assert.notEqual(states.qa.lineage, states.default.lineage);
      assert.notEqual(states.prod.lineage, states.qa.lineage);
    });

    for (const ws of ['qa', 'prod']) {
      test(`input workspace=${ws}`, () => {
        const r = lookup('terraform_data.app.output.image', { workspace: ws });
        assertClean(r);
        assert.deepEqual(r.outputs, expectedOutputs(ws, image(ws)));
        assert.ok(r.summary.includes(`| State | <code>${stack}/terraform.tfstate.d/${ws}/terraform.tfstate</code> |`), r.summary);
        assert.ok(r.summary.includes(`| Workspace | <code>${ws}</code> |`), r.summary);
      });
    }

    test('input workspace=default reads terraform.tfstate', () => {
      const r = lookup('terraform_data.app.output.image', { workspace: 'default' });
      assertClean(r);
      assert.deepEqual(r.outputs, expectedOutputs('default', image('default')));
    });

    test('TF_WORKSPACE selects the workspace', () => {
      const r = lookup('terraform_data.app.output.image', {}, { env: { TF_WORKSPACE: 'qa' } });
      assertClean(r);
      assert.deepEqual(r.outputs, expectedOutputs('qa', image('qa')));
    });

    test('input workspace wins over TF_WORKSPACE', () => {
      const r = lookup('terraform_data.app.output.image', { workspace: 'prod' }, { env: { TF_WORKSPACE: 'qa' } });
      assertClean(r);
      assert.deepEqual(r.outputs, expectedOutputs('prod', image('prod')));
    });

    test('.terraform/environment written by `terraform workspace select prod`', () => {
      const r = runAction({ command: 'lookup', state: selected, address: 'terraform_data.app.output.image' }, { workspace: root });
      assertClean(r);
      // The copy has the same states as the stack.
      assert.deepEqual(r.outputs, expectedOutputs('prod', image('prod')));
      assert.ok(r.summary.includes(`| State | <code>${selected}/terraform.tfstate.d/prod/terraform.tfstate</code> |`), r.summary);
    });

    test('TF_WORKSPACE wins over .terraform/environment', () => {
      const r = runAction(
        { command: 'lookup', state: selected, address: 'terraform_data.app.output.image' },
        { workspace: root, env: { TF_WORKSPACE: 'qa' } },
      );
      assertClean(r);
      assert.deepEqual(r.outputs, expectedOutputs('qa', image('qa')));
    });

    test('state relative to GITHUB_WORKSPACE: a working directory', () => {
      const r = runAction(
        { command: 'lookup', state: 'stack', workspace: 'qa', address: 'terraform_data.app.output.image' },
        { workspace: root },
      );
      assertClean(r);
      assert.deepEqual(r.outputs, expectedOutputs('qa', image('qa')));
      assert.ok(r.summary.includes('| State | <code>stack/terraform.tfstate.d/qa/terraform.tfstate</code> |'), r.summary);
    });

    test('state relative to GITHUB_WORKSPACE: a workspace state file', () => {
      const r = runAction(
        { command: 'lookup', state: 'stack/terraform.tfstate.d/prod/terraform.tfstate', address: 'terraform_data.app.output.image' },
        { workspace: root },
      );
      assertClean(r);
      assert.deepEqual(r.outputs, expectedOutputs('prod', image('prod')));
      assert.ok(!r.summary.includes('| Workspace |'), r.summary);
    });

    test('input workspace with a state file is an input error', () => {
      const r = runAction(
        { command: 'lookup', state: 'stack/terraform.tfstate', workspace: 'qa', address: 'terraform_data.app.output.image' },
        { workspace: root },
      );
      assertFailure(
        r,
        'invalid input',
        'input `workspace`: applies only when `state` is a working directory, and stack/terraform.tfstate is a file; remove `workspace`, or set `state` to the directory',
      );
    });

    test('an unknown workspace (input) is an error listing those with a state', () => {
      const r = runAction(
        { command: 'lookup', state: 'stack', workspace: 'uat', address: 'terraform_data.app.output.image' },
        { workspace: root },
      );
      assertFailure(
        r,
        'state not found',
        'workspace "uat" (selected by input `workspace`) has no state in stack; workspaces with a state: default, prod, qa; set input `workspace` to one of them',
      );
    });

    test('a workspace created but never applied has no state', () => {
      const r = runAction(
        { command: 'lookup', state: 'stack', address: 'terraform_data.app.output.image' },
        { workspace: root, env: { TF_WORKSPACE: 'staging' } },
      );
      assertFailure(
        r,
        'state not found',
        'workspace "staging" (selected by TF_WORKSPACE) has no state in stack; workspaces with a state: default, prod, qa; set input `workspace` to one of them',
      );
    });
  });

  describe('modules, count and for_each', () => {
    test('module.svc["eu.west"].terraform_data.x[1].output', () => {
      const r = lookup('module.svc["eu.west"].terraform_data.x[1].output');
      assertClean(r);
      assert.deepEqual(
        r.outputs,
        expectedOutputs('default', { value: '{"image":"ghcr.io/acme/edge:eu.west-1","index":1,"region":"eu.west"}' }),
      );
      assert.equal(r.stdout, 'module.svc["eu.west"].terraform_data.x[1].output = {"image":"ghcr.io/acme/edge:eu.west-1","index":1,"region":"eu.west"}\n');
    });

    test('an image inside a keyed module instance', () => {
      const r = lookup('module.svc["us.east"].terraform_data.x[0].output.value.image');
      assertClean(r);
      assert.deepEqual(
        r.outputs,
        expectedOutputs('default', imageAnswer('ghcr.io/acme/edge', { tag: 'us.east-0' })),
      );
    });

    test('a counted module: module.batch[1].terraform_data.x[0]', () => {
      const r = lookup('module.batch[1].terraform_data.x[0].output.region');
      assertClean(r);
      assert.equal(r.outputs.value, 'batch-1');
    });

    test('a for_each resource whose keys hold dots', () => {
      const r = lookup('terraform_data.route["api.example.com"].output.port');
      assertClean(r);
      assert.equal(r.outputs.value, '8080');
    });

    test('a counted resource without its key: the error lists the keys', () => {
      const r = lookup('module.svc["eu.west"].terraform_data.x');
      assertFailure(
        r,
        'address not found',
        'module.svc["eu.west"].terraform_data.x has several instances (count or for_each); add one of the keys: module.svc["eu.west"].terraform_data.x[0], module.svc["eu.west"].terraform_data.x[1]',
      );
    });

    test('a for_each resource without its key: the error lists the keys', () => {
      const r = lookup('terraform_data.route.output');
      assertFailure(
        r,
        'address not found',
        'terraform_data.route has several instances (count or for_each); add one of the keys: terraform_data.route["api.example.com"], terraform_data.route["www.example.com"]',
      );
    });

    test('a key that does not exist lists the instances', () => {
      const r = lookup('module.svc["eu.west"].terraform_data.x[2]');
      assertFailure(
        r,
        'address not found',
        'instance module.svc["eu.west"].terraform_data.x[2] not found; the instances are: module.svc["eu.west"].terraform_data.x[0], module.svc["eu.west"].terraform_data.x[1]',
      );
    });
  });

  describe('outputs', () => {
    test('a string', () => {
      const r = lookup('output.name');
      assertClean(r);
      assert.deepEqual(r.outputs, expectedOutputs('default', { value: 'backend' }));
      assert.equal(r.stdout, 'output.name = backend\n');
    });

    test('a list: whole, and [-1]', () => {
      let r = lookup('output.regions');
      assertClean(r);
      assert.equal(r.outputs.value, '["eu-west-1","us-east-1","ap-south-1"]');
      r = lookup('output.regions[-1]');
      assertClean(r);
      assert.deepEqual(r.outputs, expectedOutputs('default', { value: 'ap-south-1' }));
      assert.equal(r.stdout, 'output.regions[-1] = ap-south-1\n');
    });

    test('a map: whole, and one key', () => {
      let r = lookup('output.tags');
      assertClean(r);
      assert.equal(r.outputs.value, '{"team":"payments","tier":"gold"}');
      r = lookup('output.tags["tier"]');
      assertClean(r);
      assert.equal(r.outputs.value, 'gold');
    });

    test('a digest reference: image-digest set, image-tag empty', () => {
      const r = lookup('output.pinned');
      assertClean(r);
      assert.deepEqual(
        r.outputs,
        expectedOutputs('default', imageAnswer('registry.example.com/acme/api', { digest: DIGEST })),
      );
    });

    test('an untagged registry path: a warning that latest is implied', () => {
      const r = lookup('output.untagged');
      assert.equal(r.code, 0, r.stdout);
      assert.deepEqual(r.errors, []);
      assert.equal(r.warnings.length, 1, r.stdout);
      assert.deepEqual(r.warnings[0].props, { title: 'image has no tag' });
      assert.equal(
        r.warnings[0].message,
        'output.untagged runs "ghcr.io/acme/worker", which has no tag or digest: Kubernetes pulls `latest`, which can change under you; deploy a tag or a digest',
      );
      assert.deepEqual(
        r.outputs,
        expectedOutputs('default', imageAnswer('ghcr.io/acme/worker')),
      );
    });
  });

  describe('sensitive values', () => {
    test('a sensitive output is masked first and printed nowhere else', () => {
      const r = lookup('output.db_password');
      assertMasked(r, DB_PASSWORD);
      assert.equal(r.commands[0].raw, `::add-mask::${DB_PASSWORD}`);
      assert.deepEqual(r.outputs, expectedOutputs('default', { value: DB_PASSWORD }));
      assert.ok(r.stdout.split('\n').includes('output.db_password = (sensitive)'), r.stdout);
    });

    test('a sensitive output that is an image: neither it nor its parts are shown', () => {
      const r = lookup('output.private_image');
      assertMasked(r, PRIVATE_IMAGE);
      assert.equal(r.outputs.image, PRIVATE_IMAGE);
      assert.equal(r.outputs['image-tag'], '2.0.0');
      for (const part of ['ghcr.io/acme/private-api', PRIVATE_IMAGE]) {
        assert.ok(!r.summary.includes(part), r.summary);
        for (const line of r.stdout.split('\n')) {
          if (line.includes(part)) assert.ok(line.startsWith('::add-mask::'), r.stdout);
        }
      }
    });

    test('state records the sensitive paths of terraform_data.input (not .value, not output)', () => {
      const secret = states.default.resources.find((r) => r.type === 'terraform_data' && r.name === 'secret');
      const attr = (value) => ({ type: 'get_attr', value });
      // A set: Terraform writes the paths in no fixed order.
      const byJson = (paths) => paths.map((p) => JSON.stringify(p)).sort();
      assert.deepEqual(
        byJson(secret.instances[0].sensitive_attributes),
        byJson([
          [attr('input'), attr('password')],
          [attr('input'), attr('tokens'), { type: 'index', value: { value: 1, type: 'number' } }],
        ]),
      );
      // The step keys are written in this order: type, then value.
      const raw = fs.readFileSync(stateFile(stack, 'default'), 'utf8');
      assert.match(raw, /\{\s*"type": "index",\s*"value": \{\s*"value": 1,\s*"type": "number"\s*\}\s*\}/);
    });

    test('a value under a sensitive path is masked: input.password', () => {
      assertMasked(lookup('terraform_data.secret.input.password'), SECRET_PASSWORD);
    });

    test('a value under a sensitive path is masked: input.value.password', () => {
      assertMasked(lookup('terraform_data.secret.input.value.password'), SECRET_PASSWORD);
    });

    test('a sensitive list element is masked: input.tokens[1] and input.tokens[-1]', () => {
      assertMasked(lookup('terraform_data.secret.input.tokens[1]'), SECRET_TOKEN);
      assertMasked(lookup('terraform_data.secret.input.tokens[-1]'), SECRET_TOKEN);
    });

    test('a value holding a sensitive path masks the secrets inside it', () => {
      for (const address of ['terraform_data.secret', 'terraform_data.secret.input', 'terraform_data.secret.input.value']) {
        const r = lookup(address);
        for (const secret of [SECRET_PASSWORD, SECRET_TOKEN]) {
          const lines = r.stdout.split('\n');
          assert.ok(lines.includes(`::add-mask::${secret}`), `${address}: ${secret} not masked:\n${r.stdout}`);
          const first = lines.findIndex((l) => l.includes(secret));
          assert.equal(lines[first], `::add-mask::${secret}`, `${address}:\n${r.stdout}`);
          for (const line of lines) if (line.includes(secret)) assert.equal(line, `::add-mask::${secret}`, `${address}:\n${r.stdout}`);
          assert.ok(!r.summary.includes(secret), `${address}:\n${r.summary}`);
          assert.ok(r.outputs.value.includes(secret), address);
        }
      }
    });

    test('a value beside the sensitive ones is not masked', () => {
      const r = lookup('terraform_data.secret.input.user');
      assertClean(r);
      assert.deepEqual(r.commands, []);
      assert.equal(r.stdout, 'terraform_data.secret.input.user = svc\n');
      assert.equal(r.outputs.value, 'svc');
    });
  });

  describe('tainted instances', () => {
    test('a tainted instance answers, with a warning', () => {
      const r = runAction({ command: 'lookup', state: tainted, address: 'terraform_data.app.output.image' }, { workspace: root });
      assert.equal(r.code, 0, r.stdout);
      assert.deepEqual(r.errors, []);
      assert.equal(r.warnings.length, 1, r.stdout);
      assert.deepEqual(r.warnings[0].props, { title: 'tainted instance' });
      assert.equal(
        r.warnings[0].message,
        'terraform_data.app.output.image is tainted: Terraform will replace it on the next apply; the answer is what runs now',
      );
      assert.equal(r.outputs.image, 'ghcr.io/acme/backend:1.4.2');
      assert.equal(r.outputs['image-tag'], '1.4.2');
    });

    test('a tainted instance in a module', () => {
      const r = runAction(
        { command: 'lookup', state: tainted, address: 'module.svc["eu.west"].terraform_data.x[1].output.region' },
        { workspace: root },
      );
      assert.equal(r.code, 0, r.stdout);
      assert.equal(r.warnings.length, 1, r.stdout);
      assert.equal(
        r.warnings[0].message,
        'module.svc["eu.west"].terraform_data.x[1].output.region is tainted: Terraform will replace it on the next apply; the answer is what runs now',
      );
      assert.equal(r.outputs.value, 'eu.west');
    });

    test('its untainted siblings give no warning', () => {
      const r = runAction(
        { command: 'lookup', state: tainted, address: 'module.svc["eu.west"].terraform_data.x[0].output.region' },
        { workspace: root },
      );
      assertClean(r);
      assert.equal(r.outputs.value, 'eu.west');
    });
  });

  describe('misses', () => {
    test('a resource that does not exist: one error, nothing written', () => {
      const r = lookup('terraform_data.ap.output.image');
      assertFailure(r, 'address not found', `address terraform_data.ap.output.image not found in ${stack}/terraform.tfstate; did you mean terraform_data.app?`);
    });

    test('an output that does not exist', () => {
      const r = runAction({ command: 'lookup', state: 'stack', address: 'output.nam' }, { workspace: root });
      assertFailure(r, 'address not found', 'address output.nam not found in stack/terraform.tfstate; did you mean output.name?');
    });

    test('an attribute that does not exist', () => {
      const r = lookup('terraform_data.app.output.imag');
      assertFailure(r, 'address not found', 'terraform_data.app.output.imag not found: terraform_data.app.output has no .imag; it has image, replicas');
    });

    test('a miss in a named workspace names that workspace state file', () => {
      const r = lookup('terraform_data.nope', { workspace: 'prod' });
      assert.equal(r.code, 1);
      assert.equal(r.errors.length, 1);
      assert.equal(r.errors[0].message, `address terraform_data.nope not found in ${stack}/terraform.tfstate.d/prod/terraform.tfstate`);
      assert.equal(r.outputText, '');
      assertFailureSummary(r, 'lookup', 'address not found');
    });
  });
});
