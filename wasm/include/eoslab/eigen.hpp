// The one way the engine includes Eigen. On Emscripten with -msse4.1 -msimd128 it
// lets Eigen take its SSE code path, which Emscripten translates to WASM SIMD:
// clang 14 reports GNUC 4.2, which makes
// Eigen emit x86 inline asm register hints ("+x") that WASM cannot honour, so we
// pretend to be GCC 6.3 and blank out __asm__ while Eigen is parsed.
#pragma once

#if defined(__EMSCRIPTEN__) && defined(__SSE2__)
#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iosfwd>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>
#include <emmintrin.h>
#include <xmmintrin.h>
#include <smmintrin.h>
#pragma push_macro("__GNUC__")
#pragma push_macro("__GNUC_MINOR__")
#pragma push_macro("__asm__")
#undef __GNUC__
#undef __GNUC_MINOR__
#define __GNUC__ 6
#define __GNUC_MINOR__ 3
#define __asm__(...)
#include <Eigen/Dense>
#pragma pop_macro("__asm__")
#pragma pop_macro("__GNUC_MINOR__")
#pragma pop_macro("__GNUC__")
#else
#include <Eigen/Dense>
#endif
