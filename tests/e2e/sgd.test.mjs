// End-to-end test of mini-batch SGD and the held-out loss on the page (Chromium, the
// production build in dist/, served by `vite preview`; everything read from the test hook
// window.__eos and awaited with a deadline): the "Mini-batch SGD" preset draws the
// held-out loss as a dashed series on the loss chart, and its points grow as the run goes;
// the "Mini-batch size" control changes the batch live (the run continues, its records are
// kept); the JSON export carries the held-out loss. Env: EOS_DIST, CHROMIUM_PATH.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { browserSuite } from './harness.mjs';
import { DIST, OUT, assert, serveDist, waitFor } from './util.mjs';

let origin;
let server;
const S = browserSuite({ prefix: 'sgd', origins: () => [origin] });
const log = (...a) => console.log(...a);

const status = (page) => page.evaluate(() => window.__eos?.status() ?? null);
const testSets = (page) => page.evaluate(() => window.__eos.chartSets('loss').filter((d) => d.label.endsWith('test loss')));

async function tHeldOut(open) {
  const { page } = await open();
  await page.goto(`${origin}/?preset=sgd`);
  await waitFor('the test hook window.__eos', () => page.evaluate(() => !!window.__eos), 15_000);
  // The dashed held-out series appears and fills as the run goes (a point every eig_every = 25 steps).
  const first = await waitFor('a dashed test-loss series with points', async () => {
    const sets = await testSets(page);
    return sets.length === 1 && sets[0].dashed && sets[0].points >= 3 ? sets[0] : null;
  }, 60_000, 200);
  await waitFor('more test-loss points', async () => (await testSets(page))[0].points > first.points, 30_000, 200);
  const main = await page.evaluate(() => window.__eos.chartSets('loss').find((d) => !d.label.endsWith('test loss')));
  assert(main && !main.dashed && main.points > 0, `the training loss is drawn solid, got ${JSON.stringify(main)}`);

  // The batch control: set it to 0 (full batch); the run goes on from where it was.
  const input = page.locator('.eos-field[data-key="batch"] input');
  await waitFor('the mini-batch control', () => input.isVisible(), 10_000);
  const before = (await status(page))[0].step;
  await input.fill('0');
  await input.press('Enter');
  await input.blur();
  await waitFor('the page state to say batch 0', () => page.evaluate(() => window.__eos.state().batch === 0), 5000);
  await waitFor('the run to go on past the change', async () => (await status(page))[0].step > before + 50, 30_000, 200);
  const kept = await page.evaluate(() => {
    const rec = window.__eos.runs()[0].records;
    return { first: rec.step[0], rows: rec.rows, state: window.__eos.state().batch };
  });
  assert(kept.first === 0 && kept.rows > before, `records kept across the live change (first step ${kept.first}, ${kept.rows} rows, change at ${before})`);
  assert(kept.state === 0, `state batch 0, got ${kept.state}`);

  // The JSON export carries the held-out loss.
  const [dj] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click('.eos-export >> text=JSON')]);
  const json = JSON.parse(readFileSync(await dj.path(), 'utf8'));
  const tl = json.runs[0].records.eig.test_loss;
  assert(Array.isArray(tl) && tl.filter((v) => typeof v === 'number' && v > 0).length >= 3, `JSON export: test_loss values, got ${JSON.stringify(tl?.slice(0, 5))}`);
  log(`       held-out points on the chart: ${(await testSets(page))[0].points}; exported test_loss rows: ${tl.length}; batch set to 0 at step ${before}`);
  await page.screenshot({ path: join(OUT, 'sgd.png'), fullPage: true });
}

before(async () => {
  mkdirSync(OUT, { recursive: true });
  readFileSync(join(DIST, 'index.html')); // throws (fails every test) when dist/ was not built
  server = await serveDist(4700);
  origin = server.origin;
});

after(async () => {
  await server?.close();
});

S.test('sgd preset: the held-out loss is drawn dashed, the batch changes live, the export carries test_loss', tHeldOut);
S.finalChecks();
