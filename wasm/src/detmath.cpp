// Deterministic log/exp/sin/cos/tanh from basic IEEE operations only (see
// detmath.hpp). Range reduction + short series; a few ulps, same bits everywhere.
#include "eoslab/detmath.hpp"

#include <cmath>
#include <limits>

namespace eos::det {
namespace {
constexpr double ln2 = 0.693147180559945309417232121458176568;
}

double log(double x) {
  if (!(x > 0)) return x == 0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  if (x == std::numeric_limits<double>::infinity()) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // exact: x = m 2^e, m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    e -= 1;
  }
  // log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.1716: series in s^2.
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double term = s, sum = 0.0;
  for (int k = 1; k < 40; k += 2) {
    sum += term / k;
    term *= s2;
  }
  return 2.0 * sum + e * ln2;
}

double exp(double x) {
  if (x != x) return x;
  if (x > 709.8) return std::numeric_limits<double>::infinity();  // ln(DBL_MAX) = 709.78...
  if (x < -745.2) return 0.0;                                     // below half the smallest subnormal
  // x = k ln2 + r, |r| <= ln2/2; exp(r) by Taylor to 1e-17. ln2 is split Cody-Waite
  // style: ln2_hi has 32 significant bits, so k * ln2_hi is exact for |k| < 2^21 and
  // x - k * ln2_hi is exact too; a single-double ln2 would put k * 1e-16 ~ 1e-13 of
  // error into r (relative error of the result) for |x| near 700.
  constexpr double ln2_hi = 0x1.62e42feep-1;            // 6.93147180369123816e-01
  constexpr double ln2_lo = 0x1.a39ef35793c76p-33;      // ln2 - ln2_hi, rounded
  const double k = std::nearbyint(x / ln2);
  const double r = (x - k * ln2_hi) - k * ln2_lo;
  double term = 1.0, sum = 1.0;
  for (int i = 1; i < 22; ++i) {
    term *= r / i;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(k));  // exact scaling (one rounding if subnormal, inf on overflow)
}

namespace {
// exp(y) - 1 without the cancellation of exp(y) - 1 for small |y| (tanh needs it).
double expm1(double y) {
  if (std::fabs(y) > 0.5) return exp(y) - 1.0;  // exp(y) - 1 loses at most ~1.3 bits here
  double term = y, sum = y;
  for (int i = 2; i < 24; ++i) {  // 0.5^23 / 23! ~ 5e-30
    term *= y / i;
    sum += term;
  }
  return sum;
}
}  // namespace

namespace {
// sin and cos of r with |r| <= pi/4 by Taylor series.
double sin_small(double r) {
  const double r2 = r * r;
  double term = r, sum = r;
  for (int i = 1; i < 12; ++i) {
    term *= -r2 / ((2 * i) * (2 * i + 1));
    sum += term;
  }
  return sum;
}
double cos_small(double r) {
  const double r2 = r * r;
  double term = 1.0, sum = 1.0;
  for (int i = 1; i < 12; ++i) {
    term *= -r2 / ((2 * i - 1) * (2 * i));
    sum += term;
  }
  return sum;
}
// x = q (pi/2) + r, |r| <= pi/4; returns the quadrant q mod 4. pi/2 is split in
// three parts (Cody-Waite): pio2_1 and pio2_2 have 33 significant bits, so q * pio2_1
// and q * pio2_2 are exact for |q| < 2^20, and pio2_3 carries the next 53 bits. r is
// then accurate relative to itself even when x is the double nearest a multiple of
// pi/2 (|r| ~ 1e-16 for |x| <= 1e4), where a two-part split loses up to 1e-7
// relative. Exact reduction for |x| < 2^20 pi/2 ~ 1.6e6; beyond that still
// deterministic but less accurate (data generation uses |x| < 1e3).
int reduce(double x, double& r) {
  constexpr double pio2_1 = 0x1.921fb544p+0;            // 1.57079632673412561e+00
  constexpr double pio2_2 = 0x1.0b4611a6p-34;           // 6.07710050630396597e-11
  constexpr double pio2_3 = 0x1.3198a2e037073p-69;      // 2.02226624879595063e-21 (rounded)
  const double q = std::nearbyint(x / (pi / 2));
  r = ((x - q * pio2_1) - q * pio2_2) - q * pio2_3;
  const double q4 = q - 4.0 * std::floor(q / 4.0);  // exact: q is an integer-valued double
  return static_cast<int>(q4);
}
}  // namespace

double sin(double x) {
  if (!std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
  double r;
  switch (reduce(x, r)) {
    case 0: return sin_small(r);
    case 1: return cos_small(r);
    case 2: return -sin_small(r);
    default: return -cos_small(r);
  }
}

double cos(double x) {
  if (!std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
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
  if (x > 20) return 1.0;  // 1 - tanh(20) ~ 8e-18 < half an ulp of 1 (also x = +inf)
  // tanh x = (e^{2x} - 1)/(e^{2x} + 1) = m/(m + 2), m = expm1(2x): no cancellation
  // near 0 (the plain formula loses ~9 bits at x = 1e-3).
  const double m = expm1(2.0 * x);
  return m / (m + 2.0);
}

}  // namespace eos::det
