// The host functions the wasm module imports: the only JavaScript that does work for Rust.
// Each is small and synchronous unless it must wait; errors are thrown and become Rust
// `Err` values at the door (`src/host/ffi.rs`, every import there is `catch`).
'use strict';
const fs = require('node:fs');

// Shared with js/index.js through the global symbol registry: the bundle holds two copies of
// this file's scope (the glue's and the entry's), and a symbol is the same in both.
const PANICKED = Symbol.for('stage-action.panicked');

/** The value of environment variable `name`, or undefined. */
function env_get(name) {
  return process.env[name];
}

/** The names of the environment variables that start with `prefix` (`TF_TOKEN_`). */
function env_names(prefix) {
  return Object.keys(process.env).filter((name) => name.startsWith(prefix));
}

/** Command-line arguments after the script. */
function args() {
  return process.argv.slice(2);
}

function cwd() {
  return process.cwd();
}

/** What a stat says a path is: 'file', 'dir', 'fifo', 'socket', 'char-device', 'block-device' or 'other'. */
function kindOf(s) {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'dir';
  if (s.isFIFO()) return 'fifo';
  if (s.isSocket()) return 'socket';
  if (s.isCharacterDevice()) return 'char-device';
  if (s.isBlockDevice()) return 'block-device';
  return 'other';
}

/** { kind, size, mtime_ms } (symbolic links followed), or null when nothing is there. */
function stat(path) {
  let s;
  try {
    s = fs.statSync(path);
  } catch (e) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
    throw e;
  }
  return { kind: kindOf(s), size: s.size, mtime_ms: s.mtimeMs };
}

/** The path with every symbolic link resolved; throws ENOENT when nothing is there. */
function realpath(path) {
  return fs.realpathSync.native(path);
}

/**
 * Opens a file for reading only when it is a regular file: { fd, kind, size, mtime_ms }, with
 * fd -1 (and nothing left open) for a FIFO, device, socket or directory. O_NONBLOCK keeps the
 * open itself from waiting for a FIFO's writer; the kind is taken from the open descriptor, so a
 * file swapped between a check and the open cannot slip through.
 */
