// The worker's pacer (web/src/engine/planner.ts) under a fake clock and fake step
// costs: a simulated worker loop asks the planner for a chunk, "runs" it by
// advancing the clock by the chunk's cost (or sleeps as told), and reports the
// cost back. Checks: a finite speed is hit within a few %, speed 0 runs back to
// back, chunks stay within the 15 ms budget after a short warm-up, a 10× change
// of the step cost is absorbed within a chunk or two, and eigenvalue steps (cheap
// or far over budget) are planned for.
import { describe, expect, test } from 'vitest';
import { ChunkPlanner, CostModel, eigStepsIn, MAX_CHUNK_STEPS } from '../../web/src/engine/planner';

interface Sim {
  /** ms of a plain step taken at clock time t (ms). */
  stepMs: (t: number) => number;
  /** Extra ms of a step that computes eigenvalues (steps t % eigEvery == 0). */
  eigMs?: number;
  eigEvery?: number;
  speed: number;
  /** Simulated wall-clock duration, ms. */
  forMs: number;
  /** Per-chunk overhead outside the engine call (message passing), ms. */
  overheadMs?: number;
  /** Clock reading when play starts, ms. */
  startMs?: number;
}

interface Chunk {
  start: number;
  steps: number;
  eig: number;
  ms: number;
  at: number; // clock when the chunk began
}

function simulate(sim: Sim) {
  const t0 = sim.startMs ?? 0;
  let t = t0;
  const p = new ChunkPlanner({ now: () => t });
  const every = sim.eigEvery ?? 0;
  p.reset(every);
  p.start(sim.speed);
  const chunks: Chunk[] = [];
  let step = 0;
  let guard = 0;
  while (t - t0 < sim.forMs && guard++ < 1e6) {
    const plan = p.next(step, Infinity);
    if (plan.steps === 0) {
      expect(plan.waitMs).toBeGreaterThan(0);
      t += plan.waitMs;
      continue;
    }
    const e = eigStepsIn(step, plan.steps, every);
    const ms = plan.steps * sim.stepMs(t) + e * (sim.eigMs ?? 0);
    chunks.push({ start: step, steps: plan.steps, eig: e, ms, at: t - t0 });
    t += ms;
    p.record(plan.steps, e, ms);
    t += sim.overheadMs ?? 0;
    step += plan.steps;
  }
  expect(guard, 'the simulated loop made progress').toBeLessThan(1e6);
  return { chunks, steps: step, ms: t - t0, rate: p.stepsPerSecond };
}

const WARMUP = 8; // chunks: 1, 4, 16, ... steps until the fit has seen enough

describe('eigStepsIn', () => {
  test('counts the steps t in [s, s + m) with t % every == 0', () => {
    expect(eigStepsIn(0, 1, 10)).toBe(1);
    expect(eigStepsIn(0, 10, 10)).toBe(1);
    expect(eigStepsIn(0, 11, 10)).toBe(2);
    expect(eigStepsIn(1, 9, 10)).toBe(0);
    expect(eigStepsIn(5, 20, 10)).toBe(2);
    expect(eigStepsIn(3, 100, 0)).toBe(0);
    expect(eigStepsIn(7, 1, 1)).toBe(1);
  });
});

describe('CostModel', () => {
  test('recovers the per-step and per-eigenvalue-step costs from mixed chunks', () => {
    const c = new CostModel();
    expect(c.known).toBe(false);
    for (const [m, e] of [[1, 1], [4, 0], [16, 1], [30, 2], [50, 0]]) c.add(m, e, 0.3 * m + 7 * e);
    expect(c.perStep).toBeCloseTo(0.3, 9);
    expect(c.perEig).toBeCloseTo(7, 9);
  });

  test('with one kind of chunk only, charges everything per step (an over-estimate, never an under-estimate)', () => {
    const c = new CostModel();
    c.add(10, 1, 0.3 * 10 + 7);
    expect(c.perStep).toBeCloseTo(1, 9);
    expect(c.perEig).toBe(0);
  });
});

