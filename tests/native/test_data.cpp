// Tests of the synthetic datasets (wasm/src/data.cpp): shapes and
// one-hot labels for every set, bit-for-bit determinism, dependence on data_seed
// only, and each set's geometry against an independent oracle (std::cos/acos for
// Chebyshev, exact radii of moons/circles/spirals at zero noise, X X^T = n I for
// linear, re-drawing the documented random stream for teacher/linear).
// Over 400 lines: one test file per component, and the nine datasets each get their own oracle.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <string>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/data.hpp"
#include "eoslab/rng.hpp"

namespace {

eos::Config base(const std::string& name, int n = 101) {
  eos::Config c;
  c.dataset = name;
  c.n = n;
  c.degree = 5;
  c.d = 6;
  c.classes = 3;
  c.noise = 0.1;
  c.data_seed = 7;
  return c;
}

eos::Dataset make(const eos::Config& c) { return eos::make_dataset(eos::validate(c)); }

bool same_bits(const eos::Dataset& a, const eos::Dataset& b) {
  return a.X.rows() == b.X.rows() && a.X.cols() == b.X.cols() && a.Y.rows() == b.Y.rows() &&
         a.Y.cols() == b.Y.cols() && a.labels == b.labels && a.classification == b.classification &&
         std::memcmp(a.X.data(), b.X.data(), sizeof(double) * a.X.size()) == 0 &&
         std::memcmp(a.Y.data(), b.Y.data(), sizeof(double) * a.Y.size()) == 0;
}

const std::vector<std::string> kAll = {"chebyshev", "moons",   "circles", "spirals", "xor",
                                       "blobs",     "gaussian-mixture", "teacher", "linear"};
const std::vector<std::string> kTwoD = {"moons", "circles", "spirals", "xor", "blobs"};

double sq(double x) { return x * x; }

}  // namespace

TEST_CASE("datasets: shapes, labels and one-hot targets", "[data]") {
  for (const auto& name : kAll) {
    for (int n : {1, 2, 7, 101}) {
      for (int classes : {2, 3, 5}) {
        eos::Config c = base(name, n);
        c.classes = classes;
        if (name == "linear") c.d = std::min(c.d, n);
        INFO(name << " n=" << n << " classes=" << classes);
        const eos::Spec s = eos::validate(c);
        const eos::Dataset ds = eos::make_dataset(s);
        REQUIRE(ds.X.rows() == s.d_in);
        REQUIRE(ds.X.cols() == n);
        REQUIRE(ds.Y.rows() == s.d_out);
        REQUIRE(ds.Y.cols() == n);
        CHECK(ds.X.allFinite());
        CHECK(ds.Y.allFinite());
        CHECK(ds.classification == s.classification);

        const bool cls = name != "chebyshev" && name != "teacher" && name != "linear";
        CHECK(ds.classification == cls);
        if (name == "chebyshev") {
          CHECK(s.d_in == 1);
          CHECK(s.d_out == 1);
        }
        if (name == "moons" || name == "circles" || name == "xor") CHECK(s.d_out == 2);
        if (name == "spirals" || name == "blobs" || name == "gaussian-mixture" || name == "teacher" ||
            name == "linear")
          CHECK(s.d_out == classes);
        if (name == "gaussian-mixture" || name == "teacher" || name == "linear") CHECK(s.d_in == c.d);
        if (std::find(kTwoD.begin(), kTwoD.end(), name) != kTwoD.end()) CHECK(s.d_in == 2);

        if (!cls) {
          CHECK(ds.labels.empty());
          continue;
        }
        const int C = s.d_out;
        REQUIRE(static_cast<int>(ds.labels.size()) == n);
        std::vector<int> counts(C, 0);
        for (int i = 0; i < n; ++i) {
          INFO("example " << i);
          REQUIRE(ds.labels[i] == i % C);
          ++counts[ds.labels[i]];
          double sum = 0;
          for (int k = 0; k < C; ++k) {
            const double y = ds.Y(k, i);
            CHECK((y == 0.0 || y == 1.0));
            sum += y;
          }
          CHECK(sum == 1.0);
          CHECK(ds.Y(ds.labels[i], i) == 1.0);
        }
        // Balanced: class sizes differ by at most one.
        const auto [lo, hi] = std::minmax_element(counts.begin(), counts.end());
        CHECK(*hi - *lo <= 1);
      }
    }
  }
}