function open_regular(path) {
  const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  let s;
  try {
    s = fs.fstatSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  const kind = kindOf(s);
  if (kind !== 'file') {
    fs.closeSync(fd);
    return { fd: -1, kind, size: s.size, mtime_ms: s.mtimeMs };
  }
  return { fd, kind, size: s.size, mtime_ms: s.mtimeMs };
}

/** Reads into `buf`, a view of the wasm memory, so a large file is never copied twice. */
function read_into(fd, buf, position) {
  return fs.readSync(fd, buf, 0, buf.length, position);
}

function close(fd) {
  fs.closeSync(fd);
}

function read_dir(path) {
  return fs.readdirSync(path);
}

function append_file(path, data) {
  fs.appendFileSync(path, data);
}

function write_stdout(text) {
  writeAll(1, text);
}

function write_stderr(text) {
  writeAll(2, text);
}

// writeSync may write less than asked to a pipe; loop so nothing is lost before exit.
function writeAll(fd, text) {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => (i + 0x100).toString(16).slice(1));

/** 16 bytes from the kernel's CSPRNG (/dev/urandom), or throws (no such device, e.g. Windows). */
function urandom16() {
  const buf = Buffer.alloc(16);
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    for (let off = 0; off < 16; ) {
      const n = fs.readSync(fd, buf, off, 16 - off, null);
      if (n <= 0) throw new Error('/dev/urandom: short read');
      off += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return buf;
}

/**
 * A random (version 4) UUID, for the output file's delimiters, which must stay unguessable
 * (see @actions/core's file-command.ts). Loading node:crypto costs a few ms of start-up, so
 * the bytes come from /dev/urandom, the same kernel CSPRNG that seeds node:crypto; where that
 * cannot be read (Windows), node:crypto.
 */
function random_uuid() {
  let b;
  try {
    b = urandom16();
  } catch {
    return require('node:crypto').randomUUID();
  }
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // variant 10 (RFC 9562)
  const h = (i) => HEX[b[i]];
  return (
    h(0) + h(1) + h(2) + h(3) + '-' + h(4) + h(5) + '-' + h(6) + h(7) + '-' + h(8) + h(9) + '-' +
    h(10) + h(11) + h(12) + h(13) + h(14) + h(15)
  );
}

function now_ms() {
  return Date.now();
}

function timedOut(what, ms) {
  const e = new Error(`${what} did not finish within ${ms / 1000} s`);
  e.code = 'ETIMEDOUT';
  return e;
}

function tooLarge(what, max) {
  const e = new Error(`${what} gave more than ${max} bytes`);
  e.code = 'EFBIG';
  return e;
}

/**
 * Runs a program without a shell: { status, stdout, stderr } (stdout and stderr as bytes).
 * `env` is a flat [name, value, ...] list added to this process's environment. The program runs
 * in a process group of its own, so that on time-out (`timeout_ms`) or when it prints more than
 * `max_bytes`, the whole group is killed: git's helpers (remote-https, ssh) included, which would
 * otherwise hold the pipes open. A program that cannot start rejects (ENOENT and the like).
 */
function run_process(program, args, cwd, env, timeout_ms, max_bytes) {
  const { spawn } = require('node:child_process');
  const extra = {};
  for (let i = 0; i + 1 < env.length; i += 2) extra[env[i]] = env[i + 1];
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: cwd || undefined,
      env: { ...process.env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
    let failure = null;
    const kill = (why) => {
      failure = failure || why;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => kill(timedOut(program, timeout_ms)), timeout_ms);
    const out = [];
    const err = [];
    let size = 0;
    const collect = (chunks) => (chunk) => {
      size += chunk.length;
      if (size > max_bytes) kill(tooLarge(program, max_bytes));
      else chunks.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) reject(failure);
      else resolve({ status: code === null ? -1 : code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
  });
}

/**
 * Checks one PEM before it reaches the TLS context, so that a PEM that does not parse is named
 * (OpenSSL's own error says only "no start line", whichever of the three it was). A CA bundle is
 * checked by its first certificate.
 */
function checkPem(pem, what, parse) {
  try {
    parse(pem);
  } catch (e) {
    const reason = String(e.message || e).replace(/^error:[0-9A-F]+:[^:]*:[^:]*:/, '');
    const err = new Error(`${what} does not parse as PEM (${reason})`);
    err.code = e.code || 'ERR_OSSL_PEM_BAD';
    throw err;
  }
}

/**
 * The proxy for `target` (a URL), as Terraform picks it: Go's http.ProxyFromEnvironment
 * (golang.org/x/net/http/httpproxy). HTTPS_PROXY (else https_proxy) for an https URL, HTTP_PROXY
 * (else http_proxy) for http; a proxy without a scheme is http://. Never for `localhost` or a
 * loopback IP. NO_PROXY (else no_proxy): `*`, or a comma-separated list of IPs, CIDRs and
 * domains, each with an optional port; `example.com` matches it and its subdomains,
 * `.example.com` (or `*.example.com`) only its subdomains. Returns the proxy URL, or null.
 *
 * The tunnel itself is Node's (>= 24.5): an Agent built with `proxyEnv` sends `CONNECT
 * host:port` (absolute-form for http://) to the proxy, with `Proxy-Authorization` only to the
 * proxy, and TLS to the target inside it with the request's own TLS options. Not
 * NODE_USE_ENV_PROXY=1: it must be set before Node starts, applies to the global agents (we use
 * none: `agent: false`), and Node's NO_PROXY matching differs from Go's (no subdomains for
 * `example.com`, no CIDRs); so the choice is made here and Node gets only the proxy to use.
 */
function proxyFor(target, env = process.env) {
  const pick = (...names) => names.map((n) => env[n]).find((v) => v != null && v !== '');
  const secure = target.protocol === 'https:';
  let proxy = secure ? pick('HTTPS_PROXY', 'https_proxy') : pick('HTTP_PROXY', 'http_proxy');
  if (!proxy) return null;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (secure ? '443' : '80');
  const net = require('node:net');
  if (host === 'localhost' || (net.isIPv4(host) && host.startsWith('127.')) || host === '::1') return null;
  const noProxy = pick('NO_PROXY', 'no_proxy') || '';
  for (let entry of noProxy.split(',')) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return null;
    if (entry.includes('/')) {
      const [base, bits] = entry.split('/');
      const family = net.isIPv4(base) ? 'ipv4' : net.isIPv6(base) ? 'ipv6' : null;
      const prefix = /^\d{1,3}$/.test(bits ?? '') ? Number(bits) : -1;
      // A range that does not parse is skipped, as Go's httpproxy skips it (addSubnet would
      // throw, and fail every request to an address).
      if (family && net.isIP(host) && prefix <= (family === 'ipv4' ? 32 : 128) && prefix >= 0) {
        const list = new net.BlockList();
        list.addSubnet(base, prefix, family);
        if (list.check(host, net.isIPv4(host) ? 'ipv4' : 'ipv6')) return null;
      }
      continue;
    }
    let [h, p] = [entry, ''];
    const m = /^(.*):(\d+)$/.exec(entry);
    if (m && !net.isIPv6(entry)) [h, p] = [m[1], m[2]];
    h = h.replace(/^\[|\]$/g, '');
    if (net.isIP(h)) {
      if (h === host && (!p || p === port)) return null;
      continue;
    }
    if (h.startsWith('*')) h = h.slice(1);
    const matchHost = !h.startsWith('.');
    if (matchHost) h = '.' + h;
    if ((host.endsWith(h) || (matchHost && host === h.slice(1))) && (!p || p === port)) return null;
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy)) proxy = `http://${proxy}`;
  return proxy;
}

/**
 * One HTTP request with node:https (node:http for an http:// URL): { status, headers: [name,
 * value, ...], body: bytes }. Not fetch: loading undici costs ~30 ms of a run, and fetch cannot
 * present a client certificate; node:http(s) serves every request, with or without TLS settings.
 * `ca` replaces the system roots; `insecure` accepts any server certificate. Same guarantees as
 * `http_request`: redirects returned, never followed; the whole exchange within `timeout_ms`
 * (then the request is destroyed); a body over `max_bytes` is an error; header names lower-case.
 * No Accept-Encoding is sent, so bodies come uncompressed. Errors keep Node's `code`. `async`, so
 * that a PEM refused before the request starts rejects the promise instead of throwing.
 */
async function http_request(method, url, headers, body, timeout_ms, max_bytes, ca, cert, key, insecure) {
  const what = `${method} ${url}`;
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const options = { method, headers: {}, agent: false };
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i].toLowerCase();
    const prior = options.headers[name];
    options.headers[name] = prior === undefined ? headers[i + 1] : [].concat(prior, headers[i + 1]);
  }
  if (secure) {
    // node:crypto only when there is a PEM to check: a plain https request (the GitHub API) needs none.
    const crypto = () => require('node:crypto');
    if (ca != null) checkPem(ca, 'the CA certificate', (p) => new (crypto().X509Certificate)(p));
    if (cert != null) checkPem(cert, 'the client certificate', (p) => new (crypto().X509Certificate)(p));
    if (key != null) checkPem(key, 'the client private key', (p) => crypto().createPrivateKey(p));
    if (ca != null) options.ca = ca;
    if (cert != null) options.cert = cert;
    if (key != null) options.key = key;
    options.rejectUnauthorized = !insecure;
  }
  const lib = secure ? require('node:https') : require('node:http');
  const proxy = proxyFor(target);
  if (proxy) {
    const scheme = new URL(proxy).protocol;
    if (scheme !== 'http:' && scheme !== 'https:') {
      throw Object.assign(new Error(`${what}: the proxy in ${secure ? 'HTTPS_PROXY' : 'HTTP_PROXY'} is ${scheme.slice(0, -1)}://, and only http:// and https:// proxies are supported`), { code: 'ENOTSUP' });
    }
    // One agent per request, as `agent: false` is: nothing is kept between requests.
    options.agent = new lib.Agent({ proxyEnv: secure ? { HTTPS_PROXY: proxy } : { HTTP_PROXY: proxy } });
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    let req;
    const settle = (f, v) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f(v);
    };
    const fail = (e) => {
      settle(reject, e);
      if (req) req.destroy();
    };
    const timer = setTimeout(() => fail(timedOut(what, timeout_ms)), timeout_ms);
    try {
      // createSecureContext throws here: a key that does not match its certificate, and the like.
      req = lib.request(target, options, (res) => {
        const flat = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) flat.push(res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]);
        const chunks = [];
        let size = 0;
        res.on('data', (chunk) => {
          size += chunk.length;
          if (size > max_bytes) fail(tooLarge(what, max_bytes));
          else chunks.push(chunk);
        });
        res.on('end', () => settle(resolve, { status: res.statusCode, headers: flat, body: Buffer.concat(chunks) }));
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error(`${what}: the connection closed in the body`), { code: 'ECONNRESET' }));
        });
      });
    } catch (e) {
      return settle(reject, e);
    }
    req.on('error', fail);
    req.end(body && body.length ? Buffer.from(body) : undefined);
  });
}

