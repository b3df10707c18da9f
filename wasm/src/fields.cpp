// The field table (fields.hpp) and everything derived from it field by field:
// range checks with their messages, reading from CLI text and JSON, writing JSON,
// and the exported schema. Each field's range and allowed names are written here
// and nowhere else. (Over 400 lines: a quarter is the table, and the readers and
// checks it drives belong with it.)
#include "eoslab/fields.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace eos {
namespace {

constexpr double kSeedMax = 9007199254740991.0;  // 2^53 - 1: exact in JSON and JS numbers

std::vector<Field> make_table() {
  using F = FieldType;
  using C = Config;
  return {
      {.name = "dataset", .type = F::Enum, .member = &C::dataset, .group = "data", .label = "Dataset",
       .doc = "Synthetic training set (full batch).", .metavar = "NAME",
       .values = {"chebyshev", "moons", "circles", "spirals", "xor", "blobs", "gaussian-mixture", "teacher", "linear"}},
      {.name = "n", .type = F::Int, .member = &C::n, .group = "data", .label = "Examples n",
       .doc = "Number of training examples.", .metavar = "N", .min = 1, .max = 20000},
      {.name = "degree", .type = F::Int, .member = &C::degree, .group = "data", .label = "Chebyshev degree",
       .doc = "Target T_k(x) on n points evenly spaced in [-1, 1].", .metavar = "K", .min = 0, .max = 30,
       .datasets = {"chebyshev"}},
      {.name = "d", .type = F::Int, .member = &C::d, .group = "data", .label = "Input dimension d",
       .doc = "Input dimension (gaussian-mixture, teacher, linear).", .metavar = "D", .min = 1, .max = 256,
       .datasets = {"gaussian-mixture", "teacher", "linear"}},
      {.name = "classes", .type = F::Int, .member = &C::classes, .group = "data", .label = "Classes / outputs",
       .doc = "Classes (spirals, blobs, gaussian-mixture: 2 to 20) or outputs (teacher, linear).", .metavar = "C",
       .min = 1, .max = 64, .datasets = {"spirals", "blobs", "gaussian-mixture", "teacher", "linear"}},
      {.name = "noise", .type = F::Real, .member = &C::noise, .group = "data", .label = "Noise",
       .doc = "Input noise level.", .min = 0, .max = 10,
       .datasets = {"moons", "circles", "spirals", "xor", "blobs", "gaussian-mixture"}},
      {.name = "data_seed", .type = F::Int, .member = &C::data_seed, .group = "data", .label = "Data seed",
       .doc = "Seed of the dataset.", .metavar = "S", .min = 0, .max = kSeedMax,
       .datasets = {"moons", "circles", "spirals", "xor", "blobs", "gaussian-mixture", "teacher", "linear"}},
      {.name = "n_test", .type = F::Int, .member = &C::n_test, .group = "data", .label = "Held-out examples",
       .doc = "Held-out examples from the same generator, never in the training set (0 = none); their loss is "
              "the test_loss column, evaluated every eig_every steps.",
       .metavar = "N", .min = 0, .max = 20000},
      {.name = "widths", .type = F::IntList, .member = &C::widths, .group = "model", .label = "Hidden widths",
       .doc = "Comma-separated hidden layer widths (depth = how many).", .metavar = "W1,W2,..", .min = 1,
       .max = 512, .min_len = 1, .max_len = 6},
      {.name = "act", .type = F::Enum, .member = &C::act, .group = "model", .label = "Activation",
       .doc = "Hidden-layer activation.", .metavar = "NAME",
       .values = {"tanh", "relu", "elu", "gelu", "softplus", "sigmoid", "identity"}},
      {.name = "bias", .type = F::Bool, .member = &C::bias, .group = "model", .label = "Bias",
       .doc = "Layers have biases.", .metavar = "on|off"},
      {.name = "init", .type = F::Enum, .member = &C::init, .group = "model", .label = "Init",
       .doc = "pytorch: U(+-1/sqrt(fan_in)) (nn.Linear's default); normal: N(0, scale^2/fan_in).",
       .metavar = "NAME", .values = {"pytorch", "normal"}},
      {.name = "init_scale", .type = F::Real, .member = &C::init_scale, .group = "model", .label = "Init scale",
       .doc = "Multiplies the initial weights.", .advanced = true, .min = 0, .max = 100, .min_open = true},
      {.name = "loss", .type = F::Enum, .member = &C::loss, .group = "model", .label = "Loss",
       .doc = "mse: 1/2 |f(x) - y|^2; ce: softmax cross-entropy (classification datasets only).",
       .metavar = "NAME", .values = {"mse", "ce"}},
      {.name = "precision", .type = F::Enum, .member = &C::precision, .group = "model", .label = "Precision",
       .doc = "Floating-point type of the network (the paper used float32).", .metavar = "NAME",
       .advanced = true, .values = {"float32", "float64"}},
      {.name = "opt", .type = F::Enum, .member = &C::opt, .group = "optim", .label = "Optimiser",
       .doc = "gd, polyak (heavy ball), nesterov, flow (gradient flow, RK4), adam or rmsprop (torch.optim), or central (the central flow of GD).",
       .metavar = "NAME", .values = {"gd", "polyak", "nesterov", "flow", "adam", "rmsprop", "central"}},
      {.name = "lr", .type = F::Real, .member = &C::lr, .group = "optim", .label = "Step size η",
       .doc = "Learning rate; the stability threshold is 2/η for GD. Live: changes a running run.",
       .live = true, .min = 0, .max = 1e4, .min_open = true, .ui_min = 1e-4, .ui_max = 100, .log = true},
      {.name = "beta", .type = F::Real, .member = &C::beta, .group = "optim", .label = "Momentum β",
       .doc = "Momentum of polyak and nesterov. Live: changes a running run.", .live = true, .min = 0, .max = 1,
       .max_open = true, .ui_min = 0, .ui_max = 0.99},
      {.name = "beta1", .type = F::Real, .member = &C::beta1, .group = "optim", .label = "Adam β₁",
       .doc = "Adam's first-moment decay; the threshold is (2+2β₁)/((1-β₁)η). Live: the β control changes it.",
       .live = true, .min = 0, .max = 1, .max_open = true, .ui_min = 0, .ui_max = 0.99},
      {.name = "beta2", .type = F::Real, .member = &C::beta2, .group = "optim", .label = "β₂",
       .doc = "Second-moment decay of adam (β₂, default 0.999) and rmsprop (alpha, default 0.99): "
              "PyTorch's defaults, used when beta2 is not given.",
       .min = 0, .max = 1, .max_open = true, .ui_min = 0.9, .ui_max = 0.9999,
       // torch.optim.RMSprop's alpha is 0.99; Adam's 0.999 is Config's own default.
       .opt_defaults = {{"rmsprop", 0.99}}},
      {.name = "eps", .type = F::Real, .member = &C::eps, .group = "optim", .label = "ε",
       .doc = "Added to sqrt(v) in adam and rmsprop (outside the square root, as PyTorch).", .advanced = true,
       .min = 0, .max = 1, .log = true},
      {.name = "lr_schedule", .type = F::Schedule, .member = &C::lr_schedule, .group = "optim",
       .label = "η schedule",
       .doc = "Step-size changes STEP:LR, comma-separated; LR is a step size (500:0.1) or a factor (500:x0.5).",
       .metavar = "STEP:LR,.."},
      {.name = "batch", .type = F::Int, .member = &C::batch, .group = "optim", .label = "Mini-batch size",
       .doc = "Examples per update (0 = full batch, at most n): SGD, reshuffled by the seed each epoch, the last "
              "short batch kept. The recorded loss, gradient norm and sharpness stay full-batch. Live.",
       .metavar = "B", .live = true, .min = 0, .max = 20000},
      {.name = "flow_alpha", .type = F::Real, .member = &C::flow_alpha, .group = "optim", .label = "Flow α",
       .doc = "Gradient flow RK4 step = min(α / sharpness, max step).", .advanced = true, .min = 0, .max = 10,
       .min_open = true},
      {.name = "flow_max_step", .type = F::Real, .member = &C::flow_max_step, .group = "optim",
       .label = "Flow max step", .doc = "Largest RK4 step of gradient flow.", .advanced = true, .min = 0,
       .max = 1000, .min_open = true},
      {.name = "central_substeps", .type = F::Int, .member = &C::central_substeps, .group = "optim",
       .label = "Central flow substeps",
       .doc = "Euler substeps per GD step of the central flow; each re-solves sigma^2 (opt central).",
       .metavar = "N", .advanced = true, .min = 1, .max = 64},
      {.name = "seed", .type = F::Int, .member = &C::seed, .group = "optim", .label = "Seed",
       .doc = "Seed of the initial weights and of Lanczos.", .metavar = "S", .min = 0, .max = kSeedMax},
      {.name = "eig_every", .type = F::Int, .member = &C::eig_every, .group = "measure",
       .label = "Eigenvalues every",
       .doc = "Compute the top-k Hessian eigenvalues every this many steps (0 = never).", .metavar = "N",
       .min = 0, .max = 1000000, .unit = "steps"},
      {.name = "neigs", .type = F::Int, .member = &C::neigs, .group = "measure", .label = "Top k eigenvalues",
       .doc = "How many top Hessian eigenvalues to track (k).", .metavar = "K", .min = 1, .max = kMaxEigs},
      {.name = "lanczos_tol", .type = F::Real, .member = &C::lanczos_tol, .group = "measure",
       .label = "Lanczos tolerance", .doc = "Stop when |Hv - λv| <= tol·|λ| for the top k.", .advanced = true,
       .min = 0, .max = 0.1, .min_open = true},
      {.name = "lanczos_max_iter", .type = F::Int, .member = &C::lanczos_max_iter, .group = "measure",
       .label = "Lanczos max HVPs", .doc = "Hessian-vector products per eigenvalue call at most (>= k + 1).",
       .metavar = "N", .advanced = true, .min = 2, .max = 5000},
      {.name = "diverge_factor", .type = F::Real, .member = &C::diverge_factor, .group = "measure",
       .label = "Divergence factor", .doc = "A run has diverged when its loss exceeds this × the initial loss.",
       .advanced = true, .min = 1, .max = 1e12, .min_open = true},
      {.name = "valley", .type = F::Bool, .member = &C::valley, .group = "measure", .label = "Valley view",
       .doc = "Record each step's component along the top eigenvector (u_proj) for the valley view; "
              "does not change the run.",
       .metavar = "on|off", .advanced = true},
  };
}

[[noreturn]] void fail(const std::string& msg) { throw ConfigError(msg); }

std::string int_text(double x) { return std::to_string(static_cast<long long>(x)); }

bool in_range(const Field& f, double v) {
  return std::isfinite(v) && (f.min_open ? v > f.min : v >= f.min) && (f.max_open ? v < f.max : v <= f.max);
}

bool is_int_type(const Field& f) { return f.type == FieldType::Int || f.type == FieldType::IntList; }

std::string number_text(const Field& f, double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (is_int_type(f) && std::trunc(v) == v && std::fabs(v) < 9.3e18) return int_text(v);
  return json_number(v);
}

// "n must be an integer in [1, 20000], got X" / "widths entries must be integers in [1, 512], got X"
[[noreturn]] void fail_value(const Field& f, const std::string& got) {
  std::string what;
  switch (f.type) {
    case FieldType::Int: what = " must be an integer in "; break;
    case FieldType::IntList: what = " entries must be integers in "; break;
    case FieldType::Real: what = " must be a number in "; break;
    case FieldType::Enum: what = " must be one of "; break;
    case FieldType::Bool: what = " must be "; break;
    case FieldType::Schedule: fail(std::string(f.name) + " must be a string like 500:0.1,1000:x0.5, got " + got);
  }
  fail(f.name + what + range_text(f) + ", got " + got);
}

std::string squote(const std::string& s) { return "'" + s + "'"; }

// Decimal integer text: optional '-', then digits only.
bool is_decimal(const std::string& s) {
  const std::size_t from = !s.empty() && s[0] == '-' ? 1 : 0;
  if (s.size() <= from) return false;
  for (std::size_t i = from; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// An integer of an Int/IntList field from text; any size is reported with the field's range.
double int_from_text(const Field& f, const std::string& s) {
  if (!is_decimal(s)) fail_value(f, squote(s));
  const double v = std::strtod(s.c_str(), nullptr);  // exact below 2^53, and far beyond any range
  if (!in_range(f, v)) fail_value(f, s);
  return v;
}

double int_from_json(const Field& f, const Json& v) {
  double x;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(f.max)) fail_value(f, v.dump());
    x = static_cast<double>(u);
  } else if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if (i < static_cast<std::int64_t>(f.min) || i > static_cast<std::int64_t>(f.max)) fail_value(f, v.dump());
    x = static_cast<double>(i);
  } else if (v.is_number_float()) {
    x = v.get<double>();  // 40.0 and 1e3 are integers written as reals
    if (std::trunc(x) != x || !in_range(f, x)) fail_value(f, json_number(x));
  } else {
    fail_value(f, v.dump());
  }
  if (!in_range(f, x)) fail_value(f, number_text(f, x));
  return x;
}

