// Memory benchmark of the page (not a test): three runs at full speed that never stop,
// in headless Chromium, for N minutes; prints every minute the page's JS heap, each
// engine worker's WebAssembly memory and JS heap, and the steps done per run. The
// record store keeps the page's memory bounded whatever the run length, so the page
// heap should stay flat after the first minute (target: under 150 MB).
//
// It builds nothing: it serves dist/ (build it first: `node scripts/build.mjs web`).
// Usage: node bench/memory-browser.mjs [--minutes 10] [--url '?steps=0&speed=0&…']
// Env: EOS_DIST (default <repo>/dist), CHROMIUM_PATH (default /usr/bin/chromium).
//
// Worker memory is read over the DevTools protocol: each dedicated worker is attached
// (Target.attachToTarget, non-flat sessions, so Playwright's own sessions are left
// alone) and Runtime.getHeapUsage gives its JS heap. Each worker reports the size of its
// WebAssembly memory (which only grows) with every record chunk; the page's hook shows it
// per run. The renderer processes' RSS, read from /proc (Linux), is printed as well.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, serveDist, waitFor } from '../tests/e2e/util.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const MINUTES = Number(arg('minutes', '10'));
const QUERY = arg('url', '?steps=0&speed=0&compare=gd:0.1,gd:0.05');
const MB = 1 << 20;
const mb = (b) => (Number.isFinite(b) ? (b / MB).toFixed(1) : '–');

/** A DevTools session to one worker target, through the browser session (non-flat mode). */
class WorkerSession {
  constructor(browserCdp, sessionId) {
    this.cdp = browserCdp;
    this.sessionId = sessionId;
    this.next = 1;
    this.pending = new Map();
  }
  onMessage(raw) {
    const msg = JSON.parse(raw);
    const p = msg.id !== undefined && this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  }
  send(method, params = {}) {
    const id = this.next++;
    return new Promise((resolveP, reject) => {
      this.pending.set(id, { resolve: resolveP, reject });
      setTimeout(() => reject(new Error(`${method}: no answer in 20 s`)), 20_000);
      this.cdp.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  }
  /**
   * The worker's JS heap. Its WebAssembly memory is not reachable from the worker's globals,
   * and Runtime.queryObjects (which could find the WebAssembly.Memory objects) crashed the
   * renderer in a busy worker, so the WASM memory is counted in the renderer's RSS instead.
   */
  async memory() {
    const h = await this.send('Runtime.getHeapUsage');
    return { js: h.usedSize };
  }
}

/** RSS (bytes) of the Chromium renderer processes started by this script: the page and its workers, WebAssembly memory included. */
function rendererRss() {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch {
      /* gone */
    }
  }
  let rss = 0;
  const walk = (pid) => {
    for (const k of kids.get(pid) ?? []) {
      try {
        if (readFileSync(`/proc/${k}/cmdline`, 'utf8').includes('--type=renderer')) {
          rss += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${k}/status`, 'utf8'))?.[1] ?? 0) * 1024;
        }
      } catch {
        /* gone */
      }
      walk(k);
    }
  };
  walk(process.pid);
  return rss;
}

async function workerSessions(browserCdp, sessions) {
  const { targetInfos } = await browserCdp.send('Target.getTargets');
  for (const t of targetInfos) {
    if (t.type !== 'worker' || sessions.has(t.targetId)) continue;
    const { sessionId } = await browserCdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
    sessions.set(t.targetId, new WorkerSession(browserCdp, sessionId));
  }
  return [...sessions.values()];
}

async function main() {
  if (!existsSync(join(DIST, 'index.html'))) {
    console.error(`no ${join(DIST, 'index.html')}: build the page first (node scripts/build.mjs web)`);
    process.exit(1);
  }
  const { chromium } = await import('playwright-core');
  const server = await serveDist(4600);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--enable-precise-memory-info', '--js-flags=--expose-gc', '--no-sandbox'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = `${server.origin}/${QUERY}`;
    console.log(`memory bench: ${url}, ${MINUTES} min, Chromium ${browser.version()}`);
    await page.goto(url);
    await waitFor('the test hook', () => page.evaluate(() => !!window.__eos), 20_000);
    await waitFor('every run stepping', async () => (await page.evaluate(() => window.__eos.status())).every((r) => r.step > 0), 60_000);
    const cdp = await browser.newBrowserCDPSession();
    const sessions = new Map();
    cdp.on('Target.receivedMessageFromTarget', (ev) => {
      for (const s of sessions.values()) if (s.sessionId === ev.sessionId) s.onMessage(ev.message);
    });
    const t0 = Date.now();
    const rows = [];
    const sample = async (minute) => {
      const page1 = await page.evaluate(() => ({
        heap: performance.memory?.usedJSHeapSize ?? NaN,
        runs: window.__eos.status().map((r) => ({ step: r.step, rows: r.rows, status: r.status, wasm: r.wasmBytes })),
        draws: window.__eos.drawStats(),
      }));
      // What the page keeps (garbage that V8 has not yet collected aside): --expose-gc gives gc().
      const live = await page.evaluate(() => (typeof gc === 'function' ? (gc(), performance.memory?.usedJSHeapSize ?? NaN) : NaN));
      let workers = [];
      if (!process.argv.includes('--no-workers')) try {
        workers = await Promise.all((await workerSessions(cdp, sessions)).map((s) => s.memory()));
      } catch (e) {
        console.log(`(worker memory unavailable: ${e.message})`);
      }
      const rss = rendererRss();
      const row = { minute, heap: page1.heap, live, rss, steps: page1.runs.map((r) => r.step), rows: page1.runs.map((r) => r.rows), wasm: page1.runs.map((r) => r.wasm), workers };
      rows.push(row);
      console.log(
        `min ${String(minute).padStart(2)} | page JS heap ${mb(row.heap).padStart(6)} MB (${mb(row.live)} MB live after a GC) | ` +
          `steps ${row.steps.map((s) => s.toLocaleString('en')).join(' / ')} | stored rows ${row.rows.join(' / ')} | ` +
          `workers' WASM memory ${row.wasm.map(mb).join(' / ')} MB | workers' JS heap ${workers.map((w) => mb(w.js)).join(' / ')} MB | renderer RSS (page + workers + WASM) ${mb(rss)} MB | ` +
          `draws ${page1.draws.draws}, max ${page1.draws.maxMs.toFixed(0)} ms`,
      );
    };
    await sample(0);
    for (let m = 1; m <= MINUTES; m++) {
      await new Promise((r) => setTimeout(r, t0 + m * 60_000 - Date.now()));
      await sample(m);
    }
    const after1 = rows.filter((r) => r.minute >= 1).map((r) => r.heap);
    const max = Math.max(...after1);
    const min = Math.min(...after1);
    const live = rows.filter((r) => r.minute >= 1).map((r) => r.live);
    console.log(`page JS heap after minute 1: ${mb(min)}–${mb(max)} MB, ${mb(Math.min(...live))}–${mb(Math.max(...live))} MB live after a GC (target < 150 MB, flat)`);
    console.log(`RESULT ${max < 150 * MB ? 'under' : 'OVER'} the 150 MB target`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
