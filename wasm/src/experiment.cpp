// The experiment runner: dataset + MLP + optimiser + Lanczos sharpness every
// eig_every steps, one StepRecord per step, divergence as a status, and the
// schedule of lr/beta changes applied at step boundaries. Templated on the scalar behind a small virtual interface so float32
// (default, as the paper's code) and float64 share the code.
#include "eoslab/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include "eoslab/lanczos.hpp"
#include "eoslab/mlp.hpp"
#include "eoslab/optim.hpp"
#include "eoslab/pool.hpp"

namespace eos {

struct Experiment::Impl {
  virtual ~Impl() = default;
  virtual int step(int n, std::vector<StepRecord>& out) = 0;
  virtual SharpnessResult sharpness(int k) = 0;
  virtual std::vector<double> params() const = 0;
  virtual Eigen::Index num_params() const = 0;
  virtual std::vector<Layer> initial_layers() const = 0;
  virtual void use_pool(ThreadPool* p) = 0;

  Spec spec;
  Dataset data;
  double lr = 0, beta = 0, time = 0;
  std::int64_t t = 0;
  // time = time_anchor + (t - step_anchor) * lr for the GD family, re-anchored
  // at every lr change, so that it is an exact multiple rather than a drifting sum.
  double time_anchor = 0;
  std::int64_t step_anchor = 0;
  Status status = Status::Running;
  std::vector<HyperChange> changes;
  ProgressFn progress;  // empty: none
  std::unique_ptr<ThreadPool> pool;  // null: one thread
  // Scheduled updates not yet applied, by step (stable: same-step updates in order).
  std::vector<std::pair<std::int64_t, HyperUpdate>> pending;

  // Applies every pending update whose step has been reached.
  void apply_due() {
    std::size_t i = 0;
    for (; i < pending.size() && pending[i].first <= t; ++i) {
      const HyperUpdate& u = pending[i].second;
      const double new_lr = u.lr ? (u.lr_factor ? lr * *u.lr : *u.lr) : lr;
      const double new_beta = u.beta.value_or(beta);
      if (new_lr == lr && new_beta == beta) continue;
      changes.push_back({t, lr, new_lr, beta, new_beta});
      if (new_lr != lr) {  // time stays an exact multiple of lr from here on
        time_anchor = time;
        step_anchor = t;
      }
      lr = new_lr;
      beta = new_beta;
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(i));
  }
};

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <class T>
struct ImplT final : Experiment::Impl {
  using Vec = typename Mlp<T>::Vec;

  // The Hessian of the training loss at the cached point as a matrix-free
  // operator for Lanczos (lanczos.hpp): double in, scalar T inside, double out.
  // It reports progress ("eigs") after every product when a callback is set.
  struct HessianOp {
    Mlp<T>& m;
    const ProgressFn& progress;
    std::int64_t step = 0;
    int k = 0;
    int calls = 0;
    Vec vin, vout;
    Eigen::Index rows() const { return m.num_params(); }
    void apply(const Eigen::VectorXd& x, Eigen::VectorXd& y) {
      vin = x.template cast<T>();
      m.hvp(vin, vout);
      y = vout.template cast<double>();
      ++calls;
      if (progress) progress(Progress{"eigs", step, k, calls});
    }
  };

  ImplT(const Spec& s, Dataset d) : mlp(s, d) {
    spec = s;
    data = std::move(d);
    lr = s.cfg.lr;
    beta = s.cfg.beta;
    theta = mlp.init_params(s).template cast<T>();
    // The initial parameters as the run uses them (rounded to T), so that a
    // --dump-problem reproduces exactly this run in another implementation.
    theta0 = theta.template cast<double>();
    const auto P = mlp.num_params();
    grad.setZero(P);
    vel.setZero(P);
    if (s.opt == OptKind::Flow) {
      k2.resize(P); k3.resize(P); k4.resize(P); tmp.resize(P);
    }
  }

  // Gradient at theta (refreshing the cache used by the HVPs) unless it is current.
  double refresh() {
    if (!cache_valid) {
      cached_loss = mlp.loss_grad(theta, grad);
      cache_valid = true;
    }
    return cached_loss;
  }

  SharpnessResult sharpness(int k) override {
    refresh();
    return top_eigs(std::clamp(k, 1, kMaxEigs));
  }

