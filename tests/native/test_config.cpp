// Tests of configuration checking: every invalid field of eos::Config gives its
// own one-line message naming the field and its allowed range (eos::validate),
// and the JSON form of a Config (--config files, the WASM binding) rejects unknown
// keys, wrong types and out-of-range values with the same messages. Long because
// it tabulates one bad case per field and rule.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/fields.hpp"
#include "eoslab/json.hpp"

using eos::Config;
using eos::ConfigError;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct BadCase {
  const char* label;
  std::function<void(Config&)> set;
  std::string field;                   // the message must start with this field name
  std::vector<std::string> fragments;  // ...and contain these (range / allowed values)
};

std::vector<BadCase> bad_cases() {
  const std::string datasets = "chebyshev|moons|circles|spirals|xor|blobs|gaussian-mixture|teacher|linear";
  return {
      {"dataset unknown", [](Config& c) { c.dataset = "mnist"; }, "dataset", {datasets, "'mnist'"}},
      {"dataset empty", [](Config& c) { c.dataset = ""; }, "dataset", {datasets, "''"}},
      {"n = 0", [](Config& c) { c.n = 0; }, "n", {"[1, 20000]", "got 0"}},
      {"n < 0", [](Config& c) { c.n = -5; }, "n", {"[1, 20000]", "got -5"}},
      {"n too big", [](Config& c) { c.n = 20001; }, "n", {"[1, 20000]", "got 20001"}},
      {"n_test < 0", [](Config& c) { c.n_test = -1; }, "n_test", {"[0, 20000]", "got -1"}},
      {"batch > n", [](Config& c) { c.batch = 21; }, "batch", {"[0, n = 20]", "got 21"}},
      {"batch < 0", [](Config& c) { c.batch = -1; }, "batch", {"[0, 20000]", "got -1"}},
      {"degree < 0", [](Config& c) { c.degree = -1; }, "degree", {"[0, 30]", "got -1"}},
      {"degree > 30", [](Config& c) { c.degree = 31; }, "degree", {"[0, 30]", "got 31"}},
      {"d = 0", [](Config& c) { c.d = 0; }, "d", {"[1, 256]", "got 0"}},
      {"d > 256", [](Config& c) { c.d = 257; }, "d", {"[1, 256]", "got 257"}},
      {"blobs classes = 1",
       [](Config& c) {
         c.dataset = "blobs";
         c.classes = 1;
       },
       "classes",
       {"[2, 20]", "got 1"}},
      {"spirals classes = 21",
       [](Config& c) {
         c.dataset = "spirals";
         c.classes = 21;
       },
       "classes",
       {"[2, 20]", "got 21"}},
      {"gaussian-mixture classes = 0",
       [](Config& c) {
         c.dataset = "gaussian-mixture";
         c.classes = 0;
       },
       "classes",
       {"[1, 64]", "got 0"}},
      {"teacher outputs = 0",
       [](Config& c) {
         c.dataset = "teacher";
         c.classes = 0;
       },
       "classes",
       {"[1, 64]", "got 0"}},
      {"linear outputs = 65",
       [](Config& c) {
         c.dataset = "linear";
         c.d = 2;
         c.classes = 65;
       },
       "classes",
       {"[1, 64]", "got 65"}},
      {"noise < 0", [](Config& c) { c.noise = -0.1; }, "noise", {"[0, 10]", "got -0.1"}},
      {"noise > 10", [](Config& c) { c.noise = 10.5; }, "noise", {"[0, 10]", "got 10.5"}},
      {"noise NaN", [](Config& c) { c.noise = kNaN; }, "noise", {"[0, 10]", "got nan"}},
      {"noise inf", [](Config& c) { c.noise = kInf; }, "noise", {"[0, 10]", "got inf"}},
      {"data_seed 2^53", [](Config& c) { c.data_seed = 9007199254740992ull; }, "data_seed",
       {"[0, 9007199254740991]", "got 9007199254740992"}},
      {"widths empty", [](Config& c) { c.widths = {}; }, "widths", {"1 to 6 entries", "got 0"}},
      {"widths 7 layers", [](Config& c) { c.widths = std::vector<int>(7, 20); }, "widths", {"1 to 6", "got 7"}},
      {"widths 0", [](Config& c) { c.widths = {0}; }, "widths", {"entries must be integers in [1, 512]", "got 0"}},
      {"widths 513", [](Config& c) { c.widths = {50, 513}; }, "widths", {"[1, 512]", "got 513"}},
      {"widths negative", [](Config& c) { c.widths = {20, -3, 20}; }, "widths", {"[1, 512]", "got -3"}},
      {"act unknown", [](Config& c) { c.act = "swish"; }, "act",
       {"tanh|relu|elu|gelu|softplus|sigmoid|identity", "'swish'"}},
      {"init unknown", [](Config& c) { c.init = "xavier"; }, "init", {"pytorch|normal", "'xavier'"}},
      {"init_scale 0", [](Config& c) { c.init_scale = 0; }, "init_scale", {"(0, 100]", "got 0"}},
      {"init_scale < 0", [](Config& c) { c.init_scale = -1; }, "init_scale", {"(0, 100]", "got -1"}},
      {"init_scale > 100", [](Config& c) { c.init_scale = 101; }, "init_scale", {"(0, 100]", "got 101"}},
      {"init_scale NaN", [](Config& c) { c.init_scale = kNaN; }, "init_scale", {"(0, 100]"}},
      {"loss unknown", [](Config& c) { c.loss = "hinge"; }, "loss", {"mse|ce", "'hinge'"}},
      {"precision unknown", [](Config& c) { c.precision = "float16"; }, "precision", {"float32|float64", "'float16'"}},
      {"opt unknown", [](Config& c) { c.opt = "lion"; }, "opt", {"gd|polyak|nesterov|flow|adam|rmsprop|central", "'lion'"}},
      {"lr -1", [](Config& c) { c.lr = -1; }, "lr", {"must be a number in (0, 10000]", "got -1"}},
      {"lr 0", [](Config& c) { c.lr = 0; }, "lr", {"(0, 10000]", "got 0"}},
      {"lr NaN", [](Config& c) { c.lr = kNaN; }, "lr", {"(0, 10000]", "got nan"}},
      {"lr inf", [](Config& c) { c.lr = kInf; }, "lr", {"(0, 10000]", "got inf"}},
      {"lr > 1e4", [](Config& c) { c.lr = 2e4; }, "lr", {"(0, 10000]", "got 20000"}},
      {"lr_schedule step 0", [](Config& c) { c.lr_schedule = "0:0.1"; }, "lr_schedule", {"[1, ", "got 0"}},
      {"lr_schedule bad lr", [](Config& c) { c.lr_schedule = "5:-1"; }, "lr_schedule",
       {"'5:-1'", "lr must be a number in (0, 10000], got -1"}},
      {"lr_schedule not increasing", [](Config& c) { c.lr_schedule = "10:0.1,10:0.2"; }, "lr_schedule",
       {"strictly increasing", "got 10 after 10"}},
      {"lr_schedule zero factor", [](Config& c) { c.lr_schedule = "5:x0"; }, "lr_schedule", {"factors", "'5:x0'"}},
      {"lr_schedule garbage", [](Config& c) { c.lr_schedule = "soon"; }, "lr_schedule", {"STEP:LR", "'soon'"}},
      {"lr_schedule factor too big", [](Config& c) { c.lr_schedule = "5:x1e9"; }, "lr_schedule",
       {"'5:x1000000000'", "(0, 10000], got 200000000"}},
      {"beta < 0", [](Config& c) { c.beta = -0.1; }, "beta", {"[0, 1)", "got -0.1"}},
      {"beta = 1", [](Config& c) { c.beta = 1; }, "beta", {"[0, 1)", "got 1"}},
      {"beta NaN", [](Config& c) { c.beta = kNaN; }, "beta", {"[0, 1)"}},
      {"beta1 = 1", [](Config& c) { c.beta1 = 1; }, "beta1", {"[0, 1)", "got 1"}},
      {"beta2 < 0", [](Config& c) { c.beta2 = -0.5; }, "beta2", {"[0, 1)", "got -0.5"}},
      {"eps > 1", [](Config& c) { c.eps = 2; }, "eps", {"[0, 1]", "got 2"}},
      {"seed 2^64 - 1", [](Config& c) { c.seed = 18446744073709551615ull; }, "seed", {"[0, 9007199254740991]"}},
      {"flow_alpha 0", [](Config& c) { c.flow_alpha = 0; }, "flow_alpha", {"(0, 10]", "got 0"}},
      {"flow_alpha > 10", [](Config& c) { c.flow_alpha = 11; }, "flow_alpha", {"(0, 10]", "got 11"}},
      {"flow_alpha NaN", [](Config& c) { c.flow_alpha = kNaN; }, "flow_alpha", {"(0, 10]"}},
      {"flow_max_step 0", [](Config& c) { c.flow_max_step = 0; }, "flow_max_step", {"(0, 1000]", "got 0"}},
      {"flow_max_step > 1e3", [](Config& c) { c.flow_max_step = 1001; }, "flow_max_step", {"(0, 1000]", "got 1001"}},
      {"flow_max_step inf", [](Config& c) { c.flow_max_step = kInf; }, "flow_max_step", {"(0, 1000]"}},
      {"central_substeps 0", [](Config& c) { c.central_substeps = 0; }, "central_substeps", {"[1, 64]", "got 0"}},
      {"central_substeps > 64", [](Config& c) { c.central_substeps = 65; }, "central_substeps", {"[1, 64]", "got 65"}},
      {"eig_every < 0", [](Config& c) { c.eig_every = -1; }, "eig_every", {"[0, 1000000]", "got -1"}},
      {"eig_every too big", [](Config& c) { c.eig_every = 1000001; }, "eig_every", {"[0, 1000000]", "got 1000001"}},
      {"neigs 0", [](Config& c) { c.neigs = 0; }, "neigs", {"[1, 20]", "got 0"}},
      {"neigs 21", [](Config& c) { c.neigs = 21; }, "neigs", {"[1, 20]", "got 21"}},
      {"lanczos_tol 0", [](Config& c) { c.lanczos_tol = 0; }, "lanczos_tol", {"(0, 0.1]", "got 0"}},
      {"lanczos_tol 0.2", [](Config& c) { c.lanczos_tol = 0.2; }, "lanczos_tol", {"(0, 0.1]", "got 0.2"}},
      {"lanczos_tol NaN", [](Config& c) { c.lanczos_tol = kNaN; }, "lanczos_tol", {"(0, 0.1]"}},
      {"lanczos_max_iter <= neigs",
       [](Config& c) {
         c.neigs = 5;
         c.lanczos_max_iter = 5;
       },
       "lanczos_max_iter",
       {"neigs + 1 = 6", "got 5"}},
      {"lanczos_max_iter > 5000", [](Config& c) { c.lanczos_max_iter = 5001; }, "lanczos_max_iter",
       {"[2, 5000]", "got 5001"}},
      {"diverge_factor 1", [](Config& c) { c.diverge_factor = 1; }, "diverge_factor", {"(1, 1000000000000]", "got 1"}},
      {"diverge_factor 0.5", [](Config& c) { c.diverge_factor = 0.5; }, "diverge_factor", {"(1, ", "got 0.5"}},
      {"diverge_factor NaN", [](Config& c) { c.diverge_factor = kNaN; }, "diverge_factor", {"(1, ", "got nan"}},
      {"ce on a regression dataset",
       [](Config& c) {
         c.dataset = "chebyshev";
         c.loss = "ce";
       },
       "loss",
       {"classification", "'chebyshev'"}},
      {"ce on teacher",
       [](Config& c) {
         c.dataset = "teacher";
         c.loss = "ce";
       },
       "loss",
       {"classification", "'teacher'"}},
      {"linear with n < d",
       [](Config& c) {
         c.dataset = "linear";
         c.n = 3;
         c.d = 4;
       },
       "n",
       {"n=3", "d=4", "linear"}},
  };
}

}  // namespace