TEST_CASE("datasets: deterministic bit for bit, and driven by data_seed only", "[data]") {
  for (const auto& name : kAll) {
    INFO(name);
    const eos::Config c = base(name, 200);
    const eos::Dataset a = make(c), b = make(c);
    CHECK(same_bits(a, b));

    // The model seed, architecture and optimiser must not touch the data.
    eos::Config other = c;
    other.seed = 12345;
    other.widths = {7, 9};
    other.lr = 0.01;
    CHECK(same_bits(a, make(other)));

    eos::Config reseeded = c;
    reseeded.data_seed = 8;
    const eos::Dataset r = make(reseeded);
    if (name == "chebyshev") {
      CHECK(same_bits(a, r));  // no randomness at all
    } else {
      // Every random coordinate changes (all X entries are random draws here).
      int same = 0;
      for (Eigen::Index k = 0; k < a.X.size(); ++k) same += a.X.data()[k] == r.X.data()[k];
      INFO("identical X entries after reseeding: " << same << " of " << a.X.size());
      CHECK(same == 0);
      if (!a.classification) CHECK(!same_bits(a, r));  // regression targets change too
      CHECK(a.labels == r.labels);                      // labels are i % classes by design
    }
  }
}

TEST_CASE("chebyshev: evenly spaced inputs and T_k(x) = cos(k acos x)", "[data]") {
  for (int n : {1, 2, 3, 20, 101}) {
    for (int k = 0; k <= 30; ++k) {
      eos::Config c = base("chebyshev", n);
      c.degree = k;
      const eos::Dataset ds = make(c);
      INFO("n=" << n << " degree=" << k);
      if (n == 1) {
        CHECK(ds.X(0, 0) == 0.0);
      } else {
        CHECK(ds.X(0, 0) == -1.0);
        CHECK(ds.X(0, n - 1) == 1.0);
      }
      for (int i = 0; i < n; ++i) {
        const double x = ds.X(0, i);
        if (n > 1) CHECK(std::fabs(x - (-1.0 + 2.0 * i / (n - 1))) <= 1e-15);
        const double want = std::cos(k * std::acos(x));
        INFO("x=" << x << " got " << ds.Y(0, i) << " want " << want);
        CHECK(std::fabs(ds.Y(0, i) - want) <= 1e-12);
      }
    }
  }
}

TEST_CASE("moons and circles: exact radii at zero noise", "[data]") {
  const int n = 301;
  {
    eos::Config c = base("moons", n);
    c.noise = 0.0;
    const eos::Dataset ds = make(c);
    for (int i = 0; i < n; ++i) {
      const double x = ds.X(0, i), y = ds.X(1, i);
      INFO("moons example " << i << " label " << ds.labels[i] << " at (" << x << ", " << y << ")");
      if (ds.labels[i] == 0) {  // upper half of the unit circle around (0, 0)
        CHECK(std::fabs(std::hypot(x, y) - 1.0) <= 1e-14);
        CHECK(y >= -1e-15);
      } else {  // lower half of the unit circle around (1, 0.5)
        CHECK(std::fabs(std::hypot(x - 1.0, y - 0.5) - 1.0) <= 1e-14);
        CHECK(y <= 0.5 + 1e-15);
      }
    }
    // Ends of the half circles (sklearn's make_moons): t = 0 and t = pi.
    CHECK(ds.X(0, 0) == Approx(1.0).margin(1e-15));
    CHECK(ds.X(0, n - 1) == Approx(-1.0).margin(1e-15));  // last of class 0 (n odd)
    CHECK(ds.X(0, 1) == Approx(0.0).margin(1e-15));
    CHECK(ds.X(1, 1) == Approx(0.5).margin(1e-15));
  }
  {
    eos::Config c = base("circles", n);
    c.noise = 0.0;
    const eos::Dataset ds = make(c);
    double mx[2] = {0, 0}, my[2] = {0, 0};
    for (int i = 0; i < n; ++i) {
      const double x = ds.X(0, i), y = ds.X(1, i);
      const double want = ds.labels[i] == 0 ? 1.0 : 0.5;
      INFO("circles example " << i << " label " << ds.labels[i]);
      CHECK(std::fabs(std::hypot(x, y) - want) <= 1e-14);
      mx[ds.labels[i]] += x;
      my[ds.labels[i]] += y;
    }
    // Evenly spaced angles over the full circle: each class is centred on 0.
    for (int k = 0; k < 2; ++k) {
      INFO("class " << k << " sum of points (" << mx[k] << ", " << my[k] << ")");
      CHECK(std::fabs(mx[k]) < 1e-12);
      CHECK(std::fabs(my[k]) < 1e-12);
    }
  }
}

