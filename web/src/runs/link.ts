// The connection of one run to its engine worker: numbers the requests, remembers the
// pending `create` (messages that arrive before its answer belong to the run it replaces,
// so they are dropped), and can cut the worker off at once. Cutting off is how Reset and
// × answer within a frame even while the worker is inside a long engine call: the worker
// is terminated (or handed back to a pool), never waited for.

import type { FromWorker, ToWorker } from '../engine/protocol';
import type { WorkerFactory, WorkerLike } from './run';

type Request = ToWorker extends infer T ? (T extends { id: number } ? Omit<T, 'id'> : never) : never;

export interface LinkHandlers {
  /** A message of the current run (stale ones are already dropped). */
  message(m: FromWorker, isCreateAnswer: boolean): void;
  /** The worker could not be started, could not be messaged, or crashed. */
  broken(why: string): void;
}

export class RunLink {
  private worker: WorkerLike | null = null;
  private nextId = 1;
  /** Id of the `create` whose answer is awaited, or -1. */
  private createId = -1;
  private readonly factory: WorkerFactory;
  private readonly on: LinkHandlers;

  constructor(factory: WorkerFactory, on: LinkHandlers) {
    this.factory = factory;
    this.on = on;
  }

  get creating(): boolean {
    return this.createId >= 0;
  }

  /** Sends `create` (on a fresh worker if `fresh` or none is open). False if no worker could be had. */
  create(config: Extract<ToWorker, { type: 'create' }>['config'], fresh: boolean): boolean {
    if (fresh || !this.worker) {
      this.close();
      if (!this.open()) return false;
    }
    const id = this.nextId++;
    if (!this.post({ type: 'create', id, config })) return false;
    this.createId = id;
    return true;
  }

  /** Sends a request; false if the worker is gone. */
  send(req: Request): boolean {
    if (!this.worker) return false;
    return this.post({ ...req, id: this.nextId++ } as ToWorker);
  }

  /** Cuts the worker off now (a `stop` first, so a pooled worker frees the engine's memory). */
  close(): void {
    const w = this.worker;
    if (!w) return;
    this.worker = null;
    this.createId = -1;
    w.onmessage = null;
    w.onerror = null;
    try {
      w.postMessage({ type: 'stop', id: this.nextId++ });
    } catch {
      /* already gone */
    }
    w.terminate();
  }

  private open(): boolean {
    let w: WorkerLike;
    try {
      w = this.factory();
    } catch (e) {
      this.on.broken(`could not start a worker: ${String(e)}`);
      return false;
    }
    this.worker = w;
    w.onmessage = (ev) => {
      if (this.worker !== w) return;
      const m = ev.data;
      if (this.createId >= 0) {
        const answer = (m.type === 'result' || m.type === 'error') && m.id === this.createId;
        if (!answer) return; // the replaced run's traffic
        this.createId = -1;
        this.on.message(m, true);
        return;
      }
      this.on.message(m, false);
    };
    w.onerror = (ev) => {
      if (this.worker !== w) return;
      this.on.broken(`worker failed: ${ev.message || 'could not load the engine'}`);
    };
    return true;
  }

  private post(msg: ToWorker): boolean {
    try {
      this.worker!.postMessage(msg);
      return true;
    } catch (e) {
      this.on.broken(`could not message the worker: ${String(e)}`);
      return false;
    }
  }
}
