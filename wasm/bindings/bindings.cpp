// The WebAssembly face of the EoS Lab engine (issue 4): the ONLY C++ file that
// includes Emscripten. It turns JS values into an eos::Config, runs an
// eos::Experiment, and hands results back as plain JS objects and typed-array
// COPIES (never views into the wasm heap, which detach when memory grows).
//
// Errors. No C++ exception and no JS exception ever crosses a wasm frame here.
// Measured on em++ 3.1.6: a JS `throw` (val::throw_, EM_JS) or an escaping C++
// exception unwinds through wasm without restoring __stack_pointer or running
// destructors, so every failed call leaked shadow stack (16 B per throw in a
// probe) and heap (the message string). Instead every fallible entry point
// catches std::exception, stores e.what() in g_last_error and returns a
// sentinel (null / false); wasm/bindings/post.js wraps these raw functions so
// that JS callers get a real `Error` carrying the engine's own message, e.g.
//   "lr must be > 0 and finite, got -1"
//   "config field 'lr' must be a number, got string"
//   "unknown config field 'foo' (known fields: dataset, n, ...)"
//
// Ownership. Exactly one C++ object is visible to JS: RunHandle (the running
// experiment), which its owner (the engine worker) must .delete(). Everything
// else is a value.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eoslab/bench.hpp"
#include "eoslab/config.hpp"
#include "eoslab/data.hpp"
#include "eoslab/eigen.hpp"
#include "eoslab/experiment.hpp"
#include "eoslab/json.hpp"
#include "eoslab/mlp.hpp"
#include "eoslab/rng.hpp"

using emscripten::val;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Message of the last failed call; read by post.js right after the sentinel.
std::string g_last_error;

void set_error(const char* what) { g_last_error = what ? what : "unknown error"; }

// Runs f(); on a C++ exception records its message and returns `fallback`.
template <class R, class F>
R guarded(R fallback, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown C++ exception");
  }
  return fallback;
}

// ------------------------------------------------------------ JS value -> Json

// Decimal text of a JS BigInt ("-12") -> exact Json integer when it fits.
eos::Json bigint_to_json(const std::string& s) {
  const bool neg = !s.empty() && s[0] == '-';
  std::uint64_t mag = 0;
  bool fits = s.size() > (neg ? 1u : 0u);
  for (std::size_t i = neg ? 1 : 0; i < s.size() && fits; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') { fits = false; break; }
    const std::uint64_t d = std::uint64_t(c - '0');
    if (mag > (std::numeric_limits<std::uint64_t>::max() - d) / 10u) fits = false;
    else mag = mag * 10u + d;
  }
  if (fits && !neg) return eos::Json(static_cast<unsigned long long>(mag));
  if (fits && mag <= std::uint64_t(std::numeric_limits<long long>::max()))
    return eos::Json(-static_cast<long long>(mag));
  return eos::Json(std::strtod(s.c_str(), nullptr));  // out of range: the type check will name the field
}

// Converts a JS value into the engine's Json type, so that the one mapping
// eos::config_from_json (also used by `eos-run --config`) does the field-by-field
// reading, defaults, type checks and unknown-key rejection: the binding and the CLI
// cannot disagree on a message. `path` names the value in messages.
eos::Json to_json(const val& v, const std::string& path) {
  const std::string t = v.typeOf().as<std::string>();
  if (t == "number") return eos::Json(v.as<double>());
  if (t == "boolean") return eos::Json(v.as<bool>());
  if (t == "string") return eos::Json(v.as<std::string>());
  if (t == "bigint") return bigint_to_json(v.call<std::string>("toString"));
  if (t == "undefined" || v.isNull()) return eos::Json();
  if (v.isArray()) {
    eos::Json::Array a;
    const int n = v["length"].as<int>();
    for (int i = 0; i < n; ++i) a.push_back(to_json(v[i], path + "[" + std::to_string(i) + "]"));
    return eos::Json(std::move(a));
  }
  if (t == "object") {
    eos::Json::Object o;
    const val keys = val::global("Object").call<val>("keys", v);
    const int n = keys["length"].as<int>();
    for (int i = 0; i < n; ++i) {
      const std::string k = keys[i].as<std::string>();
      const val x = v[k];
      // A key holding `undefined` is absent (as JSON.stringify and TS optional fields treat it).
      if (x.isUndefined()) continue;
      o.emplace_back(k, to_json(x, k));
    }
    return eos::Json(std::move(o));
  }
  throw eos::ConfigError("config field '" + path + "' must be a JSON value, got a JavaScript " + t);
}

