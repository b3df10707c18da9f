// Sweep of candidate default problems (not a test): which small problem lets the page's
// reader move η and watch the sharpness follow 2/η in both directions (Cohen et al. 2021,
// Section 3: lowering η lets progressive sharpening resume up to the new 2/η; raising it
// pushes the sharpness down to the new 2/η within a few steps).
//
// For every candidate it runs build/native/eos-run and measures:
//   E       first step with sharpness >= 0.95 * 2/η (the page reaches it in ~1 s + E/300 s);
//   halve   for η → η/2 at E+0, +250, +500, +750, +1000: steps until sharpness >= 0.9 * the new 2/η
//           (within 1,500 steps, else "never" with the highest fraction of the new line reached);
//   raise   for η → 1.5η at the same steps: steps until sharpness <= 1.1 * the new 2/η (within 300);
//   2nd     a second halving (η/2 → η/4) when the first one (at E) has brought the sharpness to
//           0.95 * its line: steps to 0.9 * the new line, or the highest fraction reached in 1,500;
//   loss    at E and at each drop step (the sharpening stalls once the loss is nearly zero).
// Candidates are screened in stages (edge step, then the hardest halving, then everything) so
// that a wide grid stays cheap; only one eos-run process runs at a time.
//
// Usage: node bench/sweep-default.mjs [--grid default|small] [--only T5:n40:32,32:lr0.2:s0,...]
//                                     [--max-edge 600] [--json FILE] [--traces DIR] [--eos-run PATH]
//   --only     measure just these candidates fully (degree:n:widths:lr:seed, prefixes optional)
//   --offsets  A:B:D drop steps E+A, E+A+D, ..., E+B (default 0, 250, 500, 750, 1000)
//   --traces   also write each measured run's records (CSV) to DIR, for the stall-rule fixtures
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLAG } from './eos-run-flags.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));


function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const EOS_RUN = arg('--eos-run', join(REPO, 'build/native/eos-run'));
const MAX_EDGE = Number(arg('--max-edge', '600'));
const TRACES = arg('--traces', '');
// Drop steps after the edge; --offsets 0:1000:50 checks a denser set (any step in the first 1,000).
const OFFSETS = (() => {
  const o = arg('--offsets', '');
  if (!o) return [0, 250, 500, 750, 1000];
  const [a, b, d] = o.split(':').map(Number);
  return Array.from({ length: Math.floor((b - a) / d) + 1 }, (_, i) => a + i * d);
})();
const HALVE_WINDOW = 1500;
const RAISE_WINDOW = 300;
const BASE_STEPS = 3000;

if (!existsSync(EOS_RUN)) {
  console.error(`no ${EOS_RUN}: build it with cmake --preset native && cmake --build build/native --target eos-run`);
  process.exit(1);
}
if (TRACES) mkdirSync(TRACES, { recursive: true });

const name = (c) => `T${c.degree} n${c.n} 1-${c.widths.join('-')}-1 η${c.lr} s${c.seed}`;
const fileName = (c, tag) => `T${c.degree}_n${c.n}_${c.widths.join('x')}_lr${c.lr}_s${c.seed}_${tag}.csv`;

// One eos-run process; returns every record (step, lr, loss, thr, eig1 or NaN) and whether it diverged.
function run(c, steps, eigEvery, schedule, tag) {
  const args = [
    FLAG.dataset, 'chebyshev', FLAG.n, String(c.n), FLAG.degree, String(c.degree), FLAG.widths, c.widths.join(','),
    FLAG.act, c.act ?? 'tanh', FLAG.lr, String(c.lr), FLAG.seed, String(c.seed), FLAG.steps, String(steps),
    FLAG.eigEvery, String(eigEvery), FLAG.format, 'csv',
  ];
  if (schedule) args.push(FLAG.schedule, schedule);
  const r = spawnSync(EOS_RUN, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`eos-run ${args.join(' ')}: ${r.stderr}`);
  if (TRACES && tag) writeFileSync(join(TRACES, fileName(c, tag)), r.stdout);
  const lines = r.stdout.trimEnd().split('\n');
  const head = lines[0].split(',');
  const col = (k) => head.indexOf(k);
  const [iS, iLr, iL, iT, iE] = ['step', 'lr', 'loss', 'threshold', 'eig1'].map(col);
  const rows = lines.slice(1).map((line) => {
    const f = line.split(',');
    return { step: +f[iS], lr: +f[iLr], loss: +f[iL], thr: +f[iT], eig: f[iE] === '' ? NaN : +f[iE] };
  });
  const last = rows[rows.length - 1];
  return { rows, diverged: !Number.isFinite(last.loss) };
}

