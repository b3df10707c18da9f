// Mini-batch SGD (batch) and the held-out set (n_test) through the WebAssembly module:
// the chunk carries test_loss/test_accuracy (Float64Array, NaN between evaluations) only
// for runs with n_test > 0; an SGD run with a held-out set agrees with the native CLI
// (loss and test_loss within 1e-4 relative over 100 steps, the same rows evaluated);
// setBatch is live, reported by info(), and refused with the engine's message for a
// batch above n, a non-integer, or any batch on gradient flow.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadModule, maxRel, requireCli, runCli, tempDir, writeConfig } from './_lib.mjs';

let M;
let tmp;
before(async () => {
  requireCli();
  M = await loadModule('simd');
  tmp = tempDir();
});
after(() => tmp?.cleanup());

const J = (cfg) => JSON.stringify(cfg);
const CFG = { dataset: 'moons', n: 60, noise: 0.2, widths: [16], loss: 'ce', lr: 0.5, eig_every: 10, batch: 8, n_test: 40 };

describe('held-out columns and mini-batches across Embind', () => {
  test('test_loss and test_accuracy cross as Float64Arrays, NaN between evaluations; absent without n_test', () => {
    const run = M.createRun(J(CFG));
    const c = run.step(25);
    run.delete();
    assert.ok(c.test_loss instanceof Float64Array && c.test_accuracy instanceof Float64Array);
    assert.equal(c.test_loss.length, 25);
    for (let i = 0; i < 25; i++) {
      if (i % 10 === 0) {
        assert.ok(c.test_loss[i] > 0 && Number.isFinite(c.test_loss[i]), `row ${i}: ${c.test_loss[i]}`);
        assert.ok(c.test_accuracy[i] >= 0 && c.test_accuracy[i] <= 1);
        assert.notEqual(c.test_loss[i], c.loss[i]);
      } else {
        assert.ok(Number.isNaN(c.test_loss[i]) && Number.isNaN(c.test_accuracy[i]), `row ${i}`);
      }
    }
    const plain = M.createRun(J({ ...CFG, n_test: 0 }));
    const p = plain.step(5);
    plain.delete();
    assert.equal(p.test_loss, undefined);
    assert.equal(p.test_accuracy, undefined);
  });

  test('an SGD run with a held-out set agrees with the native CLI over 100 steps', (t) => {
    const path = writeConfig(tmp.dir, 'sgd.json', J(CFG));
    const r = runCli(['--config', path, '--steps', '100', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const recs = JSON.parse(r.stdout).records;
    const run = M.createRun(J(CFG));
    const c = run.step(100);
    run.delete();
    const lw = [], ln = [], tw = [], tn = [];
    for (let i = 0; i < 100; i++) {
      lw.push(c.loss[i]);
      ln.push(recs[i].loss);
      assert.equal(Number.isNaN(c.test_loss[i]), recs[i].test_loss === null, `row ${i}: evaluated on the same rows`);
      if (recs[i].test_loss !== null) {
        tw.push(c.test_loss[i]);
        tn.push(recs[i].test_loss);
        assert.equal(c.test_accuracy[i], recs[i].test_accuracy, `row ${i}: test accuracy`);
      }
    }
    t.diagnostic(`max rel loss ${maxRel(lw, ln).toExponential(2)}, test loss ${maxRel(tw, tn).toExponential(2)} (${tw.length} rows)`);
    assert.equal(tw.length, 10);
    assert.ok(maxRel(lw, ln) <= 1e-4);
    assert.ok(maxRel(tw, tn) <= 1e-4);
  });

  test('setBatch is live and reported; bad values are refused with the engine message', () => {
    const run = M.createRun(J({ ...CFG, n_test: 0 }));
    assert.equal(run.info().batch, 8);
    run.step(3);
    run.setBatch(0);
    assert.equal(run.info().batch, 0);
    // From here on the updates are full-batch: another trajectory than keeping batch 8.
    const a = run.step(5).loss[4];
    const keep = M.createRun(J({ ...CFG, n_test: 0 }));
    keep.step(3);
    const b = keep.step(5).loss[4];
    keep.delete();
    assert.notEqual(a, b);
    assert.throws(() => run.setBatch(61), { message: 'batch must be an integer in [0, n = 60] (0 = full batch), got 61' });
    assert.throws(() => run.setBatch(2.5), { message: 'batch must be an integer in [0, 20000], got 2.5' });
    assert.equal(run.info().batch, 0);
    run.delete();
    const flow = M.createRun(J({ ...CFG, n_test: 0, batch: 0, opt: 'flow' }));
    assert.throws(() => flow.setBatch(4), { message: 'batch must be 0 for opt flow (gradient flow follows the full-batch gradient), got 4' });
    flow.delete();
    assert.equal(M.validateConfig(J({ ...CFG, opt: 'flow' })), 'batch must be 0 for opt flow (gradient flow follows the full-batch gradient), got 8');
  });
});
