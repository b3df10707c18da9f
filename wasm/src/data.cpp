// Synthetic datasets, deterministic from the Config and its
// data_seed and identical bit for bit on every platform: all randomness comes from
// eos::Rng, all transcendental functions from eos::det (no libm, no
// std::*_distribution), arithmetic is plain double with FMA contraction off
// (CMakeLists.txt), and every reduction (dot product, matrix product) is an
// explicit loop in a fixed order -- Eigen's vectorised kernels would sum in an
// order that depends on the SIMD width and cache blocking.
//
// Layout: X is (d_in, n), one example per column; Y is (d_out, n). Classification
// sets give example i the label i % classes (balanced classes) and a one-hot Y.
// The order of random draws is part of the format (the WASM/native bit-identity
// tests and --dump-problem rely on it) and is spelled out for each set below.
#include "eoslab/data.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "eoslab/detmath.hpp"
#include "eoslab/rng.hpp"

namespace eos {
namespace {

constexpr double kPi = det::pi;

// sum_i a[i] b[i] in a fixed order: four interleaved partial sums (i mod 4),
// combined as (s0 + s1) + (s2 + s3), then the tail. Written out so the order is the
// same on every compiler (none may reassociate without -ffast-math), and four
// independent chains run ~4x faster than one latency-bound sum.
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

// Number of i in [0, n) with i % k == c.
int class_count(int n, int k, int c) { return (n - c + k - 1) / k; }

// Fills labels (i % classes) and the one-hot Y (classes, n).
void set_labels(Dataset& ds, int n, int classes) {
  ds.classification = true;
  ds.labels.resize(n);
  ds.Y = Eigen::MatrixXd::Zero(classes, n);
  for (int i = 0; i < n; ++i) {
    ds.labels[i] = i % classes;
    ds.Y(ds.labels[i], i) = 1.0;
  }
}

// T_k(x) by T0 = 1, T1 = x, T_{j+1} = 2x T_j - T_{j-1} (no cos/acos, so the same
// bits everywhere).
double chebyshev_t(int degree, double x) {
  double t_prev = 1.0, t = x;  // T0, T1
  double y = degree == 0 ? 1.0 : x;
  for (int k = 1; k < degree; ++k) {
    const double t_next = 2.0 * x * t - t_prev;
    t_prev = t;
    t = t_next;
    y = t;
  }
  return y;
}

// Example i of a 2-D set at (x, y) plus noise N(0, I): two normals, x then y.
void put2(Dataset& ds, Rng& ex, int i, double x, double y, double noise) {
  const double e1 = ex.normal(), e2 = ex.normal();
  ds.X(0, i) = x + noise * e1;
  ds.X(1, i) = y + noise * e2;
}

// --- linear: the reference's deep-linear setting, "X with orthogonal columns
// scaled by sqrt(n), Y = X A^T" in its (n, d) layout; here X is (d, n), so its d
// rows (one n-vector per feature) are orthogonal with squared norm n:
// X X^T = n I_d. G (n-vectors drawn feature by feature) is orthonormalised by
// modified Gram-Schmidt, run twice ("twice is enough": one pass loses
// orthogonality in proportion to cond(G), large when n is close to d), then scaled
// by sqrt(n). A (outputs, d) ~ N(0, 1) is drawn after G, row by row; Y = A X.
// Needs n >= d (checked by validate()).
void linear(Dataset& ds, Rng& rng, int n, int d, int outputs) {
  if (n < d) throw std::invalid_argument("linear dataset needs n >= d");
  // Work on the transpose, (n, d) column-major, so each feature vector is contiguous.
  Eigen::MatrixXd g(n, d);  // (n, d)
  for (int r = 0; r < d; ++r)
    for (int i = 0; i < n; ++i) g(i, r) = rng.normal();
  for (int pass = 0; pass < 2; ++pass) {
    for (int r = 0; r < d; ++r) {
      double* v = g.col(r).data();
      for (int q = 0; q < r; ++q) {
        const double* u = g.col(q).data();
        const double p = dot(u, v, n);
        for (int i = 0; i < n; ++i) v[i] -= p * u[i];
      }
      const double norm = std::sqrt(dot(v, v, n));
      if (!(norm > 0.0) || !std::isfinite(norm))
        throw std::runtime_error("linear dataset: Gram-Schmidt met a dependent vector");
      for (int i = 0; i < n; ++i) v[i] /= norm;
    }
  }
  const double scale = std::sqrt(static_cast<double>(n));
  ds.X.resize(d, n);  // (d, n)
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < d; ++r) ds.X(r, i) = scale * g(i, r);
  Eigen::MatrixXd at(d, outputs);  // (d, outputs) = A^T, A (outputs, d)
  for (int o = 0; o < outputs; ++o)
    for (int r = 0; r < d; ++r) at(r, o) = rng.normal();
  ds.Y.resize(outputs, n);  // (outputs, n)
  for (int i = 0; i < n; ++i)
    for (int o = 0; o < outputs; ++o) ds.Y(o, i) = dot(at.col(o).data(), ds.X.col(i).data(), d);
}

}  // namespace

