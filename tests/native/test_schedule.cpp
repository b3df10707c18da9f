// Schedules of the step size and momentum inside the engine (Experiment::schedule,
// Config::lr_schedule): applied when the run reaches the step whatever the
// chunking of step(n), every change listed in changes(), live set_lr/set_beta
// through the same path, and clear refusals.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/experiment.hpp"

namespace {

eos::Config scheduled() {
  eos::Config c;
  c.dataset = "chebyshev";
  c.n = 20;
  c.degree = 3;
  c.widths = {20};
  c.opt = "polyak";
  c.lr = 0.2;
  c.beta = 0.5;
  c.eig_every = 50;
  c.neigs = 2;
  c.lr_schedule = "500:0.1,1000:x0.5,2000:x1.5";
  return c;
}

// The config's schedule plus a momentum change and a same-step lr factor.
void add_live(eos::Experiment& e) {
  eos::HyperUpdate beta;
  beta.beta = 0.8;
  e.schedule(1500, beta);
  eos::HyperUpdate half;
  half.lr = 0.5;
  half.lr_factor = true;
  e.schedule(2000, half);  // after the config's x1.5 at the same step
}

bool same_record(const eos::StepRecord& a, const eos::StepRecord& b) {
  return std::memcmp(&a, &b, sizeof(eos::StepRecord)) == 0;  // bitwise: NaN == NaN here
}

bool same_change(const eos::HyperChange& a, const eos::HyperChange& b) {
  return a.step == b.step && a.lr_old == b.lr_old && a.lr_new == b.lr_new && a.beta_old == b.beta_old &&
         a.beta_new == b.beta_new;
}

}  // namespace

TEST_CASE("schedule: records are bit-identical however the run is chunked", "[schedule]") {
  constexpr int T = 3000;
  eos::Experiment whole(scheduled()), single(scheduled()), ragged(scheduled());
  for (auto* e : {&whole, &single, &ragged}) add_live(*e);
  std::vector<eos::StepRecord> a, b, c;
  REQUIRE(whole.step(T, a) == T);
  for (int i = 0; i < T; ++i) REQUIRE(single.step(1, b) == 1);
  // Chunks that straddle, end on and start at the scheduled steps.
  const int chunks[] = {7, 493, 1, 499, 1, 998, 2, 499, 500};
  for (int n : chunks) ragged.step(n, c);
  REQUIRE(b.size() == a.size());
  REQUIRE(c.size() == a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("row " << i);
    REQUIRE(same_record(a[i], b[i]));
    REQUIRE(same_record(a[i], c[i]));
  }
  REQUIRE(single.changes().size() == whole.changes().size());
  REQUIRE(ragged.changes().size() == whole.changes().size());
  for (std::size_t i = 0; i < whole.changes().size(); ++i) {
    CHECK(same_change(whole.changes()[i], single.changes()[i]));
    CHECK(same_change(whole.changes()[i], ragged.changes()[i]));
  }
}

TEST_CASE("schedule: absolute and factor entries, in changes() with their steps", "[schedule]") {
  eos::Experiment e(scheduled());
  add_live(e);
  std::vector<eos::StepRecord> r;
  e.step(2500, r);
  CHECK(r[499].lr == 0.2);
  CHECK(r[500].lr == 0.1);
  CHECK(r[999].lr == 0.1);
  CHECK(r[1000].lr == 0.1 * 0.5);
  CHECK(r[1499].beta == 0.5);
  CHECK(r[1500].beta == 0.8);
  CHECK(r[2000].lr == 0.1 * 0.5 * 1.5 * 0.5);
  CHECK(r[2000].threshold == Approx((2 + 2 * 0.8) / (0.1 * 0.5 * 1.5 * 0.5)).epsilon(1e-14));
  // time is the sum of the step sizes used: 500 * 0.2 + 500 * 0.1 + 500 * 0.05 ...
  CHECK(r[1500].time == Approx(500 * 0.2 + 500 * 0.1 + 500 * 0.05).epsilon(1e-12));
  const auto& ch = e.changes();
  REQUIRE(ch.size() == 5);
  CHECK(ch[0].step == 500);
  CHECK(ch[0].lr_old == 0.2);
  CHECK(ch[0].lr_new == 0.1);
  CHECK(ch[1].step == 1000);
  CHECK(ch[1].lr_new == 0.1 * 0.5);
  CHECK(ch[2].step == 1500);
  CHECK(ch[2].beta_old == 0.5);
  CHECK(ch[2].beta_new == 0.8);
  CHECK(ch[2].lr_new == ch[2].lr_old);
  CHECK(ch[3].step == 2000);
  CHECK(ch[3].lr_new == 0.1 * 0.5 * 1.5);
  CHECK(ch[4].step == 2000);
  CHECK(ch[4].lr_new == 0.1 * 0.5 * 1.5 * 0.5);
}

