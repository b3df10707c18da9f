// `npm run bench`: the native benchmark (build/native/eos-bench) and the WASM benchmark
// (bench/bench_wasm.mjs), each only if present. Builds incrementally first, the scalar WASM
// module (eoslab_scalar, outside the default build) included.
import { setup, cmakeBuild } from './setup.mjs';
import { repoPath, heading, warn, run, exists, secs, red, green } from './lib.mjs';

const t0 = performance.now();
await setup({ native: true, wasm: true });
// The scalar module is not part of the default build (only this benchmark uses it).
const scalarBuild = await cmakeBuild('wasm', { targets: ['eoslab_scalar'] });
if (!scalarBuild.ok) warn(`the scalar WASM module did not build (${scalarBuild.reason}): its column stays empty`);
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
