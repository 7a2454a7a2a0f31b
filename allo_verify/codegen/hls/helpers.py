"""The C++ the emitted kernels include: the type prelude, the `av::` helper functions that
spell MLIR ops C has no operator for, and our own small `hls::stream` class.

Each helper keeps the MLIR op's meaning on every input where the op is defined; where MLIR
says the result is poison (a shift by the width or more, a float-to-integer conversion out of
range), the IR never uses the value (the frontend guards it with a select), and the helper
returns a fixed value instead of invoking C++ undefined behaviour.
Only the helpers a kernel uses are emitted (`needed`), so small kernels stay small.
"""

from __future__ import annotations

PRELUDE = """\
#include <ap_int.h>
#include <ap_fixed.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#ifdef ALLO_VERIFY_CSIM
// C simulation with g++: IEEE binary16, each operation rounded to half like LLVM does.
typedef _Float16 half;
#else
#include <hls_half.h>
#endif
"""

# name -> (dependencies, C++ text)
HELPERS: dict[str, tuple[tuple[str, ...], str]] = {
    "floordiv": ((), """\
// arith.floordivsi: the quotient rounded toward minus infinity (C's / truncates).
template <int N> ap_int<N> floordiv(ap_int<N> a, ap_int<N> b) {
  ap_int<N> q = a / b;
  ap_int<N> r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) q = q - 1;
  return q;
}
inline int64_t floordiv(int64_t a, int64_t b) {
  int64_t q = a / b, r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? q - 1 : q;
}"""),
    "ceildiv": ((), """\
// arith.ceildivsi: the quotient rounded toward plus infinity.
template <int N> ap_int<N> ceildiv(ap_int<N> a, ap_int<N> b) {
  ap_int<N> q = a / b;
  ap_int<N> r = a % b;
  if (r != 0 && ((r < 0) == (b < 0))) q = q + 1;
  return q;
}
inline int64_t ceildiv(int64_t a, int64_t b) {
  int64_t q = a / b, r = a % b;
  return (r != 0 && ((r < 0) == (b < 0))) ? q + 1 : q;
}"""),
    "ceildivu": ((), """\
// arith.ceildivui: unsigned quotient rounded up.
template <int N> ap_int<N> ceildivu(ap_int<N> a, ap_int<N> b) {
  ap_uint<N> x = a, y = b;
  ap_uint<N> q = x / y;
  if (x % y != 0) q = q + 1;
  return q;
}"""),
    "fmod_i": ((), """\
// affine mod: the remainder with the divisor's sign (C's % takes the dividend's).
inline int64_t fmod_i(int64_t a, int64_t b) {
  int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}"""),
    "shl": ((), """\
// arith.shli by a variable amount: an amount of N or more (poison in MLIR) gives 0.
template <int N> ap_int<N> shl(ap_int<N> a, ap_int<N> s) {
  ap_uint<N> k = s;
  if (k >= N) return 0;
  return a << (int)k.to_uint64();
}"""),
    "shrs": ((), """\
// arith.shrsi by a variable amount (arithmetic); N or more (poison in MLIR) gives 0.
template <int N> ap_int<N> shrs(ap_int<N> a, ap_int<N> s) {
  ap_uint<N> k = s;
  if (k >= N) return 0;
  return a >> (int)k.to_uint64();
}"""),
    "shru": ((), """\
// arith.shrui by a variable amount (logical); N or more (poison in MLIR) gives 0.
template <int N> ap_int<N> shru(ap_int<N> a, ap_int<N> s) {
  ap_uint<N> k = s;
  if (k >= N) return 0;
  ap_uint<N> u = a;
  return u >> (int)k.to_uint64();
}"""),
    "absi": ((), """\
// math.absi: |a| wrapped to N bits (the most negative value is its own absolute value).
template <int N> ap_int<N> absi(ap_int<N> a) {
  ap_int<N> r = a;
  if (a < 0) r = -a;
  return r;
}"""),
    "fmaximum": ((), """\
// arith.maximumf / minimumf (IEEE 754-2019 maximum / minimum): NaN if either operand is
// NaN, and -0.0 < +0.0.
template <class T> T fmaximum(T a, T b) {
  if (std::isnan((double)a)) return a;
  if (std::isnan((double)b)) return b;
  if (a == b) return std::signbit((double)a) ? b : a;
  return a > b ? a : b;
}
template <class T> T fminimum(T a, T b) {
  if (std::isnan((double)a)) return a;
  if (std::isnan((double)b)) return b;
  if (a == b) return std::signbit((double)a) ? a : b;
  return a < b ? a : b;
}"""),
    "fptosi": ((), """\
// arith.fptosi: truncation toward zero. Out of range or NaN (poison in MLIR) gives 0.
template <int N> ap_int<N> fptosi(double x) {
  if (std::isnan(x)) return 0;
  double t = std::trunc(x);
  if (t >= -9223372036854775808.0 && t < 9223372036854775808.0)
    return ap_int<N>((long long)t);
  int e = 0;
  double m = std::frexp(t, &e);
  if (e - 53 >= N) return 0;
  ap_int<N> r = (long long)std::ldexp(m, 53);
  return r << (e - 53);
}"""),
    "fptoui": ((), """\
// arith.fptoui: truncation toward zero. Out of range or NaN (poison in MLIR) gives 0.
template <int N> ap_int<N> fptoui(double x) {
  if (std::isnan(x)) return 0;
  double t = std::trunc(x);
  if (t < 0.0) return 0;
  if (t < 18446744073709551616.0) return ap_int<N>(ap_uint<64>((unsigned long long)t));
  int e = 0;
  double m = std::frexp(t, &e);
  if (e - 53 >= N) return 0;
  ap_uint<N> r = (unsigned long long)std::ldexp(m, 53);
  return r << (e - 53);
}"""),
    "uitofp": ((), """\
// arith.uitofp / sitofp beyond 64 bits: the nearest float (ties to even), rounded once:
// the top 64 bits with a sticky bit for the rest convert exactly as the whole would.
template <class T, int N> T uitofp(ap_uint<N> m) {
  int n = N - m.countLeadingZeros();
  if (n <= 64) return (T)m.to_uint64();
  int sh = n - 64;
  ap_uint<N> rest = m & ((ap_uint<N>(1) << sh) - 1);
  unsigned long long top = (m >> sh).to_uint64() | (rest != 0 ? 1ULL : 0ULL);
  return std::ldexp((T)top, sh);
}
template <class T, int N> T sitofp(ap_int<N> a) {
  bool neg = a < 0;
  ap_uint<N> m = a;
  if (neg) m = -a;
  T r = uitofp<T, N>(m);
  return neg ? -r : r;
}"""),
}


