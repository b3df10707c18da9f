// The valley view (Damian, Nichani, Lee, "Self-Stabilization", ICLR 2023): the loss
// along the top eigendirection is a valley whose curvature at the iterate is the
// sharpness, and at the edge of stability GD bounces across it, so the component of
// each step along the top eigenvector flips sign every step. Checked on the GD
// configuration "cheb4-20x20" of the edge-of-stability test (T4, 20 points, 1-20-20-1
// tanh, lr 0.15; measured: 19-20% of consecutive steps flip over steps 0-750, before
// the edge, and 100% from step 1250 on), and the slice's curvature at s = 0 against
// the eigenvalue by a central second difference (float64, GD and Adam).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "eoslab/experiment.hpp"

namespace {

eos::Config cheb4(double lr) {
  eos::Config c;
  c.dataset = "chebyshev";
  c.n = 20;
  c.degree = 4;
  c.widths = {20, 20};
  c.lr = lr;
  c.eig_every = 10;
  c.valley = true;
  return c;
}

double flip_fraction(const std::vector<eos::StepRecord>& rec, std::size_t from, std::size_t to) {
  int flips = 0, pairs = 0;
  for (std::size_t i = from + 1; i < to; ++i) {
    const double a = rec[i - 1].u_proj, b = rec[i].u_proj;
    if (!std::isfinite(a) || !std::isfinite(b) || a == 0 || b == 0) continue;
    ++pairs;
    flips += (a > 0) != (b > 0);
  }
  REQUIRE(pairs > 0);
  return double(flips) / pairs;
}

// Central second difference of the slice at its middle point.
double curvature_at_0(const eos::ValleySlice& v) {
  const std::size_t m = v.s.size() / 2;
  const double h = v.s[m + 1] - v.s[m];
  REQUIRE(v.s[m] == Approx(0).margin(1e-15));
  return (v.loss[m + 1] - 2 * v.loss[m] + v.loss[m - 1]) / (h * h);
}

}  // namespace

TEST_CASE("Valley: the step along the top eigenvector flips sign every step at the edge, not before", "[valley]") {
  eos::Experiment e(cheb4(0.15));
  std::vector<eos::StepRecord> rec;
  e.step(4000, rec);
  REQUIRE(e.status() == eos::Status::Running);
  REQUIRE(std::isfinite(rec[0].u_proj));  // step 0 computes an eigenvector
  std::size_t reach = rec.size();
  for (std::size_t i = 0; i < rec.size(); ++i)
    if (rec[i].neig && rec[i].eig[0] >= 0.95 * rec[i].threshold) {
      reach = i;
      break;
    }
  REQUIRE(reach < 2000);
  const double before = flip_fraction(rec, 0, reach / 2);
  const double at_edge = flip_fraction(rec, reach + 300, rec.size());
  INFO("edge reached at step " << reach << ": flips " << before << " before step " << reach / 2 << ", " << at_edge
                               << " from step " << reach + 300);
  CHECK(at_edge > 0.8);
  CHECK(before < 0.5);
}

TEST_CASE("Valley: turning it on and slicing does not change the run", "[valley]") {
  eos::Config c = cheb4(0.15);
  c.valley = false;
  eos::Experiment a(c);
  c.valley = true;
  eos::Experiment b(c);
  std::vector<eos::StepRecord> ra, rb;
  for (int chunk = 0; chunk < 6; ++chunk) {
    a.step(100, ra);
    b.step(100, rb);
    const eos::ValleySlice v = b.valley();
    REQUIRE(v.s.size() == 41);
    REQUIRE(v.iter_s.size() >= 2);
    REQUIRE(v.iter_s.back() == 0);
    REQUIRE(v.iter_loss.back() == v.loss0);
    for (double s : v.iter_s) REQUIRE(std::fabs(s) <= v.radius);
  }
  REQUIRE(ra.size() == rb.size());
  for (std::size_t i = 0; i < ra.size(); ++i) {
    REQUIRE(ra[i].loss == rb[i].loss);
    REQUIRE(ra[i].neig == rb[i].neig);
    if (ra[i].neig) REQUIRE(ra[i].eig[0] == rb[i].eig[0]);
    REQUIRE(std::isnan(ra[i].u_proj));
  }
  REQUIRE(a.params() == b.params());
}

TEST_CASE("Valley: the slice's curvature at the iterate is the sharpness", "[valley]") {
  SECTION("GD at the edge, float64") {
    eos::Config c = cheb4(0.15);
    c.precision = "float64";
    c.lanczos_tol = 1e-8;
    eos::Experiment e(c);
    std::vector<eos::StepRecord> rec;
    e.step(1200, rec);
    const eos::ValleySlice v = e.valley(41, 1e-3);
    const double k = curvature_at_0(v);
    INFO("curvature " << k << ", eigenvalue " << v.eig << ", 2/lr " << 2 / c.lr);
    REQUIRE(std::fabs(k - v.eig) <= 1e-3 * v.eig);
    REQUIRE(!v.preconditioned);
    // The eigenvalue is the run's sharpness at these parameters.
    REQUIRE(v.eig == Approx(e.sharpness(1).values[0]).epsilon(1e-6));
  }
  SECTION("Adam, float64: along d = P^-1/2 w the curvature is the preconditioned sharpness") {
    eos::Config c = cheb4(0.002);
    c.opt = "adam";
    c.precision = "float64";
    c.lanczos_tol = 1e-8;
    eos::Experiment e(c);
    std::vector<eos::StepRecord> rec;
    e.step(600, rec);
    const eos::ValleySlice v = e.valley(41, 1e-5);
    const double k = curvature_at_0(v);
    INFO("curvature " << k << ", preconditioned eigenvalue " << v.eig << ", 38/lr " << 38 / c.lr);
    REQUIRE(v.preconditioned);
    REQUIRE(v.eig > 10 * e.sharpness(1).values[0]);  // not the raw sharpness
    REQUIRE(std::fabs(k - v.eig) <= 1e-3 * v.eig);
  }
}