TEST_CASE("config: the default config is valid", "[config]") {
  const Config c;
  eos::Spec s;
  REQUIRE_NOTHROW(s = eos::validate(c));
  CHECK(s.dataset == eos::DatasetKind::Chebyshev);
  CHECK(s.d_in == 1);
  CHECK(s.d_out == 1);
  CHECK_FALSE(s.classification);
  CHECK(s.cfg.lr == c.lr);
}

TEST_CASE("config: every invalid field gives its own message naming the field and range", "[config]") {
  std::map<std::string, std::set<std::string>> messages_by_field;
  std::set<std::string> all_messages;
  const auto cases = bad_cases();
  for (const auto& bc : cases) {
    Config c;
    bc.set(c);
    INFO("case: " << bc.label);
    std::string msg;
    try {
      eos::validate(c);
    } catch (const ConfigError& e) {
      msg = e.what();
    }
    INFO("message: " << msg);
    REQUIRE_FALSE(msg.empty());
    // Starts with the field name followed by a space (the CLI maps it to the flag).
    CHECK(msg.rfind(bc.field + " ", 0) == 0);
    for (const auto& f : bc.fragments) {
      INFO("fragment: " << f);
      CHECK(msg.find(f) != std::string::npos);
    }
    CHECK(msg.find('\n') == std::string::npos);  // one line
    messages_by_field[bc.field].insert(msg);
    all_messages.insert(msg);
  }
  // Each config field that can be invalid on its own is covered by the table.
  for (const auto& name : eos::config_field_names()) {
    if (name == "bias" || name == "valley") continue;  // every value is valid
    INFO("field without a bad case: " << name);
    CHECK(messages_by_field.count(name) == 1);
  }
  // Different fields never share a message.
  std::size_t distinct = 0;
  for (const auto& kv : messages_by_field) distinct += kv.second.size();
  CHECK(distinct == all_messages.size());
}

