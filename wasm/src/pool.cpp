// The example blocks and the thread pool of pool.hpp.
#include "eoslab/pool.hpp"

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
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::drain() {
  for (;;) {
    int i;
    const std::function<void(int)>* f;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (next_ >= count_) return;
      i = next_++;
      f = job_;
    }
    try {
      (*f)(i);
    } catch (...) {
      std::lock_guard<std::mutex> lk(mu_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

void ThreadPool::work(int) {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      wake_.wait(lk, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    drain();
    std::lock_guard<std::mutex> lk(mu_);
    if (--busy_ == 0) done_.notify_one();
  }
}

void ThreadPool::run(int count, const std::function<void(int)>& f) {
  if (count <= 0) return;
  if (workers_.empty() || count == 1) {
    for (int i = 0; i < count; ++i) f(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    job_ = &f;
    count_ = count;
    next_ = 0;
    busy_ = int(workers_.size());
    error_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  drain();
  std::exception_ptr err;
  {
    std::unique_lock<std::mutex> lk(mu_);
    done_.wait(lk, [&] { return busy_ == 0; });
    job_ = nullptr;
    count_ = 0;
    err = error_;
    error_ = nullptr;
  }
  if (err) std::rethrow_exception(err);
}

}  // namespace eos