TEST_CASE("spirals: radius and angle of each arm at zero noise", "[data]") {
  for (int C : {2, 3, 7, 20}) {
    const int n = 10 * C + 3;
    eos::Config c = base("spirals", n);
    c.classes = C;
    c.noise = 0.0;
    const eos::Dataset ds = make(c);
    for (int i = 0; i < n; ++i) {
      const int k = i % C, j = i / C, nk = (n - k + C - 1) / C;
      const double r = double(j + 1) / nk;
      const double x = ds.X(0, i), y = ds.X(1, i);
      INFO("C=" << C << " example " << i << " arm " << k << " point " << j << " of " << nk);
      CHECK(std::fabs(std::hypot(x, y) - r) <= 1e-14);
      // Angle 2 pi k / C + 3 pi r, compared modulo 2 pi.
      const double want = 2 * std::numbers::pi * k / C + 3 * std::numbers::pi * r;
      const double diff = std::remainder(std::atan2(y, x) - want, 2 * std::numbers::pi);
      CHECK(std::fabs(diff) <= 1e-12 / r);
    }
  }
}

TEST_CASE("xor: uniform square, label = (x1 x2 > 0), balanced quadrants", "[data]") {
  const int n = 4000;
  eos::Config c = base("xor", n);
  c.noise = 0.0;
  const eos::Dataset ds = make(c);
  int quad[4] = {0, 0, 0, 0};
  double mean_abs = 0;
  for (int i = 0; i < n; ++i) {
    const double x1 = ds.X(0, i), x2 = ds.X(1, i);
    INFO("example " << i << " (" << x1 << ", " << x2 << ")");
    REQUIRE(std::fabs(x1) <= 1.0);
    REQUIRE(std::fabs(x2) <= 1.0);
    CHECK(ds.labels[i] == (x1 * x2 > 0 ? 1 : 0));
    ++quad[(x1 > 0) + 2 * (x2 > 0)];
    mean_abs += std::fabs(x1) + std::fabs(x2);
  }
  mean_abs /= 2 * n;
  // Each class (2000 points) falls in its two quadrants with probability 1/2:
  // binomial s.e. sqrt(2000/4) = 22.4, tolerance 5 s.e.
  for (int q = 0; q < 4; ++q) {
    INFO("quadrant " << q << " count " << quad[q]);
    CHECK(std::fabs(quad[q] - 1000.0) < 5 * 22.4);
  }
  // |U(-1,1)| has mean 1/2 and sd 1/sqrt(12); 8000 values: s.e. 3.2e-3.
  INFO("mean |x| " << mean_abs);
  CHECK(std::fabs(mean_abs - 0.5) < 5 * 3.23e-3);
}

TEST_CASE("2-D sets: noise adds noise * N(0, I) to the noise-free points", "[data]") {
  // The random stream does not depend on the noise level, so (X(s) - X(0)) / s are
  // the normals that were drawn: they must look like N(0, 1).
  for (const auto& name : kTwoD) {
    const int n = 2000;
    eos::Config c0 = base(name, n), c1 = base(name, n);
    c0.noise = 0.0;
    c1.noise = 0.25;
    const eos::Dataset a = make(c0), b = make(c1);
    CHECK(a.labels == b.labels);
    std::vector<double> e;
    for (Eigen::Index k = 0; k < a.X.size(); ++k) e.push_back((b.X.data()[k] - a.X.data()[k]) / 0.25);
    double mean = 0, var = 0;
    for (double v : e) mean += v;
    mean /= e.size();
    for (double v : e) var += sq(v - mean);
    var /= e.size();
    INFO(name << ": noise sample mean " << mean << " variance " << var);
    // 4000 values: s.e. of mean 0.0158, of variance 0.0224; tolerance 5 s.e.
    CHECK(std::fabs(mean) < 5 * 0.0158);
    CHECK(std::fabs(var - 1.0) < 5 * 0.0224);
  }
}

