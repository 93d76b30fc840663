// The pg backend through `node dist/index.js`, as the runner runs it: a real PostgreSQL
// (tests/servers/pg.sh: TLS on, one user per authentication) that the real Terraform 1.11 wrote
// into; a working directory initialized with `backend "pg"` is read where its state lives, over
// TLS as lib/pq's sslmode says. PostgreSQL or terraform missing fails these tests: .ci/run
// installs them.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root, runAction, tempDir, writeFile, detail, assertFailureSummary, assertMasked } from './harness.mjs';

let server; // { dir, port }

before(() => {
  const dir = tempDir('stage-action-pg-');
  const r = spawnSync('bash', [path.join(root, 'tests/servers/pg.sh'), 'start', dir], {
    encoding: 'utf8',
    env: { ...process.env, WATCH_PID: String(process.pid) },
  });
  assert.equal(r.status, 0, `tests/servers/pg.sh could not start PostgreSQL (is it installed? .ci/run installs it):\n${r.stderr}`);
  server = { dir, port: Number(r.stdout.trim()) };
});

/** A working directory as `terraform init` leaves it for a pg backend with these settings. */
function initialized(config) {
  // Inside the server's directory, which its watcher removes when this process ends.
  const dir = fs.mkdtempSync(path.join(server.dir, 'workdir-'));
  writeFile(path.join(dir, 'main.tf'), 'terraform {\n  backend "pg" {}\n}\n');
  writeFile(
    path.join(dir, '.terraform', 'terraform.tfstate'),
    JSON.stringify({ version: 3, terraform_version: '1.11.4', backend: { type: 'pg', config: { conn_str: null, schema_name: null, ...config }, hash: 1 } }),
  );
  return dir;
}

const url = (user, password, query = '', host = '127.0.0.1') =>
  `postgres://${user}:${password}@${host}:${server.port}/tfstate${query}`;

function lookup(dir, extra = {}, env = {}) {
  return runAction({ command: 'lookup', state: dir, address: 'terraform_data.app.output.image', ...extra }, { env, timeout: 60_000 });
}

function assertImage(r, workspace) {
  assert.equal(r.code, 0, detail(r));
  assert.equal(r.outputs.image, `registry.example.com/app:${workspace}-v1`);
}

/**
 * A psql session that holds Terraform's lock on `workspace` (a session advisory lock on its row's
 * id, as Terraform's pg backend takes it) until `release()`; resolves once PostgreSQL shows it.
 */
