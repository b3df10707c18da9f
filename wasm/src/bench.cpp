// Benchmark workloads (see bench.hpp): the same timing code for native and WASM.
#include "eoslab/bench.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "eoslab/experiment.hpp"
#include "eoslab/mlp.hpp"
#include "eoslab/pool.hpp"
#include "eoslab/rng.hpp"

namespace eos {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

template <class F>
double best_of(int reps, F&& f) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    f();
    best = std::min(best, ms_since(t0));
  }
  return best;
}

template <class T>
double hvp_ms(const Config& c, int inner, ThreadPool* pool) {
  const Spec s = validate(c);
  const Dataset d = make_dataset(s);
  Mlp<T> m(s, d);
  m.set_pool(pool);
  using Vec = typename Mlp<T>::Vec;
  Vec th = m.init_params(s).template cast<T>(), g, v(m.num_params()), hv;
  Rng rng(1);
  for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = T(rng.normal());
  m.loss_grad(th, g);
  return best_of(5, [&] { for (int i = 0; i < inner; ++i) m.hvp(v, hv); }) / inner;
}

// Round trip of ThreadPool::run with empty jobs (BenchResult::pool_run_us, pool_wake_us).
void pool_round_trip(int threads, double& run_us, double& wake_us) {
  ThreadPool pool(threads);
  if (pool.size() < 2) return;
  std::atomic<int> sink{0};
  const std::function<void(int)> f = [&](int i) { sink.fetch_add(i, std::memory_order_relaxed); };
  constexpr int kLoop = 200;
  run_us = best_of(5, [&] { for (int r = 0; r < kLoop; ++r) pool.run(pool.size(), f); }) * 1000.0 / kLoop;
  std::vector<double> t;
  for (int r = 0; r < 41; ++r) {
    const auto gap = Clock::now();
    while (ms_since(gap) < 1.0) {
    }
    const auto t0 = Clock::now();
    pool.run(pool.size(), f);
    t.push_back(ms_since(t0) * 1000.0);
  }
  std::nth_element(t.begin(), t.begin() + 20, t.end());
  wake_us = t[20];
}

}  // namespace

Config bench_problem(char which) {
  Config c;
  if (which == 'A') {
    c.dataset = "chebyshev";
    c.degree = 6;
    c.n = 20;
    c.widths = {30, 20};
    c.lr = 0.05;
  } else {
    c.dataset = "gaussian-mixture";
    c.n = 1000;
    c.d = 32;
    c.classes = 10;
    c.noise = 1.0;
    c.widths = {200, 200};
    c.lr = 0.2;
  }
  c.act = "tanh";
  c.loss = "mse";
  c.eig_every = 0;
  return c;
}

int bench_inner(char which) { return which == 'A' ? 200 : 5; }

BenchResult bench_config(const Config& cfg, int inner, int threads, bool eigs) {
  Config c = cfg;
  c.eig_every = 0;
  inner = std::max(inner, 1);
  BenchResult R;
  {
    Experiment e(c);
    e.set_threads(threads);
    R.threads = e.threads();
    std::vector<StepRecord> rec;
    rec.reserve(std::size_t(inner));
    R.params = e.num_params();
    R.step_ms = best_of(5, [&] { rec.clear(); e.step(inner, rec); }) / inner;
  }
  {
    std::unique_ptr<ThreadPool> pool;
    if (threads > 1) pool = std::make_unique<ThreadPool>(threads);
    R.hvp_ms = validate(c).precision == Precision::Float64 ? hvp_ms<double>(c, inner, pool.get())
                                                           : hvp_ms<float>(c, inner, pool.get());
  }
  if (threads > 1) pool_round_trip(threads, R.pool_run_us, R.pool_wake_us);
  for (int i = 0; eigs && i < 2; ++i) {
    const int k = i == 0 ? 1 : 5;
    Config ck = c;
    ck.neigs = k;
    double cold = 1e300, warm = 1e300;
    for (int rep = 0; rep < 3; ++rep) {
      Experiment e(ck);
      e.set_threads(threads);
      std::vector<StepRecord> rec;
      auto t0 = Clock::now();
      const SharpnessResult s0 = e.sharpness(k);
      cold = std::min(cold, ms_since(t0));
      R.cold_hvps[i] = s0.hvps;
      e.step(1, rec);
      t0 = Clock::now();
      const SharpnessResult s1 = e.sharpness(k);
      warm = std::min(warm, ms_since(t0));
      R.warm_hvps[i] = s1.hvps;
    }
    R.cold_ms[i] = cold;
    R.warm_ms[i] = warm;
  }
  return R;
}

}  // namespace eos
