// `command: preflight` through `node dist/index.js`: the loopback API server of tests/servers/k8s
// (HTTPS with client certificates and tokens, SelfSubjectAccessReviews with per-user denials),
// the committed PKI of tests/fixtures/tls (valid, expired, another CA's) and, for the one
// time-sensitive case, a certificate made now with openssl that has less than a quarter of its
// day left. No Terraform: preflight only asks the server.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { root, runAction, tempDir, detail, assertMasked, actionsFaces, pemLines, useSnapshots } from './harness.mjs';
import { startApiServer } from '../servers/k8s/start.mjs';

useSnapshots();

const pki = path.join(root, 'tests', 'fixtures', 'tls');
const pem = (name) => fs.readFileSync(path.join(pki, name), 'utf8');
const CONFIG = 'secret_suffix=app\nnamespace=tfstate\n';

/**
 * A run as a reviewed text (harness.mjs actionsFaces), the fixtures' private keys named, not
 * shown: the mask of a whole key becomes `<NAME>`, the mask of each line of its body `<NAME line N>`.
 */
function faces(r) {
  const places = { work };
  for (const name of ['client.key', 'expired.key', 'stranger.key']) {
    places[name] = pem(name).replaceAll('\n', '%0A');
    pemLines(pem(name)).forEach((line, i) => (places[`${name} line ${i + 1}`] = line));
  }
  return actionsFaces(r, places);
}

let work;
let host;
let server;
let soon; // { crt, key }: a day-long certificate with 4 h left, by a CA made now

