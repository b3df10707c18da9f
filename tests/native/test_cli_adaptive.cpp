// eos-run's columns for the adaptive methods and the valley view, run as a real process
// (EOS_RUN_PATH): for adam/rmsprop the CSV header has raw1..rawk after hvps (eig1..k are
// then the preconditioned sharpness), JSON rows a "raw" array; with --valley on a u_proj
// column / key; other runs keep the existing header. Values agree with the engine in process.
#include <catch2/catch.hpp>

#include <array>
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