template <class M>
auto& member_of(const Field& f, Config& c) {
  return c.*std::get<M>(f.member);
}
template <class M>
const auto& member_of(const Field& f, const Config& c) {
  return c.*std::get<M>(f.member);
}

double number_of(const Field& f, const Config& c) {
  if (std::holds_alternative<int Config::*>(f.member)) return member_of<int Config::*>(f, c);
  if (std::holds_alternative<std::uint64_t Config::*>(f.member))
    return static_cast<double>(member_of<std::uint64_t Config::*>(f, c));
  return member_of<double Config::*>(f, c);
}

void set_number(const Field& f, Config& c, double v) {
  if (std::holds_alternative<int Config::*>(f.member)) member_of<int Config::*>(f, c) = static_cast<int>(v);
  else if (std::holds_alternative<std::uint64_t Config::*>(f.member))
    member_of<std::uint64_t Config::*>(f, c) = static_cast<std::uint64_t>(v);
  else member_of<double Config::*>(f, c) = v;
}

void check_enum(const Field& f, const std::string& v) {
  for (const char* name : f.values)
    if (v == name) return;
  fail_value(f, squote(v));
}

void check_list_length(const Field& f, std::size_t len) {
  if (len < std::size_t(f.min_len) || len > std::size_t(f.max_len))
    fail(std::string(f.name) + " must have " + std::to_string(f.min_len) + " to " + std::to_string(f.max_len) +
         " entries, got " + std::to_string(len));
}

}  // namespace

