// Writes the <eos-lab> attribute reference into docs/embedding.md (between the BEGIN/END
// markers), generated from the state schema by web/src/element/reference.ts. The TypeScript
// module is loaded through Vite's module runner, so no build step is needed.
//   node scripts/gen-embed-docs.mjs          rewrite the section
//   node scripts/gen-embed-docs.mjs --check  exit 1 if the file is out of date
// tests/web/element-docs.test.ts runs the same comparison under vitest.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const repo = fileURLToPath(new URL('..', import.meta.url));
const docPath = `${repo}docs/embedding.md`;
const { module: ref } = await runnerImport(`${repo}web/src/element/reference.ts`, {
  configFile: false,
  root: repo,
  logLevel: 'warn',
});
const doc = readFileSync(docPath, 'utf8');
const next = ref.spliceReference(doc);
if (process.argv.includes('--check')) {
  if (next !== doc) {
    console.error('docs/embedding.md: the attribute reference is out of date; run node scripts/gen-embed-docs.mjs');
    process.exit(1);
  }
  console.log('docs/embedding.md: attribute reference up to date');
} else if (next !== doc) {
  writeFileSync(docPath, next);
  console.log('docs/embedding.md: attribute reference updated');
} else {
  console.log('docs/embedding.md: attribute reference already up to date');
}
