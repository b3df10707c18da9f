// Benchmark workloads shared by the native benchmark (bench/bench_native.cpp) and
// the WASM one (bindings' bench(), driven by bench/bench_wasm.mjs), so that both
// time exactly the same code on exactly the same problems.
#pragma once

#include <string>

#include "eoslab/config.hpp"

namespace eos {

// Problem 'A' (chebyshev T6, n=20, 1-30-20-1 tanh, mse) or 'B' (gaussian-mixture
// n=1000, d=32, c=10, 32-200-200-10 tanh, mse); float32, no eigenvalues while stepping.
Config bench_problem(char which);
// Steps per timing of the GD step and HVP loops: many for the tiny A, few for B.
int bench_inner(char which);

struct BenchResult {
  long long params = 0;
  int threads = 1;     // threads actually used
  double step_ms = 0;  // one GD step (gradient + update), best of 5
  double hvp_ms = 0;   // one Hessian-vector product at a fixed point, best of 5
  // Top-k sharpness, k = 1 (index 0) and k = 5 (index 1): cold at init, then warm
  // after one GD step; best of 3, with the HVPs used.
  double cold_ms[2] = {0, 0}, warm_ms[2] = {0, 0};
  int cold_hvps[2] = {0, 0}, warm_hvps[2] = {0, 0};
  // ThreadPool::run of `threads` empty jobs, in microseconds (0 on one thread): back to
  // back (best of 5 loops of 200), and after 1 ms of serial work, when the workers have
  // stopped spinning and sleep (median of 41): what a run costs beyond its work.
  double pool_run_us = 0, pool_wake_us = 0;
};

// Times the workloads above on config c with `threads` threads (Experiment::set_threads);
// steady_clock is performance.now() in WASM. eigs false skips the top-k rows (left at 0):
// the browser benchmark interleaves many short 1- and 2-thread rounds.
BenchResult bench_config(const Config& c, int inner, int threads = 1, bool eigs = true);

}  // namespace eos
