// Deterministic log/exp/sin/cos/tanh from basic IEEE operations only (see
// detmath.hpp): exact range reduction (frexp/ldexp/nearbyint/floor are exact, and
// Cody-Waite splits of ln2 and pi/2 keep the reduced argument accurate), then a
// short polynomial evaluated by Horner's rule with compile-time coefficients.
// Accuracy against glibc (tests/native/test_rng.cpp asserts relative 1e-14; the
// largest errors measured over 1e6 random arguments were 2 ulp for log, sin and cos
// with |x| <= 1e4, 1 ulp for exp, 3 ulp for tanh). Same bits on every platform.
#include "eoslab/detmath.hpp"

#include <array>
#include <cmath>
#include <limits>

namespace eos::det {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

constexpr double ln2 = 0.693147180559945309417232121458176568;
// Cody-Waite split of ln2: ln2_hi has 32 significant bits, so k * ln2_hi is exact
// for |k| < 2^21; ln2_lo = ln2 - ln2_hi rounded (the rest is ~1e-26).
constexpr double ln2_hi = 0x1.62e42feep-1;        // 6.93147180369123816e-01
constexpr double ln2_lo = 0x1.a39ef35793c76p-33;  // 1.90821492927058770e-10

// Coefficient tables, computed at compile time (constant folding of IEEE division
// is correctly rounded in both g++ and clang, so the tables are the same bits).
template <int N>
constexpr std::array<double, N> odd_reciprocals() {  // 1/1, 1/3, 1/5, ...
  std::array<double, N> c{};
  for (int j = 0; j < N; ++j) c[j] = 1.0 / (2 * j + 1);
  return c;
}
template <int N>
constexpr std::array<double, N> inv_factorials() {  // 1/0!, 1/1!, 1/2!, ...
  std::array<double, N> c{};
  double f = 1.0;
  for (int k = 0; k < N; ++k) {
    if (k > 0) f *= k;
    c[k] = 1.0 / f;
  }
  return c;
}
constexpr auto kOdd = odd_reciprocals<14>();
constexpr auto kInvFact = inv_factorials<24>();

// sum_{k=lo}^{hi} c[k] t^(k-lo) by Horner's rule, a fixed evaluation order.
template <std::size_t N>
double horner(const std::array<double, N>& c, int lo, int hi, double t) {
  double p = c[hi];
  for (int k = hi - 1; k >= lo; --k) p = p * t + c[k];
  return p;
}

// exp(y) - 1 for |y| <= 0.5 by its Taylor series (terms to y^18/18!, < 2e-20).
double expm1_small(double y) { return y + y * y * horner(kInvFact, 2, 18, y); }

}  // namespace

double log(double x) {
  if (!(x > 0)) return x == 0 ? -kInf : kNaN;
  if (x == kInf) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // exact: x = m 2^e, m in [0.5, 1); subnormals too
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    e -= 1;
  }
  // m in [sqrt(1/2), sqrt(2)): log(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...),
  // s = (m-1)/(m+1) (m-1 is exact), |s| < 0.1716, s^2 < 0.0295; terms to s^27/27
  // leave a relative truncation error below 1e-20.
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  const double log_m = 2.0 * (s + s * s2 * horner(kOdd, 1, 13, s2));
  return e * ln2_hi + (log_m + e * ln2_lo);  // e * ln2_hi exact
}

double exp(double x) {
  if (x != x) return x;
  if (x > 709.8) return kInf;   // ln(DBL_MAX) = 709.78...; ldexp overflows to inf in between
  if (x < -745.2) return 0.0;   // below half the smallest subnormal
  // x = k ln2 + r, |r| <= ln2/2 (+ rounding); x - k ln2_hi is exact, so r is accurate
  // to ~1e-16 absolute even for |x| ~ 700, where a single-double ln2 would put
  // k * 1e-16 ~ 1e-13 of relative error into the result.
  const double k = std::nearbyint(x / ln2);
  const double r = (x - k * ln2_hi) - k * ln2_lo;
  const double er = 1.0 + r * horner(kInvFact, 1, 16, r);  // Taylor to r^16/16!, < 1e-21
  return std::ldexp(er, static_cast<int>(k));  // exact scaling (one rounding if subnormal)
}

