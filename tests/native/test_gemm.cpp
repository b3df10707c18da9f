// gemm_f32 (eoslab/gemm.hpp), the float MLP's product: checked bit for bit against a
// scalar loop that sums in the documented order (so the 8-row tiles of the WASM build
// and the 12-row tiles of the native one give the same bits), and to a rounding bound
// against a double-precision product (the independent oracle), on every transposition,
// with and without accumulation, on edge shapes and on shapes that cross its blocking;
// then the float MLP's gradient and HVP through it against the same through Eigen,
// and bit-identical across thread counts.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/data.hpp"
#include "eoslab/gemm.hpp"
#include "eoslab/mlp.hpp"
#include "eoslab/pool.hpp"
#include "eoslab/rng.hpp"

namespace {

// Switches the MLP's kernel for one scope and restores the build's default.
struct GemmChoice {
  explicit GemmChoice(bool own) { eos::set_own_gemm(own); }
  ~GemmChoice() { eos::set_own_gemm(eos::kOwnGemmDefault); }
};

// A column-major matrix with a leading dimension larger than its rows (a view into a
// bigger array, like the MLP's example blocks), filled from a seeded normal.
struct Strided {
  std::int64_t rows, cols, ld;
  std::vector<float> v;
  Strided(std::int64_t r, std::int64_t c, std::int64_t pad, std::uint64_t seed) : rows(r), cols(c), ld(r + pad) {
    v.assign(std::size_t(ld * c), std::numeric_limits<float>::quiet_NaN());  // padding is never read
    eos::Rng rng(seed);
    for (std::int64_t j = 0; j < c; ++j)
      for (std::int64_t i = 0; i < r; ++i) v[std::size_t(i + j * ld)] = float(rng.normal());
  }
  float at(std::int64_t i, std::int64_t j) const { return v[std::size_t(i + j * ld)]; }
};

// op(X)(i, k) of a stored matrix.
float op(const Strided& X, bool trans, std::int64_t i, std::int64_t k) { return trans ? X.at(k, i) : X.at(i, k); }

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("gemm_f32 sums in k order (chunks of 256) and agrees with a double product", "[gemm]") {
  struct Shape {
    std::int64_t M, N, K;
  };
  const std::vector<Shape> shapes = {
      {1, 1, 1},   {3, 5, 2},     {8, 4, 7},    {9, 5, 1},     {17, 13, 33},  {30, 20, 1},  // edges, tiny layers
      {200, 72, 200}, {200, 200, 72}, {10, 64, 200},                                        // problem B's blocks
      {131, 6, 300}, {5, 517, 9},   {197, 515, 260},                                        // across MC, KC, NC
  };
  std::uint64_t seed = 1;
  for (const Shape& s : shapes) {
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      for (int variant = 0; variant < 4; ++variant) {
        const bool acc = variant & 1;
        const int tile_rows = variant & 2 ? 12 : 8;  // the WASM build's tiles and the native build's
        INFO("M " << s.M << " N " << s.N << " K " << s.K << " trans_a " << ta << " trans_b " << tb << " accumulate "
                  << acc << " tile rows " << tile_rows);
        const Strided A(ta ? s.K : s.M, ta ? s.M : s.K, 3, seed++), B(tb ? s.N : s.K, tb ? s.K : s.N, 1, seed++);
        Strided C(s.M, s.N, 2, seed++);
        const Strided C0 = C;
        eos::gemm_f32(ta, tb, s.M, s.N, s.K, A.v.data(), A.ld, B.v.data(), B.ld, C.v.data(), C.ld, acc, tile_rows);
        double worst = 0;
        for (std::int64_t j = 0; j < s.N; ++j) {
          for (std::int64_t i = 0; i < s.M; ++i) {
            // The documented order, in float: each chunk of 256 summed from zero, then
            // added to C (to the old C first when accumulating).
            float c = acc ? C0.at(i, j) : 0.f;
            double ref = acc ? double(C0.at(i, j)) : 0.0, mag = std::abs(ref);
            for (std::int64_t k0 = 0; k0 < s.K; k0 += 256) {
              float part = 0.f;
              for (std::int64_t k = k0; k < std::min(s.K, k0 + 256); ++k) {
                const float a = op(A, ta, i, k), b = op(B, tb, k, j);
                part += a * b;
                ref += double(a) * double(b);
                mag += std::abs(double(a) * double(b));
              }
              c = (k0 == 0 && !acc) ? part : c + part;
            }
            REQUIRE(same_bits(C.at(i, j), c));
            // Rounding bound of a float dot product: (K + 1) u sum |a b|.
            const double err = std::abs(double(C.at(i, j)) - ref);
            REQUIRE(err <= double(s.K + 1) * 0x1p-24 * mag);
            worst = std::max(worst, err / (mag + 1e-30));
          }
          // The padding rows of C are left alone.
          for (std::int64_t i = s.M; i < C.ld; ++i) REQUIRE(same_bits(C.at(i, j), C0.at(i, j)));
        }
        CHECK(worst < 1e-5);
      }
    }
  }
}

