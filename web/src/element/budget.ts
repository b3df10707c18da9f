// A page-wide cap on the engine workers of all <eos-lab> elements on one page. Each element
// has its own pool (pool.ts) and pauses out of view (activity.ts), but a paused worker still
// holds a thread and a WebAssembly instance: a reader scrolling through a post of ten figures
// would otherwise end with every figure's workers alive at once. So:
//   - at most PAGE_WORKER_CAP workers live on the page;
//   - an element that needs workers first takes them back from figures out of view, the one
//     longest out of view first (evicted: its workers end, and it starts over from its
//     settings the next time it is scrolled into view);
//   - if the figures in view already hold too many, it waits ("waiting for a free engine")
//     and mounts as soon as one of them leaves the view.
// The cap is the largest number of runs one element can have (MAX_RUNS), so any single
// figure fits; it is not the number of cores, because a paused worker costs memory, not CPU,
// and the workers pace themselves (steps per second), so a few more than the cores share
// them without starving the page.

import { MAX_RUNS } from '../state/schema';

export const PAGE_WORKER_CAP = MAX_RUNS;

/** What the budget needs of an element. */
export interface BudgetMember {
  /** Workers it holds now (live or idle in its pool). */
  workers(): number;
  /** In view and in a foreground tab. */
  active(): boolean;
  /** Gives its workers back (only called while not active). */
  evict(): void;
  /** It was waiting for room: try to mount now. */
  retry(): void;
}

interface Entry {
  /** When it was last seen active (ms), to evict the figure longest out of view first. */
  lastActive: number;
  waiting: boolean;
}

const members = new Map<BudgetMember, Entry>();
let retrying = false;

function entry(m: BudgetMember): Entry {
  let e = members.get(m);
  if (!e) {
    e = { lastActive: 0, waiting: false };
    members.set(m, e);
  }
  return e;
}

/** Workers held on the page (every member). */
export function pageWorkers(): number {
  let n = 0;
  for (const m of members.keys()) n += m.workers();
  return n;
}

/**
 * Makes room for `m` to hold `need` workers (its own idle workers count as room), evicting
 * inactive members longest out of view first. Returns false (and marks `m` waiting) when the
 * active members hold too many.
 */
export function admit(m: BudgetMember, need: number): boolean {
  const e = entry(m);
  const others = () => pageWorkers() - m.workers();
  const fits = () => others() + Math.max(m.workers(), need) <= PAGE_WORKER_CAP;
  if (!fits()) {
    const idle = [...members.entries()]
      .filter(([o]) => o !== m && !o.active() && o.workers() > 0)
      .sort((a, b) => a[1].lastActive - b[1].lastActive);
    for (const [o] of idle) {
      if (fits()) break;
      o.evict();
    }
  }
  e.waiting = !fits();
  return !e.waiting;
}

/** A member's activity or worker count changed: note when it was active, and let waiting members retry. */
export function changed(m: BudgetMember): void {
  const e = entry(m);
  if (m.active()) e.lastActive = performance.now();
  retryWaiting();
}

function retryWaiting(): void {
  if (retrying) return;
  retrying = true;
  try {
    for (const [o, oe] of [...members.entries()]) if (oe.waiting && o.active()) o.retry();
  } finally {
    retrying = false;
  }
}

/** The element left the page (its workers are gone). */
export function leave(m: BudgetMember): void {
  members.delete(m);
  retryWaiting();
}
