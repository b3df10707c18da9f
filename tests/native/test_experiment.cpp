// The experiment runner: record semantics, determinism, live step-size changes,
// divergence as a status, bounded memory.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "eoslab/experiment.hpp"

namespace {

eos::Config small() {
  eos::Config c;
  c.dataset = "chebyshev";
  c.n = 20;
  c.degree = 3;
  c.widths = {20};
  c.lr = 0.2;
  c.eig_every = 5;
  c.neigs = 2;
  return c;
}

bool same_record(const eos::StepRecord& a, const eos::StepRecord& b) {
  // Bitwise: NaN accuracy compares equal to itself here.
  return std::memcmp(&a, &b, sizeof(eos::StepRecord)) == 0;
}

}  // namespace

TEST_CASE("records hold the state before each step's update", "[experiment]") {
  eos::Experiment e(small());
  std::vector<eos::StepRecord> rec;
  REQUIRE(e.step(11, rec) == 11);
  REQUIRE(rec.size() == 11);
  for (std::size_t i = 0; i < rec.size(); ++i) {
    INFO("row " << i);
    CHECK(rec[i].step == std::int64_t(i));
    CHECK(rec[i].time == Approx(0.2 * double(i)));
    CHECK(rec[i].lr == 0.2);
    CHECK(rec[i].threshold == Approx(10.0));
    CHECK(std::isnan(rec[i].accuracy));  // regression
    CHECK(rec[i].neig == (i % 5 == 0 ? 2 : 0));
    if (rec[i].neig) {
      CHECK(rec[i].eig[0] >= rec[i].eig[1]);
      CHECK(rec[i].hvps > 0);
    }
  }
  // Row 0's loss is the loss at initialisation; a fresh run's sharpness() at
  // step 0 agrees with the eigenvalue recorded in row 0.
  eos::Experiment e2(small());
  eos::SharpnessResult s = e2.sharpness(2);
  REQUIRE(s.values[0] == Approx(rec[0].eig[0]).epsilon(1e-3));
  std::vector<eos::StepRecord> r2;
  e2.step(1, r2);
  REQUIRE(r2[0].loss == rec[0].loss);
  REQUIRE(e.step_count() == 11);
}

TEST_CASE("two runs with the same seed give identical records, another seed differs", "[experiment]") {
  std::vector<eos::StepRecord> a, b, c;
  eos::Experiment ea(small()), eb(small());
  ea.step(60, a);
  // Chunking must not change results: 60 steps as 7 + 53.
  eb.step(7, b);
  eb.step(53, b);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("row " << i);
    REQUIRE(same_record(a[i], b[i]));
  }
  eos::Config other = small();
  other.seed = 1;
  eos::Experiment ec(other);
  ec.step(60, c);
  REQUIRE(c[0].loss != a[0].loss);
}

TEST_CASE("lr and beta can change between any two steps and the change is recorded", "[experiment]") {
  eos::Config cfg = small();
  cfg.opt = "polyak";
  cfg.beta = 0.5;
  eos::Experiment e(cfg);
  std::vector<eos::StepRecord> rec;
  e.step(3, rec);
  e.set_lr(0.1);
  e.step(2, rec);
  e.set_beta(0.8);
  e.step(1, rec);
  REQUIRE(rec[2].lr == 0.2);
  REQUIRE(rec[3].lr == 0.1);
  REQUIRE(rec[3].threshold == Approx((2 + 2 * 0.5) / 0.1));
  REQUIRE(rec[5].threshold == Approx((2 + 2 * 0.8) / 0.1));
  REQUIRE(e.changes().size() == 2);
  CHECK(e.changes()[0].step == 3);
  CHECK(e.changes()[0].lr_old == 0.2);
  CHECK(e.changes()[0].lr_new == 0.1);
  CHECK(e.changes()[1].step == 5);
  CHECK(e.changes()[1].beta_new == 0.8);
  REQUIRE_THROWS_WITH(e.set_lr(-1), "lr must be a number in (0, 10000], got -1");
  REQUIRE_THROWS_WITH(e.set_lr(std::nan("")), "lr must be a number in (0, 10000], got nan");
  REQUIRE_THROWS_WITH(e.set_beta(1.0), "beta must be a number in [0, 1), got 1");
  REQUIRE(e.lr() == 0.1);  // unchanged by the rejected values
}

