// The azurerm backend on loopback, for the node tests and the benchmark: Azurite (Microsoft's
// Azure Storage emulator, npm `azurite`) over HTTPS with OAuth, a fake Azure metadata host, a
// loopback Entra ID token endpoint and GitHub OIDC token endpoint, and a CONNECT proxy — and the
// real terraform 1.11 writing states into it through its `azurerm` backend.
//
// Why the proxy: the azurerm backend has no endpoint setting; it always talks to
// https://<account>.blob.<storage suffix>, the suffix from `metadata_host`. The metadata host
// says the suffix is `localhost`, so the blob host is tfstatetest.blob.localhost, which Go's
// resolver does not map to loopback. HTTPS_PROXY names the CONNECT proxy here, which tunnels
// `*.blob.localhost:443` (and nothing else) to Azurite's port, and records every CONNECT. TLS
// is end to end, with a certificate for *.blob.localhost, 127.0.0.1 and localhost from a test CA
// made here with openssl (terraform trusts it through SSL_CERT_FILE, the action through
// NODE_EXTRA_CA_CERTS).
//
// export async function start({ hold = true }) → {
//   stop(), inputs: { backend, 'backend-config' }, env (Shared Key), tfDir, tfConfig, tfEnv, ca,
//   metadataHost, standIn (https://127.0.0.1:<port> of the Azure/GitHub stand-ins), proxyPort,
//   log() (what the stand-ins and the proxy received), blob() (a Shared Key request to Azurite),
//   sas() (an account SAS for reading)
// }
// The stand-ins and the proxy run in their own process (loopback.mjs), so that a caller's
// spawnSync does not block them.
// Workspaces written: default and staging (image registry.example.com/app:<ws>-v1), and `held`,
// whose lock terraform holds (an apply paused in a provisioner) until stop() — with `hold`.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..', '..');

import { ACCOUNT, ACCOUNT_KEY, CONTAINER, KEY } from './constants.mjs';

export * from './constants.mjs';

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs `cmd` without blocking: the loopback servers of this process must answer it meanwhile. */
function runAsync(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { err += d; });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${err}\n${out}`))));
  });
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.error ?? ''}\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** A CA and one server certificate for *.blob.localhost, localhost and 127.0.0.1, in `dir`. */
function makePki(dir) {
  const o = (...a) => run('openssl', a, { cwd: dir });
  o('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=stage-action azurerm test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  o('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=tfstatetest.blob.localhost');
  fs.writeFileSync(path.join(dir, 'tls.ext'), 'subjectAltName=DNS:*.blob.localhost,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  o('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tls.crt', '-days', '2', '-extfile', 'tls.ext');
  return { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'tls.crt'), key: path.join(dir, 'tls.key') };
}

/** Shared Key request to Azurite (path style, straight to its port): { status, headers, body }. */
function sharedKeyRequest(port, ca, method, urlPath, { query = {}, headers = {}, body = '' } = {}) {
  const h = { 'x-ms-version': '2023-11-03', 'x-ms-date': new Date().toUTCString(), ...headers };
  if (body) h['content-type'] = h['content-type'] ?? 'application/octet-stream';
  const qs = Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  const canonHeaders = Object.keys(h).filter((k) => k.startsWith('x-ms-')).sort().map((k) => `${k}:${String(h[k]).trim()}\n`).join('');
  let canonRes = `/${ACCOUNT}/${ACCOUNT}${urlPath}`; // path style: /<account> is the URL path's first segment
  for (const [k, v] of Object.entries(query).sort(([a], [b]) => (a < b ? -1 : 1))) canonRes += `\n${k.toLowerCase()}:${v}`;
  const len = Buffer.byteLength(body);
  const sts = [method, '', '', len ? String(len) : '', '', h['content-type'] ?? '', '', '', '', '', '', ''].join('\n') + '\n' + canonHeaders + canonRes;
  h.authorization = `SharedKey ${ACCOUNT}:${crypto.createHmac('sha256', Buffer.from(ACCOUNT_KEY, 'base64')).update(sts).digest('base64')}`;
  if (len) h['content-length'] = String(len);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path: `/${ACCOUNT}${urlPath}${qs ? `?${qs}` : ''}`, headers: h, ca: fs.readFileSync(ca), agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body || undefined);
  });
}

async function waitFor(what, check, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      if (process.env.AZURERM_DEBUG) console.error(what, e);
    }
    if (Date.now() > until) throw new Error(`${what} did not happen within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * An account SAS (version 2023-11-03) for the blob service: `permissions` on containers and
 * objects, until `expiry` (ISO 8601, seconds).
 */
