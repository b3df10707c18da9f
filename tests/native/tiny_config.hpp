// The smallest configuration the SGD and held-out tests share: Chebyshev T3 on n points,
// one hidden layer of 5 tanh units, float64, step size 0.1, no eigenvalues, mini-batch
// `batch` (0 = full batch).
#pragma once

#include "eoslab/config.hpp"

inline eos::Config tiny_config(int n, int batch) {
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
