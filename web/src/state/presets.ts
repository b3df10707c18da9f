// The presets: each a partial state over the defaults (`eos` is the defaults themselves).
// Which values show each regime was measured with the engine (native CLI and WASM).

import { type AppState, type PresetName, cloneState, defaultState, followOpt } from './schema';

export interface PresetInfo {
  title: string;
  blurb: string;
  values: Partial<AppState>;
}

/**
 * The small problem the presets other than `eos` and `sweep` were measured on (Chebyshev T3
 * on 20 points, seed 0, η 0.2; each preset sets its widths): they keep it, whatever the page
 * opens with.
 */
const SMALL: Partial<AppState> = { degree: 3, n: 20, seed: 0, lr: 0.2 };

export const PRESETS: Record<PresetName, PresetInfo> = {
  // The page's default problem (state/page-defaults.ts), measured with the native CLI: T5 on
  // 40 points, 1-32-32-32-1 tanh, seed 1, η 0.3 reaches 0.95 × 2/η at step ~150 and follows
  // η both ways while the network is still learning: halved in the first 1,000 steps after
  // the edge, the sharpness climbs to 0.9 × the new 2/η within 440 steps; raised 1.5×, it
  // drops to 1.1 × the new line within 25.
  eos: {
    title: 'Progressive sharpening → Edge of Stability',
    blurb: 'GD on a small tanh network: the sharpness rises until it meets 2/η, then hovers there while the loss keeps falling. Halve η and it climbs to the new line.',
    values: {},
  },
  // η 0.2 → 0.1 at step 500 (the engine's schedule): back to 0.95 × the new 2/η = 20 by step
  // ~1400, then 0.99–1.02 ×. (Dropping later, once the loss is small, stops the sharpening here.)
  drop: {
    title: 'Step-size drop mid-run',
    blurb: 'η is halved at step 500: the sharpness rises again, to the new threshold 2/η = 20.',
    values: { ...SMALL, widths: [20, 20], lr_schedule: '500:x0.5' },
  },
  // Heavy ball η 0.1, β 0.5 (20-20): threshold (2+2β)/η = 30, 0.95 × by step ~510, then 0.99–1.02 ×;
  // GD at the same η: 2/η = 20 by step ~730. (β 0.9 with η ≥ 0.25 sits on the edge of
  // divergence: it diverged in WASM at step 90 while the native build did not.)
  momentum: {
    title: 'Momentum (heavy ball)',
    blurb: 'Heavy-ball momentum settles at its own threshold (2 + 2β)/η = 30, above plain GD’s 2/η = 20 at the same η.',
    values: { ...SMALL, widths: [20, 20], opt: 'polyak', lr: 0.1, beta: 0.5, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] },
  },
  // Spirals, 100 points, tanh 32-32, CE, η 0.5: reaches 2/η = 4 near step 450, then 0.93–1.16 ×.
  ce: {
    title: 'Cross-entropy',
    blurb: 'Classification (two spirals) with softmax cross-entropy: the same edge of stability; under CE sharpness tends to fall late, as the loss goes to zero.',
    values: { ...SMALL, dataset: 'spirals', n: 100, widths: [32, 32], loss: 'ce', lr: 0.5, steps: 5000, charts: ['loss', 'sharpness', 'scaled', 'data'] },
  },
  // ReLU 32-32, η 0.1: 2.7 at init, 0.95 × 2/η = 20 by step 680, then 0.99–1.02 ×, no spikes.
  relu: {
    title: 'ReLU network',
    blurb: 'Exact Hessian-vector products: no spurious spikes at ReLU kinks (finite differences show them).',
    values: { ...SMALL, act: 'relu', widths: [32, 32], lr: 0.1, charts: ['loss', 'sharpness', 'scaled', 'data'] },
  },
  // η 1: 2/η = 2 is half the initial sharpness 4.06; the loss explodes at step 8 (native and
  // WASM alike). η 0.6 would only catapult (in WASM; native diverges): too close to call.
  diverge: {
    title: 'A diverging step size',
    blurb: 'η = 1 puts 2/η = 2 far below the initial sharpness: the loss explodes within a few steps and the run stops with “diverged”; the η = 0.2 run carries on.',
    values: { ...SMALL, widths: [20, 20], lr: 1, compare: [{ opt: 'gd', lr: 0.2, beta: 0.9 }], steps: 2000 },
  },
  // Each GD run within 5% of its 2/η by step 240 (η 0.2), 730 (0.1), 1520 (0.0667);
  // gradient flow keeps sharpening (≈ 30 by step 3000).
  figure1: {
    title: 'Figure 1 in miniature',
    blurb: 'The same network at three step sizes, each sharpness settling at its own 2/η, and gradient flow, which keeps sharpening.',
    values: {
      ...SMALL,
      widths: [20, 20],
      compare: [
        { opt: 'gd', lr: 0.1, beta: 0.9 },
        { opt: 'gd', lr: 0.0667, beta: 0.9 },
        { opt: 'flow', lr: 0.2, beta: 0.9 },
      ],
    },
  },
  // The default problem at η 0.1, 0.132, 0.174, 0.23, 0.303, 0.4 (native CLI, float32): each
  // reaches 0.95 × its 2/η by step 1,310 (η 0.1) or sooner, and the median sharpness over the
  // settled window of 2,000 steps is 0.98–1.09 × 2/η (10th–90th percentiles 0.87–1.19 ×).
  // Gradient flow on the same horizon reaches ~15, below 2/η of the smallest step only.
  sweep: {
    title: 'Step-size sweep',
    blurb: 'Six GD runs at step sizes from 0.1 to 0.4 and gradient flow, same problem and initialisation: each GD run settles at its own 2/η, so the points lie on y = x.',
    values: { sweep: { lo: 0.1, hi: 0.4, n: 6 }, steps: 2000, charts: ['sweep', 'sharpness'] },
  },
  // The random teacher (n 200, d 8, one output), 1-32-32-1 tanh, seed 0, η 0.5 (2/η = 4),
  // measured with the native CLI over 3,000 steps (median sharpness over steps 1,500-3,000):
  // full-batch GD sharpens from 2.33 to 4.00 (1.00 × 2/η); mini-batch 50: 0.86 ×; 20: 0.69 ×
  // (2.77); 10: 0.55 ×. The loss still falls 300-fold with batch 20. Setting the batch to 0
  // (live) lets the run sharpen up to 2/η. 200 held-out examples: the dashed test loss.
  sgd: {
    title: 'Mini-batch SGD',
    blurb: 'SGD with mini-batches of 20 (of 200 examples): the full-batch sharpness settles well below 2/η = 4. Set the mini-batch size to 0 (full batch) and it climbs to the line. Dashed: the loss on 200 held-out examples.',
    values: {
      dataset: 'teacher', n: 200, d: 8, classes: 1, widths: [32, 32], act: 'tanh', seed: 0, data_seed: 0, lr: 0.5,
      batch: 20, n_test: 200, eig_every: 25,
    },
  },
  // The default problem (η 0.3), its central flow and gradient flow on the time axis
  // (native, float32 GD): GD oscillates with period 2 from its edge (step ~140) on, and the
  // flow's predicted average loss L + ½σ²S stays within 20% of GD's loss averaged over 100
  // steps (median ratio 0.93) while the flow's sharpness sits on 2/η = 6.67; gradient flow
  // passes 30 by step 1,500.
  central: {
    title: 'Central flow: the average path',
    blurb: 'GD, its central flow (dashed: the path GD follows on average, Cohen, Damian et al. 2025) and gradient flow. The flow holds the sharpness at 2/η; its predicted loss follows GD’s average.',
    values: { central: true, compare: [{ opt: 'flow', lr: 0.3, beta: 0.9 }], x: 'time', steps: 1500, charts: ['loss', 'sharpness'] },
  },
  // Adam (torch.optim.Adam, β₁ 0.9, β₂ 0.999, ε 1e-8) on T4, 20 points, 20-20, seed 0, η 0.002
  // (native CLI, float32): the preconditioned sharpness λmax(P⁻¹H) starts at 0.41 × 38/η, reaches
  // 0.95 × by step 400, then stays in 0.92–1.03 × over steps 2,000–4,000; the raw sharpness goes
  // 4 → 15.6, far below 2/η = 1,000 (Cohen et al. 2022).
  adam: {
    title: 'Adam at its edge',
    blurb: 'Adam’s preconditioned sharpness λmax(P⁻¹H) rises to its own threshold (2+2β₁)/((1−β₁)η) = 38/η and hovers there; the raw sharpness (dotted) stays far below 2/η: no threshold holds it, the preconditioner adapts instead.',
    values: { ...SMALL, degree: 4, widths: [20, 20], opt: 'adam', lr: 0.002, beta1: 0.9, eps: 1e-8, steps: 4000, charts: ['loss', 'sharpness'] },
  },
  // RMSProp (torch.optim.RMSprop, alpha = β₂ 0.99, the engine's default for rmsprop, ε 1e-8) on T3, 20 points, 1-30-1, seed 0, η 0.0005:
  // 0.55 × 2/η at step 0, 0.18 × at step 50 while v fills up, 0.95 × by step 550, then 0.95–1.07 ×
  // over steps 2,000–4,000; raw sharpness 8.9 → 15.9, far below 2/η = 4,000.
  rmsprop: {
    title: 'RMSProp at its edge',
    blurb: 'RMSProp’s preconditioned sharpness rises to 2/η, the threshold of its preconditioned step, and hovers there, while the raw sharpness stays far below.',
    values: { ...SMALL, widths: [30], opt: 'rmsprop', lr: 0.0005, eps: 1e-8, steps: 4000, charts: ['loss', 'sharpness'] },
  },
};

/** Defaults with a preset applied (the baseline that URL fields override). */
export function presetState(name: PresetName): AppState {
  const s = defaultState();
  const values = PRESETS[name].values;
  const out = cloneState({ ...s, ...values } as AppState);
  // β₂ and the like take the preset's optimiser's default unless the preset sets them.
  followOpt(out, s.opt, new Set(Object.keys(values)));
  out.preset = name;
  return out;
}
