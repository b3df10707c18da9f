// Tests of the eos-run command-line tool, run as a real process (EOS_RUN_PATH)
// with stdout/stderr captured in temporary files: CSV layout, CSV vs JSON vs the
// in-process Experiment (bit for bit), determinism, --config vs flags,
// --dump-problem round trip, --lr-schedule, bad flags (exit 2, one line naming the
// flag and its range), --schema and divergence (a result: exit 0). Long because
// the bad-flag table lists one case per message a user can meet.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/experiment.hpp"
#include "eoslab/fields.hpp"
#include "eoslab/json.hpp"

#ifndef EOS_RUN_PATH
#error "EOS_RUN_PATH must be defined by the build (path of the eos-run binary)"
#endif

using eos::Config;
using eos::Json;


namespace {

namespace fs = std::filesystem;

// One scratch directory per test process, removed at exit.
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/eos-cli-test-XXXXXX";
    const char* p = mkdtemp(tmpl);
    if (!p) throw std::runtime_error("mkdtemp failed");
    path = p;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

const fs::path& tmpdir() {
  static TempDir dir;
  return dir.path;
}

std::string file_path(const std::string& name) { return (tmpdir() / name).string(); }

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct RunResult {
  int status = -1;  // exit code
  std::string out, err;
  std::string cmd;
};

RunResult run_cli(const std::vector<std::string>& args) {
  static int counter = 0;
  const std::string id = std::to_string(++counter);
  const std::string out = file_path("out" + id), err = file_path("err" + id);
  RunResult r;
  r.cmd = shell_quote(EOS_RUN_PATH);
  for (const auto& a : args) r.cmd += " " + shell_quote(a);
  const int ws = std::system((r.cmd + " >" + shell_quote(out) + " 2>" + shell_quote(err)).c_str());
  r.status = (ws != -1 && WIFEXITED(ws)) ? WEXITSTATUS(ws) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
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

std::vector<std::string> lines_of(const std::string& s) {
  auto v = split(s, '\n');
  if (!v.empty() && v.back().empty()) v.pop_back();
  return v;
}

std::uint64_t bits(double x) {
  std::uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

double cell_value(const std::string& s) {
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) throw std::runtime_error("bad CSV number '" + s + "'");
  return x;
}

// The flags that reproduce a Config and a run length, written out by hand (not
// from the field table, so that a table change that renames a flag fails here).
std::vector<std::string> to_flags(const Config& c, int steps) {
  std::string widths;
  for (std::size_t i = 0; i < c.widths.size(); ++i) widths += (i ? "," : "") + std::to_string(c.widths[i]);
  std::vector<std::string> f = {
      "--dataset", c.dataset, "--n", std::to_string(c.n), "--degree", std::to_string(c.degree),
      "--d", std::to_string(c.d), "--classes", std::to_string(c.classes), "--noise", eos::json_number(c.noise),
      "--data-seed", std::to_string(c.data_seed), "--widths", widths, "--act", c.act,
      "--bias", c.bias ? "on" : "off", "--init", c.init, "--init-scale", eos::json_number(c.init_scale),
      "--loss", c.loss, "--precision", c.precision, "--opt", c.opt, "--lr", eos::json_number(c.lr),
      "--beta", eos::json_number(c.beta), "--flow-alpha", eos::json_number(c.flow_alpha),
      "--flow-max-step", eos::json_number(c.flow_max_step), "--seed", std::to_string(c.seed),
      "--steps", std::to_string(steps), "--eig-every", std::to_string(c.eig_every),
      "--neigs", std::to_string(c.neigs), "--lanczos-tol", eos::json_number(c.lanczos_tol),
      "--lanczos-max-iter", std::to_string(c.lanczos_max_iter),
      "--diverge-factor", eos::json_number(c.diverge_factor)};
  if (!c.lr_schedule.empty()) f.insert(f.end(), {"--lr-schedule", c.lr_schedule});
  return f;
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The small EoS problem (Chebyshev T3, 20 points, 1 -> 20 -> 1 tanh; Cohen et al. 2021 use Chebyshev targets too).
Config small_config() {
  Config c;
  c.dataset = "chebyshev";
  c.n = 20;
  c.degree = 3;
  c.widths = {20};
  c.lr = 0.2;
  c.eig_every = 10;
  c.neigs = 3;
  c.seed = 3;
  return c;
}
constexpr int kSmallSteps = 25;

// Records of the same config computed in this process, in one call.
std::vector<eos::StepRecord> in_process(const Config& c, int steps) {
  eos::Experiment e(c);
  std::vector<eos::StepRecord> recs;
  e.step(steps, recs);
  return recs;
}

// Every CSV row equals the engine's record bit for bit (cells empty where documented).
void check_csv_matches(const std::string& csv, const std::vector<eos::StepRecord>& recs, int k, bool classification,
                       bool flow) {
  const auto lines = lines_of(csv);
  REQUIRE(lines.size() == recs.size() + 1);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    const auto cells = split(lines[i + 1], ',');
    INFO("row " << i << ": " << lines[i + 1]);
    REQUIRE(cells.size() == static_cast<std::size_t>(8 + k));
    CHECK(cells[0] == std::to_string(r.step));
    CHECK(bits(cell_value(cells[1])) == bits(r.time));
    CHECK(bits(cell_value(cells[2])) == bits(r.lr));
    CHECK(bits(cell_value(cells[3])) == bits(r.loss));
    if (classification) CHECK(bits(cell_value(cells[4])) == bits(r.accuracy));
    else CHECK(cells[4].empty());
    CHECK(bits(cell_value(cells[5])) == bits(r.grad_norm));
    if (flow) CHECK(cells[6].empty());
    else CHECK(bits(cell_value(cells[6])) == bits(r.threshold));
    for (int j = 0; j < k; ++j) {
      if (j < r.neig) CHECK(bits(cell_value(cells[7 + j])) == bits(r.eig[j]));
      else CHECK(cells[7 + j].empty());
    }
    if (r.neig > 0) CHECK(cells[7 + k] == std::to_string(r.hvps));
    else CHECK(cells[7 + k].empty());
  }
}

std::string expected_header(int k) {
  std::string h = "step,time,lr,loss,accuracy,grad_norm,threshold";
  for (int i = 1; i <= k; ++i) h += ",eig" + std::to_string(i);
  return h + ",hvps";
}

}  // namespace

TEST_CASE("cli: CSV header, one row per step, eigenvalues every eig_every steps", "[cli]") {
  const Config c = small_config();
  const RunResult r = run_cli(to_flags(c, kSmallSteps));
  INFO(r.cmd << "\nstderr: " << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 26);
  CHECK(lines[0] == "step,time,lr,loss,accuracy,grad_norm,threshold,eig1,eig2,eig3,hvps");
  for (int t = 0; t < 25; ++t) {
    const auto cells = split(lines[t + 1], ',');
    INFO("row " << t << ": " << lines[t + 1]);
    REQUIRE(cells.size() == 11);
    CHECK(cells[0] == std::to_string(t));
    CHECK(cells[4].empty());                                // regression: no accuracy
    CHECK(cell_value(cells[6]) == Approx(10.0).epsilon(1e-12));  // 2 / 0.2
    CHECK(cell_value(cells[1]) == Approx(0.2 * t).margin(1e-12));
    const bool has_eigs = t % 10 == 0;
    for (int j = 7; j <= 10; ++j) CHECK(cells[j].empty() == !has_eigs);
    if (has_eigs) {
      CHECK(cell_value(cells[7]) >= cell_value(cells[8]));
      CHECK(cell_value(cells[8]) >= cell_value(cells[9]));
      CHECK(cell_value(cells[7]) > 0);
      CHECK(std::stoi(cells[10]) >= 3);
    }
  }
}

TEST_CASE("cli: CSV and JSON agree with each other and with the in-process engine", "[cli]") {
  struct Case {
    const char* label;
    Config cfg;
    int steps;
  };
  std::vector<Case> cases;
  {
    Config c = small_config();
    c.eig_every = 7;
    c.neigs = 2;
    cases.push_back({"chebyshev gd float32, 250 steps", c, 250});  // crosses the CLI's chunks (100 records)
  }
  {
    Config c;
    c.dataset = "moons";
    c.n = 40;
    c.loss = "ce";
    c.widths = {8, 8};
    c.act = "relu";
    c.opt = "polyak";
    c.lr = 0.05;
    c.beta = 0.9;
    c.eig_every = 5;
    c.precision = "float64";
    cases.push_back({"moons ce polyak float64", c, 30});
  }
  {
    Config c = small_config();
    c.opt = "flow";
    c.eig_every = 4;
    c.neigs = 1;
    cases.push_back({"chebyshev flow", c, 20});
  }
  for (const auto& cs : cases) {
    INFO("case: " << cs.label);
    const Config& c = cs.cfg;
    const bool classification = eos::validate(c).classification;
    const bool flow = c.opt == "flow";
    const RunResult csv = run_cli(to_flags(c, cs.steps) + std::vector<std::string>{"--format", "csv"});
    const RunResult js = run_cli(to_flags(c, cs.steps) + std::vector<std::string>{"--format", "json"});
    INFO(csv.cmd << "\nstderr: " << csv.err << js.err);
    REQUIRE(csv.status == 0);
    REQUIRE(js.status == 0);
    CHECK(lines_of(csv.out).at(0) == expected_header(c.neigs));

    const auto recs = in_process(c, cs.steps);
    REQUIRE(recs.size() == static_cast<std::size_t>(cs.steps));
    check_csv_matches(csv.out, recs, c.neigs, classification, flow);

    const Json j = eos::parse_json(js.out);
    CHECK(j.at("status").get<std::string>() == "ok");
    CHECK(j.at("changes").size() == 0);
    CHECK(j.at("config") == eos::config_to_json(c));
    CHECK(j.at("steps").get<int>() == cs.steps);
    const Json& jr = j.at("records");
    REQUIRE(jr.size() == recs.size());
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const auto& r = recs[i];
      const Json& o = jr[i];
      INFO("record " << i);
      CHECK(o.at("step").get<std::int64_t>() == r.step);
      CHECK(bits(o.at("time").get<double>()) == bits(r.time));
      CHECK(bits(o.at("lr").get<double>()) == bits(r.lr));
      CHECK(bits(o.at("beta").get<double>()) == bits(r.beta));
      CHECK(bits(o.at("loss").get<double>()) == bits(r.loss));
      CHECK(bits(o.at("grad_norm").get<double>()) == bits(r.grad_norm));
      if (classification) CHECK(bits(o.at("accuracy").get<double>()) == bits(r.accuracy));
      else CHECK(o.at("accuracy").is_null());
      if (flow) CHECK(o.at("threshold").is_null());
      else CHECK(bits(o.at("threshold").get<double>()) == bits(r.threshold));
      REQUIRE(o.at("eigs").size() == static_cast<std::size_t>(r.neig));
      for (int e = 0; e < r.neig; ++e) CHECK(bits(o.at("eigs")[e].get<double>()) == bits(r.eig[e]));
      if (r.neig > 0) CHECK(o.at("hvps").get<double>() == r.hvps);
      else CHECK(o.at("hvps").is_null());
    }
  }
}

