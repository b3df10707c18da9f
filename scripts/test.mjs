// `npm test`: set-up, then every test tier in order, each with a heading and a one-line
// summary, then a final `N passed, N failed` line. Exit code 1 if any tier fails.
//
// Tiers (run a subset with `node scripts/test.mjs native wasm …`):
//   native        ctest in build/native (Catch2 test cases of eos-tests)
//   native-debug  the same under AddressSanitizer + UBSan (preset native-debug); skipped, with
//                 the reason printed, only if the sanitizer runtime is missing
//   wasm          node --test tests/wasm/ (*.test.mjs: the WASM module in Node), plus
//                 vitest --config tests/wasm/vitest.config.ts when tests/wasm has *.test.ts
//   web           tsc --noEmit, then vitest run (tests/web/)
//   e2e           vite build → dist/, then node --test tests/e2e/ (headless Chromium), one file at a time
//
// Counting rules: a tier fails if any test fails, if its runner exits non-zero, or if it runs
// zero tests. A failure that produced no test counts (build error, crash, type error, timeout)
// adds 1 to the failed total, so the final line never reads "0 failed" when something broke.
// Skipped/todo tests are reported but never counted as passed.
//
// The e2e suites (tests/e2e/*.test.mjs, node:test): started from the repo root with dist/ already
// built and env EOS_DIST=<abs dist dir>, CHROMIUM_PATH=/usr/bin/chromium; each serves dist/ itself.
// Counted from node --test's TAP summary, like the wasm tier. Time limit 15 min.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, cmakeBuild } from './setup.mjs';
import { webStage } from './build.mjs';
import {
  repoPath, heading, info, warn, run, probe, exists, secs, npmBin, bold, green, red, yellow,
} from './lib.mjs';

const ALL = ['native', 'native-debug', 'wasm', 'web', 'e2e'];
const MIN = 60_000;
const RESULTS = repoPath('build', 'test-results');

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const t of requested) {
  if (!ALL.includes(t)) {
    console.error(`unknown tier "${t}"; tiers: ${ALL.join(', ')}`);
    process.exit(2);
  }
}
const tiers = requested.length ? ALL.filter((t) => requested.includes(t)) : ALL;
const wants = (t) => tiers.includes(t);

const t0 = performance.now();
const s = await setup({
  chromium: wants('e2e'),
  native: wants('native') || wants('wasm'), // the wasm tier compares against build/native/eos-run
  forTests: true,
  wasm: wants('wasm') || wants('web') || wants('e2e'),
});
mkdirSync(RESULTS, { recursive: true });

// ---------------------------------------------------------------------------------------
// Parsers (exported shapes: { passed, failed, skipped })

/** ctest's closing line: "100% tests passed, 0 tests failed out of 57". */
function parseCtest(out) {
  if (/No tests were found/.test(out)) return { passed: 0, failed: 0, skipped: 0 };
  const m = [...out.matchAll(/(\d+)% tests passed, (\d+) tests? failed out of (\d+)/g)].pop();
  if (!m) return null;
  const failed = Number(m[2]);
  const total = Number(m[3]);
  const skipped = [...out.matchAll(/\*\*\*(Skipped|Not Run|Disabled)/g)].length;
  return { passed: total - failed - skipped, failed, skipped };
}

/** node --test TAP summary: "# pass N", "# fail N", "# cancelled N", "# skipped N", "# todo N". */
function parseTap(text) {
  const get = (k) => {
    const m = [...text.matchAll(new RegExp(`^# ${k} (\\d+)$`, 'gm'))].pop();
    return m ? Number(m[1]) : null;
  };
  const pass = get('pass');
  if (pass === null) return null;
  return {
    passed: pass,
    failed: (get('fail') ?? 0) + (get('cancelled') ?? 0),
    skipped: (get('skipped') ?? 0) + (get('todo') ?? 0),
  };
}

/** vitest's JSON reporter file (jest-compatible counts). */
function parseVitestJson(file) {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8'));
    return {
      passed: j.numPassedTests,
      failed: j.numFailedTests, // a file that fails to load shows as a non-zero exit instead
      skipped: (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0),
    };
  } catch {
    return null;
  }
}


// ---------------------------------------------------------------------------------------
// Tiers. Each returns { passed, failed, skipped, problems: string[] } (problems → tier fails),
// or { skip: 'reason' } for the one legitimate skip (no sanitizer runtime).

const SANITIZER_ENV = {
  ASAN_OPTIONS: 'abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
};

function countsOrProblem(counts, problems, what) {
  if (!counts) {
    problems.push(`could not find ${what} in the output`);
    return { passed: 0, failed: 0, skipped: 0 };
  }
  return counts;
}

