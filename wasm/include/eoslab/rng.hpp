// Our own random numbers, so native and WASM draw the same values bit for bit:
// splitmix64 seeds xoshiro256**, uniforms take the top 53 bits, normals use the
// Marsaglia polar method with the deterministic log of detmath.hpp (no libm).
#pragma once

#include <cstdint>

namespace eos {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t next_u64();
  double uniform();                       // [0, 1), 53-bit resolution
  double uniform(double lo, double hi);   // [lo, hi)
  double normal();                        // N(0, 1), deterministic across platforms
  std::uint64_t below(std::uint64_t n);   // uniform integer in [0, n), n >= 1

 private:
  std::uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace eos
