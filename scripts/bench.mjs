// `npm run bench`: the native benchmark (build/native/eos-bench) and the WASM benchmark
// (bench/bench_wasm.mjs), each only if present. Builds incrementally first.
import { setup } from './setup.mjs';
import { repoPath, heading, warn, run, exists, secs, red, green } from './lib.mjs';

const t0 = performance.now();
await setup({ native: true, wasm: true });
let ran = 0;
let ok = true;

const native = repoPath('build', 'native', 'eos-bench');
heading('bench: native (build/native/eos-bench)');
if (exists(native)) {
  ran++;
  ok = (await run(native, process.argv.slice(2))).code === 0 && ok;
} else warn('build/native/eos-bench not built (bench/bench_native.cpp missing?): skipped');

const wasm = repoPath('bench', 'bench_wasm.mjs');
heading('bench: wasm (node bench/bench_wasm.mjs)');
if (exists(wasm)) {
  ran++;
  ok = (await run(process.execPath, [wasm])).code === 0 && ok;
} else warn('bench/bench_wasm.mjs not present: skipped');

if (ran === 0) ok = false;
console.log(`\nbench: ${ran} benchmark(s) ran, ${ok ? green('ok') : red('FAILED')} (${secs(performance.now() - t0)})`);
process.exit(ok ? 0 : 1);
