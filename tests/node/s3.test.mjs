// The s3 backend through `node dist/index.js`, as the runner runs it: moto's server on loopback,
// behind tests/servers/s3/verifier.py (every SigV4 signature checked with botocore against the
// same secret; STS served and checked), into which the real Terraform 1.11 wrote the states
// (tests/servers/s3/start.mjs). moto_server, python3 or terraform missing fails these tests under
// CI=true (.ci/run installs them).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runAction, tempDir, writeFile, detail, assertMasked, failedWith, assertFailureSummary } from './harness.mjs';
import { terraform, terraformSkip } from './terraform-cli.mjs';
import { startS3, KEYS, DENIED, WEB, ROLE, SSE_KEY, KEY, BUCKET } from '../servers/s3/start.mjs';

const ADDRESS = 'output.image';
const LOCK = 'locked by deployer@runner-7 for apply since 2026-11-29T05:42:19.510022006Z';
let s3;

before(async () => {
  if (!terraform) return;
  s3 = await startS3();
});

after(() => s3?.stop());

const skip = terraformSkip;

/** Every request the verifier saw since `from` (an index into its log). */
const seen = (from = 0) => fs.readFileSync(s3.log, 'utf8').trim().split('\n').slice(from).map((l) => JSON.parse(l));
const mark = () => fs.readFileSync(s3.log, 'utf8').trim().split('\n').length;

/** lookup with backend s3, `backend-config` lines (default: the lockfile directory's), the env of a workflow with keys. */
function lookup({ config = s3.inputs['backend-config'], workspace, env = {}, extra = {} } = {}) {
  return runAction(
    { command: 'lookup', backend: 's3', 'backend-config': config, address: ADDRESS, ...(workspace ? { workspace } : {}), ...extra },
    { env: { ...s3.env, ...env }, timeout: 90_000 },
  );
}

function assertImage(r, workspace) {
  assert.equal(r.code, 0, detail(r));
  assert.deepEqual(r.errors, [], detail(r));
  assert.equal(r.outputs.image, `registry.example.com/app:${workspace}-v1`, detail(r));
}

const configFor = (name, extra = []) => [
  `bucket=${BUCKET}`,
  `key=${KEY[name]}`,
  `endpoints={ s3 = "${s3.endpoint}", sts = "${s3.endpoint}", dynamodb = "${s3.endpoint}" }`,
  'use_path_style=true',
  ...extra,
].join('\n');

