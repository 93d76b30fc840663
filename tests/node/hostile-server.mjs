// Loopback servers that misbehave on purpose, for the tests of what a hostile or broken server
// can do to the action. Each runs in a child process of its own (runAction blocks the test's
// event loop with spawnSync, so a server on that loop could never answer), binds 127.0.0.1
// only, logs every request it receives as a JSON line, and stops when the test stops it.
//
//   const s = await startHostile('trickle');
//   runAction({ ... }, { env: { GITHUB_API_URL: s.url } });
//   s.requests()   // [{ server: 'main', method, url, body }]
//   s.close();
//
// Modes:
//   silent     accepts TCP connections and never answers (an API or a git remote that hangs)
//   trickle    answers 200 and then one byte every 200 ms, forever
//   link-loop  answers `[]` with a Link rel="next" that leads back to the same page
//   redirect   answers every request with 307 to the same path on a second server (`other`),
//              which answers 201 `{"id": 7}` and logs what reaches it
//   huge       answers 200 with a body of 80 MiB
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './harness.mjs';

const self = fileURLToPath(import.meta.url);

/** Starts a server in `mode` in a child process; resolves to { url, requests(), close() }. */
export function startHostile(mode) {
  const dir = tempDir('stage-action-hostile-');
  const log = path.join(dir, 'requests.jsonl');
  const child = spawn(process.execPath, [self, mode, log], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const line = text.split('\n')[0];
      if (text.includes('\n')) {
        resolve({
          url: line.trim(),
          requests: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []),
          close: () => {
            child.kill('SIGKILL');
            fs.rmSync(dir, { recursive: true, force: true });
          },
        });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`hostile server ${mode} exited with ${code}`)));
  });
}

function serve(mode, log) {
  const record = (server, req, body) =>
    fs.appendFileSync(log, `${JSON.stringify({ server, method: req.method, url: req.url, body })}\n`);
  const listen = (server) => new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server.address().port)));
  const withBody = (server, handler) => (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      record(server, req, body);
      handler(req, res, body);
    });
  };
  const announce = (port) => process.stdout.write(`http://127.0.0.1:${port}\n`);

  if (mode === 'silent') {
    const sockets = [];
    const server = net.createServer((s) => {
      sockets.push(s);
      fs.appendFileSync(log, `${JSON.stringify({ server: 'main', method: 'CONNECT' })}\n`);
    });
    return listen(server).then(announce);
  }
  if (mode === 'trickle') {
    return listen(http.createServer(withBody('main', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      setInterval(() => res.write(' '), 200);
    }))).then(announce);
  }
  if (mode === 'link-loop') {
    let port;
    const server = http.createServer(withBody('main', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', link: `<http://127.0.0.1:${port}${req.url}>; rel="next"` });
      res.end('[]');
    }));
    return listen(server).then((p) => {
      port = p;
      announce(p);
    });
  }
  if (mode === 'huge') {
    return listen(http.createServer(withBody('main', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1 << 20, 0x20);
      let left = 80;
      const more = () => {
        while (left > 0) {
          left -= 1;
          if (!res.write(chunk)) return res.once('drain', more);
        }
        res.end('[]');
      };
      more();
    }))).then(announce);
  }
  if (mode === 'redirect') {
    const other = http.createServer(withBody('other', (req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"id": 7}');
    }));
    return listen(other).then((otherPort) => {
      const main = http.createServer(withBody('main', (req, res) => {
        res.writeHead(307, { location: `http://127.0.0.1:${otherPort}${req.url}` });
        res.end();
      }));
      return listen(main).then(announce);
    });
  }
  throw new Error(`unknown mode ${mode}`);
}

if (process.argv[1] === self) {
  serve(process.argv[2], process.argv[3]);
}
