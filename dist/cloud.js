var __getOwnPropNames = Object.getOwnPropertyNames;
var __commonJS = (cb, mod) => function __require() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};

// cloud/snippets/stage-action-8be90cc3f2248327/js/host.js
var require_host = __commonJS({
  "cloud/snippets/stage-action-8be90cc3f2248327/js/host.js"(exports2, module2) {
    "use strict";
    var fs = require("node:fs");
    var PANICKED = /* @__PURE__ */ Symbol.for("stage-action.panicked");
    function env_get2(name) {
      return process.env[name];
    }
    function env_names(prefix) {
      return Object.keys(process.env).filter((name) => name.startsWith(prefix));
    }
    function args() {
      return process.argv.slice(2);
    }
    function cwd() {
      return process.cwd();
    }
    function kindOf(s) {
      if (s.isFile()) return "file";
      if (s.isDirectory()) return "dir";
      if (s.isFIFO()) return "fifo";
      if (s.isSocket()) return "socket";
      if (s.isCharacterDevice()) return "char-device";
      if (s.isBlockDevice()) return "block-device";
      return "other";
    }
    function stat(path) {
      let s;
      try {
        s = fs.statSync(path);
      } catch (e) {
        if (e.code === "ENOENT" || e.code === "ENOTDIR") return null;
        throw e;
      }
      return { kind: kindOf(s), size: s.size, mtime_ms: s.mtimeMs };
    }
    function realpath2(path) {
      return fs.realpathSync.native(path);
    }
    function open_regular2(path) {
      const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
      let s;
      try {
        s = fs.fstatSync(fd);
      } catch (e) {
        fs.closeSync(fd);
        throw e;
      }
      const kind = kindOf(s);
      if (kind !== "file") {
        fs.closeSync(fd);
        return { fd: -1, kind, size: s.size, mtime_ms: s.mtimeMs };
      }
      return { fd, kind, size: s.size, mtime_ms: s.mtimeMs };
    }
    function read_into2(fd, buf, position) {
      return fs.readSync(fd, buf, 0, buf.length, position);
    }
    function close2(fd) {
      fs.closeSync(fd);
    }
    function read_dir(path) {
      return fs.readdirSync(path);
    }
    function append_file(path, data) {
      fs.appendFileSync(path, data);
    }
    function write_stdout2(text) {
      writeAll(1, text);
    }
    function write_stderr2(text) {
      writeAll(2, text);
    }
    function writeAll(fd, text) {
      const buf = Buffer.from(text, "utf8");
      let off = 0;
      while (off < buf.length) {
        try {
          off += fs.writeSync(fd, buf, off);
        } catch (e) {
          if (e.code !== "EAGAIN") throw e;
        }
      }
    }
    var HEX = Array.from({ length: 256 }, (_, i) => (i + 256).toString(16).slice(1));
    function urandom16() {
      const buf = Buffer.alloc(16);
      const fd = fs.openSync("/dev/urandom", "r");
      try {
        for (let off = 0; off < 16; ) {
          const n = fs.readSync(fd, buf, off, 16 - off, null);
          if (n <= 0) throw new Error("/dev/urandom: short read");
          off += n;
        }
      } finally {
        fs.closeSync(fd);
      }
      return buf;
    }
    function random_uuid() {
      let b;
      try {
        b = urandom16();
      } catch {
        return require("node:crypto").randomUUID();
      }
      b[6] = b[6] & 15 | 64;
      b[8] = b[8] & 63 | 128;
      const h = (i) => HEX[b[i]];
      return h(0) + h(1) + h(2) + h(3) + "-" + h(4) + h(5) + "-" + h(6) + h(7) + "-" + h(8) + h(9) + "-" + h(10) + h(11) + h(12) + h(13) + h(14) + h(15);
    }
    function now_ms() {
      return Date.now();
    }
    function timedOut(what, ms) {
      const e = new Error(`${what} did not finish within ${ms / 1e3} s`);
      e.code = "ETIMEDOUT";
      return e;
    }
    function tooLarge(what, max) {
      const e = new Error(`${what} gave more than ${max} bytes`);
      e.code = "EFBIG";
      return e;
    }
    function run_process(program, args2, cwd2, env, timeout_ms, max_bytes) {
      const { spawn } = require("node:child_process");
      const extra = {};
      for (let i = 0; i + 1 < env.length; i += 2) extra[env[i]] = env[i + 1];
      return new Promise((resolve, reject) => {
        const child = spawn(program, args2, {
          cwd: cwd2 || void 0,
          env: { ...process.env, ...extra },
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
          windowsHide: true
        });
        let failure = null;
        const kill = (why) => {
          failure = failure || why;
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            child.kill("SIGKILL");
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
        child.stdout.on("data", collect(out));
        child.stderr.on("data", collect(err));
        child.on("error", (e) => {
          clearTimeout(timer);
          reject(e);
        });
        child.on("close", (code) => {
          clearTimeout(timer);
          if (failure) reject(failure);
          else resolve({ status: code === null ? -1 : code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
        });
      });
    }
    function checkPem(pem, what, parse) {
      try {
        parse(pem);
      } catch (e) {
        const reason = String(e.message || e).replace(/^error:[0-9A-F]+:[^:]*:[^:]*:/, "");
        const err = new Error(`${what} does not parse as PEM (${reason})`);
        err.code = e.code || "ERR_OSSL_PEM_BAD";
        throw err;
      }
    }
    function proxyFor(target, env = process.env) {
      const pick = (...names) => names.map((n) => env[n]).find((v) => v != null && v !== "");
      const secure = target.protocol === "https:";
      let proxy = secure ? pick("HTTPS_PROXY", "https_proxy") : pick("HTTP_PROXY", "http_proxy");
      if (!proxy) return null;
      const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
      const port = target.port || (secure ? "443" : "80");
      const net = require("node:net");
      if (host === "localhost" || net.isIPv4(host) && host.startsWith("127.") || host === "::1") return null;
      const noProxy = pick("NO_PROXY", "no_proxy") || "";
      for (let entry of noProxy.split(",")) {
        entry = entry.trim().toLowerCase();
        if (!entry) continue;
        if (entry === "*") return null;
        if (entry.includes("/")) {
          const [base, bits] = entry.split("/");
          const family = net.isIPv4(base) ? "ipv4" : net.isIPv6(base) ? "ipv6" : null;
          const prefix = /^\d{1,3}$/.test(bits ?? "") ? Number(bits) : -1;
          if (family && net.isIP(host) && prefix <= (family === "ipv4" ? 32 : 128) && prefix >= 0) {
            const list = new net.BlockList();
            list.addSubnet(base, prefix, family);
            if (list.check(host, net.isIPv4(host) ? "ipv4" : "ipv6")) return null;
          }
          continue;
        }
        let [h, p] = [entry, ""];
        const m = /^(.*):(\d+)$/.exec(entry);
        if (m && !net.isIPv6(entry)) [h, p] = [m[1], m[2]];
        h = h.replace(/^\[|\]$/g, "");
        if (net.isIP(h)) {
          if (h === host && (!p || p === port)) return null;
          continue;
        }
        if (h.startsWith("*")) h = h.slice(1);
        const matchHost = !h.startsWith(".");
        if (matchHost) h = "." + h;
        if ((host.endsWith(h) || matchHost && host === h.slice(1)) && (!p || p === port)) return null;
      }
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy)) proxy = `http://${proxy}`;
      return proxy;
    }
    async function http_request2(method, url, headers, body, timeout_ms, max_bytes, ca, cert, key, insecure) {
      const what = `${method} ${url}`;
      const target = new URL(url);
      const secure = target.protocol === "https:";
      const options = { method, headers: {}, agent: false };
      for (let i = 0; i + 1 < headers.length; i += 2) {
        const name = headers[i].toLowerCase();
        const prior = options.headers[name];
        options.headers[name] = prior === void 0 ? headers[i + 1] : [].concat(prior, headers[i + 1]);
      }
      if (secure) {
        const crypto = () => require("node:crypto");
        if (ca != null) checkPem(ca, "the CA certificate", (p) => new (crypto()).X509Certificate(p));
        if (cert != null) checkPem(cert, "the client certificate", (p) => new (crypto()).X509Certificate(p));
        if (key != null) checkPem(key, "the client private key", (p) => crypto().createPrivateKey(p));
        if (ca != null) options.ca = ca;
        if (cert != null) options.cert = cert;
        if (key != null) options.key = key;
        options.rejectUnauthorized = !insecure;
      }
      const lib = secure ? require("node:https") : require("node:http");
      const proxy = proxyFor(target);
      if (proxy) {
        const scheme = new URL(proxy).protocol;
        if (scheme !== "http:" && scheme !== "https:") {
          throw Object.assign(new Error(`${what}: the proxy in ${secure ? "HTTPS_PROXY" : "HTTP_PROXY"} is ${scheme.slice(0, -1)}://, and only http:// and https:// proxies are supported`), { code: "ENOTSUP" });
        }
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
          req = lib.request(target, options, (res) => {
            const flat = [];
            for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) flat.push(res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]);
            const chunks = [];
            let size = 0;
            res.on("data", (chunk) => {
              size += chunk.length;
              if (size > max_bytes) fail(tooLarge(what, max_bytes));
              else chunks.push(chunk);
            });
            res.on("end", () => settle(resolve, { status: res.statusCode, headers: flat, body: Buffer.concat(chunks) }));
            res.on("error", fail);
            res.on("close", () => {
              if (!res.complete) fail(Object.assign(new Error(`${what}: the connection closed in the body`), { code: "ECONNRESET" }));
            });
          });
        } catch (e) {
          return settle(reject, e);
        }
        req.on("error", fail);
        req.end(body && body.length ? Buffer.from(body) : void 0);
      });
    }
    function x509(pem) {
      const { X509Certificate } = require("node:crypto");
      const c = new X509Certificate(pem);
      return {
        subject: c.subject.split("\n").join(", "),
        not_before_ms: Date.parse(c.validFrom),
        not_after_ms: Date.parse(c.validTo)
      };
    }
    function x509_matches_key(cert, key) {
      const { X509Certificate, createPrivateKey } = require("node:crypto");
      return new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
    }
    function sign_rs2562(pem, data) {
      const { sign } = require("node:crypto");
      return new Uint8Array(sign("RSA-SHA256", Buffer.from(data), pem));
    }
    var sockets = /* @__PURE__ */ new Map();
    var nextSocket = 1;
    var SOCKET_HIGH_WATER = 1 << 20;
    function socketOf(id) {
      const s = sockets.get(id);
      if (!s) {
        const e = new Error("the connection is closed");
        e.code = "EPIPE";
        throw e;
      }
      return s;
    }
    function listen(s, sock) {
      s.sock = sock;
      const wake = () => {
        const w = s.wake;
        s.wake = null;
        if (w) w();
      };
      sock.on("data", (chunk) => {
        s.chunks.push(chunk);
        s.size += chunk.length;
        if (s.size > SOCKET_HIGH_WATER) sock.pause();
        wake();
      });
      sock.on("end", () => {
        s.ended = true;
        wake();
      });
      sock.on("close", () => {
        s.ended = true;
        wake();
      });
      sock.on("error", (e) => {
        s.error = s.error || e;
        wake();
      });
    }
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
    function socket_connect(host, port, timeout_ms) {
      const net = require("node:net");
      return bounded(`${host}:${port}`, timeout_ms, (done, fail) => {
        const sock = net.connect({ host, port, noDelay: true });
        const onError = (e) => {
          sock.destroy();
          fail(e);
        };
        sock.once("error", onError);
        sock.once("connect", () => {
          sock.off("error", onError);
          const id = nextSocket++;
          const s = { sock, chunks: [], size: 0, ended: false, error: null, wake: null };
          sockets.set(id, s);
          listen(s, sock);
          done(id);
        });
        return () => sock.destroy();
      });
    }
    function socket_start_tls(id, ca, verify, servername, timeout_ms) {
      const tls = require("node:tls");
      const net = require("node:net");
      const s = socketOf(id);
      if (s.size > 0) {
        const e = new Error("the server sent unencrypted data before the TLS handshake");
        e.code = "EPROTO";
        return Promise.reject(e);
      }
      const raw = s.sock;
      raw.removeAllListeners("data");
      raw.removeAllListeners("end");
      raw.removeAllListeners("close");
      raw.removeAllListeners("error");
      const options = { socket: raw, rejectUnauthorized: verify !== "none", ca: ca || void 0 };
      if (servername && !net.isIP(servername)) options.servername = servername;
      if (verify === "chain") options.checkServerIdentity = () => void 0;
      if (verify === "full") options.host = servername;
      return bounded(`TLS with ${servername}`, timeout_ms, (done, fail) => {
        const sock = tls.connect(options);
        const onError = (e) => {
          sock.destroy();
          fail(e);
        };
        sock.once("error", onError);
        sock.once("secureConnect", () => {
          sock.off("error", onError);
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
    function socket_write(id, data, timeout_ms) {
      const s = socketOf(id);
      const copy = Buffer.from(data);
      return bounded("a write", timeout_ms, (done, fail) => {
        if (s.error) return fail(s.error);
        s.sock.write(copy, (e) => e ? fail(e) : done(true));
      });
    }
    function socket_read(id, max, timeout_ms) {
      const s = socketOf(id);
      return bounded("a read", timeout_ms, (done, fail) => {
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
        return () => {
          if (s.wake === take) s.wake = null;
        };
      });
    }
    function socket_close(id) {
      const s = sockets.get(id);
      if (!s) return;
      sockets.delete(id);
      s.wake = null;
      s.sock.destroy();
    }
    var cloudModule = null;
    async function on_demand(op, backend, location) {
      if (!cloudModule) cloudModule = require(require("node:path").join(__dirname, "cloud.js"));
      const [answer, body] = await cloudModule[op](backend, location);
      return { answer, body };
    }
    function mark_panicked() {
      globalThis[PANICKED] = true;
    }
    module2.exports = {
      env_get: env_get2,
      env_names,
      args,
      cwd,
      stat,
      realpath: realpath2,
      open_regular: open_regular2,
      read_into: read_into2,
      close: close2,
      read_dir,
      append_file,
      write_stdout: write_stdout2,
      write_stderr: write_stderr2,
      random_uuid,
      now_ms,
      mark_panicked,
      run_process,
      http_request: http_request2,
      x509,
      x509_matches_key,
      sign_rs256: sign_rs2562,
      socket_connect,
      socket_start_tls,
      socket_write,
      socket_read,
      socket_close,
      on_demand,
      // For tests (tests/node/proxy.test.mjs): not called from Rust.
      proxyFor
    };
  }
});

// cloud/cloud.js
var { close, env_get, http_request, open_regular, read_into, realpath, sign_rs256, write_stderr, write_stdout } = require_host();
function open(backend, location) {
  let ptr0, len0, ptr1, len1;
  try {
    ptr0 = passStringToWasm0(backend, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
    len0 = WASM_VECTOR_LEN;
    ptr1 = passStringToWasm0(location, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
    len1 = WASM_VECTOR_LEN;
  } catch (e) {
    if (ptr1) {
      wasm.__wbindgen_free(ptr1, len1 * 1, 1);
    }
    if (ptr0) {
      wasm.__wbindgen_free(ptr0, len0 * 1, 1);
    }
    throw e;
  }
  const ret = wasm.open(ptr0, len0, ptr1, len1);
  return ret;
}
exports.open = open;
function workspaces(backend, location) {
  let ptr0, len0, ptr1, len1;
  try {
    ptr0 = passStringToWasm0(backend, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
    len0 = WASM_VECTOR_LEN;
    ptr1 = passStringToWasm0(location, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
    len1 = WASM_VECTOR_LEN;
  } catch (e) {
    if (ptr1) {
      wasm.__wbindgen_free(ptr1, len1 * 1, 1);
    }
    if (ptr0) {
      wasm.__wbindgen_free(ptr0, len0 * 1, 1);
    }
    throw e;
  }
  const ret = wasm.workspaces(ptr0, len0, ptr1, len1);
  return ret;
}
exports.workspaces = workspaces;
var import1 = require_host();
var import2 = require_host();
function __wbg_get_imports() {
  const import0 = {
    __proto__: null,
    __wbg_Error_208446807d0d1e30: function(arg0, arg1) {
      const ret = Error(getStringFromWasm0(arg0, arg1));
      return ret;
    },
    __wbg___wbindgen_debug_string_f249a2a76caa9a55: function(arg0, arg1) {
      const ret = debugString(arg1);
      const ptr1 = passStringToWasm0(ret, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
      const len1 = WASM_VECTOR_LEN;
      getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 1, len1, true);
      getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, ptr1, true);
    },
    __wbg___wbindgen_is_function_741ff2bb612836f5: function(arg0) {
      const ret = typeof arg0 === "function";
      return ret;
    },
    __wbg___wbindgen_is_null_c22311b1cc228e3a: function(arg0) {
      const ret = arg0 === null;
      return ret;
    },
    __wbg___wbindgen_is_undefined_be5b34249ff1fc15: function(arg0) {
      const ret = arg0 === void 0;
      return ret;
    },
    __wbg___wbindgen_number_get_934b640d0889af78: function(arg0, arg1) {
      const obj = arg1;
      const ret = typeof obj === "number" ? obj : void 0;
      getDataViewMemory0().setFloat64((arg0 >>> 0) + 8 * 1, isLikeNone(ret) ? 0 : ret, true);
      getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, !isLikeNone(ret), true);
    },
    __wbg___wbindgen_string_get_7ce8eee7fd327545: function(arg0, arg1) {
      const obj = arg1;
      const ret = typeof obj === "string" ? obj : void 0;
      var ptr1 = isLikeNone(ret) ? 0 : passStringToWasm0(ret, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
      var len1 = WASM_VECTOR_LEN;
      getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 1, len1, true);
      getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, ptr1, true);
    },
    __wbg___wbindgen_throw_4c88d8bf264fd984: function(arg0, arg1) {
      throw new Error(getStringFromWasm0(arg0, arg1));
    },
    __wbg__wbg_cb_unref_09736879a3f67559: function(arg0) {
      arg0._wbg_cb_unref();
    },
    __wbg_call_a410eb4b59ed5965: function() {
      return handleError(function(arg0, arg1, arg2) {
        const ret = arg0.call(arg1, arg2);
        return ret;
      }, arguments);
    },
    __wbg_close_3f804e111480ba86: function() {
      return handleError(function(arg0) {
        close(arg0);
      }, arguments);
    },
    __wbg_env_get_1016dec3502ec87d: function(arg0, arg1, arg2) {
      const ret = env_get(getStringFromWasm0(arg1, arg2));
      var ptr1 = isLikeNone(ret) ? 0 : passStringToWasm0(ret, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
      var len1 = WASM_VECTOR_LEN;
      getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 1, len1, true);
      getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, ptr1, true);
    },
    __wbg_from_eac91875c8a5ffa4: function(arg0) {
      const ret = Array.from(arg0);
      return ret;
    },
    __wbg_get_2080c49015e35254: function() {
      return handleError(function(arg0, arg1) {
        const ret = Reflect.get(arg0, arg1);
        return ret;
      }, arguments);
    },
    __wbg_get_unchecked_e6325ad374eff861: function(arg0, arg1) {
      const ret = arg0[arg1 >>> 0];
      return ret;
    },
    __wbg_http_request_3fb333acd20c8b55: function() {
      return handleError(function(arg0, arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12, arg13, arg14, arg15, arg16) {
        var v0 = getArrayJsValueFromWasm0(arg4, arg5);
        wasm.__wbindgen_free(arg4, arg5 * 4, 4);
        let v1;
        if (arg10 !== 0) {
          v1 = getStringFromWasm0(arg10, arg11);
          wasm.__wbindgen_free(arg10, arg11 * 1, 1);
        }
        let v2;
        if (arg12 !== 0) {
          v2 = getStringFromWasm0(arg12, arg13);
          wasm.__wbindgen_free(arg12, arg13 * 1, 1);
        }
        let v3;
        if (arg14 !== 0) {
          v3 = getStringFromWasm0(arg14, arg15);
          wasm.__wbindgen_free(arg14, arg15 * 1, 1);
        }
        const ret = http_request(getStringFromWasm0(arg0, arg1), getStringFromWasm0(arg2, arg3), v0, getArrayU8FromWasm0(arg6, arg7), arg8, arg9, v1, v2, v3, arg16 !== 0);
        return ret;
      }, arguments);
    },
    __wbg_instanceof_Error_74e3cca0c4a69161: function(arg0) {
      let result;
      try {
        result = arg0 instanceof Error;
      } catch (_) {
        result = false;
      }
      const ret = result;
      return ret;
    },
    __wbg_length_186163212ffe79c3: function(arg0) {
      const ret = arg0.length;
      return ret;
    },
    __wbg_length_b03a0fabb109b1e9: function(arg0) {
      const ret = arg0.length;
      return ret;
    },
    __wbg_message_43d8c8f1d543a349: function(arg0) {
      const ret = arg0.message;
      return ret;
    },
    __wbg_new_13de428334042d26: function(arg0) {
      const ret = new Uint8Array(arg0);
      return ret;
    },
    __wbg_new_37eb45aaf5eeb820: function() {
      const ret = new Array();
      return ret;
    },
    __wbg_new_from_slice_b8daf545a41c6aa0: function(arg0, arg1) {
      const ret = new Uint8Array(getArrayU8FromWasm0(arg0, arg1));
      return ret;
    },
    __wbg_new_typed_e09da9dae6ee5935: function(arg0, arg1) {
      try {
        var state0 = { a: arg0, b: arg1 };
        var cb0 = (arg02, arg12) => {
          const a = state0.a;
          state0.a = 0;
          try {
            return wasm_bindgen__convert__closures_____invoke__hb98d63cc49481475(a, state0.b, arg02, arg12);
          } finally {
            state0.a = a;
          }
        };
        const ret = new Promise(cb0);
        return ret;
      } finally {
        state0.a = 0;
      }
    },
    __wbg_open_regular_6635e728e4f45af1: function() {
      return handleError(function(arg0, arg1) {
        const ret = open_regular(getStringFromWasm0(arg0, arg1));
        return ret;
      }, arguments);
    },
    __wbg_prototypesetcall_13162965d1fe7aa3: function(arg0, arg1, arg2) {
      Uint8Array.prototype.set.call(getArrayU8FromWasm0(arg0, arg1), arg2);
    },
    __wbg_push_c9f4893fc209f768: function(arg0, arg1) {
      const ret = arg0.push(arg1);
      return ret;
    },
    __wbg_queueMicrotask_1e8503a8a690f0a3: function(arg0) {
      const ret = arg0.queueMicrotask;
      return ret;
    },
    __wbg_queueMicrotask_4a1a4d8dd332373b: function(arg0) {
      queueMicrotask(arg0);
    },
    __wbg_read_into_39a9824abec7744d: function() {
      return handleError(function(arg0, arg1, arg2, arg3) {
        const ret = read_into(arg0, getArrayU8FromWasm0(arg1, arg2), arg3);
        return ret;
      }, arguments);
    },
    __wbg_realpath_9f8401ef1958ed7a: function() {
      return handleError(function(arg0, arg1, arg2) {
        const ret = realpath(getStringFromWasm0(arg1, arg2));
        const ptr1 = passStringToWasm0(ret, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len1 = WASM_VECTOR_LEN;
        getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 1, len1, true);
        getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, ptr1, true);
      }, arguments);
    },
    __wbg_resolve_dbf78ab4942478b0: function(arg0) {
      const ret = Promise.resolve(arg0);
      return ret;
    },
    __wbg_sign_rs256_12d56ad6530539a2: function() {
      return handleError(function(arg0, arg1, arg2, arg3) {
        const ret = sign_rs256(getStringFromWasm0(arg0, arg1), getArrayU8FromWasm0(arg2, arg3));
        return ret;
      }, arguments);
    },
    __wbg_static_accessor_GLOBAL_THIS_003ee833af9699fc: function() {
      const ret = typeof globalThis === "undefined" ? void 0 : globalThis;
      return isLikeNone(ret) ? 0 : addToExternrefTable0(ret);
    },
    __wbg_static_accessor_GLOBAL_e4293fb22cbe77da: function() {
      const ret = typeof global === "undefined" ? void 0 : global;
      return isLikeNone(ret) ? 0 : addToExternrefTable0(ret);
    },
    __wbg_static_accessor_SELF_53bb20457401453d: function() {
      const ret = typeof self === "undefined" ? void 0 : self;
      return isLikeNone(ret) ? 0 : addToExternrefTable0(ret);
    },
    __wbg_static_accessor_WINDOW_b5e0810bfecb7feb: function() {
      const ret = typeof window === "undefined" ? void 0 : window;
      return isLikeNone(ret) ? 0 : addToExternrefTable0(ret);
    },
    __wbg_then_656f253a5dd7d8ea: function(arg0, arg1, arg2) {
      const ret = arg0.then(arg1, arg2);
      return ret;
    },
    __wbg_then_e3f7f2d365708be8: function(arg0, arg1) {
      const ret = arg0.then(arg1);
      return ret;
    },
    __wbg_write_stderr_6ca45733efd6df09: function() {
      return handleError(function(arg0, arg1) {
        write_stderr(getStringFromWasm0(arg0, arg1));
      }, arguments);
    },
    __wbg_write_stdout_f82b1fc7cf4b578f: function() {
      return handleError(function(arg0, arg1) {
        write_stdout(getStringFromWasm0(arg0, arg1));
      }, arguments);
    },
    __wbindgen_generic_0000000000000001: function(arg0, arg1) {
      const ret = makeMutClosure(arg0, arg1, wasm_bindgen__convert__closures_____invoke__h60702a48838d1764);
      return ret;
    },
    __wbindgen_generic_0000000000000002: function(arg0, arg1) {
      const ret = getStringFromWasm0(arg0, arg1);
      return ret;
    },
    __wbindgen_init_externref_table: function() {
      const table = wasm.__wbindgen_externrefs;
      table.set(0, void 0);
      table.set(1024, void 0);
      table.set(1025, null);
      table.set(1026, true);
      table.set(1027, false);
    }
  };
  return {
    __proto__: null,
    "./cloud_bg.js": import0,
    "./snippets/stage-action-8be90cc3f2248327/js/host.js": import1,
    "./snippets/stage-action-8be90cc3f2248327/js/host.js": import2
  };
}
function wasm_bindgen__convert__closures_____invoke__h60702a48838d1764(arg0, arg1, arg2) {
  const ret = wasm.wasm_bindgen__convert__closures_____invoke__h60702a48838d1764(arg0, arg1, arg2);
  if (ret[1]) {
    throw takeFromExternrefTable0(ret[0]);
  }
}
function wasm_bindgen__convert__closures_____invoke__hb98d63cc49481475(arg0, arg1, arg2, arg3) {
  wasm.wasm_bindgen__convert__closures_____invoke__hb98d63cc49481475(arg0, arg1, arg2, arg3);
}
function addToExternrefTable0(obj) {
  const idx = wasm.__externref_table_alloc();
  wasm.__wbindgen_externrefs.set(idx, obj);
  return idx;
}
var CLOSURE_DTORS = typeof FinalizationRegistry === "undefined" ? { register: () => {
}, unregister: () => {
} } : new FinalizationRegistry((state) => wasm.__wbindgen_destroy_closure(state.a, state.b));
function debugString(val) {
  switch (typeof val) {
    // primitive types
    case "number":
    case "boolean":
    case "undefined":
      return `${val}`;
    case "string":
      return JSON.stringify(val);
    case "bigint":
      return `${val}n`;
    case "symbol":
      return val.description !== void 0 ? `Symbol(${val.description})` : "Symbol";
    case "function":
      return typeof val.name === "string" && val.name !== "" ? `Function(${val.name})` : "Function";
    case "object": {
      if (val === null) {
        return "null";
      }
      if (Array.isArray(val)) {
        return "[" + Array.from(val, debugString).join(", ") + "]";
      }
      if (val instanceof Error) {
        return `${val.name}: ${val.message}
${val.stack}`;
      }
      const toStringOutput = toString.call(val);
      const className = /\[object ([^\]]+)\]/.exec(toStringOutput)?.[1];
      if (className === void 0) {
        return toStringOutput;
      }
      if (className === "Object") {
        try {
          return "Object(" + JSON.stringify(val) + ")";
        } catch (_) {
          return "Object";
        }
      }
      return className;
    }
  }
}
function getArrayJsValueFromWasm0(ptr, len) {
  ptr = ptr >>> 0;
  const mem = getDataViewMemory0();
  const result = [];
  for (let i = ptr; i < ptr + 4 * len; i += 4) {
    result.push(wasm.__wbindgen_externrefs.get(mem.getUint32(i, true)));
  }
  wasm.__externref_drop_slice(ptr, len);
  return result;
}
function getArrayU8FromWasm0(ptr, len) {
  ptr = ptr >>> 0;
  return getUint8ArrayMemory0().subarray(ptr / 1, ptr / 1 + len);
}
var cachedDataViewMemory0 = null;
function getDataViewMemory0() {
  if (cachedDataViewMemory0 === null || cachedDataViewMemory0.buffer.detached === true || cachedDataViewMemory0.buffer.detached === void 0 && cachedDataViewMemory0.buffer !== wasm.memory.buffer) {
    cachedDataViewMemory0 = new DataView(wasm.memory.buffer);
  }
  return cachedDataViewMemory0;
}
function getStringFromWasm0(ptr, len) {
  ptr = ptr >>> 0;
  return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}
var cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
  if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.byteLength === 0) {
    cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
  }
  return cachedUint8ArrayMemory0;
}
function handleError(f, args) {
  try {
    return f.apply(this, args);
  } catch (e) {
    const idx = addToExternrefTable0(e);
    wasm.__wbindgen_exn_store(idx);
  }
}
function isLikeNone(x) {
  return x === void 0 || x === null;
}
function makeMutClosure(arg0, arg1, f) {
  const state = { a: arg0, b: arg1, cnt: 1 };
  const real = (...args) => {
    state.cnt++;
    const a = state.a;
    state.a = 0;
    try {
      return f(a, state.b, ...args);
    } finally {
      state.a = a;
      real._wbg_cb_unref();
    }
  };
  real._wbg_cb_unref = () => {
    if (--state.cnt === 0) {
      wasm.__wbindgen_destroy_closure(state.a, state.b);
      state.a = 0;
      CLOSURE_DTORS.unregister(state);
    }
  };
  CLOSURE_DTORS.register(real, state, state);
  return real;
}
function passStringToWasm0(arg, malloc, realloc) {
  if (realloc === void 0) {
    const buf = cachedTextEncoder.encode(arg);
    const ptr2 = malloc(buf.length, 1) >>> 0;
    getUint8ArrayMemory0().subarray(ptr2, ptr2 + buf.length).set(buf);
    WASM_VECTOR_LEN = buf.length;
    return ptr2;
  }
  let len = arg.length;
  let ptr = malloc(len, 1) >>> 0;
  const mem = getUint8ArrayMemory0();
  let offset = 0;
  for (; offset < len; offset++) {
    const code = arg.charCodeAt(offset);
    if (code > 127) break;
    mem[ptr + offset] = code;
  }
  if (offset !== len) {
    if (offset !== 0) {
      arg = arg.slice(offset);
    }
    ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
    const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
    const ret = cachedTextEncoder.encodeInto(arg, view);
    offset += ret.written;
    ptr = realloc(ptr, len, offset, 1) >>> 0;
  }
  WASM_VECTOR_LEN = offset;
  return ptr;
}
function takeFromExternrefTable0(idx) {
  const value = wasm.__wbindgen_externrefs.get(idx);
  wasm.__externref_table_dealloc(idx);
  return value;
}
var cachedTextDecoder = new TextDecoder("utf-8", { ignoreBOM: true });
cachedTextDecoder.decode();
function decodeText(bytes) {
  return cachedTextDecoder.decode(bytes);
}
var cachedTextEncoder = new TextEncoder();
if (!("encodeInto" in cachedTextEncoder)) {
  cachedTextEncoder.encodeInto = function(arg, view) {
    const buf = cachedTextEncoder.encode(arg);
    view.set(buf);
    return {
      read: arg.length,
      written: buf.length
    };
  };
}
var WASM_VECTOR_LEN = 0;
var wasmPath = `${__dirname}/cloud_bg.wasm`;
var wasmBytes = require("fs").readFileSync(wasmPath);
var wasmModule = new WebAssembly.Module(wasmBytes);
var wasmInstance = new WebAssembly.Instance(wasmModule, __wbg_get_imports());
var wasm = wasmInstance.exports;
wasm.__wbindgen_start();
