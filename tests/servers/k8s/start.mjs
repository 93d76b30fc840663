// Starts the loopback Kubernetes API (fake_apiserver.py) on a free port of 127.0.0.1, with the
// test PKI of tests/fixtures/tls (server certificate, client CA) and any further flags
// (`--token`, `--forbid`, `--deny`, another `--client-ca`), and resolves once it listens:
//   const api = await startApiServer(work, ['--token', 'ci=ci-token-123']);
//   api.host   // https://127.0.0.1:PORT
//   api.stop();
// Its stdin is a pipe from this process (`--exit-with-stdin`): if the test run is killed, the
// server stops too. Each request is logged as a JSON line in WORK/requests.jsonl.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pki = path.resolve(here, '../../fixtures/tls');

/** Resolves with the text of `file` once a child has written it (its port), or rejects after 15 s. */
export async function readWhenWritten(file, what) {
  for (let i = 0; i < 150; i++) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
    if (text) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within 15 s`);
}

/** Resolves with the server's handle once it has written its port to WORK/port. */
export async function startApiServer(work, flags = []) {
  const portFile = path.join(work, 'port');
  const server = spawn('python3', [path.join(here, 'fake_apiserver.py'),
    '--port', '0', '--portfile', portFile, '--log', path.join(work, 'requests.jsonl'),
    '--cert', path.join(pki, 'server.crt'), '--key', path.join(pki, 'server.key'), '--client-ca', path.join(pki, 'ca.crt'),
    ...flags, '--exit-with-stdin'], { stdio: ['pipe', 'ignore', 'ignore'] });
  server.on('error', () => {}); // no python3: the wait below says the server did not start
  try {
    const port = await readWhenWritten(portFile, 'the fake Kubernetes API server (tests/servers/k8s/fake_apiserver.py; is python3 installed?)');
    return { host: `https://127.0.0.1:${port}`, stop: () => server.kill() };
  } catch (e) {
    server.kill();
    throw e;
  }
}
