// A small JSON value type for the CLI (--config, --format json, --dump-problem)
// and the tests: parser with line/column error messages, writer whose numbers
// round-trip bit for bit, and the Config <-> JSON mapping (unknown keys and wrong
// types are ConfigError naming the field; ranges are checked by eos::validate).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eoslab/config.hpp"

namespace eos {

// Thrown by Json::parse (with the 1-based position of the error) and by the
// typed accessors on a type mismatch (line = column = 0).
struct JsonError : std::runtime_error {
  JsonError(const std::string& msg, int line_, int column_)
      : std::runtime_error(msg), line(line_), column(column_) {}
  int line;
  int column;
};

class Json {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };
  using Array = std::vector<Json>;
  // Insertion order is kept so that output is stable and readable.
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool b) : type_(Type::Bool), bool_(b) {}
  Json(double x) : type_(Type::Number), num_(x) {}
  Json(int x) : Json(static_cast<long long>(x)) {}
  Json(long x) : Json(static_cast<long long>(x)) {}
  Json(long long x);
  Json(unsigned x) : Json(static_cast<unsigned long long>(x)) {}
  Json(unsigned long x) : Json(static_cast<unsigned long long>(x)) {}
  Json(unsigned long long x);
  Json(const char* s) : type_(Type::String), str_(s) {}
  Json(std::string s) : type_(Type::String), str_(std::move(s)) {}
  Json(std::string_view s) : type_(Type::String), str_(s) {}
  Json(Array a) : type_(Type::Array), arr_(std::move(a)) {}
  Json(Object o) : type_(Type::Object), obj_(std::move(o)) {}
  static Json array() { return Json(Array{}); }
  static Json object() { return Json(Object{}); }

  Type type() const { return type_; }
  const char* type_name() const;  // "null", "bool", "number", "string", "array", "object"
  bool is_null() const { return type_ == Type::Null; }
  bool is_bool() const { return type_ == Type::Bool; }
  bool is_number() const { return type_ == Type::Number; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }

  // Typed access; throws JsonError on a type mismatch.
  bool as_bool() const;
  double as_number() const;
  const std::string& as_string() const;
  const Array& as_array() const;
  Array& as_array();
  const Object& as_object() const;
  Object& as_object();

  // Integers: a number literal without fraction/exponent is kept exactly (so
  // 64-bit seeds survive); any number with an integral value converts.
  bool is_integer() const;  // number with an integral value (exactly representable)
  // Exact value if representable in the target type; otherwise returns false.
  bool get_int64(std::int64_t& out) const;
  bool get_uint64(std::uint64_t& out) const;

  // Arrays and objects.
  std::size_t size() const;  // elements or members; 0 for scalars
  const Json& operator[](std::size_t i) const;  // throws JsonError if out of range
  Json& operator[](std::size_t i);
  void push_back(Json v);
  const Json* find(std::string_view key) const;  // nullptr if absent or not an object
  const Json& at(std::string_view key) const;    // throws JsonError if absent
  Json& operator[](std::string_view key);         // inserts null if absent (object only)

  // Strict RFC 8259 parse of one value (surrounded by optional whitespace);
  // duplicate object keys are rejected. Throws JsonError "line L, column C: ...".
  static Json parse(std::string_view text);
  // indent < 0: compact; otherwise pretty-printed with that many spaces per level.
  std::string dump(int indent = -1) const;

  friend bool operator==(const Json& a, const Json& b);
  friend bool operator!=(const Json& a, const Json& b) { return !(a == b); }

 private:
  friend class JsonParser;
  void dump_to(std::string& out, int indent, int level) const;

  Type type_ = Type::Null;
  bool bool_ = false;
  double num_ = 0.0;
  // Exact integer value when the number came from an integer literal or constructor.
  bool has_int_ = false;
  bool int_neg_ = false;
  std::uint64_t int_mag_ = 0;
  std::string str_;
  Array arr_;
  Object obj_;
};

// Shortest of %.15g/%.16g/%.17g that reads back to the same double (so always
// bit-exact, and 0.2 prints as "0.2"); NaN and +-inf are written as "null".
std::string json_number(double x);
// Appends x to out in the same format (avoids an allocation in hot loops).
void append_json_number(std::string& out, double x);
// A JSON string literal with quotes and escapes.
std::string json_quote(std::string_view s);

// Config <-> JSON. Keys are the Config member names; missing keys keep their
// defaults. Throws ConfigError for a non-object, an unknown key ("unknown config
// field 'foo'") or a wrong type ("config field 'lr' must be a number, got string").
// Ranges are not checked here: that is eos::validate's job.
Config config_from_json(const Json& j);
Json config_to_json(const Config& c);
// Names of all Config fields, in the order config_to_json writes them.
const std::vector<std::string>& config_field_names();

}  // namespace eos
