"""Every math and arith op the frontend emits, run through the LLVM simulation and compared
with NumPy (floats) or Python integer models (bit-precise integers)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from allo_verify.codegen.llvm_runner import build_llvm
from allo_verify.lang.signature import Arg, Signature
from allo_verify.lang.types import Float, Int, UInt, float16, float32, float64, int8, int32

N = 5
UNARY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp": np.exp, "log": np.log, "log2": np.log2, "sqrt": np.sqrt, "sin": np.sin,
    "cos": np.cos, "tanh": np.tanh, "absf": np.abs, "floor": np.floor,
}
BINARY: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "powf": ("math.powf", np.power),
    "minimumf": ("arith.minimumf", np.minimum),
    "maximumf": ("arith.maximumf", np.maximum),
    "divf": ("arith.divf", np.divide),
}
RTOL = {16: 3e-3, 32: 2e-6, 64: 1e-13}


def float_kernel(ty: str) -> str:
    """out[k, i] = op_k(A[i]) (or op_k(A[i], B[i])) for the ops in UNARY then BINARY,
    then fpowi(A[i], 3) in the last row."""
    rows = len(UNARY) + len(BINARY) + 1
    body = []
    for k, op in enumerate(UNARY):
        body.append(f"%u{k} = math.{op} %a : {ty}\n"
                    f"affine.store %u{k}, %O[{k}, %i] : memref<{rows}x{N}x{ty}>")
    for k, (full, _) in enumerate(BINARY.values(), start=len(UNARY)):
        body.append(f"%u{k} = {full} %a, %b : {ty}\n"
                    f"affine.store %u{k}, %O[{k}, %i] : memref<{rows}x{N}x{ty}>")
    body.append(f"%c3 = arith.constant 3 : i32\n%p = math.fpowi %a, %c3 : {ty}, i32\n"
                f"affine.store %p, %O[{rows - 1}, %i] : memref<{rows}x{N}x{ty}>")
    joined = "\n".join(body)
    return f"""
func.func @fops(%A: memref<{N}x{ty}>, %B: memref<{N}x{ty}>, %O: memref<{rows}x{N}x{ty}>) {{
  affine.for %i = 0 to {N} {{
    %a = affine.load %A[%i] : memref<{N}x{ty}>
    %b = affine.load %B[%i] : memref<{N}x{ty}>
    {joined}
  }}
  return
}}"""


@pytest.mark.parametrize("ft", [float16, float32, float64], ids=repr)
def test_math_and_float_ops_close_to_numpy(ft: Float) -> None:
    rows = len(UNARY) + len(BINARY) + 1
    sig = Signature("fops", (Arg("A", ft[N]), Arg("B", ft[N]), Arg("O", ft[rows, N])), ())
    kernel = build_llvm(float_kernel(ft.mlir_str()), sig)
    dt = ft.np_dtype
    a = np.array([0.3, 0.5, 1.0, 1.7, 2.5], dt)
    b = np.array([1.5, -0.5, 2.0, 0.25, 3.0], dt)
    out = np.zeros((rows, N), dt)
    kernel(a, b, out)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    expected = [f(a64) for f in UNARY.values()] + [f(a64, b64) for _, f in BINARY.values()]
    expected.append(a64**3)
    names = list(UNARY) + list(BINARY) + ["fpowi"]
    for name, got, want in zip(names, out, expected, strict=True):
        np.testing.assert_allclose(got.astype(np.float64), want.astype(dt).astype(np.float64),
                                   rtol=RTOL[ft.bits], atol=1e-6, err_msg=name)


INT_OPS: dict[str, Callable[[int, int, Int], int]] = {}


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _u(v: int, t: Int) -> int:
    return v & ((1 << t.bits) - 1)


INT_OPS.update({
    "arith.addi": lambda a, b, t: a + b,
    "arith.subi": lambda a, b, t: a - b,
    "arith.muli": lambda a, b, t: a * b,
    "arith.divsi": lambda a, b, t: _trunc_div(a, b),
    "arith.remsi": lambda a, b, t: a - b * _trunc_div(a, b),
    "arith.floordivsi": lambda a, b, t: a // b,
    "arith.ceildivsi": lambda a, b, t: -(-a // b),
    "arith.divui": lambda a, b, t: _u(a, t) // _u(b, t),
    "arith.remui": lambda a, b, t: _u(a, t) % _u(b, t),
    "arith.ceildivui": lambda a, b, t: -(-_u(a, t) // _u(b, t)),
    "arith.minsi": lambda a, b, t: min(a, b),
    "arith.maxsi": lambda a, b, t: max(a, b),
    "arith.minui": lambda a, b, t: min(_u(a, t), _u(b, t)),
    "arith.maxui": lambda a, b, t: max(_u(a, t), _u(b, t)),
    "arith.andi": lambda a, b, t: a & b,
    "arith.ori": lambda a, b, t: a | b,
    "arith.xori": lambda a, b, t: a ^ b,
    "select_slt": lambda a, b, t: a if a < b else b,
    "cmpi_ult": lambda a, b, t: int(_u(a, t) < _u(b, t)),
    "shli3": lambda a, b, t: a << 3,
    "shrsi3": lambda a, b, t: a >> 3,
    "shrui3": lambda a, b, t: _u(a, t) >> 3,
    "absi": lambda a, b, t: abs(a),
    "ipowi3": lambda a, b, t: a**3,
})


def int_kernel(w: int) -> str:
    t, m = f"i{w}", f"memref<{len(INT_OPS)}x{N}xi{w}>"
    body = [f"%c3 = arith.constant 3 : {t}"]
    for k, op in enumerate(INT_OPS):
        if op.startswith("arith."):
            body.append(f"%r{k} = {op} %a, %b : {t}")
        elif op == "select_slt":
            body.append(f"%p{k} = arith.cmpi slt, %a, %b : {t}\n"
                        f"%r{k} = arith.select %p{k}, %a, %b : {t}")
        elif op == "cmpi_ult":
            body.append(f"%p{k} = arith.cmpi ult, %a, %b : {t}\n"
                        f"%r{k} = arith.extui %p{k} : i1 to {t}")
        elif op == "absi":
            body.append(f"%r{k} = math.absi %a : {t}")
        elif op == "ipowi3":
            body.append(f"%r{k} = math.ipowi %a, %c3 : {t}")
        else:
            body.append(f"%r{k} = arith.{op[:-1]} %a, %c3 : {t}")
        body.append(f"affine.store %r{k}, %O[{k}, %i] : {m}")
    joined = "\n    ".join(body)
    return f"""
