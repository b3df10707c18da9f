// The phenomenon itself (paper Sections 3-4), on two named configurations:
// "cheb4-20x20" / "cheb3-20x20": Chebyshev T4 / T3 on 20 points, 1-20-20-1 tanh
// MLP, MSE, float32, PyTorch init, seed 0 (sharpness 4.05 / 4.06 at init; T4 is
// fitted more slowly, which leaves room to sharpen after a step-size drop and for
// a heavy-ball plateau). With GD the sharpness rises
// (progressive sharpening), reaches 2/lr and then hovers around it while the
// loss keeps falling non-monotonically; halving lr lets it rise to the new 2/lr;
// gradient flow keeps sharpening past both; heavy ball settles at (2+2b)/lr.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "eoslab/experiment.hpp"
#include "eoslab/lanczos.hpp"
#include "eoslab/mlp.hpp"

namespace {

eos::Config cheb3(int degree = 3) {
  eos::Config c;
  c.dataset = "chebyshev";
  c.n = 20;
  c.degree = degree;
  c.widths = {20, 20};
  c.act = "tanh";
  c.loss = "mse";
  c.eig_every = 10;
  c.neigs = 1;
  return c;
}

struct Trace {
  std::vector<eos::StepRecord> rec;
  std::vector<const eos::StepRecord*> eig;  // rows with eigenvalues
};

Trace run(const eos::Config& c, int steps, int switch_at = -1, double new_lr = 0) {
  eos::Experiment e(c);
  Trace t;
  t.rec.reserve(std::size_t(steps));
  if (switch_at >= 0) {
    e.step(switch_at, t.rec);
    e.set_lr(new_lr);
    e.step(steps - switch_at, t.rec);
  } else {
    e.step(steps, t.rec);
  }
  REQUIRE(e.status() == eos::Status::Running);
  for (const auto& r : t.rec)
    if (r.neig) t.eig.push_back(&r);
  return t;
}

// First eigen-row index (into t.eig) at or after step `from` whose sharpness reaches frac * threshold.
std::size_t first_reach(const Trace& t, double frac, std::int64_t from = 0) {
  for (std::size_t i = 0; i < t.eig.size(); ++i)
    if (t.eig[i]->step >= from && t.eig[i]->eig[0] >= frac * t.eig[i]->threshold) return i;
  return t.eig.size();
}

double mean_loss(const Trace& t, std::size_t a, std::size_t b) {
  double s = 0;
  for (std::size_t i = a; i < b; ++i) s += t.rec[i].loss;
  return s / double(b - a);
}

}  // namespace

// Settling time after the sharpness first reaches 2/lr: on arrival it can
// overshoot once (up to ~1.25 x 2/lr here) before it settles into the band.
constexpr std::int64_t kSettle = 300;
// The band around 2/lr. Measured (g++ -O3, float32): lr 0.15 in [0.905, 1.168],
// lr 0.1 in [0.901, 1.139], after the halving in [0.90, 1.12]. The dynamics at
// the edge are chaotic, so another compiler's rounding gives another (equally
// valid) trajectory: the lower edge has a margin below the nominal 0.9.
constexpr double kBandLo = 0.85, kBandHi = 1.2;

