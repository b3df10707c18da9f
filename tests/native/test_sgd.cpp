// Mini-batch SGD (Config::batch) and the held-out set (Config::n_test): the
// sampling semantics (each epoch a fresh permutation, batch at a time, the short
// last batch kept), that the records stay full-batch, live batch changes, the
// refusals, the held-out generator, and test_loss against an independent forward
// pass written out here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "eoslab/data.hpp"
#include "eoslab/experiment.hpp"
#include "eoslab/mlp.hpp"
#include "eoslab/rng.hpp"
#include "eoslab/testset.hpp"

namespace {

eos::Config tiny(int n, int batch) {
  eos::Config c;
  c.dataset = "chebyshev";
  c.n = n;
  c.degree = 3;
  c.widths = {5};
  c.precision = "float64";
  c.lr = 0.1;
  c.eig_every = 0;
  c.batch = batch;
  return c;
}

std::string error_of(const eos::Config& c) {
  try {
    eos::validate(c);
  } catch (const eos::ConfigError& e) {
    return e.what();
  }
  return "";
}

// Gradient of the training loss restricted to the examples `idx`, at theta (float64).
Eigen::VectorXd subset_grad(const eos::Spec& s, const eos::Dataset& d, const std::vector<int>& idx,
                            const Eigen::VectorXd& theta) {
  eos::Dataset b;
  b.X.resize(d.X.rows(), Eigen::Index(idx.size()));
  b.Y.resize(d.Y.rows(), Eigen::Index(idx.size()));
  for (std::size_t j = 0; j < idx.size(); ++j) {
    b.X.col(Eigen::Index(j)) = d.X.col(idx[j]);
    b.Y.col(Eigen::Index(j)) = d.Y.col(idx[j]);
  }
  eos::Mlp<double> m(s, b);
  Eigen::VectorXd g;
  m.loss_grad(theta, g);
  return g;
}

Eigen::VectorXd params_of(const eos::Experiment& e) {
  const std::vector<double> p = e.params();
  return Eigen::Map<const Eigen::VectorXd>(p.data(), Eigen::Index(p.size()));
}

// Every subset of {0..n-1} of size k.
void subsets(int n, int k, int from, std::vector<int>& cur, std::vector<std::vector<int>>& out) {
  if (int(cur.size()) == k) {
    out.push_back(cur);
    return;
  }
  for (int i = from; i < n; ++i) {
    cur.push_back(i);
    subsets(n, k, i + 1, cur, out);
    cur.pop_back();
  }
}

// Which examples the step just taken used: the unique subset whose gradient moves
// theta0 to theta1 under GD (empty when none or several match).
std::vector<int> batch_used(const eos::Spec& s, const eos::Dataset& d, const Eigen::VectorXd& th0,
                            const Eigen::VectorXd& th1, double lr, int size) {
  std::vector<std::vector<int>> all;
  std::vector<int> cur;
  subsets(int(d.X.cols()), size, 0, cur, all);
  std::vector<int> found;
  int matches = 0;
  for (const auto& idx : all) {
    const Eigen::VectorXd pred = th0 - lr * subset_grad(s, d, idx, th0);
    if ((pred - th1).norm() <= 1e-12 * (1 + th1.norm())) {
      found = idx;
      ++matches;
    }
  }
  return matches == 1 ? found : std::vector<int>{};
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

TEST_CASE("cli: --n-test appends test_loss,test_accuracy, filled every eig_every steps; --batch on flow is refused", "[sgd][cli]") {
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

TEST_CASE("batch and n_test: ranges and cross-field rules name the fields", "[sgd]") {
  eos::Config c = tiny(20, 21);
  CHECK(error_of(c) == "batch must be an integer in [0, n = 20] (0 = full batch), got 21");
  c.batch = -1;
  CHECK(error_of(c) == "batch must be an integer in [0, 20000], got -1");
  c.batch = 4;
  c.opt = "flow";
  CHECK(error_of(c) == "batch must be 0 for opt flow (gradient flow follows the full-batch gradient), got 4");
  c.batch = 0;
  CHECK(error_of(c).empty());
  c = tiny(20, 0);
  c.n_test = 10;
  CHECK(error_of(c) == "n_test needs eig_every > 0 (the test loss is evaluated every eig_every steps), got n_test=10, eig_every=0");
  c.eig_every = 5;
  CHECK(error_of(c).empty());
  c.n_test = 20001;
  CHECK(error_of(c) == "n_test must be an integer in [0, 20000], got 20001");
}

TEST_CASE("SGD takes each epoch as a fresh permutation in batches, the short last batch kept", "[sgd]") {
  // n = 7, batch 3: per epoch batches of 3, 3 and 1, together every example once.
  const eos::Config c = tiny(7, 3);
  eos::Experiment e(c);
  const eos::Spec& s = e.spec();
  std::vector<eos::StepRecord> rec;
  std::vector<std::vector<int>> used;
  for (int t = 0; t < 6; ++t) {
    const Eigen::VectorXd th0 = params_of(e);
    e.step(1, rec);
    const int size = t % 3 == 2 ? 1 : 3;
    used.push_back(batch_used(s, e.dataset(), th0, params_of(e), c.lr, size));
    INFO("step " << t);
    REQUIRE(used.back().size() == std::size_t(size));
  }
  std::vector<int> order[2];
  for (int ep = 0; ep < 2; ++ep) {
    std::set<int> seen;
    for (int t = 3 * ep; t < 3 * ep + 3; ++t)
      for (int i : used[std::size_t(t)]) {
        seen.insert(i);
        order[ep].push_back(i);
      }
    INFO("epoch " << ep);
    CHECK(seen.size() == 7);  // every example exactly once
  }
  CHECK(order[0] != order[1]);  // a fresh permutation (sorted within each batch, so the batches differ)
}

TEST_CASE("the records stay full-batch: loss and gradient norm at theta_t over all n examples", "[sgd]") {
  const eos::Config c = tiny(12, 4);
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

TEST_CASE("batch 0 and batch n are full-batch GD, bit for bit", "[sgd]") {
  std::vector<eos::StepRecord> a, b;
  eos::Experiment ea(tiny(12, 0)), eb(tiny(12, 12));
  ea.step(30, a);
  eb.step(30, b);
  for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(a[i].loss == b[i].loss);
  REQUIRE(ea.params() == eb.params());
}

TEST_CASE("SGD is deterministic, whatever the chunking, and a live batch change takes effect at once", "[sgd]") {
  eos::Config c = tiny(12, 5);
  c.opt = "polyak";
  c.beta = 0.5;
  std::vector<eos::StepRecord> a, b;
  eos::Experiment ea(c), eb(c);
  ea.step(17, a);
  ea.set_batch(2);
  ea.step(23, a);
  for (int t = 0; t < 17; ++t) eb.step(1, b);
  eb.set_batch(2);
  for (int t = 0; t < 23; ++t) eb.step(1, b);
  REQUIRE(ea.params() == eb.params());
  REQUIRE(ea.batch() == 2);
  // Another batch from step 17 on gives another trajectory.
  eos::Experiment ec(c);
  std::vector<eos::StepRecord> r;
  ec.step(40, r);
  REQUIRE(ec.params() != ea.params());
  // n = 12, batch 5: each epoch is 5, 5, 2, so step 17 ends an epoch with the 2 examples left,
  // with batch 5 or 2 alike; the batches differ from step 18 on (row 19 on).
  for (std::size_t i = 0; i < 19; ++i) REQUIRE(r[i].loss == a[i].loss);
  CHECK(r[19].loss != a[19].loss);
  // Nesterov takes the mini-batch gradient too: differs from its full-batch run.
  c.opt = "nesterov";
  eos::Experiment en(c);
  c.batch = 0;
  eos::Experiment ef(c);
  std::vector<eos::StepRecord> rn, rf;
  en.step(3, rn);
  ef.step(3, rf);
  CHECK(rn[0].loss == rf[0].loss);
  CHECK(rn[1].loss != rf[1].loss);
}

TEST_CASE("set_batch refuses bad values and keeps the old one, and refuses any batch for flow", "[sgd]") {
  eos::Experiment e(tiny(12, 4));
  CHECK_THROWS_WITH(e.set_batch(13), "batch must be an integer in [0, n = 12] (0 = full batch), got 13");
  CHECK_THROWS_WITH(e.set_batch(-2), "batch must be an integer in [0, 20000], got -2");
  CHECK(e.batch() == 4);
  eos::Config f = tiny(12, 0);
  f.opt = "flow";
  eos::Experiment ef(f);
  CHECK_THROWS_WITH(ef.set_batch(3), "batch must be 0 for opt flow (gradient flow follows the full-batch gradient), got 3");
  ef.set_batch(0);
  CHECK(ef.batch() == 0);
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

// The preset "sgd": a 1-32-32-1 tanh network on the random teacher (n = 200, d = 8,
// one output), eta = 0.5 (2/eta = 4). Full-batch GD sharpens from 2.33 to the edge and
// stays there; mini-batch SGD's sharpness settles below 2/eta, the lower the smaller the
// batch. Measured (g++ -O3, float32, 3000 steps, median sharpness over steps 1500-3000):
// GD 4.004 (1.001 x 2/eta); batch 50: 3.428 (0.857); batch 20: 2.766 (0.691); batch 10:
// 2.191 (0.548). The bounds below leave room for another compiler's rounding.
TEST_CASE("SGD's sharpness settles below 2/lr while GD on the same problem reaches it", "[sgd][eos]") {
  auto median_second_half = [](int batch, double& loss_ratio) {
    eos::Config c;
    c.dataset = "teacher";
    c.n = 200;
    c.d = 8;
    c.classes = 1;
    c.widths = {32, 32};
    c.lr = 0.5;
    c.eig_every = 25;
    c.batch = batch;
    eos::Experiment e(c);
    std::vector<eos::StepRecord> rec;
    e.step(3000, rec);
    REQUIRE(e.status() == eos::Status::Running);
    std::vector<double> s;
    for (const auto& r : rec)
      if (r.neig && r.step >= 1500) s.push_back(r.eig[0]);
    std::nth_element(s.begin(), s.begin() + long(s.size() / 2), s.end());
    loss_ratio = rec.back().loss / rec.front().loss;
    return s[s.size() / 2];
  };
  const double thr = 2.0 / 0.5;
  double lgd, l50, l20, l10;
  const double gd = median_second_half(0, lgd), b50 = median_second_half(50, l50);
  const double b20 = median_second_half(20, l20), b10 = median_second_half(10, l10);
  INFO("median sharpness over steps 1500-3000 / (2/lr): GD " << gd / thr << ", batch 50 " << b50 / thr
                                                            << ", batch 20 " << b20 / thr << ", batch 10 " << b10 / thr);
  INFO("final / initial loss: GD " << lgd << ", batch 50 " << l50 << ", batch 20 " << l20 << ", batch 10 " << l10);
  CHECK(gd >= 0.95 * thr);   // GD at the edge
  CHECK(b20 < 0.8 * thr);    // SGD below it
  CHECK(b10 < b20);          // the smaller the batch, the flatter
  CHECK(b20 < b50);
  CHECK(b50 < gd);
  CHECK(l20 < 0.05);         // SGD still trains: its loss falls 20-fold and more
}
