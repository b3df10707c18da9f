// Browser benchmark of the engine alone (not a test): the module's own timing loops
// (bench(), the work of bench/bench_native.cpp) on problem B, run in a module Web Worker
// of a cross-origin isolated page in headless Chromium, with the pthreads twin
// (web/src/wasm/eoslab_mt.*) on 1 and 2 threads, and the single-threaded module for
// reference. Prints ms per GD step, per HVP and per top-1 sharpness, and the speed-ups.
// bench/threads-browser.mjs measures the whole page instead (engine, messages, charts).
//
// It builds nothing: it serves web/src/wasm/ (build the wasm preset first) from a tiny
// static server that sends COOP/COEP, so that SharedArrayBuffer exists.
// Usage: node bench/threads-engine-browser.mjs [--rounds 3]   Env: CHROMIUM_PATH.
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST, MIME, contentType, freePort } from '../tests/e2e/util.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const WASM_DIR = join(REPO, 'web', 'src', 'wasm');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const i = process.argv.indexOf('--rounds');
const ROUNDS = i > 0 ? Math.max(1, Number(process.argv[i + 1])) : 3;
for (const f of ['eoslab_mt.mjs', 'eoslab_mt.wasm', 'eoslab_mt.worker.js', 'eoslab.mjs', 'eoslab.wasm']) {
  if (!existsSync(join(WASM_DIR, f))) {
    console.error(`${join(WASM_DIR, f)} is missing: build the wasm preset first`);
    process.exit(1);
  }
}

// The worker: loads a module, warms up, then returns the best of ROUNDS bench() calls per thread count.
const WORKER = `
self.onmessage = async (e) => {
  const { flavour, threads, rounds } = e.data;
  const glue = new URL(flavour === 'mt' ? './eoslab_mt.mjs' : './eoslab.mjs', self.location.href).href;
  const factory = (await import(glue)).default;
  const m = await factory(flavour === 'mt' ? { eosPoolSize: Math.max(...threads) - 1, mainScriptUrlOrBlob: glue } : {});
  const B = m.benchProblem('B');
  m.bench(B.config, 1, 1);
  const out = {};
  for (const t of threads) {
    let best = null;
    for (let r = 0; r < rounds; r++) {
      const x = m.bench(B.config, B.inner, t);
      if (!best) best = { ...x };
      else for (const k of Object.keys(x)) if (k.endsWith('_ms')) best[k] = Math.min(best[k], x[k]);
    }
    out[t] = best;
  }
  self.postMessage({ out, isolated: self.crossOriginIsolated, simd: m.simdInUse(), gemm: m.gemmInUse?.() });
};
`;
const PAGE = `<!doctype html><meta charset="utf-8"><title>engine threads</title><script type="module">
window.runBench = (flavour, threads, rounds) => new Promise((ok, fail) => {
  const w = new Worker('./bench-worker.mjs', { type: 'module' });
  w.onmessage = (e) => { ok(e.data); w.terminate(); };
  w.onerror = (e) => fail(new Error(e.message));
  w.postMessage({ flavour, threads, rounds });
});
</script>`;

const port = await freePort(4600);
const server = createServer((req, res) => {
  const path = new URL(req.url, `http://${HOST}`).pathname;
  const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  let body = null;
  let type = 'text/html';
  if (path === '/' || path === '/index.html') body = PAGE;
  else if (path === '/bench-worker.mjs') [body, type] = [WORKER, MIME['.mjs']];
  else {
    const name = path.slice(1);
    if (/^[\w.]+$/.test(name) && existsSync(join(WASM_DIR, name))) [body, type] = [readFileSync(join(WASM_DIR, name)), contentType(name)];
  }
  if (body === null) return void res.writeHead(404, headers).end();
  res.writeHead(200, { ...headers, 'Content-Type': type }).end(body);
});
await new Promise((ok) => server.listen(port, HOST, ok));

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  await page.goto(`http://${HOST}:${port}/`);
  const single = await page.evaluate((r) => window.runBench('single', [1], r), ROUNDS);
  const mt = await page.evaluate((r) => window.runBench('mt', [1, 2], r), ROUNDS);
  console.log(`Problem B in a Chromium worker (isolated ${mt.isolated}; ${mt.simd}; float products through ${mt.gemm}; best of ${ROUNDS} rounds, ms)`);
  const rows = [['GD step', 'step_ms'], ['HVP', 'hvp_ms'], ['top-1 cold', 'top1_cold_ms'], ['top-1 warm', 'top1_warm_ms']];
  console.log(`  ${''.padEnd(11)}${'single'.padStart(9)}${'mt 1T'.padStart(9)}${'mt 2T'.padStart(9)}${'1T/2T'.padStart(8)}`);
  for (const [name, k] of rows) {
    const [s, a, b] = [single.out[1][k], mt.out[1][k], mt.out[2][k]];
    console.log(`  ${name.padEnd(11)}${s.toFixed(1).padStart(9)}${a.toFixed(1).padStart(9)}${b.toFixed(1).padStart(9)}${(a / b).toFixed(2).padStart(7)}x`);
  }
  console.log(`  (threads in use at 2: ${mt.out[2].threads})`);
} finally {
  await browser.close();
  server.close();
}
