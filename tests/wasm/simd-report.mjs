// Tool (not a test): counts WebAssembly SIMD instructions per function in a .wasm,
// using binaryen's wasm-dis, to check that the hot loops (Eigen's GEMM kernel
// gebp_kernel, GEMV, and the activation code inlined into Mlp::loss_grad / hvp)
// really are vectorised. Function names need a build linked with --profiling-funcs
// (see docs/wasm.md); on the release .wasm (names stripped) it reports totals only.
//
// Usage: node tests/wasm/simd-report.mjs [file.wasm] [--top N]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--')) ?? fileURLToPath(new URL('../../web/src/wasm/eoslab.wasm', import.meta.url));
const topIdx = args.indexOf('--top');
const top = topIdx >= 0 ? Number(args[topIdx + 1]) : 15;

const dis = spawnSync('wasm-dis', [file], { encoding: 'utf8', maxBuffer: 1 << 30 });
if (dis.error || dis.status !== 0) {
  console.error(`wasm-dis failed (install binaryen): ${dis.error ?? dis.stderr}`);
  process.exit(1);
}

const SIMD = /\((v128|f32x4|f64x2|i32x4|i16x8|i8x16|i64x2)\.([a-z0-9_]+)/g;
const funcs = [];
let cur = null;
for (const line of dis.stdout.split('\n')) {
  const m = /^\s*\(func \$(\S+)/.exec(line);
  if (m) {
    // binaryen escapes non-identifier characters as \hh
    cur = { name: m[1].replace(/\\([0-9a-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), lines: 0, simd: 0, ops: new Map() };
    funcs.push(cur);
    continue;
  }
  if (!cur) continue;
  cur.lines++;
  for (const s of line.matchAll(SIMD)) {
    cur.simd++;
    const op = `${s[1]}.${s[2]}`;
    cur.ops.set(op, (cur.ops.get(op) ?? 0) + 1);
  }
}

const total = funcs.reduce((n, f) => n + f.simd, 0);
const withSimd = funcs.filter((f) => f.simd > 0);
console.log(`${file}: ${total} SIMD instructions in ${withSimd.length} of ${funcs.length} functions`);
const named = funcs.some((f) => !/^\d+$/.test(f.name));
if (!named) console.log('(no function names: link with --profiling-funcs to see where they are)');

const short = (n) => (n.length > 110 ? `${n.slice(0, 107)}...` : n);
const opsOf = (f) => [...f.ops].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([o, c]) => `${o} x${c}`).join(', ');
for (const f of [...withSimd].sort((a, b) => b.simd - a.simd).slice(0, top)) {
  console.log(`${String(f.simd).padStart(6)} / ${String(f.lines).padStart(6)} lines  ${short(f.name)}`);
}
if (named) {
  console.log('\nHot loops:');
  for (const [label, re] of [
    ['GEMM kernel (gebp_kernel<float>)', /gebp_kernel<float/],
    ['GEMV (general_matrix_vector_product<float>)', /general_matrix_vector_product<long, float/],
    ['forward/backward + activations (Mlp<float>::loss_grad)', /Mlp<float>::loss_grad/],
    ['Hessian-vector product (Mlp<float>::hvp)', /Mlp<float>::hvp/],
  ]) {
    const hits = funcs.filter((f) => re.test(f.name));
    const n = hits.reduce((k, f) => k + f.simd, 0);
    console.log(`  ${label}: ${hits.length} function(s), ${n} SIMD instructions${hits[0] ? ` (${opsOf(hits[0])})` : ''}`);
  }
}
