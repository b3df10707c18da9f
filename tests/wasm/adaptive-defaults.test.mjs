// The WASM module's per-optimiser defaults (the engine's field table, wasm/src/fields.cpp):
// a config that does not give beta2 runs with its optimiser's default, 0.99 for rmsprop
// (torch.optim.RMSprop's alpha) and 0.999 for adam; a given beta2 wins; the exported schema
// carries the per-optimiser value the page is generated from.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { loadModule } from './_lib.mjs';

let M;
before(async () => {
  M = await loadModule('simd');
});

const J = (cfg) => JSON.stringify(cfg);
const SMALL = { dataset: 'chebyshev', degree: 3, n: 20, widths: [20], act: 'tanh', eig_every: 0 };

test('beta2: 0.99 for rmsprop and 0.999 for adam when not given; a given beta2 wins', () => {
  const b2 = (cfg) => JSON.parse(M.normalizeConfig(J(cfg))).beta2;
  assert.equal(b2({ opt: 'rmsprop' }), 0.99);
  assert.equal(b2({ opt: 'adam' }), 0.999);
  assert.equal(b2({}), 0.999);
  assert.equal(b2({ opt: 'rmsprop', beta2: 0.999 }), 0.999);
  assert.equal(b2({ opt: 'adam', beta2: 0.99 }), 0.99);
  assert.equal(M.validateConfig(J({ opt: 'rmsprop', beta2: 1 })), 'beta2 must be a number in [0, 1), got 1');
});

test('a run from {"opt": "rmsprop"} steps exactly as one given beta2 0.99, not as 0.999', () => {
  const losses = (cfg) => {
    const run = M.createRun(J({ ...SMALL, opt: 'rmsprop', lr: 0.001, ...cfg }));
    const c = run.step(30);
    run.delete();
    return Array.from(c.loss);
  };
  const implied = losses({});
  assert.deepEqual(implied, losses({ beta2: 0.99 }));
  assert.notDeepEqual(implied, losses({ beta2: 0.999 }));
});

test('the schema exported to the page carries the per-optimiser default', () => {
  const f = JSON.parse(M.configSchema()).fields.find((x) => x.name === 'beta2');
  assert.equal(f.default, 0.999);
  assert.deepEqual(f.opt_defaults, { rmsprop: 0.99 });
});
