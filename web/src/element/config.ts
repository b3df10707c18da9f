// What an <eos-lab> element (and embed.html, whose URL carries the same names) is
// configured by, parsed without touching the DOM so vitest can check it in Node:
//   - every field of the app's state schema (state/schema.ts SCHEMA), same names, same values
//     as the URL (lr="0.05" widths="20,20" compare="gd:0.1" preset="drop" ...);
//   - a few embed-only attributes: controls, hide, autoplay, href.
// A value that does not parse is an ERROR: the element shows the message and does not
// start (an author should see the mistake, not a silently different run). Unknown or
// repeated attributes are WARNINGS: shown, but it runs. A combination the engine refuses
// (ce on a regression dataset, …) starts, and its run shows the engine's message.

import {
  type AppState, type ChartKind, type Field, CHART_KINDS, FIELD_KEYS, SCHEMA, allowedText, formatField, parseField,
} from '../state/schema';
import { parseQuery } from '../state/url';

export const TAG = 'eos-lab';

/**
 * Names accepted by `controls` besides schema keys: `play` is the transport (Play/Pause,
 * Step, Reset, + Add run), `export` the CSV/JSON/PNG buttons, `depth` the hidden-layer
 * count next to the widths; `all` shows everything, `none` nothing.
 */
export const TOOL_CONTROLS = ['play', 'export', 'depth'] as const;
/** Schema keys that have no control of their own (compare runs are added with `play`'s + Add run). */
export const NO_CONTROL: readonly string[] = ['compare'];
export const CONTROL_NAMES: readonly string[] = [
  ...TOOL_CONTROLS,
  ...FIELD_KEYS.filter((k) => !NO_CONTROL.includes(k)),
];
export const CONTROL_WORDS = ['all', 'none'] as const;
export const DEFAULT_CONTROLS: readonly string[] = ['play', 'lr'];

/**
 * Parts that `hide` removes (TF Playground-style hide flags): the settings and transport
 * (`controls`), the run list, the explanation, the link to the full lab, and any chart.
 * Messages are never hidden: an invalid setting must always be visible.
 */
export const HIDE_PARTS = ['controls', 'runs', 'explain', 'link', ...CHART_KINDS] as const;
export type HidePart = (typeof HIDE_PARTS)[number];

/** Attributes of the element that are not state fields. */
export interface ExtraAttr {
  name: string;
  allowed: string;
  default: string;
  doc: string;
}
export const EXTRA_ATTRS: readonly ExtraAttr[] = [
  {
    name: 'controls',
    allowed: `${CONTROL_WORDS.join('|')}, or a comma-separated list of control names (below)`,
    default: DEFAULT_CONTROLS.join(','),
    doc: 'Which controls the reader gets. `play` = Play/Pause, Step, Reset, + Add run; a schema name = that setting; `all` = the full settings panel.',
  },
  {
    name: 'hide',
    allowed: `comma-separated: ${HIDE_PARTS.join('|')}`,
    default: '(none)',
    doc: 'Parts to leave out. `controls` removes every control (same as controls="none"); a chart name removes that chart.',
  },
  {
    name: 'autoplay',
    allowed: allowedText(SCHEMA.bias),
    default: '1',
    doc: 'Start training as soon as the element is scrolled into view (it pauses while out of view or in a background tab either way).',
  },
  {
    name: 'href',
    allowed: 'a URL (relative to the page)',
    default: '(none)',
    doc: 'Where the full EoS Lab lives; when set, the element links to it with the current settings ("Open in EoS Lab").',
  },
];
export const EXTRA_NAMES: readonly string[] = EXTRA_ATTRS.map((a) => a.name);

/** Every attribute the element reacts to (observedAttributes). */
export const OBSERVED_ATTRIBUTES: readonly string[] = [...FIELD_KEYS, ...EXTRA_NAMES];

/** Global HTML attributes (and framework/ARIA prefixes) that are not flagged as unknown. */
const GLOBAL_ATTRS = new Set([
  'id', 'class', 'style', 'title', 'lang', 'dir', 'hidden', 'tabindex', 'slot', 'part', 'exportparts', 'role',
  'accesskey', 'autofocus', 'contenteditable', 'draggable', 'enterkeyhint', 'inert', 'inputmode', 'is', 'nonce',
  'popover', 'spellcheck', 'translate', 'itemscope', 'itemprop', 'itemtype', 'itemid', 'itemref', 'name',
]);
function isGlobalAttr(name: string): boolean {
  return GLOBAL_ATTRS.has(name) || /^(data-|aria-|on)/.test(name) || /^(_ng|ng-|v-|x-|:|@)/.test(name);
}

export interface ViewConfig {
  /** Control names to show (already expanded: no 'all'/'none'). */
  controls: string[];
  /** The `all` word was used: show the whole settings panel. */
  allControls: boolean;
  hide: HidePart[];
  autoplay: boolean;
  href: string | null;
}

export interface ElementConfig {
  /** No errors: the element can run. */
  ok: boolean;
  state: AppState;
  view: ViewConfig;
  /** Blocking problems, one per attribute, naming it and what it accepts. */
  errors: string[];
  /** Non-blocking: unknown or repeated attributes. */
  warnings: string[];
}