const std::vector<Field>& config_fields() {
  static const std::vector<Field> table = make_table();
  return table;
}

const Field* find_field(std::string_view name) {
  for (const Field& f : config_fields())
    if (name == f.name) return &f;
  return nullptr;
}

const Field& field(std::string_view name) {
  const Field* f = find_field(name);
  if (!f) throw std::logic_error("no config field '" + std::string(name) + "'");
  return *f;
}

std::string flag_of(const Field& f) {
  std::string s = std::string("--") + f.name;
  for (char& ch : s)
    if (ch == '_') ch = '-';
  return s;
}

std::string range_text(const Field& f) {
  switch (f.type) {
    case FieldType::Int:
    case FieldType::IntList: return "[" + int_text(f.min) + ", " + int_text(f.max) + "]";
    case FieldType::Real:
      return std::string(f.min_open ? "(" : "[") + json_number(f.min) + ", " + json_number(f.max) +
             (f.max_open ? ")" : "]");
    case FieldType::Enum: {
      std::string s;
      for (const char* v : f.values) s += (s.empty() ? "" : "|") + std::string(v);
      return s;
    }
    case FieldType::Bool: return "true or false";
    case FieldType::Schedule: return "STEP:LR[,STEP:LR...]";
  }
  return "";
}

void check_number(const Field& f, double v) {
  if (!in_range(f, v) || (is_int_type(f) && std::trunc(v) != v)) fail_value(f, number_text(f, v));
}