TEST_CASE("cli: two runs with the same flags give the same bytes", "[cli]") {
  Config c = small_config();
  c.eig_every = 5;
  for (const char* fmt : {"csv", "json"}) {
    for (const char* prec : {"float32", "float64"}) {
      INFO(fmt << " " << prec);
      c.precision = prec;
      const auto args = to_flags(c, 60) + std::vector<std::string>{"--format", fmt};
      const RunResult a = run_cli(args), b = run_cli(args);
      REQUIRE(a.status == 0);
      REQUIRE(b.status == 0);
      CHECK(a.out.size() > 1000);
      CHECK(a.out == b.out);
    }
  }
  // A different seed gives different weights, hence different records.
  Config d = c;
  d.seed = c.seed + 1;
  CHECK(run_cli(to_flags(c, 60)).out != run_cli(to_flags(d, 60)).out);
}

TEST_CASE("cli: --config JSON equals the flags, and later flags override it", "[cli]") {
  Config c = small_config();
  c.dataset = "gaussian-mixture";
  c.n = 30;
  c.d = 4;
  c.classes = 3;
  c.widths = {10, 6};
  c.act = "gelu";
  c.lr_schedule = "5:x0.5";
  c.eig_every = 3;
  c.neigs = 2;
  c.data_seed = 11;
  const std::string cfg_file = file_path("cfg.json");
  Json doc = eos::config_to_json(c);
  doc["steps"] = 15;  // a --config file may also hold the CLI's run length
  write_text(cfg_file, doc.dump(2));

  const RunResult flags = run_cli(to_flags(c, 15));
  const RunResult file = run_cli({"--config", cfg_file});
  const RunResult file_eq = run_cli({"--config=" + cfg_file});
  INFO(file.err);
  REQUIRE(flags.status == 0);
  REQUIRE(file.status == 0);
  CHECK(lines_of(flags.out).size() == 16);
  CHECK(file.out == flags.out);
  CHECK(file_eq.out == flags.out);

  // Flags override the file, wherever --config appears on the line.
  Config c2 = c;
  c2.lr = 0.05;
  const RunResult flags2 = run_cli(to_flags(c2, 12));
  const RunResult after = run_cli({"--config", cfg_file, "--lr", "0.05", "--steps", "12"});
  const RunResult before = run_cli({"--lr", "0.05", "--steps", "12", "--config", cfg_file});
  REQUIRE(after.status == 0);
  CHECK(after.out == flags2.out);
  CHECK(before.out == flags2.out);
  CHECK(after.out != flags.out);

  // A --format json output can be fed back as --config (its "config" and "steps").
  const RunResult js = run_cli({"--config", cfg_file, "--format", "json"});
  REQUIRE(js.status == 0);
  const std::string out_file = file_path("previous_run.json");
  write_text(out_file, js.out);
  const RunResult again = run_cli({"--config", out_file, "--format", "json"});
  REQUIRE(again.status == 0);
  CHECK(again.out == js.out);

  // A partial config keeps the defaults for the other fields.
  const std::string partial = file_path("partial.json");
  write_text(partial, "{\"steps\": 5, \"eig_every\": 0}");
  Config d;
  d.eig_every = 0;
  const RunResult p = run_cli({"--config", partial});
  REQUIRE(p.status == 0);
  CHECK(p.out == run_cli(to_flags(d, 5)).out);
}