// JS config object (undefined = all defaults) -> Config; unknown keys and wrong
// types are ConfigError. Ranges are checked later by eos::validate / Experiment.
eos::Config config_from_val(const val& cfg) {
  if (cfg.isUndefined()) return eos::Config{};
  if (cfg.isArray()) throw eos::ConfigError("config must be a JSON object, got array");
  return eos::config_from_json(to_json(cfg, "config"));
}

// ------------------------------------------------------------ Json -> JS value

val from_json(const eos::Json& j) {
  switch (j.type()) {
    case eos::Json::Type::Null: return val::null();
    case eos::Json::Type::Bool: return val(j.as_bool());
    case eos::Json::Type::Number: return val(j.as_number());  // seeds above 2^53 lose precision
    case eos::Json::Type::String: return val(j.as_string());
    case eos::Json::Type::Array: {
      val a = val::array();
      for (std::size_t i = 0; i < j.size(); ++i) a.set(i, from_json(j[i]));
      return a;
    }
    case eos::Json::Type::Object: {
      val o = val::object();
      for (const auto& kv : j.as_object()) o.set(kv.first, from_json(kv.second));
      return o;
    }
  }
  return val::undefined();
}

// A JS typed array holding a COPY of [p, p+n): `new Float64Array(view)` copies out
// of the heap, so the result survives memory growth and can be transferred.
template <class T>
val copy_array(const char* ctor, const T* p, std::size_t n) {
  return val::global(ctor).new_(emscripten::typed_memory_view(n, p));
}

val f64(const std::vector<double>& v) { return copy_array("Float64Array", v.data(), v.size()); }

// {rows, cols, data: Float64Array} with data row-major: the orientation of the
// CLI's --dump-problem JSON (rows of that JSON are rows here).
val matrix_rows_major(const Eigen::MatrixXd& M) {  // M is (rows, cols)
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> R = M;
  val o = val::object();
  o.set("rows", val(double(R.rows())));
  o.set("cols", val(double(R.cols())));
  o.set("data", copy_array("Float64Array", R.data(), std::size_t(R.size())));
  return o;
}

const char* status_name(eos::Status s) { return s == eos::Status::Diverged ? "diverged" : "running"; }

// ------------------------------------------------------------ the run

// The one JS-owned C++ object: a running experiment plus the reused record buffer
// (cleared, never shrunk, so a long run does not allocate per chunk).
class RunHandle {
 public:
  explicit RunHandle(const eos::Config& c) : exp_(c), k_(c.neigs) { recs_.reserve(64); }

  // n steps -> RecordChunk (protocol.ts): struct of arrays, copies. Stops early on divergence.
  val step(double n_js) {
    return guarded(val::null(), [&] {
      if (!(n_js >= 0 && n_js <= 1e7 && n_js == std::floor(n_js)))
        throw eos::ConfigError("step count must be an integer in [0, 10000000], got " + eos::json_number(n_js));
      recs_.clear();
      exp_.step(int(n_js), recs_);
      return chunk();
    });
  }

  bool set_lr(double lr) {
    return guarded(false, [&] { exp_.set_lr(lr); return true; });
  }
  bool set_beta(double beta) {
    return guarded(false, [&] { exp_.set_beta(beta); return true; });
  }

  // Top-k eigenvalues at the current parameters (no step): {values, hvps, converged}.
  val sharpness(double k_js) {
    return guarded(val::null(), [&] {
      if (!(k_js >= 1 && k_js <= eos::kMaxEigs && k_js == std::floor(k_js)))
        throw eos::ConfigError("k must be an integer in [1, " + std::to_string(eos::kMaxEigs) + "], got " +
                               eos::json_number(k_js));
      const eos::SharpnessResult r = exp_.sharpness(int(k_js));
      val o = val::object();
      o.set("values", val::array(r.values));
      o.set("hvps", val(r.hvps));
      o.set("converged", val(r.converged));
      return o;
    });
  }

