// Data parallelism for the full-batch sums: the examples are cut into fixed blocks
// whose layout depends on n only, each block's partial sum (loss, gradient, HVP) is
// computed on its own, and the partials are added in block order. Which thread
// computes a block never changes what it computes, so results are bit-identical for
// any thread count. ThreadPool runs the blocks on std::thread workers (in WebAssembly
// they are pthreads of the threaded module; the single-threaded module runs them all
// on the caller).
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace eos {

// Upper bound of the thread count an experiment accepts (CLI --threads, setThreads).
inline constexpr int kMaxThreads = 64;
// Default thread count of the CLI: the cores, capped here.
inline constexpr int kDefaultThreadCap = 8;

// The example blocks of an n-example batch: `count` blocks of `size` columns (the last
// one shorter). count = min(kMaxBlocks, floor(n / kMinBlock)), at least 1, so `size` is at
// least kMinBlock; `size` is a multiple of 8 (every block starts 32-byte aligned in float
// and double). Batches under 2 kMinBlock examples (the toy problems) are one block.
struct BlockLayout {
  int count = 1;
  std::int64_t size = 0;
  static constexpr std::int64_t kMinBlock = 64;
  static constexpr int kMaxBlocks = 16;
  std::int64_t begin(int b) const { return std::int64_t(b) * size; }
  std::int64_t length(int b, std::int64_t n) const {
    const std::int64_t e = std::min<std::int64_t>(n, begin(b) + size);
    return e - begin(b);
  }
};
BlockLayout example_blocks(std::int64_t n);

// min(hardware threads, kDefaultThreadCap), at least 1.
int default_threads();

// A fixed set of worker threads plus the calling thread. run(count, f) calls f(i) for
// every i in [0, count) exactly once, spread over the threads, and returns when all
// calls are done; the first exception thrown by f is rethrown in the caller.
//
// Waiting: a GD step is two runs (the blocks, then the reduction) a few microseconds
// apart, and an HVP the same. Blocking on the condition variable at once costs a futex
// sleep and wake per run on each side (in WebAssembly, Atomics.wait/notify). So each
// waiter, a worker waiting for the next run or the caller waiting for the last block,
// first polls an atomic for spin_micros(), then blocks. In Chromium this takes an empty
// run's round trip from 12.7 to 1.3 us back to back, and from 60 to 45 us after 1 ms of
// serial work (bench/threads-engine-browser.mjs); the step's and HVP's speed-ups did not
// move beyond the host's noise. The spin is bounded, so an idle pool sleeps.
class ThreadPool {
 public:
  // `threads` in total, the caller included: threads - 1 workers are started. If the
  // platform refuses a thread (a WebAssembly module without threads, an exhausted
  // pthread pool), the pool keeps the ones it got.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return int(workers_.size()) + 1; }
  void run(int count, const std::function<void(int)>& f);

  // How long a waiter polls before it blocks, for every pool of the process (0: block
  // at once, the behaviour before; benchmarks compare the two).
  static constexpr int kSpinMicros = 200;
  static int spin_micros();
  static void set_spin_micros(int us);  // clamped to [0, 10000]

 private:
  void work(int id);
  void drain();

  std::vector<std::thread> workers_;
  std::mutex mu_;                         // guards the blocking waits and error_
  std::condition_variable wake_, done_;
  // The job of the current run: written by run() before generation_ is bumped (release),
  // read by the workers after they see the new generation (acquire).
  const std::function<void(int)>* job_ = nullptr;
  int count_ = 0;
  std::atomic<int> next_{0};              // next index to hand out
  std::atomic<int> busy_{0};              // workers that have not finished this run
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  std::exception_ptr error_;
};

}  // namespace eos