describe('s3 backend through dist', { skip }, () => {
  test('the keys aws-actions/configure-aws-credentials exports read default and staging; the secret is masked', () => {
    const from = mark();
    const r = lookup();
    assertImage(r, 'default');
    assert.equal(r.outputs.locked, 'false');
    assertMasked(r, KEYS.secret);
    assertImage(lookup({ workspace: 'staging' }), 'staging');
    const requests = seen(from);
    assert.ok(requests.every((q) => q.decision === 'forwarded'), JSON.stringify(requests));
    // `env:` is percent-encoded in the path, and signed so.
    assert.ok(requests.some((q) => q.method === 'GET' && q.path === `/${BUCKET}/env%3A/staging/${KEY.lockfile}`), JSON.stringify(requests));
  });

  test('discovery: the directory terraform init ran in, its workspace chosen by TF_WORKSPACE', () => {
    for (const ws of ['default', 'staging']) {
      const r = runAction({ command: 'lookup', state: s3.dirs.lockfile, address: ADDRESS }, { env: { ...s3.env, TF_WORKSPACE: ws }, timeout: 90_000 });
      assertImage(r, ws);
    }
  });

  test('keys written in backend-config win over the environment, and are masked', () => {
    const r = lookup({ config: `${s3.inputs['backend-config']}\naccess_key=${KEYS.id}\nsecret_key=${KEYS.secret}`, env: { AWS_ACCESS_KEY_ID: DENIED.id, AWS_SECRET_ACCESS_KEY: DENIED.secret } });
    assertImage(r, 'default');
    assertMasked(r, KEYS.secret);
    // The environment's keys, unused, are not the action's to mask (configure-aws-credentials masks them); they never print.
    for (const text of [r.stdout, r.stderr, r.summary, r.outputText]) assert.ok(!text.includes(DENIED.secret));
  });

  test('a profile of the shared credentials file', () => {
    const dir = tempDir('stage-action-s3-profile-');
    writeFile(path.join(dir, 'credentials'), `[ci]\naws_access_key_id = ${KEYS.id}\naws_secret_access_key = ${KEYS.secret}\n`);
    const r = lookup({ env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: 'ci', AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials') } });
    assertImage(r, 'default');
    for (const text of [r.stdout, r.stderr, r.summary, r.outputText]) assert.ok(!text.includes(KEYS.secret));
  });

  test('SSE-C: the customer key from AWS_SSE_CUSTOMER_KEY goes with the state\'s GET, and is masked', () => {
    const from = mark();
    const r = lookup({ config: configFor('ssec', ['use_lockfile=true']), env: { AWS_SSE_CUSTOMER_KEY: SSE_KEY } });
    assertImage(r, 'default');
    assertMasked(r, SSE_KEY);
    const get = seen(from).find((q) => q.method === 'GET' && q.path === `/${BUCKET}/${KEY.ssec}`);
    assert.equal(get.sse['x-amz-server-side-encryption-customer-algorithm'], 'AES256');
    assert.equal(get.sse['x-amz-server-side-encryption-customer-key-md5'], 'hRasmdxgYDKV3nvbahU1MA==');
    assert.ok(get.signed.includes('x-amz-server-side-encryption-customer-key-md5'));
  });

  test('no state yet names the object and the workspaces that have one', () => {
    const r = lookup({ workspace: 'green' });
    assert.equal(
      failedWith(r, 'state not found'),
      `workspace "green" (selected by input \`workspace\`) has no state in the s3 backend at s3://${BUCKET}: looked for object env:/green/${KEY.lockfile}; workspaces with a state: default, held, staging; set input \`workspace\` to one of them`,
    );
  });
});

describe('s3: Terraform\'s locks', { skip }, () => {
  test('use_lockfile: the .tflock object says who holds the lock; lookup warns and sets locked', () => {
    const r = lookup({ workspace: 'held' });
    assertImage(r, 'held');
    assert.equal(r.outputs.locked, 'true');
    assert.deepEqual(r.warnings.map((w) => [w.props.title, w.message]), [
      ['state locked', `state s3://${BUCKET}/env:/held/${KEY.lockfile} is ${LOCK}: an apply may be in progress, and the state about to change`],
    ]);
  });

  test('dynamodb_table: the lock item says who holds the lock; the free workspace is not locked', () => {
    const config = configFor('ddb', ['dynamodb_table=tf-locks']);
    const free = lookup({ config });
    assertImage(free, 'default');
    assert.equal(free.outputs.locked, 'false');
    const r = lookup({ config, workspace: 'held' });
    assertImage(r, 'held');
    assert.equal(r.outputs.locked, 'true');
    assert.equal(r.warnings[0].message, `state s3://${BUCKET}/env:/held/${KEY.ddb} is ${LOCK}: an apply may be in progress, and the state about to change`);
  });

  test('promote into the held stage is refused, naming the lock', () => {
    const ws = tempDir('stage-action-s3-stages-');
    const stage = (name, workspace, from) => [
      `  ${name}:`,
      ...(from ? [`    from: ${from}`] : []),
      '    backend: s3',
      '    backend-config:',
      `      bucket: ${BUCKET}`,
      `      key: ${KEY.lockfile}`,
      `      endpoints: { s3: "${s3.endpoint}" }`,
      '      use_path_style: true',
      '      use_lockfile: true',
      `    workspace: ${workspace}`,
      `    address: ${ADDRESS}`,
    ].join('\n');
    writeFile(path.join(ws, '.github', 'stages.yml'), ['stages:', stage('dev', 'default'), stage('qa', 'held', 'dev'), ''].join('\n'));
    const r = runAction({ command: 'promote', to: 'qa' }, { workspace: ws, env: s3.env, timeout: 90_000 });
    assert.equal(
      failedWith(r, 'promotion refused'),
      `cannot promote into qa: the state of qa is ${LOCK}: an apply may be in progress; promote once it has finished, or set \`allow-locked: true\` to promote anyway`,
    );
    assertFailureSummary(r, 'promote', 'promotion refused');
    const status = runAction({ command: 'status' }, { workspace: ws, env: s3.env, timeout: 90_000 });
    assert.equal(status.code, 0, detail(status));
    assert.equal(status.outputs.locked, 'true');
  });

  test("min-soak counts from the object's Last-Modified (when terraform wrote it), not from a file in the checkout", () => {
    const ws = tempDir('stage-action-s3-soak-');
    const stage = (name, extra) => [
      `  ${name}:`,
      ...extra,
      '    backend: s3',
      '    backend-config:',
      `      bucket: ${BUCKET}`,
      `      key: ${KEY.lockfile}`,
      `      endpoints: { s3: "${s3.endpoint}" }`,
      '      use_path_style: true',
      '    workspace: default',
      `    address: ${ADDRESS}`,
    ].join('\n');
    writeFile(path.join(ws, '.github', 'stages.yml'), ['stages:', stage('dev', []), stage('qa', ['    from: dev', '    min-soak: 30d']), ''].join('\n'));
    const r = runAction({ command: 'promote', to: 'qa' }, { workspace: ws, env: s3.env, timeout: 90_000 });
    // terraform wrote dev's state when the suite started: seconds or minutes ago, never unknown.
    assert.match(failedWith(r, 'promotion refused'), /^cannot promote into qa: dev changed (\d+[dhms] ?)+ ago, and qa needs 30d of soak after dev changes: .* left; promote again then$/);
  });
});

describe('s3: credentials a workflow has', { skip }, () => {
  test('web identity: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, exchanged unsigned at STS; the token never prints', () => {
    const dir = tempDir('stage-action-s3-oidc-');
    const file = path.join(dir, 'token');
    writeFile(file, WEB.token);
    const from = mark();
    const r = lookup({ env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_ROLE_ARN: WEB.role, AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_SESSION_NAME: 'gha' } });
    assertImage(r, 'default');
    for (const text of [r.stdout, r.stderr, r.summary, r.outputText]) assert.ok(!text.includes(WEB.token));
    const requests = seen(from);
    const exchange = requests.find((q) => q.action === 'AssumeRoleWithWebIdentity');
    assert.match(exchange.decision, /^issued ASIA/);
    assert.equal(exchange.key, null, 'the exchange is unsigned');
    const issued = exchange.decision.slice('issued '.length);
    assert.ok(requests.some((q) => q.method === 'GET' && q.key === issued && q.decision === 'forwarded'), JSON.stringify(requests));
  });

  test('a web_identity_token written in backend-config is masked before anything prints; its role is not', () => {
    const r = lookup({
      config: `${s3.inputs['backend-config']}\nassume_role_with_web_identity={ role_arn = "${WEB.role}", web_identity_token = "${WEB.token}", session_name = "ci" }`,
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    assertImage(r, 'default');
    assertMasked(r, WEB.token);
    assert.ok(!r.stdout.split('\n').some((l) => l.startsWith('::add-mask::') && l.includes(WEB.role)), r.stdout);
  });

  test('assume_role on top of the keys: AssumeRole signed with them (checked), then the role\'s session reads', () => {
    const from = mark();
    const r = lookup({ config: `${s3.inputs['backend-config']}\nassume_role={ role_arn = "${ROLE.role}", external_id = "${ROLE.externalId}", session_name = "ci" }` });
    assertImage(r, 'default');
    const exchange = seen(from).find((q) => q.action === 'AssumeRole');
    assert.equal(exchange.key, KEYS.id);
    assert.match(exchange.decision, /^issued ASIA/);
  });

  test('assume_role refused by STS names the role, the identity and what to do', () => {
    const r = lookup({ config: `${s3.inputs['backend-config']}\nassume_role={ role_arn = "${ROLE.role}", external_id = "wrong" }` });
    assert.equal(
      failedWith(r, 'backend error'),
      `s3 backend: STS AssumeRole of role ${ROLE.role} at ${s3.endpoint} was refused (HTTP 403, AccessDenied: "User: ${KEYS.id} is not authorized to perform: sts:AssumeRole on resource…" (125 characters)) for access key ${KEYS.id}; the base identity needs sts:AssumeRole on the role, and the role's trust policy must allow it (and \`external_id\` if it requires one)`,
    );
  });

  test('a wrong secret is SignatureDoesNotMatch, naming the access key and where it came from, never the secret', () => {
    const r = lookup({ env: { AWS_SECRET_ACCESS_KEY: 'not-the-secret' } });
    assert.equal(
      failedWith(r, 'backend error'),
      `s3 backend: AWS did not accept access key ${KEYS.id} from environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (SignatureDoesNotMatch: "checked by tests/servers/s3/verifier.py"): the secret access key does not match the access key id`,
    );
    assertMasked(r, 'not-the-secret');
  });

  test('AccessDenied on the state names the identity, the missing permission and the object\'s ARN', () => {
    const r = lookup({ env: { AWS_ACCESS_KEY_ID: DENIED.id, AWS_SECRET_ACCESS_KEY: DENIED.secret } });
    const arn = `arn:aws:s3:::${BUCKET}/${KEY.lockfile}`;
    assert.equal(
      failedWith(r, 'backend error'),
      `s3 backend: access denied: access key ${DENIED.id} (from environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) may not s3:GetObject on ${arn} (AccessDenied: "User is not authorized to perform: s3:GetObject"); grant s3:GetObject on ${arn} to that identity (its IAM policy, and the bucket policy), or use credentials that have it`,
    );
    assertMasked(r, DENIED.secret);
  });

  test('no credentials at all says what to set', () => {
    const r = lookup({ env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined } });
    assert.match(failedWith(r, 'backend error'), /^s3 backend: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY .*aws-actions\/configure-aws-credentials/);
  });
});
