// JSON value, strict parser and writer (see json.hpp), plus the Config <-> JSON
// mapping used by `eos-run --config` and by the JSON output's "config" member.
#include "eoslab/json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace eos {

namespace {

[[noreturn]] void type_error(const char* want, const Json& got) {
  throw JsonError(std::string("JSON value is ") + got.type_name() + ", expected " + want, 0, 0);
}

}  // namespace

// ---------------------------------------------------------------- values

Json::Json(long long x) : type_(Type::Number), num_(static_cast<double>(x)), has_int_(true) {
  int_neg_ = x < 0;
  // Magnitude without overflow for LLONG_MIN.
  int_mag_ = int_neg_ ? static_cast<std::uint64_t>(-(x + 1)) + 1u : static_cast<std::uint64_t>(x);
}

Json::Json(unsigned long long x)
    : type_(Type::Number), num_(static_cast<double>(x)), has_int_(true), int_neg_(false), int_mag_(x) {}

const char* Json::type_name() const {
  switch (type_) {
    case Type::Null: return "null";
    case Type::Bool: return "bool";
    case Type::Number: return "number";
    case Type::String: return "string";
    case Type::Array: return "array";
    case Type::Object: return "object";
  }
  return "?";
}

bool Json::as_bool() const {
  if (type_ != Type::Bool) type_error("bool", *this);
  return bool_;
}
double Json::as_number() const {
  if (type_ != Type::Number) type_error("number", *this);
  return num_;
}
const std::string& Json::as_string() const {
  if (type_ != Type::String) type_error("string", *this);
  return str_;
}
const Json::Array& Json::as_array() const {
  if (type_ != Type::Array) type_error("array", *this);
  return arr_;
}
Json::Array& Json::as_array() {
  if (type_ != Type::Array) type_error("array", *this);
  return arr_;
}
const Json::Object& Json::as_object() const {
  if (type_ != Type::Object) type_error("object", *this);
  return obj_;
}
Json::Object& Json::as_object() {
  if (type_ != Type::Object) type_error("object", *this);
  return obj_;
}

bool Json::is_integer() const {
  if (type_ != Type::Number) return false;
  if (has_int_) return true;
  return std::isfinite(num_) && std::trunc(num_) == num_;
}

bool Json::get_int64(std::int64_t& out) const {
  if (type_ != Type::Number) return false;
  if (has_int_) {
    constexpr std::uint64_t kMaxPos = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (!int_neg_) {
      if (int_mag_ > kMaxPos) return false;
      out = static_cast<std::int64_t>(int_mag_);
    } else {
      if (int_mag_ > kMaxPos + 1u) return false;
      out = int_mag_ == 0 ? 0 : -static_cast<std::int64_t>(int_mag_ - 1u) - 1;
    }
    return true;
  }
  if (!is_integer()) return false;
  // [-2^63, 2^63): both bounds are exact doubles.
  if (num_ < -9223372036854775808.0 || num_ >= 9223372036854775808.0) return false;
  out = static_cast<std::int64_t>(num_);
  return true;
}

bool Json::get_uint64(std::uint64_t& out) const {
  if (type_ != Type::Number) return false;
  if (has_int_) {
    if (int_neg_ && int_mag_ != 0) return false;
    out = int_mag_;
    return true;
  }
  if (!is_integer()) return false;
  if (num_ < 0.0 || num_ >= 18446744073709551616.0) return false;  // [0, 2^64)
  out = static_cast<std::uint64_t>(num_);
  return true;
}

std::size_t Json::size() const {
  if (type_ == Type::Array) return arr_.size();
  if (type_ == Type::Object) return obj_.size();
  return 0;
}

const Json& Json::operator[](std::size_t i) const {
  const Array& a = as_array();
  if (i >= a.size()) throw JsonError("JSON array index " + std::to_string(i) + " out of range", 0, 0);
  return a[i];
}

Json& Json::operator[](std::size_t i) {
  Array& a = as_array();
  if (i >= a.size()) throw JsonError("JSON array index " + std::to_string(i) + " out of range", 0, 0);
  return a[i];
}

void Json::push_back(Json v) { as_array().push_back(std::move(v)); }

const Json* Json::find(std::string_view key) const {
  if (type_ != Type::Object) return nullptr;
  for (const auto& kv : obj_)
    if (kv.first == key) return &kv.second;
  return nullptr;
}

