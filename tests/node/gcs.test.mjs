// The gcs backend through `node dist/index.js`, as the runner runs it: fake-gcs-server behind the
// loopback Google stand-ins of tests/servers/gcs (Google's token endpoint, STS, IAM Credentials,
// GitHub's OIDC token endpoint, and a proxy that lets only their tokens read the storage), into
// which the real Terraform 1.11 wrote the workspaces default, staging and held (its lock left
// held), and a state under a customer-supplied key. fake-gcs-server or terraform missing fails
// these tests under CI=true (.ci/run installs them).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runAction, tempDir, writeFile, detail, assertMasked, failedWith, actionsFaces, useSnapshots } from './harness.mjs';
import { terraform } from './terraform-cli.mjs';
import {
  start, fakeGcsServer, IMAGES, IMPERSONATED, DENIED_TOKEN, WRITER_TOKEN, CSEK, PREFIX, SECURE_PREFIX, GITHUB_REQUEST_TOKEN, USER,
} from '../servers/gcs/start.mjs';

const ready = Boolean(terraform && fakeGcsServer());
if (!ready && process.env.CI === 'true') throw new Error('fake-gcs-server or terraform is missing, and CI=true: install them (.ci/run)');
const skip = ready ? false : 'skipped: fake-gcs-server or terraform is not installed (under CI=true this fails)';

useSnapshots();

let gcs;
before(async () => {
  if (ready) gcs = await start();
});
after(() => gcs?.stop());

const ADDRESS = 'output.image';
/** Only ACTIONS_ID_* and GOOGLE_APPLICATION_CREDENTIALS, as google-github-actions/auth leaves a job. */
const lookup = (inputs = {}, env = gcs.env) =>
  runAction({ command: 'lookup', address: ADDRESS, ...gcs.inputs, ...inputs }, { env: { HOME: tempDir('stage-action-gcs-home-'), ...env }, timeout: 60_000 });

function assertImage(r, image) {
  assert.equal(r.code, 0, detail(r));
  assert.deepEqual(r.errors, [], detail(r));
  assert.equal(r.outputs.image, image, detail(r));
}

/** No token this server issued appears anywhere the run wrote: not even in a mask. */
function assertNoIssuedToken(r) {
  for (const text of [r.stdout, r.stderr, r.summary, r.outputText]) {
    assert.doesNotMatch(text, /ya29\.issued-|sts-[0-9a-f]{8}|gh-oidc-/, 'an obtained token was printed');
  }
}