describe('ChunkPlanner at speed 0 (as fast as possible)', () => {
  test('runs back to back, each chunk within the 15 ms budget after warm-up, using most of it', () => {
    const r = simulate({ stepMs: () => 0.05, speed: 0, forMs: 3000 });
    const late = r.chunks.slice(WARMUP);
    expect(Math.max(...late.map((c) => c.ms))).toBeLessThanOrEqual(15);
    const mean = late.reduce((s, c) => s + c.ms, 0) / late.length;
    expect(mean).toBeGreaterThan(12);
    // No sleeping: the run achieves the machine's rate, 1 step / 0.05 ms.
    expect(r.steps / (r.ms / 1000)).toBeGreaterThan(0.97 * 20000);
    expect(r.rate).toBeGreaterThan(0.97 * 20000);
    expect(r.rate).toBeLessThan(1.01 * 20000);
  });

  test('the first chunk is one step and chunks grow at most 4× each', () => {
    const r = simulate({ stepMs: () => 0.0001, speed: 0, forMs: 200 });
    expect(r.chunks[0].steps).toBe(1);
    for (let i = 1; i < r.chunks.length; i++) expect(r.chunks[i].steps).toBeLessThanOrEqual(Math.max(4, 4 * r.chunks[i - 1].steps));
    expect(Math.max(...r.chunks.map((c) => c.steps))).toBe(MAX_CHUNK_STEPS); // very cheap steps hit the cap
  });

  test('a step that alone exceeds the budget makes one-step chunks', () => {
    const r = simulate({ stepMs: () => 40, speed: 0, forMs: 2000 });
    expect(r.chunks.every((c) => c.steps === 1)).toBe(true);
  });
});

describe('ChunkPlanner at a finite speed', () => {
  test.each([
    { speed: 5, stepMs: 0.5 },
    { speed: 200, stepMs: 0.5 },
    { speed: 1000, stepMs: 0.2 },
    { speed: 30000, stepMs: 0.005 },
  ])('hits $speed steps/s within 3% (step cost $stepMs ms)', ({ speed, stepMs }) => {
    const r = simulate({ stepMs: () => stepMs, speed, forMs: 20_000, overheadMs: 0.1 });
    const achieved = r.steps / (r.ms / 1000);
    expect(achieved).toBeGreaterThan(0.97 * speed);
    expect(achieved).toBeLessThan(1.03 * speed);
    expect(r.rate).toBeGreaterThan(0.95 * speed);
    expect(r.rate).toBeLessThan(1.05 * speed);
    expect(Math.max(...r.chunks.slice(WARMUP).map((c) => c.ms))).toBeLessThanOrEqual(15);
  });

  test('batches fast speeds into about one chunk per frame, not one per step', () => {
    const r = simulate({ stepMs: () => 0.01, speed: 6000, forMs: 10_000 });
    const perSecond = r.chunks.length / 10;
    expect(perSecond).toBeLessThan(70);
    expect(perSecond).toBeGreaterThan(40);
  });

  test('a speed the machine cannot reach runs back to back at the machine rate', () => {
    const r = simulate({ stepMs: () => 0.5, speed: 1e6, forMs: 5000 });
    const achieved = r.steps / (r.ms / 1000);
    expect(achieved).toBeGreaterThan(0.97 * 2000);
    expect(Math.max(...r.chunks.slice(WARMUP).map((c) => c.ms))).toBeLessThanOrEqual(15);
  });

  test('after a stall it does not sprint to catch up (at most ~250 ms of steps at once)', () => {
    // One 3 s step at t ≈ 1 s, then cheap steps again.
    const stall = { done: false };
    const r = simulate({
      speed: 100,
      forMs: 6000,
      stepMs: (t) => (t > 1000 && !stall.done ? ((stall.done = true), 3000) : 0.1),
    });
    const after = r.chunks.filter((c) => c.at > 4000);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.max(...after.map((c) => c.steps))).toBeLessThanOrEqual(26);
    const first2s = r.chunks.filter((c) => c.at > 4000 && c.at < 6000).reduce((s, c) => s + c.steps, 0);
    expect(first2s).toBeLessThanOrEqual(200 + 26);
  });
});