const Json& Json::at(std::string_view key) const {
  as_object();
  const Json* v = find(key);
  if (!v) throw JsonError("JSON object has no member '" + std::string(key) + "'", 0, 0);
  return *v;
}

Json& Json::operator[](std::string_view key) {
  if (type_ == Type::Null) *this = object();
  Object& o = as_object();
  for (auto& kv : o)
    if (kv.first == key) return kv.second;
  o.emplace_back(std::string(key), Json());
  return o.back().second;
}

bool operator==(const Json& a, const Json& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Json::Type::Null: return true;
    case Json::Type::Bool: return a.bool_ == b.bool_;
    case Json::Type::Number:
      // Exact integers compare exactly (2^53+1 != 2^53); otherwise as doubles.
      if (a.has_int_ && b.has_int_)
        return a.int_mag_ == b.int_mag_ && (a.int_neg_ == b.int_neg_ || a.int_mag_ == 0);
      return a.num_ == b.num_;
    case Json::Type::String: return a.str_ == b.str_;
    case Json::Type::Array: return a.arr_ == b.arr_;
    case Json::Type::Object: return a.obj_ == b.obj_;
  }
  return false;
}

// ---------------------------------------------------------------- writer

void append_json_number(std::string& out, double x) {
  if (!std::isfinite(x)) {  // JSON has no NaN/inf
    out += "null";
    return;
  }
  char buf[40];
  // glibc/musl printf and strtod are correctly rounded, so %.17g always reads back
  // exactly; fewer digits are used when they also do (0.2 rather than 0.20000000000000001).
  for (int prec = 15; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, x);
    if (prec == 17 || std::strtod(buf, nullptr) == x) break;
  }
  out += buf;
}

std::string json_number(double x) {
  std::string s;
  append_json_number(s, x);
  return s;
}

namespace {

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;  // UTF-8 bytes pass through unchanged
        }
    }
  }
  out += '"';
}

void newline_indent(std::string& out, int indent, int level) {
  if (indent < 0) return;
  out += '\n';
  out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(level), ' ');
}

}  // namespace

std::string json_quote(std::string_view s) {
  std::string out;
  append_quoted(out, s);
  return out;
}

void Json::dump_to(std::string& out, int indent, int level) const {
  switch (type_) {
    case Type::Null: out += "null"; break;
    case Type::Bool: out += bool_ ? "true" : "false"; break;
    case Type::Number:
      if (has_int_) {
        if (int_neg_) out += '-';
        out += std::to_string(int_mag_);
      } else {
        append_json_number(out, num_);
      }
      break;
    case Type::String: append_quoted(out, str_); break;
    case Type::Array:
      out += '[';
      for (std::size_t i = 0; i < arr_.size(); ++i) {
        if (i) out += ',';
        newline_indent(out, indent, level + 1);
        arr_[i].dump_to(out, indent, level + 1);
      }
      if (!arr_.empty()) newline_indent(out, indent, level);
      out += ']';
      break;
    case Type::Object:
      out += '{';
      for (std::size_t i = 0; i < obj_.size(); ++i) {
        if (i) out += ',';
        newline_indent(out, indent, level + 1);
        append_quoted(out, obj_[i].first);
        out += indent < 0 ? ":" : ": ";
        obj_[i].second.dump_to(out, indent, level + 1);
      }
      if (!obj_.empty()) newline_indent(out, indent, level);
      out += '}';
      break;
  }
}

std::string Json::dump(int indent) const {
  std::string out;
  dump_to(out, indent, 0);
  return out;
}

// ---------------------------------------------------------------- parser

// Recursive descent over the whole text; positions are byte offsets converted
// to 1-based line/column only when an error is reported.
class JsonParser {
 public:
  explicit JsonParser(std::string_view t) : t_(t) {}

