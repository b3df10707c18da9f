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

// --- chebyshev: the reference code's chebyshev-k-n. x_i evenly spaced on [-1, 1],
// y_i = T_k(x_i) by T0 = 1, T1 = x, T_{j+1} = 2x T_j - T_{j-1} (no cos/acos, so the
// same bits everywhere). No randomness.
void chebyshev(Dataset& ds, int n, int degree) {
  ds.X.resize(1, n);  // (1, n)
  ds.Y.resize(1, n);  // (1, n)
  for (int i = 0; i < n; ++i) {
    const double x = n == 1 ? 0.0 : -1.0 + 2.0 * i / (n - 1);
    double t_prev = 1.0, t = x;  // T0, T1
    double y = degree == 0 ? 1.0 : x;
    for (int k = 1; k < degree; ++k) {
      const double t_next = 2.0 * x * t - t_prev;
      t_prev = t;
      t = t_next;
      y = t;
    }
    ds.X(0, i) = x;
    ds.Y(0, i) = y;
  }
}

// --- moons (as sklearn.datasets.make_moons): class 0 on the upper half circle of
// radius 1 around (0, 0), class 1 on the lower half circle of radius 1 around
// (1, 0.5); points evenly spaced in angle t in [0, pi] within each class.
// Draws: for each example in order, two normals (x then y noise).
void moons(Dataset& ds, Rng& rng, int n, double noise) {
  ds.X.resize(2, n);  // (2, n)
  for (int i = 0; i < n; ++i) {
    const int c = i % 2, j = i / 2, nc = class_count(n, 2, c);
    const double t = nc > 1 ? kPi * j / (nc - 1) : 0.0;
    double x, y;
    if (c == 0) {
      x = det::cos(t);
      y = det::sin(t);
    } else {
      x = 1.0 - det::cos(t);
      y = 0.5 - det::sin(t);
    }
    const double ex = rng.normal(), ey = rng.normal();
    ds.X(0, i) = x + noise * ex;
    ds.X(1, i) = y + noise * ey;
  }
  set_labels(ds, n, 2);
}

// --- circles (as sklearn's make_circles with factor 0.5): class 0 on the circle
// of radius 1, class 1 on radius 0.5, evenly spaced angles 2 pi j / n_c.
// Draws: two normals per example, in order.
void circles(Dataset& ds, Rng& rng, int n, double noise) {
  ds.X.resize(2, n);  // (2, n)
  for (int i = 0; i < n; ++i) {
    const int c = i % 2, j = i / 2, nc = class_count(n, 2, c);
    const double radius = c == 0 ? 1.0 : 0.5;
    const double t = 2.0 * kPi * j / nc;
    const double ex = rng.normal(), ey = rng.normal();
    ds.X(0, i) = radius * det::cos(t) + noise * ex;
    ds.X(1, i) = radius * det::sin(t) + noise * ey;
  }
  set_labels(ds, n, 2);
}

// --- spirals: `classes` interleaved arms. Point j of arm c (n_c points) has radius
// r = (j + 1) / n_c in (0, 1] and angle 2 pi c / C + 3 pi r (1.5 turns), so arms
// never share a point even at the centre. Draws: two normals per example.
void spirals(Dataset& ds, Rng& rng, int n, int classes, double noise) {
  ds.X.resize(2, n);  // (2, n)
  for (int i = 0; i < n; ++i) {
    const int c = i % classes, j = i / classes, nc = class_count(n, classes, c);
    const double r = static_cast<double>(j + 1) / nc;
    const double t = 2.0 * kPi * c / classes + 3.0 * kPi * r;
    const double ex = rng.normal(), ey = rng.normal();
    ds.X(0, i) = r * det::cos(t) + noise * ex;
    ds.X(1, i) = r * det::sin(t) + noise * ey;
  }
  set_labels(ds, n, classes);
}

// --- xor: u uniform on [-1, 1]^2, label 1 iff u1 u2 > 0. To keep classes balanced
// (label i % 2) the sign of u2 is flipped when the drawn quadrant has the other
// label, which leaves u uniform on the two quadrants of that label. Inputs are
// then u + noise N(0, I); labels come from the clean u.
// Draws per example: u1, u2 (redrawn while either is exactly 0), two normals.
void xor_set(Dataset& ds, Rng& rng, int n, double noise) {
  ds.X.resize(2, n);  // (2, n)
  for (int i = 0; i < n; ++i) {
    const int c = i % 2;
    double u1, u2;
    do {
      u1 = rng.uniform(-1.0, 1.0);
      u2 = rng.uniform(-1.0, 1.0);
    } while (u1 == 0.0 || u2 == 0.0);
    if ((u1 * u2 > 0.0) != (c == 1)) u2 = -u2;
    const double ex = rng.normal(), ey = rng.normal();
    ds.X(0, i) = u1 + noise * ex;
    ds.X(1, i) = u2 + noise * ey;
  }
  set_labels(ds, n, 2);
}

