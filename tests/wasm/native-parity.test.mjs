// WASM vs native: the same config JSON given to the WASM module
// (web/src/wasm/eoslab.mjs) and to the native CLI (build/native/eos-run) must give
// the same problem bit for bit (dataset and initial weights: our own RNG and
// deterministic math), loss/sharpness records that agree to 1e-4 relative over the
// first 200 steps, the same message for every bad config, and the same schema.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

let fileNo = 0;
function configFile(cfg) {
  return writeConfig(tmp.dir, `c${fileNo++}.json`, J(cfg));
}

/** --dump-problem of the CLI, flattened like the module's dump (rows of the JSON = rows of the matrix). */
function cliDump(cfg) {
  const out = join(tmp.dir, `dump${fileNo++}.json`);
  const r = runCli(['--config', configFile(cfg), '--steps', '0', '--dump-problem', out]);
  assert.equal(r.code, 0, `eos-run failed: ${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8'));
}

/** First index where two sequences of doubles differ bit for bit (Object.is: -0 and NaN exact), or -1. */
function firstDifference(a, b) {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function checkMatrix(name, rowsJson, m) {
  assert.equal(m.rows, rowsJson.length, `${name}: rows`);
  if (m.rows > 0) assert.equal(m.cols, rowsJson[0].length, `${name}: cols`);
  const flat = rowsJson.flat();
  const i = firstDifference(Array.from(m.data), flat);
  assert.equal(i, -1, `${name}: element ${i} differs: wasm ${m.data[i]} vs native ${flat[i]}`);
}

const PROBLEMS = {
  'chebyshev T3 (default)': {},
  'chebyshev T6, 30-20 tanh, seed 7': { degree: 6, n: 20, widths: [30, 20], seed: 7 },
  'moons, relu, data_seed 3': { dataset: 'moons', n: 64, noise: 0.2, widths: [16], act: 'relu', loss: 'ce', data_seed: 3 },
  'circles, gelu, no bias': { dataset: 'circles', n: 50, widths: [12, 12], act: 'gelu', bias: false },
  'spirals 3 classes, normal init': { dataset: 'spirals', n: 90, classes: 3, widths: [24], init: 'normal', init_scale: 1.5 },
  'xor, softplus': { dataset: 'xor', n: 40, widths: [8], act: 'softplus' },
  'blobs 4 classes': { dataset: 'blobs', n: 80, classes: 4, widths: [10], noise: 0.5 },
  'gaussian-mixture d=32 c=10': { dataset: 'gaussian-mixture', n: 200, d: 32, classes: 10, widths: [40, 40], noise: 1 },
  'teacher d=5 outputs=3, elu': { dataset: 'teacher', n: 60, d: 5, classes: 3, widths: [20], act: 'elu', data_seed: 11 },
  'linear d=6 (orthogonal columns)': { dataset: 'linear', n: 30, d: 6, classes: 2, widths: [6, 6], act: 'identity' },
  'float64, the largest seeds (2^53 - 1)': { precision: 'float64', seed: 9007199254740991, data_seed: 9007199254740990 },
};

describe('same problem bit for bit (--dump-problem vs dumpProblem)', () => {
  for (const [name, cfg] of Object.entries(PROBLEMS)) {
    test(name, () => {
      const nat = cliDump(cfg);
      const w = M.dumpProblem(J(cfg));
      checkMatrix('X', nat.X, w.X);
      checkMatrix('Y', nat.Y, w.Y);
      assert.equal(w.layers.length, nat.layers.length, 'layer count');
      nat.layers.forEach((L, l) => {
        checkMatrix(`W${l}`, L.W, w.layers[l].W);
        const i = firstDifference(Array.from(w.layers[l].b), L.b);
        assert.equal(i, -1, `b${l}: element ${i} differs`);
      });
      // The dump is not trivially empty (a vacuous comparison would pass).
      assert.ok(w.X.data.length > 0 && w.layers[0].W.data.length > 0);
      // Both sides read the same config, seeds exactly.
      assert.deepEqual(w.config, nat.config);
    });
  }
});

/** The CLI's JSON records for cfg over `steps` steps. */
function cliRecords(cfg, steps) {
  const r = runCli(['--config', configFile(cfg), '--steps', String(steps), '--format', 'json']);
  assert.equal(r.code, 0, `eos-run failed: ${r.stderr}`);
  return JSON.parse(r.stdout).records;
}

/** Relative differences of loss and sharpness (eig1) over rows [0, upTo). */
function compare(chunk, recs, upTo) {
  const lw = [], ln = [], sw = [], sn = [];
  for (let i = 0; i < upTo; i++) {
    assert.equal(chunk.step[i], recs[i].step);
    lw.push(chunk.loss[i]);
    ln.push(recs[i].loss);
    assert.equal(chunk.neig[i], recs[i].eigs.length, `eigenvalues measured on the same steps (row ${i})`);
    if (recs[i].eigs.length > 0) {
      sw.push(chunk.eigs[i * chunk.k]);
      sn.push(recs[i].eigs[0]);
    }
  }
  return { loss: maxRel(lw, ln), sharpness: maxRel(sw, sn), nEig: sn.length };
}

describe('records agree with the native CLI', () => {
  // A non-chaotic run: chebyshev T3, 20 points, 1-20-1 tanh, lr 0.2.
  const CHEB = { dataset: 'chebyshev', degree: 3, n: 20, widths: [20], act: 'tanh', lr: 0.2, eig_every: 10 };

  test('chebyshev T3: loss and sharpness within 1e-4 relative over the first 200 steps; close at 2000', (t) => {
    const steps = 2000;
    const recs = cliRecords(CHEB, steps);
    const run = M.createRun(J(CHEB));
    const chunk = run.step(steps);
    run.delete();
    assert.equal(chunk.rows, steps);
    const first = compare(chunk, recs, 200);
    t.diagnostic(`first 200 steps: max rel loss ${first.loss.toExponential(2)}, sharpness ${first.sharpness.toExponential(2)} (${first.nEig} eig rows)`);
    assert.ok(first.nEig === 20);
    assert.ok(first.loss <= 1e-4, `loss differs by ${first.loss}`);
    assert.ok(first.sharpness <= 1e-4, `sharpness differs by ${first.sharpness}`);
    const all = compare(chunk, recs, steps);
    const last = steps - 10;
    t.diagnostic(
      `all ${steps} steps: max rel loss ${all.loss.toExponential(2)}, sharpness ${all.sharpness.toExponential(2)}; ` +
        `step ${last}: loss wasm ${chunk.loss[last]} native ${recs[last].loss}, sharpness wasm ${chunk.eigs[last * chunk.k]} native ${recs[last].eigs[0]}`,
    );
    // Later on "close, not necessarily identical": by step 2000 the run is at the edge of stability (sharpness ~ 2/lr = 10).
    assert.ok(all.loss <= 1e-2 && all.sharpness <= 1e-2, `drifted: loss ${all.loss}, sharpness ${all.sharpness}`);
    assert.ok(Math.abs(chunk.eigs[last * chunk.k] - 10) < 1, 'the run reached the edge of stability');
  });

  test('gaussian-mixture 16-64-64-5 at the edge of stability: the same losses bit for bit over 600 steps', (t) => {
    // Both builds compute the float32 products with gemm_f32 (eoslab/gemm.hpp: 12-row tiles
    // natively, 8-row in WASM, one summation order) and tanh with Eigen's packet math (SSE
    // natively, SSE translated to SIMD128 in WASM), so the GD trajectories are the same bits,
    // even at the edge of stability (sharpness ~ 2/lr = 4), which amplifies any last-bit
    // difference: with Eigen's GEMM (different summation orders in the two builds) the losses
    // drifted apart by 4e-5 by step 200, 1e-3 by 400 and ~3e-2 after. The sharpness comes from
    // Lanczos in double, whose small eigensolves are not the same code in both builds:
    // observed within 3e-8.
    const cfg = { dataset: 'gaussian-mixture', n: 200, d: 16, classes: 5, noise: 1, widths: [64, 64], lr: 0.5, eig_every: 20 };
    const steps = 600;
    const recs = cliRecords(cfg, steps);
    const run = M.createRun(J(cfg));
    const chunk = run.step(steps);
    run.delete();
    const first = compare(chunk, recs, 200);
    const all = compare(chunk, recs, steps);
    t.diagnostic(
      `first 200: max rel loss ${first.loss.toExponential(2)}, sharpness ${first.sharpness.toExponential(2)}; ` +
        `all ${steps}: loss ${all.loss.toExponential(2)}, sharpness ${all.sharpness.toExponential(2)}`,
    );
    assert.equal(all.loss, 0, `the losses differ: ${JSON.stringify(all)}`);
    assert.ok(all.sharpness <= 1e-6, JSON.stringify(all));
    // Both runs end at the edge of stability: sharpness within 5% of 2/lr.
    const lastEig = (steps - 20) * chunk.k;
    assert.ok(Math.abs(chunk.eigs[lastEig] / 4 - 1) < 0.05, `wasm sharpness ${chunk.eigs[lastEig]}`);
    assert.ok(Math.abs(recs[steps - 20].eigs[0] / 4 - 1) < 0.05, `native sharpness ${recs[steps - 20].eigs[0]}`);
  });
});

/** Relative differences of the preconditioned (eig1..k) and raw (raw1..k) sharpness over rows [0, upTo), every j < k. */
function compareAdaptive(chunk, recs, upTo) {
  const k = chunk.k;
  const ew = [], en = [], rw = [], rn = [];
  for (let i = 0; i < upTo; i++) {
    assert.equal(chunk.neig[i], recs[i].eigs.length, `eigenvalues measured on the same steps (row ${i})`);
    if (recs[i].eigs.length === 0) continue;
    assert.equal(recs[i].raw.length, k, `the CLI's raw array (row ${i})`);
    for (let j = 0; j < k; j++) {
      ew.push(chunk.eigs[i * k + j]);
      en.push(recs[i].eigs[j]);
      rw.push(chunk.raw[i * k + j]);
      rn.push(recs[i].raw[j]);
    }
  }
  assert.ok(rw.every(Number.isFinite) && ew.every(Number.isFinite), 'every eigenvalue row has finite eig and raw values');
  return { eig: maxRel(ew, en), raw: maxRel(rw, rn), nEig: en.length };
}

