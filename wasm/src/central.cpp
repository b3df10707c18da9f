// The central flow's two local pieces (central.hpp): the third derivative of the
// loss along the top eigenvector, and the sigma^2 of the k = 1 complementarity
// problem (Cohen, Damian et al., ICLR 2025, Section 3). The integrator that uses
// them is the experiment runner's `central` run kind (experiment.cpp).
#include "eoslab/central.hpp"

#include <algorithm>
#include <cmath>

namespace eos {

void third_derivative_uu(Mlp<double>& m, const Eigen::VectorXd& theta, const Eigen::VectorXd& g,
                         const Eigen::VectorXd& u, double eps, Eigen::VectorXd& out, Eigen::VectorXd& tmp,
                         Eigen::VectorXd& gp) {
  tmp = theta + eps * u;
  m.loss_grad(tmp, out);
  tmp = theta - eps * u;
  m.loss_grad(tmp, gp);
  out += gp;
  out -= 2.0 * g;
  out /= eps * eps;
}

void central_probe(Mlp<double>& m, const Eigen::VectorXd& theta, const Eigen::VectorXd& g, const Eigen::VectorXd& u,
                   double eps, Eigen::VectorXd& gs, Eigen::VectorXd& hu, Eigen::VectorXd& tmp, Eigen::VectorXd& gp) {
  tmp = theta + eps * u;
  m.loss_grad(tmp, gs);
  tmp = theta - eps * u;
  m.loss_grad(tmp, gp);
  hu = (gs - gp) / (2 * eps);
  gs += gp;
  gs -= 2.0 * g;
  gs /= eps * eps;
}

RayleighRefresh rayleigh_refresh(const Eigen::VectorXd& u, const Eigen::VectorXd& hu, double tol, Eigen::VectorXd& next) {
  RayleighRefresh r;
  r.value = u.dot(hu);
  r.residual = (hu - r.value * u).norm();
  r.ok = std::isfinite(r.residual) && r.value > 0 && r.residual <= tol * std::fabs(r.value);
  const double n = hu.norm();
  if (n > 0 && std::isfinite(n)) next = hu / n;
  else next = u;
  return r;
}

double central_sigma2(double gap, double gs_dot_g, double gs_norm2, double lr, double dt) {
  const double free_gap = gap + dt * lr * gs_dot_g;  // the gap after the substep with sigma^2 = 0
  if (free_gap >= 0) return 0.0;
  const double per_sigma2 = 0.5 * dt * lr * gs_norm2;  // what each unit of sigma^2 adds to it
  if (!(per_sigma2 > 0)) return 0.0;                   // grad S = 0: nothing can hold the line
  return -free_gap / per_sigma2;
}

}  // namespace eos
