// The azurerm backend through `node dist/index.js`, as the runner runs it, against
// tests/servers/azurerm: Azurite (the real emulator, over HTTPS, with `--oauth basic`), into which
// the real terraform 1.11 wrote the workspaces default, staging and held (whose lock terraform
// holds during these tests), reached — as terraform reached it — through a fake metadata host
// (the storage suffix `localhost`) and a CONNECT proxy in HTTPS_PROXY; the action trusts the test
// CA through NODE_EXTRA_CA_CERTS. Entra ID's token endpoint and GitHub's OIDC token endpoint are
// loopback stand-ins that check what they receive. terraform missing fails these under CI=true.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { root, runAction, tempDir, writeFile, detail, assertMasked, failedWith, assertFailureSummary, actionsFaces, useSnapshots } from './harness.mjs';
import { terraform, terraformSkip } from './terraform-cli.mjs';
import { start, ACCOUNT_KEY, CLIENT_ID, CLIENT_SECRET, REQUEST_TOKEN, TENANT, OIDC_ISSUER, SUBJECT, KEY } from '../servers/azurerm/start.mjs';

const ADDRESS = 'terraform_data.app.output.image';
const skip = terraformSkip;
useSnapshots();

let az;

before(async () => {
  if (!terraform) return;
  az = await start({ terraform });
});

after(async () => {
  if (az) await az.stop();
});

const base = () => ({ NODE_EXTRA_CA_CERTS: az.ca, HTTPS_PROXY: `http://127.0.0.1:${az.proxyPort}` });
const lookup = (env, { workspace, config = az.inputs['backend-config'], extra = {} } = {}) =>
  runAction({ command: 'lookup', backend: 'azurerm', 'backend-config': config, address: ADDRESS, ...(workspace ? { workspace } : {}), ...extra },
    { env: { ...base(), ...env }, timeout: 90_000 });

function assertImage(r, workspace) {
  assert.equal(r.code, 0, detail(r));
  assert.deepEqual(r.errors, [], detail(r));
  assert.equal(r.outputs.image, `registry.example.com/app:${workspace}-v1`, detail(r));
}

/** The OIDC settings azure/login users have, as the runner and the workflow set them. */
const oidcEnv = () => ({
  ARM_USE_AZUREAD: 'true',
  ARM_USE_OIDC: 'true',
  ARM_CLIENT_ID: CLIENT_ID,
  ARM_TENANT_ID: TENANT,
  ACTIONS_ID_TOKEN_REQUEST_URL: `${az.standIn}/idtoken?api-version=2.0`,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
});