TEST_CASE("GD: progressive sharpening, then the edge of stability at 2/lr", "[eos]") {
  for (double lr : {0.15, 0.1}) {
    eos::Config c = cheb3(4);
    c.lr = lr;
    const int steps = 4000;
    Trace t = run(c, steps);
    const double thr = 2.0 / lr;
    const double s0 = t.eig.front()->eig[0];
    const std::size_t reach = first_reach(t, 0.95);
    INFO("cheb4-20x20, lr " << lr << ", 2/lr " << thr << ", initial sharpness " << s0);
    REQUIRE(s0 < 0.5 * thr);  // starts well below the threshold
    REQUIRE(reach < t.eig.size());
    const std::int64_t t_reach = t.eig[reach]->step;
    INFO("sharpness first reaches 0.95 * 2/lr at step " << t_reach);
    REQUIRE(t_reach < 2000);
    // Progressive sharpening: the sharpness halfway to t_reach is above the initial one.
    REQUIRE(t.eig[reach / 2]->eig[0] > s0);
    // Edge of stability: after settling it stays within the band around 2/lr to the end.
    const std::size_t settled = first_reach(t, 0.0, t_reach + kSettle);
    double lo = 1e9, hi = 0;
    for (std::size_t i = settled; i < t.eig.size(); ++i) {
      lo = std::min(lo, t.eig[i]->eig[0]);
      hi = std::max(hi, t.eig[i]->eig[0]);
    }
    INFO("from step " << t.eig[settled]->step << ": sharpness in [" << lo << ", " << hi << "] = [" << lo / thr
                      << ", " << hi / thr << "] x 2/lr");
    REQUIRE(t.eig.size() - settled > 100);
    REQUIRE(lo >= kBandLo * thr);
    REQUIRE(hi <= kBandHi * thr);
    // The loss keeps decreasing overall, but not monotonically.
    const std::size_t n = t.rec.size(), from = std::size_t(t_reach);
    const double early = mean_loss(t, from, from + 100), late = mean_loss(t, n - 100, n);
    int rises = 0;
    for (std::size_t i = from + 1; i < n; ++i) rises += t.rec[i].loss > t.rec[i - 1].loss;
    INFO("mean loss just after reaching " << early << ", over the last 100 steps " << late << ", " << rises
                                          << " steps where the loss rose");
    REQUIRE(late < 0.5 * early);
    REQUIRE(rises >= 10);
  }
}

TEST_CASE("halving lr mid-run lets the sharpness rise to the new 2/lr", "[eos]") {
  eos::Config c = cheb3(4);
  c.lr = 0.2;  // at the edge of stability (2/lr = 10) from about step 550
  const int sw = 700, steps = 4000;
  Trace t = run(c, steps, sw, 0.1);
  double before_hi = 0;
  for (const auto* r : t.eig)
    if (r->step < sw) before_hi = std::max(before_hi, r->eig[0]);
  const std::size_t reach = first_reach(t, 0.95, sw);
  REQUIRE(reach < t.eig.size());
  const std::size_t settled = first_reach(t, 0.0, t.eig[reach]->step + kSettle);
  double lo = 1e9, hi = 0;
  for (std::size_t i = settled; i < t.eig.size(); ++i) {
    lo = std::min(lo, t.eig[i]->eig[0]);
    hi = std::max(hi, t.eig[i]->eig[0]);
  }
  INFO("cheb4-20x20: max sharpness before the switch at step " << sw << ": " << before_hi << "; reaches 19 at step "
                                                               << t.eig[reach]->step << "; from step "
                                                               << t.eig[settled]->step << " in [" << lo << ", " << hi
                                                               << "]");
  REQUIRE(before_hi < 1.3 * 10.0);
  REQUIRE(t.eig[reach]->step < sw + 1500);
  REQUIRE(t.eig[reach]->threshold == Approx(20.0));
  REQUIRE(t.eig.size() - settled > 100);
  REQUIRE(lo >= kBandLo * 20.0);
  REQUIRE(hi <= kBandHi * 20.0);
}

TEST_CASE("gradient flow keeps sharpening past the GD runs' 2/lr", "[eos]") {
  eos::Config c = cheb3(4);
  c.opt = "flow";
  c.flow_alpha = 0.5;
  c.flow_max_step = 0.1;
  eos::Experiment e(c);
  std::vector<eos::StepRecord> rec;
  // Gradient flow for the time of 2000 GD steps at lr 0.1 (t = 200).
  while (e.time() < 200.0 && e.status() == eos::Status::Running) e.step(100, rec);
  std::vector<double> sharp;
  for (const auto& r : rec)
    if (r.neig) sharp.push_back(r.eig[0]);
  const double hi = *std::max_element(sharp.begin(), sharp.end());
  INFO("cheb4-20x20 gradient flow: max sharpness " << hi << " by time " << e.time() << " in " << rec.size()
                                                   << " RK4 steps");
  REQUIRE(hi > 1.2 * 20.0);  // beyond both GD thresholds (10 at lr 0.2, 20 at lr 0.1)
  // No plateau: still rising over the last quarter of the run.
  REQUIRE(sharp.back() > sharp[3 * sharp.size() / 4]);
}

