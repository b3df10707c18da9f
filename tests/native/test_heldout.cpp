// The held-out set (Config::n_test) and the full-batch records of SGD: the held-out
// generator reproduces the training set on the training stream and gives new examples
// of the same population on its own stream; test_loss/test_accuracy and the recorded
// training loss equal an independent forward pass written out here; eos-run's columns.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "eoslab/data.hpp"
#include "eoslab/experiment.hpp"
#include "eoslab/mlp.hpp"
#include "eoslab/rng.hpp"
#include "tiny_config.hpp"
#include "eoslab/testset.hpp"

namespace {

Eigen::VectorXd params_of(const eos::Experiment& e) {
  const std::vector<double> p = e.params();
  return Eigen::Map<const Eigen::VectorXd>(p.data(), Eigen::Index(p.size()));
}

// Independent forward pass of a one-hidden-layer tanh MLP (bias on) at flat params p
// (W1 (h, in) column-major, b1, W2 (out, h) column-major, b2): the MSE loss
// (1/m) sum 1/2 |f - y|^2, or softmax cross-entropy and accuracy.
struct Eval {
  double loss, accuracy;
};
Eval forward(const std::vector<double>& p, const eos::Dataset& d, int h, bool ce) {
  const int in = int(d.X.rows()), out = int(d.Y.rows()), m = int(d.X.cols());
  const double* W1 = p.data();
  const double* b1 = W1 + h * in;
  const double* W2 = b1 + h;
  const double* b2 = W2 + out * h;
  double loss = 0;
  int hits = 0;
  for (int i = 0; i < m; ++i) {
    std::vector<double> a(static_cast<std::size_t>(h)), f(static_cast<std::size_t>(out));
    for (int u = 0; u < h; ++u) {
      double z = b1[u];
      for (int j = 0; j < in; ++j) z += W1[u + j * h] * d.X(j, i);
      a[std::size_t(u)] = std::tanh(z);
    }
    for (int o = 0; o < out; ++o) {
      double z = b2[o];
      for (int u = 0; u < h; ++u) z += W2[o + u * out] * a[std::size_t(u)];
      f[std::size_t(o)] = z;
    }
    if (ce) {
      const double mx = *std::max_element(f.begin(), f.end());
      double se = 0;
      for (double z : f) se += std::exp(z - mx);
      loss += mx + std::log(se) - f[std::size_t(d.labels[std::size_t(i)])];
      hits += int(std::max_element(f.begin(), f.end()) - f.begin()) == d.labels[std::size_t(i)];
    } else {
      for (int o = 0; o < out; ++o) loss += 0.5 * (f[std::size_t(o)] - d.Y(o, i)) * (f[std::size_t(o)] - d.Y(o, i));
    }
  }
  return {loss / m, double(hits) / m};
}

// Runs eos-run (EOS_RUN_PATH, defined by the build) with args; stdout and the exit status.
struct Cli {
  std::string out;
  int status;
};
Cli run_cli(const std::string& args) {
  Cli r{"", -1};
  std::FILE* p = popen((std::string("'") + EOS_RUN_PATH + "' " + args + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, got);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t a = 0, b;
  while ((b = s.find('\n', a)) != std::string::npos) {
    out.push_back(s.substr(a, b - a));
    a = b + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("cli: --n-test appends test_loss,test_accuracy every eig_every steps, and --batch on flow is refused", "[sgd][heldout][cli]") {
  Cli r = run_cli("--dataset moons --n 30 --widths 6 --loss ce --n-test 12 --batch 7 --eig-every 2 --steps 4");
  INFO(r.out);
  REQUIRE(r.status == 0);
  auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "step,time,lr,loss,accuracy,grad_norm,threshold,eig1,hvps,test_loss,test_accuracy");
  for (int t = 0; t < 4; ++t) {
    const std::string& row = lines[std::size_t(t) + 1];
    const std::string tail = row.substr(row.rfind(',', row.rfind(',') - 1));  // ",test_loss,test_accuracy"
    INFO("row " << t << ": " << row << " (tail '" << tail << "')");
    if (t % 2 == 0) CHECK(tail.size() > 4);  // ",<loss>,<accuracy>"
    else CHECK(tail == ",,");
  }
  r = run_cli("--dataset chebyshev --n 20 --n-test 3 --eig-every 5 --steps 1 --format json");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("\"test_loss\":") != std::string::npos);
  CHECK(r.out.find("\"test_accuracy\":null") != std::string::npos);  // regression
  r = run_cli("--opt flow --batch 4 --steps 1");
  CHECK(r.status == 2);
  CHECK(r.out == "eos-run: --batch must be 0 for opt flow (gradient flow follows the full-batch gradient), got 4\n");
  r = run_cli("--n 20 --batch 21 --steps 1");
  CHECK(r.status == 2);
  CHECK(r.out == "eos-run: --batch must be an integer in [0, n = 20] (0 = full batch), got 21\n");
}

TEST_CASE("the records stay full-batch: loss and gradient norm at theta_t over all n examples", "[sgd]") {
  const eos::Config c = tiny_config(12, 4);
  eos::Experiment e(c);
  for (int t = 0; t < 8; ++t) {
    const Eigen::VectorXd th = params_of(e);
    std::vector<eos::StepRecord> rec;
    e.step(1, rec);
    eos::Mlp<double> m(e.spec(), e.dataset());
    Eigen::VectorXd g;
    const double loss = m.loss_grad(th, g);
    const Eval ind = forward(std::vector<double>(th.data(), th.data() + th.size()), e.dataset(), 5, false);
    INFO("step " << t);
    CHECK(rec[0].loss == loss);
    CHECK(rec[0].loss == Approx(ind.loss).epsilon(1e-12));
    CHECK(rec[0].grad_norm == g.norm());
  }
}

TEST_CASE("held-out generator: on the training stream it is the training set, bit for bit", "[sgd]") {
  for (const char* name : {"chebyshev", "moons", "circles", "spirals", "xor", "blobs", "gaussian-mixture", "teacher"}) {
    eos::Config c;
    c.dataset = name;
    c.n = 37;
    c.d = 5;
    c.classes = 3;
    c.data_seed = 11;
    const eos::Spec s = eos::validate(c);
    const eos::Dataset train = eos::make_dataset(s);
    eos::Rng rng(c.data_seed);
    const eos::Dataset again = eos::sample_examples(s, c.n, rng, rng, true);
    INFO(name);
    CHECK(again.X == train.X);
    CHECK(again.Y == train.Y);
    CHECK(again.labels == train.labels);
  }
}

TEST_CASE("held-out examples are new examples of the same population", "[sgd]") {
  for (const char* name :
       {"chebyshev", "moons", "circles", "spirals", "xor", "blobs", "gaussian-mixture", "teacher", "linear"}) {
    eos::Config c;
    c.dataset = name;
    c.n = 40;
    c.n_test = 25;
    c.d = 4;
    c.classes = 3;
    c.data_seed = 5;
    c.eig_every = 10;
    const eos::Spec s = eos::validate(c);
    const eos::Dataset train = eos::make_dataset(s), test = eos::make_test_set(s);
    INFO(name);
    REQUIRE(test.X.cols() == 25);
    REQUIRE(test.X.rows() == train.X.rows());
    REQUIRE(test.Y.rows() == train.Y.rows());
    for (Eigen::Index i = 0; i < test.X.cols(); ++i)
      for (Eigen::Index j = 0; j < train.X.cols(); ++j) REQUIRE(test.X.col(i) != train.X.col(j));
    // Another data seed gives another held-out set; the same one the same set.
    c.data_seed = 6;
    CHECK(eos::make_test_set(eos::validate(c)).X != test.X);
    c.data_seed = 5;
    CHECK(eos::make_test_set(eos::validate(c)).X == test.X);
  }
  // linear: the same map A, recovered from the training set (X X^T = n I, so A = Y X^T / n).
  eos::Config c;
  c.dataset = "linear";
  c.n = 40;
  c.d = 4;
  c.classes = 3;
  c.n_test = 30;
  c.eig_every = 10;
  const eos::Spec s = eos::validate(c);
  const eos::Dataset train = eos::make_dataset(s), test = eos::make_test_set(s);
  const Eigen::MatrixXd A = train.Y * train.X.transpose() / double(c.n);
  CHECK((A * test.X - test.Y).norm() <= 1e-10 * test.Y.norm());
  // blobs: the held-out examples of class k scatter around the training centre of class k.
  c.dataset = "blobs";
  c.n = 300;
  c.n_test = 300;
  c.noise = 0.1;
  const eos::Spec sb = eos::validate(c);
  const eos::Dataset tb = eos::make_dataset(sb), hb = eos::make_test_set(sb);
  for (int k = 0; k < 3; ++k) {
    Eigen::Vector2d mt = Eigen::Vector2d::Zero(), mh = Eigen::Vector2d::Zero();
    for (int i = k; i < 300; i += 3) {
      mt += tb.X.col(i);
      mh += hb.X.col(i);
    }
    INFO("class " << k << ": training mean " << mt.transpose() / 100 << ", held-out mean " << mh.transpose() / 100);
    CHECK((mt - mh).norm() / 100 < 0.05);  // 4 standard errors of the difference (0.1 * sqrt(2/100) per axis)
  }
}

TEST_CASE("test_loss and test_accuracy equal an independent forward pass over the held-out set", "[sgd]") {
  for (const bool ce : {false, true}) {
    eos::Config c;
    c.dataset = ce ? "moons" : "chebyshev";
    c.loss = ce ? "ce" : "mse";
    c.n = 30;
    c.n_test = 17;
    c.widths = {6};
    c.precision = "float64";
    c.lr = 0.1;
    c.eig_every = 4;
    c.batch = 7;
    eos::Experiment e(c);
    const eos::Dataset held = eos::make_test_set(e.spec());
    int evaluated = 0;
    for (int t = 0; t < 13; ++t) {
      const std::vector<double> p = e.params();
      std::vector<eos::StepRecord> rec;
      e.step(1, rec);
      INFO((ce ? "moons ce" : "chebyshev mse") << ", step " << t);
      if (t % 4 != 0) {
        CHECK(std::isnan(rec[0].test_loss));
        CHECK(std::isnan(rec[0].test_accuracy));
        continue;
      }
      ++evaluated;
      const Eval ind = forward(p, held, 6, ce);
      CHECK(rec[0].test_loss == Approx(ind.loss).epsilon(1e-12));
      if (ce) CHECK(rec[0].test_accuracy == ind.accuracy);
      else CHECK(std::isnan(rec[0].test_accuracy));
      // The training loss is not the held-out loss.
      CHECK(rec[0].loss != rec[0].test_loss);
    }
    CHECK(evaluated == 4);
    // n_test adds columns and changes nothing else.
    c.n_test = 0;
    eos::Experiment plain(c);
    std::vector<eos::StepRecord> a;
    plain.step(13, a);
    CHECK(plain.params() == e.params());
  }
}
