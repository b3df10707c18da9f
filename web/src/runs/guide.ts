// What the page suggests to the reader about one run, from its records alone:
//  - when a GD-type run first reaches its edge (sharpness ≥ 0.95 × its threshold), offer to
//    halve η there and then: the network is still learning, so progressive sharpening
//    resumes and the sharpness climbs to the new 2/η (Cohen et al. 2021, Section 3);
//  - when the reader lowered η and the sharpness stalls below the new line (stall.ts, a rule
//    measured on eos-run traces), say why: the loss is near zero, so there is little left to
//    sharpen. That is the physics, not a failure.

import { ROW_COLUMNS, columnArray, EIG_STEP } from './records';
import { type LrChange, type StallInput, type StallVerdict, detectStall } from './stall';
import { type Run, thresholdName } from './run';

/** The line the card and the explanation show when the sharpness stalls after η was lowered. */
export const STALL_LINE =
  'the loss is near zero, so there is little left to sharpen; progressive sharpening needs a loss that is still falling';

/** The edge: the sharpness within 5% of its threshold (the paper's Figure 1 reads it the same way). */
export const EDGE_FRACTION = 0.95;

export interface Guide {
  /** Step at which the run first reached its edge, or null. */
  edgeAt: number | null;
  /** η has been lowered during the run (by the reader or a schedule). */
  lowered: boolean;
  /** Offer "Halve η now". */
  offerHalve: boolean;
  /** The one line under the offer: why now. */
  halveWhy: string;
  /** The stall rule's verdict after η was lowered (null before any lowering). */
  stall: StallVerdict | null;
}

/** The run's records as the stall rule reads them (one entry per row; eig1 NaN on rows without). */
export function stallInput(r: Run): StallInput {
  const s = r.records.store;
  const col = (name: (typeof ROW_COLUMNS)[number]) => columnArray(s, ROW_COLUMNS.indexOf(name), 'last');
  const step = col('step');
  const loss = col('loss');
  const lr = col('lr');
  const threshold = col('threshold');
  const e = r.records.eigStore;
  const eStep = columnArray(e, EIG_STEP, 'last');
  const eigAt = new Map<number, number>();
  eStep.forEach((st, i) => eigAt.set(st, r.records.eig(i, 0)));
  const eig1 = step.map((st) => eigAt.get(st) ?? NaN);
  const lrChanges: LrChange[] = [];
  for (let i = 1; i < lr.length; i++) if (lr[i] !== lr[i - 1]) lrChanges.push({ step: step[i], lrOld: lr[i - 1], lrNew: lr[i] });
  return { step, loss, eig1, threshold, lrChanges };
}

/** The first step at which eig1 ≥ EDGE_FRACTION × threshold, or null. */
export function edgeStep(input: StallInput): number | null {
  for (let i = 0; i < input.step.length; i++) {
    const v = input.eig1[i];
    const t = input.threshold[i];
    if (Number.isFinite(v) && Number.isFinite(t) && v >= EDGE_FRACTION * t) return input.step[i];
  }
  return null;
}

/** The guide for one run, from its records (pure: tests pass fake records). */
export function guideFrom(input: StallInput, opt: Run['spec']['opt'], ended: boolean): Guide {
  const edgeAt = opt === 'flow' ? null : edgeStep(input);
  const lowered = input.lrChanges.some((c) => c.lrNew < c.lrOld);
  const n = input.threshold.length;
  const thr = n > 0 ? input.threshold[n - 1] : NaN;
  const offerHalve = edgeAt !== null && !lowered && !ended && Number.isFinite(thr);
  const halveWhy = offerHalve
    ? `At the edge since step ${edgeAt}, and the network is still learning: halve η now and the sharpness can climb to the new line ${thresholdName(opt)} = ${Number((2 * thr).toPrecision(3))}.`
    : '';
  return { edgeAt, lowered, offerHalve, halveWhy, stall: lowered ? detectStall(input) : null };
}

const cache = new WeakMap<Run, { appended: number; guide: Guide }>();

/** The guide for a live run, recomputed at most every 20 new records. */
export function guideFor(r: Run): Guide {
  const c = cache.get(r);
  const appended = r.records.appended;
  if (c && appended >= c.appended && appended - c.appended < 20) return c.guide;
  const g = guideFrom(stallInput(r), r.spec.opt, r.status === 'diverged' || r.status === 'failed');
  cache.set(r, { appended, guide: g });
  return g;
}