  Json parse_document() {
    skip_ws();
    Json v = parse_value(0);
    skip_ws();
    if (p_ != t_.size()) fail("unexpected " + describe_here() + " after the JSON value");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 512;  // bounds recursion on hostile input

  [[noreturn]] void fail_at(std::size_t pos, const std::string& what) const {
    int line = 1, col = 1;
    for (std::size_t i = 0; i < pos && i < t_.size(); ++i) {
      if (t_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    throw JsonError("JSON parse error at line " + std::to_string(line) + ", column " + std::to_string(col) + ": " +
                        what,
                    line, col);
  }
  [[noreturn]] void fail(const std::string& what) const { fail_at(p_, what); }

  std::string describe_here() const {
    if (p_ >= t_.size()) return "end of input";
    const unsigned char c = static_cast<unsigned char>(t_[p_]);
    if (c >= 0x20 && c < 0x7f) return std::string("character '") + static_cast<char>(c) + "'";
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
    return buf;
  }

  void skip_ws() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r')) ++p_;
  }

  bool consume_literal(std::string_view lit) {
    if (t_.substr(p_, lit.size()) == lit) {
      p_ += lit.size();
      return true;
    }
    return false;
  }

  Json parse_value(int depth) {
    if (p_ >= t_.size()) fail("unexpected end of input, expected a value");
    const char c = t_[p_];
    switch (c) {
      case '{': return parse_object(depth + 1);
      case '[': return parse_array(depth + 1);
      case '"': return Json(parse_string());
      case 't':
        if (consume_literal("true")) return Json(true);
        break;
      case 'f':
        if (consume_literal("false")) return Json(false);
        break;
      case 'n':
        if (consume_literal("null")) return Json();
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    }
    fail("unexpected " + describe_here() + ", expected a value");
  }

  Json parse_object(int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
    ++p_;  // '{'
    Json obj = Json::object();
    Json::Object& o = obj.obj_;
    skip_ws();
    if (p_ < t_.size() && t_[p_] == '}') {
      ++p_;
      return obj;
    }
    for (;;) {
      skip_ws();
      if (p_ >= t_.size() || t_[p_] != '"') fail("unexpected " + describe_here() + ", expected a string key");
      const std::size_t key_pos = p_;
      std::string key = parse_string();
      for (const auto& kv : o)
        if (kv.first == key) fail_at(key_pos, "duplicate key " + json_quote(key));
      skip_ws();
      if (p_ >= t_.size() || t_[p_] != ':') fail("unexpected " + describe_here() + ", expected ':'");
      ++p_;
      skip_ws();
      Json v = parse_value(depth);
      o.emplace_back(std::move(key), std::move(v));
      skip_ws();
      if (p_ < t_.size() && t_[p_] == ',') {
        ++p_;
        continue;
      }
      if (p_ < t_.size() && t_[p_] == '}') {
        ++p_;
        return obj;
      }
      fail("unexpected " + describe_here() + ", expected ',' or '}'");
    }
  }

  Json parse_array(int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
    ++p_;  // '['
    Json arr = Json::array();
    skip_ws();
    if (p_ < t_.size() && t_[p_] == ']') {
      ++p_;
      return arr;
    }
    for (;;) {
      skip_ws();
      arr.arr_.push_back(parse_value(depth));
      skip_ws();
      if (p_ < t_.size() && t_[p_] == ',') {
        ++p_;
        continue;
      }
      if (p_ < t_.size() && t_[p_] == ']') {
        ++p_;
        return arr;
      }
      fail("unexpected " + describe_here() + ", expected ',' or ']'");
    }
  }

  unsigned parse_hex4() {
    if (p_ + 4 > t_.size()) fail("unterminated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = t_[p_];
      unsigned d;
      if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
      else fail("invalid hex digit in \\u escape");
      v = v * 16 + d;
      ++p_;
    }
    return v;
  }

  static void append_utf8(std::string& s, unsigned cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string parse_string() {
    ++p_;  // opening quote
    std::string s;
    for (;;) {
      if (p_ >= t_.size()) fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(t_[p_]);
      if (c == '"') {
        ++p_;
        return s;
      }
      if (c < 0x20) fail("control character (byte 0x" + hex2(c) + ") in string; use an escape");
      if (c != '\\') {
        s += static_cast<char>(c);
        ++p_;
        continue;
      }
      const std::size_t esc_pos = p_;
      ++p_;
      if (p_ >= t_.size()) fail("unterminated string");
      const char e = t_[p_++];
      switch (e) {
        case '"': s += '"'; break;
        case '\\': s += '\\'; break;
        case '/': s += '/'; break;
        case 'b': s += '\b'; break;
        case 'f': s += '\f'; break;
        case 'n': s += '\n'; break;
        case 'r': s += '\r'; break;
        case 't': s += '\t'; break;
        case 'u': {
          unsigned cp = parse_hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // high surrogate: a low one must follow
            if (t_.substr(p_, 2) != "\\u") fail_at(esc_pos, "unpaired UTF-16 surrogate in \\u escape");
            p_ += 2;
            const unsigned lo = parse_hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail_at(esc_pos, "unpaired UTF-16 surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail_at(esc_pos, "unpaired UTF-16 surrogate in \\u escape");
          }
          append_utf8(s, cp);
          break;
        }
        default: fail_at(esc_pos, std::string("invalid escape '\\") + e + "' in string");
      }
    }
  }

  static std::string hex2(unsigned c) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02x", c & 0xFFu);
    return buf;
  }

  Json parse_number() {
    const std::size_t start = p_;
    bool integral = true;
    if (t_[p_] == '-') ++p_;
    if (p_ >= t_.size() || !(t_[p_] >= '0' && t_[p_] <= '9')) fail_at(start, "invalid number: digit expected after '-'");
    if (t_[p_] == '0') {
      ++p_;
      if (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') fail_at(start, "invalid number: leading zero");
    } else {
      while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
    }
    if (p_ < t_.size() && t_[p_] == '.') {
      integral = false;
      ++p_;
      if (p_ >= t_.size() || !(t_[p_] >= '0' && t_[p_] <= '9')) fail("invalid number: digit expected after '.'");
      while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
    }
    if (p_ < t_.size() && (t_[p_] == 'e' || t_[p_] == 'E')) {
      integral = false;
      ++p_;
      if (p_ < t_.size() && (t_[p_] == '+' || t_[p_] == '-')) ++p_;
      if (p_ >= t_.size() || !(t_[p_] >= '0' && t_[p_] <= '9')) fail("invalid number: digit expected in exponent");
      while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
    }
    const std::string lexeme(t_.substr(start, p_ - start));
    Json v;
    v.type_ = Json::Type::Number;
    // strtod is correctly rounded (and locale-independent for this grammar in the
    // "C" locale the programs run in); out-of-range literals become +-inf.
    v.num_ = std::strtod(lexeme.c_str(), nullptr);
    if (!std::isfinite(v.num_)) fail_at(start, "number out of range: " + lexeme);
    if (integral) {
      const bool neg = lexeme[0] == '-';
      std::uint64_t mag = 0;
      bool fits = true;
      for (std::size_t i = neg ? 1 : 0; i < lexeme.size(); ++i) {
        const std::uint64_t dgt = static_cast<std::uint64_t>(lexeme[i] - '0');
        if (mag > (std::numeric_limits<std::uint64_t>::max() - dgt) / 10u) {
          fits = false;
          break;
        }
        mag = mag * 10u + dgt;
      }
      if (fits) {
        v.has_int_ = true;
        v.int_neg_ = neg;
        v.int_mag_ = mag;
      }
    }
    return v;
  }

  std::string_view t_;
  std::size_t p_ = 0;
};

Json Json::parse(std::string_view text) { return JsonParser(text).parse_document(); }

// ---------------------------------------------------------------- Config

namespace {

[[noreturn]] void field_error(const std::string& field, const std::string& want, const Json& got) {
  std::string g = got.type_name();
  if (got.is_number()) g = got.dump();  // "got 1.5" is clearer than "got number"
  throw ConfigError("config field '" + field + "' must be " + want + ", got " + g);
}

int get_int(const std::string& field, const Json& v) {
  std::int64_t x = 0;
  if (!v.is_number() || !v.get_int64(x) || x < std::numeric_limits<int>::min() ||
      x > std::numeric_limits<int>::max())
    field_error(field, "an integer", v);
  return static_cast<int>(x);
}

std::uint64_t get_u64(const std::string& field, const Json& v) {
  std::uint64_t x = 0;
  if (!v.is_number() || !v.get_uint64(x)) field_error(field, "an integer in [0, 2^64)", v);
  return x;
}

double get_double(const std::string& field, const Json& v) {
  if (!v.is_number()) field_error(field, "a number", v);
  return v.as_number();
}

std::string get_string(const std::string& field, const Json& v) {
  if (!v.is_string()) field_error(field, "a string", v);
  return v.as_string();
}

bool get_bool(const std::string& field, const Json& v) {
  if (!v.is_bool()) field_error(field, "a bool (true or false)", v);
  return v.as_bool();
}

}  // namespace

const std::vector<std::string>& config_field_names() {
  static const std::vector<std::string> names = {
      "dataset", "n", "degree", "d", "classes", "noise", "data_seed", "widths", "act", "bias", "init", "init_scale",
      "loss", "precision", "opt", "lr", "beta", "flow_alpha", "flow_max_step", "seed", "steps", "eig_every", "neigs",
      "lanczos_tol", "lanczos_max_iter", "diverge_factor"};
  return names;
}

Config config_from_json(const Json& j) {
  if (!j.is_object()) throw ConfigError(std::string("config must be a JSON object, got ") + j.type_name());
  Config c;
  for (const auto& kv : j.as_object()) {
    const std::string& k = kv.first;
    const Json& v = kv.second;
    if (k == "dataset") c.dataset = get_string(k, v);
    else if (k == "n") c.n = get_int(k, v);
    else if (k == "degree") c.degree = get_int(k, v);
    else if (k == "d") c.d = get_int(k, v);
    else if (k == "classes") c.classes = get_int(k, v);
    else if (k == "noise") c.noise = get_double(k, v);
    else if (k == "data_seed") c.data_seed = get_u64(k, v);
    else if (k == "widths") {
      if (!v.is_array()) field_error(k, "an array of integers", v);
      c.widths.clear();
      for (std::size_t i = 0; i < v.size(); ++i) c.widths.push_back(get_int(k + "[" + std::to_string(i) + "]", v[i]));
    } else if (k == "act") c.act = get_string(k, v);
    else if (k == "bias") c.bias = get_bool(k, v);
    else if (k == "init") c.init = get_string(k, v);
    else if (k == "init_scale") c.init_scale = get_double(k, v);
    else if (k == "loss") c.loss = get_string(k, v);
    else if (k == "precision") c.precision = get_string(k, v);
    else if (k == "opt") c.opt = get_string(k, v);
    else if (k == "lr") c.lr = get_double(k, v);
    else if (k == "beta") c.beta = get_double(k, v);
    else if (k == "flow_alpha") c.flow_alpha = get_double(k, v);
    else if (k == "flow_max_step") c.flow_max_step = get_double(k, v);
    else if (k == "seed") c.seed = get_u64(k, v);
    else if (k == "steps") c.steps = get_int(k, v);
    else if (k == "eig_every") c.eig_every = get_int(k, v);
    else if (k == "neigs") c.neigs = get_int(k, v);
    else if (k == "lanczos_tol") c.lanczos_tol = get_double(k, v);
    else if (k == "lanczos_max_iter") c.lanczos_max_iter = get_int(k, v);
    else if (k == "diverge_factor") c.diverge_factor = get_double(k, v);
    else {
      std::string known;
      for (const auto& name : config_field_names()) known += (known.empty() ? "" : ", ") + name;
      throw ConfigError("unknown config field '" + k + "' (known fields: " + known + ")");
    }
  }
  return c;
}

Json config_to_json(const Config& c) {
  Json::Array widths;
  for (int w : c.widths) widths.emplace_back(w);
  Json::Object o;
  o.emplace_back("dataset", Json(c.dataset));
  o.emplace_back("n", Json(c.n));
  o.emplace_back("degree", Json(c.degree));
  o.emplace_back("d", Json(c.d));
  o.emplace_back("classes", Json(c.classes));
  o.emplace_back("noise", Json(c.noise));
  o.emplace_back("data_seed", Json(static_cast<unsigned long long>(c.data_seed)));
  o.emplace_back("widths", Json(std::move(widths)));
  o.emplace_back("act", Json(c.act));
  o.emplace_back("bias", Json(c.bias));
  o.emplace_back("init", Json(c.init));
  o.emplace_back("init_scale", Json(c.init_scale));
  o.emplace_back("loss", Json(c.loss));
  o.emplace_back("precision", Json(c.precision));
  o.emplace_back("opt", Json(c.opt));
  o.emplace_back("lr", Json(c.lr));
  o.emplace_back("beta", Json(c.beta));
  o.emplace_back("flow_alpha", Json(c.flow_alpha));
  o.emplace_back("flow_max_step", Json(c.flow_max_step));
  o.emplace_back("seed", Json(static_cast<unsigned long long>(c.seed)));
  o.emplace_back("steps", Json(c.steps));
  o.emplace_back("eig_every", Json(c.eig_every));
  o.emplace_back("neigs", Json(c.neigs));
  o.emplace_back("lanczos_tol", Json(c.lanczos_tol));
  o.emplace_back("lanczos_max_iter", Json(c.lanczos_max_iter));
  o.emplace_back("diverge_factor", Json(c.diverge_factor));
  return Json(std::move(o));
}

}  // namespace eos
