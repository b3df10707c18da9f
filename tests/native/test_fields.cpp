// Tests of the field table (eoslab/fields.hpp) and what is derived from it: every
// Config member has exactly one row, defaults lie in their ranges, the enums
// follow the table's names, text and JSON readers report each field's own range
// whatever the input, the exported schema has the agreed shape, and the memory
// estimate refuses what cannot fit at the schema's extremes.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/fields.hpp"
#include "eoslab/json.hpp"

using eos::Config;
using eos::Field;
using eos::FieldType;

TEST_CASE("fields: one row per Config member, unique names, defaults valid and round-tripping", "[fields]") {
  const Config d;
  std::set<std::string> names;
  for (const Field& f : eos::config_fields()) {
    INFO(f.name);
    CHECK(names.insert(f.name).second);
    CHECK_NOTHROW(eos::check_field(f, d));
    const std::set<std::string> groups = {"data", "model", "optim", "measure"};
    CHECK(groups.count(f.group) == 1);
    CHECK(std::string(f.doc).find('\n') == std::string::npos);
    if (f.ui_min != 0 || f.ui_max != 0) {
      CHECK(f.ui_min >= f.min);
      CHECK(f.ui_max <= f.max);
    }
    // Text and JSON forms read back to the same value.
    Config a, b;
    eos::set_from_text(f, a, eos::field_to_text(f, d));
    eos::set_from_json(f, b, eos::field_to_json(f, d));
    CHECK(eos::config_to_json(a) == eos::config_to_json(d));
    CHECK(eos::config_to_json(b) == eos::config_to_json(d));
  }
  // Distinct members: setting one field changes exactly one JSON member.
  for (const Field& f : eos::config_fields()) {
    if (f.type != FieldType::Int && f.type != FieldType::Real) continue;
    INFO(f.name);
    Config c;
    const double v = f.min_open ? (f.min + f.max) / 2 : f.min;
    eos::set_from_json(f, c, f.type == FieldType::Int ? eos::Json(static_cast<long long>(v)) : eos::Json(v));
    const eos::Json jc = eos::config_to_json(c), jd = eos::config_to_json(d);
    int differing = 0;
    for (const auto& [k, x] : jc.items()) differing += x != jd.at(k);
    CHECK(differing <= 1);
  }
  CHECK(eos::config_to_json(d).size() == eos::config_fields().size());
  CHECK(eos::config_field_names().size() == eos::config_fields().size());
  CHECK(eos::find_field("steps") == nullptr);  // the CLI's option, not a config field
  CHECK(eos::flag_of(eos::field("lanczos_max_iter")) == "--lanczos-max-iter");
}

TEST_CASE("fields: the enums follow the table's allowed names", "[fields]") {
  for (const char* name : eos::field("dataset").values) {
    Config c;
    c.dataset = name;
    if (c.dataset == "linear") c.n = c.d;
    CHECK(std::string(eos::name_of(eos::validate(c).dataset)) == name);
  }
  for (const char* name : eos::field("act").values) {
    Config c;
    c.act = name;
    CHECK(std::string(eos::name_of(eos::validate(c).act)) == name);
  }
  for (const char* name : eos::field("opt").values) {
    Config c;
    c.opt = name;
    CHECK(std::string(eos::name_of(eos::validate(c).opt)) == name);
  }
  Config ce;
  ce.dataset = "moons";
  ce.loss = "ce";
  CHECK(eos::validate(ce).loss == eos::LossKind::Ce);
  Config f64;
  f64.precision = "float64";
  f64.init = "normal";
  CHECK(eos::validate(f64).precision == eos::Precision::Float64);
  CHECK(eos::validate(f64).init == eos::InitKind::Normal);
  CHECK(eos::validate(Config{}).init == eos::InitKind::Pytorch);
}

