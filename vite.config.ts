// Vite config for the EoS Lab web app: sources in web/ (every top-level *.html there is a
// page: index.html, embed.html), production build in dist/ at the repo root with relative
// asset URLs so the build can be served from any sub-path or embedded. Workers are ES
// modules because the Emscripten glue uses top-level await (TOOLCHAIN.md a: the default
// iife format fails).
// After the pages, a second build writes the stand-alone <eos-lab> element next to them:
// dist/eos-lab.js (one ES module, stable name) + dist/eos-lab-worker.js + dist/eos-lab.wasm
// (docs/embedding.md says why separate files rather than one inlined file).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { type Plugin, build, defineConfig } from 'vite';

const repo = fileURLToPath(new URL('.', import.meta.url));
const webRoot = resolve(repo, 'web');
const elementEntry = resolve(webRoot, 'src/element/eos-lab.ts');

// One build input per page in web/ (index.html, embed.html).
function pages(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(webRoot)) {
    if (f.endsWith('.html')) out[f.slice(0, -'.html'.length)] = resolve(webRoot, f);
  }
  return out;
}

/** Builds the element bundle into the same outDir once the pages are written. */
function elementBundle(): Plugin {
  let outDir = '';
  let minify: boolean | string = true;
  return {
    name: 'eos-element-bundle',
    apply: 'build',
    configResolved(c) {
      outDir = c.build.outDir;
      minify = c.build.minify as boolean | string;
    },
    async closeBundle() {
      await build({
        configFile: false,
        root: webRoot,
        base: './',
        publicDir: false,
        logLevel: 'warn',
        build: {
          outDir,
          emptyOutDir: false,
          minify: minify as boolean,
          copyPublicDir: false,
          rolldownOptions: {
            input: { 'eos-lab': elementEntry },
            // An entry's exports are its API (EosLabElement, defineEosLab ...).
            preserveEntrySignatures: 'exports-only',
            output: {
              entryFileNames: 'eos-lab.js',
              chunkFileNames: 'eos-lab-[name]-[hash].js',
              assetFileNames: 'eos-lab-[name]-[hash][extname]',
            },
          },
        },
        worker: {
          format: 'es',
          rolldownOptions: {
            output: {
              entryFileNames: 'eos-lab-worker.js',
              chunkFileNames: 'eos-lab-worker-[name]-[hash].js',
              assetFileNames: (a) =>
                (a.names ?? []).some((n) => n.endsWith('eoslab_mt.wasm'))
                  ? 'eos-lab-mt.wasm'
                  : (a.names ?? []).some((n) => n.endsWith('.wasm'))
                    ? 'eos-lab.wasm'
                    : 'eos-lab-[name]-[hash][extname]',
            },
          },
        },
      });
    },
  };
}

// Cross-origin isolation for `npm start` (vite preview) and the dev server: with it the
// page has SharedArrayBuffer and the engine runs its threaded module (engine/threads.ts).
// Static hosts that cannot send headers get them from the service worker in public/.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: webRoot,
  base: './',
  // Served verbatim at the site root (favicon, images); absent is fine.
  publicDir: resolve(webRoot, 'public'),
  plugins: [elementBundle()],
  build: {
    outDir: resolve(repo, 'dist'),
    emptyOutDir: true, // outDir is outside root, so Vite would otherwise refuse to clean it
    rolldownOptions: { input: Object.keys(pages()).length > 0 ? pages() : undefined },
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173, headers: isolationHeaders },
  preview: { host: '127.0.0.1', port: 4173, headers: isolationHeaders },
});
