// One experiment's configuration, as plain values (strings, numbers), and the one
// place where it is validated. The CLI, the JSON loader and the WASM binding all
// fill a Config and call validate(); every message names the field and its range.
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

inline constexpr int kMaxEigs = 20;      // Lanczos top-k upper bound
inline constexpr int kMaxDepth = 6;      // hidden layers
inline constexpr int kMaxWidth = 512;    // units per hidden layer

enum class DatasetKind { Chebyshev, Moons, Circles, Spirals, Xor, Blobs, GaussianMixture, Teacher, Linear };
enum class Activation { Tanh, Relu, Elu, Gelu, Softplus, Sigmoid, Identity };
enum class InitKind { Pytorch, Normal };
enum class LossKind { Mse, Ce };
enum class OptKind { Gd, Polyak, Nesterov, Flow };
enum class Precision { Float32, Float64 };

struct Config {
  // --- data (wasm/src/data.cpp) ---
  std::string dataset = "chebyshev";  // chebyshev|moons|circles|spirals|xor|blobs|gaussian-mixture|teacher|linear
  int n = 20;                 // examples, 1..20000 (linear: n >= d)
  int degree = 3;             // chebyshev target T_degree, 0..30
  int d = 2;                  // input dimension of gaussian-mixture, teacher, linear (1..256); the 2-D sets and chebyshev ignore it
  int classes = 2;            // classes (blobs, spirals, gaussian-mixture: 2..20) / outputs (teacher, linear: 1..64)
  double noise = 0.1;         // input noise level, 0..10
  std::uint64_t data_seed = 0;
  // --- model ---
  std::vector<int> widths = {20};  // hidden widths, 1..6 layers, each 1..512
  std::string act = "tanh";        // tanh|relu|elu|gelu|softplus|sigmoid|identity
  bool bias = true;
  std::string init = "pytorch";    // pytorch|normal
  double init_scale = 1.0;         // normal: W ~ N(0, init_scale^2/fan_in); also scales pytorch bounds; (0, 100]
  std::string loss = "mse";        // mse|ce (ce needs a classification dataset)
  std::string precision = "float32";  // float32|float64
  // --- optimiser ---
  std::string opt = "gd";     // gd|polyak|nesterov|flow
  double lr = 0.2;            // (0, 1e4], finite
  double beta = 0.9;          // momentum, [0, 1)
  double flow_alpha = 0.5;    // flow: RK4 step = min(flow_alpha / sharpness, flow_max_step), (0, 10]
  double flow_max_step = 0.1; // (0, 1e3]
  std::uint64_t seed = 0;     // initial weights and Lanczos start vectors
  // --- measurement ---
  int steps = 1000;           // CLI only: steps to run, 0..10000000
  int eig_every = 10;         // compute top-k eigenvalues every this many steps (0 = never), 0..1000000
  int neigs = 1;              // k, 1..20
  double lanczos_tol = 1e-3;  // stop when ||Hv - lambda v|| <= tol*|lambda| for the top k, (0, 0.1]
  int lanczos_max_iter = 300; // HVPs per call at most, k+1..5000 (capped by the parameter count)
  double diverge_factor = 1e5;  // diverged when loss > diverge_factor * initial loss or non-finite, > 1
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
};

// Throws ConfigError naming the first invalid field and its allowed values/range.
Spec validate(const Config& c);

// Name <-> enum helpers (names are the Config strings above).
const char* name_of(DatasetKind k);
const char* name_of(Activation k);
const char* name_of(OptKind k);
const char* name_of(LossKind k);

// Checks used both by validate() and by run-time setters (Experiment::set_lr, ...).
void check_lr(double lr);      // throws ConfigError "lr must be > 0 and finite, ..."
void check_beta(double beta);  // throws ConfigError "beta must be in [0, 1), ..."

// Stability threshold on the sharpness for GD-type optimisers on a quadratic
// (paper Section 2 and Appendix on momentum): 2/lr, (2+2b)/lr, (2+2b)/((1+2b) lr);
// NaN for gradient flow, which has none.
double stability_threshold(OptKind opt, double lr, double beta);

}  // namespace eos
