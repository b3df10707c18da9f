// Shared helpers for the Node tests of the WASM engine (tests/wasm/*.test.mjs):
// paths, loading the built modules with their .wasm bytes (Node cannot fetch a
// file path: its fetch takes URLs only), and running the native CLI for comparisons.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const WASM_DIR = join(REPO, 'web', 'src', 'wasm');
export const EOS_RUN = process.env.EOS_RUN || join(REPO, 'build', 'native', 'eos-run');

const cache = new Map();

/** The built module, 'simd' (eoslab.mjs, what the app ships) or 'scalar' (eoslab_scalar.mjs). */
export function loadModule(flavour = 'simd') {
  if (!cache.has(flavour)) {
    const base = flavour === 'simd' ? 'eoslab' : 'eoslab_scalar';
    const mjs = join(WASM_DIR, `${base}.mjs`);
    const wasm = join(WASM_DIR, `${base}.wasm`);
    if (!existsSync(mjs) || !existsSync(wasm)) {
      throw new Error(`${mjs} is missing: build the WASM first (cmake --preset wasm && cmake --build build/wasm)`);
    }
    cache.set(
      flavour,
      import(pathToFileURL(mjs).href).then((m) => m.default({ wasmBinary: readFileSync(wasm) })),
    );
  }
  return cache.get(flavour);
}

export function wasmPath(flavour = 'simd') {
  return join(WASM_DIR, flavour === 'simd' ? 'eoslab.wasm' : 'eoslab_scalar.wasm');
}

/** Throws a clear message when the native CLI has not been built (these tests need it). */
export function requireCli() {
  if (!existsSync(EOS_RUN)) throw new Error(`${EOS_RUN} is missing: build the native CLI (cmake --preset native && cmake --build build/native)`);
}

/** Runs eos-run with args; returns { code, stdout, stderr }. */
export function runCli(args) {
  requireCli();
  const r = spawnSync(EOS_RUN, args, { encoding: 'utf8', maxBuffer: 1 << 29 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A private temp dir, removed by the returned cleanup(). */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'eos-wasm-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a JSON config file for `eos-run --config`. */
export function writeConfig(dir, name, text) {
  const p = join(dir, name);
  writeFileSync(p, typeof text === 'string' ? text : JSON.stringify(text));
  return p;
}

/** Largest |a-b|/|b| over paired finite values (b = reference). */
export function maxRel(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300);
    if (!(d <= m)) m = d; // NaN propagates as a failure
  }
  return m;
}
