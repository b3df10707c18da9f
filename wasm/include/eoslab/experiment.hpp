// The experiment runner: a validated Config becomes a dataset, an MLP, an
// optimiser and a Lanczos sharpness monitor; step(n) advances it and appends one
// record per step. Type-erased over the scalar (float32 default, float64 for tests).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/data.hpp"

namespace eos {

enum class Status { Running, Diverged };

// One row per step. It holds the state *before* that step's update: the loss,
// accuracy and gradient norm at theta_t, and (every eig_every steps) the top-k
// Hessian eigenvalues at theta_t; lr/beta are those used for the update t -> t+1.
struct StepRecord {
  std::int64_t step = 0;
  double time = 0;        // sum of step sizes so far (lr per GD step, RK4 step for flow)
  double lr = 0;
  double beta = 0;
  double loss = 0;
  double accuracy = 0;    // NaN for regression datasets
  double grad_norm = 0;
  double threshold = 0;   // stability threshold on sharpness (NaN for flow)
  int neig = 0;           // number of valid entries in eig (0 on steps without eigenvalues)
  int hvps = 0;           // Hessian-vector products used for eig on this step
  std::array<double, kMaxEigs> eig{};  // descending
  // Held-out set (n_test > 0), at theta_t on the rows with eigenvalues (every eig_every
  // steps); NaN elsewhere, and test_accuracy NaN for regression.
  double test_loss = std::numeric_limits<double>::quiet_NaN(), test_accuracy = std::numeric_limits<double>::quiet_NaN();
  // The central flow (opt central) only: its prediction of GD's time-averaged loss,
  // L + 1/2 sigma^2 S, and sigma^2, the variance of GD's oscillation along the top
  // eigenvector (the mean over the step's substeps). NaN for other runs.
  double pred_loss = std::numeric_limits<double>::quiet_NaN(), sigma2 = std::numeric_limits<double>::quiet_NaN();
  // adam, rmsprop: eig holds the top eigenvalues of the preconditioned Hessian
  // P^-1/2 H P^-1/2 (P of this step), raw those of H itself (Cohen et al. 2022).
  int nraw = 0;
  std::array<double, kMaxEigs> raw{};
  // With cfg.valley: <theta_{t+1} - theta_t, u> for the latest top eigenvector u
  // (for adam/rmsprop in the P-metric: <P^1/2 (theta_{t+1} - theta_t), w>, w the
  // top eigenvector of P^-1/2 H P^-1/2). NaN without valley or before any eigenvector.
  double u_proj = std::numeric_limits<double>::quiet_NaN();
};

// The loss along the top eigendirection through the current parameters: L(theta + s d)
// for s in [-radius, radius], where d = u (the top Hessian eigenvector) for the GD
// family and d = P^-1/2 w (w the top eigenvector of P^-1/2 H P^-1/2) for adam and
// rmsprop, so that the slice's curvature at s = 0 is the recorded sharpness in both
// cases (Damian, Nichani, Lee 2023: at the edge GD bounces across this valley).
struct ValleySlice {
  std::int64_t step = 0;     // step_count() when sliced (parameters before that step's update)
  double eig = 0;            // top eigenvalue along d (preconditioned for adam/rmsprop)
  bool preconditioned = false;
  double radius = 0;
  double loss0 = 0;          // L(theta)
  std::vector<double> s, loss;            // the slice, s ascending
  std::vector<double> iter_s, iter_loss;  // the last few iterates' coordinates along d relative to theta
                                          // (oldest first, the current one last, s = 0) and their losses
  int hvps = 0;              // Hessian-vector products spent on the fresh eigenvector
};

struct HyperChange {      // a change of lr/beta, effective from step `step` on
  std::int64_t step;
  double lr_old, lr_new, beta_old, beta_new;
};

// A change of the optimiser's hyperparameters: lr set to `lr` (or multiplied by it
// when lr_factor), beta set to `beta`; an absent value is kept.
struct HyperUpdate {
  std::optional<double> lr;
  bool lr_factor = false;
  std::optional<double> beta;
};

struct SharpnessResult {
  std::vector<double> values;   // top-k, descending
  int hvps = 0;
  bool converged = false;
};

// Progress of a slow engine call, so that a page can say what is being computed.
struct Progress {
  const char* what;   // "eigs": after every Hessian-vector product of an eigenvalue computation;
                      // "step": once per step, after its record is appended
  std::int64_t step;  // the step being computed (its record's step)
  int k;              // "eigs": eigenvalues requested; "step": eigenvalues recorded on that step
  int hvps;           // "eigs": HVPs so far in this computation; "step": HVPs used on that step
};
using ProgressFn = std::function<void(const Progress&)>;

class Experiment {
 public:
  explicit Experiment(const Config& cfg);  // validates; throws ConfigError
  ~Experiment();
  Experiment(const Experiment&) = delete;
  Experiment& operator=(const Experiment&) = delete;

