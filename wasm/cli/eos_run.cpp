// eos-run: the native command-line runner of the EoS Lab engine. Builds one
// Experiment from flags (and/or a JSON config), streams one record per step as CSV
// or JSON on stdout, can dump the exact problem (data + initial weights) as JSON so
// that another implementation can rerun it, and prints the config schema.
// One flag per config field, --name-with-dashes, comes from the field table
// (eoslab/fields.hpp); --steps, --config, --format, --dump-problem, --threads and
// --schema are the CLI's own options.
//
// Exit codes: 0 = run finished (also when it diverged: that is a result),
// 2 = bad flag, value or config (one-line message on stderr), 1 = other errors (I/O).
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/experiment.hpp"
#include "eoslab/fields.hpp"
#include "eoslab/json.hpp"
#include "eoslab/pool.hpp"
#include "output.hpp"

namespace {

// A usage error: reported as "eos-run: <msg>" with exit status 2.
struct UsageError {
  std::string msg;
};

// The CLI's own options (not config fields).
constexpr std::int64_t kDefaultSteps = 1000;
constexpr std::int64_t kMaxSteps = 10000000;

struct Options {
  eos::Config cfg;
  std::int64_t steps = kDefaultSteps;
  std::string format = "csv";
  std::string dump_path;
  std::string config_path;
  bool schema = false;
  int threads = eos::default_threads();  // run-time only: results do not depend on it
  std::set<std::string> from_flags;  // config fields set on the command line
  std::set<std::string> from_file;   // config fields the --config file holds
};

std::string squote(const std::string& s) { return "'" + s + "'"; }

std::string steps_range() { return "steps must be an integer in [0, " + std::to_string(kMaxSteps) + "], got "; }

std::int64_t parse_steps(const std::string& v) {
  const std::size_t from = !v.empty() && v[0] == '-' ? 1 : 0;
  const bool decimal = v.size() > from && std::all_of(v.begin() + from, v.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  const std::int64_t x = decimal && from == 0 && v.size() <= 12 ? std::stoll(v) : -1;
  if (x < 0 || x > kMaxSteps) throw UsageError{"--" + steps_range() + (decimal ? v : squote(v))};
  return x;
}

int parse_threads(const std::string& v) {
  const bool decimal = !v.empty() && v.size() <= 3 && std::all_of(v.begin(), v.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  const int x = decimal ? std::stoi(v) : -1;
  if (x < 1 || x > eos::kMaxThreads)
    throw UsageError{"--threads must be an integer in [1, " + std::to_string(eos::kMaxThreads) + "], got " +
                     (decimal ? v : squote(v))};
  return x;
}

std::string one_of(const std::string& flag, const std::string& v, const std::vector<std::string>& allowed) {
  for (const auto& a : allowed)
    if (v == a) return v;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : "|") + a;
  throw UsageError{flag + " must be one of " + list + ", got " + squote(v)};
}

// ---------------------------------------------------------------- flags

struct CliOption {
  const char* name;
  const char* arg;   // nullptr: takes no value
  const char* help;
  void (*set)(Options&, const std::string&);
};

const std::vector<CliOption>& cli_options() {
  static const std::vector<CliOption> table = {
      {"--steps", "N", "steps to run",
       [](Options& o, const std::string& v) { o.steps = parse_steps(v); }},
      {"--config", "FILE.json", "load this JSON config first (other flags override it); may hold \"steps\"",
       [](Options& o, const std::string& v) { o.config_path = v; }},
      {"--format", "csv|json", "format of the per-step records on stdout [csv]",
       [](Options& o, const std::string& v) { o.format = one_of("--format", v, {"csv", "json"}); }},
      {"--dump-problem", "FILE.json", "write the dataset and initial weights as JSON",
       [](Options& o, const std::string& v) {
         if (v.empty()) throw UsageError{"--dump-problem needs a file name"};
         o.dump_path = v;
       }},
      {"--threads", "N",
       "threads for the loss, gradient and HVPs (results are bit-identical for any N) [cores, at most 8]",
       [](Options& o, const std::string& v) { o.threads = parse_threads(v); }},
      {"--schema", nullptr, "print the config fields as JSON (names, types, ranges, defaults, docs) and exit",
       [](Options& o, const std::string&) { o.schema = true; }},
  };
  return table;
}

void print_usage(std::FILE* f) {
  const eos::Config d;
  std::fprintf(f,
               "usage: eos-run [flags]\n"
               "Runs full-batch training of a small MLP and prints one record per step\n"
               "(state before the step's update): step,time,lr,loss,accuracy,grad_norm,threshold,eig1..eigK,hvps\n"
               "(--opt central adds pred_loss,sigma2).\n\n"
               "Config fields (also the keys of a --config file):\n");
  for (const eos::Field& fl : eos::config_fields()) {
    const std::string head = eos::flag_of(fl) + " " + fl.metavar;
    std::string more;
    switch (fl.type) {
      case eos::FieldType::Int:
      case eos::FieldType::Real: more = "in " + eos::range_text(fl) + ", "; break;
      case eos::FieldType::IntList:
        more = std::to_string(fl.min_len) + " to " + std::to_string(fl.max_len) + " entries in " + eos::range_text(fl) +
               ", ";
        break;
      case eos::FieldType::Enum: more = eos::range_text(fl) + ", "; break;
      default: break;
    }
    const std::string def = eos::field_to_text(fl, d);
    more += "default " + (def.empty() ? std::string("none") : def);
    std::fprintf(f, "  %-26s %s\n  %-26s   (%s)\n", head.c_str(), fl.doc, "", more.c_str());
  }
  std::fprintf(f, "\nOptions:\n");
  for (const auto& o : cli_options()) {
    const std::string head = std::string(o.name) + (o.arg ? std::string(" ") + o.arg : "");
    const std::string extra = std::string(o.name) == "--steps" ? " (in [0, " + std::to_string(kMaxSteps) +
                                                                      "], default " + std::to_string(kDefaultSteps) + ")"
                                                                : "";
    std::fprintf(f, "  %-26s %s%s\n", head.c_str(), o.help, extra.c_str());
  }
  std::fprintf(f, "  %-26s %s\n", "--help", "this text");
  std::fprintf(f,
               "\nExit status: 0 when the run finished or diverged (\"diverged at step T\" on stderr),\n"
               "2 for a bad flag or value, 1 for other errors.\n"
               "Example (Edge of Stability: sharpness rises to 2/lr = 10 and stays there):\n"
               "  eos-run --dataset chebyshev --n 20 --degree 3 --widths 20 --lr 0.2 --steps 2000 --eig-every 20\n");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError{"--config: cannot read " + squote(path) + ": " + std::strerror(errno)};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A --config document: a config object (which may also hold the CLI's "steps"), or
// a previous --format json output ({"config": {...}, "steps": N, ...}). Fields that
// are also given as flags are skipped, so that a flag fixes a bad value in the file.
void load_config(Options& o, const std::set<std::string>& flagged) {
  const std::string where = "--config " + o.config_path + ": ";
  try {
    eos::Json j = eos::parse_json(read_file(o.config_path));
    eos::Json steps;
    if (j.is_object() && j.contains("config") && j["config"].is_object()) {
      if (j.contains("steps")) steps = j["steps"];
      eos::Json inner = std::move(j["config"]);
      j = std::move(inner);
    } else if (j.is_object() && j.contains("steps")) {
      steps = j["steps"];
      j.erase("steps");
    }
    if (j.is_object())
      for (const auto& name : flagged) j.erase(name);
    o.cfg = eos::config_from_json(j);
    for (const auto& [key, value] : j.items()) o.from_file.insert(key);
    if (flagged.count("steps")) steps = nullptr;
    if (!steps.is_null()) {
      if (!steps.is_number_unsigned() || steps.get<std::uint64_t>() > std::uint64_t(kMaxSteps))
        throw UsageError{where + steps_range() + steps.dump()};
      o.steps = steps.get<std::int64_t>();
    }
  } catch (const eos::JsonError& e) {
    throw UsageError{where + e.what()};
  } catch (const eos::ConfigError& e) {
    throw UsageError{where + e.what()};
  } catch (const UsageError& e) {
    throw UsageError{e.msg.rfind("--config", 0) == 0 ? e.msg : where + e.msg};
  }
}

// A message from the engine starts with the field name ("lr must be ..."); name the
// flag instead when the value came from the command line, the file otherwise.
std::string explain_config_error(const Options& o, const std::string& msg) {
  const std::string word = msg.substr(0, msg.find(' '));
  const eos::Field* f = eos::find_field(word);
  if (!f) return msg;
  if (o.from_flags.count(word) || o.config_path.empty()) return eos::flag_of(*f) + msg.substr(word.size());
  return "--config " + o.config_path + ": " + msg;
}

// Flags -> Options. The --config file is applied first wherever it appears, then
// every other flag in command-line order (so flags always override the file).
Options parse_args(int argc, char** argv) {
  struct Given {
    const eos::Field* field;
    const CliOption* option;
    std::string value;
  };
  std::vector<Given> given;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    bool has_value = false;
    const std::size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {  // --flag=value
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    Given g{nullptr, nullptr, ""};
    for (const eos::Field& f : eos::config_fields())
      if (arg == eos::flag_of(f)) g.field = &f;
    for (const auto& o : cli_options())
      if (arg == o.name) g.option = &o;
    if (!g.field && !g.option) {
      if (arg.rfind("-", 0) == 0) throw UsageError{"unknown flag " + squote(arg) + " (see eos-run --help)"};
      throw UsageError{"unexpected argument " + squote(arg) + " (flags take the form --name value)"};
    }
    const bool takes_value = g.field || g.option->arg;
    if (takes_value && !has_value) {
      if (i + 1 >= argc)
        throw UsageError{arg + " needs a value: " + (g.field ? g.field->metavar : g.option->arg)};
      value = argv[++i];
    }
    g.value = value;
    given.push_back(g);
  }

  Options o;
  for (const auto& g : given) {
    if (!g.option || std::string(g.option->name) != "--config") continue;
    if (!o.config_path.empty()) throw UsageError{"--config may be given only once"};
    g.option->set(o, g.value);
  }
  std::set<std::string> flagged;
  for (const auto& g : given)
    if (g.field) flagged.insert(g.field->name);
    else if (std::string(g.option->name) == "--steps") flagged.insert("steps");
  if (!o.config_path.empty()) load_config(o, flagged);
  for (const auto& g : given) {
    if (g.option) {
      if (std::string(g.option->name) != "--config") g.option->set(o, g.value);
      continue;
    }
    try {
      eos::set_from_text(*g.field, o.cfg, g.value);
    } catch (const eos::ConfigError& e) {
      const std::string msg = e.what();
      throw UsageError{eos::flag_of(*g.field) + msg.substr(std::string(g.field->name).size())};
    }
    o.from_flags.insert(g.field->name);
  }
  // Per-optimiser defaults (rmsprop's beta2 0.99) once the file and every flag are read:
  // "--config adam.json --opt rmsprop" runs with 0.99 unless beta2 is given somewhere.
  eos::apply_opt_defaults(o.cfg, [&](std::string_view name) {
    const std::string n(name);
    return o.from_flags.count(n) > 0 || o.from_file.count(n) > 0;
  });
  return o;
}

int run(const Options& o) {
  eos::Experiment exp(o.cfg);  // validates (ConfigError is mapped by the caller)
  exp.set_threads(o.threads);
  for (const auto& e : exp.spec().lr_schedule)
    if (e.step >= o.steps)
      throw UsageError{"--lr-schedule step " + std::to_string(e.step) + " is never reached: the run has --steps " +
                       std::to_string(o.steps)};
  if (!o.dump_path.empty()) eos::cli::dump_problem(o.dump_path, exp);

  eos::cli::Writer out(o.format == "json", exp);
  out.begin(o.cfg, o.steps);
  // Records are produced and written in chunks through one reused vector, so
  // memory stays bounded however long the run is.
  constexpr std::int64_t kChunk = 100;
  std::vector<eos::StepRecord> recs;
  recs.reserve(kChunk);
  std::int64_t last_step = -1;
  while (exp.step_count() < o.steps && exp.status() != eos::Status::Diverged) {
    recs.clear();
    const int got = exp.step(static_cast<int>(std::min(kChunk, o.steps - exp.step_count())), recs);
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
    if (o.schema) {
      std::printf("%s\n", eos::config_schema().dump(2).c_str());
      return 0;
    }
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
