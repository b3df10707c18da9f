// vitest config for the web unit tests (tests/web/**/*.test.ts). Kept apart from
// vite.config.ts, whose root is web/: tests live outside it and run in Node.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['tests/web/**/*.test.ts'],
    environment: 'node',
    // No test files must not look like success: scripts/test.mjs also counts 0 tests as a failure.
    passWithNoTests: false,
    testTimeout: 30_000,
  },
});
