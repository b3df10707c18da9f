// Synthetic datasets, deterministic from (Config fields, data_seed) and identical
// on every platform (see rng.hpp, detmath.hpp).
#pragma once

#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/eigen.hpp"

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

}  // namespace eos