TEST_CASE("heavy-ball momentum settles at its own threshold (2+2b)/lr", "[eos]") {
  // Chebyshev T4, beta 0.5, lr 0.3: threshold 3/0.3 = 10, vs 2/lr = 6.7 for plain GD.
  // Measured over the second half with seeds 0-3, through gemm_f32 and through Eigen's
  // GEMM: [0.976, 1.021] x threshold. (The earlier setting, T3 with beta 0.9 and lr 0.25,
  // was a knife edge: the last-bit change of the summation order made seed 0 diverge in
  // its first 100 steps, and seeds 1-2 never reached the threshold.)
  eos::Config c = cheb3(4);
  c.opt = "polyak";
  c.beta = 0.5;
  c.lr = 0.3;
  Trace t = run(c, 3000);
  const double thr = (2 + 2 * 0.5) / 0.3;
  double lo = 1e9, hi = 0;
  for (const auto* r : t.eig)
    if (r->step >= 1500) {
      lo = std::min(lo, r->eig[0]);
      hi = std::max(hi, r->eig[0]);
    }
  INFO("heavy ball: threshold " << thr << ", sharpness over the second half in [" << lo << ", " << hi << "]");
  REQUIRE(t.eig.back()->threshold == Approx(thr));
  REQUIRE(lo >= 0.9 * thr);
  REQUIRE(hi <= 1.1 * thr);
  REQUIRE(lo > 1.4 * (2.0 / 0.3));  // well above plain GD's 2/lr
}