function splitList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
}

/**
 * Closest known name for "did you mean" (optimal string alignment distance: a swap of two
 * neighbours counts as one edit), within 1 edit for names of up to 3 letters, else 2.
 */
export function suggest(name: string, known: readonly string[]): string | null {
  const limit = name.length <= 3 ? 1 : 2;
  let best: string | null = null;
  let bestD = limit + 1;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * Parses attributes (name, value pairs: an element's attributes, or embed.html's URL
 * parameters). Never throws. `kind` only changes the wording ("attribute"/"parameter").
 */
export function parseElementConfig(
  pairs: Iterable<readonly [string, string]>,
  kind: 'attribute' | 'parameter' = 'attribute',
): ElementConfig {
  const errors: string[] = [];
  const warnings: string[] = [];
  const fields = new URLSearchParams();
  const seen = new Set<string>();
  let controlsRaw: string | null = null;
  let hideRaw: string | null = null;
  let autoplay = true;
  let href: string | null = null;
  const known = [...FIELD_KEYS, ...EXTRA_NAMES];

  for (const [rawName, value] of pairs) {
    const name = rawName.toLowerCase();
    if (seen.has(name)) {
      warnings.push(`${name}: given more than once; using the first value`);
      continue;
    }
    seen.add(name);
    if (name in SCHEMA) {
      const f = SCHEMA[name as keyof AppState] as Field;
      const r = parseField(f, value);
      if (r.ok) fields.set(name, value);
      else errors.push(`${name}: ${r.why}`);
      continue;
    }
    switch (name) {
      case 'controls':
        controlsRaw = value;
        continue;
      case 'hide':
        hideRaw = value;
        continue;
      case 'autoplay': {
        const r = parseField(SCHEMA.bias, value === '' ? 'true' : value);
        if (r.ok) autoplay = r.value as boolean;
        else errors.push(`autoplay: ${r.why}`);
        continue;
      }
      case 'href':
        href = value.trim() || null;
        continue;
    }
    if (kind === 'attribute' && isGlobalAttr(name)) continue;
    const hint = suggest(name, known);
    warnings.push(`${name}: unknown ${kind}, ignored${hint ? ` (did you mean ${hint}?)` : ''}`);
  }

  // controls
  let controls = [...DEFAULT_CONTROLS];
  let allControls = false;
  if (controlsRaw !== null) {
    const items = splitList(controlsRaw);
    const bad = items.filter((c) => !CONTROL_NAMES.includes(c) && !(CONTROL_WORDS as readonly string[]).includes(c));
    if (bad.length) {
      errors.push(
        `controls: ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not a control; use ${CONTROL_WORDS.join('|')} or a comma-separated list of ${CONTROL_NAMES.join('|')}`,
      );
    } else if (items.includes('none')) {
      if (items.length > 1) errors.push('controls: "none" cannot be combined with other controls');
      controls = [];
    } else if (items.includes('all')) {
      allControls = true;
      controls = [...CONTROL_NAMES];
    } else {
      controls = items; // "" (controls="") means none
    }
  }

  // hide
  const hide: HidePart[] = [];
  if (hideRaw !== null) {
    for (const p of splitList(hideRaw)) {
      if (!(HIDE_PARTS as readonly string[]).includes(p)) {
        errors.push(`hide: "${p}" is not one of ${HIDE_PARTS.join('|')}`);
      } else if (!hide.includes(p as HidePart)) {
        hide.push(p as HidePart);
      }
    }
  }
  if (hide.includes('controls')) {
    controls = [];
    allControls = false;
  }

  // href must be a usable URL (relative ones resolve against the page).
  if (href !== null && (/^\s*javascript:/i.test(href) || !isUrl(href))) {
    errors.push(`href: "${href}" is not a URL`);
    href = null;
  }

  // The state: exactly the URL semantics (preset baseline, then fields).
  const parsed = parseQuery(fields);
  const state = parsed.state;
  for (const m of parsed.messages) warnings.push(m); // none expected: every value parsed above
  const charts = state.charts.filter((k: ChartKind) => !hide.includes(k));
  if (charts.length === 0) {
    errors.push(`hide: removes every chart (charts=${formatField(SCHEMA.charts, state.charts)}); keep at least one of ${CHART_KINDS.join('|')}`);
  } else {
    state.charts = charts;
  }

  return { ok: errors.length === 0, state, view: { controls, allControls, hide, autoplay, href }, errors, warnings };
}

function isUrl(s: string): boolean {
  try {
    new URL(s, 'http://example.invalid/dir/');
    return true;
  } catch {
    return false;
  }
}

/**
 * Attributes that reproduce `state` on an element: the same name=value pairs as the
 * URL query (only what differs from the preset's baseline), plus `extra`.
 */
export function stateToAttributes(query: string, extra: Record<string, string> = {}): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of new URLSearchParams(query)) out.push([k, v]);
  for (const [k, v] of Object.entries(extra)) out.push([k, v]);
  return out;
}

/** `<eos-lab a="1" b="2"></eos-lab>`, attribute values HTML-escaped. */
export function elementSnippet(attrs: [string, string][]): string {
  const parts = attrs.map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
  return `<${TAG}${parts}></${TAG}>`;
}

export function escapeAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