TEST_CASE("fields: every integer field reports its own range for any text or JSON, overflow included", "[fields]") {
  for (const Field& f : eos::config_fields()) {
    if (f.type != FieldType::Int && f.type != FieldType::IntList) continue;
    INFO(f.name);
    const std::string head = f.type == FieldType::Int ? std::string(f.name) + " must be an integer in "
                                                      : std::string(f.name) + " entries must be integers in ";
    const std::string range = eos::range_text(f);
    Config c;
    for (const std::string text : {"99999999999", "-99999999999", "99999999999999999999999", "18446744073709551616"}) {
      if (std::stod(text) <= f.max && std::stod(text) >= f.min) continue;  // a valid seed
      CHECK_THROWS_WITH(eos::set_from_text(f, c, text), head + range + ", got " + text);
    }
    if (f.type == FieldType::Int) CHECK_THROWS_WITH(eos::set_from_text(f, c, "2.5"), head + range + ", got '2.5'");
    auto json = [&](const eos::Json& v) { return f.type == FieldType::Int ? v : eos::Json::array({v}); };
    CHECK_THROWS_WITH(eos::set_from_json(f, c, json(eos::Json(1e20))), head + range + ", got 1e+20");
    CHECK_THROWS_WITH(eos::set_from_json(f, c, json(eos::Json(2.5))), head + range + ", got 2.5");
    CHECK_THROWS_WITH(eos::set_from_json(f, c, json(eos::Json("3"))), head + range + ", got \"3\"");
    CHECK_THROWS_WITH(eos::set_from_json(f, c, json(eos::parse_json("18446744073709551615"))),
                      head + range + ", got 18446744073709551615");
    CHECK_THROWS_WITH(eos::set_from_json(f, c, json(eos::parse_json("-9223372036854775808"))),
                      head + range + ", got -9223372036854775808");
  }
}

TEST_CASE("fields: the schema has the agreed shape", "[fields]") {
  const eos::Json s = eos::config_schema();
  CHECK(s.at("version") == 1);
  const eos::Json& fields = s.at("fields");
  REQUIRE(fields.size() == eos::config_fields().size());
  auto keys = [](const eos::Json& o) {
    std::vector<std::string> k;
    for (const auto& [key, v] : o.items()) k.push_back(key);
    return k;
  };
  for (const eos::Json& f : fields) {
    if (f.at("name") == "lr") {
      CHECK(keys(f) == std::vector<std::string>{"name", "type", "default", "min", "max", "min_open", "max_open",
                                                 "ui_min", "ui_max", "log", "group", "label", "doc", "live",
                                                 "advanced"});
      CHECK(f.at("min") == 0);
      CHECK(f.at("max") == 10000);
      CHECK(f.at("min_open") == true);
      CHECK(f.at("ui_min") == 0.0001);
      CHECK(f.at("ui_max") == 100);
      CHECK(f.at("live") == true);
    }
    if (f.at("name") == "n")
      CHECK(keys(f) == std::vector<std::string>{"name", "type", "default", "min", "max", "group", "label", "doc",
                                                 "live", "advanced"});
    if (f.at("name") == "widths") {
      CHECK(f.at("default") == eos::Json::array({20}));
      CHECK(f.at("min_len") == 1);
      CHECK(f.at("max_len") == 6);
      CHECK(f.at("max") == 512);
    }
    if (f.at("name") == "seed" || f.at("name") == "data_seed") {
      CHECK(f.at("max").get<std::uint64_t>() == 9007199254740991ull);
      CHECK(f.at("max").is_number_integer());
    }
    if (f.at("name") == "neigs") CHECK(f.at("max") == eos::kMaxEigs);
    if (f.at("name") == "beta") CHECK(f.at("max_open") == true);
    if (f.at("name") == "lr_schedule") {
      CHECK(f.at("type") == "schedule");
      CHECK(f.at("default") == "");
    }
  }
}

