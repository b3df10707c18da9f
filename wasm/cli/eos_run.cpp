// eos-run: the native command-line runner of the EoS Lab engine (issue 2, item 8).
// Builds one Experiment from flags (and/or a JSON config), streams one record per
// step as CSV or JSON on stdout, and can dump the exact problem (data + initial
// weights) as JSON so that another implementation can rerun it.
//
// Exit codes: 0 = run finished (also when it diverged: that is a result),
// 2 = bad flag, value or config (one-line message on stderr), 1 = other errors (I/O).
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/experiment.hpp"
#include "eoslab/json.hpp"

namespace {

// A usage error: reported as "eos-run: <msg>" with exit status 2.
struct UsageError {
  std::string msg;
};

struct LrChange {
  std::int64_t step;
  double lr;
};

struct Options {
  eos::Config cfg;
  std::string format = "csv";
  std::string dump_path;
  std::string config_path;
  std::vector<LrChange> schedule;
  std::string schedule_text;      // as given, for messages
  std::set<std::string> from_flags;  // Config fields set on the command line
};

// ---------------------------------------------------------------- strict parsing

std::string squote(const std::string& s) { return "'" + s + "'"; }

bool all_digits(const std::string& s, std::size_t from) {
  if (s.size() <= from) return false;
  for (std::size_t i = from; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// Decimal integer: optional '-', digits, nothing else ("1.5x", "", "nan", " 3" rejected).
int parse_int(const std::string& flag, const std::string& v) {
  const bool neg = !v.empty() && v[0] == '-';
  if (!all_digits(v, neg ? 1 : 0)) throw UsageError{flag + " must be an integer, got " + squote(v)};
  errno = 0;
  const long long x = std::strtoll(v.c_str(), nullptr, 10);
  if (errno == ERANGE || x < std::numeric_limits<int>::min() || x > std::numeric_limits<int>::max())
    throw UsageError{flag + " must be an integer in [" + std::to_string(std::numeric_limits<int>::min()) + ", " +
                     std::to_string(std::numeric_limits<int>::max()) + "], got " + squote(v)};
  return static_cast<int>(x);
}

std::uint64_t parse_u64(const std::string& flag, const std::string& v) {
  errno = 0;
  const unsigned long long x = all_digits(v, 0) ? std::strtoull(v.c_str(), nullptr, 10) : 0;
  if (!all_digits(v, 0) || errno == ERANGE)
    throw UsageError{flag + " must be an integer in [0, 18446744073709551615], got " + squote(v)};
  return static_cast<std::uint64_t>(x);
}

// Real number in C syntax (strtod, "C" locale), the whole string consumed. nan/inf
// are accepted here so that eos::validate reports them with the field's range.
double parse_double(const std::string& flag, const std::string& v) {
  const char* s = v.c_str();
  char* end = nullptr;
  const bool bad_start = v.empty() || std::isspace(static_cast<unsigned char>(v[0]));
  const double x = bad_start ? 0.0 : std::strtod(s, &end);
  if (bad_start || end != s + v.size()) throw UsageError{flag + " must be a number, got " + squote(v)};
  return x;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return parts;
    start = pos + 1;
  }
}

std::vector<int> parse_widths(const std::string& flag, const std::string& v) {
  std::vector<int> w;
  for (const auto& part : split(v, ',')) {
    if (!all_digits(part, 0))
      throw UsageError{flag + " must be a comma-separated list of layer widths like 50,50, got " + squote(v)};
    w.push_back(parse_int(flag, part));
  }
  return w;
}

std::string parse_choice(const std::string& flag, const std::string& v, const std::vector<std::string>& allowed) {
  for (const auto& a : allowed)
    if (v == a) return v;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : "|") + a;
  throw UsageError{flag + " must be one of " + list + ", got " + squote(v)};
}

// "STEP:LR,STEP:LR": set_lr(LR) before step STEP. Steps strictly increasing.
std::vector<LrChange> parse_schedule(const std::string& flag, const std::string& v) {
  std::vector<LrChange> out;
  const std::string form = flag + " must be STEP:LR[,STEP:LR...] with increasing integer steps, got " + squote(v);
  for (const auto& part : split(v, ',')) {
    const std::size_t colon = part.find(':');
    if (colon == std::string::npos) throw UsageError{form};
    const std::string st = part.substr(0, colon), lr = part.substr(colon + 1);
    if (!all_digits(st, 0)) throw UsageError{form};
    LrChange c;
    c.step = parse_int(flag, st);
    c.lr = parse_double(flag, lr);
    try {
      eos::check_lr(c.lr);
    } catch (const eos::ConfigError& e) {
      throw UsageError{flag + ": " + e.what()};
    }
    if (!out.empty() && c.step <= out.back().step) throw UsageError{form};
    out.push_back(c);
  }
  return out;
}

// ---------------------------------------------------------------- flags

struct Flag {
  const char* name;
  const char* field;  // Config field it sets ("" for CLI-only flags)
  const char* arg;
  const char* help;
  std::function<void(Options&, const std::string&)> set;
};

const std::vector<Flag>& flags() {
  using O = Options;
  using S = std::string;
  static const std::vector<Flag> table = {
      {"--dataset", "dataset", "NAME", "chebyshev|moons|circles|spirals|xor|blobs|gaussian-mixture|teacher|linear",
       [](O& o, const S& v) { o.cfg.dataset = v; }},
      {"--n", "n", "N", "number of examples", [](O& o, const S& v) { o.cfg.n = parse_int("--n", v); }},
      {"--degree", "degree", "K", "chebyshev target T_K",
       [](O& o, const S& v) { o.cfg.degree = parse_int("--degree", v); }},
      {"--d", "d", "D", "input dimension (gaussian-mixture, teacher, linear)",
       [](O& o, const S& v) { o.cfg.d = parse_int("--d", v); }},
      {"--classes", "classes", "C", "classes (blobs, spirals, gaussian-mixture) or outputs (teacher, linear)",
       [](O& o, const S& v) { o.cfg.classes = parse_int("--classes", v); }},
      {"--noise", "noise", "X", "input noise level", [](O& o, const S& v) { o.cfg.noise = parse_double("--noise", v); }},
      {"--data-seed", "data_seed", "S", "seed of the dataset",
       [](O& o, const S& v) { o.cfg.data_seed = parse_u64("--data-seed", v); }},
      {"--widths", "widths", "W1,W2,..", "hidden layer widths, e.g. 50,50",
       [](O& o, const S& v) { o.cfg.widths = parse_widths("--widths", v); }},
      {"--act", "act", "NAME", "tanh|relu|elu|gelu|softplus|sigmoid|identity", [](O& o, const S& v) { o.cfg.act = v; }},
      {"--bias", "bias", "on|off", "bias terms",
       [](O& o, const S& v) { o.cfg.bias = parse_choice("--bias", v, {"on", "off"}) == "on"; }},
      {"--init", "init", "pytorch|normal", "weight initialisation", [](O& o, const S& v) { o.cfg.init = v; }},
      {"--init-scale", "init_scale", "X", "scale of the initial weights",
       [](O& o, const S& v) { o.cfg.init_scale = parse_double("--init-scale", v); }},
      {"--loss", "loss", "mse|ce", "loss (ce needs a classification dataset)", [](O& o, const S& v) { o.cfg.loss = v; }},
      {"--precision", "precision", "float32|float64", "scalar type of the network",
       [](O& o, const S& v) { o.cfg.precision = v; }},
      {"--opt", "opt", "gd|polyak|nesterov|flow", "optimiser", [](O& o, const S& v) { o.cfg.opt = v; }},
      {"--lr", "lr", "X", "step size eta", [](O& o, const S& v) { o.cfg.lr = parse_double("--lr", v); }},
      {"--beta", "beta", "X", "momentum (polyak, nesterov)",
       [](O& o, const S& v) { o.cfg.beta = parse_double("--beta", v); }},
      {"--flow-alpha", "flow_alpha", "X", "flow: RK4 step = min(alpha/sharpness, max step)",
       [](O& o, const S& v) { o.cfg.flow_alpha = parse_double("--flow-alpha", v); }},
      {"--flow-max-step", "flow_max_step", "X", "flow: largest RK4 step",
       [](O& o, const S& v) { o.cfg.flow_max_step = parse_double("--flow-max-step", v); }},
      {"--seed", "seed", "S", "seed of the initial weights and Lanczos",
       [](O& o, const S& v) { o.cfg.seed = parse_u64("--seed", v); }},
      {"--steps", "steps", "N", "steps to run", [](O& o, const S& v) { o.cfg.steps = parse_int("--steps", v); }},
      {"--eig-every", "eig_every", "N", "top-k Hessian eigenvalues every N steps (0 = never)",
       [](O& o, const S& v) { o.cfg.eig_every = parse_int("--eig-every", v); }},
      {"--neigs", "neigs", "K", "number of top eigenvalues",
       [](O& o, const S& v) { o.cfg.neigs = parse_int("--neigs", v); }},
      {"--lanczos-tol", "lanczos_tol", "X", "Lanczos stops when ||Hv - lambda v|| <= tol |lambda|",
       [](O& o, const S& v) { o.cfg.lanczos_tol = parse_double("--lanczos-tol", v); }},
      {"--lanczos-max-iter", "lanczos_max_iter", "N", "Hessian-vector products per Lanczos call at most",
       [](O& o, const S& v) { o.cfg.lanczos_max_iter = parse_int("--lanczos-max-iter", v); }},
      {"--diverge-factor", "diverge_factor", "X", "diverged when loss > X * initial loss",
       [](O& o, const S& v) { o.cfg.diverge_factor = parse_double("--diverge-factor", v); }},
      {"--lr-schedule", "", "STEP:LR,..", "change lr before the given steps, e.g. 1000:0.1",
       [](O& o, const S& v) {
         o.schedule = parse_schedule("--lr-schedule", v);
         o.schedule_text = v;
       }},
      {"--config", "", "FILE.json", "load this JSON config first (other flags override it)",
       [](O& o, const S& v) { o.config_path = v; }},
      {"--format", "", "csv|json", "format of the per-step records on stdout",
       [](O& o, const S& v) { o.format = parse_choice("--format", v, {"csv", "json"}); }},
      {"--dump-problem", "", "FILE.json", "write the dataset and initial weights as JSON",
       [](O& o, const S& v) {
         if (v.empty()) throw UsageError{"--dump-problem needs a file name"};
         o.dump_path = v;
       }},
  };
  return table;
}

void print_usage(std::FILE* f) {
  const eos::Config d;
  std::fprintf(f,
               "usage: eos-run [flags]\n"
               "Runs full-batch training of a small MLP and prints one record per step\n"
               "(state before the step's update): step,time,lr,loss,accuracy,grad_norm,threshold,eig1..eigK,hvps.\n\n");
  for (const auto& fl : flags()) {
    std::string def;
    const std::string field = fl.field;
    if (!field.empty()) {
      const eos::Json j = eos::config_to_json(d).at(field);
      def = field == "bias" ? (d.bias ? "on" : "off") : j.is_string() ? j.as_string() : j.dump();
      if (field == "widths") {
        def.clear();
        for (std::size_t i = 0; i < d.widths.size(); ++i) def += (i ? "," : "") + std::to_string(d.widths[i]);
      }
    }
    std::string head = std::string(fl.name) + " " + fl.arg;
    std::fprintf(f, "  %-34s %s%s\n", head.c_str(), fl.help, def.empty() ? "" : (" [" + def + "]").c_str());
  }
  std::fprintf(f, "  %-34s %s\n", "--help", "this text");
  std::fprintf(f,
               "\nExit status: 0 when the run finished or diverged (\"diverged at step T\" on stderr),\n"
               "2 for a bad flag or value, 1 for other errors.\n"
               "Example (Edge of Stability: sharpness rises to 2/lr = 10 and stays there):\n"
               "  eos-run --dataset chebyshev --n 20 --degree 3 --widths 20 --lr 0.2 --steps 2000 --eig-every 20\n");
}

const Flag* find_flag(const std::string& name) {
  for (const auto& f : flags())
    if (name == f.name) return &f;
  return nullptr;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError{"--config: cannot read " + squote(path) + ": " + std::strerror(errno)};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Flags -> Options. The --config file is applied first wherever it appears, then
// every other flag in command-line order (so flags always override the file).
Options parse_args(int argc, char** argv) {
  std::vector<std::pair<const Flag*, std::string>> given;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    const std::size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {  // --flag=value
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const Flag* f = find_flag(arg);
    if (!f) {
      if (arg.rfind("-", 0) == 0) throw UsageError{"unknown flag " + squote(arg) + " (see eos-run --help)"};
      throw UsageError{"unexpected argument " + squote(arg) + " (flags take the form --name value)"};
    }
    if (!has_value) {
      if (i + 1 >= argc) throw UsageError{std::string(f->name) + " needs a value: " + f->arg};
      value = argv[++i];
    }
    given.emplace_back(f, value);
  }

  Options o;
  int n_config = 0;
  for (const auto& [f, v] : given) {
    if (std::string(f->name) != "--config") continue;
    if (++n_config > 1) throw UsageError{"--config may be given only once"};
    f->set(o, v);
  }
  if (!o.config_path.empty()) {
    const std::string text = read_file(o.config_path);
    try {
      eos::Json j = eos::Json::parse(text);
      // Accept the "config" member of a previous --format json output as well.
      if (const eos::Json* inner = j.find("config"); inner && inner->is_object()) j = *inner;
      o.cfg = eos::config_from_json(j);
    } catch (const eos::JsonError& e) {
      throw UsageError{"--config " + o.config_path + ": " + e.what()};
    } catch (const eos::ConfigError& e) {
      throw UsageError{"--config " + o.config_path + ": " + e.what()};
    }
  }
  for (const auto& [f, v] : given) {
    if (std::string(f->name) == "--config") continue;
    f->set(o, v);
    if (f->field[0] != '\0') o.from_flags.insert(f->field);
  }
  return o;
}

// A ConfigError from eos::validate starts with the field name ("lr must be > 0 ...");
// name the flag instead when the value came from the command line, the file otherwise.
std::string explain_config_error(const Options& o, const std::string& msg) {
  const std::string field = msg.substr(0, msg.find(' '));
  for (const auto& f : flags()) {
    if (field != f.field) continue;
    if (o.from_flags.count(field) || o.config_path.empty())
      return std::string(f.name) + msg.substr(field.size());
    return "--config " + o.config_path + ": " + msg;
  }
  return msg;
}

// ---------------------------------------------------------------- output

// CSV cell for a real: the shortest text that reads back to the same double;
// non-finite values (only the loss of a diverged step) as nan / inf / -inf.
void append_csv_number(std::string& out, double x) {
  if (std::isnan(x)) out += "nan";
  else if (std::isinf(x)) out += x > 0 ? "inf" : "-inf";
  else eos::append_json_number(out, x);
}

class Writer {
 public:
  Writer(const Options& o, const eos::Experiment& e)
      : json_(o.format == "json"), k_(o.cfg.neigs), classification_(e.spec().classification),
        flow_(e.spec().opt == eos::OptKind::Flow) {}

  void begin(const eos::Config& cfg) {
    if (json_) {
      buf_ = "{\"config\":" + eos::config_to_json(cfg).dump() + ",\n\"records\":[";
    } else {
      buf_ = "step,time,lr,loss,accuracy,grad_norm,threshold";
      for (int i = 1; i <= k_; ++i) buf_ += ",eig" + std::to_string(i);
      buf_ += ",hvps\n";
    }
    flush();
  }

  void records(const std::vector<eos::StepRecord>& recs) {
    for (const auto& r : recs) json_ ? json_record(r) : csv_record(r);
    flush();
  }

  void end(const eos::Experiment& e) {
    if (!json_) return;
    buf_ = "\n],\n\"status\":";
    buf_ += e.status() == eos::Status::Diverged ? "\"diverged\"" : "\"ok\"";
    buf_ += ",\n\"changes\":[";
    bool first = true;
    for (const auto& c : e.changes()) {
      buf_ += first ? "" : ",";
      first = false;
      buf_ += "{\"step\":" + std::to_string(c.step) + ",\"lr_old\":";
      eos::append_json_number(buf_, c.lr_old);
      buf_ += ",\"lr_new\":";
      eos::append_json_number(buf_, c.lr_new);
      buf_ += ",\"beta_old\":";
      eos::append_json_number(buf_, c.beta_old);
      buf_ += ",\"beta_new\":";
      eos::append_json_number(buf_, c.beta_new);
      buf_ += "}";
    }
    buf_ += "]}\n";
    flush();
  }

 private:
  void csv_record(const eos::StepRecord& r) {
    buf_ += std::to_string(r.step);
    buf_ += ',';
    append_csv_number(buf_, r.time);
    buf_ += ',';
    append_csv_number(buf_, r.lr);
    buf_ += ',';
    append_csv_number(buf_, r.loss);
    buf_ += ',';
    if (classification_) append_csv_number(buf_, r.accuracy);
    buf_ += ',';
    append_csv_number(buf_, r.grad_norm);
    buf_ += ',';
    if (!flow_) append_csv_number(buf_, r.threshold);
    for (int i = 0; i < k_; ++i) {
      buf_ += ',';
      if (i < r.neig) append_csv_number(buf_, r.eig[static_cast<std::size_t>(i)]);
    }
    buf_ += ',';
    if (r.neig > 0) buf_ += std::to_string(r.hvps);
    buf_ += '\n';
  }

  void json_record(const eos::StepRecord& r) {
    buf_ += n_written_++ ? ",\n" : "\n";
    buf_ += "{\"step\":" + std::to_string(r.step) + ",\"time\":";
    eos::append_json_number(buf_, r.time);
    buf_ += ",\"lr\":";
    eos::append_json_number(buf_, r.lr);
    buf_ += ",\"beta\":";
    eos::append_json_number(buf_, r.beta);
    buf_ += ",\"loss\":";
    eos::append_json_number(buf_, r.loss);  // null if non-finite (diverged step)
    buf_ += ",\"accuracy\":";
    if (classification_) eos::append_json_number(buf_, r.accuracy);
    else buf_ += "null";
    buf_ += ",\"grad_norm\":";
    eos::append_json_number(buf_, r.grad_norm);
    buf_ += ",\"threshold\":";
    if (flow_) buf_ += "null";
    else eos::append_json_number(buf_, r.threshold);
    buf_ += ",\"eigs\":[";
    for (int i = 0; i < r.neig; ++i) {
      if (i) buf_ += ',';
      eos::append_json_number(buf_, r.eig[static_cast<std::size_t>(i)]);
    }
    buf_ += "],\"hvps\":";
    buf_ += r.neig > 0 ? std::to_string(r.hvps) : "null";
    buf_ += '}';
  }

  void flush() {
    std::fwrite(buf_.data(), 1, buf_.size(), stdout);
    buf_.clear();
  }

  bool json_;
  int k_;
  bool classification_, flow_;
  long long n_written_ = 0;
  std::string buf_;
};

// {"X":[[..d_in..] x n],"Y":[[..d_out..] x n],"layers":[{"W":[[..in..] x out],"b":[..]}],"config":{..}}
// with every double printed so that it reads back bit for bit.
void dump_problem(const std::string& path, const eos::Experiment& e) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("--dump-problem: cannot write " + squote(path) + ": " + std::strerror(errno));
  std::string buf;
  auto put = [&](bool force = false) {
    if (force || buf.size() > (1u << 16)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
  };
  // Columns of a (rows, n) matrix as n JSON rows: one example per row.
  auto columns_as_rows = [&](const Eigen::MatrixXd& M) {
    buf += '[';
    for (Eigen::Index j = 0; j < M.cols(); ++j) {
      buf += j ? ",\n[" : "\n[";
      for (Eigen::Index i = 0; i < M.rows(); ++i) {
        if (i) buf += ',';
        eos::append_json_number(buf, M(i, j));
      }
      buf += ']';
      put();
    }
    buf += ']';
  };
  const eos::Dataset& ds = e.dataset();
  buf += "{\"X\":";
  columns_as_rows(ds.X);  // X is (d_in, n)
  buf += ",\n\"Y\":";
  columns_as_rows(ds.Y);  // Y is (d_out, n)
  buf += ",\n\"layers\":[";
  const auto layers = e.initial_layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto& L = layers[l];
    buf += l ? ",\n{\"W\":" : "\n{\"W\":";
    columns_as_rows(L.W.transpose());  // W is (out, in): out rows of in values
    buf += ",\"b\":[";
    for (Eigen::Index i = 0; i < L.b.size(); ++i) {
      if (i) buf += ',';
      eos::append_json_number(buf, L.b(i));
    }
    buf += "]}";
    put();
  }
  buf += "],\n\"config\":" + eos::config_to_json(e.spec().cfg).dump() + "}\n";
  put(true);
  const bool write_error = std::ferror(f) != 0;
  if (std::fclose(f) != 0 || write_error)
    throw std::runtime_error("--dump-problem: error writing " + squote(path) + ": " + std::strerror(errno));
}

int run(const Options& o) {
  const eos::Config& cfg = o.cfg;
  for (const auto& c : o.schedule)
    if (c.step >= cfg.steps)
      throw UsageError{"--lr-schedule step " + std::to_string(c.step) + " must be < --steps (" +
                       std::to_string(cfg.steps) + ")"};

  eos::Experiment exp(cfg);  // validates (ConfigError is mapped by the caller)
  if (!o.dump_path.empty()) dump_problem(o.dump_path, exp);

  Writer out(o, exp);
  out.begin(cfg);
  // Records are produced and written in chunks through one reused vector, so
  // memory stays bounded however long the run is.
  constexpr std::int64_t kChunk = 100;
  std::vector<eos::StepRecord> recs;
  recs.reserve(kChunk);
  std::size_t next_change = 0;
  std::int64_t last_step = -1;
  while (exp.step_count() < cfg.steps && exp.status() != eos::Status::Diverged) {
    while (next_change < o.schedule.size() && o.schedule[next_change].step == exp.step_count())
      exp.set_lr(o.schedule[next_change++].lr);
    std::int64_t n = std::min<std::int64_t>(kChunk, cfg.steps - exp.step_count());
    if (next_change < o.schedule.size()) n = std::min(n, o.schedule[next_change].step - exp.step_count());
    recs.clear();
    const int got = exp.step(static_cast<int>(n), recs);
    out.records(recs);
    if (!recs.empty()) last_step = recs.back().step;
    if (got == 0) break;  // defensive: no progress
  }
  out.end(exp);
  std::fflush(stdout);
  if (exp.status() == eos::Status::Diverged) std::fprintf(stderr, "diverged at step %lld\n", (long long)last_step);
  if (std::ferror(stdout)) {
    std::fprintf(stderr, "eos-run: error writing to stdout\n");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      print_usage(stdout);
      return 0;
    }
  }
  Options o;
  try {
    o = parse_args(argc, argv);
    eos::validate(o.cfg);
    return run(o);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "eos-run: %s\n", e.msg.c_str());
    return 2;
  } catch (const eos::ConfigError& e) {
    std::fprintf(stderr, "eos-run: %s\n", explain_config_error(o, e.what()).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eos-run: error: %s\n", e.what());
    return 1;
  }
}
