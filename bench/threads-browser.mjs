// Browser benchmark of the engine's threads (not a test): problem B of eos::bench_problem
// (gaussian-mixture n = 1000, d = 32, 10 classes, 32-200-200-10 tanh, MSE, η = 0.2, no
// eigenvalues) played at full speed in headless Chromium, once on a cross-origin isolated
// page (`vite preview`, as `npm start` serves it: COOP + COEP, the threaded module on the
// page's budget of min(cores, 8) threads) and once on the same dist/ from a plain static
// server without those headers (the single-threaded module). Prints steps/s for each, the
// threads the page reports in use (window.__eosThreads) and the speed-up.
//
// It builds nothing: it serves dist/ (build it first: `node scripts/build.mjs web`).
// Usage: node bench/threads-browser.mjs [--seconds 20]
// Env: EOS_DIST (default <repo>/dist), CHROMIUM_PATH (default /usr/bin/chromium).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, serveDist, servePlainDist, waitFor } from '../tests/e2e/util.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const i = process.argv.indexOf('--seconds');
const SECONDS = i > 0 ? Number(process.argv[i + 1]) : 20;
const B = 'dataset=gaussian-mixture&n=1000&d=32&classes=10&noise=1&widths=200,200&act=tanh&loss=mse&lr=0.2&eig_every=0&speed=0&steps=0';

if (!existsSync(join(DIST, 'index.html'))) {
  console.error(`${DIST}/index.html is missing: build the web app first (node scripts/build.mjs web)`);
  process.exit(1);
}

async function measure(browser, origin, label) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/?${B}`);
  const step = () => page.evaluate(() => window.__eos?.status()?.[0]?.step ?? -1);
  // Warm-up: V8 tiers the wasm up to its optimising compiler during the first seconds.
  await waitFor('the run to start', async () => (await step()) >= 20, 120_000, 250);
  await new Promise((r) => setTimeout(r, 3000));
  const s0 = await step();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const s1 = await step();
  const secs = (Date.now() - t0) / 1000;
  const info = await page.evaluate(() => ({ iso: globalThis.crossOriginIsolated, t: window.__eosThreads }));
  await context.close();
  const rate = (s1 - s0) / secs;
  console.log(
    `${label.padEnd(34)} ${rate.toFixed(1).padStart(7)} steps/s   (${s1 - s0} steps in ${secs.toFixed(1)} s; isolated ${info.iso}, ` +
      `module ${info.t?.module}, threads in use ${info.t?.lastInUse} of a budget of ${info.t?.total})`,
  );
  return rate;
}

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic'] });
const iso = await serveDist(4570);
const plain = await servePlainDist(4590);
try {
  console.log(`Problem B in Chromium (${SECONDS} s per page after warm-up; GD step = gradient + update)`);
  const single = await measure(browser, plain.origin, 'not isolated (single-threaded)');
  const threaded = await measure(browser, iso.origin, 'isolated (threaded module)');
  console.log(`speed-up with threads: ${(threaded / single).toFixed(2)}x`);
} finally {
  await browser.close();
  await iso.close();
  await plain.close();
}
