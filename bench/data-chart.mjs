// Benchmark of the data chart (web/src/charts/data.ts), not a test: the main-thread time
// of one redraw (the heatmap painted into its ImageData, the Chart.js update and the draw of
// the scaled image), read from the chart's own timings (window.__eos.dataChart()) over a
// window of live training, in headless Chromium on the production build. Prints, per page:
// redraws, redraws per second, the mean and worst wall-clock ms per redraw, and the heatmap's
// share; then the CPU time per redraw of 40 redraws forced in one task, from a Chrome trace
// (wall-clock time on a loaded machine includes the time other processes had the core).
// With --shots it also writes the screenshots of docs/ (the Chebyshev default and the `ce`
// preset with their data charts, light; `ce` dark as well).
//
// It builds nothing: it serves dist/ (build it first: `node scripts/build.mjs web`).
// Usage: node bench/data-chart.mjs [--seconds 10] [--shots]
// Env: EOS_DIST (default <repo>/dist), CHROMIUM_PATH (default /usr/bin/chromium).

import { join } from 'node:path';
import { REPO, serveDist, waitFor } from '../tests/e2e/util.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
};
const SECONDS = Number(arg('seconds', '10'));
const SHOTS = process.argv.includes('--shots');

const PAGES = [
  { name: '1-D curve (Chebyshev T5, 256 points)', query: '?charts=loss,sharpness,data', shot: 'screenshot-data-chebyshev.png' },
  { name: '2-D heatmap (ce preset: spirals, 64 × 64)', query: '?preset=ce', shot: 'screenshot-data-ce.png' },
  { name: '2-D heatmap, 4 classes (blobs, 64 × 64)', query: '?preset=ce&dataset=blobs&classes=4&lr=0.2' },
  { name: 'projection (gaussian-mixture d=16, PCA)', query: '?preset=ce&dataset=gaussian-mixture&d=16&classes=4&n=200&lr=0.2' },
];

const { chromium } = await import('playwright-core');
const server = await serveDist(4390);
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'] });
const stats = (page) => page.evaluate(() => window.__eos?.dataChart?.() ?? null);

async function open(query, colorScheme = 'light') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme });
  const page = await context.newPage();
  await page.goto(`${server.origin}/${query}`);
  await waitFor('the data chart', async () => ((await stats(page))?.step ?? -1) > 0, 60_000);
  return { context, page };
}

const FORCED = 40;

/**
 * CPU time per redraw, free of what a loaded machine adds to wall-clock time: FORCED redraws
 * in one task (the page hook drawData), traced; that task's thread time (tdur) / FORCED.
 */
async function forcedDraws(page) {
  const cpu = [];
  const wall = [];
  for (let rep = 0; rep < 3; rep++) {
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    wall.push((await page.evaluate((n) => window.__eos.drawData(n), FORCED)) / FORCED);
    const t = JSON.parse((await browser.stopTracing()).toString('utf8'));
    const ev = t.traceEvents ?? t;
    // The page's main thread is the one firing animation frames; the forced redraws are its longest task.
    const frames = new Map();
    for (const e of ev) if (e.name === 'FireAnimationFrame') frames.set(`${e.pid}:${e.tid}`, (frames.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
    const main = [...frames.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const top = ev.filter((e) => e.name === 'RunTask' && e.dur && e.tdur && `${e.pid}:${e.tid}` === main).sort((a, b) => b.dur - a.dur)[0];
    cpu.push(top ? top.tdur / 1000 / FORCED : NaN);
  }
  const med = (xs) => {
    const f = xs.filter(Number.isFinite).sort((a, b) => a - b);
    return f.length ? f[Math.floor(f.length / 2)] : NaN;
  };
  return { cpu: med(cpu), wall: med(wall) };
}

/** Shoots the data chart's figure (the page's sticky η bar would cover the charts above it). */
async function shoot(page, file) {
  await page.locator('figure.eos-chart-data').scrollIntoViewIfNeeded();
  await new Promise((r) => setTimeout(r, 600)); // one more redraw after the scroll
  await page.locator('figure.eos-chart-data').screenshot({ path: join(REPO, 'docs', file) });
  console.log(`  wrote docs/${file}`);
}

try {
  console.log(`data chart: main-thread time per redraw over ${SECONDS} s of training (${new Date().toISOString()})`);
  for (const p of PAGES) {
    const { context, page } = await open(p.query);
    const a = await stats(page);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const b = await stats(page);
    const secs = (Date.now() - t0) / 1000;
    const n = b.draws - a.draws;
    const per = n > 0 ? (b.totalMs - a.totalMs) / n : NaN;
    const heat = n > 0 ? (b.heatMs - a.heatMs) / n : NaN;
    console.log(
      `  ${p.name}: kind ${b.kind}, ${n} redraws in ${secs.toFixed(1)} s (${(n / secs).toFixed(1)}/s), ` +
        `${per.toFixed(2)} ms per redraw (heatmap ${heat.toFixed(2)} ms), worst ${b.maxMs.toFixed(2)} ms since load, at step ${b.step}`,
    );
    const cpu = await forcedDraws(page);
    console.log(`    forced: ${FORCED} redraws in one task: ${cpu.cpu.toFixed(2)} ms CPU per redraw (median of 3; wall ${cpu.wall.toFixed(2)} ms)`);
    if (SHOTS && p.shot) await shoot(page, p.shot);
    await context.close();
  }
  if (SHOTS) {
    const { context, page } = await open('?preset=ce', 'dark');
    await waitFor('step 1500', async () => ((await stats(page))?.step ?? 0) >= 1500, 120_000);
    await shoot(page, 'screenshot-data-ce-dark.png');
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