/**
 * The parts of an X.509 certificate (PEM) a message needs: { subject, not_before_ms, not_after_ms }.
 * node:crypto is loaded only here, when a certificate is asked about.
 */
function x509(pem) {
  const { X509Certificate } = require('node:crypto');
  const c = new X509Certificate(pem);
  return {
    subject: c.subject.split('\n').join(', '),
    not_before_ms: Date.parse(c.validFrom),
    not_after_ms: Date.parse(c.validTo),
  };
}

/**
 * Whether the private key `key` (PEM) belongs to the certificate `cert` (PEM): their public
 * keys are compared by node:crypto. Node's errors name the failure, never the key.
 */
function x509_matches_key(cert, key) {
  const { X509Certificate, createPrivateKey } = require('node:crypto');
  return new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
}

/**
 * RS256 (RSASSA-PKCS1-v1_5 with SHA-256) of `data` with an RSA private key in PEM: a Google
 * service-account key's signature of its JWT. node:crypto is loaded only here. Node's errors
 * name the failure, never the key.
 */
function sign_rs256(pem, data) {
  const { sign } = require('node:crypto');
  return new Uint8Array(sign('RSA-SHA256', Buffer.from(data), pem));
}

// ---- Sockets: TCP, upgraded to TLS on demand; the protocol is spoken in Rust ----

