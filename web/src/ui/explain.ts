// The explanation beside the charts: what sharpness is, why 2/η, what the visitor
// sees (progressive sharpening, then the Edge of Stability), with the papers cited:
// Adam and RMSProp at their own edge, and the valley that explains 2/η.
// Static text; the live numbers are in the run list.

import { h } from './dom';

export function mountExplanation(root: HTMLElement): HTMLElement {
  root.classList.add('eos-explain');
  root.append(
    h('h2', {}, 'What you are seeing'),
    h(
      'p',
      {},
      h('strong', {}, 'Sharpness'),
      ' is the largest eigenvalue λmax of the Hessian ∇²L of the training loss: the curvature of the loss along its steepest direction. ',
      'The lab computes it exactly, with Lanczos on Hessian-vector products, every few steps.',
    ),
    h(
      'p',
      {},
      h('strong', {}, 'Why 2/η? '),
      'On a quadratic with curvature λ, gradient descent with step size η multiplies the error by (1 − ηλ) each step. ',
      'It is stable only while |1 − ηλ| < 1, that is λ < 2/η. The dashed line in each run’s colour is this threshold ',
      '(with momentum β it is (2 + 2β)/η).',
    ),
    h(
      'p',
      {},
      h('strong', {}, 'What happens: '),
      'while sharpness is below 2/η it keeps rising (',
      h('em', {}, 'progressive sharpening'),
      '). When it reaches 2/η, the classical theory says GD should blow up; instead, sharpness stops and hovers at or just above 2/η, ',
      'and the loss keeps falling over the long run, though not monotonically: the ',
      h('em', {}, 'Edge of Stability'),
      '. Gradient flow (η → 0) has no threshold and keeps sharpening.',
    ),
    h(
      'p',
      {},
      h('strong', {}, 'Try this: halve η'),
      ' (the η bar above the charts offers it when the run reaches its edge): the sharpness climbs to the new line 2/η. ',
      'It does so while the network is still learning; once the loss is near zero there is little left to sharpen, and it stalls below the line. ',
      'Raise η and the sharpness drops to the new, lower line within a few steps.',
    ),
    h(
      'p',
      {},
      h('strong', {}, 'The sweep chart'),
      ' (preset “Step-size sweep”) runs GD at several step sizes on the same problem and initialisation, and draws each run as one point: ',
      'its sharpness once settled (median, with a bar from the 10th to the 90th percentile) against its 2/η. ',
      'The points lie on the dashed line y = x, so the step size alone sets where the sharpness ends up; gradient flow, which has no step size, is held by no line and keeps sharpening (the horizontal line is where it got to in the same number of steps).',
    ),
    h(
      'p',
      {},
      'The η·sharpness chart puts every step size on one scale: each GD run settles at 2. Time Σ η on the x axis lines up runs with different η and gradient flow.',
    ),
    h(
      'p',
      {},
      h('strong', {}, 'The data chart'),
      ' (presets “ReLU network” and “Cross-entropy”, or charts=…,data) shows the training set and what the selected run has learned: ',
      'for a 1-D problem the points, the target curve (dashed) and the network’s curve; for a 2-D one the points over the network’s predicted class, ',
      'paler where it is unsure (near the decision boundary). Each loss spike at the edge is a jolt of the fitted function: ',
      '“Before last spike” and “At its peak” show the fit on either side, and the slider goes back over earlier snapshots.',
    ),
    h(
      'p',
      {},
      h('strong', {}, 'Adam and RMSProp'),
      ' (presets “Adam at its edge”, “RMSProp at its edge”) divide each step by a preconditioner P = diag(√v̂ + ε), the running root-mean-square of the gradient. ',
      'They do not hold the raw sharpness λmax(H) (dotted line): it stays far below 2/η. What they hold is the ',
      h('em', {}, 'preconditioned sharpness'),
      ' λmax(P⁻¹H), the curvature the preconditioned step sees (solid line): it rises to the threshold of the preconditioned update and hovers there, ',
      '2/η for RMSProp and (2 + 2β₁)/((1 − β₁)η) = 38/η for Adam with β₁ = 0.9 (the dashed line). Once there, the preconditioner adapts instead of the sharpness.',
    ),
    h(
      'p',
      {},
      h('strong', {}, 'Mini-batch SGD'),
      ' (setting “Mini-batch size”, preset “Mini-batch SGD”): each step follows the gradient of a few examples, reshuffled every epoch, ',
      'while the charts still show the loss and the sharpness of the full training set. With small batches the sharpness settles below 2/η; ',
      'set the size to 0 (full batch) mid-run and it climbs to the line. With held-out examples (“Held-out examples”), their loss is drawn dashed in the run’s colour.',
    ),
    h(
      'p',
      { class: 'eos-explain-central' },
      h('strong', {}, 'The central flow'),
      ' (a GD run’s “central flow” toggle, or the preset “Central flow: the average path”) is the path GD follows once its oscillation is averaged out: dθ/dt = −η[∇L + ½σ²∇S], where S is the sharpness and σ² ≥ 0 is exactly what holds S at 2/η (Cohen, Damian et al., ',
      h('cite', {}, 'Understanding Optimization in Deep Learning with Central Flows'),
      ', ICLR 2025). ',
      'It is drawn dashed in the run’s colour: its sharpness sits on the line while GD’s oscillates around it, and its predicted loss L + ½σ²S is GD’s average loss only while GD oscillates steadily (period 2) along the top eigenvector. ',
      'When GD instead sharpens past 2/η and a short catapult spike brings it back, the flow’s own loss L is the better guide to GD’s typical loss.',
    ),
    h(
      'p',
      {},
      h('strong', {}, 'The valley chart'),
      ' shows why the line is 2/η. Along the top eigenvector u, the loss near the iterate is a valley whose curvature is the sharpness λ (the dashed parabola is ½λs²). ',
      'A GD step multiplies the offset along u by (1 − ηλ): below 1/η the iterate slides down one wall, between 1/η and 2/η it crosses the valley and comes back closer, ',
      'and at 2/η it bounces from wall to wall, so each step’s component along u flips sign every step (the lower chart). ',
      'That bouncing moves the iterate along the gradient of the sharpness, towards flatter ground, which pushes the sharpness back to 2/η (',
      h('em', {}, 'self-stabilisation'),
      '). For Adam and RMSProp the direction is the top eigenvector of P⁻¹H in the metric of P, and the curvature is the preconditioned sharpness.',
    ),
    h('p', { class: 'eos-explain-live', 'aria-live': 'polite', hidden: true }),
    h(
      'p',
      { class: 'eos-cite' },
      'J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar. ',
      h('cite', {}, 'Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability'),
      '. ICLR 2021.',
    ),
    h(
      'p',
      { class: 'eos-cite' },
      'J. Cohen, B. Ghorbani, S. Krishnan, N. Agarwal, S. Medapati, M. Badura, D. Suo, D. Cardoze, Z. Nado, G. E. Dahl, J. Gilmer. ',
      h('cite', {}, 'Adaptive Gradient Methods at the Edge of Stability'),
      '. 2022.',
    ),
    h(
      'p',
      { class: 'eos-cite' },
      'A. Damian, E. Nichani, J. D. Lee. ',
      h('cite', {}, 'Self-Stabilization: The Implicit Bias of Gradient Descent at the Edge of Stability'),
      '. ICLR 2023.',
    ),
  );
  return root;
}

/** A one-line live note in the explanation (e.g. why a run's sharpness stalled); '' hides it. */
export function setExplainLive(root: HTMLElement, text: string): void {
  const p = root.querySelector<HTMLElement>('.eos-explain-live');
  if (!p || p.textContent === text) return;
  p.textContent = text;
  p.hidden = text === '';
}
