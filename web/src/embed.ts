// Entry of embed.html (the iframe route): one <eos-lab> element filling the frame,
// configured from the page's URL with exactly the element's attribute names, which are
// the full page's URL parameters plus the hide=/controls=/autoplay= flags. Only known
// names are copied onto the element (a URL must not be able to set `style`, `hidden`
// or an `on*` handler); the rest are reported above it. The "Open in EoS Lab" link
// always points at the full page next to this one, with the current settings.

import './element/embed-page.css';
import { createEngineWorker } from './engine-worker';
import { threadStats, withThreadBudget } from './engine/threads';
import { OBSERVED_ATTRIBUTES, TAG, suggest } from './element/config';
import { defineEosLab } from './element/element';
import { h } from './ui/dom';

defineEosLab(withThreadBudget(createEngineWorker));

const mountPoint = document.getElementById('embed') ?? document.body;
const el = document.createElement(TAG);
const notes: string[] = [];
const seen = new Set<string>();
for (const [rawName, value] of new URLSearchParams(location.search)) {
  const name = rawName.toLowerCase();
  if (seen.has(name)) {
    notes.push(`${name}: given more than once; using the first value`);
    continue;
  }
  seen.add(name);
  if (name === 'href') {
    notes.push('href: ignored here (the link always opens the full lab next to this page)');
  } else if (OBSERVED_ATTRIBUTES.includes(name)) {
    el.setAttribute(name, value);
  } else {
    const hint = suggest(name, OBSERVED_ATTRIBUTES);
    notes.push(`${name}: unknown parameter, ignored${hint ? ` (did you mean ${hint}?)` : ''}`);
  }
}
el.setAttribute('href', new URL('./', location.href).href);
if (notes.length) {
  mountPoint.append(h('div', { class: 'eos-embed-page-notes', role: 'status' }, h('strong', {}, 'EoS Lab: '), notes.join('; ')));
}
mountPoint.append(el);

// The engine's threads on this page, for browser tests (declared in main.ts).
window.__eosThreads = threadStats;
