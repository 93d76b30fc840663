// The stages file (.github/stages.yml) and the commands that read it — promote, status, record,
// and lookup's `stage` — through dist/index.js, run as the GitHub runner runs it.
//
// The stages' states are written once, in `before`, by the real terraform binary (offline: only
// the built-in terraform_data, local backend): dev and qa are working directories of their own,
// prod is the `prod` workspace of a third directory whose default workspace runs something else.
// Variants (tainted, `latest`, untagged, soaked, unreadable) are copies of those directories or
// one more apply, so the file runs in a few seconds. A Kubernetes workload comes from
// examples/dev.tfstate (kubernetes_deployment_v1 with several containers).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APPLY, INIT, terraform, terraformLater } from './terraform-cli.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { assertClean, assertFailureSummary, detail, root as repoRoot, runAction, tempDir, writeFile as write } from './harness.mjs';
import { startGitHub } from './github-server.mjs';

const skip = terraform ? false : 'skipped: terraform is not on PATH (the stages tests build their states with it)';

// ---------------------------------------------------------------------------------------------
// Fixtures

const REPO = 'ghcr.io/acme/backend';
const IMG = {
  dev: `${REPO}:1.5.0`,
  qa: `${REPO}:1.4.2`,
  prod: `${REPO}:1.4.2`,
  // The platform directory's default workspace: what a stage would wrongly read without `workspace`.
  platformDefault: `${REPO}:0.9.0`,
};
const SHA_NEW = 'c0ffee0000000000000000000000000000000002';
const SHA_OLD = 'c0ffee0000000000000000000000000000000001';
IMG.shaNew = `${REPO}:${SHA_NEW}`;
IMG.shaOld = `${REPO}:${SHA_OLD.slice(0, 12)}`;
const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const VARIANT_IMAGES = {
  latest: `${REPO}:latest`,
  untagged: REPO,
  pinned: `${REPO}:latest@${DIGEST}`,
};
const K8S_IMAGE = 'ghcr.io/acme/backend:1.4.2';
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ADDRESS = 'terraform_data.app.output.image';

/** Every stage of one working directory, holding the image in terraform_data.app. */
const APP_TF = `
variable "image" { type = string }

resource "terraform_data" "app" {
  input = { image = var.image }
}

output "image" { value = terraform_data.app.output.image }
`;

/** Images that must not be promoted (or only with allow-latest), in one apply. */
const VARIANTS_TF = `
resource "terraform_data" "latest" {
  input = { image = "${VARIANT_IMAGES.latest}" }
}
resource "terraform_data" "untagged" {
  input = { image = "${VARIANT_IMAGES.untagged}" }
}
resource "terraform_data" "pinned" {
  input = { image = "${VARIANT_IMAGES.pinned}" }
}
resource "terraform_data" "replicas" {
  input = { count = 3 }
}
`;

/** GITHUB_WORKSPACE: every path in the stages files is relative to it. */
let ws;
/** Parsed states by name: dev, qa, prod. */
const states = {};

/** Runs terraform in a directory (set up once the scratch directory exists). */
const tf = terraformLater(() => ws);

/** `stages/<name>` with APP_TF, initialised. */
function appDir(name) {
  const dir = path.join(ws, 'stages', name);
  write(path.join(dir, 'main.tf'), APP_TF);
  tf(dir, ...INIT);
  return dir;
}

const stage = (name, settings) =>
  `  ${name}:\n${Object.entries(settings).map(([k, v]) => `    ${k}: ${v}\n`).join('')}`;

/** The pipeline: dev -> qa -> prod, prod a workspace of stages/platform. */
const PIPELINE = `# dev -> qa -> prod
stages:
${stage('dev', { state: 'stages/dev', address: ADDRESS })}${stage('qa', { from: 'dev', state: 'stages/qa', address: ADDRESS })}${stage('prod', { from: 'qa', state: 'stages/platform', workspace: 'prod', address: ADDRESS })}`;

/** Every refusal, and the corner cases, each a stage (or a pair) of its own. */
const CASES = `stages:
${[
  stage('dev', { state: 'stages/dev', address: ADDRESS }),
  stage('qa', { from: 'dev', state: 'stages/qa', address: ADDRESS }),
  stage('qa-new', { from: 'dev', state: 'stages/qa-new', address: ADDRESS }),
  stage('held', { from: 'dev', state: 'stages/qa', address: ADDRESS, hold: 'true' }),
  stage('tainted', { state: 'stages/dev-tainted', address: ADDRESS }),
  stage('after-tainted', { from: 'tainted', state: 'stages/qa', address: ADDRESS }),
  stage('latest', { state: 'stages/variants', address: 'terraform_data.latest.output.image' }),
  stage('after-latest', { from: 'latest', state: 'stages/qa', address: ADDRESS }),
  stage('after-latest-allowed', { from: 'latest', state: 'stages/qa', address: ADDRESS, 'allow-latest': 'true' }),
  stage('untagged', { state: 'stages/variants', address: 'terraform_data.untagged.output.image' }),
  stage('after-untagged', { from: 'untagged', state: 'stages/qa', address: ADDRESS }),
  stage('after-untagged-allowed', { from: 'untagged', state: 'stages/qa', address: ADDRESS, 'allow-latest': 'true' }),
  stage('pinned', { state: 'stages/variants', address: 'terraform_data.pinned.output.image' }),
  stage('after-pinned', { from: 'pinned', state: 'stages/qa', address: ADDRESS }),
  stage('replicas', { state: 'stages/variants', address: 'terraform_data.replicas.output.count' }),
  stage('after-replicas', { from: 'replicas', state: 'stages/qa', address: ADDRESS }),
  stage('fresh', { state: 'stages/soak-fresh', address: ADDRESS }),
  stage('after-fresh', { from: 'fresh', state: 'stages/qa', address: ADDRESS, 'min-soak': '1h' }),
  stage('after-fresh-1d', { from: 'fresh', state: 'stages/qa', address: ADDRESS, 'min-soak': '1d' }),
  stage('soaked', { state: 'stages/soak-old', address: ADDRESS }),
  stage('after-soaked', { from: 'soaked', state: 'stages/qa', address: ADDRESS, 'min-soak': '30m' }),
  stage('nostate', { state: 'stages/missing', address: ADDRESS }),
  stage('after-nostate', { from: 'nostate', state: 'stages/qa', address: ADDRESS }),
  stage('noworkload', { state: 'stages/dev', address: 'terraform_data.web.output.image' }),
  stage('after-noworkload', { from: 'noworkload', state: 'stages/qa', address: ADDRESS }),
  stage('k8s', { state: 'stages/k8s.tfstate', address: 'kubernetes_deployment_v1.backend', container: 'backend' }),
  stage('k8s-qa', { from: 'k8s', state: 'stages/k8s-qa.tfstate', address: 'kubernetes_deployment_v1.backend', container: 'backend' }),
  stage('k8s-worker', { state: 'stages/k8s.tfstate', address: 'kubernetes_deployment_v1.worker' }),
  stage('after-k8s-worker', { from: 'k8s-worker', state: 'stages/k8s-qa.tfstate', address: 'kubernetes_deployment_v1.worker' }),
  // qa's 1.4.2 into a state that runs dev's 1.5.0: a rollback by SemVer.
  stage('back', { from: 'qa', state: 'stages/dev', address: ADDRESS }),
  // `latest` (no version) into qa's 1.4.2: a rollback only by the deployment history.
  stage('hist', { from: 'latest', state: 'stages/qa', address: ADDRESS, 'allow-latest': 'true' }),
  // Images tagged with commit SHAs: related through the compare API.
  stage('sha-dev', { state: 'stages/sha-new.tfstate', address: ADDRESS }),
  stage('sha-qa', { from: 'sha-dev', state: 'stages/sha-old.tfstate', address: ADDRESS }),
].join('')}`;

/** For status: the pipeline plus a stage whose state is not JSON, and one not applied yet. */
const STATUS = `${PIPELINE}${stage('broken', { from: 'prod', state: 'stages/broken.tfstate', address: ADDRESS })}${stage('after-broken', { from: 'broken', state: 'stages/qa', address: ADDRESS })}${stage('dr', { from: 'prod', state: 'stages/platform', workspace: 'dr', address: ADDRESS })}`;

const BROKEN_STATE = '{"version": 4, "serial": 3,\n  "resources": [\n';

// ---------------------------------------------------------------------------------------------
// Helpers

/** Runs a command in the fixture workspace. */
function run(inputs, opts = {}) {
  return runAction(inputs, { workspace: ws, ...opts });
}

function promote(to, inputs = {}) {
  return run({ command: 'promote', to, ...inputs });
}

/** promote with the CASES stages file. */
function promoteCase(to, inputs = {}) {
  return promote(to, { 'stages-file': 'stages-files/cases.yml', ...inputs });
}

