// Engine workers for the stand-alone element bundle (eos-lab.js). Same worker module as
// the app's (engine/worker.ts), but started from its URL so that a page on ANOTHER
// origin than eos-lab.js can still run it: browsers refuse `new Worker(crossOriginUrl)`
// (SecurityError, thrown synchronously), so in that case we start a same-origin blob:
// module worker whose only line imports the real worker module (module imports may
// cross origins with CORS, as static hosts such as GitHub Pages allow). Under a CSP
// without blob: in worker-src/script-src that fallback is refused; same-origin hosting
// (the documented default) never needs it.

import workerUrl from '../engine/worker.ts?worker&url';
import type { WorkerLike } from '../runs/run';

/** The worker script's absolute URL (next to eos-lab.js). */
export function engineWorkerUrl(): string {
  return new URL(workerUrl, import.meta.url).href;
}

export function createElementWorker(): WorkerLike {
  const url = engineWorkerUrl();
  const sameOrigin = typeof location === 'undefined' || new URL(url).origin === location.origin;
  if (sameOrigin) return new Worker(url, { type: 'module', name: 'eos-engine' }) as unknown as WorkerLike;
  const src = `import ${JSON.stringify(url)};\n`;
  const blobUrl = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  const w = new Worker(blobUrl, { type: 'module', name: 'eos-engine' });
  // The worker has fetched its script once it runs; the URL can go after a while.
  setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000);
  return w as unknown as WorkerLike;
}
