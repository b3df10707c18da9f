// End-to-end tests of the adaptive methods and the valley view (Chromium, the production
// build in dist/, served by `vite preview`; numbers from the test hook window.__eos, every
// effect awaited with a deadline):
//  - the "Adam at its edge" preset: the preconditioned sharpness hovers within
//    [0.85, 1.2] × 38/η late in the run, and the raw sharpness recorded beside it stays far
//    below 2/η (Cohen et al. 2022; native reference 0.92–1.03 ×, raw 15.6 vs 1,000);
//  - the valley chart on the GD configuration of the native valley test (T4, 20 points,
//    20-20, η 0.15): at the edge the step's component along the top eigenvector flips sign
//    on more than 80% of steps (native: 100%).
// Screenshots go to tests/output/ (adam.png, valley.png); with EOS_DOCS_SHOTS=1 also to
// docs/ (screenshot-adam.png, screenshot-valley.png). Env: EOS_DIST, CHROMIUM_PATH.

import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { browserSuite } from './harness.mjs';
import { DIST, OUT, REPO, assert, serveDist, waitFor } from './util.mjs';

let origin;
let server;
const measurements = [];
const S = browserSuite({ prefix: 'adaptive', origins: () => [origin] });

async function hookReady(page) {
  await waitFor('the test hook window.__eos', () => page.evaluate(() => !!window.__eos), 15_000);
}
const status = (page) => page.evaluate(() => window.__eos?.status() ?? null);

function shot(name) {
  if (process.env.EOS_DOCS_SHOTS === '1') copyFileSync(join(OUT, `${name}.png`), join(REPO, 'docs', `screenshot-${name}.png`));
}

async function tAdam(open) {
  const { page } = await open();
  await page.goto(`${origin}/?preset=adam&speed=0`);
  await hookReady(page);
  const st0 = await status(page);
  assert(st0.length === 1 && st0[0].label.startsWith('Adam'), `one Adam run, got ${st0.map((r) => r.label).join(', ')}`);
  await waitFor('the run to finish (4,000 steps)', async () => (await status(page))[0].status === 'done', 180_000, 500);
  const r = await page.evaluate(() => {
    const run = window.__eos.runs()[0];
    const rec = run.records;
    const late = [];
    rec.eig.row.forEach((row, j) => {
      if (row >= 0 && rec.eig.step[j] >= 2000) late.push(rec.eig.values[j][0] / rec.threshold[row]);
    });
    const raw = rec.eig.raw ?? [];
    return { late, lr: rec.lr[rec.lr.length - 1], thr: rec.threshold[rec.threshold.length - 1], rawLast: raw.length ? raw[raw.length - 1][0] : NaN, rawFirst: raw.length ? raw[0][0] : NaN };
  });
  const lo = Math.min(...r.late);
  const hi = Math.max(...r.late);
  assert(Math.abs(r.thr - 38 / r.lr) < 1e-6 * r.thr, `threshold 38/η, got ${r.thr} at η ${r.lr}`);
  assert(r.late.length > 100 && lo >= 0.85 && hi <= 1.2, `preconditioned sharpness within [0.85, 1.2] × 38/η over steps 2,000–4,000, got [${lo}, ${hi}]`);
  assert(r.rawLast < 0.05 * (2 / r.lr) && r.rawLast > r.rawFirst, `raw sharpness far below 2/η, got ${r.rawFirst} → ${r.rawLast}`);
  measurements.push(`Adam preset (WASM): preconditioned sharpness [${lo.toFixed(3)}, ${hi.toFixed(3)}] × 38/η over steps 2,000–4,000; raw ${r.rawFirst.toFixed(2)} → ${r.rawLast.toFixed(2)} (2/η = ${2 / r.lr})`);
  await page.locator('.eos-chart-sharpness').scrollIntoViewIfNeeded();
  await page.waitForTimeout(800);
  await page.screenshot({ path: join(OUT, 'adam.png') });
  shot('adam');
}

async function tValley(open) {
  const { page } = await open();
  await page.goto(`${origin}/?charts=valley,sharpness&speed=0&degree=4&n=20&seed=0&widths=20,20&lr=0.15&steps=2500`);
  await hookReady(page);
  await waitFor('the valley chart', () => page.locator('.eos-chart-valley canvas').first().isVisible(), 5000);
  await waitFor('the run to finish (2,500 steps)', async () => (await status(page))[0].status === 'done', 120_000, 500);
  const note = await waitFor('a slice from the end of the run', async () => {
    const t = await page.locator('.eos-valley-note').textContent();
    const m = /^step (\d+):.*Sign flips .* (\d+)%/.exec(t ?? '');
    return m && Number(m[1]) >= 2000 ? { step: Number(m[1]), flips: Number(m[2]), text: t } : null;
  }, 10_000);
  assert(note.flips > 80, `more than 80% sign flips at the edge, got: ${note.text}`);
  measurements.push(`valley (WASM, GD T4 η 0.15): ${note.text}`);
  await page.locator('.eos-chart-valley').scrollIntoViewIfNeeded();
  await page.waitForTimeout(800);
  await page.locator('.eos-chart-valley').screenshot({ path: join(OUT, 'valley.png') });
  shot('valley');
}

before(async () => {
  mkdirSync(OUT, { recursive: true });
  readFileSync(join(DIST, 'index.html')); // throws (fails every test) when dist/ was not built
  server = await serveDist(4700);
  origin = server.origin;
});

after(async () => {
  await server?.close();
  console.log('Measured (not asserted):');
  for (const m of measurements) console.log(`  ${m}`);
});

S.test('Adam preset: preconditioned sharpness at 38/η, raw sharpness far below 2/η', tAdam);
S.test('valley chart: the step along the top eigenvector flips sign at the edge', tValley);
S.finalChecks();
