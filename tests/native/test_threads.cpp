// Sharded evaluation and threads: the example blocks depend on n only; the sharded
// gradient and Hessian-vector product are checked against finite differences (the
// independent oracle) with small blocks; and runs on 1, 2 and 3 threads give the
// same records, parameters and eigenvalues bit for bit, in process and through
// `eos-run --threads`.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/data.hpp"
#include "eoslab/experiment.hpp"
#include "eoslab/mlp.hpp"
#include "eoslab/pool.hpp"
#include "eoslab/rng.hpp"

namespace {

// Same bits (NaN == NaN, -0 != +0).
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void require_same_records(const std::vector<eos::StepRecord>& a, const std::vector<eos::StepRecord>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("record " << i);
    REQUIRE(a[i].step == b[i].step);
    REQUIRE(same_bits(a[i].loss, b[i].loss));
    REQUIRE(same_bits(a[i].accuracy, b[i].accuracy));
    REQUIRE(same_bits(a[i].grad_norm, b[i].grad_norm));
    REQUIRE(same_bits(a[i].lr, b[i].lr));
    REQUIRE(a[i].neig == b[i].neig);
    REQUIRE(a[i].hvps == b[i].hvps);
    for (int k = 0; k < a[i].neig; ++k) REQUIRE(same_bits(a[i].eig[k], b[i].eig[k]));
  }
}

struct Run {
  std::vector<eos::StepRecord> recs;
  std::vector<double> params;
  int threads = 0;
};

Run run(const eos::Config& c, int threads, int steps) {
  eos::Experiment e(c);
  e.set_threads(threads);
  Run r;
  r.threads = e.threads();
  e.step(steps, r.recs);
  r.params = e.params();
  return r;
}

// Runs cmd, returns its stdout.
std::string capture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed");
  char buf[4096];
  std::size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, got);
  pclose(p);
  return out;
}

}  // namespace

TEST_CASE("example blocks depend on n only and cover the batch", "[threads]") {
  for (std::int64_t n : {1, 9, 64, 65, 100, 200, 1000, 1001, 4096, 20000}) {
    INFO("n = " << n);
    const eos::BlockLayout b = eos::example_blocks(n);
    REQUIRE(b.count >= 1);
    REQUIRE(b.count <= eos::BlockLayout::kMaxBlocks);
    std::int64_t total = 0;
    for (int i = 0; i < b.count; ++i) {
      REQUIRE(b.begin(i) == total);
      REQUIRE(b.length(i, n) > 0);
      total += b.length(i, n);
    }
    REQUIRE(total == n);
    if (b.count > 1) {
      CHECK(b.size % 8 == 0);
      CHECK(b.size >= eos::BlockLayout::kMinBlock);
    }
  }
  CHECK(eos::example_blocks(40).count == 1);  // the toy problems stay in one block
  CHECK(eos::example_blocks(127).count == 1);
  CHECK(eos::example_blocks(128).count == 2);
  CHECK(eos::example_blocks(1000).count >= 8);  // work for 8 threads on problem B
}

TEST_CASE("thread pool: every index once, exceptions reach the caller", "[threads]") {
  // Waiters poll for spin_micros() before they sleep: check both paths, back-to-back runs
  // (caught while spinning) and runs after a pause longer than the spin (workers asleep).
  const int spin0 = eos::ThreadPool::spin_micros();
  CHECK(spin0 == eos::ThreadPool::kSpinMicros);
  eos::ThreadPool::set_spin_micros(-5);
  CHECK(eos::ThreadPool::spin_micros() == 0);
  eos::ThreadPool::set_spin_micros(1 << 30);
  CHECK(eos::ThreadPool::spin_micros() == 10000);
  for (int spin : {0, 200})
  for (int threads : {1, 2, 3, 5}) {
    eos::ThreadPool::set_spin_micros(spin);
    eos::ThreadPool pool(threads);
    CHECK(pool.size() == threads);
    for (int round = 0; round < 20; ++round) {
      INFO("spin " << spin << " threads " << threads << " round " << round);
      if (round % 5 == 4) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      std::vector<std::atomic<int>> hits(37);
      pool.run(37, [&](int i) { hits[std::size_t(i)]++; });
      for (auto& h : hits) REQUIRE(h.load() == 1);
    }
    REQUIRE_THROWS_WITH(pool.run(9, [](int i) { if (i == 4) throw std::runtime_error("block 4 failed"); }),
                        "block 4 failed");
    std::atomic<int> after{0};
    pool.run(9, [&](int) { after++; });  // still usable
    CHECK(after.load() == 9);
  }
  eos::ThreadPool::set_spin_micros(spin0);
}

