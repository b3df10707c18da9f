// The MLP with its full-batch loss, exact gradient (backprop) and exact
// Hessian-vector product (Pearlmutter 1994, forward-over-reverse R-operator).
// Parameters live in one flat vector; per-layer Eigen::Map views read W_l
// (out, in) column-major and b_l (out). Activations are stored one example per
// column: A_l (width_l, n). Loss L = (1/n) sum_i l(f(x_i), y_i), the full-batch
// training loss of Cohen et al. (2021). The sums over i run per fixed block of
// examples, possibly on several threads, and add up in block order (pool.hpp).
#pragma once

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <type_traits>
#include <vector>

#include "eoslab/activation.hpp"
#include "eoslab/config.hpp"
#include "eoslab/data.hpp"
#include "eoslab/eigen.hpp"
#include "eoslab/gemm.hpp"
#include "eoslab/pool.hpp"
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

  // block: examples per block (0: example_blocks(n), what the engine uses; tests
  // pass small blocks to check the sharded sums on small problems).
  Mlp(const Spec& spec, const Dataset& data, Eigen::Index block = 0)
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
    blocks_ = block > 0 ? BlockLayout{int((n_ + block - 1) / block), block} : example_blocks(n_);
    block_loss_.assign(std::size_t(blocks_.count), 0.0);
    if (blocks_.count > 1) part_.resize(P_, blocks_.count);
  }

  int layers() const { return int(sizes_.size()) - 1; }
  Eigen::Index num_examples() const { return n_; }

  // Replaces the examples by columns idx[0..n) of data, n = num_examples(): mini-batch
  // SGD keeps one network per batch size and loads each step's batch into it, so the
  // hot loop allocates nothing. The cached forward state is invalidated.
  void load_columns(const Dataset& data, const int* idx) {
    for (Eigen::Index j = 0; j < n_; ++j) {
      X_.col(j) = data.X.col(idx[j]).template cast<T>();
      Y_.col(j) = data.Y.col(idx[j]).template cast<T>();
      if (classification_) labels_[std::size_t(j)] = data.labels[std::size_t(idx[j])];
    }
    s2_valid_ = false;
  }

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
  // hvp() can run at this point without recomputing them. The sums over examples
  // are taken per example block (pool.hpp), then added in block order.
  double loss_grad(const Vec& theta, Vec& grad) {
    theta_ = theta;
    s2_valid_ = false;
    grad.resize(P_);
    const int nb = blocks_.count;
    if (nb == 1) {
      block_loss_[0] = block_loss_grad(0, grad.data());
    } else {
      run_blocks([&](int b) { block_loss_[std::size_t(b)] = block_loss_grad(b, part_.col(b).data()); });
      reduce_partials(grad);
    }
    double sum = 0;
    for (int b = 0; b < nb; ++b) sum += block_loss_[std::size_t(b)];
    return loss_ == LossKind::Mse ? 0.5 * sum / double(n_) : sum / double(n_);
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
  // Per example block, partial products added in block order, like loss_grad.
  void hvp(const Vec& v, Vec& out) {
    out.resize(P_);
    const bool s2 = !s2_valid_;
    if (blocks_.count == 1) {
      block_hvp(0, v, out.data(), s2);
    } else {
      run_blocks([&](int b) { block_hvp(b, v, part_.col(b).data(), s2); });
      reduce_partials(out);
    }
    s2_valid_ = true;
  }

  // The threads that evaluate the example blocks (nullptr: the caller alone). The
  // pool must outlive its use here; the results do not depend on it.
  void set_pool(ThreadPool* pool) { pool_ = pool; }
  const BlockLayout& blocks() const { return blocks_; }

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
      Z.resize(sizes_[l + 1], in.cols());
      product<false, false, false>(MapMw(Z.data(), Z.rows(), Z.cols()), Wl, in);  // (out_l, m)
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
  using Cols = Eigen::Block<Mat, Eigen::Dynamic, Eigen::Dynamic, true>;  // a block of examples (columns)
  Cols cols(Mat& M, int b) { return M.middleCols(blocks_.begin(b), blocks_.length(b, n_)); }
  Cols in_cols(int l, int b) { return cols(l == 0 ? X_ : A_[l], b); }

  template <class F>
  void run_blocks(F&& f) {
    if (pool_) {
      pool_->run(blocks_.count, std::function<void(int)>(f));
    } else {
      for (int b = 0; b < blocks_.count; ++b) f(b);
    }
  }

  // out = sum of the block partials, added in block order for every coordinate (the
  // coordinates are split over the threads; each one's sum is the same whoever adds it).
  void reduce_partials(Vec& out) {
    constexpr Eigen::Index kChunk = 4096;
    const int chunks = int((P_ + kChunk - 1) / kChunk);
    run_blocks_n(chunks, [&](int c) {
      const Eigen::Index i0 = Eigen::Index(c) * kChunk, m = std::min(kChunk, P_ - i0);
      auto o = out.segment(i0, m);
      o = part_.col(0).segment(i0, m);
      for (int b = 1; b < blocks_.count; ++b) o += part_.col(b).segment(i0, m);
    });
  }
  template <class F>
  void run_blocks_n(int count, F&& f) {
    if (pool_) {
      pool_->run(count, std::function<void(int)>(f));
    } else {
      for (int i = 0; i < count; ++i) f(i);
    }
  }

  // C = op(A) op(B), or C += op(A) op(B) when Acc; op transposes when TA / TB. The
  // float network's products go through gemm_f32 when use_own_gemm() (the default: in
  // WASM it is much faster than Eigen's kernel as V8 compiles it, docs/wasm.md) unless
  // they are tiny (kOwnGemmMinWork), through Eigen otherwise (and always in float64).
  // Operands are views (Map, Block) into column-major storage.
  template <bool TA, bool TB, bool Acc, class CM, class AM, class BM>
  static void product(CM C, const AM& A, const BM& B) {
    if constexpr (std::is_same_v<T, float>) {
      const Eigen::Index K = TA ? A.rows() : A.cols();
      if (use_own_gemm() && std::int64_t(C.rows()) * C.cols() * K > kOwnGemmMinWork) {
        gemm_f32(TA, TB, C.rows(), C.cols(), K, A.data(), A.outerStride(), B.data(), B.outerStride(), C.data(),
                 C.outerStride(), Acc);
        return;
      }
    }
    if constexpr (TA && TB) {
      eigen_product<Acc>(C, A.transpose(), B.transpose());
    } else if constexpr (TA) {
      eigen_product<Acc>(C, A.transpose(), B);
    } else if constexpr (TB) {
      eigen_product<Acc>(C, A, B.transpose());
    } else {
      eigen_product<Acc>(C, A, B);
    }
  }
  template <bool Acc, class CM, class X, class Y>
  static void eigen_product(CM& C, const X& a, const Y& b) {
    if constexpr (Acc) {
      C.noalias() += a * b;
    } else {
      C.noalias() = a * b;
    }
  }

  // Forward and backward pass over block b: fills the cached state of its columns,
  // writes its gradient partial (the block's sum of per-example gradients / n) to g
  // and returns its share of the loss sum (sum of squared errors for MSE, of
  // cross-entropies for CE; loss_grad scales).
  double block_loss_grad(int b, T* g) {
    const int L = layers();
    // Forward: Z_l = W_l A_l + b_l, A_{l+1} = sigma(Z_l); output f = Z_{L-1}.
    for (int l = 0; l < L; ++l) {
      Cols Z = cols(Z_[l], b);
      product<false, false, false>(Z, W(l), in_cols(l, b));  // (out_l, m)
      if (bias_) Z.colwise() += this->b(l);
      if (l + 1 < L) {
        Cols A = cols(A_[l + 1], b), S1 = cols(S1_[l], b);
        act_forward(act_, Z, A, S1);
      }
    }
    Cols F = cols(Z_[L - 1], b);  // (d_out, m)
    Cols D = cols(D_[L - 1], b);
    Cols Y = cols(Y_, b);
    const T inv_n = T(1) / T(n_);
    double loss;
    if (loss_ == LossKind::Mse) {
      D = F - Y;
      loss = double(D.squaredNorm());
      D *= inv_n;  // dL/df = (f - y)/n
    } else {
      // Softmax cross-entropy with one-hot Y, column-wise log-sum-exp.
      Cols Pb = cols(P_out_, b);
      loss = 0;
      for (Eigen::Index j = 0; j < F.cols(); ++j) {
        const T m = F.col(j).maxCoeff();
        Pb.col(j) = (F.col(j).array() - m).exp().matrix();
        const T z = Pb.col(j).sum();
        Pb.col(j) /= z;
        loss += double(m + std::log(z) - Y.col(j).dot(F.col(j)));
      }
      D = inv_n * (Pb - Y);  // dL/df = (softmax(f) - y)/n
    }
    // Backward: grad W_l = D_l A_l^T, grad b_l = D_l 1, D_{l-1} = (W_l^T D_l) * sigma'(Z_{l-1}).
    for (int l = L - 1; l >= 0; --l) {
      Cols Dl = cols(D_[l], b);
      product<false, true, false>(MapMw(g + w_off_[l], sizes_[l + 1], sizes_[l]), Dl, in_cols(l, b));  // (out_l, in_l)
      if (bias_) MapVw(g + b_off_[l], sizes_[l + 1]).noalias() = Dl.rowwise().sum();
      if (l > 0) {
        Cols BD = cols(BD_[l - 1], b);
        product<true, false, false>(BD, W(l), Dl);  // (in_l, m)
        cols(D_[l - 1], b) = BD.cwiseProduct(cols(S1_[l - 1], b));
      }
    }
    return loss;
  }

  // Block b's share of H v (its examples' sum / n) into out; s2: compute sigma''
  // of its columns first (the first product at a new point).
  void block_hvp(int b, const Vec& v, T* out, bool s2) {
    const int L = layers();
    if (s2) {
      for (int l = 0; l + 1 < L; ++l) {
        Cols Z = cols(Z_[l], b), A = cols(A_[l + 1], b), S1 = cols(S1_[l], b), S2 = cols(S2_[l], b);
        act_second(act_, Z, A, S1, S2);
      }
    }
    // Forward R-pass: R{Z_l} = V_l A_l + W_l R{A_l} + v_b_l, R{A_{l+1}} = sigma'(Z_l) R{Z_l}.
    for (int l = 0; l < L; ++l) {
      MapM V(v.data() + w_off_[l], sizes_[l + 1], sizes_[l]);  // (out, in)
      Cols RZ = cols(RZ_[l], b);
      product<false, false, false>(RZ, V, in_cols(l, b));
      if (l > 0) product<false, false, true>(RZ, W(l), cols(RA_[l], b));
      if (bias_) RZ.colwise() += MapV(v.data() + b_off_[l], sizes_[l + 1]);
      if (l + 1 < L) cols(RA_[l + 1], b) = cols(S1_[l], b).cwiseProduct(RZ);
    }
    // R of the output gradient.
    const T inv_n = T(1) / T(n_);
    Cols RZo = cols(RZ_[L - 1], b), RDo = cols(RD_[L - 1], b);
    if (loss_ == LossKind::Mse) {
      RDo = inv_n * RZo;
    } else {  // R{softmax} = p * (R f - <p, R f>) column-wise
      Cols Pb = cols(P_out_, b);
      for (Eigen::Index j = 0; j < RZo.cols(); ++j) {
        const T dot = Pb.col(j).dot(RZo.col(j));
        RDo.col(j) = inv_n * Pb.col(j).cwiseProduct((RZo.col(j).array() - dot).matrix());
      }
    }
    // Backward R-pass:
    //   R{grad W_l} = R{D_l} A_l^T + D_l R{A_l}^T,  R{grad b_l} = R{D_l} 1,
    //   R{D_{l-1}} = (V_l^T D_l + W_l^T R{D_l}) sigma'(Z_{l-1}) + (W_l^T D_l) sigma''(Z_{l-1}) R{Z_{l-1}}.
    for (int l = L - 1; l >= 0; --l) {
      Cols RD = cols(RD_[l], b), D = cols(D_[l], b);
      MapMw Out(out + w_off_[l], sizes_[l + 1], sizes_[l]);
      product<false, true, false>(Out, RD, in_cols(l, b));
      if (l > 0) product<false, true, true>(Out, D, cols(RA_[l], b));
      if (bias_) MapVw(out + b_off_[l], sizes_[l + 1]).noalias() = RD.rowwise().sum();
      if (l > 0) {
        MapM V(v.data() + w_off_[l], sizes_[l + 1], sizes_[l]);
        Cols tmp = cols(RA_[l], b);  // R{A_l} is no longer needed: reuse it as scratch (sizes_[l], m)
        product<true, false, false>(tmp, V, D);
        product<true, false, true>(tmp, W(l), RD);
        cols(RD_[l - 1], b) = tmp.cwiseProduct(cols(S1_[l - 1], b)) +
                              cols(BD_[l - 1], b).cwiseProduct(cols(S2_[l - 1], b)).cwiseProduct(cols(RZ_[l - 1], b));
      }
    }
  }

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
  BlockLayout blocks_;              // the example blocks (depend on n only)
  Mat part_;                        // (P, blocks) per-block partial gradient / HVP (more than one block)
  std::vector<double> block_loss_;  // per-block loss sums
  ThreadPool* pool_ = nullptr;
};

}  // namespace eos
