// gemm_f32 (gemm.hpp): a packed float32 matrix product with an 8 x 4 micro-kernel in
// 16-byte vectors (GCC/Clang vector extensions: SSE natively, SIMD128 in WebAssembly).
// The usual loop nest of a packed GEMM: column blocks of C (NC), depth blocks (KC)
// whose slice of op(B) is packed into 4-column panels, row blocks (MC) whose slice of
// op(A) is packed into 8-row panels, then one micro-kernel call per 8 x 4 tile. Panels
// are zero-padded, so edge tiles run the same kernel and copy out only their part.
#include "eoslab/gemm.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

namespace eos {
namespace {

using v4 = float __attribute__((vector_size(16)));

constexpr std::int64_t MR = 8;    // rows of a tile: two vectors
constexpr std::int64_t NR = 4;    // columns of a tile: four broadcasts
constexpr std::int64_t KC = 256;  // depth of a packed block: an 8-row panel of A is 8 KiB
constexpr std::int64_t MC = 128;  // rows of a packed block of A (128 KiB: stays in L2)
constexpr std::int64_t NC = 512;  // columns of a packed block of B (512 KiB at most)

inline v4 load4(const float* p) {
  v4 v;
  std::memcpy(&v, p, sizeof v);  // an unaligned vector load
  return v;
}
inline void store4(float* p, v4 v) { std::memcpy(p, &v, sizeof v); }
inline v4 splat(float x) { return v4{x, x, x, x}; }

// The packing buffers of the calling thread, grown on demand and then reused, so the
// MLP's hot loop allocates nothing after its first step.
struct Workspace {
  std::vector<float> a, b;
};
thread_local Workspace tls_ws;

// op(A)(i, k) for i in [i0, i0 + mc), k in [k0, k0 + kc), into 8-row panels: panel p holds,
// for each k, the 8 values of rows i0 + 8p .. i0 + 8p + 7 (zeros past mc).
void pack_a(bool trans, const float* A, std::int64_t lda, std::int64_t i0, std::int64_t k0, std::int64_t mc,
            std::int64_t kc, float* out) {
  for (std::int64_t p = 0; p < mc; p += MR) {
    const std::int64_t rows = std::min(MR, mc - p);
    float* dst = out + p * kc;
    if (!trans) {
      for (std::int64_t k = 0; k < kc; ++k, dst += MR) {
        const float* src = A + (i0 + p) + (k0 + k) * lda;  // column k0 + k, rows contiguous
        if (rows == MR) {
          std::memcpy(dst, src, MR * sizeof(float));
        } else {
          std::int64_t r = 0;
          for (; r < rows; ++r) dst[r] = src[r];
          for (; r < MR; ++r) dst[r] = 0.f;
        }
      }
    } else {
      // op(A)(i, k) = A(k, i): row i of op(A) is column i of A, contiguous in k.
      for (std::int64_t r = 0; r < MR; ++r) {
        if (r < rows) {
          const float* src = A + (k0) + (i0 + p + r) * lda;
          for (std::int64_t k = 0; k < kc; ++k) dst[k * MR + r] = src[k];
        } else {
          for (std::int64_t k = 0; k < kc; ++k) dst[k * MR + r] = 0.f;
        }
      }
    }
  }
}

// op(B)(k, j) for k in [k0, k0 + kc), j in [j0, j0 + nc), into 4-column panels: panel q
// holds, for each k, the 4 values of columns j0 + 4q .. j0 + 4q + 3 (zeros past nc).
void pack_b(bool trans, const float* B, std::int64_t ldb, std::int64_t k0, std::int64_t j0, std::int64_t kc,
            std::int64_t nc, float* out) {
  for (std::int64_t q = 0; q < nc; q += NR) {
    const std::int64_t cols = std::min(NR, nc - q);
    float* dst = out + q * kc;
    if (!trans) {
      // op(B)(k, j) = B(k, j): column j contiguous in k.
      for (std::int64_t c = 0; c < NR; ++c) {
        if (c < cols) {
          const float* src = B + k0 + (j0 + q + c) * ldb;
          for (std::int64_t k = 0; k < kc; ++k) dst[k * NR + c] = src[k];
        } else {
          for (std::int64_t k = 0; k < kc; ++k) dst[k * NR + c] = 0.f;
        }
      }
    } else {
      // op(B)(k, j) = B(j, k): the 4 columns of a panel are contiguous for each k.
      for (std::int64_t k = 0; k < kc; ++k, dst += NR) {
        const float* src = B + (j0 + q) + (k0 + k) * ldb;
        std::int64_t c = 0;
        for (; c < cols; ++c) dst[c] = src[c];
        for (; c < NR; ++c) dst[c] = 0.f;
      }
    }
  }
}

// The 8 x 4 tile C[0..rows, 0..cols) (+)= sum over k of a-panel(:, k) b-panel(k, :).
void micro_kernel(std::int64_t kc, const float* a, const float* b, float* C, std::int64_t ldc, bool add,
                  std::int64_t rows, std::int64_t cols) {
  v4 c00{}, c10{}, c01{}, c11{}, c02{}, c12{}, c03{}, c13{};
  for (std::int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
    const v4 a0 = load4(a), a1 = load4(a + 4);
    v4 bk = splat(b[0]);
    c00 += a0 * bk;
    c10 += a1 * bk;
    bk = splat(b[1]);
    c01 += a0 * bk;
    c11 += a1 * bk;
    bk = splat(b[2]);
    c02 += a0 * bk;
    c12 += a1 * bk;
    bk = splat(b[3]);
    c03 += a0 * bk;
    c13 += a1 * bk;
  }
  const v4 acc[2][NR] = {{c00, c01, c02, c03}, {c10, c11, c12, c13}};
  if (rows == MR && cols == NR) {
    for (std::int64_t j = 0; j < NR; ++j) {
      float* c = C + j * ldc;
      if (add) {
        store4(c, load4(c) + acc[0][j]);
        store4(c + 4, load4(c + 4) + acc[1][j]);
      } else {
        store4(c, acc[0][j]);
        store4(c + 4, acc[1][j]);
      }
    }
    return;
  }
  float tile[NR][MR];
  for (std::int64_t j = 0; j < NR; ++j) {
    store4(tile[j], acc[0][j]);
    store4(tile[j] + 4, acc[1][j]);
  }
  for (std::int64_t j = 0; j < cols; ++j)
    for (std::int64_t i = 0; i < rows; ++i) C[i + j * ldc] = add ? C[i + j * ldc] + tile[j][i] : tile[j][i];
}

std::atomic<bool> g_own_gemm{kOwnGemmDefault};

}  // namespace

bool use_own_gemm() { return g_own_gemm.load(std::memory_order_relaxed); }
void set_own_gemm(bool on) { g_own_gemm.store(on, std::memory_order_relaxed); }

void gemm_f32(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const float* A,
              std::int64_t lda, const float* B, std::int64_t ldb, float* C, std::int64_t ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (std::int64_t j = 0; j < N; ++j) std::fill(C + j * ldc, C + j * ldc + M, 0.f);
    return;
  }
  Workspace& ws = tls_ws;
  const std::int64_t kc_max = std::min(KC, K);
  const std::int64_t mc_max = std::min(MC, (M + MR - 1) / MR * MR);
  const std::int64_t nc_max = std::min(NC, (N + NR - 1) / NR * NR);
  if (ws.a.size() < std::size_t(((mc_max + MR - 1) / MR * MR) * kc_max)) ws.a.resize(std::size_t(((mc_max + MR - 1) / MR * MR) * kc_max));
  if (ws.b.size() < std::size_t(nc_max * kc_max)) ws.b.resize(std::size_t(nc_max * kc_max));
  float* Ap = ws.a.data();
  float* Bp = ws.b.data();
  for (std::int64_t jc = 0; jc < N; jc += NC) {
    const std::int64_t nc = std::min(NC, N - jc);
    for (std::int64_t pc = 0; pc < K; pc += KC) {
      const std::int64_t kc = std::min(KC, K - pc);
      const bool add = accumulate || pc > 0;
      pack_b(trans_b, B, ldb, pc, jc, kc, nc, Bp);
      for (std::int64_t ic = 0; ic < M; ic += MC) {
        const std::int64_t mc = std::min(MC, M - ic);
        pack_a(trans_a, A, lda, ic, pc, mc, kc, Ap);
        for (std::int64_t jr = 0; jr < nc; jr += NR) {
          const float* bp = Bp + jr * kc;
          for (std::int64_t ir = 0; ir < mc; ir += MR)
            micro_kernel(kc, Ap + ir * kc, bp, C + (ic + ir) + (jc + jr) * ldc, ldc, add, std::min(MR, mc - ir),
                         std::min(NR, nc - jr));
        }
      }
    }
  }
}

}  // namespace eos
