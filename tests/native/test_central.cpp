// The central flow's pieces against independent oracles: grad S = D^3 L[u, u] against
// a finite difference of the dense Hessian's top eigenvalue (Cohen, Damian et al.,
// ICLR 2025: the flow moves along -grad S, the gradient of the sharpness itself), and
// sigma^2 against the closed form of the one-dimensional complementarity problem.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "eoslab/central.hpp"
#include "eoslab/experiment.hpp"
#include "eoslab/mlp.hpp"
#include "central_fixture.hpp"

namespace {

double top_eig(eos::Mlp<double>& m, const Eigen::VectorXd& th) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(dense_hessian(m, th), Eigen::EigenvaluesOnly);
  return es.eigenvalues()(th.size() - 1);
}

}  // namespace

TEST_CASE("central flow: grad S by second differences of gradients matches the dense Hessian's top eigenvalue", "[central]") {
  const eos::Spec spec = eos::validate(central_tiny());
  const eos::Dataset data = eos::make_dataset(spec);
  eos::Mlp<double> m(spec, data);
  Eigen::VectorXd th = m.init_params(spec);
  // Move off the initialisation a little (20 GD steps) so that the point is generic.
  Eigen::VectorXd g;
  for (int i = 0; i < 20; ++i) {
    m.loss_grad(th, g);
    th -= 0.1 * g;
  }
  const Eigen::Index P = th.size();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(dense_hessian(m, th));
  const Eigen::VectorXd ev = es.eigenvalues();
  const Eigen::VectorXd u = es.eigenvectors().col(P - 1);
  INFO("top eigenvalues " << ev(P - 1) << ", " << ev(P - 2) << " (a simple top eigenvalue is differentiable)");
  REQUIRE(ev(P - 1) - ev(P - 2) > 0.05 * ev(P - 1));

  // Oracle: central differences of lambda_max of the dense Hessian, coordinate by coordinate.
  const double h = 1e-5;
  Eigen::VectorXd oracle(P);
  for (Eigen::Index i = 0; i < P; ++i) {
    Eigen::VectorXd a = th, b = th;
    a(i) += h;
    b(i) -= h;
    oracle(i) = (top_eig(m, a) - top_eig(m, b)) / (2 * h);
  }
  m.loss_grad(th, g);
  Eigen::VectorXd gs, tmp, gp;
  for (double eps : {1e-2, 1e-3, 1e-4}) {
    eos::third_derivative_uu(m, th, g, u, eps, gs, tmp, gp);
    const double rel = (gs - oracle).norm() / oracle.norm();
    INFO("eps " << eps << ": |grad S - oracle| / |oracle| = " << rel << ", |oracle| = " << oracle.norm());
    CHECK(rel < 1e-4);
  }
  // The sign of u does not matter: D^3 L[u, u] is quadratic in u.
  Eigen::VectorXd gs_neg;
  eos::third_derivative_uu(m, th, g, -u, eos::kCentralFdEps, gs_neg, tmp, gp);
  eos::third_derivative_uu(m, th, g, u, eos::kCentralFdEps, gs, tmp, gp);
  CHECK((gs_neg - gs).norm() <= 1e-6 * gs.norm());
}

TEST_CASE("central flow: sigma2 solves the one-dimensional complementarity problem", "[central]") {
  const double lr = 0.1, dt = 0.25;
  // Below the edge and not approaching it within the substep: sigma^2 = 0.
  CHECK(eos::central_sigma2(1.0, -1.0, 4.0, lr, dt) == 0.0);   // gap 1, dS/dt = 0.1 * 1 -> gap after 0.975
  CHECK(eos::central_sigma2(1.0, 3.0, 4.0, lr, dt) == 0.0);    // moving away from the edge
  // Reaching it: the gap after the substep is exactly zero, and sigma^2 >= 0.
  for (double gap : {0.01, 0.0, -0.3}) {
    const double gsg = -2.0, gs2 = 5.0;
    const double s2 = eos::central_sigma2(gap, gsg, gs2, lr, dt);
    const double gap_after = gap + dt * lr * gsg + dt * 0.5 * lr * s2 * gs2;
    INFO("gap " << gap << ": sigma^2 " << s2 << ", gap after " << gap_after);
    CHECK(s2 > 0);
    CHECK(std::fabs(gap_after) < 1e-12);
  }
  // Closed form at gap 0: sigma^2 = -2 <grad S, grad L> / |grad S|^2 (dS/dt = 0).
  CHECK(eos::central_sigma2(0.0, -2.0, 5.0, lr, dt) == Approx(0.8).epsilon(1e-14));
  // grad S = 0 cannot hold the line: no sigma^2.
  CHECK(eos::central_sigma2(-1.0, 0.0, 0.0, lr, dt) == 0.0);
}

