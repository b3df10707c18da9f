// The example blocks and the thread pool of pool.hpp.
#include "eoslab/pool.hpp"

#include <chrono>
#include <system_error>

namespace eos {

BlockLayout example_blocks(std::int64_t n) {
  BlockLayout b;
  const std::int64_t want = std::min<std::int64_t>(BlockLayout::kMaxBlocks, n / BlockLayout::kMinBlock);
  if (want <= 1) {
    b.count = 1;
    b.size = std::max<std::int64_t>(n, 1);
    return b;
  }
  const std::int64_t per = (n + want - 1) / want;
  b.size = (per + 7) / 8 * 8;
  b.count = int((n + b.size - 1) / b.size);
  return b;
}

int default_threads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return std::clamp(int(hw == 0 ? 1 : hw), 1, kDefaultThreadCap);
}

ThreadPool::ThreadPool(int threads) {
  threads = std::clamp(threads, 1, kMaxThreads);
  for (int i = 1; i < threads; ++i) {
    try {
      workers_.emplace_back([this, i] { work(i); });
    } catch (const std::system_error&) {
      break;  // no (more) threads on this platform: run on those we have
    }
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_.store(true);
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

namespace {

std::atomic<int> g_spin_micros{ThreadPool::kSpinMicros};

// Polls ready() for up to spin_micros(); true when it became true. The clock is read
// every 64 polls (in WebAssembly it is a call out to performance.now()).
template <class Ready>
bool spin_until(Ready&& ready) {
  using Clock = std::chrono::steady_clock;
  const int us = g_spin_micros.load(std::memory_order_relaxed);
  if (us == 0 || ready()) return ready();
  const auto end = Clock::now() + std::chrono::microseconds(us);
  for (unsigned i = 1;; ++i) {
    if (ready()) return true;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (i % 64 == 0 && Clock::now() > end) return ready();
  }
}

}  // namespace

int ThreadPool::spin_micros() { return g_spin_micros.load(); }
void ThreadPool::set_spin_micros(int us) { g_spin_micros.store(std::clamp(us, 0, 10000)); }

void ThreadPool::drain() {
  const std::function<void(int)>& f = *job_;
  for (;;) {
    const int i = next_.fetch_add(1, std::memory_order_relaxed);
    if (i >= count_) return;
    try {
      f(i);
    } catch (...) {
      std::lock_guard<std::mutex> lk(mu_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

void ThreadPool::work(int) {
  std::uint64_t seen = 0;
  const auto fresh = [&] { return stop_.load(std::memory_order_acquire) || generation_.load(std::memory_order_acquire) != seen; };
  for (;;) {
    if (!spin_until(fresh)) {
      std::unique_lock<std::mutex> lk(mu_);
      wake_.wait(lk, fresh);
    }
    if (stop_.load(std::memory_order_acquire)) return;
    seen = generation_.load(std::memory_order_acquire);
    drain();
    // The last worker out wakes the caller if it went to sleep. Taking mu_ orders the
    // notify after the caller's predicate check, so the wake-up cannot be lost.
    if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lk(mu_);
      done_.notify_one();
    }
  }
}

void ThreadPool::run(int count, const std::function<void(int)>& f) {
  if (count <= 0) return;
  if (workers_.empty() || count == 1) {
    for (int i = 0; i < count; ++i) f(i);
    return;
  }
  // No worker is inside drain() here: the previous run returned only once busy_ was 0.
  job_ = &f;
  count_ = count;
  next_.store(0, std::memory_order_relaxed);
  busy_.store(int(workers_.size()), std::memory_order_relaxed);
  {
    // Bumped under mu_ so that a worker between its predicate check and its sleep
    // cannot miss it.
    std::lock_guard<std::mutex> lk(mu_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  drain();
  const auto finished = [&] { return busy_.load(std::memory_order_acquire) == 0; };
  std::exception_ptr err;
  if (!spin_until(finished)) {
    std::unique_lock<std::mutex> lk(mu_);
    done_.wait(lk, finished);
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    job_ = nullptr;
    count_ = 0;
    err = error_;
    error_ = nullptr;
  }
  if (err) std::rethrow_exception(err);
}

}  // namespace eos
