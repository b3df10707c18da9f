// Validation of Config (the one place), name <-> enum tables and the stability
// thresholds of SCIENCE.md: every message names the field and its allowed range.
#include "eoslab/config.hpp"

#include <cmath>
#include <limits>
#include <sstream>

namespace eos {
namespace {

std::string fmt(double x) {
  std::ostringstream s;
  s.precision(10);
  s << x;
  return s.str();
}

[[noreturn]] void fail(const std::string& msg) { throw ConfigError(msg); }

void check_int(const char* field, long long v, long long lo, long long hi) {
  if (v < lo || v > hi)
    fail(std::string(field) + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
         std::to_string(v));
}

// lo/hi inclusive unless open; requires finite.
void check_real(const char* field, double v, double lo, bool lo_open, double hi, bool hi_open) {
  const bool ok = std::isfinite(v) && (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
  if (!ok)
    fail(std::string(field) + " must be in " + (lo_open ? "(" : "[") + fmt(lo) + ", " + fmt(hi) + (hi_open ? ")" : "]") +
         " and finite, got " + fmt(v));
}

template <class E, std::size_t N>
E lookup(const char* field, const std::string& name, const std::pair<const char*, E> (&table)[N]) {
  for (const auto& [n, e] : table)
    if (name == n) return e;
  std::string allowed;
  for (std::size_t i = 0; i < N; ++i) {
    if (i) allowed += '|';
    allowed += table[i].first;
  }
  fail(std::string(field) + " must be one of " + allowed + ", got '" + name + "'");
}

constexpr std::pair<const char*, DatasetKind> kDatasets[] = {
    {"chebyshev", DatasetKind::Chebyshev}, {"moons", DatasetKind::Moons},
    {"circles", DatasetKind::Circles},     {"spirals", DatasetKind::Spirals},
    {"xor", DatasetKind::Xor},             {"blobs", DatasetKind::Blobs},
    {"gaussian-mixture", DatasetKind::GaussianMixture}, {"teacher", DatasetKind::Teacher},
    {"linear", DatasetKind::Linear}};
constexpr std::pair<const char*, Activation> kActs[] = {
    {"tanh", Activation::Tanh}, {"relu", Activation::Relu},         {"elu", Activation::Elu},
    {"gelu", Activation::Gelu}, {"softplus", Activation::Softplus}, {"sigmoid", Activation::Sigmoid},
    {"identity", Activation::Identity}};
constexpr std::pair<const char*, InitKind> kInits[] = {{"pytorch", InitKind::Pytorch}, {"normal", InitKind::Normal}};
constexpr std::pair<const char*, LossKind> kLosses[] = {{"mse", LossKind::Mse}, {"ce", LossKind::Ce}};
constexpr std::pair<const char*, OptKind> kOpts[] = {
    {"gd", OptKind::Gd}, {"polyak", OptKind::Polyak}, {"nesterov", OptKind::Nesterov}, {"flow", OptKind::Flow}};
constexpr std::pair<const char*, Precision> kPrecisions[] = {{"float32", Precision::Float32},
                                                             {"float64", Precision::Float64}};

template <class E, std::size_t N>
const char* name_in(E e, const std::pair<const char*, E> (&table)[N]) {
  for (const auto& [n, v] : table)
    if (v == e) return n;
  return "?";
}

}  // namespace

const char* name_of(DatasetKind k) { return name_in(k, kDatasets); }
const char* name_of(Activation k) { return name_in(k, kActs); }
const char* name_of(OptKind k) { return name_in(k, kOpts); }
const char* name_of(LossKind k) { return name_in(k, kLosses); }

void check_lr(double lr) {
  if (!(std::isfinite(lr) && lr > 0)) fail("lr must be > 0 and finite, got " + fmt(lr));
  if (lr > 1e4) fail("lr must be <= 10000, got " + fmt(lr));
}

void check_beta(double beta) { check_real("beta", beta, 0.0, false, 1.0, true); }

Spec validate(const Config& c) {
  Spec s;
  s.cfg = c;
  s.dataset = lookup("dataset", c.dataset, kDatasets);
  check_int("n", c.n, 1, 20000);
  check_int("degree", c.degree, 0, 30);
  check_int("d", c.d, 1, 256);
  check_real("noise", c.noise, 0.0, false, 10.0, false);
  if (c.widths.empty() || c.widths.size() > static_cast<std::size_t>(kMaxDepth))
    fail("widths must list 1 to " + std::to_string(kMaxDepth) + " hidden layer widths, got " +
         std::to_string(c.widths.size()));
  for (int w : c.widths)
    if (w < 1 || w > kMaxWidth)
      fail("widths entries must be in [1, " + std::to_string(kMaxWidth) + "], got " + std::to_string(w));
  s.act = lookup("act", c.act, kActs);
  s.init = lookup("init", c.init, kInits);
  check_real("init_scale", c.init_scale, 0.0, true, 100.0, false);
  s.loss = lookup("loss", c.loss, kLosses);
  s.precision = lookup("precision", c.precision, kPrecisions);
  s.opt = lookup("opt", c.opt, kOpts);
  check_lr(c.lr);
  check_beta(c.beta);
  check_real("flow_alpha", c.flow_alpha, 0.0, true, 10.0, false);
  check_real("flow_max_step", c.flow_max_step, 0.0, true, 1e3, false);
  check_int("steps", c.steps, 0, 10000000);
  check_int("eig_every", c.eig_every, 0, 1000000);
  check_int("neigs", c.neigs, 1, kMaxEigs);
  check_real("lanczos_tol", c.lanczos_tol, 0.0, true, 0.1, false);
  check_int("lanczos_max_iter", c.lanczos_max_iter, c.neigs + 1, 5000);
  if (!(std::isfinite(c.diverge_factor) && c.diverge_factor > 1))
    fail("diverge_factor must be > 1 and finite, got " + fmt(c.diverge_factor));

  switch (s.dataset) {
    case DatasetKind::Chebyshev:
      s.classification = false;
      s.d_in = 1;
      s.d_out = 1;
      break;
    case DatasetKind::Moons:
    case DatasetKind::Circles:
    case DatasetKind::Xor:
      s.classification = true;
      s.d_in = 2;
      s.d_out = 2;
      break;
    case DatasetKind::Spirals:
    case DatasetKind::Blobs:
      check_int("classes", c.classes, 2, 20);
      s.classification = true;
      s.d_in = 2;
      s.d_out = c.classes;
      break;
    case DatasetKind::GaussianMixture:
      check_int("classes", c.classes, 2, 20);
      s.classification = true;
      s.d_in = c.d;
      s.d_out = c.classes;
      break;
    case DatasetKind::Teacher:
    case DatasetKind::Linear:
      check_int("classes", c.classes, 1, 64);
      s.classification = false;
      s.d_in = c.d;
      s.d_out = c.classes;
      if (s.dataset == DatasetKind::Linear && c.n < c.d)
        fail("n must be >= d for the linear dataset (orthogonal columns), got n=" + std::to_string(c.n) +
             ", d=" + std::to_string(c.d));
      break;
  }
  if (s.loss == LossKind::Ce && !s.classification)
    fail(std::string("loss ce needs a classification dataset (moons|circles|spirals|xor|blobs|gaussian-mixture), got '") +
         c.dataset + "'");
  return s;
}

double stability_threshold(OptKind opt, double lr, double beta) {
  switch (opt) {
    case OptKind::Gd: return 2.0 / lr;
    case OptKind::Polyak: return (2.0 + 2.0 * beta) / lr;
    case OptKind::Nesterov: return (2.0 + 2.0 * beta) / ((1.0 + 2.0 * beta) * lr);
    case OptKind::Flow: return std::numeric_limits<double>::quiet_NaN();
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace eos
