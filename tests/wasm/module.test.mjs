// The WASM module on its own (web/src/wasm/eoslab.mjs, loaded in Node with its
// .wasm bytes): SIMD really compiled in, configs cross as JSON text, the record
// chunks are fresh typed-array copies, errors are JS Errors with the engine's
// message (never an abort, and the module keeps working), a diverging run is a
// result, the lr schedule runs in the engine, and the one JS-owned C++ object
// (RunHandle) can be created and deleted 1,000 times without growing the heap.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, test } from 'node:test';
import { loadModule, wasmPath } from './_lib.mjs';

let M;
before(async () => {
  M = await loadModule('simd');
});

const J = (cfg) => JSON.stringify(cfg);
const SMALL = { dataset: 'chebyshev', degree: 3, n: 20, widths: [20], act: 'tanh', lr: 0.2, eig_every: 10 };

describe('SIMD', () => {
  // The scalar twin (eoslab_scalar, for the benchmark only) is not built for the tests; the
  // SIMD module's numbers are checked against the native build in native-parity.test.mjs.
  test("the SIMD module runs Eigen's SSE path (as wasm SIMD)", () => {
    assert.equal(M.simdInUse(), 'SSE, SSE2, SSE3, SSSE3, SSE4.1');
  });

  test('the SIMD .wasm contains v128 instructions (binaryen wasm-dis)', (t) => {
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
    t.diagnostic(`SIMD instructions: ${simd} in eoslab.wasm`);
    assert.ok(simd > 1000, `only ${simd} SIMD instructions`);
  });
});