  // Advance up to n steps, appending one record per step to out (out is not
  // cleared). Stops early, with status() == Diverged, at the first step whose
  // loss is non-finite or exceeds diverge_factor * initial loss; that step's
  // record is appended and no update is made. Returns the number of records appended.
  int step(int n, std::vector<StepRecord>& out);

  // Schedules u for step `step` (>= step_count()): it takes effect when the run
  // reaches that step, before the step's record and update, however the run is
  // chunked into step() calls (at once when step == step_count()). Updates for the
  // same step apply in the order they were scheduled; each one that changes lr or
  // beta is appended to changes(). Throws ConfigError, scheduling nothing, for a
  // past step, an invalid value, or a factor that would take lr out of its range.
  // The config's lr_schedule is scheduled this way when the run is built.
  void schedule(std::int64_t step, const HyperUpdate& u);
  void set_lr(double lr);      // schedule(step_count(), {lr}): a live change
  void set_beta(double beta);  // schedule(step_count(), {beta})
  // The mini-batch size of the updates from the next step on (0 = full batch); the
  // sampler keeps its place in the current epoch. Throws ConfigError (check_batch).
  void set_batch(int batch);
  int batch() const;
  SharpnessResult sharpness(int k);  // top-k at the current parameters (does not step)
  // The valley slice at the current parameters (does not step, does not change the
  // run's results): a fresh top eigenpair (its own warm start), then `points` losses
  // (odd, >= 3) on [-radius, radius]; radius <= 0 picks a few times the last steps'
  // extent along d. The iterates are those kept since valley was turned on.
  ValleySlice valley(int points = 41, double radius = 0);
  // Turns the per-step u_proj column and the iterate history on or off (cfg.valley
  // at start): a view of the run, not part of its results.
  void set_valley(bool on);
  // Called synchronously from step() and sharpness() (see Progress); an empty
  // function removes it. Without one, the cost is a branch per HVP. fn must not
  // call set_progress itself.
  void set_progress(ProgressFn fn);
  // Threads that evaluate the loss, gradient and HVPs (the caller included), clamped to
  // [1, kMaxThreads]: a run-time option, not part of the config. Results are bit-identical
  // for any count (fixed example blocks added in a fixed order, pool.hpp). A new
  // experiment uses 1; threads() is the count actually running (fewer when the
  // platform refuses threads).
  void set_threads(int n);
  int threads() const;

  Status status() const;
  std::int64_t step_count() const;
  double time() const;
  double lr() const;
  double beta() const;
  double threshold() const;
  const Spec& spec() const;
  const Dataset& dataset() const;
  const std::vector<HyperChange>& changes() const;
  std::vector<double> params() const;          // flat parameter vector, as double
  Eigen::Index num_params() const;
  // The *initial* parameters as the run uses them (rounded to the run precision), for --dump-problem:
  // W[l] is (out, in), b[l] is (out) (empty when bias is off).
  struct Layer { Eigen::MatrixXd W; Eigen::VectorXd b; };
  std::vector<Layer> initial_layers() const;
  // The network's outputs f(x) at the current parameters on inputs X (d_in, m), as
  // (d_out, m), in the run's precision: evaluates the model, never steps or touches
  // the cached state the next step and HVPs use.
  Eigen::MatrixXd predict(const Eigen::MatrixXd& X) const;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace eos
