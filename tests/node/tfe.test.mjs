// The remote and cloud backends (HCP Terraform / Terraform Enterprise) through `node dist/index.js`,
// as the runner runs it, against the loopback stand-in of tests/servers/tfe (HTTPS with the test
// CA, the API on localhost:<port>, the state downloads on 127.0.0.1:<other port>), serving the
// states the real Terraform 1.11 wrote. terraform missing fails these tests under CI=true.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runAction, tempDir, writeFile, detail, assertFailureSummary, assertMasked, failedWith, actionsFaces, useSnapshots } from './harness.mjs';
import { terraform, terraformSkip } from './terraform-cli.mjs';
import { start, IMAGE, ORGANIZATION } from '../servers/tfe/start.mjs';

useSnapshots();

let s; // the stand-in
let work;

before(async () => {
  if (!terraform) return;
  s = await start();
  work = tempDir('stage-action-tfe-test-');
});

after(() => {
  s?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const skip = terraformSkip;

/** The environment with no token anywhere but what `extra` gives: HOME is an empty directory. */
function env(extra = {}) {
  const home = tempDir('stage-action-tfe-home-');
  return { HOME: home, NODE_EXTRA_CA_CERTS: s.env.NODE_EXTRA_CA_CERTS, ...extra };
}

const remote = (workspaces = '{prefix = "app-"}') => `hostname=${s.api}\norganization=${ORGANIZATION}\nworkspaces=${workspaces}\n`;

function lookup(inputs, extra) {
  return runAction({ command: 'lookup', address: 'output.image', ...inputs }, { env: env(extra), timeout: 60_000 });
}

function assertImage(r, ws) {
  assert.equal(r.code, 0, detail(r));
  assert.deepEqual(r.errors, [], detail(r));
  assert.equal(r.outputs.image, IMAGE(ws), detail(r));
}

describe('remote and cloud backends through dist', { skip }, () => {
  test('remote with a prefix: local staging reads app-staging; the token setting is masked', () => {
    const r = lookup({ backend: 'remote', workspace: 'staging', 'backend-config': `${remote()}token=${s.token}\n` });
    assertImage(r, 'staging');
    assert.equal(r.outputs.locked, 'false');
    assertMasked(r, s.token);
  });

  test('remote with a name: the default workspace; TF_TOKEN_localhost (the host without its port), masked though no setting holds it', () => {
    const r = lookup({ backend: 'remote', 'backend-config': remote('{name = "app-default"}') }, { TF_TOKEN_localhost: s.token });
    assertImage(r, 'default');
    assertMasked(r, s.token);
  });

  test('TF_TOKEN_<host:port>, as Terraform names a host with a port', () => {
    const r = lookup({ backend: 'remote', workspace: 'staging', 'backend-config': remote() }, { [`TF_TOKEN_${s.api}`]: s.token });
    assertImage(r, 'staging');
    assertMasked(r, s.token);
  });

  test('the CLI config of TF_CLI_CONFIG_FILE, as hashicorp/setup-terraform writes it', () => {
    const rc = path.join(work, 'setup-terraform.tfrc');
    fs.writeFileSync(rc, `credentials "${s.api}" {\n  token = "${s.token}"\n}\n`);
    const r = lookup({ backend: 'remote', workspace: 'staging', 'backend-config': remote() }, { TF_CLI_CONFIG_FILE: rc });
    assertImage(r, 'staging');
    assert.ok(!r.stdout.includes(s.token) && !r.summary.includes(s.token) && !r.outputText.includes(s.token), detail(r));
  });

  test('~/.terraformrc and ~/.terraform.d/credentials.tfrc.json (terraform login)', () => {
    for (const [file, text] of [
      ['.terraformrc', `credentials "${s.api}" {\n  token = "${s.token}"\n}\n`],
      ['.terraform.d/credentials.tfrc.json', JSON.stringify({ credentials: { [s.api]: { token: s.token } } })],
    ]) {
      const e = env();
      writeFile(path.join(e.HOME, file), text);
      const r = runAction({ command: 'lookup', address: 'output.image', backend: 'remote', workspace: 'staging', 'backend-config': remote() }, { env: e, timeout: 60_000 });
      assertImage(r, 'staging');
      assert.ok(!r.stdout.includes(s.token) && !r.stderr.includes(s.token), detail(r));
    }
  });

  test('discovery: a cloud block in the stage directory\'s *.tf, TF_WORKSPACE naming the remote workspace', () => {
    const dir = path.join(work, 'cloud-stage');
    writeFile(path.join(dir, 'main.tf'), `terraform {\n  cloud {\n    hostname     = "${s.api}"\n    organization = "${ORGANIZATION}"\n    workspaces {\n      tags = ["app"]\n    }\n  }\n}\n`);
    const r = runAction({ command: 'lookup', address: 'output.image', state: dir }, {
      workspace: work, env: env({ TF_WORKSPACE: 'app-staging', [`TF_TOKEN_${s.api}`]: s.token }), timeout: 60_000,
    });
    assertImage(r, 'staging');
  });

  test('cloud with workspaces { name } reads that workspace', () => {
    const r = lookup({ backend: 'cloud', 'backend-config': `hostname=${s.api}\norganization=${ORGANIZATION}\nworkspaces={name = "app-default"}\n` }, { TF_TOKEN_localhost: s.token });
    assertImage(r, 'default');
  });

  test('every API call carried the Bearer token; the download, on another host, none', async () => {
    const log = await s.log();
    const api = log.filter((e) => e.host === s.api && e.url.startsWith('/api/v2/'));
    const downloads = log.filter((e) => e.host !== s.api);
    assert.ok(api.length > 0 && downloads.length > 0, JSON.stringify(log));
    assert.ok(api.every((e) => e.authorization === `Bearer ${s.token}`), JSON.stringify(api));
    assert.ok(downloads.every((e) => e.authorization === null), JSON.stringify(downloads));
  });

  test('a locked workspace: lookup answers, warns who holds the lock and how to unlock it', () => {
    const r = lookup({ backend: 'remote', workspace: 'held', 'backend-config': remote() }, { TF_TOKEN_localhost: s.token });
    assertImage(r, 'held');
    assert.equal(r.outputs.locked, 'true');
    assert.equal(r.warnings.length, 1, detail(r));
    assert.equal(r.warnings[0].props.title, 'state locked');
    assert.equal(
      r.warnings[0].message,
      `state Terraform Enterprise workspace ${ORGANIZATION}/app-held at ${s.api} is locked by user alice (unlock it in the workspace's Settings → Locking, or run \`terraform force-unlock ${ORGANIZATION}/app-held\` in its working directory): an apply may be in progress, and the state about to change`,
    );
  });

  /** A stages file: dev (app-default by name), qa (held, from dev), prod (staging, from qa), by prefix. */
  function stagesWorkspace() {
    const ws = tempDir('stage-action-tfe-stages-');
    const stage = (name, workspace, from) => [
      `  ${name}:`,
      ...(from ? [`    from: ${from}`] : []),
      '    backend: remote',
      '    backend-config:',
      `      hostname: "${s.api}"`,
      `      organization: ${ORGANIZATION}`,
      '      workspaces:',
      workspace === 'default' ? '        name: app-default' : '        prefix: app-',
      ...(workspace === 'default' ? [] : [`    workspace: ${workspace}`]),
      '    address: output.image',
    ].join('\n');
    writeFile(path.join(ws, '.github', 'stages.yml'), ['stages:', stage('dev', 'default'), stage('qa', 'held', 'dev'), stage('prod', 'staging', 'qa'), ''].join('\n'));
    return ws;
  }
  const stagesRun = (inputs, ws) => runAction(inputs, { workspace: ws, env: env({ TF_TOKEN_localhost: s.token }), timeout: 90_000 });

  test('status reads every stage and warns of the locked one', () => {
    const r = stagesRun({ command: 'status' }, stagesWorkspace());
    assert.equal(r.code, 0, detail(r));
    assert.deepEqual(r.errors, [], detail(r));
    assert.equal(r.outputs.locked, 'true', detail(r));
    assert.equal(r.warnings.length, 1, detail(r));
    assert.ok(r.warnings[0].message.startsWith('stage qa: the state is locked by user alice'), detail(r));
    assertMasked(r, s.token);
  });

  test('promote into the locked stage is refused; out of an unlocked one goes ahead', () => {
    const ws = stagesWorkspace();
    const refused = stagesRun({ command: 'promote', to: 'qa' }, ws);
    assert.ok(failedWith(refused, 'promotion refused').startsWith('cannot promote into qa: the state of qa is locked by user alice'), detail(refused));
    assertFailureSummary(refused, 'promote', 'promotion refused');
    const r = stagesRun({ command: 'promote', to: 'qa', 'allow-locked': 'true' }, ws);
    assert.equal(r.code, 0, detail(r));
    assert.equal(r.outputs.image, IMAGE('default'));
    assert.equal(r.outputs['previous-image'], IMAGE('held'));
  });
});

describe('remote and cloud: what fails says why', { skip }, () => {
  test('a workspace without a state is "no state yet", naming the workspaces that have one', () => {
    const r = lookup({ backend: 'remote', workspace: 'empty', 'backend-config': remote() }, { TF_TOKEN_localhost: s.token });
    const message = failedWith(r, 'state not found');
    assert.equal(
      message,
      `workspace "empty" (selected by input \`workspace\`) has no state in the remote backend at Terraform Enterprise organization ${ORGANIZATION} at ${s.api}: looked for the current state version of workspace app-empty; workspaces with a state: held, secret, staging; set input \`workspace\` to one of them`,
    );
  });

  test('cloud with a project (TF_CLOUD_PROJECT): no state yet lists the project\'s workspaces that have one', () => {
    const r = lookup({ backend: 'cloud', 'backend-config': `hostname=${s.api}\norganization=${ORGANIZATION}\n` }, {
      TF_TOKEN_localhost: s.token, TF_WORKSPACE: 'app-empty', TF_CLOUD_PROJECT: 'payments',
    });
    assert.equal(
      failedWith(r, 'state not found'),
      `workspace "app-empty" (selected by TF_WORKSPACE) has no state in the cloud backend at Terraform Enterprise organization ${ORGANIZATION} at ${s.api}: looked for the current state version of workspace app-empty; workspaces with a state: app-default, app-held, app-staging; set input \`workspace\` to one of them`,
    );
  });

  test('a token the server does not know is 401, naming where the token came from, never the token', () => {
    const bad = 'tfe-wrong-token-123';
    const r = lookup({ backend: 'remote', workspace: 'staging', 'backend-config': remote() }, { TF_TOKEN_localhost: bad });
    const message = failedWith(r, 'backend error');
    assert.equal(
      message,
      `remote backend (Terraform Enterprise at ${s.api}, organization ${ORGANIZATION}): the token was not accepted (401 Unauthorized); it came from environment variable TF_TOKEN_localhost; check that it is a valid user or team token for this host, not expired or revoked (an organization token cannot read state versions)`,
    );
    assertMasked(r, bad);
  });

  test('an unknown workspace is 404: no such workspace, or no access', () => {
    const r = lookup({ backend: 'remote', workspace: 'nope', 'backend-config': remote() }, { TF_TOKEN_localhost: s.token });
    const message = failedWith(r, 'backend error');
    assert.ok(message.includes('workspace "app-nope" was not found (404); Terraform Enterprise answers 404 both when the workspace does not exist and when the token may not see it'), message);
  });

  test('403 on the state versions names the missing permission', () => {
    const r = lookup({ backend: 'remote', workspace: 'secret', 'backend-config': remote() }, { TF_TOKEN_localhost: s.token });
    assert.ok(failedWith(r, 'backend error').includes('the team needs the workspace permission "read state versions"'), detail(r));
  });

  test('no token anywhere names the four places and setup-terraform\'s input', (t) => {
    const r = lookup({ backend: 'remote', workspace: 'staging', 'backend-config': remote() });
    const message = failedWith(r, 'backend error');
    for (const part of ['the `token` setting', `TF_TOKEN_${s.api}`, 'credentials.tfrc.json', '.terraformrc', 'cli_config_credentials_token', 'credentials helpers are not run']) {
      assert.ok(message.includes(part), `${part} is not in: ${message}`);
    }
    assertFailureSummary(r, 'lookup', 'backend error');
    t.assert.snapshot(actionsFaces(r, { home: r.env.HOME, work }));
  });
});
