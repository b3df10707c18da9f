// End-to-end test of the central flow on the page (Cohen, Damian et al., ICLR 2025): the
// preset "Central flow: the average path" runs GD with its central flow (a second worker)
// and gradient flow on the time axis; the flow's records are exported with its GD run's,
// its sharpness sits on 2/η past the edge, and its card line reports it. A GD run's
// toggle turns the flow off and the URL follows (central=1 / compare gd:…:central).
// Data is read from the test hook (window.__eos), never from pixels; every asynchronous
// effect is awaited with a deadline. With EOS_CENTRAL_SHOT=<file.png> the preset's page is
// also saved there (the screenshot in docs/). A flow switched on mid-run catches up with
// its run (web/src/runs/flow.ts). Env: EOS_DIST, CHROMIUM_PATH.

import { after, before } from 'node:test';
import { browserSuite } from './harness.mjs';
import { assert, serveDist, waitFor } from './util.mjs';

let origin;
let server;

const S = browserSuite({ prefix: 'central', origins: () => [origin] });

before(async () => {
  server = await serveDist(4600);
  origin = server.origin;
});
after(async () => {
  await server?.close();
});

async function flowOf(page) {
  return page.evaluate(() => {
    const runs = window.__eos?.runs() ?? [];
    const flow = runs.find((r) => r.opt === 'central');
    if (!flow) return null;
    const rec = flow.records;
    return {
      label: flow.label, error: flow.error, rows: rec.rows, lastStep: rec.rows ? rec.step[rec.rows - 1] : -1,
      eig: rec.eig.row.map((row, e) => ({ step: rec.step[row], thr: rec.threshold[row], s: rec.eig.values[e][0] })),
      pred: rec.pred_loss ?? null, loss: rec.loss, runs: runs.map((r) => r.opt),
    };
  });
}

S.test('preset "Central flow: the average path": GD, its central flow and gradient flow; the flow holds 2/η', async (open) => {
  const { page } = await open({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${origin}/?preset=central`);
  await waitFor('the test hook', () => page.evaluate(() => !!window.__eos), 15_000);
  const f = await waitFor('the central flow to pass step 600', async () => {
    const x = await flowOf(page);
    return x && x.lastStep >= 600 ? x : null;
  }, 150_000, 250);
  assert(f.error === null, `the flow failed: ${f.error}`);
  assert(f.runs.join() === 'gd,central,flow', `exported runs ${f.runs.join()}`);
  assert(/central flow/.test(f.label), f.label);
  // Past the edge (step ~140 natively) its sharpness sits on 2/η = 6.67.
  const late = f.eig.filter((e) => e.step >= 300 && Number.isFinite(e.s));
  assert(late.length > 100, `${late.length} flow eigen rows past step 300`);
  const worst = Math.max(...late.map((e) => Math.abs(e.s / e.thr - 1)));
  console.log(`central flow: ${late.length} rows from step 300, max |S/(2/η) − 1| = ${worst.toFixed(4)}`);
  assert(worst < 0.05, `the flow's sharpness left 2/η by ${worst}`);
  assert(f.pred && f.pred.every((p, i) => !(p < f.loss[i])), 'pred_loss ≥ L on every row');
  // The card says what the flow is doing; the toggle is on.
  const card = await page.locator('.eos-run').first();
  await waitFor('the flow line on the GD card', async () => /central flow · step/.test((await card.textContent()) ?? ''), 10_000);
  assert(await card.locator('input.eos-run-central').isChecked(), 'the toggle is checked');
  const shot = process.env.EOS_CENTRAL_SHOT;
  if (shot) {
    await waitFor('GD past step 1000', async () => (await page.evaluate(() => window.__eos.status()[0].step)) >= 1000, 120_000, 250);
    await page.screenshot({ path: shot, fullPage: false });
    console.log(`screenshot: ${shot}`);
  }
  // Off: the flow's worker goes and the URL drops central=1.
  await card.locator('input.eos-run-central').uncheck();
  await waitFor('the flow to leave the export', async () => (await flowOf(page)) === null, 10_000);
  await waitFor('the URL without central', async () => !/central=1/.test(await page.evaluate(() => location.search)), 5_000);
});

S.test('compare gd:0.1:central attaches a central flow to a compared GD run', async (open) => {
  const { page } = await open();
  await page.goto(`${origin}/?compare=gd:0.15:central&steps=200`);
  await waitFor('the test hook', () => page.evaluate(() => !!window.__eos), 15_000);
  const f = await waitFor('the compared run’s flow to record', async () => {
    const x = await flowOf(page);
    return x && x.rows >= 50 ? x : null;
  }, 60_000, 250);
  assert(f.runs.join() === 'gd,gd,central', `exported runs ${f.runs.join()}`);
  assert(f.eig.every((e) => Math.abs(e.thr - 2 / 0.15) < 1e-9), 'the flow runs at its run’s η');
  assert(/compare=gd:0.15:central/.test(await page.evaluate(() => location.search)), 'the URL keeps :central');
});

S.test('switched on mid-run, the flow catches up with its GD run and never passes it', async (open) => {
  const { page } = await open();
  await page.goto(`${origin}/`);
  await waitFor('the test hook', () => page.evaluate(() => !!window.__eos), 15_000);
  await waitFor('GD past step 400', async () => (await page.evaluate(() => window.__eos.status()[0].step)) >= 400, 60_000, 250);
  const card = page.locator('.eos-run').first();
  await card.locator('input.eos-run-central').check();
  const at = await page.evaluate(() => window.__eos.status()[0].step);
  // Flat out, it reaches the step GD was at when it was switched on (it starts from step 0).
  const caught = await waitFor(`the flow to reach step ${at}`, async () => {
    const x = await page.evaluate(() => {
      const runs = window.__eos.runs();
      const gd = runs.find((r) => r.opt === 'gd');
      const flow = runs.find((r) => r.opt === 'central');
      const last = (r) => (r && r.records.rows ? r.records.step[r.records.rows - 1] : -1);
      return { flow: last(flow), gd: last(gd) };
    });
    assert(x.flow <= x.gd, `the flow (step ${x.flow}) passed its GD run (step ${x.gd})`);
    return x.flow >= at - 1 ? x : null;
  }, 120_000, 200);
  console.log(`central flow switched on at GD step ${at}: caught up at flow step ${caught.flow}, GD at ${caught.gd}`);
});

S.finalChecks();
