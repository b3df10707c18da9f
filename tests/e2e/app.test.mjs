// End-to-end tests of the web app in Debian's Chromium (headless, playwright-core),
// against the production build in dist/ (built beforehand; this file builds nothing),
// served in-process by `vite preview` on 127.0.0.1. Data is read from the page's test
// hook window.__eos (the runs' exported records), never from pixels; every asynchronous
// effect (URL, status, records) is awaited with a deadline (waitFor), never read right
// after the action that causes it.
//
// Proven here: the default run's sharpness reaches 0.95 × 2/η early and stays at 2/η (and
// the page offers "Halve η now"); raising η 1.5× in the η bar on a finished run continues it
// and brings the sharpness down to the new 2/η; two runs progress at once; a bad URL shows a
// message and uses defaults; the diverging preset reports divergence while the page keeps
// working; exports; keyboard operation at phone width; main-thread tasks stay under 50 ms
// of CPU with three runs (from a Chrome trace: CPU time, which a busy machine does not
// inflate, unlike wall-clock long tasks); and, over every page: no console errors and no
// request outside the page's own origin. Measured and printed: time from navigation to
// the sharpness first reaching 0.95 × 2/η, the steps to come down after a raise, and the
// long-task figures.
// Screenshots go to tests/output/ (gitignored). Env: EOS_DIST, CHROMIUM_PATH; CI=true
// shortens the long waits (not the checks).
// Over 400 lines: one suite per served site (this one: the full page), sharing its server
// and browser; the slow-engine and guide tests live in their own files.

import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { browserSuite } from './harness.mjs';
import { slowTests } from './slow.mjs';
import { DIST, OUT, assert, mainThreadTasks, median, serveDist, waitFor } from './util.mjs';

const CI = process.env.CI === 'true';
const measurements = [];
let origin;
let server;
const S = browserSuite({ prefix: 'app', origins: () => [origin] });

function log(...a) {
  console.log(...a);
}

// ------------------------------------------------------------------ page helpers

/** Compact per-run summary computed in the page (eigen rows with their η and 2/η). */
async function summary(page) {
  return page.evaluate(() => {
    const hook = window.__eos;
    if (!hook) return null;
    return hook.runs().map((r) => {
      const rec = r.records;
      const eig = rec.eig.row.map((row, e) => ({
        step: rec.step[row],
        lr: rec.lr[row],
        thr: rec.threshold[row],
        s: rec.eig.values[e][0],
      }));
      return {
        id: r.id, label: r.label, opt: r.opt, lr: r.lr, phase: r.phase, divergedAt: r.divergedAt, error: r.error,
        rows: rec.rows, lastStep: rec.rows ? rec.step[rec.rows - 1] : -1, lastLoss: rec.rows ? rec.loss[rec.rows - 1] : NaN,
        lrChanges: rec.lr.flatMap((v, i) => (i > 0 && v !== rec.lr[i - 1] ? [{ step: rec.step[i], from: rec.lr[i - 1], to: v }] : [])),
        eig,
      };
    });
  });
}

/** Cheap progress of every run (no record arrays): for polling. */
async function status(page) {
  return page.evaluate(() => window.__eos?.status() ?? null);
}

/** Waits for the page's URL query to match `re` (the page writes it shortly after a change). */
async function urlMatching(page, re, what) {
  let last = '';
  await waitFor(what, async () => re.test((last = await page.evaluate(() => location.search))), 5000).catch((e) => {
    throw new Error(`${e.message}; the URL query is ${last}`);
  });
}

async function hookReady(page) {
  await waitFor('the test hook window.__eos', () => page.evaluate(() => !!window.__eos), 15_000);
}

/** Ratio λ/(2/η) of eigen rows whose step is in [from, to]. */
function ratios(run, from, to) {
  return run.eig.filter((e) => e.step >= from && e.step <= to && Number.isFinite(e.s) && e.thr > 0).map((e) => e.s / e.thr);
}

// ------------------------------------------------------------------ the tests