describe('adam and rmsprop agree with the native CLI (preconditioned eig1..k and raw1..k)', () => {
  // The page's presets (web/src/state/presets.ts), two eigenvalues each: Adam on T4, 1-20-20-1,
  // η 0.002; RMSProp on T3, 1-30-1, η 0.0005 with β₂ not given (both sides must take 0.99).
  // The gd cases' tolerance, 1e-4 relative, on loss, eig1..k and raw1..k over the first
  // `exact` steps, and their "close" 1e-2 on the columns named in `close` over `steps`.
  // What does not hold, measured (max relative WASM vs native difference):
  // - Adam in float32: eig1 differs by 1.1e-4 at step 0 (7826.61 vs 7827.47) while the loss
  //   agrees to 7e-7 and raw1..k to 5e-7 over 200 steps. At step 0, v̂ = g², so P = |g| + ε and
  //   P^-1/2 H P^-1/2 weighs the parameters with the smallest gradients most: the last-bit
  //   differences of Eigen's float32 kernels (native SSE2 vs WASM SIMD) in those gradients move
  //   it. In float64 the same run agrees to 2e-13 over 200 steps, so Adam's eig is held to
  //   1e-4 there, and its float32 run on loss and raw only.
  // - At the edge the preconditioned sharpness jumps between nearby iterates: RMSProp float32
  //   eig1 differs by 3.6e-2 at step 610 (4422 vs 4269, threshold 4000) while the losses agree
  //   to 4e-6; Adam float32 loss differs by 1.2 by step 1,000 (both oscillate at 38/η). So the
  //   2,000-step check covers the columns that stay close (rmsprop loss 4e-4, raw 1e-3; adam raw 2e-3).
  const PRESET = {
    adam: { dataset: 'chebyshev', degree: 4, n: 20, widths: [20, 20], act: 'tanh', seed: 0, opt: 'adam', lr: 0.002, eig_every: 10, neigs: 2 },
    rmsprop: { dataset: 'chebyshev', degree: 3, n: 20, widths: [30], act: 'tanh', seed: 0, opt: 'rmsprop', lr: 0.0005, eig_every: 10, neigs: 2 },
  };
  const CASES = [
    { name: 'rmsprop, float32', cfg: PRESET.rmsprop, exact: 500, cols: ['loss', 'eig', 'raw'], steps: 2000, close: ['loss', 'raw'] },
    { name: 'adam, float64', cfg: { ...PRESET.adam, precision: 'float64' }, exact: 500, cols: ['loss', 'eig', 'raw'], steps: 500, close: ['loss', 'eig', 'raw'] },
    { name: 'adam, float32', cfg: PRESET.adam, exact: 200, cols: ['loss', 'raw'], steps: 2000, close: ['raw'] },
  ];
  for (const c of CASES) {
    test(`${c.name}: ${c.cols.join(', ')} within 1e-4 relative over ${c.exact} steps; ${c.close.join(', ')} within 1e-2 over ${c.steps}`, (t) => {
      const out = runCli(['--config', configFile(c.cfg), '--steps', String(c.steps), '--format', 'json']);
      assert.equal(out.code, 0, `eos-run failed: ${out.stderr}`);
      const doc = JSON.parse(out.stdout);
      const recs = doc.records;
      // Same resolved config on both sides, beta2 included (0.999 for adam, 0.99 for rmsprop).
      assert.equal(doc.config.beta2, c.cfg.opt === 'rmsprop' ? 0.99 : 0.999);
      assert.deepEqual(JSON.parse(M.normalizeConfig(J(c.cfg))), doc.config);
      const run = M.createRun(J(c.cfg));
      const chunk = run.step(c.steps);
      run.delete();
      assert.equal(chunk.rows, c.steps);
      assert.equal(chunk.k, 2);
      const diff = (upTo) => ({ loss: compare(chunk, recs, upTo).loss, ...compareAdaptive(chunk, recs, upTo) });
      const first = diff(c.exact);
      const all = diff(c.steps);
      const fmt = (d) => `loss ${d.loss.toExponential(2)}, eig ${d.eig.toExponential(2)}, raw ${d.raw.toExponential(2)}`;
      t.diagnostic(`first ${c.exact} steps: ${fmt(first)} (${first.nEig} eigenvalues); all ${c.steps}: ${fmt(all)}`);
      assert.equal(first.nEig, (2 * c.exact) / 10);
      for (const col of c.cols) assert.ok(first[col] <= 1e-4, `${col} differs by ${first[col]} over ${c.exact} steps`);
      for (const col of c.close) assert.ok(all[col] <= 1e-2, `${col} drifted by ${all[col]} over ${c.steps} steps`);
      // The preconditioned sharpness is the one near its threshold, far above the raw one.
      const last = (c.steps - 10) * chunk.k;
      const thr = chunk.threshold[c.steps - 10];
      t.diagnostic(`step ${c.steps - 10}: eig1 ${chunk.eigs[last]} (threshold ${thr}), raw1 ${chunk.raw[last]}`);
      assert.ok(chunk.eigs[last] > 0.5 * thr, `${c.name}: eig1 ${chunk.eigs[last]} is near its threshold ${thr}`);
      assert.ok(chunk.raw[last] < 0.1 * thr, `${c.name}: raw1 ${chunk.raw[last]} is far below the threshold`);
    });
  }
});

