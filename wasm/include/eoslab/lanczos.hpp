// Top-k eigenpairs of a symmetric operator by thick-restart Lanczos with full
// reorthogonalisation in a bounded basis, matrix-free: the operator only needs
//   Eigen::Index rows() const;
//   void apply(const Eigen::VectorXd& x, Eigen::VectorXd& y);   // y = A x, y pre-sized
// so the same code runs on the exact Hessian (HessianOp in experiment.cpp) and on
// dense test matrices (DenseOp). All accumulation is in double.
#pragma once

#include <cstdint>
#include <vector>

#include "eoslab/eigen.hpp"

namespace eos {

struct LanczosOptions {
  int k = 1;                 // how many of the largest (algebraic) eigenvalues, >= 1
  double tol = 1e-3;         // converged when ||A v - lambda v|| <= tol * |lambda| for each of the top k
  int max_iter = 300;        // at most this many operator applications (the basis is restarted, so memory does not grow with it)
  std::uint64_t seed = 0;    // random start vector (eos::Rng), so results are deterministic
  // A single Krylov sequence sees one direction per eigenspace, so an exactly
  // repeated eigenvalue is returned once. When true, after convergence the top k
  // are locked and Lanczos reruns on their orthogonal complement (fresh random
  // start) until no new value enters the top k: about one extra solve per pass.
  bool check_multiplicity = false;
};

// Upper bound on the Lanczos basis (vectors of rows() doubles held at once) for the
// top k: restarted Lanczos keeps at most max(2k + 1, 20) vectors, capped by the
// dimension, however many operator applications it uses. The memory estimate of a
// configuration (config.cpp) uses the same bound.
inline int lanczos_basis_size(int k, std::int64_t rows) {
  const std::int64_t m = k * 2 + 1 > 20 ? k * 2 + 1 : 20;
  return static_cast<int>(m < rows ? m : rows);
}

struct LanczosResult {
  std::vector<double> values;      // k eigenvalues, descending
  Eigen::MatrixXd vectors;         // (rows, k) unit eigenvectors, column i for values[i]
  std::vector<double> residuals;   // ||A v_i - lambda_i v_i|| (Ritz estimate |beta_m s_mi|)
  int matvecs = 0;                 // operator applications used
  int max_basis = 0;               // most basis vectors (of rows() doubles) held at once, <= lanczos_basis_size(k, rows)
  bool converged = false;
};

// warm: optional (rows, j) matrix of previous eigenvectors; the start vector is
// built from them (plus a small deterministic random part) so that nearby
// problems converge in few applications. Pass nullptr (or 0 columns) for a cold start.
template <class Op>
LanczosResult lanczos_top(Op& op, const LanczosOptions& opt, const Eigen::MatrixXd* warm = nullptr);

// A dense symmetric matrix as an operator (tests, small problems).
struct DenseOp {
  const Eigen::MatrixXd& A;  // (n, n), symmetric
  Eigen::Index rows() const { return A.rows(); }
  void apply(const Eigen::VectorXd& x, Eigen::VectorXd& y) { y.noalias() = A * x; }
};

}  // namespace eos

#include "eoslab/lanczos_impl.hpp"