void check_field(const Field& f, const Config& c) {
  switch (f.type) {
    case FieldType::Int:
    case FieldType::Real: check_number(f, number_of(f, c)); break;
    case FieldType::Enum: check_enum(f, member_of<std::string Config::*>(f, c)); break;
    case FieldType::IntList: {
      const auto& list = member_of<std::vector<int> Config::*>(f, c);
      check_list_length(f, list.size());
      for (int v : list) check_number(f, v);
      break;
    }
    case FieldType::Bool: break;
    case FieldType::Schedule: parse_lr_schedule(member_of<std::string Config::*>(f, c)); break;
  }
}

void set_from_text(const Field& f, Config& c, const std::string& text) {
  switch (f.type) {
    case FieldType::Int: set_number(f, c, int_from_text(f, text)); break;
    case FieldType::Real: {
      // C syntax, the whole text consumed; nan/inf parse and then fail the range check.
      char* end = nullptr;
      const bool blank = text.empty() || std::isspace(static_cast<unsigned char>(text[0]));
      const double v = blank ? 0.0 : std::strtod(text.c_str(), &end);
      if (blank || end != text.c_str() + text.size()) fail_value(f, squote(text));
      check_number(f, v);
      set_number(f, c, v);
      break;
    }
    case FieldType::Enum: check_enum(f, text); member_of<std::string Config::*>(f, c) = text; break;
    case FieldType::Bool:
      if (text == "on" || text == "true") member_of<bool Config::*>(f, c) = true;
      else if (text == "off" || text == "false") member_of<bool Config::*>(f, c) = false;
      else fail(std::string(f.name) + " must be one of on|off|true|false, got " + squote(text));
      break;
    case FieldType::IntList: {
      std::vector<int> list;
      std::size_t start = 0;
      for (;;) {
        const std::size_t comma = text.find(',', start);
        const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!is_decimal(part))
          fail(std::string(f.name) + " must be a comma-separated list of integers like 50,50, got " + squote(text));
        list.push_back(static_cast<int>(int_from_text(f, part)));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      check_list_length(f, list.size());
      member_of<std::vector<int> Config::*>(f, c) = std::move(list);
      break;
    }
    case FieldType::Schedule:
      parse_lr_schedule(text);
      member_of<std::string Config::*>(f, c) = text;
      break;
  }
}

