// Adam and RMSProp in the engine against independent oracles, on a tiny network in
// float64: (1) a few update steps against the torch.optim formulas written out here
// with plain loops (Kingma & Ba 2015 for Adam; RMSprop with alpha = beta2, no
// momentum); (2) the recorded preconditioned sharpness against the dense spectrum
// of P^-1/2 H P^-1/2, with H built by central differences of the gradient and P
// from the moments computed here, and the raw columns against the spectrum of H;
// (3) the thresholds (2+2b1)/((1-b1) lr) and 2/lr (Cohen et al. 2022) and live changes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "eoslab/data.hpp"
#include "eoslab/experiment.hpp"
#include "eoslab/mlp.hpp"

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// Chebyshev T3 on 8 points, 1-4-1 tanh: 13 parameters, float64.
eos::Config tiny(const char* opt) {
  eos::Config c;
  c.dataset = "chebyshev";
  c.n = 8;
  c.degree = 3;
  c.widths = {4};
  c.precision = "float64";
  c.opt = opt;
  c.lr = 0.01;
  c.beta1 = 0.9;
  c.beta2 = std::string(opt) == "rmsprop" ? 0.99 : 0.999;
  c.eps = 1e-8;
  c.seed = 3;
  return c;
}

// The gradient of the same problem, from the network code alone (no optimiser).
struct Grad {
  eos::Spec spec;
  eos::Dataset data;
  eos::Mlp<double> mlp;
  explicit Grad(const eos::Config& c) : spec(eos::validate(c)), data(eos::make_dataset(spec)), mlp(spec, data) {}
  VectorXd operator()(const VectorXd& th) {
    VectorXd g;
    mlp.loss_grad(th, g);
    return g;
  }
  // Hessian by central differences of the gradient, symmetrised.
  MatrixXd hessian(const VectorXd& th, double h = 1e-5) {
    const Eigen::Index P = th.size();
    MatrixXd H(P, P);
    for (Eigen::Index i = 0; i < P; ++i) {
      VectorXd a = th, b = th;
      a(i) += h;
      b(i) -= h;
      H.col(i) = ((*this)(a) - (*this)(b)) / (2 * h);
    }
    return 0.5 * (H + H.transpose());
  }
};

VectorXd as_vec(const std::vector<double>& p) { return Eigen::Map<const VectorXd>(p.data(), Eigen::Index(p.size())); }

// Top k eigenvalues, descending, of a symmetric matrix (the dense oracle).
std::vector<double> top_dense(const MatrixXd& A, int k) {
  Eigen::SelfAdjointEigenSolver<MatrixXd> es(A);
  std::vector<double> out;
  for (int i = 0; i < k; ++i) out.push_back(es.eigenvalues()(A.rows() - 1 - i));
  return out;
}

}  // namespace

TEST_CASE("Adam steps match torch.optim.Adam written out independently", "[adaptive]") {
  const eos::Config c = tiny("adam");
  eos::Experiment e(c);
  Grad grad(c);
  VectorXd th = as_vec(e.params());
  VectorXd m = VectorXd::Zero(th.size()), v = VectorXd::Zero(th.size());
  std::vector<eos::StepRecord> rec;
  for (int t = 1; t <= 6; ++t) {
    const VectorXd g = grad(th);
    for (Eigen::Index i = 0; i < th.size(); ++i) {
      m(i) = c.beta1 * m(i) + (1 - c.beta1) * g(i);
      v(i) = c.beta2 * v(i) + (1 - c.beta2) * g(i) * g(i);
      const double mhat = m(i) / (1 - std::pow(c.beta1, t)), vhat = v(i) / (1 - std::pow(c.beta2, t));
      th(i) -= c.lr * mhat / (std::sqrt(vhat) + c.eps);
    }
    e.step(1, rec);
    const VectorXd got = as_vec(e.params());
    INFO("step " << t << ": max |engine - oracle| = " << (got - th).cwiseAbs().maxCoeff());
    REQUIRE((got - th).cwiseAbs().maxCoeff() <= 1e-12 * std::max(1.0, th.cwiseAbs().maxCoeff()));
  }
  // Adam's threshold on the preconditioned sharpness at beta1 0.9: (2 + 1.8)/(0.1 lr) = 38/lr.
  REQUIRE(rec.front().threshold == Approx(38 / c.lr).epsilon(1e-12));
}