// Every bad-config case of tests/native/test_config.cpp (validate ranges and JSON types),
// given as JSON text to the binding and as a --config file to the CLI.
const BAD = [
  { dataset: 'mnist' }, { dataset: '' },
  { n: 0 }, { n: -5 }, { n: 20001 },
  { degree: -1 }, { degree: 31 },
  { d: 0 }, { d: 257 },
  { dataset: 'blobs', classes: 1 }, { dataset: 'spirals', classes: 21 }, { dataset: 'gaussian-mixture', classes: 0 },
  { dataset: 'teacher', classes: 0 }, { dataset: 'linear', d: 2, classes: 65 },
  { noise: -0.1 }, { noise: 10.5 },
  { widths: [] }, { widths: [20, 20, 20, 20, 20, 20, 20] }, { widths: [0] }, { widths: [50, 513] }, { widths: [20, -3, 20] },
  { act: 'swish' }, { init: 'xavier' },
  { init_scale: 0 }, { init_scale: -1 }, { init_scale: 101 },
  { loss: 'hinge' }, { precision: 'float16' }, { opt: 'lion' },
  { lr: -1 }, { lr: 0 }, { lr: 2e4 },
  { beta: -0.1 }, { beta: 1 },
  { flow_alpha: 0 }, { flow_alpha: 11 },
  { flow_max_step: 0 }, { flow_max_step: 1001 },
  { lr_schedule: '0:0.1' }, { lr_schedule: '5:-1' }, { lr_schedule: '9:0.1,5:0.2' }, { lr_schedule: '5:x1e9' },
  { eig_every: -1 }, { eig_every: 1000001 },
  { neigs: 0 }, { neigs: 21 },
  { lanczos_tol: 0 }, { lanczos_tol: 0.2 },
  { neigs: 5, lanczos_max_iter: 5 }, { lanczos_max_iter: 5001 },
  { diverge_factor: 1 }, { diverge_factor: 0.5 },
  { dataset: 'chebyshev', loss: 'ce' }, { dataset: 'teacher', loss: 'ce' },
  { dataset: 'linear', n: 3, d: 4 },
  // Wrong JSON types and unknown keys (config_from_json).
  { lr: '0.1' }, { beta: null }, { noise: [0.1] }, { n: 1.5 }, { n: '20' }, { n: 1e20 }, { neigs: true },
  { widths: [99999999999] }, { lr_schedule: 5 },
  { widths: 50 }, { widths: [50, 'a'] }, { widths: [50, 2.5] }, { bias: 'on' }, { bias: 1 },
  { seed: -1 }, { data_seed: 18446744073709551616 }, { dataset: 3 }, { act: {} }, { opt: false },
  { lr: 0.1, learning_rate: 0.1 }, { Lr: 0.1 }, { foo: 1 },
];

