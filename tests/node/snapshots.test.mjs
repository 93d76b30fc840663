// Snapshots of everything a person or the runner reads from the built action, for representative
// runs of every command: success, each kind of refusal, a broken stages file. Each run is one
// snapshot holding its exit code, its standard output (the workflow commands), the job summary and
// the outputs as the runner parses GITHUB_OUTPUT; terminal runs hold their two streams.
//
// The snapshots live in tests/node/__snapshots__/ and are reviewed like code. After a deliberate
// change of what a person sees, regenerate them and read the diff:
//   node --test --test-update-snapshots tests/node/snapshots.test.mjs
// scripts/test.sh never passes that flag, so a changed output fails the tests.
//
// Only what truly varies from run to run is normalised (see harness.mjs `normalise`): the temporary
// directories' paths, the loopback GitHub server's port and its random token, and how long a
// source stage has been unchanged (the age of a state file written a moment ago). The output
// file's random delimiter never reaches a snapshot: the outputs are parsed with the runner's rules
// (harness.mjs parseOutputFile), which is what a workflow sees.
import { after, before, describe, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { makeFixture } from './git-fixtures.mjs';
import { startGitHub } from './github-server.mjs';
import { actionsFaces as faces, normalise as normaliseWith, root, runAction, runCli, tempDir, useSnapshots, writeFile } from './harness.mjs';

useSnapshots();

const LINEAGE = '5f0c7a1e-2b3d-4c5e-8f90-a1b2c3d4e5f6';
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

/** A state written by Terraform 1.11.4 whose only content is `outputs`. */
function stateJson(outputs, serial) {
  const out = Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v, type: 'string', ...(k.includes('password') ? { sensitive: true } : {}) }]));
  return `${JSON.stringify({ version: 4, terraform_version: '1.11.4', serial, lineage: LINEAGE, outputs: out, resources: [], check_results: null }, null, 2)}\n`;
}

const STAGES = `# dev -> qa -> prod, and stages for each refusal
stages:
  dev:
    state: states/dev.tfstate
    address: output.image
  qa:
    from: dev
    state: states/qa.tfstate
    address: output.image
  prod:
    from: qa
    state: states/prod.tfstate
    address: output.image
  held:
    from: qa
    hold: true
    state: states/prod.tfstate
    address: output.image
  latest:
    state: states/latest.tfstate
    address: output.image
  after-latest:
    from: latest
    state: states/qa.tfstate
    address: output.image
  dr:
    from: prod
    state: states/dr.tfstate
    address: output.image
`;

/** Twelve problems, one a line: GitHub shows ten annotations, the rest go to the log. */
const BROKEN_STAGES = `stages:\n  dev:\n    state: states/dev.tfstate\n    address: output.image\n${Array.from({ length: 12 }, (_, i) => `    setting-${i + 1}: x\n`).join('')}`;

let ws;
let gh;
let git;