describe('azurerm backend through dist', { skip }, () => {
  test('Shared Key (ARM_ACCESS_KEY): default and staging, through the proxy to <account>.blob.<suffix from the metadata host>', () => {
    const before = az.log().length;
    assertImage(lookup({ ARM_ACCESS_KEY: ACCOUNT_KEY }), 'default');
    const r = lookup({ ARM_ACCESS_KEY: ACCOUNT_KEY }, { workspace: 'staging' });
    assertImage(r, 'staging');
    assert.equal(r.outputs.locked, 'false');
    assertMasked(r, ACCOUNT_KEY);
    const seen = az.log().slice(before);
    assert.ok(seen.some((e) => e.kind === 'azure' && e.path === '/metadata/endpoints' && e.ok), JSON.stringify(seen));
    const connects = seen.filter((e) => e.kind === 'proxy');
    assert.ok(connects.length >= 2, JSON.stringify(seen));
    for (const c of connects) assert.deepEqual([c.method, c.target, c.proxyAuthorization], ['CONNECT', 'tfstatetest.blob.localhost:443', null]);
  });

  test('a SAS token (ARM_SAS_TOKEN, with its leading ?) reads, and lists for no state yet', () => {
    const token = `?${az.sas('rl')}`;
    const r = lookup({ ARM_SAS_TOKEN: token }, { workspace: 'staging' });
    assertImage(r, 'staging');
    // Masked as the runner reads the command: `%` escaped as %25.
    assert.ok(r.stdout.split('\n').includes(`::add-mask::${token.replaceAll('%', '%25')}`), r.stdout);
    for (const text of [r.stdout, r.stderr, r.summary, r.outputText]) assert.ok(!text.includes(token.slice(1)));
  });

  test('Entra ID with GitHub OIDC: the runner\'s token for api://AzureADTokenExchange, exchanged for a storage token Azurite accepts', () => {
    const before = az.log().length;
    const r = lookup(oidcEnv(), { workspace: 'staging' });
    assertImage(r, 'staging');
    assertMasked(r, REQUEST_TOKEN);
    const seen = az.log().slice(before).filter((e) => e.kind === 'azure');
    const idtoken = seen.find((e) => e.path === '/idtoken');
    assert.ok(idtoken?.ok, JSON.stringify(seen));
    const token = seen.find((e) => e.path === `/${TENANT}/oauth2/v2.0/token`);
    assert.equal(token?.ok, true, JSON.stringify(seen));
    assert.equal(token.grant, 'assertion');
    assert.deepEqual([token.claims.iss, token.claims.aud, token.claims.sub], [OIDC_ISSUER, 'api://AzureADTokenExchange', SUBJECT]);
    // Nothing of it crossed the proxy but the blob requests.
    assert.ok(az.log().slice(before).filter((e) => e.kind === 'proxy').every((e) => e.target === 'tfstatetest.blob.localhost:443'));
  });

  test('Entra ID with a client secret (ARM_CLIENT_SECRET)', () => {
    const env = { ARM_USE_AZUREAD: 'true', ARM_CLIENT_ID: CLIENT_ID, ARM_TENANT_ID: TENANT, ARM_CLIENT_SECRET: CLIENT_SECRET };
    const r = lookup(env);
    assertImage(r, 'default');
    assertMasked(r, CLIENT_SECRET);
  });

  test('discovery: the directory where terraform init ran, the key from the environment', () => {
    for (const workspace of ['default', 'staging']) {
      const r = runAction({ command: 'lookup', state: az.tfDir, address: ADDRESS, workspace },
        { env: { ...base(), ARM_ACCESS_KEY: ACCOUNT_KEY }, timeout: 90_000 });
      assertImage(r, workspace);
    }
  });

  test('no state yet names the blob and the workspaces that have one', () => {
    const r = lookup({ ARM_ACCESS_KEY: ACCOUNT_KEY }, { workspace: 'green' });
    assert.equal(
      failedWith(r, 'state not found'),
      `workspace "green" (selected by input \`workspace\`) has no state in the azurerm backend at container tfstate of storage account tfstatetest: looked for blob ${KEY}env:green; workspaces with a state: default, held, staging; set input \`workspace\` to one of them`,
    );
  });
});