namespace {
// sin and cos of r with |r| <= pi/4 (+ rounding) by Taylor series in r^2.
constexpr std::array<double, 12> sin_coeffs() {  // (-1)^j / (2j+1)!
  std::array<double, 12> c{};
  double f = 1.0;
  for (int j = 0; j < 12; ++j) {
    if (j > 0) f *= (2 * j) * (2 * j + 1);
    c[j] = (j % 2 ? -1.0 : 1.0) / f;
  }
  return c;
}
constexpr std::array<double, 12> cos_coeffs() {  // (-1)^j / (2j)!
  std::array<double, 12> c{};
  double f = 1.0;
  for (int j = 0; j < 12; ++j) {
    if (j > 0) f *= (2 * j - 1) * (2 * j);
    c[j] = (j % 2 ? -1.0 : 1.0) / f;
  }
  return c;
}
constexpr auto kSin = sin_coeffs();
constexpr auto kCos = cos_coeffs();
// Terms to r^23/23! and r^22/22!: below 1e-24 at r = pi/4.
double sin_small(double r) { return r + r * (r * r) * horner(kSin, 1, 11, r * r); }
double cos_small(double r) { return 1.0 + (r * r) * horner(kCos, 1, 11, r * r); }

// x = q (pi/2) + r, |r| <= pi/4; returns the quadrant q mod 4. pi/2 is split in
// three parts (Cody-Waite): pio2_1 and pio2_2 have 33 significant bits, so q * pio2_1
// and q * pio2_2 are exact for |q| < 2^20, and pio2_3 carries the next 53 bits. r is
// then accurate relative to itself even when x is the double nearest a multiple of
// pi/2 (|r| ~ 1e-16 for |x| <= 1e4), where a two-part split loses up to 1e-7
// relative. Exact reduction for |x| < 2^20 pi/2 ~ 1.6e6; beyond that still
// deterministic but less accurate (data generation uses |x| < 1e3).
int reduce(double x, double& r) {
  constexpr double pio2_1 = 0x1.921fb544p+0;        // 1.57079632673412561e+00
  constexpr double pio2_2 = 0x1.0b4611a6p-34;       // 6.07710050630396597e-11
  constexpr double pio2_3 = 0x1.3198a2e037073p-69;  // 2.02226624879595063e-21 (rounded)
  const double q = std::nearbyint(x / (pi / 2));
  r = ((x - q * pio2_1) - q * pio2_2) - q * pio2_3;
  const double q4 = q - 4.0 * std::floor(q / 4.0);  // exact: q is an integer-valued double
  return static_cast<int>(q4);
}
}  // namespace

double sin(double x) {
  if (!std::isfinite(x)) return kNaN;
  double r;
  switch (reduce(x, r)) {
    case 0: return sin_small(r);
    case 1: return cos_small(r);
    case 2: return -sin_small(r);
    default: return -cos_small(r);
  }
}

double cos(double x) {
  if (!std::isfinite(x)) return kNaN;
  double r;
  switch (reduce(x, r)) {
    case 0: return cos_small(r);
    case 1: return -sin_small(r);
    case 2: return -cos_small(r);
    default: return sin_small(r);
  }
}

double tanh(double x) {
  // Odd: work with |x| so that tanh(-x) == -tanh(x) exactly.
  if (x < 0) return -tanh(-x);
  if (x == 0) return x;    // keeps the sign of -0.0, as std::tanh
  if (x > 20) return 1.0;  // 1 - tanh(20) ~ 8e-18 < half an ulp of 1 (also x = +inf)
  // tanh x = (e^{2x} - 1)/(e^{2x} + 1) = m/(m + 2), m = expm1(2x): no cancellation
  // near 0, where the plain formula loses ~9 bits at x = 1e-3. For 2x > 0.5,
  // exp(2x) - 1 >= 0.65 exp(2x) loses at most ~1.3 bits.
  const double y = 2.0 * x;
  const double m = y <= 0.5 ? expm1_small(y) : exp(y) - 1.0;
  return m / (m + 2.0);
}

}  // namespace eos::det
