// Tests of the JSON value type used by eos-run (--config, --format json,
// --dump-problem): parse/print round trips, error positions, and doubles that
// survive print -> parse bit for bit (so another implementation can load exactly
// the same problem).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "eoslab/json.hpp"

using eos::Json;
using eos::JsonError;

namespace {

std::uint64_t bits_of(double x) {
  std::uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

double from_bits(std::uint64_t u) {
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

}  // namespace

TEST_CASE("json: scalars parse to the right types and values", "[json]") {
  CHECK(Json::parse("null").is_null());
  CHECK(Json::parse("true").as_bool() == true);
  CHECK(Json::parse(" false ").as_bool() == false);
  CHECK(Json::parse("0").as_number() == 0.0);
  CHECK(Json::parse("-12").as_number() == -12.0);
  CHECK(Json::parse("2.5e-3").as_number() == 2.5e-3);
  CHECK(Json::parse("1E2").as_number() == 100.0);
  CHECK(Json::parse("\"a b\"").as_string() == "a b");
  CHECK(std::signbit(Json::parse("-0").as_number()));
  CHECK(std::signbit(Json::parse("-0.0").as_number()));
  const Json arr = Json::parse("[1, [2, 3], {}]");
  REQUIRE(arr.is_array());
  REQUIRE(arr.size() == 3);
  CHECK(arr[1][1].as_number() == 3.0);
  CHECK(arr[2].is_object());
  CHECK(arr[2].size() == 0);
}

TEST_CASE("json: objects keep insertion order and look up members", "[json]") {
  const Json o = Json::parse("{\"z\": 1, \"a\": {\"k\": [true, null]}, \"m\": \"s\"}");
  REQUIRE(o.is_object());
  const auto& members = o.as_object();
  REQUIRE(members.size() == 3);
  CHECK(members[0].first == "z");
  CHECK(members[1].first == "a");
  CHECK(members[2].first == "m");
  CHECK(o.at("a").at("k")[0].as_bool());
  CHECK(o.at("a").at("k")[1].is_null());
  CHECK(o.find("nope") == nullptr);
  CHECK_THROWS_AS(o.at("nope"), JsonError);
  CHECK(o.dump() == "{\"z\":1,\"a\":{\"k\":[true,null]},\"m\":\"s\"}");
}

TEST_CASE("json: print -> parse -> print is the identity on canonical text", "[json]") {
  const std::vector<std::string> docs = {
      "null",
      "[]",
      "{}",
      "[1,-2,0.5,1e+300,-1.2345678901234568e-300,true,false,null]",
      "{\"config\":{\"lr\":0.2,\"widths\":[50,50],\"bias\":true},\"records\":[{\"step\":0,\"eigs\":[]}]}",
      "\"esc \\\" \\\\ \\n \\t \\u0001 \\u001f\"",
      "[[[[[[]]]]]]",
      "18446744073709551615",
      "-9223372036854775808",
  };
  for (const auto& d : docs) {
    INFO(d);
    const Json v = Json::parse(d);
    CHECK(v.dump() == d);
    CHECK(Json::parse(v.dump()) == v);
    // The pretty form parses back to the same value.
    CHECK(Json::parse(v.dump(2)) == v);
  }
}

TEST_CASE("json: a built value round-trips through text", "[json]") {
  Json v = Json::object();
  v["name"] = "eos";
  v["pi"] = 3.141592653589793;
  v["tiny"] = 5e-324;                   // smallest subnormal
  v["big"] = std::numeric_limits<double>::max();
  v["seed"] = static_cast<unsigned long long>(0xFFFFFFFFFFFFFFFFull);
  v["neg"] = -7;
  Json arr = Json::array();
  for (int i = 0; i < 5; ++i) arr.push_back(i * 0.1);
  v["arr"] = arr;
  v["nested"]["deep"] = Json::array();
  const Json back = Json::parse(v.dump());
  CHECK(back == v);
  CHECK(back.at("name").as_string() == "eos");
  CHECK(bits_of(back.at("tiny").as_number()) == bits_of(5e-324));
  std::uint64_t s = 0;
  REQUIRE(back.at("seed").get_uint64(s));
  CHECK(s == 0xFFFFFFFFFFFFFFFFull);
  std::int64_t n = 0;
  REQUIRE(back.at("neg").get_int64(n));
  CHECK(n == -7);
  CHECK(back.at("arr").size() == 5);
  CHECK(back.at("nested").at("deep").is_array());
}

TEST_CASE("json: doubles survive print -> parse bit for bit", "[json]") {
  // Random bit patterns cover every exponent, subnormals and both signs; the
  // oracle is the bit pattern itself.
  std::mt19937_64 gen(20210226);
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    const double x = from_bits(gen());
    if (!std::isfinite(x)) continue;
    const std::string s = eos::json_number(x);
    const double y = Json::parse(s).as_number();
    if (bits_of(y) != bits_of(x)) {
      INFO("x bits " << bits_of(x) << " printed as " << s);
      FAIL("round trip changed the double");
    }
    ++checked;
  }
  CHECK(checked > 199000);
  // Values typical of the CLI output (float32 values widened to double), and edge cases.
  std::mt19937 g32(7);
  std::uniform_real_distribution<float> uf(-10.0f, 10.0f);
  for (int i = 0; i < 20000; ++i) {
    const double x = static_cast<double>(uf(g32));
    const double y = Json::parse(eos::json_number(x)).as_number();
    REQUIRE(bits_of(y) == bits_of(x));
  }
  const double edge[] = {0.0,
                         -0.0,
                         1.0,
                         -1.0,
                         0.1,
                         1.0 / 3.0,
                         std::numeric_limits<double>::min(),
                         std::numeric_limits<double>::denorm_min(),
                         -std::numeric_limits<double>::denorm_min(),
                         std::numeric_limits<double>::max(),
                         -std::numeric_limits<double>::max(),
                         std::numeric_limits<double>::epsilon(),
                         9007199254740993.0,  // 2^53 + 1 rounds to 2^53
                         1e21,
                         1e-7,
                         123456789012345678.0};
  for (double x : edge) {
    INFO(eos::json_number(x));
    const double y = Json::parse(eos::json_number(x)).as_number();
    CHECK(bits_of(y) == bits_of(x));
  }
}

TEST_CASE("json: numbers use the shortest exact form, NaN and inf become null", "[json]") {
  CHECK(eos::json_number(0.2) == "0.2");
  CHECK(eos::json_number(0.1 + 0.2) == "0.30000000000000004");
  CHECK(eos::json_number(100.0) == "100");
  CHECK(eos::json_number(-0.0) == "-0");
  CHECK(eos::json_number(1e300) == "1e+300");
  CHECK(eos::json_number(static_cast<double>(0.2f)) == "0.20000000298023224");
  CHECK(eos::json_number(std::nan("")) == "null");
  CHECK(eos::json_number(std::numeric_limits<double>::infinity()) == "null");
  CHECK(eos::json_number(-std::numeric_limits<double>::infinity()) == "null");
  CHECK(Json(std::nan("")).dump() == "null");
  Json a = Json::array();
  a.push_back(std::numeric_limits<double>::infinity());
  a.push_back(1.5);
  CHECK(a.dump() == "[null,1.5]");
}

TEST_CASE("json: integers are kept exactly beyond 2^53", "[json]") {
  const Json a = Json::parse("9007199254740993");  // 2^53 + 1: not a double
  const Json b = Json::parse("9007199254740992");
  CHECK(a != b);
  std::uint64_t u = 0;
  REQUIRE(a.get_uint64(u));
  CHECK(u == 9007199254740993ull);
  CHECK(a.dump() == "9007199254740993");
  std::int64_t i = 0;
  CHECK_FALSE(Json::parse("9223372036854775808").get_int64(i));  // 2^63
  CHECK(Json::parse("9223372036854775808").get_uint64(u));
  CHECK_FALSE(Json::parse("-1").get_uint64(u));
  CHECK_FALSE(Json::parse("1.5").get_int64(i));
  CHECK(Json::parse("2.0").get_int64(i));
  CHECK(i == 2);
  CHECK(Json::parse("1e3").is_integer());
  CHECK_FALSE(Json::parse("1e-3").is_integer());
  // Beyond 2^64 the literal is still a valid (double) number.
  CHECK(Json::parse("36893488147419103232").as_number() == 36893488147419103232.0);
  CHECK_FALSE(Json::parse("36893488147419103232").get_uint64(u));
}

TEST_CASE("json: strings, escapes and UTF-8", "[json]") {
  CHECK(Json::parse("\"\\u00e9\"").as_string() == "\xC3\xA9");                  // é
  CHECK(Json::parse("\"\\u20AC\"").as_string() == "\xE2\x82\xAC");              // €
  CHECK(Json::parse("\"\\ud83d\\ude00\"").as_string() == "\xF0\x9F\x98\x80");   // U+1F600 via surrogates
  CHECK(Json::parse("\"\xCE\xB7\"").as_string() == "\xCE\xB7");                 // raw UTF-8 passes through
  CHECK(Json::parse("\"\\/\\b\\f\\r\"").as_string() == "/\b\f\r");
  CHECK(Json(std::string("a\x01" "b")).dump() == "\"a\\u0001b\"");
  CHECK(Json(std::string("\"q\"\\")).dump() == "\"\\\"q\\\"\\\\\"");
  CHECK(eos::json_quote("tab\there") == "\"tab\\there\"");
}

TEST_CASE("json: parse errors report line and column", "[json]") {
  struct Case {
    const char* text;
    int line, column;
    const char* says;
  };
  const Case cases[] = {
      {"", 1, 1, "end of input"},
      {"   ", 1, 4, "end of input"},
      {"[1, 2", 1, 6, "expected ',' or ']'"},
      {"[1 2]", 1, 4, "expected ',' or ']'"},
      {"{\"a\" 1}", 1, 6, "expected ':'"},
      {"{\"a\":1,}", 1, 8, "expected a string key"},
      {"[1,]", 1, 4, "expected a value"},
      {"{\n  \"lr\": 0.2,\n  \"n\": 2x\n}", 3, 9, "expected ',' or '}'"},
      {"{\n\"a\": tru\n}", 2, 6, "expected a value"},
      {"[01]", 1, 2, "leading zero"},
      {"[1.]", 1, 4, "digit expected after '.'"},
      {"[-]", 1, 2, "digit expected after '-'"},
      {"[1e]", 1, 4, "exponent"},
      {"\"abc", 1, 5, "unterminated string"},
      {"\"a\nb\"", 1, 3, "control character"},
      {"\"\\x\"", 1, 2, "invalid escape"},
      {"\"\\u12G4\"", 1, 6, "hex digit"},
      {"\"\\ud800\"", 1, 2, "surrogate"},
      {"{\"a\":1,\n \"a\":2}", 2, 2, "duplicate key \"a\""},
      {"1 2", 1, 3, "after the JSON value"},
      {"nan", 1, 1, "expected a value"},
      {"Infinity", 1, 1, "expected a value"},
      {"[1e999]", 1, 2, "out of range"},
      {"'a'", 1, 1, "character '''"},
  };
  for (const auto& c : cases) {
    INFO("text: " << c.text);
    try {
      Json::parse(c.text);
      FAIL("no error thrown");
    } catch (const JsonError& e) {
      const std::string msg = e.what();
      INFO("message: " << msg);
      CHECK(e.line == c.line);
      CHECK(e.column == c.column);
      CHECK(msg.find(c.says) != std::string::npos);
      CHECK(msg.find("line " + std::to_string(c.line) + ", column " + std::to_string(c.column)) != std::string::npos);
    }
  }
}

TEST_CASE("json: nesting is bounded instead of overflowing the stack", "[json]") {
  const std::string ok = std::string(500, '[') + std::string(500, ']');
  CHECK(Json::parse(ok).is_array());
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  try {
    Json::parse(deep);
    FAIL("no error thrown");
  } catch (const JsonError& e) {
    CHECK(std::string(e.what()).find("nesting deeper than") != std::string::npos);
    CHECK(e.line == 1);
    CHECK(e.column == 513);
  }
}

TEST_CASE("json: typed accessors reject the wrong type", "[json]") {
  const Json s("text");
  CHECK_THROWS_AS(s.as_number(), JsonError);
  CHECK_THROWS_AS(s.as_bool(), JsonError);
  CHECK_THROWS_AS(s.as_array(), JsonError);
  CHECK_THROWS_AS(Json(1.0).as_string(), JsonError);
  CHECK_THROWS_AS(Json::array()[0], JsonError);
  CHECK_THROWS_WITH(Json(true).as_object(), Catch::Contains("bool") && Catch::Contains("object"));
  CHECK(Json().type_name() == std::string("null"));
}
