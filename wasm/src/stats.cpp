// Settled-window statistics of a run (see stats.hpp for the definition of the window).
#include "eoslab/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace eos {

double quantile(std::vector<double> xs, double q) {
  if (xs.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(xs.begin(), xs.end());
  const double h = q * static_cast<double>(xs.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, xs.size() - 1);
  return xs[lo] + (h - static_cast<double>(lo)) * (xs[hi] - xs[lo]);
}

SettledStats settled_stats(const std::vector<std::int64_t>& step, const std::vector<double>& value,
                           const std::vector<double>& threshold, const SettledOptions& opt) {
  if (step.size() != value.size() || step.size() != threshold.size())
    throw std::invalid_argument("settled_stats: step, value and threshold must have the same length");
  for (std::size_t i = 1; i < step.size(); ++i)
    if (step[i] < step[i - 1]) throw std::invalid_argument("settled_stats: steps must not decrease");
  SettledStats s;
  if (step.empty()) {
    s.median = s.p10 = s.p90 = std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  // The second half of the recorded steps, at the earliest.
  const std::int64_t half = step.front() + (step.back() - step.front()) / 2;
  std::int64_t from = half;
  for (std::size_t i = 0; i < step.size(); ++i) {
    if (std::isfinite(value[i]) && std::isfinite(threshold[i]) && value[i] >= opt.reach_fraction * threshold[i]) {
      s.reached = true;
      from = std::max(half, step[i] + opt.settle_steps);
      break;
    }
  }
  std::vector<double> w;
  for (std::size_t i = 0; i < step.size(); ++i)
    if (step[i] >= from && std::isfinite(value[i])) w.push_back(value[i]);
  s.from_step = from;
  s.count = static_cast<int>(w.size());
  s.median = quantile(w, 0.5);
  s.p10 = quantile(w, 0.1);
  s.p90 = quantile(w, 0.9);
  return s;
}

}  // namespace eos
