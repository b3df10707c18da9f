// The WebAssembly face of the EoS Lab engine: the ONLY C++ file that includes
// Emscripten. A config crosses the boundary as a JSON string, read by the same
// table-driven code as `eos-run --config` (eoslab/fields.hpp), so no field is
// named here; it runs an eos::Experiment and hands results back as plain JS
// objects and typed-array COPIES (never views into the wasm heap, which detach
// when memory grows).
//
// Errors. No C++ exception and no JS exception ever crosses a wasm frame here.
// Measured on em++ 3.1.6: a JS `throw` (val::throw_, EM_JS) or an escaping C++
// exception unwinds through wasm without restoring __stack_pointer or running
// destructors, so every failed call leaked shadow stack (16 B per throw in a
// probe) and heap (the message string). Instead every fallible entry point
// catches std::exception, stores e.what() in g_last_error and returns a
// sentinel (null / false); wasm/bindings/post.js wraps these raw functions so
// that JS callers get a real `Error` carrying the engine's own message, e.g.
//   "<field> must be a number in <its range>, got -1"
//   "<field> must be an integer in <its range>, got 1e+20"
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
#include "eoslab/gemm.hpp"
#include "eoslab/config.hpp"
#include "eoslab/data.hpp"
#include "eoslab/eigen.hpp"
#include "eoslab/experiment.hpp"
#include "eoslab/fields.hpp"
#include "eoslab/fit.hpp"
#include "eoslab/json.hpp"
#include "eoslab/mlp.hpp"
#include "eoslab/pool.hpp"
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

// ------------------------------------------------------------ config JSON

// The config JSON text ("" = all defaults) -> Config; a malformed text, an unknown
// key, a wrong type or an out-of-range value is an error naming the field and its
// range. Cross-field rules are checked later by eos::validate / Experiment.
eos::Config config_from_text(const std::string& text) {
  if (text.empty()) return eos::Config{};
  return eos::config_from_json(eos::parse_json(text));
}