export function sas(permissions = 'rl', expiry = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')) {
  const fields = { sv: '2023-11-03', ss: 'b', srt: 'co', sp: permissions, se: expiry, spr: 'https' };
  const sts = [ACCOUNT, fields.sp, fields.ss, fields.srt, '', fields.se, '', fields.spr, fields.sv, '', ''].join('\n');
  const sig = crypto.createHmac('sha256', Buffer.from(ACCOUNT_KEY, 'base64')).update(sts).digest('base64');
  return Object.entries({ ...fields, sig }).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

/** Starts everything and has terraform write the states; see the top of this file. */
export async function start({ hold = true, terraform = 'terraform' } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-action-azurerm-'));
  const children = [];
  const stop = async () => {
    fs.writeFileSync(path.join(work, 'release'), '');
    // The lock's holder first: its apply ends, and unlocks, through the servers.
    for (const c of [...children].reverse()) {
      if (c.exitCode === null && c.signalCode === null) {
        // Only the holder is waited for: the others are killed at once, so that stop() called
        // from a process's 'exit' handler (which runs no awaited continuation) still kills them.
        if (c.holder) await Promise.race([new Promise((r) => c.once('exit', r)), new Promise((r) => setTimeout(r, 20_000))]);
        c.kill();
      }
    }
    fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    const pki = makePki(work);
    const azPort = await freePort();
    const azurite = spawn(path.join(root, 'node_modules', '.bin', 'azurite-blob'), [
      '--blobHost', '127.0.0.1', '--blobPort', String(azPort), '--inMemoryPersistence', '--disableTelemetry', '--silent',
      '--cert', pki.cert, '--key', pki.key, '--oauth', 'basic',
    ], { cwd: work, env: { ...process.env, AZURITE_ACCOUNTS: `${ACCOUNT}:${ACCOUNT_KEY}` }, stdio: 'ignore' });
    children.push(azurite);
    const logFile = path.join(work, 'requests.jsonl');
    fs.writeFileSync(logFile, '');
    const portFile = path.join(work, 'ports');
    const loop = spawn(process.execPath, [path.join(here, 'loopback.mjs'), pki.cert, pki.key, String(azPort), logFile, portFile], { stdio: ['pipe', 'ignore', 'inherit'] });
    children.push(loop);
    await waitFor('the loopback servers (loopback.mjs)', () => fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').includes(' '));
    const [standPort, proxyPort] = fs.readFileSync(portFile, 'utf8').split(' ').map(Number);
    const stand = { port: standPort };
    const proxy = { port: proxyPort };
    /** What the loopback servers received so far: { kind: 'azure'|'proxy', … } each. */
    const log = () => fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const blob = (method, p, opts) => sharedKeyRequest(azPort, pki.ca, method, p, opts);
    await waitFor('Azurite answering', async () => {
      const r = await blob('PUT', `/${CONTAINER}`, { query: { restype: 'container' } });
      if (process.env.AZURERM_DEBUG) console.error(r.status, r.body);
      return r.status === 201;
    });

    // terraform, through the proxy, trusting only the test CA; the key from the environment.
    const tfDir = path.join(work, 'tf');
    fs.mkdirSync(tfDir);
    fs.writeFileSync(path.join(work, 'terraformrc'), '');
    const tfConfig = [
      `storage_account_name = "${ACCOUNT}"`,
      `container_name       = "${CONTAINER}"`,
      `key                  = "${KEY}"`,
      `metadata_host        = "127.0.0.1:${stand.port}"`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(work, 'azurerm.tfbackend'), tfConfig);
    fs.writeFileSync(path.join(tfDir, 'main.tf'), `terraform {
  backend "azurerm" {}
}

variable "hold" {
  type    = string
  default = ""
}

resource "terraform_data" "app" {
  input = {
    image = "registry.example.com/app:\${terraform.workspace}-v1"
  }
}

# With var.hold, the apply waits here, holding the state's lock, until the file var.hold names exists.
resource "terraform_data" "hold" {
  count            = var.hold == "" ? 0 : 1
  triggers_replace = timestamp()
  provisioner "local-exec" {
    command = "while [ ! -f '\${var.hold}' ]; do sleep 0.2; done"
  }
}

output "image" {
  value = terraform_data.app.output.image
}
`);
    const tfEnv = {
      PATH: process.env.PATH, HOME: work, TF_CLI_CONFIG_FILE: path.join(work, 'terraformrc'), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0',
      ARM_ACCESS_KEY: ACCOUNT_KEY, SSL_CERT_FILE: pki.ca, HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
    };
    const tf = (...args) => runAsync(terraform, ['-chdir=' + tfDir, ...args, '-no-color'], { env: tfEnv });
    await tf('init', '-input=false', `-backend-config=${path.join(work, 'azurerm.tfbackend')}`);
    await tf('apply', '-auto-approve', '-input=false');
    for (const ws of ['staging', 'held']) {
      await tf('workspace', 'new', ws);
      await tf('apply', '-auto-approve', '-input=false');
    }
    await tf('workspace', 'select', 'default');
    if (hold) {
      // An apply of `held` that holds its lock until stop().
      const holder = spawn(terraform, [`-chdir=${tfDir}`, 'apply', '-auto-approve', '-input=false', '-no-color', '-var', `hold=${path.join(work, 'release')}`],
        { env: { ...tfEnv, TF_WORKSPACE: 'held' }, stdio: 'ignore' });
      holder.holder = true;
      children.push(holder);
      await waitFor('terraform holding the lock of `held`', async () => {
        const r = await blob('HEAD', `/${CONTAINER}/${KEY}env:held`);
        return r.headers['x-ms-lease-state'] === 'leased' && Object.keys(r.headers).some((h) => h.toLowerCase() === 'x-ms-meta-terraformlockid');
      }, 60_000);
    }
    return {
      stop,
      inputs: { backend: 'azurerm', 'backend-config': `storage_account_name=${ACCOUNT}\ncontainer_name=${CONTAINER}\nkey=${KEY}\nmetadata_host=127.0.0.1:${stand.port}\n` },
      env: { ARM_ACCESS_KEY: ACCOUNT_KEY, NODE_EXTRA_CA_CERTS: pki.ca, HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` },
      tfDir,
      tfConfig,
      tfEnv,
      work,
      ca: pki.ca,
      metadataHost: `127.0.0.1:${stand.port}`,
      standIn: `https://127.0.0.1:${stand.port}`,
      sas,
      proxyPort: proxy.port,
      log,
      blob,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
