// Starts the loopback HCP Terraform stand-in (server.mjs) with states the real terraform wrote:
// `terraform apply` with the local backend in the workspaces default, staging and held, each
// output `image` = registry.example.com/app:<workspace>-v1; the bytes of those state files are
// then served as the current state versions of the remote workspaces app-default, app-staging
// and app-held (locked by user alice), beside app-empty (no state yet), all four in project
// payments, and app-secret (403 on its state versions, in the Default Project). Reusable by the benchmark:
//   const s = await start(); … s.inputs, s.env … ; s.stop();
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { terraform, terraformIn, INIT, APPLY } from '../../node/terraform-cli.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
export const ORGANIZATION = 'acme';
export const IMAGE = (ws) => `registry.example.com/app:${ws}-v1`;

export const TF_CONFIG = `resource "terraform_data" "app" {
  input = { image = "registry.example.com/app:\${terraform.workspace}-v1" }
}
output "image" {
  value = terraform_data.app.output.image
}
`;

/**
 * Starts the server; returns { stop(), inputs, env, tfDir, tfConfig, token, api, download, log() }.
 * `inputs` read workspace staging through the remote backend with a prefix; `env` trusts the test
 * CA and gives the token as TF_TOKEN_localhost.
 */
export async function start({ pageSize = 2 } = {}) {
  if (!terraform) throw new Error('terraform is not on PATH: the HCP Terraform stand-in serves states the real terraform wrote');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-action-tfe-'));
  const tfDir = path.join(work, 'tf');
  fs.mkdirSync(tfDir);
  fs.writeFileSync(path.join(tfDir, 'main.tf'), TF_CONFIG);
  const run = terraformIn(work);
  run(tfDir, ...INIT);
  run(tfDir, ...APPLY);
  for (const ws of ['staging', 'held']) {
    run(tfDir, 'workspace', 'new', '-no-color', ws);
    run(tfDir, ...APPLY);
  }
  run(tfDir, 'workspace', 'select', '-no-color', 'default');
  const stateOf = (ws) => (ws === 'default' ? path.join(tfDir, 'terraform.tfstate') : path.join(tfDir, 'terraform.tfstate.d', ws, 'terraform.tfstate'));

  const token = `tfe-test-${crypto.randomBytes(12).toString('hex')}`;
  const config = {
    token,
    organization: ORGANIZATION,
    pageSize,
    workspaces: {
      'app-default': { state: stateOf('default'), project: 'payments' },
      'app-staging': { state: stateOf('staging'), project: 'payments' },
      'app-held': { state: stateOf('held'), project: 'payments', locked: { id: 'user-alice1', type: 'users', attributes: { username: 'alice' } } },
      'app-empty': { project: 'payments' },
      'app-secret': { state: stateOf('default'), forbidden: true },
    },
  };
  const configFile = path.join(work, 'server.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  const child = spawn(process.execPath, [path.join(here, 'server.mjs'), configFile], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await Promise.race([
    readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value]),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the HCP Terraform stand-in did not start within 10 s')), 10_000).unref()),
  ]);
  const { api, download } = JSON.parse(line);
  const ca = path.join(root, 'tests', 'fixtures', 'tls', 'ca.crt');
  return {
    api,
    download,
    token,
    tfDir,
    tfConfig: TF_CONFIG,
    inputs: {
      backend: 'remote',
      workspace: 'staging',
      'backend-config': `hostname=${api}\norganization=${ORGANIZATION}\nworkspaces={prefix = "app-"}\n`,
    },
    env: { NODE_EXTRA_CA_CERTS: ca, TF_TOKEN_localhost: token },
    /** Every request the two servers saw. */
    log() {
      return new Promise((resolve, reject) => {
        https.get(`https://${api}/__log`, { ca: fs.readFileSync(ca) }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => { body += d; });
          res.on('end', () => resolve(JSON.parse(body)));
        }).on('error', reject);
      });
    },
    stop() {
      child.stdin.end();
      child.kill();
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}
