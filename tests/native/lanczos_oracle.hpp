// Shared by the Lanczos tests (test_lanczos.cpp, test_lanczos_restart.cpp): dense
// symmetric matrices with KNOWN spectra, A = Q diag(lambda) Q^T with a random
// orthogonal Q (fixed seeds), the independent oracle Eigen::SelfAdjointEigenSolver,
// an operator that counts its applications, and the checks of a result against
// the oracle (values, unit vectors, direct residuals ||A v - lambda v||, subspace).
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "eoslab/eigen.hpp"
#include "eoslab/lanczos.hpp"
#include "eoslab/rng.hpp"

namespace lanczos_test {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// Random orthogonal (n, n) matrix: Q factor of a Gaussian matrix (Haar up to signs).
inline MatrixXd random_orthogonal(int n, std::uint64_t seed) {
  eos::Rng rng(seed);
  MatrixXd G(n, n);  // (n, n)
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) G(i, j) = rng.normal();
  Eigen::HouseholderQR<MatrixXd> qr(G);
  return qr.householderQ() * MatrixXd::Identity(n, n);
}

// (n, n) symmetric matrix with eigenvalues lambda (any order).
inline MatrixXd with_spectrum(const std::vector<double>& lambda, std::uint64_t seed) {
  const int n = static_cast<int>(lambda.size());
  const MatrixXd Q = random_orthogonal(n, seed);
  VectorXd l(n);
  for (int i = 0; i < n; ++i) l(i) = lambda[static_cast<std::size_t>(i)];
  MatrixXd A = Q * l.asDiagonal() * Q.transpose();
  return 0.5 * (A + A.transpose());  // exactly symmetric
}

// Uniform values in [lo, hi) from a seed.
inline std::vector<double> uniform_values(int count, double lo, double hi, std::uint64_t seed) {
  eos::Rng rng(seed);
  std::vector<double> v(static_cast<std::size_t>(count));
  for (auto& x : v) x = rng.uniform(lo, hi);
  return v;
}

struct Oracle {
  VectorXd values;   // descending
  MatrixXd vectors;  // (n, n), column i for values(i)
};
inline Oracle dense_oracle(const MatrixXd& A) {
  Eigen::SelfAdjointEigenSolver<MatrixXd> es(A);
  const int n = static_cast<int>(A.rows());
  Oracle o{es.eigenvalues().reverse(), es.eigenvectors().rowwise().reverse()};
  (void)n;
  return o;
}

// Counts operator applications independently of the solver's own count.
struct CountingOp {
  const MatrixXd& A;  // (n, n)
  int calls = 0;
  Eigen::Index rows() const { return A.rows(); }
  void apply(const VectorXd& x, VectorXd& y) {
    ++calls;
    y.noalias() = A * x;
  }
};

inline double direct_residual(const MatrixXd& A, const VectorXd& v, double lambda) {
  return (A * v - lambda * v).norm();
}

// Checks a result against the oracle: values (relative), unit vectors, direct
// residuals, and that the vectors lie in the oracle's top-k invariant subspace
// (sin of the angle <= residual / gap by Davis-Kahan; `span_tol` given by caller).
inline void check_against_oracle(const MatrixXd& A, const Oracle& o, const eos::LanczosResult& r, int k,
                          double tol, double value_rel, double residual_safety, double span_tol) {
  const int n = static_cast<int>(A.rows());
  const int kk = std::min(k, n);
  REQUIRE(static_cast<int>(r.values.size()) == kk);
  REQUIRE(static_cast<int>(r.residuals.size()) == kk);
  REQUIRE(r.vectors.rows() == n);
  REQUIRE(r.vectors.cols() == kk);
  CHECK(r.converged);
  const double scale = std::max(std::abs(o.values(0)), std::abs(o.values(n - 1)));
  for (int i = 0; i < kk; ++i) {
    INFO("i = " << i << ", lanczos " << r.values[static_cast<std::size_t>(i)] << ", dense "
                << o.values(i));
    if (i > 0) CHECK(r.values[static_cast<std::size_t>(i)] <= r.values[static_cast<std::size_t>(i - 1)]);
    CHECK(std::abs(r.values[static_cast<std::size_t>(i)] - o.values(i)) <=
          std::max(value_rel * std::abs(o.values(i)), 1e-12 * scale));
    CHECK(std::abs(r.vectors.col(i).norm() - 1.0) <= 1e-12);
    const double res = direct_residual(A, r.vectors.col(i), r.values[static_cast<std::size_t>(i)]);
    INFO("direct residual " << res << ", estimate " << r.residuals[static_cast<std::size_t>(i)]);
    // The solver stops on tol*|lambda| (with a tiny absolute floor, 100 eps ||A||).
    CHECK(res <= residual_safety * std::max(tol * std::abs(o.values(i)), 1e-12 * scale));
  }
  // Orthonormal set.
  const MatrixXd G = r.vectors.transpose() * r.vectors;
  CHECK((G - MatrixXd::Identity(kk, kk)).norm() <= 1e-8);
  // Inside the top-k invariant subspace (meaningful when lambda_k > lambda_{k+1}).
  if (kk < n && o.values(kk - 1) - o.values(kk) > 1e-6 * scale) {
    const MatrixXd U = o.vectors.leftCols(kk);  // (n, kk)
    const double outside = (r.vectors - U * (U.transpose() * r.vectors)).norm();
    INFO("component outside the top-" << kk << " eigenspace: " << outside);
    CHECK(outside <= span_tol);
  }
}

inline void check_against_oracle(const MatrixXd& A, const eos::LanczosResult& r, int k, double tol,
                          double value_rel, double residual_safety, double span_tol) {
  check_against_oracle(A, dense_oracle(A), r, k, tol, value_rel, residual_safety, span_tol);
}

inline eos::LanczosResult solve(const MatrixXd& A, int k, double tol = 1e-3, std::uint64_t seed = 1,
                                int max_iter = 1000, bool multiplicity = false) {
  CountingOp op{A};
  eos::LanczosOptions opt;
  opt.k = k;
  opt.tol = tol;
  opt.seed = seed;
  opt.max_iter = max_iter;
  opt.check_multiplicity = multiplicity;
  eos::LanczosResult r = eos::lanczos_top(op, opt);
  CHECK(r.matvecs == op.calls);  // the reported count is the true count
  // Bounded memory: never more basis vectors than the documented bound.
  CHECK(r.max_basis >= 1);
  CHECK(r.max_basis <= eos::lanczos_basis_size(k, A.rows()));
  return r;
}


}  // namespace lanczos_test