async function tDefault(open) {
  const { page } = await open();
  const t0 = Date.now();
  await page.goto(`${origin}/`);
  await hookReady(page);
  // Time from navigation to the sharpness first reaching 0.95 × 2/η, then 2/η (measured, reported).
  const edge = await waitFor('sharpness to reach 0.95 × 2/η', async () => {
    const s = await status(page);
    const r = s?.[0];
    return r && r.sharpness >= 0.95 * r.threshold ? { ms: Date.now() - t0, step: r.step, s: r.sharpness, thr: r.threshold } : null;
  }, 30_000, 50);
  measurements.push(`time from navigation to sharpness ≥ 0.95 × 2/η (default view): ${(edge.ms / 1000).toFixed(2)} s (step ${edge.step}, λ = ${edge.s.toFixed(3)}, 2/η = ${edge.thr.toFixed(3)})`);
  // Then it stays there. Native reference (CLI, same engine): first ≥ 0.95 × 2/η at step 150;
  // λ/(2/η) over steps 500–1000 in [0.922, 1.096], median 1.008.
  await waitFor('step 1000', async () => (await status(page))[0].step >= 1000, 30_000, 200);
  const run = (await summary(page))[0];
  const first = run.eig.find((e) => e.s >= 0.95 * e.thr);
  assert(first && first.step <= edge.step, `records agree with the live readout (first λ ≥ 0.95 × 2/η at step ${first?.step})`);
  assert(first.step <= 300, `the default reaches its edge early (native: step 150), got step ${first.step}`);
  assert(run.opt === 'gd' && run.lr === 0.3, `default run is GD η=0.3, got ${run.label}`);
  const r = ratios(run, 500, 1000);
  assert(r.length >= 40, `expected ≥ 40 eigenvalues in steps 500–1000, got ${r.length}`);
  const lo = Math.min(...r);
  const hi = Math.max(...r);
  log(`       default run: λ/(2/η) over steps 500–1000 in [${lo.toFixed(3)}, ${hi.toFixed(3)}], median ${median(r).toFixed(3)}`);
  assert(lo >= 0.88 && hi <= 1.15, `sharpness not at 2/η = 6.67: ratios in [${lo}, ${hi}]`);
  assert(Math.abs(median(r) - 1) <= 0.05, `median ratio ${median(r)} should be within 5% of 1`);
  // Progressive sharpening happened first: initial sharpness well below 2/η (native: 0.53 ×).
  assert(run.eig[0].s < 0.7 * run.eig[0].thr, `initial sharpness ${run.eig[0].s} should be below 0.7 × 2/η`);
  // Loss decreased overall (native: 0.28 × the initial loss at step 1000). At the edge the loss
  // spikes now and then, so the median of steps 900–1000 is compared, not whichever step is last.
  const { l0, tail } = await page.evaluate(() => {
    const rec = window.__eos.runs()[0].records;
    const tail = [];
    for (let i = 0; i < rec.rows; i++) if (rec.step[i] >= 900 && rec.step[i] <= 1000) tail.push(rec.loss[i]);
    return { l0: rec.loss[0], tail };
  });
  const late = median(tail);
  log(`       default run: median loss over steps 900–1000 (${tail.length} rows) = ${(late / l0).toFixed(3)} × the initial loss`);
  assert(tail.length >= 10 && late < 0.4 * l0, `loss did not decrease: median over steps 900–1000 ${late} (${tail.length} rows), initial ${l0}`);
  // The page tells the visitor what is going on, and offers the experiment.
  const text = await page.textContent('.eos-run-list');
  assert(/GD η=0\.3/.test(text), `run list should name the run, got: ${text}`);
  await waitFor('"Halve η now" at the edge', () => page.locator('.eos-lrbar .eos-halve').isVisible(), 5000);
  const why = await page.textContent('.eos-lrbar-why');
  assert(/still learning/.test(why) && /2\/η = 13\.3/.test(why), `the offer says why now: ${why}`);
  // One click halves the η in force, live; the offer then goes.
  await page.click('.eos-lrbar .eos-halve');
  await waitFor('η halved by the button', async () => (await status(page))[0].lr === 0.15, 5000);
  await waitFor('the offer to go', async () => !(await page.locator('.eos-lrbar .eos-halve').isVisible()), 5000);
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, 'default.png'), fullPage: true });
}

