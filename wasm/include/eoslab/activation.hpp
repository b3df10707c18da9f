// Elementwise activations with their first and second derivatives, as Eigen
// array expressions (vectorised for tanh/exp on float). sigma'' is what the
// exact Hessian-vector product needs (Pearlmutter's R-operator, backward pass).
#pragma once

#include <cmath>

#include "eoslab/config.hpp"
#include "eoslab/eigen.hpp"

namespace eos {

// A = sigma(Z), S1 = sigma'(Z). All (width, n). No allocation when sized.
template <class M>
void act_forward(Activation a, const M& Z, M& A, M& S1) {
  using T = typename M::Scalar;
  auto z = Z.array();
  auto out = A.array();
  auto d1 = S1.array();
  switch (a) {
    case Activation::Tanh:
      out = z.tanh();
      d1 = T(1) - out.square();
      break;
    case Activation::Relu:  // relu'(0) = 0, as in PyTorch
      out = z.max(T(0));
      d1 = (z > T(0)).template cast<T>();
      break;
    case Activation::Elu:  // alpha = 1
      d1 = z.min(T(0)).exp();  // e^z for z<0, 1 for z>=0 (e^0): exactly sigma'
      out = (z > T(0)).select(z, d1 - T(1));
      break;
    case Activation::Gelu: {  // exact form x Phi(x)
      const T r2 = T(0.70710678118654752440);
      const T c = T(0.39894228040143267794);  // 1/sqrt(2 pi)
      d1 = z.unaryExpr([r2](T x) { return T(0.5) * (T(1) + std::erf(x * r2)); });  // Phi
      out = z * d1;
      d1 += z * c * (T(-0.5) * z.square()).exp();  // Phi + x phi
      break;
    }
    case Activation::Softplus:  // log(1 + e^z), stable form; sigma' = logistic
      out = z.max(T(0)) + (-z.abs()).exp().log1p();
      d1 = T(1) / (T(1) + (-z).exp());
      break;
    case Activation::Sigmoid:
      out = T(1) / (T(1) + (-z).exp());
      d1 = out * (T(1) - out);
      break;
    case Activation::Identity:
      out = z;
      d1.setConstant(T(1));
      break;
  }
}

// S2 = sigma''(Z), given Z, A = sigma(Z) and S1 = sigma'(Z).
template <class M>
void act_second(Activation a, const M& Z, const M& A, const M& S1, M& S2) {
  using T = typename M::Scalar;
  auto z = Z.array();
  auto s = A.array();
  auto d1 = S1.array();
  auto d2 = S2.array();
  switch (a) {
    case Activation::Tanh: d2 = T(-2) * s * d1; break;
    case Activation::Relu: d2.setZero(); break;  // zero almost everywhere: no spurious spikes at kinks
    case Activation::Elu: d2 = (z > T(0)).select(T(0) * z, d1); break;
    case Activation::Gelu: {  // phi(z) (2 - z^2)
      const T c = T(0.39894228040143267794);
      d2 = c * (T(-0.5) * z.square()).exp() * (T(2) - z.square());
      break;
    }
    case Activation::Softplus: d2 = d1 * (T(1) - d1); break;
    case Activation::Sigmoid: d2 = d1 * (T(1) - T(2) * s); break;
    case Activation::Identity: d2.setZero(); break;
  }
}

}  // namespace eos
