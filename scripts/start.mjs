// `npm start`: set-up (packages, npm ci, native + WASM builds, all incremental), `vite build`
// into dist/ when anything changed, then serve dist/ with `vite preview` on 127.0.0.1 (port
// 4173, or the next free one) and print the URL. Options: --port N, --no-native (skip the
// native CLI build, which the page does not need).
import { createServer } from 'node:net';
import { setup } from './setup.mjs';
import { webStage } from './build.mjs';
import { repoPath, heading, error, warn, secs, bold, green } from './lib.mjs';

const t0 = performance.now();
const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const firstPort = portArg >= 0 ? Number(args[portArg + 1]) : 4173;
const HOST = '127.0.0.1';

/** Resolves true if nothing listens on host:port. */
function isFree(port) {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, HOST, () => s.close(() => done(true)));
  });
}

async function freePort(from) {
  for (let p = from; p < from + 50; p++) if (await isFree(p)) return p;
  throw new Error(`no free port in ${from}–${from + 49}`);
}

// The page needs only the WASM module; of the native build, only the CLI (no test binaries).
const s = await setup({ chromium: false, native: !args.includes('--no-native'), nativeTargets: ['eos-run'] });
if (s.stages.wasm && !s.stages.wasm.ok) {
  error('the WASM module did not build, so the lab cannot run (see the errors above)');
  process.exit(1);
}
if (s.stages.native && !s.stages.native.ok) {
  // The page only needs the WASM module; say so, but still serve.
  warn('the native build failed (see above); the web lab does not need it, continuing');
}
const web = await webStage();
if (!web.ok) process.exit(1);

heading('serve: vite preview');
const port = await freePort(firstPort);
const { preview } = await import('vite');
const server = await preview({
  configFile: repoPath('vite.config.ts'),
  preview: { host: HOST, port, strictPort: true, open: false },
  logLevel: 'warn',
});
const url = `http://${HOST}:${port}/`;
console.log(`\n  ${bold('EoS Lab is running at')}  ${green(bold(url))}`);
console.log(`  (ready in ${secs(performance.now() - t0)}; press Ctrl+C to stop)\n`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
