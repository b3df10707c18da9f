// The MLP with its full-batch loss, exact gradient (backprop) and exact
// Hessian-vector product (Pearlmutter 1994, forward-over-reverse R-operator).
// Parameters live in one flat vector; per-layer Eigen::Map views read W_l
// (out, in) column-major and b_l (out). Activations are stored one example per
// column: A_l (width_l, n). Loss L = (1/n) sum_i l(f(x_i), y_i), the full-batch
// training loss of Cohen et al. (2021).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "eoslab/activation.hpp"
#include "eoslab/config.hpp"
#include "eoslab/data.hpp"
#include "eoslab/eigen.hpp"
#include "eoslab/rng.hpp"

namespace eos {

template <class T>
class Mlp {
 public:
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  using MapM = Eigen::Map<const Mat>;
  using MapV = Eigen::Map<const Vec>;
  using MapMw = Eigen::Map<Mat>;
  using MapVw = Eigen::Map<Vec>;

  Mlp(const Spec& spec, const Dataset& data)
      : act_(spec.act), loss_(spec.loss), bias_(spec.cfg.bias), classification_(data.classification),
        labels_(data.labels) {
    sizes_.push_back(spec.d_in);
    for (int w : spec.cfg.widths) sizes_.push_back(w);
    sizes_.push_back(spec.d_out);
    const int L = layers();
    Eigen::Index off = 0;
    for (int l = 0; l < L; ++l) {
      w_off_.push_back(off);
      off += Eigen::Index(sizes_[l + 1]) * sizes_[l];
      b_off_.push_back(off);
      if (bias_) off += sizes_[l + 1];
    }
    P_ = off;
    X_ = data.X.template cast<T>();  // (d_in, n)
    Y_ = data.Y.template cast<T>();  // (d_out, n)
    n_ = X_.cols();
    // Workspace, allocated once: the hot loop (loss_grad, hvp) reuses it.
    Z_.resize(L); A_.resize(L); D_.resize(L); S1_.resize(L); S2_.resize(L); BD_.resize(L);
    RZ_.resize(L); RA_.resize(L); RD_.resize(L);
    for (int l = 0; l < L; ++l) {
      Z_[l].resize(sizes_[l + 1], n_);   // (out_l, n)
      D_[l].resize(sizes_[l + 1], n_);   // dL/dZ_l
      RZ_[l].resize(sizes_[l + 1], n_);
      RD_[l].resize(sizes_[l + 1], n_);
      if (l > 0) {
        A_[l].resize(sizes_[l], n_);     // input of layer l = sigma(Z_{l-1})
        RA_[l].resize(sizes_[l], n_);
        S1_[l - 1].resize(sizes_[l], n_);
        S2_[l - 1].resize(sizes_[l], n_);
        BD_[l - 1].resize(sizes_[l], n_);  // W_l^T D_l, before the sigma' mask
      }
    }
    P_out_.resize(sizes_.back(), n_);
    theta_.resize(P_);
  }

  int layers() const { return int(sizes_.size()) - 1; }
  Eigen::Index num_params() const { return P_; }
  const std::vector<int>& sizes() const { return sizes_; }
  Eigen::Index w_offset(int l) const { return w_off_[l]; }
  Eigen::Index b_offset(int l) const { return b_off_[l]; }

  // Initial parameters in double (then cast), drawn layer by layer: W_l in
  // row-major order, then b_l. pytorch: U(+-s/sqrt(fan_in)) for W and b
  // (nn.Linear default when s = 1); normal: W ~ N(0, s^2/fan_in), b = 0.
  static Eigen::VectorXd init_params(const Spec& spec, Eigen::Index P, const std::vector<int>& sizes,
                                     const std::vector<Eigen::Index>& w_off, const std::vector<Eigen::Index>& b_off) {
    Eigen::VectorXd th(P);
    Rng rng(spec.cfg.seed);
    const double s = spec.cfg.init_scale;
    for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
      const int in = sizes[l], out = sizes[l + 1];
      const double bound = s / std::sqrt(double(in));
      Eigen::Map<Eigen::MatrixXd> W(th.data() + w_off[l], out, in);  // (out, in)
      for (int i = 0; i < out; ++i)
        for (int j = 0; j < in; ++j)
          W(i, j) = spec.init == InitKind::Pytorch ? rng.uniform(-bound, bound) : bound * rng.normal();
      if (spec.cfg.bias) {
        Eigen::Map<Eigen::VectorXd> b(th.data() + b_off[l], out);
        for (int i = 0; i < out; ++i) b(i) = spec.init == InitKind::Pytorch ? rng.uniform(-bound, bound) : 0.0;
      }
    }
    return th;
  }
  Eigen::VectorXd init_params(const Spec& spec) const { return init_params(spec, P_, sizes_, w_off_, b_off_); }

