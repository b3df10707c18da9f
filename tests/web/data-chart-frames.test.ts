// Unit tests of when the data chart (web/src/charts/data.ts) makes its Chart.js chart: not in
// its constructor (the mount task of <eos-lab>) but in a later frame, through frames.ts
// onChartFrame, as the sweep and valley charts do. The run given before the chart exists is
// drawn when it is made, and a destroy before that frame cancels the make. Runs in Node:
// Chart.js is replaced by a recorder, and the few DOM calls the figure makes by small fakes;
// requestAnimationFrame is a queue that the test runs frame by frame.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const made = vi.hoisted(() => [] as { canvas: unknown; data: { datasets: { label?: string; data: unknown[] }[] }; update: () => void; destroyed: boolean }[]);

vi.mock('chart.js', () => {
  class Chart {
    static register(): void {}
    data: { datasets: { label?: string; data: unknown[] }[] };
    options: { scales: Record<string, { grid?: object }> };
    destroyed = false;
    update = vi.fn();
    constructor(
      readonly canvas: unknown,
      config: { data: Chart['data']; options: Chart['options'] },
    ) {
      this.data = config.data;
      this.options = config.options;
      // Chart.js resolves every scale's options with its defaults; the chart reads `grid` among them.
      for (const s of Object.values(this.options.scales)) s.grid ??= {};
      made.push(this);
    }
    destroy(): void {
      this.destroyed = true;
    }
  }
  const part = {};
  return { Chart, Legend: part, LineElement: part, LinearScale: part, PointElement: part, ScatterController: part, Tooltip: part };
});

import { DataChart } from '../../web/src/charts/data';
import type { DatasetView } from '../../web/src/engine/protocol';
import { FitHistory } from '../../web/src/runs/fits';
import type { Run } from '../../web/src/runs/run';

/** Just enough of an element for the figure the data chart builds. */
class FakeEl {
  children: FakeEl[] = [];
  parent: FakeEl | null = null;
  attrs: Record<string, string> = {};
  dataset: Record<string, string> = {};
  classes = new Set<string>();
  classList = { toggle: (c: string, on?: boolean) => ((on ?? !this.classes.has(c)) ? this.classes.add(c) : this.classes.delete(c)) };
  className = '';
  textContent = '';
  constructor(readonly tag: string) {}
  setAttribute(k: string, v: string): void {
    this.attrs[k] = v;
  }
  addEventListener(): void {}
  append(...els: FakeEl[]): void {
    for (const e of els) {
      e.parent = this;
      this.children.push(e);
    }
  }
  remove(): void {
    if (this.parent) this.parent.children = this.parent.children.filter((c) => c !== this);
    this.parent = null;
  }
  get isConnected(): boolean {
    return this.parent !== null;
  }
}

// requestAnimationFrame as a queue: frames(n) runs n frames, each with the callbacks queued before it.
let queue = new Map<number, FrameRequestCallback>();
let nextId = 1;
let now = 1000; // frame times keep rising across tests: frames.ts's ledger is per frame time

function frames(n: number): void {
  for (let i = 0; i < n; i++) {
    now += 16;
    const due = [...queue.values()];
    queue = new Map();
    for (const cb of due) cb(now);
  }
}

beforeEach(() => {
  made.length = 0;
  queue = new Map();
  vi.stubGlobal('document', { createElement: (tag: string) => new FakeEl(tag), documentElement: new FakeEl('html') });
  vi.stubGlobal('getComputedStyle', () => ({ getPropertyValue: () => '' }));
  vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => {
    queue.set(nextId, cb);
    return nextId++;
  });
  vi.stubGlobal('cancelAnimationFrame', (id: number) => queue.delete(id));
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const parent = () => new FakeEl('div') as unknown as HTMLElement;

/** A 1-D dataset view: 3 training points, the target and the network's curve on 5 points. */
const VIEW = {
  kind: 'curve', n: 3, dOut: 1, classification: false, nx: 5, ny: 1, x0: -1, x1: 1, y0: -1, y1: 1,
  points: new Float32Array([-1, 1, 0, 0, 1, 1]), target: new Float32Array([1, 0.25, 0, 0.25, 1]),
} as unknown as DatasetView;

function run(): Run {
  const fit = new FitHistory(VIEW);
  fit.push({ step: 100, kind: 'curve', cells: 5, dOut: 1, values: new Float32Array([0, 0, 0, 0, 0]) } as never, 0.5);
  fit.push({ step: 200, kind: 'curve', cells: 5, dOut: 1, values: new Float32Array([0.9, 0.3, 0.1, 0.3, 0.9]) } as never, 0.1);
  return { id: 7, color: '#1c7ed6', status: 'running', spec: { opt: 'gd', lr: 0.3 }, fit, records: { rows: 0 } } as unknown as Run;
}

describe('DataChart makes its Chart.js chart in a later frame (onChartFrame)', () => {
  it('no chart right after construction; the chart exists after a frame', () => {
    const c = new DataChart(parent());
    expect(made).toHaveLength(0);
    expect(c.stats.draws).toBe(0);
    frames(1);
    expect(made).toHaveLength(1);
    expect(made[0].canvas).toBe(c.canvas);
    c.destroy();
    expect(made[0].destroyed).toBe(true);
  });

  it('the run set before the chart exists is drawn when it is made, at its latest snapshot', async () => {
    const c = new DataChart(parent());
    c.setRun(run());
    c.draw(); // a forced draw (an export, the page's hook) before the chart: nothing to draw into yet
    await new Promise((r) => setTimeout(r, 0)); // invalidate()'s timer: its redraw waits for a frame too
    expect(made).toHaveLength(0);
    expect(c.stats.draws).toBe(0);
    frames(1);
    expect(made).toHaveLength(1);
    const sets = made[0].data.datasets;
    expect(sets.map((d) => d.label)).toEqual(['target', 'network f(x)', 'training points']);
    expect((sets[1].data as { y: number }[]).map((p) => Number(p.y.toFixed(3)))).toEqual([0.9, 0.3, 0.1, 0.3, 0.9]);
    expect(sets[2].data).toHaveLength(3);
    expect(c.stats).toMatchObject({ kind: 'curve', step: 200, live: true });
    expect(c.figure.dataset.step).toBe('200');
    // The redraw invalidate() asked for runs after the make and finds nothing new to show.
    const draws = c.stats.draws;
    frames(2);
    expect(c.stats.draws).toBe(draws);
    c.destroy();
  });

  it('one new chart per frame on the page: a second figure waits for the next frame', () => {
    const a = new DataChart(parent());
    const b = new DataChart(parent());
    frames(1);
    expect(made.map((m) => m.canvas)).toEqual([a.canvas]);
    frames(1);
    expect(made.map((m) => m.canvas)).toEqual([a.canvas, b.canvas]);
    a.destroy();
    b.destroy();
  });

  it('destroy before the frame cancels the make: no chart, no error, the figure removed', () => {
    const p = parent();
    const c = new DataChart(p);
    c.setRun(run());
    expect(() => c.destroy()).not.toThrow();
    expect(queue.size).toBe(0);
    expect(() => frames(5)).not.toThrow();
    expect(made).toHaveLength(0);
    expect((p as unknown as FakeEl).children).toHaveLength(0);
  });
});
