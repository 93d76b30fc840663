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
    const trap = err instanceof WebAssembly.RuntimeError || (err instanceof RangeError && /call stack/.test(what));
    fail(
      trap
        ? `stage-action crashed: the WebAssembly module stopped (${what}): it ran out of memory or stack. Give it a smaller input, or report this log`
        : `stage-action crashed: ${what}. This is a bug in stage-action; please report it with this log`,
    );
  }
  process.exitCode = 1;
}

// A trap inside the module's promise queue (a stack overflow, memory exhausted) is thrown from a
// microtask, not returned through run()'s promise: catch it here too, so that every failure ends
// as one error annotation and exit code 1, never as a raw stack trace.
process.on('uncaughtException', crashed);
process.on('unhandledRejection', crashed);

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