TEST_CASE("cli: --dump-problem round-trips the dataset and initial weights bit for bit", "[cli]") {
  std::vector<Config> configs;
  {
    Config c;
    c.dataset = "gaussian-mixture";
    c.n = 25;
    c.d = 3;
    c.classes = 4;
    c.widths = {5, 7};
    c.seed = 42;
    c.data_seed = 9;
    configs.push_back(c);  // float32, bias on
  }
  {
    Config c = small_config();
    c.bias = false;
    c.init = "normal";
    c.precision = "float64";
    configs.push_back(c);
  }
  {
    Config c;
    c.dataset = "teacher";
    c.n = 12;
    c.d = 6;
    c.classes = 2;
    c.widths = {4, 4, 3};
    configs.push_back(c);
  }
  int idx = 0;
  for (const Config& c : configs) {
    INFO("dataset " << c.dataset << " bias " << c.bias);
    const std::string path = file_path("problem" + std::to_string(idx++) + ".json");
    const RunResult r = run_cli(to_flags(c, 0) + std::vector<std::string>{"--dump-problem", path});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out == expected_header(c.neigs) + "\n");  // --steps 0: header only

    const Json j = eos::parse_json(read_text(path));
    const eos::Experiment e(c);
    const eos::Dataset& ds = e.dataset();
    const Json& X = j.at("X");
    const Json& Y = j.at("Y");
    REQUIRE(X.size() == static_cast<std::size_t>(ds.X.cols()));  // n rows
    REQUIRE(Y.size() == static_cast<std::size_t>(ds.Y.cols()));
    int mismatches = 0;
    for (Eigen::Index i = 0; i < ds.X.cols(); ++i) {
      REQUIRE(X[i].size() == static_cast<std::size_t>(ds.X.rows()));  // d_in values per row
      REQUIRE(Y[i].size() == static_cast<std::size_t>(ds.Y.rows()));  // d_out values per row
      for (Eigen::Index k = 0; k < ds.X.rows(); ++k) mismatches += bits(X[i][k].get<double>()) != bits(ds.X(k, i));
      for (Eigen::Index k = 0; k < ds.Y.rows(); ++k) mismatches += bits(Y[i][k].get<double>()) != bits(ds.Y(k, i));
    }
    const auto layers = e.initial_layers();
    const Json& L = j.at("layers");
    REQUIRE(L.size() == layers.size());
    REQUIRE(L.size() == c.widths.size() + 1);
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const Json& W = L[l].at("W");
      const Json& b = L[l].at("b");
      REQUIRE(W.size() == static_cast<std::size_t>(layers[l].W.rows()));  // out rows
      for (Eigen::Index o = 0; o < layers[l].W.rows(); ++o) {
        REQUIRE(W[o].size() == static_cast<std::size_t>(layers[l].W.cols()));  // in values
        for (Eigen::Index in = 0; in < layers[l].W.cols(); ++in)
          mismatches += bits(W[o][in].get<double>()) != bits(layers[l].W(o, in));
      }
      if (c.bias) {
        REQUIRE(b.size() == static_cast<std::size_t>(layers[l].W.rows()));
        for (Eigen::Index o = 0; o < layers[l].b.size(); ++o) mismatches += bits(b[o].get<double>()) != bits(layers[l].b(o));
      } else {
        CHECK(b.is_array());
        CHECK(b.size() == 0);
      }
    }
    CHECK(mismatches == 0);
    // Layer shapes chain d_in -> widths -> d_out.
    CHECK(L[0].at("W")[0].size() == X[0].size());
    CHECK(L[L.size() - 1].at("W").size() == Y[0].size());
    // The problem's config is included for reference.
    CHECK(j.at("config") == eos::config_to_json(c));
  }
}