def helpers_text(needed: set[str]) -> str:
    """The `namespace av { ... }` block holding the helpers in `needed` (and their
    dependencies), in a fixed order; empty when nothing is needed."""
    wanted: set[str] = set()
    stack = list(needed)
    while stack:
        name = stack.pop()
        if name not in wanted:
            wanted.add(name)
            stack.extend(HELPERS[name][0])
    if not wanted:
        return ""
    parts = [HELPERS[name][1] for name in HELPERS if name in wanted]
    return "namespace av {\n\n" + "\n\n".join(parts) + "\n\n}  // namespace av\n"


STREAM_HEADER = """\
// allo_verify_stream.h: a small FIFO with the interface of hls::stream, for C simulation
// outside Vitis (written for allo_verify; Vitis HLS uses its own <hls_stream.h>).
#ifndef ALLO_VERIFY_STREAM_H
#define ALLO_VERIFY_STREAM_H
#ifdef ALLO_VERIFY_CSIM
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
namespace hls {
template <class T> class stream {
 public:
  stream() {}
  explicit stream(const char* name) : name_(name) {}
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;
  bool empty() const { return q_.empty(); }
  bool full() const { return false; }
  std::size_t size() const { return q_.size(); }
  void write(const T& v) { q_.push_back(v); }
  T read() {
    if (q_.empty()) {
      std::fprintf(stderr, "hls::stream '%s': read from an empty stream\\n", name_.c_str());
      std::exit(3);
    }
    T v = q_.front();
    q_.pop_front();
    return v;
  }
  void read(T& v) { v = read(); }
  bool read_nb(T& v) {
    if (q_.empty()) return false;
    v = read();
    return true;
  }
  bool write_nb(const T& v) {
    write(v);
    return true;
  }
  stream& operator<<(const T& v) {
    write(v);
    return *this;
  }
  stream& operator>>(T& v) {
    v = read();
    return *this;
  }

 private:
  std::deque<T> q_;
  std::string name_;
};
}  // namespace hls
#else
#include <hls_stream.h>
#endif
#endif
"""
