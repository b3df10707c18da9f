// End-to-end tests of embedding and hosting, in Debian's Chromium (headless,
// playwright-core), against the production build in dist/ (built beforehand). A tiny
// static server (node:http, in this file) serves dist/ under a sub-path, /blog/post/lab/,
// next to a test blog post (tests/e2e/fixtures/blog/post/) with two <eos-lab> elements
// (η 0.2 and 0.1), an <iframe> of embed.html (η 0.15) and an element with bad attributes,
// under a hostile host stylesheet. The same routes under /csp/ add
// `Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'` to every response.
// Numbers come from the elements' test hooks (el.exportData(), el.status()), not pixels.
//
// Proven here: all three embeds run at once, each sharpness settling at its own 2/η;
// host CSS does not leak in and the element's does not leak out; a bad attribute shows
// its message while the others run; lazy start on scroll-in and pause when out of view or
// in a background tab; attribute changes re-apply (η live, others remount on pooled
// workers) with the network OFF (works offline once loaded); embed.html's hide flags; every
// `controls` name maps to a control of the app; the
// built dist/ from a sub-path loads with no 404 and no console error, and its Share /
// embed dialog prints snippets that work when pasted into a page; everything under the
// CSP; an element loaded from another origin; no request leaves the page's origin.
//
// On node:test with the shared harness (harness.mjs): `node --test tests/e2e/embed.test.mjs`.
// Env: EOS_DIST (default <repo>/dist), CHROMIUM_PATH.
// Over 400 lines: every embedding test needs the same two-origin server and fixture post,
// which live at the top of this file.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { browserSuite } from './harness.mjs';
import { DIST, HOST, MIME, OUT, assert, contentType, distFile, freePort, median, waitFor } from './util.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, 'fixtures');
const CSP = "script-src 'self' 'wasm-unsafe-eval'";

// ------------------------------------------------------------------ static server

/**
 * Serves, on each of `ports` (two origins for the cross-origin test):
 *   /blog/post/            the fixture post, {{LAB}} → ./lab/
 *   /blog/post/xo.html     the same post loading the lab from the OTHER origin
 *   /blog/post/snippet.html?b64=…  a page around pasted HTML (Share dialog snippets)
 *   /blog/post/lab/…       dist/ (index.html for a directory)
 *   /csp/…                 any of the above with the CSP header on every response
 * Headers as a static host such as GitHub Pages sends them: Cache-Control max-age=600 and
 * Access-Control-Allow-Origin: * (only the cross-origin test needs the latter).
 */
