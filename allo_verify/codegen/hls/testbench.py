"""The C++ testbench and the binary file format it shares with Python.

File format: each argument or result is one file of cells in row-major order. An integer
or fixed-point cell of W bits takes 8 * ceil(W / 64) bytes, little endian, two's complement
(the reader keeps the low W bits; the writer zero-extends); a `bool` cell takes 8 bytes
(0 or 1); `half`/`float`/`double` cells are their IEEE bits (2/4/8 bytes). Fixed-point
cells hold the scaled integer (the raw bits), the same number the LLVM simulation takes.

Trial t reads `<dir>/in<t>_<name>.bin` for every argument (a missing file is read as zeros,
with a note on stderr) and writes `<dir>/out<t>_<name>.bin` for every array argument and
every result. `testbench [dir] [trials]`, defaults `data` and 1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from allo_verify.codegen.hls.types import Storage, storage_for_dtype
from allo_verify.lang.signature import Signature
from allo_verify.lang.types import ArrayType, DType, Fixed, Float, Int

TB_HEADER = """\
// allo_verify_tb.h: reading and writing arrays as binary files for the testbench
// (written for allo_verify; format in the testbench's comment).
#ifndef ALLO_VERIFY_TB_H
#define ALLO_VERIFY_TB_H
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace avtb {

template <class T> struct cell;

template <int W> ap_uint<W> get_bits(const unsigned char* p) {
  ap_uint<64 * ((W + 63) / 64)> acc = 0;
  for (int k = (W + 63) / 64 - 1; k >= 0; k--) {
    uint64_t w;
    std::memcpy(&w, p + 8 * k, 8);
    acc = (acc << 32) << 32;
    acc = acc | ap_uint<64 * ((W + 63) / 64)>(ap_uint<64>(w));
  }
  return ap_uint<W>(acc);
}
template <int W> void put_bits(unsigned char* p, ap_uint<W> bits) {
  ap_uint<64 * ((W + 63) / 64)> acc = bits;
  for (int k = 0; k < (W + 63) / 64; k++) {
    uint64_t w = acc.to_uint64();
    std::memcpy(p + 8 * k, &w, 8);
    acc = (acc >> 32) >> 32;
  }
}

#define AVTB_STD(T)                                                          \\
  template <> struct cell<T> {                                               \\
    static const int bytes = 8;                                              \\
    static void get(const unsigned char* p, T& x) {                          \\
      uint64_t w;                                                            \\
      std::memcpy(&w, p, 8);                                                 \\
      x = (T)w;                                                              \\
    }                                                                        \\
    static void put(unsigned char* p, const T& x) {                          \\
      uint64_t w = (uint64_t)x;                                              \\
      std::memcpy(p, &w, 8);                                                 \\
    }                                                                        \\
  };
AVTB_STD(int8_t) AVTB_STD(int16_t) AVTB_STD(int32_t) AVTB_STD(int64_t)
AVTB_STD(uint8_t) AVTB_STD(uint16_t) AVTB_STD(uint32_t) AVTB_STD(uint64_t)
AVTB_STD(bool)
#undef AVTB_STD

#define AVTB_RAW(T, N)                                                       \\
  template <> struct cell<T> {                                               \\
    static const int bytes = N;                                              \\
    static void get(const unsigned char* p, T& x) { std::memcpy(&x, p, N); } \\
    static void put(unsigned char* p, const T& x) { std::memcpy(p, &x, N); } \\
  };
AVTB_RAW(half, 2) AVTB_RAW(float, 4) AVTB_RAW(double, 8)
#undef AVTB_RAW

template <int W> struct cell<ap_int<W> > {
  static const int bytes = 8 * ((W + 63) / 64);
  static void get(const unsigned char* p, ap_int<W>& x) { x = get_bits<W>(p); }
  static void put(unsigned char* p, const ap_int<W>& x) { put_bits<W>(p, x); }
};
template <int W> struct cell<ap_uint<W> > {
  static const int bytes = 8 * ((W + 63) / 64);
  static void get(const unsigned char* p, ap_uint<W>& x) { x = get_bits<W>(p); }
  static void put(unsigned char* p, const ap_uint<W>& x) { put_bits<W>(p, x); }
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct cell<ap_fixed<W, I, Q, O, N> > {
  static const int bytes = 8 * ((W + 63) / 64);
  static void get(const unsigned char* p, ap_fixed<W, I, Q, O, N>& x) {
    x.range(W - 1, 0) = get_bits<W>(p);
  }
  static void put(unsigned char* p, const ap_fixed<W, I, Q, O, N>& x) {
    put_bits<W>(p, ap_uint<W>(x.range(W - 1, 0)));
  }
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct cell<ap_ufixed<W, I, Q, O, N> > {
  static const int bytes = 8 * ((W + 63) / 64);
  static void get(const unsigned char* p, ap_ufixed<W, I, Q, O, N>& x) {
    x.range(W - 1, 0) = get_bits<W>(p);
  }
  static void put(unsigned char* p, const ap_ufixed<W, I, Q, O, N>& x) {
    put_bits<W>(p, ap_uint<W>(x.range(W - 1, 0)));
  }
};

inline std::string path(const char* dir, const char* io, int t, const char* name) {
  return std::string(dir) + "/" + io + std::to_string(t) + "_" + name + ".bin";
}

template <class T> void read(const char* dir, int t, const char* name, T* data, long n) {
  std::string p = path(dir, "in", t, name);
  std::vector<unsigned char> buf((size_t)n * cell<T>::bytes, 0);
  FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "testbench: %s not found; '%s' is all zeros\\n", p.c_str(), name);
  } else {
    size_t got = std::fread(buf.data(), 1, buf.size(), f);
    std::fclose(f);
    if (got != buf.size()) {
      std::fprintf(stderr, "testbench: %s holds %zu bytes, expected %zu\\n", p.c_str(), got,
                   buf.size());
      std::exit(2);
    }
  }
  for (long i = 0; i < n; i++) cell<T>::get(buf.data() + i * cell<T>::bytes, data[i]);
}

template <class T> void write(const char* dir, int t, const char* name, const T* data, long n) {
  std::string p = path(dir, "out", t, name);
  std::vector<unsigned char> buf((size_t)n * cell<T>::bytes, 0);
  for (long i = 0; i < n; i++) cell<T>::put(buf.data() + i * cell<T>::bytes, data[i]);
  FILE* f = std::fopen(p.c_str(), "wb");
  if (f == nullptr || std::fwrite(buf.data(), 1, buf.size(), f) != buf.size()) {
    std::fprintf(stderr, "testbench: cannot write %s\\n", p.c_str());
    std::exit(2);
  }
  std::fclose(f);
}

}  // namespace avtb
#endif
"""


def ports(sig: Signature, names: list[str]) -> list[tuple[str, Storage, tuple[int, ...], str]]:
    """(C name, storage, shape, role) for every parameter of the top (C names `names`):
    role "arg" or "result"."""
    out = []
    for k, a in enumerate(sig.args):
        t = a.type
        if isinstance(t, ArrayType):
            out.append((names[k], storage_for_dtype(t.dtype), t.shape, "arg"))
        else:
            out.append((names[k], storage_for_dtype(t), (), "arg"))
    for j, r in enumerate(sig.results):
        name = names[len(sig.args) + j]
        if isinstance(r, ArrayType):
            out.append((name, storage_for_dtype(r.dtype), r.shape, "result"))
        else:
            out.append((name, storage_for_dtype(r), (), "result"))
    return out


def testbench_body(sig: Signature, params: list[str], top: str) -> str:
    """Static buffers and `int tb_run(const char* dir, int trials)` for the top."""
    lines = []
    call = []
    reads, writes = [], []
    for name, st, shape, role in ports(sig, params):
        buf = f"tb_{name}"
        count = int(np.prod(shape)) if shape else 1
        dims = "".join(f"[{d}]" for d in shape)
        lines.append(f"static {st.spell()} {buf}{dims};")
        call.append(buf)
        ptr = f"&{buf}" + "[0]" * len(shape)
        if role == "arg":
            reads.append(f'    avtb::read(dir, t, "{name}", {ptr}, {count});')
        if role == "result" or shape:
            writes.append(f'    avtb::write(dir, t, "{name}", {ptr}, {count});')
    lines.append("")
    lines.append("int tb_run(const char* dir, int trials) {")
    lines.append("  for (int t = 0; t < trials; t++) {")
    lines += reads
    lines.append(f"    {top}({', '.join(call)});")
    lines += writes
    lines.append("  }")
    lines.append("  return 0;")
    lines.append("}")
    return "\n".join(lines) + "\n"


TB_MAIN = """\
int main(int argc, char** argv) {
  return tb_run(argc > 1 ? argv[1] : "data", argc > 2 ? std::atoi(argv[2]) : 1);
}
"""


# ---------------------------------------------------------------- Python side


def cell_bytes(st: Storage) -> int:
    if st.kind == "float":
        return st.bits // 8
    if st.kind in ("bool", "index"):
        return 8
    return 8 * ((st.bits + 63) // 64)


def pack(value: object, dtype: DType, st: Storage) -> bytes:
    """The file bytes of an array or scalar of kernel type `dtype` (carrier values)."""
    if isinstance(dtype, Float):
        return np.asarray(value, dtype=dtype.np_dtype).tobytes()
    words = cell_bytes(st) // 8
    arr = np.asarray(value)
    if words == 1 and arr.dtype != object:
        signed = arr.dtype.kind == "i"
        return arr.astype(np.int64 if signed else np.uint64).ravel().tobytes()
    mask = (1 << (64 * words)) - 1
    return b"".join((int(v) & mask).to_bytes(8 * words, "little")
                    for v in np.asarray(value, dtype=object).ravel())


def unpack(data: bytes, dtype: DType, st: Storage, shape: tuple[int, ...]) -> np.ndarray:
    """Carrier values from file bytes: floats as is, integers masked to their width and
    sign-extended by the declared signedness."""
    count = int(np.prod(shape)) if shape else 1
    if isinstance(dtype, Float):
        return np.frombuffer(data, dtype=dtype.np_dtype, count=count).reshape(shape).copy()
    bits = dtype.bits
    signed = dtype.signed if isinstance(dtype, Int | Fixed) else True
    words = cell_bytes(st) // 8
    carrier = dtype.np_dtype
    if words == 1 and carrier != np.dtype(object):
        u = np.frombuffer(data, dtype=np.uint64, count=count).copy()
        if bits < 64:
            u &= np.uint64((1 << bits) - 1)
            if signed:
                sign = np.uint64(1 << (bits - 1))
                u = (u ^ sign) - sign
        vals = u.view(np.int64) if signed else u
        return vals.astype(carrier).reshape(shape)
    out = np.empty(count, dtype=object)
    cell = 8 * words
    mask = (1 << bits) - 1
    for i in range(count):
        v = int.from_bytes(data[i * cell:(i + 1) * cell], "little") & mask
        out[i] = v - (1 << bits) if signed and v >> (bits - 1) else v
    return out.reshape(shape)


def write_inputs(directory: Path, trial: int, sig: Signature, params: list[str],
                 args: tuple) -> None:
    """Write the input files of one trial."""
    names = ports(sig, params)
    for k, a in enumerate(sig.args):
        t = a.type
        dtype = t.dtype if isinstance(t, ArrayType) else t
        name, st, _, _ = names[k]
        (directory / f"in{trial}_{name}.bin").write_bytes(pack(args[k], dtype, st))