TEST_CASE("fields: beta2 defaults to 0.99 for rmsprop and 0.999 for adam unless given", "[fields][adaptive]") {
  const Field& b2 = eos::field("beta2");
  CHECK(eos::default_for(b2, "rmsprop") == 0.99);
  CHECK(eos::default_for(b2, "adam") == 0.999);
  CHECK(eos::default_for(b2, "gd") == Config{}.beta2);
  auto from = [](const char* text) { return eos::config_from_json(eos::parse_json(text)); };
  CHECK(from(R"({"opt":"rmsprop"})").beta2 == 0.99);
  CHECK(from(R"({"opt":"adam"})").beta2 == 0.999);
  CHECK(from("{}").beta2 == 0.999);
  // An explicit value wins, also when it equals the other optimiser's default.
  CHECK(from(R"({"opt":"rmsprop","beta2":0.999})").beta2 == 0.999);
  CHECK(from(R"({"opt":"adam","beta2":0.99})").beta2 == 0.99);
  CHECK(from(R"({"opt":"rmsprop","beta2":0.5})").beta2 == 0.5);
  // Writing the config out makes the resolved value explicit: it reads back unchanged.
  const Config r = from(R"({"opt":"rmsprop"})");
  CHECK(eos::config_from_json(eos::config_to_json(r)).beta2 == 0.99);
  // A bad explicit value is still refused with the field's range.
  CHECK_THROWS_WITH(from(R"({"opt":"rmsprop","beta2":1})"), "beta2 must be a number in [0, 1), got 1");
  // apply_opt_defaults leaves a given field alone and resets one not given.
  Config c;
  c.opt = "rmsprop";
  c.beta2 = 0.3;
  eos::apply_opt_defaults(c, [](std::string_view n) { return n == "beta2"; });
  CHECK(c.beta2 == 0.3);
  eos::apply_opt_defaults(c, [](std::string_view) { return false; });
  CHECK(c.beta2 == 0.99);
  // The schema carries the per-optimiser default next to the plain one.
  const eos::Json schema = eos::config_schema();  // kept alive: the loop reads into it
  for (const eos::Json& f : schema.at("fields")) {
    if (f.at("name") == "beta2") {
      CHECK(f.at("default") == 0.999);
      CHECK(f.at("opt_defaults") == eos::parse_json(R"({"rmsprop":0.99})"));
    } else {
      CHECK_FALSE(f.contains("opt_defaults"));
    }
  }
}

TEST_CASE("memory: the schema's extremes either fit the budget or are refused naming the fields", "[fields][memory]") {
  Config big;
  big.widths = std::vector<int>(6, 512);
  big.n = 20000;
  std::string msg;
  try {
    eos::validate(big);
  } catch (const eos::ConfigError& e) {
    msg = e.what();
  }
  INFO(msg);
  CHECK(msg.find("needs about ") != std::string::npos);
  CHECK(msg.find(" MiB") != std::string::npos);
  CHECK(msg.find("1536 MiB budget") != std::string::npos);
  CHECK(msg.find("shrink widths, n or neigs") != std::string::npos);

  Config wide = big;
  wide.n = 1;
  wide.neigs = 10;
  const eos::Spec s = eos::validate(wide);
  const std::int64_t bytes = eos::estimate_memory_bytes(s);
  // 1.3 M parameters: a Lanczos basis of 21 vectors of doubles, 3 x 10 eigenvectors
  // and the optimiser's vectors, about 0.6 GB; no activation term to speak of.
  WARN("widths 512 x 6, n 1, neigs 10: estimate " << (bytes >> 20) << " MiB");
  CHECK(bytes > std::int64_t(500) << 20);
  CHECK(bytes < std::int64_t(700) << 20);

  // The estimate grows with each of the fields the message names.
  Config base;
  base.widths = {256, 256};
  base.n = 2000;
  auto est = [](const Config& c) { return eos::estimate_memory_bytes(eos::validate(c)); };
  Config more_n = base, more_w = base, more_k = base;
  more_n.n = 4000;
  more_w.widths = {512, 256};
  more_k.neigs = 20;
  CHECK(est(more_n) > est(base));
  CHECK(est(more_w) > est(base));
  CHECK(est(more_k) > est(base));
  CHECK(est(base) < eos::kMemoryBudgetBytes);

  // The largest n at the widest depth that the budget allows still validates.
  Config edge = big;
  edge.n = 8000;
  CHECK(est(edge) < eos::kMemoryBudgetBytes);
}