before(async () => {
  ws = tempDir('stage-action-snap-');
  writeFile(path.join(ws, 'states/dev.tfstate'), stateJson({ image: 'ghcr.io/acme/backend:1.5.0' }, 7));
  writeFile(path.join(ws, 'states/qa.tfstate'), stateJson({ image: 'ghcr.io/acme/backend:1.4.2' }, 3));
  writeFile(path.join(ws, 'states/prod.tfstate'), stateJson({ image: 'ghcr.io/acme/backend:1.4.2' }, 12));
  writeFile(path.join(ws, 'states/latest.tfstate'), stateJson({ image: 'ghcr.io/acme/backend:latest' }, 2));
  writeFile(
    path.join(ws, 'states/app.tfstate'),
    stateJson({ image: 'ghcr.io/acme/backend:1.5.0', untagged: 'ghcr.io/acme/worker', db_password: 'correct-horse-battery' }, 9),
  );
  writeFile(path.join(ws, 'states/broken.tfstate'), '{"version": 4, "serial": 3,\n  "resources": [\n');
  fs.copyFileSync(path.join(root, 'examples', 'dev.tfstate'), path.join(ws, 'states/k8s.tfstate'));
  // What `terraform init` recorded for an http backend (its password in clear text), at an
  // address nothing answers on.
  writeFile(
    path.join(ws, 'infra/.terraform/terraform.tfstate'),
    fs.readFileSync(path.join(root, 'tests/fixtures/backend-settings/http.terraform.tfstate'), 'utf8'),
  );
  writeFile(path.join(ws, '.github/stages.yml'), STAGES);
  // A source stage whose image is tagged with a commit SHA (another than SHA).
  writeFile(path.join(ws, 'states/sha.tfstate'), stateJson({ image: 'ghcr.io/acme/backend:0f9e8d7c6b5a' }, 5));
  writeFile(
    path.join(ws, 'release.yml'),
    'stages:\n  qa:\n    state: states/sha.tfstate\n    address: output.image\n  prod:\n    from: qa\n    state: states/prod.tfstate\n    address: output.image\n',
  );
  writeFile(path.join(ws, 'status-broken.yml'), `${STAGES}  broken:\n    from: prod\n    state: states/broken.tfstate\n    address: output.image\n`);
  writeFile(path.join(ws, 'broken.yml'), BROKEN_STAGES);
  gh = await startGitHub({ repository: 'acme/app' });
  git = makeFixture({ remote: 'origin', tags: ['v1.0.0', 'v1.4.0', 'vfoo'] });
});

after(async () => {
  await gh?.close();
  git?.cleanup();
  if (ws) fs.rmSync(ws, { recursive: true, force: true });
});

/** What varies per run (harness.mjs normalise): this file's directories and the server's token. */
const places = () => ({ workspace: ws, repository: git.path, token: gh?.token });
const normalise = (text) => normaliseWith(text, places());
const actionsFaces = (r) => faces(r, places());

/** One terminal run as a reviewed text. */
function terminalFaces(r) {
  return normalise(`exit ${r.code}\n== standard output\n${r.stdout}== standard error\n${r.stderr}`);
}

function run(inputs, opts = {}) {
  return runAction(inputs, { workspace: ws, ...opts });
}

describe('lookup', () => {
  const cases = [
    ['a plain value', { state: 'states/app.tfstate', address: 'output.image' }],
    ['a workload: its image, the object only in outputs', { state: 'states/k8s.tfstate', address: 'kubernetes_deployment_v1.backend', container: 'backend' }],
    ['an image with no tag: a warning, in the summary too', { state: 'states/app.tfstate', address: 'output.untagged' }],
    ['a sensitive value: masked, hidden in the summary', { state: 'states/app.tfstate', address: 'output.db_password' }],
    ['an address that is not there', { state: 'states/app.tfstate', address: 'output.imag' }],
    ['a state that does not exist', { state: 'states/nope.tfstate', address: 'output.image' }],
    ['an unreadable state', { state: 'states/broken.tfstate', address: 'output.image' }],
    ['missing inputs', {}],
    ['a container that is not there', { state: 'states/k8s.tfstate', address: 'kubernetes_deployment_v1.backend', container: 'nope' }],
    ['a stage of the stages file', { stage: 'qa' }],
    ['a backend this action does not read yet', { backend: 'consul', 'backend-config': 'path=tfstate/dev', address: 'output.image' }],
    ['a misspelt backend-config key', { backend: 'http', 'backend-config': 'adress=http://127.0.0.1:9/state', address: 'output.image' }],
    ['the backend terraform init recorded, not answering: its password masked first', { state: 'infra', address: 'output.image' }],
    ['azurerm with the Resource Manager fallback of Terraform, which the action does not take', { backend: 'azurerm', 'backend-config': 'storage_account_name=acmetfstate\ncontainer_name=tfstate\nkey=shop.tfstate\nresource_group_name=tfstate-rg', address: 'output.image' }],
  ];
  for (const [name, inputs] of cases) {
    test(name, (t) => t.assert.snapshot(actionsFaces(run({ command: 'lookup', ...inputs }))));
  }
  // HCP Terraform faces that need no server: the settings, and a token found nowhere (HOME is the
  // workspace, so that the paths it names are normalised).
  const tfe = [
    ['remote: a prefix and no workspace selected', { backend: 'remote', 'backend-config': 'organization=acme\nworkspaces={prefix = "shop-"}', address: 'output.image' }],
    ['cloud: no token anywhere', { backend: 'cloud', 'backend-config': 'hostname=tfe.invalid\norganization=acme\nworkspaces={name = "shop-dev"}', address: 'output.image' }],
  ];
  for (const [name, inputs] of tfe) {
    test(name, (t) => t.assert.snapshot(actionsFaces(run({ command: 'lookup', ...inputs }, { env: { HOME: ws } }))));
  }
});