  // Loss and gradient at theta. Caches the forward and backward state so that
  // hvp() can run at this point without recomputing them.
  double loss_grad(const Vec& theta, Vec& grad) {
    theta_ = theta;
    s2_valid_ = false;
    const int L = layers();
    grad.resize(P_);
    // Forward: Z_l = W_l A_l + b_l, A_{l+1} = sigma(Z_l); output f = Z_{L-1}.
    for (int l = 0; l < L; ++l) {
      const Mat& in = l == 0 ? X_ : A_[l];
      Z_[l].noalias() = W(l) * in;
      if (bias_) Z_[l].colwise() += b(l);
      if (l + 1 < L) act_forward(act_, Z_[l], A_[l + 1], S1_[l]);
    }
    const Mat& F = Z_[L - 1];  // (d_out, n)
    const T inv_n = T(1) / T(n_);
    double loss;
    if (loss_ == LossKind::Mse) {
      D_[L - 1] = F - Y_;
      loss = 0.5 * double(D_[L - 1].squaredNorm()) / double(n_);
      D_[L - 1] *= inv_n;  // dL/df = (f - y)/n
    } else {
      // Softmax cross-entropy with one-hot Y, column-wise log-sum-exp.
      loss = 0;
      for (Eigen::Index j = 0; j < n_; ++j) {
        const T m = F.col(j).maxCoeff();
        P_out_.col(j) = (F.col(j).array() - m).exp().matrix();
        const T z = P_out_.col(j).sum();
        P_out_.col(j) /= z;
        loss += double(m + std::log(z) - Y_.col(j).dot(F.col(j)));
      }
      loss /= double(n_);
      D_[L - 1] = inv_n * (P_out_ - Y_);  // dL/df = (softmax(f) - y)/n
    }
    // Backward: grad W_l = D_l A_l^T, grad b_l = D_l 1, D_{l-1} = (W_l^T D_l) * sigma'(Z_{l-1}).
    for (int l = L - 1; l >= 0; --l) {
      const Mat& in = l == 0 ? X_ : A_[l];
      MapMw(grad.data() + w_off_[l], sizes_[l + 1], sizes_[l]).noalias() = D_[l] * in.transpose();
      if (bias_) MapVw(grad.data() + b_off_[l], sizes_[l + 1]).noalias() = D_[l].rowwise().sum();
      if (l > 0) {
        BD_[l - 1].noalias() = W(l).transpose() * D_[l];
        D_[l - 1] = BD_[l - 1].cwiseProduct(S1_[l - 1]);
      }
    }
    return loss;
  }

  // Fraction of examples whose arg-max output is their label (cached forward).
  double accuracy() const {
    if (!classification_) return std::numeric_limits<double>::quiet_NaN();
    const Mat& F = Z_[layers() - 1];
    Eigen::Index hits = 0;
    for (Eigen::Index j = 0; j < n_; ++j) {
      Eigen::Index arg;
      F.col(j).maxCoeff(&arg);
      hits += arg == labels_[j];
    }
    return double(hits) / double(n_);
  }

  // out = H v, H the Hessian of the loss at the theta of the last loss_grad().
  // R-operator: R{.} is the directional derivative along v (Pearlmutter 1994).
  void hvp(const Vec& v, Vec& out) {
    const int L = layers();
    if (!s2_valid_) {
      for (int l = 0; l + 1 < L; ++l) act_second(act_, Z_[l], A_[l + 1], S1_[l], S2_[l]);
      s2_valid_ = true;
    }
    out.resize(P_);
    // Forward R-pass: R{Z_l} = V_l A_l + W_l R{A_l} + v_b_l, R{A_{l+1}} = sigma'(Z_l) R{Z_l}.
    for (int l = 0; l < L; ++l) {
      const Mat& in = l == 0 ? X_ : A_[l];
      MapM V(v.data() + w_off_[l], sizes_[l + 1], sizes_[l]);  // (out, in)
      RZ_[l].noalias() = V * in;
      if (l > 0) RZ_[l].noalias() += W(l) * RA_[l];
      if (bias_) RZ_[l].colwise() += MapV(v.data() + b_off_[l], sizes_[l + 1]);
      if (l + 1 < L) RA_[l + 1] = S1_[l].cwiseProduct(RZ_[l]);
    }
    // R of the output gradient.
    const T inv_n = T(1) / T(n_);
    if (loss_ == LossKind::Mse) {
      RD_[L - 1] = inv_n * RZ_[L - 1];
    } else {  // R{softmax} = p * (R f - <p, R f>) column-wise
      for (Eigen::Index j = 0; j < n_; ++j) {
        const T dot = P_out_.col(j).dot(RZ_[L - 1].col(j));
        RD_[L - 1].col(j) = inv_n * P_out_.col(j).cwiseProduct((RZ_[L - 1].col(j).array() - dot).matrix());
      }
    }
    // Backward R-pass:
    //   R{grad W_l} = R{D_l} A_l^T + D_l R{A_l}^T,  R{grad b_l} = R{D_l} 1,
    //   R{D_{l-1}} = (V_l^T D_l + W_l^T R{D_l}) sigma'(Z_{l-1}) + (W_l^T D_l) sigma''(Z_{l-1}) R{Z_{l-1}}.
    for (int l = L - 1; l >= 0; --l) {
      const Mat& in = l == 0 ? X_ : A_[l];
      MapMw Out(out.data() + w_off_[l], sizes_[l + 1], sizes_[l]);
      Out.noalias() = RD_[l] * in.transpose();
      if (l > 0) Out.noalias() += D_[l] * RA_[l].transpose();
      if (bias_) MapVw(out.data() + b_off_[l], sizes_[l + 1]).noalias() = RD_[l].rowwise().sum();
      if (l > 0) {
        MapM V(v.data() + w_off_[l], sizes_[l + 1], sizes_[l]);
        Mat& tmp = RA_[l];  // R{A_l} is no longer needed: reuse it as scratch (sizes_[l], n)
        tmp.noalias() = V.transpose() * D_[l];
        tmp.noalias() += W(l).transpose() * RD_[l];
        RD_[l - 1] = tmp.cwiseProduct(S1_[l - 1]) + BD_[l - 1].cwiseProduct(S2_[l - 1]).cwiseProduct(RZ_[l - 1]);
      }
    }
  }