describe('ChunkPlanner adapts', () => {
  test('when the step cost rises 10× (machine slows down): at most one chunk over budget', () => {
    const r = simulate({ stepMs: (t) => (t < 1000 ? 0.05 : 0.5), speed: 0, forMs: 2000 });
    const after = r.chunks.filter((c) => c.at >= 1000);
    const over = after.filter((c) => c.ms > 15);
    expect(over.length).toBeLessThanOrEqual(1);
    expect(over.every((c) => c.ms <= 10 * 15)).toBe(true);
    // ...and keeps using the budget at the new cost.
    const tail = after.slice(4);
    expect(tail.reduce((s, c) => s + c.ms, 0) / tail.length).toBeGreaterThan(12);
  });

  test('when the step cost falls 10×: back to full chunks within a few chunks, never over budget', () => {
    const r = simulate({ stepMs: (t) => (t < 1000 ? 0.5 : 0.05), speed: 0, forMs: 2000 });
    const after = r.chunks.filter((c) => c.at >= 1000);
    expect(Math.max(...after.map((c) => c.ms))).toBeLessThanOrEqual(15);
    const tail = after.slice(3);
    expect(tail.reduce((s, c) => s + c.ms, 0) / tail.length).toBeGreaterThan(12);
  });

  test('to eigenvalue steps within budget (eig_every 20, 6 ms each): chunks stay within 15 ms', () => {
    const r = simulate({ stepMs: () => 0.2, eigMs: 6, eigEvery: 20, speed: 0, forMs: 3000 });
    const late = r.chunks.slice(WARMUP);
    expect(Math.max(...late.map((c) => c.ms))).toBeLessThanOrEqual(15);
    // The best possible: 20 steps holding one eigenvalue step, 10 ms (a 21st step brings a second one: 16.2 ms).
    expect(late.reduce((s, c) => s + c.ms, 0) / late.length).toBeGreaterThanOrEqual(9.9);
  });

  test('to eigenvalue steps far over budget (60 ms): each is a chunk of its own, plain chunks stay within 15 ms', () => {
    const r = simulate({ stepMs: () => 0.1, eigMs: 60, eigEvery: 50, speed: 0, forMs: 5000 });
    const late = r.chunks.slice(WARMUP);
    for (const c of late) {
      if (c.eig > 0) expect(c.steps).toBe(1);
      else expect(c.ms).toBeLessThanOrEqual(15);
    }
    expect(late.filter((c) => c.eig > 0).length).toBeGreaterThan(10);
  });

  test('to eigenvalue steps at a finite speed: the average rate still holds', () => {
    const r = simulate({ stepMs: () => 0.2, eigMs: 30, eigEvery: 10, speed: 100, forMs: 20_000 });
    const achieved = r.steps / (r.ms / 1000);
    expect(achieved).toBeGreaterThan(97);
    expect(achieved).toBeLessThan(103);
  });
});

describe('ChunkPlanner limits', () => {
  test('a clock far from zero does not stall the pacer on rounding (waits move the clock)', () => {
    for (const startMs of [3993.4, 4104.9, 1e6 + 0.3, 1e9 + 0.3]) {
      const r = simulate({ stepMs: () => 0.05, eigMs: 1, eigEvery: 10, speed: 2000, forMs: 2000, startMs });
      expect(r.steps).toBeGreaterThan(0.97 * 4000);
      expect(r.steps).toBeLessThan(1.03 * 4000);
    }
  });

  test('never plans past the run limit, and plans nothing at the limit', () => {
    let t = 0;
    const p = new ChunkPlanner({ now: () => t });
    p.reset(0);
    p.start(0);
    p.record(1, 0, 0.001); // very cheap steps: the budget alone would allow many
    expect(p.next(10, 3)).toEqual({ steps: 3, waitMs: 0 });
    expect(p.next(10, 0)).toEqual({ steps: 0, waitMs: 0 });
    t += 1;
  });
});
