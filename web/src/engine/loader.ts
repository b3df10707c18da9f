// Loads the engine's WebAssembly module in a module worker, on the main thread or
// in Node (tests, benchmarks), and caches it: one instance per JS realm.
//
// Browser / worker: Emscripten's glue fetches eoslab.wasm next to itself via
// `new URL('eoslab.wasm', import.meta.url)`, which Vite rewrites to the hashed
// asset, so no option is needed. Node 20: the glue would `fetch()` a file path and
// fail (Node's fetch takes URLs, not paths), so we read the bytes from disk and pass `wasmBinary`.
// An engine worker on a cross-origin isolated page loads the pthreads twin instead
// (loadWorkerEngine), falling back to this module without a word when it cannot.

import createEosModule from '../wasm/eoslab.mjs';
import type { EosModule, EosModuleFactory, EosModuleOptions } from 'eoslab-wasm';
import { budgetTotal } from './threads';

export type { EosModule } from 'eoslab-wasm';

export interface LoadOptions {
  /** Another build of the module (e.g. eoslab_scalar.mjs for benchmarks). Default: the SIMD build. */
  factory?: EosModuleFactory;
  /** Node: where the factory's .wasm is; default web/src/wasm/eoslab.wasm. */
  wasmUrl?: URL;
  /** The .wasm bytes, if the caller already has them. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Browser: override where the .wasm is fetched from. */
  locateFile?: (path: string, prefix: string) => string;
}

/** True under Node (not in a browser page or worker). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof (globalThis as { window?: unknown }).window === 'undefined';
}

async function readWasm(url: URL): Promise<Uint8Array> {
  // Hidden from the bundler: the browser build must not try to resolve node:fs.
  const name = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ name)) as { readFile(p: URL): Promise<Uint8Array> };
  return fs.readFile(url);
}

/** Instantiates a fresh module (no caching). */
export async function instantiateEngine(opts: LoadOptions = {}): Promise<EosModule> {
  const factory = opts.factory ?? createEosModule;
  const options: EosModuleOptions = {};
  if (opts.locateFile) options.locateFile = opts.locateFile;
  if (opts.wasmBinary) options.wasmBinary = opts.wasmBinary;
  else if (isNode()) options.wasmBinary = await readWasm(opts.wasmUrl ?? new URL('../wasm/eoslab.wasm', import.meta.url));
  return factory(options);
}

/**
 * The pthreads twin (eoslab_mt) for a cross-origin isolated worker, with `poolSize`
 * pthreads spawned before it resolves. Its files are plain assets (not bundled): each
 * pthread is a classic worker (eoslab_mt.worker.js) that imports the glue by URL, so the
 * glue must keep a URL of its own.
 */
export async function instantiateThreadedEngine(poolSize: number): Promise<EosModule> {
  const [{ default: glueUrl }, { default: wasmUrl }, { default: workerUrl }] = await Promise.all([
    import('../wasm/eoslab_mt.mjs?url&no-inline'),
    import('../wasm/eoslab_mt.wasm?url&no-inline'),
    import('../wasm/eoslab_mt.worker.js?url&no-inline'),
  ]);
  const abs = (u: string) => new URL(u, import.meta.url).href;
  const glue = abs(glueUrl);
  const factory = ((await import(/* @vite-ignore */ glue)) as { default: EosModuleFactory }).default;
  return factory({
    eosPoolSize: poolSize,
    mainScriptUrlOrBlob: glue,
    locateFile: (path: string) => (path.endsWith('.wasm') ? abs(wasmUrl) : path.endsWith('.worker.js') ? abs(workerUrl) : path),
  });
}

/**
 * For an engine worker: the threaded module when the worker is cross-origin isolated
 * and the page's budget has more than one thread, else (and whenever the threaded one
 * fails to load) the single-threaded module, silently.
 */
export async function loadWorkerEngine(): Promise<EosModule> {
  const total = budgetTotal();
  if (total > 1 && !isNode()) {
    try {
      return await instantiateThreadedEngine(total - 1);
    } catch {
      // No shared memory after all, or the twin is missing: one thread is still a lab.
    }
  }
  return loadEngine();
}

let shared: Promise<EosModule> | null = null;

/** The shared instance of the SIMD module (created on first use). */
export function loadEngine(): Promise<EosModule> {
  if (!shared) {
    shared = instantiateEngine();
    // A failed load (missing build, no wasm SIMD) may be retried later.
    shared.catch(() => {
      shared = null;
    });
  }
  return shared;
}