async function holdLock(workspace) {
  const session = spawn('psql', ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'tf_scram', '-d', 'tfstate', '-X', '-c',
    `SELECT pg_advisory_lock(id) FROM terraform_remote_state.states WHERE name = '${workspace}'; SELECT pg_sleep(120);`], {
    env: { ...process.env, PGPASSWORD: 'tf_scram-pw', PGSSLMODE: 'disable' }, stdio: 'ignore',
  });
  const release = () => session.kill();
  for (let i = 0; i < 100; i++) {
    const r = spawnSync('psql', ['-h', path.join(server.dir, 'run'), '-p', String(server.port), '-U', 'postgres', '-d', 'tfstate', '-XAtc',
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() !== '0') return release;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  release();
  throw new Error(`the advisory lock on ${workspace} was never taken`);
}

describe('pg backend', () => {
  test('the directory Terraform initialized is read over TLS, sslmode require by default, as Terraform reads it', () => {
    const r = lookup(path.join(server.dir, 'tf'));
    assertImage(r, 'default');
    assertMasked(r, 'tf_scram-pw');
  });

  test('a named workspace is its own row', () => {
    assertImage(lookup(path.join(server.dir, 'tf'), { workspace: 'staging' }), 'staging');
    assertImage(lookup(path.join(server.dir, 'tf'), {}, { TF_WORKSPACE: 'staging' }), 'staging');
  });

  test('a lock held as Terraform holds it (an advisory lock on the row) is warned of, and sets locked', async () => {
    const release = await holdLock('staging');
    try {
      const r = lookup(path.join(server.dir, 'tf'), { workspace: 'staging' });
      assertImage(r, 'staging');
      assert.equal(r.outputs.locked, 'true');
      assert.equal(r.warnings.length, 1, detail(r));
      assert.equal(r.warnings[0].props.title, 'state locked');
      // The pid is the server's backend process for psql's session: only its shape is known.
      const warning = r.warnings[0].message;
      const shape = new RegExp(`^state row "staging" of "terraform_remote_state"\\.states in database tfstate on 127\\.0\\.0\\.1:${server.port} is locked by a session from 127\\.0\\.0\\.1 \\(pid (\\d+)\\) since (\\S+Z): an apply may be in progress, and the state about to change$`);
      const [, pid, since] = shape.exec(warning) ?? [];
      // Since when: the moment psql took the lock, just now.
      assert.ok(pid && Math.abs(Date.parse(since) - Date.now()) < 60_000, warning);
      // The other workspace's row is not locked.
      const other = lookup(path.join(server.dir, 'tf'));
      assertImage(other, 'default');
      assert.equal(other.outputs.locked, 'false');
      assert.deepEqual(other.warnings, [], detail(other));
    } finally {
      release();
    }
  });

  test('md5 and cleartext users log in, without TLS when sslmode=disable', () => {
    assertImage(lookup(initialized({ conn_str: url('tf_md5', 'tf_md5-pw', '?sslmode=disable') })), 'default');
    assertImage(lookup(initialized({ conn_str: url('tf_plain', 'tf_plain-pw', '?sslmode=disable') })), 'default');
  });

  test('verify-full checks the certificate against sslrootcert and the host name; verify-ca the chain only', () => {
    const ca = path.join(server.dir, 'ca.pem');
    const other = path.join(server.dir, 'other-ca.pem');
    const tls = (mode, root, host) =>
      lookup(initialized({ conn_str: url('tf_scram', 'tf_scram-pw', `?sslmode=${mode}&sslrootcert=${root}`, host) }));
    assertImage(tls('verify-full', ca, 'localhost'), 'default');
    // The certificate names localhost, not 127.0.0.1: verify-ca does not look, verify-full does.
    assertImage(tls('verify-ca', ca, '127.0.0.1'), 'default');
    const failures = [
      [tls('verify-full', other, 'localhost'), 'localhost', 'verify-full', `is not signed by the CA in sslrootcert "${other}"`],
      [tls('verify-ca', other, 'localhost'), 'localhost', 'verify-ca', `is not signed by the CA in sslrootcert "${other}"`],
      [tls('verify-full', ca, '127.0.0.1'), '127.0.0.1', 'verify-full', 'does not name "127.0.0.1"'],
    ];
    for (const [r, host, mode, why] of failures) {
      assert.equal(r.code, 1, detail(r));
      assert.equal(r.errors.length, 1, detail(r));
      assert.equal(r.errors[0].props.title, 'backend error');
      assert.equal(
        r.errors[0].message,
        `pg backend: the TLS handshake with PostgreSQL at ${host}:${server.port} failed (sslmode=${mode}): the server's certificate ${why}; check sslrootcert (the CA that signed the server's certificate) and that the host in \`conn_str\` is a name the certificate holds`,
      );
      assertMasked(r, 'tf_scram-pw');
    }
  });

  test('require with sslrootcert checks the chain, as lib/pq does', () => {
    const other = path.join(server.dir, 'other-ca.pem');
    const r = lookup(initialized({ conn_str: url('tf_scram', 'tf_scram-pw', `?sslrootcert=${other}`) }));
    assert.equal(r.code, 1, detail(r));
    assert.match(r.errors[0].message, /failed \(sslmode=require\): the server's certificate is not signed by the CA in sslrootcert/);
  });

  test('the connection string comes from PG_CONN_STR when init recorded none', () => {
    const r = lookup(initialized({}), {}, { PG_CONN_STR: url('tf_scram', 'tf_scram-pw') });
    assertImage(r, 'default');
  });

  test('a wrong password names the user, never the password', () => {
    const r = lookup(initialized({ conn_str: url('tf_scram', 'wrong-secret-pw') }));
    assert.equal(r.code, 1, detail(r));
    assert.equal(r.errors[0].props.title, 'backend error');
    assert.equal(
      r.errors[0].message,
      `pg backend: PostgreSQL at 127.0.0.1:${server.port} refused user "tf_scram" for database "tfstate": "password authentication failed for user \\"tf_scram\\""; check the user and password in \`conn_str\``,
    );
    assertFailureSummary(r, 'lookup', 'backend error');
    assertMasked(r, 'wrong-secret-pw');
  });

  test('a workspace without a row is no state yet, naming those that have one', () => {
    const r = lookup(path.join(server.dir, 'tf'), { workspace: 'prod' });
    assert.equal(r.code, 1, detail(r));
    assert.equal(r.errors[0].props.title, 'state not found');
    assert.equal(
      r.errors[0].message,
      `workspace "prod" (selected by input \`workspace\`) has no state in the pg backend at database tfstate on 127.0.0.1:${server.port}: looked for row "prod" of "terraform_remote_state".states; workspaces with a state: default, staging; set input \`workspace\` to one of them`,
    );
  });

  test('a port nobody listens on fails at once, naming it', () => {
    const dir = initialized({ conn_str: 'postgres://tf:pw@127.0.0.1:1/tfstate' });
    const r = lookup(dir);
    assert.equal(r.code, 1, detail(r));
    assert.match(r.errors[0].message, /^pg backend: cannot reach PostgreSQL at 127\.0\.0\.1:1 \(.*ECONNREFUSED/);
  });
});