TEST_CASE("gemm_f32: empty shapes, and K = 0 clears or keeps C", "[gemm]") {
  std::vector<float> C = {1.f, 2.f, 3.f, 4.f};
  const float dummy = 7.f;
  eos::gemm_f32(false, false, 0, 2, 3, &dummy, 1, &dummy, 3, C.data(), 1, false);
  eos::gemm_f32(false, false, 2, 0, 3, &dummy, 2, &dummy, 3, C.data(), 2, false);
  CHECK(C == std::vector<float>{1.f, 2.f, 3.f, 4.f});
  eos::gemm_f32(false, false, 2, 2, 0, &dummy, 2, &dummy, 1, C.data(), 2, true);
  CHECK(C == std::vector<float>{1.f, 2.f, 3.f, 4.f});
  eos::gemm_f32(false, false, 2, 2, 0, &dummy, 2, &dummy, 1, C.data(), 2, false);
  CHECK(C == std::vector<float>{0.f, 0.f, 0.f, 0.f});
}

TEST_CASE("the float MLP through gemm_f32 matches it through Eigen, and is bit-identical across threads", "[gemm]") {
  for (const char* loss : {"mse", "ce"}) {
    eos::Config c;
    c.dataset = "gaussian-mixture";
    c.n = 300;  // 4 example blocks
    c.d = 12;
    c.classes = 5;
    c.noise = 1;
    c.widths = {40, 24};
    c.loss = loss;
    c.seed = 4;
    const eos::Spec s = eos::validate(c);
    const eos::Dataset d = eos::make_dataset(s);
    eos::Mlp<float> m(s, d);
    REQUIRE(m.blocks().count > 1);
    const Eigen::VectorXf th = m.init_params(s).cast<float>();
    eos::Rng r(9);
    Eigen::VectorXf v(th.size());
    for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = float(r.normal());

    auto eval = [&](bool own, int threads, Eigen::VectorXf& g, Eigen::VectorXf& hv) {
      GemmChoice choice(own);
      eos::ThreadPool pool(threads);
      m.set_pool(threads > 1 ? &pool : nullptr);
      const double l = m.loss_grad(th, g);
      m.hvp(v, hv);
      m.set_pool(nullptr);
      return l;
    };
    Eigen::VectorXf ge, he, g1, h1, g3, h3;
    const double le = eval(false, 1, ge, he), l1 = eval(true, 1, g1, h1), l3 = eval(true, 3, g3, h3);
    INFO("loss " << loss << ": Eigen " << le << ", own " << l1);
    CHECK(std::abs(le - l1) <= 1e-6 * std::abs(le));
    CHECK((ge - g1).norm() <= 1e-5 * ge.norm());
    CHECK((he - h1).norm() <= 1e-5 * he.norm());
    REQUIRE(l1 == l3);
    for (Eigen::Index i = 0; i < g1.size(); ++i) {
      REQUIRE(same_bits(g1[i], g3[i]));
      REQUIRE(same_bits(h1[i], h3[i]));
    }
  }
}