TEST_CASE("blobs and gaussian-mixture: class means at their centres", "[data]") {
  SECTION("blobs") {
    const int C = 5, n = 1000;
    eos::Config c = base("blobs", n);
    c.classes = C;
    c.noise = 0.0;
    const eos::Dataset centres = make(c);  // at zero noise every point sits on its centre
    for (int i = 0; i < n; ++i) {
      INFO("example " << i);
      CHECK(centres.X(0, i) == centres.X(0, i % C));
      CHECK(centres.X(1, i) == centres.X(1, i % C));
    }
    for (int k = 0; k < C; ++k) {
      INFO("centre " << k << " (" << centres.X(0, k) << ", " << centres.X(1, k) << ")");
      CHECK(std::fabs(centres.X(0, k)) <= 3.0);
      CHECK(std::fabs(centres.X(1, k)) <= 3.0);
      for (int l = 0; l < k; ++l) CHECK(std::hypot(centres.X(0, k) - centres.X(0, l), centres.X(1, k) - centres.X(1, l)) > 0);
    }
    c.noise = 0.05;
    const eos::Dataset ds = make(c);
    for (int k = 0; k < C; ++k) {
      double mx = 0, my = 0, ss = 0;
      const int nk = n / C;
      for (int i = k; i < n; i += C) {
        mx += ds.X(0, i);
        my += ds.X(1, i);
      }
      mx /= nk;
      my /= nk;
      for (int i = k; i < n; i += C) ss += sq(ds.X(0, i) - mx) + sq(ds.X(1, i) - my);
      const double sd = std::sqrt(ss / (2 * nk));
      INFO("class " << k << " mean (" << mx << ", " << my << ") sd " << sd);
      // Mean of 200 points with noise 0.05: s.e. 0.05/sqrt(200) = 3.5e-3; tolerance 5 s.e.
      CHECK(std::fabs(mx - centres.X(0, k)) < 5 * 3.54e-3);
      CHECK(std::fabs(my - centres.X(1, k)) < 5 * 3.54e-3);
      CHECK(sd == Approx(0.05).epsilon(0.15));  // 400 values: s.e. of sd ~3.5 %
    }
  }
  SECTION("gaussian-mixture") {
    const int C = 10, d = 32, n = 2000;
    eos::Config c = base("gaussian-mixture", n);
    c.classes = C;
    c.d = d;
    c.noise = 0.0;
    const eos::Dataset means = make(c);
    // Means ~ N(0, I_d): 320 coordinates, mean square 1 with s.e. sqrt(2/320) = 0.079.
    double ms = 0;
    for (int k = 0; k < C; ++k)
      for (int r = 0; r < d; ++r) ms += sq(means.X(r, k));
    ms /= C * d;
    INFO("mean square of class means " << ms);
    CHECK(std::fabs(ms - 1.0) < 5 * 0.079);
    for (int i = 0; i < n; ++i)
      for (int r = 0; r < d; ++r) REQUIRE(means.X(r, i) == means.X(r, i % C));

    c.noise = 0.1;
    const eos::Dataset ds = make(c);
    const int nk = n / C;
    double worst = 0, ss = 0;
    for (int k = 0; k < C; ++k)
      for (int r = 0; r < d; ++r) {
        double m = 0;
        for (int i = k; i < n; i += C) m += ds.X(r, i);
        m /= nk;
        worst = std::max(worst, std::fabs(m - means.X(r, k)));
        for (int i = k; i < n; i += C) ss += sq(ds.X(r, i) - means.X(r, k));
      }
    const double sd = std::sqrt(ss / (double(n) * d));
    INFO("largest |class mean - centre| " << worst << ", within-class sd " << sd);
    // 320 class-mean coordinates, each with s.e. 0.1/sqrt(200) = 7.1e-3: the largest
    // of 320 is below 4.5 s.e. with probability > 0.99.
    CHECK(worst < 5 * 7.07e-3);
    CHECK(sd == Approx(0.1).epsilon(0.02));  // 64000 values: s.e. of sd 0.3 %
  }
}