const eigRows = (rows, from = 0) => rows.filter((r) => r.step >= from && !Number.isNaN(r.eig));

// Steps from `from` until pred(row) holds on an eigen-row, or null.
function stepsUntil(rows, from, pred) {
  const hit = eigRows(rows, from).find(pred);
  return hit ? hit.step - from : null;
}

function edge(c) {
  const { rows, diverged } = run(c, BASE_STEPS, 10, '', 'base');
  const e = eigRows(rows);
  const E = stepsUntil(rows, 0, (r) => r.eig >= 0.95 * r.thr);
  const loss = (s) => rows[Math.min(s, rows.length - 1)].loss;
  return { E, s0: e[0].eig, loss0: rows[0].loss, lossE: E === null ? NaN : loss(E), loss3k: loss(BASE_STEPS - 1), diverged };
}

// η → η/2 at step S: steps until eig >= 0.9 * new 2/η; also the best fraction reached.
function halve(c, S, lr = c.lr, newLr = c.lr / 2, prefix = '') {
  const sched = prefix + `${S}:${newLr}`;
  const { rows, diverged } = run(c, S + HALVE_WINDOW + 1, 10, sched, `halve${S}${prefix ? '_2nd' : ''}`);
  const after = eigRows(rows, S);
  const t = diverged ? null : stepsUntil(rows, S, (r) => r.eig >= 0.9 * r.thr);
  const best = Math.max(...after.map((r) => r.eig / r.thr));
  const t95 = stepsUntil(rows, S, (r) => r.eig >= 0.95 * r.thr);
  return { S, t, best, t95, lossAt: rows[Math.min(S, rows.length - 1)].loss, diverged };
}

function raise(c, S) {
  const { rows, diverged } = run(c, S + RAISE_WINDOW + 1, 5, `${S}:${1.5 * c.lr}`, `raise${S}`);
  return { S, t: diverged ? null : stepsUntil(rows, S, (r) => r.eig <= 1.1 * r.thr), diverged };
}

// Measures a candidate in stages; returns the row for the table (with `stage` = how far it got).
function measure(c, full = false) {
  const res = { c, ...edge(c), stage: 'edge' };
  // A start at or near 2/η (a catapult from the first step) shows no progressive sharpening.
  if (res.E === null || res.diverged || (!full && (res.E > MAX_EDGE || res.s0 > 0.7 * (2 / c.lr)))) return res;
  const E = res.E;
  // The hardest halving is the latest one (least loss left to drive sharpening).
  const last = halve(c, E + OFFSETS[OFFSETS.length - 1]);
  res.stage = 'late-halve';
  res.halves = [last];
  if (!full && last.t === null) return res;
  res.stage = 'full';
  res.halves = OFFSETS.slice(0, -1).map((o) => halve(c, E + o)).concat([last]);
  res.raises = OFFSETS.map((o) => raise(c, E + o));
  // Second halving: the reader halves at the edge, waits for the sharpness to reach
  // 0.95 of the new line, then halves again.
  const first = res.halves[0];
  if (first.t95 !== null) {
    const S2 = E + first.t95;
    res.second = { S1: E, ...halve(c, S2, c.lr / 2, c.lr / 4, `${E}:${c.lr / 2},`) };
  }
  return res;
}

const worst = (xs) => (xs.some((x) => x.t === null) ? null : Math.max(...xs.map((x) => x.t)));
function passes(r) {
  return r.stage === 'full' && r.E <= MAX_EDGE && worst(r.halves) !== null && worst(r.halves) <= HALVE_WINDOW &&
    worst(r.raises) !== null && worst(r.raises) <= 200;
}

function parseOnly(s) {
  return s.split(';').map((spec) => {
    const [deg, n, widths, lr, seed] = spec.split(':');
    return {
      degree: +deg.replace(/^T/, ''), n: +n.replace(/^n/, ''), widths: widths.split(',').map(Number),
      lr: +lr.replace(/^lr/, ''), seed: +(seed ?? '0').replace(/^s/, ''), act: 'tanh',
    };
  });
}

