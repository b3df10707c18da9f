// The worker's one pacer. A run advances in chunks: one engine call of m steps,
// then a return to the event loop so that the page's messages (pause, a new η)
// are handled between chunks. ChunkPlanner decides how many steps the next chunk
// takes and when it starts:
//  - each chunk stays within a compute budget (~15 ms), predicted by a cost model
//    fitted on the measured chunk times, so the worker answers quickly;
//  - at a finite speed the run keeps to `speed` steps per second, sleeping between
//    chunks; at speed 0 chunks run back to back.
// It is pure: the clock is injected and the caller reports each chunk's measured
// time, so tests drive it with a fake clock and fake costs.

/** Number of steps t in [s, s + m) with t % every == 0 (the steps that measure eigenvalues). */
export function eigStepsIn(s: number, m: number, every: number): number {
  if (every <= 0 || m <= 0) return 0;
  return Math.floor((s + m - 1) / every) - Math.floor((s - 1) / every);
}

/**
 * Chunk cost model: a chunk of m steps of which e compute eigenvalues takes
 * a·m + b·e ms. Fitted by exponentially weighted least squares over recent chunks,
 * so it follows slow drifts. A chunk that took more than SURPRISE× its prediction
 * (the step cost rose, the machine got busy) makes it forget the past at once
 * instead of averaging the new cost with the old: an under-estimate means chunks
 * over budget. An over-estimate only makes chunks shorter than they could be, so
 * cheaper chunks are averaged in as usual, which keeps what the past taught about
 * eigenvalue steps (forgetting it would leave a·m + b·e unidentifiable).
 */
export class CostModel {
  private static readonly KEEP = 0.7; // weight of the past per chunk
  private static readonly FORGET = 0; // weight of the past after a surprise: it was wrong
  static readonly SURPRISE = 1.5;
  private smm = 0;
  private sme = 0;
  private see = 0;
  private smt = 0;
  private set = 0;
  /** ms per step; NaN until a chunk has been measured. */
  perStep = NaN;
  /** Extra ms per eigenvalue step. */
  perEig = 0;

  get known(): boolean {
    return this.perStep >= 0;
  }

  predict(m: number, e: number): number {
    return this.perStep * m + this.perEig * e;
  }

  /** Whether a measured chunk took far longer than predicted (always false before the first fit). */
  surprised(m: number, e: number, ms: number): boolean {
    return this.known && ms > CostModel.SURPRISE * Math.max(this.predict(m, e), 1e-3);
  }

  add(m: number, e: number, ms: number): void {
    const t = Math.max(ms, 1e-3); // a coarse clock may read 0 for a fast chunk
    const w = this.surprised(m, e, ms) ? CostModel.FORGET : CostModel.KEEP;
    this.smm = w * this.smm + m * m;
    this.sme = w * this.sme + m * e;
    this.see = w * this.see + e * e;
    this.smt = w * this.smt + m * t;
    this.set = w * this.set + e * t;
    this.fit();
  }

  reset(): void {
    this.smm = this.sme = this.see = this.smt = this.set = 0;
    this.perStep = NaN;
    this.perEig = 0;
  }

  private fit(): void {
    // Normal equations of min Σ w (t − a·m − b·e)² over (a, b), solved only when the
    // recent chunks mix m and e enough to tell the two costs apart: chunks that all
    // have the same steps-per-eigenvalue ratio leave a·m + b·e fixed but not a and b.
    const det = this.smm * this.see - this.sme * this.sme;
    if (det > 0.01 * this.smm * this.see) {
      const a = (this.smt * this.see - this.set * this.sme) / det;
      const b = (this.smm * this.set - this.sme * this.smt) / det;
      if (a > 0 && b >= 0) {
        this.perStep = a;
        this.perEig = b;
        return;
      }
    }
    if (this.perEig > 0) {
      // Keep the split learned earlier and rescale both costs to the recent chunks
      // (a machine that slows down slows both).
      const scale = this.smt / (this.perStep * this.smm + this.perEig * this.sme);
      this.perStep *= scale;
      this.perEig *= scale;
      return;
    }
    // Never told apart: charge everything per step. That over-estimates plain steps,
    // and so keeps chunks short, until chunks of both kinds have been seen.
    this.perStep = this.smt / this.smm;
    this.perEig = 0;
  }
}

export interface ChunkPlannerOptions {
  /** Clock in ms. */
  now: () => number;
  /** Compute budget per chunk, ms (default 15). */
  chunkMs?: number;
  /** At a finite speed, steps are batched so that chunks come about once per frame (default 16 ms). */
  frameMs?: number;
  /** How far behind its schedule a run may fall before the debt is forgotten (default 250 ms of steps). */
  backlogMs?: number;
}

/** steps > 0: run that many steps now; steps == 0: wait waitMs, then ask again. */
export interface ChunkPlan {
  steps: number;
  waitMs: number;
}

