// A run does not end while the reader is playing with it: a live change of η, β or the
// optimiser leaves the run at least EXTEND_STEPS steps to go (a finished run continues,
// through the worker's `play` with a larger `until`), and the card says how far it runs.
import { describe, expect, it } from 'vitest';
import type { ToWorker } from '../../web/src/engine/protocol';
import { type AppState, defaultState } from '../../web/src/state/schema';
import { EXTEND_STEPS, RunManager } from '../../web/src/runs/manager';
import { fakeFactory } from './fake-worker';

function setup(state: Partial<AppState>) {
  const f = fakeFactory();
  const m = new RunManager({ createWorker: f.create, now: () => 0 });
  m.load({ ...defaultState(), speed: 100, ...state });
  return { m, f };
}
const plays = (msgs: ToWorker[]) => msgs.filter((x): x is Extract<ToWorker, { type: 'play' }> => x.type === 'play').map((p) => p.until);

describe('live changes extend the run', () => {
  it('an η change near the end runs on to at least 2,000 steps from there, and says so', () => {
    const { m, f } = setup({ steps: 3000 });
    f.flushAll();
    m.play();
    f.run(2850);
    const r = m.runs[0];
    expect(r.info?.step).toBe(2850);
    expect(r.note).toBeNull();
    m.setLr(r.id, 0.15);
    expect(EXTEND_STEPS).toBe(2000);
    expect(r.extendedTo).toBe(4850);
    expect(r.note).toBe('η changed: running to step 4,850');
    expect(m.lengthOf(r)).toBe(4850);
    f.run(5000);
    expect(r.records.last('step')).toBe(4849);
    expect(r.status).toBe('done');
    expect(plays(f.made[0].received)).toEqual([3000, 4850]);
  });

  it('a finished run continues after an η change; early changes leave the length alone', () => {
    const { m, f } = setup({ steps: 500 });
    f.flushAll();
    m.play();
    f.run(1000);
    const r = m.runs[0];
    expect(r.status).toBe('done');
    expect(m.playing).toBe(false);
    m.setLr(r.id, 0.1);
    expect(r.status).toBe('playing');
    expect(m.playing).toBe(true);
    expect(r.note).toBe('η changed: running to step 2,500');
    f.run(3000);
    expect(r.records.rows).toBe(2500);
    // A second change with 2,000 steps still to go does not move the end.
    const { m: m2, f: f2 } = setup({ steps: 3000 });
    f2.flushAll();
    m2.play();
    f2.run(500);
    m2.setLr(m2.runs[0].id, 0.2);
    expect(m2.runs[0].extendedTo).toBeNull();
    expect(m2.runs[0].note).toBeNull();
  });

  it('β and optimiser changes extend too; an unbounded run (length 0) is left alone; Reset clears it', () => {
    const { m, f } = setup({ steps: 1000, opt: 'polyak', beta: 0.5, lr: 0.1 });
    f.flushAll();
    m.play();
    f.run(900);
    const r = m.runs[0];
    m.setBeta(r.id, 0.7);
    expect(r.note).toBe('β changed: running to step 2,900');
    m.reset();
    expect(r.extendedTo).toBeNull();
    expect(r.note).toBeNull();
    // An optimiser change restarts the run at step 0: with a run length under 2,000 it is extended.
    f.flushAll();
    m.updateRun(r.id, { opt: 'gd', lr: 0.1, beta: 0.5 });
    expect(r.note).toBe('optimiser changed: running to step 2,000');
    const { m: u, f: fu } = setup({ steps: 0 });
    fu.flushAll();
    u.play();
    fu.run(100);
    u.setLr(u.runs[0].id, 0.1);
    expect(u.runs[0].extendedTo).toBeNull();
  });
});
