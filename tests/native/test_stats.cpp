// Tests of the settled-window statistic (stats.hpp) against closed forms: quantiles of
// arithmetic sequences, the window's start in each case, and the error paths.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numeric>

#include "eoslab/stats.hpp"

using eos::quantile;
using eos::settled_stats;

TEST_CASE("quantile: linear interpolation between order statistics (type 7)") {
  std::vector<double> xs(101);
  std::iota(xs.begin(), xs.end(), 1.0);  // 1..101, shuffled order must not matter
  std::reverse(xs.begin(), xs.end());
  CHECK(quantile(xs, 0.5) == 51.0);
  CHECK(quantile(xs, 0.1) == 11.0);
  CHECK(quantile(xs, 0.9) == 91.0);
  CHECK(quantile(xs, 0.0) == 1.0);
  CHECK(quantile(xs, 1.0) == 101.0);
  CHECK(quantile({1.0, 2.0}, 0.5) == 1.5);   // between the two order statistics
  CHECK(quantile({1.0, 2.0, 3.0, 4.0}, 0.1) == Approx(1.3).epsilon(1e-12));  // h = 0.3
  CHECK(std::isnan(quantile({}, 0.5)));
}

TEST_CASE("settled_stats: the window starts settle_steps after first reaching the line, not before half") {
  // Steps 0..2990 every 10; value rises linearly to the threshold 10 at step 1000, then
  // alternates 9 / 11 (a period-2 sawtooth around the line).
  std::vector<std::int64_t> step;
  std::vector<double> v, thr;
  for (std::int64_t t = 0; t < 3000; t += 10) {
    step.push_back(t);
    thr.push_back(10.0);
    v.push_back(t < 1000 ? 5.0 + 5.0 * static_cast<double>(t) / 1000.0 : ((t / 10) % 2 ? 11.0 : 9.0));
  }
  const auto s = settled_stats(step, v, thr);
  INFO("from_step " << s.from_step << ", count " << s.count);
  CHECK(s.reached);
  // 0.95 × 10 = 9.5 is first reached at step 900 (5 + 5 × 0.9); 900 + 200 = 1100 < half (1495).
  CHECK(s.from_step == 1495);  // midway between steps 0 and 2990
  CHECK(s.count == 150);
  CHECK(s.median == 10.0);  // 75 nines and 75 elevens: midway
  CHECK(s.p10 == 9.0);
  CHECK(s.p90 == 11.0);

  eos::SettledOptions late;
  late.settle_steps = 1000;  // 900 + 1000 = 1900 > 1495
  CHECK(settled_stats(step, v, thr, late).from_step == 1900);
}

TEST_CASE("settled_stats: a run that never reaches its line (or has none) uses the second half") {
  std::vector<std::int64_t> step = {0, 100, 200, 300};
  std::vector<double> v = {1.0, 2.0, 3.0, 4.0};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto s = settled_stats(step, v, {nan, nan, nan, nan});  // gradient flow: no threshold
  CHECK_FALSE(s.reached);
  CHECK(s.from_step == 150);
  CHECK(s.count == 2);
  CHECK(s.median == 3.5);
  const auto t = settled_stats(step, v, {100.0, 100.0, 100.0, 100.0});  // threshold never reached
  CHECK_FALSE(t.reached);
  CHECK(t.median == 3.5);
}

TEST_CASE("settled_stats: skips non-finite values and rejects mismatched or decreasing input") {
  const double inf = std::numeric_limits<double>::infinity();
  eos::SettledOptions now;
  now.settle_steps = 0;
  const auto s = settled_stats({0, 10, 20, 30}, {1.0, 2.0, inf, 4.0}, {1.0, 1.0, 1.0, 1.0}, now);
  CHECK(s.reached);     // at step 0
  CHECK(s.from_step == 15);
  CHECK(s.count == 1);  // steps 20 (inf, skipped) and 30
  CHECK(s.median == 4.0);
  CHECK_THROWS_AS(settled_stats({0, 1}, {1.0}, {1.0, 1.0}), std::invalid_argument);
  CHECK_THROWS_AS(settled_stats({5, 1}, {1.0, 1.0}, {1.0, 1.0}), std::invalid_argument);
  const auto e = settled_stats({}, {}, {});
  CHECK(e.count == 0);
  CHECK(std::isnan(e.median));
}
