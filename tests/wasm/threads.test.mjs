// The pthreads twin of the module (CommonJS flavour for Node, build/wasm/node/):
// runs on 1, 2 and 3 threads give the same records bit for bit (the engine adds
// fixed example blocks in a fixed order), the thread count is a run-time setting
// that a run can change between steps, and the single-threaded module computes the
// very same numbers while staying at one thread.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO, loadModule } from './_lib.mjs';

const NODE_MT = join(REPO, 'build', 'wasm', 'node', 'eoslab_mt_node.js');
const POOL = 2; // pthreads pre-spawned: threads up to 3 (the caller + 2)

let MT;
let ST;
before(async () => {
  if (!existsSync(NODE_MT)) throw new Error(`${NODE_MT} is missing: build the wasm preset (target eoslab_mt_node)`);
  const factory = createRequire(import.meta.url)(NODE_MT);
  MT = await factory({ wasmBinary: readFileSync(NODE_MT.replace(/\.js$/, '.wasm')), eosPoolSize: POOL });
  ST = await loadModule('simd');
});
after(() => {
  // The pthread pool's worker_threads would keep the test process alive.
  MT?.PThread?.terminateAllThreads?.();
});

const J = (cfg) => JSON.stringify(cfg);
// 300 examples: 4 blocks of 80 (the last 60); eigenvalues every 5 steps.
const CFG = { dataset: 'gaussian-mixture', n: 300, d: 8, classes: 4, noise: 1, widths: [24, 16], lr: 0.5, eig_every: 5, neigs: 3 };
const KEYS = ['step', 'time', 'lr', 'loss', 'accuracy', 'grad_norm', 'threshold', 'neig', 'hvps', 'eigs'];

function firstDifference(a, b) {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function assertSameChunk(a, b, label) {
  assert.equal(a.rows, b.rows, `${label}: rows`);
  for (const k of KEYS) {
    const i = firstDifference(Array.from(a[k]), Array.from(b[k]));
    assert.equal(i, -1, `${label}: ${k}[${i}] differs: ${a[k][i]} vs ${b[k][i]}`);
  }
}

function runOn(M, threads, cfg, steps) {
  const run = M.createRun(J(cfg));
  try {
    const used = run.setThreads(threads);
    const chunk = run.step(steps);
    return { used, chunk, params: run.params() };
  } finally {
    run.delete();
  }
}

describe('threads in WebAssembly', () => {
  test('the threaded module says so; the single-threaded one stays at one thread', () => {
    assert.equal(MT.threaded(), true);
    assert.equal(ST.threaded(), false);
    const run = ST.createRun(J(CFG));
    assert.equal(run.setThreads(3), 1);
    assert.equal(run.threads(), 1);
    assert.throws(() => run.setThreads(0), { message: 'threads must be an integer in [1, 64], got 0' });
    run.delete();
  });

  for (const cfg of [CFG, { ...CFG, loss: 'ce', act: 'gelu', bias: false, opt: 'nesterov', beta: 0.9 }]) {
    test(`1, 2 and 3 threads give bit-identical records and parameters (${cfg.loss ?? 'mse'}, ${cfg.act ?? 'tanh'})`, () => {
      const one = runOn(MT, 1, cfg, 20);
      const two = runOn(MT, 2, cfg, 20);
      const three = runOn(MT, 3, cfg, 20);
      assert.deepEqual([one.used, two.used, three.used], [1, 2, 3]);
      assert.ok(one.chunk.neig[0] === 3, 'eigenvalues were measured');
      assertSameChunk(one.chunk, two.chunk, '1 vs 2 threads');
      assertSameChunk(one.chunk, three.chunk, '1 vs 3 threads');
      assert.equal(firstDifference(Array.from(one.params), Array.from(three.params)), -1, 'parameters');
      // The single-threaded module (what a page without isolation runs) gives the same bits.
      const st = runOn(ST, 1, cfg, 20);
      assertSameChunk(one.chunk, st.chunk, 'threaded vs single-threaded module');
    });
  }

  test('more threads than the pool runs on those it has; changing threads between steps changes nothing', () => {
    const ref = runOn(MT, 1, CFG, 12).chunk;
    const run = MT.createRun(J(CFG));
    assert.equal(run.setThreads(8), POOL + 1);
    const parts = [run.step(4)];
    assert.equal(run.setThreads(2), 2);
    parts.push(run.step(4));
    assert.equal(run.setThreads(1), 1);
    parts.push(run.step(4));
    run.delete();
    const cat = {};
    for (const k of KEYS) cat[k] = parts.flatMap((p) => Array.from(p[k]));
    cat.rows = 12;
    assertSameChunk(ref, { ...cat, rows: 12 }, 'chunked with changing threads');
  });

  test('the pool spinning or blocking changes no result; bench() times the pool and can skip the eigenvalues', () => {
    assert.equal(MT.poolSpin(), 200);
    assert.equal(MT.setPoolSpin(-1), 0);
    assert.equal(MT.setPoolSpin(1e9), 10000);
    try {
      assert.equal(MT.setPoolSpin(0), 0);
      const blocking = runOn(MT, 2, CFG, 12).chunk;
      assert.equal(MT.setPoolSpin(200), 200);
      assertSameChunk(runOn(MT, 2, CFG, 12).chunk, blocking, 'spin 200 vs 0');
      const r = MT.bench(J(CFG), 1, 2, false);
      assert.equal(r.threads, 2);
      assert.ok(r.step_ms > 0 && r.hvp_ms > 0, JSON.stringify(r));
      assert.ok(r.pool_run_us > 0 && r.pool_wake_us > 0, JSON.stringify(r));
      assert.equal(r.top1_cold_ms, 0); // skipped
      const one = ST.bench(J(CFG), 1, 1, false);
      assert.equal(one.pool_run_us, 0); // no pool on one thread
      assert.throws(() => MT.bench(J(CFG), 1, 2, 'no'), /eigs must be true or false/);
    } finally {
      MT.setPoolSpin(200);
    }
  });
});
