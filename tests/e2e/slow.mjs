// Browser tests of slow engine calls and failures on the full page: while one engine call
// takes seconds, the run card says what is being computed ("computing λ₁…λ₁₀ · 38 HVPs ·
// 12 s"), and Pause, Reset and × change what the reader sees within 200 ms (timed in the
// page, from the click to the DOM change); a run whose engine fails shows the engine's
// message and status "failed" while another run goes on; the largest configuration the
// schema allows either runs with its progress shown or is refused with the engine's message.
// Registered by app.test.mjs (same browser, same server, same console-error checks).

import { assert, waitFor } from './util.mjs';

/**
 * A configuration whose engine calls take far longer than a second: 2 × 256 hidden units on
 * 2000 points, the top 10 eigenvalues at every step (measured with the WASM module in Node
 * on a busy 2-core machine: one step with its eigenvalues, 217 HVPs, took 97 s). Its memory
 * is small, so only the time is slow. The tests never wait for a call to end.
 */
export const SLOW = 'widths=256,256&n=2000&neigs=10&eig_every=1&speed=0';
export const LARGEST = 'widths=512,512,512,512,512,512&n=1&neigs=10&eig_every=1';
const RESPONSE_MS = 200;

/** Clicks `click` in the page and returns the ms until `done()` (page-side source) holds, polled every frame. */
async function timeTo(page, click, done) {
  return page.evaluate(
    ({ click, done }) =>
      new Promise((resolve) => {
        const test = new Function(`return (${done})();`);
        const el = document.querySelector(click);
        if (!el) return resolve({ ms: NaN, why: `no ${click}` });
        const t0 = performance.now();
        el.click();
        const poll = () => {
          const ms = performance.now() - t0;
          if (test()) return resolve({ ms });
          if (ms > 5000) return resolve({ ms: Infinity });
          setTimeout(poll, 1);
        };
        poll();
      }),
    { click, done: done.toString() },
  );
}

const statuses = (page) => page.$$eval('.eos-run-status', (els) => els.map((e) => e.textContent ?? ''));

async function waitBusy(page, what) {
  return waitFor(`"computing …" on a run card (${what})`, async () => (await statuses(page)).find((t) => /computing /.test(t)), 90_000, 100);
}

