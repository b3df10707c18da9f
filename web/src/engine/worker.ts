// The engine worker's entry point: loads the WASM module, then hands every message
// to a worker core (worker-core.ts). Messages that arrive while the module loads
// are queued and answered in order; if it fails to load, each is answered with an
// error saying why. Wired to `self` only when this module runs as a worker, so
// Node tests can import startWorker with a fake scope.

import { isObject } from './parse';
import { loadWorkerEngine } from './loader';
import { createWorkerCore, type Post, type WorkerCore } from './worker-core';

export interface WorkerScope {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(msg: unknown, options?: { transfer?: Transferable[] }): void;
}

export function startWorker(scope: WorkerScope): void {
  const queue: unknown[] = [];
  let core: WorkerCore | null = null;
  let loadError: string | null = null;
  const post: Post = (msg, transfer) => scope.postMessage(msg, { transfer });
  const refuse = (data: unknown) => {
    const id = isObject(data) && typeof data.id === 'number' ? data.id : -1;
    post({ type: 'error', id, message: `the engine failed to load: ${loadError}` }, []);
  };
  // Set synchronously, before any await, so no early message is lost.
  scope.onmessage = (ev: MessageEvent) => {
    if (core) core.handle(ev.data);
    else if (loadError !== null) refuse(ev.data);
    else queue.push(ev.data);
  };
  loadWorkerEngine().then(
    (mod) => {
      core = createWorkerCore(mod, post);
      for (const m of queue.splice(0)) core.handle(m);
    },
    (e: unknown) => {
      loadError = e instanceof Error ? e.message : String(e);
      for (const m of queue.splice(0)) refuse(m);
    },
  );
}

declare const WorkerGlobalScope: { new (): unknown } | undefined;
if (typeof WorkerGlobalScope !== 'undefined' && typeof self !== 'undefined' && self instanceof WorkerGlobalScope) {
  startWorker(self as unknown as WorkerScope);
}
