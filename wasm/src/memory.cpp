// The memory estimate of a validated configuration (config.hpp), counted from the
// buffers the engine allocates: Dataset (data.cpp), the MLP's workspace (mlp.hpp),
// the Experiment's vectors (experiment.cpp), the per-block partial sums (pool.hpp)
// and the Lanczos basis (lanczos.hpp).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/lanczos.hpp"
#include "eoslab/pool.hpp"

namespace eos {

std::int64_t estimate_memory_bytes(const Spec& s) {
  const Config& c = s.cfg;
  const std::int64_t n = c.n;
  const std::int64_t scalar = s.precision == Precision::Float64 ? 8 : 4;  // the network's type T
  std::vector<std::int64_t> sizes = {s.d_in};
  for (int w : c.widths) sizes.push_back(w);
  sizes.push_back(s.d_out);
  const std::size_t L = sizes.size() - 1;

  std::int64_t P = 0;
  for (std::size_t l = 0; l < L; ++l) P += sizes[l + 1] * sizes[l] + (c.bias ? sizes[l + 1] : 0);

  // Dataset in double (X, Y, labels), and its copy in T inside the MLP (X, Y, softmax P).
  std::int64_t bytes = (s.d_in + s.d_out) * n * 8 + n * 4;
  bytes += (s.d_in + 2 * s.d_out) * n * scalar;
  // Per layer, (width, n) matrices in T: Z, D, R{Z}, R{D} of its output and A, R{A},
  // sigma', sigma'', W^T D of its input (hidden layers only).
  for (std::size_t l = 0; l < L; ++l) {
    bytes += 4 * sizes[l + 1] * n * scalar;
    if (l > 0) bytes += 5 * sizes[l] * n * scalar;
  }
  // Parameter-sized vectors in T: the MLP's cached theta, theta, grad, velocity, the
  // Hessian operator's in/out, and RK4's four stages for gradient flow.
  const std::int64_t vecs_t = 6 + (s.opt == OptKind::Flow ? 4 : 0);
  bytes += vecs_t * P * scalar;
  // The per-block partial gradients / HVPs of a sharded batch (pool.hpp), in T.
  const BlockLayout blocks = example_blocks(n);
  if (blocks.count > 1) bytes += std::int64_t(blocks.count) * P * scalar;
  // In double: the initial parameters (and their draw), the operator's output, the
  // Lanczos basis and its two work vectors, and the top-k eigenvectors (result, warm
  // start, merge scratch).
  const std::int64_t k = c.neigs;
  // Counted even when eig_every is 0: a run's sharpness() may be asked for at any time.
  const std::int64_t basis = lanczos_basis_size(int(k), P);
  bytes += (3 + basis + 2 + 3 * k) * P * 8;
  // Allocator and library overhead: a fixed few MiB.
  bytes += std::int64_t(4) << 20;
  return bytes;
}

}  // namespace eos
