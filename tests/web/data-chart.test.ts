// Unit tests of the data chart's pure parts: the heatmap painter (web/src/charts/heatmap.ts:
// class hue by arg-max, strength by the margin, the boundary pale; regression by sign),
// colour parsing, the curve's x positions, the snapshot history's thinning and look-ups
// (web/src/runs/fits.ts), the loss-spike finder, and the worker protocol's `fit` request.

import { describe, expect, it } from 'vitest';
import type { DatasetView, FitValues } from '../../web/src/engine/protocol';
import { parseToWorker } from '../../web/src/engine/parse';
import { CLASS_COLORS, curveX, paintHeatmap, parseColor } from '../../web/src/charts/heatmap';
import { FitHistory, lastSpike } from '../../web/src/runs/fits';

const BG: [number, number, number] = [255, 255, 255];
const COLORS = CLASS_COLORS.map((c) => parseColor(c)!);

function pixels(w: number, h: number) {
  return { data: new Uint8ClampedArray(4 * w * h), width: w, height: h };
}

describe('paintHeatmap', () => {
  it('colours each cell by its arg-max class, stronger with a larger margin, pale on the boundary', () => {
    const px = pixels(3, 1);
    // cell 0: class 0 by a wide margin; cell 1: a tie (the boundary); cell 2: class 1 by a wide margin.
    paintHeatmap(px, new Float32Array([5, -5, 0.3, 0.3, -4, 4]), 2, true, BG, COLORS);
    const at = (i: number) => Array.from(px.data.slice(4 * i, 4 * i + 4));
    const mix = (c: number[], a: number) => c.map((v, k) => Math.round(BG[k] + (v - BG[k]) * a));
    const near = (got: number[], want: number[]) => got.slice(0, 3).forEach((v, k) => expect(Math.abs(v - want[k])).toBeLessThanOrEqual(1));
    near(at(0), mix(COLORS[0], 0.55)); // 0.08 + 0.47 tanh(20)
    near(at(1), mix(COLORS[0], 0.08)); // a tie: the first class, at the weakest tint
    near(at(2), mix(COLORS[1], 0.55));
    expect(at(0)[3]).toBe(255);
  });

  it('takes the row-major cell order of the engine (row 0 = top row of the image)', () => {
    const px = pixels(2, 2);
    const v = new Float32Array([9, 0, 0, 9, 0, 9, 9, 0]); // cells (0,0) class 0, (0,1) class 1, (1,0) class 1, (1,1) class 0
    paintHeatmap(px, v, 2, true, BG, COLORS);
    const cls = (i: number) => (Math.abs(px.data[4 * i] - COLORS[0][0]) < Math.abs(px.data[4 * i] - COLORS[1][0]) ? 0 : 1);
    expect([0, 1, 2, 3].map(cls)).toEqual([0, 1, 1, 0]);
  });

  it('regression: blue above zero, orange below, background at zero; on a dark background too', () => {
    const dark: [number, number, number] = [13, 17, 23];
    const px = pixels(3, 1);
    paintHeatmap(px, new Float32Array([3, 0, -3]), 1, false, dark, COLORS);
    expect(Array.from(px.data.slice(4, 7))).toEqual(dark);
    expect(px.data[2]).toBeGreaterThan(px.data[0]); // blue-ish
    expect(px.data[8]).toBeGreaterThan(px.data[10]); // orange-ish
  });

  it('a NaN output (a diverged run) paints the background, not garbage', () => {
    const px = pixels(1, 1);
    paintHeatmap(px, new Float32Array([NaN, NaN]), 2, true, BG, COLORS);
    expect(Array.from(px.data)).toEqual([255, 255, 255, 255]);
  });
});

describe('colours and the curve', () => {
  it('parseColor reads hex and rgb() forms', () => {
    expect(parseColor('#0d1117')).toEqual([13, 17, 23]);
    expect(parseColor('#fff')).toEqual([255, 255, 255]);
    expect(parseColor(' rgb(1, 2, 3) ')).toEqual([1, 2, 3]);
    expect(parseColor('rgba(230, 237, 243, 0.09)')).toEqual([230, 237, 243]);
    expect(parseColor('papayawhip')).toBeNull();
  });

  it('curve points are evenly spaced with both ends included', () => {
    const v = { x0: -1, x1: 1, nx: 5 } as DatasetView;
    expect([0, 1, 2, 3, 4].map((c) => curveX(v, c))).toEqual([-1, -0.5, 0, 0.5, 1]);
  });
});

function fit(step: number): FitValues {
  return { step, kind: 'curve', cells: 1, dOut: 1, values: new Float32Array([step]) };
}

describe('FitHistory', () => {
  it('keeps at most `max` snapshots: the newest half at full rate, older ones thinned, the first kept', () => {
    const h = new FitHistory(null, 16);
    for (let t = 0; t < 200; t++) h.push(fit(t * 10), 1 / (t + 1));
    expect(h.snaps.length).toBeLessThanOrEqual(16);
    const steps = h.snaps.map((s) => s.step);
    expect(steps[0]).toBe(0);
    expect(steps[steps.length - 1]).toBe(1990);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(steps.slice(-8)).toEqual([1920, 1930, 1940, 1950, 1960, 1970, 1980, 1990]);
    expect(h.version).toBe(200);
  });

  it('a repeated step replaces the last snapshot; look-ups find the neighbours of a step', () => {
    const h = new FitHistory(null, 16);
    for (const t of [0, 100, 200, 300]) h.push(fit(t), NaN);
    h.push({ ...fit(300), values: new Float32Array([7]) }, 0.5);
    expect(h.snaps.map((s) => s.step)).toEqual([0, 100, 200, 300]);
    expect(h.latest!.values[0]).toBe(7);
    expect(h.atOrBefore(250)).toBe(2);
    expect(h.atOrBefore(-5)).toBe(0);
    expect(h.atOrAfter(101)).toBe(2);
    expect(h.atOrAfter(1000)).toBe(3);
  });
});

describe('lastSpike', () => {
  const steps = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('finds the last of two spikes: from the low before the rise to the top of the climb', () => {
    const loss = steps(1000).map((t) => 1 / (1 + t / 50));
    for (let t = 300; t < 310; t++) loss[t] = loss[299] * (1 + (t - 299)); // up to 11x
    for (let t = 700; t < 706; t++) loss[t] = loss[699] * (1 + 2 * (t - 699)); // up to 13x, peak at 705
    for (let t = 706; t < 712; t++) loss[t] = loss[699] * (13 - 2 * (t - 705));
    const s = lastSpike(steps(1000), loss)!;
    expect(s).not.toBeNull();
    expect(s.start).toBe(699);
    expect(s.peak).toBe(705);
    expect(s.to / s.from).toBeCloseTo(13, 6);
  });

  it('a smoothly falling loss, or wiggles under the ratio, have no spike', () => {
    expect(lastSpike(steps(500), steps(500).map((t) => Math.exp(-t / 100)))).toBeNull();
    expect(lastSpike(steps(500), steps(500).map((t) => 1 + 0.03 * Math.sin(t)))).toBeNull(); // at most 1.03/0.97 < 1.1
    expect(lastSpike([], [])).toBeNull();
  });
});

describe('protocol: fit request', () => {
  it('is checked like the other messages', () => {
    expect(parseToWorker({ type: 'fit', id: 3, every: 250 })).toEqual({ ok: true, msg: { type: 'fit', id: 3, every: 250 } });
    const bad = parseToWorker({ type: 'fit', id: 4, every: -1 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/^fit: 'every' must be .* got -1/);
  });
});