async function tMoveLr(open) {
  const { page } = await open();
  // The run stops at step 1000 (run length), so the change lands exactly there however slow
  // this machine is. Then, as a visitor would: type η = 0.45 (1.5 ×) in the η bar. The run
  // continues on its own: a change of η gives it at least 2,000 more steps.
  await page.goto(`${origin}/?speed=1000&steps=1000`);
  await hookReady(page);
  await waitFor('the run to stop at step 1000', async () => (await status(page))[0].status === 'done', 30_000);
  const field = page.locator('.eos-lrbar input[type=number]');
  await field.fill('0.45');
  await field.press('Enter');
  await waitFor('the η change', async () => (await status(page))[0].threshold === 2 / 0.45, 10_000);
  const note = page.locator('.eos-run-note').first();
  await waitFor('the card to say how far the run goes', async () => /η changed: running to step 3,000/.test((await note.textContent()) ?? ''), 5000);
  const changed = await summary(page);
  assert(changed[0].lrChanges.length === 1, `one η change recorded, got ${JSON.stringify(changed[0].lrChanges)}`);
  const at = changed[0].lrChanges[0].step;
  assert(changed[0].lrChanges[0].to === 0.45 && at === 1000, `recorded η change to ${changed[0].lrChanges[0].to} at ${at}`);
  await waitFor(`step ${at + 1000}`, async () => (await status(page))[0].step >= at + 1000, 30_000, 200);
  const run = (await summary(page))[0];
  // Native reference (CLI, η 0.3 → 0.45 at step 1000): ≤ 1.1 × the new 2/η = 4.44 by step
  // 1020, then a sawtooth at 0.91–1.34 ×, median 1.10 × over steps 1100–2000.
  const thrAfter = run.eig.find((e) => e.step >= at)?.thr;
  const down = run.eig.find((e) => e.step > at && e.s <= 1.1 * e.thr);
  const r = ratios(run, at + 100, at + 1000);
  log(`       η 0.3 → 0.45 at step ${at}: ≤ 1.1 × the new 2/η at step ${down?.step} (+${down ? down.step - at : '—'}); λ/(2/η) over steps ${at + 100}–${at + 1000}: median ${median(r).toFixed(3)}, [${Math.min(...r).toFixed(3)}, ${Math.max(...r).toFixed(3)}]`);
  measurements.push(`raising η 1.5× (0.3 → 0.45 at step 1000): sharpness ≤ 1.1 × the new 2/η after ${down ? down.step - at : 'never'} steps`);
  assert(Math.abs(thrAfter - 2 / 0.45) < 1e-6, `threshold after the change should be 2/0.45, got ${thrAfter}`);
  assert(down && down.step - at <= 100, `the sharpness should drop to ≤ 1.1 × the new 2/η within 100 steps (native: 20), got ${down?.step}`);
  assert(r.length >= 80, `too few eigenvalues after the change: ${r.length}`);
  assert(median(r) >= 0.95 && median(r) <= 1.2, `plateau not at the new 2/η: median ratio ${median(r)}`);
  const medS = median(run.eig.filter((e) => e.step >= at + 100).map((e) => e.s));
  assert(medS < 0.8 * (2 / 0.3), `sharpness should have left the old 2/η = 6.67, median ${medS}`);
  // The page writes the URL a moment after a change: wait for it.
  await urlMatching(page, /lr=0\.45/, 'the URL to carry the new η');
  await page.screenshot({ path: join(OUT, 'lr-change.png') });
}

async function tTwoRuns(open) {
  const { page } = await open();
  await page.goto(`${origin}/?compare=gd:0.1`);
  await hookReady(page);
  await waitFor('both runs started', async () => (await status(page)).every((r) => r.rows > 0), 15_000);
  const a = await status(page);
  await page.waitForTimeout(1000);
  const b = await status(page);
  assert(a.length === 2 && b.length === 2, `expected 2 runs, got ${b.length}`);
  const d = b.map((r, i) => r.rows - a[i].rows);
  log(`       rows gained in 1 s: ${d.join(', ')}`);
  assert(d.every((x) => x > 50), `both runs should progress together, gained ${d.join(', ')}`);
  assert(b[1].lr === 0.1 && b[1].threshold === 20, 'second run has η = 0.1 and 2/η = 20');
  // "+ Add run" keeps both and starts a third at half the selected η.
  await page.click('text=+ Add run');
  const c = await waitFor('a third run', async () => {
    const s = await status(page);
    return s.length === 3 && s[2].rows > 0 ? s : null;
  }, 10_000);
  assert(c[2].lr === 0.15, `added run should have η 0.3/2 = 0.15, got ${c[2].lr}`);
  assert(c[0].rows > b[0].rows, 'first run continued after adding a run');
  await urlMatching(page, /compare=gd:0\.1,gd:0\.15/, 'the URL to list both compare runs');
}

