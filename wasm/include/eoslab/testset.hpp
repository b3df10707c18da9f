// Held-out examples (Config::n_test): drawn from the same generator as the
// training set (data.cpp), with the same population (blob centres, mixture means,
// teacher network, linear map, drawn from data_seed exactly as the training set
// draws them) but the examples' own randomness from a separate stream of the data
// seed, so that no held-out example is a training example.
#pragma once

#include <cstdint>

#include "eoslab/config.hpp"
#include "eoslab/data.hpp"
#include "eoslab/rng.hpp"

namespace eos {

// The seed of the held-out stream: data_seed with bits 53..63 set to a fixed tag.
// Every valid data_seed is below 2^53, so this is never a training set's seed.
std::uint64_t test_seed(std::uint64_t data_seed);

// The held-out set: spec.cfg.n_test examples, population from Rng(data_seed),
// examples from Rng(test_seed(data_seed)), positions drawn uniformly (not on the
// training grid). Empty (0 columns) when n_test is 0.
Dataset make_test_set(const Spec& spec);

}  // namespace eos