async function ctestTier(dir, { env = {}, timeoutMs }) {
  const problems = [];
  const r = await run('ctest', ['--test-dir', dir, '--output-on-failure', '-j', process.env.EOS_JOBS || '2'], {
    env,
    timeoutMs,
  });
  const c = countsOrProblem(parseCtest(r.out), problems, "ctest's summary line");
  if (r.timedOut) problems.push('timed out');
  else if (r.code !== 0 && c.failed === 0 && c.passed > 0) problems.push(`ctest exited with code ${r.code}`);
  return { ...c, problems };
}

async function tierNative() {
  if (!s.stages.native?.ok) return { passed: 0, failed: 0, skipped: 0, problems: ['the native build failed (see set-up above)'] };
  return ctestTier(repoPath('build', 'native'), { timeoutMs: 20 * MIN });
}

/** Why the sanitizers cannot be used here, or null if a tiny ASan+UBSan program builds and runs. */
function sanitizerMissing() {
  const dir = join(tmpdir(), `eos-asan-probe-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, 'p.cpp'), '#include <vector>\nint main(){std::vector<int> v(4,1);return v[3]-1;}\n');
    const c = probe('g++', ['-fsanitize=address,undefined', '-o', join(dir, 'p'), join(dir, 'p.cpp')]);
    if (c.code !== 0) return `g++ cannot link -fsanitize=address,undefined (libasan/libubsan missing?): ${c.out.trim().split('\n').pop()}`;
    const x = probe(join(dir, 'p'), [], { env: { ...process.env, ...SANITIZER_ENV } });
    if (x.code !== 0) return `an ASan+UBSan binary does not run here (exit ${x.code}): ${x.out.trim().split('\n')[0] ?? ''}`;
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function tierNativeDebug() {
  const why = sanitizerMissing();
  if (why) return { skip: why };
  // Only what ctest runs (eos-tests pulls in eos-run): the benchmark under ASan is not needed.
  info('sanitizer runtime OK; building eos-tests with preset native-debug');
  const b = await cmakeBuild('native-debug', { targets: ['eos-tests'], ciSensitive: true });
  if (!b.ok) return { passed: 0, failed: 0, skipped: 0, problems: [b.reason] };
  return ctestTier(repoPath('build', 'native-debug'), { env: SANITIZER_ENV, timeoutMs: 30 * MIN });
}

/** `vitest run` (optionally with --config) with a JSON report; returns { passed, failed, skipped, problems }. */
async function runVitest(extraArgs, jsonName) {
  const problems = [];
  const json = join(RESULTS, jsonName);
  rmSync(json, { force: true });
  const r = await run(npmBin('vitest'), [
    'run', ...extraArgs, '--reporter=default', '--reporter=json', `--outputFile.json=${json}`,
  ], { timeoutMs: 10 * MIN });
  const parsed = parseVitestJson(json);
  const c = parsed ?? { passed: 0, failed: 0, skipped: 0 };
  if (!parsed) problems.push('vitest wrote no JSON report (it crashed?)');
  if (r.timedOut) problems.push('vitest timed out');
  else if (r.code !== 0 && c.failed === 0 && c.passed > 0) problems.push(`vitest exited with code ${r.code}`);
  return { ...c, problems };
}

/** node --test over a directory (its *.test.mjs etc.), spec output on the console, TAP to a file for the counts. */
async function runNodeTest(dir, tapName, { env, timeoutMs = 10 * MIN, extra = [] } = {}) {
  const problems = [];
  const tap = join(RESULTS, tapName);
  rmSync(tap, { force: true });
  const r = await run(process.execPath, [
    '--test', ...extra,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    dir,
  ], { timeoutMs, env });
  let text = '';
  try {
    text = readFileSync(tap, 'utf8');
  } catch {}
  const c = countsOrProblem(parseTap(text), problems, 'the TAP summary');
  if (r.timedOut) problems.push('timed out');
  else if (r.code !== 0 && c.failed === 0 && c.passed > 0) problems.push(`node --test exited with code ${r.code}`);
  return { ...c, problems };
}

const add = (a, b) => ({
  passed: a.passed + b.passed,
  failed: a.failed + b.failed,
  skipped: a.skipped + b.skipped,
  problems: [...a.problems, ...b.problems],
});

/** tests/wasm/: the plain .mjs tests under node --test, and the .ts ones under vitest with tests/wasm/vitest.config.ts. */
async function tierWasm() {
  if (!s.stages.wasm?.ok) return { passed: 0, failed: 0, skipped: 0, problems: ['the WASM build failed (see set-up above)'] };
  const dir = repoPath('tests', 'wasm');
  if (!exists(dir)) return { passed: 0, failed: 0, skipped: 0, problems: ['tests/wasm/ does not exist'] };
  if (!s.stages.native?.ok) warn('the native build failed: tests comparing against build/native/eos-run will fail');
  info('node --test tests/wasm/ (*.test.mjs)');
  let r = await runNodeTest('tests/wasm/', 'wasm.tap');
  const tsTests = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.test.ts'));
  if (tsTests.length > 0) {
    const config = join('tests', 'wasm', 'vitest.config.ts');
    if (!exists(repoPath(config))) {
      r = add(r, { passed: 0, failed: 0, skipped: 0, problems: [`tests/wasm has ${tsTests.length} .test.ts file(s) but no vitest.config.ts`] });
    } else {
      info(`vitest run --config ${config} (${tsTests.length} .test.ts file(s))`);
      r = add(r, await runVitest(['--config', config], 'wasm-vitest.json'));
    }
  }
  return r;
}

async function tierWeb() {
  let extraFailed = 0;
  const problems = [];
  info('type check (tsc --noEmit)');
  const tsc = await run(npmBin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], { timeoutMs: 5 * MIN });
  if (tsc.code !== 0) {
    problems.push('tsc --noEmit reported errors');
    extraFailed++; // counted here, so the final line shows it even though it is not a test case
  } else {
    info('type check: no errors');
  }
  const v = await runVitest([], 'vitest.json');
  return { ...v, extraFailed, problems: [...problems, ...v.problems] };
}

async function tierE2E() {
  if (!s.stages.wasm?.ok) return { passed: 0, failed: 0, skipped: 0, problems: ['the WASM build failed (see set-up above)'] };
  if (!exists(repoPath('tests', 'e2e'))) return { passed: 0, failed: 0, skipped: 0, problems: ['tests/e2e/ does not exist'] };
  const w = await webStage();
  if (!w.ok) return { passed: 0, failed: 0, skipped: 0, problems: [w.reason] };
  // One file at a time: each launches its own Chromium, and two at once on a 2-core
  // machine would only slow both down.
  info('node --test tests/e2e/ (*.test.mjs, one file at a time)');
  return runNodeTest('tests/e2e/', 'e2e.tap', {
    env: { EOS_DIST: repoPath('dist'), CHROMIUM_PATH: process.env.CHROMIUM_PATH || '/usr/bin/chromium' },
    timeoutMs: 15 * MIN,
    extra: ['--test-concurrency=1'],
  });
}

const RUNNERS = {
  native: ['native (Catch2 via ctest, build/native)', tierNative],
  'native-debug': ['native-debug (ctest under AddressSanitizer + UBSan, build/native-debug)', tierNativeDebug],
  wasm: ['wasm (node --test + vitest, tests/wasm/)', tierWasm],
  web: ['web (tsc --noEmit + vitest tests/web/)', tierWeb],
  e2e: ['e2e (headless Chromium, node --test tests/e2e/)', tierE2E],
};

// ---------------------------------------------------------------------------------------

const summaries = [];
let totalPassed = 0;
let totalFailed = 0;
let anyFailed = false; // set-up failures surface in the tiers that need that build

for (const t of tiers) {
  const [title, fn] = RUNNERS[t];
  heading(`test: ${title}`);
  const start = performance.now();
  let r;
  try {
    r = await fn();
  } catch (e) {
    r = { passed: 0, failed: 0, skipped: 0, problems: [`runner crashed: ${e?.stack || e}`] };
  }
  const time = secs(performance.now() - start);
  let line;
  if (r.skip) {
    line = `${t}: ${yellow('SKIPPED')} — ${r.skip} (${time})`;
  } else {
    const problems = [...r.problems];
    if (r.passed + r.failed === 0) problems.push('0 tests ran');
    // A problem without a failing test case still counts as one failure in the totals.
    const failed = r.failed + (r.extraFailed ?? 0) + (problems.length > 0 && r.failed + (r.extraFailed ?? 0) === 0 ? 1 : 0);
    const ok = problems.length === 0 && failed === 0;
    totalPassed += r.passed;
    totalFailed += failed;
    if (!ok) anyFailed = true;
    const skipped = r.skipped ? `, ${r.skipped} skipped` : '';
    line = `${t}: ${r.passed} passed, ${failed} failed${skipped} (${time})`;
    line = ok ? `${line} ${green('PASS')}` : `${line} ${red('FAIL')}${problems.length ? ` — ${problems.join('; ')}` : ''}`;
  }
  console.log(bold(line));
  summaries.push(line);
}

heading('summary');
for (const l of summaries) console.log(`  ${l}`);
console.log(`  total time ${secs(performance.now() - t0)}`);
const final = `${totalPassed} passed, ${totalFailed} failed`;
console.log(bold(anyFailed ? red(final) : green(final)));
process.exit(anyFailed ? 1 : 0);