async function tBadUrl(open) {
  const { page } = await open();
  await page.goto(`${origin}/?lr=abc&n=-5&act=swish&widths=0&bogus=1&seed=7`);
  await hookReady(page);
  const box = page.locator('.eos-messages');
  const keys = ['lr:', 'n:', 'act:', 'widths:', 'bogus:'];
  const text = await waitFor('a message naming every bad parameter', async () => {
    const t = (await box.isVisible()) ? await box.textContent() : '';
    return keys.every((k) => t.includes(k)) ? t : null;
  }, 10_000).catch(async (e) => {
    throw new Error(`${e.message}; the messages say: ${await box.textContent().catch(() => '(none)')}`);
  });
  assert(text.includes('(0, 10000]'), `message should give η's range: ${text}`);
  const st = await page.evaluate(() => window.__eos.state());
  assert(st.lr === 0.3 && st.n === 40 && st.act === 'tanh' && st.widths.join() === '32,32,32', `defaults expected, got ${JSON.stringify(st)}`);
  assert(st.seed === 7, 'a valid value next to bad ones is kept');
  await waitFor('the run to train with the defaults', async () => (await status(page))[0].rows > 100, 15_000);
  await page.screenshot({ path: join(OUT, 'bad-url.png') });
}

async function tDiverge(open) {
  const { page } = await open();
  // steps=0: the η = 0.2 run never finishes, so Pause/Play below act on a live run however
  // slow or fast this machine is (at 1000 steps/s the preset's 2000 steps end within 2 s).
  await page.goto(`${origin}/?preset=diverge&speed=1000&steps=0`);
  await hookReady(page);
  await waitFor('divergence', async () => (await status(page))[0].status === 'diverged', 20_000);
  const s = await summary(page);
  const bad = s[0];
  assert(bad.lr === 1 && Number.isInteger(bad.divergedAt), `diverged run η 1 with a step, got ${JSON.stringify({ lr: bad.lr, at: bad.divergedAt })}`);
  const li = page.locator(`.eos-run[data-run="${bad.id}"] .eos-run-status`);
  await waitFor('"diverged at step" in the run list', async () => /diverged at step \d+/.test((await li.textContent()) ?? ''), 5000);
  log(`       ${(await li.textContent()).trim()}`);
  // The other run and the page keep working.
  const before = s[1].rows;
  await page.waitForTimeout(500);
  const after = (await status(page))[1].rows;
  assert(after > before, `the η=0.2 run should keep going (${before} → ${after})`);
  await page.click('.eos-transport >> text=Pause');
  await waitFor('paused', () => page.evaluate(() => !window.__eos.playing()), 3000);
  await page.click('.eos-transport >> text=Play');
  await waitFor('playing', () => page.evaluate(() => window.__eos.playing()), 3000);
  await page.screenshot({ path: join(OUT, 'diverge.png') });
}

async function tExports(open) {
  const { page } = await open();
  await page.goto(`${origin}/?compare=gd:0.1&neigs=2`);
  await hookReady(page);
  await waitFor('records', async () => (await status(page)).every((r) => r.rows > 30), 15_000);
  const get = async (label) => {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click(`.eos-export >> text=${label}`)]);
    const path = await dl.path();
    return { name: dl.suggestedFilename(), data: readFileSync(path) };
  };
  const csv = await get('CSV');
  const lines = csv.data.toString('utf8').trim().split('\n').filter((l) => !l.startsWith('#')); // '#' lines: resolution notes
  assert(lines[0] === 'run,label,agg,step,time,lr,beta,loss,accuracy,grad_norm,threshold,hvps,eig1,eig2', `CSV header: ${lines[0]}`);
  const runIds = new Set(lines.slice(1).map((l) => l.split(',')[0]));
  assert(runIds.size === 2, `CSV should hold both runs, got ${[...runIds]}`);
  const json = JSON.parse((await get('JSON')).data.toString('utf8'));
  assert(json.runs.length === 2 && json.runs[1].records.lr[0] === 0.1, 'JSON holds both runs');
  const png = await get('PNG');
  assert(png.data.subarray(1, 4).toString('latin1') === 'PNG' && png.data.length > 5000, `PNG export (${png.data.length} bytes)`);
  writeFileSync(join(OUT, 'export-charts.png'), png.data);
}