describe('lookup: the gcs backend\'s faces without a server', () => {
  // HOME is the workspace, so gcloud's file is looked for at a path the snapshot names.
  const gcs = (config, env = {}) =>
    run({ command: 'lookup', backend: 'gcs', 'backend-config': config, address: 'output.image' }, { env: { HOME: ws, ...env } });
  test('no credentials anywhere: where it looked, and no metadata server', (t) =>
    t.assert.snapshot(actionsFaces(gcs('bucket=tfstate\nprefix=stages/app'))));
  test('a credentials file that is not one: masked, never repeated', (t) =>
    t.assert.snapshot(actionsFaces(gcs('bucket=tfstate', { GOOGLE_CREDENTIALS: '{"type":"service_account","client_email":"ci@p.iam.gserviceaccount.com","private_key":"s3cret-not-pem"}' }))));
  test('every settings problem at once', (t) =>
    t.assert.snapshot(actionsFaces(gcs('bucket=gs://tfstate\nstorage_custom_endpoint=storage.example\nencryption_key=short'))));
  test('a storage endpoint that does not answer: the token masked first', (t) =>
    t.assert.snapshot(actionsFaces(gcs('bucket=tfstate\nstorage_custom_endpoint=http://127.0.0.1:9/storage/v1/', { GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.snapshot-token' }))));
});

describe('preflight', () => {
  // The kubernetes backend's faces are in preflight.test.mjs (a loopback API server) and the
  // insta snapshots of src/action/snapshots; here the faces every other backend gets.
  const cases = [
    ['a stage whose state is read, with registry credentials (masked)', { stage: 'qa', registry: 'ghcr.io', 'registry-username': 'octocat', 'registry-password': 'snapshot-registry-token' }],
    ['a registry password that is empty fails, after the backend was checked', { stage: 'dev', 'registry-username': 'octocat', 'registry-password': '' }],
    ['a backend that does not answer: its password masked first', { state: 'infra' }],
  ];
  for (const [name, inputs] of cases) {
    test(name, (t) => t.assert.snapshot(actionsFaces(run({ command: 'preflight', ...inputs }))));
  }
});

describe('guard', () => {
  const guard = (inputs) =>
    runAction({ command: 'guard', 'tags-from': 'git', ...inputs }, { workspace: git.path, env: git.env });
  const cases = [
    ['the next minor is released', { tag: 'v1.5.0' }],
    ['an older tag is refused', { tag: 'v1.2.0' }],
    ['a malformed tag is refused', { tag: 'v1.4' }],
    ['a prerelease is refused unless allowed', { tag: 'v1.5.0-rc.1' }],
  ];
  for (const [name, inputs] of cases) {
    test(name, (t) => t.assert.snapshot(actionsFaces(guard(inputs))));
  }
});

describe('promote', () => {
  const cases = [
    ['into a stage that runs something else', { to: 'qa' }],
    ['into a stage that runs the image already', { to: 'prod' }],
    ['into a stage with no state yet', { to: 'dr' }],
    ['refused: the stage is on hold', { to: 'held' }],
    ['refused: the stage has no source', { to: 'dev' }],
    ['refused: the source runs latest', { to: 'after-latest' }],
    ['refused: the source runs another tag than image-tag', { to: 'qa', 'image-tag': '1.4.9' }],
    ['refused: the source image was built from another commit than the release\'s', { to: 'prod', commit: SHA, 'stages-file': 'release.yml' }],
    ['refused: a stage the file does not have', { to: 'staging' }],
    ['refused: no stages file', { to: 'qa', 'stages-file': 'nope.yml' }],
  ];
  for (const [name, inputs] of cases) {
    test(name, (t) => t.assert.snapshot(actionsFaces(run({ command: 'promote', ...inputs }))));
  }
});

describe('status', () => {
  test('every stage, with one behind', (t) => t.assert.snapshot(actionsFaces(run({ command: 'status' }))));
  test('an unreadable stage: its row says why, and a warning', (t) =>
    t.assert.snapshot(actionsFaces(run({ command: 'status', 'stages-file': 'status-broken.yml' }))));
  test('a stages file with twelve problems: ten annotations, the rest in the log', (t) =>
    t.assert.snapshot(actionsFaces(run({ command: 'status', 'stages-file': 'broken.yml' }))));
});

describe('validate', () => {
  test('the stages in promotion order, a warning for a state file not in the checkout', (t) =>
    t.assert.snapshot(actionsFaces(run({ command: 'validate' }))));
  test('a stages file with twelve problems', (t) =>
    t.assert.snapshot(actionsFaces(run({ command: 'validate', 'stages-file': 'broken.yml' }))));
});

describe('record', () => {
  const record = (env = {}) =>
    run({ command: 'record', to: 'qa', token: gh.token }, { env: { ...gh.env, GITHUB_SHA: SHA, GITHUB_RUN_ID: '4242', ...env } });
  test('a deployment is recorded', (t) => t.assert.snapshot(actionsFaces(record())));
  test('refused by GitHub: no outputs', (t) => {
    gh.setError('create-deployment', 'forbidden');
    try {
      t.assert.snapshot(actionsFaces(record()));
    } finally {
      gh.setError('create-deployment', null);
    }
  });
  test('outside a workflow run: names the missing variable', (t) =>
    t.assert.snapshot(actionsFaces(record({ GITHUB_SHA: undefined }))));
});

describe('a command that does not exist', () => {
  test('is told the one meant', (t) => t.assert.snapshot(actionsFaces(run({ command: 'lokup' }))));
});

describe('from a terminal', () => {
  const cli = (args) => runCli(args, { cwd: ws });
  const cases = [
    ['a plain value', ['lookup', '--state', 'states/app.tfstate', '--address', 'output.image']],
    ['a workload: the image first, the object only with --json', ['lookup', '--state', 'states/k8s.tfstate', '--address', 'kubernetes_deployment_v1.backend', '--container', 'backend']],
    ['a workload with --json', ['lookup', '--state', 'states/k8s.tfstate', '--address', 'kubernetes_deployment_v1.backend', '--container', 'backend', '--json']],
    ['a sensitive value', ['lookup', '--state', 'states/app.tfstate', '--address', 'output.db_password']],
    ['an image with no tag', ['lookup', '--state', 'states/app.tfstate', '--address', 'output.untagged']],
    ['an error', ['lookup', '--state', 'states/app.tfstate', '--address', 'output.imag']],
    ['status', ['status', '--stages-file', 'status-broken.yml']],
    ['validate', ['validate']],
    ['promote', ['promote', '--to', 'qa']],
    ['a refused promotion', ['promote', '--to', 'held']],
    ['guard', ['guard', '--tag', 'v1.2.0', '--tags-from', 'git']],
  ];
  for (const [name, args] of cases) {
    test(name, (t) => {
      const r = args[0] === 'guard' ? runCli(args, { cwd: git.path, env: git.env }) : cli(args);
      t.assert.snapshot(terminalFaces(r));
    });
  }
});
