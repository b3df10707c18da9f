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
  // The network's type T (the central flow always runs in float64).
  const std::int64_t scalar = s.precision == Precision::Float64 || s.opt == OptKind::Central ? 8 : 4;
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
  // The central flow adds grad S and two gradient scratch vectors.
  const std::int64_t vecs_t = 6 + (s.opt == OptKind::Flow ? 4 : 0) + (s.opt == OptKind::Central ? 3 : 0);
  bytes += vecs_t * P * scalar;
  // Adam/RMSProp: the moments m, v and the preconditioner's diagonal in T, its
  // inverse square root in double, and the raw sharpness's own top-k warm start.
  const bool adaptive = s.opt == OptKind::Adam || s.opt == OptKind::Rmsprop;
  if (adaptive) bytes += 3 * P * scalar + (1 + c.neigs) * P * 8;
  // The valley view: the last iterates and the previous one in T, the direction and its dual in double.
  if (c.valley) bytes += 13 * P * scalar + 2 * P * 8;
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
  // The held-out set and the mini-batch each have their own dataset and MLP workspace
  // (experiment.cpp): the per-example costs above, for n_test and batch more examples.
  const std::int64_t extra = std::int64_t(c.n_test) + std::min<std::int64_t>(c.batch, n);
  if (extra > 0) {
    std::int64_t per = (s.d_in + s.d_out) * 8 + 4 + (s.d_in + 2 * s.d_out) * scalar;
    for (std::size_t l = 0; l < L; ++l) per += (4 * sizes[l + 1] + (l > 0 ? 5 * sizes[l] : 0)) * scalar;
    bytes += extra * per;
  }
  // Allocator and library overhead: a fixed few MiB.
  bytes += std::int64_t(4) << 20;
  return bytes;
}

}  // namespace eos
