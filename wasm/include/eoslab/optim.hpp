// Optimiser updates in torch.optim.SGD conventions (paper Section 2 and its
// momentum appendix), and Adam / RMSProp in torch.optim.Adam / RMSprop's. Each acts on a flat parameter vector theta given the
// gradient g at theta; velocity v is the momentum buffer (zero at start).
#pragma once

#include <cmath>
#include <cstdint>

#include "eoslab/eigen.hpp"

namespace eos::optim {

// GD: theta <- theta - lr g. Stable on a quadratic iff lambda < 2/lr.
template <class V, class G>
void gd(V& theta, const G& g, double lr) {
  using T = typename V::Scalar;
  theta.noalias() -= T(lr) * g;
}

// Heavy ball (Polyak): v <- beta v + g; theta <- theta - lr v.
// Stable iff lambda < (2 + 2 beta)/lr.
template <class V, class G>
void polyak(V& theta, V& v, const G& g, double lr, double beta) {
  using T = typename V::Scalar;
  v = T(beta) * v + g;
  theta.noalias() -= T(lr) * v;
}

// Nesterov (PyTorch form): v <- beta v + g; theta <- theta - lr (g + beta v).
// Stable iff lambda < (2 + 2 beta)/((1 + 2 beta) lr).
template <class V, class G>
void nesterov(V& theta, V& v, const G& g, double lr, double beta) {
  using T = typename V::Scalar;
  v = T(beta) * v + g;
  theta.noalias() -= T(lr) * (g + T(beta) * v);
}

// Adam's moments as torch.optim.Adam updates them (Kingma & Ba 2015):
// m <- m + (1 - b1)(g - m) (torch's lerp), v <- b2 v + (1 - b2) g^2, and the
// diagonal P = sqrt(v / (1 - b2^t)) + eps of this step, t = 1 on the first step.
// Cohen et al. (2022) measure the sharpness of P^-1 H with this P.
template <class V, class G>
void adam_moments(V& m, V& v, V& den, const G& g, double b1, double b2, double eps, std::int64_t t) {
  using T = typename V::Scalar;
  m.array() += T(1 - b1) * (g.array() - m.array());
  v.array() = T(b2) * v.array() + T(1 - b2) * g.array().square();
  const T bc2_sqrt = T(std::sqrt(1 - std::pow(b2, double(t))));
  den.array() = v.array().sqrt() / bc2_sqrt + T(eps);
}

// Adam's update with the moments of this step: theta <- theta - lr/(1 - b1^t) m / P.
// Stable on a quadratic (frozen P) iff lambda_max(P^-1 H) < (2 + 2 b1)/((1 - b1) lr).
template <class V>
void adam_apply(V& theta, const V& m, const V& den, double lr, double b1, std::int64_t t) {
  using T = typename V::Scalar;
  const T step_size = T(lr / (1 - std::pow(b1, double(t))));
  theta.array() -= step_size * (m.array() / den.array());
}

// RMSProp as torch.optim.RMSprop (alpha = b2, no momentum, not centred):
// v <- b2 v + (1 - b2) g^2, P = sqrt(v) + eps (no bias correction).
template <class V, class G>
void rmsprop_moments(V& v, V& den, const G& g, double b2, double eps) {
  using T = typename V::Scalar;
  v.array() = T(b2) * v.array() + T(1 - b2) * g.array().square();
  den.array() = v.array().sqrt() + T(eps);
}

// theta <- theta - lr g / P. Stable (frozen P) iff lambda_max(P^-1 H) < 2/lr.
template <class V, class G>
void rmsprop_apply(V& theta, const G& g, const V& den, double lr) {
  using T = typename V::Scalar;
  theta.array() -= T(lr) * (g.array() / den.array());
}

// One classical RK4 step of gradient flow d theta/dt = -grad L(theta) with step h.
// grad(x, out) writes the gradient at x; k1 is the gradient at theta (already known).
// Scratch vectors are passed in so the hot loop does not allocate.
template <class V, class GradFn>
void rk4(V& theta, const V& k1, double h, GradFn&& grad, V& k2, V& k3, V& k4, V& tmp) {
  using T = typename V::Scalar;
  const T th(h);
  tmp = theta - (th / T(2)) * k1;
  grad(tmp, k2);
  tmp = theta - (th / T(2)) * k2;
  grad(tmp, k3);
  tmp = theta - th * k3;
  grad(tmp, k4);
  theta -= (th / T(6)) * (k1 + T(2) * k2 + T(2) * k3 + k4);
}

}  // namespace eos::optim
