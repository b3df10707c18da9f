// Two small timers of the app: a Refresher that redraws the text readouts at most every
// STATUS_EVERY_MS (at once after a structural change), and a Throttle that runs an action at
// most once per interval, the last request always (a slider drag gives a few η changes, not dozens).

export const STATUS_EVERY_MS = 200;

/**
 * Redraws the text readouts on the next animation frame: at once after a structural
 * change (status, runs, an action), else at most every STATUS_EVERY_MS.
 */
export class Refresher {
  private frame = 0;
  private dirty = true;
  private last = 0;
  private stopped = false;
  private readonly draw: () => void;

  constructor(draw: () => void) {
    this.draw = draw;
  }

  schedule(structural: boolean): void {
    if (this.stopped) return;
    if (structural) this.dirty = true;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const t = performance.now();
      if (!this.dirty && t - this.last <= STATUS_EVERY_MS) return;
      this.last = t;
      this.dirty = false;
      this.draw();
    });
  }

  /** Redraws now (after a transport action the reader waits for). */
  now(): void {
    if (this.stopped) return;
    this.last = performance.now();
    this.dirty = false;
    this.draw();
  }

  stop(): void {
    this.stopped = true;
    if (this.frame) cancelAnimationFrame(this.frame);
  }
}

/**
 * Runs an action at most once per `ms`: the first at once (if `leading`) or after `ms`,
 * later ones once the interval has passed, the last request always.
 */
export class Throttle {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastRun = -Infinity;
  private pending: (() => void) | null = null;
  private readonly ms: number;
  private readonly fn: () => void;
  private readonly leading: boolean;

  constructor(ms: number, fn: () => void, leading = false) {
    this.ms = ms;
    this.fn = fn;
    this.leading = leading;
  }

  request(fn: () => void = this.fn): void {
    this.pending = fn;
    if (this.timer) return;
    const wait = this.leading ? this.lastRun + this.ms - performance.now() : this.ms;
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private flush(): void {
    this.timer = null;
    const fn = this.pending;
    this.pending = null;
    this.lastRun = performance.now();
    fn?.();
  }
}
