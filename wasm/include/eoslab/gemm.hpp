// A small float32 matrix product for the MLP's three products per layer (forward
// W A, backward W^T D and the weight gradient D A^T), written for WebAssembly SIMD.
// Eigen's own float GEMM reaches WASM through its SSE code path translated by
// Emscripten, with the 4 x 4 register block it picks when it assumes 8 registers; a
// V8 profile put 74 % of a GD step on problem B in that kernel (docs/wasm.md). This
// one packs its operands into panels and runs an 8 x 4 micro-kernel written with
// GCC/Clang vector extensions (16-byte vectors): 8 accumulators, 2 operand vectors
// and a broadcast fit the 15 XMM registers V8 allocates on x64, so nothing spills.
// The same source compiles to SSE natively, where the tests hold it to Eigen.
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
// between C and A or B.
void gemm_f32(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const float* A,
              std::int64_t lda, const float* B, std::int64_t ldb, float* C, std::int64_t ldc, bool accumulate);

// Whether the engine's float MLP routes its products through gemm_f32 or through Eigen.
// The default is the build's: gemm_f32 in the WASM SIMD build (faster there than Eigen's
// kernel as V8 compiles it), Eigen natively (where its kernel is at least as fast).
// Tests and the benchmark switch it to compare the two in one build; results agree to
// rounding (both sum in k order, natively bit for bit on the MLP's shapes).
#if defined(__wasm_simd128__)
inline constexpr bool kOwnGemmDefault = true;
#else
inline constexpr bool kOwnGemmDefault = false;
#endif
bool use_own_gemm();
void set_own_gemm(bool on);

}  // namespace eos
