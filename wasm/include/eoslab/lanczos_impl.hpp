// Template definition of eos::lanczos_top (declared in lanczos.hpp): the top-k
// (largest algebraic) eigenpairs of a symmetric operator, used for the sharpness
// lambda_max(Hessian) of the paper (Cohen et al. 2021, Section 2; the reference
// computes it with ARPACK's Lanczos on exact Hessian-vector products).
//
// Method (Golub & Van Loan, "Matrix Computations", Sections 10.1-10.3):
//  * Lanczos three-term recurrence, with FULL reorthogonalisation of every new
//    vector against the whole basis by classical Gram-Schmidt applied twice
//    ("twice is enough", Giraud et al. 2005). This keeps the basis orthonormal to
//    machine precision, so no spurious copies ("ghosts") of converged Ritz values
//    appear and the Ritz residual estimate |beta_m s_{m,i}| is the true residual
//    ||A y_i - theta_i y_i|| up to rounding.
//  * Every iteration (once m >= k) the tridiagonal T_m is diagonalised. Eigen's
//    SelfAdjointEigenSolver with eigenvectors costs O(m^3) per call (36 ms at
//    m = 300 measured on this machine, i.e. seconds over a run), so the per-
//    iteration check uses detail::tridiag_eig_lastrow below: implicit QR with
//    Wilkinson shifts that accumulates only the LAST row of the eigenvector
//    matrix, which is all the residual estimate needs (O(m^2)). The Ritz vectors
//    are formed once at the end with Eigen::SelfAdjointEigenSolver.
//  * Invariant-subspace breakdown (beta ~ 0): T splits into blocks; we continue
//    with a fresh random vector orthogonal to the basis, which keeps T
//    tridiagonal (coupling 0) because the orthogonal complement of an invariant
//    subspace of a symmetric operator is invariant too.
//  * A single Krylov sequence sees one direction per eigenspace, so an exactly
//    repeated eigenvalue appears once (ARPACK shares this limitation). With
//    LanczosOptions::check_multiplicity the converged vectors are locked and
//    Lanczos is rerun on their orthogonal complement from a new random vector,
//    until no new value enters the top k (costs about one extra solve per pass).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "eoslab/eigen.hpp"
#include "eoslab/lanczos.hpp"
#include "eoslab/rng.hpp"