/** [name, fn] pairs; `origin()` gives the served page's origin once the server is up. */
export function slowTests(origin, log) {
  const timings = [];

  async function tResponsive(open) {
    const { page } = await open();
    await page.goto(`${origin()}/?${SLOW}&compare=gd:0.1`);
    await waitFor('the test hook', () => page.evaluate(() => !!window.__eos), 15_000);
    const text = await waitBusy(page, 'first call');
    log(`       card: ${text}`);
    assert(/computing (λ₁…λ₁₀ · \d+ HVPs|step \d+) · \d+ s/.test(text), `busy text names what is computed and for how long: ${text}`);

    // Pause: the toolbar and every card say so at once, though the engine is mid-call.
    const pause = await timeTo(page, '.eos-transport .eos-primary', () => {
      const b = document.querySelector('.eos-transport .eos-primary');
      return b.textContent === 'Play' && [...document.querySelectorAll('.eos-run-status')].every((s) => /^paused/.test(s.textContent));
    });
    timings.push(`Pause ${pause.ms.toFixed(0)} ms`);
    assert(pause.ms <= RESPONSE_MS, `Pause took ${pause.ms} ms to show`);
    assert(!(await page.evaluate(() => window.__eos.playing())), 'paused');

    // Reset, mid-call again: fresh workers, empty records, at once.
    await page.click('.eos-transport .eos-primary'); // Play
    await waitBusy(page, 'before Reset');
    const reset = await timeTo(page, '.eos-transport button:nth-of-type(3)', () =>
      [...document.querySelectorAll('.eos-run-status')].every((s) => /^starting…|step 0( |$)/.test(s.textContent) && !/computing/.test(s.textContent)),
    );
    timings.push(`Reset ${reset.ms.toFixed(0)} ms`);
    assert(reset.ms <= RESPONSE_MS, `Reset took ${reset.ms} ms to show`);
    const after = await page.evaluate(() => window.__eos.status().map((r) => r.rows));
    assert(after.every((n) => n === 0), `records cleared by Reset: ${after}`);

    // ×, mid-call: the card goes at once.
    await waitBusy(page, 'before ×');
    const id = await page.evaluate(() => window.__eos.status()[1].id);
    const remove = await timeTo(page, `.eos-run[data-run="${id}"] button[aria-label="Remove run"]`, () => document.querySelectorAll('.eos-run').length === 1);
    timings.push(`× ${remove.ms.toFixed(0)} ms`);
    assert(remove.ms <= RESPONSE_MS, `× took ${remove.ms} ms to show`);
    log(`       response mid-call: ${timings.join(', ')}`);
  }

  async function tFailed(open) {
    // One run's worker reports an engine failure (the test wraps the page's second Worker so
    // that its first chunk is followed by `failed`, as the worker does when the engine throws).
    const init = () => {
      const Real = window.Worker;
      let n = 0;
      window.Worker = class extends Real {
        constructor(...a) {
          super(...a);
          if (++n !== 2) return;
          let handler = null;
          let failed = false;
          super.onmessage = (ev) => {
            if (failed || !handler) return;
            handler(ev);
            if (ev.data?.type === 'progress') {
              failed = true;
              handler({ data: { type: 'failed', message: 'std::bad_alloc (test)' } });
            }
          };
          Object.defineProperty(this, 'onmessage', { get: () => handler, set: (f) => (handler = f) });
        }
      };
    };
    const { page } = await open({ init });
    await page.goto(`${origin()}/?compare=gd:0.1`);
    await waitFor('the test hook', () => page.evaluate(() => !!window.__eos), 15_000);
    const st = await waitFor('the second run failed', async () => {
      const s = await page.evaluate(() => window.__eos.status());
      return s[1]?.status === 'failed' ? s : null;
    }, 15_000);
    assert(st[1].error === 'std::bad_alloc (test)', `the engine's message on the run: ${st[1].error}`);
    const card = await page.textContent(`.eos-run[data-run="${st[1].id}"] .eos-run-status`);
    assert(card === 'failed: std::bad_alloc (test)', `card shows the message: ${card}`);
    const msgs = await page.textContent('.eos-messages');
    assert(msgs.includes('std::bad_alloc (test)'), `message area shows it: ${msgs}`);
    const a = st[0].rows;
    await waitFor('the first run to go on', async () => (await page.evaluate(() => window.__eos.status()))[0].rows > a + 50, 10_000);
    assert(await page.evaluate(() => window.__eos.playing()), 'still playing');
  }

  async function tLargest(open) {
    const { page } = await open();
    await page.goto(`${origin()}/?${LARGEST}`);
    await waitFor('the test hook', () => page.evaluate(() => !!window.__eos), 15_000);
    // Either refused up front with the engine's message, or running with its progress shown.
    const seen = await waitFor('a message or progress on the card', async () => {
      const [s] = await page.evaluate(() => window.__eos.status());
      if (s.status === 'failed') return `failed: ${s.error}`;
      if (s.busy) return s.busy;
      if (s.rows > 0) return `step ${s.step}`;
      return null;
    }, 60_000, 200);
    log(`       largest config: ${seen}`);
    assert(!/^failed: (undefined|null|)$/.test(seen), `a failure carries the engine's message: ${seen}`);
    // Refused up front (the engine's memory estimate) is fine; running out of memory is not.
    assert(!/bad_alloc|out of memory/i.test(seen), `the largest configuration must not run out of memory: ${seen}`);
    if (seen.startsWith('failed')) {
      const card = await page.textContent('.eos-run-status');
      assert(card.startsWith('failed: ') && card.length > 10, `card: ${card}`);
    }
  }

  return [
    ['slow engine call: the card says what is computed; Pause, Reset and × show within 200 ms', tResponsive],
    ['a failing run shows the engine’s message while the other run goes on', tFailed],
    ['largest configuration: refused with a message, or runs with its progress shown', tLargest],
  ];
}