  // Progress of slow calls (eos::Progress): fn({what, step, k, hvps}) after every
  // Hessian-vector product of an eigenvalue computation ("eigs") and once per
  // step ("step"), synchronously; null or undefined removes it. post.js wraps fn
  // so that a throwing callback cannot unwind through wasm frames.
  bool set_progress(val fn) {
    return guarded(false, [&] {
      if (fn.isNull() || fn.isUndefined()) {
        exp_.set_progress(nullptr);
        progress_ = val::undefined();
        return true;
      }
      if (fn.typeOf().as<std::string>() != "function")
        throw eos::ConfigError("setProgress needs a function or null, got " + fn.typeOf().as<std::string>());
      progress_ = std::move(fn);
      exp_.set_progress([this](const eos::Progress& p) {
        val o = val::object();
        o.set("what", val(std::string(p.what)));
        o.set("step", val(double(p.step)));
        o.set("k", val(p.k));
        o.set("hvps", val(p.hvps));
        progress_(o);
      });
      return true;
    });
  }

  // Cheap state summary (never fails).
  val info() const {
    val o = val::object();
    o.set("numParams", val(double(exp_.num_params())));
    o.set("step", val(double(exp_.step_count())));
    o.set("time", val(exp_.time()));
    o.set("lr", val(exp_.lr()));
    o.set("beta", val(exp_.beta()));
    o.set("threshold", val(exp_.threshold()));
    o.set("status", val(status_name(exp_.status())));
    o.set("neigs", val(k_));
    o.set("opt", val(std::string(eos::name_of(exp_.spec().opt))));
    o.set("classification", val(exp_.spec().classification));
    return o;
  }

  val params() const { return f64(exp_.params()); }

  // Every lr/beta change so far: [{step, lrOld, lrNew, betaOld, betaNew}].
  val changes() const {
    val a = val::array();
    unsigned i = 0;
    for (const auto& c : exp_.changes()) {
      val o = val::object();
      o.set("step", val(double(c.step)));
      o.set("lrOld", val(c.lr_old));
      o.set("lrNew", val(c.lr_new));
      o.set("betaOld", val(c.beta_old));
      o.set("betaNew", val(c.beta_new));
      a.set(i++, o);
    }
    return a;
  }

  // The full configuration the run was built from (defaults filled in).
  val config() const { return from_json(eos::config_to_json(exp_.spec().cfg)); }

 private:
  val chunk() const {
    const std::size_t rows = recs_.size(), k = std::size_t(k_);
    std::vector<double> step(rows), time(rows), lr(rows), beta(rows), loss(rows), acc(rows), gn(rows), thr(rows);
    std::vector<std::int32_t> neig(rows), hvps(rows);
    std::vector<double> eigs(rows * k, kNaN);
    for (std::size_t i = 0; i < rows; ++i) {
      const eos::StepRecord& r = recs_[i];
      step[i] = double(r.step);
      time[i] = r.time;
      lr[i] = r.lr;
      beta[i] = r.beta;
      loss[i] = r.loss;
      acc[i] = r.accuracy;
      gn[i] = r.grad_norm;
      thr[i] = r.threshold;
      neig[i] = r.neig;
      hvps[i] = r.hvps;
      for (std::size_t j = 0; j < std::min<std::size_t>(std::size_t(r.neig), k); ++j) eigs[i * k + j] = r.eig[j];
    }
    val o = val::object();
    o.set("rows", val(double(rows)));
    o.set("k", val(k_));
    o.set("step", f64(step));
    o.set("time", f64(time));
    o.set("lr", f64(lr));
    o.set("beta", f64(beta));
    o.set("loss", f64(loss));
    o.set("accuracy", f64(acc));
    o.set("grad_norm", f64(gn));
    o.set("threshold", f64(thr));
    o.set("neig", copy_array("Int32Array", neig.data(), rows));
    o.set("hvps", copy_array("Int32Array", hvps.data(), rows));
    o.set("eigs", f64(eigs));
    return o;
  }

  eos::Experiment exp_;
  int k_;
  std::vector<eos::StepRecord> recs_;
  val progress_ = val::undefined();  // the JS progress callback, or undefined
};

// Raw factory: nullptr (JS null) on error, message in g_last_error.
std::unique_ptr<RunHandle> create_run(val cfg) {
  return guarded(std::unique_ptr<RunHandle>(), [&] { return std::make_unique<RunHandle>(config_from_val(cfg)); });
}

// ------------------------------------------------------------ free functions