namespace eos {
namespace detail {

// Eigenvalues of the symmetric tridiagonal matrix with diagonal d[0..m) and
// subdiagonal e[0..m-1), and the last row z[0..m) of its orthogonal eigenvector
// matrix Z (T = Z diag(d_out) Z^T). Implicit symmetric QR steps with Wilkinson
// shift and bulge chasing (Golub & Van Loan, Algorithm 8.3.2), deflating from
// the bottom; each Givens rotation G on (k, k+1) updates Z <- Z G, of which only
// the last row is kept. On return d holds the eigenvalues (unsorted), z[i] the
// last component of the eigenvector of d[i]; e is destroyed. Returns false if
// the iteration did not converge (not observed; callers then fall back to
// Eigen). Allocation free.
inline bool tridiag_eig_lastrow(int m, double* d, double* e, double* z) {
  if (m <= 0) return true;
  for (int i = 0; i < m; ++i) z[i] = 0.0;
  z[m - 1] = 1.0;
  const double eps = std::numeric_limits<double>::epsilon();
  const double tiny = std::numeric_limits<double>::min();
  int end = m - 1;
  long iter = 0;
  const long max_iter = 30L * m + 30;
  while (end > 0) {
    // Deflate negligible couplings (relative to their neighbours on the diagonal).
    for (int i = 0; i < end; ++i) {
      const double a = std::abs(e[i]);
      if (a <= eps * (std::abs(d[i]) + std::abs(d[i + 1])) || a < tiny) e[i] = 0.0;
    }
    while (end > 0 && e[end - 1] == 0.0) --end;
    if (end == 0) break;
    int start = end - 1;
    while (start > 0 && e[start - 1] != 0.0) --start;
    if (++iter > max_iter) return false;

    // Wilkinson shift: eigenvalue of the trailing 2x2 block closer to d[end].
    const double td = 0.5 * (d[end - 1] - d[end]);
    const double eb = e[end - 1];
    const double h = std::hypot(td, eb);
    const double denom = td >= 0.0 ? td + h : td - h;
    const double mu = d[end] - (eb / denom) * eb;

    // Chase the bulge down the unreduced block [start, end].
    double x = d[start] - mu;
    double zb = e[start];
    for (int k = start; k < end; ++k) {
      // Givens (c, s) with [c -s; s c] [x; zb] = [r; 0]. Plain sqrt unless the
      // squares could over/underflow: std::hypot is ~10x slower and this is the
      // inner loop (O(m^2) per call).
      const double big = std::max(std::abs(x), std::abs(zb));
      const double r = (big < 1e150 && big > 1e-150) ? std::sqrt(x * x + zb * zb) : std::hypot(x, zb);
      double c = 1.0, s = 0.0;
      if (r != 0.0) {
        c = x / r;
        s = -zb / r;
      }
      if (k > start) e[k - 1] = r;  // the bulge is annihilated into the coupling
      // 2x2 block [a b; b a2] <- G^T [a b; b a2] G with G = [c s; -s c].
      const double a = d[k], b = e[k], a2 = d[k + 1];
      const double cc = c * c, ss = s * s, cs = c * s;
      d[k] = cc * a - 2.0 * cs * b + ss * a2;
      d[k + 1] = ss * a + 2.0 * cs * b + cc * a2;
      e[k] = cs * (a - a2) + (cc - ss) * b;
      if (k + 1 < end) {
        const double b2 = e[k + 1];
        zb = -s * b2;  // new bulge at (k+2, k)
        e[k + 1] = c * b2;
        x = e[k];
      }
      // Z <- Z G on columns (k, k+1), last row only.
      const double zk = z[k], zk1 = z[k + 1];
      z[k] = c * zk - s * zk1;
      z[k + 1] = s * zk + c * zk1;
    }
  }
  return true;
}

}  // namespace detail

template <class Op>
LanczosResult lanczos_top(Op& op, const LanczosOptions& opt, const Eigen::MatrixXd* warm) {
  using Eigen::Index;
  using Eigen::MatrixXd;
  using Eigen::VectorXd;
  if (opt.k < 1) throw std::invalid_argument("lanczos: k must be >= 1, got " + std::to_string(opt.k));
  if (!(opt.tol > 0.0) || !std::isfinite(opt.tol))
    throw std::invalid_argument("lanczos: tol must be > 0 and finite");
  if (opt.max_iter < 1)
    throw std::invalid_argument("lanczos: max_iter must be >= 1, got " + std::to_string(opt.max_iter));

  const Index n = op.rows();
  LanczosResult res;
  if (n <= 0) {  // empty operator: nothing to find
    res.vectors.resize(0, 0);
    res.converged = true;
    return res;
  }
  const int k = static_cast<int>(std::min<Index>(opt.k, n));
  if (warm != nullptr && warm->cols() > 0 && warm->rows() != n)
    throw std::invalid_argument("lanczos: warm start has " + std::to_string(warm->rows()) +
                                " rows, operator has " + std::to_string(n));

  // Operator applications allowed in total: at least k+1 so that k Ritz values and
  // one more step exist; a single Lanczos run never needs more than n.
  const Index budget = std::max<Index>(opt.max_iter, k + 1);
  // Basis columns at most: locked vectors (multiplicity passes only) + Lanczos vectors.
  const Index cap = std::min<Index>(n, std::min<Index>(budget, n) + (opt.check_multiplicity ? k : 0));

  const double eps = std::numeric_limits<double>::epsilon();
  const double nan = std::numeric_limits<double>::quiet_NaN();

  // ---- workspace, allocated per call; inside the loop nothing is allocated ----
  // except when the basis grows: it doubles up to cap columns instead of being
  // allocated at cap at once, because runs usually stop after a few dozen
  // vectors, and for the paper's 48,810-parameter network 300 columns would be
  // 117 MB per call (WASM memory never shrinks). Doubling costs O(log m)
  // reallocations per call; the basis never exceeds twice the columns used.
  MatrixXd Q(n, std::min<Index>(cap, std::max<Index>(2 * k + 2, 32)));  // (n, <= cap) orthonormal basis: [locked | current run]
  auto ensure_cols = [&](Index c) {
    if (c <= Q.cols()) return;
    Q.conservativeResize(Eigen::NoChange, std::min<Index>(cap, std::max<Index>(c, 2 * Q.cols())));
  };
  VectorXd v(n);        // (n) current Lanczos vector (the operator takes a VectorXd)
  VectorXd w(n);        // (n) A v, then the next residual direction
  VectorXd h(cap);      // (cap) Gram-Schmidt coefficients
  std::vector<double> alpha(static_cast<std::size_t>(cap)), beta(static_cast<std::size_t>(cap));
  std::vector<double> qd(static_cast<std::size_t>(cap)), qe(static_cast<std::size_t>(cap)),
      qz(static_cast<std::size_t>(cap));
  std::vector<int> order(static_cast<std::size_t>(cap));
  Rng rng(opt.seed);
  int matvecs = 0;
  double anorm = 0.0;  // running lower bound on ||A|| (max ||A v|| seen), for absolute floors

  // Convergence threshold for a Ritz value theta: tol*|theta| (the contract), with
  // floors so a zero eigenvalue among the top k cannot stall the run forever:
  // tol*1e-6*||A||, and 100 eps ||A|| (what rounding allows for the estimate).
  auto threshold = [&](double theta) {
    return std::max({opt.tol * std::abs(theta), opt.tol * 1e-6 * anorm, 100.0 * eps * anorm});
  };

  // Classical Gram-Schmidt twice against the first `cols` basis columns.
  // Returns the coefficient of column `diag_col` (added to alpha by the caller), or 0.
  auto orthogonalise = [&](VectorXd& x, Index cols, Index diag_col) {
    double corr = 0.0;
    if (cols == 0) return corr;
    for (int pass = 0; pass < 2; ++pass) {
      h.head(cols).noalias() = Q.leftCols(cols).transpose() * x;
      x.noalias() -= Q.leftCols(cols) * h.head(cols);
      if (diag_col >= 0) corr += h(diag_col);
    }
    return corr;
  };
  // A fresh deterministic random unit vector orthogonal to the first `cols` columns,
  // written to x. Returns false if none could be found (numerically full space).
  auto random_orthogonal = [&](VectorXd& x, Index cols) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      for (Index i = 0; i < n; ++i) x(i) = rng.normal();
      const double n0 = x.norm();
      orthogonalise(x, cols, -1);
      const double n1 = x.norm();
      if (n1 > 1e-8 * n0) {
        x /= n1;
        return true;
      }
    }
    return false;
  };

  // One Lanczos run on the complement of the first `l` (locked) columns, i.e. on
  // B = (I - U U^T) A (I - U U^T), starting from the unit vector in Q.col(l).
  struct Run {
    int m = 0;             // Lanczos vectors in Q.middleCols(l, m)
    double beta_last = 0;  // coupling to the next (not stored) vector: residual scale
    bool converged = false;
    bool exhausted = false;  // l + m == n: T holds B's whole spectrum
    bool failed = false;     // non-finite operator output
  };
  auto run = [&](Index l, int kb) {
    Run r;
    for (;;) {
      const Index j = r.m;           // index within this run
      const Index col = l + j;       // column in Q
      v = Q.col(col);
      op.apply(v, w);                // w = A v_j
      ++matvecs;
      const double wnorm0 = w.norm();
      if (!std::isfinite(wnorm0)) {
        r.failed = true;
        return r;
      }
      anorm = std::max(anorm, wnorm0);
      double a = v.dot(w);
      w.noalias() -= a * v;
      if (j > 0) w.noalias() -= beta[static_cast<std::size_t>(j - 1)] * Q.col(col - 1);
      // Full reorthogonalisation (twice is enough); the v_j coefficient corrects alpha.
      a += orthogonalise(w, col + 1, col);
      const double b = w.norm();
      alpha[static_cast<std::size_t>(j)] = a;
      r.m = static_cast<int>(j + 1);
      r.exhausted = (l + r.m == n);
      const bool breakdown = r.exhausted || b <= 1e-10 * std::max(wnorm0, anorm);
      r.beta_last = r.exhausted ? 0.0 : b;

      if (r.m >= kb) {
        // Ritz values and last eigenvector components of T_m (allocation free).
        for (int i = 0; i < r.m; ++i) qd[static_cast<std::size_t>(i)] = alpha[static_cast<std::size_t>(i)];
        for (int i = 0; i + 1 < r.m; ++i) qe[static_cast<std::size_t>(i)] = beta[static_cast<std::size_t>(i)];
        bool ok = detail::tridiag_eig_lastrow(r.m, qd.data(), qe.data(), qz.data());
        if (!ok) {  // fallback (never observed): Eigen's solver
          VectorXd dd(r.m), ee(std::max(r.m - 1, 1));
          for (int i = 0; i < r.m; ++i) dd(i) = alpha[static_cast<std::size_t>(i)];
          for (int i = 0; i + 1 < r.m; ++i) ee(i) = beta[static_cast<std::size_t>(i)];
          Eigen::SelfAdjointEigenSolver<MatrixXd> es;
          es.computeFromTridiagonal(dd, ee.head(r.m - 1), Eigen::ComputeEigenvectors);
          for (int i = 0; i < r.m; ++i) {
            qd[static_cast<std::size_t>(i)] = es.eigenvalues()(i);
            qz[static_cast<std::size_t>(i)] = es.eigenvectors()(r.m - 1, i);
          }
        }
        for (int i = 0; i < r.m; ++i) {
          order[static_cast<std::size_t>(i)] = i;
          anorm = std::max(anorm, std::abs(qd[static_cast<std::size_t>(i)]));
        }
        std::partial_sort(order.begin(), order.begin() + kb, order.begin() + r.m, [&](int x, int y) {
          const double vx = qd[static_cast<std::size_t>(x)], vy = qd[static_cast<std::size_t>(y)];
          return vx > vy || (vx == vy && x < y);
        });
        bool all = true;
        for (int i = 0; i < kb && all; ++i) {
          const int t = order[static_cast<std::size_t>(i)];
          const double theta = qd[static_cast<std::size_t>(t)];
          const double est = r.beta_last * std::abs(qz[static_cast<std::size_t>(t)]);
          all = r.exhausted || est <= threshold(theta);
        }
        // At least kb+1 steps unless the space is exhausted (a start vector lying in
        // an invariant subspace must not end the run after kb steps).
        if (all && (r.m >= kb + 1 || r.exhausted)) {
          r.converged = true;
          return r;
        }
      }
      if (r.exhausted || matvecs >= budget) return r;
      // Next Lanczos vector; on breakdown restart in the orthogonal complement
      // (T then splits into blocks: coupling 0).
      if (breakdown) {
        v.setZero();
        if (!random_orthogonal(v, col + 1)) {
          r.exhausted = true;  // numerically the whole space: every residual is rounding
          r.converged = true;
          r.beta_last = 0.0;
          return r;
        }
        beta[static_cast<std::size_t>(j)] = 0.0;
        ensure_cols(col + 2);
        Q.col(col + 1) = v;
      } else {
        beta[static_cast<std::size_t>(j)] = b;
        ensure_cols(col + 2);
        Q.col(col + 1) = w / b;
      }
    }
  };

  // Ritz pairs of a finished run: the top kb of T_m, vectors Y = Q_run S (n, kb).
  struct Ritz {
    std::vector<double> values, residuals;
    MatrixXd vectors;  // (n, kb)
  };
  auto ritz = [&](Index l, const Run& r, int kb) {
    Ritz out;
    const int m = r.m;
    kb = std::min(kb, m);
    MatrixXd S(m, m);  // (m, m) eigenvectors of T_m, columns ascending by value
    VectorXd theta(m);
    if (m == 1) {
      S(0, 0) = 1.0;
      theta(0) = alpha[0];
    } else {
      VectorXd dd(m), ee(m - 1);
      for (int i = 0; i < m; ++i) dd(i) = alpha[static_cast<std::size_t>(i)];
      for (int i = 0; i + 1 < m; ++i) ee(i) = beta[static_cast<std::size_t>(i)];
      Eigen::SelfAdjointEigenSolver<MatrixXd> es;
      es.computeFromTridiagonal(dd, ee, Eigen::ComputeEigenvectors);
      S = es.eigenvectors();
      theta = es.eigenvalues();
    }
    out.vectors.resize(n, kb);
    for (int i = 0; i < kb; ++i) {
      const int t = m - 1 - i;  // ascending -> descending
      out.values.push_back(theta(t));
      out.residuals.push_back(r.beta_last * std::abs(S(m - 1, t)));
      out.vectors.col(i).noalias() = Q.middleCols(l, m) * S.col(t);
      out.vectors.col(i).normalize();
    }
    return out;
  };

  auto fail_result = [&]() {
    res.values.assign(static_cast<std::size_t>(k), nan);
    res.residuals.assign(static_cast<std::size_t>(k), std::numeric_limits<double>::infinity());
    res.vectors = MatrixXd::Zero(n, k);
    res.matvecs = matvecs;
    res.converged = false;
    return res;
  };

  // ---- start vector (phase 1) ----
  {
    for (Index i = 0; i < n; ++i) w(i) = rng.normal();  // random part, drawn in both cases
    w.normalize();
    v.setZero();
    if (warm != nullptr && warm->cols() > 0) {
      // Sum of the previous eigenvectors (each normalised) + 1e-2 random, so no
      // direction is missing from the Krylov space (Lanczos cannot create one).
      for (Index c = 0; c < warm->cols(); ++c) {
        const double cn = warm->col(c).norm();
        if (cn > 0.0 && std::isfinite(cn)) v += warm->col(c) / cn;
      }
      const double vn = v.norm();
      if (vn > 1e-8 && std::isfinite(vn)) {
        v /= vn;
        v += 1e-2 * w;
      } else {
        v = w;
      }
    } else {
      v = w;
    }
    v.normalize();
    Q.col(0) = v;
  }

  Run r = run(0, k);
  if (r.failed) return fail_result();
  Ritz best = ritz(0, r, k);
  bool converged = r.converged;

  // ---- optional multiplicity passes: lock the top k, rerun on the complement ----
  if (opt.check_multiplicity && converged && !r.exhausted) {
    MatrixXd merged(n, k);  // (n, k) scratch for the new locked set
    for (;;) {
      const Index l = best.vectors.cols();
      ensure_cols(std::min<Index>(cap, l + 1));
      Q.leftCols(l) = best.vectors;
      // Re-orthonormalise the locked set (Ritz vectors are orthonormal to rounding).
      for (Index c = 0; c < l; ++c) {
        w = Q.col(c);
        orthogonalise(w, c, -1);
        Q.col(c) = w / w.norm();
      }
      if (matvecs >= budget || l >= n) break;
      if (!random_orthogonal(v, l)) break;
      Q.col(l) = v;
      const int kb = static_cast<int>(std::min<Index>(k, n - l));
      Run r2 = run(l, kb);
      if (r2.failed) return fail_result();
      Ritz cand = ritz(l, r2, kb);
      // Does any value of the complement exceed the k-th locked value (beyond tolerance)?
      const double cutoff = best.values.back();
      int entering = 0;
      while (entering < static_cast<int>(cand.values.size()) && cand.values[static_cast<std::size_t>(entering)] >
                                  cutoff + threshold(cutoff))
        ++entering;
      if (entering == 0) {
        converged = r2.converged;
        break;
      }
      // Merge: top k of (locked, entering candidates), both lists descending.
      Ritz next;
      const int nb = static_cast<int>(best.values.size());
      const int total = std::min(k, nb + entering);
      int a = 0, c = 0;
      for (int i = 0; i < total; ++i) {
        const bool take_c = c < entering &&
                            (a >= nb || cand.values[static_cast<std::size_t>(c)] >
                                           best.values[static_cast<std::size_t>(a)]);
        const Ritz& src = take_c ? cand : best;
        const int s = take_c ? c++ : a++;
        next.values.push_back(src.values[static_cast<std::size_t>(s)]);
        next.residuals.push_back(src.residuals[static_cast<std::size_t>(s)]);
        merged.col(i) = src.vectors.col(s);
      }
      next.vectors = merged.leftCols(total);
      best = std::move(next);
      converged = r2.converged;
      if (!converged) break;
    }
  }

  res.values = std::move(best.values);
  res.residuals = std::move(best.residuals);
  res.vectors = std::move(best.vectors);
  res.matvecs = matvecs;
  res.converged = converged;
  return res;
}

}  // namespace eos