function grid(kind) {
  const out = [];
  const degrees = kind === 'small' ? [4, 5] : [3, 4, 5, 6];
  const ns = kind === 'small' ? [40] : [20, 30, 40, 60, 80];
  const widths = [[20], [20, 20], [32, 32], [32, 32, 32], [64]];
  const lrs = kind === 'small' ? [0.2] : [0.1, 0.15, 0.2, 0.3];
  for (const degree of degrees)
    for (const n of ns)
      for (const w of widths) for (const lr of lrs) out.push({ degree, n, widths: w, lr, seed: 0, act: 'tanh' });
  return out;
}

const fmt = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const fmtT = (h) => (h.t !== null ? String(h.t) : `never(${h.best.toFixed(2)})`);

function table(results) {
  const head = ['candidate', 'λ0', 'E', 'nav s', 'loss@E', ...OFFSETS.map((o) => `½@E+${o}`), 'worst½',
    ...OFFSETS.map((o) => `1.5×@E+${o}`), 'worst↑', '2nd½ (best)', 'loss@E+1000', 'loss@3k', 'pass'];
  const lines = [head];
  for (const r of results) {
    const full = r.stage === 'full';
    lines.push([
      name(r.c), fmt(r.s0, 2), fmt(r.E), r.E === null ? '-' : (1 + r.E / 300).toFixed(2), r.lossE?.toExponential(1) ?? '-',
      ...OFFSETS.map((_, i) => (full ? fmtT(r.halves[i]) : i === OFFSETS.length - 1 && r.halves ? fmtT(r.halves[0]) : '')),
      full ? fmt(worst(r.halves)) : '',
      ...OFFSETS.map((_, i) => (full ? fmt(r.raises[i].t) : '')), full ? fmt(worst(r.raises)) : '',
      r.second ? `${fmt(r.second.t)} (${r.second.best.toFixed(2)})` : '',
      r.halves ? r.halves[r.halves.length - 1].lossAt.toExponential(1) : '', r.loss3k.toExponential(1),
      passes(r) ? 'yes' : 'no',
    ]);
  }
  const w = head.map((_, j) => Math.max(...lines.map((l) => String(l[j]).length)));
  for (const l of lines) console.log(l.map((x, j) => String(x).padEnd(w[j])).join('  '));
}

const only = arg('--only', '');
const candidates = only ? parseOnly(only) : grid(arg('--grid', 'default'));
const t0 = Date.now();
const results = [];
for (const [i, c] of candidates.entries()) {
  const r = measure(c, Boolean(only));
  results.push(r);
  process.stderr.write(`[${i + 1}/${candidates.length}] ${name(c)}: E ${r.E ?? '-'}, stage ${r.stage} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
}
// Seeds 1 and 2 of every candidate that passed with seed 0 (a default must not hinge on one init).
if (!only) {
  for (const r of results.filter(passes).slice()) {
    for (const seed of [1, 2]) {
      const c = { ...r.c, seed };
      results.push(measure(c, true));
      process.stderr.write(`  seed ${seed} of ${name(r.c)} done\n`);
    }
  }
}
const rank = (r) => [r.stage === 'full' ? 0 : r.stage === 'late-halve' ? 1 : 2, passes(r) ? 0 : 1,
  r.stage === 'full' ? (worst(r.halves) ?? 1e9) : 1e9, r.E ?? 1e9];
results.sort((a, b) => {
  const ra = rank(a), rb = rank(b);
  for (let i = 0; i < ra.length; ++i) if (ra[i] !== rb[i]) return ra[i] - rb[i];
  return 0;
});
table(results.filter((r) => r.stage !== 'edge' || only));
console.log(`${results.filter((r) => r.stage === 'edge').length} candidates stopped at the edge stage (E > ${MAX_EDGE}, never, or λ0 > 0.7 × 2/η)`);
console.log(`${results.filter((r) => r.stage === 'late-halve').length} stopped because the halving at E+1000 never reached 0.9 × the new 2/η`);
const jsonPath = arg('--json', '');
if (jsonPath) writeFileSync(jsonPath, JSON.stringify(results, null, 1));
