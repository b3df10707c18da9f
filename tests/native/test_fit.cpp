// The fit picture: the model evaluated off the training set (Mlp::forward,
// Experiment::predict) against the MLP's own cached forward pass and against the
// training loss it reports; the curve and the grid against their definitions and
// the closed form T_k(cos t) = cos(k t); the PCA projection against a dense
// eigen-decomposition of the covariance.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/data.hpp"
#include "eoslab/experiment.hpp"
#include "eoslab/fit.hpp"
#include "eoslab/mlp.hpp"
#include "eoslab/rng.hpp"

namespace {

eos::Spec spec_of(const std::string& dataset, const std::string& act, bool bias, const std::string& precision) {
  eos::Config c;
  c.dataset = dataset;
  c.n = 24;
  c.classes = 3;
  c.d = 6;
  c.noise = 0.3;
  c.widths = {7, 5};
  c.act = act;
  c.bias = bias;
  c.init_scale = 1.5;
  c.precision = precision;
  c.seed = 11;
  return eos::validate(c);
}

}  // namespace

TEST_CASE("Mlp forward on new inputs equals the cached forward pass of loss_grad", "[fit]") {
  for (const char* act : {"tanh", "relu", "elu", "gelu", "softplus", "sigmoid", "identity"})
    for (bool bias : {true, false}) {
      INFO(act << " bias " << bias);
      const eos::Spec s = spec_of("blobs", act, bias, "float64");
      const eos::Dataset ds = eos::make_dataset(s);
      eos::Mlp<double> m(s, ds);
      Eigen::VectorXd th = m.init_params(s), g;
      m.loss_grad(th, g);
      const Eigen::MatrixXd f = m.forward(th, ds.X);
      REQUIRE(f.rows() == s.d_out);
      REQUIRE(f.cols() == ds.X.cols());
      CHECK((f - m.output()).cwiseAbs().maxCoeff() <= 1e-12 * (1.0 + m.output().cwiseAbs().maxCoeff()));
      // One column at a time gives the same outputs (no coupling between examples).
      const Eigen::MatrixXd f3 = m.forward(th, ds.X.col(3));
      CHECK((f3 - m.output().col(3)).cwiseAbs().maxCoeff() <= 1e-12);
    }
}

TEST_CASE("Experiment predict after training reproduces the loss the next record reports", "[fit]") {
  for (const char* precision : {"float32", "float64"}) {
    INFO(precision);
    eos::Config c;
    c.dataset = "moons";
    c.n = 40;
    c.widths = {16, 16};
    c.lr = 0.3;
    c.eig_every = 0;
    c.precision = precision;
    eos::Experiment e(c);
    std::vector<eos::StepRecord> rec;
    REQUIRE(e.step(60, rec) == 60);
    const eos::Dataset& ds = e.dataset();
    const Eigen::MatrixXd f = e.predict(ds.X);  // (2, n)
    const double mse = 0.5 * (f - ds.Y).squaredNorm() / double(ds.X.cols());
    rec.clear();
    REQUIRE(e.step(1, rec) == 1);  // its record is the loss at the parameters predict() used
    const double tol = std::string(precision) == "float32" ? 1e-5 : 1e-12;
    CHECK(std::abs(mse - rec[0].loss) <= tol * rec[0].loss);
    // Accuracy from predict's arg-max, against the record's.
    int hits = 0;
    for (Eigen::Index j = 0; j < f.cols(); ++j) {
      Eigen::Index arg;
      f.col(j).maxCoeff(&arg);
      hits += arg == ds.labels[std::size_t(j)];
    }
    CHECK(double(hits) / double(f.cols()) == Approx(rec[0].accuracy).margin(1e-12));
  }
}

