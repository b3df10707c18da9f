// No silent failure in the engine worker: an exception thrown by the engine while
// playing (std::bad_alloc arrives from the module's error bridge as an Error; a
// non-Error throw is possible too) posts `failed` with a readable message, the
// run's status becomes 'failed', and the worker stays usable. And `busy`
// messages: forwarded from the RunHandle's progress hook (when the module has
// one) once an engine call has lasted more than a second, at most 4 per second.
// The engine is the real module with its RunHandles wrapped (worker-harness.ts).
// Run: npx vitest run --config tests/wasm/vitest.config.ts
import { beforeAll, describe, expect, test } from 'vitest';
import type { EosModule } from 'eoslab-wasm';
import { loadEngine } from '../../web/src/engine/loader';
import { harness, SMALL, wrapModule } from './worker-harness';

let mod: EosModule;
beforeAll(async () => {
  mod = await loadEngine();
});

/** The real module, but RunHandle.step throws `thrown` once the run has reached step `at`. */
function throwingModule(at: number, thrown: () => unknown): EosModule {
  return wrapModule(mod, (h) => ({
    step(n: number) {
      const s = h.info().step;
      if (s + n > at) {
        if (s < at) h.step(at - s); // the steps before the failing one happen, as in the engine
        throw thrown();
      }
      return h.step(n);
    },
  }));
}

type Hook = (p: unknown) => void;

/**
 * A RunHandle with a progress hook: each step of a chunk reports `reports` times,
 * `msPerReport` apart on the fake clock, as an eigenvalue computation (k = 10) on
 * eigenvalue steps and as a plain step otherwise.
 */
function progressModule(clock: { t: number }, reports: number, msPerReport: number, fail?: () => unknown): EosModule {
  return wrapModule(mod, (h) => {
    let hook: Hook | null = null;
    return {
      setProgress(fn: Hook) {
        hook = fn;
      },
      step(n: number) {
        const every = Number(h.config().eig_every);
        const s = h.info().step;
        for (let t = s; t < s + n; t++) {
          const eigs = every > 0 && t % every === 0;
          for (let i = 1; i <= reports; i++) {
            clock.t += msPerReport;
            hook?.(eigs ? { what: 'eigs', step: t, k: 10, hvps: i } : { what: 'step', step: t, k: 0, hvps: 0 });
          }
          if (fail) throw fail();
        }
        return h.step(n);
      },
    };
  });
}

