// Set-up shared by `npm start`, `npm test` and `npm run build`: make sure the Debian packages
// are there (install them as root, or print the exact sudo line and stop), run `npm ci` when
// node_modules is missing or stale, then build the native engine and the WASM module
// incrementally with the CMake presets (CMakePresets.json). Each stage prints a heading and
// its time. Usable on its own: `node scripts/setup.mjs [--chromium] [--no-native] [--no-wasm]`.
import { writeFileSync, readFileSync } from 'node:fs';
import {
  REPO, repoPath, heading, info, warn, error, run, probe, mtime, exists, secs, isMain, green, red, bold,
} from './lib.mjs';

// Debian package → why it is needed. `chromium` (+ a font) only for the end-to-end tier.
export const BASE_PACKAGES = ['cmake', 'ninja-build', 'g++', 'libeigen3-dev', 'nlohmann-json3-dev', 'catch2', 'emscripten'];
export const TEST_PACKAGES = ['chromium', 'fonts-liberation'];

export const JOBS = String(process.env.EOS_JOBS || 2); // the dev machines have 2 shared cores

/** Packages from `wanted` that dpkg does not report as installed. */
export function missingPackages(wanted) {
  const r = probe('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...wanted]);
  if (r.code === 127) return null; // not a Debian-like system
  const installed = new Set(
    r.out.split('\n').filter((l) => l.endsWith(' install ok installed')).map((l) => l.split(' ')[0]),
  );
  return wanted.filter((p) => !installed.has(p));
}

async function ensurePackages(wanted) {
  const missing = missingPackages(wanted);
  if (missing === null) {
    warn(`dpkg-query not found: cannot check for ${wanted.join(', ')}; assuming they are installed.`);
    return true;
  }
  if (missing.length === 0) {
    info(`all present: ${wanted.join(' ')}`);
    return true;
  }
  const list = missing.join(' ');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    error(`missing Debian packages: ${list}`);
    console.error(`\nInstall them, then run this command again:\n\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${list}\n`);
    process.exit(1);
  }
  info(`installing missing Debian packages: ${list}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const up = await run('apt-get', ['update'], { env });
  if (up.code !== 0) {
    error('apt-get update failed');
    process.exit(1);
  }
  const inst = await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  if (inst.code !== 0) {
    error(`apt-get install failed for: ${list}`);
    process.exit(1);
  }
  const still = missingPackages(wanted) ?? [];
  if (still.length) {
    error(`still missing after apt-get install: ${still.join(' ')}`);
    process.exit(1);
  }
  return true;
}

async function ensureNodeModules() {
  const lock = repoPath('package-lock.json');
  // npm writes node_modules/.package-lock.json on every install: its mtime says when.
  const stamp = repoPath('node_modules', '.package-lock.json');
  if (exists(stamp) && mtime(stamp) >= mtime(lock)) {
    info('node_modules is up to date with package-lock.json');
    return true;
  }
  const r = await run('npm', ['ci', '--no-audit', '--no-fund']);
  if (r.code !== 0) {
    error('npm ci failed');
    return false;
  }
  return true;
}

/**
 * Configure `preset` into build/<dir> when it has never been configured (or the configure
 * failed, or CMakePresets.json changed, or, with ciSensitive, the CI flag that the native tests
 * bake in at configure time changed), then build `targets` (default: all) incrementally.
 * Returns { ok, reason }.
 */
export async function cmakeBuild(preset, { targets = [], ciSensitive = false } = {}) {
  const dir = repoPath('build', preset);
  const cache = `${dir}/CMakeCache.txt`;
  const ciStamp = `${dir}/.eos-ci`;
  const ci = process.env.CI === 'true' || process.env.CI === '1' ? 'true' : 'false';
  let lastCi = null;
  try {
    lastCi = readFileSync(ciStamp, 'utf8').trim();
  } catch {}
  const why = !exists(cache)
    ? 'first configure'
    : !exists(`${dir}/build.ninja`)
      ? 'previous configure did not finish'
      : mtime(repoPath('CMakePresets.json')) > mtime(cache)
        ? 'CMakePresets.json changed'
        : ciSensitive && lastCi !== ci
          ? `CI=${ci} now, tests were configured with CI=${lastCi ?? 'unknown'} (EOS_CI_SHORT)`
          : null;
  if (why) {
    info(`configuring preset ${preset} (${why})`);
    const c = await run('cmake', ['--preset', preset]);
    if (c.code !== 0) return { ok: false, reason: `cmake --preset ${preset} failed` };
    writeFileSync(ciStamp, `${ci}\n`);
  }
  const targetArgs = targets.length ? ['--target', ...targets] : [];
  const b = await run('cmake', ['--build', dir, '-j', JOBS, ...targetArgs]);
  if (b.code !== 0) return { ok: false, reason: `build of ${preset} failed (compiler errors above)` };
  return { ok: true };
}

/**
 * opts: chromium (also require the e2e packages), npm, native, wasm (which stages to run),
 * nativeTargets (default all; `npm start` only needs eos-run), forTests (reconfigure the
 * native build when CI changed, since EOS_CI_SHORT is fixed at configure time).
 * Exits the process if system packages are missing; build failures are returned, not thrown,
 * so `npm test` can still run the tiers that do not need the broken build.
 */
export async function setup(opts = {}) {
  const { chromium = false, npm = true, native = true, wasm = true, nativeTargets = [], forTests = false } = opts;
  const result = { ok: true, stages: {} };
  const stage = async (name, title, fn) => {
    heading(title);
    const t0 = performance.now();
    let r;
    try {
      r = await fn();
    } catch (e) {
      r = { ok: false, reason: String(e?.stack || e) };
    }
    if (typeof r === 'boolean') r = { ok: r };
    r.ms = performance.now() - t0;
    result.stages[name] = r;
    if (!r.ok) result.ok = false;
    const status = r.ok ? green('ok') : red(`FAILED${r.reason ? `: ${r.reason}` : ''}`);
    console.log(`${bold(title)}: ${status} (${secs(r.ms)})`);
    return r;
  };

  await stage('packages', 'setup: Debian packages', () =>
    ensurePackages(chromium ? [...BASE_PACKAGES, ...TEST_PACKAGES] : BASE_PACKAGES));
  if (npm) {
    const r = await stage('npm', 'setup: npm packages', ensureNodeModules);
    if (!r.ok) {
      error('cannot continue without node_modules');
      process.exit(1);
    }
  }
  if (native) {
    const what = nativeTargets.length ? ` → ${nativeTargets.join(', ')}` : '';
    await stage('native', `build: native engine (preset native${what})`, () =>
      cmakeBuild('native', { targets: nativeTargets, ciSensitive: forTests }));
  }
  if (wasm) await stage('wasm', 'build: WASM module (preset wasm)', () => cmakeBuild('wasm'));
  return result;
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const t0 = performance.now();
  const r = await setup({
    chromium: args.includes('--chromium'),
    native: !args.includes('--no-native'),
    wasm: !args.includes('--no-wasm'),
  });
  console.log(`\nsetup ${r.ok ? green('ok') : red('FAILED')} in ${secs(performance.now() - t0)} (repo ${REPO})`);
  process.exit(r.ok ? 0 : 1);
}
