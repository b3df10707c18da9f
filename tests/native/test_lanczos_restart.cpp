// Tests of the bounded-memory (thick-restart) side of eos::lanczos_top
// (wasm/include/eoslab/lanczos_impl.hpp): problems that cannot converge inside
// one basis of lanczos_basis_size(k, n) vectors, so the solver must restart, and
// still match the independent dense solver (Eigen::SelfAdjointEigenSolver); and
// the bound itself, read from LanczosResult::max_basis.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "eoslab/eigen.hpp"
#include "eoslab/lanczos.hpp"

#include "lanczos_oracle.hpp"

using namespace lanczos_test;
using Eigen::MatrixXd;
using Eigen::VectorXd;

TEST_CASE("lanczos restart: top-1 with a small gap needs many restarts, max_iter far above the basis",
          "[lanczos][restart]") {
  // lambda_1 = 1 above a bulk in [0, 0.995]: gap ratio 5e-3, so even unrestarted
  // Lanczos needs ~100 steps for tol 1e-10; a basis of 20 must restart many times.
  const int n = 1200;
  std::vector<double> lam = uniform_values(n, 0.0, 0.995, 201);
  lam[0] = 1.0;
  const MatrixXd A = with_spectrum(lam, 202);
  const int m = eos::lanczos_basis_size(1, n);
  REQUIRE(m == 20);
  const eos::LanczosResult r = solve(A, 1, 1e-10, 3, 5000);
  INFO("matvecs " << r.matvecs << ", max_basis " << r.max_basis);
  check_against_oracle(A, r, 1, 1e-10, 1e-12, 1.5, 1e-6);
  CHECK(r.matvecs >= 5 * m);  // at least four restarts happened
  CHECK(r.matvecs < 5000);    // converged well before the budget
  CHECK(r.max_basis == m);    // the basis filled up, and never grew past m
  // The memory does not depend on max_iter: same basis high-water mark, same answer.
  const eos::LanczosResult r300 = solve(A, 1, 1e-10, 3, 300);
  CHECK(r300.max_basis == m);
  CHECK(r300.values == r.values);  // deterministic, and the budget was not the limit
  // Bit-for-bit deterministic across restarts.
  const eos::LanczosResult again = solve(A, 1, 1e-10, 3, 5000);
  CHECK(again.matvecs == r.matvecs);
  CHECK(again.values == r.values);
  CHECK(again.vectors == r.vectors);
}

TEST_CASE("lanczos restart: clustered top eigenvalues 1, 1-1e-4, 1-2e-4, ...", "[lanczos][restart]") {
  const int n = 400;
  std::vector<double> lam = uniform_values(n, -1.0, 0.9, 211);
  for (int i = 0; i < 6; ++i) lam[static_cast<std::size_t>(i)] = 1.0 - 1e-4 * i;
  const MatrixXd A = with_spectrum(lam, 212);
  const Oracle o = dense_oracle(A);
  for (int k : {1, 3, 5}) {
    INFO("k = " << k);
    // tol 1e-7: residuals 1e-7 against gaps 1e-4 resolve each member
    // (Davis-Kahan: sin(angle) <= 1e-7 / 1e-4); value errors <= res^2 / gap ~ 1e-10.
    const eos::LanczosResult r = solve(A, k, 1e-7, 7, 20000);
    INFO("matvecs " << r.matvecs << ", max_basis " << r.max_basis);
    check_against_oracle(A, o, r, k, 1e-7, 1e-8, 1.5, 1e-2);
    for (int i = 0; i < k; ++i) CHECK(std::abs(r.vectors.col(i).dot(o.vectors.col(i))) >= 1.0 - 1e-4);
    CHECK(r.matvecs > eos::lanczos_basis_size(k, n));  // restarted
    CHECK(r.max_basis == eos::lanczos_basis_size(k, n));
  }
}

TEST_CASE("lanczos restart: k = 20 fills a basis of 41 and restarts", "[lanczos][restart]") {
  const int n = 500;
  std::vector<double> lam = uniform_values(n, -1.0, 4.0, 221);
  for (int i = 0; i < 25; ++i) lam[static_cast<std::size_t>(i)] = 10.0 - 0.2 * i;
  const MatrixXd A = with_spectrum(lam, 222);
  const int m = eos::lanczos_basis_size(20, n);
  REQUIRE(m == 41);
  const Oracle o = dense_oracle(A);
  SECTION("tol 1e-8 and the default 1e-3") {
    const eos::LanczosResult tight = solve(A, 20, 1e-8, 1, 5000);
    INFO("tol 1e-8: matvecs " << tight.matvecs << ", max_basis " << tight.max_basis);
    check_against_oracle(A, o, tight, 20, 1e-8, 1e-6, 1.5, 1e-6);
    CHECK(tight.matvecs > m);
    CHECK(tight.max_basis == m);
    const eos::LanczosResult loose = solve(A, 20, 1e-3, 1, 5000);
    INFO("tol 1e-3: matvecs " << loose.matvecs);
    check_against_oracle(A, o, loose, 20, 1e-3, 1e-4, 1.5, 1e-2);
    CHECK(loose.matvecs <= tight.matvecs);
  }
  SECTION("check_multiplicity: locked vectors share the same bounded basis") {
    const eos::LanczosResult r = solve(A, 20, 1e-8, 1, 5000, true);
    INFO("matvecs " << r.matvecs << ", max_basis " << r.max_basis);
    check_against_oracle(A, o, r, 20, 1e-8, 1e-6, 1.5, 1e-6);
    CHECK(r.max_basis == m);
  }
}

