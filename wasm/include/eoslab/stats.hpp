// The settled-window statistic of a run's sharpness: the summary the step-size sweep
// draws as one point per run (Cohen et al. 2021, Section 3: "the step size wholly
// determines the sharpness" once GD is at the Edge of Stability). A run's early steps
// (progressive sharpening, before the edge) say nothing about where it settles, so they
// are left out: the window starts `settle_steps` after the sharpness first reaches
// `reach_fraction` × its threshold, and never before the second half of the recorded
// steps. A run that never reaches its threshold (gradient flow, a step size too small for
// the horizon) is summarised over the second half of its steps, and says so (reached = false).
#pragma once

#include <cstdint>
#include <vector>

namespace eos {

struct SettledStats {
  double median = 0;
  double p10 = 0;             // 10th percentile (linear interpolation between order statistics)
  double p90 = 0;             // 90th percentile
  int count = 0;              // values in the window (finite ones only)
  std::int64_t from_step = 0; // first step of the window
  bool reached = false;       // the value reached reach_fraction × threshold at some step
};

struct SettledOptions {
  double reach_fraction = 0.95;
  std::int64_t settle_steps = 200;
};

// step, value and threshold are parallel arrays (one entry per eigenvalue row, steps
// increasing); threshold may be NaN (gradient flow: never reached). Non-finite values are
// skipped. Throws std::invalid_argument if the arrays differ in length or steps decrease.
SettledStats settled_stats(const std::vector<std::int64_t>& step, const std::vector<double>& value,
                           const std::vector<double>& threshold, const SettledOptions& opt = {});

// The q-quantile (q in [0, 1]) of xs by linear interpolation between order statistics
// (the "type 7" rule of Hyndman & Fan, 1996); NaN for an empty input.
double quantile(std::vector<double> xs, double q);

}  // namespace eos
