// BusyReporter and the failure sentences (web/src/engine/busy.ts) with a fake clock:
// silent for the first second of an engine call, then at most one `busy` per
// 250 ms; reports outside a call or unreadable ones are ignored and never throw.
import { describe, expect, test } from 'vitest';
import { BusyReporter, describeThrown, failureMessage } from '../../web/src/engine/busy';

function reporter() {
  const clock = { t: 0 };
  const posted: { ms: number; what: string; hvps: number }[] = [];
  const r = new BusyReporter({ now: () => clock.t, post: (m) => posted.push(m) });
  return { clock, posted, r };
}

describe('BusyReporter', () => {
  test('silent for 1 s, then at most 4 messages per second, with ms since the call began', () => {
    const { clock, posted, r } = reporter();
    clock.t = 500;
    r.begin();
    for (let i = 1; i <= 400; i++) {
      clock.t += 10; // a report every 10 ms for 4 s
      r.report({ what: 'eigs', step: 3, k: 5, hvps: i });
    }
    r.end();
    expect(posted[0]).toMatchObject({ type: 'busy', what: 'eigs', step: 3, k: 5, ms: 1010, hvps: 101 });
    expect(posted.length).toBe(12); // 1.01 s, 1.26 s, ..., 3.76 s
    for (let i = 1; i < posted.length; i++) expect(posted[i].ms - posted[i - 1].ms).toBe(250);
    expect(r.last).toMatchObject({ hvps: 400 });
  });

  test('a new call starts the second again; reports outside a call are ignored', () => {
    const { clock, posted, r } = reporter();
    r.begin();
    clock.t = 1500;
    r.report({ what: 'step', step: 1, k: 0, hvps: 0 });
    expect(posted).toHaveLength(1);
    r.end();
    clock.t = 5000;
    r.report({ what: 'step', step: 2, k: 0, hvps: 0 });
    expect(posted).toHaveLength(1);
    r.begin();
    clock.t = 5900;
    r.report({ what: 'step', step: 2, k: 0, hvps: 0 });
    expect(posted).toHaveLength(1);
    expect(r.last).toMatchObject({ step: 2 });
  });

  test('unreadable reports are ignored; BigInt fields become numbers; a throwing post does not escape', () => {
    const clock = { t: 0 };
    const r = new BusyReporter({
      now: () => clock.t,
      post: () => {
        throw new Error('channel closed');
      },
    });
    r.begin();
    clock.t = 2000;
    for (const bad of [null, 3, 'eigs', { what: 'other' }]) expect(() => r.report(bad)).not.toThrow();
    expect(r.last).toBeNull();
    expect(() => r.report({ what: 'eigs', step: 7n, k: 2, hvps: 9 })).not.toThrow();
    expect(r.last).toEqual({ what: 'eigs', step: 7, k: 2, hvps: 9 });
  });
});

describe('failure messages', () => {
  test('what was thrown, readably', () => {
    expect(describeThrown(new Error('std::bad_alloc'))).toBe('out of memory (std::bad_alloc)');
    expect(describeThrown(new RangeError(''))).toBe('RangeError');
    expect(describeThrown('oops')).toBe('oops');
    expect(describeThrown(77)).toBe('the engine aborted with an uncaught C++ exception (77)');
    expect(describeThrown(undefined)).toBe('the engine threw a non-error value (undefined)');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeThrown(cyclic)).toBe('the engine threw a non-error value ([object Object])');
  });

  test('where it happened: the last report first, else the step, else the chunk', () => {
    const base = { last: null, step: null, eigs: 0, chunkStart: 40, chunkSteps: 10 };
    const e = new Error('std::bad_alloc');
    expect(failureMessage(e, { ...base, last: { what: 'eigs', step: 0, k: 10, hvps: 38 } })).toBe(
      'out of memory (std::bad_alloc) while computing the top 10 eigenvalues at step 0',
    );
    expect(failureMessage(e, { ...base, last: { what: 'eigs', step: 5, k: 1, hvps: 3 } })).toMatch(/while computing the top eigenvalue at step 5$/);
    expect(failureMessage(e, { ...base, last: { what: 'step', step: 9, k: 0, hvps: 0 } })).toMatch(/ at step 9$/);
    expect(failureMessage(e, { ...base, step: 42, eigs: 3 })).toMatch(/ at step 42 \(which computes the top 3 eigenvalues\)$/);
    expect(failureMessage(e, { ...base, step: 43 })).toMatch(/ at step 43$/);
    expect(failureMessage(e, base)).toMatch(/ in steps 40–49$/);
    expect(failureMessage(e, { ...base, chunkSteps: 1 })).toMatch(/ at step 40$/);
    expect(failureMessage(e, { ...base, chunkStart: NaN, chunkSteps: 0 })).toMatch(/\) while playing$/);
  });
});
