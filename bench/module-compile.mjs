// How long V8 takes to compile each build's wasm module (`new WebAssembly.Module`: decode and
// validate the whole module; function bodies are compiled lazily, at their first call), each in
// a fresh Node process so that no compiled module is reused, builds interleaved run by run.
// This is the part of start-up that grows with the module's size whatever a run executes.
//
// Usage: node_modules/.bin/node bench/module-compile.mjs NAME=DIST_DIR NAME=DIST_DIR ...
// Env:   RUNS=N   processes per build (default 40)
import { spawnSync } from 'node:child_process';

const RUNS = Number.parseInt(process.env.RUNS ?? '40', 10);
const builds = process.argv.slice(2).map((a) => {
  const m = /^([^=]+)=(.+)$/.exec(a);
  if (!m) {
    console.error(`bench/module-compile.mjs: expected NAME=DIST_DIR, got ${a}`);
    process.exit(1);
  }
  return { name: m[1], wasm: `${m[2]}/stage_action_bg.wasm`, ms: [] };
});
const probe = 'const b = require("fs").readFileSync(process.argv[1]); const t = process.hrtime.bigint(); '
  + 'new WebAssembly.Module(b); console.log(Number(process.hrtime.bigint() - t) / 1e6)';
for (let i = 0; i < RUNS; i++) {
  for (let k = 0; k < builds.length; k++) {
    const b = builds[(k + i) % builds.length];
    const r = spawnSync(process.execPath, ['-e', probe, b.wasm], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${b.name}: ${r.stderr}`);
    b.ms.push(Number(r.stdout));
  }
}
console.log('| Build | compile median | min | max |');
console.log('|---|--:|--:|--:|');
for (const b of builds) {
  const s = [...b.ms].sort((x, y) => x - y);
  const median = s.length % 2 ? s[s.length >> 1] : (s[(s.length >> 1) - 1] + s[s.length >> 1]) / 2;
  console.log(`| ${b.name} | ${median.toFixed(2)} ms | ${s[0].toFixed(2)} ms | ${s.at(-1).toFixed(2)} ms |`);
}
