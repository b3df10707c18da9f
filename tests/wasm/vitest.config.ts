// vitest config for the TypeScript side of the WASM tier: tests/wasm/*.test.ts drive
// web/src/engine (loader, Run API, worker core) in Node against the built module.
// The plain .mjs tests next to them run under `node --test tests/wasm/`.
// Run: npx vitest run --config tests/wasm/vitest.config.ts
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/wasm/**/*.test.ts'],
    environment: 'node',
    passWithNoTests: false,
    testTimeout: 60_000,
  },
});
