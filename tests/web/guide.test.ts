// What the page suggests, from fake records: "Halve η now" once a GD-type run first reaches
// its edge (and not before, not for gradient flow, not once η was lowered); the stall line
// after η was lowered when the loss is near zero; the run card's notes.
import { describe, expect, it } from 'vitest';
import { EDGE_FRACTION, STALL_LINE, edgeStep, guideFrom } from '../../web/src/runs/guide';
import type { StallInput } from '../../web/src/runs/stall';

/**
 * Records every step 0..n-1, eigenvalues every 10 steps: the sharpness rises from 3 by
 * `rise` per step up to `cap` × the threshold; η (and 2/η) change at `dropAt` if given.
 */
function fake(n: number, o: { lr0?: number; dropAt?: number; lr1?: number; rise?: number; cap?: number; loss?: (t: number) => number }): StallInput {
  const lr0 = o.lr0 ?? 0.3;
  const step: number[] = [];
  const loss: number[] = [];
  const eig1: number[] = [];
  const threshold: number[] = [];
  let s = 3;
  for (let t = 0; t < n; t++) {
    const lr = o.dropAt !== undefined && t >= o.dropAt ? o.lr1! : lr0;
    const thr = 2 / lr;
    s = Math.min(s + (o.rise ?? 0.02), (o.cap ?? 1.0) * thr);
    step.push(t);
    loss.push(o.loss ? o.loss(t) : 1 / (1 + t / 100));
    threshold.push(thr);
    eig1.push(t % 10 === 0 ? s : NaN);
  }
  const lrChanges = o.dropAt !== undefined ? [{ step: o.dropAt, lrOld: lr0, lrNew: o.lr1! }] : [];
  return { step, loss, eig1, threshold, lrChanges };
}

describe('Halve η now', () => {
  it('is offered once the sharpness first reaches 0.95 × its threshold, and says why now', () => {
    // 2/η = 6.67; from 3 at +0.02 per step, 0.95 × 6.67 = 6.33 is reached at step 170 (first eigen-row ≥).
    const before = guideFrom(fake(150, {}), 'gd', false);
    expect(before.edgeAt).toBeNull();
    expect(before.offerHalve).toBe(false);
    const at = guideFrom(fake(400, {}), 'gd', false);
    expect(EDGE_FRACTION).toBe(0.95);
    expect(at.edgeAt).toBe(170);
    expect(at.offerHalve).toBe(true);
    expect(at.halveWhy).toContain('still learning');
    expect(at.halveWhy).toContain('2/η = 13.3');
    expect(at.stall).toBeNull();
  });

  it('is not offered for gradient flow, a diverged run, or once η has been lowered', () => {
    expect(guideFrom(fake(400, {}), 'flow', false).offerHalve).toBe(false);
    expect(guideFrom(fake(400, {}), 'gd', true).offerHalve).toBe(false);
    const lowered = guideFrom(fake(400, { dropAt: 300, lr1: 0.15 }), 'gd', false);
    expect(lowered.lowered).toBe(true);
    expect(lowered.offerHalve).toBe(false);
    // A raise is not a lowering: the offer stays.
    expect(guideFrom(fake(400, { dropAt: 300, lr1: 0.45 }), 'polyak', false).offerHalve).toBe(true);
  });

  it('names the line of the run\'s optimiser (every GD-type threshold doubles when η halves)', () => {
    expect(guideFrom(fake(400, {}), 'polyak', false).halveWhy).toContain('(2+2β)/η = 13.3');
    expect(guideFrom(fake(400, {}), 'nesterov', false).halveWhy).toContain('(2+2β)/((1+2β)η) = 13.3');
    expect(guideFrom(fake(400, {}), 'gd', false).halveWhy).not.toContain('β');
  });

  it('edgeStep skips rows without eigenvalues', () => {
    expect(edgeStep({ step: [0, 1, 2], loss: [1, 1, 1], eig1: [NaN, 9.6, 9.7], threshold: [10, NaN, 10], lrChanges: [] })).toBe(2);
  });
});

describe('the stall after lowering η', () => {
  it('says the loss is near zero when the sharpness stops short of the new line', () => {
    // At the edge (6.6 ≈ 2/0.3) until η is halved at step 1,000, the loss already at 1% of the
    // initial one; then the sharpness crawls (+0.0005 per step), far below 0.9 × 13.3.
    const base = fake(1500, { dropAt: 1000, lr1: 0.15, loss: (t) => (t < 200 ? 1 : 0.01) });
    const eig1 = Array.from(base.step, (t: number) => (t % 10 ? NaN : t < 1000 ? 6.6 : 6.6 + (t - 1000) * 0.0005));
    const g = guideFrom({ ...base, eig1 }, 'gd', false);
    expect(g.lowered).toBe(true);
    expect(g.stall?.stalled).toBe(true);
    expect(g.stall?.reason).toContain('so there is little left to sharpen; progressive sharpening needs a loss that is still falling');
    expect(STALL_LINE).toBe('the loss is near zero, so there is little left to sharpen; progressive sharpening needs a loss that is still falling');
  });

  it('is no stall while the loss is still falling, or once the new line is reached', () => {
    const learning = fake(1500, { dropAt: 1000, lr1: 0.15, rise: 0.0005, loss: () => 0.5 });
    expect(guideFrom(learning, 'gd', false).stall?.stalled).toBe(false);
    const climbing = fake(1500, { dropAt: 800, lr1: 0.15, rise: 0.05 });
    const g = guideFrom(climbing, 'gd', false);
    expect(g.stall?.stalled).toBe(false);
    expect(g.stall?.reason).toMatch(/reached the new 2\/η/);
  });
});
