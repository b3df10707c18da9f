// Tests of the engine's JSON policies on top of nlohmann-json (eoslab/json.hpp)
// that users rely on: parse errors say where (line, column), duplicate keys are
// refused, NaN/Infinity are not JSON (refused on input, null on output), 64-bit
// integers and doubles survive print -> parse exactly, object order is kept.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

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

TEST_CASE("json: parse errors report line and column", "[json]") {
  struct Case {
    const char* text;
    int line, column;
    const char* says;
  };
  const Case cases[] = {
      {"", 1, 1, "unexpected end of input"},
      {"   ", 1, 4, "unexpected end of input"},
      {"[1, 2", 1, 6, "expected ']'"},
      {"{\n  \"lr\": 0.2,\n  \"n\": 2x\n}", 3, 9, "invalid literal"},
      {"{\"a\":1,}", 1, 8, "expected string literal"},
      {"\"a\nb\"", 1, 3, "control character"},
      {"1 2", 1, 3, "expected end of input"},
      {"[1e999]", 1, 2, "number out of range: 1e999"},
      {"{\"a\":1,\n \"a\":2}", 2, 2, "duplicate key \"a\""},
      // A duplicate is found in the object where it occurs, with escaped quotes in the key.
      {"{\"x\":{\"a\\\"\":1,\"b\":[{\"a\\\"\":2}], \"a\\\"\" :3}}", 1, 32, "duplicate key \"a\\\"\""},
      // NaN and Infinity are not JSON.
      {"nan", 1, 2, "invalid literal"},
      {"NaN", 1, 1, "invalid literal"},
      {"{\"lr\": Infinity}", 1, 8, "invalid literal"},
      {"[-Infinity]", 1, 3, "invalid"},
  };
  for (const auto& c : cases) {
    INFO("text: " << c.text);
    try {
      (void)eos::parse_json(c.text);
      FAIL("no error thrown");
    } catch (const JsonError& e) {
      const std::string msg = e.what();
      INFO("message: " << msg);
      CHECK(e.line == c.line);
      CHECK(e.column == c.column);
      CHECK(msg.find(c.says) != std::string::npos);
      CHECK(msg.rfind("JSON parse error at line " + std::to_string(c.line) + ", column " + std::to_string(c.column) +
                          ": ",
                      0) == 0);
    }
  }
}

TEST_CASE("json: the same key in different objects is not a duplicate, and order is kept", "[json]") {
  const Json j = eos::parse_json("{\"z\": {\"a\": 1}, \"a\": [{\"a\": 2}, {\"a\": 3}], \"m\": 0}");
  CHECK(j.dump() == "{\"z\":{\"a\":1},\"a\":[{\"a\":2},{\"a\":3}],\"m\":0}");
}

TEST_CASE("json: 64-bit integers are exact beyond 2^53", "[json]") {
  const Json a = eos::parse_json("9007199254740993");  // 2^53 + 1: not a double
  CHECK(a.get<std::uint64_t>() == 9007199254740993ull);
  CHECK(a != eos::parse_json("9007199254740992"));
  CHECK(eos::parse_json("18446744073709551615").get<std::uint64_t>() == 18446744073709551615ull);
  CHECK(eos::parse_json("-9223372036854775808").get<std::int64_t>() == std::numeric_limits<std::int64_t>::min());
  CHECK(a.dump() == "9007199254740993");
}

TEST_CASE("json: doubles survive print -> parse bit for bit, and NaN and inf print as null", "[json]") {
  // Random bit patterns cover every exponent, subnormals and both signs; the
  // oracle is the bit pattern itself. Both writers: the library's (configs) and
  // json_number (records).
  std::mt19937_64 gen(20210226);
  int checked = 0;
  for (int i = 0; i < 100000; ++i) {
    const double x = from_bits(gen());
    if (!std::isfinite(x)) continue;
    const double y = eos::parse_json(eos::json_number(x)).get<double>();
    const double z = eos::parse_json(Json(x).dump()).get<double>();
    if (bits_of(y) != bits_of(x) || bits_of(z) != bits_of(x)) {
      INFO("x bits " << bits_of(x) << " printed as " << eos::json_number(x) << " / " << Json(x).dump());
      FAIL("round trip changed the double");
    }
    ++checked;
  }
  CHECK(checked > 99000);
  CHECK(eos::json_number(0.2) == "0.2");
  CHECK(eos::json_number(100.0) == "100");
  CHECK(eos::json_number(static_cast<double>(0.2f)) == "0.20000000298023224");
  CHECK(eos::json_number(std::nan("")) == "null");
  CHECK(eos::json_number(-std::numeric_limits<double>::infinity()) == "null");
  Json arr = Json::array();
  arr.push_back(std::numeric_limits<double>::infinity());
  arr.push_back(std::nan(""));
  arr.push_back(1.5);
  CHECK(arr.dump() == "[null,null,1.5]");
}
