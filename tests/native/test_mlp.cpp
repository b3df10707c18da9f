// Exact derivatives of the MLP loss (Pearlmutter 1994 for the HVP), checked against
// independent oracles: central finite differences of the loss (gradient), of
// the gradient (Hessian-vector product), and the explicit Hessian built column
// by column; every activation x loss, in double precision.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/data.hpp"
#include "eoslab/mlp.hpp"
#include "eoslab/rng.hpp"

namespace {

using Md = eos::Mlp<double>;

struct Setup {
  eos::Spec spec;
  eos::Dataset data;
};

Setup make(const std::string& act, const std::string& loss, bool bias = true) {
  eos::Config c;
  c.dataset = "blobs";  // classification, so both mse (one-hot) and ce apply
  c.classes = 3;
  c.n = 9;
  c.noise = 0.7;
  c.widths = {5, 4};
  c.act = act;
  c.loss = loss;
  c.bias = bias;
  c.init_scale = 1.5;  // larger weights: exercise the non-linear regions
  c.precision = "float64";
  c.seed = 7;
  eos::Spec s = eos::validate(c);
  return {s, eos::make_dataset(s)};
}

Eigen::VectorXd random_vec(Eigen::Index n, std::uint64_t seed) {
  eos::Rng r(seed);
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = r.normal();
  return v;
}

const char* kActs[] = {"tanh", "relu", "elu", "gelu", "softplus", "sigmoid", "identity"};
const char* kLosses[] = {"mse", "ce"};

}  // namespace

TEST_CASE("gradient matches central finite differences for every activation and loss", "[mlp]") {
  for (const char* act : kActs)
    for (const char* loss : kLosses)
      for (bool bias : {true, false}) {
        Setup s = make(act, loss, bias);
        Md m(s.spec, s.data);
        Eigen::VectorXd th = m.init_params(s.spec), g, gd;
        m.loss_grad(th, g);
        const double eps = 1e-6;
        for (Eigen::Index i = 0; i < th.size(); ++i) {
          Eigen::VectorXd tp = th, tm = th;
          tp[i] += eps;
          tm[i] -= eps;
          const double fd = (m.loss_grad(tp, gd) - m.loss_grad(tm, gd)) / (2 * eps);
          INFO("act=" << act << " loss=" << loss << " bias=" << bias << " param " << i << " of " << th.size());
          REQUIRE(g[i] == Approx(fd).epsilon(1e-6).margin(1e-8));
        }
      }
}

TEST_CASE("Hessian-vector product matches finite differences of the gradient", "[mlp][hvp]") {
  for (const char* act : kActs)
    for (const char* loss : kLosses) {
      Setup s = make(act, loss);
      Md m(s.spec, s.data);
      Eigen::VectorXd th = m.init_params(s.spec), g, gp, gm, hv;
      for (std::uint64_t trial = 0; trial < 3; ++trial) {
        Eigen::VectorXd v = random_vec(th.size(), 100 + trial);
        m.loss_grad(th, g);
        m.hvp(v, hv);
        const double eps = 1e-5;
        m.loss_grad(th + eps * v, gp);
        m.loss_grad(th - eps * v, gm);
        Eigen::VectorXd fd = (gp - gm) / (2 * eps);
        INFO("act=" << act << " loss=" << loss << " trial " << trial << " |Hv|=" << hv.norm()
                    << " |Hv-fd|=" << (hv - fd).norm());
        REQUIRE((hv - fd).norm() <= 1e-6 * (1.0 + hv.norm()));
      }
    }
}

TEST_CASE("explicit Hessian from HVP columns is symmetric and matches finite differences", "[mlp][hvp]") {
  for (const char* act : {"tanh", "softplus", "gelu", "relu"})
    for (const char* loss : kLosses) {
      Setup s = make(act, loss);
      Md m(s.spec, s.data);
      Eigen::VectorXd th = m.init_params(s.spec), g, gp, gm, col;
      const Eigen::Index P = th.size();
      Eigen::MatrixXd H(P, P), Hfd(P, P);
      m.loss_grad(th, g);
      for (Eigen::Index i = 0; i < P; ++i) {
        m.hvp(Eigen::VectorXd::Unit(P, i), col);
        H.col(i) = col;
      }
      const double eps = 1e-5;
      for (Eigen::Index i = 0; i < P; ++i) {
        Eigen::VectorXd tp = th, tm = th;
        tp[i] += eps;
        tm[i] -= eps;
        m.loss_grad(tp, gp);
        m.loss_grad(tm, gm);
        Hfd.col(i) = (gp - gm) / (2 * eps);
      }
      INFO("act=" << act << " loss=" << loss << " P=" << P << " asym=" << (H - H.transpose()).norm()
                  << " |H-Hfd|=" << (H - Hfd).norm() << " |H|=" << H.norm());
      REQUIRE((H - H.transpose()).norm() <= 1e-12 * (1.0 + H.norm()));
      REQUIRE((H - Hfd).norm() <= 1e-6 * (1.0 + H.norm()));
    }
}

TEST_CASE("ReLU Hessian-vector product is exact: deterministic and linear in v", "[mlp][hvp]") {
  // The R-operator has no step size: repeated calls agree bit for bit and it is
  // linear in v, unlike a finite-difference product, whose value depends on
  // whether the step crosses a ReLU kink.
  Setup s = make("relu", "mse");
  Md m(s.spec, s.data);
  Eigen::VectorXd th = m.init_params(s.spec), g, hv1, hv2, hv3;
  m.loss_grad(th, g);
  Eigen::VectorXd v = random_vec(th.size(), 5);
  m.hvp(v, hv1);
  m.hvp(v, hv2);
  REQUIRE((hv1 - hv2).norm() == 0.0);
  m.hvp(2.0 * v, hv3);
  REQUIRE((hv3 - 2.0 * hv1).norm() <= 1e-12 * (1.0 + hv1.norm()));
}

TEST_CASE("float32 gradient and HVP agree with float64", "[mlp]") {
  for (const char* loss : kLosses) {
    Setup s = make("tanh", loss);
    Md md(s.spec, s.data);
    eos::Mlp<float> mf(s.spec, s.data);
    Eigen::VectorXd th = md.init_params(s.spec), gd, hd;
    Eigen::VectorXf gf, hf;
    const double ld = md.loss_grad(th, gd);
    const double lf = mf.loss_grad(th.cast<float>(), gf);
    Eigen::VectorXd v = random_vec(th.size(), 3);
    md.hvp(v, hd);
    mf.hvp(v.cast<float>(), hf);
    INFO("loss=" << loss);
    REQUIRE(lf == Approx(ld).epsilon(1e-5));
    REQUIRE((gf.cast<double>() - gd).norm() <= 1e-4 * (1e-3 + gd.norm()));
    REQUIRE((hf.cast<double>() - hd).norm() <= 1e-4 * (1e-3 + hd.norm()));
  }
}
