// WASM benchmark (not a test): the work of bench/bench_native.cpp -- ms per GD step,
// per Hessian-vector product, per top-1 and top-5 sharpness (Lanczos cold at init and
// warm after one step, with the HVPs used) on problems A and B -- timed with the
// WASM-SIMD build (web/src/wasm/eoslab.mjs; its float products through gemm_f32, the
// build's default, and again through Eigen's kernel, `setGemm`), the WASM-scalar build
// (eoslab_scalar.mjs) and the native build (build/native/eos-bench --json, the better of
// its two kernels per metric), side by side, with ratios.
//
// The timing loops run inside each build (the binding's bench() is a copy of
// bench_native.cpp's run()), so JS<->WASM call overhead is not measured.
//
// A second table per problem times 1, 2 and all cores: native `eos-bench --threads N` next
// to the pthreads twin of the module (Node flavour), with the speed-ups.
//
// Usage: node bench/bench_wasm.mjs [--native PATH] [--problems A,B] [--rounds N] [--json] [--allow-liftoff] [--no-threads]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

// V8 first runs WASM through its baseline compiler (Liftoff) and tiers hot functions
// up to TurboFan in the background; on a busy machine the short native-sized timing
// loops would catch baseline code. Re-run under --no-liftoff so every function is
// optimised up front, which is the steady state a long-running page reaches.
if (!process.execArgv.includes('--no-liftoff') && !process.argv.includes('--allow-liftoff')) {
  const r = spawnSync(process.execPath, ['--no-liftoff', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const nativePath = arg('--native', join(REPO, 'build', 'native', 'eos-bench'));
const wanted = arg('--problems', 'A,B').split(',');
const asJson = process.argv.includes('--json');
// Rounds alternate native and WASM runs and keep each metric's best time, so a burst of
// load from other processes on a shared machine does not bias the ratios.
const rounds = Math.max(1, Number(arg('--rounds', '1')));

async function loadFlavour(base) {
  const mjs = join(REPO, 'web', 'src', 'wasm', `${base}.mjs`);
  const wasm = join(REPO, 'web', 'src', 'wasm', `${base}.wasm`);
  if (!existsSync(mjs)) return null;
  const factory = (await import(pathToFileURL(mjs).href)).default;
  return factory({ wasmBinary: readFileSync(wasm) });
}

// Native times are the better of its two kernels (gemm_f32, the default, and Eigen's),
// per metric, so the ratios compare WASM with the fastest native code we have.
function runNative(extra = []) {
  if (!existsSync(nativePath)) return { error: `${nativePath} not found (build the native preset)` };
  const byName = {};
  for (const gemm of ['own', 'eigen']) {
    const r = spawnSync(nativePath, ['--json', '--gemm', gemm, ...extra], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.error || r.status !== 0) return { error: `eos-bench failed: ${r.error ?? r.stderr}` };
    for (const row of JSON.parse(r.stdout)) byName[row.problem] = keepBest(byName[row.problem], row);
  }
  return { byName };
}

const METRICS = [
  ['GD step', 'step_ms', null],
  ['HVP', 'hvp_ms', null],
  ['top-1 cold', 'top1_cold_ms', 'top1_cold_hvps'],
  ['top-1 warm', 'top1_warm_ms', 'top1_warm_hvps'],
  ['top-5 cold', 'top5_cold_ms', 'top5_cold_hvps'],
  ['top-5 warm', 'top5_warm_ms', 'top5_warm_hvps'],
];

const log = asJson ? () => {} : (s = '') => console.log(s);
log(`EoS Lab WASM benchmark (node ${process.version}; float32; best of reps and ${rounds} round(s), ms; ratio = native time / WASM time = fraction of native speed)`);

const simd = await loadFlavour('eoslab');
const scalar = await loadFlavour('eoslab_scalar');
if (!simd) {
  console.error('web/src/wasm/eoslab.mjs not found: build the wasm preset first');
  process.exit(1);
}
const defaultGemm = simd.gemmInUse();
log(`WASM-SIMD: Eigen paths ${simd.simdInUse()}, float products through ${defaultGemm === 'own' ? 'gemm_f32' : "Eigen's kernel"}; WASM-scalar: ${scalar ? scalar.simdInUse() : 'not built'}`);

// The problems come from the engine itself (eos::bench_problem, wasm/src/bench.cpp), the
// same ones eos-bench times natively, so the two cannot drift apart.
const LABELS = {
  A: 'A: chebyshev T6, n=20, 1-30-20-1 tanh, mse',
  B: 'B: gaussian-mixture n=1000, d=32, c=10, 32-200-200-10 tanh, mse',
};
const PROBLEMS = {};
for (const p of ['A', 'B']) PROBLEMS[p] = { label: LABELS[p], ...simd.benchProblem(p) };

// Warm-up (discarded): touches every code path once, so caches and the allocator are warm.
simd.bench(PROBLEMS.A.config, 5);
scalar?.bench(PROBLEMS.A.config, 5);

// Best (smallest) time per metric over the rounds; HVP counts are deterministic.
function keepBest(best, row) {
  if (!row) return best;
  if (!best) return { ...row };
  for (const [k, v] of Object.entries(row)) if (k.endsWith('_ms')) best[k] = Math.min(best[k], v);
  return best;
}
for (const p of wanted) if (!PROBLEMS[p]) throw new Error(`unknown problem ${p} (A or B)`);
let native = { byName: {} };
const measured = {};
for (let r = 0; r < rounds; r++) {
  // One build at a time, so they do not compete for the cores.
  const nat = runNative();
  if (nat.error) native = nat;
  else for (const p of wanted) native.byName[p] = keepBest(native.byName[p], nat.byName[p]);
  for (const p of wanted) {
    const prob = PROBLEMS[p];
    const m = (measured[p] ??= { simd: null, simdEigen: null, scalar: null });
    m.simd = keepBest(m.simd, simd.bench(prob.config, prob.inner));
    simd.setGemm('eigen');
    m.simdEigen = keepBest(m.simdEigen, simd.bench(prob.config, prob.inner));
    simd.setGemm(defaultGemm);
    if (scalar) m.scalar = keepBest(m.scalar, scalar.bench(prob.config, prob.inner));
  }
}
if (native.error) log(`native: ${native.error}`);

const results = {};
let worstSimd = Infinity;
for (const p of wanted) {
  const prob = PROBLEMS[p];
  const rows = measured[p];
  const nat = native.byName?.[p] ?? null;
  results[p] = { label: prob.label, native: nat, simd: rows.simd, simdEigenGemm: rows.simdEigen, scalar: rows.scalar };
  log(`\n${prob.label} (${rows.simd.params} parameters)`);
  if (nat && nat.params !== rows.simd.params) log(`  ! parameter count differs from eos-bench (${nat.params}): the problems are out of sync`);
  const head = ['', 'native', 'WASM-SIMD', 'SIMD Eigen-GEMM', 'WASM-scalar', 'SIMD/native', 'Eigen-GEMM/native', 'scalar/native', 'HVPs n/S/s'];
  const table = [head];
  for (const [name, key, hk] of METRICS) {
    const n = nat?.[key];
    const s = rows.simd[key];
    const e = rows.simdEigen[key];
    const c = rows.scalar?.[key];
    const ratio = (num, den) => (num > 0 && den > 0 ? `${(num / den).toFixed(2)}x` : '-');
    const ms = (x) => (x === undefined ? '-' : x < 0.1 ? x.toFixed(4) : x < 10 ? x.toFixed(3) : x.toFixed(1));
    if (n > 0 && s > 0) worstSimd = Math.min(worstSimd, n / s);
    table.push([
      name, ms(n), ms(s), ms(e), ms(c), ratio(n, s), ratio(n, e), ratio(n, c),
      hk ? `${nat?.[hk] ?? '-'}/${rows.simd[hk]}/${rows.scalar?.[hk] ?? '-'}` : '',
    ]);
  }
  const widths = head.map((_, j) => Math.max(...table.map((r) => String(r[j]).length)));
  for (const r of table) log(`  ${r.map((cell, j) => (j === 0 ? String(cell).padEnd(widths[j]) : String(cell).padStart(widths[j]))).join('  ')}`);
}

// ------------------------------------------------------------------ threads column
// The same work on 1, 2 and all cores: native `eos-bench --threads N` and the pthreads
// twin in Node (build/wasm/node/eoslab_mt_node.js, CommonJS: the ES6 pthreads glue of
// Emscripten 3.1.6 cannot run in Node), whose pthread pool is spawned at start-up.
const threadCounts = [...new Set([1, 2, cpus().length])].sort((a, b) => a - b);
const mtPath = join(REPO, 'build', 'wasm', 'node', 'eoslab_mt_node.js');
const threadResults = {};
if (!process.argv.includes('--no-threads') && existsSync(mtPath)) {
  const factory = createRequire(import.meta.url)(mtPath);
  const mt = await factory({ wasmBinary: readFileSync(mtPath.replace(/\.js$/, '.wasm')), eosPoolSize: Math.max(...threadCounts) - 1 });
  mt.bench(PROBLEMS.A.config, 5, 1); // warm-up
  for (const t of threadCounts) {
    for (let r = 0; r < rounds; r++) {
      const nat = runNative(['--threads', String(t)]);
      for (const p of wanted) {
        const m = ((threadResults[p] ??= {})[t] ??= { native: null, wasm: null });
        if (!nat.error) m.native = keepBest(m.native, nat.byName[p]);
        m.wasm = keepBest(m.wasm, mt.bench(PROBLEMS[p].config, PROBLEMS[p].inner, t));
      }
    }
  }
  for (const p of wanted) {
    log(`\n${PROBLEMS[p].label}: threads (native eos-bench --threads N; WASM = the pthreads twin in Node), ms`);
    const head = [''];
    for (const t of threadCounts) head.push(`native ${t}T`);
    for (const t of threadCounts) head.push(`WASM ${t}T`);
    for (const t of threadCounts.slice(1)) head.push(`nat 1T/${t}T`, `WASM 1T/${t}T`);
    head.push(`WASM/native ${threadCounts.at(-1)}T`);
    const table = [head];
    const ms = (x) => (x === undefined || x === null ? '-' : x < 0.1 ? x.toFixed(4) : x < 10 ? x.toFixed(3) : x.toFixed(1));
    const ratio = (num, den) => (num > 0 && den > 0 ? `${(num / den).toFixed(2)}x` : '-');
    for (const [name, key] of METRICS) {
      const row = [name];
      const byT = threadResults[p];
      for (const t of threadCounts) row.push(ms(byT[t].native?.[key]));
      for (const t of threadCounts) row.push(ms(byT[t].wasm?.[key]));
      for (const t of threadCounts.slice(1)) {
        row.push(ratio(byT[1].native?.[key], byT[t].native?.[key]), ratio(byT[1].wasm?.[key], byT[t].wasm?.[key]));
      }
      const last = threadCounts.at(-1);
      row.push(ratio(byT[last].native?.[key], byT[last].wasm?.[key]));
      table.push(row);
    }
    const used = threadCounts.map((t) => `${t}→${threadResults[p][t].wasm?.threads ?? '?'}`).join(', ');
    log(`  (WASM threads requested→used: ${used})`);
    const widths = head.map((_, j) => Math.max(...table.map((r) => String(r[j]).length)));
    for (const r of table) log(`  ${r.map((cell, j) => (j === 0 ? String(cell).padEnd(widths[j]) : String(cell).padStart(widths[j]))).join('  ')}`);
  }
  mt.PThread?.terminateAllThreads?.();
} else if (!process.argv.includes('--no-threads')) {
  log(`\nthreads: ${mtPath} not found (build the wasm preset), no threads column`);
}

if (asJson) {
  console.log(JSON.stringify({ node: process.version, results, threads: threadResults }, null, 1));
} else if (Number.isFinite(worstSimd)) {
  log(`\nSlowest WASM-SIMD row runs at ${worstSimd.toFixed(2)}x native speed (target >= 0.8x).`);
}
