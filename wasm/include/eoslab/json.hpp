// JSON for the engine's text interfaces (eos-run --config / --format json /
// --dump-problem / --schema, and the WASM binding's config strings), on
// nlohmann-json's ordered_json (members keep their order, 64-bit integers stay
// exact). This header adds the engine's policies on top of the library:
// a strict parse (duplicate keys rejected, NaN/Infinity literals rejected, errors
// as JsonError with the 1-based line and column) and the number format of the
// record writers (the shortest text that reads back to the same double).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace eos {

using Json = nlohmann::ordered_json;

// A malformed JSON text: what() is "JSON parse error at line L, column C: ...".
struct JsonError : std::runtime_error {
  JsonError(const std::string& msg, int line_, int column_)
      : std::runtime_error(msg), line(line_), column(column_) {}
  int line;
  int column;
};

// RFC 8259 parse of one value (optional surrounding whitespace). Rejects duplicate
// object keys (a config with "lr" twice is a mistake, not a choice of the last one).
Json parse_json(std::string_view text);

// Shortest of %.15g/%.16g/%.17g that reads back to the same double (0.2 prints as
// "0.2", integral values without ".0"); NaN and +-inf are written as "null", as JSON
// has no literal for them.
std::string json_number(double x);
void append_json_number(std::string& out, double x);  // appends, for hot loops

}  // namespace eos
