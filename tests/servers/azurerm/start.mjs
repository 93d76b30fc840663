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
//   stop(), inputs: { backend, 'backend-config' }, env, tfDir, tfConfig, account, key, container,
//   proxied: [CONNECT targets], requests: [loopback Azure requests], blob(method, path, headers)
// }
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

export const ACCOUNT = 'tfstatetest';
// Not a secret: the key of the emulator's made-up account.
export const ACCOUNT_KEY = Buffer.from('stage-action azurite test key - not a secret - 0123456789abcdef').toString('base64');
export const CONTAINER = 'tfstate';
export const KEY = 'stages/app/terraform.tfstate';
export const TENANT = '72f988bf-0000-4000-8000-00000000d1ce';
export const CLIENT_ID = '3b7c9e2a-0000-4000-8000-0000000c11e7';
export const CLIENT_SECRET = 'entra-client-secret-7f3e'; // what the Entra stand-in accepts
export const REQUEST_TOKEN = 'runner-request-token-4b1d'; // ACTIONS_ID_TOKEN_REQUEST_TOKEN
export const OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
export const SUBJECT = 'repo:acme/app:environment:prod';

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
/** A JWT with these claims. Its signature is made up: nothing here checks one (Azurite's `--oauth basic` does not). */
export const jwt = (claims) => `${b64url({ alg: 'RS256', typ: 'JWT', kid: 'test' })}.${b64url(claims)}.${b64url('not-a-signature')}`;
const claimsOf = (token) => JSON.parse(Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString());

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

/**
 * The loopback stand-ins for Azure's metadata host, Entra ID's token endpoint and GitHub's OIDC
 * token endpoint, on one HTTPS port. Each checks what it receives; `requests` records it.
 */
function azureStandIn(pki, requests) {
  let port;
  const server = https.createServer({ cert: fs.readFileSync(pki.cert), key: fs.readFileSync(pki.key) }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, `https://127.0.0.1:${port}`);
      const body = Buffer.concat(chunks).toString();
      const entry = { method: req.method, path: url.pathname, ok: false };
      requests.push(entry);
      const send = (status, doc) => {
        const text = JSON.stringify(doc);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      const refuse = (status, error, description) => send(status, { error, error_description: description });
      if (url.pathname === '/metadata/endpoints') {
        entry.ok = url.searchParams.get('api-version') === '2022-09-01';
        return send(200, {
          name: 'AzuriteOnLoopback',
          portal: 'https://portal.azure.com',
          resourceManager: `https://127.0.0.1:${port}/`,
          microsoftGraphResourceId: 'https://graph.microsoft.com/',
          authentication: { loginEndpoint: `https://127.0.0.1:${port}/`, audiences: ['https://management.core.windows.net/'], tenant: 'common', identityProvider: 'AAD' },
          suffixes: { storage: 'localhost', keyVaultDns: 'vault.azure.net', sqlServerHostname: 'database.windows.net' },
        });
      }
      if (url.pathname === '/idtoken') {
        // GitHub's OIDC token endpoint: the runner's request token as a Bearer, and the audience asked.
        if (req.headers.authorization !== `Bearer ${REQUEST_TOKEN}`) return send(401, { message: 'bad request token' });
        const audience = url.searchParams.get('audience');
        if (audience !== 'api://AzureADTokenExchange') return send(400, { message: `unexpected audience ${audience}` });
        entry.ok = true;
        const now = Math.floor(Date.now() / 1000);
        return send(200, { count: 1, value: jwt({ iss: OIDC_ISSUER, aud: audience, sub: SUBJECT, iat: now, nbf: now, exp: now + 300 }) });
      }
      if (url.pathname === `/${TENANT}/oauth2/v2.0/token` && req.method === 'POST') {
        const form = new URLSearchParams(body);
        entry.grant = form.get('client_assertion') ? 'assertion' : form.get('client_secret') ? 'secret' : 'none';
        if (form.get('grant_type') !== 'client_credentials') return refuse(400, 'unsupported_grant_type', 'AADSTS70003: grant_type');
        if (form.get('client_id') !== CLIENT_ID) return refuse(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.`);
        if (form.get('scope') !== 'https://storage.azure.com/.default') return refuse(400, 'invalid_scope', `AADSTS70011: scope ${form.get('scope')}`);
        if (entry.grant === 'assertion') {
          if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return refuse(400, 'invalid_request', 'AADSTS50027: assertion type');
          let claims;
          try {
            claims = claimsOf(form.get('client_assertion'));
          } catch {
            return refuse(400, 'invalid_client', 'AADSTS50027: JWT token is invalid or malformed.');
          }
          entry.claims = claims;
          if (claims.iss !== OIDC_ISSUER || claims.aud !== 'api://AzureADTokenExchange' || claims.sub !== SUBJECT) {
            return refuse(400, 'invalid_client', `AADSTS700213: No matching federated identity record found for presented assertion subject '${claims.sub}'.`);
          }
        } else if (entry.grant === 'secret') {
          if (form.get('client_secret') !== CLIENT_SECRET) return refuse(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
        } else {
          return refuse(400, 'invalid_client', 'AADSTS7000216: client_assertion or client_secret is required.');
        }
        entry.ok = true;
        const now = Math.floor(Date.now() / 1000);
        // What Azurite's `--oauth basic` checks: iss (sts.windows.net/…), aud (storage), iat/nbf/exp.
        const access = jwt({ aud: 'https://storage.azure.com', iss: `https://sts.windows.net/${TENANT}/`, iat: now, nbf: now - 60, exp: now + 3600, appid: CLIENT_ID, tid: TENANT, oid: CLIENT_ID });
        return send(200, { token_type: 'Bearer', expires_in: 3599, access_token: access });
      }
      return send(404, { error: 'not_found' });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    port = server.address().port;
    resolve({ server, port });
  }));
}

/**
 * The CONNECT proxy: tunnels `<account>.blob.localhost:443` to Azurite's port; refuses anything
 * else (403). Records each CONNECT target and whether it carried Proxy-Authorization.
 */
function connectProxy(azuritePort, proxied) {
  const server = net.createServer((client) => {
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const [method, target] = lines[0].split(' ');
      const auth = lines.find((l) => /^proxy-authorization:/i.test(l));
      proxied.push({ method, target, proxyAuthorization: auth ? auth.split(':').slice(1).join(':').trim() : null });
      if (method !== 'CONNECT' || !/^[a-z0-9]+\.blob\.localhost:443$/.test(target)) {
        client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      const upstream = net.connect(azuritePort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        const rest = head.subarray(end + 4);
        if (rest.length) upstream.write(rest);
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    };
    client.on('data', onData);
    client.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port })));
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

/** Starts everything and has terraform write the states; see the top of this file. */
export async function start({ hold = true, terraform = 'terraform' } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-action-azurerm-'));
  const children = [];
  const servers = [];
  const requests = [];
  const proxied = [];
  const stop = async () => {
    fs.writeFileSync(path.join(work, 'release'), '');
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        await Promise.race([new Promise((r) => c.once('exit', r)), new Promise((r) => setTimeout(r, c.holder ? 20_000 : 0))]);
        c.kill();
      }
    }
    for (const s of servers) s.close();
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
    const stand = await azureStandIn(pki, requests);
    servers.push(stand.server);
    const proxy = await connectProxy(azPort, proxied);
    servers.push(proxy.server);
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
      proxyPort: proxy.port,
      requests,
      proxied,
      blob,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
