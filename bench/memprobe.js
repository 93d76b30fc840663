// Diagnostic preload, not part of the measured runs: `node -r ./bench/memprobe.js dist/index.js ...`
// reports, at exit, how large the action's WebAssembly linear memory grew (wasm memory never
// shrinks, so its final size is its peak) next to the process's RSS, on stderr as
// `memprobe: wasm=BYTES rss=BYTES`. It wraps WebAssembly.Instance to get hold of the memory;
// the action itself is unchanged.
'use strict';
const Instance = WebAssembly.Instance;
let instance;
WebAssembly.Instance = function (module, imports) {
  instance = new Instance(module, imports);
  return instance;
};
process.on('exit', () => {
  const memory = instance && instance.exports.memory;
  const wasm = memory ? memory.buffer.byteLength : -1;
  process.stderr.write(`memprobe: wasm=${wasm} rss=${process.memoryUsage().rss}\n`);
});