func.func @iops(%A: memref<{N}x{t}>, %B: memref<{N}x{t}>, %O: {m}) {{
  affine.for %i = 0 to {N} {{
    %a = affine.load %A[%i] : memref<{N}x{t}>
    %b = affine.load %B[%i] : memref<{N}x{t}>
    {joined}
  }}
  return
}}"""


@pytest.mark.parametrize("w", [32, 17, 100, 200], ids=lambda w: f"i{w}")
def test_integer_ops_match_python_models(w: int) -> None:
    t = Int(w)
    sig = Signature("iops", (Arg("A", t[N]), Arg("B", t[N]),
                             Arg("O", t[len(INT_OPS), N])), ())
    kernel = build_llvm(int_kernel(w), sig)
    big = t.max // 3
    xs = [7, -7, big, -big, t.min + 1]
    ys = [2, 3, -5, big // 7 + 1, -3]
    dt = t.np_dtype
    out = np.zeros((len(INT_OPS), N), dtype=dt)  # object zeros are Python ints
    kernel(np.array(xs, dtype=dt), np.array(ys, dtype=dt), out)
    for k, (name, model) in enumerate(INT_OPS.items()):
        want = [t.wrap(model(x, y, t)) for x, y in zip(xs, ys, strict=True)]
        assert [int(v) for v in out[k]] == want, name


def test_casts() -> None:
    src = """
