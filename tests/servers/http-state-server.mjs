// A loopback server for Terraform's `http` backend, for tests: the protocol Terraform speaks
// (internal/backend/remote-state/http/client.go), as the real `terraform` binary was seen to use it.
//
//   GET    /state/<name>            200 + the state (with Content-MD5) | 404 = no state yet
//   POST   /state/<name>[?ID=<id>]  stores the state (Content-MD5 checked when sent); 409 when
//                                  locked by another ID
//   DELETE /state/<name>            deletes it
//   LOCK   /lock/<name>             body = LockInfo JSON; 200 = locked, 423 + current LockInfo
//   UNLOCK /lock/<name>             200 = unlocked, 409 + current LockInfo when another holds it
//   GET    /lock/<name>             the current LockInfo (an extension; Terraform never asks)
//   GET    /hang                    never answers (for time-outs)
//   GET    /status/<code>           answers <code> with a short text body
// With `user`, every request needs Basic credentials (401 otherwise). With `tls`, the server is
// HTTPS and, with `tls.ca`, requires a client certificate signed by it.
import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';

const md5 = (data) => crypto.createHash('md5').update(data).digest('base64');

/**
 * Starts a server on 127.0.0.1 and a free port: { url, states, locks, requests, close }.
 * `states` maps a name to the stored bytes (tests may preset or read them; pass another
 * server's to serve the same states); `requests` lists { method, path, status, auth } in
 * order. The server does not keep the process alive.
 */
export function startStateServer({ user, password, tls, states = new Map() } = {}) {
  const locks = new Map();
  const requests = [];
  const want = user === undefined ? null : 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
  const handler = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url, 'http://x');
      const [kind, name, extra] = url.pathname.replace(/^\/+/, '').split('/');
      const reply = (status, out = '', headers = {}) => {
        requests.push({ method: req.method, path: url.pathname, status, auth: req.headers.authorization ? 'basic' : null });
        const bytes = Buffer.from(out);
        res.writeHead(status, { 'content-length': bytes.length, ...(bytes.length ? { 'content-type': 'application/json' } : {}), ...headers });
        res.end(req.method === 'HEAD' ? undefined : bytes);
      };
      if (kind === 'hang') return;
      if (want !== null && req.headers.authorization !== want) return reply(401, '{"error":"unauthorized"}');
      if (kind === 'status' && name) return reply(Number(name), `status ${name} from the test server`);
      if (kind === 'state' && name && extra === undefined) {
        if (req.method === 'GET') {
          const data = states.get(name);
          return data ? reply(200, data, { 'content-md5': md5(data) }) : reply(404);
        }
        if (req.method === 'POST' || req.method === 'PUT') {
          const lock = locks.get(name);
          if (lock && url.searchParams.get('ID') !== lock.ID) return reply(409, JSON.stringify(lock));
          const sent = req.headers['content-md5'];
          if (sent && sent !== md5(body)) return reply(400);
          states.set(name, body);
          return reply(200);
        }
        if (req.method === 'DELETE') return reply(states.delete(name) ? 200 : 404);
      }
      if (kind === 'lock' && name && extra === undefined) {
        const info = body.length ? JSON.parse(body) : {};
        const current = locks.get(name);
        if (req.method === 'LOCK') {
          if (current) return reply(423, JSON.stringify(current));
          locks.set(name, info);
          return reply(200);
        }
        if (req.method === 'UNLOCK') {
          if (current && current.ID !== info.ID) return reply(409, JSON.stringify(current));
          locks.delete(name);
          return reply(200);
        }
        if (req.method === 'GET') return current ? reply(200, JSON.stringify(current)) : reply(404);
      }
      return reply(404);
    });
  };
  const server = tls
    ? https.createServer({ key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: Boolean(tls.ca), rejectUnauthorized: Boolean(tls.ca) }, handler)
    : http.createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      const scheme = tls ? 'https' : 'http';
      resolve({ url: `${scheme}://127.0.0.1:${server.address().port}`, states, locks, requests, close: () => server.close() });
    });
  });
}

// Run as a program (`node http-state-server.mjs USER PASSWORD TLS_DIR`), for tests whose own
// process blocks while the action runs: a plain HTTP server and, sharing its states, an HTTPS one
// requiring a client certificate signed by TLS_DIR/ca.crt, both with Basic credentials USER and
// PASSWORD. Prints {"url", "tlsUrl"} as one JSON line once both listen; ends when stdin closes
// (its parent ended).
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  const fs = await import('node:fs');
  const [user, password, tlsDir] = process.argv.slice(2);
  const read = (name) => fs.readFileSync(`${tlsDir}/${name}`, 'utf8');
  const plain = await startStateServer({ user, password });
  const secure = await startStateServer({
    user, password, states: plain.states, tls: { key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt') },
  });
  process.stdout.write(`${JSON.stringify({ url: plain.url, tlsUrl: secure.url })}\n`);
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
