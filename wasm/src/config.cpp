// Validation of Config (the one place): each field's own range from the field
// table, then the rules that tie fields together (dataset shapes, loss vs dataset,
// Lanczos iterations vs k, the lr schedule, the memory budget); name <-> enum
// mapping and the stability thresholds.
#include "eoslab/config.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "eoslab/fields.hpp"
#include "eoslab/json.hpp"

namespace eos {
namespace {

[[noreturn]] void fail(const std::string& msg) { throw ConfigError(msg); }

// The enum whose position in the field's allowed names is that of `name` (the
// enums in config.hpp list their values in the table's order; tests check it).
template <class E>
E enum_of(const char* field_name, const std::string& name) {
  const Field& f = field(field_name);
  for (std::size_t i = 0; i < f.values.size(); ++i)
    if (name == f.values[i]) return static_cast<E>(i);
  fail(std::string(field_name) + " must be one of " + range_text(f) + ", got '" + name + "'");
}

template <class E>
const char* name_in(const char* field_name, E e) {
  const auto& values = field(field_name).values;
  const auto i = static_cast<std::size_t>(e);
  return i < values.size() ? values[i] : "?";
}

std::string entry_text(const ScheduleEntry& e) {
  return std::to_string(e.step) + ":" + (e.factor ? "x" : "") + json_number(e.value);
}

// Largest schedule step: exact as a JS number.
constexpr std::int64_t kMaxScheduleStep = (std::int64_t(1) << 53) - 1;

}  // namespace

const char* name_of(DatasetKind k) { return name_in("dataset", k); }
const char* name_of(Activation k) { return name_in("act", k); }
const char* name_of(OptKind k) { return name_in("opt", k); }
const char* name_of(LossKind k) { return name_in("loss", k); }

void check_lr(double lr) { check_number(field("lr"), lr); }
void check_beta(double beta) { check_number(field("beta"), beta); }

void check_batch(const Spec& s, double batch) {
  check_number(field("batch"), batch);
  const int n = s.cfg.n;
  if (batch > n)
    fail("batch must be an integer in [0, n = " + std::to_string(n) + "] (0 = full batch), got " +
         json_number(batch));
  if (batch > 0 && s.opt == OptKind::Flow)
    fail("batch must be 0 for opt flow (gradient flow follows the full-batch gradient), got " + json_number(batch));
  // Mini-batches drive the GD family only: Adam/RMSProp's moments and the central flow's
  // sigma^2 are built from the full-batch gradient here, so a batch would be silently ignored.
  if (batch > 0 && s.opt != OptKind::Gd && s.opt != OptKind::Polyak && s.opt != OptKind::Nesterov)
    fail("batch must be 0 for opt " + s.cfg.opt + " (mini-batches are for gd, polyak and nesterov), got " +
         json_number(batch));
}

std::vector<ScheduleEntry> parse_lr_schedule(const std::string& text) {
  std::vector<ScheduleEntry> out;
  if (text.empty()) return out;
  const std::string form =
      "lr_schedule must be STEP:LR[,STEP:LR...] like 500:0.1,1000:x0.5 (LR a step size, xF a factor), got '" + text +
      "'";
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const std::size_t colon = part.find(':');
    if (colon == std::string::npos || colon == 0) fail(form);
    const std::string st = part.substr(0, colon);
    std::string val = part.substr(colon + 1);
    for (char ch : st)
      if (ch < '0' || ch > '9') fail(form);
    ScheduleEntry e;
    e.factor = !val.empty() && val[0] == 'x';
    if (e.factor) val.erase(0, 1);
    const bool too_long = st.size() > 16;
    e.step = too_long ? kMaxScheduleStep + 1 : std::strtoll(st.c_str(), nullptr, 10);
    if (e.step < 1 || e.step > kMaxScheduleStep)
      fail("lr_schedule steps must be integers in [1, " + std::to_string(kMaxScheduleStep) + "], got " + st +
           " in '" + part + "'");
    char* end = nullptr;
    e.value = val.empty() || std::isspace(static_cast<unsigned char>(val[0])) ? std::numeric_limits<double>::quiet_NaN() : std::strtod(val.c_str(), &end);
    if (end != val.c_str() + val.size()) fail(form);
    if (e.factor) {
      if (!(std::isfinite(e.value) && e.value > 0))
        fail("lr_schedule factors must be numbers > 0, got '" + part + "'");
    } else {
      try {
        check_lr(e.value);
      } catch (const ConfigError& err) {
        fail("lr_schedule entry '" + part + "': " + err.what());
      }
    }
    if (!out.empty() && e.step <= out.back().step)
      fail("lr_schedule steps must be strictly increasing, got " + std::to_string(e.step) + " after " +
           std::to_string(out.back().step));
    out.push_back(e);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Spec validate(const Config& c) {
  for (const Field& f : config_fields()) check_field(f, c);
  Spec s;
  s.cfg = c;
  s.dataset = enum_of<DatasetKind>("dataset", c.dataset);
  s.act = enum_of<Activation>("act", c.act);
  s.init = enum_of<InitKind>("init", c.init);
  s.loss = enum_of<LossKind>("loss", c.loss);
  s.precision = enum_of<Precision>("precision", c.precision);
  s.opt = enum_of<OptKind>("opt", c.opt);

  if (c.lanczos_max_iter < c.neigs + 1)
    fail("lanczos_max_iter must be at least neigs + 1 = " + std::to_string(c.neigs + 1) + ", got " +
         std::to_string(c.lanczos_max_iter));

  // Shapes implied by the dataset; the classification sets take 2 to 20 classes.
  auto classes_in = [&](int lo, int hi) {
    if (c.classes < lo || c.classes > hi)
      fail("classes must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "] for " +
           c.dataset + ", got " + std::to_string(c.classes));
  };
  switch (s.dataset) {
    case DatasetKind::Chebyshev:
      s.classification = false;
      s.d_in = 1;
      s.d_out = 1;
      break;
    case DatasetKind::Moons:
    case DatasetKind::Circles:
    case DatasetKind::Xor:
      s.classification = true;
      s.d_in = 2;
      s.d_out = 2;
      break;
    case DatasetKind::Spirals:
    case DatasetKind::Blobs:
    case DatasetKind::GaussianMixture:
      classes_in(2, 20);
      s.classification = true;
      s.d_in = s.dataset == DatasetKind::GaussianMixture ? c.d : 2;
      s.d_out = c.classes;
      break;
    case DatasetKind::Teacher:
    case DatasetKind::Linear:
      s.classification = false;
      s.d_in = c.d;
      s.d_out = c.classes;
      if (s.dataset == DatasetKind::Linear && c.n < c.d)
        fail("n must be >= d for the linear dataset (orthogonal columns), got n=" + std::to_string(c.n) +
             ", d=" + std::to_string(c.d));
      break;
  }
  if (s.loss == LossKind::Ce && !s.classification)
    fail(std::string("loss ce needs a classification dataset (moons|circles|spirals|xor|blobs|gaussian-mixture), got '") +
         c.dataset + "'");

  check_batch(s, c.batch);
  if (c.n_test > 0 && c.eig_every == 0)
    fail("n_test needs eig_every > 0 (the test loss is evaluated every eig_every steps), got n_test=" +
         std::to_string(c.n_test) + ", eig_every=0");

  // Every step size the schedule reaches from cfg.lr must be a valid lr.
  s.lr_schedule = parse_lr_schedule(c.lr_schedule);
  double lr = c.lr;
  for (const ScheduleEntry& e : s.lr_schedule) {
    lr = e.factor ? lr * e.value : e.value;
    try {
      check_lr(lr);
    } catch (const ConfigError& err) {
      fail("lr_schedule entry '" + entry_text(e) + "' is refused: " + err.what());
    }
  }

  const std::int64_t bytes = estimate_memory_bytes(s);
  if (bytes > kMemoryBudgetBytes) {
    auto mib = [](std::int64_t b) { return std::to_string((b + (1 << 20) - 1) >> 20) + " MiB"; };
    fail("this configuration needs about " + mib(bytes) + " of memory, more than the " + mib(kMemoryBudgetBytes) +
         " budget: shrink widths, n or neigs");
  }
  return s;
}

double stability_threshold(OptKind opt, double lr, double beta) {
  switch (opt) {
    case OptKind::Gd: return 2.0 / lr;
    case OptKind::Polyak: return (2.0 + 2.0 * beta) / lr;
    case OptKind::Nesterov: return (2.0 + 2.0 * beta) / ((1.0 + 2.0 * beta) * lr);
    case OptKind::Flow: return std::numeric_limits<double>::quiet_NaN();
    case OptKind::Adam: return (2.0 + 2.0 * beta) / ((1.0 - beta) * lr);
    case OptKind::Rmsprop: return 2.0 / lr;
    case OptKind::Central: return 2.0 / lr;  // the line the flow holds the sharpness at
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace eos