TEST_CASE("cli: --lr-schedule is the config field lr_schedule, applied by the engine", "[cli]") {
  Config c = small_config();
  c.eig_every = 5;
  c.lr_schedule = "10:0.1,20:x0.5";
  const RunResult r = run_cli(to_flags(c, 30));
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto recs = in_process(c, 30);  // one step() call: the engine applies the schedule
  check_csv_matches(r.out, recs, c.neigs, false, false);
  const auto lines = lines_of(r.out);
  CHECK(split(lines[10], ',')[2] == "0.2");   // step 9
  CHECK(split(lines[11], ',')[2] == "0.1");   // step 10
  CHECK(split(lines[21], ',')[2] == "0.05");  // step 20: x0.5
  CHECK(cell_value(split(lines[21], ',')[6]) == Approx(40.0).epsilon(1e-12));  // threshold 2/0.05

  const RunResult js = run_cli(to_flags(c, 30) + std::vector<std::string>{"--format", "json"});
  REQUIRE(js.status == 0);
  const Json doc = eos::parse_json(js.out);
  CHECK(doc.at("config").at("lr_schedule") == "10:0.1,20:x0.5");
  const Json ch = doc.at("changes");
  REQUIRE(ch.size() == 2);
  CHECK(ch[0].at("step").get<double>() == 10);
  CHECK(ch[0].at("lr_old").get<double>() == 0.2);
  CHECK(ch[0].at("lr_new").get<double>() == 0.1);
  CHECK(ch[1].at("step").get<double>() == 20);
  CHECK(ch[1].at("lr_new").get<double>() == 0.05);
}

