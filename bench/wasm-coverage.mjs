// How much of the wasm module a run executes: "KB of wasm code a lookup executes". V8 compiles a
// wasm function the first time it runs, so this is the code a run pays to compile, next to the
// size of the whole code section (which V8 decodes and validates before the first call).
//
// Usage: node_modules/.bin/node bench/wasm-coverage.mjs [DIST_DIR] [-- ARGS...]
//        (default: dist/, and `lookup` of bench/out/50KB.tfstate as bench/run.sh runs it:
//        run bench/run.sh or bench/compare.mjs once first so that the state exists)
//
// How: binaryen's `wasm-opt --log-execution` (node_modules/.bin) adds an import `log_execution(id)`
// and calls it at every function's entry and loop header; `wasm-opt --print` of the result tells
// which function each id is in. The instrumented module runs under the same index.js with a
// preload that supplies the import and records the ids. The bytes counted are the function bodies
// of the uninstrumented module (the code section's own sizes), so the figure is what a normal
// run compiles. Takes a few seconds.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const dist = path.resolve(argv[0] && argv[0] !== '--' ? argv[0] : path.join(root, 'dist'));
const state = path.join(root, 'bench', 'out', '50KB.tfstate');
const runArgs = sep >= 0 ? argv.slice(sep + 1) : ['lookup', '--state', state, '--address', 'module.svc_1.kubernetes_deployment_v1.app'];
const wasmOpt = path.join(root, 'node_modules', '.bin', 'wasm-opt');
const FEATURES = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals',
  '--enable-reference-types', '--enable-multivalue', '--enable-simd'];

function die(m) {
  console.error(`bench/wasm-coverage.mjs: ${m}`);
  process.exit(1);
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  if (r.status !== 0) die(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

// -- The code section of the original module: each defined function's body size -------------------
function bodySizes(buf) {
  let p = 8;
  const leb = () => {
    let v = 0, shift = 0, b;
    do { b = buf[p++]; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return v;
  };
  while (p < buf.length) {
    const id = buf[p++];
    const size = leb();
    const end = p + size;
    if (id === 10) {
      const n = leb();
      const sizes = [];
      for (let i = 0; i < n; i++) { const s = leb(); sizes.push(s); p += s; }
      return { sizes, section: size };
    }
    p = end;
  }
  die('no code section');
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-bench-coverage-'));
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
const original = fs.readFileSync(path.join(dist, 'stage_action_bg.wasm'));
const { sizes, section } = bodySizes(original);

const instrumented = path.join(scratch, 'stage_action_bg.wasm');
run(wasmOpt, [...FEATURES, '--log-execution', path.join(dist, 'stage_action_bg.wasm'), '-o', instrumented]);
const wat = run(wasmOpt, [...FEATURES, instrumented, '--print']);

// Which function each logged id is in: functions are printed in order, the log import's calls
// are `(call $IMPORT` followed by `(i32.const ID)` on the next line.
const imp = /\(import "[^"]*" "log_execution" \(func (\$\S+)/.exec(wat);
if (!imp) die('wasm-opt added no log_execution import');
const callLine = `(call ${imp[1]}`;
const idToFunc = new Map();
let func = -1;
const lines = wat.split('\n');
for (let i = 0; i < lines.length; i++) {
  const l = lines[i];
  if (l.startsWith(' (func ')) func++;
  else if (l.trimStart() === callLine) {
    const m = /^\s*\(i32\.const (\d+)\)/.exec(lines[i + 1]);
    if (m) idToFunc.set(Number(m[1]), func);
  }
}
if (func + 1 !== sizes.length) die(`the instrumented module has ${func + 1} functions, the original ${sizes.length}`);

// -- One run of the instrumented module ---------------------------------------------------------
fs.copyFileSync(path.join(dist, 'index.js'), path.join(scratch, 'index.js'));
const idsFile = path.join(scratch, 'ids.txt');
const preload = path.join(scratch, 'preload.cjs');
fs.writeFileSync(preload, `'use strict';
const seen = new Set();
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  for (const d of WebAssembly.Module.imports(module)) {
    if (d.name === 'log_execution') imports[d.module] = { ...imports[d.module], log_execution: (id) => { seen.add(id); } };
  }
  return new Instance(module, imports);
};
process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(idsFile)}, [...seen].join('\\n')));
`);
const env = { ...process.env };
delete env.GITHUB_ACTIONS;
const r = spawnSync(process.execPath, ['-r', preload, path.join(scratch, 'index.js'), ...runArgs], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
if (r.status !== 0) die(`the instrumented run exited ${r.status}: ${r.stderr}`);
const ids = fs.readFileSync(idsFile, 'utf8').split('\n').filter(Boolean).map(Number);
const funcs = new Set(ids.map((id) => idToFunc.get(id)));
let bytes = 0;
for (const f of funcs) bytes += sizes[f];
const kb = (n) => (n / 1024).toFixed(1);
console.log(`wasm code executed: ${kb(bytes)} KB in ${funcs.size} of ${sizes.length} functions`
  + ` (code section ${kb(section)} KB, module ${kb(original.length)} KB); run: ${runArgs.map((a) => path.basename(a)).join(' ')}`);
