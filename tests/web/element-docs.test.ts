// The attribute reference in docs/embedding.md must be exactly what the schema generates
// (web/src/element/reference.ts, written by scripts/gen-embed-docs.mjs), so the docs
// cannot drift from web/src/state/schema.ts. Also checks the generated tables themselves: one row
// per schema field and per embed-only attribute, with each field's default.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXTRA_ATTRS } from '../../web/src/element/config';
import { BEGIN, END, attributeReferenceMarkdown, spliceReference } from '../../web/src/element/reference';
import { FIELD_KEYS, SCHEMA, formatField } from '../../web/src/state/schema';

const doc = readFileSync(new URL('../../docs/embedding.md', import.meta.url), 'utf8');

describe('docs/embedding.md attribute reference', () => {
  it('is up to date with the schema (else run: node scripts/gen-embed-docs.mjs)', () => {
    expect(doc).toContain(BEGIN);
    expect(doc).toContain(END);
    expect(spliceReference(doc)).toBe(doc);
  });

  it('has one row per schema field with its default, and one per embed-only attribute', () => {
    const md = attributeReferenceMarkdown();
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    const names = rows.map((l) => /^\| `([^`]+)`/.exec(l)![1]);
    // Grouped (in the order groups first appear), schema order inside each group.
    const groups = [...new Set(FIELD_KEYS.map((k) => SCHEMA[k].group))];
    const grouped = groups.flatMap((g) => FIELD_KEYS.filter((k) => SCHEMA[k].group === g));
    expect(names).toEqual([...grouped, ...EXTRA_ATTRS.map((a) => a.name)]);
    for (const k of FIELD_KEYS) {
      const row = rows[names.indexOf(k)];
      const def = formatField(SCHEMA[k], SCHEMA[k].default);
      expect(row, k).toContain(def === '' ? '(empty)' : `\`${def}\``);
      // Table cells: every | inside a cell is escaped, so each row has exactly 5 separators.
      expect(row.replace(/\\\|/g, '').split('|').length, k).toBe(6);
    }
  });

  it('spliceReference refuses a file without the markers', () => {
    expect(() => spliceReference('# no markers')).toThrow(/markers/);
  });
});