// A JSON value as a plain JS value (numbers as JS numbers: the seeds' range,
// [0, 2^53 - 1], keeps them exact).
val from_json(const eos::Json& j) {
  if (j.is_null()) return val::null();
  if (j.is_boolean()) return val(j.get<bool>());
  if (j.is_number()) return val(j.get<double>());
  if (j.is_string()) return val(j.get<std::string>());
  if (j.is_array()) {
    val a = val::array();
    unsigned i = 0;
    for (const eos::Json& x : j) a.set(i++, from_json(x));
    return a;
  }
  val o = val::object();
  for (const auto& [k, v] : j.items()) o.set(k, from_json(v));
  return o;
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
  // The mini-batch size from the next step on (0 = full batch); an integer in [0, n].
  bool set_batch(double batch) {
    return guarded(false, [&] {
      eos::check_batch(exp_.spec(), batch);  // before the int conversion: any double is named in the message
      exp_.set_batch(int(batch));
      return true;
    });
  }

  // Threads for the example blocks (a run-time option, never part of the config:
  // results are bit-identical for any count). The single-threaded module stays at 1;
  // the threaded one at most at its pthread pool + 1. Returns the count in use.
  int set_threads(double n) {
    return guarded(-1, [&] {
      if (!(n >= 1 && n <= eos::kMaxThreads && n == std::floor(n)))
        throw eos::ConfigError("threads must be an integer in [1, " + std::to_string(eos::kMaxThreads) + "], got " +
                               eos::json_number(n));
      exp_.set_threads(int(n));
      return exp_.threads();
    });
  }
  int threads() const { return exp_.threads(); }

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

  // The valley view at the current parameters (eos::ValleySlice): {step, eig,
  // preconditioned, radius, loss0, s, loss, iterS, iterLoss, hvps}; does not step.
  val valley(double points_js) {
    return guarded(val::null(), [&] {
      if (!(points_js >= 3 && points_js <= 401 && points_js == std::floor(points_js)))
        throw eos::ConfigError("valley points must be an integer in [3, 401], got " + eos::json_number(points_js));
      const eos::ValleySlice v = exp_.valley(int(points_js));
      val o = val::object();
      o.set("step", val(double(v.step)));
      o.set("eig", val(v.eig));
      o.set("preconditioned", val(v.preconditioned));
      o.set("radius", val(v.radius));
      o.set("loss0", val(v.loss0));
      o.set("s", f64(v.s));
      o.set("loss", f64(v.loss));
      o.set("iterS", f64(v.iter_s));
      o.set("iterLoss", f64(v.iter_loss));
      o.set("hvps", val(v.hvps));
      return o;
    });
  }

  bool set_valley(bool on) {
    return guarded(false, [&] { exp_.set_valley(on); return true; });
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
    o.set("batch", val(exp_.batch()));
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

  // The training set and how the page draws it (eoslab/fit.hpp), once per run, copies:
  // {kind: 'curve'|'grid'|'projection', dIn, dOut, n, classification, X (n*dIn, example
  // by example), Y (n*dOut), labels (Int32Array n, empty for regression), points (n*2: each
  // example as drawn), nx, ny, x0, x1, y0, y1, target (Float64Array nx: T_k on the curve of
  // chebyshev, else empty), axes (dIn*2 row-major: the principal directions, projection only)}.
  val dataset() {
    return guarded(val::null(), [&] {
      const eos::FitView& v = view();
      const eos::Dataset& ds = exp_.dataset();
      const std::size_t n = std::size_t(ds.X.cols());
      val o = val::object();
      o.set("kind", val(std::string(eos::name_of(v.kind))));
      o.set("dIn", val(double(ds.X.rows())));
      o.set("dOut", val(double(ds.Y.rows())));
      o.set("n", val(double(n)));
      o.set("classification", val(ds.classification));
      o.set("X", copy_array("Float64Array", ds.X.data(), std::size_t(ds.X.size())));  // column-major (d, n): example-major
      o.set("Y", copy_array("Float64Array", ds.Y.data(), std::size_t(ds.Y.size())));
      o.set("labels", copy_array("Int32Array", ds.labels.data(), ds.labels.size()));
      o.set("points", copy_array("Float64Array", v.points.data(), std::size_t(v.points.size())));
      o.set("nx", val(v.nx));
      o.set("ny", val(v.ny));
      o.set("x0", val(v.x0));
      o.set("x1", val(v.x1));
      o.set("y0", val(v.y0));
      o.set("y1", val(v.y1));
      o.set("target", f64(v.target));
      const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> axes = v.axes;
      o.set("axes", copy_array("Float64Array", axes.data(), std::size_t(axes.size())));
      return o;
    });
  }

  // The model at the current parameters on the view's points, without stepping:
  // {step, kind, cells, dOut, values: Float32Array cells*dOut, cell by cell}. cells = nx
  // (curve), nx*ny (grid, row 0 at the top), n (projection: the training examples).
  val fit() {
    return guarded(val::null(), [&] {
      const eos::FitView& v = view();
      const Eigen::MatrixXf f = exp_.predict(v.inputs).cast<float>();  // (d_out, cells), column-major
      val o = val::object();
      o.set("step", val(double(exp_.step_count())));
      o.set("kind", val(std::string(eos::name_of(v.kind))));
      o.set("cells", val(double(f.cols())));
      o.set("dOut", val(double(f.rows())));
      o.set("values", copy_array("Float32Array", f.data(), std::size_t(f.size())));
      return o;
    });
  }

 private:
  val chunk() const {
    const std::size_t rows = recs_.size(), k = std::size_t(k_);
    std::vector<double> step(rows), time(rows), lr(rows), beta(rows), loss(rows), acc(rows), gn(rows), thr(rows);
    std::vector<std::int32_t> neig(rows), hvps(rows);
    std::vector<double> eigs(rows * k, kNaN);
    std::vector<double> pred_loss(rows), sigma2(rows);  // the central flow's (NaN for other runs)
    std::vector<double> raw(rows * k, kNaN), u_proj(rows, kNaN);
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
      pred_loss[i] = r.pred_loss;
      sigma2[i] = r.sigma2;
      for (std::size_t j = 0; j < std::min<std::size_t>(std::size_t(r.nraw), k); ++j) raw[i * k + j] = r.raw[j];
      u_proj[i] = r.u_proj;
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
    if (exp_.spec().cfg.n_test > 0) {  // the held-out columns, NaN on rows without an evaluation
      std::vector<double> tl(rows), ta(rows);
      for (std::size_t i = 0; i < rows; ++i) {
        tl[i] = recs_[i].test_loss;
        ta[i] = recs_[i].test_accuracy;
      }
      o.set("test_loss", f64(tl));
      o.set("test_accuracy", f64(ta));
    }
    o.set("pred_loss", f64(pred_loss));
    o.set("sigma2", f64(sigma2));
    // Adam/RMSProp: "eigs" are the preconditioned sharpness and "raw" the Hessian's (NaN otherwise).
    o.set("raw", f64(raw));
    o.set("u_proj", f64(u_proj));
    return o;
  }

  // The fit view, made on first use (a grid of 4,096 points, or a PCA of the data).
  const eos::FitView& view() {
    if (!view_) view_ = std::make_unique<eos::FitView>(eos::make_fit_view(exp_.spec(), exp_.dataset()));
    return *view_;
  }

  eos::Experiment exp_;
  int k_;
  std::unique_ptr<eos::FitView> view_;
  std::vector<eos::StepRecord> recs_;
  val progress_ = val::undefined();  // the JS progress callback, or undefined
};

// Raw factory: nullptr (JS null) on error, message in g_last_error.
std::unique_ptr<RunHandle> create_run(std::string config_json) {
  return guarded(std::unique_ptr<RunHandle>(),
                 [&] { return std::make_unique<RunHandle>(config_from_text(config_json)); });
}

// ------------------------------------------------------------ free functions

// The dataset and initial weights, for the bit-for-bit comparison with
// `eos-run --dump-problem`: X (n, d_in), Y (n, d_out), layers [{W (out, in), b}].
val dump_problem(std::string config_json) {
  return guarded(val::null(), [&] {
    const eos::Experiment e(config_from_text(config_json));
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

// "" when the config is valid (every field and every cross-field rule, the memory
// budget included), else the engine's message: what the page shows before a run.
std::string validate_config(std::string config_json) {
  try {
    eos::validate(config_from_text(config_json));
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

// The full config (defaults filled in) as a JSON string; null when invalid.
val normalize_config(std::string config_json) {
  return guarded(val::null(), [&] {
    return val(eos::config_to_json(eos::validate(config_from_text(config_json)).cfg).dump());
  });
}

// The field table as JSON text (eos-run --schema prints the same document).
std::string config_schema() { return eos::config_schema().dump(); }

std::string last_error() { return g_last_error; }

// Which Eigen packet paths are compiled in: "SSE, SSE2, ..." for the SIMD module
// (Eigen's SSE code translated to wasm SIMD), "None" for the scalar one.
std::string simd_in_use() { return Eigen::SimdInstructionSetsInUse(); }

// The float products' kernel (eoslab/gemm.hpp): "own" or "eigen". setGemm switches it
// for the whole module (the benchmark compares the two); it returns the one now in use.
std::string gemm_in_use() { return eos::use_own_gemm() ? "own" : "eigen"; }
std::string set_gemm(std::string which) {
  if (which == "own" || which == "eigen") eos::set_own_gemm(which == "own");
  return gemm_in_use();
}

// How long the thread pool's waiters poll before they block, µs (eoslab/pool.hpp);
// setPoolSpin changes it for the whole module (the benchmark compares) and returns it.
int pool_spin() { return eos::ThreadPool::spin_micros(); }
int set_pool_spin(int us) {
  eos::ThreadPool::set_spin_micros(us);
  return pool_spin();
}

// True in the pthreads build (compiled with -pthread), false in the single-threaded one.
bool threaded() {
#if defined(__EMSCRIPTEN_PTHREADS__)
  return true;
#else
  return false;
#endif
}

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
val bench(std::string config_json, int inner, int threads, bool eigs) {
  return guarded(val::null(), [&] {
    if (inner < 1) throw eos::ConfigError("inner must be >= 1");
    if (threads < 1 || threads > eos::kMaxThreads) throw eos::ConfigError("threads must be in [1, 64]");
    const eos::BenchResult r = eos::bench_config(config_from_text(config_json), inner, threads, eigs);
    val o = val::object();
    o.set("params", val(double(r.params)));
    o.set("threads", val(r.threads));
    o.set("step_ms", val(r.step_ms));
    o.set("hvp_ms", val(r.hvp_ms));
    o.set("pool_run_us", val(r.pool_run_us));
    o.set("pool_wake_us", val(r.pool_wake_us));
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

// The benchmark problems 'A' / 'B' as config JSON strings, with their inner step counts.
val bench_problem(std::string which) {
  const char w = which == "A" ? 'A' : 'B';
  val o = val::object();
  o.set("config", val(eos::config_to_json(eos::bench_problem(w)).dump()));
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
      .function("_eosSetBatch", &RunHandle::set_batch)
      .function("_eosSharpness", &RunHandle::sharpness)
      .function("_eosValley", &RunHandle::valley)
      .function("_eosSetValley", &RunHandle::set_valley)
      .function("_eosSetProgress", &RunHandle::set_progress)
      .function("_eosSetThreads", &RunHandle::set_threads)
      .function("threads", &RunHandle::threads)
      .function("info", &RunHandle::info)
      .function("params", &RunHandle::params)
      .function("changes", &RunHandle::changes)
      .function("config", &RunHandle::config)
      .function("_eosDataset", &RunHandle::dataset)
      .function("_eosFit", &RunHandle::fit);
  function("_eosCreateRun", &create_run);
  function("_eosDumpProblem", &dump_problem);
  function("_eosValidateConfig", &validate_config);
  function("_eosNormalizeConfig", &normalize_config);
  function("configSchema", &config_schema);
  function("_eosBench", &bench);
  function("benchProblem", &bench_problem);
  function("_eosLastError", &last_error);
  function("simdInUse", &simd_in_use);
  function("gemmInUse", &gemm_in_use);
  function("setGemm", &set_gemm);
  function("poolSpin", &pool_spin);
  function("setPoolSpin", &set_pool_spin);
  function("threaded", &threaded);
  function("heapStats", &heap_stats);
}