/** Open sockets by id: { sock, chunks, size, ended, error, wake }. */
const sockets = new Map();
let nextSocket = 1;
// Past this much unread data the socket is paused, so a server cannot fill our memory faster
// than Rust reads (Rust bounds each message it accepts).
const SOCKET_HIGH_WATER = 1 << 20;

function socketOf(id) {
  const s = sockets.get(id);
  if (!s) {
    const e = new Error('the connection is closed');
    e.code = 'EPIPE';
    throw e;
  }
  return s;
}

/** Listens to `sock` for `s`: data is queued until read; the end and errors are remembered. */
function listen(s, sock) {
  s.sock = sock;
  const wake = () => {
    const w = s.wake;
    s.wake = null;
    if (w) w();
  };
  sock.on('data', (chunk) => {
    s.chunks.push(chunk);
    s.size += chunk.length;
    if (s.size > SOCKET_HIGH_WATER) sock.pause();
    wake();
  });
  sock.on('end', () => {
    s.ended = true;
    wake();
  });
  sock.on('close', () => {
    s.ended = true;
    wake();
  });
  sock.on('error', (e) => {
    s.error = s.error || e;
    wake();
  });
}

/**
 * Runs `start(done, fail)` until it settles, or rejects ETIMEDOUT after `timeout_ms`; then the
 * function `start` returned, if any, undoes what it started.
 */
function bounded(what, timeout_ms, start) {
  return new Promise((resolve, reject) => {
    let settled = false;
    let cancel = null;
    const timer = setTimeout(() => {
      if (cancel) cancel();
      finish(reject, timedOut(what, timeout_ms));
    }, timeout_ms);
    function finish(how, value) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      how(value);
    }
    cancel = start((v) => finish(resolve, v), (e) => finish(reject, e));
  });
}

/** Connects to host:port; resolves to the socket's id. */
function socket_connect(host, port, timeout_ms) {
  const net = require('node:net');
  return bounded(`${host}:${port}`, timeout_ms, (done, fail) => {
    const sock = net.connect({ host, port, noDelay: true });
    const onError = (e) => {
      sock.destroy();
      fail(e);
    };
    sock.once('error', onError);
    sock.once('connect', () => {
      sock.off('error', onError);
      const id = nextSocket++;
      const s = { sock, chunks: [], size: 0, ended: false, error: null, wake: null };
      sockets.set(id, s);
      listen(s, sock);
      done(id);
    });
    return () => sock.destroy();
  });
}

