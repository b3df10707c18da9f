// The WASM module on its own (web/src/wasm/eoslab.mjs, loaded in Node with its
// .wasm bytes): SIMD really compiled in, the record chunks are fresh typed-array
// copies, errors are JS Errors with the engine's message (never an abort, and the
// module keeps working), a diverging run is a result, and the one JS-owned C++
// object (RunHandle) can be created and deleted 1,000 times without growing the heap.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, test } from 'node:test';
import { loadModule, wasmPath } from './_lib.mjs';

let M;
let S;
before(async () => {
  M = await loadModule('simd');
  S = await loadModule('scalar');
});

const SMALL = { dataset: 'chebyshev', degree: 3, n: 20, widths: [20], act: 'tanh', lr: 0.2, eig_every: 10 };

describe('SIMD', () => {
  test("the SIMD module runs Eigen's SSE path (as wasm SIMD), the scalar one none", () => {
    assert.equal(M.simdInUse(), 'SSE, SSE2, SSE3, SSSE3, SSE4.1');
    assert.equal(S.simdInUse(), 'None');
  });

  test('the SIMD .wasm contains v128 instructions, the scalar one none (binaryen wasm-dis)', (t) => {
    const count = (file) => {
      const r = spawnSync('wasm-dis', [file], { encoding: 'utf8', maxBuffer: 1 << 30 });
      if (r.error) return null;
      assert.equal(r.status, 0, r.stderr);
      return (r.stdout.match(/\((?:v128|f32x4|f64x2|i32x4|i16x8|i8x16|i64x2)\./g) ?? []).length;
    };
    const simd = count(wasmPath('simd'));
    if (simd === null) {
      t.skip('wasm-dis (binaryen) is not installed');
      return;
    }
    const scalar = count(wasmPath('scalar'));
    t.diagnostic(`SIMD instructions: ${simd} in eoslab.wasm, ${scalar} in eoslab_scalar.wasm`);
    assert.ok(simd > 1000, `only ${simd} SIMD instructions`);
    assert.equal(scalar, 0);
  });

  test('SIMD and scalar builds compute the same run to float32 rounding', () => {
    const a = M.createRun(SMALL);
    const b = S.createRun(SMALL);
    const ca = a.step(100);
    const cb = b.step(100);
    a.delete();
    b.delete();
    for (let i = 0; i < 100; i++) {
      assert.ok(Math.abs(ca.loss[i] - cb.loss[i]) <= 1e-5 * Math.abs(cb.loss[i]), `loss at ${i}`);
    }
  });
});

describe('runs and records', () => {
  test('step(n) returns a RecordChunk of fresh typed arrays (not views of the wasm heap)', () => {
    const run = M.createRun({ ...SMALL, neigs: 2 });
    const info0 = run.info();
    assert.equal(info0.step, 0);
    assert.equal(info0.numParams, 1 * 20 + 20 + 20 * 1 + 1);
    assert.equal(info0.threshold, 10);
    assert.equal(info0.status, 'running');
    const c = run.step(25);
    assert.equal(c.rows, 25);
    assert.equal(c.k, 2);
    const f64 = ['step', 'time', 'lr', 'beta', 'loss', 'accuracy', 'grad_norm', 'threshold', 'eigs'];
    for (const key of f64) {
      assert.ok(c[key] instanceof Float64Array, key);
      assert.notEqual(c[key].buffer, M.HEAP8.buffer, `${key} is a copy`);
      assert.equal(c[key].buffer.byteLength, c[key].byteLength, `${key} owns its buffer (transferable)`);
    }
    assert.ok(c.neig instanceof Int32Array && c.hvps instanceof Int32Array);
    assert.equal(c.eigs.length, 25 * 2);
    for (let i = 0; i < 25; i++) {
      assert.equal(c.step[i], i);
      assert.ok(Math.abs(c.time[i] - 0.2 * i) < 1e-12);
      assert.equal(c.lr[i], 0.2);
      assert.ok(Number.isNaN(c.accuracy[i]), 'regression: accuracy NaN');
      const measured = i % 10 === 0;
      assert.equal(c.neig[i], measured ? 2 : 0, `neig at ${i}`);
      assert.equal(c.hvps[i] > 0, measured);
      assert.equal(Number.isNaN(c.eigs[2 * i]), !measured, `eigs at ${i}`);
      if (measured) assert.ok(c.eigs[2 * i] >= c.eigs[2 * i + 1], 'descending');
    }
    // The copies survive heap growth: allocate a lot, then read again.
    const before = c.loss[3];
    const big = M.createRun({ dataset: 'gaussian-mixture', n: 4000, d: 64, classes: 10, widths: [256, 256], eig_every: 0 });
    big.step(1);
    big.delete();
    assert.equal(c.loss[3], before);
    // info, params, config
    const info = run.info();
    assert.equal(info.step, 25);
    assert.ok(Math.abs(info.time - 5) < 1e-12);
    const p = run.params();
    assert.ok(p instanceof Float64Array && p.length === info.numParams);
    assert.equal(run.config().neigs, 2);
    run.delete();
  });

  test('setLr/setBeta are live from the next step and recorded; sharpness(k) does not step', () => {
    const run = M.createRun({ ...SMALL, opt: 'polyak', beta: 0.5 });
    run.step(5);
    run.setLr(0.1);
    run.setBeta(0.8);
    const c = run.step(3);
    assert.deepEqual(Array.from(c.lr), [0.1, 0.1, 0.1]);
    assert.deepEqual(Array.from(c.beta), [0.8, 0.8, 0.8]);
    assert.ok(Math.abs(c.threshold[0] - (2 + 2 * 0.8) / 0.1) < 1e-9, 'heavy-ball threshold (2+2b)/lr');
    assert.deepEqual(run.changes(), [
      { step: 5, lrOld: 0.2, lrNew: 0.1, betaOld: 0.5, betaNew: 0.5 },
      { step: 5, lrOld: 0.1, lrNew: 0.1, betaOld: 0.5, betaNew: 0.8 },
    ]);
    const s = run.sharpness(3);
    assert.equal(s.values.length, 3);
    assert.ok(s.values[0] >= s.values[1] && s.values[1] >= s.values[2]);
    assert.ok(s.hvps > 0 && s.converged === true);
    assert.equal(run.info().step, 8, 'sharpness did not step');
    run.delete();
  });

  test('sharpness(k) matches the eigenvalue recorded at the same point', () => {
    const run = M.createRun({ ...SMALL, lanczos_tol: 1e-6 });
    const s = run.sharpness(1).values[0];
    const c = run.step(1);
    run.delete();
    assert.ok(Math.abs(s - c.eigs[0]) <= 1e-5 * s, `${s} vs ${c.eigs[0]}`);
  });

  test('setProgress: "eigs" after every HVP (1, 2, ...), then one "step" per step; null removes it', () => {
    const run = M.createRun({ ...SMALL, eig_every: 2, neigs: 3 });
    const seen = [];
    run.setProgress((p) => seen.push({ ...p }));
    const c = run.step(3);
    const want = [];
    for (let i = 0; i < c.rows; ++i) {
      for (let h = 1; h <= c.hvps[i]; ++h) want.push({ what: 'eigs', step: c.step[i], k: 3, hvps: h });
      want.push({ what: 'step', step: c.step[i], k: c.neig[i], hvps: c.hvps[i] });
    }
    assert.ok(c.hvps[0] > 1);
    assert.deepEqual(seen, want);
    run.setProgress(null);
    run.step(1);
    assert.equal(seen.length, want.length);
    assert.throws(() => run.setProgress(3), { name: 'TypeError' });
    run.delete();
  });
});

describe('errors', () => {
  test('bad config, bad arguments: Error objects with the engine message, and the module keeps working', () => {
    assert.throws(() => M.createRun({ lr: -1 }), (e) => e instanceof Error && e.message === 'lr must be > 0 and finite, got -1');
    assert.throws(() => M.createRun({ lr: 'x' }), { message: "config field 'lr' must be a number, got string" });
    assert.throws(() => M.createRun({ foo: 1 }), /^Error: unknown config field 'foo' \(known fields: dataset, n, degree, /);
    const run = M.createRun(SMALL);
    assert.throws(() => run.setLr(0), { message: 'lr must be > 0 and finite, got 0' });
    assert.throws(() => run.setLr(NaN), { message: 'lr must be > 0 and finite, got nan' });
    assert.throws(() => run.setBeta(1), { message: 'beta must be in [0, 1) and finite, got 1' });
    assert.throws(() => run.setLr('0.1'), { name: 'TypeError', message: 'lr must be a number, got string' });
    assert.throws(() => run.sharpness(0), { message: 'k must be an integer in [1, 20], got 0' });
    assert.throws(() => run.sharpness(21), { message: 'k must be an integer in [1, 20], got 21' });
    assert.throws(() => run.step(-1), { message: 'step count must be an integer in [0, 10000000], got -1' });
    assert.throws(() => run.step(1.5), { message: 'step count must be an integer in [0, 10000000], got 1.5' });
    assert.equal(run.info().lr, 0.2, 'a rejected setLr changes nothing');
    assert.equal(run.step(3).rows, 3, 'still works');
    run.delete();
    assert.throws(() => run.step(1), /deleted/);
    const again = M.createRun(SMALL);
    assert.equal(again.step(2).rows, 2);
    again.delete();
  });

  test('a diverging run reports diverged, not an exception', () => {
    const run = M.createRun({ ...SMALL, lr: 500 });
    const c = run.step(200);
    assert.ok(c.rows >= 1 && c.rows < 200, `stopped early (${c.rows} rows)`);
    const last = c.loss[c.rows - 1];
    assert.ok(!Number.isFinite(last) || last > 1e5 * c.loss[0], `last loss ${last}`);
    assert.equal(run.info().status, 'diverged');
    // Further steps are no-ops, not errors.
    assert.equal(run.step(10).rows, 0);
    assert.equal(run.info().status, 'diverged');
    run.delete();
  });
});

describe('memory', () => {
  const cycle = (cfg) => {
    const r = M.createRun(cfg);
    r.step(12);
    r.sharpness(2);
    r.setLr(0.1);
    r.delete();
  };

  test('creating, stepping and deleting a run 1,000 times does not grow the heap', (t) => {
    for (let i = 0; i < 20; i++) cycle(SMALL); // warm up allocator pools
    const bytes0 = M.HEAP8.buffer.byteLength;
    const used0 = M.heapStats().used;
    for (let i = 0; i < 1000; i++) cycle(SMALL);
    const used1 = M.heapStats().used;
    t.diagnostic(`heap ${bytes0} -> ${M.HEAP8.buffer.byteLength} bytes, allocated ${used0} -> ${used1} bytes`);
    assert.equal(M.HEAP8.buffer.byteLength, bytes0);
    assert.equal(used1, used0);
  });

  test('1,000 rejected configs and setter errors leak nothing either', () => {
    const run = M.createRun(SMALL);
    for (let i = 0; i < 20; i++) {
      assert.throws(() => M.createRun({ lr: -1 }));
      assert.throws(() => run.setLr(-1));
    }
    const used0 = M.heapStats().used;
    for (let i = 0; i < 1000; i++) {
      assert.throws(() => M.createRun({ n: 0 }));
      assert.throws(() => M.createRun({ widths: [20, 'x'] }));
      assert.throws(() => run.setLr(-1));
      assert.throws(() => run.step(-1));
    }
    assert.equal(M.heapStats().used, used0);
    run.delete();
  });

  test('the leak check can fail: runs that are not deleted do show up', () => {
    const used0 = M.heapStats().used;
    const runs = Array.from({ length: 10 }, () => M.createRun(SMALL));
    assert.ok(M.heapStats().used > used0 + 10 * 1000);
    runs.forEach((r) => r.delete());
    assert.equal(M.heapStats().used, used0);
  });
});
