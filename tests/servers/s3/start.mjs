// Starts moto's S3/DynamoDB server on loopback with tests/servers/s3/verifier.py in front of it
// (SigV4 checked with botocore, STS served), and has the real terraform write states through
// the s3 backend: working directories `lockfile` (use_lockfile), `ddb` (dynamodb_table) and
// `ssec` (sse_customer_key), each with the workspaces default and staging (and `held` for the
// first two, whose lock is then written as Terraform writes it: the `.tflock` object and the
// DynamoDB item with LockInfo). Reusable by the benchmark: see README.md.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const BUCKET = 'tfstate';
export const REGION = 'us-east-1';
export const KEYS = { id: 'AKIATERRAFORM0001', secret: 'terraform/secret+key0001' };
export const DENIED = { id: 'AKIADENIED0000001', secret: 'denied/secret+key0001' };
export const WEB = { role: 'arn:aws:iam::123456789012:role/github-oidc', token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvc2hvcCJ9.c2lnbmF0dXJl' };
export const ROLE = { role: 'arn:aws:iam::123456789012:role/state-reader', externalId: 'ext-4711' };
export const SSE_KEY = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
export const LOCK_INFO = {
  ID: '7e4113c1-d864-f938-1b97-fe0ac47ee033', Operation: 'OperationTypeApply', Info: '', Who: 'deployer@runner-7',
  Version: '1.11.4', Created: '2026-11-29T05:42:19.510022006Z',
};
export const KEY = { lockfile: 'stages/app/terraform.tfstate', ddb: 'stages/ddb/terraform.tfstate', ssec: 'stages/ssec/terraform.tfstate' };

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitFor(check, what, seconds = 30) {
  for (let i = 0; i < seconds * 10; i++) {
    const v = await check().catch(() => null);
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within ${seconds} s`);
}

/** The backend block terraform and the action share, with `extra` lines. */
export function backendBlock(endpoint, key, extra) {
  return [
    '  backend "s3" {',
    `    bucket = "${BUCKET}"`,
    `    key    = "${key}"`,
    `    region = "${REGION}"`,
    `    endpoints = {`,
    `      s3       = "${endpoint}"`,
    `      sts      = "${endpoint}"`,
    `      iam      = "${endpoint}"`,
    `      dynamodb = "${endpoint}"`,
    '    }',
    '    use_path_style              = true',
    '    skip_credentials_validation = true',
    '    skip_requesting_account_id  = true',
    '    skip_metadata_api_check     = true',
    '    skip_region_validation      = true',
    ...extra.map((l) => `    ${l}`),
    '  }',
  ].join('\n');
}

function mainTf(block) {
  return `terraform {\n${block}\n}\n\nresource "terraform_data" "app" {\n  input = {\n    image = "registry.example.com/app:\${terraform.workspace}-v1"\n  }\n}\n\noutput "image" {\n  value = terraform_data.app.output.image\n}\n`;
}

/**
 * Starts the servers and writes the states. Returns { stop(), endpoint, inputs, env, tfDir,
 * tfConfig, dirs, log, work }: `inputs` and `env` read the `lockfile` directory's default state
 * with static keys, as a workflow after aws-actions/configure-aws-credentials would.
 */
export async function startS3({ terraform = 'terraform', moto = 'moto_server', python = 'python3' } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-action-s3-'));
  const children = [];
  const stop = () => {
    for (const c of children) c.kill();
    fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    const motoPort = await freePort();
    const m = spawn(moto, ['-H', '127.0.0.1', '-p', String(motoPort)], { stdio: ['ignore', 'ignore', fs.openSync(path.join(work, 'moto.log'), 'w')] });
    m.on('error', () => {});
    children.push(m);
    const upstream = `http://127.0.0.1:${motoPort}`;
    await waitFor(() => fetch(`${upstream}/moto-api/`).then((r) => r.status < 500), `moto_server (${moto}; is moto[server] installed?)`);

    const portfile = path.join(work, 'verifier-port');
    const log = path.join(work, 'requests.jsonl');
    const v = spawn(python, [path.join(here, 'verifier.py'), '--upstream', upstream, '--portfile', portfile, '--log', log,
      '--key', `${KEYS.id}=${KEYS.secret}`, '--deny', `${DENIED.id}=${DENIED.secret}`,
      '--web-identity', `${WEB.role}=${WEB.token}`, '--assume', `${ROLE.role}=${ROLE.externalId}`], { stdio: ['pipe', 'ignore', fs.openSync(path.join(work, 'verifier.log'), 'w')] });
    v.on('error', () => {});
    children.push(v);
    const port = await waitFor(async () => fs.readFileSync(portfile, 'utf8').trim(), 'tests/servers/s3/verifier.py (needs python3 with botocore, which moto[server] installs)');
    const endpoint = `http://127.0.0.1:${port}`;

    // The bucket and the lock table, straight into moto (it does not check signatures).
    const fake = { Authorization: `AWS4-HMAC-SHA256 Credential=${KEYS.id}/20260101/${REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=x` };
    const dynamo = (target, body) => fetch(`${upstream}/`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { ...fake, 'X-Amz-Target': `DynamoDB_20120810.${target}`, 'Content-Type': 'application/x-amz-json-1.0' },
    }).then(async (r) => { if (!r.ok) throw new Error(`DynamoDB ${target}: ${r.status} ${await r.text()}`); });
    const created = await fetch(`${upstream}/${BUCKET}`, { method: 'PUT' });
    if (!created.ok) throw new Error(`CreateBucket: ${created.status}`);
    await dynamo('CreateTable', {
      TableName: 'tf-locks', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'LockID', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }],
    });

    const rc = path.join(work, 'terraformrc');
    fs.writeFileSync(rc, '');
    const none = path.join(work, 'no-such-aws-file');
    const tfEnv = {};
    for (const [k, val] of Object.entries(process.env)) if (!k.startsWith('TF_') && !k.startsWith('AWS_')) tfEnv[k] = val;
    Object.assign(tfEnv, {
      TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: rc,
      AWS_ACCESS_KEY_ID: KEYS.id, AWS_SECRET_ACCESS_KEY: KEYS.secret,
      AWS_CONFIG_FILE: none, AWS_SHARED_CREDENTIALS_FILE: none, AWS_EC2_METADATA_DISABLED: 'true',
    });
    const tf = (dir, ...a) => {
      const r = spawnSync(terraform, [...a, '-no-color'], { cwd: dir, env: tfEnv, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`terraform ${a.join(' ')} in ${dir} failed (${r.status ?? r.error}):\n${r.stderr}\n${r.stdout}`);
      return r.stdout;
    };
    const dirs = {};
    const extras = { lockfile: ['use_lockfile = true'], ddb: ['dynamodb_table = "tf-locks"'], ssec: ['use_lockfile = true', `sse_customer_key = "${SSE_KEY}"`] };
    for (const [name, extra] of Object.entries(extras)) {
      const dir = path.join(work, name);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'main.tf'), mainTf(backendBlock(endpoint, KEY[name], extra)));
      tf(dir, 'init', '-input=false');
      tf(dir, 'apply', '-auto-approve', '-input=false');
      for (const ws of name === 'ssec' ? ['staging'] : ['staging', 'held']) {
        tf(dir, 'workspace', 'new', ws);
        tf(dir, 'apply', '-auto-approve', '-input=false');
      }
      tf(dir, 'workspace', 'select', 'default');
      dirs[name] = dir;
    }

    // The lock of `held`, as Terraform writes it while it applies (see SPEC §2.4).
    const heldKey = (name) => `env:/held/${KEY[name]}`;
    const info = (name) => JSON.stringify({ ...LOCK_INFO, Path: `${BUCKET}/${heldKey(name)}` });
    const put = await fetch(`${upstream}/${BUCKET}/${heldKey('lockfile')}.tflock`, { method: 'PUT', body: info('lockfile'), headers: { 'Content-Type': 'application/json' } });
    if (!put.ok) throw new Error(`PutObject of the lock: ${put.status}`);
    await dynamo('PutItem', { TableName: 'tf-locks', Item: { LockID: { S: `${BUCKET}/${heldKey('ddb')}` }, Info: { S: info('ddb') } } });

    const tfConfig = fs.readFileSync(path.join(dirs.lockfile, 'main.tf'), 'utf8');
    return {
      stop,
      endpoint,
      upstream,
      work,
      log,
      dirs,
      tfDir: dirs.lockfile,
      tfConfig,
      inputs: {
        backend: 's3',
        'backend-config': [
          `bucket=${BUCKET}`,
          `key=${KEY.lockfile}`,
          `endpoints={ s3 = "${endpoint}", sts = "${endpoint}", dynamodb = "${endpoint}" }`,
          'use_path_style=true',
          'use_lockfile=true',
        ].join('\n'),
      },
      env: {
        AWS_ACCESS_KEY_ID: KEYS.id,
        AWS_SECRET_ACCESS_KEY: KEYS.secret,
        AWS_REGION: REGION,
        AWS_CONFIG_FILE: none,
        AWS_SHARED_CREDENTIALS_FILE: none,
      },
    };
  } catch (e) {
    stop();
    throw e;
  }
}
