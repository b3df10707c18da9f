// Browser test of reloading a saved run (web/src/runs/import.ts, web/src/ui/saved.ts) on the
// full page: two runs are exported with Export → JSON, the file is loaded back through the
// file input ("Load JSON…"), and the same rows appear as frozen runs, with their settings and
// an "Apply these settings" button that starts a live run from them; a bad file gets a
// message. Run `npm run build:web && node --test tests/e2e/reload.test.mjs`.

import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { browserSuite } from './harness.mjs';
import { OUT, assert, serveDist, waitFor } from './util.mjs';

let origin;
let server;
const S = browserSuite({ prefix: 'reload', origins: () => [origin] });
const test = S.test;

before(async () => {
  server = await serveDist(4700);
  origin = server.origin;
});
after(async () => {
  await server?.close();
});

const status = (page) => page.evaluate(() => window.__eos?.status() ?? null);

test('export → load the JSON back: the same rows appear as frozen runs; apply starts a live run', async (open) => {
  const { page } = await open();
  await page.goto(`${origin}/?compare=gd:0.1&neigs=2&steps=400`);
  await waitFor('the test hook', () => page.evaluate(() => !!window.__eos), 15_000);
  await waitFor('both runs done at step 400', async () => (await status(page))?.every((r) => r.status === 'done'), 60_000, 200);
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click('.eos-export >> text=JSON')]);
  const text = readFileSync(await dl.path(), 'utf8');
  const exported = JSON.parse(text);
  assert(exported.runs.length === 2 && exported.runs.every((r) => r.records.rows === 400), 'the export holds both runs, 400 rows each');
  const dir = mkdtempSync(join(tmpdir(), 'eos-reload-'));
  const file = join(dir, 'saved-runs.json');
  writeFileSync(file, text);

  // Through the file picker of "Load JSON…".
  const pickFile = async (path) => {
    const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: 10_000 }), page.click('.eos-export >> text=Load JSON…')]);
    await chooser.setFiles(path);
  };
  await pickFile(file);
  const back = await waitFor('the saved runs to appear', async () => {
    const s = await page.evaluate(() => window.__eosSaved?.() ?? []);
    return s.length === 2 ? s : null;
  }, 10_000);
  for (let i = 0; i < 2; i++) {
    const a = exported.runs[i].records;
    const b = back[i].records;
    // toJSON writes a non-finite number as null; compare the same way.
    const norm = (x) => JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
    for (const col of ['step', 'time', 'lr', 'loss', 'accuracy', 'grad_norm', 'threshold', 'neig', 'hvps']) {
      assert(JSON.stringify(norm(b[col])) === JSON.stringify(a[col]), `run ${i + 1}: column ${col} came back the same`);
    }
    assert(JSON.stringify(norm(b.eig.values)) === JSON.stringify(a.eig.values) && JSON.stringify(b.eig.step) === JSON.stringify(a.eig.step),
      `run ${i + 1}: the eigenvalue rows came back the same`);
  }
  assert(/compare=gd%3A0\.1|compare=gd:0\.1/.test(exported.query), `the export's query holds the settings: ${exported.query}`);
  // Shown as frozen cards with their settings; drawn on the charts next to the live runs.
  const cards = await page.$$eval('.eos-saved-run', (els) => els.map((e) => e.textContent));
  assert(cards.length === 2 && cards.every((t) => /frozen · 400 rows/.test(t) && /saved-runs\.json/.test(t)), `two frozen cards: ${cards.join(' | ')}`);
  assert(/neigs=2/.test(cards[1]) && /lr=0\.1/.test(cards[1]), `the second card shows its settings: ${cards[1]}`);
  await page.screenshot({ path: join(OUT, 'reload-frozen.png'), fullPage: true });

  // "Apply these settings" of the second (η 0.1): one live run with its settings replaces the live ones.
  await page.click('.eos-saved-run:nth-child(2) >> text=Apply these settings');
  await waitFor('one live run at η 0.1 with two eigenvalues', async () => {
    const st = await page.evaluate(() => window.__eos.state());
    const s = await status(page);
    return s.length === 1 && s[0].lr === 0.1 && s[0].rows > 0 && st.neigs === 2 && st.compare.length === 0 ? true : null;
  }, 30_000);
  assert((await page.evaluate(() => window.__eosSaved().length)) === 2, 'the frozen runs stay after applying');

  // A bad file: a clear message, nothing added.
  const bad = join(dir, 'not-an-export.json');
  writeFileSync(bad, JSON.stringify({ hello: 'world' }));
  await pickFile(bad);
  const msg = await waitFor('the bad-file message', async () => {
    const t = await page.$eval('.eos-saved-msg', (e) => (e.hidden ? '' : e.textContent));
    return t || null;
  }, 10_000);
  assert(/not-an-export\.json is not an EoS Lab export: it has no "runs" list/.test(msg), `message: ${msg}`);
  assert((await page.evaluate(() => window.__eosSaved().length)) === 2, 'a bad file adds nothing');
}, { timeout: 180_000 });

S.finalChecks();