/**
 * Upgrades socket `id` to TLS. `verify`: 'none' (encrypt only), 'chain' (the chain up to `ca`, or
 * the system's roots, whatever name it bears) or 'full' (the chain and the name `servername`).
 */
function socket_start_tls(id, ca, verify, servername, timeout_ms) {
  const tls = require('node:tls');
  const net = require('node:net');
  const s = socketOf(id);
  if (s.size > 0) {
    // Bytes the server sent before the handshake, unasked: someone in between put them there.
    const e = new Error('the server sent unencrypted data before the TLS handshake');
    e.code = 'EPROTO';
    return Promise.reject(e);
  }
  const raw = s.sock;
  raw.removeAllListeners('data');
  raw.removeAllListeners('end');
  raw.removeAllListeners('close');
  raw.removeAllListeners('error');
  const options = { socket: raw, rejectUnauthorized: verify !== 'none', ca: ca || undefined };
  // SNI takes a name, never an address.
  if (servername && !net.isIP(servername)) options.servername = servername;
  if (verify === 'chain') options.checkServerIdentity = () => undefined;
  // checkServerIdentity compares the certificate with `host` (a name or an address).
  if (verify === 'full') options.host = servername;
  return bounded(`TLS with ${servername}`, timeout_ms, (done, fail) => {
    const sock = tls.connect(options);
    const onError = (e) => {
      sock.destroy();
      fail(e);
    };
    sock.once('error', onError);
    sock.once('secureConnect', () => {
      sock.off('error', onError);
      listen(s, sock);
      done(true);
    });
    return () => sock.destroy();
  }).catch((e) => {
    s.sock.destroy();
    sockets.delete(id);
    throw e;
  });
}

/** Writes all of `data` (copied now: it is a view of the wasm memory). */
function socket_write(id, data, timeout_ms) {
  const s = socketOf(id);
  const copy = Buffer.from(data);
  return bounded('a write', timeout_ms, (done, fail) => {
    if (s.error) return fail(s.error);
    s.sock.write(copy, (e) => (e ? fail(e) : done(true)));
  });
}

/** Up to `max` bytes as they arrive; empty once the peer closed. */
function socket_read(id, max, timeout_ms) {
  const s = socketOf(id);
  return bounded('a read', timeout_ms, (done, fail) => {
    const take = () => {
      if (s.chunks.length) {
        const first = s.chunks[0];
        const out = first.length <= max ? s.chunks.shift() : first.subarray(0, max);
        if (first.length > max) s.chunks[0] = first.subarray(max);
        s.size -= out.length;
        if (s.size <= SOCKET_HIGH_WATER && s.sock.isPaused()) s.sock.resume();
        return done(out);
      }
      if (s.error) return fail(s.error);
      if (s.ended) return done(new Uint8Array(0));
      s.wake = take;
    };
    take();
    // A read that timed out takes nothing that arrives later.
    return () => {
      if (s.wake === take) s.wake = null;
    };
  });
}

/** Closes socket `id`, if still open; closing twice is harmless. */
function socket_close(id) {
  const s = sockets.get(id);
  if (!s) return;
  sockets.delete(id);
  s.wake = null;
  s.sock.destroy();
}

// The cloud backends' module (src/backend/on_demand.rs): `cloud.js` beside this bundle, loaded
// the first time a stage keeps its state in one of them, so that no other run compiles it. The
// name is built at run time so that the bundler leaves the require for then.
let cloudModule = null;
async function on_demand(op, backend, location) {
  if (!cloudModule) cloudModule = require(require('node:path').join(__dirname, 'cloud.js'));
  const [answer, body] = await cloudModule[op](backend, location);
  return { answer, body };
}

/** Called by the panic hook after it has printed the report; the entry reads it back. */
function mark_panicked() {
  globalThis[PANICKED] = true;
}

module.exports = {
  env_get, env_names, args, cwd, stat, realpath, open_regular, read_into, close, read_dir, append_file,
  write_stdout, write_stderr, random_uuid, now_ms, mark_panicked, run_process, http_request, x509,
  x509_matches_key, sign_rs256,
  socket_connect, socket_start_tls, socket_write, socket_read, socket_close, on_demand,
  // For tests (tests/node/proxy.test.mjs): not called from Rust.
  proxyFor,
};
