"""A local scalar read where its assignment may not have run has one defined value: 0.

Regression (issue 8): a scalar assigned only inside a loop that runs no iteration, then
returned, read an uninitialized stack slot (a different value on every run). Scalars are
now zero-initialized at the function entry whenever some use lies outside the block of
the statement that first assigns them (as local arrays are zero-filled); a scalar whose
first assignment runs before every use gets no extra store, so the IR of the common
"declare inside the loop, use inside the loop" pattern (the private accumulator the L1
checker recognizes) is unchanged.
"""

import numpy as np
from lang_util import build

import allo_verify as av
from allo_verify import Fixed, float32, float64, int16, int32, int64, uint8


def last_below(A: int32[6], limit: int32) -> int32:  # noqa: N803
    i: int32 = 0
    while i < 6 and A[i] < limit:
        last = A[i]
        i += 1
    return last


def taken_only_if_positive(x: float32) -> float32:
    if x > 100.0:
        y = x * 2.0
    return y


def fixed_sum(A: Fixed(8, 2)[4], n: int32) -> Fixed(8, 2):  # noqa: N803
    for i in range(n):
        acc: Fixed(8, 2) = A[i]
    return acc


def float64_in_empty_range(A: float64[3], lo: int32, hi: int32) -> float64:  # noqa: N803
    for i in range(lo, hi):
        v = A[i] + 1.0
    return v


def ternary_in_loop(n: uint8) -> int64:
    k: int16 = 0
    while k < n:
        w: int64 = k * 3
        k += 1
    return w


def private_accumulator(A: int32[4, 4], bias: int32[4]) -> int32[4]:  # noqa: N803
    out: int32[4] = 0
    for o in range(4):
        acc: int32 = bias[o]
        for k in range(4):
            acc += A[o, k]
        out[o] = acc
    return out


def _py(x):  # noqa: ANN001, ANN202 - a kernel result
    return x.item() if hasattr(x, "item") else x


def two_nests(A: int32[4], B: int32[4]) -> int32[4]:  # noqa: N803
    C: int32[4] = 0
    for i in range(4):
        t: int32 = A[i]
        C[i] = t
    for j in range(4):
        t: int32 = B[j]
        C[j] += t
    return C


def both_branches(x: int32) -> int32:
    if x > 0:
        s = x
    else:
        s = -x
    return s


def cond_reads_body_scalar(A: int32[4]) -> int32:  # noqa: N803
    i: int32 = 0
    while i < 3 and A[0] != 0:
        i += 1
        flag = A[i]
    return flag + i


def _runs(f, *args, n: int = 6):  # noqa: ANN001, ANN202 - a built kernel
    return [_py(f(*[a.copy() if isinstance(a, np.ndarray) else a for a in args]))
            for _ in range(n)]


def test_zero_trip_while_returns_zero_every_run() -> None:
    f = build(last_below)
    A = np.array([9, 1, 2, 3, 4, 5], dtype=np.int32)
    assert _runs(f, A, 5) == [0] * 6          # the first element stops the loop at once
    assert _py(f(np.array([1, 2, 3, 9, 4, 5], dtype=np.int32), 5)) == 3


def test_branch_never_taken_float() -> None:
    f = build(taken_only_if_positive)
    assert _runs(f, np.float32(1.5)) == [0.0] * 6
    assert _py(f(np.float32(150.0))) == 300.0


def test_fixed_point_zero_trip_loop() -> None:
    f = build(fixed_sum)
    q = av.to_fixed(np.array([1.25, -0.5, 2.0, 0.75]), Fixed(8, 2))
    assert _runs(f, q, 0) == [0] * 6
    assert av.from_fixed(f(q, 3), Fixed(8, 2)) == 2.0


def test_float64_empty_range_with_runtime_bounds() -> None:
    f = build(float64_in_empty_range)
    A = np.array([1.0, 2.0, 3.0])
    assert _runs(f, A, 2, 2) == [0.0] * 6
    assert _runs(f, A, 3, 1) == [0.0] * 6     # hi < lo: no iteration either
    assert _py(f(A, 0, 2)) == 3.0


def test_declared_type_inside_while() -> None:
    f = build(ternary_in_loop)
    assert _runs(f, np.uint8(0)) == [0] * 6
    assert _py(f(np.uint8(5))) == 12


def _entry_stores(fn) -> set[str]:  # noqa: ANN001 - a kernel
    """Buffer names of the scalars stored to directly in the entry block, before any
    loop or branch."""
    s = av.customize(fn)
    func = next(op for op in s.original.body.operations if op.operation.name == "func.func")
    slots: dict[str, str] = {}
    out: set[str] = set()
    for op in func.operation.regions[0].blocks[0].operations:
        op = op.operation
        if op.name == "memref.alloca":
            slots[op.results[0].get_name()] = str(op.attributes["buffer_name"]).strip('"')
        elif op.name == "affine.store":
            name = op.operands[1].get_name()
            if name in slots:
                out.add(slots[name])
        elif op.name in ("affine.for", "scf.for", "scf.while", "scf.if", "affine.if"):
            break
    return out


def test_zero_store_exactly_where_needed() -> None:
    assert "last" in _entry_stores(last_below)
    assert "y" in _entry_stores(taken_only_if_positive)
    assert "acc" in _entry_stores(fixed_sum)
    assert "acc" not in _entry_stores(private_accumulator)  # first assignment runs first
    assert "t" not in _entry_stores(two_nests)  # each nest assigns before it reads
    assert "s" not in _entry_stores(both_branches)  # every path assigns it
    assert "flag" in _entry_stores(cond_reads_body_scalar)


def test_variants_compute_the_same_as_python() -> None:
    A, B = np.array([1, 2, 3, 4], dtype=np.int32), np.array([5, 6, 7, 8], dtype=np.int32)
    assert (build(two_nests)(A, B) == A + B).all()
    assert [_py(build(both_branches)(np.int32(v))) for v in (-3, 0, 4)] == [3, 0, 4]
    f = build(cond_reads_body_scalar)
    assert _py(f(np.array([0, 7, 8, 9], dtype=np.int32))) == 0  # no iteration: flag is 0
    assert _py(f(np.array([1, 7, 8, 9], dtype=np.int32))) == 9 + 3


def test_private_accumulator_still_private() -> None:
    s = av.customize(private_accumulator)
    s.parallel("o")  # accepted: acc is overwritten at the start of every iteration
    A = np.arange(16, dtype=np.int32).reshape(4, 4)
    b = np.array([1, -1, 2, 0], dtype=np.int32)
    assert (s.build()(A, b) == A.sum(axis=1) + b).all()
