// Unit tests of the stall rule (web/src/runs/stall.ts) on measured record traces: eos-run
// runs where η is halved (every 10th step, written by bench/stall-fixtures.mjs). The rule is
// evaluated on every prefix, as the page does while records arrive: it must never call a
// stall on a run that goes on to reach 0.9 × the new 2/η, and must call it within a few
// hundred steps on the runs that stall with the loss near zero.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STALL_RULE, detectStall, type LrChange, type StallInput } from '../../web/src/runs/stall';

interface Fixture {
  problem: string;
  what: string;
  changes: LrChange[];
  step: number[];
  loss: number[];
  eig1: (number | null)[];
  threshold: number[];
}

function load(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`./fixtures/stall-${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

/** The records up to and including index `end - 1`, as the page would hold them then. */
function prefix(f: Fixture, end: number, changes: LrChange[] = f.changes): StallInput {
  return {
    step: f.step.slice(0, end),
    loss: f.loss.slice(0, end),
    eig1: f.eig1.slice(0, end).map((x) => (x === null ? NaN : x)),
    threshold: f.threshold.slice(0, end),
    lrChanges: changes.filter((c) => c.step <= f.step[end - 1]),
  };
}

/** The first step at which the rule says "stalled", or null. */
function firstStall(f: Fixture): number | null {
  for (let end = 1; end <= f.step.length; ++end) if (detectStall(prefix(f, end)).stalled) return f.step[end - 1];
  return null;
}

/** The first step after the drop at which the sharpness reaches 0.9 × 2/η, or null. */
function reached(f: Fixture): number | null {
  const drop = f.changes[0].step;
  for (let i = 0; i < f.step.length; ++i) {
    const e = f.eig1[i];
    if (f.step[i] >= drop && e !== null && e >= STALL_RULE.reachFrac * f.threshold[i]) return f.step[i];
  }
  return null;
}

describe('stall rule on measured traces', () => {
  // Runs whose sharpness climbs to the new line: never a stall, at any prefix.
  for (const name of ['default-early', 't4-slow', 't5-dip']) {
    it(`${name}: climbs to the new 2/η, never called a stall`, () => {
      const f = load(name);
      expect(reached(f), f.what).not.toBeNull();
      expect(firstStall(f), f.what).toBeNull();
      expect(detectStall(prefix(f, f.step.length)).reason).toMatch(/reached the new 2\/η/);
    });
  }

  // The slow climber has the loss below 10% long before it arrives: the rate separates it.
  it('t4-slow: while slow with a small loss, the reason says it is still climbing', () => {
    const f = load('t4-slow');
    const i = f.step.indexOf(f.changes[0].step + 800);
    const v = detectStall(prefix(f, i + 1));
    expect(f.loss[i]).toBeLessThan(STALL_RULE.lossFrac * f.loss[0]);
    expect(v.stalled).toBe(false);
    expect(v.reason).toMatch(/still climbing/);
  });

  // The dip after an early drop: the sharpness falls, but the loss is far from zero.
  it('t5-dip: a dip with the loss still high is not called a stall', () => {
    const f = load('t5-dip');
    const i = f.step.indexOf(f.changes[0].step + 700);
    const v = detectStall(prefix(f, i + 1));
    expect(v.stalled).toBe(false);
    expect(v.reason).toMatch(/still climbing|loss is still/);
  });

  for (const name of ['default-late', 't3-fitted']) {
    it(`${name}: stalls below the new line with the loss near zero, called within 500 steps`, () => {
      const f = load(name);
      const drop = f.changes[0].step;
      expect(reached(f), f.what).toBeNull();
      const at = firstStall(f);
      expect(at).not.toBeNull();
      expect(at!).toBeGreaterThanOrEqual(drop + STALL_RULE.minSteps);
      expect(at!).toBeLessThanOrEqual(drop + 500);
      const v = detectStall(prefix(f, f.step.length));
      expect(v.stalled).toBe(true);
      expect(v.reason).toMatch(/loss is near zero/);
      expect(v.reason).toMatch(/progressive sharpening needs a loss that is still falling/);
    });
  }
});

describe('stall rule preconditions', () => {
  const f = load('t3-fitted');
  const all = f.step.length;
  it('no η change, or a raise, is never a stall', () => {
    expect(detectStall(prefix(f, all, [])).stalled).toBe(false);
    const raised: LrChange[] = [...f.changes, { step: f.changes[0].step + 100, lrOld: 0.1, lrNew: 0.15 }];
    const v = detectStall(prefix(f, all, raised));
    expect(v.stalled).toBe(false);
    expect(v.reason).toMatch(/raised/);
  });
  it('a β-only change (same η) does not count as lowering η', () => {
    const beta: LrChange[] = [{ step: 100, lrOld: 0.2, lrNew: 0.2 }];
    expect(detectStall(prefix(f, all, beta)).stalled).toBe(false);
  });
  it('too soon after the drop', () => {
    const i = f.step.indexOf(f.changes[0].step + 200);
    const v = detectStall(prefix(f, i + 1));
    expect(v.stalled).toBe(false);
    expect(v.reason).toMatch(/only 200 steps/);
  });
  it('empty records', () => {
    expect(detectStall({ step: [], loss: [], eig1: [], threshold: [], lrChanges: [] })).toEqual({
      stalled: false,
      reason: 'no records yet',
    });
  });
});
