// Central flow benchmark (not a test): the cost of the central flow of GD (opt central)
// per unit of GD time, i.e. per GD step it predicts, next to the GD run itself, on the
// page's default problem (Chebyshev T5 on 40 points, 1-32-32-32-1 tanh, seed 1, lr 0.3,
// sharpness every 10 steps). Each flow step takes central_substeps Euler substeps, and each
// substep three float64 gradients (at theta and theta +- eps u: grad S and H u for the
// Rayleigh refresh of S and u), a sigma^2 solve, and a warm Lanczos only when the refresh
// is not converged or is due (every eig_every-th step): HVPs/step counts those.
// The page plays every run at 300 steps/s by default, so the flow keeps up with its GD run
// when one flow step takes less than 1000/300 = 3.3 ms.
//
// Timed in the WASM-SIMD build (web/src/wasm/eoslab.mjs, what the page's workers run) and,
// when built, natively (build/native/eos-run). Steps are timed after the edge (from step
// 300), where the flow does all of its work.
//
// Usage: node bench/central_cost.mjs [--steps N] [--substeps 1,2,4]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
};
const STEPS = Number(arg('--steps', '300'));
const SUBSTEPS = arg('--substeps', '4,2').split(',').map(Number);
const WARM = 300;
const PAGE_SPEED = 300; // steps/s, the page's default
const PROBLEM = { dataset: 'chebyshev', degree: 5, n: 40, widths: [32, 32, 32], act: 'tanh', seed: 1, lr: 0.3, eig_every: 10 };

const rows = [];

// ---------------------------------------------------------------- WASM
const mjs = join(REPO, 'web', 'src', 'wasm', 'eoslab.mjs');
if (existsSync(mjs)) {
  const M = await (await import(pathToFileURL(mjs).href)).default({ wasmBinary: readFileSync(mjs.replace(/\.mjs$/, '.wasm')) });
  const time = (cfg) => {
    const h = M.createRun(JSON.stringify(cfg));
    try {
      h.step(WARM);
      const t0 = performance.now();
      const c = h.step(STEPS);
      const ms = (performance.now() - t0) / STEPS;
      let hvps = 0;
      for (let i = 0; i < c.rows; i++) hvps += c.hvps[i];
      return { ms, hvps: hvps / STEPS };
    } finally {
      h.delete();
    }
  };
  rows.push({ build: 'wasm', run: 'gd', ...time(PROBLEM) });
  for (const s of SUBSTEPS) rows.push({ build: 'wasm', run: `central, ${s} substeps`, ...time({ ...PROBLEM, opt: 'central', central_substeps: s }) });
} else console.log(`(${mjs} is missing: build the WASM first)`);

// ---------------------------------------------------------------- native
const cli = join(REPO, 'build', 'native', 'eos-run');
if (existsSync(cli)) {
  const flags = (cfg, steps) => [
    '--format', 'csv', '--steps', String(steps),
    ...Object.entries(cfg).flatMap(([k, v]) => [`--${k.replace(/_/g, '-')}`, Array.isArray(v) ? v.join(',') : String(v)]),
  ];
  // The CLI has no split timer: time WARM + STEPS and WARM steps, and take the difference.
  const time = (cfg) => {
    const run = (n) => {
      const t0 = performance.now();
      const r = spawnSync(cli, flags(cfg, n), { encoding: 'utf8', maxBuffer: 1 << 28 });
      if (r.status !== 0) throw new Error(r.stderr);
      return performance.now() - t0;
    };
    return { ms: Math.max(0, run(WARM + STEPS) - run(WARM)) / STEPS, hvps: NaN };
  };
  rows.push({ build: 'native', run: 'gd', ...time(PROBLEM) });
  for (const s of SUBSTEPS) rows.push({ build: 'native', run: `central, ${s} substeps`, ...time({ ...PROBLEM, opt: 'central', central_substeps: s }) });
}

const budget = 1000 / PAGE_SPEED;
console.log(`Central flow cost per GD step on the page's default problem (steps ${WARM}-${WARM + STEPS}); the page plays ${PAGE_SPEED} steps/s, a budget of ${budget.toFixed(2)} ms per step per worker.`);
console.log(`Machine load (1/5/15 min) at the end: ${loadavg().map((x) => x.toFixed(2)).join(' / ')} on this machine's cores; timings scale with it.`);
console.log('build   run                   ms/step   steps/s   HVPs/step   vs GD   keeps up at 300 steps/s');
for (const r of rows) {
  const gd = rows.find((x) => x.build === r.build && x.run === 'gd');
  console.log(
    `${r.build.padEnd(7)} ${r.run.padEnd(21)} ${r.ms.toFixed(3).padStart(7)}   ${(1000 / r.ms).toFixed(0).padStart(7)}   ${Number.isNaN(r.hvps) ? '      -' : r.hvps.toFixed(1).padStart(7)}     ${(r.ms / gd.ms).toFixed(1).padStart(5)}x   ${r.ms < budget ? 'yes' : 'no'}`,
  );
}
