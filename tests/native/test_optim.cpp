// Tests of the optimiser updates (wasm/include/eoslab/optim.hpp) and of the
// stability thresholds (eos::stability_threshold, config.hpp) on the quadratic
// L(x) = 1/2 x^T A x, gradient A x, with a known lambda_max. On a quadratic every
// eigen-direction evolves independently, so GD-type methods are stable iff
// lambda_max is below the threshold (paper Section 2; momentum: its appendix):
// GD 2/lr, heavy ball (2+2b)/lr, Nesterov (2+2b)/((1+2b) lr). Gradient flow by
// RK4 is checked against the exact solution x(t) = Q exp(-Lambda t) Q^T x0.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/eigen.hpp"
#include "eoslab/optim.hpp"
#include "eoslab/rng.hpp"

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kLambdaMax = 4.0;

struct Quadratic {
  MatrixXd A;       // (n, n) symmetric positive definite
  MatrixXd Q;       // (n, n) orthogonal eigenvectors
  VectorXd lambda;  // (n) eigenvalues, lambda(0) = kLambdaMax
};

// n eigenvalues in [0.5, kLambdaMax] (the largest exactly kLambdaMax), random Q.
Quadratic make_quadratic(int n, std::uint64_t seed) {
  eos::Rng rng(seed);
  MatrixXd G(n, n);  // (n, n)
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) G(i, j) = rng.normal();
  Eigen::HouseholderQR<MatrixXd> qr(G);
  Quadratic q;
  q.Q = qr.householderQ() * MatrixXd::Identity(n, n);
  q.lambda.resize(n);
  q.lambda(0) = kLambdaMax;
  for (int i = 1; i < n; ++i) q.lambda(i) = rng.uniform(0.5, 0.9 * kLambdaMax);
  q.A = q.Q * q.lambda.asDiagonal() * q.Q.transpose();
  q.A = 0.5 * (q.A + q.A.transpose());
  return q;
}

VectorXd start_point(int n, std::uint64_t seed) {
  eos::Rng rng(seed);
  VectorXd x(n);
  for (int i = 0; i < n; ++i) x(i) = rng.normal();
  return x;
}

// Runs `steps` updates of the optimiser on the quadratic; returns ||x_T|| / ||x_0||.
double run_ratio(const Quadratic& q, eos::OptKind kind, double lr, double beta, int steps) {
  const int n = static_cast<int>(q.A.rows());
  VectorXd x = start_point(n, 7);
  const double n0 = x.norm();
  VectorXd v = VectorXd::Zero(n);  // momentum buffer
  VectorXd g(n);
  for (int t = 0; t < steps; ++t) {
    g.noalias() = q.A * x;
    switch (kind) {
      case eos::OptKind::Gd: eos::optim::gd(x, g, lr); break;
      case eos::OptKind::Polyak: eos::optim::polyak(x, v, g, lr, beta); break;
      case eos::OptKind::Nesterov: eos::optim::nesterov(x, v, g, lr, beta); break;
      case eos::OptKind::Flow: FAIL("not a discrete optimiser"); break;
      case eos::OptKind::Adam:
      case eos::OptKind::Rmsprop: FAIL("adaptive: see the frozen-preconditioner test"); break;
      case eos::OptKind::Central: FAIL("not a discrete optimiser"); break;
    }
  }
  return x.norm() / n0;
}

const char* label(eos::OptKind k) {
  switch (k) {
    case eos::OptKind::Gd: return "gd";
    case eos::OptKind::Polyak: return "polyak";
    case eos::OptKind::Nesterov: return "nesterov";
    case eos::OptKind::Flow: return "flow";
    case eos::OptKind::Adam: return "adam";
    case eos::OptKind::Rmsprop: return "rmsprop";
    case eos::OptKind::Central: return "central";
  }
  return "?";
}

// Closed forms, written out independently of config.cpp.
double closed_form(eos::OptKind k, double lr, double beta) {
  switch (k) {
    case eos::OptKind::Gd: return 2.0 / lr;
    case eos::OptKind::Polyak: return (2.0 + 2.0 * beta) / lr;
    case eos::OptKind::Nesterov: return (2.0 + 2.0 * beta) / ((1.0 + 2.0 * beta) * lr);
    case eos::OptKind::Flow: return std::nan("");
    case eos::OptKind::Adam: return (2.0 + 2.0 * beta) / ((1.0 - beta) * lr);
    case eos::OptKind::Rmsprop: return 2.0 / lr;
    case eos::OptKind::Central: return 2.0 / lr;
  }
  return std::nan("");
}

}  // namespace