async function tKeyboardAndPhone(open) {
  const { page } = await open({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  await page.goto(`${origin}/`);
  await hookReady(page);
  // Every control has an accessible name (label, aria-label or legend).
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('.eos-app input, .eos-app select, .eos-app button')]
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent?.trim()))
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  assert(unlabelled.length === 0, `controls without a label: ${unlabelled.join(' | ')}`);
  // No horizontal scrolling at phone width.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `page is ${overflow}px wider than a 390px phone`);
  // Keyboard: focus Play/Pause and toggle with the space bar.
  // The runs start playing once their workers are up: toggle only from that state, and
  // focus the button before each key press (as a keyboard user would, it may re-render).
  const btn = page.locator('.eos-transport .eos-primary');
  await waitFor('the runs to play', () => page.evaluate(() => window.__eos.playing()), 15_000);
  await btn.focus();
  await page.keyboard.press('Space');
  await waitFor('pause by keyboard', () => page.evaluate(() => !window.__eos.playing()), 5000);
  await btn.focus();
  await page.keyboard.press('Space');
  await waitFor('play by keyboard', () => page.evaluate(() => window.__eos.playing()), 5000);
  // The η slider moves with arrow keys and changes the run's η live.
  // The η bar's slider (the one in view with the charts) moves with arrow keys and changes
  // the run's η live: 10 steps of a 6-decade slider with 1,000 steps are a factor 10^0.06.
  const slider = page.locator('.eos-lrbar input[type=range]');
  await slider.focus();
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  const lr = await waitFor('η from the slider', async () => {
    const s = await status(page);
    return s[0].lr !== 0.3 ? s[0].lr : null;
  }, 3000);
  assert(lr > 0.3 && lr < 0.4, `10 slider steps right should raise η a little, got ${lr}`);
  // η at hand: the η bar and the sharpness chart on one screen of the phone.
  await page.locator('.eos-chart-sharpness').scrollIntoViewIfNeeded();
  const inView = await waitFor('the η bar and the sharpness chart in one screen', () => page.evaluate(() => {
    const bar = document.querySelector('.eos-lrbar').getBoundingClientRect();
    const ch = document.querySelector('.eos-chart-sharpness').getBoundingClientRect();
    const h = window.innerHeight;
    return bar.top >= 0 && bar.bottom <= h && ch.top >= bar.bottom - 1 && ch.bottom <= h ? { bar: bar.bottom, chart: [ch.top, ch.bottom] } : null;
  }), 3000);
  log(`       phone: η bar ends at ${inView.bar.toFixed(0)} px, sharpness chart at ${inView.chart.map((v) => v.toFixed(0)).join('–')} px of 844`);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(OUT, 'phone-dark.png'), fullPage: true });
}

async function tThreeRunsLongtask(open) {
  const init = () => {
    window.__longtasks = [];
    try {
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__longtasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    } catch {}
  };
  const { page } = await open({ init });
  await page.goto(`${origin}/?compare=gd:0.1,gd:0.0667&widths=20,20&steps=0`);
  await hookReady(page);
  await waitFor('three runs training', async () => (await status(page)).every((r) => r.rows > 0), 15_000);
  const secs = CI ? 4 : 6;
  /** Longest task, chart draw cost and progress over `secs` seconds (start-up excluded). */
  const window_ = async (what) => {
    await page.evaluate(() => {
      window.__longtasks = [];
      window.__eos.drawStats().reset();
    });
    const a = await status(page);
    const ta = Date.now();
    // A trace as well: its RunTask events carry the thread CPU time (tdur), which tells a
    // task that computed for long from one that was descheduled on a busy machine.
    await S.browser().startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    await page.waitForTimeout(secs * 1000);
    const trace = mainThreadTasks(await S.browser().stopTracing());
    const tasks = await page.evaluate(() => window.__longtasks);
    const draw = await page.evaluate(() => {
      const d = window.__eos.drawStats();
      return { draws: d.draws, mean: d.draws ? d.totalMs / d.draws : 0, max: d.maxMs };
    });
    const b = await status(page);
    const elapsed = (Date.now() - ta) / 1000; // > secs: tracing start/stop take a while
    const longest = tasks.length ? Math.max(...tasks) : 0;
    const rates = b.map((r, i) => Math.round((r.rows - a[i].rows) / elapsed));
    measurements.push(
      `three runs, ${what}, ${secs} s: longest main-thread task (longtask observer, wall clock) ${tasks.length ? `${longest.toFixed(0)} ms (${tasks.length} tasks ≥ 50 ms)` : 'none ≥ 50 ms'}; ` +
        `trace: longest task ${trace.maxWall.toFixed(0)} ms wall / ${trace.cpuOfMaxWall.toFixed(1)} ms CPU, most CPU in one task ${trace.maxCpu.toFixed(1)} ms, ` +
        `${trace.overCpu50} tasks over 50 ms CPU, main thread CPU ${((100 * trace.totalCpu) / (secs * 1000)).toFixed(0)}%; ` +
        `steps/s per run ${rates.join(', ')}; rows ${b.map((r) => r.rows).join(', ')}; chart draws ${(draw.draws / secs).toFixed(0)}/s, ` +
        `mean ${draw.mean.toFixed(1)} ms, max ${draw.max.toFixed(0)} ms; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`,
    );
    assert(b.every((r, i) => r.rows > a[i].rows), `all three runs progressed (${what})`);
    return trace;
  };
  // Bounds on CPU time (the trace's tdur), which a busy 2-core machine does not inflate:
  // the page must not compute for more than 50 ms in one task at the default speed, nor
  // for more than 100 ms at full speed, where three workers stream records as fast as
  // they can and the page draws every frame.
  const atDefault = await window_('default speed (300 steps/s each)');
  assert(atDefault.maxCpu < 50, `a main-thread task took ${atDefault.maxCpu.toFixed(1)} ms of CPU at the default speed (bound 50 ms)`);
  // Then at full speed (chosen in the Speed menu): three busy workers compete with the page.
  await page.selectOption('.eos-speed select', '0');
  const atFull = await window_('full speed');
  assert(atFull.maxCpu < 100, `a main-thread task took ${atFull.maxCpu.toFixed(1)} ms of CPU at full speed (bound 100 ms)`);
  await page.screenshot({ path: join(OUT, 'three-runs.png') });
}

