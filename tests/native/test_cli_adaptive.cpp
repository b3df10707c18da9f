// eos-run's columns for the adaptive methods and the valley view, run as a real process
// (EOS_RUN_PATH): for adam/rmsprop the CSV header has raw1..rawk after hvps (eig1..k are
// then the preconditioned sharpness), JSON rows a "raw" array; with --valley on a u_proj
// column / key; other runs keep the existing header. Values agree with the engine in process.
#include <catch2/catch.hpp>

#include <array>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "eoslab/experiment.hpp"

#ifndef EOS_RUN_PATH
#error "EOS_RUN_PATH must be defined by the build (path of the eos-run binary)"
#endif

namespace {

std::string run_out(const std::string& args) {
  const std::string cmd = std::string("'") + EOS_RUN_PATH + "' " + args + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  REQUIRE(p);
  std::string out;
  std::array<char, 4096> buf{};
  std::size_t got;
  while ((got = std::fread(buf.data(), 1, buf.size(), p.get())) > 0) out.append(buf.data(), got);
  return out;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

TEST_CASE("eos-run: adaptive runs add raw columns, the valley view a u_proj column", "[cli][adaptive]") {
  CHECK(first_line(run_out("--steps 1")) == "step,time,lr,loss,accuracy,grad_norm,threshold,eig1,hvps");
  CHECK(first_line(run_out("--steps 1 --opt adam --neigs 2")) ==
        "step,time,lr,loss,accuracy,grad_norm,threshold,eig1,eig2,hvps,raw1,raw2");
  CHECK(first_line(run_out("--steps 1 --opt rmsprop --valley on")) ==
        "step,time,lr,loss,accuracy,grad_norm,threshold,eig1,hvps,raw1,u_proj");
  CHECK(first_line(run_out("--steps 1 --valley on")) == "step,time,lr,loss,accuracy,grad_norm,threshold,eig1,hvps,u_proj");
  const std::string json = run_out("--steps 1 --opt adam --valley on --format json");
  CHECK(json.find("\"raw\":[") != std::string::npos);
  CHECK(json.find("\"u_proj\":") != std::string::npos);
  // The CSV's first row holds the engine's numbers: threshold 38/lr, preconditioned eig1, raw1.
  eos::Config c;
  c.opt = "adam";
  c.lr = 0.002;
  c.valley = true;
  eos::Experiment e(c);
  std::vector<eos::StepRecord> rec;
  e.step(1, rec);
  const std::string csv = run_out("--steps 1 --opt adam --lr 0.002 --valley on");
  const std::string row = csv.substr(csv.find('\n') + 1);
  std::vector<double> cells;
  std::size_t at = 0;
  for (;;) {
    const std::size_t comma = row.find_first_of(",\n", at);
    const std::string cell = row.substr(at, comma - at);
    cells.push_back(cell.empty() ? -1 : std::stod(cell));
    if (comma == std::string::npos || row[comma] == '\n') break;
    at = comma + 1;
  }
  REQUIRE(cells.size() == 11);
  CHECK(cells[6] == Approx(38 / 0.002).epsilon(1e-12));
  CHECK(cells[7] == rec[0].eig[0]);
  CHECK(cells[9] == rec[0].raw[0]);
  CHECK(cells[10] == rec[0].u_proj);
}

// The CLI resolves beta2 per optimiser after the --config file and every flag are read,
// so a flag's --opt decides the default and an explicit beta2 (flag or file) wins.
TEST_CASE("eos-run: beta2 defaults per optimiser from flags and --config, explicit values win", "[cli][adaptive]") {
  auto beta2_of = [](const std::string& args) {
    const std::string out = run_out("--steps 0 --format json " + args);
    const std::size_t at = out.find("\"beta2\":");
    REQUIRE(at != std::string::npos);
    return std::stod(out.substr(at + 8));
  };
  CHECK(beta2_of("--opt rmsprop") == 0.99);
  CHECK(beta2_of("--opt adam") == 0.999);
  CHECK(beta2_of("--opt rmsprop --beta2 0.999") == 0.999);
  CHECK(beta2_of("--opt adam --beta2 0.99") == 0.99);
  const std::string dir = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
  const std::string plain = dir + "/eos-beta2-plain.json", given = dir + "/eos-beta2-given.json";
  {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(plain.c_str(), "w"), std::fclose);
    REQUIRE(f);
    std::fputs(R"({"opt": "adam", "lr": 0.002})", f.get());
  }
  {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(given.c_str(), "w"), std::fclose);
    REQUIRE(f);
    std::fputs(R"({"opt": "adam", "beta2": 0.999})", f.get());
  }
  CHECK(beta2_of("--config " + plain) == 0.999);
  CHECK(beta2_of("--config " + plain + " --opt rmsprop") == 0.99);  // the flag's optimiser decides
  CHECK(beta2_of("--config " + given + " --opt rmsprop") == 0.999);  // the file's explicit value wins
  CHECK(beta2_of("--config " + given + " --opt rmsprop --beta2 0.9") == 0.9);
  std::remove(plain.c_str());
  std::remove(given.c_str());
  CHECK(run_out("--steps 0 --opt rmsprop --beta2 1").find("--beta2 must be a number in [0, 1), got 1") !=
        std::string::npos);
}