describe('runs and records', () => {
  test('step(n) returns a RecordChunk of fresh typed arrays (not views of the wasm heap)', () => {
    const run = M.createRun(J({ ...SMALL, neigs: 2 }));
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
    const big = M.createRun(J({ dataset: 'gaussian-mixture', n: 4000, d: 64, classes: 10, widths: [256, 256], eig_every: 0 }));
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
    const run = M.createRun(J({ ...SMALL, opt: 'polyak', beta: 0.5 }));
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

  test('lr_schedule runs in the engine: the same records in one chunk or many, changes listed', () => {
    const cfg = J({ ...SMALL, lr_schedule: '30:0.1,60:x0.5' });
    const a = M.createRun(cfg);
    const b = M.createRun(cfg);
    const ca = a.step(90);
    const lrs = [];
    const losses = [];
    for (const n of [29, 1, 1, 29, 30]) {
      const c = b.step(n);
      lrs.push(...c.lr);
      losses.push(...c.loss);
    }
    assert.deepEqual(lrs, Array.from(ca.lr));
    assert.deepEqual(losses, Array.from(ca.loss));
    assert.equal(ca.lr[29], 0.2);
    assert.equal(ca.lr[30], 0.1);
    assert.equal(ca.lr[60], 0.05);
    assert.deepEqual(a.changes(), [
      { step: 30, lrOld: 0.2, lrNew: 0.1, betaOld: 0.9, betaNew: 0.9 },
      { step: 60, lrOld: 0.1, lrNew: 0.05, betaOld: 0.9, betaNew: 0.9 },
    ]);
    assert.deepEqual(b.changes(), a.changes());
    assert.equal(a.config().lr_schedule, '30:0.1,60:x0.5');
    a.delete();
    b.delete();
  });

  test('a config beyond the memory budget is refused up front, naming the fields to shrink', () => {
    const big = J({ widths: [512, 512, 512, 512, 512, 512], n: 20000 });
    const msg = M.validateConfig(big);
    assert.match(msg, /^this configuration needs about \d+ MiB of memory, more than the 1536 MiB budget: shrink widths, n or neigs$/);
    assert.throws(() => M.createRun(big), { message: msg });
  });

  test('sharpness(k) matches the eigenvalue recorded at the same point', () => {
    const run = M.createRun(J({ ...SMALL, lanczos_tol: 1e-6 }));
    const s = run.sharpness(1).values[0];
    const c = run.step(1);
    run.delete();
    assert.ok(Math.abs(s - c.eigs[0]) <= 1e-5 * s, `${s} vs ${c.eigs[0]}`);
  });

  test('setProgress: "eigs" after every HVP (1, 2, ...), then one "step" per step; null removes it', () => {
    const run = M.createRun(J({ ...SMALL, eig_every: 2, neigs: 3 }));
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
    assert.throws(() => M.createRun(J({ lr: -1 })), (e) => e instanceof Error && e.message === 'lr must be a number in (0, 10000], got -1');
    assert.throws(() => M.createRun(J({ lr: 'x' })), { message: 'lr must be a number in (0, 10000], got "x"' });
    assert.throws(() => M.createRun(J({ foo: 1 })), /^Error: unknown config field 'foo' \(known fields: dataset, n, degree, /);
    // Integer fields name their own range whatever the input (overflow, fraction, string).
    assert.throws(() => M.createRun(J({ n: 1e20 })), { message: 'n must be an integer in [1, 20000], got 1e+20' });
    assert.throws(() => M.createRun(J({ n: 2.5 })), { message: 'n must be an integer in [1, 20000], got 2.5' });
    assert.throws(() => M.createRun(J({ n: '3' })), { message: 'n must be an integer in [1, 20000], got "3"' });
    assert.throws(() => M.createRun('{"widths": [99999999999]}'), {
      message: 'widths entries must be integers in [1, 512], got 99999999999',
    });
    assert.throws(() => M.createRun('{"n": 1,}'), { message: /^JSON parse error at line 1, column 9: / });
    assert.throws(() => M.createRun('{"n": 1, "n": 2}'), { message: 'JSON parse error at line 1, column 10: duplicate key "n"' });
    assert.throws(() => M.createRun(SMALL), { name: 'TypeError', message: /^createRun takes the config as a JSON string/ });
    assert.equal(M.validateConfig(J({ n: 0 })), 'n must be an integer in [1, 20000], got 0');
    assert.equal(M.validateConfig(J(SMALL)), '');
    assert.equal(M.validateConfig(undefined), '');
    const run = M.createRun(J(SMALL));
    assert.throws(() => run.setLr(0), { message: 'lr must be a number in (0, 10000], got 0' });
    assert.throws(() => run.setLr(NaN), { message: 'lr must be a number in (0, 10000], got nan' });
    assert.throws(() => run.setBeta(1), { message: 'beta must be a number in [0, 1), got 1' });
    assert.throws(() => run.setLr('0.1'), { name: 'TypeError', message: 'lr must be a number, got string' });
    assert.throws(() => run.sharpness(0), { message: 'k must be an integer in [1, 20], got 0' });
    assert.throws(() => run.sharpness(21), { message: 'k must be an integer in [1, 20], got 21' });
    assert.throws(() => run.step(-1), { message: 'step count must be an integer in [0, 10000000], got -1' });
    assert.throws(() => run.step(1.5), { message: 'step count must be an integer in [0, 10000000], got 1.5' });
    assert.equal(run.info().lr, 0.2, 'a rejected setLr changes nothing');
    assert.equal(run.step(3).rows, 3, 'still works');
    run.delete();
    assert.throws(() => run.step(1), /deleted/);
    const again = M.createRun(J(SMALL));
    assert.equal(again.step(2).rows, 2);
    again.delete();
  });

  test('a diverging run reports diverged, not an exception', () => {
    const run = M.createRun(J({ ...SMALL, lr: 500 }));
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
    const r = M.createRun(J(cfg));
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
    const run = M.createRun(J(SMALL));
    for (let i = 0; i < 20; i++) {
      assert.throws(() => M.createRun(J({ lr: -1 })));
      assert.throws(() => run.setLr(-1));
    }
    const used0 = M.heapStats().used;
    for (let i = 0; i < 1000; i++) {
      assert.throws(() => M.createRun(J({ n: 0 })));
      assert.throws(() => M.createRun(J({ widths: [20, 'x'] })));
      assert.throws(() => run.setLr(-1));
      assert.throws(() => run.step(-1));
    }
    assert.equal(M.heapStats().used, used0);
    run.delete();
  });

  test('the leak check can fail: runs that are not deleted do show up', () => {
    const used0 = M.heapStats().used;
    const runs = Array.from({ length: 10 }, () => M.createRun(J(SMALL)));
    assert.ok(M.heapStats().used > used0 + 10 * 1000);
    runs.forEach((r) => r.delete());
    assert.equal(M.heapStats().used, used0);
  });
});