TEST_CASE("cli: a diverging lr is a result: rows up to the diverged step, exit 0", "[cli]") {
  Config c = small_config();
  c.lr = 5000;  // far beyond 2 / sharpness
  c.eig_every = 0;
  const RunResult r = run_cli(to_flags(c, 200));
  INFO(r.cmd << "\nstderr: " << r.err);
  REQUIRE(r.status == 0);
  const auto recs = in_process(c, 200);
  REQUIRE_FALSE(recs.empty());
  const std::int64_t T = recs.back().step;
  CHECK(T < 199);
  CHECK(r.err == "diverged at step " + std::to_string(T) + "\n");
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == static_cast<std::size_t>(T) + 2);  // header + steps 0..T
  CHECK(split(lines.back(), ',')[0] == std::to_string(T));
  check_csv_matches(r.out, recs, c.neigs, false, false);

  const RunResult js = run_cli(to_flags(c, 200) + std::vector<std::string>{"--format", "json"});
  REQUIRE(js.status == 0);
  CHECK(js.err == r.err);
  const Json j = eos::parse_json(js.out);
  CHECK(j.at("status").get<std::string>() == "diverged");
  REQUIRE(j.at("records").size() == static_cast<std::size_t>(T) + 1);
  CHECK(j.at("records")[static_cast<std::size_t>(T)].at("step").get<double>() == static_cast<double>(T));
}

