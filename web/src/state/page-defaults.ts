// The problem the page opens with (the `eos` preset), where it differs from the engine's own
// defaults (which stay the CLI's).

/**
 * The page's own defaults for the problem it opens with, where they differ from the engine's
 * (the engine's defaults are the CLI's). Chosen by measurement with the native engine among
 * candidate problems (bench/sweep-default.mjs): Chebyshev T5 on 40 points, 1-32-32-32-1 tanh,
 * seed 1, η 0.3 reaches 0.95 × 2/η at step ~150; halving η at any step of the first 1,000
 * after the edge brings the sharpness to 0.9 × the new 2/η within 440 steps, because the
 * network is still learning there (progressive sharpening resumes, Cohen et al. 2021,
 * Section 3); raising η 1.5× brings it to 1.1 × the new 2/η within 25 steps.
 */
/**
 * central_substeps 2 (the engine's default is 4, as in the reference implementation): a GD
 * run's central flow runs in a second worker at the run's speed, and two substeps per step
 * halve its cost (bench/central_cost.mjs) while the flow's loss and predicted loss on the
 * default problem stay within 1% of the four-substep values.
 */
export const PAGE_DEFAULTS = { dataset: 'chebyshev', degree: 5, n: 40, widths: [32, 32, 32], act: 'tanh', seed: 1, lr: 0.3, central_substeps: 2 } as const;
