// The field table: one row per eos::Config field with its name, type, range or
// allowed names, group, label, one-line doc, whether it may change mid-run and UI
// hints. It is the single source of those facts: validate() checks each field's own
// range from it, the JSON reader/writer and the CLI's flags and --help are derived
// from it, and it is exported as the JSON schema the page is generated from
// (`eos-run --schema`, the WASM module's configSchema()).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/json.hpp"

namespace eos {

enum class FieldType { Int, Real, Enum, Bool, IntList, Schedule };

// A Real field's default for one optimiser, where it differs from Config's (rmsprop's
// beta2 is 0.99, PyTorch's RMSprop alpha; adam keeps Config's 0.999).
struct OptDefault {
  const char* opt;
  double value;
};

struct Field {
  using Member = std::variant<int Config::*, std::uint64_t Config::*, double Config::*, bool Config::*,
                              std::string Config::*, std::vector<int> Config::*>;

  const char* name;    // the Config member, the JSON key; the CLI flag is --name-with-dashes
  FieldType type;
  Member member;
  const char* group;   // data | model | optim | measure
  const char* label;
  const char* doc;     // one line
  const char* metavar = "X";  // the CLI's placeholder for the value in --help
  bool live = false;      // may change while a run goes on (Experiment::schedule)
  bool advanced = false;  // shown among the advanced controls
  // Int, Real, and each IntList entry: the allowed range, [min, max] (Real: an end
  // is excluded when flagged). Integers up to 2^53 are exact in a double.
  double min = 0, max = 0;
  bool min_open = false, max_open = false;
  double ui_min = 0, ui_max = 0;  // slider range hint inside [min, max] (both 0: none)
  bool log = false;               // log-scale slider
  const char* unit = nullptr;
  std::vector<const char*> values{};    // Enum: allowed names
  int min_len = 0, max_len = 0;       // IntList: number of entries
  std::vector<const char*> datasets{};  // the datasets for which the field matters (empty: all)
  // Real: per-optimiser defaults, used whenever the field is not given explicitly (JSON
  // config, CLI flags, the WASM module, the page). The one place these values are written.
  std::vector<OptDefault> opt_defaults{};
};

// Every field, in display order (also the order of the JSON config and the CLI help).
const std::vector<Field>& config_fields();
const Field* find_field(std::string_view name);  // nullptr when unknown
const Field& field(std::string_view name);       // the field of that name (must exist)

std::string flag_of(const Field& f);  // "--data-seed" for data_seed
std::string range_text(const Field& f);  // "[1, 20000]", "(0, 10000]", "chebyshev|moons|..."

// Checks the field's own range or names in c (no cross-field rule); throws
// ConfigError "n must be an integer in [1, 20000], got 0" and the like.
void check_field(const Field& f, const Config& c);
// Checks a candidate number for an Int or Real field (run-time setters).
void check_number(const Field& f, double v);

// Sets the field from the CLI's text (widths "50,50", bias on|off) or from a JSON
// value. Throws ConfigError with the same message as check_field for a value of the
// wrong type or out of range, whatever its size ("got 99999999999", "got \"3\"").
void set_from_text(const Field& f, Config& c, const std::string& text);
void set_from_json(const Field& f, Config& c, const Json& v);
Json field_to_json(const Field& f, const Config& c);
std::string field_to_text(const Field& f, const Config& c);  // the CLI's spelling

// The default of field f for optimiser opt: its opt_defaults entry, else Config's default.
double default_for(const Field& f, std::string_view opt);
// Sets each field with per-optimiser defaults that `given` does not name to its default
// for c.opt (so {"opt": "rmsprop"} runs with beta2 0.99, and {"opt": "rmsprop",
// "beta2": 0.999} with 0.999). Readers call it once every source has been read.
void apply_opt_defaults(Config& c, const std::function<bool(std::string_view)>& given);

// A Config from a JSON object (absent keys keep their defaults, per optimiser where the
// table says so; unknown keys are ConfigError listing the known names) and back, keys in
// table order.
Config config_from_json(const Json& j);
Json config_to_json(const Config& c);
std::vector<std::string> config_field_names();

// {"version": 1, "fields": [...]}: the table as the page consumes it.
Json config_schema();

}  // namespace eos