  SharpnessResult top_eigs(int k) {
    HessianOp op{mlp, progress, t, k};
    LanczosOptions o;
    o.k = k;
    o.tol = spec.cfg.lanczos_tol;
    o.max_iter = int(std::min<Eigen::Index>(spec.cfg.lanczos_max_iter, mlp.num_params()));
    o.seed = spec.cfg.seed ^ (0x5EED0000ULL + std::uint64_t(t));
    const bool warm_ok = warm.cols() > 0 && warm.rows() == mlp.num_params();
    LanczosResult r = lanczos_top(op, o, warm_ok ? &warm : nullptr);
    warm = r.vectors;  // warm start for the next call (nearby parameters)
    SharpnessResult s;
    s.values = r.values;
    s.hvps = r.matvecs;
    s.converged = r.converged;
    if (!s.values.empty() && std::isfinite(s.values[0])) last_sharpness = s.values[0];
    return s;
  }

  int step(int n, std::vector<StepRecord>& out) override {
    int done = 0;
    const Config& c = spec.cfg;
    for (; done < n && status == Status::Running; ++done) {
      apply_due();
      const double loss = refresh();
      if (t == 0 && std::isnan(loss0)) loss0 = loss;
      StepRecord r;
      r.step = t;
      r.time = time;
      r.lr = lr;
      r.beta = beta;
      r.loss = loss;
      r.accuracy = mlp.accuracy();
      r.grad_norm = double(grad.norm());
      r.threshold = stability_threshold(spec.opt, lr, beta);
      // Diverged: non-finite, or exploded relative to the initial loss. A result, not an error.
      if (!std::isfinite(loss) || loss > c.diverge_factor * std::max(loss0, 1e-30) || !std::isfinite(r.grad_norm)) {
        status = Status::Diverged;
        out.push_back(r);
        if (progress) progress(Progress{"step", r.step, r.neig, r.hvps});
        ++done;
        break;
      }
      // Sharpness is measured before this step's update, as in the reference code.
      if (c.eig_every > 0 && t % c.eig_every == 0) {
        SharpnessResult s = top_eigs(c.neigs);
        r.neig = int(s.values.size());
        r.hvps = s.hvps;
        for (int i = 0; i < r.neig; ++i) r.eig[i] = s.values[i];
      }
      switch (spec.opt) {
        case OptKind::Gd: optim::gd(theta, grad, lr); break;
        case OptKind::Polyak: optim::polyak(theta, vel, grad, lr, beta); break;
        case OptKind::Nesterov: optim::nesterov(theta, vel, grad, lr, beta); break;
        case OptKind::Flow: {
          // Gradient flow by RK4 with step min(alpha/sharpness, max_step), the way Cohen et
          // al. (2021) integrate it;
          // the sharpness is refreshed at least every 10 steps for the step size.
          const int every = c.eig_every > 0 ? std::min(c.eig_every, 10) : 10;
          if (r.neig > 0) {
            last_sharp_step = t;
          } else if (std::isnan(last_sharpness) || t - last_sharp_step >= every) {
            top_eigs(1);
            last_sharp_step = t;
          }
          const double h = std::min(c.flow_alpha / std::max(last_sharpness, 1e-12), c.flow_max_step);
          r.lr = h;
          auto g = [this](const Vec& x, Vec& gout) { mlp.loss_grad(x, gout); };
          optim::rk4(theta, grad, h, g, k2, k3, k4, tmp);
          time += h;
          break;
        }
      }
      cache_valid = false;
      ++t;
      if (spec.opt != OptKind::Flow) time = time_anchor + double(t - step_anchor) * lr;
      apply_due();  // so that lr()/beta() between calls are those of the next step
      out.push_back(r);
      if (progress) progress(Progress{"step", r.step, r.neig, r.hvps});
    }
    return done;
  }

  std::vector<double> params() const override {
    std::vector<double> p(std::size_t(theta.size()));
    for (Eigen::Index i = 0; i < theta.size(); ++i) p[std::size_t(i)] = double(theta[i]);
    return p;
  }
  Eigen::Index num_params() const override { return mlp.num_params(); }
  void use_pool(ThreadPool* p) override { mlp.set_pool(p); }

  std::vector<Experiment::Layer> initial_layers() const override {
    std::vector<Experiment::Layer> out;
    const auto& sz = mlp.sizes();
    for (int l = 0; l < mlp.layers(); ++l) {
      Experiment::Layer L;
      L.W = Eigen::Map<const Eigen::MatrixXd>(theta0.data() + mlp.w_offset(l), sz[l + 1], sz[l]);  // (out, in)
      if (spec.cfg.bias) L.b = Eigen::Map<const Eigen::VectorXd>(theta0.data() + mlp.b_offset(l), sz[l + 1]);
      out.push_back(std::move(L));
    }
    return out;
  }

