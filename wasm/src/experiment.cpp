// The experiment runner: dataset + MLP + optimiser + Lanczos sharpness every
// eig_every steps, one StepRecord per step, divergence as a status, and the
// schedule of lr/beta changes applied at step boundaries. Templated on the scalar behind a small virtual interface so float32
// (default, as the paper's code) and float64 share the code. Adam and RMSProp
// record the preconditioned sharpness (Cohen et al. 2022) beside the raw one, and
// the valley view slices the loss along the top eigendirection (Damian et al. 2023).
// (Over 400 lines: the step loop and the views of its state belong together.)
#include "eoslab/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "eoslab/central.hpp"
#include "eoslab/lanczos.hpp"
#include "eoslab/mlp.hpp"
#include "eoslab/optim.hpp"
#include "eoslab/rng.hpp"
#include "eoslab/testset.hpp"
#include "eoslab/pool.hpp"

namespace eos {

struct Experiment::Impl {
  virtual ~Impl() = default;
  virtual int step(int n, std::vector<StepRecord>& out) = 0;
  virtual SharpnessResult sharpness(int k) = 0;
  virtual ValleySlice valley(int points, double radius) = 0;
  virtual void set_valley(bool on) = 0;
  virtual std::vector<double> params() const = 0;
  virtual Eigen::Index num_params() const = 0;
  virtual std::vector<Layer> initial_layers() const = 0;
  virtual Eigen::MatrixXd predict(const Eigen::MatrixXd& X) const = 0;
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
  int batch = 0;  // mini-batch size of the updates (0 = full batch)
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
// Tag of the mini-batch shuffling stream, kept apart from the init and Lanczos streams of the same seed.
constexpr std::uint64_t kShuffleTag = std::uint64_t(0xBA7C) << 48;

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
    Vec vin{}, vout{};
    // Adam/RMSProp: D = P^-1/2, and the operator is D H D (Cohen et al. 2022), whose
    // spectrum is that of P^-1 H. nullptr: H itself.
    const Eigen::VectorXd* scale = nullptr;
    Eigen::Index rows() const { return m.num_params(); }
    void apply(const Eigen::VectorXd& x, Eigen::VectorXd& y) {
      if (scale) vin = scale->cwiseProduct(x).template cast<T>();
      else vin = x.template cast<T>();
      m.hvp(vin, vout);
      y = vout.template cast<double>();
      if (scale) y.array() *= scale->array();
      ++calls;
      if (progress) progress(Progress{"eigs", step, k, calls});
    }
  };

  ImplT(const Spec& s, Dataset d) : mlp(s, d), shuffle(s.cfg.seed ^ kShuffleTag), test_data(make_test_set(s)) {
    spec = s;
    data = std::move(d);
    lr = s.cfg.lr;
    beta = s.cfg.beta;
    batch = s.cfg.batch;
    if (s.cfg.n_test > 0) test_mlp = std::make_unique<Mlp<T>>(s, test_data);
    // Adam's live "beta" is beta1: the threshold (2+2b)/((1-b) lr) and the live β control act on it.
    if (s.opt == OptKind::Adam) beta = s.cfg.beta1;
    valley_on = s.cfg.valley;
    theta = mlp.init_params(s).template cast<T>();
    // The central flow runs in float64 (T = double) from the same rounded start as
    // the float32 GD run it predicts.
    if (s.opt == OptKind::Central && s.precision == Precision::Float32)
      theta = mlp.init_params(s).template cast<float>().template cast<T>();
    // The initial parameters as the run uses them (rounded to T), so that a
    // --dump-problem reproduces exactly this run in another implementation.
    theta0 = theta.template cast<double>();
    const auto P = mlp.num_params();
    grad.setZero(P);
    vel.setZero(P);
    if (s.opt == OptKind::Flow) {
      k2.resize(P); k3.resize(P); k4.resize(P); tmp.resize(P);
    }
    if (s.opt == OptKind::Central) {
      gs.resize(P); hu.resize(P); unext.resize(P); tmp.resize(P); k2.resize(P);
    }
    if (adaptive()) {
      m1.setZero(P);
      v2.setZero(P);
      den.setOnes(P);
    }
  }