/** Most steps a chunk may take, however cheap they are (bounds one chunk's record memory). */
export const MAX_CHUNK_STEPS = 100_000;

export class ChunkPlanner {
  private readonly now: () => number;
  private readonly chunkMs: number;
  private readonly frameMs: number;
  private readonly backlogMs: number;
  private readonly cost = new CostModel();
  private eigEvery = 0;
  private speed = 0;
  private origin = 0; // when the current play began (after forgotten debt)
  private taken = 0; // steps since origin
  private lastSteps = 0;
  private lastSurprise = false;
  private rate = 0;
  private mark = NaN; // end of the previous chunk, or the start of play

  constructor(opts: ChunkPlannerOptions) {
    this.now = opts.now;
    this.chunkMs = opts.chunkMs ?? 15;
    this.frameMs = opts.frameMs ?? 16;
    this.backlogMs = opts.backlogMs ?? 250;
  }

  /** A new run: forget the cost model and the rate. */
  reset(eigEvery: number): void {
    this.cost.reset();
    this.eigEvery = eigEvery > 0 ? eigEvery : 0;
    this.lastSteps = 0;
    this.lastSurprise = false;
    this.rate = 0;
    this.start(this.speed);
  }

  /** Play (again) at `speed` steps/s (0 = as fast as possible), with the schedule starting now. */
  start(speed: number): void {
    this.speed = speed > 0 ? speed : 0;
    this.origin = this.now();
    this.taken = 0;
    this.mark = this.origin;
  }

  /** The achieved rate, steps per wall-clock second (sleep included), smoothed over ~0.5 s. */
  get stepsPerSecond(): number {
    return this.rate;
  }

  /** The next chunk, starting at step `start`, with at most `limit` steps left in the run. */
  next(start: number, limit: number): ChunkPlan {
    const cap = this.capacity(start, limit);
    if (this.speed === 0 || cap === 0) return { steps: cap, waitMs: 0 };
    // Step k of this play is due at origin + k/speed; the first one at once.
    let due = (this.speed * (this.now() - this.origin)) / 1000 + 1 - this.taken;
    const maxDue = Math.max(cap, (this.speed * this.backlogMs) / 1000);
    if (due > maxDue) {
      // Fallen behind (a slow machine, a long eigenvalue step): do not sprint to catch up.
      this.origin += ((due - maxDue) * 1000) / this.speed;
      due = maxDue;
    }
    const batch = Math.min(cap, Math.max(1, Math.floor((this.speed * this.frameMs) / 1000)));
    // The tolerance absorbs rounding: woken exactly on time, due may read batch − 1e-12, and a
    // wait shorter than the clock's resolution would not move the clock (nor would a timer wait).
    if (due + 1e-6 >= batch) return { steps: Math.min(cap, Math.floor(due + 1e-6)), waitMs: 0 };
    return { steps: 0, waitMs: Math.max(1, ((batch - due) * 1000) / this.speed) };
  }

  /** Reports a finished chunk: steps taken, how many computed eigenvalues, and its compute time. */
  record(steps: number, eigSteps: number, ms: number): void {
    if (steps <= 0) return;
    this.lastSurprise = this.cost.surprised(steps, eigSteps, ms) && ms > this.chunkMs;
    this.cost.add(steps, eigSteps, ms);
    this.lastSteps = steps;
    this.taken += steps;
    const t = this.now();
    const dt = Math.max(t - this.mark, 1e-3);
    this.mark = t;
    const sample = (steps * 1000) / dt;
    const alpha = this.rate > 0 ? 1 - Math.exp(-dt / 500) : 1;
    this.rate += alpha * (sample - this.rate);
  }

  /** The largest chunk from `start` whose predicted compute fits the budget (at least 1 step). */
  capacity(start: number, limit: number): number {
    const ceiling = Math.min(limit, MAX_CHUNK_STEPS);
    if (ceiling <= 0) return 0;
    if (!this.cost.known) return 1;
    // Grow at most 4× per chunk (the fit extrapolates); after an overrun the model was
    // wrong, so also halve the last chunk until the refit has been confirmed.
    const grow = this.lastSurprise ? Math.max(1, Math.floor(this.lastSteps / 2)) : Math.max(4, this.lastSteps * 4);
    const hi = Math.min(ceiling, grow);
    const fits = (m: number) => this.cost.predict(m, eigStepsIn(start, m, this.eigEvery)) <= this.chunkMs;
    if (fits(hi)) return hi;
    let lo = 1; // one step is the minimum, even when it alone exceeds the budget
    let top = hi;
    while (top - lo > 1) {
      const mid = Math.floor((lo + top) / 2);
      if (fits(mid)) lo = mid;
      else top = mid;
    }
    return lo;
  }
}