TEST_CASE("config: boundary values are accepted and datasets imply their shapes", "[config]") {
  struct GoodCase {
    const char* label;
    std::function<void(Config&)> set;
    int d_in, d_out;
    bool classification;
  };
  const GoodCase cases[] = {
      {"defaults", [](Config&) {}, 1, 1, false},
      {"n = 1", [](Config& c) { c.n = 1; }, 1, 1, false},
      {"n = 20000", [](Config& c) { c.n = 20000; }, 1, 1, false},
      {"6 x 512", [](Config& c) { c.widths = std::vector<int>(6, 512); }, 1, 1, false},
      {"width 1", [](Config& c) { c.widths = {1}; }, 1, 1, false},
      {"lr = 1e4, beta = 0", [](Config& c) {
         c.lr = 1e4;
         c.beta = 0;
       }, 1, 1, false},
      {"neigs 20", [](Config& c) {
         c.neigs = 20;
         c.lanczos_max_iter = 21;
       }, 1, 1, false},
      {"eig_every 0 (never)", [](Config& c) { c.eig_every = 0; }, 1, 1, false},
      {"lr schedule with factors", [](Config& c) { c.lr_schedule = "1:0.5,7:x0.1,9:x2"; }, 1, 1, false},
      {"largest seeds", [](Config& c) { c.seed = c.data_seed = 9007199254740991ull; }, 1, 1, false},
      {"noise 0 and 10", [](Config& c) { c.noise = 10; }, 1, 1, false},
      {"moons + ce", [](Config& c) {
         c.dataset = "moons";
         c.loss = "ce";
       }, 2, 2, true},
      {"circles", [](Config& c) { c.dataset = "circles"; }, 2, 2, true},
      {"xor", [](Config& c) { c.dataset = "xor"; }, 2, 2, true},
      {"blobs 3", [](Config& c) {
         c.dataset = "blobs";
         c.classes = 3;
       }, 2, 3, true},
      {"spirals 4", [](Config& c) {
         c.dataset = "spirals";
         c.classes = 4;
       }, 2, 4, true},
      {"gaussian-mixture d 5 c 4", [](Config& c) {
         c.dataset = "gaussian-mixture";
         c.d = 5;
         c.classes = 4;
       }, 5, 4, true},
      {"teacher d 3 out 2", [](Config& c) {
         c.dataset = "teacher";
         c.d = 3;
         c.classes = 2;
       }, 3, 2, false},
      {"linear n = d", [](Config& c) {
         c.dataset = "linear";
         c.n = 4;
         c.d = 4;
         c.classes = 1;
       }, 4, 1, false},
      {"flow, float64, normal init", [](Config& c) {
         c.opt = "flow";
         c.precision = "float64";
         c.init = "normal";
         c.init_scale = 100;
       }, 1, 1, false},
  };
  for (const auto& gc : cases) {
    INFO("case: " << gc.label);
    Config c;
    gc.set(c);
    eos::Spec s;
    try {
      s = eos::validate(c);
    } catch (const ConfigError& e) {
      FAIL("rejected: " << e.what());
    }
    CHECK(s.d_in == gc.d_in);
    CHECK(s.d_out == gc.d_out);
    CHECK(s.classification == gc.classification);
  }
}