// ---------------------------------------------------------------------------------
// The phenomenon. GD, its central flow and gradient flow from the same initialisation
// on "cheb4-20x20 at lr 0.1": Chebyshev T4 on 20 points, 1-20-20-1 tanh MLP, MSE,
// float32 GD, PyTorch init, seed 0 (the problem of test_eos.cpp). Chosen by measurement
// among the lab's small problems (T3/T4 20-20 at lr 0.1/0.15/0.2, the page default):
// GD reaches 0.95 x 2/lr at step ~1,500 and then sharpens past the line and comes back
// in short catapult spikes, which leaves 2,500 steps at the edge in a 4,000-step run.
// Measured (g++ -O3): (a) loss within 0.2% before the edge; (b) the flow's S in
// [1.0000, 1.0000] x 2/lr, GD's in [0.85, 1.16] x; (c) median 5.9% from GD's running
// median; (d) gradient flow at 2.7 x 2/lr.
namespace {

constexpr double kLr = 0.1;
constexpr int kSteps = 4000;

eos::Config cheb4() {
  eos::Config c;
  c.dataset = "chebyshev";
  c.n = 20;
  c.degree = 4;
  c.widths = {20, 20};
  c.lr = kLr;
  c.eig_every = 1;
  return c;
}

struct Runs {
  std::vector<eos::StepRecord> gd, central, flow;
  std::int64_t edge = -1;  // first GD step whose sharpness reaches 0.95 x 2/lr
};

// The three runs, computed once for the test cases below.
const Runs& runs() {
  static const Runs r = [] {
    Runs out;
    eos::Config c = cheb4();
    eos::Experiment gd(c);
    gd.step(kSteps, out.gd);
    c.opt = "central";
    eos::Experiment cf(c);
    cf.step(kSteps, out.central);
    c.opt = "flow";
    c.eig_every = 10;
    eos::Experiment fl(c);
    while (fl.time() < kSteps * kLr && fl.status() == eos::Status::Running) fl.step(100, out.flow);
    REQUIRE(gd.status() == eos::Status::Running);
    REQUIRE(cf.status() == eos::Status::Running);
    for (const auto& g : out.gd)
      if (g.eig[0] >= 0.95 * 2 / kLr) {
        out.edge = g.step;
        break;
      }
    return out;
  }();
  return r;
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

// One test case with four sections, not four test cases: ctest runs every test case in a
// process of its own, so four cases computed the three 4,000-step runs four times (~45 s
// each under the sanitizers); the sections share them through runs().
TEST_CASE("central flow on cheb4 at lr 0.1 against GD and gradient flow: sections a to d", "[central][eos]") {
  const Runs& r = runs();
  REQUIRE(r.edge > 500);
  SECTION("(a) before the edge GD and its central flow and gradient flow agree") {
    // Up to 80% of the way to the edge: loss and sharpness of GD and the flow, step by step;
    // gradient flow at the record nearest in time (its RK4 steps are < 0.05 time units).
    const std::size_t until = std::size_t(0.8 * double(r.edge));
    double loss_err = 0, sharp_err = 0, gf_err = 0, sigma2_max = 0;
    std::size_t j = 0;
    for (std::size_t i = 0; i < until; ++i) {
      const auto& g = r.gd[i];
      const auto& c = r.central[i];
      REQUIRE(c.step == g.step);
      REQUIRE(c.time == Approx(g.time));
      loss_err = std::max(loss_err, std::fabs(c.loss - g.loss) / g.loss);
      sharp_err = std::max(sharp_err, std::fabs(c.eig[0] - g.eig[0]) / g.eig[0]);
      sigma2_max = std::max(sigma2_max, c.sigma2);
      while (j + 1 < r.flow.size() && std::fabs(r.flow[j + 1].time - g.time) < std::fabs(r.flow[j].time - g.time)) ++j;
      gf_err = std::max(gf_err, std::fabs(r.flow[j].loss - c.loss) / c.loss);
    }
    INFO("cheb4-20x20 lr 0.1, steps 0.." << until << " (edge at " << r.edge << "): max relative loss difference GD vs central "
                                         << loss_err << ", sharpness " << sharp_err << ", central vs gradient flow loss "
                                         << gf_err << "; max sigma^2 " << sigma2_max);
    CHECK(loss_err < 0.02);
    CHECK(sharp_err < 0.02);
    CHECK(gf_err < 0.02);
    CHECK(sigma2_max == 0.0);  // gradient flow exactly: the oscillation term is off below the edge
  }
  SECTION("(b) past the edge its sharpness stays at 2/lr while GD's oscillates around it") {
    const double thr = 2 / kLr;
    // From 100 steps after GD reaches the edge (the flow gets there on its own clock) to the end.
    std::vector<double> cs, gs;
    for (std::size_t i = std::size_t(r.edge + 100); i < r.gd.size(); ++i) {
      cs.push_back(r.central[i].eig[0] / thr);
      gs.push_back(r.gd[i].eig[0] / thr);
      REQUIRE(r.central[i].threshold == Approx(thr));
    }
    const auto [clo, chi] = std::minmax_element(cs.begin(), cs.end());
    const auto [glo, ghi] = std::minmax_element(gs.begin(), gs.end());
    INFO(cs.size() << " steps from " << r.edge + 100 << ": central S in [" << *clo << ", " << *chi << "] x 2/lr; GD in ["
                   << *glo << ", " << *ghi << "] x 2/lr, median " << median(gs));
    CHECK(*clo >= 0.98);
    CHECK(*chi <= 1.02);
    CHECK(*glo < 0.98);  // GD's sharpness goes below the line...
    CHECK(*ghi > 1.02);  // ...and above it
    CHECK(std::fabs(median(gs) - 1) < 0.1);  // around it
  }
  SECTION("(c) its loss tracks GD's loss past the edge") {
    const std::size_t from = std::size_t(r.edge), n = r.gd.size();
    REQUIRE(n - from >= 2000);
    // GD's running median over +-250 steps passes over its isolated catapult spikes.
    std::vector<double> rel, window;
    for (std::size_t i = from; i < n; ++i) {
      window.clear();
      for (std::size_t k = i >= 250 ? i - 250 : 0; k <= std::min(n - 1, i + 250); ++k) window.push_back(r.gd[k].loss);
      const double m = median(window);
      rel.push_back(std::fabs(r.central[i].loss - m) / m);
    }
    std::vector<double> sorted = rel;
    std::sort(sorted.begin(), sorted.end());
    INFO(rel.size() << " steps past the edge: |L_central - runmed(L_GD)| / runmed median " << median(rel) << ", 90th percentile "
                    << sorted[sorted.size() * 9 / 10]);
    CHECK(median(rel) < 0.10);
  }
  SECTION("(d) gradient flow on the same clock ends far above 2/lr") {
    double last = 0;
    for (const auto& f : r.flow)
      if (f.neig) last = f.eig[0];
    INFO("gradient flow at time " << r.flow.back().time << ": sharpness " << last << " = " << last / (2 / kLr) << " x 2/lr; the central flow's "
                                  << r.central.back().eig[0]);
    CHECK(r.flow.back().time >= kSteps * kLr - 0.1);
    CHECK(last > 1.5 * (2 / kLr));
  }
}

// The predicted loss L + 1/2 sigma^2 S is GD's time-averaged loss only while GD oscillates
// steadily along u. It does on the page's default problem (Chebyshev T5 on 40 points,
// 1-32-32-32-1 tanh, seed 1, lr 0.3): from the edge (step ~140) on, consecutive GD steps
// point in opposite directions (cosine < -0.5) for over 1,200 steps in a row. There the
// prediction is within 20% of GD's loss averaged over a centred 100-step window (measured
// median ratio 0.93, 10th-90th percentiles 0.84-0.98), while the flow's own L is 29% below
// GD's running median. (On cheb4-20x20 above, where GD spikes instead, it is the reverse:
// L tracks GD and the prediction overshoots, median ratio 1.4.)
TEST_CASE("central flow: predicted loss matches GD's averaged loss during a sustained period-2 oscillation", "[central][eos]") {
  eos::Config c;
  c.dataset = "chebyshev";
  c.n = 40;
  c.degree = 5;
  c.widths = {32, 32, 32};
  c.lr = 0.3;
  c.seed = 1;
  c.eig_every = 10;
  const int steps = 1500;
  eos::Experiment gd(c);
  std::vector<eos::StepRecord> g, cf;
  std::vector<std::vector<double>> th;
  for (int i = 0; i <= steps && gd.status() == eos::Status::Running; ++i) {
    th.push_back(gd.params());
    if (i < steps) gd.step(1, g);
  }
  c.opt = "central";
  eos::Experiment ce(c);
  ce.step(steps, cf);
  REQUIRE(gd.status() == eos::Status::Running);
  REQUIRE(ce.status() == eos::Status::Running);
  // Period 2: cos(theta_{t+1} - theta_t, theta_{t+2} - theta_{t+1}) < -0.5, longest streak.
  int streak = 0, longest = 0, end = 0;
  for (std::size_t t = 0; t + 2 < th.size(); ++t) {
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t p = 0; p < th[t].size(); ++p) {
      const double a = th[t + 1][p] - th[t][p], b = th[t + 2][p] - th[t + 1][p];
      ab += a * b;
      aa += a * a;
      bb += b * b;
    }
    streak = ab < -0.5 * std::sqrt(aa * bb) ? streak + 1 : 0;
    if (streak > longest) {
      longest = streak;
      end = int(t);
    }
  }
  INFO("GD's longest period-2 streak: " << longest << " steps, ending at step " << end);
  REQUIRE(longest >= 500);
  // Within the streak (50 steps in from either end), pred_loss / GD's centred 100-step mean.
  std::vector<double> ratio;
  for (int t = end - longest + 1 + 50; t <= end - 50; ++t) {
    double mean = 0;
    for (int k = t - 50; k < t + 50; ++k) mean += g[std::size_t(k)].loss;
    mean /= 100;
    ratio.push_back(cf[std::size_t(t)].pred_loss / mean);
  }
  std::vector<double> sorted = ratio;
  std::sort(sorted.begin(), sorted.end());
  const double within = double(std::count_if(ratio.begin(), ratio.end(), [](double x) { return std::fabs(x - 1) <= 0.2; })) / double(ratio.size());
  INFO(ratio.size() << " steps: pred_loss / mean100(GD loss) median " << median(ratio) << ", 10th-90th percentiles "
                    << sorted[sorted.size() / 10] << "-" << sorted[sorted.size() * 9 / 10] << "; within 20% on "
                    << within * 100 << "% of the steps");
  CHECK(std::fabs(median(ratio) - 1) <= 0.2);
  CHECK(within >= 0.8);
}

// The CLI's record columns for a central run: the usual ones, then pred_loss,sigma2
// (JSON: keys of the same names); other runs keep their header.
TEST_CASE("central flow: eos-run writes pred_loss and sigma2 after the usual columns", "[central][cli]") {
  auto run = [](const std::string& args) {
    std::string out;
    std::FILE* p = popen((std::string("'") + EOS_RUN_PATH + "' " + args).c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    REQUIRE(pclose(p) == 0);
    return out;
  };
  const std::string csv = run("--opt central --steps 2 --lr 0.2");
  CHECK(csv.substr(0, csv.find('\n')) == "step,time,lr,loss,accuracy,grad_norm,threshold,eig1,hvps,pred_loss,sigma2");
  // Row 0: before the edge, sigma^2 = 0 and pred_loss = loss; S is recorded on every step.
  const std::string row = csv.substr(csv.find('\n') + 1, csv.find('\n', csv.find('\n') + 1) - csv.find('\n') - 1);
  CHECK(row.substr(row.rfind(',')) == ",0");
  const std::string gd = run("--steps 1");
  CHECK(gd.substr(0, gd.find('\n')) == "step,time,lr,loss,accuracy,grad_norm,threshold,eig1,hvps");
  const std::string json = run("--opt central --steps 1 --format json");
  CHECK(json.find("\"pred_loss\":") != std::string::npos);
  CHECK(json.find("\"sigma2\":0") != std::string::npos);
}
