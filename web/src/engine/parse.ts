// Checks the shape of a message sent to the engine worker before it is acted on:
// a message from the page is just structured-clone data, so every field is checked
// here and a bad one is answered with an error naming it. The values' ranges (a
// config's fields, a step size) are the engine's business and checked there.

import { assertNever, type EngineConfigInput, type ToWorker } from './protocol';

export type Parsed = { ok: true; msg: ToWorker } | { ok: false; id: number; message: string };

const TYPES = ['create', 'play', 'pause', 'setLr', 'setBeta', 'info', 'stop', 'fit', 'setBatch', 'threads'] as const satisfies readonly ToWorker['type'][];

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isInt(x: unknown, lo: number, hi: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;
}

/** A short description of a wrong value for an error message. */
export function describe(x: unknown): string {
  if (typeof x === 'string') return `'${x}'`;
  if (x === null || typeof x !== 'object') return String(x);
  return Array.isArray(x) ? 'an array' : 'an object';
}

export function parseToWorker(data: unknown): Parsed {
  if (!isObject(data)) return { ok: false, id: -1, message: `message must be an object with 'type' and 'id', got ${describe(data)}` };
  const id = data.id;
  if (typeof id !== 'number' || !Number.isFinite(id)) {
    return { ok: false, id: -1, message: `message must have a numeric 'id', got ${describe(id)}` };
  }
  const type = data.type;
  if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
    return { ok: false, id, message: `unknown message type ${describe(type)} (expected one of ${TYPES.join(', ')})` };
  }
  const message = checkFields(type as ToWorker['type'], data);
  if (message !== null) return { ok: false, id, message: `${type}: ${message}` };
  return { ok: true, msg: build(type as ToWorker['type'], id, data) };
}

/** null when the fields of a message of this type are well formed, else what is wrong. */
function checkFields(type: ToWorker['type'], data: Record<string, unknown>): string | null {
  switch (type) {
    case 'create':
      return isObject(data.config) ? null : `'config' must be an object, got ${describe(data.config)}`;
    case 'play':
      if (typeof data.speed !== 'number' || !(data.speed >= 0) || !Number.isFinite(data.speed)) {
        return `'speed' must be a finite number >= 0 (0 = as fast as possible), got ${describe(data.speed)}`;
      }
      if (!isInt(data.until, 0, Number.MAX_SAFE_INTEGER)) {
        return `'until' must be an integer in [0, ${Number.MAX_SAFE_INTEGER}] (0 = never), got ${describe(data.until)}`;
      }
      return null;
    case 'setLr':
      return typeof data.lr === 'number' ? null : `'lr' must be a number, got ${describe(data.lr)}`;
    case 'setBeta':
      return typeof data.beta === 'number' ? null : `'beta' must be a number, got ${describe(data.beta)}`;
    case 'setBatch':
      return typeof data.batch === 'number' ? null : `'batch' must be a number, got ${describe(data.batch)}`;
    case 'pause':
    case 'info':
    case 'stop':
      return null;
    case 'fit':
      if (typeof data.every !== 'number' || !(data.every >= 0) || !Number.isFinite(data.every)) {
        return `'every' must be a finite number of ms >= 0 (0 = no fit reports), got ${describe(data.every)}`;
      }
      return null;
    case 'threads':
      if (typeof SharedArrayBuffer !== 'function' || !(data.budget instanceof SharedArrayBuffer)) {
        return `'budget' must be a SharedArrayBuffer, got ${describe(data.budget)}`;
      }
      if (!isInt(data.slot, -1, data.budget.byteLength / 4 - 1)) return `'slot' must be an integer in [-1, ${data.budget.byteLength / 4 - 1}], got ${describe(data.slot)}`;
      return isInt(data.total, 1, 64) ? null : `'total' must be an integer in [1, 64], got ${describe(data.total)}`;
    default:
      return assertNever(type);
  }
}

/** The typed message, from fields that checkFields accepted (unknown extra keys are dropped). */
function build(type: ToWorker['type'], id: number, data: Record<string, unknown>): ToWorker {
  switch (type) {
    case 'create':
      return { type, id, config: data.config as EngineConfigInput };
    case 'play':
      return { type, id, speed: data.speed as number, until: data.until as number };
    case 'setLr':
      return { type, id, lr: data.lr as number };
    case 'setBeta':
      return { type, id, beta: data.beta as number };
    case 'setBatch':
      return { type, id, batch: data.batch as number };
    case 'pause':
    case 'info':
    case 'stop':
      return { type, id };
    case 'fit':
      return { type, id, every: data.every as number };
    case 'threads':
      return { type, id, budget: data.budget as SharedArrayBuffer, slot: data.slot as number, total: data.total as number };
    default:
      return assertNever(type);
  }
}
