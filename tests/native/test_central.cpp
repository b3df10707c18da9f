// The central flow's pieces against independent oracles: grad S = D^3 L[u, u] against
// a finite difference of the dense Hessian's top eigenvalue (Cohen, Damian et al.,
// ICLR 2025: the flow moves along -grad S, the gradient of the sharpness itself), and
// sigma^2 against the closed form of the one-dimensional complementarity problem.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "eoslab/central.hpp"
#include "eoslab/experiment.hpp"
#include "eoslab/mlp.hpp"

namespace {

// A tiny net (1-4-4-1 tanh, Chebyshev T3 on 8 points, 45 parameters), float64.
eos::Config tiny() {
  eos::Config c;
  c.dataset = "chebyshev";
  c.n = 8;
  c.degree = 3;
  c.widths = {4, 4};
  c.precision = "float64";
  c.seed = 3;
  return c;
}

Eigen::MatrixXd dense_hessian(eos::Mlp<double>& m, const Eigen::VectorXd& th) {
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

double top_eig(eos::Mlp<double>& m, const Eigen::VectorXd& th) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(dense_hessian(m, th), Eigen::EigenvaluesOnly);
  return es.eigenvalues()(th.size() - 1);
}

}  // namespace

TEST_CASE("central flow: grad S by second differences of gradients matches the dense Hessian's top eigenvalue", "[central]") {
  const eos::Spec spec = eos::validate(tiny());
  const eos::Dataset data = eos::make_dataset(spec);
  eos::Mlp<double> m(spec, data);
  Eigen::VectorXd th = m.init_params(spec);
  // Move off the initialisation a little (20 GD steps) so that the point is generic.
  Eigen::VectorXd g;
  for (int i = 0; i < 20; ++i) {
    m.loss_grad(th, g);
    th -= 0.1 * g;
  }
  const Eigen::Index P = th.size();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(dense_hessian(m, th));
  const Eigen::VectorXd ev = es.eigenvalues();
  const Eigen::VectorXd u = es.eigenvectors().col(P - 1);
  INFO("top eigenvalues " << ev(P - 1) << ", " << ev(P - 2) << " (a simple top eigenvalue is differentiable)");
  REQUIRE(ev(P - 1) - ev(P - 2) > 0.05 * ev(P - 1));

  // Oracle: central differences of lambda_max of the dense Hessian, coordinate by coordinate.
  const double h = 1e-5;
  Eigen::VectorXd oracle(P);
  for (Eigen::Index i = 0; i < P; ++i) {
    Eigen::VectorXd a = th, b = th;
    a(i) += h;
    b(i) -= h;
    oracle(i) = (top_eig(m, a) - top_eig(m, b)) / (2 * h);
  }
  m.loss_grad(th, g);
  Eigen::VectorXd gs, tmp, gp;
  for (double eps : {1e-2, 1e-3, 1e-4}) {
    eos::third_derivative_uu(m, th, g, u, eps, gs, tmp, gp);
    const double rel = (gs - oracle).norm() / oracle.norm();
    INFO("eps " << eps << ": |grad S - oracle| / |oracle| = " << rel << ", |oracle| = " << oracle.norm());
    CHECK(rel < 1e-4);
  }
  // The sign of u does not matter: D^3 L[u, u] is quadratic in u.
  Eigen::VectorXd gs_neg;
  eos::third_derivative_uu(m, th, g, -u, eos::kCentralFdEps, gs_neg, tmp, gp);
  eos::third_derivative_uu(m, th, g, u, eos::kCentralFdEps, gs, tmp, gp);
  CHECK((gs_neg - gs).norm() <= 1e-6 * gs.norm());
}

TEST_CASE("central flow: sigma^2 solves the one-dimensional complementarity problem", "[central]") {
  const double lr = 0.1, dt = 0.25;
  // Below the edge and not approaching it within the substep: sigma^2 = 0.
  CHECK(eos::central_sigma2(1.0, -1.0, 4.0, lr, dt) == 0.0);   // gap 1, dS/dt = 0.1 * 1 -> gap after 0.975
  CHECK(eos::central_sigma2(1.0, 3.0, 4.0, lr, dt) == 0.0);    // moving away from the edge
  // Reaching it: the gap after the substep is exactly zero, and sigma^2 >= 0.
  for (double gap : {0.01, 0.0, -0.3}) {
    const double gsg = -2.0, gs2 = 5.0;
    const double s2 = eos::central_sigma2(gap, gsg, gs2, lr, dt);
    const double gap_after = gap + dt * lr * gsg + dt * 0.5 * lr * s2 * gs2;
    INFO("gap " << gap << ": sigma^2 " << s2 << ", gap after " << gap_after);
    CHECK(s2 > 0);
    CHECK(std::fabs(gap_after) < 1e-12);
  }
  // Closed form at gap 0: sigma^2 = -2 <grad S, grad L> / |grad S|^2 (dS/dt = 0).
  CHECK(eos::central_sigma2(0.0, -2.0, 5.0, lr, dt) == Approx(0.8).epsilon(1e-14));
  // grad S = 0 cannot hold the line: no sigma^2.
  CHECK(eos::central_sigma2(-1.0, 0.0, 0.0, lr, dt) == 0.0);
}