  bool adaptive() const { return spec.opt == OptKind::Adam || spec.opt == OptKind::Rmsprop; }

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
    return top_eigs(std::clamp(k, 1, kMaxEigs), nullptr, adaptive() ? &warm_raw : nullptr);
  }

  // The gradient the update follows: the full-batch one, or for batch in [1, n) the
  // mean gradient over the next mini-batch (SGD). Epoch by epoch, the examples are
  // taken in the order of a fresh permutation (Fisher-Yates on 0..n-1, drawn from the
  // seeded shuffling stream at the epoch's first step), `batch` at a time; the last
  // batch of an epoch holds the n mod batch examples left when batch does not divide
  // n (kept, not dropped, as PyTorch's DataLoader does by default). A live change of
  // batch takes the next examples of the same permutation. The mini-batch gradient
  // comes from a second MLP over the batch's examples, at the same theta.
  const Vec& update_gradient() {
    const int n = int(data.X.cols());
    if (batch <= 0 || batch >= n) return grad;
    if (pos >= perm.size()) {
      perm.resize(std::size_t(n));
      std::iota(perm.begin(), perm.end(), 0);
      for (std::size_t i = perm.size() - 1; i > 0; --i) std::swap(perm[i], perm[shuffle.below(i + 1)]);
      pos = 0;
    }
    const std::size_t take = std::min(std::size_t(batch), perm.size() - pos);
    // One network per batch size (the full batches and the epoch's short last one),
    // built once and loaded with each step's columns.
    std::unique_ptr<Mlp<T>>& m = take == std::size_t(batch) ? batch_mlp : short_mlp;
    if (!m || m->num_examples() != Eigen::Index(take)) {
      Dataset b;
      b.classification = data.classification;
      b.X.setZero(data.X.rows(), Eigen::Index(take));
      b.Y.setZero(data.Y.rows(), Eigen::Index(take));
      if (data.classification) b.labels.assign(take, 0);
      m = std::make_unique<Mlp<T>>(spec, b);
    }
    m->load_columns(data, perm.data() + pos);
    pos += take;
    m->loss_grad(theta, bgrad);
    return bgrad;
  }


  // ---- the valley view (Damian, Nichani, Lee 2023) ----
  // Keeps the step's direction d = D w (D = P^-1/2, or 1) and its dual D^-1 w, which
  // gives a point's coordinate along d: <D^-1 w, theta' - theta> = s when theta' = theta + s d
  // (|w| = 1). The sign is kept continuous from one eigenvector to the next.
  std::pair<Eigen::VectorXd, Eigen::VectorXd> oriented(const Eigen::VectorXd& w, const Eigen::VectorXd* scale) const {
    Eigen::VectorXd d = scale ? Eigen::VectorXd(scale->cwiseProduct(w)) : w;
    Eigen::VectorXd dual = scale ? Eigen::VectorXd(w.cwiseQuotient(*scale)) : w;
    if (dir_dual.size() == dual.size() && dir_dual.dot(d) < 0) {
      d = -d;
      dual = -dual;
    }
    return {std::move(d), std::move(dual)};
  }

  void note_direction(const Eigen::VectorXd& w, const Eigen::VectorXd* scale) {
    std::tie(dir, dir_dual) = oriented(w, scale);
  }

  // Adam/RMSProp: this step's moments m, v and preconditioner diagonal dn (torch.optim
  // conventions, optim.hpp) from the gradient at theta_t; returns D = P^-1/2 in double.
  Eigen::VectorXd step_moments(Vec& m, Vec& v, Vec& dn) const {
    const Config& c = spec.cfg;
    if (spec.opt == OptKind::Adam) optim::adam_moments(m, v, dn, grad, beta, c.beta2, c.eps, t + 1);
    else optim::rmsprop_moments(v, dn, grad, c.beta2, c.eps);
    return dn.template cast<double>().cwiseSqrt().cwiseInverse();
  }

  void record_valley_step(StepRecord& r, double loss) {
    if (dir_dual.size() == theta.size()) r.u_proj = dir_dual.dot((theta - prev_theta).template cast<double>());
    last_u_proj = r.u_proj;
    history.emplace_back(prev_theta, loss);
    if (history.size() > kHistory) history.erase(history.begin());
  }

  ValleySlice valley(int points, double radius) override {
    ValleySlice v;
    v.step = t;
    v.preconditioned = adaptive();
    v.loss0 = refresh();
    // The preconditioner the next step would use, computed on copies (the run is untouched).
    Eigen::VectorXd scale;
    if (adaptive()) {
      Vec m = m1, v_ = v2, dn = den;
      scale = step_moments(m, v_, dn);
    }
    const ProgressFn none;  // the slice is a view: no progress reports
    HessianOp op{mlp, none, t, 1};
    op.scale = adaptive() ? &scale : nullptr;
    LanczosOptions o;
    o.k = 1;
    o.tol = std::min(spec.cfg.lanczos_tol, 1e-4);
    o.max_iter = int(std::min<Eigen::Index>(std::max(spec.cfg.lanczos_max_iter, 300), mlp.num_params()));
    o.seed = spec.cfg.seed ^ (0xA11E70000ULL + std::uint64_t(t));
    if (!(valley_warm.cols() > 0 && valley_warm.rows() == mlp.num_params()) && warm.cols() > 0 &&
        warm.rows() == mlp.num_params())
      valley_warm = warm.leftCols(1);
    const bool warm_ok = valley_warm.cols() > 0 && valley_warm.rows() == mlp.num_params();
    LanczosResult lr_ = lanczos_top(op, o, warm_ok ? &valley_warm : nullptr);
    valley_warm = lr_.vectors;
    v.hvps = lr_.matvecs;
    v.eig = lr_.values.empty() ? kNaN : lr_.values[0];
    if (lr_.vectors.cols() == 0) return v;
    const auto [d, dual] = oriented(lr_.vectors.col(0), adaptive() ? &scale : nullptr);
    const Eigen::VectorXd th = theta.template cast<double>();
    double extent = 0;
    for (const auto& [x, l] : history) {
      const double sj = dual.dot(x.template cast<double>() - th);
      v.iter_s.push_back(sj);
      v.iter_loss.push_back(l);
      extent = std::max(extent, std::fabs(sj));
    }
    v.iter_s.push_back(0);
    v.iter_loss.push_back(v.loss0);
    if (!(radius > 0)) {
      radius = 1.5 * extent;
      if (std::isfinite(last_u_proj)) radius = std::max(radius, 3 * std::fabs(last_u_proj));
      // No steps seen: where the parabola of this curvature climbs a quarter of the loss.
      if (!(radius > 0) || !std::isfinite(radius)) radius = std::sqrt(0.5 * std::max(v.loss0, 1e-12) / std::max(v.eig, 1e-12));
    }
    v.radius = radius;
    points = std::max(3, points | 1);
    if (!probe) probe = std::make_unique<Mlp<T>>(spec, data);
    Vec x, g;
    for (int i = 0; i < points; ++i) {
      const double si = radius * (2.0 * i / (points - 1) - 1.0);
      x = (th + si * d).template cast<T>();
      v.s.push_back(si);
      v.loss.push_back(probe->loss_grad(x, g));
    }
    return v;
  }

  void set_valley(bool on) override {
    valley_on = on;
    if (!on) {
      history.clear();
      last_u_proj = kNaN;
    }
  }

  // Top-k of H, or of D H D with D = diag(scale) when scale is given; `store` is
  // the warm start read and replaced (the raw and preconditioned spectra each keep theirs);
  // tol > 0 replaces the configured Lanczos tolerance.
  SharpnessResult top_eigs(int k, const Eigen::VectorXd* scale = nullptr, Eigen::MatrixXd* store = nullptr, double tol = 0) {
    Eigen::MatrixXd& warm = store ? *store : this->warm;
    HessianOp op{mlp, progress, t, k};
    op.scale = scale;
    LanczosOptions o;
    o.k = k;
    o.tol = tol > 0 ? tol : spec.cfg.lanczos_tol;
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
      // Adam/RMSProp: this step's moments first, so that the sharpness below is that
      // of the preconditioner P of the update about to be taken (Cohen et al. 2022).
      if (adaptive()) dscale = step_moments(m1, v2, den);
      if (valley_on) prev_theta = theta;
      // Sharpness is measured before this step's update, as in the reference code.
      if (spec.opt != OptKind::Central && c.eig_every > 0 && t % c.eig_every == 0) {
        if (adaptive()) {
          // The raw spectrum first, so that the direction kept for the valley is the preconditioned one.
          SharpnessResult raw = top_eigs(c.neigs, nullptr, &warm_raw);
          r.nraw = int(raw.values.size());
          for (int i = 0; i < r.nraw; ++i) r.raw[i] = raw.values[i];
          r.hvps += raw.hvps;
        }
        SharpnessResult s = top_eigs(c.neigs, adaptive() ? &dscale : nullptr);
        r.neig = int(s.values.size());
        r.hvps += s.hvps;
        for (int i = 0; i < r.neig; ++i) r.eig[i] = s.values[i];
        if (valley_on && warm.cols() > 0) note_direction(warm.col(0), adaptive() ? &dscale : nullptr);
      }
      // The held-out loss, at theta_t like the training loss (the cached training
      // forward pass is untouched: the held-out set has its own MLP).
      if (test_mlp && c.eig_every > 0 && t % c.eig_every == 0) {
        r.test_loss = test_mlp->loss_grad(theta, test_grad);
        r.test_accuracy = test_mlp->accuracy();
      }
      const Vec& upd = update_gradient();
      switch (spec.opt) {
        case OptKind::Gd: optim::gd(theta, upd, lr); break;
        case OptKind::Polyak: optim::polyak(theta, vel, upd, lr, beta); break;
        case OptKind::Nesterov: optim::nesterov(theta, vel, upd, lr, beta); break;
        case OptKind::Adam: optim::adam_apply(theta, m1, den, lr, beta, t + 1); break;
        case OptKind::Rmsprop: optim::rmsprop_apply(theta, grad, den, lr); break;
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
        case OptKind::Central:
          if constexpr (std::is_same_v<T, double>) central_step(r);
          break;
      }
      if (valley_on) record_valley_step(r, loss);
      cache_valid = false;
      ++t;
      if (spec.opt != OptKind::Flow) time = time_anchor + double(t - step_anchor) * lr;
      apply_due();  // so that lr()/beta() between calls are those of the next step
      out.push_back(r);
      if (progress) progress(Progress{"step", r.step, r.neig, r.hvps});
    }
    return done;
  }

  // One GD step's worth (t -> t + 1) of the central flow (central.hpp), in
  // central_substeps explicit-Euler substeps as in the reference implementation
  // (alex-damian/central_flows_jax, central_flow_substep): each one needs S, u and
  // grad S at its theta, re-solves sigma^2 so that S does not drift off 2/lr, and moves
  // theta. r holds theta_t's loss and gradient; it gets S (every step, whatever
  // eig_every), sigma^2 and pred_loss.
  //
  // Cost. grad S takes two gradients at theta +- eps u (central_probe), and the same two
  // give H u, so a warm u is refreshed by its Rayleigh quotient and one power step at no
  // extra cost (rayleigh_refresh). A warm Lanczos (each HVP costs about 1.5 float64
  // gradients) runs only when the refreshed pair fails a residual test (residual >
  // kCentralRefreshTol lanczos_tol S, below), when there is no u yet, when more than one eigenvalue is
  // recorded (neigs > 1, at the step's first substep), and at the first substep of every
  // eig_every-th step (10th if 0): a small residual says u is near an eigenvector, not
  // that it is the top one, so a crossing of the top two is caught within that many steps.
  // The refresh accepts a residual up to kCentralRefreshTol x lanczos_tol x S, and the
  // fallback Lanczos converges to kCentralLanczosTighter x lanczos_tol, so that a fresh u
  // has ~30x room to drift before it fails the refresh. Measured on the page's default
  // problem (steps 300-600, 2 substeps, g++): (1, 1) falls back on 229 of 300 steps, 3.5
  // HVPs/step; (3, 0.1) on 49, 0.9 HVPs/step, S within [1.0000, 1.014] x 2/lr (1.0 and
  // 1.017 with the backoff below; the old Lanczos-every-substep: 4.9 HVPs/step, [1.0000,
  // 1.006]); (10, 1): 0.4, up to 1.033. S is the recorded one, at 2/lr but for the steps
  // whose Lanczos finds the refreshed S was that much low.
  // A failed refresh costs three gradients more than a plain Lanczos substep (its probe,
  // the gradient again for the HVP cache, the probe with the new u). Where it keeps
  // failing (large substeps: with 1 substep it fails on most steps of that problem) the
  // next 1, 2, 4, 8 substeps go straight to a Lanczos at lanczos_tol, as before the
  // refresh existed, and then it is tried again.
  static constexpr double kCentralRefreshTol = 3;
  static constexpr double kCentralLanczosTighter = 0.1;
  static constexpr int kCentralMaxBackoff = 8;
  void central_step(StepRecord& r) {
    const Config& c = spec.cfg;
    const int m = c.central_substeps;
    const double dt = 1.0 / m;
    const int every = c.eig_every > 0 ? c.eig_every : 10;
    double s2_sum = 0;
    int hvps = 0;
    for (int i = 0; i < m; ++i) {
      if (i > 0) refresh();
      bool full = warm.cols() == 0 || warm.rows() != mlp.num_params() ||
                  (i == 0 && (c.neigs > 1 || t % every == 0));
      double S = kNaN;
      bool direct = false;  // a Lanczos without trying the refresh, in the backoff
      if (!full && central_skip > 0) {
        --central_skip;
        full = direct = true;
      }
      if (!full) {
        central_probe(mlp, theta, grad, warm.col(0), kCentralFdEps, gs, hu, tmp, k2);
        const RayleighRefresh rr = rayleigh_refresh(warm.col(0), hu, kCentralRefreshTol * c.lanczos_tol, unext);
        if (rr.ok) {
          central_backoff = 0;
          S = rr.value;
          if (i == 0) {
            r.neig = 1;
            r.eig[0] = S;
          }
        } else {
          full = true;
          central_backoff = std::min(std::max(1, 2 * central_backoff), kCentralMaxBackoff);
          central_skip = central_backoff;
          cache_valid = false;  // central_probe moved the HVP cache off theta
          refresh();
        }
      }
      if (full) {
        // Tighter than the refresh's test, so that the refreshed u has room to drift before
        // it fails that test (a u converged only to it would fail it at once, and every
        // substep would fall back here).
        const SharpnessResult s = top_eigs(c.neigs, nullptr, nullptr, direct ? c.lanczos_tol : kCentralLanczosTighter * c.lanczos_tol);
        hvps += s.hvps;
        if (i == 0) {
          r.neig = int(s.values.size());
          for (int j = 0; j < r.neig; ++j) r.eig[std::size_t(j)] = s.values[std::size_t(j)];
        }
        S = s.values.empty() ? kNaN : s.values[0];
        central_probe(mlp, theta, grad, warm.col(0), kCentralFdEps, gs, hu, tmp, k2);
        rayleigh_refresh(warm.col(0), hu, c.lanczos_tol, unext);
      }
      const double sigma2 = central_sigma2(2.0 / lr - S, gs.dot(grad), gs.squaredNorm(), lr, dt);
      theta -= (dt * lr) * (grad + (0.5 * sigma2) * gs);
      cache_valid = false;
      s2_sum += sigma2;
      warm.col(0) = unext;  // one power step: the next substep's warm u
    }
    r.hvps = hvps;
    r.sigma2 = s2_sum / m;
    r.pred_loss = r.loss + 0.5 * r.sigma2 * (r.neig > 0 ? r.eig[0] : kNaN);
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

  Eigen::MatrixXd predict(const Eigen::MatrixXd& X) const override {
    return mlp.forward(theta, X.template cast<T>()).template cast<double>();
  }

  Mlp<T> mlp;
  // Adam/RMSProp: moments, the preconditioner's diagonal P, and D = P^-1/2 in double.
  Vec m1, v2, den;
  Eigen::VectorXd dscale;
  Eigen::MatrixXd warm_raw;  // warm start of the raw spectrum (adam/rmsprop)
  // The valley view: the step direction and its dual, the last iterates with their losses.
  static constexpr std::size_t kHistory = 12;
  bool valley_on = false;
  Vec prev_theta;
  Eigen::VectorXd dir, dir_dual;
  Eigen::MatrixXd valley_warm;
  std::vector<std::pair<Vec, double>> history;
  double last_u_proj = kNaN;
  std::unique_ptr<Mlp<T>> probe;  // a second network for the slice's losses (keeps mlp's HVP cache)
  Eigen::VectorXd theta0;  // initial parameters as used (rounded to T), in double
  Vec theta, grad, vel, k2, k3, k4, tmp;
  Vec gs, hu, unext;  // grad S, H u and the next warm u of the central flow
  int central_backoff = 0, central_skip = 0;  // the refresh's backoff after failures (central_step)
  Eigen::MatrixXd warm;  // (P, k) last top eigenvectors
  bool cache_valid = false;
  double cached_loss = 0, loss0 = kNaN, last_sharpness = kNaN;
  std::int64_t last_sharp_step = 0;
  Rng shuffle;                  // the mini-batch permutations' stream
  std::vector<int> perm;        // this epoch's order of the examples
  std::size_t pos = 0;          // next position in perm (== perm.size(): a new epoch is due)
  Vec bgrad, test_grad;
  std::unique_ptr<Mlp<T>> batch_mlp, short_mlp;  // mini-batch networks (update_gradient)
  Dataset test_data;            // n_test held-out examples (testset.hpp)
  std::unique_ptr<Mlp<T>> test_mlp;
};

}  // namespace

Experiment::Experiment(const Config& cfg) {
  Spec s = validate(cfg);
  Dataset d = make_dataset(s);
  if (s.precision == Precision::Float64 || s.opt == OptKind::Central)
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

void Experiment::set_batch(int batch) {
  check_batch(impl_->spec, batch);
  impl_->batch = batch;
}

int Experiment::batch() const { return impl_->batch; }

SharpnessResult Experiment::sharpness(int k) { return impl_->sharpness(k); }
ValleySlice Experiment::valley(int points, double radius) { return impl_->valley(points, radius); }
void Experiment::set_valley(bool on) { impl_->set_valley(on); }
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
Eigen::MatrixXd Experiment::predict(const Eigen::MatrixXd& X) const { return impl_->predict(X); }

}  // namespace eos