TEST_CASE("stability_threshold equals the closed forms", "[optim]") {
  for (double lr : {1e-3, 0.05, 0.2, 1.0, 7.5}) {
    for (double beta : {0.0, 0.5, 0.9, 0.99}) {
      INFO("lr = " << lr << ", beta = " << beta);
      for (eos::OptKind k : {eos::OptKind::Gd, eos::OptKind::Polyak, eos::OptKind::Nesterov}) {
        INFO(label(k));
        CHECK(eos::stability_threshold(k, lr, beta) == Approx(closed_form(k, lr, beta)).epsilon(1e-14));
      }
      CHECK(std::isnan(eos::stability_threshold(eos::OptKind::Flow, lr, beta)));
      CHECK(eos::stability_threshold(eos::OptKind::Central, lr, beta) == Approx(2.0 / lr).epsilon(1e-14));
    }
  }
  // With beta = 0 heavy ball is GD; Nesterov with beta = 0 too.
  CHECK(eos::stability_threshold(eos::OptKind::Polyak, 0.1, 0.0) == Approx(20.0));
  CHECK(eos::stability_threshold(eos::OptKind::Nesterov, 0.1, 0.0) == Approx(20.0));
}

TEST_CASE("GD, heavy ball and Nesterov: stable just below the threshold, divergent just above", "[optim]") {
  const Quadratic q = make_quadratic(20, 3);
  REQUIRE(q.lambda.maxCoeff() == kLambdaMax);
  struct Case {
    eos::OptKind kind;
    double beta;
  };
  const Case cases[] = {{eos::OptKind::Gd, 0.0},       {eos::OptKind::Polyak, 0.5},
                        {eos::OptKind::Polyak, 0.9},   {eos::OptKind::Nesterov, 0.5},
                        {eos::OptKind::Nesterov, 0.9}};
  for (const Case& c : cases) {
    // threshold(lr) = C / lr, so the critical step size is lr* = threshold(1) / lambda_max:
    // lambda_max equals the threshold exactly at lr*.
    const double lr_crit = eos::stability_threshold(c.kind, 1.0, c.beta) / kLambdaMax;
    INFO(label(c.kind) << " beta = " << c.beta << ", critical lr = " << lr_crit);
    REQUIRE(lr_crit == Approx(closed_form(c.kind, 1.0, c.beta) / kLambdaMax).epsilon(1e-14));
    const double lr_stable = 0.95 * lr_crit, lr_unstable = 1.05 * lr_crit;
    CHECK(eos::stability_threshold(c.kind, lr_stable, c.beta) > kLambdaMax);
    CHECK(eos::stability_threshold(c.kind, lr_unstable, c.beta) < kLambdaMax);
    const double conv = run_ratio(q, c.kind, lr_stable, c.beta, 600);
    const double div = run_ratio(q, c.kind, lr_unstable, c.beta, 300);
    INFO("||x||/||x0|| after 600 steps at 0.95 lr*: " << conv << "; after 300 steps at 1.05 lr*: " << div);
    CHECK(conv < 1e-6);  // converges to the minimum
    CHECK(div > 1e6);    // blows up by orders of magnitude
    CHECK(std::isfinite(div));
  }
}

TEST_CASE("GD in float32 (the engine's default precision) has the same threshold", "[optim]") {
  const Quadratic q = make_quadratic(12, 4);
  const Eigen::MatrixXf A = q.A.cast<float>();
  for (double factor : {0.95, 1.05}) {
    const double lr = factor * 2.0 / kLambdaMax;
    Eigen::VectorXf x = start_point(12, 8).cast<float>();
    const float n0 = x.norm();
    Eigen::VectorXf g(12);
    for (int t = 0; t < 300; ++t) {
      g.noalias() = A * x;
      eos::optim::gd(x, g, lr);
    }
    INFO("lr = " << factor << " * 2/lambda_max, ratio " << x.norm() / n0);
    if (factor < 1.0)
      CHECK(x.norm() / n0 < 1e-4);
    else
      CHECK(x.norm() / n0 > 1e6);
  }
}

TEST_CASE("heavy ball and Nesterov updates follow the PyTorch SGD recurrences", "[optim]") {
  // One step by hand on a 2-vector, from a non-zero buffer.
  VectorXd x(2), v(2), g(2);
  x << 1.0, -2.0;
  v << 0.5, 0.25;
  g << 0.1, 0.3;
  const double lr = 0.1, beta = 0.9;
  VectorXd xp = x, vp = v;
  eos::optim::polyak(xp, vp, g, lr, beta);
  const VectorXd v_ref = beta * v + g;
  CHECK((vp - v_ref).norm() <= 1e-15);
  CHECK((xp - (x - lr * v_ref)).norm() <= 1e-15);
  VectorXd xn = x, vn = v;
  eos::optim::nesterov(xn, vn, g, lr, beta);
  CHECK((vn - v_ref).norm() <= 1e-15);
  CHECK((xn - (x - lr * (g + beta * v_ref))).norm() <= 1e-15);
  VectorXd xg = x;
  eos::optim::gd(xg, g, lr);
  CHECK((xg - (x - lr * g)).norm() <= 1e-15);
}

