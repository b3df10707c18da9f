// Writes the record traces behind the stall rule's unit test (tests/web/fixtures/stall-*.json):
// runs where η is halved and the sharpness either climbs to the new 2/η (Cohen et al. 2021,
// Section 3) or stalls below it because the loss is nearly zero and progressive sharpening
// has stopped. Every 10th step is kept (the eigenvalue rows at eig_every 10), up to `until`.
//
// Usage: node bench/stall-fixtures.mjs [--eos-run PATH]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLAG } from './eos-run-flags.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--eos-run');
const EOS_RUN = i > 0 ? process.argv[i + 1] : join(REPO, 'build/native/eos-run');

// name, problem, η, drop step, last step kept, what happens (measured)
const CASES = [
  ['default-early', { degree: 5, n: 40, widths: '32,32,32', seed: 1 }, 0.3, 300, 1100, 'climbs: 0.9 x 2/η 440 steps after the drop'],
  ['default-late', { degree: 5, n: 40, widths: '32,32,32', seed: 1 }, 0.3, 3000, 3800, 'stalls: 0.79 x 2/η 1,900 steps after the drop'],
  ['t4-slow', { degree: 4, n: 20, widths: '20,20', seed: 0 }, 0.2, 1000, 2300, 'climbs slowly: 0.9 x 2/η 1,240 steps after the drop'],
  ['t3-fitted', { degree: 3, n: 20, widths: '20', seed: 0 }, 0.2, 750, 1600, 'stalls: 0.61 x 2/η 1,900 steps after the drop'],
  ['t5-dip', { degree: 5, n: 40, widths: '32,32', seed: 0 }, 0.2, 500, 2000, 'dips, then climbs: 0.9 x 2/η 1,450 steps after the drop, loss still high'],
];

for (const [name, p, lr, drop, until, what] of CASES) {
  const args = [FLAG.dataset, 'chebyshev', FLAG.n, String(p.n), FLAG.degree, String(p.degree), FLAG.widths, p.widths,
    FLAG.act, 'tanh', FLAG.lr, String(lr), FLAG.seed, String(p.seed), FLAG.steps, String(until + 1),
    FLAG.eigEvery, '10', FLAG.schedule, `${drop}:${lr / 2}`, FLAG.format, 'csv'];
  const r = spawnSync(EOS_RUN, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const head = lines[0].split(',');
  const out = { problem: `chebyshev T${p.degree}, n ${p.n}, 1-${p.widths.replaceAll(',', '-')}-1 tanh, seed ${p.seed}`,
    what, changes: [{ step: drop, lrOld: lr, lrNew: lr / 2 }], step: [], loss: [], eig1: [], threshold: [] };
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const step = Number(f[head.indexOf('step')]);
    if (step % 10 !== 0) continue;
    out.step.push(step);
    out.loss.push(Number(Number(f[head.indexOf('loss')]).toPrecision(5)));
    const e = f[head.indexOf('eig1')];
    out.eig1.push(e === '' ? null : Number(Number(e).toPrecision(5)));
    out.threshold.push(Number(f[head.indexOf('threshold')]));
  }
  writeFileSync(join(REPO, 'tests/web/fixtures', `stall-${name}.json`), JSON.stringify(out) + '\n');
}
