// Vite config for the EoS Lab web app: sources in web/ (every top-level *.html there is a
// page), production build in dist/ at the repo root with relative asset URLs so the build
// can be served from any sub-path or embedded. Workers are ES modules because the
// Emscripten glue uses top-level await (TOOLCHAIN.md a: the default iife format fails).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const repo = fileURLToPath(new URL('.', import.meta.url));
const webRoot = resolve(repo, 'web');

// One build input per page in web/ (index.html, plus e.g. an embed page if one is added).
function pages(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(webRoot)) {
    if (f.endsWith('.html')) out[f.slice(0, -'.html'.length)] = resolve(webRoot, f);
  }
  return out;
}

export default defineConfig({
  root: webRoot,
  base: './',
  // Served verbatim at the site root (favicon, images); absent is fine.
  publicDir: resolve(webRoot, 'public'),
  build: {
    outDir: resolve(repo, 'dist'),
    emptyOutDir: true, // outDir is outside root, so Vite would otherwise refuse to clean it
    rolldownOptions: { input: Object.keys(pages()).length > 0 ? pages() : undefined },
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
