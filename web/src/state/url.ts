// The URL query <-> app state. Parsing never throws: a bad value is reported (naming the
// parameter and what it accepts) and replaced by the preset's value; the query written
// back holds only what differs from the preset, so links stay short.

import { presetState } from './presets';
import { type AppState, type Field, type PresetName, FIELD_KEYS, OPT_DEFAULT_KEYS, SCHEMA, cloneState, followOpt, formatField, parseField, sameValue } from './schema';

export interface ParseResult {
  state: AppState;
  /** One message per rejected parameter, naming it and what it accepts. */
  messages: string[];
}

/** Parses a query string ("?lr=0.1&…" or URLSearchParams). Never throws. */
export function parseQuery(query: string | URLSearchParams): ParseResult {
  const messages: string[] = [];
  let params: URLSearchParams;
  try {
    params = typeof query === 'string' ? new URLSearchParams(query) : query;
  } catch {
    return { state: presetState(SCHEMA.preset.default), messages: ['the URL query could not be read; using defaults'] };
  }
  const seen = new Set<string>();
  const applied = new Set<string>(); // parameters whose value was taken
  // The preset first: it sets the baseline.
  let preset: PresetName = SCHEMA.preset.default;
  const presetRaw = params.get('preset');
  if (presetRaw !== null) {
    const r = parseField(SCHEMA.preset, presetRaw);
    if (r.ok) preset = r.value as PresetName;
    else messages.push(`preset: ${r.why}; using default ${SCHEMA.preset.default}`);
  }
  const state = presetState(preset);
  for (const [key, raw] of params) {
    if (key === 'preset') continue;
    if (seen.has(key)) {
      messages.push(`${key}: given more than once; using the first value`);
      continue;
    }
    seen.add(key);
    if (!(key in SCHEMA)) {
      messages.push(`${key}: unknown parameter, ignored`);
      continue;
    }
    const k = key as keyof AppState;
    const f = SCHEMA[k] as Field;
    const r = parseField(f, raw);
    if (r.ok) {
      (state as unknown as Record<string, unknown>)[k] = r.value;
      applied.add(k);
    } else messages.push(`${k}: ${r.why}; using default ${formatField(f, state[k]) || '(none)'}`);
  }
  // An optimiser given without a valid β₂ (or another optimiser-dependent field) gets that optimiser's default.
  followOpt(state, presetState(preset).opt, applied);
  return { state, messages };
}

/**
 * Query string (without "?") holding only the fields that differ from the preset's
 * baseline, in schema order, plus the preset itself unless it is the default.
 */
export function toQuery(s: AppState): string {
  // The baseline's optimiser-dependent fields follow s.opt, as parseQuery fills them in:
  // rmsprop's 0.99 is then implied, an explicit 0.999 written.
  const base = presetState(s.preset);
  const followed = followOpt({ ...cloneState(base), opt: s.opt }, base.opt);
  const parts: string[] = [];
  if (s.preset !== SCHEMA.preset.default) parts.push(`preset=${s.preset}`);
  for (const k of FIELD_KEYS) {
    if (k === 'preset') continue;
    const f = SCHEMA[k] as Field;
    const ref = (OPT_DEFAULT_KEYS as readonly string[]).includes(k) ? followed[k] : base[k];
    if (sameValue(s[k], ref)) continue;
    parts.push(`${k}=${encodeQueryValue(formatField(f, s[k]))}`);
  }
  return parts.join('&');
}

/** encodeURIComponent, but keeps "," and ":" readable (both are legal in a query). */
function encodeQueryValue(v: string): string {
  return encodeURIComponent(v).replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}
