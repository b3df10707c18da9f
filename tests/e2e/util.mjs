// Small helpers shared by the browser suites and the browser benchmarks: paths, a free
// loopback port, the built site's files and a plain static server for them, polling with
// a deadline, assertions, a median.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOST = '127.0.0.1';
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built site under test (npm test builds it first; this harness builds nothing). */
export const DIST = resolve(process.env.EOS_DIST || join(REPO, 'dist'));
/** Screenshots (gitignored). */
export const OUT = join(REPO, 'tests', 'output');

/** The first port from `from` on that can be bound on HOST. */
export async function freePort(from, span = 200) {
  for (let p = from; p < from + span; p++) {
    const ok = await new Promise((done) => {
      const s = createServer();
      s.once('error', () => done(false));
      s.listen(p, HOST, () => s.close(() => done(true)));
    });
    if (ok) return p;
  }
  throw new Error(`no free port from ${from}`);
}

/** Content types of what the test servers send. */
export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};
export const contentType = (file) => MIME[extname(file)] ?? 'application/octet-stream';

/** The file that `rel` (decoded, no leading slash; '' or '…/' mean index.html) names under root, or null. */
export function distFile(rel, root = DIST) {
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const file = resolve(root, rel);
  return (file === root || file.startsWith(root + sep)) && existsSync(file) && statSync(file).isFile() ? file : null;
}

/** The built site from a plain static server: no COOP/COEP, so its pages are not cross-origin isolated. */
export async function servePlainDist(fromPort) {
  const port = await freePort(fromPort);
  const server = createHttpServer((req, res) => {
    const file = distFile(decodeURIComponent(new URL(req.url, `http://${HOST}`).pathname).slice(1));
    if (!file) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'Content-Type': contentType(file) });
    res.end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(port, HOST, ok));
  return { origin: `http://${HOST}:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Polls fn (async, returns a truthy value when done) every `every` ms, up to `ms`. */
export async function waitFor(what, fn, ms, every = 100) {
  const t0 = Date.now();
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * Serves the built site with `vite preview` on the first free 127.0.0.1 port from `fromPort`
 * (the app and guide suites, and the memory benchmark). Returns { origin, close }.
 */
export async function serveDist(fromPort) {
  const { preview } = await import('vite');
  const port = await freePort(fromPort);
  const server = await preview({
    configFile: join(REPO, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: DIST },
    preview: { host: HOST, port, strictPort: true, open: false },
  });
  return { origin: `http://${HOST}:${port}`, close: () => new Promise((r) => server.httpServer.close(r)) };
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

/**
 * From a Chrome trace: the RunTask events of the page's main thread (the one firing
 * rAF): their count, the longest wall time (and the CPU of that task), the most CPU in
 * one task (maxCpu) and the most outside V8's GC pauses (maxCpuNoGc), the total CPU, how many took over 50 ms of CPU, and what the three
 * heaviest spent their time on (for the report when a bound fails).
 */
export function mainThreadTasks(buf) {
  const t = JSON.parse(buf.toString('utf8'));
  const ev = t.traceEvents ?? t;
  const counts = new Map();
  for (const e of ev) if (e.name === 'FireAnimationFrame') counts.set(`${e.pid}:${e.tid}`, (counts.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const main = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const tasks = ev.filter((e) => e.name === 'RunTask' && e.dur && `${e.pid}:${e.tid}` === main);
  let maxWall = 0;
  let cpuOfMaxWall = 0;
  let maxCpu = 0;
  let totalCpu = 0;
  let overCpu50 = 0;
  // V8's garbage-collection pauses on the main thread (MajorGC, MinorGC and their V8.GC_*
  // phases), as the union of their intervals per task: where V8 runs a pause is its choice,
  // so a task's own work is told apart from the pause that happened to land in it.
  const gcs = ev.filter((e) => e.dur && `${e.pid}:${e.tid}` === main && /^(MajorGC|MinorGC|V8\.GC_)/.test(e.name))
    .map((e) => [e.ts, e.ts + e.dur]).sort((a, b) => a[0] - b[0]);
  const gcInside = (task) => {
    let ms = 0;
    let end = task.ts;
    for (const [a, b] of gcs) {
      if (b <= task.ts) continue;
      if (a >= task.ts + task.dur) break;
      const lo = Math.max(a, end), hi = Math.min(b, task.ts + task.dur);
      if (hi > lo) ms += (hi - lo) / 1000;
      end = Math.max(end, hi);
    }
    return ms;
  };
  let maxCpuNoGc = 0;
  for (const e of tasks) {
    const wall = e.dur / 1000;
    const cpu = (e.tdur ?? 0) / 1000;
    if (wall > maxWall) [maxWall, cpuOfMaxWall] = [wall, cpu];
    maxCpu = Math.max(maxCpu, cpu);
    maxCpuNoGc = Math.max(maxCpuNoGc, Math.max(0, cpu - gcInside(e)));
    totalCpu += cpu;
    if (cpu > 50) overCpu50++;
  }
  const heavy = [...tasks].sort((x, y) => (y.tdur ?? 0) - (x.tdur ?? 0)).slice(0, 3).map((task) => {
    const inside = ev.filter((e) => `${e.pid}:${e.tid}` === main && e.ts >= task.ts && e.ts < task.ts + task.dur && e !== task && e.dur);
    const by = new Map();
    for (const e of inside) {
      const name = e.name === 'FunctionCall' ? `FunctionCall ${e.args?.data?.functionName || ''}@${(e.args?.data?.url || '').split('/').pop()}:${e.args?.data?.lineNumber ?? ''}` : e.name;
      by.set(name, (by.get(name) ?? 0) + e.dur / 1000);
    }
    const top = [...by.entries()].sort((x, y) => y[1] - x[1]).slice(0, 6).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
    return `${((task.tdur ?? 0) / 1000).toFixed(1)} ms CPU (${gcInside(task).toFixed(1)} ms of it in GC pauses): ${top}`;
  });
  return { tasks: tasks.length, maxWall, cpuOfMaxWall, maxCpu, maxCpuNoGc, totalCpu, overCpu50, heavy };
}
