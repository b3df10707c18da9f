// eos-run's output (output.hpp): CSV/JSON records and the problem dump.
#include "output.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "eoslab/fields.hpp"
#include "eoslab/json.hpp"

namespace eos::cli {
namespace {

// CSV cell for a real: the shortest text that reads back to the same double;
// non-finite values (only the loss of a diverged step) as nan / inf / -inf.
void append_csv_number(std::string& out, double x) {
  if (std::isnan(x)) out += "nan";
  else if (std::isinf(x)) out += x > 0 ? "inf" : "-inf";
  else append_json_number(out, x);
}

}  // namespace

Writer::Writer(bool json, const Experiment& e)
    : json_(json), k_(e.spec().cfg.neigs), classification_(e.spec().classification),
      flow_(e.spec().opt == OptKind::Flow),
      adaptive_(e.spec().opt == OptKind::Adam || e.spec().opt == OptKind::Rmsprop),
      central_(e.spec().opt == OptKind::Central), test_(e.spec().cfg.n_test > 0), valley_(e.spec().cfg.valley) {}

void Writer::begin(const Config& cfg, std::int64_t steps) {
  if (json_) {
    buf_ = "{\"config\":" + config_to_json(cfg).dump() + ",\n\"steps\":" + std::to_string(steps) + ",\n\"records\":[";
  } else {
    buf_ = "step,time,lr,loss,accuracy,grad_norm,threshold";
    for (int i = 1; i <= k_; ++i) buf_ += ",eig" + std::to_string(i);
    buf_ += ",hvps";
    // Adam/RMSProp: eig1..k above are the preconditioned sharpness, raw1..k the Hessian's own.
    if (adaptive_)
      for (int i = 1; i <= k_; ++i) buf_ += ",raw" + std::to_string(i);
    if (central_) buf_ += ",pred_loss,sigma2";
    if (test_) buf_ += ",test_loss,test_accuracy";
    if (valley_) buf_ += ",u_proj";
    buf_ += '\n';
  }
  flush();
}

void Writer::records(const std::vector<StepRecord>& recs) {
  for (const auto& r : recs) json_ ? json_record(r) : csv_record(r);
  flush();
}

void Writer::end(const Experiment& e) {
  if (!json_) return;
  buf_ = "\n],\n\"status\":";
  buf_ += e.status() == Status::Diverged ? "\"diverged\"" : "\"ok\"";
  buf_ += ",\n\"changes\":[";
  bool first = true;
  for (const auto& c : e.changes()) {
    buf_ += first ? "" : ",";
    first = false;
    buf_ += "{\"step\":" + std::to_string(c.step) + ",\"lr_old\":";
    append_json_number(buf_, c.lr_old);
    buf_ += ",\"lr_new\":";
    append_json_number(buf_, c.lr_new);
    buf_ += ",\"beta_old\":";
    append_json_number(buf_, c.beta_old);
    buf_ += ",\"beta_new\":";
    append_json_number(buf_, c.beta_new);
    buf_ += "}";
  }
  buf_ += "]}\n";
  flush();
}

void Writer::csv_record(const StepRecord& r) {
  buf_ += std::to_string(r.step);
  buf_ += ',';
  append_csv_number(buf_, r.time);
  buf_ += ',';
  append_csv_number(buf_, r.lr);
  buf_ += ',';
  append_csv_number(buf_, r.loss);
  buf_ += ',';
  if (classification_) append_csv_number(buf_, r.accuracy);
  buf_ += ',';
  append_csv_number(buf_, r.grad_norm);
  buf_ += ',';
  if (!flow_) append_csv_number(buf_, r.threshold);
  for (int i = 0; i < k_; ++i) {
    buf_ += ',';
    if (i < r.neig) append_csv_number(buf_, r.eig[static_cast<std::size_t>(i)]);
  }
  buf_ += ',';
  if (r.neig > 0) buf_ += std::to_string(r.hvps);
  if (adaptive_)
    for (int i = 0; i < k_; ++i) {
      buf_ += ',';
      if (i < r.nraw) append_csv_number(buf_, r.raw[static_cast<std::size_t>(i)]);
    }
  if (central_) {
    buf_ += ',';
    append_csv_number(buf_, r.pred_loss);
    buf_ += ',';
    append_csv_number(buf_, r.sigma2);
  }
  if (test_) {  // empty cells on rows without a held-out evaluation, and for regression's accuracy
    buf_ += ',';
    if (!std::isnan(r.test_loss)) append_csv_number(buf_, r.test_loss);
    buf_ += ',';
    if (!std::isnan(r.test_accuracy)) append_csv_number(buf_, r.test_accuracy);
  }
  if (valley_) {
    buf_ += ',';
    if (std::isfinite(r.u_proj)) append_csv_number(buf_, r.u_proj);
  }
  buf_ += '\n';
}

void Writer::json_record(const StepRecord& r) {
  buf_ += n_written_++ ? ",\n" : "\n";
  buf_ += "{\"step\":" + std::to_string(r.step) + ",\"time\":";
  append_json_number(buf_, r.time);
  buf_ += ",\"lr\":";
  append_json_number(buf_, r.lr);
  buf_ += ",\"beta\":";
  append_json_number(buf_, r.beta);
  buf_ += ",\"loss\":";
  append_json_number(buf_, r.loss);  // null if non-finite (diverged step)
  buf_ += ",\"accuracy\":";
  if (classification_) append_json_number(buf_, r.accuracy);
  else buf_ += "null";
  buf_ += ",\"grad_norm\":";
  append_json_number(buf_, r.grad_norm);
  buf_ += ",\"threshold\":";
  if (flow_) buf_ += "null";
  else append_json_number(buf_, r.threshold);
  buf_ += ",\"eigs\":[";
  for (int i = 0; i < r.neig; ++i) {
    if (i) buf_ += ',';
    append_json_number(buf_, r.eig[static_cast<std::size_t>(i)]);
  }
  buf_ += "],\"hvps\":";
  buf_ += r.neig > 0 ? std::to_string(r.hvps) : "null";
  if (adaptive_) {  // "eigs" are then the preconditioned sharpness, "raw" the Hessian's own
    buf_ += ",\"raw\":[";
    for (int i = 0; i < r.nraw; ++i) {
      if (i) buf_ += ',';
      append_json_number(buf_, r.raw[static_cast<std::size_t>(i)]);
    }
    buf_ += ']';
  }
  if (central_) {
    buf_ += ",\"pred_loss\":";
    append_json_number(buf_, r.pred_loss);
    buf_ += ",\"sigma2\":";
    append_json_number(buf_, r.sigma2);
  }
  if (test_) {  // null where NaN (rows without a held-out evaluation, regression's accuracy)
    buf_ += ",\"test_loss\":";
    append_json_number(buf_, r.test_loss);
    buf_ += ",\"test_accuracy\":";
    append_json_number(buf_, r.test_accuracy);
  }
  if (valley_) {
    buf_ += ",\"u_proj\":";
    append_json_number(buf_, r.u_proj);  // null when NaN
  }
  buf_ += '}';
}

void Writer::flush() {
  std::fwrite(buf_.data(), 1, buf_.size(), stdout);
  buf_.clear();
}

// Every double is printed so that it reads back bit for bit.
void dump_problem(const std::string& path, const Experiment& e) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("--dump-problem: cannot write '" + path + "': " + std::strerror(errno));
  std::string buf;
  auto put = [&](bool force = false) {
    if (force || buf.size() > (1u << 16)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
  };
  // Columns of a (rows, n) matrix as n JSON rows: one example per row.
  auto columns_as_rows = [&](const Eigen::MatrixXd& M) {
    buf += '[';
    for (Eigen::Index j = 0; j < M.cols(); ++j) {
      buf += j ? ",\n[" : "\n[";
      for (Eigen::Index i = 0; i < M.rows(); ++i) {
        if (i) buf += ',';
        append_json_number(buf, M(i, j));
      }
      buf += ']';
      put();
    }
    buf += ']';
  };
  const Dataset& ds = e.dataset();
  buf += "{\"X\":";
  columns_as_rows(ds.X);  // X is (d_in, n)
  buf += ",\n\"Y\":";
  columns_as_rows(ds.Y);  // Y is (d_out, n)
  buf += ",\n\"layers\":[";
  const auto layers = e.initial_layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto& L = layers[l];
    buf += l ? ",\n{\"W\":" : "\n{\"W\":";
    columns_as_rows(L.W.transpose());  // W is (out, in): out rows of in values
    buf += ",\"b\":[";
    for (Eigen::Index i = 0; i < L.b.size(); ++i) {
      if (i) buf += ',';
      append_json_number(buf, L.b(i));
    }
    buf += "]}";
    put();
  }
  buf += "],\n\"config\":" + config_to_json(e.spec().cfg).dump() + "}\n";
  put(true);
  const bool write_error = std::ferror(f) != 0;
  if (std::fclose(f) != 0 || write_error)
    throw std::runtime_error("--dump-problem: error writing '" + path + "': " + std::strerror(errno));
}

}  // namespace eos::cli
