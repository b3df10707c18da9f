// End-to-end tests of the engine's threads in Debian's Chromium, against dist/ (built
// beforehand). `vite preview` (what `npm start` runs) sends COOP/COEP, so the full page is
// cross-origin isolated: its engine workers load the pthreads twin and a run of a
// 300-example problem (4 example blocks) computes on more than one thread. The same
// dist/ served by a plain static server without those headers (as a third-party blog
// would) runs embed.html single-threaded, with no error and no console noise.
// On that plain server, the full page's service worker (public/coi-sw.js, forced with
// ?coi=sw on a loopback host) adds the headers itself and the page, reloaded once, runs threaded.
// Threads are read from the page's hook window.__eosThreads (engine/threads.ts), which
// the workers' progress messages fill in.
//
// `node --test tests/e2e/threads.test.mjs`. Env: EOS_DIST, CHROMIUM_PATH.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { browserSuite } from './harness.mjs';
import { DIST, assert, serveDist, servePlainDist, waitFor } from './util.mjs';

// 300 examples: 4 blocks, so more than one thread has work.
const PROBLEM = 'dataset=gaussian-mixture&n=300&d=8&classes=4&widths=24,16&speed=0';

let isolatedOrigin;
let plainOrigin;
let closeIsolated;
let closePlain;
const S = browserSuite({ prefix: 'threads', origins: () => [isolatedOrigin, plainOrigin] });

before(async () => {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: npm run build:web first`);
  const s = await serveDist(4390);
  isolatedOrigin = s.origin;
  closeIsolated = s.close;
  const p = await servePlainDist(4490);
  plainOrigin = p.origin;
  closePlain = p.close;
});
after(async () => {
  await closeIsolated?.();
  await closePlain?.();
});

const threads = (page) => page.evaluate(() => ({ iso: globalThis.crossOriginIsolated, t: window.__eosThreads ?? null }));

S.test('the isolated page runs the threaded module on more than one thread', async (open) => {
  const { page } = await open();
  await page.goto(`${isolatedOrigin}/?${PROBLEM}`);
  const first = await threads(page);
  assert(first.iso === true, 'vite preview serves the page cross-origin isolated (COOP + COEP)');
  const seen = await waitFor('a chunk computed on more than one thread', async () => {
    const r = await threads(page);
    return r.t && r.t.maxInUse > 1 ? r.t : null;
  }, 60_000, 200);
  console.log(`       isolated page: budget ${seen.total} threads, module ${seen.module}, up to ${seen.maxInUse} in use`);
  assert(seen.module === 'threaded', `threaded module expected, got ${seen.module}`);
  assert(seen.total >= 2, `budget ${seen.total}`);
  // The run really advances (the engine is not stuck in a pthread handshake).
  const step = await waitFor('the run to pass step 50', async () => {
    const s = await page.evaluate(() => window.__eos?.status() ?? null);
    return s?.[0]?.step >= 50 ? s[0].step : null;
  }, 60_000, 200);
  assert(step >= 50, 'steps');
});

S.test('a page without isolation runs embed.html single-threaded, silently', async (open) => {
  const { page } = await open();
  await page.goto(`${plainOrigin}/embed.html?${PROBLEM}`);
  const r = await threads(page);
  assert(r.iso === false, 'the plain server sends no COOP/COEP');
  const t = await waitFor('the embedded run to report a chunk', async () => {
    const x = await threads(page);
    return x.t && x.t.maxInUse >= 1 ? x.t : null;
  }, 60_000, 200);
  assert(t.module === 'single' && t.maxInUse === 1 && t.total === 1, `one thread, single module: ${JSON.stringify(t)}`);
});

const SW_TEST = 'on a host without headers the service worker isolates the page after one reload';
S.test(SW_TEST, async (open) => {
  const { page } = await open();
  // Loopback hosts skip the worker (a local server is `npm start`); ?coi=sw forces it.
  await page.goto(`${plainOrigin}/?coi=sw&${PROBLEM}`);
  await waitFor('the page to come back isolated', async () => (await threads(page).catch(() => ({}))).iso === true, 60_000, 200);
  const seen = await waitFor('a chunk on more than one thread', async () => {
    const r = await threads(page).catch(() => null);
    return r?.t && r.t.maxInUse > 1 ? r.t : null;
  }, 60_000, 200);
  assert(seen.module === 'threaded', `threaded module expected, got ${seen.module}`);
  // The one reload cancels the first load's requests (the .wasm, the worker script): expected here.
  for (let i = S.consoleErrors.length - 1; i >= 0; i--) {
    if (S.consoleErrors[i].startsWith(`[${SW_TEST}] request failed:`) && S.consoleErrors[i].includes('ERR_ABORTED')) S.consoleErrors.splice(i, 1);
  }
});

S.finalChecks();
