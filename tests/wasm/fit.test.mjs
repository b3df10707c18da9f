// The data chart's engine calls (RunHandle.dataset and RunHandle.fit, from
// wasm/include/eoslab/fit.hpp): the dataset is the one `eos-run --dump-problem` writes,
// bit for bit; the fit is the network's forward pass, recomputed here in plain JS (double
// precision) from the dumped initial weights and from run.params() after training, at the
// evaluation points rebuilt from the documented curve/grid formulas; the projection is
// centred X on orthonormal axes of maximal variance; fit() never steps the run.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModule, requireCli, runCli, tempDir, writeConfig } from './_lib.mjs';

let M;
let tmp;
before(async () => {
  requireCli();
  M = await loadModule('simd');
  tmp = tempDir();
});
after(() => tmp?.cleanup());

let fileNo = 0;
function cliDump(cfg) {
  const conf = writeConfig(tmp.dir, `f${fileNo++}.json`, JSON.stringify(cfg));
  const out = join(tmp.dir, `fd${fileNo++}.json`);
  const r = runCli(['--config', conf, '--steps', '0', '--dump-problem', out]);
  assert.equal(r.code, 0, `eos-run failed: ${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8'));
}

const ACT = {
  tanh: Math.tanh,
  relu: (z) => Math.max(0, z),
  elu: (z) => (z > 0 ? z : Math.expm1(z)),
};

/** Layers [{W: rows of out × in, b}] from the flat parameters (W column-major, then b). */
function layersFromParams(p, sizes, bias) {
  const out = [];
  let o = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nin = sizes[l], nout = sizes[l + 1];
    const W = Array.from({ length: nout }, (_, i) => Array.from({ length: nin }, (_, j) => p[o + j * nout + i]));
    o += nin * nout;
    const b = bias ? Array.from(p.slice(o, o + nout)) : [];
    if (bias) o += nout;
    out.push({ W, b });
  }
  assert.equal(o, p.length, 'parameter count');
  return out;
}

/** f(x) by the textbook forward pass, double precision. */
function forward(layers, act, x) {
  let a = x;
  layers.forEach((L, l) => {
    const z = L.W.map((row, i) => row.reduce((s, w, j) => s + w * a[j], L.b.length ? L.b[i] : 0));
    a = l + 1 < layers.length ? z.map(ACT[act]) : z;
  });
  return a;
}

/** The view's evaluation points, from the documented formulas (curve: ends included; grid: cell centres, row 0 on top). */
function viewPoints(ds) {
  if (ds.kind === 'curve') return Array.from({ length: ds.nx }, (_, c) => [ds.x0 + ((ds.x1 - ds.x0) * c) / (ds.nx - 1)]);
  if (ds.kind === 'grid') {
    const dx = (ds.x1 - ds.x0) / ds.nx, dy = (ds.y1 - ds.y0) / ds.ny, pts = [];
    for (let r = 0; r < ds.ny; r++) for (let c = 0; c < ds.nx; c++) pts.push([ds.x0 + (c + 0.5) * dx, ds.y1 - (r + 0.5) * dy]);
    return pts;
  }
  return Array.from({ length: ds.n }, (_, i) => Array.from(ds.X.slice(i * ds.dIn, (i + 1) * ds.dIn)));
}

/** Largest |fit - oracle| over every cell and output, and the oracle's largest |value|. */
function compareFit(fit, layers, act, pts) {
  let err = 0, scale = 0;
  pts.forEach((x, c) => {
    const f = forward(layers, act, x);
    f.forEach((v, k) => {
      err = Math.max(err, Math.abs(fit.values[c * fit.dOut + k] - v));
      scale = Math.max(scale, Math.abs(v));
    });
  });
  return { err, scale };
}

const PROBLEMS = {
  'chebyshev T5, 40 points, 32-32-32 tanh (the page default)': { kind: 'curve', cfg: { degree: 5, n: 40, widths: [32, 32, 32], seed: 1, lr: 0.3 } },
  'spirals, 32-32 tanh, ce (the ce preset)': { kind: 'grid', cfg: { dataset: 'spirals', n: 100, degree: 3, widths: [32, 32], loss: 'ce', lr: 0.5, seed: 0 } },
  'blobs 4 classes, relu': { kind: 'grid', cfg: { dataset: 'blobs', n: 80, classes: 4, widths: [10], act: 'relu', noise: 0.5 } },
  'gaussian-mixture d=8, elu, no bias': { kind: 'projection', cfg: { dataset: 'gaussian-mixture', n: 60, d: 8, classes: 3, widths: [12], act: 'elu', bias: false } },
  'teacher d=5 (regression)': { kind: 'projection', cfg: { dataset: 'teacher', n: 50, d: 5, classes: 2, widths: [16] } },
};

describe('dataset() is the --dump-problem dataset, fit() the forward pass', () => {
  for (const [name, { kind, cfg }] of Object.entries(PROBLEMS)) {
    test(name, () => {
      const nat = cliDump(cfg);
      const run = M.createRun(JSON.stringify(cfg));
      try {
        const ds = run.dataset();
        assert.equal(ds.kind, kind);
        assert.equal(ds.n, nat.X.length);
        assert.equal(ds.dIn, nat.X[0].length);
        assert.equal(ds.dOut, nat.Y[0].length);
        assert.ok(ds.X instanceof Float64Array && ds.labels instanceof Int32Array);
        assert.deepEqual(Array.from(ds.X), nat.X.flat(), 'X bit for bit');
        assert.deepEqual(Array.from(ds.Y), nat.Y.flat(), 'Y bit for bit');
        if (ds.classification) {
          assert.deepEqual(Array.from(ds.labels), nat.Y.map((row) => row.indexOf(1)), 'labels = the one-hot rows of Y');
        } else assert.equal(ds.labels.length, 0);
        assert.equal(ds.points.length, 2 * ds.n);

        const config = run.config();
        const sizes = [ds.dIn, ...config.widths, ds.dOut];
        const act = config.act;
        // At step 0, against the dumped initial weights (rows of W are the JSON's rows).
        const fit0 = run.fit();
        assert.equal(fit0.step, 0);
        assert.ok(fit0.values instanceof Float32Array);
        const pts = viewPoints(ds);
        assert.equal(fit0.cells, pts.length);
        assert.equal(fit0.values.length, pts.length * ds.dOut);
        const init = nat.layers.map((L) => ({ W: L.W, b: L.b }));
        const a = compareFit(fit0, init, act, pts);
        assert.ok(a.scale > 1e-3, 'a non-trivial output');
        assert.ok(a.err <= 2e-5 * (1 + a.scale), `step 0: |fit - forward| = ${a.err} (scale ${a.scale})`);
        // fit() takes no step: the run is where it was, and a second fit is identical.
        assert.equal(run.info().step, 0);
        assert.deepEqual(run.fit().values, fit0.values);

        // After 150 steps, against the run's own parameters.
        run.step(150);
        const fit1 = run.fit();
        assert.equal(fit1.step, 150);
        const trained = layersFromParams(run.params(), sizes, config.bias);
        const b = compareFit(fit1, trained, act, pts);
        assert.ok(b.err <= 2e-5 * (1 + b.scale), `step 150: |fit - forward| = ${b.err} (scale ${b.scale})`);
        assert.ok(fit1.values.some((v, i) => v !== fit0.values[i]), 'the fit moved with training');
        assert.equal(run.info().step, 150);
      } finally {
        run.delete();
      }
    });
  }
});

test('views: the curve covers the data range with T_k as target; the grid box holds every point; the projection is PCA', () => {
  const cheb = M.createRun(JSON.stringify({ degree: 4, n: 30 }));
  const c = cheb.dataset();
  cheb.delete();
  assert.equal(c.x0, -1);
  assert.equal(c.x1, 1);
  assert.ok(c.nx >= 200 && c.nx <= 1000);
  c.target.forEach((t, i) => {
    const x = c.x0 + ((c.x1 - c.x0) * i) / (c.nx - 1);
    assert.ok(Math.abs(t - Math.cos(4 * Math.acos(Math.min(1, Math.max(-1, x))))) < 1e-9, `T4 at ${x}`);
  });

  const moons = M.createRun(JSON.stringify({ dataset: 'moons', n: 60, noise: 0.1 }));
  const g = moons.dataset();
  moons.delete();
  assert.equal(g.nx * g.ny, 64 * 64);
  assert.ok(Math.abs(g.x1 - g.x0 - (g.y1 - g.y0)) < 1e-12, 'a square box');
  for (let i = 0; i < g.n; i++) {
    const [x, y] = [g.X[2 * i], g.X[2 * i + 1]];
    assert.ok(x > g.x0 && x < g.x1 && y > g.y0 && y < g.y1, `point ${i} inside the box`);
  }

  const gm = M.createRun(JSON.stringify({ dataset: 'gaussian-mixture', n: 90, d: 6, classes: 3 }));
  const p = gm.dataset();
  gm.delete();
  assert.equal(p.axes.length, 6 * 2);
  const axis = (j) => Array.from({ length: 6 }, (_, r) => p.axes[r * 2 + j]);
  const dot = (u, v) => u.reduce((s, x, i) => s + x * v[i], 0);
  assert.ok(Math.abs(dot(axis(0), axis(0)) - 1) < 1e-12 && Math.abs(dot(axis(1), axis(1)) - 1) < 1e-12 && Math.abs(dot(axis(0), axis(1))) < 1e-12);
  // points = axes^T (x - mean), and no unit direction tried has more variance than axis 1.
  const mean = Array.from({ length: 6 }, (_, r) => p.X.filter((_, k) => k % 6 === r).reduce((s, v) => s + v, 0) / p.n);
  const xc = (i) => Array.from({ length: 6 }, (_, r) => p.X[i * 6 + r] - mean[r]);
  let var0 = 0;
  for (let i = 0; i < p.n; i++) {
    assert.ok(Math.abs(p.points[2 * i] - dot(axis(0), xc(i))) < 1e-9);
    assert.ok(Math.abs(p.points[2 * i + 1] - dot(axis(1), xc(i))) < 1e-9);
    var0 += dot(axis(0), xc(i)) ** 2;
  }
  for (let r = 0; r < 6; r++) {
    const e = Array.from({ length: 6 }, (_, q) => (q === r ? 1 : 0));
    let v = 0;
    for (let i = 0; i < p.n; i++) v += dot(e, xc(i)) ** 2;
    assert.ok(v <= var0 * (1 + 1e-12), `coordinate ${r} has more variance than the first principal axis`);
  }
});