TEST_CASE("sharded gradient and HVP match finite differences (small blocks, several threads)", "[threads]") {
  for (const char* loss : {"mse", "ce"}) {
    eos::Config c;
    c.dataset = "blobs";
    c.classes = 3;
    c.n = 23;  // blocks of 8: 8 + 8 + 7
    c.noise = 0.7;
    c.widths = {6, 5};
    c.loss = loss;
    c.init_scale = 1.5;
    c.precision = "float64";
    c.seed = 3;
    const eos::Spec s = eos::validate(c);
    const eos::Dataset d = eos::make_dataset(s);
    eos::Mlp<double> one(s, d), sharded(s, d, 8);
    REQUIRE(one.blocks().count == 1);
    REQUIRE(sharded.blocks().count == 3);
    eos::ThreadPool pool(3);
    sharded.set_pool(&pool);
    const Eigen::VectorXd th = one.init_params(s);
    Eigen::VectorXd g1, gs, hv1, hvs;
    const double l1 = one.loss_grad(th, g1), ls = sharded.loss_grad(th, gs);
    INFO("loss " << loss);
    CHECK(std::abs(l1 - ls) <= 1e-14 * std::abs(l1));
    CHECK((g1 - gs).norm() <= 1e-13 * g1.norm());
    // Oracle: central differences of the loss (gradient) and of the gradient (HVP).
    const double eps = 1e-6;
    Eigen::VectorXd gp, gm;
    for (Eigen::Index i = 0; i < th.size(); i += 7) {
      Eigen::VectorXd tp = th, tm = th;
      tp[i] += eps;
      tm[i] -= eps;
      const double fd = (sharded.loss_grad(tp, gp) - sharded.loss_grad(tm, gm)) / (2 * eps);
      REQUIRE(std::abs(fd - gs[i]) <= 1e-6 * (1 + std::abs(fd)));
    }
    eos::Rng r(5);
    Eigen::VectorXd v(th.size());
    for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = r.normal();
    one.loss_grad(th, g1);
    one.hvp(v, hv1);
    sharded.loss_grad(th, gs);
    sharded.hvp(v, hvs);
    CHECK((hv1 - hvs).norm() <= 1e-12 * hv1.norm());
    sharded.loss_grad(th + 1e-5 * v, gp);
    sharded.loss_grad(th - 1e-5 * v, gm);
    const Eigen::VectorXd fd = (gp - gm) / 2e-5;
    CHECK((fd - hvs).norm() <= 1e-6 * (1 + fd.norm()));
  }
}

TEST_CASE("1, 2 and 3 threads give bit-identical runs", "[threads]") {
  struct Case {
    const char* name;
    eos::Config c;
  };
  std::vector<Case> cases;
  {
    eos::Config c;  // float32 classification, 4 blocks, eigenvalues every 5 steps
    c.dataset = "gaussian-mixture";
    c.n = 300;
    c.d = 8;
    c.classes = 4;
    c.noise = 1;
    c.widths = {24, 16};
    c.lr = 0.5;
    c.eig_every = 5;
    c.neigs = 3;
    cases.push_back({"gaussian-mixture mse float32", c});
    c.loss = "ce";
    c.bias = false;
    c.act = "gelu";
    c.opt = "nesterov";
    c.beta = 0.9;
    cases.push_back({"gaussian-mixture ce gelu nesterov no bias", c});
  }
  {
    eos::Config c;  // regression, gradient flow (RK4 evaluates the gradient off the iterate)
    c.dataset = "chebyshev";
    c.degree = 4;
    c.n = 200;
    c.widths = {16};
    c.opt = "flow";
    c.eig_every = 4;
    cases.push_back({"chebyshev flow", c});
  }
  for (const Case& k : cases) {
    INFO(k.name);
    REQUIRE(eos::example_blocks(k.c.n).count > 2);
    const Run a = run(k.c, 1, 20), b = run(k.c, 2, 20), c3 = run(k.c, 3, 20);
    CHECK(a.threads == 1);
    CHECK(b.threads == 2);
    CHECK(c3.threads == 3);
    require_same_records(a.recs, b.recs);
    require_same_records(a.recs, c3.recs);
    REQUIRE(a.params.size() == b.params.size());
    for (std::size_t i = 0; i < a.params.size(); ++i) {
      REQUIRE(same_bits(a.params[i], b.params[i]));
      REQUIRE(same_bits(a.params[i], c3.params[i]));
    }
    // The eigenvalues were measured (a vacuous comparison would pass).
    CHECK(a.recs[0].neig > 0);
  }
}

TEST_CASE("a run may change its thread count between steps without changing its results", "[threads]") {
  eos::Config c;
  c.dataset = "gaussian-mixture";
  c.n = 400;
  c.d = 6;
  c.classes = 3;
  c.widths = {20};
  c.eig_every = 3;
  const Run ref = run(c, 1, 12);
  eos::Experiment e(c);
  std::vector<eos::StepRecord> recs;
  for (int t : {3, 1, 2, 4}) {
    e.set_threads(t);
    CHECK(e.threads() == t);
    e.step(3, recs);
  }
  require_same_records(ref.recs, recs);
  e.set_threads(0);  // clamped to 1
  CHECK(e.threads() == 1);
}

TEST_CASE("eos-run --threads 1 and 3 print the same bytes, bad values are refused", "[threads][cli]") {
  const std::string base = std::string(EOS_RUN_PATH) +
                           " --dataset gaussian-mixture --n 260 --d 5 --classes 3 --widths 12 --steps 30"
                           " --eig-every 10 --format json";
  const std::string one = capture(base + " --threads 1 2>&1"), three = capture(base + " --threads 3 2>&1");
  REQUIRE(one.find("\"records\"") != std::string::npos);
  CHECK(one == three);
  const std::string bad = capture(std::string(EOS_RUN_PATH) + " --threads 0 2>&1");
  CHECK(bad == "eos-run: --threads must be an integer in [1, 64], got 0\n");
  const std::string word = capture(std::string(EOS_RUN_PATH) + " --threads many 2>&1");
  CHECK(word == "eos-run: --threads must be an integer in [1, 64], got 'many'\n");
}