void set_from_json(const Field& f, Config& c, const Json& v) {
  switch (f.type) {
    case FieldType::Int: set_number(f, c, int_from_json(f, v)); break;
    case FieldType::Real:
      if (!v.is_number()) fail_value(f, v.dump());
      check_number(f, v.get<double>());
      set_number(f, c, v.get<double>());
      break;
    case FieldType::Enum:
      if (!v.is_string()) fail_value(f, v.dump());
      check_enum(f, v.get<std::string>());
      member_of<std::string Config::*>(f, c) = v.get<std::string>();
      break;
    case FieldType::Bool:
      if (!v.is_boolean()) fail_value(f, v.dump());
      member_of<bool Config::*>(f, c) = v.get<bool>();
      break;
    case FieldType::IntList: {
      if (!v.is_array()) fail(std::string(f.name) + " must be an array of integers in " + range_text(f) + ", got " + v.dump());
      check_list_length(f, v.size());
      std::vector<int> list;
      for (const Json& x : v) list.push_back(static_cast<int>(int_from_json(f, x)));
      member_of<std::vector<int> Config::*>(f, c) = std::move(list);
      break;
    }
    case FieldType::Schedule:
      if (!v.is_string()) fail_value(f, v.dump());
      parse_lr_schedule(v.get<std::string>());
      member_of<std::string Config::*>(f, c) = v.get<std::string>();
      break;
  }
}

Json field_to_json(const Field& f, const Config& c) {
  switch (f.type) {
    case FieldType::Int:
      if (std::holds_alternative<int Config::*>(f.member)) return member_of<int Config::*>(f, c);
      return member_of<std::uint64_t Config::*>(f, c);
    case FieldType::Real: return member_of<double Config::*>(f, c);
    case FieldType::Enum:
    case FieldType::Schedule: return member_of<std::string Config::*>(f, c);
    case FieldType::Bool: return member_of<bool Config::*>(f, c);
    case FieldType::IntList: return member_of<std::vector<int> Config::*>(f, c);
  }
  return nullptr;
}

