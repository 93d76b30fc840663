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

/** Command-line arguments after the script. */
function args() {
  return process.argv.slice(2);
}

function cwd() {
  return process.cwd();
}

/** { kind: 'file' | 'dir' | 'other', size, mtime_ms }, or null when nothing is there. */
function stat(path) {
  let s;
  try {
    s = fs.statSync(path);
  } catch (e) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
    throw e;
  }
  return { kind: s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other', size: s.size, mtime_ms: s.mtimeMs };
}

function open_read(path) {
  return fs.openSync(path, 'r');
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

// node:crypto costs milliseconds to load; only a run that writes outputs needs it.
function random_uuid() {
  return require('node:crypto').randomUUID();
}

function now_ms() {
  return Date.now();
}

/**
 * Runs a program to completion without a shell: { status, stdout, stderr } (stdout and stderr as
 * bytes). `env` is a flat [name, value, name, value, ...] list added to this process's
 * environment. A program that cannot start throws (ENOENT and the like).
 */
function run_process(program, args, cwd, env) {
  const { spawnSync } = require('node:child_process');
  const extra = {};
  for (let i = 0; i + 1 < env.length; i += 2) extra[env[i]] = env[i + 1];
  const r = spawnSync(program, args, {
    cwd: cwd || undefined,
    env: { ...process.env, ...extra },
    maxBuffer: 1 << 30,
    windowsHide: true,
  });
  if (r.error) throw r.error;
  return { status: r.status === null ? -1 : r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * One HTTP request with Node's fetch: { status, headers: [name, value, ...], body: bytes }.
 * Redirects are followed and bodies decompressed by fetch itself.
 */
async function http_request(method, url, headers, body) {
  const h = new Headers();
  for (let i = 0; i + 1 < headers.length; i += 2) h.append(headers[i], headers[i + 1]);
  const response = await fetch(url, { method, headers: h, body: body && body.length ? body : undefined });
  const flat = [];
  response.headers.forEach((value, name) => flat.push(name, value));
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: flat, body: bytes };
}

/** Called by the panic hook after it has printed the report; the entry reads it back. */
function mark_panicked() {
  globalThis[PANICKED] = true;
}

module.exports = {
  env_get, args, cwd, stat, open_read, read_into, close, read_dir, append_file,
  write_stdout, write_stderr, random_uuid, now_ms, mark_panicked, run_process, http_request,
};
