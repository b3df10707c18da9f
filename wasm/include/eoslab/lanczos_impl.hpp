// Template definition of eos::lanczos_top (declared in lanczos.hpp): the top-k
// (largest algebraic) eigenpairs of a symmetric operator, used for the sharpness
// lambda_max(Hessian) of the paper (Cohen et al. 2021, Section 2; the reference
// computes it with ARPACK's Lanczos on exact Hessian-vector products).
//
// Method: thick-restart Lanczos (Wu & Simon, SIAM J. Matrix Anal. Appl. 22(2),
// 2000), with bounded memory: the basis never holds more than
// m = lanczos_basis_size(k, rows) vectors, however many operator applications
// the call uses.
//  * Lanczos three-term recurrence (Golub & Van Loan, "Matrix Computations",
//    Sections 10.1-10.3) with FULL reorthogonalisation of every new vector
//    against the whole basis by classical Gram-Schmidt applied twice ("twice is
//    enough", Giraud et al. 2005). The basis stays orthonormal to machine
//    precision, so no spurious copies ("ghosts") of converged Ritz values appear
//    and the Ritz residual estimate |beta s_{last,i}| is the true residual
//    ||A y_i - theta_i y_i|| up to rounding.
//  * Restart. When the basis is full (m vectors, A Q_m = Q_m H_m + b q e_m^T with
//    q the next unit vector), H_m = S diag(theta) S^T is diagonalised and the p
//    Ritz vectors Y = Q_m S_p of the largest Ritz values are kept (p = k plus 60%
//    of the free room). Then A Y = Y diag(theta_p) + q (b s_{m,1..p}), so with q
//    appended as vector p + 1 the projected matrix is the "arrowhead"
//    [diag(theta_p) b s; b s^T alpha] continued by the usual tridiagonal part:
//    the Lanczos relation holds again and the recurrence goes on (Wu & Simon,
//    Section 3). Y overwrites Q in place, a block of rows at a time, so a restart
//    needs no second basis. Until the first restart H is tridiagonal and each
//    convergence check uses detail::tridiag_eig_lastrow below (O(m^2), last row
//    of the eigenvectors only); after it, H is diagonalised densely (m <= 41 for
//    k <= 20, microseconds).
//  * Invariant-subspace breakdown (b ~ 0): the coupling is 0 and the run goes on
//    with a fresh random vector orthogonal to the basis (the orthogonal
//    complement of an invariant subspace of a symmetric operator is invariant).
//  * A single Krylov sequence sees one direction per eigenspace, so an exactly
//    repeated eigenvalue appears once (ARPACK shares this limitation). With
//    LanczosOptions::check_multiplicity the converged vectors are locked (kept
//    in the first columns of the same bounded basis) and Lanczos is rerun on
//    their orthogonal complement from a new random vector, until no new value
//    enters the top k (costs about one extra solve per pass).
// (About 500 lines: the restart, the locking passes and the tridiagonal helper
// share the workspace and the basis, so they stay in one function.)
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
  // one more step exist.
  const Index budget = std::max<Index>(opt.max_iter, k + 1);
  // The basis: at most m columns, [locked (multiplicity passes only) | current run].
  const Index m = lanczos_basis_size(opt.k, n);

  const double eps = std::numeric_limits<double>::epsilon();
  const double nan = std::numeric_limits<double>::quiet_NaN();

  // ---- workspace, allocated once per call: m + 2 vectors of n doubles ----
  MatrixXd Q(n, m);              // (n, m) orthonormal basis
  MatrixXd H = MatrixXd::Zero(m, m);  // (m, m) projected matrix Q^T B Q of the current run
  VectorXd v(n);                 // (n) current Lanczos vector (the operator takes a VectorXd)
  VectorXd w(n);                 // (n) A v, then the next residual direction
  VectorXd h(m);                 // (m) Gram-Schmidt coefficients
  std::vector<double> qd(static_cast<std::size_t>(m)), qe(static_cast<std::size_t>(m)),
      qz(static_cast<std::size_t>(m));
  std::vector<int> order(static_cast<std::size_t>(m));
  Eigen::SelfAdjointEigenSolver<MatrixXd> es;  // dense projected eigenproblem after a restart
  Rng rng(opt.seed);
  int matvecs = 0;
  int max_basis = 0;
  double anorm = 0.0;  // running lower bound on ||A|| (max ||A v|| seen), for absolute floors

  // Convergence threshold for a Ritz value theta: tol*|theta| (the contract), with
  // floors so a zero eigenvalue among the top k cannot stall the run forever:
  // tol*1e-6*||A||, and 100 eps ||A|| (what rounding allows for the estimate).
  auto threshold = [&](double theta) {
    return std::max({opt.tol * std::abs(theta), opt.tol * 1e-6 * anorm, 100.0 * eps * anorm});
  };

  // Classical Gram-Schmidt twice against the first `cols` basis columns.
  // Returns the coefficient of column `diag_col` (the Lanczos alpha), or 0.
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

  // Eigenpairs of the projected matrix of size s, ascending: values in theta, and
  // the eigenvectors in S when `vectors` (else only S's last row, in last_row).
  // Tridiagonal H (no restart yet) goes through the O(s^2) helper when vectors are
  // not needed, and through Eigen's tridiagonal QR when they are (as before restarts
  // existed, so that short runs give the same numbers).
  struct Eig {
    VectorXd theta;     // (s) ascending
    MatrixXd S;         // (s, s) eigenvectors, or empty
    VectorXd last_row;  // (s) S's last row
  };
  auto projected_eig = [&](Index s, bool tridiagonal, bool vectors) {
    Eig e;
    e.theta.resize(s);
    e.last_row.resize(s);
    if (s == 1) {
      e.theta(0) = H(0, 0);
      e.last_row(0) = 1.0;
      if (vectors) e.S = MatrixXd::Ones(1, 1);
      return e;
    }
    if (tridiagonal && !vectors) {
      for (Index i = 0; i < s; ++i) qd[static_cast<std::size_t>(i)] = H(i, i);
      for (Index i = 0; i + 1 < s; ++i) qe[static_cast<std::size_t>(i)] = H(i + 1, i);
      if (detail::tridiag_eig_lastrow(static_cast<int>(s), qd.data(), qe.data(), qz.data())) {
        for (Index i = 0; i < s; ++i) order[static_cast<std::size_t>(i)] = static_cast<int>(i);
        std::sort(order.begin(), order.begin() + s, [&](int x, int y) {
          const double vx = qd[static_cast<std::size_t>(x)], vy = qd[static_cast<std::size_t>(y)];
          return vx < vy || (vx == vy && x > y);
        });
        for (Index i = 0; i < s; ++i) {
          const auto t = static_cast<std::size_t>(order[static_cast<std::size_t>(i)]);
          e.theta(i) = qd[t];
          e.last_row(i) = qz[t];
        }
        return e;
      }  // else (never observed): fall through to Eigen
    }
    if (tridiagonal) {
      const VectorXd dd = H.diagonal().head(s), ee = H.diagonal(-1).head(s - 1);
      es.computeFromTridiagonal(dd, ee, Eigen::ComputeEigenvectors);
    } else {
      es.compute(H.topLeftCorner(s, s), Eigen::ComputeEigenvectors);
    }
    e.theta = es.eigenvalues();
    e.last_row = es.eigenvectors().row(s - 1).transpose();
    if (vectors) e.S = es.eigenvectors();
    return e;
  };

  // Q.middleCols(l, s) <- Q.middleCols(l, s) * C, C (s, p) with p <= s, in place a
  // block of rows at a time (row r of the product needs only row r of Q), so the
  // restart and the final Ritz vectors need no second (n, s) matrix.
  MatrixXd rowbuf;  // (<= 256, p)
  auto combine_in_place = [&](Index l, Index s, const MatrixXd& C) {
    const Index p = C.cols();
    const Index block = 256;
    rowbuf.resize(std::min<Index>(block, n), p);
    for (Index r0 = 0; r0 < n; r0 += block) {
      const Index rb = std::min<Index>(block, n - r0);
      rowbuf.topRows(rb).noalias() = Q.block(r0, l, rb, s) * C;
      Q.block(r0, l, rb, p) = rowbuf.topRows(rb);
    }
  };

  // One thick-restart Lanczos run on the complement of the first `l` (locked)
  // columns, i.e. on B = (I - U U^T) A (I - U U^T), for its top kb eigenpairs,
  // starting from the unit vector in Q.col(l). It holds at most m - l vectors.
  struct Run {
    int m = 0;             // Lanczos vectors in Q.middleCols(l, m)
    int restarts = 0;      // 0: H is tridiagonal
    double beta_last = 0;  // coupling to the next (not stored) vector: residual scale
    bool converged = false;
    bool exhausted = false;  // l + m == n: H holds B's whole spectrum
    bool failed = false;     // non-finite operator output
  };
  auto run = [&](Index l, int kb) {
    Run r;
    const Index cap = m - l;  // vectors this run may hold (>= kb + 1 unless it exhausts the space)
    // Ritz vectors kept at a restart: the wanted kb plus 60% of the remaining room
    // (Wu & Simon keep about half the basis; 60% used the fewest HVPs on the
    // benchmark problems, warm-started); at least one new vector per cycle.
    const Index keep = std::clamp<Index>(kb + 3 * (cap - kb) / 5, std::min<Index>(kb, cap - 1), cap - 1);
    H.setZero();
    Index j = 0;    // index of the current vector within this run
    int steps = 0;  // operator applications in this run
    for (;;) {
      const Index col = l + j;  // column in Q
      max_basis = std::max(max_basis, static_cast<int>(col + 1));
      v = Q.col(col);
      op.apply(v, w);  // w = A v_j
      ++matvecs;
      ++steps;
      const double wnorm0 = w.norm();
      if (!std::isfinite(wnorm0)) {
        r.failed = true;
        return r;
      }
      anorm = std::max(anorm, wnorm0);
      // Full reorthogonalisation against the whole basis (twice is enough); this
      // also removes the three-term (or arrowhead) part, whose coefficients are
      // already in H. The v_j coefficient is alpha.
      H(j, j) = orthogonalise(w, col + 1, col);
      const double b = w.norm();
      r.m = static_cast<int>(j + 1);
      r.exhausted = (col + 1 == n);
      const bool breakdown = r.exhausted || b <= 1e-10 * std::max(wnorm0, anorm);
      r.beta_last = r.exhausted ? 0.0 : b;

      Eig e;
      bool have_eig = false;
      if (r.m >= kb) {
        e = projected_eig(j + 1, r.restarts == 0, false);
        have_eig = true;
        for (Index i = 0; i <= j; ++i) anorm = std::max(anorm, std::abs(e.theta(i)));
        bool all = true;
        for (int i = 0; i < kb && all; ++i) {
          const Index t = j - i;  // ascending -> i-th largest
          all = r.exhausted || r.beta_last * std::abs(e.last_row(t)) <= threshold(e.theta(t));
        }
        // At least kb+1 steps unless the space is exhausted (a start vector lying in
        // an invariant subspace must not end the run after kb steps).
        if (all && (steps >= kb + 1 || r.exhausted)) {
          r.converged = true;
          return r;
        }
      }
      if (r.exhausted || matvecs >= budget) return r;
      // Next Lanczos vector, into w; on breakdown a fresh one in the orthogonal
      // complement (H then splits into blocks: coupling 0).
      double coupling = b;
      if (breakdown) {
        if (!random_orthogonal(w, col + 1)) {
          r.exhausted = true;  // numerically the whole space: every residual is rounding
          r.converged = true;
          r.beta_last = 0.0;
          return r;
        }
        coupling = 0.0;
      } else {
        w /= b;
      }
      if (j + 1 < cap) {
        Q.col(col + 1) = w;
        H(j + 1, j) = H(j, j + 1) = coupling;
        ++j;
        continue;
      }
      // Basis full: thick restart with the top `keep` Ritz pairs.
      if (!have_eig || keep < kb) return r;  // (cannot happen: cap > kb unless exhausted)
      e = projected_eig(j + 1, r.restarts == 0, true);
      const MatrixXd C = e.S.rightCols(keep).rowwise().reverse();  // (cap, keep), descending
      combine_in_place(l, cap, C);
      H.setZero();
      for (Index i = 0; i < keep; ++i) {
        H(i, i) = e.theta(j - i);
        H(keep, i) = H(i, keep) = coupling * C(cap - 1, i);
      }
      Q.col(l + keep) = w;
      j = keep;
      ++r.restarts;
    }
  };

  // Ritz pairs of a finished run: the top kb of H, vectors Y = Q_run S (n, kb).
  // The basis is spent, so Y is formed in place in its first kb columns.
  struct Ritz {
    std::vector<double> values, residuals;
    MatrixXd vectors;  // (n, kb)
  };
  auto ritz = [&](Index l, const Run& r, int kb) {
    Ritz out;
    const Index s = r.m;
    kb = static_cast<int>(std::min<Index>(kb, s));
    const Eig e = projected_eig(s, r.restarts == 0, true);
    const MatrixXd C = e.S.rightCols(kb).rowwise().reverse();  // (s, kb), descending
    combine_in_place(l, s, C);
    out.vectors = Q.middleCols(l, kb);
    for (int i = 0; i < kb; ++i) {
      out.values.push_back(e.theta(s - 1 - i));
      out.residuals.push_back(r.beta_last * std::abs(C(s - 1, i)));
      out.vectors.col(i).normalize();
    }
    return out;
  };

  auto fail_result = [&]() {
    res.values.assign(static_cast<std::size_t>(k), nan);
    res.residuals.assign(static_cast<std::size_t>(k), std::numeric_limits<double>::infinity());
    res.vectors = MatrixXd::Zero(n, k);
    res.matvecs = matvecs;
    res.max_basis = max_basis;
    res.converged = false;
    return res;
  };

  // ---- start vector ----
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
      if (matvecs >= budget || l >= n) break;
      Q.leftCols(l) = best.vectors;
      // Re-orthonormalise the locked set (Ritz vectors are orthonormal to rounding).
      for (Index c = 0; c < l; ++c) {
        w = Q.col(c);
        orthogonalise(w, c, -1);
        Q.col(c) = w / w.norm();
      }
      if (!random_orthogonal(v, l)) break;
      Q.col(l) = v;
      // The run shares the bounded basis with the l locked vectors, so it looks for
      // at most half of its room; if that many values enter, the next pass (with
      // the merged set locked) looks again, so none is missed.
      const int kb = static_cast<int>(std::min<Index>({k, n - l, std::max<Index>(1, (m - l - 1) / 2)}));
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
  res.max_basis = max_basis;
  res.converged = converged;
  return res;
}

}  // namespace eos
