// gemm_f32 (gemm.hpp): a packed float32 matrix product with an MR x 4 micro-kernel in
// 16-byte vectors (GCC/Clang vector extensions: SSE natively, SIMD128 in WebAssembly;
// MR = 8 in WASM, 12 natively). The usual loop nest of a packed GEMM: column blocks of
// C (NC), depth blocks (KC) whose slice of op(B) is packed into 4-column panels, row
// blocks (MC) whose slice of op(A) is packed into MR-row panels, then one micro-kernel
// call per tile. Panels
// are zero-padded, so edge tiles run the same kernel and copy out only their part.
#include "eoslab/gemm.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

namespace eos {
namespace {

using v4 = float __attribute__((vector_size(16)));

// Tiles are MR x NR: MR = 8 rows (two vectors) or 12 (three), NR = 4 columns (broadcasts).
constexpr std::int64_t NR = 4;
constexpr std::int64_t KC = 256;  // depth of a packed block (sets the summation order)
constexpr std::int64_t NC = 512;  // columns of a packed block of B (512 KiB at most)
// Rows of a packed block of A: 16 panels (128 KiB for MR = 8, 192 KiB for 12: in L2).
template <std::int64_t MR>
constexpr std::int64_t MC = 16 * MR;

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

// Rows [i0, i0 + m) of a matrix X over columns [k0, k0 + kc) into panels of W rows: panel p
// holds, for each k, the W values X(i0 + Wp .. i0 + Wp + W - 1, k), zeros past m. X is the
// stored matrix S (column-major, leading dimension ld) read as is, or transposed when trans.
// op(A) packs into 8- or 12-row panels this way; op(B)'s 4-column panels are the row panels
// of op(B)^T, so B packs with the opposite trans.
template <std::int64_t W>
void pack(bool trans, const float* S, std::int64_t ld, std::int64_t i0, std::int64_t k0, std::int64_t m,
          std::int64_t kc, float* out) {
  for (std::int64_t p = 0; p < m; p += W) {
    const std::int64_t rows = std::min(W, m - p);
    float* dst = out + p * kc;
    if (!trans) {
      for (std::int64_t k = 0; k < kc; ++k, dst += W) {
        const float* src = S + (i0 + p) + (k0 + k) * ld;  // column k0 + k, rows contiguous
        if (rows == W) {
          std::memcpy(dst, src, W * sizeof(float));
        } else {
          std::int64_t r = 0;
          for (; r < rows; ++r) dst[r] = src[r];
          for (; r < W; ++r) dst[r] = 0.f;
        }
      }
    } else {
      // X(i, k) = S(k, i): row i of X is column i of S, contiguous in k.
      for (std::int64_t r = 0; r < W; ++r) {
        if (r < rows) {
          const float* src = S + k0 + (i0 + p + r) * ld;
          for (std::int64_t k = 0; k < kc; ++k) dst[k * W + r] = src[k];
        } else {
          for (std::int64_t k = 0; k < kc; ++k) dst[k * W + r] = 0.f;
        }
      }
    }
  }
}

// The MR x 4 tile C[0..rows, 0..cols) (+)= sum over k of a-panel(:, k) b-panel(k, :),
// MR / 4 vectors per column: 4 MR / 4 accumulators. Each entry is summed in k order
// whatever MR is, so the 8-row and 12-row kernels give the same bits.
template <int MR>
void micro_kernel(std::int64_t kc, const float* a, const float* b, float* C, std::int64_t ldc, bool add,
                  std::int64_t rows, std::int64_t cols) {
  constexpr int V = MR / 4;
  v4 acc[NR][V] = {};
  for (std::int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
    v4 av[V];
    for (int r = 0; r < V; ++r) av[r] = load4(a + 4 * r);
    for (int j = 0; j < NR; ++j) {
      const v4 bk = splat(b[j]);
      for (int r = 0; r < V; ++r) acc[j][r] += av[r] * bk;
    }
  }
  if (rows == MR && cols == NR) {
    for (int j = 0; j < NR; ++j) {
      float* c = C + j * ldc;
      for (int r = 0; r < V; ++r) store4(c + 4 * r, add ? load4(c + 4 * r) + acc[j][r] : acc[j][r]);
    }
    return;
  }
  float tile[NR][MR];
  for (int j = 0; j < NR; ++j)
    for (int r = 0; r < V; ++r) store4(tile[j] + 4 * r, acc[j][r]);
  for (std::int64_t j = 0; j < cols; ++j)
    for (std::int64_t i = 0; i < rows; ++i) C[i + j * ldc] = add ? C[i + j * ldc] + tile[j][i] : tile[j][i];
}

template <int MR>
void gemm_tiles(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const float* A,
                std::int64_t lda, const float* B, std::int64_t ldb, float* C, std::int64_t ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (std::int64_t j = 0; j < N; ++j) std::fill(C + j * ldc, C + j * ldc + M, 0.f);
    return;
  }
  Workspace& ws = tls_ws;
  const std::int64_t kc_max = std::min(KC, K);
  const std::int64_t mc_max = std::min(MC<MR>, (M + MR - 1) / MR * MR);
  const std::int64_t nc_max = std::min(NC, (N + NR - 1) / NR * NR);
  if (ws.a.size() < std::size_t(mc_max * kc_max)) ws.a.resize(std::size_t(mc_max * kc_max));
  if (ws.b.size() < std::size_t(nc_max * kc_max)) ws.b.resize(std::size_t(nc_max * kc_max));
  float* Ap = ws.a.data();
  float* Bp = ws.b.data();
  for (std::int64_t jc = 0; jc < N; jc += NC) {
    const std::int64_t nc = std::min(NC, N - jc);
    for (std::int64_t pc = 0; pc < K; pc += KC) {
      const std::int64_t kc = std::min(KC, K - pc);
      const bool add = accumulate || pc > 0;
      pack<NR>(!trans_b, B, ldb, jc, pc, nc, kc, Bp);  // op(B)^T's rows = op(B)'s columns
      for (std::int64_t ic = 0; ic < M; ic += MC<MR>) {
        const std::int64_t mc = std::min(MC<MR>, M - ic);
        pack<MR>(trans_a, A, lda, ic, pc, mc, kc, Ap);
        for (std::int64_t jr = 0; jr < nc; jr += NR) {
          const float* bp = Bp + jr * kc;
          for (std::int64_t ir = 0; ir < mc; ir += MR)
            micro_kernel<MR>(kc, Ap + ir * kc, bp, C + (ic + ir) + (jc + jr) * ldc, ldc, add, std::min<std::int64_t>(MR, mc - ir),
                         std::min(NR, nc - jr));
        }
      }
    }
  }
}

std::atomic<bool> g_own_gemm{kOwnGemmDefault};

}  // namespace

bool use_own_gemm() { return g_own_gemm.load(std::memory_order_relaxed); }
void set_own_gemm(bool on) { g_own_gemm.store(on, std::memory_order_relaxed); }

void gemm_f32(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const float* A,
              std::int64_t lda, const float* B, std::int64_t ldb, float* C, std::int64_t ldc, bool accumulate,
              int tile_rows) {
  if (tile_rows == 0) tile_rows = kGemmTileRows;
  if (tile_rows == 12) gemm_tiles<12>(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
  else gemm_tiles<8>(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}

}  // namespace eos
