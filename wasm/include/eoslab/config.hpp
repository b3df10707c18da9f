// One experiment's configuration, as plain values (strings, numbers), and the one
// place where it is validated. The fields' names, ranges, allowed names and docs
// are in the field table (fields.hpp); validate() checks them from there and adds
// the rules that tie several fields together. Every message names the field and
// its allowed range.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace eos {

// Thrown for any invalid configuration value; what() is a one-line, user-facing
// message such as "lr must be > 0 and finite, got -1".
struct ConfigError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Most top eigenvalues a record holds (the field table's bound on neigs): a
// compile-time size because StepRecord stores them inline.
inline constexpr int kMaxEigs = 20;

// validate() refuses a configuration whose estimated peak memory exceeds this:
// the WASM module may grow to 2 GiB, and the rest is left to the JS glue and slack.
inline constexpr std::int64_t kMemoryBudgetBytes = std::int64_t(3) << 29;  // 1.5 GiB

// The enums list their values in the order of the field table's allowed names
// (fields.cpp): name_of and validate map between them by position.
enum class DatasetKind { Chebyshev, Moons, Circles, Spirals, Xor, Blobs, GaussianMixture, Teacher, Linear };
enum class Activation { Tanh, Relu, Elu, Gelu, Softplus, Sigmoid, Identity };
enum class InitKind { Pytorch, Normal };
enum class LossKind { Mse, Ce };
enum class OptKind { Gd, Polyak, Nesterov, Flow, Adam, Rmsprop, Central };
enum class Precision { Float32, Float64 };

// Defaults are the member initialisers; ranges, allowed names and docs are in the
// field table (fields.cpp), which lists every member below.
struct Config {
  // --- data (wasm/src/data.cpp) ---
  std::string dataset = "chebyshev";
  int n = 20;
  int degree = 3;
  int d = 2;
  int classes = 2;
  double noise = 0.1;
  std::uint64_t data_seed = 0;
  int n_test = 0;  // held-out examples from the same generator (testset.hpp); 0 = none
  // --- model ---
  std::vector<int> widths = {20};
  std::string act = "tanh";
  bool bias = true;
  std::string init = "pytorch";
  double init_scale = 1.0;
  std::string loss = "mse";
  std::string precision = "float32";
  // --- optimiser ---
  std::string opt = "gd";
  double lr = 0.2;
  double beta = 0.9;
  double beta1 = 0.9;    // adam: first-moment decay (torch.optim.Adam betas[0])
  double beta2 = 0.999;  // adam: betas[1]; rmsprop: alpha (torch.optim.RMSprop's default is 0.99)
  double eps = 1e-8;     // adam, rmsprop: added to sqrt(v) outside the square root
  std::string lr_schedule;  // "STEP:LR[,STEP:LR...]", LR absolute or "x<factor>"; see parse_lr_schedule
  int batch = 0;  // mini-batch size of the update (0 = full batch); the records stay full-batch
  double flow_alpha = 0.5;
  double flow_max_step = 0.1;
  int central_substeps = 4;  // Euler substeps of the central flow per GD step (opt central)
  std::uint64_t seed = 0;
  // --- measurement ---
  int eig_every = 10;
  int neigs = 1;
  double lanczos_tol = 1e-3;
  int lanczos_max_iter = 300;
  double diverge_factor = 1e5;
  bool valley = false;  // record u_proj per step and keep the last iterates for the valley view
};

// One entry of an lr schedule: from step `step` on, lr = value (absolute) or
// lr = value * (the lr in force) when `factor`.
struct ScheduleEntry {
  std::int64_t step = 0;
  double value = 0;
  bool factor = false;
};

// The validated configuration: enums instead of names, every range checked.
struct Spec {
  Config cfg;  // the original values (kept for dumping and display)
  DatasetKind dataset;
  Activation act;
  InitKind init;
  LossKind loss;
  OptKind opt;
  Precision precision;
  bool classification;  // dataset has class labels (accuracy is reported)
  int d_in;             // input dimension implied by the dataset
  int d_out;            // output dimension implied by the dataset
  std::vector<ScheduleEntry> lr_schedule;  // cfg.lr_schedule, parsed
};

// Throws ConfigError naming the first invalid field and its allowed values/range,
// or (for a configuration too large for the memory budget) the estimate and the
// fields to shrink.
Spec validate(const Config& c);

// Parses Config::lr_schedule: "" (none) or STEP:LR[,STEP:LR...] with strictly
// increasing integer steps >= 1, LR a step size ("500:0.1") or a factor of the step
// size in force ("500:x0.5"). Throws ConfigError naming lr_schedule. Does not check
// the resulting step sizes (validate does, from cfg.lr).
std::vector<ScheduleEntry> parse_lr_schedule(const std::string& text);

// Peak memory of a run of this validated configuration, in bytes: the dataset, the
// activations and their derivatives for all n examples at every layer (forward,
// backward and Hessian-vector-product caches), the parameters and optimiser state,
// and the Lanczos basis (lanczos_basis_size vectors). An estimate of the order of
// what the allocator holds, not a bound to the byte.
std::int64_t estimate_memory_bytes(const Spec& s);

// Name <-> enum helpers (names are the Config strings above).
const char* name_of(DatasetKind k);
const char* name_of(Activation k);
const char* name_of(OptKind k);
const char* name_of(LossKind k);

// Checks used both by validate() and by run-time setters (Experiment::set_lr, ...).
void check_lr(double lr);      // throws ConfigError "lr must be a number in <lr's range>, got ..."
void check_beta(double beta);  // throws ConfigError "beta must be a number in <beta's range>, got ..."
// A mini-batch size for this run (validate() and Experiment::set_batch): an integer
// in [0, n] (0 = full batch), and 0 for gradient flow, which has no mini-batch form.
void check_batch(const Spec& s, double batch);

// Stability threshold on the sharpness for GD-type optimisers on a quadratic
// (paper Section 2 and Appendix on momentum): 2/lr, (2+2b)/lr, (2+2b)/((1+2b) lr);
// NaN for gradient flow, which has none; 2/lr for the central flow of GD. For the adaptive methods it is the
// threshold on the *preconditioned* sharpness (Cohen et al. 2022): rmsprop 2/lr,
// adam (2+2b)/((1-b) lr) with b = beta1 (38/lr at 0.9).
double stability_threshold(OptKind opt, double lr, double beta);

}  // namespace eos