async function tFigure1(open) {
  const { page } = await open();
  await page.goto(`${origin}/?preset=figure1&speed=0`);
  await hookReady(page);
  await waitFor('every run at step 2999', async () => (await status(page)).every((r) => r.step >= 2999), 90_000, 250);
  const s = await summary(page);
  const parts = [];
  for (const r of s.filter((x) => x.opt === 'gd')) {
    const rs = ratios(r, 2500, 3000);
    parts.push(`η=${r.lr}: median ${median(rs).toFixed(3)}`);
    assert(Math.abs(median(rs) - 1) <= 0.1, `${r.label}: sharpness not at its own 2/η (median ratio ${median(rs)})`);
  }
  const flow = s.find((x) => x.opt === 'flow');
  const flowMax = Math.max(...flow.eig.map((e) => e.s));
  parts.push(`flow max λ ${flowMax.toFixed(2)}`);
  log(`       figure 1: ${parts.join('; ')}`);
  assert(flowMax > 20, `gradient flow should sharpen past the GD thresholds 10 and 20, max ${flowMax}`);
  await page.screenshot({ path: join(OUT, 'figure1.png'), fullPage: true });
}

// ------------------------------------------------------------------ registration

before(async () => {
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(OUT)) if (f.startsWith('fail-app-')) rmSync(join(OUT, f)); // from an earlier run
  readFileSync(join(DIST, 'index.html')); // throws (fails every test) when dist/ was not built
  server = await serveDist(4400);
  origin = server.origin;
  log(`serving ${DIST} at ${origin}`);
});

after(async () => {
  await server?.close();
  log('Measured (not asserted):');
  for (const m of measurements) log(`  ${m}`);
  log(`screenshots in ${OUT}`);
});

S.test('default view: sharpness reaches its edge early and stays at 2/η', tDefault);
S.test('moving η mid-run moves the plateau to the new 2/η', tMoveLr);
S.test('two runs progress at once; add run', tTwoRuns);
S.test('bad URL: message naming each parameter, defaults used', tBadUrl);
S.test('diverging preset reports divergence; page keeps working', tDiverge);
S.test('exports: CSV, JSON and PNG of every run', tExports);
S.test('phone width, dark scheme, labels and keyboard', tKeyboardAndPhone);
S.test('three runs: main-thread tasks stay under 50 ms of CPU', tThreeRunsLongtask);
S.test('figure 1 preset: each GD run at its own 2/η, flow beyond', tFigure1);
// Slow engine calls and failures (slow.mjs): same browser, server and cross-cutting checks.
for (const [name, fn] of slowTests(() => origin, log)) S.test(name, fn);
S.finalChecks();