TEST_CASE("schedule: live set_lr/set_beta take effect at once and are listed, no-ops are not", "[schedule]") {
  eos::Config c = scheduled();
  c.lr_schedule = "";
  eos::Experiment e(c);
  std::vector<eos::StepRecord> r;
  e.step(10, r);
  e.set_lr(0.05);
  CHECK(e.lr() == 0.05);  // visible before the next step
  e.set_beta(0.6);
  e.set_lr(0.05);  // no change: not listed
  e.step(1, r);
  CHECK(r[10].lr == 0.05);
  CHECK(r[10].beta == 0.6);
  REQUIRE(e.changes().size() == 2);
  CHECK(e.changes()[0].step == 10);
  CHECK(e.changes()[1].step == 10);
  CHECK(e.changes()[1].beta_new == 0.6);
}

TEST_CASE("schedule: refusals name the problem and schedule nothing", "[schedule]") {
  eos::Config c = scheduled();
  c.lr_schedule = "";
  eos::Experiment e(c);
  std::vector<eos::StepRecord> r;
  e.step(20, r);
  eos::HyperUpdate lr;
  lr.lr = 0.1;
  CHECK_THROWS_WITH(e.schedule(19, lr), "a schedule step must be >= the current step 20, got 19");
  eos::HyperUpdate bad;
  bad.lr = -1;
  CHECK_THROWS_WITH(e.schedule(30, bad), "lr must be a number in (0, 10000], got -1");
  eos::HyperUpdate huge;
  huge.lr = 1e6;
  huge.lr_factor = true;
  CHECK_THROWS_WITH(e.schedule(30, huge),
                    "the lr change at step 30 is refused: lr must be a number in (0, 10000], got 200000");
  eos::HyperUpdate zero;
  zero.lr = 0;
  zero.lr_factor = true;
  CHECK_THROWS_WITH(e.schedule(30, zero), Catch::StartsWith("an lr factor must be a number > 0"));
  eos::HyperUpdate beta;
  beta.beta = 1.0;
  CHECK_THROWS_WITH(e.schedule(30, beta), "beta must be a number in [0, 1), got 1");
  e.step(20, r);
  CHECK(r.back().lr == 0.2);
  CHECK(r.back().beta == 0.5);
  CHECK(e.changes().empty());
}

TEST_CASE("schedule: the lr_schedule text is parsed into steps, values and factors", "[schedule]") {
  const auto s = eos::parse_lr_schedule("500:0.1,1000:x0.5,1200:1e-3");
  REQUIRE(s.size() == 3);
  CHECK(s[0].step == 500);
  CHECK(s[0].value == 0.1);
  CHECK_FALSE(s[0].factor);
  CHECK(s[1].step == 1000);
  CHECK(s[1].value == 0.5);
  CHECK(s[1].factor);
  CHECK(s[2].value == 1e-3);
  CHECK(eos::parse_lr_schedule("").empty());
  CHECK_THROWS_WITH(eos::parse_lr_schedule("500:0.1,500:0.2"),
                    "lr_schedule steps must be strictly increasing, got 500 after 500");
  CHECK_THROWS_WITH(eos::parse_lr_schedule("0:0.1"), Catch::StartsWith("lr_schedule steps must be integers in [1, "));
  CHECK_THROWS_WITH(eos::parse_lr_schedule("5:0"), "lr_schedule entry '5:0': lr must be a number in (0, 10000], got 0");
  CHECK_THROWS_WITH(eos::parse_lr_schedule("5:0.1,"), Catch::StartsWith("lr_schedule must be STEP:LR"));
  CHECK_THROWS_WITH(eos::parse_lr_schedule(" 5:0.1"), Catch::StartsWith("lr_schedule must be STEP:LR"));
}