describe('gcs: Workload Identity Federation, as google-github-actions/auth leaves it', { skip }, () => {
  test('the external_account file: GitHub OIDC token, STS, impersonation; then the storage with that token', async () => {
    const before = (await gcs.log()).length;
    const r = lookup();
    assertImage(r, IMAGES.default);
    assert.equal(r.outputs.locked, 'false');
    assertNoIssuedToken(r);
    // GitHub's request token is in the file, for GitHub only: never printed either.
    for (const text of [r.stdout, r.stderr, r.summary, r.outputText]) assert.ok(!text.includes(GITHUB_REQUEST_TOKEN));
    const asked = (await gcs.log()).slice(before).filter((a) => a.path !== '/__log');
    const steps = asked.map((a) => `${a.method} ${a.path.replace(/\/o\/.*/, '/o/…')} ${a.token ?? '-'}`);
    assert.deepEqual(steps.slice(0, 3), [
      'GET /github/idtoken other',
      'POST /sts/v1/token -',
      `POST /iam/v1/projects/-/serviceAccounts/${IMPERSONATED}:generateAccessToken sts`,
    ], steps.join('\n'));
    const storage = asked.slice(3);
    assert.ok(storage.length >= 2 && storage.every((a) => a.token === 'storage'), `every storage request carries the impersonated token:\n${steps.join('\n')}`);
    assert.match(asked[0].query, /audience=https%3A%2F%2Fiam\.googleapis\.com%2Fprojects/);
  });

  test('another workspace is <prefix>/<workspace>.tfstate', () => {
    assertImage(lookup({ workspace: 'staging' }), IMAGES.staging);
  });

  test('a workspace without a state is "no state yet", naming those that have one', () => {
    const r = lookup({ workspace: 'green' });
    const message = failedWith(r, 'state not found');
    assert.match(message, new RegExp(`^workspace "green" \\(selected by input \`workspace\`\\) has no state in the gcs backend at gs://tfstate/${PREFIX}/: looked for gs://tfstate/${PREFIX}/green.tfstate; workspaces with a state: default, held, staging`));
  });

  test('GitHub refusing the request token says the job needs id-token: write', () => {
    const file = path.join(tempDir('stage-action-gcs-wif-'), 'gha-creds-x.json');
    const json = JSON.parse(fs.readFileSync(gcs.env.GOOGLE_APPLICATION_CREDENTIALS, 'utf8'));
    json.credential_source.headers.Authorization = 'Bearer expired-request-token';
    writeFile(file, JSON.stringify(json));
    const r = lookup({}, { ...gcs.env, GOOGLE_APPLICATION_CREDENTIALS: file });
    const message = failedWith(r, 'backend error');
    assert.match(message, /^gcs backend: the subject token source \(GitHub's OIDC token endpoint\) at http:\/\/127\.0\.0\.1:\d+\/github\/idtoken refused a token for this job: 401: "Bad credentials"; the job needs `permissions: id-token: write`/);
    assert.ok(!r.stdout.includes('expired-request-token') && !r.summary.includes('expired-request-token'));
  });
});

describe('gcs: keys, gcloud, tokens', { skip }, () => {
  test('a service account key file in `credentials`: its RS256 JWT is exchanged at its token_uri', () => {
    const r = lookup({ 'backend-config': `${gcs.inputs['backend-config']}credentials=${gcs.files.serviceAccountKey}\n` }, {});
    assertImage(r, IMAGES.default);
    assertNoIssuedToken(r);
  });

  test('a key Google does not know (another key pair): invalid_grant, with what to do', () => {
    const key = JSON.parse(fs.readFileSync(gcs.files.serviceAccountKey, 'utf8'));
    key.private_key = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const file = path.join(tempDir('stage-action-gcs-key-'), 'key.json');
    writeFile(file, JSON.stringify(key));
    const r = lookup({}, { GOOGLE_APPLICATION_CREDENTIALS: file });
    assert.match(failedWith(r, 'backend error'), /^gcs backend: Google's token endpoint \(service-account key\) at http:\/\/127\.0\.0\.1:\d+\/token refused a token for service account ci-reader@stage-action-test\.iam\.gserviceaccount\.com: 400 invalid_grant: "Invalid JWT Signature\."; the key was deleted or disabled/);
    for (const line of key.private_key.split('\n').filter((l) => l && !l.startsWith('-----'))) {
      for (const text of [r.stdout, r.stderr, r.summary]) assert.ok(!text.includes(line));
    }
  });

  test('the key itself in GOOGLE_CREDENTIALS is masked, and never printed', () => {
    const key = fs.readFileSync(gcs.files.serviceAccountKey, 'utf8');
    const oneLine = JSON.stringify(JSON.parse(key));
    const r = lookup({}, { GOOGLE_CREDENTIALS: oneLine });
    assertImage(r, IMAGES.default);
    assertMasked(r, oneLine);
    const privateKey = JSON.parse(key).private_key;
    for (const line of privateKey.split('\n').filter((l) => l && !l.startsWith('-----'))) {
      assert.ok(!r.summary.includes(line) && !r.stderr.includes(line) && !r.outputText.includes(line));
    }
  });

  test('gcloud\'s application default credentials (authorized_user) under HOME', () => {
    const r = runAction({ command: 'lookup', address: ADDRESS, ...gcs.inputs }, { env: { HOME: gcs.files.home }, timeout: 60_000 });
    assertImage(r, IMAGES.default);
    for (const secret of [USER.client_secret, USER.refresh_token]) assert.ok(!r.stdout.includes(secret) && !r.summary.includes(secret));
  });

  test('access_token (GOOGLE_OAUTH_ACCESS_TOKEN) that may not read: 403, the principal and the permission', () => {
    const r = lookup({}, { GOOGLE_OAUTH_ACCESS_TOKEN: DENIED_TOKEN });
    const message = failedWith(r, 'backend error');
    assert.equal(message, `gcs backend: denied@p.iam.gserviceaccount.com may not read gs://tfstate/${PREFIX}/default.tfstate in bucket tfstate (403: permission storage.objects.get is missing); grant it roles/storage.objectViewer on the bucket (gcloud storage buckets add-iam-policy-binding gs://tfstate --member=… --role=roles/storage.objectViewer)`);
    assertMasked(r, DENIED_TOKEN);
  });

  test('a token the storage does not take: 401, never the token', () => {
    const r = lookup({}, { GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.made-up-token' });
    assert.match(failedWith(r, 'backend error'), /^gcs backend: the storage API did not accept the access token of the holder of the access token in `access_token` \(environment variable GOOGLE_OAUTH_ACCESS_TOKEN\)/);
    assertMasked(r, 'ya29.made-up-token');
  });

  test('nothing at all: says where it looked, and that no metadata server is asked', (t) => {
    const r = lookup({}, {});
    assert.match(failedWith(r, 'backend error'), /^gcs backend: no credentials: .*there is no gcloud file .*application_default_credentials\.json; this action does not ask a GCE metadata server/);
    t.assert.snapshot(actionsFaces(r, { home: r.env.HOME }));
  });
});

describe('gcs: a customer-supplied key', { skip }, () => {
  const secure = (extra) => ({ 'backend-config': `bucket=tfstate\nprefix=${SECURE_PREFIX}\nstorage_custom_endpoint=${gcs.endpoint}\n${extra}` });
  test('encryption_key sends the x-goog-encryption headers', () => {
    const r = lookup(secure(`encryption_key=${CSEK}\n`));
    assertImage(r, IMAGES.secure);
    assertMasked(r, CSEK);
  });
  test('without it, the error says the state is encrypted and which setting to set', () => {
    const r = lookup(secure(''));
    assert.match(failedWith(r, 'backend error'), /is encrypted with a customer-supplied key: .*set `encryption_key` \(or GOOGLE_ENCRYPTION_KEY\)/);
  });
});

describe('gcs: Terraform\'s lock (held.tflock, left by a killed apply)', { skip }, () => {
  test('lookup answers, warns that the state is locked, and sets locked', () => {
    const r = lookup({ workspace: 'held' });
    assertImage(r, IMAGES.held);
    assert.equal(r.outputs.locked, 'true');
    const locked = r.warnings.filter((w) => w.props.title === 'state locked');
    assert.equal(locked.length, 1, detail(r));
    assert.match(locked[0].message, new RegExp(`^state gs://tfstate/${PREFIX}/held\\.tfstate is locked by \\S+@\\S+ for apply since 20\\d\\d-`));
  });

  function stagesWorkspace() {
    const ws = tempDir('stage-action-gcs-stages-');
    const stage = (name, workspace, from) => [
      `  ${name}:`,
      ...(from ? [`    from: ${from}`] : []),
      '    backend: gcs',
      '    backend-config:',
      '      bucket: tfstate',
      `      prefix: ${PREFIX}`,
      `      storage_custom_endpoint: ${gcs.endpoint}`,
      `    workspace: ${workspace}`,
      `    address: ${ADDRESS}`,
    ].join('\n');
    writeFile(path.join(ws, '.github', 'stages.yml'), ['stages:', stage('dev', 'default'), stage('qa', 'held', 'dev'), stage('prod', 'staging', 'qa'), ''].join('\n'));
    return ws;
  }
  const stagesRun = (inputs, ws) => runAction(inputs, { workspace: ws, env: { HOME: tempDir('stage-action-gcs-home-'), ...gcs.env }, timeout: 90_000 });

  test('status warns of the held stage', () => {
    const r = stagesRun({ command: 'status' }, stagesWorkspace());
    assert.equal(r.code, 0, detail(r));
    assert.equal(r.outputs.locked, 'true');
    assert.match(r.warnings.map((w) => w.message).join('\n'), /^stage qa: the state is locked by /);
  });

  test('promote into the held stage is refused, naming the lock', () => {
    const r = stagesRun({ command: 'promote', to: 'qa' }, stagesWorkspace());
    assert.match(failedWith(r, 'promotion refused'), /^cannot promote into qa: the state of qa is locked by \S+ for apply since /);
  });
});

describe('gcs: discovery', { skip }, () => {
  test('the working directory terraform init wrote names the backend and its settings', () => {
    const r = runAction({ command: 'lookup', address: ADDRESS, state: gcs.tfDir }, { env: { HOME: tempDir('stage-action-gcs-home-') }, timeout: 60_000 });
    assertImage(r, IMAGES.default);
    // terraform init recorded the access_token in clear text: masked before anything prints.
    assertMasked(r, WRITER_TOKEN);
  });
});
