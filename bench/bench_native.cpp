// Native benchmark (not a test): ms per GD step, per Hessian-vector product, per
// top-1 and top-5 sharpness (cold and warm-started Lanczos, with the HVPs used),
// for problems A and B of eoslab/bench.hpp, float32. `--json` prints one JSON
// object per problem for bench/bench_wasm.mjs, which runs the same code in WASM;
// `--threads N` evaluates the example blocks on N threads; `--gemm own|eigen` picks the
// float products' kernel (eoslab/gemm.hpp; the default is the build's); `--spin US` how
// long the thread pool's waiters poll before they block (eoslab/pool.hpp); `--problem A|B`
// runs one problem only and `--no-eigs` skips the sharpness rows (quick paired rounds:
// bench/threads-engine-browser.mjs runs it between its Chromium rounds as a native control).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "eoslab/bench.hpp"
#include "eoslab/gemm.hpp"
#include "eoslab/pool.hpp"

int main(int argc, char** argv) {
  bool json = false;
  int threads = 1;
  bool eigs = true;
  std::vector<char> problems = {'A', 'B'};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) json = true;
    else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--gemm") == 0 && i + 1 < argc) eos::set_own_gemm(std::strcmp(argv[++i], "own") == 0);
    else if (std::strcmp(argv[i], "--spin") == 0 && i + 1 < argc) eos::ThreadPool::set_spin_micros(std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--no-eigs") == 0) eigs = false;
    else if (std::strcmp(argv[i], "--problem") == 0 && i + 1 < argc) {
      const char* q = argv[++i];
      if ((q[0] != 'A' && q[0] != 'B') || q[1] != '\0') {
        std::fprintf(stderr, "eos-bench: --problem must be A or B, got '%s'\n", q);
        return 2;
      }
      problems = {q[0]};
    } else {
      std::fprintf(stderr, "eos-bench: unknown argument '%s' (known: --json, --threads N, --gemm own|eigen, --spin US, "
                           "--problem A|B, --no-eigs)\n", argv[i]);
      return 2;
    }
  }
  if (threads < 1) threads = 1;
  std::vector<std::pair<char, eos::BenchResult>> rs;
  for (char p : problems)
    rs.emplace_back(p, eos::bench_config(eos::bench_problem(p), eos::bench_inner(p), threads, eigs));
  if (json) {
    std::printf("[");
    for (std::size_t i = 0; i < rs.size(); ++i) {
      const auto& [name, r] = rs[i];
      std::printf("%s{\"problem\":\"%c\",\"gemm\":\"%s\",\"threads\":%d,\"params\":%lld,\"step_ms\":%.6g,\"hvp_ms\":%.6g,"
                  "\"top1_cold_ms\":%.6g,\"top1_cold_hvps\":%d,\"top1_warm_ms\":%.6g,\"top1_warm_hvps\":%d,"
                  "\"top5_cold_ms\":%.6g,\"top5_cold_hvps\":%d,\"top5_warm_ms\":%.6g,\"top5_warm_hvps\":%d,"
                  "\"pool_run_us\":%.6g,\"pool_wake_us\":%.6g,\"spin_us\":%d}",
                  i ? "," : "", name, eos::use_own_gemm() ? "own" : "eigen", r.threads, r.params, r.step_ms, r.hvp_ms, r.cold_ms[0], r.cold_hvps[0], r.warm_ms[0],
                  r.warm_hvps[0], r.cold_ms[1], r.cold_hvps[1], r.warm_ms[1], r.warm_hvps[1], r.pool_run_us,
                  r.pool_wake_us, eos::ThreadPool::spin_micros());
    }
    std::printf("]\n");
    return 0;
  }
  std::printf("EoS Lab native benchmark (float32, %d thread(s), %s GEMM, best of reps, ms)\n", rs[0].second.threads,
              eos::use_own_gemm() ? "own" : "Eigen's");
  std::printf("%-3s %8s %9s %9s %18s %18s %18s %18s\n", "", "params", "GD step", "HVP", "top-1 cold (HVPs)",
              "top-1 warm (HVPs)", "top-5 cold (HVPs)", "top-5 warm (HVPs)");
  for (const auto& [name, r] : rs)
    std::printf("%-3c %8lld %9.4f %9.4f %11.3f (%4d) %11.3f (%4d) %11.3f (%4d) %11.3f (%4d)\n", name, r.params,
                r.step_ms, r.hvp_ms, r.cold_ms[0], r.cold_hvps[0], r.warm_ms[0], r.warm_hvps[0], r.cold_ms[1],
                r.cold_hvps[1], r.warm_ms[1], r.warm_hvps[1]);
  for (const auto& [name, r] : rs)
    if (r.threads > 1)
      std::printf("%c: pool round trip %.1f us back to back, %.1f us after 1 ms of serial work (spin %d us)\n", name,
                  r.pool_run_us, r.pool_wake_us, eos::ThreadPool::spin_micros());
  std::printf("A: chebyshev T6, n=20, 1-30-20-1 tanh mse. B: gaussian-mixture n=1000, d=32, c=10, 32-200-200-10 tanh mse.\n");
  return 0;
}
