// Shared helpers for the EoS Lab build/test scripts: repo paths, headings, timing, and running
// a command while both streaming and capturing its output (so tiers can parse test counts).
// Plain Node (no dependencies): these scripts run before `npm ci` has happened.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const repoPath = (...p) => resolve(REPO, ...p);

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (s) => (tty ? `\x1b[${code}m${s}\x1b[0m` : String(s));
export const bold = paint('1');
export const green = paint('32');
export const red = paint('31');
export const yellow = paint('33');
export const cyan = paint('36');

/** True when the calling module is the script Node was started with. */
export function isMain(metaUrl) {
  return process.argv[1] !== undefined && metaUrl === pathToFileURL(resolve(process.argv[1])).href;
}

/** Seconds with one decimal, for summaries: "12.3 s". */
export function secs(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function heading(title) {
  console.log(`\n${bold(cyan(`==== ${title} ====`))}`);
}

export function info(msg) {
  console.log(`${cyan('>')} ${msg}`);
}

export function warn(msg) {
  console.log(`${yellow('!')} ${msg}`);
}

export function error(msg) {
  console.error(`${red('x')} ${msg}`);
}

/** mtime in ms, or -Infinity when the path does not exist. */
export function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -Infinity;
  }
}

export const exists = (p) => existsSync(p);

// Children started with a timeout run in their own process group (so a hung browser under a
// test runner can be killed with its parent); we forward Ctrl+C / SIGTERM to those groups.
const groups = new Set();
let forwarding = false;
function forwardSignals() {
  if (forwarding) return;
  forwarding = true;
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      for (const pid of groups) killGroup(pid, 'SIGKILL');
      process.exit(130);
    });
  }
}
function killGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {}
}

/**
 * Run `cmd args…` from the repo root (or opts.cwd), echoing the command line, streaming its
 * output to ours and keeping a copy. Resolves to { code, out, ms, timedOut }; never rejects
 * (a missing program gives code 127 and its error text in `out`). With opts.timeoutMs the
 * whole process group is killed when the time is up.
 */
export function run(cmd, args = [], opts = {}) {
  const { cwd = REPO, env = {}, quiet = false, echo = true, timeoutMs = 0 } = opts;
  if (echo) console.log(`${cyan('$')} ${[cmd, ...args].join(' ')}`);
  const t0 = performance.now();
  return new Promise((done) => {
    let out = '';
    let child;
    try {
      child = spawn(cmd, args, {
        cwd,
        // Output goes through a pipe to a log (CI) or to a terminal: keep colours only for the latter.
        env: { ...process.env, ...(process.stdout.isTTY ? {} : { NO_COLOR: '1' }), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: timeoutMs > 0,
      });
    } catch (e) {
      done({ code: 127, out: String(e), ms: performance.now() - t0 });
      return;
    }
    let timer = null;
    let timedOut = false;
    if (timeoutMs > 0 && child.pid) {
      forwardSignals();
      groups.add(child.pid);
      timer = setTimeout(() => {
        timedOut = true;
        const msg = `\n[timed out after ${Math.round(timeoutMs / 1000)} s: killing ${cmd}]\n`;
        out += msg;
        process.stderr.write(msg);
        killGroup(child.pid, 'SIGTERM');
        setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000).unref();
      }, timeoutMs);
    }
    const onData = (stream) => (chunk) => {
      const s = chunk.toString();
      out += s;
      if (!quiet) stream.write(s);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('error', (e) => {
      out += String(e);
      if (!quiet) console.error(String(e));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (child.pid) groups.delete(child.pid);
      done({ code: code ?? (signal ? 128 : 1), signal, out, ms: performance.now() - t0, timedOut });
    });
  });
}

/** Synchronous, silent run for quick probes (dpkg-query, compilers). */
export function probe(cmd, args = [], opts = {}) {
  const r = spawnSync(cmd, args, { cwd: REPO, encoding: 'utf8', ...opts });
  return { code: r.error ? 127 : r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Path of a locally installed npm binary (vite, vitest, tsc). */
export const npmBin = (name) => repoPath('node_modules', '.bin', name);