// The generators of every set but linear's training design. One per dataset:
//  - chebyshev: the reference code's chebyshev-k-n, x evenly spaced on [-1, 1],
//    y = T_k(x). No randomness on the grid.
//  - moons (as sklearn's make_moons): class 0 on the upper half circle of radius 1
//    around (0, 0), class 1 on the lower one around (1, 0.5), evenly spaced in angle
//    t in [0, pi] within each class.
//  - circles (as sklearn's make_circles, factor 0.5): class 0 on radius 1, class 1
//    on radius 0.5, angles 2 pi j / n_c.
//  - spirals: `classes` interleaved arms; point j of arm c (n_c points) has radius
//    r = (j + 1) / n_c in (0, 1] and angle 2 pi c / C + 3 pi r (1.5 turns), so arms
//    never share a point even at the centre.
//    Draws of these three: two normals per example, in order (put2).
//  - xor: u uniform on [-1, 1]^2 (redrawn while either coordinate is exactly 0),
//    label 1 iff u1 u2 > 0; to keep classes balanced (label i % 2) the sign of u2 is
//    flipped when the drawn quadrant has the other label. Inputs u + noise N(0, I);
//    labels from the clean u. Draws per example: u1, u2, two normals.
//  - blobs: centre of class k uniform on [-3, 3]^2 (drawn first, x then y for k =
//    0..C-1), then example i = centre_{i % C} + noise N(0, I).
//  - gaussian-mixture: means mu_k ~ N(0, I_d) (drawn first, mean by mean), then
//    x_i = mu_{i % C} + noise N(0, I_d), example by example. A cheap stand-in for images.
//  - teacher: x_i ~ N(0, I_d) example by example, then a random teacher MLP
//    d -> 32 -> C without biases, tanh hidden layer, weights N(0, 1/fan_in) (W1 row
//    by row, then W2 row by row); y_i = W2 tanh(W1 x_i). Regression; noise unused.
//  - linear (held-out examples only): inputs N(0, I_d); A as make_dataset draws it.
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

Dataset make_dataset(const Spec& spec) {
  const Config& c = spec.cfg;
  if (c.n < 1) throw std::invalid_argument("make_dataset: n must be >= 1");
  Rng rng(c.data_seed);
  Dataset ds;
  // One stream for the population and the examples, positions on the grid: the
  // training set. Linear's orthogonal design is its own.
  if (spec.dataset == DatasetKind::Linear) linear(ds, rng, c.n, c.d, c.classes);
  else ds = sample_examples(spec, c.n, rng, rng, true);
  // The model is built from spec.d_in / d_out: a mismatch is a bug, not bad input.
  if (ds.X.rows() != spec.d_in || ds.Y.rows() != spec.d_out || ds.X.cols() != c.n || ds.Y.cols() != c.n ||
      ds.classification != spec.classification)
    throw std::logic_error(std::string("make_dataset: shape mismatch for dataset ") + name_of(spec.dataset));
  return ds;
}

}  // namespace eos