describe('azurerm: Terraform\'s lock (an apply of `held` holds the lease)', { skip }, () => {
  test('lookup reads the leased blob, warns who holds the lock, and sets locked', () => {
    const r = lookup({ ARM_ACCESS_KEY: ACCOUNT_KEY }, { workspace: 'held' });
    assertImage(r, 'held');
    assert.equal(r.outputs.locked, 'true');
    assert.equal(r.warnings.length, 1, detail(r));
    assert.equal(r.warnings[0].props.title, 'state locked');
    assert.match(r.warnings[0].message, /^state azurerm blob tfstate\/stages\/app\/terraform\.tfstateenv:held in storage account tfstatetest is locked by \S+@\S+ for apply since \d{4}-\d\d-\d\dT/);
  });

  /** A workspace whose stages file has dev (default), qa (held, from dev) and prod (staging, from qa). */
  function stagesWorkspace() {
    const ws = tempDir('stage-action-azurerm-stages-');
    const stage = (name, workspace, from) => [`  ${name}:`, ...(from ? [`    from: ${from}`] : []), '    backend: azurerm', '    backend-config:',
      '      storage_account_name: tfstatetest', '      container_name: tfstate', `      key: ${KEY}`, `      metadata_host: "${az.metadataHost}"`,
      `    workspace: ${workspace}`, `    address: ${ADDRESS}`].join('\n');
    writeFile(path.join(ws, '.github', 'stages.yml'), ['stages:', stage('dev', 'default'), stage('qa', 'held', 'dev'), stage('prod', 'staging', 'qa'), ''].join('\n'));
    return ws;
  }
  const stagesRun = (inputs, ws) => runAction(inputs, { workspace: ws, env: { ...base(), ARM_ACCESS_KEY: ACCOUNT_KEY }, timeout: 90_000 });

  test('status shows every stage, warns of the held one and sets locked', () => {
    const r = stagesRun({ command: 'status' }, stagesWorkspace());
    assert.equal(r.code, 0, detail(r));
    assert.deepEqual(r.errors, [], detail(r));
    assert.equal(r.outputs.locked, 'true');
    assert.deepEqual(r.warnings.map((w) => w.props.title), ['state locked'], detail(r));
    assert.match(r.warnings[0].message, /^stage qa: the state is locked by \S+ for apply since /);
    for (const ws of ['default', 'held', 'staging']) assert.ok(r.summary.includes(`registry.example.com/app:${ws}-v1`), r.summary);
    assertMasked(r, ACCOUNT_KEY);
  });

  test('promote into or out of the held stage is refused', () => {
    const ws = stagesWorkspace();
    for (const to of ['qa', 'prod']) {
      const r = stagesRun({ command: 'promote', to }, ws);
      assert.match(failedWith(r, 'promotion refused'), new RegExp(`^cannot promote into ${to}: the state of qa is locked by `));
      assertFailureSummary(r, 'promote', 'promotion refused');
    }
  });
});