TEST_CASE("lanczos restart: repeated eigenvalue (multiplicity 25) with breakdowns and restarts",
          "[lanczos][restart]") {
  // Two distinct eigenvalues: every Krylov sequence breaks down after two steps,
  // so the run continues on fresh random vectors, fills the basis and restarts.
  const int n = 200;
  std::vector<double> lam(static_cast<std::size_t>(n), -1.0);
  for (int i = 0; i < 25; ++i) lam[static_cast<std::size_t>(i)] = 2.0;
  const MatrixXd A = with_spectrum(lam, 231);
  for (int k : {5, 20}) {
    INFO("k = " << k);
    const eos::LanczosResult r = solve(A, k, 1e-8, 2, 5000, true);
    INFO("matvecs " << r.matvecs << ", max_basis " << r.max_basis);
    check_against_oracle(A, r, k, 1e-8, 1e-10, 1.5, 1e-6);
    for (double x : r.values) CHECK(x == Approx(2.0).epsilon(1e-10));
  }
}

TEST_CASE("lanczos restart: the basis never exceeds lanczos_basis_size(k, n)", "[lanczos][restart]") {
  // Every pair (n, k) around the bound's corners: n below, at and above the bound,
  // k with 2k + 1 below and above 20; with and without multiplicity passes; a
  // tight tol so that most of them must restart.
  for (int n : {3, 19, 20, 21, 40, 41, 42, 150}) {
    std::vector<double> lam = uniform_values(n, -1.0, 1.0, 300 + static_cast<std::uint64_t>(n));
    for (int i = 0; i < std::min(n, 22); ++i) lam[static_cast<std::size_t>(i)] = 3.0 - 0.05 * i;
    const MatrixXd A = with_spectrum(lam, 400 + static_cast<std::uint64_t>(n));
    const Oracle o = dense_oracle(A);
    for (int k : {1, 2, 9, 10, 19, 20}) {
      for (bool mult : {false, true}) {
        const int bound = eos::lanczos_basis_size(k, n);
        INFO("n = " << n << ", k = " << k << ", check_multiplicity " << mult << ", bound " << bound);
        const eos::LanczosResult r = solve(A, k, 1e-9, 5, 4000, mult);
        INFO("matvecs " << r.matvecs << ", max_basis " << r.max_basis);
        CHECK(r.max_basis <= bound);
        if (r.matvecs > bound) CHECK(r.max_basis == bound);  // it restarted at the bound, not before
        check_against_oracle(A, o, r, k, 1e-9, 1e-6, 1.5, 1e-5);
      }
    }
  }
}

TEST_CASE("lanczos restart: the budget still caps the applications across restarts", "[lanczos][restart]") {
  std::vector<double> lam = uniform_values(300, 0.0, 1.0, 241);
  lam[0] = 1.0 + 1e-6;  // almost no gap: cannot converge to 1e-12 in 57 applications
  const MatrixXd A = with_spectrum(lam, 242);
  const eos::LanczosResult r = solve(A, 1, 1e-12, 1, 57);
  CHECK(r.matvecs == 57);
  CHECK_FALSE(r.converged);
  CHECK(r.max_basis == 20);
  REQUIRE(r.values.size() == 1);
  CHECK(r.values[0] <= lam[0] + 1e-12);  // a Ritz value never exceeds lambda_max
  CHECK(r.values[0] >= 0.99);            // but it is close (restarts kept the best direction)
}

TEST_CASE("lanczos restart: warm start still pays off when the cold solve restarts", "[lanczos][restart]") {
  // Small gap (restarts) and a small perturbation, as between two GD steps.
  const int n = 600;
  std::vector<double> lam = uniform_values(n, -0.5, 0.98, 251);
  const double top[] = {1.0, 0.995, 0.99};
  for (int i = 0; i < 3; ++i) lam[static_cast<std::size_t>(i)] = top[i];
  const MatrixXd A = with_spectrum(lam, 252);
  MatrixXd E(n, n);  // (n, n) symmetric perturbation, spectral norm ~1
  eos::Rng rng(253);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) E(i, j) = rng.normal();
  E = (E + E.transpose()).eval() / (2.0 * std::sqrt(2.0 * n));
  const MatrixXd A2 = A + 1e-4 * E;
  const Oracle o2 = dense_oracle(A2);
  for (int k : {1, 3}) {
    INFO("k = " << k);
    eos::LanczosOptions opt;
    opt.k = k;
    opt.tol = 1e-6;
    opt.max_iter = 5000;
    opt.seed = 9;
    eos::DenseOp op1{A};
    const eos::LanczosResult prev = eos::lanczos_top(op1, opt);
    REQUIRE(prev.converged);
    eos::DenseOp op2{A2};
    const eos::LanczosResult cold = eos::lanczos_top(op2, opt);
    const eos::LanczosResult warm = eos::lanczos_top(op2, opt, &prev.vectors);
    INFO("cold " << cold.matvecs << " matvecs, warm " << warm.matvecs);
    check_against_oracle(A2, o2, cold, k, 1e-6, 1e-5, 1.5, 1.0);
    check_against_oracle(A2, o2, warm, k, 1e-6, 1e-5, 1.5, 1.0);
    CHECK(cold.matvecs > eos::lanczos_basis_size(k, n));  // the cold solve restarted
    CHECK(warm.matvecs < cold.matvecs);
  }
}
