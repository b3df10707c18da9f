// Optimiser updates in torch.optim.SGD conventions (paper Section 2 and its
// momentum appendix). Each acts on a flat parameter vector theta given the
// gradient g at theta; velocity v is the momentum buffer (zero at start).
#pragma once

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
