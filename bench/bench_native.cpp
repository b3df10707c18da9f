// Native benchmark (not a test): ms per GD step, per Hessian-vector product, per
// top-1 and top-5 sharpness (cold and warm-started Lanczos, with the HVPs used),
// for problem A (chebyshev degree 6, n=20, widths 30,20, tanh) and problem B
// (gaussian-mixture n=1000, d=32, c=10, widths 200,200, tanh, mse), float32.
// `--json` prints one JSON object per problem for bench/bench_wasm.mjs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "eoslab/experiment.hpp"
#include "eoslab/mlp.hpp"
#include "eoslab/rng.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

eos::Config problem(char which) {
  eos::Config c;
  if (which == 'A') {
    c.dataset = "chebyshev";
    c.degree = 6;
    c.n = 20;
    c.widths = {30, 20};
  } else {
    c.dataset = "gaussian-mixture";
    c.n = 1000;
    c.d = 32;
    c.classes = 10;
    c.noise = 1.0;
    c.widths = {200, 200};
  }
  c.act = "tanh";
  c.loss = "mse";
  c.lr = which == 'A' ? 0.05 : 0.2;
  c.eig_every = 0;
  return c;
}

struct Result {
  char name;
  long long params;
  double step_ms, hvp_ms, top1_cold_ms, top1_warm_ms, top5_cold_ms, top5_warm_ms;
  int top1_cold_hvps, top1_warm_hvps, top5_cold_hvps, top5_warm_hvps;
};

// Best of `reps` timings of f (ms).
template <class F>
double best_of(int reps, F&& f) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    f();
    best = std::min(best, ms_since(t0));
  }
  return best;
}

Result run(char which) {
  Result R{};
  R.name = which;
  const eos::Config c = problem(which);
  const int inner = which == 'A' ? 200 : 5;
  {  // GD steps (gradient + update, no eigenvalues).
    eos::Experiment e(c);
    std::vector<eos::StepRecord> rec;
    rec.reserve(std::size_t(inner));
    R.params = e.num_params();
    R.step_ms = best_of(5, [&] { rec.clear(); e.step(inner, rec); }) / inner;
  }
  {  // HVPs at a fixed point.
    const eos::Spec s = eos::validate(c);
    const eos::Dataset d = eos::make_dataset(s);
    eos::Mlp<float> m(s, d);
    Eigen::VectorXf th = m.init_params(s).cast<float>(), g, v(m.num_params()), hv;
    eos::Rng rng(1);
    for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = float(rng.normal());
    m.loss_grad(th, g);
    R.hvp_ms = best_of(5, [&] { for (int i = 0; i < inner; ++i) m.hvp(v, hv); }) / inner;
  }
  for (int k : {1, 5}) {  // Lanczos: cold at init, then warm after one GD step
    eos::Config ck = c;
    ck.neigs = k;
    double cold = 1e300, warm = 1e300;
    int cold_h = 0, warm_h = 0;
    for (int rep = 0; rep < 3; ++rep) {
      eos::Experiment e(ck);
      std::vector<eos::StepRecord> rec;
      auto t0 = Clock::now();
      eos::SharpnessResult s0 = e.sharpness(k);
      cold = std::min(cold, ms_since(t0));
      cold_h = s0.hvps;
      e.step(1, rec);
      t0 = Clock::now();
      eos::SharpnessResult s1 = e.sharpness(k);
      warm = std::min(warm, ms_since(t0));
      warm_h = s1.hvps;
    }
    if (k == 1) {
      R.top1_cold_ms = cold; R.top1_warm_ms = warm; R.top1_cold_hvps = cold_h; R.top1_warm_hvps = warm_h;
    } else {
      R.top5_cold_ms = cold; R.top5_warm_ms = warm; R.top5_cold_hvps = cold_h; R.top5_warm_hvps = warm_h;
    }
  }
  return R;
}

}  // namespace

int main(int argc, char** argv) {
  const bool json = argc > 1 && std::strcmp(argv[1], "--json") == 0;
  std::vector<Result> rs;
  for (char p : {'A', 'B'}) rs.push_back(run(p));
  if (json) {
    std::printf("[");
    for (std::size_t i = 0; i < rs.size(); ++i) {
      const Result& r = rs[i];
      std::printf("%s{\"problem\":\"%c\",\"params\":%lld,\"step_ms\":%.6g,\"hvp_ms\":%.6g,"
                  "\"top1_cold_ms\":%.6g,\"top1_cold_hvps\":%d,\"top1_warm_ms\":%.6g,\"top1_warm_hvps\":%d,"
                  "\"top5_cold_ms\":%.6g,\"top5_cold_hvps\":%d,\"top5_warm_ms\":%.6g,\"top5_warm_hvps\":%d}",
                  i ? "," : "", r.name, r.params, r.step_ms, r.hvp_ms, r.top1_cold_ms, r.top1_cold_hvps,
                  r.top1_warm_ms, r.top1_warm_hvps, r.top5_cold_ms, r.top5_cold_hvps, r.top5_warm_ms,
                  r.top5_warm_hvps);
    }
    std::printf("]\n");
    return 0;
  }
  std::printf("EoS Lab native benchmark (float32, best of reps, ms)\n");
  std::printf("%-3s %8s %9s %9s %18s %18s %18s %18s\n", "", "params", "GD step", "HVP", "top-1 cold (HVPs)",
              "top-1 warm (HVPs)", "top-5 cold (HVPs)", "top-5 warm (HVPs)");
  for (const Result& r : rs)
    std::printf("%-3c %8lld %9.4f %9.4f %11.3f (%4d) %11.3f (%4d) %11.3f (%4d) %11.3f (%4d)\n", r.name, r.params,
                r.step_ms, r.hvp_ms, r.top1_cold_ms, r.top1_cold_hvps, r.top1_warm_ms, r.top1_warm_hvps,
                r.top5_cold_ms, r.top5_cold_hvps, r.top5_warm_ms, r.top5_warm_hvps);
  std::printf("A: chebyshev T6, n=20, 1-30-20-1 tanh mse. B: gaussian-mixture n=1000, d=32, c=10, 32-200-200-10 tanh mse.\n");
  return 0;
}