TEST_CASE("cli: bad flags and values exit 2 with one line naming the flag", "[cli]") {
  const std::string bad_json = file_path("bad.json");
  write_text(bad_json, "{\n  \"lr\": 0.1,\n  \"n\" 20\n}\n");
  const std::string unknown_key = file_path("unknown_key.json");
  write_text(unknown_key, "{\"lr\": 0.1, \"foo\": 1}");
  const std::string bad_value = file_path("bad_value.json");
  write_text(bad_value, "{\"lr\": -1}");
  const std::string bad_type = file_path("bad_type.json");
  write_text(bad_type, "{\"lr\": \"fast\"}");
  const std::string bad_steps = file_path("bad_steps.json");
  write_text(bad_steps, "{\"steps\": 2.5}");

  struct Case {
    std::vector<std::string> args;
    std::string says;  // the stderr line must contain this
  };
  const Case cases[] = {
      {{"--opt", "lion"}, "--opt must be one of gd|polyak|nesterov|flow|adam|rmsprop|central, got 'lion'"},
      {{"--lr", "-1"}, "--lr must be a number in (0, 10000], got -1"},
      {{"--lr", "0"}, "--lr must be a number in (0, 10000], got 0"},
      {{"--lr", "nan"}, "--lr must be a number in (0, 10000], got nan"},
      {{"--lr", "inf"}, "--lr must be a number in (0, 10000], got inf"},
      {{"--lr", "1.5x"}, "--lr must be a number in (0, 10000], got '1.5x'"},
      {{"--lr", ""}, "--lr must be a number in (0, 10000], got ''"},
      {{"--lr", " 1"}, "--lr must be a number in (0, 10000], got ' 1'"},
      {{"--n", "1.5"}, "--n must be an integer in [1, 20000], got '1.5'"},
      {{"--n", "1.5x"}, "--n must be an integer in [1, 20000], got '1.5x'"},
      {{"--n", ""}, "--n must be an integer in [1, 20000], got ''"},
      {{"--n", "nan"}, "--n must be an integer in [1, 20000], got 'nan'"},
      {{"--n", "1e3"}, "--n must be an integer in [1, 20000], got '1e3'"},
      {{"--n", "99999999999"}, "--n must be an integer in [1, 20000], got 99999999999"},
      {{"--n", "-99999999999999999999999"}, "--n must be an integer in [1, 20000], got -99999999999999999999999"},
      {{"--n", "0"}, "--n must be an integer in [1, 20000], got 0"},
      {{"--degree", "31"}, "--degree must be an integer in [0, 30], got 31"},
      {{"--d", "0"}, "--d must be an integer in [1, 256], got 0"},
      {{"--dataset", "blobs", "--classes", "1"}, "--classes must be an integer in [2, 20] for blobs, got 1"},
      {{"--classes", "65"}, "--classes must be an integer in [1, 64], got 65"},
      {{"--noise", "-1"}, "--noise must be a number in [0, 10], got -1"},
      {{"--data-seed", "-1"}, "--data-seed must be an integer in [0, 9007199254740991], got -1"},
      {{"--seed", "abc"}, "--seed must be an integer in [0, 9007199254740991], got 'abc'"},
      {{"--seed", "18446744073709551616"}, "--seed must be an integer in [0, 9007199254740991], got 18446744073709551616"},
      {{"--seed", "9007199254740992"}, "--seed must be an integer in [0, 9007199254740991], got 9007199254740992"},
      {{"--widths", "50,,50"}, "--widths must be a comma-separated list of integers like 50,50, got '50,,50'"},
      {{"--widths", ""}, "--widths must be a comma-separated list"},
      {{"--widths", "50;50"}, "--widths must be a comma-separated list"},
      {{"--widths", "0"}, "--widths entries must be integers in [1, 512], got 0"},
      {{"--widths", "50,513"}, "--widths entries must be integers in [1, 512], got 513"},
      {{"--widths", "99999999999"}, "--widths entries must be integers in [1, 512], got 99999999999"},
      {{"--widths", "1,1,1,1,1,1,1"}, "--widths must have 1 to 6 entries, got 7"},
      {{"--act", "swish"}, "--act must be one of tanh|relu|elu|gelu|softplus|sigmoid|identity, got 'swish'"},
      {{"--bias", "yes"}, "--bias must be one of on|off|true|false, got 'yes'"},
      {{"--init", "xavier"}, "--init must be one of pytorch|normal, got 'xavier'"},
      {{"--init-scale", "0"}, "--init-scale must be a number in (0, 100], got 0"},
      {{"--loss", "hinge"}, "--loss must be one of mse|ce, got 'hinge'"},
      {{"--loss", "ce"}, "--loss ce needs a classification dataset"},
      {{"--dataset", "mnist"}, "--dataset must be one of chebyshev|"},
      {{"--precision", "half"}, "--precision must be one of float32|float64, got 'half'"},
      {{"--beta", "1"}, "--beta must be a number in [0, 1), got 1"},
      {{"--beta", "-0.1"}, "--beta must be a number in [0, 1), got -0.1"},
      {{"--steps", "-1"}, "--steps must be an integer in [0, 10000000], got -1"},
      {{"--steps", "99999999999"}, "--steps must be an integer in [0, 10000000], got 99999999999"},
      {{"--steps", "ten"}, "--steps must be an integer in [0, 10000000], got 'ten'"},
      {{"--eig-every", "-1"}, "--eig-every must be an integer in [0, 1000000], got -1"},
      {{"--neigs", "0"}, "--neigs must be an integer in [1, 20], got 0"},
      {{"--neigs", "21"}, "--neigs must be an integer in [1, 20], got 21"},
      {{"--neigs", "5", "--lanczos-max-iter", "5"}, "--lanczos-max-iter must be at least neigs + 1 = 6, got 5"},
      {{"--lanczos-tol", "1"}, "--lanczos-tol must be a number in (0, 0.1], got 1"},
      {{"--flow-alpha", "0"}, "--flow-alpha must be a number in (0, 10], got 0"},
      {{"--flow-max-step", "-1"}, "--flow-max-step must be a number in (0, 1000], got -1"},
      {{"--diverge-factor", "1"}, "--diverge-factor must be a number in (1, 1000000000000], got 1"},
      {{"--format", "xml"}, "--format must be one of csv|json, got 'xml'"},
      {{"--lr-schedule", "5"}, "--lr-schedule must be STEP:LR[,STEP:LR...]"},
      {{"--lr-schedule", "a:0.1"}, "--lr-schedule must be STEP:LR"},
      {{"--lr-schedule", "0:0.1"}, "--lr-schedule steps must be integers in [1, 9007199254740991], got 0"},
      {{"--lr-schedule", "5:-1"}, "--lr-schedule entry '5:-1': lr must be a number in (0, 10000], got -1"},
      {{"--lr-schedule", "5:x"}, "--lr-schedule must be STEP:LR"},
      {{"--lr-schedule", "5:x-2"}, "--lr-schedule factors must be numbers > 0, got '5:x-2'"},
      {{"--lr-schedule", "10:0.1,5:0.2"}, "--lr-schedule steps must be strictly increasing, got 5 after 10"},
      {{"--lr-schedule", "1:x1e6"}, "--lr-schedule entry '1:x1000000' is refused: lr must be a number in (0, 10000], got 200000"},
      {{"--steps", "10", "--lr-schedule", "10:0.1"}, "--lr-schedule step 10 is never reached: the run has --steps 10"},
      {{"--widths", "512,512,512,512,512,512", "--n", "20000"}, "needs about "},
      {{"--frobnicate", "1"}, "unknown flag '--frobnicate'"},
      {{"-x"}, "unknown flag '-x'"},
      {{"stray"}, "unexpected argument 'stray'"},
      {{"--lr"}, "--lr needs a value"},
      {{"--config"}, "--config needs a value"},
      {{"--config", file_path("does_not_exist.json")}, "--config: cannot read"},
      {{"--config", bad_json}, "line 3, column 8"},
      {{"--config", unknown_key}, "unknown config field 'foo'"},
      {{"--config", bad_type}, ": lr must be a number in (0, 10000], got \"fast\""},
      {{"--config", bad_value}, ": lr must be a number in (0, 10000], got -1"},
      {{"--config", bad_value, "--config", bad_value}, "--config may be given only once"},
  };
  for (const auto& c : cases) {
    const RunResult r = run_cli(std::vector<std::string>{"--steps", "3"} + c.args);
    INFO(r.cmd << "\nstderr: " << r.err);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find(c.says) != std::string::npos);
    CHECK(r.err.rfind("eos-run: ", 0) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  // The run length in a config file is checked like the flag (which the cases above all give).
  const RunResult bs = run_cli({"--config", bad_steps});
  CHECK(bs.status == 2);
  CHECK(bs.err == "eos-run: --config " + bad_steps + ": steps must be an integer in [0, 10000000], got 2.5\n");
  // A bad value from the file names the file, and a flag fixes it (also one that overflows).
  const RunResult fixed = run_cli({"--config", bad_value, "--lr", "0.1", "--steps", "2"});
  CHECK(fixed.status == 0);
  write_text(bad_value, "{\"n\": 99999999999, \"steps\": -1}");
  CHECK(run_cli({"--config", bad_value, "--n", "5", "--steps", "2"}).status == 0);
}

TEST_CASE("cli: --help, --flag=value and an unwritable dump file", "[cli]") {
  const RunResult h = run_cli({"--help"});
  CHECK(h.status == 0);
  for (const char* f : {"--dataset", "--n ", "--degree", "--d ", "--classes", "--noise", "--data-seed", "--widths",
                        "--act", "--bias", "--init ", "--init-scale", "--loss", "--opt", "--lr ", "--beta", "--steps",
                        "--eig-every", "--neigs", "--seed", "--config", "--format", "--dump-problem", "--precision",
                        "--flow-alpha", "--flow-max-step", "--lanczos-tol", "--lr-schedule", "--schema"}) {
    INFO(f);
    CHECK(h.out.find(f) != std::string::npos);
  }
  const Config c = small_config();
  const RunResult a = run_cli({"--steps", "7", "--lr", "0.1", "--widths", "20", "--seed", "3"});
  const RunResult b = run_cli({"--steps=7", "--lr=0.1", "--widths=20", "--seed=3"});
  REQUIRE(a.status == 0);
  CHECK(a.out == b.out);
  CHECK(lines_of(a.out).size() == 8);

  const RunResult w = run_cli(to_flags(c, 2) + std::vector<std::string>{"--dump-problem", "/nonexistent-dir/p.json"});
  CHECK(w.status == 1);
  CHECK(w.err.find("--dump-problem") != std::string::npos);
}

TEST_CASE("cli: --schema prints the field table and --help lists every field with its range and default", "[cli]") {
  const RunResult s = run_cli({"--schema"});
  REQUIRE(s.status == 0);
  CHECK(eos::parse_json(s.out) == eos::config_schema());
  const RunResult h = run_cli({"--help"});
  REQUIRE(h.status == 0);
  const Config d;
  for (const eos::Field& f : eos::config_fields()) {
    INFO(f.name);
    CHECK(h.out.find(eos::flag_of(f) + " " + f.metavar) != std::string::npos);
    if (f.type == eos::FieldType::Int || f.type == eos::FieldType::Real)
      CHECK(h.out.find("in " + eos::range_text(f) + ", default " + eos::field_to_text(f, d) + ")") !=
            std::string::npos);
  }
}
