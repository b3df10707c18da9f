// Small helpers shared by the browser suites (app.test.mjs and embed.test.mjs): paths,
// a free loopback port, polling with a deadline, assertions, a median.
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
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