TEST_CASE("config: run-time lr/beta checks and stability thresholds", "[config]") {
  CHECK_NOTHROW(eos::check_lr(0.01));
  CHECK_THROWS_WITH(eos::check_lr(-1), "lr must be a number in (0, 10000], got -1");
  CHECK_THROWS_AS(eos::check_lr(kNaN), ConfigError);
  CHECK_NOTHROW(eos::check_beta(0.0));
  CHECK_THROWS_WITH(eos::check_beta(1.0), "beta must be a number in [0, 1), got 1");
  // Thresholds on a quadratic (Cohen et al. 2021, Sec. 2 and App.): 2/lr, (2+2b)/lr, (2+2b)/((1+2b)lr), none for flow.
  CHECK(eos::stability_threshold(eos::OptKind::Gd, 0.2, 0.9) == Approx(10.0).epsilon(1e-15));
  CHECK(eos::stability_threshold(eos::OptKind::Polyak, 0.1, 0.9) == Approx(38.0).epsilon(1e-14));
  CHECK(eos::stability_threshold(eos::OptKind::Nesterov, 0.1, 0.5) == Approx(15.0).epsilon(1e-14));
  CHECK(std::isnan(eos::stability_threshold(eos::OptKind::Flow, 0.1, 0.9)));
}