func.func @casts(%F: memref<4xf32>, %I: memref<4xi32>, %C: memref<4xi8>,
                 %H: memref<4xf16>, %D: memref<4xf64>) ->
    (memref<4xi32>, memref<4xi32>, memref<4xf32>, memref<4xf32>, memref<4xf32>,
     memref<4xf32>, memref<4xi64>, memref<4xi32>, memref<4xi32>, memref<4xi32>,
     memref<4xi8>, memref<4xi1>, memref<4xf16>) {
  %o0 = memref.alloc() : memref<4xi32>
  %o1 = memref.alloc() : memref<4xi32>
  %o2 = memref.alloc() : memref<4xf32>
  %o3 = memref.alloc() : memref<4xf32>
  %o4 = memref.alloc() : memref<4xf32>
  %o5 = memref.alloc() : memref<4xf32>
  %o6 = memref.alloc() : memref<4xi64>
  %o7 = memref.alloc() : memref<4xi32>
  %o8 = memref.alloc() : memref<4xi32>
  %o9 = memref.alloc() : memref<4xi32>
  %o10 = memref.alloc() : memref<4xi8>
  %o11 = memref.alloc() : memref<4xi1>
  %o12 = memref.alloc() : memref<4xf16>
  affine.for %i = 0 to 4 {
    %f = affine.load %F[%i] : memref<4xf32>
    %n = affine.load %I[%i] : memref<4xi32>
    %c = affine.load %C[%i] : memref<4xi8>
    %h = affine.load %H[%i] : memref<4xf16>
    %d = affine.load %D[%i] : memref<4xf64>
    %v0 = arith.fptosi %f : f32 to i32
    affine.store %v0, %o0[%i] : memref<4xi32>
    %fa = math.absf %f : f32
    %v1 = arith.fptoui %fa : f32 to i32
    affine.store %v1, %o1[%i] : memref<4xi32>
    %v2 = arith.sitofp %n : i32 to f32
    affine.store %v2, %o2[%i] : memref<4xf32>
    %v3 = arith.uitofp %n : i32 to f32
    affine.store %v3, %o3[%i] : memref<4xf32>
    %v4 = arith.extf %h : f16 to f32
    affine.store %v4, %o4[%i] : memref<4xf32>
    %v5 = arith.truncf %d : f64 to f32
    affine.store %v5, %o5[%i] : memref<4xf32>
    %x = arith.index_cast %n : i32 to index
    %v6 = arith.index_cast %x : index to i64
    affine.store %v6, %o6[%i] : memref<4xi64>
    %v7 = arith.bitcast %f : f32 to i32
    affine.store %v7, %o7[%i] : memref<4xi32>
    %v8 = arith.extsi %c : i8 to i32
    affine.store %v8, %o8[%i] : memref<4xi32>
    %v9 = arith.extui %c : i8 to i32
    affine.store %v9, %o9[%i] : memref<4xi32>
    %v10 = arith.trunci %n : i32 to i8
    affine.store %v10, %o10[%i] : memref<4xi8>
    %v11 = arith.cmpf olt, %f, %v2 : f32
    affine.store %v11, %o11[%i] : memref<4xi1>
    %v12 = arith.truncf %f : f32 to f16
    affine.store %v12, %o12[%i] : memref<4xf16>
  }
  return %o0, %o1, %o2, %o3, %o4, %o5, %o6, %o7, %o8, %o9, %o10, %o11, %o12 :
    memref<4xi32>, memref<4xi32>, memref<4xf32>, memref<4xf32>, memref<4xf32>,
    memref<4xf32>, memref<4xi64>, memref<4xi32>, memref<4xi32>, memref<4xi32>,
    memref<4xi8>, memref<4xi1>, memref<4xf16>
}"""
    results = (int32[4], UInt(32)[4], float32[4], float32[4], float32[4], float32[4],
               Int(64)[4], int32[4], int32[4], int32[4], int8[4], UInt(1)[4], float16[4])
    sig = Signature("casts", (Arg("F", float32[4]), Arg("I", int32[4]), Arg("C", int8[4]),
                              Arg("H", float16[4]), Arg("D", float64[4])), results)
    kernel = build_llvm(src, sig)
    f = np.array([1.75, -2.5, 300.9, -0.25], np.float32)
    n = np.array([5, -3, 1000, -2**31], np.int32)
    c = np.array([-1, 127, -128, 5], np.int8)
    h = np.array([0.5, -1.5, 65504, 1e-3], np.float16)
    d = np.array([1.0 / 3, -1e300, 1e-50, 2.5], np.float64)
    got = kernel(f, n, c, h, d)
    with np.errstate(over="ignore"):
        want = [f.astype(np.int32), np.abs(f).astype(np.uint32), n.astype(np.float32),
                n.view(np.uint32).astype(np.float32), h.astype(np.float32),
                d.astype(np.float32), n.astype(np.int64), f.view(np.int32),
                c.astype(np.int32), c.view(np.uint8).astype(np.int32), n.astype(np.int8),
                (f < n.astype(np.float32)).astype(np.uint8), f.astype(np.float16)]
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g.dtype == w.dtype, k
        np.testing.assert_array_equal(g, w, err_msg=f"result {k}")