/** The stamp `openssl ca` takes: YYYYMMDDHHMMSSZ, `hours` from now. */
const stamp = (hours) => new Date(Date.now() + hours * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

function openssl(args) {
  const r = spawnSync('openssl', args, { cwd: work, encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA and a client certificate valid from 20 h ago to 4 h from now (CN=soon). */
function makeSoon() {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'now-ca.key', '-out', 'now-ca.crt', '-days', '2', '-subj', '/CN=preflight test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'soon.key', '-out', 'soon.csr', '-subj', '/CN=soon']);
  fs.mkdirSync(path.join(work, 'db'));
  fs.writeFileSync(path.join(work, 'db', 'index.txt'), '');
  fs.writeFileSync(path.join(work, 'db', 'serial'), '01\n');
  fs.writeFileSync(path.join(work, 'ca.cnf'), [
    '[ca]', 'default_ca = test', '[test]', `database = ${work}/db/index.txt`, `serial = ${work}/db/serial`, `new_certs_dir = ${work}/db`,
    'default_md = sha256', 'policy = any', 'x509_extensions = client', 'unique_subject = no', '[any]', 'commonName = supplied',
    '[client]', 'extendedKeyUsage = clientAuth', 'keyUsage = critical,digitalSignature,keyEncipherment', ''].join('\n'));
  openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'now-ca.crt', '-keyfile', 'now-ca.key', '-in', 'soon.csr', '-out', 'soon.crt',
    '-startdate', stamp(-20), '-enddate', stamp(4), '-notext']);
  return { crt: fs.readFileSync(path.join(work, 'soon.crt'), 'utf8'), key: fs.readFileSync(path.join(work, 'soon.key'), 'utf8') };
}

before(async () => {
  work = tempDir('stage-action-preflight-');
  soon = makeSoon();
  server = await startApiServer(work, ['--client-ca', path.join(work, 'now-ca.crt'),
    '--token', 'ci=ci-token-123', '--token', 'nolease=nolease-token', '--deny', 'nolease:update:leases']);
  host = server.host;
});

after(() => {
  server?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** The credentials as a workflow passes its secrets: Terraform's KUBE_* variables. */
function kube({ cert = pem('client.crt'), key = pem('client.key'), ca = pem('ca.crt') } = {}) {
  return { KUBE_HOST: host, KUBE_CLIENT_CERT_DATA: cert, KUBE_CLIENT_KEY_DATA: key, KUBE_CLUSTER_CA_CERT_DATA: ca };
}

function preflight(env, extra = {}) {
  return runAction({ command: 'preflight', backend: 'kubernetes', 'backend-config': CONFIG, ...extra }, { env, timeout: 60_000 });
}

/** The access reviews the server answered, as `verb resource`. */
function reviews() {
  return fs.readFileSync(path.join(work, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    .filter((e) => e.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')
    .map((e) => `${e.user} ${e.body.spec.resourceAttributes.verb} ${e.body.spec.resourceAttributes.resource} ${e.body.spec.resourceAttributes.namespace}`);
}

describe('preflight of the kubernetes backend', () => {
  test('good credentials: every check passes, one line each, and the registry credentials are there (never shown)', () => {
    const r = preflight(kube(), { registry: 'ghcr.io', 'registry-username': 'octocat', 'registry-password': 'hunter2-token' });
    assert.equal(r.code, 0, detail(r));
    assert.deepEqual(r.errors, [], detail(r));
    assert.deepEqual(r.warnings, [], detail(r));
    assert.equal(r.outputs.ok, 'true');
    assert.equal(r.outputs['certificate-expires'], '2126-11-05T10:38:17Z');
    const lines = r.stdout.split('\n').filter((l) => /^[✓⚠✗] /.test(l));
    assert.deepEqual(lines.map((l) => l.split(':')[0]), [
      '✓ client key', '✓ client certificate', '✓ TLS', '✓ API server', '✓ Secrets', '✓ Leases', '✓ registry'], detail(r));
    assert.match(r.stdout, /✓ Secrets: the client certificate CN=client from `client_certificate` \(environment variable KUBE_CLIENT_CERT_DATA\) may get, list, create, update secrets in namespace tfstate/);
    assert.match(r.summary, /### stage-action preflight/);
    assert.match(r.summary, /Kubernetes .*v1\.31\.0-fake/);
    assertMasked(r, pem('client.key'), 'hunter2-token');
    const asked = reviews().filter((x) => x.startsWith('client '));
    assert.deepEqual(asked.sort(), ['client create leases tfstate', 'client create secrets tfstate', 'client get leases tfstate',
      'client get secrets tfstate', 'client list secrets tfstate', 'client update leases tfstate', 'client update secrets tfstate']);
  });

  test('a token that may not update Leases: ✗ for Leases alone, after every check ran; `ok` is written', () => {
    const r = preflight({ KUBE_HOST: host, KUBE_CLUSTER_CA_CERT_DATA: pem('ca.crt'), KUBE_TOKEN: 'nolease-token' });
    const message = failedWith2(r);
    assert.match(message, /^preflight: 1 of 4 checks failed:\n✓ TLS: .*\n✓ API server: .*\n✓ Secrets: .*\n✗ Leases: the token from `token` \(environment variable KUBE_TOKEN\) may not update leases in namespace tfstate — bind it to a Role in namespace tfstate that allows `get`, `create`, `update` on `leases` \(API group coordination\.k8s\.io\)/);
    assert.equal(r.outputs.ok, 'false');
    assert.equal(r.outputs['certificate-expires'], '');
    assertMasked(r, 'nolease-token');
  });

  test('an expired certificate fails, with how to renew it; the server refuses it too', (t) => {
    const r = preflight(kube({ cert: pem('expired.crt'), key: pem('expired.key') }));
    const message = failedWith2(r);
    assert.match(message, /✗ client certificate: the certificate CN=expired from `client_certificate` \(environment variable KUBE_CLIENT_CERT_DATA\) expired on 2020-01-02 00:00:00 UTC — renew it: .*kubectl certificate approve/);
    assert.equal(r.outputs['certificate-expires'], '2020-01-02T00:00:00Z');
    t.assert.snapshot(faces(r));
  });

  test('a key that is not the certificate\'s fails the key check', () => {
    const r = preflight(kube({ key: pem('stranger.key') }));
    const message = failedWith2(r);
    assert.match(message, /✗ client key: is not the private key of the client certificate from `client_certificate`/);
    assertMasked(r, pem('stranger.key'));
  });

  test('a CA that did not sign the API server\'s certificate fails TLS, and nothing more is asked', (t) => {
    const r = preflight(kube({ ca: pem('other-ca.crt') }));
    const message = failedWith2(r);
    assert.match(message, /^preflight: 1 of 3 checks failed:\n✓ client key: .*\n✓ client certificate: .*\n✗ TLS: TLS with https:\/\/127\.0\.0\.1:\d+ failed/);
    t.assert.snapshot(faces(r));
  });

  test('a day-long certificate with 4 h left warns, with how to renew it, and the step passes', () => {
    const r = preflight(kube({ cert: soon.crt, key: soon.key }));
    assert.equal(r.code, 0, detail(r));
    assert.equal(r.warnings.length, 1, detail(r));
    assert.equal(r.warnings[0].props.title, 'preflight: client certificate');
    assert.match(r.warnings[0].message, /^the certificate CN=soon expires on .* \(3h 5\dm left of 1d 0h\) — renew it: /);
    assert.equal(r.outputs.ok, 'true');
  });

  test('empty registry credentials fail (a secret that does not exist reads as empty)', (t) => {
    const r = preflight(kube(), { registry: 'ghcr.io', 'registry-username': 'octocat', 'registry-password': '' });
    const message = failedWith2(r);
    assert.match(message, /✗ registry: `registry-password` is empty for ghcr\.io — set them from the repository's or environment's secrets/);
    t.assert.snapshot(faces(r));
  });
});

describe('preflight of another backend', () => {
  let http; // the http state server of tests/servers (Basic credentials ci / pw-secret-123), no state stored
  let httpUrl;
  before(async () => {
    http = spawn(process.execPath, [path.join(root, 'tests/servers/http-state-server.mjs'), 'ci', 'pw-secret-123', pki], { stdio: ['pipe', 'pipe', 'inherit'] });
    const [line] = await Promise.race([
      readline.createInterface({ input: http.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value]),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the http state server did not start within 10 s')), 10_000).unref()),
    ]);
    httpUrl = JSON.parse(line).url;
  });
  after(() => http?.kill());

  const httpPreflight = (password) =>
    runAction({ command: 'preflight', backend: 'http', 'backend-config': `address=${httpUrl}/state/dev\nusername=ci\npassword=${password}` }, { timeout: 60_000 });

  test('an http backend with no state yet answers: that is fine', () => {
    const r = httpPreflight('pw-secret-123');
    assert.equal(r.code, 0, detail(r));
    assert.match(r.stdout, /✓ state: the http backend answers: no state yet at /);
    assertMasked(r, 'pw-secret-123');
  });

  test('an http backend that refuses the credentials fails, saying so', () => {
    const r = httpPreflight('wrong-password');
    const message = failedWith2(r);
    assert.match(message, /^preflight: 1 of 1 check failed:\n✗ state: the http backend's server at .* answered 401 Unauthorized/);
    assertMasked(r, 'wrong-password');
  });

  test('a local state is read as lookup reads it', () => {
    const r = runAction({ command: 'preflight', state: 'examples/dev.tfstate' }, { timeout: 60_000 });
    assert.equal(r.code, 0, detail(r));
    assert.match(r.stdout, /✓ state: the local backend answers: .*dev\.tfstate is readable/);
    assert.equal(r.outputs.ok, 'true');
  });
});

/** A run that failed its preflight: one error, `ok=false` written; returns the error's message. */
function failedWith2(r) {
  assert.equal(r.code, 1, detail(r));
  assert.equal(r.errors.length, 1, detail(r));
  assert.equal(r.errors[0].props.title, 'preflight failed', detail(r));
  assert.equal(r.outputs.ok, 'false', detail(r));
  return r.errors[0].message;
}