// ---------------------------------------------------------------- JSON form

TEST_CASE("config: JSON round trip keeps every field, keys in table order", "[config][json]") {
  Config c;
  c.dataset = "gaussian-mixture";
  c.n = 123;
  c.degree = 7;
  c.d = 9;
  c.classes = 5;
  c.noise = 0.37;
  c.data_seed = 9007199254740991ull;  // 2^53 - 1: the largest seed, exact
  c.widths = {50, 40, 30};
  c.act = "gelu";
  c.bias = false;
  c.init = "normal";
  c.init_scale = 1.5;
  c.loss = "ce";
  c.precision = "float64";
  c.opt = "nesterov";
  c.lr = 0.1 + 0.2;  // not a short decimal
  c.beta = 0.95;
  c.lr_schedule = "500:0.1,1000:x0.5";
  c.flow_alpha = 0.25;
  c.flow_max_step = 0.05;
  c.seed = 9007199254740990ull;
  c.eig_every = 7;
  c.neigs = 3;
  c.lanczos_tol = 1e-5;
  c.lanczos_max_iter = 77;
  c.diverge_factor = 1e7;

  const eos::Json j = eos::config_to_json(c);
  const std::string text = j.dump();
  const Config b = eos::config_from_json(eos::parse_json(text));
  CHECK(b.dataset == c.dataset);
  CHECK(b.n == c.n);
  CHECK(b.degree == c.degree);
  CHECK(b.d == c.d);
  CHECK(b.classes == c.classes);
  CHECK(b.noise == c.noise);
  CHECK(b.data_seed == c.data_seed);
  CHECK(b.widths == c.widths);
  CHECK(b.act == c.act);
  CHECK(b.bias == c.bias);
  CHECK(b.init == c.init);
  CHECK(b.init_scale == c.init_scale);
  CHECK(b.loss == c.loss);
  CHECK(b.precision == c.precision);
  CHECK(b.opt == c.opt);
  CHECK(b.lr == c.lr);
  CHECK(b.beta == c.beta);
  CHECK(b.lr_schedule == c.lr_schedule);
  CHECK(b.flow_alpha == c.flow_alpha);
  CHECK(b.flow_max_step == c.flow_max_step);
  CHECK(b.seed == c.seed);
  CHECK(b.eig_every == c.eig_every);
  CHECK(b.neigs == c.neigs);
  CHECK(b.lanczos_tol == c.lanczos_tol);
  CHECK(b.lanczos_max_iter == c.lanczos_max_iter);
  CHECK(b.diverge_factor == c.diverge_factor);
  CHECK(eos::config_to_json(b).dump() == text);
  CHECK(text.find("\"data_seed\":9007199254740991,") != std::string::npos);

  // config_to_json writes exactly the table's fields, in its order.
  const auto names = eos::config_field_names();
  REQUIRE(j.size() == names.size());
  std::size_t i = 0;
  for (const auto& [key, value] : j.items()) CHECK(key == names[i++]);
}

