// Tests of eos::Rng (splitmix64-seeded xoshiro256**, polar-method normals) and of
// the deterministic elementary functions eos::det::* that data and weight
// generation use instead of libm. Oracles: exact moments of the target
// distributions (with tolerances of 5 standard errors at fixed seeds) and glibc's
// std::log/exp/sin/cos/tanh, which are accurate to < 1 ulp, so a relative error
// of 1e-14 (~45 ulp) leaves room only for a few ulps of our own error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "eoslab/detmath.hpp"
#include "eoslab/rng.hpp"

namespace {

constexpr double kRel = 1e-14;

// |a - b| <= rel * |b|, with exact equality accepted (covers b == 0, b == inf).
bool close_rel(double a, double b, double rel = kRel) {
  if (a == b) return true;
  return std::fabs(a - b) <= rel * std::fabs(b);
}

int popcount64(std::uint64_t x) {
  int c = 0;
  while (x) {
    x &= x - 1;
    ++c;
  }
  return c;
}

struct Moments {
  double mean = 0, var = 0, skew = 0, kurt = 0;  // central moments, standardised 3rd/4th
};

Moments moments(const std::vector<double>& v) {
  Moments m;
  const double n = static_cast<double>(v.size());
  for (double x : v) m.mean += x;
  m.mean /= n;
  double m2 = 0, m3 = 0, m4 = 0;
  for (double x : v) {
    const double d = x - m.mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  m.var = m2;
  m.skew = m3 / std::pow(m2, 1.5);
  m.kurt = m4 / (m2 * m2);
  return m;
}

}  // namespace

// ---------------------------------------------------------------- Rng ---

TEST_CASE("Rng: same seed gives the same sequence, copies continue identically", "[rng]") {
  for (std::uint64_t seed : {0ULL, 1ULL, 42ULL, 0xFFFFFFFFFFFFFFFFULL}) {
    INFO("seed " << seed);
    eos::Rng a(seed), b(seed);
    for (int i = 0; i < 1000; ++i) {
      INFO("draw " << i);
      REQUIRE(a.next_u64() == b.next_u64());
    }
    // Mixed calls (including the cached spare normal) stay in lock step.
    for (int i = 0; i < 1000; ++i) {
      const double na = a.normal(), nb = b.normal();
      REQUIRE(std::memcmp(&na, &nb, sizeof na) == 0);
      REQUIRE(a.uniform() == b.uniform());
      REQUIRE(a.below(17) == b.below(17));
    }
    eos::Rng c = a;  // a copy carries the full state, spare normal included
    (void)a.normal();
    (void)c.normal();
    for (int i = 0; i < 100; ++i) REQUIRE(a.normal() == c.normal());
  }
}

TEST_CASE("Rng: different seeds give different, uncorrelated streams", "[rng]") {
  // First outputs of seeds 0..999 are pairwise distinct.
  std::vector<std::uint64_t> first;
  for (std::uint64_t s = 0; s < 1000; ++s) first.push_back(eos::Rng(s).next_u64());
  std::sort(first.begin(), first.end());
  CHECK(std::adjacent_find(first.begin(), first.end()) == first.end());

  // Neighbouring seeds: sample correlation of 1e5 uniforms is within 5 standard
  // errors (1/sqrt(N)) of zero, and the streams never coincide.
  const int N = 100000;
  for (std::uint64_t s : {0ULL, 7ULL, 1000ULL}) {
    INFO("seeds " << s << " and " << s + 1);
    eos::Rng a(s), b(s + 1);
    double sab = 0, sa = 0, sb = 0, saa = 0, sbb = 0;
    int equal = 0;
    for (int i = 0; i < N; ++i) {
      const double x = a.uniform(), y = b.uniform();
      equal += (x == y);
      sa += x;
      sb += y;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
    const double cov = sab / N - (sa / N) * (sb / N);
    const double corr = cov / std::sqrt((saa / N - sa * sa / N / N) * (sbb / N - sb * sb / N / N));
    INFO("correlation " << corr);
    CHECK(std::fabs(corr) < 5.0 / std::sqrt(double(N)));
    CHECK(equal == 0);
  }
}

TEST_CASE("Rng: splitmix64 seeding spreads every seed bit over the state", "[rng]") {
  // Flipping one bit of the seed should flip about half of the 64 bits of the
  // first output (avalanche). Mean Hamming distance over 256 seeds per bit:
  // expected 32, standard error 4/sqrt(256) = 0.25; tolerance 2 (8 s.e.).
  for (int bit = 0; bit < 64; ++bit) {
    double total = 0;
    for (std::uint64_t s = 0; s < 256; ++s) {
      const std::uint64_t s2 = s ^ (1ULL << bit);
      total += popcount64(eos::Rng(s).next_u64() ^ eos::Rng(s2).next_u64());
    }
    INFO("seed bit " << bit << " mean Hamming distance " << total / 256);
    CHECK(std::fabs(total / 256 - 32.0) < 2.0);
  }
  // Every output bit is set about half the time (seed 0, 1e4 outputs:
  // s.e. 0.005, tolerance 0.025), so no bit of the state is stuck.
  eos::Rng r(0);
  std::vector<int> ones(64, 0);
  const int N = 10000;
  for (int i = 0; i < N; ++i) {
    const std::uint64_t x = r.next_u64();
    for (int b = 0; b < 64; ++b) ones[b] += int((x >> b) & 1);
  }
  for (int b = 0; b < 64; ++b) {
    INFO("output bit " << b << " frequency " << double(ones[b]) / N);
    CHECK(std::fabs(double(ones[b]) / N - 0.5) < 0.025);
  }
}

TEST_CASE("Rng: uniform() lies in the half-open unit interval with the moments of U(0,1)", "[rng]") {
  const int N = 100000;
  eos::Rng r(12345);
  std::vector<double> v(N);
  std::vector<int> bins(100, 0);
  for (auto& x : v) {
    x = r.uniform();
    REQUIRE(x >= 0.0);
    REQUIRE(x < 1.0);
    // 53-bit resolution: x * 2^53 is an integer.
    REQUIRE(std::ldexp(x, 53) == std::floor(std::ldexp(x, 53)));
    ++bins[static_cast<int>(x * 100)];
  }
  const Moments m = moments(v);
  INFO("mean " << m.mean << " var " << m.var);
  // s.e. of the mean sqrt(1/12/N) = 9.1e-4; of the variance sqrt((1/80-1/144)/N) = 2.4e-4.
  CHECK(std::fabs(m.mean - 0.5) < 5 * 9.13e-4);
  CHECK(std::fabs(m.var - 1.0 / 12) < 5 * 2.36e-4);
  // Chi-square over 100 equal bins: 99 dof, mean 99, sd 14.07; reject above mean + 5 sd.
  double chi2 = 0;
  const double expct = N / 100.0;
  for (int c : bins) chi2 += (c - expct) * (c - expct) / expct;
  INFO("chi2 (99 dof) " << chi2);
  CHECK(chi2 < 99 + 5 * 14.07);

  // uniform(lo, hi) stays in [lo, hi).
  for (int i = 0; i < 10000; ++i) {
    const double x = r.uniform(-3.0, 3.0);
    REQUIRE(x >= -3.0);
    REQUIRE(x < 3.0);
  }
}

TEST_CASE("Rng: normal() has the moments of N(0,1)", "[rng]") {
  const int N = 100000;
  for (std::uint64_t seed : {1ULL, 99ULL}) {
    INFO("seed " << seed);
    eos::Rng r(seed);
    std::vector<double> v(N);
    int beyond2 = 0;
    for (auto& x : v) {
      x = r.normal();
      REQUIRE(std::isfinite(x));
      beyond2 += std::fabs(x) > 2.0;
    }
    const Moments m = moments(v);
    INFO("mean " << m.mean << " var " << m.var << " skew " << m.skew << " kurtosis " << m.kurt);
    // Standard errors at N = 1e5: mean 1/sqrt(N) = 3.2e-3, variance sqrt(2/N) = 4.5e-3,
    // skewness sqrt(6/N) = 7.7e-3, kurtosis sqrt(24/N) = 1.55e-2. Tolerance 5 s.e.
    CHECK(std::fabs(m.mean) < 5 * 3.16e-3);
    CHECK(std::fabs(m.var - 1.0) < 5 * 4.47e-3);
    CHECK(std::fabs(m.skew) < 5 * 7.75e-3);
    CHECK(std::fabs(m.kurt - 3.0) < 5 * 1.55e-2);
    // P(|Z| > 2) = 0.04550; binomial s.e. sqrt(p(1-p)/N) = 6.6e-4.
    const double p = double(beyond2) / N;
    INFO("P(|Z|>2) " << p);
    CHECK(std::fabs(p - 0.0455003) < 5 * 6.59e-4);
  }
}

TEST_CASE("Rng: below(n) is uniform on 0..n-1", "[rng]") {
  eos::Rng r(2024);
  for (int i = 0; i < 1000; ++i) REQUIRE(r.below(1) == 0);

  for (std::uint64_t n : {2ULL, 3ULL, 7ULL, 10ULL}) {
    INFO("n = " << n);
    const int per = 10000;
    std::vector<int> counts(n, 0);
    for (std::uint64_t i = 0; i < n * per; ++i) {
      const std::uint64_t k = r.below(n);
      REQUIRE(k < n);
      ++counts[k];
    }
    // Chi-square with n-1 dof: mean n-1, sd sqrt(2(n-1)); reject above mean + 5 sd.
    double chi2 = 0;
    for (int c : counts) chi2 += double(c - per) * (c - per) / per;
    INFO("chi2 " << chi2);
    CHECK(chi2 < (n - 1) + 5 * std::sqrt(2.0 * (n - 1)));
  }

  // A huge n (2^63 + 1) forces rejections (about half the raw draws); results
  // stay below n and land in either half about equally.
  const std::uint64_t big = (1ULL << 63) + 1;
  int upper = 0;
  const int N = 10000;
  for (int i = 0; i < N; ++i) {
    const std::uint64_t k = r.below(big);
    REQUIRE(k < big);
    upper += k >= (1ULL << 62);
  }
  INFO("fraction in upper half " << double(upper) / N);
  CHECK(std::fabs(double(upper) / N - 0.5) < 0.025);
}

// ------------------------------------------------------------ det:: math ---

TEST_CASE("det::log matches std::log", "[rng][detmath]") {
  // Exact special values.
  CHECK(eos::det::log(1.0) == 0.0);
  CHECK(eos::det::log(0.0) == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(eos::det::log(-1.0)));
  CHECK(std::isnan(eos::det::log(std::numeric_limits<double>::quiet_NaN())));
  CHECK(eos::det::log(std::numeric_limits<double>::infinity()) == std::numeric_limits<double>::infinity());

  std::vector<double> xs;
  for (int k = -1074; k <= 1023; ++k) xs.push_back(std::ldexp(1.0, k));  // powers of two, subnormal ones too
  xs.push_back(std::numeric_limits<double>::denorm_min());
  xs.push_back(std::numeric_limits<double>::min());
  xs.push_back(std::numeric_limits<double>::max());
  xs.push_back(std::nextafter(std::numeric_limits<double>::min(), 0.0));  // largest subnormal
  // Around 1, where log(x) ~ x - 1 is small and a relative error is demanding.
  for (int k = 1; k <= 60; ++k) {
    xs.push_back(1.0 + std::ldexp(1.0, -k));
    xs.push_back(1.0 - std::ldexp(1.0, -k - 1));
  }
  xs.push_back(std::nextafter(1.0, 2.0));
  xs.push_back(std::nextafter(1.0, 0.0));
  xs.push_back(std::sqrt(0.5));  // the reduction's switch point
  xs.push_back(std::nextafter(std::sqrt(0.5), 0.0));
  xs.push_back(std::sqrt(2.0));
  // Log-uniform over the whole range, and random subnormals.
  eos::Rng r(3);
  for (int i = 0; i < 20000; ++i) xs.push_back(std::ldexp(0.5 + 0.5 * r.uniform(), static_cast<int>(r.below(2046)) - 1021));
  for (int i = 0; i < 2000; ++i) xs.push_back(std::ldexp(r.uniform(), -1022));
  for (int i = 0; i < 2000; ++i) xs.push_back(r.uniform(0.5, 2.0));

  double worst = 0;
  for (double x : xs) {
    if (x <= 0) continue;
    const double got = eos::det::log(x), want = std::log(x);
    INFO("x = " << x << " (hex " << std::hexfloat << x << std::defaultfloat << ") det " << got << " std " << want);
    CHECK(close_rel(got, want));
    if (want != 0) worst = std::max(worst, std::fabs(got - want) / std::fabs(want));
  }
  INFO("worst relative error " << worst);
  CHECK(worst < kRel);
}

TEST_CASE("det::exp matches std::exp", "[rng][detmath]") {
  CHECK(eos::det::exp(0.0) == 1.0);
  CHECK(std::isnan(eos::det::exp(std::numeric_limits<double>::quiet_NaN())));
  CHECK(eos::det::exp(std::numeric_limits<double>::infinity()) == std::numeric_limits<double>::infinity());
  CHECK(eos::det::exp(-std::numeric_limits<double>::infinity()) == 0.0);
  CHECK(eos::det::exp(710.0) == std::numeric_limits<double>::infinity());
  CHECK(eos::det::exp(-746.0) == 0.0);

  std::vector<double> xs = {1.0, -1.0, 1e-300, -1e-300, 1e-17, 1e-8, -1e-8, 0.5, 0.3465735902799726,
                            -0.3465735902799726, 700.0, 709.0, 709.5, 709.78, 709.782712893384, -700.0,
                            -708.0, -708.39, 88.7, -87.3};
  for (int k = -1000; k <= 1000; ++k) xs.push_back(k * 0.6931471805599453);  // near multiples of ln 2
  eos::Rng r(4);
  for (int i = 0; i < 20000; ++i) xs.push_back(r.uniform(-708.0, 709.7));
  for (int i = 0; i < 20000; ++i) xs.push_back(r.uniform(-2.0, 2.0));
  for (int i = 0; i < 2000; ++i) xs.push_back(std::ldexp(r.uniform(-1.0, 1.0), -static_cast<int>(r.below(60))));

  double worst = 0;
  for (double x : xs) {
    const double got = eos::det::exp(x), want = std::exp(x);
    INFO("x = " << x << " (hex " << std::hexfloat << x << std::defaultfloat << ") det " << got << " std " << want);
    REQUIRE(std::isfinite(want));
    CHECK(close_rel(got, want));
    worst = std::max(worst, std::fabs(got - want) / want);
  }
  INFO("worst relative error " << worst);
  CHECK(worst < kRel);

  // Subnormal results (x < -708.4) carry fewer significant bits: compare in units of
  // the smallest subnormal instead.
  for (double x = -708.5; x > -744.0; x -= 0.37) {
    INFO("x = " << x);
    CHECK(std::fabs(eos::det::exp(x) - std::exp(x)) <= 1.0 * std::numeric_limits<double>::denorm_min());
  }
}

TEST_CASE("det::sin and det::cos match std::sin and std::cos", "[rng][detmath]") {
  CHECK(eos::det::sin(0.0) == 0.0);
  CHECK(eos::det::cos(0.0) == 1.0);

  std::vector<double> xs = {1e-300, -1e-300, 1e-20, 1e-8, 0.5, 0.785398163397448, 0.7853981633974484,
                            1.0, 2.0, 3.0, 3.141592653589793, 6.283185307179586, 10.0, 100.0, 1000.0, 9999.0, 1e4};
  // Doubles nearest to multiples of pi/2 (and their neighbours) up to |x| = 1e4:
  // there sin or cos is tiny and relative accuracy depends on the argument reduction.
  for (int k = -6366; k <= 6366; ++k) {
    const double x = k * (eos::det::pi / 2);
    for (double y = std::nextafter(std::nextafter(x, -1e5), -1e5), j = 0; j < 5; ++j, y = std::nextafter(y, 1e5))
      xs.push_back(y);
  }
  // Near multiples of pi/4 (quadrant boundaries of the reduction).
  for (int k = -200; k <= 200; ++k) xs.push_back((2 * k + 1) * (eos::det::pi / 4));
  eos::Rng r(5);
  for (int i = 0; i < 20000; ++i) xs.push_back(r.uniform(-1e4, 1e4));
  for (int i = 0; i < 20000; ++i) xs.push_back(r.uniform(-7.0, 7.0));

  double worst_s = 0, worst_c = 0;
  for (double x : xs) {
    const double s = eos::det::sin(x), c = eos::det::cos(x);
    const double ws = std::sin(x), wc = std::cos(x);
    INFO("x = " << x << " (hex " << std::hexfloat << x << std::defaultfloat << ") sin det " << s << " std " << ws
                << "; cos det " << c << " std " << wc);
    CHECK(close_rel(s, ws));
    CHECK(close_rel(c, wc));
    if (ws != 0) worst_s = std::max(worst_s, std::fabs(s - ws) / std::fabs(ws));
    if (wc != 0) worst_c = std::max(worst_c, std::fabs(c - wc) / std::fabs(wc));
  }
  INFO("worst relative error: sin " << worst_s << ", cos " << worst_c);
  CHECK(worst_s < kRel);
  CHECK(worst_c < kRel);
}

TEST_CASE("det::tanh matches std::tanh", "[rng][detmath]") {
  CHECK(eos::det::tanh(0.0) == 0.0);
  CHECK(eos::det::tanh(std::numeric_limits<double>::infinity()) == 1.0);
  CHECK(eos::det::tanh(-std::numeric_limits<double>::infinity()) == -1.0);
  CHECK(eos::det::tanh(1e300) == 1.0);
  CHECK(eos::det::tanh(-1e300) == -1.0);

  std::vector<double> xs = {1e-300, 1e-20, 1e-10, 1e-6, 1e-4, 9.99e-4, 1e-3, 1.001e-3, 2e-3, 5e-3, 1e-2, 0.05,
                            0.1, 0.17, 0.25, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0, 18.0, 19.0, 19.06, 20.0, 20.5, 25.0, 100.0};
  for (int k = -60; k <= 5; ++k) xs.push_back(std::ldexp(1.0, k));
  eos::Rng r(6);
  for (int i = 0; i < 20000; ++i) xs.push_back(r.uniform(0.0, 25.0));
  for (int i = 0; i < 20000; ++i) xs.push_back(r.uniform(0.0, 0.5));
  for (int i = 0; i < 2000; ++i) xs.push_back(std::ldexp(r.uniform(), -static_cast<int>(r.below(40))));

  double worst = 0;
  for (double x0 : xs) {
    for (double x : {x0, -x0}) {
      const double got = eos::det::tanh(x), want = std::tanh(x);
      INFO("x = " << x << " (hex " << std::hexfloat << x << std::defaultfloat << ") det " << got << " std " << want);
      CHECK(close_rel(got, want));
      if (want != 0) worst = std::max(worst, std::fabs(got - want) / std::fabs(want));
    }
    CHECK(eos::det::tanh(-x0) == -eos::det::tanh(x0));  // odd, exactly
  }
  INFO("worst relative error " << worst);
  CHECK(worst < kRel);
}