TEST_CASE("a diverging run stops with status diverged, not an exception", "[experiment]") {
  eos::Config cfg = small();
  cfg.lr = 3.0;  // 2/lr = 0.67, far below the initial sharpness
  eos::Experiment e(cfg);
  std::vector<eos::StepRecord> rec;
  int done = 0;
  REQUIRE_NOTHROW(done = e.step(10000, rec));
  REQUIRE(e.status() == eos::Status::Diverged);
  REQUIRE(done < 10000);
  REQUIRE(rec.size() == std::size_t(done));
  const eos::StepRecord& last = rec.back();
  INFO("diverged at step " << last.step << " loss " << last.loss);
  REQUIRE((!std::isfinite(last.loss) || last.loss > cfg.diverge_factor * rec.front().loss));
  // Further steps do nothing.
  REQUIRE(e.step(5, rec) == 0);
}

TEST_CASE("float32 and float64 runs agree early on", "[experiment]") {
  eos::Config c32 = small(), c64 = small();
  c64.precision = "float64";
  eos::Experiment a(c32), b(c64);
  std::vector<eos::StepRecord> ra, rb;
  a.step(50, ra);
  b.step(50, rb);
  for (std::size_t i = 0; i < ra.size(); ++i) {
    INFO("row " << i);
    REQUIRE(ra[i].loss == Approx(rb[i].loss).epsilon(1e-4));
    if (ra[i].neig) REQUIRE(ra[i].eig[0] == Approx(rb[i].eig[0]).epsilon(1e-3));
  }
}

TEST_CASE("gradient flow reports time as the sum of RK4 steps and no threshold", "[experiment]") {
  eos::Config cfg = small();
  cfg.opt = "flow";
  eos::Experiment e(cfg);
  std::vector<eos::StepRecord> rec;
  e.step(20, rec);
  double t = 0;
  for (const auto& r : rec) {
    INFO("step " << r.step);
    REQUIRE(std::isnan(r.threshold));
    REQUIRE(r.time == Approx(t));
    REQUIRE(r.lr > 0);
    REQUIRE(r.lr <= cfg.flow_max_step);
    t += r.lr;  // for flow the lr column holds the RK4 step used
  }
  REQUIRE(rec.back().loss < rec.front().loss);
}

TEST_CASE("progress: 'eigs' after every HVP with counts 1, 2, ..., then one 'step' per step", "[experiment]") {
  eos::Config c = small();
  c.eig_every = 2;
  c.neigs = 3;
  eos::Experiment e(c);
  struct Seen {
    std::string what;
    std::int64_t step;
    int k, hvps;
  };
  std::vector<Seen> seen;
  e.set_progress([&](const eos::Progress& p) { seen.push_back({p.what, p.step, p.k, p.hvps}); });
  std::vector<eos::StepRecord> rec;
  REQUIRE(e.step(5, rec) == 5);
  // The exact sequence the records imply: for a step with eigenvalues, "eigs"
  // with hvps = 1, 2, ..., record.hvps (strictly increasing, ending at the
  // record's count), then that step's "step".
  std::vector<Seen> want;
  for (const eos::StepRecord& r : rec) {
    for (int h = 1; h <= r.hvps; ++h) want.push_back({"eigs", r.step, 3, h});
    want.push_back({"step", r.step, r.neig, r.hvps});
  }
  REQUIRE(rec[0].hvps > 1);
  REQUIRE(rec[1].hvps == 0);
  REQUIRE(seen.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("event " << i << ": got " << seen[i].what << " step " << seen[i].step << " k " << seen[i].k << " hvps "
                  << seen[i].hvps << ", want " << want[i].what << " step " << want[i].step << " k " << want[i].k
                  << " hvps " << want[i].hvps);
    CHECK(seen[i].what == want[i].what);
    CHECK(seen[i].step == want[i].step);
    CHECK(seen[i].k == want[i].k);
    CHECK(seen[i].hvps == want[i].hvps);
  }
  // sharpness() reports too, at the current step, ending at its own count.
  seen.clear();
  const eos::SharpnessResult s = e.sharpness(2);
  REQUIRE(!seen.empty());
  CHECK(static_cast<int>(seen.size()) == s.hvps);
  CHECK(seen.back().hvps == s.hvps);
  CHECK(seen.back().what == "eigs");
  CHECK(seen.back().step == 5);
  CHECK(seen.back().k == 2);
  // Removing the callback stops the calls; the records do not depend on it.
  e.set_progress(nullptr);
  seen.clear();
  rec.clear();
  e.step(2, rec);
  CHECK(seen.empty());
  eos::Experiment quiet(c);
  std::vector<eos::StepRecord> rq;
  quiet.step(5, rq);
  eos::Experiment loud(c);
  loud.set_progress([](const eos::Progress&) {});
  std::vector<eos::StepRecord> rl;
  loud.step(5, rl);
  for (std::size_t i = 0; i < 5; ++i) CHECK(same_record(rq[i], rl[i]));
}