// The dataset and initial weights, for the bit-for-bit comparison with
// `eos-run --dump-problem`: X (n, d_in), Y (n, d_out), layers [{W (out, in), b}].
val dump_problem(val cfg) {
  return guarded(val::null(), [&] {
    const eos::Experiment e(config_from_val(cfg));
    const eos::Dataset& ds = e.dataset();
    val o = val::object();
    o.set("X", matrix_rows_major(ds.X.transpose()));  // ds.X is (d_in, n)
    o.set("Y", matrix_rows_major(ds.Y.transpose()));  // ds.Y is (d_out, n)
    val layers = val::array();
    const auto L = e.initial_layers();
    for (std::size_t l = 0; l < L.size(); ++l) {
      val layer = val::object();
      layer.set("W", matrix_rows_major(L[l].W));  // (out, in)
      std::vector<double> b(L[l].b.data(), L[l].b.data() + L[l].b.size());
      layer.set("b", f64(b));
      layers.set(l, layer);
    }
    o.set("layers", layers);
    o.set("labels", val::array(ds.labels));
    o.set("config", from_json(eos::config_to_json(e.spec().cfg)));
    return o;
  });
}

// Fills defaults and validates without building anything: the full config, or null.
val validate_config(val cfg) {
  return guarded(val::null(), [&] {
    const eos::Spec s = eos::validate(config_from_val(cfg));
    return from_json(eos::config_to_json(s.cfg));
  });
}

val default_config() { return from_json(eos::config_to_json(eos::Config{})); }

val config_field_names() { return val::array(eos::config_field_names()); }

std::string last_error() { return g_last_error; }

// Which Eigen packet paths are compiled in: "SSE, SSE2, ..." for the SIMD module
// (Eigen's SSE code translated to wasm SIMD), "None" for the scalar one.
std::string simd_in_use() { return Eigen::SimdInstructionSetsInUse(); }

// Allocator state for the leak test: bytes in use (mallinfo uordblks), the
// allocator's arena, and the size of wasm memory.
val heap_stats() {
  const struct mallinfo mi = mallinfo();
  val o = val::object();
  o.set("used", val(double(mi.uordblks)));
  o.set("arena", val(double(mi.arena)));
  o.set("free", val(double(mi.fordblks)));
  return o;
}

// ------------------------------------------------------------ benchmark

// eos::bench_config (wasm/src/bench.cpp) is the same code bench/bench_native.cpp
// times, run inside wasm (steady_clock is performance.now() here), so
// bench/bench_wasm.mjs compares like with like.
val bench(val cfg_js, int inner) {
  return guarded(val::null(), [&] {
    if (inner < 1) throw eos::ConfigError("inner must be >= 1");
    const eos::BenchResult r = eos::bench_config(config_from_val(cfg_js), inner);
    val o = val::object();
    o.set("params", val(double(r.params)));
    o.set("step_ms", val(r.step_ms));
    o.set("hvp_ms", val(r.hvp_ms));
    for (int i = 0; i < 2; ++i) {
      const std::string p = i == 0 ? "top1_" : "top5_";
      o.set(p + "cold_ms", val(r.cold_ms[i]));
      o.set(p + "cold_hvps", val(r.cold_hvps[i]));
      o.set(p + "warm_ms", val(r.warm_ms[i]));
      o.set(p + "warm_hvps", val(r.warm_hvps[i]));
    }
    return o;
  });
}

// The benchmark problems 'A' / 'B' as config objects, with their inner step counts.
val bench_problem(std::string which) {
  const char w = which == "A" ? 'A' : 'B';
  val o = val::object();
  o.set("config", from_json(eos::config_to_json(eos::bench_problem(w))));
  o.set("inner", val(eos::bench_inner(w)));
  return o;
}

}  // namespace

// Raw names start with "_eos"; post.js publishes the throwing wrappers
// (createRun, dumpProblem, validateConfig, bench, RunHandle#step/setLr/...).
EMSCRIPTEN_BINDINGS(eoslab) {
  using namespace emscripten;
  class_<RunHandle>("RunHandle")
      .function("_eosStep", &RunHandle::step)
      .function("_eosSetLr", &RunHandle::set_lr)
      .function("_eosSetBeta", &RunHandle::set_beta)
      .function("_eosSharpness", &RunHandle::sharpness)
      .function("_eosSetProgress", &RunHandle::set_progress)
      .function("info", &RunHandle::info)
      .function("params", &RunHandle::params)
      .function("changes", &RunHandle::changes)
      .function("config", &RunHandle::config);
  function("_eosCreateRun", &create_run);
  function("_eosDumpProblem", &dump_problem);
  function("_eosValidateConfig", &validate_config);
  function("_eosBench", &bench);
  function("benchProblem", &bench_problem);
  function("_eosLastError", &last_error);
  function("defaultConfig", &default_config);
  function("configFieldNames", &config_field_names);
  function("simdInUse", &simd_in_use);
  function("heapStats", &heap_stats);
}
