// A small float32 matrix product for the MLP's three products per layer (forward
// W A, backward W^T D and the weight gradient D A^T), written for WebAssembly SIMD.
// Eigen's own float GEMM reaches WASM through its SSE code path translated by
// Emscripten, with the 4 x 4 register block it picks when it assumes 8 registers; a
// V8 profile put 74 % of a GD step on problem B in that kernel (docs/wasm.md). This
// one packs its operands into panels and runs a micro-kernel written with GCC/Clang
// vector extensions (16-byte vectors): SIMD128 in WebAssembly, SSE natively, where the
// tests hold it to a scalar loop and to a double product.
//
// Every entry of C is summed in k order, 0 .. K-1, in chunks of 256 (each chunk's sum
// is added to C), so a result depends on the operands and K only (not on threads or
// on where the matrix sits in memory).
#pragma once

#include <cstdint>

namespace eos {

// C (M x N, column-major, leading dimension ldc) = op(A) op(B), or C += op(A) op(B)
// when accumulate. op(A) is M x K: A column-major with leading dimension lda, read
// transposed (A is then K x M) when trans_a; likewise op(B), K x N. No aliasing
// between C and A or B. tile_rows: the micro-kernel's rows, 8 or 12 (0: the build's,
// kGemmTileRows); the bits of C do not depend on it.
void gemm_f32(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const float* A,
              std::int64_t lda, const float* B, std::int64_t ldb, float* C, std::int64_t ldc, bool accumulate,
              int tile_rows = 0);

// 8 x 4 tiles in WebAssembly (8 accumulators, 2 operands and a broadcast: V8 allocates 15
// XMM registers on x64, and a 12 x 4 tile would spill), 12 x 4 natively (16 registers).
#if defined(__wasm__)
inline constexpr int kGemmTileRows = 8;
#else
inline constexpr int kGemmTileRows = 12;
#endif

// Whether the engine's float MLP routes its products through gemm_f32 (the default, in
// every build) or through Eigen. In WASM gemm_f32 is 1.6-1.8x faster than Eigen's kernel
// as V8 compiles it; natively (12 x 4 tiles) it is as fast as Eigen's. With one kernel and
// one summation order in both builds, the native CLI and the page compute the same
// products bit for bit. Tests and the benchmark switch to Eigen to compare the two.
inline constexpr bool kOwnGemmDefault = true;
bool use_own_gemm();
void set_own_gemm(bool on);

// Products of at most this many multiply-adds (M N K) stay with Eigen even when
// use_own_gemm(): on the toy networks (30 x 20 x 20) packing would cost more than it
// saves (problem A's GD step in WASM: 0.0125 ms through gemm_f32, 0.0112 through Eigen).
inline constexpr std::int64_t kOwnGemmMinWork = 16384;

}  // namespace eos