TEST_CASE("linear: X X^T = n I, and Y = A X with A ~ N(0, 1) as drawn", "[data]") {
  struct Case {
    int n, d, outputs;
  };
  for (const Case& k : {Case{50, 50, 3}, Case{200, 10, 4}, Case{64, 32, 1}, Case{1000, 64, 8}, Case{5, 1, 2}}) {
    INFO("n=" << k.n << " d=" << k.d << " outputs=" << k.outputs);
    eos::Config c = base("linear", k.n);
    c.d = k.d;
    c.classes = k.outputs;
    const eos::Dataset ds = make(c);
    const Eigen::MatrixXd gram = ds.X * ds.X.transpose();  // (d, d)
    const double err = (gram - k.n * Eigen::MatrixXd::Identity(k.d, k.d)).cwiseAbs().maxCoeff();
    INFO("max |X X^T - n I| = " << err);
    CHECK(err <= 1e-9 * k.n);

    // Y lies in the row space of X: with X X^T = n I the projector is X^T X / n.
    const Eigen::MatrixXd proj = ds.Y * ds.X.transpose() * ds.X / k.n;  // (outputs, n)
    const double perr = (ds.Y - proj).norm() / ds.Y.norm();
    INFO("relative distance of Y from the row space of X " << perr);
    CHECK(perr <= 1e-9);

    // Recover A = Y X^T / n and compare with an independent re-draw of the
    // documented stream: d*n normals for the feature vectors, then A row by row.
    const Eigen::MatrixXd a = ds.Y * ds.X.transpose() / k.n;  // (outputs, d)
    eos::Rng rng(c.data_seed);
    for (long i = 0; i < long(k.d) * k.n; ++i) (void)rng.normal();
    double aerr = 0;
    for (int o = 0; o < k.outputs; ++o)
      for (int r = 0; r < k.d; ++r) aerr = std::max(aerr, std::fabs(a(o, r) - rng.normal()));
    INFO("max |A recovered - A drawn| " << aerr);
    CHECK(aerr <= 1e-9);
  }
}

TEST_CASE("teacher: X ~ N(0, I) and Y = W2 tanh(W1 X) of the documented random teacher", "[data]") {
  const int n = 500, d = 8, C = 3;
  eos::Config c = base("teacher", n);
  c.d = d;
  c.classes = C;
  const eos::Dataset ds = make(c);

  // Oracle: re-draw the stream in its documented order (X example by example, W1
  // and W2 row by row with std 1/sqrt(fan_in)) and run the teacher with Eigen
  // products and std::tanh instead of the engine's loops and det::tanh.
  eos::Rng rng(c.data_seed);
  Eigen::MatrixXd x(d, n);  // (d, n)
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < d; ++r) x(r, i) = rng.normal();
  Eigen::MatrixXd w1(32, d), w2(C, 32);
  for (int h = 0; h < 32; ++h)
    for (int r = 0; r < d; ++r) w1(h, r) = rng.normal() / std::sqrt(double(d));
  for (int o = 0; o < C; ++o)
    for (int h = 0; h < 32; ++h) w2(o, h) = rng.normal() / std::sqrt(32.0);
  const Eigen::MatrixXd y = w2 * (w1 * x).unaryExpr([](double v) { return std::tanh(v); });  // (C, n)

  CHECK(std::memcmp(x.data(), ds.X.data(), sizeof(double) * x.size()) == 0);  // same draws exactly
  const double err = (y - ds.Y).cwiseAbs().maxCoeff();
  INFO("max |Y - oracle| " << err);
  CHECK(err <= 1e-12);

  // Sanity of scale: X has unit variance; targets are O(1) and not constant.
  const double xvar = ds.X.squaredNorm() / ds.X.size();
  const double ymean = ds.Y.mean();
  const double yvar = (ds.Y.array() - ymean).square().mean();
  INFO("var X " << xvar << ", var Y " << yvar);
  CHECK(std::fabs(xvar - 1.0) < 5 * std::sqrt(2.0 / ds.X.size()));
  CHECK(yvar > 0.05);
  CHECK(yvar < 2.0);
}
