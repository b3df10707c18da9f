// The held-out set (testset.hpp). Each generator follows data.cpp's formula and
// order of draws; the split into a population stream and an example stream is
// what lets the held-out examples share the training set's population. A native
// test checks that, run on the training stream, these generators give the
// training set bit for bit. Plain double arithmetic, det:: functions and fixed-order
// sums, as in data.cpp, so the held-out set is the same on every platform.
#include "eoslab/testset.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "eoslab/detmath.hpp"

namespace eos {
namespace {

constexpr double kPi = det::pi;
constexpr std::uint64_t kTestTag = std::uint64_t(0x7E5) << 53;

// sum_i a[i] b[i] in data.cpp's fixed order (four interleaved partial sums).
double dot(const double* a, const double* b, int n) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  double s = (s0 + s1) + (s2 + s3);
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

int class_count(int n, int k, int c) { return (n - c + k - 1) / k; }

void set_labels(Dataset& ds, int n, int classes) {
  ds.classification = true;
  ds.labels.resize(n);
  ds.Y = Eigen::MatrixXd::Zero(classes, n);
  for (int i = 0; i < n; ++i) {
    ds.labels[i] = i % classes;
    ds.Y(ds.labels[i], i) = 1.0;
  }
}

double chebyshev_t(int degree, double x) {
  double t_prev = 1.0, t = x;
  double y = degree == 0 ? 1.0 : x;
  for (int k = 1; k < degree; ++k) {
    const double t_next = 2.0 * x * t - t_prev;
    t_prev = t;
    t = t_next;
    y = t;
  }
  return y;
}

// The two-normal noise draws of the 2-D sets, x then y.
void put2(Dataset& ds, Rng& ex, int i, double x, double y, double noise) {
  const double e1 = ex.normal(), e2 = ex.normal();
  ds.X(0, i) = x + noise * e1;
  ds.X(1, i) = y + noise * e2;
}

}  // namespace

std::uint64_t test_seed(std::uint64_t data_seed) { return data_seed ^ kTestTag; }

Dataset sample_examples(const Spec& spec, int m, Rng& pop, Rng& ex, bool grid) {
  const Config& c = spec.cfg;
  const bool shared = &pop == &ex;  // one stream: the training set's order of draws
  Dataset ds;
  switch (spec.dataset) {
    case DatasetKind::Chebyshev:
      ds.X.resize(1, m);
      ds.Y.resize(1, m);
      for (int i = 0; i < m; ++i) {
        const double x = grid ? (m == 1 ? 0.0 : -1.0 + 2.0 * i / (m - 1)) : ex.uniform(-1.0, 1.0);
        ds.X(0, i) = x;
        ds.Y(0, i) = chebyshev_t(c.degree, x);
      }
      break;
    case DatasetKind::Moons:
    case DatasetKind::Circles:
    case DatasetKind::Spirals: {
      const int C = spec.dataset == DatasetKind::Spirals ? c.classes : 2;
      ds.X.resize(2, m);
      for (int i = 0; i < m; ++i) {
        const int k = i % C, j = i / C, nc = class_count(m, C, k);
        if (spec.dataset == DatasetKind::Moons) {
          const double t = grid ? (nc > 1 ? kPi * j / (nc - 1) : 0.0) : ex.uniform(0.0, kPi);
          const double x = k == 0 ? det::cos(t) : 1.0 - det::cos(t);
          const double y = k == 0 ? det::sin(t) : 0.5 - det::sin(t);
          put2(ds, ex, i, x, y, c.noise);
        } else if (spec.dataset == DatasetKind::Circles) {
          const double radius = k == 0 ? 1.0 : 0.5;
          const double t = grid ? 2.0 * kPi * j / nc : ex.uniform(0.0, 2.0 * kPi);
          put2(ds, ex, i, radius * det::cos(t), radius * det::sin(t), c.noise);
        } else {
          const double r = grid ? static_cast<double>(j + 1) / nc : 1.0 - ex.uniform();  // (0, 1]
          const double t = 2.0 * kPi * k / C + 3.0 * kPi * r;
          put2(ds, ex, i, r * det::cos(t), r * det::sin(t), c.noise);
        }
      }
      set_labels(ds, m, C);
      break;
    }
    case DatasetKind::Xor:
      ds.X.resize(2, m);
      for (int i = 0; i < m; ++i) {
        double u1, u2;
        do {
          u1 = ex.uniform(-1.0, 1.0);
          u2 = ex.uniform(-1.0, 1.0);
        } while (u1 == 0.0 || u2 == 0.0);
        if ((u1 * u2 > 0.0) != (i % 2 == 1)) u2 = -u2;
        put2(ds, ex, i, u1, u2, c.noise);
      }
      set_labels(ds, m, 2);
      break;
    case DatasetKind::Blobs: {
      std::vector<double> cx(c.classes), cy(c.classes);
      for (int k = 0; k < c.classes; ++k) {
        cx[k] = pop.uniform(-3.0, 3.0);
        cy[k] = pop.uniform(-3.0, 3.0);
      }
      ds.X.resize(2, m);
      for (int i = 0; i < m; ++i) put2(ds, ex, i, cx[i % c.classes], cy[i % c.classes], c.noise);
      set_labels(ds, m, c.classes);
      break;
    }
    case DatasetKind::GaussianMixture: {
      Eigen::MatrixXd mu(c.d, c.classes);  // (d, classes)
      for (int k = 0; k < c.classes; ++k)
        for (int r = 0; r < c.d; ++r) mu(r, k) = pop.normal();
      ds.X.resize(c.d, m);
      for (int i = 0; i < m; ++i)
        for (int r = 0; r < c.d; ++r) ds.X(r, i) = mu(r, i % c.classes) + c.noise * ex.normal();
      set_labels(ds, m, c.classes);
      break;
    }
    case DatasetKind::Teacher:
    case DatasetKind::Linear: {
      const bool teacher = spec.dataset == DatasetKind::Teacher;
      if (!teacher && grid) throw std::logic_error("sample_examples: the linear training design is make_dataset's");
      const int d = c.d, outputs = c.classes;
      ds.X.resize(d, m);  // inputs N(0, I_d), example by example
      for (int i = 0; i < m; ++i)
        for (int r = 0; r < d; ++r) ds.X(r, i) = ex.normal();
      // The training set draws its n * d inputs before the population: skip them.
      if (!shared)
        for (std::int64_t q = 0; q < std::int64_t(c.n) * d; ++q) pop.normal();
      ds.Y.resize(outputs, m);
      if (teacher) {
        constexpr int kHidden = 32;
        Eigen::MatrixXd w1t(d, kHidden), w2t(kHidden, outputs);
        const double s1 = 1.0 / std::sqrt(static_cast<double>(d));
        const double s2 = 1.0 / std::sqrt(static_cast<double>(kHidden));
        for (int h = 0; h < kHidden; ++h)
          for (int r = 0; r < d; ++r) w1t(r, h) = s1 * pop.normal();
        for (int o = 0; o < outputs; ++o)
          for (int h = 0; h < kHidden; ++h) w2t(h, o) = s2 * pop.normal();
        std::vector<double> hidden(kHidden);
        for (int i = 0; i < m; ++i) {
          for (int h = 0; h < kHidden; ++h) hidden[h] = det::tanh(dot(w1t.col(h).data(), ds.X.col(i).data(), d));
          for (int o = 0; o < outputs; ++o) ds.Y(o, i) = dot(w2t.col(o).data(), hidden.data(), kHidden);
        }
      } else {
        Eigen::MatrixXd at(d, outputs);  // A^T
        for (int o = 0; o < outputs; ++o)
          for (int r = 0; r < d; ++r) at(r, o) = pop.normal();
        for (int i = 0; i < m; ++i)
          for (int o = 0; o < outputs; ++o) ds.Y(o, i) = dot(at.col(o).data(), ds.X.col(i).data(), d);
      }
      break;
    }
  }
  return ds;
}

Dataset make_test_set(const Spec& spec) {
  Rng pop(spec.cfg.data_seed), ex(test_seed(spec.cfg.data_seed));
  return sample_examples(spec, spec.cfg.n_test, pop, ex, false);
}

}  // namespace eos