TEST_CASE("the 1-D view is a curve over [-1, 1] whose target is T_k, cos(k t) at x = cos t", "[fit]") {
  eos::Config c;
  c.dataset = "chebyshev";
  c.n = 21;
  c.degree = 5;
  const eos::Spec s = eos::validate(c);
  const eos::Dataset ds = eos::make_dataset(s);
  const eos::FitView v = eos::make_fit_view(s, ds, 41);  // every other curve point is a data point
  REQUIRE(v.kind == eos::FitKind::Curve);
  REQUIRE(v.nx == 41);
  REQUIRE(v.inputs.cols() == 41);
  CHECK(v.x0 == -1.0);
  CHECK(v.x1 == 1.0);
  REQUIRE(v.target.size() == 41);
  for (int i = 0; i < 41; ++i) {
    const double x = v.inputs(0, i);
    CHECK(x == Approx(-1.0 + 2.0 * i / 40).margin(1e-15));
    CHECK(v.target[std::size_t(i)] == Approx(std::cos(5 * std::acos(std::clamp(x, -1.0, 1.0)))).margin(1e-12));
    if (i % 2 == 0) CHECK(v.target[std::size_t(i)] == Approx(ds.Y(0, i / 2)).margin(1e-12));
  }
  REQUIRE(v.points.cols() == 21);
  CHECK((v.points.row(0) - ds.X.row(0)).cwiseAbs().maxCoeff() == 0.0);
  CHECK((v.points.row(1) - ds.Y.row(0)).cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("the 2-D view is a grid of cell centres over the padded bounding box, row 0 at the top", "[fit]") {
  for (const char* name : {"moons", "circles", "spirals", "xor", "blobs"}) {
    INFO(name);
    const eos::Spec s = spec_of(name, "tanh", true, "float32");
    const eos::Dataset ds = eos::make_dataset(s);
    const eos::FitView v = eos::make_fit_view(s, ds, 256, 64, 0.1);
    REQUIRE(v.kind == eos::FitKind::Grid);
    REQUIRE(v.nx == 64);
    REQUIRE(v.ny == 64);
    REQUIRE(v.inputs.rows() == 2);
    REQUIRE(v.inputs.cols() == 64 * 64);
    const double lx = ds.X.row(0).minCoeff(), hx = ds.X.row(0).maxCoeff();
    const double ly = ds.X.row(1).minCoeff(), hy = ds.X.row(1).maxCoeff();
    const double m = 0.1 * std::max(hx - lx, hy - ly), side = std::max(hx - lx, hy - ly) + 2 * m;
    // A square box, the margin on every side, tight (margin exactly) along the longer extent.
    CHECK(v.x1 - v.x0 == Approx(side));
    CHECK(v.y1 - v.y0 == Approx(side));
    CHECK(v.x0 <= lx - m + 1e-12);
    CHECK(v.x1 >= hx + m - 1e-12);
    CHECK(v.y0 <= ly - m + 1e-12);
    CHECK(v.y1 >= hy + m - 1e-12);
    CHECK(0.5 * (v.x0 + v.x1) == Approx(0.5 * (lx + hx)));
    CHECK(0.5 * (v.y0 + v.y1) == Approx(0.5 * (ly + hy)));
    const double dx = (v.x1 - v.x0) / 64, dy = (v.y1 - v.y0) / 64;
    for (int r : {0, 17, 63})
      for (int c : {0, 40, 63}) {
        CHECK(v.inputs(0, r * 64 + c) == Approx(v.x0 + (c + 0.5) * dx));
        CHECK(v.inputs(1, r * 64 + c) == Approx(v.y1 - (r + 0.5) * dy));
      }
    // Every example lies inside the margin: at least 64 / 12 cells (the margin over the padded
    // side, 0.1 / 1.2) from every edge.
    for (Eigen::Index j = 0; j < ds.X.cols(); ++j) {
      const double c = (ds.X(0, j) - v.x0) / dx, r = (v.y1 - ds.X(1, j)) / dy;
      CHECK(c >= 64.0 / 12 - 1e-9);
      CHECK(c <= 64 - 64.0 / 12 + 1e-9);
      CHECK(r >= 64.0 / 12 - 1e-9);
      CHECK(r <= 64 - 64.0 / 12 + 1e-9);
    }
  }
}

TEST_CASE("principal axes match the top eigenvectors of the covariance from a dense eigensolver", "[fit]") {
  for (const char* name : {"gaussian-mixture", "teacher", "linear"}) {
    INFO(name);
    const eos::Spec s = spec_of(name, "tanh", true, "float32");
    const eos::Dataset ds = eos::make_dataset(s);
    const eos::FitView v = eos::make_fit_view(s, ds);
    REQUIRE(v.kind == eos::FitKind::Projection);
    const Eigen::Index n = ds.X.cols();
    const Eigen::MatrixXd Xc = ds.X.colwise() - ds.X.rowwise().mean();
    const Eigen::MatrixXd cov = Xc * Xc.transpose() / double(n);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(cov);  // ascending eigenvalues
    const Eigen::Index d = cov.rows();
    REQUIRE(v.axes.rows() == d);
    REQUIRE(v.axes.cols() == 2);
    CHECK((v.axes.transpose() * v.axes - Eigen::Matrix2d::Identity()).cwiseAbs().maxCoeff() <= 1e-12);
    const double l1 = es.eigenvalues()(d - 1), l2 = es.eigenvalues()(d - 2), l3 = es.eigenvalues()(d - 3);
    for (int j = 0; j < 2; ++j) {
      // Rayleigh quotient = the eigenvalue, and the residual of the eigen-equation is small.
      const Eigen::VectorXd a = v.axes.col(j);
      const double lam = j == 0 ? l1 : l2;
      CHECK(a.dot(cov * a) == Approx(lam).epsilon(1e-10));
      CHECK((cov * a - lam * a).norm() <= 1e-8 * l1);
      // Eigenvectors are defined up to sign (when the gap to the next is not tiny).
      const double gap = j == 0 ? l1 - l2 : l2 - l3;
      if (gap > 1e-6 * l1) CHECK(std::abs(a.dot(es.eigenvectors().col(d - 1 - j))) == Approx(1.0).epsilon(1e-8));
      Eigen::Index at;
      a.cwiseAbs().maxCoeff(&at);
      CHECK(a(at) > 0);
    }
    // The drawn points are the centred examples' coordinates on the axes; their variances are l1, l2.
    REQUIRE(v.points.cols() == n);
    CHECK((v.points - v.axes.transpose() * Xc).cwiseAbs().maxCoeff() <= 1e-12 * (1 + Xc.cwiseAbs().maxCoeff()));
    CHECK(v.points.row(0).squaredNorm() / double(n) == Approx(l1).epsilon(1e-10));
    CHECK(v.points.row(1).squaredNorm() / double(n) == Approx(l2).epsilon(1e-10));
    CHECK(v.x0 < v.points.row(0).minCoeff());
    CHECK(v.x1 > v.points.row(0).maxCoeff());
  }
}

TEST_CASE("principal axes recover known directions of an anisotropic cloud", "[fit]") {
  // x = mu + R diag(5, 2, 0.5) z with z ~ N(0, I): the axes are R's first two columns.
  const double t = 0.6;
  Eigen::Matrix3d R;
  R << std::cos(t), -std::sin(t), 0, std::sin(t), std::cos(t), 0, 0, 0, 1;
  eos::Rng rng(3);
  Eigen::MatrixXd X(3, 4000);
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    const Eigen::Vector3d z(5 * rng.normal(), 2 * rng.normal(), 0.5 * rng.normal());
    X.col(j) = Eigen::Vector3d(1, -2, 3) + R * z;
  }
  const Eigen::MatrixXd A = eos::principal_axes(X, 2);
  CHECK(std::abs(A.col(0).dot(R.col(0))) > 0.999);
  CHECK(std::abs(A.col(1).dot(R.col(1))) > 0.99);
}
