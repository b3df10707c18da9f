// What the network has learned, as a picture: where to evaluate the model so that a
// page can draw the data with the fitted function over it (as TensorFlow Playground
// does), without stepping the run.
//   1-D inputs (chebyshev): a curve, the output at evenly spaced points of the data's range;
//   2-D inputs (moons, circles, spirals, xor, blobs): a grid of cells over the data's
//     bounding box with a margin, evaluated at the cell centres;
//   higher-dimensional inputs: no input-space picture; the points are shown projected on
//     the first two principal components of X (the directions of largest variance).
#pragma once

#include <vector>

#include "eoslab/config.hpp"
#include "eoslab/data.hpp"
#include "eoslab/eigen.hpp"

namespace eos {

enum class FitKind { Curve, Grid, Projection };
const char* name_of(FitKind k);

struct FitView {
  FitKind kind = FitKind::Curve;
  // Curve: nx points, x_c = x0 + c (x1 - x0) / (nx - 1), c = 0..nx-1 (ny = 1).
  // Grid: nx * ny cells; cell (r, c) covers x in [x0 + c dx, x0 + (c+1) dx] and
  //   y in [y1 - (r+1) dy, y1 - r dy] (row 0 at the top, as an image), dx = (x1-x0)/nx,
  //   dy = (y1-y0)/ny; it is evaluated at its centre. Cell index r * nx + c.
  // Projection: nx = ny = 0; [x0, x1] x [y0, y1] bounds the projected points with a margin.
  int nx = 0, ny = 0;
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  Eigen::MatrixXd inputs;  // (d_in, cells): where the model is evaluated (Curve, Grid); X itself for Projection
  Eigen::MatrixXd points;  // (2, n): each example as drawn (Curve: (x, y); Grid: (x1, x2); Projection: PC coordinates)
  Eigen::MatrixXd axes;    // (d_in, 2): the principal directions (Projection only)
  Eigen::VectorXd mean;    // (d_in): the mean of X the projection is centred on (Projection only)
  std::vector<double> target;  // Curve on chebyshev: T_degree at the curve's points; else empty
};

// The view of a dataset: curve_points points for 1-D inputs, a grid x grid cells for 2-D
// inputs over the bounding box with `margin` (a fraction of the larger extent) added on every
// side and the shorter side widened to make it square (the same for a projection's bounds).
FitView make_fit_view(const Spec& spec, const Dataset& ds, int curve_points = 256, int grid = 64,
                      double margin = 0.1);

// The first k principal directions of X (d, n), as the columns of a (d, k) matrix: the
// top-k left singular vectors of the centred X, so X X^T / n's top eigenvectors, each
// signed so that its largest-magnitude entry is positive.
Eigen::MatrixXd principal_axes(const Eigen::MatrixXd& X, int k);

}  // namespace eos