  Mlp<T> mlp;
  Eigen::VectorXd theta0;  // initial parameters as used (rounded to T), in double
  Vec theta, grad, vel, k2, k3, k4, tmp;
  Eigen::MatrixXd warm;  // (P, k) last top eigenvectors
  bool cache_valid = false;
  double cached_loss = 0, loss0 = kNaN, last_sharpness = kNaN;
  std::int64_t last_sharp_step = 0;
};

}  // namespace

Experiment::Experiment(const Config& cfg) {
  Spec s = validate(cfg);
  Dataset d = make_dataset(s);
  if (s.precision == Precision::Float64)
    impl_ = std::make_unique<ImplT<double>>(s, std::move(d));
  else
    impl_ = std::make_unique<ImplT<float>>(s, std::move(d));
  for (const ScheduleEntry& e : impl_->spec.lr_schedule) {
    HyperUpdate u;
    u.lr = e.value;
    u.lr_factor = e.factor;
    schedule(e.step, u);
  }
}

Experiment::~Experiment() = default;

int Experiment::step(int n, std::vector<StepRecord>& out) { return n > 0 ? impl_->step(n, out) : 0; }

void Experiment::schedule(std::int64_t step, const HyperUpdate& u) {
  Impl& m = *impl_;
  if (step < m.t)
    throw ConfigError("a schedule step must be >= the current step " + std::to_string(m.t) + ", got " +
                      std::to_string(step));
  if (u.lr && u.lr_factor && !(std::isfinite(*u.lr) && *u.lr > 0)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", *u.lr);
    throw ConfigError(std::string("an lr factor must be a number > 0, got ") + buf);
  }
  if (u.lr && !u.lr_factor) check_lr(*u.lr);
  if (u.beta) check_beta(*u.beta);
  auto at = m.pending.begin();
  while (at != m.pending.end() && at->first <= step) ++at;
  // Every lr the pending updates reach, this one included, must be valid.
  std::vector<std::pair<std::int64_t, HyperUpdate>> next(m.pending.begin(), at);
  next.emplace_back(step, u);
  next.insert(next.end(), at, m.pending.end());
  double lr = m.lr;
  for (const auto& [s, v] : next) {
    if (!v.lr) continue;
    lr = v.lr_factor ? lr * *v.lr : *v.lr;
    try {
      check_lr(lr);
    } catch (const ConfigError& e) {
      throw ConfigError("the lr change at step " + std::to_string(s) + " is refused: " + e.what());
    }
  }
  m.pending = std::move(next);
  m.apply_due();
}

void Experiment::set_lr(double lr) {
  HyperUpdate u;
  u.lr = lr;
  schedule(impl_->t, u);
}

void Experiment::set_beta(double beta) {
  HyperUpdate u;
  u.beta = beta;
  schedule(impl_->t, u);
}

SharpnessResult Experiment::sharpness(int k) { return impl_->sharpness(k); }
void Experiment::set_progress(ProgressFn fn) { impl_->progress = std::move(fn); }
void Experiment::set_threads(int n) {
  n = std::clamp(n, 1, kMaxThreads);
  if (n == threads()) return;
  impl_->use_pool(nullptr);
  impl_->pool.reset();
  if (n > 1) {
    impl_->pool = std::make_unique<ThreadPool>(n);
    impl_->use_pool(impl_->pool.get());
  }
}
int Experiment::threads() const { return impl_->pool ? impl_->pool->size() : 1; }
Status Experiment::status() const { return impl_->status; }
std::int64_t Experiment::step_count() const { return impl_->t; }
double Experiment::time() const { return impl_->time; }
double Experiment::lr() const { return impl_->lr; }
double Experiment::beta() const { return impl_->beta; }
double Experiment::threshold() const { return stability_threshold(impl_->spec.opt, impl_->lr, impl_->beta); }
const Spec& Experiment::spec() const { return impl_->spec; }
const Dataset& Experiment::dataset() const { return impl_->data; }
const std::vector<HyperChange>& Experiment::changes() const { return impl_->changes; }
std::vector<double> Experiment::params() const { return impl_->params(); }
Eigen::Index Experiment::num_params() const { return impl_->num_params(); }
std::vector<Experiment::Layer> Experiment::initial_layers() const { return impl_->initial_layers(); }

}  // namespace eos