/** A failed run: exit 1, exactly one line of stdout, one ::error with these props and message, nothing written. */
function assertFailure(r, props, message) {
  assert.equal(r.code, 1, detail(r));
  assert.deepEqual(r.commands.map((c) => c.command), ['error'], detail(r));
  assert.equal(r.stdout.trim().split('\n').length, 1, detail(r));
  assert.deepEqual(r.errors[0].props, props);
  assert.equal(r.errors[0].message, message);
  assert.equal(r.outputText, '');
  assert.deepEqual(r.outputs, {});
  assertFailureSummary(r, r.command, props.title, props.title === 'invalid stages file' ? undefined : message);
}

/** A refusal of promote: title `promotion refused`, nothing written. */
function assertRefused(r, to, why) {
  assertFailure(r, { title: 'promotion refused' }, `cannot promote into ${to}: ${why}`);
}

function tagOf(image) {
  const m = /:([^:/@]+)(?:@|$)/.exec(image);
  return m ? m[1] : '';
}

/** Everything promote writes. */
function promoted({ image, digest = '', previous = '', changed, from, to }) {
  return {
    image,
    'image-tag': tagOf(image),
    'image-digest': digest,
    'previous-image': previous,
    'previous-image-tag': tagOf(previous),
    changed: String(changed),
    from,
    to,
  };
}

const TABLE_HEAD = '| stage | image | tag | digest | serial |\n|---|---|---|---|---|\n';
const STATUS_HEAD = '| stage | image | tag | digest | serial | relation | since | held | locked |\n|---|---|---|---|---|---|---|---|---|\n';
// The cells here hold nothing Markdown would read as markup, so they appear as written.
/** A row of a stage table; an empty cell shows as the summary's one empty sign, `—`. */
const row = (...cells) => `| ${cells.map((c) => (c === '' ? '—' : c)).join(' | ')} |\n`;

/** Parses `1d 2h 3m 4s` (format_duration's output) into seconds. */
function seconds(text) {
  let total = 0;
  for (const part of text.split(' ')) {
    const m = /^(\d+)([dhms])$/.exec(part);
    assert.ok(m, `not a duration: ${text}`);
    total += Number(m[1]) * { d: 86400, h: 3600, m: 60, s: 1 }[m[2]];
  }
  return total;
}

/** Sets a file's modification time to `secondsAgo` before now; returns that time in ms. */
function age(file, secondsAgo) {
  const at = Date.now() - secondsAgo * 1000;
  fs.utimesSync(file, at / 1000, at / 1000);
  return at;
}

// ---------------------------------------------------------------------------------------------

