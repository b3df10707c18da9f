// Deterministic elementary functions built from +, -, *, / and sqrt only (all
// correctly rounded in IEEE-754), so data and initial weights are identical on
// glibc and on Emscripten's musl, whose log/cos/exp may differ by an ulp.
// Accurate to a few ulps in double; compiled with -ffp-contract=off.
#pragma once

namespace eos::det {

double log(double x);   // x > 0
double exp(double x);
double sin(double x);
double cos(double x);
double tanh(double x);
inline constexpr double pi = 3.141592653589793238462643383279502884;

}  // namespace eos::det
