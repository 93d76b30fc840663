// The action's entry, as `node dist/index.js` runs it: load the WebAssembly module, run it,
// turn its result into the exit code. Everything else happens in Rust.
'use strict';

const PANICKED = Symbol.for('stage-action.panicked');

// Reports a failure the Rust side could not: the module did not load, or it trapped without
// a panic report (out of memory, a stack overflow).
function fail(message) {
  if (process.env.GITHUB_ACTIONS === 'true') {
    const escaped = message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    process.stdout.write(`::error title=internal error::${escaped}\n`);
  } else {
    process.stderr.write(`error: ${message}\n`);
  }
  process.exitCode = 1;
}

function crashed(err) {
  if (!globalThis[PANICKED]) {
    const what = err && err.message ? err.message : String(err);
    fail(`stage-action crashed: ${what}. This is a bug in stage-action; please report it with this log`);
  }
  process.exitCode = 1;
}

let wasm;
try {
  wasm = require('../build/pkg/stage_action.js');
} catch (err) {
  fail(`cannot load the WebAssembly module: ${err.message}`);
}
if (wasm) {
  Promise.resolve()
    .then(() => wasm.run())
    .then((code) => {
      process.exitCode = code;
    }, crashed);
}
