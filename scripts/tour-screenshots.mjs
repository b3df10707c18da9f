// Screenshots of the tour as a reader sees it, top to bottom, for docs/: `npm run build:web`,
// then `node scripts/tour-screenshots.mjs` writes docs/tour.png (1280 px wide) and
// docs/tour-phone.png (390 px). A figure runs only while in view and the page keeps at most
// eight engine workers, so a single full-page capture would show most figures waiting or
// restarted; instead each part of the page is scrolled into view, its figure left to run
// until it shows its point (or 60 s pass), captured at the page's width, and the parts are
// stacked in one image.
// Uses playwright-core and the system Chromium (CHROMIUM_PATH, default /usr/bin/chromium).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, serveDist } from '../tests/e2e/util.mjs';

/** Steps each figure should reach before its capture, by section id (its run length or less). */
const STEPS = { 's-quadratic': 600, 's-sharpening': 1190, 's-edge': 1200, 's-drop': 700, 's-sweep': 1990, 's-momentum': 1200, 's-flow': 2000, 's-adaptive': 2500, 's-central': 900 };

async function shoot(browser, origin, width, height, out) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto(`${origin}/tour.html`);
  await page.waitForFunction(() => !!customElements.get('eos-lab'), null, { timeout: 15_000 });
  const parts = await page.evaluate(() => ['.tour-head', ...[...document.querySelectorAll('main > section')].map((s) => `#${s.id}`), '.tour-foot']);
  const shots = [];
  for (const sel of parts) {
    const el = page.locator(sel);
    await el.scrollIntoViewIfNeeded();
    const id = sel.slice(1);
    if (STEPS[id]) {
      // Wait (at most 60 s) until every run of the figure has reached the steps that show its point.
      const t0 = Date.now();
      let last = [];
      while (Date.now() - t0 < 60_000) {
        last = await page.evaluate((s) => document.querySelector(`${s} eos-lab`)?.status().map((r) => r.step) ?? [], sel);
        if (last.length && last.every((st) => st >= STEPS[id])) break;
        await page.waitForTimeout(500);
      }
      if (id === 's-drop') {
        // As the caption invites: η from 0.3 to 0.15 once the sharpness sits on the line.
        const lr = page.locator('#s-drop eos-lab input[type=number]:visible').first();
        await lr.fill('0.15');
        await lr.press('Enter');
        const t1 = Date.now();
        while (Date.now() - t1 < 60_000) {
          const st = await page.evaluate(() => document.querySelector('#s-drop eos-lab').status()[0]);
          if (st && st.step >= 1400) break;
          await page.waitForTimeout(500);
        }
      }
      await page.waitForTimeout(800); // the charts draw the last records
      console.log(`${width} px ${sel}: steps ${last.join(', ')} after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    // The section's height, the page's width (figures are wider than the text column).
    const box = await el.evaluate((e) => {
      const r = e.getBoundingClientRect();
      return { y: Math.floor(r.top + scrollY), h: Math.ceil(r.height) };
    });
    shots.push((await page.screenshot({ fullPage: true, clip: { x: 0, y: box.y, width, height: box.h }, animations: 'disabled' })).toString('base64'));
  }
  // Stack the parts in a canvas of a blank page (white gaps where the page has margins).
  const png = await page.evaluate(async (list) => {
    const imgs = await Promise.all(list.map((b64) => new Promise((ok) => {
      const im = new Image();
      im.onload = () => ok(im);
      im.src = `data:image/png;base64,${b64}`;
    })));
    const gap = 24;
    const w = Math.max(...imgs.map((i) => i.width));
    const h = imgs.reduce((s, i) => s + i.height + gap, gap);
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    let y = gap;
    for (const i of imgs) {
      ctx.drawImage(i, Math.round((w - i.width) / 2), y);
      y += i.height + gap;
    }
    return c.toDataURL('image/png').slice('data:image/png;base64,'.length);
  }, shots);
  writeFileSync(out, Buffer.from(png, 'base64'));
  console.log(`wrote ${out}`);
  await context.close();
}

const { chromium } = await import('playwright-core');
const server = await serveDist(4900);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  await shoot(browser, server.origin, 1280, 900, join(REPO, 'docs', 'tour.png'));
  await shoot(browser, server.origin, 390, 844, join(REPO, 'docs', 'tour-phone.png'));
} finally {
  await browser.close();
  await server.close();
}
