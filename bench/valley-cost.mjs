// What the valley view costs (not a test): the page's default problem (state/page-defaults.ts,
// η 0.3), played the way the engine worker plays it (chunks of steps as fast as possible),
// with and without the valley view. With it, the run records u_proj every step and the worker
// asks for one slice (a warm-started top eigenpair plus 41 loss evaluations) at most every second (the worker's VALLEY_EVERY_MS).
// Prints the time of one slice, and steps per CPU-second of both modes (each over the same wall
// time, interleaved in rounds), so that load from other processes does not decide the ratio.
//
// --each-eig: the design instead, a slice on each eigenvalue step (every eig_every = 10
// steps). Measured two ways: (a) run.valley(41) after each eigenvalue step (its own warm-started
// eigensolve, so an upper bound), and (b) the floor of any engine-side slice that reuses the
// step's eigenvector: 41 loss-and-gradient evaluations (what the slice's probe costs) per
// eigenvalue step, priced at one plain gradient step each (eig_every 0, no eigensolve).
//
// Usage: node bench/valley-cost.mjs [--seconds S] [--rounds N] [--every MS] [--each-eig] [--wasm eoslab]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const seconds = Number(arg('--seconds', '4'));
const rounds = Number(arg('--rounds', '3'));
const everyMs = Number(arg('--every', '1000'));
const base = arg('--wasm', 'eoslab');
const eachEig = process.argv.includes('--each-eig');

// The page's default problem (kept in step with web/src/state/page-defaults.ts by hand).
const PAGE = { dataset: 'chebyshev', degree: 5, n: 40, widths: [32, 32, 32], act: 'tanh', seed: 1, lr: 0.3 };
const CHUNK = 20; // steps per engine call, about the worker's chunk at full speed on this problem

async function load() {
  const mjs = join(REPO, 'web', 'src', 'wasm', `${base}.mjs`);
  if (!existsSync(mjs)) throw new Error(`${mjs} is missing: npm run build:wasm`);
  const factory = (await import(pathToFileURL(mjs).href)).default;
  return factory({ wasmBinary: readFileSync(join(REPO, 'web', 'src', 'wasm', `${base}.wasm`)) });
}

/** Steps per second over `seconds`, with a slice every everyMs when valley is on. */
function play(M, valley, extra = {}, everyEig = false) {
  const run = M.createRun(JSON.stringify({ ...PAGE, valley, ...extra }));
  let steps = 0;
  let slices = 0;
  let sliceMs = 0;
  let hvps = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let last = -Infinity;
  for (;;) {
    const now = performance.now();
    if (now - t0 > seconds * 1000) break;
    // Each-eig mode: chunks of eig_every (10) steps, each opening on an eigenvalue step.
    steps += run.step(everyEig ? 10 : CHUNK).rows;
    if (valley && (everyEig || performance.now() - last >= everyMs)) {
      const a = performance.now();
      const v = run.valley(41);
      sliceMs += performance.now() - a;
      slices++;
      hvps += v.hvps;
      last = performance.now();
      if (v.s.length !== 41) throw new Error('bad slice');
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  run.delete();
  // Steps per second of this process's CPU time: other processes' load on a shared machine
  // slows the wall clock of both modes unevenly, but not the CPU time each step takes.
  return { sps: (steps * 1000) / cpuMs, wallSps: (steps * 1000) / ms, steps, slices, sliceMs: slices ? sliceMs / slices : NaN, hvps: slices ? hvps / slices : NaN };
}

const M = await load();
if (eachEig) {
  // Interleaved rounds: no valley, a slice on each eigenvalue step, plain gradient steps.
  const off = [], on = [], grad = [];
  for (let r = 0; r < rounds; r++) {
    off.push(play(M, false, {}, true));
    on.push(play(M, true, {}, true));
    grad.push(play(M, false, { eig_every: 0 }, true));
  }
  const med = (a) => a.map((x) => x.sps).sort((p, q) => p - q)[a.length >> 1];
  const sliceMs = on.map((x) => x.sliceMs).sort((a, b) => a - b)[0];
  console.log(`problem: T5, n 40, 32-32-32 tanh, eta 0.3 (the page default), eig_every 10; ${rounds} rounds of ${seconds} s per mode`);
  for (let r = 0; r < rounds; r++)
    console.log(`round ${r + 1}: without ${off[r].sps.toFixed(0)} steps per CPU-s, slice on each eig step ${on[r].sps.toFixed(0)} (${on[r].slices} slices, ${on[r].sliceMs.toFixed(2)} ms each, ${on[r].hvps.toFixed(1)} HVPs), gradient steps only ${grad[r].sps.toFixed(0)}`);
  const a = med(on) / med(off);
  // (b): 41 evaluations at the price of one gradient step each, added to every 10 steps.
  const per10 = 10 / med(off), probes = 41 / med(grad);
  const b = per10 / (per10 + probes);
  console.log(`one slice (run.valley(41), best round): ${sliceMs.toFixed(2)} ms`);
  console.log(`(a) run.valley(41) on each eig step: ${(100 * a).toFixed(1)}% of the steps/s without it (budget: >= 90%)`);
  console.log(`(b) floor of an engine slice reusing the step's eigenvector (41 loss+gradient evaluations per 10 steps): ${(100 * b).toFixed(1)}% (budget: >= 90%)`);
  process.exit(0);
}
const off = [];
const on = [];
for (let r = 0; r < rounds; r++) {
  off.push(play(M, false));
  on.push(play(M, true));
}
const best = (a) => a.map((x) => x.sps).sort((p, q) => p - q)[a.length >> 1]; // the median round
const sliceMs = on.map((x) => x.sliceMs).sort((a, b) => a - b)[0];
const hvps = on.reduce((a, x) => a + x.hvps, 0) / on.length;
console.log(`problem: T5, n 40, 32-32-32 tanh, eta 0.3 (the page default); ${rounds} rounds of ${seconds} s each mode, chunks of ${CHUNK} steps`);
console.log(`one valley slice: ${sliceMs.toFixed(2)} ms (best round; ${hvps.toFixed(1)} HVPs for its eigenvector, then 41 forward passes), one every ${everyMs} ms`);
for (let r = 0; r < rounds; r++)
  console.log(`round ${r + 1}: without ${off[r].sps.toFixed(0)} steps per CPU-s (${off[r].wallSps.toFixed(0)} per wall-s), with the valley view ${on[r].sps.toFixed(0)} (${on[r].wallSps.toFixed(0)}; ${on[r].slices} slices)`);
const ratio = best(on) / best(off);
console.log(`slice time / interval: ${((100 * sliceMs) / everyMs).toFixed(1)}% of the worker's time (the expected slowdown)`);
console.log(`median round: without ${best(off).toFixed(0)} steps per CPU-s, with ${best(on).toFixed(0)}: ${(100 * ratio).toFixed(1)}% (budget: >= 90%)`);
