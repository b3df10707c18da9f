// `npm run build[:native|:wasm|:web]`: set-up plus the requested builds. `web` (and `all`)
// end with `vite build` into dist/, skipped when dist/ is newer than every input, so a second
// `npm start` does not rebuild. Usage: node scripts/build.mjs [all|native|wasm|web]
import { readdirSync, statSync, writeFileSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { setup } from './setup.mjs';
import {
  repoPath, heading, info, error, run, mtime, exists, secs, isMain, npmBin, green, red, bold,
} from './lib.mjs';

const STAMP = repoPath('build', 'web.stamp');

/** Newest mtime under `p` (a file or a directory, recursively). */
function newest(p) {
  let st;
  try {
    st = statSync(p);
  } catch {
    return -Infinity;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs; // catches deletions
  for (const e of readdirSync(p)) m = Math.max(m, newest(join(p, e)));
  return m;
}

/** Inputs of the web build: its sources (incl. the WASM module copied into web/src/wasm) and configs. */
function webInputsMtime() {
  return Math.max(
    newest(repoPath('web')),
    mtime(repoPath('vite.config.ts')),
    mtime(repoPath('package-lock.json')),
    mtime(repoPath('package.json')),
  );
}

/** `vite build` → dist/, unless dist/ is already newer than every input. Returns { ok, reason, skipped }. */
export async function viteBuild({ force = false } = {}) {
  if (!force && exists(repoPath('dist', 'index.html')) && mtime(STAMP) > webInputsMtime()) {
    info('dist/ is up to date (no change under web/ since the last vite build)');
    return { ok: true, skipped: true };
  }
  if (!exists(repoPath('web', 'index.html'))) return { ok: false, reason: 'web/index.html does not exist yet' };
  const started = Date.now();
  const r = await run(npmBin('vite'), ['build']);
  if (r.code !== 0) return { ok: false, reason: 'vite build failed' };
  mkdirSync(repoPath('build'), { recursive: true });
  writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
  // Stamp = start of the build, so an edit made while vite ran still triggers the next build.
  utimesSync(STAMP, started / 1000, started / 1000);
  return { ok: true };
}

/** Heading + timing wrapper around viteBuild, matching the set-up stages. */
export async function webStage(opts) {
  heading('build: web app (vite build → dist/)');
  const t0 = performance.now();
  const r = await viteBuild(opts);
  const status = r.ok ? green('ok') : red(`FAILED: ${r.reason}`);
  console.log(`${bold('build: web app')}: ${status} (${secs(performance.now() - t0)})`);
  return r;
}

if (isMain(import.meta.url)) {
  const what = process.argv[2] ?? 'all';
  if (!['all', 'native', 'wasm', 'web'].includes(what)) {
    error(`unknown build "${what}" (use all, native, wasm or web)`);
    process.exit(2);
  }
  const t0 = performance.now();
  const s = await setup({ native: what === 'all' || what === 'native', wasm: what !== 'native' });
  let ok = s.ok;
  if (ok && (what === 'all' || what === 'web')) ok = (await webStage()).ok;
  console.log(`\nbuild ${what}: ${ok ? green('ok') : red('FAILED')} in ${secs(performance.now() - t0)}`);
  process.exit(ok ? 0 : 1);
}
