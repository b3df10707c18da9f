// Loading a saved run back: the page's JSON export (export.ts toJSON) is read into frozen
// runs, drawn over the live ones with their records as saved, and the settings each was run
// with (the export's query, with that run's optimiser), so the reader can start a live run
// from them. A file that is not such an export is refused with a message that says what is
// wrong and where (`run 2: records.loss has 10 entries, records.rows says 12`).
// Rows come back as stored: a run short enough to be stored exactly (records.ts keeps up to
// 8,192 rows exactly) round-trips row for row. A longer run's stored rows are stored again:
// the newest stay exact, the oldest are bucketed once more by their last values, so the
// oldest part of its curve is drawn coarser than in the page that saved it.

import type { ExportedRun } from './export';
import { type RecordArrays, ROW_COLUMNS, RunRecords } from './records';
import { type Run, PALETTE } from './run';
import type { RunStatus } from '../engine/protocol';
import { type AppState, type RunSpec, OPTIMISERS, SCHEMA, withRuns } from '../state/schema';
import { parseQuery } from '../state/url';

/** A run loaded from a file: drawn, never stepped. */
export interface FrozenRun extends Run {
  /** The file it came from. */
  file: string;
  /** The settings to start a live run from ("apply these settings"). */
  settings: AppState;
  /** The run as it was saved (id, label, status). */
  saved: Pick<ExportedRun, 'id' | 'label' | 'phase'>;
}

export type ImportResult = { ok: true; runs: FrozenRun[]; notes: string[] } | { ok: false; error: string };

// Every optimiser of the engine's field table (adam, rmsprop and central runs reload too).
const OPTS = new Set<string>(OPTIMISERS);
const STATUSES = new Set<RunStatus>(['idle', 'playing', 'paused', 'diverged', 'done', 'failed']);
/** Frozen runs get ids below zero, so they never meet a live run's id. */
let nextId = -1;

class Bad extends Error {}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A numeric array of `n` entries (null stands for a non-finite number, as toJSON writes it). */
function numbers(v: unknown, n: number, where: string): number[] {
  if (!Array.isArray(v)) throw new Bad(`${where} is missing or not an array`);
  if (v.length !== n) throw new Bad(`${where} has ${v.length} entries, records.rows says ${n}`);
  return v.map((x, i) => {
    if (x === null) return NaN;
    if (typeof x !== 'number') throw new Bad(`${where}[${i}] is ${JSON.stringify(x)}, not a number`);
    return x;
  });
}

/** Rebuilds the records: every stored row (its last values) and every eigenvalue row. */
function recordsFrom(rec: unknown, where: string): RunRecords {
  if (!isObj(rec)) throw new Bad(`${where}.records is missing`);
  const rows = rec.rows;
  if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 0) throw new Bad(`${where}: records.rows must be a whole number ≥ 0`);
  const k = rec.k;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > 64) throw new Bad(`${where}: records.k must be a whole number in [1, 64]`);
  const cols = ROW_COLUMNS.map((c) => Float64Array.from(numbers(rec[c], rows, `${where}: records.${c}`)));
  for (let i = 1; i < rows; i++) {
    if (!(cols[0][i] > cols[0][i - 1])) throw new Bad(`${where}: records.step is not increasing at row ${i}`);
  }
  const out = new RunRecords(k);
  if (rows > 0) out.store.pushColumns(cols, 0, rows);
  const eig = rec.eig;
  if (!isObj(eig)) throw new Bad(`${where}: records.eig is missing`);
  const values = eig.values;
  if (!Array.isArray(values)) throw new Bad(`${where}: records.eig.values is missing or not an array`);
  const ne = values.length;
  const step = numbers(eig.step, ne, `${where}: records.eig.step`);
  const time = numbers(eig.time, ne, `${where}: records.eig.time`);
  const lr = numbers(eig.lr, ne, `${where}: records.eig.lr`);
  const row = new Float64Array(3 + k);
  for (let e = 0; e < ne; e++) {
    const v = numbers(values[e], k, `${where}: records.eig.values[${e}]`);
    row[0] = step[e];
    row[1] = time[e];
    row[2] = lr[e];
    row.set(v, 3);
    out.eigStore.push(row);
  }
  return out;
}