// NaN and infinity cannot be written in JSON: through CLI flags, the message names the
// flag and the field's range from the schema.
const NON_FINITE = [
  ['noise', '--noise', 'nan'], ['noise', '--noise', 'inf'], ['init_scale', '--init-scale', 'nan'],
  ['lr', '--lr', 'nan'], ['lr', '--lr', 'inf'], ['beta', '--beta', 'nan'],
  ['flow_alpha', '--flow-alpha', 'nan'], ['flow_max_step', '--flow-max-step', 'inf'],
  ['lanczos_tol', '--lanczos-tol', 'nan'], ['diverge_factor', '--diverge-factor', '-inf'],
];

function bindingMessage(cfg) {
  try {
    M.createRun(J(cfg)).delete();
  } catch (e) {
    assert.ok(e instanceof Error, `not an Error: ${e}`);
    return e.message;
  }
  return null;
}

/** "(0, 10000]" for a real field of the schema. */
function realRange(f) {
  return `${f.min_open ? '(' : '['}${f.min}, ${f.max}${f.max_open ? ')' : ']'}`;
}

describe('bad configs: the binding gives the CLI/engine message', () => {
  test(`${BAD.length} JSON-expressible cases, ${new Set(BAD.flatMap(Object.keys)).size} distinct fields`, () => {
    const fields = new Set();
    const messages = new Set();
    for (const cfg of BAD) {
      const label = JSON.stringify(cfg);
      const msg = bindingMessage(cfg);
      assert.ok(msg, `binding accepted ${label}`);
      assert.ok(!msg.includes('\n'), `one line: ${msg}`);
      const path = configFile(cfg);
      const r = runCli(['--config', path]);
      assert.equal(r.code, 2, `CLI exit code for ${label}: ${r.stderr}`);
      assert.equal(r.stderr, `eos-run: --config ${path}: ${msg}\n`, `message for ${label}`);
      // validateConfig and dumpProblem report the same message.
      assert.equal(M.validateConfig(J(cfg)), msg);
      assert.throws(() => M.dumpProblem(J(cfg)), { message: msg });
      Object.keys(cfg).forEach((k) => fields.add(k));
      messages.add(msg);
    }
    assert.ok(fields.size >= 15, `only ${fields.size} fields covered`);
    assert.ok(messages.size >= 60, `messages are specific (${messages.size} distinct)`);
  });

  test('non-finite values (via CLI flags) name the range of the schema; NaN sent as JSON is null', () => {
    const schema = JSON.parse(M.configSchema());
    for (const [field, flag, text] of NON_FINITE) {
      const f = schema.fields.find((x) => x.name === field);
      const r = runCli([flag, text, '--steps', '1']);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `eos-run: ${flag} must be a number in ${realRange(f)}, got ${text}\n`, `${flag} ${text}`);
      assert.equal(bindingMessage({ [field]: Number(text) }), `${field} must be a number in ${realRange(f)}, got null`);
    }
  });

  test('the memory budget: the same message from the binding and the CLI', () => {
    const cfg = { widths: [512, 512, 512, 512, 512, 512], n: 20000 };
    const msg = bindingMessage(cfg);
    assert.match(msg, /^this configuration needs about \d+ MiB of memory/);
    assert.equal(runCli(['--config', configFile(cfg)]).stderr, `eos-run: ${msg}\n`);
    assert.equal(runCli(['--widths', '512,512,512,512,512,512', '--n', '20000']).stderr, `eos-run: ${msg}\n`);
  });

  test('malformed JSON and non-objects: the same message as the CLI', () => {
    for (const [text, msg] of [
      ['[1, 2]', 'config must be a JSON object, got array'],
      ['"lr"', 'config must be a JSON object, got string'],
      ['null', 'config must be a JSON object, got null'],
      ['{"lr": 0.1,\n "lr": 0.2}', 'JSON parse error at line 2, column 2: duplicate key "lr"'],
      ['{"lr": NaN}', 'JSON parse error at line 1, column 8: syntax error while parsing value - invalid literal; last read: \'"lr": N\''],
    ]) {
      assert.throws(() => M.createRun(text), { message: msg });
      assert.equal(M.validateConfig(text), msg);
      const path = writeConfig(tmp.dir, `raw${fileNo++}.json`, text);
      assert.equal(runCli(['--config', path]).stderr, `eos-run: --config ${path}: ${msg}\n`);
    }
  });
});

test('defaults and schema: normalizeConfig, eos-run --format json and --schema agree with configSchema()', () => {
  const r = runCli(['--steps', '0', '--format', 'json']);
  assert.equal(r.code, 0);
  const cli = JSON.parse(r.stdout).config;
  const def = JSON.parse(M.normalizeConfig(''));
  assert.deepEqual(def, cli);
  const schema = JSON.parse(M.configSchema());
  assert.deepEqual(schema, JSON.parse(runCli(['--schema']).stdout));
  assert.deepEqual(schema.fields.map((f) => f.name), Object.keys(cli));
  for (const f of schema.fields) assert.deepEqual(f.default, def[f.name], `default of ${f.name}`);
  assert.deepEqual(JSON.parse(M.normalizeConfig(J({ lr: 0.05 }))), { ...def, lr: 0.05 });
  assert.throws(() => M.normalizeConfig(J({ lr: 0 })), { message: 'lr must be a number in (0, 10000], got 0' });
});