async function startServer(dist, ports) {
  const log = []; // { port, path, status }
  const fixture = (p) => readFileSync(join(FIXTURES, 'blog', 'post', p));
  const handler = (port, others) => (req, res) => {
    let status = 200;
    let body;
    let type = MIME['.html'];
    const headers = { 'Cache-Control': 'max-age=600', 'Access-Control-Allow-Origin': '*' };
    const url = new URL(req.url, `http://${HOST}:${port}`);
    let path = decodeURIComponent(url.pathname);
    if (path.startsWith('/csp/')) {
      headers['Content-Security-Policy'] = CSP;
      path = path.slice('/csp'.length);
    }
    try {
      if (path === '/blog/post/' || path === '/blog/post/index.html') {
        body = fixture('index.html').toString('utf8').replaceAll('{{LAB}}', './lab/');
      } else if (path === '/blog/post/xo.html') {
        body = fixture('index.html').toString('utf8').replaceAll('{{LAB}}', `http://${HOST}:${others[0]}/blog/post/lab/`);
      } else if (path === '/blog/post/hostile.css' || path === '/blog/post/probe.js') {
        body = fixture(path.slice('/blog/post/'.length));
        type = contentType(path);
      } else if (path === '/blog/post/snippet.html') {
        const html = Buffer.from(url.searchParams.get('b64') ?? '', 'base64').toString('utf8');
        body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>pasted snippet</title></head><body><p>A post with a pasted snippet:</p>\n${html}\n</body></html>`;
      } else if (path.startsWith('/blog/post/lab/')) {
        const file = distFile(path.slice('/blog/post/lab/'.length), dist);
        if (!file) {
          status = 404;
        } else {
          body = readFileSync(file);
          type = contentType(file);
        }
      } else {
        status = 404;
      }
    } catch (e) {
      status = 500;
      body = String(e);
    }
    log.push({ port, path: url.pathname + url.search, status });
    if (status !== 200) {
      res.writeHead(status, { 'Content-Type': MIME['.txt'], ...headers });
      res.end(body ? String(body) : 'not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': type, ...headers });
    res.end(body);
  };
  const servers = [];
  for (const port of ports) {
    const others = ports.filter((p) => p !== port);
    const s = createServer(handler(port, others));
    await new Promise((ok, fail) => {
      s.once('error', fail);
      s.listen(port, HOST, ok);
    });
    servers.push(s);
  }
  return {
    log,
    close: () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))),
  };
}

// ------------------------------------------------------------------ small helpers

/** status() of the element matching `sel` in a page or frame. */
function elStatus(target, sel) {
  return target.evaluate((s) => {
    const el = document.querySelector(s);
    return el && typeof el.status === 'function' ? el.status() : null;
  }, sel);
}

/** Per run: η, threshold and the sharpness rows (from exportData()). */
function elRuns(target, sel) {
  return target.evaluate((s) => {
    const el = document.querySelector(s);
    return el.exportData().map((r) => {
      const rec = r.records;
      return {
        id: r.id,
        lr: r.lr,
        phase: r.phase,
        rows: rec.rows,
        lrChanges: rec.lr.filter((v, i) => i > 0 && v !== rec.lr[i - 1]).length,
        eig: rec.eig.row.map((row, e) => ({ step: rec.step[row], thr: rec.threshold[row], s: rec.eig.values[e][0] })),
      };
    });
  }, sel);
}

/** Median and range of sharpness / (2/η) over eigen rows with step in [from, to]. */
function plateau(run, from, to) {
  const r = run.eig.filter((e) => e.step >= from && e.step <= to && Number.isFinite(e.s) && e.thr > 0).map((e) => e.s / e.thr);
  return { n: r.length, med: median(r), lo: Math.min(...r), hi: Math.max(...r) };
}

async function embedFrame(page) {
  return waitFor('the embed.html iframe', async () => page.frames().find((f) => f.url().includes('embed.html')) ?? null, 10_000);
}

async function defined(target) {
  await waitFor('<eos-lab> to be defined', () => target.evaluate(() => !!customElements.get('eos-lab')), 15_000);
}

// ------------------------------------------------------------------ the suite

let server;
let portA;
let portB;
let A;
let B;
let POST;
let LAB;
const S = browserSuite({ prefix: 'embed', origins: () => [A], viewport: { width: 1100, height: 900 } });
const test = S.test;
const log = (...a) => console.log(...a);

before(async () => {
  const missing = ['index.html', 'eos-lab.js', 'embed.html', 'eos-lab-worker.js', 'eos-lab.wasm'].filter((f) => !existsSync(join(DIST, f)));
  if (missing.length) throw new Error(`missing in ${DIST}: ${missing.join(', ')} (build the site first)`);
  portA = await freePort(4600);
  portB = await freePort(portA + 1);
  server = await startServer(DIST, [portA, portB]);
  A = `http://${HOST}:${portA}`;
  B = `http://${HOST}:${portB}`;
  POST = `${A}/blog/post/`;
  LAB = `${A}/blog/post/lab/`;
});

after(async () => {
  await server?.close();
});

{
  /** Makes the whole post visible at once (every embed in view, so all run together). */
  async function showAll(page) {
    const h = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1100, height: Math.min(Math.max(h, 900), 12000) });
  }

  /** The bad element's message: names both attributes and what they accept; no chart. */
  async function checkBad(page) {
    const bad = await page.evaluate(() => {
      const el = document.getElementById('lab-bad');
      const sr = el.shadowRoot;
      const box = sr.querySelector('.eos-embed-error');
      return {
        errors: el.errors,
        text: box ? box.innerText : '',
        visible: box ? box.getBoundingClientRect().height : 0,
        height: el.getBoundingClientRect().height,
        canvases: sr.querySelectorAll('canvas').length,
        running: el.running,
      };
    });
    assert(bad.errors.length === 2, `two attribute errors expected, got ${JSON.stringify(bad.errors)}`);
    for (const t of ['lr: "fast" is not a number in (0, 10000]', 'widths:']) assert(bad.text.includes(t), `message should include ${t}: ${bad.text}`);
    assert(bad.visible > 40 && bad.height > 40, `the message must be visible (box ${bad.visible}px, element ${bad.height}px)`);
    assert(bad.canvases === 0 && !bad.running, 'an element with bad attributes must not run');
    return bad;
  }

  // ---------------------------------------------------------------- 1. the post, everything in view

  test('blog post at /blog/post/: two elements and an iframe run at once, each at its own 2/η', async (open) => {
    const { page } = await open();
    await page.goto(POST);
    await defined(page);
    await showAll(page);
    const frame = await embedFrame(page);
    await defined(frame);
    const targets = [
      { name: 'lab-a', t: page, sel: '#lab-a', lr: 0.2, from: 700 },
      { name: 'lab-b', t: page, sel: '#lab-b', lr: 0.1, from: 1000 },
      { name: 'iframe', t: frame, sel: 'eos-lab', lr: 0.15, from: 900 },
    ];
    // All three train at the same time (each has its own worker).
    const first = await waitFor('all three embeds training', async () => {
      const s = await Promise.all(targets.map((x) => elStatus(x.t, x.sel)));
      return s.every((r) => r && r[0] && r[0].rows > 20) ? s : null;
    }, 30_000);
    await page.waitForTimeout(400);
    const second = await Promise.all(targets.map((x) => elStatus(x.t, x.sel)));
    const gained = second.map((s, i) => s[0].rows - first[i][0].rows);
    log(`       rows gained by each embed in the same 0.4 s window: ${gained.join(', ')}`);
    assert(gained.every((g) => g > 0) || second.some((s) => s[0].status === 'done'), `all three must progress together: ${gained}`);
    const workers = await page.evaluate(() => ['lab-a', 'lab-b', 'lab-bad'].map((id) => document.getElementById(id).workersCreated));
    const frameWorkers = await frame.evaluate(() => document.querySelector('eos-lab').workersCreated);
    assert(workers[0] === 1 && workers[1] === 1 && workers[2] === 0 && frameWorkers === 1, `one worker per running embed, got ${workers}, iframe ${frameWorkers}`);
    // Each sharpness settles at its own 2/η (widths 20-20 reach it by steps ~240/730/…).
    await waitFor('every embed at step 1499', async () => {
      const s = await Promise.all(targets.map((x) => elStatus(x.t, x.sel)));
      return s.every((r) => r[0].step >= 1499);
    }, 90_000, 250);
    const parts = [];
    for (const x of targets) {
      const [run] = await elRuns(x.t, x.sel);
      const p = plateau(run, x.from, 1500);
      parts.push(`${x.name} η=${run.lr}: median λ/(2/η) ${p.med.toFixed(3)} [${p.lo.toFixed(3)}, ${p.hi.toFixed(3)}] over ${p.n} eigenvalues`);
      assert(run.lr === x.lr, `${x.name}: η should be ${x.lr}, got ${run.lr}`);
      assert(Math.abs(run.eig.at(-1).thr - 2 / x.lr) < 1e-9, `${x.name}: threshold should be 2/η = ${2 / x.lr}`);
      assert(p.n >= 30, `${x.name}: too few eigenvalues on the plateau (${p.n})`);
      assert(Math.abs(p.med - 1) <= 0.1, `${x.name}: sharpness not at its own 2/η (median ratio ${p.med})`);
      assert(run.eig[0].s < 0.8 * run.eig[0].thr, `${x.name}: initial sharpness ${run.eig[0].s} should start below 2/η (progressive sharpening)`);
    }
    log(`       ${parts.join('\n       ')}`);
    // The bad element said what is wrong while the others ran.
    await checkBad(page);
    // The iframe honours its hide flags: no explanation, no scaled chart.
    const iframeParts = await frame.evaluate(() => {
      const sr = document.querySelector('eos-lab').shadowRoot;
      return {
        charts: [...sr.querySelectorAll('.eos-chart')].map((f) => f.className),
        explainOff: sr.querySelector('.eos-embed-explain')?.classList.contains('eos-off'),
      };
    });
    assert(iframeParts.charts.length === 2 && !iframeParts.charts.some((c) => c.includes('scaled')), `iframe charts: ${iframeParts.charts}`);
    assert(iframeParts.explainOff === true, 'iframe: hide=explain must hide the explanation');
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'embed-blog-post.png'), fullPage: true });
  });

  // ---------------------------------------------------------------- 2. style isolation

  test('host CSS does not leak into the elements, nor theirs out', async (open) => {
    const { page } = await open();
    await page.goto(POST);
    await defined(page);
    await showAll(page);
    await waitFor('lab-a and lab-b drawing', async () => {
      const s = await Promise.all(['#lab-a', '#lab-b'].map((sel) => elStatus(page, sel)));
      return s.every((r) => r?.[0]?.rows > 50);
    }, 30_000);
    const r = await page.evaluate(() => {
      const cs = (el) => getComputedStyle(el);
      const one = (id) => {
        const el = document.getElementById(id);
        const sr = el.shadowRoot;
        const canvases = [...sr.querySelectorAll('canvas')];
        const label = sr.querySelector('.eos-field-lr label') ?? sr.querySelector('.eos-run-label');
        const play = sr.querySelector('.eos-transport .eos-primary');
        const frame = sr.querySelector('.eos-embed');
        return {
          canvases: canvases.map((c) => ({ display: cs(c).display, w: c.getBoundingClientRect().width, h: c.getBoundingClientRect().height })),
          frameFont: cs(frame).fontSize,
          labelFont: cs(label).fontSize,
          labelColor: cs(label).color,
          letterSpacing: cs(label).letterSpacing,
          textAlign: cs(frame).textAlign,
          fontFamily: cs(frame).fontFamily,
          play: play ? { display: cs(play).display, h: play.getBoundingClientRect().height } : null,
          iconFont: sr.querySelector('.eos-btn.eos-icon') ? cs(sr.querySelector('.eos-btn.eos-icon')).fontSize : null,
          height: el.getBoundingClientRect().height,
          width: el.getBoundingClientRect().width,
          figurePadding: sr.querySelector('figure') ? cs(sr.querySelector('figure')).paddingTop : null,
        };
      };
      return {
        a: one('lab-a'),
        b: one('lab-b'),
        host: {
          sheets: document.styleSheets.length,
          adopted: document.adoptedStyleSheets.length,
          introFont: cs(document.getElementById('intro')).fontSize,
          introColor: cs(document.getElementById('intro')).color,
          hostBtn: cs(document.querySelector('.host-btn')).display,
          hostCanvas: cs(document.getElementById('host-canvas')).display,
          eosClassesOutside: document.querySelectorAll('[class*="eos-"]').length,
        },
      };
    });
    for (const [id, e] of [['lab-a', r.a], ['lab-b', r.b]]) {
      assert(e.canvases.length >= 1 && e.canvases.every((c) => c.display !== 'none' && c.w > 200 && c.h > 100), `${id}: canvases must show despite canvas{display:none}: ${JSON.stringify(e.canvases)}`);
      assert(e.frameFont === '14px', `${id}: the element's font size must be its own 14px, got ${e.frameFont}`);
      assert(parseFloat(e.labelFont) < 16, `${id}: label font ${e.labelFont} (host says 40px)`);
      assert(e.labelColor !== 'rgb(170, 0, 0)', `${id}: the host's colour leaked in`);
      assert(e.letterSpacing === 'normal', `${id}: the host's letter-spacing leaked in (${e.letterSpacing})`);
      assert(e.textAlign === 'left' && e.fontFamily.trim() !== 'serif', `${id}: text-align ${e.textAlign}, font ${e.fontFamily}`);
      assert(e.figurePadding !== '40px', `${id}: the host's figure padding leaked in`);
      assert(e.height < 1300 && e.width > 500, `${id}: element size ${e.width}×${e.height} (blown up by host fonts?)`);
      if (e.iconFont) assert(parseFloat(e.iconFont) < 24, `${id}: rem-based icon font follows the host's html (40px): ${e.iconFont}`);
    }
    assert(r.a.play && r.a.play.display !== 'none' && r.a.play.h > 20, `lab-a: its Play button must show despite button{display:none}: ${JSON.stringify(r.a.play)}`);
    assert(r.b.play === null || r.b.play.display === 'none', 'lab-b shows no transport (controls="lr")');
    const h = r.host;
    assert(h.sheets === 1 && h.adopted === 0, `the element must not add stylesheets to the host document (${h.sheets} sheets, ${h.adopted} adopted)`);
    assert(h.introFont === '40px' && h.introColor === 'rgb(170, 0, 0)', `host prose keeps the host's styles: ${h.introFont} ${h.introColor}`);
    assert(h.hostBtn === 'none' && h.hostCanvas === 'none', 'host rules still apply to the host page');
    assert(h.eosClassesOutside === 0, `no eos-* element in the host's light DOM, found ${h.eosClassesOutside}`);
  });

  // ---------------------------------------------------------------- 3. lazy start, pause when hidden

  test('starts when scrolled into view, pauses out of view and in a background tab', async (open) => {
    const { page } = await open({ viewport: { width: 1000, height: 700 } });
    await page.goto(POST);
    await defined(page);
    // Endless runs, so "not playing" can only mean paused (not finished).
    await page.evaluate(() => ['lab-a', 'lab-b'].forEach((id) => document.getElementById(id).setAttribute('steps', '0')));
    const info = (id) => page.evaluate((i) => {
      const el = document.getElementById(i);
      const r = el.getBoundingClientRect();
      return { running: el.running, playing: el.playing, workers: el.workersCreated, top: r.top, bottom: r.bottom, vh: innerHeight, rows: el.status()[0]?.rows ?? 0, text: el.shadowRoot.textContent };
    }, id);
    // The host's 40px prose pushes even lab-a below the fold at first.
    const a0 = await info('lab-a');
    assert(a0.top > a0.vh && !a0.running && a0.workers === 0, `lab-a should wait below the fold (top ${a0.top}, running ${a0.running})`);
    await page.evaluate(() => document.getElementById('lab-a').scrollIntoView({ block: 'start' }));
    await waitFor('lab-a (in view) playing', async () => (await info('lab-a')).playing, 15_000);
    const b0 = await info('lab-b');
    assert(b0.top > b0.vh, `lab-b should start below the fold (top ${b0.top}, viewport ${b0.vh})`);
    assert(!b0.running && b0.workers === 0, `lab-b must not start before it is in view (running ${b0.running}, workers ${b0.workers})`);
    assert(/Starts when scrolled into view/.test(b0.text), 'lab-b shows a placeholder, not a blank box');
    await page.evaluate(() => document.getElementById('lab-b').scrollIntoView({ block: 'center' }));
    await waitFor('lab-b to start once in view', async () => (await info('lab-b')).rows > 0, 20_000);
    const a1 = await info('lab-a');
    assert(a1.bottom < 0, `lab-a should now be out of view (bottom ${a1.bottom})`);
    await waitFor('lab-a paused out of view', async () => !(await info('lab-a')).playing, 5000);
    const aRows = (await info('lab-a')).rows;
    await page.waitForTimeout(600);
    assert((await info('lab-a')).rows === aRows, 'lab-a must not train while out of view');
    // Back to lab-a: it resumes, lab-b pauses.
    await page.evaluate(() => document.getElementById('lab-a').scrollIntoView({ block: 'start' }));
    await waitFor('lab-a resumed', async () => (await info('lab-a')).playing, 5000);
    await waitFor('lab-b paused', async () => !(await info('lab-b')).playing, 5000);
    // Background tab: visibilitychange pauses, return resumes.
    const setHidden = (hidden) => page.evaluate((h) => {
      Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
      Object.defineProperty(document, 'hidden', { value: h, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
    await setHidden(true);
    await waitFor('lab-a paused in a background tab', async () => !(await info('lab-a')).playing, 5000);
    await setHidden(false);
    await waitFor('lab-a resumed in the foreground', async () => (await info('lab-a')).playing, 5000);
    // A reader's own Pause survives scrolling away and back.
    await page.locator('#lab-a .eos-transport .eos-primary').click();
    await waitFor('lab-a paused by the reader', async () => !(await info('lab-a')).playing, 5000);
    await page.evaluate(() => document.getElementById('lab-b').scrollIntoView({ block: 'center' }));
    await page.waitForTimeout(300);
    await page.evaluate(() => document.getElementById('lab-a').scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(800);
    assert(!(await info('lab-a')).playing, "the reader's Pause must be kept after scrolling back");
  });

  // ---------------------------------------------------------------- 4. attribute changes, offline

  test('attribute changes re-apply (η live, others remount on the same workers), with the network off', async (open) => {
    const { page, context } = await open();
    await page.goto(POST);
    await defined(page);
    await showAll(page);
    const frame = await embedFrame(page);
    await defined(frame);
    await page.evaluate(() => document.getElementById('lab-a').setAttribute('steps', '0'));
    await waitFor('lab-a and the iframe training', async () => (await elStatus(page, '#lab-a'))?.[0]?.rows > 100 && (await elStatus(frame, 'eos-lab'))?.[0]?.rows > 50, 30_000);
    const offlineRequests = [];
    const onRequest = (req) => offlineRequests.push(req.url());
    await context.setOffline(true);
    context.on('request', onRequest);
    try {
      const a0 = (await elStatus(page, '#lab-a'))[0];
      const mounts = () => page.evaluate(() => document.getElementById('lab-a').mounts);
      const m0 = await mounts();
      // η alone: live on the same run, recorded as a change.
      await page.evaluate(() => document.getElementById('lab-a').setAttribute('lr', '0.1'));
      const a1 = await waitFor('η 0.1 live, recorded as a change', async () => {
        const r = (await elRuns(page, '#lab-a'))[0];
        return (await elStatus(page, '#lab-a'))[0].threshold === 20 && r.lrChanges >= 1 ? r : null;
      }, 10_000);
      assert((await mounts()) === m0 && a1.lrChanges === 1 && a1.rows > a0.rows, `η must change live on the same run (mounts ${m0}→${await mounts()}, ${a1.lrChanges} changes)`);
      // Another field: remount, same (pooled) worker, fresh run with the new widths.
      await page.evaluate(() => document.getElementById('lab-a').setAttribute('widths', '16'));
      await waitFor('lab-a restarted with widths 16', async () => {
        const st = await page.evaluate(() => document.getElementById('lab-a').state);
        const s = (await elStatus(page, '#lab-a'))[0];
        return st?.widths.join() === '16' && s && s.rows > 50;
      }, 15_000);
      const a2 = (await elRuns(page, '#lab-a'))[0];
      assert((await mounts()) === m0 + 1 && a2.lrChanges === 0 && a2.lr === 0.1, `widths remounts once with a fresh run at the current η 0.1 (mounts ${await mounts()}, lr ${a2.lr})`);
      // Bad value: message, no run; fixed: runs again, still one worker.
      await page.evaluate(() => document.getElementById('lab-a').setAttribute('lr', '-1'));
      await waitFor('the message for lr=-1', () => page.evaluate(() => {
        const sr = document.getElementById('lab-a').shadowRoot;
        return /lr: "-1" is not a number/.test(sr.querySelector('.eos-embed-error')?.textContent ?? '') && sr.querySelectorAll('canvas').length === 0;
      }), 5000);
      await page.evaluate(() => document.getElementById('lab-a').setAttribute('lr', '0.2'));
      await waitFor('lab-a running again', async () => (await elStatus(page, '#lab-a'))[0]?.rows > 50, 15_000);
      const w = await page.evaluate(() => document.getElementById('lab-a').workersCreated);
      assert(w === 1, `re-applying must reuse the element's worker (created ${w})`);
      // View attribute: no restart.
      const before = (await elStatus(page, '#lab-a'))[0];
      const m1 = await mounts();
      await page.evaluate(() => document.getElementById('lab-a').setAttribute('controls', 'none'));
      const readView = () => page.evaluate(() => {
        const sr = document.getElementById('lab-a').shadowRoot;
        return { toolbar: sr.querySelector('.eos-toolbar').classList.contains('eos-off'), panel: sr.querySelector('.eos-controls').classList.contains('eos-off') };
      });
      const view = await waitFor('controls="none" applied', async () => {
        const v = await readView();
        return v.toolbar && v.panel ? v : null;
      }, 5000).catch(async () => readView());
      const after = (await elStatus(page, '#lab-a'))[0];
      assert(view.toolbar && view.panel, `controls="none" hides toolbar and settings: ${JSON.stringify(view)}`);
      assert((await mounts()) === m1 && after.rows >= before.rows, 'changing controls must not restart the run');
      // The iframe's element too.
      await frame.evaluate(() => document.querySelector('eos-lab').setAttribute('widths', '12'));
      await waitFor('iframe restarted with widths 12', async () => {
        const st = await frame.evaluate(() => document.querySelector('eos-lab').state);
        return st?.widths.join() === '12' && (await elStatus(frame, 'eos-lab'))[0]?.rows > 50;
      }, 15_000);
      assert(offlineRequests.length === 0, `no request while offline, got ${offlineRequests.join(', ')}`);
    } finally {
      context.off('request', onRequest);
      await context.setOffline(false);
    }
  });

  // ---------------------------------------------------------------- 5. embed.html flags

  test('embed.html: hide flags, controls, unknown parameters, link to the full lab', async (open) => {
    const { page } = await open({ viewport: { width: 800, height: 560 } });
    await page.goto(`${LAB}embed.html?lr=0.1&charts=sharpness,scaled,loss&hide=controls,explain,loss&bogus=1&steps=300`);
    await defined(page);
    await waitFor('the embed training', async () => (await elStatus(page, 'eos-lab'))?.[0]?.rows > 20, 20_000);
    // The board makes its charts one per frame: a fast engine can pass 20 rows before the second exists.
    const chartKinds = () =>
      page.evaluate(() => [...document.querySelector('eos-lab').shadowRoot.querySelectorAll('.eos-chart')].map((f) => f.className.replace('eos-chart ', '')).join());
    await waitFor('both charts', async () => (await chartKinds()) === 'eos-chart-sharpness,eos-chart-scaled', 10_000).catch(() => {});
    const r = await page.evaluate(() => {
      const el = document.querySelector('eos-lab');
      const sr = el.shadowRoot;
      const off = (s) => sr.querySelector(s)?.classList.contains('eos-off');
      const link = sr.querySelector('.eos-embed-link');
      const box = sr.querySelector('.eos-embed').getBoundingClientRect();
      return {
        charts: [...sr.querySelectorAll('.eos-chart')].map((f) => f.className.replace('eos-chart ', '')),
        toolbarOff: off('.eos-toolbar'),
        controlsOff: off('.eos-controls'),
        explainOff: off('.eos-embed-explain'),
        note: document.querySelector('.eos-embed-page-notes')?.textContent ?? '',
        link: link?.href ?? null,
        fill: sr.querySelector('.eos-embed').classList.contains('eos-fill'),
        frameH: box.height,
        vh: innerHeight,
      };
    });
    assert(r.charts.join() === 'eos-chart-sharpness,eos-chart-scaled', `charts: ${r.charts}`);
    assert(r.toolbarOff && r.controlsOff && r.explainOff, `hide=controls,explain: ${JSON.stringify(r)}`);
    assert(/bogus: unknown parameter/.test(r.note), `unknown parameter reported: ${r.note}`);
    assert(r.link && r.link.startsWith(LAB) && /lr=0\.1/.test(r.link), `link to the full lab with the settings: ${r.link}`);
    assert(r.fill && r.frameH <= r.vh && r.frameH > r.vh - 40, `the embed fills the frame (${r.frameH}px of ${r.vh}px)`);
    await page.screenshot({ path: join(OUT, 'embed-iframe-page.png') });
  });

  test('controls: every name maps to a control of the app; only the chosen ones show', async (open) => {
    const { page } = await open({ viewport: { width: 900, height: 900 } });
    const check = async (controls) => {
      await page.goto(`${LAB}embed.html?controls=${controls}&autoplay=0`);
      await defined(page);
      // Engine loaded (run ready), so leaving the page aborts no download.
      await waitFor('the embed ready', async () => ['paused', 'playing'].includes((await elStatus(page, 'eos-lab'))?.[0]?.status), 15_000);
      return page.evaluate(async () => {
        const { CONTROL_NAMES } = await import(new URL('eos-lab.js', location.href).href);
        const sr = document.querySelector('eos-lab').shadowRoot;
        const find = (n) =>
          n === 'play' ? sr.querySelector('.eos-transport > button')
            : n === 'export' ? sr.querySelector('.eos-export')
              : n === 'speed' ? sr.querySelector('.eos-speed')
                : n === 'preset' ? sr.querySelector('.eos-preset')
                  : sr.querySelector(`.eos-controls [data-key="${n}"]`);
        const out = {};
        for (const n of CONTROL_NAMES) {
          const el = find(n);
          out[n] = el ? (el.closest('.eos-off') ? 'off' : 'on') : 'missing';
        }
        return out;
      });
    };
    const all = await check('all');
    const missing = Object.keys(all).filter((k) => all[k] === 'missing');
    assert(missing.length === 0, `control names without a control in the app: ${missing.join(', ')}`);
    const offInAll = Object.keys(all).filter((k) => all[k] !== 'on');
    assert(offInAll.length === 0, `controls="all" must show every control, off: ${offInAll.join(', ')}`);
    const some = await check('lr,dataset,speed');
    const on = Object.keys(some).filter((k) => some[k] === 'on').sort();
    assert(on.join() === 'dataset,lr,speed', `controls="lr,dataset,speed" shows exactly those, got ${on.join()}`);
  });

  // ---------------------------------------------------------------- 6. dist from a sub-path, Share dialog

  test('dist/ from a sub-path: no 404, no console error; Share / embed snippets work when pasted', async (open) => {
    const { page } = await open();
    const mark = server.log.length;
    await page.goto(`${LAB}?lr=0.1&widths=20,20&steps=400&speed=0`);
    await waitFor('the full page training', () => page.evaluate(() => (window.__eos?.status()[0]?.rows ?? 0) > 20), 20_000);
    await page.goto(`${LAB}embed.html`);
    await defined(page);
    await waitFor('embed.html training', async () => (await elStatus(page, 'eos-lab'))?.[0]?.rows > 20, 20_000);
    const reqs = server.log.slice(mark);
    const bad = reqs.filter((r) => r.status !== 200);
    assert(bad.length === 0, `every request must succeed: ${bad.map((r) => `${r.status} ${r.path}`).join(', ')}`);
    const outside = reqs.filter((r) => !r.path.startsWith('/blog/post/lab/'));
    assert(outside.length === 0, `every request must stay under the sub-path (relative URLs): ${outside.map((r) => r.path).join(', ')}`);
    assert(reqs.some((r) => r.path.endsWith('.wasm')), 'the .wasm was loaded');
    // Share / embed on the full page.
    await page.goto(`${LAB}?lr=0.1&widths=20,20&steps=400&speed=0`);
    await waitFor('the page hook', () => page.evaluate(() => !!window.__eos), 15_000);
    await page.click('.eos-share-btn');
    const dlg = page.locator('dialog.eos-share');
    await dlg.waitFor({ state: 'visible', timeout: 5000 });
    const snip = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('dialog.eos-share textarea')].map((t) => [t.dataset.share, t.value])));
    const sameQuery = (url, base) => {
      const u = new URL(url);
      const q = Object.fromEntries(u.searchParams);
      return u.href.startsWith(base) && JSON.stringify(q, Object.keys(q).sort()) === JSON.stringify({ lr: '0.1', speed: '0', steps: '400', widths: '20,20' });
    };
    assert(sameQuery(snip.link, LAB) && new URL(snip.link).pathname === '/blog/post/lab/', `link: ${snip.link}`);
    const iframeSrc = /src="([^"]+)"/.exec(snip.iframe)?.[1]?.replaceAll('&amp;', '&');
    assert(iframeSrc && sameQuery(iframeSrc, `${LAB}embed.html?`), `iframe: ${snip.iframe}`);
    assert(snip.element.includes(`src="${LAB}eos-lab.js"`) && snip.element.includes('lr="0.1"') && snip.element.includes('widths="20,20"'), `element: ${snip.element}`);
    // Copy puts exactly the snippet on the clipboard.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: A });
    await page.click('dialog.eos-share [data-copy=iframe]');
    await waitFor('"Copied."', async () => /Copied/.test(await dlg.textContent()), 5000);
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    assert(clip === snip.iframe, `clipboard holds the iframe snippet, got ${clip.slice(0, 80)}`);
    await page.screenshot({ path: join(OUT, 'embed-share-dialog.png') });
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'detached', timeout: 5000 });
    // Paste each snippet into a post: it runs with the shared settings.
    for (const kind of ['element', 'iframe']) {
      await page.goto(`${POST}snippet.html?b64=${encodeURIComponent(Buffer.from(snip[kind]).toString('base64'))}`);
      const target = kind === 'iframe' ? await embedFrame(page) : page;
      await defined(target);
      const s = await waitFor(`the pasted ${kind} training`, async () => {
        const st = await elStatus(target, 'eos-lab');
        return st?.[0]?.rows > 20 ? st : null;
      }, 20_000);
      const state = await target.evaluate(() => document.querySelector('eos-lab').state);
      assert(s[0].lr === 0.1 && state.widths.join() === '20,20' && state.steps === 400, `pasted ${kind}: ${JSON.stringify({ lr: s[0].lr, widths: state.widths, steps: state.steps })}`);
    }
  });

  test('<eos-lab preset="sweep">: six GD runs and gradient flow, and the sweep chart', async (open) => {
    const { page } = await open();
    const html = `<script type="module" src="${LAB}eos-lab.js"></script>\n<eos-lab preset="sweep" speed="0" style="height: 900px"></eos-lab>`;
    await page.goto(`${POST}snippet.html?b64=${encodeURIComponent(Buffer.from(html).toString('base64'))}`);
    await defined(page);
    const st = await waitFor('the sweep runs training', async () => {
      const s = await elStatus(page, 'eos-lab');
      return s?.length === 7 && s.every((r) => r.rows > 20) ? s : null;
    }, 60_000, 200);
    assert(st.filter((r) => /^GD/.test(r.label)).length === 6 && /Gradient flow/.test(st[6].label), `runs: ${st.map((r) => r.label).join(', ')}`);
    await waitFor('the sweep chart with its points', () => page.evaluate(() => {
      const sr = document.querySelector('eos-lab').shadowRoot;
      const c = sr.querySelector('.eos-chart-sweep canvas');
      return !!c && c.getBoundingClientRect().height > 100;
    }), 10_000);
    await page.screenshot({ path: join(OUT, 'embed-sweep.png') });
  });

  // ---------------------------------------------------------------- 7. CSP

  test(`under Content-Security-Policy: ${CSP}`, async (open) => {
    const { page } = await open({ allow: [/'unsafe-eval'/] });
    const resp = await page.goto(`${A}/csp/blog/post/`);
    assert(resp.headers()['content-security-policy'] === CSP, 'the post is served with the CSP');
    const workerHeaders = [];
    page.context().on('response', (r) => {
      if (/eos-lab-worker\.js|eos-lab\.wasm|embed.*\.js/.test(r.url())) workerHeaders.push([r.url().split('/').pop(), r.headers()['content-security-policy']]);
    });
    await defined(page);
    await showAll(page);
    const frame = await embedFrame(page);
    await defined(frame);
    await waitFor('both elements and the iframe training under the CSP', async () => {
      const s = await Promise.all([elStatus(page, '#lab-a'), elStatus(page, '#lab-b'), elStatus(frame, 'eos-lab')]);
      return s.every((r) => r?.[0]?.rows > 100);
    }, 30_000);
    await checkBad(page);
    assert(workerHeaders.some(([f, c]) => f === 'eos-lab-worker.js' && c === CSP), `the worker script came with the CSP too: ${JSON.stringify(workerHeaders)}`);
    // The policy really is enforced: the post's own probe.js was refused string evaluation.
    const evalBlocked = await page.evaluate(() => document.documentElement.dataset.evalBlocked);
    assert(evalBlocked === 'true', `the CSP must forbid eval in this page (else this test proves nothing): probe says ${evalBlocked}`);
  });

  // ---------------------------------------------------------------- 8. cross-origin element

  test('an element loaded from another origin (blob: worker fallback)', async (open) => {
    const { page } = await open({ extraOrigins: [B] });
    await page.goto(`${POST}xo.html`);
    await defined(page);
    await showAll(page);
    await waitFor('lab-a (script from the other origin) training', async () => (await elStatus(page, '#lab-a'))?.[0]?.rows > 50, 30_000);
    const fromB = server.log.filter((r) => r.port === portB).map((r) => r.path);
    assert(fromB.some((p) => p.endsWith('/eos-lab.js')) && fromB.some((p) => p.endsWith('/eos-lab-worker.js')) && fromB.some((p) => p.endsWith('/eos-lab.wasm')),
      `eos-lab.js, its worker and .wasm come from the other origin: ${fromB.join(', ')}`);
  });

}

S.finalChecks();
