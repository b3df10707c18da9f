// Synthetic datasets, deterministic from (Config fields, data_seed) and identical
// on every platform (see rng.hpp, detmath.hpp).
#pragma once

#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/eigen.hpp"
#include "eoslab/rng.hpp"

namespace eos {

struct Dataset {
  Eigen::MatrixXd X;        // (d_in, n): one example per column
  Eigen::MatrixXd Y;        // (d_out, n): regression targets, or one-hot rows for classification
  std::vector<int> labels;  // n class indices for classification datasets, empty for regression
  bool classification = false;
};

// Builds the dataset named by spec.dataset with spec.cfg's n, degree, d, classes,
// noise, data_seed. Shapes agree with spec.d_in / spec.d_out.
Dataset make_dataset(const Spec& spec);

// `count` examples of spec's dataset. Population parameters come from `pop`, in the
// order make_dataset draws them; each example's randomness comes from `ex`. With
// `grid`, the positions along the curve (chebyshev's x, the moons' and circles'
// angle, the spirals' radius) are evenly spaced as in the training set; without,
// they are uniform draws from `ex`. make_dataset is this call with one
// Rng(data_seed) as both `pop` and `ex`, count = n and grid, for every dataset but
// linear (whose orthogonal design only make_dataset builds; here its inputs are
// N(0, I_d) draws, which that design approximates, and grid is refused).
Dataset sample_examples(const Spec& spec, int count, Rng& pop, Rng& ex, bool grid);

}  // namespace eos
