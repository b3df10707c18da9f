// The central flow of gradient descent (Cohen, Damian et al., "Understanding
// Optimization in Deep Learning with Central Flows", ICLR 2025): the ODE that the
// time-averaged trajectory of GD with step size lr follows at the edge of stability,
//   d theta/dt = -lr [grad L(theta) + 1/2 sigma^2 grad S(theta)],   t in GD steps,
// where S is the sharpness, grad S = D^3 L(theta)[u, u] for its top unit
// eigenvector u, and sigma^2 >= 0 (the variance of GD's oscillation along u) is the
// solution of the complementarity problem that keeps S <= 2/lr. Its prediction of
// GD's time-averaged loss is L + 1/2 sigma^2 S.
//
// Only the top eigenvalue is held at the edge (k = 1). All of it is in float64:
// grad S is a second difference of gradients, which float32 cannot resolve.
#pragma once

#include "eoslab/eigen.hpp"
#include "eoslab/mlp.hpp"

namespace eos {

// Step of the central second difference of gradients along a unit u.
// Truncation error is O(eps^2) (the fifth derivative), rounding O(1e-16 |g| / eps^2);
// 1e-3 balances them on the lab's networks (checked against the dense-Hessian
// oracle in tests/native/test_central.cpp).
inline constexpr double kCentralFdEps = 1e-3;

// grad S(theta) = D^3 L(theta)[u, u] = (grad L(theta + eps u) - 2 grad L(theta) +
// grad L(theta - eps u)) / eps^2 + O(eps^2), for a unit u and the gradient g at theta.
// Overwrites m's cached forward state (call it after every HVP at theta); tmp and gp
// are scratch.
void third_derivative_uu(Mlp<double>& m, const Eigen::VectorXd& theta, const Eigen::VectorXd& g,
                         const Eigen::VectorXd& u, double eps, Eigen::VectorXd& out, Eigen::VectorXd& tmp,
                         Eigen::VectorXd& gp);

// The same two gradients, read twice (Section 3's flow needs S, u and grad S at every
// substep, and this is the cheap way to get all three). With g+- = grad L(theta +- eps u):
//   gs = (g+ - 2 g + g-) / eps^2 = grad S + O(eps^2)   (as third_derivative_uu), and
//   hu = (g+ - g-) / (2 eps)     = H u    + O(eps^2),
// so the Rayleigh quotient S = u.hu and the residual |hu - S u| of a warm u cost no
// Hessian-vector product. Overwrites m's cached forward state; tmp and gp are scratch.
void central_probe(Mlp<double>& m, const Eigen::VectorXd& theta, const Eigen::VectorXd& g, const Eigen::VectorXd& u,
                   double eps, Eigen::VectorXd& gs, Eigen::VectorXd& hu, Eigen::VectorXd& tmp, Eigen::VectorXd& gp);

// A top eigenpair refreshed from a warm unit u and hu = H u (central_probe): the
// Rayleigh quotient `value` = u.hu, the residual |hu - value u| (the eigenvalue of H
// nearest `value` is within residual^2 / gap of it, Parlett, "The Symmetric Eigenvalue
// Problem", Thm 11.7.1), and `next` = hu / |hu|, one power step (the angle to the top
// eigenvector shrinks by about lambda_2 / lambda_1 when |lambda_min| < lambda_2), the warm
// start of the next substep. `ok` when residual <= tol |value|, the criterion of a
// converged Lanczos (lanczos.hpp). A small residual only says that u is near SOME
// eigenvector: the caller must re-check the top one by a full Lanczos now and then.
struct RayleighRefresh {
  double value = 0, residual = 0;
  bool ok = false;
};
RayleighRefresh rayleigh_refresh(const Eigen::VectorXd& u, const Eigen::VectorXd& hu, double tol, Eigen::VectorXd& next);

// sigma^2 of one explicit-Euler substep of length dt (steps). With gap = 2/lr - S and
// dS/dt = <grad S, theta'> = -lr <grad S, g> - 1/2 lr sigma^2 |grad S|^2, the gap after
// the substep is gap + dt lr <grad S, g> + dt 1/2 lr sigma^2 |grad S|^2; sigma^2 solves
// the one-dimensional complementarity problem
//   sigma^2 >= 0,  gap_after >= 0,  sigma^2 * gap_after = 0,
// i.e. sigma^2 = 0 while GD is stable, else the value that lands S on 2/lr at the end
// of the substep (which also pulls back an S that has drifted above the line).
double central_sigma2(double gap, double gs_dot_g, double gs_norm2, double lr, double dt);

}  // namespace eos