describe('engine failures while playing', () => {
  test.each([
    ['std::bad_alloc from the error bridge', () => new Error('std::bad_alloc'), /^out of memory \(std::bad_alloc\) at step 7$/],
    ['an Error with the engine message', () => new Error('Lanczos broke down'), /^Lanczos broke down at step 7$/],
    ['a thrown number (a C++ exception pointer)', () => 1234, /^the engine aborted with an uncaught C\+\+ exception \(1234\) at step 7$/],
    ['a thrown plain object', () => ({ code: 3 }), /^the engine threw a non-error value \(\{"code":3\}\) at step 7$/],
    ['a thrown string', () => 'broken', /^broken at step 7$/],
  ])('%s: a failed message, status failed, and the worker stays usable', (_name, thrown, re) => {
    const h = harness(throwingModule(7, thrown));
    h.send({ type: 'create', config: { ...SMALL, eig_every: 0 } });
    h.send({ type: 'play', speed: 0, until: 100 });
    h.pump();
    const failed = h.of('failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].message).toMatch(re);
    expect(h.of('error')).toHaveLength(0);
    expect(h.core.status).toBe('failed');
    expect(h.tasks).toHaveLength(0);
    expect(h.reply(h.send({ type: 'info' }))).toMatchObject({ type: 'result', info: { status: 'failed', step: 7 } });
    expect(h.reply(h.send({ type: 'play', speed: 0, until: 0 }))).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/^the run failed \(.+\): send create to start a new one$/),
    });
    expect(h.reply(h.send({ type: 'setLr', lr: 0.1 }))).toMatchObject({ type: 'error' });
    // A new create works, and so does playing it (up to the wrapped module's failing step).
    expect(h.reply(h.send({ type: 'create', config: SMALL }))).toMatchObject({ type: 'result', info: { status: 'paused', step: 0 } });
    h.send({ type: 'play', speed: 0, until: 5 });
    h.pump();
    expect(h.progress().at(-1)!.info).toMatchObject({ status: 'done', step: 5 });
    h.core.dispose();
  });

  test('without progress reports, a failing eigenvalue step says so', () => {
    const h = harness(throwingModule(0, () => new Error('std::bad_alloc')));
    h.send({ type: 'create', config: { ...SMALL, eig_every: 1, neigs: 10 } });
    h.send({ type: 'play', speed: 0, until: 0 });
    h.pump();
    expect(h.of('failed')[0].message).toBe('out of memory (std::bad_alloc) at step 0 (which computes the top 10 eigenvalues)');
  });

  test('with progress reports, the message names the computation that failed', () => {
    const clock = { t: 0 };
    const h = harness(progressModule(clock, 3, 1, () => new Error('std::bad_alloc')), { clock });
    h.send({ type: 'create', config: { ...SMALL, eig_every: 1, neigs: 10 } });
    h.send({ type: 'play', speed: 0, until: 0 });
    h.pump();
    expect(h.of('failed').map((m) => m.message)).toEqual(['out of memory (std::bad_alloc) while computing the top 10 eigenvalues at step 0']);
    h.core.dispose();
  });

  test('an exception while paused (a bad setLr) is an error reply, not a failure', () => {
    const h = harness(mod);
    h.send({ type: 'create', config: SMALL });
    expect(h.reply(h.send({ type: 'setLr', lr: -5 }))).toMatchObject({ type: 'error' });
    expect(h.of('failed')).toHaveLength(0);
    expect(h.core.status).toBe('paused');
    h.core.dispose();
  });
});

describe('busy messages from the progress hook', () => {
  test('only after 1 s of one engine call, at most 4 per second, with what is being computed', () => {
    const clock = { t: 0 };
    // Step 0 computes eigenvalues: 60 reports 100 ms apart = one 6 s call.
    const h = harness(progressModule(clock, 60, 100), { clock });
    h.send({ type: 'create', config: { ...SMALL, eig_every: 1000 } });
    h.send({ type: 'play', speed: 0, until: 1 });
    h.pump();
    const busy = h.of('busy');
    // Reports at 1.1 s, 1.4 s, ..., 5.9 s: one per 300 ms (the first report ≥ 250 ms after the last post).
    expect(busy.length).toBeGreaterThanOrEqual(15);
    expect(busy.length).toBeLessThanOrEqual(4 * 5 + 1);
    expect(busy[0].ms).toBeGreaterThan(1000);
    expect(busy[0].ms).toBeLessThanOrEqual(1200);
    for (let i = 1; i < busy.length; i++) expect(busy[i].ms - busy[i - 1].ms).toBeGreaterThanOrEqual(250);
    expect(busy.at(-1)).toMatchObject({ type: 'busy', what: 'eigs', step: 0, k: 10, hvps: expect.any(Number) });
    expect(busy.at(-1)!.hvps).toBeGreaterThan(50);
    // Busy messages come before the chunk they belong to.
    const firstProgress = h.sent.findIndex((s) => s.msg.type === 'progress');
    expect(h.sent.findIndex((s) => s.msg.type === 'busy')).toBeLessThan(firstProgress);
    h.core.dispose();
  });

  test('short calls stay silent, and a module without the hook works as before', () => {
    const clock = { t: 0 };
    const h = harness(progressModule(clock, 2, 1), { clock });
    h.send({ type: 'create', config: SMALL });
    h.send({ type: 'play', speed: 0, until: 300 });
    h.pump();
    expect(h.steps()).toHaveLength(300);
    expect(h.of('busy')).toHaveLength(0);

    const plain = harness(mod);
    plain.send({ type: 'create', config: SMALL });
    plain.send({ type: 'play', speed: 0, until: 50 });
    plain.pump();
    expect(plain.steps()).toHaveLength(50);
    expect(plain.of('busy')).toHaveLength(0);
    h.core.dispose();
    plain.core.dispose();
  });
});