std::string field_to_text(const Field& f, const Config& c) {
  switch (f.type) {
    case FieldType::Int: return std::holds_alternative<int Config::*>(f.member)
                                    ? std::to_string(member_of<int Config::*>(f, c))
                                    : std::to_string(member_of<std::uint64_t Config::*>(f, c));
    case FieldType::Real: return json_number(member_of<double Config::*>(f, c));
    case FieldType::Enum:
    case FieldType::Schedule: return member_of<std::string Config::*>(f, c);
    case FieldType::Bool: return member_of<bool Config::*>(f, c) ? "on" : "off";
    case FieldType::IntList: {
      std::string s;
      for (int w : member_of<std::vector<int> Config::*>(f, c)) s += (s.empty() ? "" : ",") + std::to_string(w);
      return s;
    }
  }
  return "";
}

Config config_from_json(const Json& j) {
  if (!j.is_object()) fail(std::string("config must be a JSON object, got ") + j.type_name());
  Config c;
  for (const auto& [key, value] : j.items()) {
    const Field* f = find_field(key);
    if (!f) {
      std::string known;
      for (const Field& g : config_fields()) known += (known.empty() ? "" : ", ") + std::string(g.name);
      fail("unknown config field '" + key + "' (known fields: " + known + ")");
    }
    set_from_json(*f, c, value);
  }
  apply_opt_defaults(c, [&](std::string_view name) { return j.contains(std::string(name)); });
  return c;
}

double default_for(const Field& f, std::string_view opt) {
  for (const OptDefault& d : f.opt_defaults)
    if (opt == d.opt) return d.value;
  return number_of(f, Config{});
}

void apply_opt_defaults(Config& c, const std::function<bool(std::string_view)>& given) {
  for (const Field& f : config_fields())
    if (!f.opt_defaults.empty() && !given(f.name)) set_number(f, c, default_for(f, c.opt));
}

Json config_to_json(const Config& c) {
  Json o = Json::object();
  for (const Field& f : config_fields()) o[f.name] = field_to_json(f, c);
  return o;
}

std::vector<std::string> config_field_names() {
  std::vector<std::string> names;
  for (const Field& f : config_fields()) names.emplace_back(f.name);
  return names;
}

Json config_schema() {
  const Config defaults;
  Json fields = Json::array();
  for (const Field& f : config_fields()) {
    static const char* const kTypes[] = {"int", "real", "enum", "bool", "intlist", "schedule"};
    Json o = Json::object();
    o["name"] = f.name;
    o["type"] = kTypes[static_cast<int>(f.type)];
    o["default"] = field_to_json(f, defaults);
    // Integer bounds as JSON integers, real ones as numbers.
    auto bound = [&](double x) { return is_int_type(f) ? Json(static_cast<std::int64_t>(x)) : Json(x); };
    if (f.type == FieldType::Int || f.type == FieldType::Real || f.type == FieldType::IntList) {
      o["min"] = bound(f.min);
      o["max"] = bound(f.max);
    }
    if (f.type == FieldType::Real) {
      o["min_open"] = f.min_open;
      o["max_open"] = f.max_open;
    }
    if (f.ui_min != 0 || f.ui_max != 0) {
      o["ui_min"] = bound(f.ui_min);
      o["ui_max"] = bound(f.ui_max);
    }
    if (f.log) o["log"] = true;
    if (f.unit) o["unit"] = f.unit;
    if (f.type == FieldType::Enum) o["values"] = f.values;
    if (f.type == FieldType::IntList) {
      o["min_len"] = f.min_len;
      o["max_len"] = f.max_len;
    }
    if (!f.datasets.empty()) o["datasets"] = f.datasets;
    if (!f.opt_defaults.empty()) {
      // {"rmsprop": 0.99}: the default for these optimisers ("default" is every other's).
      Json d = Json::object();
      for (const OptDefault& od : f.opt_defaults) d[od.opt] = od.value;
      o["opt_defaults"] = std::move(d);
    }
    o["group"] = f.group;
    o["label"] = f.label;
    o["doc"] = f.doc;
    o["live"] = f.live;
    o["advanced"] = f.advanced;
    fields.push_back(std::move(o));
  }
  Json schema = Json::object();
  schema["version"] = 1;
  schema["fields"] = std::move(fields);
  return schema;
}

}  // namespace eos