namespace {
// Integrates gradient flow dx/dt = -A x from x0 over [0, T] with `steps` RK4 steps.
VectorXd rk4_flow(const MatrixXd& A, const VectorXd& x0, double T, int steps) {
  const Eigen::Index n = x0.size();
  VectorXd x = x0, k1(n), k2(n), k3(n), k4(n), tmp(n);
  const double h = T / steps;
  auto grad = [&](const VectorXd& at, VectorXd& out) { out.noalias() = A * at; };
  for (int s = 0; s < steps; ++s) {
    grad(x, k1);
    eos::optim::rk4(x, k1, h, grad, k2, k3, k4, tmp);
  }
  return x;
}
}  // namespace

TEST_CASE("RK4 gradient flow matches exp(-A t) x0 and is fourth order", "[optim]") {
  const Quadratic q = make_quadratic(15, 5);
  const VectorXd x0 = start_point(15, 9);
  const double T = 1.0;
  // Exact solution through the eigendecomposition: x(T) = Q exp(-Lambda T) Q^T x0.
  const VectorXd decay = (-q.lambda.array() * T).exp().matrix();
  const VectorXd exact = q.Q * decay.asDiagonal() * (q.Q.transpose() * x0);

  SECTION("small steps: 1e-8 accuracy") {
    const VectorXd x = rk4_flow(q.A, x0, T, 500);  // h = 0.002, lambda_max h = 0.008
    const double err = (x - exact).norm() / x0.norm();
    INFO("relative error at h = 0.002: " << err);
    CHECK(err <= 1e-8);
  }
  SECTION("halving h cuts the error about 16x") {
    std::vector<double> errs;
    for (int steps : {10, 20, 40, 80}) {  // h = 0.1 .. 0.0125
      errs.push_back((rk4_flow(q.A, x0, T, steps) - exact).norm() / x0.norm());
    }
    for (std::size_t i = 0; i + 1 < errs.size(); ++i) {
      const double ratio = errs[i] / errs[i + 1];
      INFO("error " << errs[i] << " -> " << errs[i + 1] << ", ratio " << ratio);
      CHECK(ratio > 13.0);
      CHECK(ratio < 20.0);  // 18.3 at h = 0.1 (not yet asymptotic), 16.5 at h = 0.025
    }
    const double order = std::log2(errs[2] / errs[3]);
    INFO("observed order " << order);
    CHECK(order == Approx(4.0).margin(0.15));
  }
}

// Adam and RMSProp with a frozen preconditioner P (Cohen et al. 2022): on the quadratic the
// update is heavy-ball-like in the variable P^1/2 x, so it is stable iff lambda_max(P^-1 A)
// is below (2 + 2 b1)/((1 - b1) lr) (Adam, bias correction -> 1) or 2/lr (RMSProp).
// Adam's bias correction 1/(1 - b1^t) enlarges its first steps (10x at t = 1), so below the
// threshold the error may grow for a few dozen steps before it decays.
TEST_CASE("Adam and RMSProp with a frozen preconditioner are stable below their thresholds and divergent above", "[optim]") {
  const int n = 12;
  const Quadratic q = make_quadratic(n, 5);
  VectorXd den(n);  // the frozen diagonal P
  eos::Rng rng(9);
  for (int i = 0; i < n; ++i) den(i) = rng.uniform(0.5, 2.0);
  const VectorXd dinv = den.cwiseSqrt().cwiseInverse();
  const double lam = Eigen::SelfAdjointEigenSolver<MatrixXd>(dinv.asDiagonal() * q.A * dinv.asDiagonal()).eigenvalues().maxCoeff();
  for (eos::OptKind k : {eos::OptKind::Adam, eos::OptKind::Rmsprop}) {
    const double b1 = 0.9;
    CHECK(eos::stability_threshold(k, 0.01, b1) == Approx(closed_form(k, 0.01, b1)).epsilon(1e-14));
    const double lr_crit = closed_form(k, 1.0, b1) / lam;
    for (double f : {0.9, 1.1}) {
      VectorXd x = start_point(n, 7), m = VectorXd::Zero(n);
      const double n0 = x.norm();
      for (int t = 1; t <= 3000 && x.norm() < 1e100 * n0; ++t) {  // stop a divergent run before it overflows
        const VectorXd g = q.A * x;
        if (k == eos::OptKind::Adam) {
          m.array() += (1 - b1) * (g.array() - m.array());
          eos::optim::adam_apply(x, m, den, f * lr_crit, b1, t);
        } else {
          eos::optim::rmsprop_apply(x, g, den, f * lr_crit);
        }
      }
      INFO(label(k) << ": lr = " << f << " x critical, |x_T| / |x_0| = " << x.norm() / n0);
      if (f < 1) CHECK(x.norm() / n0 < 1e-3);
      else CHECK(x.norm() / n0 > 1e3);
    }
  }
}