/** The settings a run was made with: the export's query (problem, view), that run's optimiser. */
function settingsOf(query: string | null, config: Record<string, unknown>, spec: RunSpec, notes: string[]): AppState {
  let q = query;
  if (q === null) {
    // No query (a bare list of runs): the engine config's fields that the page knows.
    const p = new URLSearchParams();
    for (const [key, v] of Object.entries(config)) {
      if (key in SCHEMA && v !== null && v !== undefined && key !== 'opt' && key !== 'lr' && key !== 'beta') p.set(key, String(v));
    }
    q = p.toString();
  }
  const { state, messages } = parseQuery(q);
  for (const m of messages) if (!notes.includes(m)) notes.push(m);
  state.sweep = null; // one run, not the sweep it may have been part of
  return withRuns(state, [spec]);
}

/** Parses a saved JSON export into frozen runs, or says what is wrong with it. */
export function importSaved(text: string, file: string): ImportResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${file} is not a JSON file (${(e as Error).message}).` };
  }
  const runsRaw = Array.isArray(data) ? data : isObj(data) ? data.runs : undefined;
  if (!Array.isArray(runsRaw)) {
    return { ok: false, error: `${file} is not an EoS Lab export: it has no "runs" list (save one with Export → JSON).` };
  }
  if (runsRaw.length === 0) return { ok: false, error: `${file} holds no runs.` };
  const query = isObj(data) && typeof data.query === 'string' ? data.query : null;
  const notes: string[] = [];
  const runs: FrozenRun[] = [];
  try {
    runsRaw.forEach((r, i) => {
      const where = `run ${i + 1}`;
      if (!isObj(r)) throw new Bad(`${where} is not an object`);
      const opt = r.opt;
      if (typeof opt !== 'string' || !OPTS.has(opt)) throw new Bad(`${where}: opt must be one of ${OPTIMISERS.join('|')}, not ${JSON.stringify(opt)}`);
      const lr = r.lr;
      if (typeof lr !== 'number' || !(lr > 0)) throw new Bad(`${where}: lr must be a number > 0, not ${JSON.stringify(lr)}`);
      const beta = typeof r.beta === 'number' && r.beta >= 0 && r.beta < 1 ? r.beta : SCHEMA.beta.default;
      const config = isObj(r.config) ? r.config : {};
      const spec = { opt, lr, beta } as RunSpec;
      const records = recordsFrom(r.records, where);
      const phase = typeof r.phase === 'string' && STATUSES.has(r.phase as RunStatus) ? (r.phase as RunStatus) : 'done';
      runs.push({
        id: nextId--,
        color: PALETTE[PALETTE.length - 1 - (i % PALETTE.length)], // from the palette's end: apart from the live runs'
        spec,
        records,
        status: phase === 'playing' || phase === 'idle' ? 'paused' : phase,
        info: null,
        error: typeof r.error === 'string' ? r.error : null,
        busy: null,
        divergedAt: typeof r.divergedAt === 'number' ? r.divergedAt : null,
        stepsPerSecond: 0,
        extendedTo: null,
        note: null,
        file,
        settings: settingsOf(query, config, spec, notes),
        saved: { id: typeof r.id === 'number' ? r.id : i + 1, label: typeof r.label === 'string' ? r.label : '', phase },
      });
    });
  } catch (e) {
    if (e instanceof Bad) return { ok: false, error: `${file} cannot be loaded: ${e.message}.` };
    throw e;
  }
  return { ok: true, runs, notes };
}

/** A frozen run's records as the JSON export writes them (for tests and re-export). */
export function frozenArrays(r: FrozenRun): RecordArrays {
  return r.records.toArrays();
}