// --- blobs: centre of class k uniform on [-3, 3]^2 (drawn first: x then y for
// k = 0..C-1), then example i = centre_{i % C} + noise N(0, I) (two normals each).
void blobs(Dataset& ds, Rng& rng, int n, int classes, double noise) {
  std::vector<double> cx(classes), cy(classes);
  for (int k = 0; k < classes; ++k) {
    cx[k] = rng.uniform(-3.0, 3.0);
    cy[k] = rng.uniform(-3.0, 3.0);
  }
  ds.X.resize(2, n);  // (2, n)
  for (int i = 0; i < n; ++i) {
    const int c = i % classes;
    const double ex = rng.normal(), ey = rng.normal();
    ds.X(0, i) = cx[c] + noise * ex;
    ds.X(1, i) = cy[c] + noise * ey;
  }
  set_labels(ds, n, classes);
}

// --- gaussian-mixture: class means mu_k ~ N(0, I_d) (drawn first, mean by mean,
// coordinate by coordinate), then x_i = mu_{i % C} + noise N(0, I_d), drawn example
// by example. A cheap stand-in for image data.
void gaussian_mixture(Dataset& ds, Rng& rng, int n, int d, int classes, double noise) {
  Eigen::MatrixXd mu(d, classes);  // (d, classes)
  for (int k = 0; k < classes; ++k)
    for (int r = 0; r < d; ++r) mu(r, k) = rng.normal();
  ds.X.resize(d, n);  // (d, n)
  for (int i = 0; i < n; ++i) {
    const int c = i % classes;
    for (int r = 0; r < d; ++r) ds.X(r, i) = mu(r, c) + noise * rng.normal();
  }
  set_labels(ds, n, classes);
}

// --- teacher: x_i ~ N(0, I_d) (drawn example by example), then a random teacher
// MLP d -> 32 -> C without biases, tanh hidden layer, weights N(0, 1/fan_in) (W1 row
// by row, then W2 row by row); y_i = W2 tanh(W1 x_i). Regression; noise unused.
void teacher(Dataset& ds, Rng& rng, int n, int d, int outputs) {
  constexpr int kHidden = 32;
  ds.X.resize(d, n);  // (d, n)
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < d; ++r) ds.X(r, i) = rng.normal();
  // Stored transposed so that each unit's weights are contiguous for dot().
  Eigen::MatrixXd w1t(d, kHidden);        // (d, 32) = W1^T, W1 (32, d)
  Eigen::MatrixXd w2t(kHidden, outputs);  // (32, outputs) = W2^T, W2 (outputs, 32)
  const double s1 = 1.0 / std::sqrt(static_cast<double>(d));
  const double s2 = 1.0 / std::sqrt(static_cast<double>(kHidden));
  for (int h = 0; h < kHidden; ++h)
    for (int r = 0; r < d; ++r) w1t(r, h) = s1 * rng.normal();
  for (int o = 0; o < outputs; ++o)
    for (int h = 0; h < kHidden; ++h) w2t(h, o) = s2 * rng.normal();
  ds.Y.resize(outputs, n);  // (outputs, n)
  std::vector<double> hidden(kHidden);
  for (int i = 0; i < n; ++i) {
    for (int h = 0; h < kHidden; ++h) hidden[h] = det::tanh(dot(w1t.col(h).data(), ds.X.col(i).data(), d));
    for (int o = 0; o < outputs; ++o) ds.Y(o, i) = dot(w2t.col(o).data(), hidden.data(), kHidden);
  }
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

Dataset make_dataset(const Spec& spec) {
  const Config& c = spec.cfg;
  if (c.n < 1) throw std::invalid_argument("make_dataset: n must be >= 1");
  Dataset ds;
  Rng rng(c.data_seed);
  switch (spec.dataset) {
    case DatasetKind::Chebyshev: chebyshev(ds, c.n, c.degree); break;
    case DatasetKind::Moons: moons(ds, rng, c.n, c.noise); break;
    case DatasetKind::Circles: circles(ds, rng, c.n, c.noise); break;
    case DatasetKind::Spirals: spirals(ds, rng, c.n, c.classes, c.noise); break;
    case DatasetKind::Xor: xor_set(ds, rng, c.n, c.noise); break;
    case DatasetKind::Blobs: blobs(ds, rng, c.n, c.classes, c.noise); break;
    case DatasetKind::GaussianMixture: gaussian_mixture(ds, rng, c.n, c.d, c.classes, c.noise); break;
    case DatasetKind::Teacher: teacher(ds, rng, c.n, c.d, c.classes); break;
    case DatasetKind::Linear: linear(ds, rng, c.n, c.d, c.classes); break;
  }
  // The model is built from spec.d_in / d_out: a mismatch is a bug, not bad input.
  if (ds.X.rows() != spec.d_in || ds.Y.rows() != spec.d_out || ds.X.cols() != c.n || ds.Y.cols() != c.n ||
      ds.classification != spec.classification)
    throw std::logic_error(std::string("make_dataset: shape mismatch for dataset ") + name_of(spec.dataset));
  return ds;
}

}  // namespace eos
