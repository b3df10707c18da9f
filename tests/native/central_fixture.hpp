// What the central-flow tests share (test_central.cpp, test_central_refresh.cpp): the tiny
// float64 net they check against dense linear algebra, and its explicit Hessian.
#pragma once

#include "eoslab/config.hpp"
#include "eoslab/eigen.hpp"
#include "eoslab/mlp.hpp"

// A tiny net (1-4-4-1 tanh, Chebyshev T3 on 8 points, 45 parameters), float64.
inline eos::Config central_tiny() {
  eos::Config c;
  c.dataset = "chebyshev";
  c.n = 8;
  c.degree = 3;
  c.widths = {4, 4};
  c.precision = "float64";
  c.seed = 3;
  return c;
}

// The Hessian at th, column by column from exact HVPs, symmetrised: (P, P).
inline Eigen::MatrixXd dense_hessian(eos::Mlp<double>& m, const Eigen::VectorXd& th) {
  Eigen::VectorXd g, col;
  m.loss_grad(th, g);
  const Eigen::Index P = th.size();
  Eigen::MatrixXd H(P, P);
  for (Eigen::Index i = 0; i < P; ++i) {
    m.hvp(Eigen::VectorXd::Unit(P, i), col);
    H.col(i) = col;
  }
  return 0.5 * (H + H.transpose());
}