describe('azurerm: what fails says why, and no credential shows', { skip }, () => {
  test('a wrong key: AuthenticationFailed names the shared key, never the key', (t) => {
    const wrong = Buffer.from('a wrong key, of the right shape, 0123456789abcdef0123').toString('base64');
    const r = lookup({ ARM_ACCESS_KEY: wrong });
    const message = failedWith(r, 'backend error');
    assert.match(message, /^azurerm backend: the storage account did not accept the shared key \(`access_key`\) for blob tfstate\/stages\/app\/terraform\.tfstate in storage account tfstatetest \(400 InvalidAuthenticationInfo\)/);
    assert.match(message, /set `access_key` \(ARM_ACCESS_KEY\) to one of the account's current access keys$/);
    assertMasked(r, wrong);
    t.assert.snapshot(actionsFaces(r, { home: r.env.HOME }));
  });

  test('an application Entra ID does not know: AADSTS700016 with what to check', () => {
    const r = lookup({ ...oidcEnv(), ARM_CLIENT_ID: '00000000-0000-0000-0000-000000000bad' });
    assert.equal(
      failedWith(r, 'backend error'),
      `azurerm backend: Entra ID (${az.standIn}/${TENANT}/oauth2/v2.0/token) gave application 00000000-0000-0000-0000-000000000bad no token for Azure Storage: "unauthorized_client: AADSTS700016: Application with identifier '00000000-0000-0000-0000-000000000bad' was not found in the directory."; check \`client_id\` (ARM_CLIENT_ID) and \`tenant_id\` (ARM_TENANT_ID)`,
    );
    assertMasked(r, REQUEST_TOKEN);
  });

  test('use_azuread_auth without OIDC or a secret says the Azure CLI is not run, and what to set', () => {
    const r = lookup({ ARM_USE_AZUREAD: 'true', ARM_CLIENT_ID: CLIENT_ID, ARM_TENANT_ID: TENANT });
    assert.equal(r.code, 1, detail(r));
    assert.match(r.errors[0].message, /Azure CLI \(`use_cli`\), which this action does not run/);
  });

  test('NO_PROXY is honoured as Go does (a domain and its subdomains): the blob host is then not reached', () => {
    const before = az.log().filter((e) => e.kind === 'proxy').length;
    const r = lookup({ ARM_ACCESS_KEY: ACCOUNT_KEY, NO_PROXY: 'localhost' });
    assert.equal(r.code, 1, detail(r));
    assert.match(r.errors[0].message, /^azurerm backend: https:\/\/tfstatetest\.blob\.localhost\/tfstate\/stages\/app\/terraform\.tfstate did not answer/, detail(r));
    assert.equal(az.log().filter((e) => e.kind === 'proxy').length, before);
  });

  test('proxy credentials go to the proxy only, and never show', () => {
    const before = az.log().length;
    const r = lookup({ ARM_ACCESS_KEY: ACCOUNT_KEY, HTTPS_PROXY: `http://proxyuser:proxy-pass-93@127.0.0.1:${az.proxyPort}` });
    assertImage(r, 'default');
    const connects = az.log().slice(before).filter((e) => e.kind === 'proxy');
    assert.ok(connects.length >= 1);
    for (const c of connects) assert.equal(c.proxyAuthorization, `Basic ${Buffer.from('proxyuser:proxy-pass-93').toString('base64')}`);
    for (const text of [r.stdout, r.stderr, r.summary, r.outputText]) assert.ok(!text.includes('proxy-pass-93'));
  });
});

describe('host.js proxyFor: Go\'s ProxyFromEnvironment', () => {
  const { proxyFor } = createRequire(import.meta.url)(path.join(root, 'js', 'host.js'));
  const pick = (url, env) => proxyFor(new URL(url), env);
  test('the scheme\'s variable, upper case first; none for loopback; a bare host:port is http://', () => {
    assert.equal(pick('https://a.example/x', { HTTPS_PROXY: 'http://p:1', https_proxy: 'http://q:2' }), 'http://p:1');
    assert.equal(pick('https://a.example/x', { https_proxy: 'q:2' }), 'http://q:2');
    assert.equal(pick('https://a.example/x', { HTTP_PROXY: 'http://p:1' }), null);
    assert.equal(pick('http://a.example/x', { HTTP_PROXY: 'http://p:1' }), 'http://p:1');
    for (const u of ['https://localhost:8/', 'https://127.0.0.1/', 'https://[::1]:9/']) assert.equal(pick(u, { HTTPS_PROXY: 'http://p:1' }), null, u);
  });
  test('NO_PROXY: *, domains with their subdomains, .domains, IPs, CIDRs and ports', () => {
    const env = (no) => ({ HTTPS_PROXY: 'http://p:1', NO_PROXY: no });
    assert.equal(pick('https://x.example.com/', env('*')), null);
    assert.equal(pick('https://x.example.com/', env('example.com')), null);
    assert.equal(pick('https://example.com/', env('example.com')), null);
    assert.equal(pick('https://example.com/', env('.example.com')), 'http://p:1');
    assert.equal(pick('https://x.example.com/', env('*.example.com')), null);
    assert.equal(pick('https://10.1.2.3/', env('10.0.0.0/8')), null);
    assert.equal(pick('https://11.1.2.3/', env('10.0.0.0/8')), 'http://p:1');
    // A range that does not parse is skipped, not thrown: the request still goes through the proxy.
    for (const bad of ['10.0.0.0/x', '10.0.0.0/40', '10.0.0.0/', '::/200']) assert.equal(pick('https://10.1.2.3/', env(bad)), 'http://p:1', bad);
    assert.equal(pick('https://example.com/', env('example.com:8443')), 'http://p:1');
    assert.equal(pick('https://example.com:8443/', env('example.com:8443')), null);
    assert.equal(pick('https://other.org/', env('example.com, 10.0.0.1')), 'http://p:1');
  });
});
