"""Kernel structure and the MLIR module: calls to other kernels (one func.func per callee),
local arrays from nested lists and module-level NumPy arrays, constants from an enclosing
scope, tuple returns, in-place argument updates, function signatures, loop names, and
re-parsing the printed module in a fresh context."""

import re

import mlir.ir
import numpy as np
import pytest
from lang_util import as_ints, build, carrier

import allo_verify as av
from allo_verify import Fixed, Int, float32, grid, int8, int32, reduction

N = 4


# ---------------------------------------------------------------- helpers


def walk_preorder(op):
    """Every operation nested in `op` (an OpView or Operation), parents before children."""
    for region in op.regions:
        for block in region.blocks:
            for child in block.operations:
                yield child
                yield from walk_preorder(child)


def funcs(module) -> dict:
    """The func.func ops of a module, by symbol name."""
    out = {}
    for op in walk_preorder(module.operation):
        if op.operation.name == "func.func":
            name = mlir.ir.StringAttr(op.operation.attributes["sym_name"]).value
            out[name] = op
    return out


def loop_names(func_op) -> list[str]:
    names = []
    for op in walk_preorder(func_op):
        if op.operation.name in ("affine.for", "scf.for"):
            names.append(mlir.ir.StringAttr(op.operation.attributes["loop_name"]).value)
    return names


# ---------------------------------------------------------------- calls


def square(x: int32) -> int32:
    return x * x


def sum_of_squares(a: int32, b: int32) -> int32:
    return square(a) + square(b)


def test_callee_called_twice_is_one_function():
    s = av.customize(sum_of_squares)
    text = str(s.module)
    assert len(re.findall(r"\bfunc\.func\b", text)) == 2, text
    assert len(re.findall(r"\bcall\b", text)) >= 2
    assert set(funcs(s.module)) == {"sum_of_squares", "square"}
    assert int(s.build()(3, -4)) == 25


def scale_into(A: int32[N], B: int32[N], k: int32):
    for i in range(N):
        B[i] = A[i] * k


def add_vec(A: int32[N], B: int32[N]) -> int32[N]:
    C: int32[N] = 0
    for i in range(N):
        C[i] = A[i] + B[i]
    return C


def chain(A: int32[N]) -> int32[N]:
    T: int32[N] = 0
    U: int32[N] = 0
    scale_into(A, T, 2)  # writes into T
    scale_into(T, U, 3)
    V: int32[N] = add_vec(U, A)
    W: int32[N] = add_vec(V, T)
    return W


def test_calls_with_arrays_in_and_out():
    s = av.customize(chain)
    assert set(funcs(s.module)) == {"chain", "scale_into", "add_vec"}
    a = np.array([1, -2, 30, 7], dtype=np.int32)
    np.testing.assert_array_equal(s.build()(a), 6 * a + a + 2 * a)


# ---------------------------------------------------------------- local arrays, constants

KERN = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.int32)
FVALS = np.array([0.5, -1.25, 3.0, 1e-3], dtype=np.float32)


def local_arrays(A: int32[2, 3], X: float32[N]) -> (int32[2, 3], int32, float32[N]):
    W: int32[2, 3] = [[1, 2, 3], [4, 5, 6]]
    K: int32[3, 3] = KERN
    F: float32[N] = FVALS
    P: int32[2, 3] = 0
    for i, j in grid(2, 3):
        P[i, j] = A[i, j] * W[i, j]
    t: int32 = 0
    for i, j in grid(3, 3):
        t += K[i, j]
    Y: float32[N] = 0.0
    for i in range(N):
        Y[i] = X[i] * F[i]
    return P, t, Y


def test_local_arrays_from_list_and_numpy_and_tuple_return():
    a = np.array([[1, 1, 1], [-1, 2, 3]], dtype=np.int32)
    x = np.array([2.0, 4.0, -1.0, 1000.0], dtype=np.float32)
    out = build(local_arrays)(a, x)
    assert isinstance(out, tuple) and len(out) == 3
    p, t, y = out
    np.testing.assert_array_equal(p, a * np.array([[1, 2, 3], [4, 5, 6]]))
    assert int(t) == int(KERN.sum())
    np.testing.assert_array_equal(y, x * FVALS)


I128 = Int(128)
BIG = np.array([(1 << 100) + 7, -(1 << 120), 3, -1], dtype=object)


def local_wide_from_numpy(A: I128[N]) -> I128[N]:
    B: I128[N] = BIG
    C: I128[N] = 0
    for i in range(N):
        C[i] = A[i] + B[i]
    return C


def test_local_wide_array_from_object_array():
    a = carrier([1, 1 << 120, -4, 0], 128, True)
    c = build(local_wide_from_numpy)(a)
    assert as_ints(c) == [(1 << 100) + 8, 0, -1, -1]