TEST_CASE("RMSProp steps match torch.optim.RMSprop written out independently", "[adaptive]") {
  const eos::Config c = tiny("rmsprop");
  eos::Experiment e(c);
  Grad grad(c);
  VectorXd th = as_vec(e.params());
  VectorXd v = VectorXd::Zero(th.size());
  std::vector<eos::StepRecord> rec;
  for (int t = 1; t <= 6; ++t) {
    const VectorXd g = grad(th);
    for (Eigen::Index i = 0; i < th.size(); ++i) {
      v(i) = c.beta2 * v(i) + (1 - c.beta2) * g(i) * g(i);
      th(i) -= c.lr * g(i) / (std::sqrt(v(i)) + c.eps);
    }
    e.step(1, rec);
    const VectorXd got = as_vec(e.params());
    INFO("step " << t << ": max |engine - oracle| = " << (got - th).cwiseAbs().maxCoeff());
    REQUIRE((got - th).cwiseAbs().maxCoeff() <= 1e-12 * std::max(1.0, th.cwiseAbs().maxCoeff()));
  }
  REQUIRE(rec.front().threshold == Approx(2 / c.lr).epsilon(1e-12));
}

TEST_CASE("Preconditioned and raw sharpness equal the dense spectra of P^-1/2 H P^-1/2 and H", "[adaptive]") {
  for (const char* opt : {"adam", "rmsprop"}) {
    eos::Config c = tiny(opt);
    c.eig_every = 1;
    c.neigs = 3;
    c.lanczos_tol = 1e-10;
    c.lr = 0.02;
    eos::Experiment e(c);
    Grad grad(c);
    VectorXd m = VectorXd::Zero(e.num_params()), v = VectorXd::Zero(e.num_params());
    std::vector<eos::StepRecord> rec;
    for (int t = 1; t <= 40; ++t) {
      const VectorXd th = as_vec(e.params());
      const VectorXd g = grad(th);
      // P of the step about to be taken, from this step's gradient.
      VectorXd p(th.size());
      for (Eigen::Index i = 0; i < th.size(); ++i) {
        m(i) = c.beta1 * m(i) + (1 - c.beta1) * g(i);
        v(i) = c.beta2 * v(i) + (1 - c.beta2) * g(i) * g(i);
        p(i) = std::string(opt) == "adam" ? std::sqrt(v(i) / (1 - std::pow(c.beta2, t))) + c.eps
                                          : std::sqrt(v(i)) + c.eps;
      }
      rec.clear();
      e.step(1, rec);
      if (t % 13 != 1) continue;  // steps 1, 14, 27, 40
      const MatrixXd H = grad.hessian(th);
      const VectorXd dinv = p.cwiseSqrt().cwiseInverse();
      const MatrixXd PHP = dinv.asDiagonal() * H * dinv.asDiagonal();
      const std::vector<double> pre = top_dense(PHP, 3), raw = top_dense(H, 3);
      const eos::StepRecord& r = rec.back();
      REQUIRE(r.neig == 3);
      REQUIRE(r.nraw == 3);
      for (int i = 0; i < 3; ++i) {
        INFO(opt << " step " << t << " eigenvalue " << i + 1 << ": preconditioned " << r.eig[i] << " vs dense "
                 << pre[i] << ", raw " << r.raw[i] << " vs dense " << raw[i]);
        CHECK(r.eig[i] == Approx(pre[i]).epsilon(1e-6));
        CHECK(r.raw[i] == Approx(raw[i]).epsilon(1e-6));
      }
      // The preconditioner matters here: the two spectra differ.
      CHECK(std::fabs(pre[0] - raw[0]) > 0.1 * raw[0]);
    }
  }
}

TEST_CASE("A live beta change acts on Adam's beta1 and moves its threshold", "[adaptive]") {
  eos::Config c = tiny("adam");
  c.beta = 0.5;  // the momentum field: not Adam's
  eos::Experiment e(c);
  REQUIRE(e.beta() == 0.9);
  REQUIRE(e.threshold() == Approx(38 / c.lr).epsilon(1e-12));
  std::vector<eos::StepRecord> rec;
  e.step(3, rec);
  e.set_beta(0.8);
  e.set_lr(0.02);
  e.step(1, rec);
  REQUIRE(rec.back().beta == 0.8);
  REQUIRE(rec.back().threshold == Approx((2 + 1.6) / (0.2 * 0.02)).epsilon(1e-12));
  REQUIRE(e.changes().size() == 2);
  // RMSProp's threshold ignores beta.
  eos::Experiment r(tiny("rmsprop"));
  r.set_beta(0.3);
  REQUIRE(r.threshold() == Approx(2 / 0.01).epsilon(1e-12));
}

TEST_CASE("Adaptive fields are checked with their ranges", "[adaptive]") {
  eos::Config c = tiny("adam");
  c.beta2 = 1.0;
  REQUIRE_THROWS_WITH(eos::Experiment(c), Catch::Contains("beta2") && Catch::Contains("[0, 1)"));
  c = tiny("adam");
  c.beta1 = -0.1;
  REQUIRE_THROWS_WITH(eos::Experiment(c), Catch::Contains("beta1") && Catch::Contains("[0, 1)"));
  c = tiny("rmsprop");
  c.eps = -1;
  REQUIRE_THROWS_WITH(eos::Experiment(c), Catch::Contains("eps") && Catch::Contains("[0, 1]"));
}