TEST_CASE("config: missing JSON keys keep their defaults", "[config][json]") {
  const Config d;
  const Config c = eos::config_from_json(eos::parse_json("{\"lr\": 0.05, \"widths\": [7]}"));
  CHECK(c.lr == 0.05);
  CHECK(c.widths == std::vector<int>{7});
  CHECK(c.n == d.n);
  CHECK(c.dataset == d.dataset);
  CHECK(c.beta == d.beta);
  const Config e = eos::config_from_json(eos::parse_json("{}"));
  CHECK(eos::config_to_json(e) == eos::config_to_json(d));
  // Integral values written as reals are accepted for integer fields.
  const Config f = eos::config_from_json(eos::parse_json("{\"n\": 40.0, \"seed\": 1e3}"));
  CHECK(f.n == 40);
  CHECK(f.seed == 1000u);
}

TEST_CASE("config: wrong JSON types, out-of-range values and unknown keys name the field and its range",
          "[config][json]") {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {"{\"n\": 1e20}", "n must be an integer in [1, 20000], got 1e+20"},
      {"{\"n\": 2.5}", "n must be an integer in [1, 20000], got 2.5"},
      {"{\"n\": \"3\"}", "n must be an integer in [1, 20000], got \"3\""},
      {"{\"n\": 99999999999}", "n must be an integer in [1, 20000], got 99999999999"},
      {"{\"n\": -99999999999999999999}", "n must be an integer in [1, 20000], got -1e+20"},
      {"{\"n\": 0}", "n must be an integer in [1, 20000], got 0"},
      {"{\"neigs\": true}", "neigs must be an integer in [1, 20], got true"},
      {"{\"lr\": \"0.1\"}", "lr must be a number in (0, 10000], got \"0.1\""},
      {"{\"lr\": -1}", "lr must be a number in (0, 10000], got -1"},
      {"{\"beta\": null}", "beta must be a number in [0, 1), got null"},
      {"{\"noise\": [0.1]}", "noise must be a number in [0, 10], got [0.1]"},
      {"{\"widths\": 50}", "widths must be an array of integers in [1, 512], got 50"},
      {"{\"widths\": [50, \"a\"]}", "widths entries must be integers in [1, 512], got \"a\""},
      {"{\"widths\": [50, 2.5]}", "widths entries must be integers in [1, 512], got 2.5"},
      {"{\"widths\": [99999999999]}", "widths entries must be integers in [1, 512], got 99999999999"},
      {"{\"widths\": []}", "widths must have 1 to 6 entries, got 0"},
      {"{\"bias\": \"on\"}", "bias must be true or false, got \"on\""},
      {"{\"bias\": 1}", "bias must be true or false, got 1"},
      {"{\"seed\": -1}", "seed must be an integer in [0, 9007199254740991], got -1"},
      {"{\"data_seed\": 18446744073709551615}", "data_seed must be an integer in [0, 9007199254740991], got 18446744073709551615"},
      {"{\"dataset\": 3}", "dataset must be one of chebyshev|moons|circles|spirals|xor|blobs|gaussian-mixture|teacher|linear, got 3"},
      {"{\"act\": \"swish\"}", "act must be one of tanh|relu|elu|gelu|softplus|sigmoid|identity, got 'swish'"},
      {"{\"opt\": false}", "opt must be one of gd|polyak|nesterov|flow|adam|rmsprop|central, got false"},
      {"{\"lr_schedule\": 500}", "lr_schedule must be a string like 500:0.1,1000:x0.5, got 500"},
      {"{\"lr_schedule\": \"500\"}", "lr_schedule must be STEP:LR"},
      {"{\"steps\": 100}", "unknown config field 'steps'"},
      {"{\"lr\": 0.1, \"learning_rate\": 0.1}", "unknown config field 'learning_rate'"},
      {"{\"Lr\": 0.1}", "unknown config field 'Lr'"},
      {"[1, 2]", "config must be a JSON object, got array"},
      {"\"lr\"", "config must be a JSON object, got string"},
  };
  for (const auto& c : cases) {
    INFO("json: " << c.json);
    std::string msg;
    try {
      eos::config_from_json(eos::parse_json(c.json));
    } catch (const ConfigError& e) {
      msg = e.what();
    }
    INFO("message: " << msg);
    CHECK(msg.find(c.message) != std::string::npos);
  }
  // The unknown-key message lists the known fields.
  try {
    eos::config_from_json(eos::parse_json("{\"foo\": 1}"));
    FAIL("accepted an unknown key");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("known fields: dataset, n, degree"));
  }
}