def make_scaler(n: int, factor: int):
    def scaler(A: int32[n]) -> int32[n]:
        B: int32[n] = 0
        for i in range(n):
            B[i] = A[i] * factor
        return B

    return scaler


@pytest.mark.parametrize("n,factor", [(5, 7), (3, -2)])
def test_constants_from_enclosing_function_scope(n, factor):
    f = av.customize(make_scaler(n, factor)).build()
    a = np.arange(n, dtype=np.int32) + 1
    np.testing.assert_array_equal(f(a), a * factor)


def make_first(n: int):
    def first(A: int32[n]) -> int32:  # `n` appears only in the signature
        return A[0]

    return first


def test_enclosing_constant_used_only_in_the_signature():
    f = av.customize(make_first(3)).build()
    assert int(f(np.array([9, 8, 7], dtype=np.int32))) == 9


def increment_in_place(A: int32[N, N], d: int32):
    for i, j in grid(N, N):
        A[i, j] = A[i, j] + d


def test_argument_array_updated_in_place():
    a = np.arange(N * N, dtype=np.int32).reshape(N, N)
    before = a.copy()
    build(increment_in_place)(a, 5)
    np.testing.assert_array_equal(a, before + 5)


def tuple_scalars(a: int32, b: int32) -> (int32, int8):
    return a + b, a - b


def test_tuple_of_scalars():
    s, d = build(tuple_scalars)(100, 30)
    assert int(s) == 130 and int(d) == 70


# ---------------------------------------------------------------- signatures, loop names

I17 = Int(17)
FX = Fixed(16, 8)


def typed_signature(A: int8[2, 3], x: I17, y: FX, z: float32) -> I17[5]:
    B: I17[5] = 0
    B[0] = A[0, 0] + y
    B[1] = z
    B[2] = x
    return B


def test_function_signature_types():
    s = av.customize(typed_signature)
    fn = funcs(s.module)["typed_signature"]
    ftype = mlir.ir.FunctionType(mlir.ir.TypeAttr(fn.operation.attributes["function_type"]).value)
    assert [str(t) for t in ftype.inputs] == ["memref<2x3xi8>", "i17", "i16", "f32"]
    assert [str(t) for t in ftype.results] == ["memref<5xi17>"]


def named_loops(A: int32[N, N]) -> int32:
    s: int32 = 0
    for i in range(N):
        s += A[i, 0]
    for i in range(N):
        for j in range(N):
            s += A[i, j]
    for i, j in grid(N, N):
        for k in reduction(2):
            s += A[i, j] * k
    return s


def test_loop_names_with_duplicates():
    s = av.customize(named_loops)
    fn = funcs(s.module)["named_loops"]
    assert loop_names(fn) == ["i", "i_1", "j", "i_2", "j_1", "k"]
    text = str(s.module)
    for name in ("i", "i_1", "i_2", "j", "j_1", "k"):
        assert f'loop_name = "{name}"' in text
    a = np.arange(N * N, dtype=np.int32).reshape(N, N)
    assert int(s.build()(a)) == int(a[:, 0].sum() + a.sum() + a.sum())


def loop_names_per_kernel(A: int32[N]) -> int32[N]:
    B: int32[N] = 0
    for i in range(N):
        B[i] = A[i]
    C: int32[N] = add_vec(A, B)
    return C


def test_loop_names_restart_in_each_function():
    s = av.customize(loop_names_per_kernel)
    fs = funcs(s.module)
    for name in ("loop_names_per_kernel", "add_vec"):
        names = loop_names(fs[name])
        assert len(set(names)) == len(names), names  # unique within a function
        # loops the frontend generates (array initialization) are named "<array>.<...>"
        assert [n for n in names if "." not in n] == ["i"], names


# ---------------------------------------------------------------- re-parse


def gemm(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
    C: int32[N, N] = 0
    for i, j in grid(N, N):
        for k in reduction(N):
            C[i, j] += A[i, k] * B[k, j]
    return C


def mixed(A: I128[N], x: FX, F: float32[N]) -> (I128, float32):
    s: I128 = 0
    f: float32 = 0.0
    i: int32 = 0
    while i < N:
        s += A[i] * x
        f = max(f, av.exp(F[i]))
        i += 1
    return s, f


REPARSE = [gemm, mixed, chain, local_arrays, named_loops, typed_signature, sum_of_squares,
           local_wide_from_numpy]


@pytest.mark.parametrize("kernel", REPARSE, ids=[k.__name__ for k in REPARSE])
def test_printed_module_reparses_and_verifies(kernel):
    s = av.customize(kernel)
    assert isinstance(s.module, mlir.ir.Module)
    text = str(s.module)
    with mlir.ir.Context():
        again = mlir.ir.Module.parse(text)
        assert again.operation.verify()
        assert set(funcs(again)) == set(funcs(s.module))
