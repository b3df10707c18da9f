// Output of eos-run: the per-step records as CSV or JSON on stdout, and the
// problem dump (--dump-problem). Doubles are written so that they read back bit
// for bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eoslab/experiment.hpp"

namespace eos::cli {

// Streams the records of one run to stdout, in chunks through one buffer.
class Writer {
 public:
  Writer(bool json, const Experiment& e);
  // CSV: the header. JSON: {"config":{..},"steps":N,"records":[
  void begin(const Config& cfg, std::int64_t steps);
  void records(const std::vector<StepRecord>& recs);
  // JSON: ],"status":"ok"|"diverged","changes":[{step,lr_old,lr_new,beta_old,beta_new}]}
  void end(const Experiment& e);

 private:
  void csv_record(const StepRecord& r);
  void json_record(const StepRecord& r);
  void flush();

  bool json_;
  int k_;
  bool classification_, flow_;
  bool adaptive_, central_, test_, valley_;  // raw1..k (adam, rmsprop); pred_loss,sigma2 (central); test_loss,test_accuracy (n_test > 0); u_proj (valley on)
  long long n_written_ = 0;
  std::string buf_;
};

// {"X":[[..d_in..] x n],"Y":[[..d_out..] x n],"layers":[{"W":[[..in..] x out],"b":[..]}],"config":{..}}
// Throws std::runtime_error naming --dump-problem when the file cannot be written.
void dump_problem(const std::string& path, const Experiment& e);

}  // namespace eos::cli
