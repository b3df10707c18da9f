// The engine's JSON policies over nlohmann-json (see json.hpp): strict parsing
// with positions, and the record writers' number format.
#include "eoslab/json.hpp"

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <set>
#include <vector>

namespace eos {
namespace {

// A char iterator that publishes how far the parser has read, so that the parser
// callback (which gets no position) can say where a duplicate key is.
struct TrackingIter {
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  const char* p = nullptr;
  const char** furthest = nullptr;

  reference operator*() const { return *p; }
  TrackingIter& operator++() {
    ++p;
    if (furthest && p > *furthest) *furthest = p;
    return *this;
  }
  TrackingIter operator++(int) {
    TrackingIter old = *this;
    ++*this;
    return old;
  }
  bool operator==(const TrackingIter& o) const { return p == o.p; }
  bool operator!=(const TrackingIter& o) const { return p != o.p; }
};

struct Position {
  int line = 1, column = 1;
};

// 1-based line and column of byte `offset` of text (offset == size: just past the end).
Position position_of(std::string_view text, std::size_t offset) {
  Position pos;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

[[noreturn]] void fail_at(std::string_view text, std::size_t offset, const std::string& what) {
  const Position p = position_of(text, offset);
  throw JsonError("JSON parse error at line " + std::to_string(p.line) + ", column " + std::to_string(p.column) +
                      ": " + what,
                  p.line, p.column);
}

// The library's message without its "[json.exception...] parse error at line L, column C: " prefix.
std::string library_reason(const std::string& what) {
  const std::size_t col = what.find("column ");
  const std::size_t colon = col == std::string::npos ? std::string::npos : what.find(": ", col);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

// Offset of the opening quote of the string whose closing quote is at text[close].
std::size_t string_start(std::string_view text, std::size_t close) {
  for (std::size_t i = close; i-- > 0;) {
    if (text[i] != '"') continue;
    std::size_t backslashes = 0;
    while (i > backslashes && text[i - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return i;
  }
  return 0;
}

struct DuplicateKey {
  std::string key;
  std::size_t offset;
};

}  // namespace

Json parse_json(std::string_view text) {
  const char* furthest = text.data();
  std::vector<std::set<std::string>> open_objects;  // keys seen in each object being read
  auto on_event = [&](int, Json::parse_event_t ev, Json& parsed) {
    switch (ev) {
      case Json::parse_event_t::object_start: open_objects.emplace_back(); break;
      case Json::parse_event_t::object_end: open_objects.pop_back(); break;
      case Json::parse_event_t::key: {
        const std::string& k = parsed.get_ref<const std::string&>();
        if (!open_objects.back().insert(k).second) {
          // The parser has just read the key's closing quote.
          const std::size_t close = static_cast<std::size_t>(furthest - text.data()) - 1;
          throw DuplicateKey{k, string_start(text, close)};
        }
        break;
      }
      default: break;
    }
    return true;
  };
  const TrackingIter first{text.data(), &furthest}, last{text.data() + text.size(), nullptr};
  try {
    return Json::parse(first, last, on_event, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const DuplicateKey& d) {
    fail_at(text, d.offset, "duplicate key " + Json(d.key).dump());
  } catch (const Json::parse_error& e) {
    // e.byte counts the characters read, the last one being the offending one.
    fail_at(text, e.byte > 0 ? e.byte - 1 : 0, library_reason(e.what()));
  } catch (const Json::out_of_range& e) {
    // A number literal beyond double's range (e.g. 1e999): the message quotes it.
    const std::string what = e.what();
    const std::size_t q = what.find('\'');
    const std::string lit = q == std::string::npos ? "" : what.substr(q + 1, what.find('\'', q + 1) - q - 1);
    const std::size_t at = lit.empty() ? std::string_view::npos : text.find(lit);
    fail_at(text, at == std::string_view::npos ? 0 : at, "number out of range: " + lit);
  }
}

void append_json_number(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  char buf[40];
  // printf and strtod are correctly rounded, so %.17g always reads back exactly;
  // fewer digits are used when they also do.
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

}  // namespace eos
