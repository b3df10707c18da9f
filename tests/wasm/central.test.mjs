// The central flow (opt central; Cohen, Damian et al., ICLR 2025) through the WASM
// module: a shorter version of the native phenomenon tests, on "cheb3-20x20 at lr 0.2"
// (Chebyshev T3 on 20 points, 1-20-20-1 tanh, seed 0, float32 GD), which reaches its edge
// at step ~235, so 2,500 steps leave over 2,000 at the edge. Measured natively: (a) loss
// within 1.5% of GD before the edge; (b) the flow's S at 1.0000 x 2/lr; (c) median 6% from
// GD's running median; (d) gradient flow at 4.4 x 2/lr. The chunk carries pred_loss and sigma2.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadModule } from './_lib.mjs';

const LR = 0.2;
const STEPS = 2500;
const THR = 2 / LR;
const PROBLEM = { dataset: 'chebyshev', degree: 3, n: 20, widths: [20, 20], act: 'tanh', lr: LR, seed: 0, eig_every: 1 };

let M;
const runs = {};
before(async () => {
  M = await loadModule('simd');
  const collect = (cfg, more) => {
    const h = M.createRun(JSON.stringify(cfg));
    const rows = [];
    try {
      while (more(h)) {
        const c = h.step(250);
        for (let i = 0; i < c.rows; i++) {
          rows.push({
            step: c.step[i], time: c.time[i], loss: c.loss[i], thr: c.threshold[i],
            eig: c.neig[i] > 0 ? c.eigs[i * c.k] : NaN, pred: c.pred_loss[i], sigma2: c.sigma2[i],
          });
        }
        if (c.rows === 0) break;
      }
    } finally {
      h.delete();
    }
    return rows;
  };
  runs.gd = collect(PROBLEM, (h) => h.info().step < STEPS);
  runs.central = collect({ ...PROBLEM, opt: 'central' }, (h) => h.info().step < STEPS);
  runs.flow = collect({ ...PROBLEM, opt: 'flow', eig_every: 10 }, (h) => h.info().time < STEPS * LR);
  runs.edge = runs.gd.findIndex((r) => r.eig >= 0.95 * THR);
});

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('central flow in WASM (cheb3-20x20, lr 0.2)', () => {
  test('records: pred_loss = L + 1/2 sigma^2 S, threshold 2/lr, S on every step; other runs have NaN there', () => {
    const c = runs.central;
    assert.equal(c.length, STEPS);
    for (const r of c) {
      assert.ok(Number.isFinite(r.eig) && Number.isFinite(r.sigma2) && r.sigma2 >= 0, `step ${r.step}`);
      assert.ok(Math.abs(r.pred - (r.loss + 0.5 * r.sigma2 * r.eig)) <= 1e-12 * r.pred, `step ${r.step}`);
      assert.ok(Math.abs(r.thr - THR) < 1e-12);
    }
    assert.ok(runs.gd.every((r) => Number.isNaN(r.pred) && Number.isNaN(r.sigma2)));
  });

  test('(a) before the edge GD, the central flow and gradient flow agree', () => {
    assert.ok(runs.edge > 100, `edge at ${runs.edge}`);
    let lossErr = 0;
    let gfErr = 0;
    let j = 0;
    for (let i = 0; i < Math.floor(0.8 * runs.edge); i++) {
      const g = runs.gd[i];
      const c = runs.central[i];
      lossErr = Math.max(lossErr, Math.abs(c.loss - g.loss) / g.loss);
      while (j + 1 < runs.flow.length && Math.abs(runs.flow[j + 1].time - g.time) < Math.abs(runs.flow[j].time - g.time)) j++;
      gfErr = Math.max(gfErr, Math.abs(runs.flow[j].loss - c.loss) / c.loss);
      assert.equal(c.sigma2, 0, `sigma^2 at step ${i}`);
    }
    console.log(`(a) edge at ${runs.edge}: max relative loss difference GD vs central ${lossErr.toFixed(4)}, central vs gradient flow ${gfErr.toFixed(4)}`);
    assert.ok(lossErr < 0.03, `GD vs central ${lossErr}`);
    assert.ok(gfErr < 0.03, `central vs gradient flow ${gfErr}`);
  });

  test("(b) past the edge the flow's sharpness stays within 2% of 2/lr while GD's oscillates around it", () => {
    const from = runs.edge + 100;
    const cs = runs.central.slice(from).map((r) => r.eig / THR);
    const gs = runs.gd.slice(from).map((r) => r.eig / THR);
    const [clo, chi] = [Math.min(...cs), Math.max(...cs)];
    const [glo, ghi] = [Math.min(...gs), Math.max(...gs)];
    console.log(`(b) from step ${from}: central S in [${clo.toFixed(4)}, ${chi.toFixed(4)}] x 2/lr, GD in [${glo.toFixed(3)}, ${ghi.toFixed(3)}]`);
    assert.ok(clo >= 0.98 && chi <= 1.02);
    assert.ok(glo < 0.98 && ghi > 1.02);
    assert.ok(Math.abs(median(gs) - 1) < 0.1);
  });

  test("(c) the flow's loss tracks GD's running median past the edge", () => {
    const n = runs.gd.length;
    assert.ok(n - runs.edge >= 2000);
    const rel = [];
    for (let i = runs.edge; i < n; i++) {
      const m = median(runs.gd.slice(Math.max(0, i - 250), Math.min(n, i + 251)).map((r) => r.loss));
      rel.push(Math.abs(runs.central[i].loss - m) / m);
    }
    console.log(`(c) ${rel.length} steps: median relative distance ${median(rel).toFixed(4)}`);
    assert.ok(median(rel) < 0.1);
  });

  test('(d) gradient flow on the same clock ends far above 2/lr', () => {
    const last = runs.flow.filter((r) => Number.isFinite(r.eig)).at(-1);
    console.log(`(d) gradient flow at time ${runs.flow.at(-1).time.toFixed(2)}: ${(last.eig / THR).toFixed(3)} x 2/lr`);
    assert.ok(runs.flow.at(-1).time >= STEPS * LR - 0.1);
    assert.ok(last.eig > 1.5 * THR);
  });
});
