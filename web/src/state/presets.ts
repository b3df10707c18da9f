// The presets: each a partial state over the defaults (`eos` is the defaults themselves).
// Which values show each regime was measured with the engine (native CLI and WASM).

import { type AppState, type PresetName, cloneState, defaultState } from './schema';

export interface PresetInfo {
  title: string;
  blurb: string;
  values: Partial<AppState>;
}

export const PRESETS: Record<PresetName, PresetInfo> = {
  // Measured with the native CLI (float32, same engine). Default: Chebyshev T3 on 20 points,
  // 1-20-1 tanh, η 0.2: sharpness 6.3 at init, 0.95 × 2/η by step 730, 2/η by ~880, then a
  // sawtooth 0.94–1.05 × 2/η (0.97–1.03 over steps 2250–3000). Raising η to 0.3 at step 1000
  // catapults it down to ~5, from where it sharpens back to the new 2/η = 6.7 by step ~1550.
  // The other presets use 20-20 (sharpness 4.06 at init), which keeps sharpening to ~30 under
  // gradient flow, so lower step sizes have a threshold to reach.
  eos: {
    title: 'Progressive sharpening → Edge of Stability',
    blurb: 'GD on a small tanh network: the sharpness rises until it meets 2/η, then hovers there while the loss keeps falling.',
    values: {},
  },
  // η 0.2 → 0.1 at step 500 (the engine's schedule): back to 0.95 × the new 2/η = 20 by step
  // ~1400, then 0.99–1.02 ×. (Dropping later, once the loss is small, stops the sharpening here.)
  drop: {
    title: 'Step-size drop mid-run',
    blurb: 'η is halved at step 500: the sharpness rises again, to the new threshold 2/η = 20.',
    values: { widths: [20, 20], lr_schedule: '500:x0.5' },
  },
  // Heavy ball η 0.1, β 0.5 (20-20): threshold (2+2β)/η = 30, 0.95 × by step ~510, then 0.99–1.02 ×;
  // GD at the same η: 2/η = 20 by step ~730. (β 0.9 with η ≥ 0.25 sits on the edge of
  // divergence: it diverged in WASM at step 90 while the native build did not.)
  momentum: {
    title: 'Momentum (heavy ball)',
    blurb: 'Heavy-ball momentum settles at its own threshold (2 + 2β)/η = 30, above plain GD’s 2/η = 20 at the same η.',
    values: { widths: [20, 20], opt: 'polyak', lr: 0.1, beta: 0.5, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] },
  },
  // Spirals, 100 points, tanh 32-32, CE, η 0.5: reaches 2/η = 4 near step 450, then 0.93–1.16 ×.
  ce: {
    title: 'Cross-entropy',
    blurb: 'Classification (two spirals) with softmax cross-entropy: the same edge of stability; under CE sharpness tends to fall late, as the loss goes to zero.',
    values: { dataset: 'spirals', n: 100, widths: [32, 32], loss: 'ce', lr: 0.5, steps: 5000 },
  },
  // ReLU 32-32, η 0.1: 2.7 at init, 0.95 × 2/η = 20 by step 680, then 0.99–1.02 ×, no spikes.
  relu: {
    title: 'ReLU network',
    blurb: 'Exact Hessian-vector products: no spurious spikes at ReLU kinks (finite differences show them).',
    values: { act: 'relu', widths: [32, 32], lr: 0.1 },
  },
  // η 1: 2/η = 2 is half the initial sharpness 4.06; the loss explodes at step 8 (native and
  // WASM alike). η 0.6 would only catapult (in WASM; native diverges): too close to call.
  diverge: {
    title: 'A diverging step size',
    blurb: 'η = 1 puts 2/η = 2 far below the initial sharpness: the loss explodes within a few steps and the run stops with “diverged”; the η = 0.2 run carries on.',
    values: { widths: [20, 20], lr: 1, compare: [{ opt: 'gd', lr: 0.2, beta: 0.9 }], steps: 2000 },
  },
  // Each GD run within 5% of its 2/η by step 240 (η 0.2), 730 (0.1), 1520 (0.0667);
  // gradient flow keeps sharpening (≈ 30 by step 3000).
  figure1: {
    title: 'Figure 1 in miniature',
    blurb: 'The same network at three step sizes, each sharpness settling at its own 2/η, and gradient flow, which keeps sharpening.',
    values: {
      widths: [20, 20],
      compare: [
        { opt: 'gd', lr: 0.1, beta: 0.9 },
        { opt: 'gd', lr: 0.0667, beta: 0.9 },
        { opt: 'flow', lr: 0.2, beta: 0.9 },
      ],
    },
  },
};

/** Defaults with a preset applied (the baseline that URL fields override). */
export function presetState(name: PresetName): AppState {
  const s = defaultState();
  const out = cloneState({ ...s, ...PRESETS[name].values } as AppState);
  out.preset = name;
  return out;
}
