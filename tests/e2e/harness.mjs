// The shared harness of the browser suites (*.test.mjs in this folder), on node:test:
// one headless Chromium per file, fresh pages that record console errors and requests
// leaving the allowed origins, a screenshot when a test fails, and the two cross-cutting
// checks (no console error, no foreign request) as the file's last tests.
// The suites read numbers from the page's test hooks, never from pixels, and wait for
// every asynchronous effect with a deadline (waitFor in util.mjs), never read right after
// an action.
//
// Env: CHROMIUM_PATH (default /usr/bin/chromium). Run one file with
// `node --test tests/e2e/app.test.mjs`, one test with `--test-name-pattern=<regexp>`.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { OUT } from './util.mjs';

// The flags this machine's closed network needs (no background connections, no QUIC).
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--enable-precise-memory-info',
];

/**
 * Registers the browser's set-up and tear-down for this file and returns
 * { test, newPage, browser(), consoleErrors, foreignRequests, finalChecks }.
 * `origins()` lists the origins a page may request from (read at page creation).
 */
export function browserSuite({ prefix, origins, viewport: defaultViewport = { width: 1440, height: 1000 } }) {
  let browser = null;
  const consoleErrors = [];
  const foreignRequests = [];

  before(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: ARGS });
  });
  after(async () => {
    await browser?.close().catch(() => {});
  });

  /** A fresh context + page recording console errors and off-origin requests. */
  async function newPage(name, { viewport = defaultViewport, colorScheme = 'light', init, allow = [], extraOrigins = [] } = {}) {
    const context = await browser.newContext({ viewport, colorScheme, acceptDownloads: true });
    const page = await context.newPage();
    const allowed = (t) => allow.some((re) => re.test(t));
    const ok = [...origins(), ...extraOrigins];
    page.on('console', (m) => {
      if (m.type() === 'error' && !allowed(m.text())) consoleErrors.push(`[${name}] console.error: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`[${name}] page error: ${e.message}`));
    context.on('request', (req) => {
      const u = req.url();
      if (u.startsWith('data:') || u.startsWith('blob:')) return;
      if (!ok.some((o) => u.startsWith(`${o}/`))) foreignRequests.push(`[${name}] ${req.method()} ${u}`);
    });
    // A failed same-origin request (a 404 for a missing asset) is an error too.
    context.on('requestfailed', (req) => consoleErrors.push(`[${name}] request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
    context.on('response', (res) => {
      if (res.status() >= 400) consoleErrors.push(`[${name}] HTTP ${res.status()} for ${res.url()}`);
    });
    if (init) await page.addInitScript(init);
    return { context, page };
  }

  /** node:test's test(), with `open(opts)` creating the page (closed afterwards; screenshot on failure). */
  function e2eTest(name, fn, { timeout = 180_000 } = {}) {
    test(name, { timeout }, async () => {
      let ctx = null;
      try {
        await fn((opts) => newPage(name, opts).then((c) => (ctx = c)));
      } catch (e) {
        if (ctx) {
          try {
            mkdirSync(OUT, { recursive: true });
            await ctx.page.screenshot({ path: join(OUT, `fail-${prefix}-${name.replace(/\W+/g, '-').slice(0, 60)}.png`), fullPage: true });
          } catch {}
        }
        throw e;
      } finally {
        if (ctx) await ctx.context.close().catch(() => {});
      }
    });
  }

  /** The file's last two tests: nothing went wrong on any page it opened. */
  function finalChecks() {
    test('no console errors on any page', () => {
      if (consoleErrors.length) throw new Error(consoleErrors.slice(0, 20).join('\n'));
    });
    test('no request outside the page origin', () => {
      if (foreignRequests.length) throw new Error(foreignRequests.slice(0, 20).join('\n'));
    });
  }

  return { test: e2eTest, newPage, browser: () => browser, consoleErrors, foreignRequests, finalChecks };
}
