// A GD run's central flow on the page (Cohen, Damian et al., ICLR 2025): a second engine
// worker integrates it (opt central) from the run's initialisation, on the run's clock.
// Pacing: the flow plays toward the step its GD run has reached and never past it. While
// behind it plays flat out (speed 0: the worker's planner still cuts the work into ~15 ms
// chunks, so the worker answers pause, η and × between them and the page never freezes),
// so a flow switched on mid-run catches up; once level, each GD chunk moves its target
// and the flow follows at the run's pace. A live η or β change is applied to the flow at
// the GD step it was made at: a flow that is behind first plays to that step.
// (Split from manager.ts, which keeps the run's own transport.)

import type { FromWorker } from '../engine/protocol';
import { RunLink } from './link';
import { RunRecords } from './records';
import type { Run, WorkerFactory } from './run';
import type { ExportedRun } from './export';
import { type AppState, type RunSpec, engineConfig } from '../state/schema';

/** A GD run's export entry followed by its central flow's (same id, its own records), if it has one. */
export function withFlowExport(e: ExportedRun, r: Run, problem: AppState): ExportedRun[] {
  if (!r.flow) return [e];
  const spec: RunSpec = { opt: 'central', lr: r.spec.lr, beta: r.spec.beta };
  const flow: ExportedRun = {
    ...e,
    label: `${e.label} · central flow`,
    opt: 'central',
    config: engineConfig(problem, spec),
    error: r.flowError ?? null,
    records: r.flow.toArrays(),
  };
  return [e, flow];
}

/** A live change of the GD run, to be applied to its flow at step `at`. */
export type FlowChange = { at: number; lr: number } | { at: number; beta: number };

export class CentralFlow {
  private readonly link: RunLink;
  /** The flow's step (steps integrated so far), as its worker last reported it. */
  step = 0;
  private created = false;
  /** How far the flow may go: the step its GD run has reached. */
  private target = 0;
  /** The `until` of the play in force (0: none sent since the last stop). */
  private until = 0;
  /** The reader paused the run: no play until resume(). */
  private held = false;
  /** The flow diverged or failed: nothing more to play. */
  private ended = false;
  /** Live changes the flow has not reached yet, in step order. */
  private readonly pending: FlowChange[];

  /**
   * lr/beta: the values the GD run started with; changes: its live changes so far (a flow
   * switched on mid-run replays them at their steps).
   */
  constructor(
    private readonly run: Run,
    createWorker: WorkerFactory,
    problem: AppState,
    start: { lr: number; beta: number },
    changes: readonly FlowChange[],
    private readonly emit: (kind: 'status' | 'data', r: Run) => void,
  ) {
    this.pending = [...changes];
    this.link = new RunLink(createWorker, {
      message: (m, isCreate) => this.onMessage(m, isCreate),
      broken: (why) => {
        run.flowError = why;
        emit('status', run);
      },
    });
    run.flow = new RunRecords(problem.neigs, true);
    run.flowError = null;
    this.link.create(engineConfig(problem, { opt: 'central', lr: start.lr, beta: start.beta }), true);
  }

  /** The GD run has reached `step` (steps taken): the flow may go that far. */
  follow(step: number): void {
    if (step > this.target) this.target = step;
    this.drive();
  }

  /** A live change made at the GD run's step `at`. */
  change(c: FlowChange): void {
    this.pending.push(c);
    this.drive();
  }

  /** The reader's Pause: stop after the chunk in flight. */
  pause(): void {
    this.held = true;
    this.until = 0;
    this.link.send({ type: 'pause' });
  }

  /** The reader's Play or Step: catch up again. */
  resume(): void {
    this.held = false;
    this.drive();
  }

  close(): void {
    this.link.close();
  }

  /** Sends what is due: the live changes the flow has reached, then a play to the next stop. */
  private drive(): void {
    if (!this.created) return;
    while (this.pending.length > 0 && this.pending[0].at <= this.step) {
      const c = this.pending.shift()!;
      if ('lr' in c) this.link.send({ type: 'setLr', lr: c.lr });
      else this.link.send({ type: 'setBeta', beta: c.beta });
    }
    if (this.held || this.ended) return;
    // The next stop: the GD run's step, or an earlier pending change (until 0 would mean "never stop").
    const stop = this.pending.length > 0 ? Math.min(this.target, this.pending[0].at) : this.target;
    if (stop > this.step && stop !== this.until) {
      this.until = stop;
      this.link.send({ type: 'play', speed: 0, until: stop });
    }
  }

  private onMessage(m: FromWorker, isCreate: boolean): void {
    const r = this.run;
    if (!r.flow) return;
    switch (m.type) {
      case 'progress':
        r.flow.append(m.chunk);
        this.step = m.info.step;
        if (m.info.status !== 'playing') this.until = 0;
        if (m.info.status === 'diverged' || m.info.status === 'failed') this.ended = true;
        this.emit('data', r);
        this.drive();
        return;
      case 'result':
        if (isCreate) {
          this.created = true;
          this.step = m.info.step;
          this.drive();
        }
        return;
      case 'busy':
      case 'dataset':
      case 'fit':
        return;
      case 'failed':
        this.ended = true;
        r.flowError = m.message;
        this.emit('status', r);
        return;
      case 'error':
        r.flowError = m.message;
        this.emit('status', r);
        return;
    }
  }
}