describe('stages: promote, status, record and lookup `stage` on states written by terraform', { skip }, () => {
  before(() => {
    ws = tempDir('stage-action-stages-');

    const dev = appDir('dev');
    tf(dev, ...APPLY, '-var', `image=${IMG.dev}`);
    const qa = appDir('qa');
    tf(qa, ...APPLY, '-var', `image=${IMG.qa}`);
    const platform = appDir('platform');
    tf(platform, ...APPLY, '-var', `image=${IMG.platformDefault}`);
    tf(platform, 'workspace', 'new', '-no-color', 'prod');
    tf(platform, ...APPLY, '-var', `image=${IMG.prod}`);
    // The directory selects `default` again: only the stage's `workspace: prod` reaches prod.
    tf(platform, 'workspace', 'select', '-no-color', 'default');

    const variants = path.join(ws, 'stages', 'variants');
    write(path.join(variants, 'main.tf'), VARIANTS_TF);
    tf(variants, ...INIT);
    tf(variants, ...APPLY);

    // A copy of dev with its instance tainted (taint needs no provider: it works offline).
    const devTainted = path.join(ws, 'stages', 'dev-tainted');
    fs.cpSync(dev, devTainted, { recursive: true });
    tf(devTainted, 'taint', '-no-color', 'terraform_data.app');

    // Copies of dev whose state files get their modification time set per test.
    for (const name of ['soak-fresh', 'soak-old']) fs.cpSync(dev, path.join(ws, 'stages', name), { recursive: true });

    // A working directory written but never applied: its stage runs nothing yet.
    write(path.join(ws, 'stages', 'qa-new', 'main.tf'), APP_TF);

    fs.copyFileSync(path.join(repoRoot, 'examples', 'dev.tfstate'), path.join(ws, 'stages', 'k8s.tfstate'));
    // dev's state with its image tagged by a commit SHA.
    const devText = fs.readFileSync(path.join(dev, 'terraform.tfstate'), 'utf8');
    write(path.join(ws, 'stages', 'sha-new.tfstate'), devText.replaceAll(IMG.dev, IMG.shaNew));
    write(path.join(ws, 'stages', 'sha-old.tfstate'), devText.replaceAll(IMG.dev, IMG.shaOld));
    write(path.join(ws, 'stages', 'broken.tfstate'), BROKEN_STATE);

    states.dev = JSON.parse(fs.readFileSync(path.join(dev, 'terraform.tfstate'), 'utf8'));
    states.qa = JSON.parse(fs.readFileSync(path.join(qa, 'terraform.tfstate'), 'utf8'));
    states.prod = JSON.parse(fs.readFileSync(path.join(platform, 'terraform.tfstate.d', 'prod', 'terraform.tfstate'), 'utf8'));
    states.platformDefault = JSON.parse(fs.readFileSync(path.join(platform, 'terraform.tfstate'), 'utf8'));

    write(path.join(ws, '.github', 'stages.yml'), PIPELINE);
    write(path.join(ws, 'stages-files', 'cases.yml'), CASES);
    write(path.join(ws, 'stages-files', 'status.yml'), STATUS);
  });

  after(() => {
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  test('fixtures: terraform wrote what the tests expect', () => {
    const image = (s) => s.resources.find((r) => r.name === 'app').instances[0].attributes.output.value.image;
    assert.equal(image(states.dev), IMG.dev);
    assert.equal(image(states.qa), IMG.qa);
    assert.equal(image(states.prod), IMG.prod);
    assert.equal(image(states.platformDefault), IMG.platformDefault);
    assert.equal(fs.readFileSync(path.join(ws, 'stages', 'platform', '.terraform', 'environment'), 'utf8').trim(), 'default');
    const tainted = JSON.parse(fs.readFileSync(path.join(ws, 'stages', 'dev-tainted', 'terraform.tfstate'), 'utf8'));
    assert.equal(tainted.resources.find((r) => r.name === 'app').instances[0].status, 'tainted');
    assert.ok(!fs.existsSync(path.join(ws, 'stages', 'qa-new', 'terraform.tfstate')));
  });

  // -------------------------------------------------------------------------------------------
  describe('promote', () => {
    test('dev runs a newer image than qa: changed, with what qa ran before', () => {
      const r = promote('qa');
      assertClean(r);
      assert.deepEqual(r.outputs, promoted({ image: IMG.dev, previous: IMG.qa, changed: true, from: 'dev', to: 'qa' }));
      assert.equal(r.stdout, `promote ${IMG.dev} from dev into qa\n`);
      // A local state file's modification time is no clock (a checkout resets it): no soak note.
      assert.equal(
        r.summary,
        `### stage-action promote: dev → qa\n\n${TABLE_HEAD}${row('dev', IMG.dev, '1.5.0', '', states.dev.serial)}${row('qa', IMG.qa, '1.4.2', '', states.qa.serial)}\nDecision: promote ${IMG.dev} from dev into qa.\n\n`,
      );
    });

    test('prod (a workspace of another directory) already runs what qa runs: changed false', () => {
      const r = promote('prod');
      assertClean(r);
      // Read from the directory's selected `default` workspace, prod would run 0.9.0: changed true.
      assert.deepEqual(r.outputs, promoted({ image: IMG.qa, previous: IMG.prod, changed: false, from: 'qa', to: 'prod' }));
      assert.equal(r.stdout, `prod already runs ${IMG.prod}: nothing to change\n`);
      assert.ok(r.summary.includes(`Decision: prod already runs ${IMG.prod}: nothing to change.\n`), r.summary);
    });

    test('a target with no state yet: previous-image empty, changed true', () => {
      const r = promoteCase('qa-new');
      assertClean(r);
      assert.deepEqual(r.outputs, promoted({ image: IMG.dev, previous: '', changed: true, from: 'dev', to: 'qa-new' }));
      assert.ok(r.summary.includes(`${TABLE_HEAD}${row('dev', IMG.dev, '1.5.0', '', states.dev.serial)}${row('qa-new', '(no state yet)', '', '', '')}`), r.summary);
    });

    test('a Kubernetes workload (`container`) into a stage with no state yet', () => {
      const r = promoteCase('k8s-qa');
      assertClean(r);
      assert.deepEqual(r.outputs, promoted({ image: K8S_IMAGE, previous: '', changed: true, from: 'k8s', to: 'k8s-qa' }));
    });

    test('image-tag equal to the source tag: promoted', () => {
      const r = promote('qa', { 'image-tag': '1.5.0' });
      assertClean(r);
      assert.deepEqual(r.outputs, promoted({ image: IMG.dev, previous: IMG.qa, changed: true, from: 'dev', to: 'qa' }));
    });

    test('image-tag different from the source tag: refused', () => {
      assertRefused(
        promote('qa', { 'image-tag': '1.4.9' }),
        'qa',
        `image-tag is 1.4.9, but dev runs ${IMG.dev}; promote 1.4.9 once dev runs it, or set image-tag to 1.5.0`,
      );
    });

    test('image-tag given, and the source image has no tag: refused', () => {
      assertRefused(
        promoteCase('after-untagged-allowed', { 'image-tag': '1.5.0' }),
        'after-untagged-allowed',
        `image-tag is 1.5.0, but untagged runs ${REPO}, which has no tag; promote 1.5.0 once untagged runs it, or leave image-tag empty to promote what untagged runs`,
      );
    });

    test('the source instance is tainted: refused', () => {
      assertRefused(
        promoteCase('after-tainted'),
        'after-tainted',
        `tainted's ${ADDRESS} is tainted: Terraform will replace it on the next apply, so what tainted runs is not settled; apply tainted (or untaint it), then promote`,
      );
    });

    test('a tainted Kubernetes workload (pinned by digest): refused', () => {
      assertRefused(
        promoteCase('after-k8s-worker'),
        'after-k8s-worker',
        "k8s-worker's kubernetes_deployment_v1.worker is tainted: Terraform will replace it on the next apply, so what k8s-worker runs is not settled; apply k8s-worker (or untaint it), then promote",
      );
    });

    test('the source runs `latest`: refused unless the target allows it', () => {
      assertRefused(
        promoteCase('after-latest'),
        'after-latest',
        `latest runs ${VARIANT_IMAGES.latest}, and "latest" can name a different image at any time; deploy latest with a pinned tag or digest, or set "allow-latest: true" on after-latest`,
      );
      const r = promoteCase('after-latest-allowed');
      assertClean(r);
      assert.deepEqual(r.outputs, promoted({ image: VARIANT_IMAGES.latest, previous: IMG.qa, changed: true, from: 'latest', to: 'after-latest-allowed' }));
    });

    test('the source image has no tag: refused unless the target allows it', () => {
      assertRefused(
        promoteCase('after-untagged'),
        'after-untagged',
        `untagged runs ${REPO}, which has no tag or digest, so it is whatever "latest" is when pulled; deploy untagged with a pinned tag or digest, or set "allow-latest: true" on after-untagged`,
      );
      const r = promoteCase('after-untagged-allowed');
      assertClean(r);
      assert.deepEqual(r.outputs, promoted({ image: REPO, previous: IMG.qa, changed: true, from: 'untagged', to: 'after-untagged-allowed' }));
    });

    test('`latest` pinned by a digest is pinned: promoted, with the digest', () => {
      const r = promoteCase('after-pinned');
      assertClean(r);
      assert.deepEqual(
        r.outputs,
        promoted({ image: VARIANT_IMAGES.pinned, digest: DIGEST, previous: IMG.qa, changed: true, from: 'pinned', to: 'after-pinned' }),
      );
      assert.equal(r.outputs['image-tag'], 'latest');
    });

    test('the target is on hold: refused', () => {
      assertRefused(promoteCase('held'), 'held', 'held is on hold ("hold: true" in the stages file); set "hold: false" to promote into it again');
    });

    test('the target has no `from`: refused, before any state is read', () => {
      assertRefused(promote('dev'), 'dev', 'dev has no "from" in the stages file, so nothing is promoted into it; deploy to dev directly, or add "from: <stage>" to it');
    });

    test('the source has no state: refused, naming the source stage', () => {
      const r = promoteCase('after-nostate');
      assert.equal(r.code, 1, detail(r));
      assert.equal(r.errors.length, 1, detail(r));
      assert.equal(r.errors[0].props.title, 'state not found');
      // The annotation points at the stage's `state` line in the stages file.
      assertFailure(
        r,
        { title: 'state not found', file: 'stages-files/cases.yml', line: '85' },
        "source stage nostate: stages-files/cases.yml line 85, `state`: state stages/missing does not exist; fix the path, or run this stage's first terraform apply",
      );
      // The path came from the stages file, not from an input: the advice must not send the
      // reader to input `state` (which promote does not even take).
      assert.ok(!r.errors[0].message.includes('input `state`'), `advice names input \`state\`:\n${r.errors[0].message}`);
    });

    test('the source has no such workload: refused, naming the source stage and its address', () => {
      const r = promoteCase('after-noworkload');
      assertFailure(
        r,
        { title: 'address not found', file: 'stages-files/cases.yml', line: '93' },
        'source stage noworkload: stages-files/cases.yml line 93, `address`: address terraform_data.web.output.image not found in stages/dev/terraform.tfstate',
      );
    });

    test('the source address holds no image: refused', () => {
      const r = promoteCase('after-replicas');
      assert.equal(r.code, 1, detail(r));
      assertFailure(r, { title: 'no image' }, r.errors[0].message);
      // (The stage is named twice today: "source stage replicas: stage replicas: …".)
      assert.match(
        r.errors[0].message,
        /^source stage replicas: (stage replicas: )?terraform_data\.replicas\.output\.count in stages\/variants\/terraform\.tfstate holds no image reference; point the stage's `address` at a workload, or at a value such as output\.image$/,
      );
    });

    test('`to` naming an unknown stage', () => {
      assertFailure(promote('uat'), { title: 'invalid input' }, 'input `to`: the stages file has no stage "uat"; its stages are: dev, qa, prod');
    });

    test('`to` missing', () => {
      assertFailure(run({ command: 'promote' }), { title: 'invalid input' }, 'input `to`: is required: the stage to promote into, e.g. qa');
    });

    test('`image-tag` given as a whole reference: refused before any state is read', () => {
      assertFailure(
        promote('qa', { 'image-tag': 'ghcr.io/acme/backend:1.5.0' }),
        { title: 'invalid input' },
        'input `image-tag`: "ghcr.io/acme/backend:1.5.0" is not a tag: give the tag alone (1.4.2), without the image\'s name or digest',
      );
    });

    test('`commit`: the source image tagged with that commit (full, or a prefix either way) is promoted', () => {
      for (const commit of [SHA_NEW, SHA_NEW.slice(0, 7), SHA_NEW.toUpperCase()]) {
        const r = promoteCase('sha-qa', { commit });
        assertClean(r);
        assert.deepEqual(r.outputs, promoted({ image: IMG.shaNew, previous: IMG.shaOld, changed: true, from: 'sha-dev', to: 'sha-qa' }), commit);
      }
      // Empty: no check.
      assertClean(promote('qa', { commit: '' }));
    });

    test('`commit` another than the source image was built from: refused, naming both commits', () => {
      assertRefused(
        promoteCase('sha-qa', { commit: SHA_OLD }),
        'sha-qa',
        `the release's commit is ${SHA_OLD}, but sha-dev runs ${IMG.shaNew}, built from commit ${SHA_NEW}; promote the image of ${SHA_OLD} to sha-dev first, or tag the commit sha-dev runs (${SHA_NEW})`,
      );
    });

    test('`commit` with a source image whose tag is not a SHA: refused, the check needs SHA-tagged images', () => {
      assertRefused(
        promote('qa', { commit: SHA_NEW }),
        'qa',
        `the release's commit is ${SHA_NEW}, but dev runs ${IMG.dev}, whose tag is not a commit SHA, so the commit it was built from is not known: the commit check needs images tagged with the commit SHA they were built from; deploy dev with a SHA-tagged image, or leave commit empty`,
      );
    });

    test('`commit` that is not a SHA: refused before any state is read', () => {
      assertFailure(
        promote('qa', { commit: 'v1.0.0' }),
        { title: 'invalid input' },
        'input `commit`: "v1.0.0" is not a commit SHA: give the release\'s commit, 7 to 40 hex digits (`${{ github.sha }}`)',
      );
    });

    test('stages-file as an absolute path', () => {
      const r = promote('qa-new', { 'stages-file': path.join(ws, 'stages-files', 'cases.yml') });
      assertClean(r);
      assert.equal(r.outputs.image, IMG.dev);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('status', () => {
    test('the pipeline: the `stages` JSON exactly, behind true and false, the summary table', () => {
      const r = run({ command: 'status' });
      assertClean(r);
      assert.deepEqual(Object.keys(r.outputs), ['stages', 'locked']);
      const stages = JSON.parse(r.outputs.stages);
      assert.deepEqual(Object.keys(stages), ['dev', 'qa', 'prod']);
      assert.deepEqual(stages, {
        dev: { image: IMG.dev, tag: '1.5.0', digest: null, serial: states.dev.serial, from: null, relation: null, behind: null, since: null, held: false, locked: null },
        qa: { image: IMG.qa, tag: '1.4.2', digest: null, serial: states.qa.serial, from: 'dev', relation: 'behind', behind: true, since: null, held: false, locked: null },
        prod: { image: IMG.prod, tag: '1.4.2', digest: null, serial: states.prod.serial, from: 'qa', relation: 'same', behind: false, since: null, held: false, locked: null },
      });
      assert.equal(
        r.summary,
        `### stage-action status\n\n${STATUS_HEAD}` +
          row('dev', IMG.dev, '1.5.0', '', states.dev.serial, '', '', '', '') +
          row('qa', IMG.qa, '1.4.2', '', states.qa.serial, 'behind', '', '', '') +
          row('prod', IMG.prod, '1.4.2', '', states.prod.serial, 'same', '', '', '') +
          '\nqa is behind dev.\n\n',
      );
    });

    test('an unreadable stage shows why, in its row and as a warning; the others are still reported', () => {
      const r = run({ command: 'status', 'stages-file': 'stages-files/status.yml' });
      assert.equal(r.code, 0, detail(r));
      assert.deepEqual(r.errors, []);
      assert.equal(r.warnings.length, 1, detail(r));
      assert.deepEqual(r.warnings[0].props, { title: 'stage not readable' });
      const m = /^stage broken: (state stages\/broken\.tfstate is not valid JSON: .+)$/.exec(r.warnings[0].message);
      assert.ok(m, r.warnings[0].message);
      const why = m[1];

      const stages = JSON.parse(r.outputs.stages);
      assert.deepEqual(Object.keys(stages), ['dev', 'qa', 'prod', 'broken', 'after-broken', 'dr']);
      assert.deepEqual(stages, {
        dev: { image: IMG.dev, tag: '1.5.0', digest: null, serial: states.dev.serial, from: null, relation: null, behind: null, since: null, held: false, locked: null },
        qa: { image: IMG.qa, tag: '1.4.2', digest: null, serial: states.qa.serial, from: 'dev', relation: 'behind', behind: true, since: null, held: false, locked: null },
        prod: { image: IMG.prod, tag: '1.4.2', digest: null, serial: states.prod.serial, from: 'qa', relation: 'same', behind: false, since: null, held: false, locked: null },
        broken: { image: null, tag: null, digest: null, serial: null, from: 'prod', relation: null, behind: null, since: null, held: false, locked: null, error: why },
        // Its source cannot be read, so whether it is behind is not known.
        'after-broken': { image: IMG.qa, tag: '1.4.2', digest: null, serial: states.qa.serial, from: 'broken', relation: null, behind: null, since: null, held: false, locked: null },
        // A workspace never applied runs nothing yet: behind the stage it is promoted from.
        dr: { image: null, tag: null, digest: null, serial: null, from: 'prod', relation: 'behind', behind: true, since: null, held: false, locked: null },
      });
      assert.equal(
        r.summary,
        `### stage-action status\n\n${STATUS_HEAD}` +
          row('dev', IMG.dev, '1.5.0', '', states.dev.serial, '', '', '', '') +
          row('qa', IMG.qa, '1.4.2', '', states.qa.serial, 'behind', '', '', '') +
          row('prod', IMG.prod, '1.4.2', '', states.prod.serial, 'same', '', '', '') +
          row('broken', `cannot read: ${why}`, '', '', '', '', '', '', '') +
          row('after-broken', IMG.qa, '1.4.2', '', states.qa.serial, '', '', '', '') +
          row('dr', '(no state yet)', '', '', '', 'behind', '', '', '') +
          '\nqa is behind dev.\n\n' +
          // The warning is listed under the table too, not only as an annotation.
          `#### Warnings\n\n- **stage not readable**: stage broken: ${why}\n\n`,
      );
    });

    test('the cases file: a Kubernetes workload, a digest, stages with no state or an unreadable source', () => {
      const r = run({ command: 'status', 'stages-file': 'stages-files/cases.yml' });
      assert.equal(r.code, 0, detail(r));
      assert.deepEqual(r.errors, []);
      const stages = JSON.parse(r.outputs.stages);
      assert.deepEqual(stages.k8s, { image: K8S_IMAGE, tag: '1.4.2', digest: null, serial: 42, from: null, relation: null, behind: null, since: null, held: false, locked: null });
      assert.deepEqual(stages['k8s-qa'], { image: null, tag: null, digest: null, serial: null, from: 'k8s', relation: 'behind', behind: true, since: null, held: false, locked: null });
      assert.deepEqual(stages.pinned, { image: VARIANT_IMAGES.pinned, tag: 'latest', digest: DIGEST, serial: stages.latest.serial, from: null, relation: null, behind: null, since: null, held: false, locked: null });
      // `latest` against 1.4.2: neither versions nor commits, and no token for the history.
      assert.equal(stages['after-pinned'].relation, 'unknown');
      assert.equal(stages['after-pinned'].behind, null);
      assert.equal(stages.held.behind, true);
      // A source without state: its dependants' `behind` is unknown.
      assert.equal(stages.nostate.image, null);
      assert.equal(stages['after-nostate'].behind, null);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('record', () => {
    let gh;
    before(async () => {
      gh = await startGitHub({ repository: 'acme/app' });
    });
    after(async () => {
      await gh?.close();
    });

    function record(inputs = {}, env = {}) {
      return run(
        { command: 'record', to: 'qa', token: gh.token, ...inputs },
        { env: { ...gh.env, GITHUB_SHA: SHA, GITHUB_RUN_ID: '4242', ...env } },
      );
    }

    /** The token appears in stdout only as its ::add-mask:: line, which comes first; nowhere else. */
    function assertTokenHidden(r) {
      const lines = r.stdout.split('\n');
      assert.equal(lines[0], `::add-mask::${gh.token}`, r.stdout);
      for (const line of lines.slice(1)) assert.ok(!line.includes(gh.token), `token printed:\n${r.stdout}`);
      assert.ok(!r.stderr.includes(gh.token), r.stderr);
      assert.ok(!r.summary.includes(gh.token), r.summary);
      assert.ok(!r.outputText.includes(gh.token), r.outputText);
    }

    test('creates a deployment (environment = stage, ref = GITHUB_SHA) and its success status', () => {
      gh.clearRequests();
      const r = record();
      assert.equal(r.code, 0, detail(r));
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.warnings, []);

      const reqs = gh.requests;
      assert.deepEqual(reqs.map((q) => [q.method, q.route]), [['POST', 'create-deployment'], ['POST', 'create-deployment-status']]);
      const [dep] = gh.deployments();
      assert.equal(reqs[0].path, '/repos/acme/app/deployments');
      assert.equal(reqs[1].path, `/repos/acme/app/deployments/${dep.id}/statuses`);
      for (const q of reqs) {
        assert.equal(q.headers.authorization, `Bearer ${gh.token}`);
        assert.equal(q.status, 201);
      }

      const body = reqs[0].json;
      assert.equal(body.ref, SHA);
      assert.equal(body.environment, 'qa');
      assert.equal(body.auto_merge, false);
      assert.deepEqual(body.required_contexts, []);
      assert.equal(body.payload.image, IMG.qa);
      assert.equal(body.payload.tag, '1.4.2');
      assert.equal(body.payload.digest, null);
      assert.equal(body.payload.from, 'dev');
      assert.equal(body.payload.serial, states.qa.serial);
      assert.deepEqual(body, {
        ref: SHA,
        environment: 'qa',
        description: `qa runs ${IMG.qa}`,
        payload: { image: IMG.qa, tag: '1.4.2', digest: null, from: 'dev', serial: states.qa.serial, state: 'stages/qa/terraform.tfstate', release: null },
        auto_merge: false,
        required_contexts: [],
        task: 'deploy',
        // qa is not the last stage of the stages file.
        production_environment: false,
        transient_environment: false,
      });
      assert.deepEqual(dep.body, body);
      assert.equal(dep.sha, SHA);

      assert.equal(dep.statuses.length, 1);
      assert.equal(dep.statuses[0].state, 'success');
      assert.deepEqual(reqs[1].json, {
        state: 'success',
        description: `qa runs ${IMG.qa}`,
        environment: 'qa',
        auto_inactive: true,
        log_url: 'https://github.com/acme/app/actions/runs/4242',
      });

      assert.deepEqual(r.outputs, { 'deployment-id': String(dep.id) });
      assertTokenHidden(r);
      assert.equal(r.stdout, `::add-mask::${gh.token}\nrecorded deployment ${dep.id}: qa runs ${IMG.qa}\n`);
      assert.ok(r.summary.startsWith('### stage-action record: qa\n'), r.summary);
      assert.ok(r.summary.includes(`| Environment | <code>qa</code> |\n| Image | <code>${IMG.qa}</code> |\n| Commit | <code>${SHA}</code> |`), r.summary);
      assert.ok(r.summary.includes(`| Deployment | <code>${dep.id}</code> |`), r.summary);
    });

    test('a stage in a workspace: the prod deployment, from qa', () => {
      gh.clearRequests();
      const r = record({ to: 'prod' });
      assert.equal(r.code, 0, detail(r));
      const body = gh.lastRequest('create-deployment').json;
      assert.equal(body.environment, 'prod');
      assert.deepEqual(body.payload, { image: IMG.prod, tag: '1.4.2', digest: null, from: 'qa', serial: states.prod.serial, state: 'stages/platform/terraform.tfstate.d/prod/terraform.tfstate', release: null });
      // prod is the last stage: a production environment.
      assert.equal(body.production_environment, true);
      assert.equal(r.outputs['deployment-id'], String(gh.deployments().at(-1).id));
      assertTokenHidden(r);
    });

    test('on a tag push the payload names the release, which guard with versions-from: deployments reads', () => {
      gh.clearRequests();
      const r = record({ to: 'prod' }, { GITHUB_REF: 'refs/tags/v1.4.2' });
      assert.equal(r.code, 0, detail(r));
      assert.equal(gh.lastRequest('create-deployment').json.payload.release, 'v1.4.2');
      const again = run(
        { command: 'guard', token: gh.token, 'versions-from': 'deployments', 'tags-from': 'git', tag: 'v1.4.2' },
        { env: { ...gh.env } },
      );
      assert.equal(again.code, 1, detail(again));
      assert.match(again.errors[0].message, /^v1\.4\.2 may not be released: v1\.4\.2 already exists/);
      const next = run(
        { command: 'guard', token: gh.token, 'versions-from': 'deployments', 'tags-from': 'git', tag: 'v1.4.3' },
        { env: { ...gh.env } },
      );
      assert.equal(next.code, 0, detail(next));
      assert.equal(next.outputs['previous-version'], '1.4.2');
    });

    test('an image tagged with a commit SHA: the deployment\'s ref is that commit; environment-url, production and transient as asked', () => {
      gh.clearRequests();
      const r = record({ to: 'sha-dev', 'stages-file': 'stages-files/cases.yml', 'environment-url': 'https://dev.example.com', 'production-environment': 'false', 'transient-environment': 'true' });
      assert.equal(r.code, 0, detail(r));
      const body = gh.lastRequest('create-deployment').json;
      assert.equal(body.ref, SHA_NEW);
      assert.equal(body.production_environment, false);
      assert.equal(body.transient_environment, true);
      assert.equal(body.payload.image, IMG.shaNew);
      assert.equal(gh.lastRequest('create-deployment-status').json.environment_url, 'https://dev.example.com');
      assert.equal(gh.deployments().at(-1).sha, SHA_NEW);
      assert.ok(r.summary.includes(`| Commit | <code>${SHA_NEW}</code> |`), r.summary);
      assertTokenHidden(r);
    });

    test('a state named by an absolute path: the payload names it relative to the workspace', () => {
      write(path.join(ws, 'stages-files', 'absolute.yml'), `stages:\n${stage('qa', { state: path.join(ws, 'stages', 'qa'), address: ADDRESS })}`);
      const r = record({ 'stages-file': 'stages-files/absolute.yml' });
      assert.equal(r.code, 0, detail(r));
      const body = gh.lastRequest('create-deployment').json;
      assert.equal(body.payload.state, 'stages/qa/terraform.tfstate');
      assert.ok(!JSON.stringify(body).includes(ws), JSON.stringify(body));
      // The only stage is the last: production unless told otherwise.
      assert.equal(body.production_environment, true);
    });

    test('a bad environment-url: an input error, and no request', () => {
      gh.clearRequests();
      assertFailure(
        record({ 'environment-url': 'qa.example.com' }),
        { title: 'invalid input' },
        'input `environment-url`: "qa.example.com" is not an http(s) URL: give where the stage answers, e.g. https://qa.example.com',
      );
      assert.equal(gh.requests.length, 0);
    });

    test('a 403 from the server: one clear error that names the permission record needs; no outputs', () => {
      gh.clearRequests();
      const before = gh.deployments().length;
      gh.setError('create-deployment', 'forbidden');
      let r;
      try {
        r = record();
      } finally {
        gh.setError('create-deployment', null);
      }
      assert.equal(r.code, 1, detail(r));
      assert.equal(r.errors.length, 1, detail(r));
      assert.deepEqual(r.errors[0].props, { title: 'GitHub API error' });
      assert.ok(
        r.errors[0].message.startsWith('cannot create a deployment to qa: GitHub answered 403 "Resource not accessible by integration"; '),
        r.errors[0].message,
      );
      // What to do: record needs `deployments: write` (action.yml's `token` says so).
      assert.ok(r.errors[0].message.includes('deployments: write'), `the 403 error does not name deployments: write:\n${r.errors[0].message}`);
      assert.ok(!r.errors[0].message.includes('contents: read'), r.errors[0].message);
      assert.deepEqual(r.commands.map((c) => c.command), ['add-mask', 'error'], detail(r));
      assertTokenHidden(r);
      assert.equal(r.outputText, '');
      assertFailureSummary(r, 'record', 'GitHub API error');
      assert.equal(gh.deployments().length, before);
      assert.deepEqual(gh.requests.map((q) => [q.route, q.status]), [['create-deployment', 403]]);
    });

    test('without a token: an input error, and no request', () => {
      gh.clearRequests();
      const r = record({ token: undefined }, { GITHUB_SHA: undefined });
      assertFailure(
        r,
        { title: 'invalid input' },
        'input `token`: is required to create a deployment: `token: ${{ github.token }}` with `deployments: write`',
      );
      assert.equal(gh.requests.length, 0);
    });

    test('without GITHUB_SHA or GITHUB_REPOSITORY: the variable is named, not an input', () => {
      gh.clearRequests();
      assertFailure(
        record({}, { GITHUB_SHA: undefined }),
        { title: 'runner environment' },
        'environment variable GITHUB_SHA: recording a deployment needs the commit that was deployed, and it is not set; the runner sets it in every job',
      );
      assertFailure(
        record({}, { GITHUB_REPOSITORY: 'acme' }),
        { title: 'runner environment' },
        'environment variable GITHUB_REPOSITORY: recording a deployment needs the repository as owner/name, and it is "acme"; the runner sets it in every job: is this running outside GitHub Actions?',
      );
      assert.equal(gh.requests.length, 0);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('soak, rollback and relations from recorded deployments', () => {
    let gh;
    const MIN = 60 * 1000;
    before(async () => {
      gh = await startGitHub({ repository: 'acme/app' });
    });
    after(async () => {
      await gh?.close();
    });

    /** Runs a command with the cases file, the token and the loopback API. */
    function withApi(inputs, env = {}) {
      return run({ 'stages-file': 'stages-files/cases.yml', token: gh.token, ...inputs }, { env: { ...gh.env, GITHUB_SHA: SHA, ...env } });
    }
    /** A refusal by a run that had a token: the token's mask, then the one error; no outputs. */
    function assertRefusedMasked(r, to, why) {
      assert.equal(r.code, 1, detail(r));
      assert.deepEqual(r.commands.map((c) => c.command), ['add-mask', 'error'], detail(r));
      assert.deepEqual(r.errors[0].props, { title: 'promotion refused' });
      assert.equal(r.errors[0].message, `cannot promote into ${to}: ${why}`);
      assert.deepEqual(r.outputs, {});
      assert.ok(!r.summary.includes(gh.token), r.summary);
    }
    /** A successful deployment of `image` to `environment`, `minutesAgo` ago. */
    function deployed(environment, image, minutesAgo, states = ['success']) {
      return gh.addDeployment({ environment, payload: { image }, createdAt: Date.now() - minutesAgo * MIN, states });
    }

    test('the loopback API: a deployment the test adds reads as one made through the API', async () => {
      gh.clearDeployments();
      const api = async (method, url, body) => {
        const res = await fetch(`${gh.url}/repos/acme/app${url}`, {
          method,
          headers: { authorization: `Bearer ${gh.token}`, accept: 'application/vnd.github+json', 'content-type': 'application/json' },
          body: body && JSON.stringify(body),
        });
        assert.ok(res.ok, `${method} ${url}: ${res.status}`);
        return res.json();
      };
      const fields = { environment: 'qa', payload: { image: IMG.qa }, ref: SHA, description: 'from qa', transient_environment: true, production_environment: false };
      const made = await api('POST', '/deployments', { ...fields, auto_merge: false, required_contexts: [] });
      await api('POST', `/deployments/${made.id}/statuses`, { state: 'success' });
      gh.addDeployment({ ...fields, states: ['success'] });
      // Alike but for what differs by nature: ids, URLs, times.
      const own = (o) => Object.fromEntries(Object.entries(o).filter(([k]) => !/^(id|node_id|url|statuses_url|deployment_url|created_at|updated_at)$/.test(k)));
      const [added, viaApi] = await api('GET', '/deployments?environment=qa');
      assert.equal(viaApi.id, made.id);
      assert.deepEqual(own(added), own(viaApi));
      assert.equal(added.description, 'from qa');
      assert.equal(added.transient_environment, true);
      const [addedStatus] = await api('GET', `/deployments/${added.id}/statuses`);
      const [apiStatus] = await api('GET', `/deployments/${viaApi.id}/statuses`);
      assert.deepEqual(own(addedStatus), own(apiStatus));
      // Leave nothing for the next test to count.
      gh.clearDeployments();
      gh.clearRequests();
    });

    test('min-soak not met: refused from the recorded deployment, saying how long remains', () => {
      gh.clearDeployments();
      deployed('fresh', IMG.dev, 10);
      const t0 = Date.now();
      const r = withApi({ command: 'promote', to: 'after-fresh' });
      const took = (Date.now() - t0) / 1000;
      const m = /^cannot promote into after-fresh: fresh changed (.+) ago, and after-fresh needs 1h of soak after fresh changes: (.+) left; promote again then$/.exec(r.errors[0]?.message ?? '');
      assert.ok(m, detail(r));
      assertRefusedMasked(r, 'after-fresh', r.errors[0].message.slice('cannot promote into after-fresh: '.length));
      const [elapsed, remaining] = [seconds(m[1]), seconds(m[2])];
      // GitHub's times are whole seconds.
      assert.ok(elapsed >= 599 && elapsed <= 600 + Math.ceil(took), `elapsed ${m[1]}`);
      assert.ok(elapsed + remaining >= 3600 && elapsed + remaining <= 3601, `${m[1]} + ${m[2]}`);
      // The deployments of the source were listed, and the statuses of each read.
      // (The target's are read too: what it ran before tells a rollback.)
      const lists = gh.requestsFor('list-deployments');
      assert.deepEqual(lists.map((q) => q.query.environment), ['fresh', 'after-fresh']);
      const list = lists[0];
      assert.equal(list.headers.authorization, `Bearer ${gh.token}`);
      assert.ok(gh.count('list-deployment-statuses') >= 1);
    });

    test('min-soak in days, not met: "22h left"', () => {
      gh.clearDeployments();
      deployed('fresh', IMG.dev, 120);
      const r = withApi({ command: 'promote', to: 'after-fresh-1d' });
      const m = /^cannot promote into after-fresh-1d: fresh changed (.+) ago, and after-fresh-1d needs 1d of soak after fresh changes: (.+) left; promote again then$/.exec(r.errors[0]?.message ?? '');
      assert.ok(m, detail(r));
      assert.ok(seconds(m[1]) + seconds(m[2]) >= 86400 && seconds(m[1]) + seconds(m[2]) <= 86401);
    });

    test('min-soak met: promoted, and the summary says how long the source ran its image; a re-record does not restart the clock', () => {
      gh.clearDeployments();
      deployed('soaked', IMG.qa, 300);
      deployed('soaked', IMG.dev, 120);
      deployed('soaked', IMG.dev, 5); // the same image recorded again (an apply that only scaled)
      deployed('soaked', IMG.qa, 1, ['failure']); // a failed deployment: not what runs
      const r = withApi({ command: 'promote', to: 'after-soaked' });
      assertClean(r);
      assert.deepEqual(r.outputs, promoted({ image: IMG.dev, previous: IMG.qa, changed: true, from: 'soaked', to: 'after-soaked' }));
      const m = /\n\nsoaked has been unchanged for (.+)\.\n\n$/.exec(r.summary);
      assert.ok(m, r.summary);
      assert.ok(seconds(m[1]) >= 7199 && seconds(m[1]) <= 7205, m[1]);
    });

    test('no deployment records the image: refused, saying to record deployments; an old file time does not count', () => {
      gh.clearDeployments();
      // What a checkout would never give, and what the old clock read: it must not be used.
      age(path.join(ws, 'stages', 'soak-old', 'terraform.tfstate'), 48 * 3600);
      deployed('soaked', IMG.qa, 600); // the latest recorded deployment is of another image
      assertRefusedMasked(
        withApi({ command: 'promote', to: 'after-soaked' }),
        'after-soaked',
        'after-soaked needs 30m of soak after soaked changes, but since when soaked runs its image is not known: no successful deployment to soaked records it, and soaked\'s backend keeps no change time; record each deployment of soaked with `command: record` after its apply, or remove min-soak from after-soaked',
      );
    });

    test('another tool deployed since: no clock (it may have changed what runs), and its statuses are not read', () => {
      gh.clearDeployments();
      deployed('soaked', IMG.dev, 600);
      gh.addDeployment({ environment: 'soaked', payload: {}, createdAt: Date.now() - 5 * MIN });
      gh.clearRequests();
      const r = withApi({ command: 'promote', to: 'after-soaked' });
      assert.equal(r.code, 1, detail(r));
      assert.match(r.errors[0].message, /since when soaked runs its image is not known/);
      assert.equal(gh.count('list-deployment-statuses'), 1);
    });

    test('min-soak without a token: refused, saying the token is needed', () => {
      gh.clearRequests();
      assertRefused(
        run({ command: 'promote', to: 'after-soaked', 'stages-file': 'stages-files/cases.yml' }, { env: gh.env }),
        'after-soaked',
        'after-soaked needs 30m of soak after soaked changes, and since when soaked runs its image is read from the deployments `command: record` records, but no token is set to read them; set `token: ${{ github.token }}` with `deployments: read`, or remove min-soak from after-soaked',
      );
      assert.equal(gh.requests.length, 0);
    });

    test('the deployments cannot be read for min-soak: the API error, naming deployments: read', () => {
      gh.setError('list-deployments', 'forbidden');
      let r;
      try {
        r = withApi({ command: 'promote', to: 'after-soaked' });
      } finally {
        gh.setError('list-deployments', null);
      }
      assert.equal(r.code, 1, detail(r));
      assert.deepEqual(r.errors[0].props, { title: 'GitHub API error' });
      assert.ok(r.errors[0].message.startsWith('cannot list the deployments to soaked: GitHub answered 403'), r.errors[0].message);
      assert.ok(r.errors[0].message.includes('deployments: read'), r.errors[0].message);
    });

    test('a lower SemVer version: refused as a rollback; allow-rollback does it, with a warning in the summary', () => {
      gh.clearDeployments();
      assertRefusedMasked(
        withApi({ command: 'promote', to: 'back' }),
        'back',
        `back runs 1.5.0 (${IMG.dev}), and 1.4.2 is a lower version: promoting it takes back back; set \`allow-rollback: true\` to roll back on purpose`,
      );
      // Without a token too: the versions alone tell.
      assertRefused(promoteCase('back'), 'back', `back runs 1.5.0 (${IMG.dev}), and 1.4.2 is a lower version: promoting it takes back back; set \`allow-rollback: true\` to roll back on purpose`);
      const r = withApi({ command: 'promote', to: 'back', 'allow-rollback': 'true' });
      assert.equal(r.code, 0, detail(r));
      assert.deepEqual(r.errors, []);
      const warning = `back runs 1.5.0 (${IMG.dev}), and 1.4.2 is a lower version: promoting it takes back back (\`allow-rollback: true\`)`;
      assert.deepEqual(r.warnings.map((w) => [w.props.title, w.message]), [['rollback', warning]]);
      assert.deepEqual(r.outputs, promoted({ image: IMG.qa, previous: IMG.dev, changed: true, from: 'qa', to: 'back' }));
      assert.ok(r.summary.includes(`\n\nRollback: back runs 1.5.0 (${IMG.dev}), and 1.4.2 is a lower version: promoting it takes back back`), r.summary);
    });

    test('an image the target ran before and left: refused from its deployment history', () => {
      gh.clearDeployments();
      deployed('hist', IMG.qa, 60);
      deployed('hist', VARIANT_IMAGES.latest, 600);
      assertRefusedMasked(
        withApi({ command: 'promote', to: 'hist' }),
        'hist',
        `hist ran ${VARIANT_IMAGES.latest} before and left it for ${IMG.qa}: promoting it takes hist back; set \`allow-rollback: true\` to roll back on purpose`,
      );
      assert.equal(gh.lastRequest('list-deployments').query.environment, 'hist');
      // A failed deployment of it is not "ran before".
      gh.clearDeployments();
      deployed('hist', IMG.qa, 60);
      deployed('hist', VARIANT_IMAGES.latest, 600, ['failure']);
      assertClean(withApi({ command: 'promote', to: 'hist' }));
      // The history cannot be read: a warning, and the versions decide (`latest` is none).
      gh.setError('list-deployments', 'forbidden');
      let r;
      try {
        r = withApi({ command: 'promote', to: 'hist' });
      } finally {
        gh.setError('list-deployments', null);
      }
      assert.equal(r.code, 0, detail(r));
      assert.deepEqual(r.warnings.map((w) => w.props.title), ['deployments not readable']);
    });

    test('status: relation, since, held and locked; a newer stage is ahead, not behind', () => {
      gh.clearDeployments();
      deployed('dev', IMG.dev, 90);
      gh.setCompare({ [`${SHA_OLD.slice(0, 12)}...${SHA_NEW}`]: 'ahead' });
      const r = withApi({ command: 'status' });
      assert.equal(r.code, 0, detail(r));
      assert.deepEqual(r.errors, []);
      const stages = JSON.parse(r.outputs.stages);
      assert.equal(stages.qa.relation, 'behind');
      assert.equal(stages.qa.behind, true);
      // back runs 1.5.0, its source qa 1.4.2: ahead.
      assert.equal(stages.back.relation, 'ahead');
      assert.equal(stages.back.behind, false);
      // By the commits of SHA tags, through the compare API.
      assert.equal(stages['sha-qa'].relation, 'behind');
      assert.equal(gh.lastRequest('compare').params.basehead, `${SHA_OLD.slice(0, 12)}...${SHA_NEW}`);
      assert.equal(stages['after-pinned'].relation, 'unknown');
      assert.equal(stages['after-pinned'].behind, null);
      assert.equal(stages.held.held, true);
      assert.equal(stages.held.relation, 'behind');
      assert.equal(stages.dev.relation, null);
      // Since: from the recorded deployment; none for a stage without one.
      const since = Date.parse(stages.dev.since);
      assert.ok(Math.abs(since - (Date.now() - 90 * MIN)) < 5000, stages.dev.since);
      assert.equal(stages.qa.since, null);
      const header = '| stage | image | tag | digest | serial | relation | since | held | locked |\n';
      assert.ok(r.summary.includes(header), r.summary);
      assert.ok(r.summary.includes('\nback is ahead of qa.\n'), r.summary);
      assert.ok(r.summary.includes(row('held', IMG.qa, '1.4.2', '', states.qa.serial, 'behind', '', 'yes', '')), r.summary);
      // The whole summary: every stage's row, the relations under it, the warning.
      // Since shows the deployment's time in UTC; Markdown's `@` and backquote are escaped.
      const devSince = stages.dev.since.replace('T', ' ').replace('Z', ' UTC');
      const replicas = "terraform_data.replicas.output.count in stages/variants/terraform.tfstate holds no image reference; point the stage's \\`address\\` at a workload, or at a value such as output.image";
      // A stage reading stages/qa (1.4.2); the sha-* states are copies of dev's.
      const qa = (name, relation) => row(name, IMG.qa, '1.4.2', '', states.qa.serial, relation, '', '', '');
      assert.equal(
        r.summary,
        `### stage-action status\n\n${STATUS_HEAD}` +
          row('dev', IMG.dev, '1.5.0', '', states.dev.serial, '', devSince, '', '') +
          qa('qa', 'behind') +
          row('qa-new', '(no state yet)', '', '', '', 'behind', '', '', '') +
          row('held', IMG.qa, '1.4.2', '', states.qa.serial, 'behind', '', 'yes', '') +
          row('tainted', IMG.dev, '1.5.0', '', 3, '', '', '', '') +
          qa('after-tainted', 'behind') +
          row('latest', VARIANT_IMAGES.latest, 'latest', '', 5, '', '', '', '') +
          qa('after-latest', 'unknown') +
          qa('after-latest-allowed', 'unknown') +
          row('untagged', VARIANT_IMAGES.untagged, '', '', 5, '', '', '', '') +
          qa('after-untagged', 'unknown') +
          qa('after-untagged-allowed', 'unknown') +
          row('pinned', VARIANT_IMAGES.pinned.replace('@', '\\@'), 'latest', DIGEST, 5, '', '', '', '') +
          qa('after-pinned', 'unknown') +
          row('replicas', `cannot read: ${replicas}`, '', '', '', '', '', '', '') +
          qa('after-replicas', '') +
          row('fresh', IMG.dev, '1.5.0', '', states.dev.serial, '', '', '', '') +
          qa('after-fresh', 'behind') +
          qa('after-fresh-1d', 'behind') +
          row('soaked', IMG.dev, '1.5.0', '', states.dev.serial, '', '', '', '') +
          qa('after-soaked', 'behind') +
          row('nostate', '(no state yet)', '', '', '', '', '', '', '') +
          qa('after-nostate', '') +
          row('noworkload', '(no state yet)', '', '', '', '', '', '', '') +
          qa('after-noworkload', '') +
          row('k8s', K8S_IMAGE, '1.4.2', '', 42, '', '', '', '') +
          row('k8s-qa', '(no state yet)', '', '', '', 'behind', '', '', '') +
          row('k8s-worker', `ghcr.io/acme/worker\\@sha256:${'3f'.repeat(32)}`, '', `sha256:${'3f'.repeat(32)}`, 42, '', '', '', '') +
          row('after-k8s-worker', '(no state yet)', '', '', '', 'behind', '', '', '') +
          row('back', IMG.dev, '1.5.0', '', states.dev.serial, 'ahead', '', '', '') +
          qa('hist', 'unknown') +
          row('sha-dev', IMG.shaNew, SHA_NEW, '', states.dev.serial, '', '', '', '') +
          row('sha-qa', IMG.shaOld, SHA_OLD.slice(0, 12), '', states.dev.serial, 'behind', '', '', '') +
          '\nqa is behind dev.\n\nheld is behind dev.\n\nafter-tainted is behind tainted.\n\nafter-fresh is behind fresh.\n\n' +
          'after-fresh-1d is behind fresh.\n\nafter-soaked is behind soaked.\n\nback is ahead of qa.\n\nsha-qa is behind sha-dev.\n\n' +
          `#### Warnings\n\n- **stage not readable**: stage replicas: ${replicas}\n\n`,
      );
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('lookup with `stage`', () => {
    test('stage: prod reads the stage\'s state, workspace and address', () => {
      const r = run({ command: 'lookup', stage: 'prod' });
      assertClean(r);
      assert.deepEqual(r.outputs, {
        value: IMG.prod,
        image: IMG.prod,
        'image-repository': REPO,
        'image-tag': '1.4.2',
        'image-digest': '',
        container: '',
        serial: String(states.prod.serial),
        lineage: states.prod.lineage,
        'terraform-version': states.prod.terraform_version,
        locked: 'false',
      });
    });

    test('stage with a container, from another stages file', () => {
      const r = run({ command: 'lookup', stage: 'k8s', 'stages-file': 'stages-files/cases.yml' });
      assertClean(r);
      assert.equal(r.outputs.image, K8S_IMAGE);
      assert.equal(r.outputs.container, 'backend');
      assert.equal(r.outputs.serial, '42');
    });

    test('a stage whose `container` the workload lacks: the stages file line is blamed, not an input', () => {
      const file = 'stages-files/nope.yml';
      write(path.join(ws, file), [
        'stages:',
        '  dev:',
        '    state: stages/k8s.tfstate',
        '    address: kubernetes_deployment_v1.backend',
        '    container: nope',
        '  qa:',
        '    from: dev',
        '    state: stages/k8s-qa.tfstate',
        '    address: kubernetes_deployment_v1.backend',
        '',
      ].join('\n'));
      const why = 'kubernetes_deployment_v1.backend has no container "nope"; its containers are: migrate (init), backend, metrics';
      assertFailure(
        run({ command: 'promote', to: 'qa', 'stages-file': file }),
        { title: 'container not found', file, line: '5' },
        `source stage dev: ${file} line 5, \`container\`: ${why}`,
      );
      assertFailure(
        run({ command: 'lookup', stage: 'dev', 'stages-file': file }),
        { title: 'container not found', file, line: '5' },
        `${file} line 5, \`container\`: ${why}`,
      );
    });

    test('`stage` with `address` is an input error', () => {
      assertFailure(
        run({ command: 'lookup', stage: 'prod', address: ADDRESS }),
        { title: 'invalid input' },
        'input `address`: cannot be combined with `stage`, which takes it from the stages file; remove `address` or `stage`',
      );
    });

    test('`stage` with `state` and `container`: one line each', () => {
      assertFailure(
        run({ command: 'lookup', stage: 'prod', state: 'stages/qa', container: 'web' }),
        { title: 'invalid input' },
        'input `state`: cannot be combined with `stage`, which takes it from the stages file; remove `state` or `stage`\ninput `container`: cannot be combined with `stage`, which takes it from the stages file; remove `container` or `stage`',
      );
    });

    test('an unknown stage', () => {
      assertFailure(run({ command: 'lookup', stage: 'uat' }), { title: 'invalid input' }, 'input `stage`: the stages file has no stage "uat"; its stages are: dev, qa, prod');
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('stages file validation', () => {
    /** Writes `text` as stages-files/<name> and runs `command` with it. */
    function withFile(name, text, inputs = { command: 'status' }) {
      write(path.join(ws, 'stages-files', name), text);
      return run({ 'stages-file': `stages-files/${name}`, ...inputs });
    }

    /**
     * exit 1, nothing written, and one ::error titled `invalid stages file` for each of
     * `problems`, at its own line of `file` (the first at `line`).
     */
    function assertInvalid(r, file, line, problems) {
      assert.equal(r.code, 1, detail(r));
      assert.deepEqual(r.commands.map((c) => c.command), problems.map(() => 'error'), detail(r));
      assert.deepEqual(
        r.errors.map((e) => [e.props, e.message]),
        problems.map((p) => [{ title: 'invalid stages file', file, line: /^line (\d+)/.exec(p)[1] }, `${file}: ${p}`]),
      );
      assert.equal(r.errors[0].props.line, String(line));
      assert.deepEqual(r.outputs, {});
      assertFailureSummary(r, r.command, 'invalid stages file');
      assert.ok(r.summary.includes(`is not a valid stages file:\n\n- line ${line}, `), r.summary);
    }

    const MULTI = [
      'stages:', //                                   1
      '  dev:', //                                    2  no address
      '    state: stages/dev', //                     3
      `    adress: ${ADDRESS}`, //                    4  unknown key
      '  qa:', //                                     5
      '    from: dve', //                             6  unknown from
      '    state: stages/qa', //                      7
      `    address: ${ADDRESS}`, //                   8
      '    min_soak: 2h', //                          9  unknown key
      '  a:', //                                      10
      '    from: b', //                               11 a cycle
      '    state: stages/a', //                       12
      `    address: ${ADDRESS}`, //                   13
      '  b:', //                                      14
      '    from: a', //                               15
      '    state: stages/b', //                       16
      `    address: ${ADDRESS}`, //                   17
      '',
    ].join('\n');

    test('every problem at once, each an annotation at its own line', () => {
      assertInvalid(withFile('multi.yml', MULTI), 'stages-files/multi.yml', 2, [
        'line 2, column 3: stage "dev" has no "address"; add the Terraform address of what runs its image, e.g. address: kubernetes_deployment_v1.backend',
        'line 4, column 5: stage "dev": unknown setting "adress"; did you mean "address"?',
        'line 6, column 11: stage "qa": "from" names "dve", which is not a stage; did you mean "dev"?',
        'line 9, column 5: stage "qa": unknown setting "min_soak"; did you mean "min-soak"?',
        'line 11, column 11: the stages are promoted in a circle: a → b → a; the stage that comes first must have no "from"',
      ]);
    });

    test('past ten problems, the rest are listed in the log after a count', () => {
      const text = `stages:\n  dev:\n    state: stages/dev\n    address: ${ADDRESS}\n${Array.from({ length: 12 }, (_, i) => `    extra${i}: x\n`).join('')}`;
      const r = withFile('many.yml', text);
      assert.equal(r.code, 1, detail(r));
      assert.deepEqual(r.errors.map((e) => e.props.line), ['5', '6', '7', '8', '9', '10', '11', '12', '13', '14']);
      const lines = r.stdout.trim().split('\n').filter((l) => !l.startsWith('::'));
      assert.deepEqual(lines, [
        '2 more problems in stages-files/many.yml:',
        'stages-files/many.yml: line 15, column 5: stage "dev": unknown setting "extra10"; the settings are state, workspace, backend, backend-config, address, container, from, allow-latest, min-soak and hold',
        'stages-files/many.yml: line 16, column 5: stage "dev": unknown setting "extra11"; the settings are state, workspace, backend, backend-config, address, container, from, allow-latest, min-soak and hold',
      ]);
    });

    test('the default .github/stages.yml is validated before promote reads any state', () => {
      const dir = tempDir('stage-action-stages-invalid-');
      try {
        write(path.join(dir, '.github', 'stages.yml'), MULTI);
        const r = runAction({ command: 'promote', to: 'qa' }, { workspace: dir });
        assert.equal(r.code, 1, detail(r));
        assert.deepEqual(r.errors.map((e) => [e.props.file, e.props.line]), [['.github/stages.yml', '2'], ['.github/stages.yml', '4'], ['.github/stages.yml', '6'], ['.github/stages.yml', '9'], ['.github/stages.yml', '11']], detail(r));
        assert.ok(r.errors[0].message.startsWith('.github/stages.yml: line 2, column 3: '), r.errors[0].message);
        assert.deepEqual(r.outputs, {});
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('YAML syntax error: one problem, at its line', () => {
      const r = withFile('syntax.yml', `stages:\n  dev:\n    state: stages/dev\n    address: [${ADDRESS}\n  qa:\n    state: stages/qa\n`);
      assert.equal(r.code, 1, detail(r));
      assert.equal(r.errors.length, 1, detail(r));
      const { props, message } = r.errors[0];
      assert.equal(props.title, 'invalid stages file');
      assert.equal(props.file, 'stages-files/syntax.yml');
      const m = /^stages-files\/syntax\.yml: line (\d+), column \d+: not valid YAML: [^\n]+$/.exec(message);
      assert.ok(m, message);
      assert.equal(props.line, m[1]);
      assert.ok(Number(m[1]) >= 4, message);
      assertFailure(r, props, message);
    });

    test('YAML indented with a tab: says so', () => {
      const r = withFile('tab.yml', `stages:\n  dev:\n\tstate: stages/dev\n    address: ${ADDRESS}\n`);
      assert.equal(r.code, 1, detail(r));
      const { props, message } = r.errors[0];
      assert.deepEqual(props, { title: 'invalid stages file', file: 'stages-files/tab.yml', line: '3' });
      assert.match(message, /^stages-files\/tab\.yml: line 3, column \d+: not valid YAML: .+ \(this line is indented with a tab; YAML indents with spaces only\)$/);
      assertFailure(r, props, message);
    });

    test('an unknown key, with a suggestion', () => {
      assertInvalid(
        withFile('unknown-key.yml', `stages:\n  dev:\n    state: stages/dev\n    address: ${ADDRESS}\n    form: qa\n`),
        'stages-files/unknown-key.yml',
        5,
        ['line 5, column 5: stage "dev": unknown setting "form"; did you mean "from"?'],
      );
    });

    test('an unknown key, nothing close: the settings are listed', () => {
      assertInvalid(
        withFile('unknown-key2.yml', `stages:\n  dev:\n    state: stages/dev\n    address: ${ADDRESS}\n    replicas: 3\n`),
        'stages-files/unknown-key2.yml',
        5,
        ['line 5, column 5: stage "dev": unknown setting "replicas"; the settings are state, workspace, backend, backend-config, address, container, from, allow-latest, min-soak and hold'],
      );
    });

    test('an unknown `from`', () => {
      assertInvalid(
        withFile('unknown-from.yml', `stages:\n  dev:\n    state: stages/dev\n    address: ${ADDRESS}\n  qa:\n    from: staging\n    state: stages/qa\n    address: ${ADDRESS}\n`),
        'stages-files/unknown-from.yml',
        6,
        ['line 6, column 11: stage "qa": "from" names "staging", which is not a stage; the stages are dev and qa'],
      );
    });

    test('a cycle through three stages', () => {
      const s = (name, from) => `  ${name}:\n    from: ${from}\n    state: stages/${name}\n    address: ${ADDRESS}\n`;
      assertInvalid(
        withFile('cycle.yml', `stages:\n${s('dev', 'prod')}${s('qa', 'dev')}${s('prod', 'qa')}`),
        'stages-files/cycle.yml',
        3,
        ['line 3, column 11: the stages are promoted in a circle: dev → qa → prod → dev; the stage that comes first must have no "from"'],
      );
    });

    test('a missing address', () => {
      assertInvalid(
        withFile('no-address.yml', `stages:\n  dev:\n    state: stages/dev\n    address: ${ADDRESS}\n  qa:\n    from: dev\n    state: stages/qa\n`, { command: 'promote', to: 'qa' }),
        'stages-files/no-address.yml',
        5,
        ['line 5, column 3: stage "qa" has no "address"; add the Terraform address of what runs its image, e.g. address: kubernetes_deployment_v1.backend'],
      );
    });

    test('an invalid min-soak and a quoted boolean', () => {
      assertInvalid(
        withFile('values.yml', `stages:\n  dev:\n    state: stages/dev\n    address: ${ADDRESS}\n  qa:\n    from: dev\n    state: stages/qa\n    address: ${ADDRESS}\n    min-soak: 1.5h\n    hold: yes\n`),
        'stages-files/values.yml',
        9,
        [
          'line 9, column 15: stage "qa": "min-soak: 1.5h" is not a valid soak time: fractions are not supported; use a smaller unit instead (90m, not 1.5h)',
          'line 10, column 11: stage "qa": "hold" must be true or false, not yes (in YAML 1.2, yes, no, on and off are words, not booleans)',
        ],
      );
    });

    test('a missing stages file', () => {
      const dir = tempDir('stage-action-stages-none-');
      try {
        for (const inputs of [{ command: 'status' }, { command: 'promote', to: 'qa' }]) {
          assertFailure(
            runAction(inputs, { workspace: dir }),
            { title: 'invalid stages file', file: '.github/stages.yml' },
            'the stages file .github/stages.yml does not exist; create it (see "Stages" in the README), or set input `stages-file`',
          );
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a missing stages file named by `stages-file`', () => {
      assertFailure(
        run({ command: 'lookup', stage: 'dev', 'stages-file': 'ci/stages.yaml' }),
        { title: 'invalid stages file', file: 'ci/stages.yaml' },
        'the stages file ci/stages.yaml does not exist; create it (see "Stages" in the README), or set input `stages-file`',
      );
    });
  });
});
