// Creates one engine worker (one run per worker). The `new Worker(new URL(…))`
// expression must stay literal: Vite only bundles a worker whose URL it can read
// statically. Keeping it in its own module lets every entry point (page, embed,
// <eos-lab>) share it.

import type { WorkerLike } from './runs/run';

export function createEngineWorker(): WorkerLike {
  return new Worker(new URL('./engine/worker.ts', import.meta.url), { type: 'module', name: 'eos-engine' }) as unknown as WorkerLike;
}