TEST_CASE("recorded sharpness at the edge of stability matches a dense eigensolver", "[eos][lanczos]") {
  // The warm-started Lanczos uses few HVPs per call; check the value it records
  // against the explicit Hessian at the same parameters (float64 run so both
  // see the same point).
  eos::Config c = cheb3();
  c.precision = "float64";
  c.lr = 0.2;
  eos::Experiment e(c);
  std::vector<eos::StepRecord> rec;
  e.step(1200, rec);  // ends after an eigen-row at step 1190; 10 steps later...
  const eos::SharpnessResult s = e.sharpness(3);
  const eos::Spec spec = eos::validate(c);
  eos::Mlp<double> m(spec, e.dataset());
  const std::vector<double> p = e.params();
  Eigen::VectorXd th = Eigen::Map<const Eigen::VectorXd>(p.data(), Eigen::Index(p.size())), g, col;
  m.loss_grad(th, g);
  const Eigen::Index P = th.size();
  Eigen::MatrixXd H(P, P);
  for (Eigen::Index i = 0; i < P; ++i) {
    m.hvp(Eigen::VectorXd::Unit(P, i), col);
    H.col(i) = col;
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(0.5 * (H + H.transpose()), Eigen::EigenvaluesOnly);
  const auto& ev = es.eigenvalues();  // ascending
  INFO("Lanczos " << s.values[0] << ", " << s.values[1] << ", " << s.values[2] << " with " << s.hvps
                  << " HVPs; dense " << ev[P - 1] << ", " << ev[P - 2] << ", " << ev[P - 3]);
  for (int i = 0; i < 3; ++i) REQUIRE(s.values[std::size_t(i)] == Approx(ev[P - 1 - i]).epsilon(1e-3));
}

// The page's default problem, chosen by a sweep of candidates (bench/sweep-default.mjs):
// Chebyshev T5 on 40 points, 1-32-32-32-1 tanh, MSE, float32, seed 1, lr 0.3. T5 is hard
// enough for this net that the loss is still falling well after the sharpness reaches
// 2/lr, so progressive sharpening has room to resume when the reader lowers lr (Cohen
// et al. 2021, Section 3: after a drop "the sharpness rises to the new 2/lr"). Measured
// with g++ -O3: 0.95 * 2/lr at step 150; halving lr at any step from 150 to 1150 (every
// 50) reaches 0.9 * the new 2/lr within 50-440 steps; raising it 1.5x brings the
// sharpness to 1.1 * the new 2/lr within 0-25 steps. Seeds 0 and 2 give 520 / 490 and
// 25 / 25 (one 1.5x raise of seed 2 takes longer than 300 steps), so the bounds below
// hold across trajectories, which matters because an ASan build takes another one.
namespace {
eos::Config page_default() {
  eos::Config c;
  c.dataset = "chebyshev";
  c.n = 40;
  c.degree = 5;
  c.widths = {32, 32, 32};
  c.act = "tanh";
  c.loss = "mse";
  c.lr = 0.3;
  c.seed = 1;
  c.eig_every = 10;
  c.neigs = 1;
  return c;
}
}  // namespace

TEST_CASE("page default: halving lr after the edge, the sharpness reaches the new 2/lr", "[eos][default]") {
  // Drop at step 500 (edge + 350), a step the other tests do not use. The page requires
  // 0.9 * the new 2/lr within 1,500 steps; measured 350.
  const int sw = 500, steps = sw + 1500;
  Trace t = run(page_default(), steps, sw, 0.15);
  const std::size_t edge = first_reach(t, 0.95);
  REQUIRE(edge < t.eig.size());
  const std::size_t reach = first_reach(t, 0.9, sw);
  INFO("edge (0.95 * 2/lr) at step " << t.eig[edge]->step << "; after the halving at step " << sw
                                     << " 0.9 * 2/lr at step " << (reach < t.eig.size() ? t.eig[reach]->step : -1));
  REQUIRE(t.eig[edge]->step <= 600);  // the page reaches the edge within ~1 s + 600/300 s
  REQUIRE(t.eig[edge]->step < sw);
  REQUIRE(reach < t.eig.size());
  REQUIRE(t.eig[reach]->threshold == Approx(2.0 / 0.15));
  // Before the drop the sharpness sat at the old line (2/0.3 = 0.5 x the new one): the
  // median over the 200 steps before it, since single spikes on arrival at the edge
  // reach ~1.75 x 2/0.3 here.
  std::vector<double> before;
  for (const auto* r : t.eig)
    if (r->step >= sw - 200 && r->step < sw) before.push_back(r->eig[0]);
  std::nth_element(before.begin(), before.begin() + std::ptrdiff_t(before.size() / 2), before.end());
  INFO("median sharpness over the 200 steps before the halving " << before[before.size() / 2]);
  REQUIRE(before[before.size() / 2] < 0.6 * (2.0 / 0.15));
}

TEST_CASE("page default: raising lr 1.5x, the sharpness falls to the new 2/lr", "[eos][default]") {
  // Raise at step 400 (edge + 250). Required: 1.1 * the new 2/lr within 200 steps; measured 5.
  const int sw = 400, steps = sw + 400;
  Trace t = run(page_default(), steps, sw, 0.45);
  const double thr = 2.0 / 0.45;
  std::int64_t down = -1;
  std::vector<double> late;  // the last 200 steps
  for (const auto* r : t.eig) {
    if (r->step < sw) continue;
    if (down < 0 && r->eig[0] <= 1.1 * thr) down = r->step;
    if (r->step >= sw + 200) late.push_back(r->eig[0]);
  }
  std::nth_element(late.begin(), late.begin() + std::ptrdiff_t(late.size() / 2), late.end());
  const double median = late[late.size() / 2];
  INFO("after the raise at step " << sw << ": 1.1 * 2/lr at step " << down << "; median over the last 200 steps "
                                  << median << " = " << median / thr << " x 2/lr");
  REQUIRE(down >= sw);
  REQUIRE(down - sw <= 200);
  // It stays at the new edge (measured median 1.03 x; single spikes reach ~1.3 x) rather
  // than climbing back to the old one, 2/0.3 = 1.5 x the new line.
  REQUIRE(median <= kBandHi * thr);
}