  // Network outputs f(x) of the cached forward pass, (d_out, n).
  const Mat& output() const { return Z_[layers() - 1]; }

  // f(x) at theta on inputs X (d_in, m), (d_out, m): the same layers as loss_grad's
  // forward pass, on its own temporaries (no cache touched), for evaluating the model
  // on points that are not training examples, e.g. a grid over the input space.
  Mat forward(const Vec& theta, const Mat& X) const {
    const int L = layers();
    Mat in = X, Z, A, S1;
    for (int l = 0; l < L; ++l) {
      MapM Wl(theta.data() + w_off_[l], sizes_[l + 1], sizes_[l]);  // (out, in)
      Z.noalias() = Wl * in;                                        // (out_l, m)
      if (bias_) Z.colwise() += MapV(theta.data() + b_off_[l], sizes_[l + 1]);
      if (l + 1 == L) break;
      A.resize(Z.rows(), Z.cols());
      S1.resize(Z.rows(), Z.cols());
      act_forward(act_, Z, A, S1);
      in.swap(A);
    }
    return Z;
  }

 private:
  MapM W(int l) const { return MapM(theta_.data() + w_off_[l], sizes_[l + 1], sizes_[l]); }  // (out, in)
  MapV b(int l) const { return MapV(theta_.data() + b_off_[l], sizes_[l + 1]); }               // (out)

  Activation act_;
  LossKind loss_;
  bool bias_;
  bool classification_;
  std::vector<int> labels_;
  std::vector<int> sizes_;  // d_in, widths..., d_out: layer l maps sizes_[l] -> sizes_[l + 1]
  std::vector<Eigen::Index> w_off_, b_off_;
  Eigen::Index P_ = 0, n_ = 0;
  Mat X_;      // (d_in, n) inputs, one example per column
  Mat Y_;      // (d_out, n) targets (one-hot for classification)
  Vec theta_;  // (P) parameters of the cached state
  // Per layer l = 0..L-1, with out_l = sizes_[l + 1] and in_l = sizes_[l]:
  std::vector<Mat> Z_;   // Z_[l]  (out_l, n)  pre-activations W_l A_l + b_l; Z_[L-1] is the output f
  std::vector<Mat> A_;   // A_[l]  (in_l, n)   input of layer l = sigma(Z_[l-1]), l >= 1 (A_[0] unused: X_)
  std::vector<Mat> D_;   // D_[l]  (out_l, n)  dL/dZ_l
  std::vector<Mat> S1_;  // S1_[l] (out_l, n)  sigma'(Z_l), l < L-1
  std::vector<Mat> S2_;  // S2_[l] (out_l, n)  sigma''(Z_l), l < L-1 (filled by the first hvp)
  std::vector<Mat> BD_;  // BD_[l] (out_l, n)  W_{l+1}^T D_{l+1}, before the sigma' mask, l < L-1
  std::vector<Mat> RZ_;  // RZ_[l] (out_l, n)  R{Z_l}
  std::vector<Mat> RA_;  // RA_[l] (in_l, n)   R{A_l}, l >= 1 (scratch in the backward R-pass)
  std::vector<Mat> RD_;  // RD_[l] (out_l, n)  R{D_l}
  Mat P_out_;  // (d_out, n) softmax probabilities, CE only
  bool s2_valid_ = false;
};

}  // namespace eos
