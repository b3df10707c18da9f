// The held-out set (testset.hpp): the training set's generator (data.cpp's
// sample_examples) with the population drawn from data_seed exactly as the training
// set draws it, and the examples' own randomness from a second stream of that seed.
#include "eoslab/testset.hpp"

namespace eos {

namespace {
constexpr std::uint64_t kTestTag = std::uint64_t(0x7E5) << 53;
}  // namespace

std::uint64_t test_seed(std::uint64_t data_seed) { return data_seed ^ kTestTag; }

Dataset make_test_set(const Spec& spec) {
  Rng pop(spec.cfg.data_seed), ex(test_seed(spec.cfg.data_seed));
  return sample_examples(spec, spec.cfg.n_test, pop, ex, false);
}

}  // namespace eos
