"""Every op of the L2 table, folded by `concrete.eval_op` (and, for interpreted ops, by the Z3
table), agrees with the LLVM simulation of a one-op kernel, at every width and float type.

One kernel per operand type computes all the ops at once (built once per process, see
`llvm_oracle`). Each hypothesis example is a seed from which BATCH rows of operands are
generated (one LLVM call per example; drawing each operand through hypothesis would cost
more than the check): raw bit patterns plus the edge cases
where folds go wrong: rounding ties, values around 2**24 and 2**53, huge integers, the signed
minimum, -0.0, NaNs with payloads, infinities and subnormals. Inputs for which LLVM leaves
the result undefined (division by zero, signed overflow of a division, shifts by the width
or more, float-to-int conversions out of range) are not compared here: the frontend guards
them, and tests/equiv/test_frontend_folds.py checks those guards end to end.
"""

from __future__ import annotations

import math
from random import Random

import numpy as np
import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allo_verify.equiv.concrete import (
    CMPF,
    CMPI,
    bits_to_float,
    eval_op,
    float_to_bits,
    int_to_float_bits,
    is_float,
    to_signed,
)
from allo_verify.equiv.z3_table import Z3_OPS, z3_const
from tests.equiv.llvm_oracle import BATCH, Out, nan_equal, op_kernel

WIDTHS = (1, 3, 8, 16, 17, 24, 32, 33, 53, 64, 65, 127, 128, 129, 200)
FLOATS = ("f16", "f32", "f64")
MANT = {"f16": 11, "f32": 24, "f64": 53}
SETTINGS = settings(max_examples=10, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))

# ----- integer kernels -------------------------------------------------------------------
# inputs: 0 a, 1 b, 2 c (i1), 3 d (divisor != 0), 4 q (dividend, no signed overflow with d),
#         5 s (shift amount < width)
INT_BIN = ("arith.addi", "arith.subi", "arith.muli", "arith.andi", "arith.ori", "arith.xori",
           "arith.minsi", "arith.maxsi", "arith.minui", "arith.maxui")
UDIV = ("arith.divui", "arith.remui", "arith.ceildivui")
SDIV = ("arith.divsi", "arith.remsi", "arith.floordivsi", "arith.ceildivsi")
SHIFTS = ("arith.shli", "arith.shrsi", "arith.shrui")


SEEDS = st.integers(0, 2**32 - 1)  # each example: BATCH rows generated from one seed
LLVM_WIDE_TO_FLOAT_BROKEN = 128  # LLVM 22 converts wider ints to f16/f32 wrongly (see below)


def int_outputs(w: int) -> tuple[Out, ...]:
    t = f"i{w}"
    outs = [Out(op, (0, 1), t) for op in INT_BIN]
    outs += [Out("arith.cmpi", (0, 1), "i1", p) for p in range(len(CMPI))]
    outs += [Out("arith.select", (2, 0, 1), t), Out("math.absi", (0,), t)]
    outs += [Out(op, (0, 3), t) for op in UDIV] + [Out(op, (4, 3), t) for op in SDIV]
    outs += [Out(op, (0, 5), t) for op in SHIFTS]
    for w2 in WIDTHS:
        if w2 > w:
            outs += [Out("arith.extsi", (0,), f"i{w2}"), Out("arith.extui", (0,), f"i{w2}")]
        elif w2 < w:
            outs.append(Out("arith.trunci", (0,), f"i{w2}"))
    for ft in FLOATS:
        if w <= LLVM_WIDE_TO_FLOAT_BROKEN or ft == "f64":
            outs += [Out("arith.sitofp", (0,), ft), Out("arith.uitofp", (0,), ft)]
    outs += [Out("arith.index_cast", (0,), "index"), Out("arith.index_castui", (0,), "index")]
    if f"f{w}" in FLOATS:
        outs.append(Out("arith.bitcast", (0,), f"f{w}"))
    return tuple(outs)


def int_kernel(w: int):  # noqa: ANN201 - an OpKernel
    t = f"i{w}"
    return op_kernel((t, t, "i1", t, t, t), int_outputs(w))


def rounding_int(rng: Random, w: int) -> int:
    """An iN bit pattern that rounds at a float boundary: a significand of p = 11, 24 or 53
    bits followed by a tail that is exactly half an ulp, just above or below it, or half an
    ulp plus a bit that a first rounding to float64 would drop (the double-rounding trap)."""
    p = rng.choice([11, 24, 53])
    tops = [t for t in (p, p + 1, p + 2, p + 5, 54, 55, 60, 63, 64, 65, 100, 127, 128, w)
            if p <= t <= w]
    if not tops:
        return rng.getrandbits(w)
    k = rng.choice(tops) - p
    v = rng.randrange(1 << (p - 1), 1 << p) << k
    if k:
        half = 1 << (k - 1)
        tail = rng.choice([half, half + 1, half - 1, 0, (1 << k) - 1,
                           half + (1 << max(0, k - 1 - 30))])
        v |= tail & ((1 << k) - 1)
    return (-v if rng.random() < 0.5 else v) & ((1 << w) - 1)


def int_bits(rng: Random, w: int) -> int:
    """An iN bit pattern: uniform, an edge, or a `rounding_int`."""
    kind = rng.randrange(3)
    if kind == 0:
        return rng.getrandbits(w)
    if kind == 1:
        return rng.choice([0, 1, 2, (1 << w) - 1, 1 << (w - 1), (1 << (w - 1)) - 1,
                           (1 << (w - 1)) + 1, (1 << w) - 2]) & ((1 << w) - 1)
    return rounding_int(rng, w)


def int_rows(seed: int, w: int, n: int = BATCH) -> list[list[int]]:
    """`n` rows of operands for `int_kernel(w)` (see `_int_inputs`)."""
    rng = Random(seed)
    return [_int_inputs(w, int_bits(rng, w), int_bits(rng, w), rng.randrange(2),
                        int_bits(rng, w), rng.randrange(512)) for _ in range(n)]


def _int_inputs(w: int, a: int, b: int, c: int, d: int, s: int) -> list[int]:
    m = (1 << w) - 1
    d = d & m or 1
    q = a
    if to_signed(d, w) == -1 and a == 1 << (w - 1):
        q = 0  # INT_MIN / -1 overflows: LLVM leaves it undefined (x86 traps)
    return [a, b, c & 1, d & m, q, s % w]


def _mismatch(op: str, rt: str, ats: tuple[str, ...], args: list[int], got: int,
              want: int) -> str:
    def show(v: int, t: str) -> str:
        return f"{v:#x}" + (f" ({bits_to_float(v, t)!r})" if is_float(t) else "")
    return (f"{op} {ats}->{rt} on {[show(x, t) for x, t in zip(args, ats, strict=True)]}: "
            f"LLVM {show(got, rt)}, fold {show(want, rt)}")


@pytest.mark.parametrize("w", WIDTHS)
def test_int_ops_fold_like_llvm(w: int) -> None:
    k = int_kernel(w)
    t = f"i{w}"

    @SETTINGS
    @given(SEEDS)
    def agree(seed: int) -> None:
        inputs = int_rows(seed, w)
        for ins, got in zip(inputs, k.run_rows(inputs), strict=True):
            for o, g in zip(k.outputs, got, strict=True):
                ats = tuple(k.inputs[i] for i in o.args)
                args = [ins[i] for i in o.args]
                want = eval_op(o.op, o.rt, ats, o.attr, args)
                if o.rt == "index":
                    g = to_signed(g & ((1 << 64) - 1), 64)
                assert g == want, _mismatch(o.op, o.rt, ats, args, g, want)
    assert t in k.inputs
    agree()


@pytest.mark.parametrize("w", [w for w in WIDTHS if w > 11])
def test_int_to_float_rounding_like_llvm(w: int) -> None:
    """sitofp/uitofp on integers built to sit on or next to a rounding tie."""
    k = int_kernel(w)

    @SETTINGS
    @given(SEEDS)
    def agree(seed: int) -> None:
        rng = Random(seed)
        values = [rounding_int(rng, w) for _ in range(BATCH)]
        inputs = [_int_inputs(w, a, 0, 0, 1, 0) for a in values]
        for a, got in zip(values, k.run_rows(inputs), strict=True):
            for o, g in zip(k.outputs, got, strict=True):
                if o.op in ("arith.sitofp", "arith.uitofp"):
                    want = eval_op(o.op, o.rt, (f"i{w}",), None, [a])
                    assert g == want, _mismatch(o.op, o.rt, (f"i{w}",), [a], g, want)
    agree()


def _z3_value(op: str, rt: str, ats: tuple[str, ...], attr: int | None, args: list[int]) -> int:
    e = z3.simplify(Z3_OPS[op]([z3_const(v, t) for v, t in zip(args, ats, strict=True)], rt,
                               ats, attr))
    return 1 if z3.is_true(e) else 0 if z3.is_false(e) else int(e.as_long())


@pytest.mark.parametrize("w", (1, 3, 8, 17, 32, 64, 65, 128, 200))
def test_int_ops_z3_table_like_llvm(w: int) -> None:
    k = int_kernel(w)

    @settings(SETTINGS, max_examples=3)
    @given(SEEDS)
    def agree(seed: int) -> None:
        rows = int_rows(seed, w)
        for ins, got in zip(rows, k.run_rows(rows), strict=True):
            check(ins, got)

    def check(ins: list[int], got: list[int]) -> None:
        for o, g in zip(k.outputs, got, strict=True):
            ats = tuple(k.inputs[i] for i in o.args)
            if is_float(o.rt) or o.op in ("arith.sitofp", "arith.uitofp"):
                continue  # uninterpreted in the exact tier
            args = [ins[i] for i in o.args]
            want = _z3_value(o.op, o.rt, ats, o.attr, args)
            if o.rt == "index":
                g = to_signed(g & ((1 << 64) - 1), 64)
            assert g == want, _mismatch(o.op, o.rt, ats, args, g, want)
    agree()


def test_issue_example_sitofp_rounds_once() -> None:
    """float32(2**60 + 2**36 + 1): through float64 it is a tie (2**60 + 2**36) and rounds to
    even (2**60); rounded once it is above the tie: 2**60 + 2**37."""
    v = 2**60 + 2**36 + 1
    k = int_kernel(64)
    got = dict(zip(k.outputs, k.run([v, 0, 0, 1, 0, 0]), strict=True))
    want = int_to_float_bits(2**60 + 2**37, "f32")
    assert got[Out("arith.sitofp", (0,), "f32")] == want
    assert eval_op("arith.sitofp", "f32", ("i64",), None, [v]) == want
    assert eval_op("arith.uitofp", "f32", ("i64",), None, [v]) == want
    assert float_to_bits(np.float32(float(v)), "f32") != want  # the double rounding


def test_llvm_wide_int_to_narrow_float_is_still_broken() -> None:
    """LLVM 22 converts integers wider than 128 bits to f16/f32 wrongly, so the frontend goes
    through f64 and L2 refuses the direct op (tests/equiv/test_index_and_constants.py). When
    a newer LLVM fixes it, this test fails: then drop LLVM_WIDE_TO_FLOAT_BROKEN."""
    k = op_kernel(("i200",), (Out("arith.sitofp", (0,), "f32"),))
    v = 3 << 150
    assert k.run([v])[0] != int_to_float_bits(v, "f32")


# ----- float kernels ---------------------------------------------------------------------
# inputs: 0 x, 1 y, 2 c (i1)
FLOAT_BIN = ("arith.addf", "arith.subf", "arith.mulf", "arith.divf", "arith.remf",
             "arith.maximumf", "arith.minimumf", "arith.maxnumf", "arith.minnumf")
FLOAT_UN = ("arith.negf", "math.absf", "math.sqrt", "math.floor")
EXACT_BITS = frozenset({"arith.negf", "math.absf", "arith.select", "arith.bitcast"})
TO_INT = (1, 8, 16, 17, 32, 33, 64, 65, 128)


def float_outputs(ft: str) -> tuple[Out, ...]:
    outs = [Out(op, (0, 1), ft) for op in FLOAT_BIN] + [Out(op, (0,), ft) for op in FLOAT_UN]
    outs += [Out("arith.cmpf", (0, 1), "i1", p) for p in range(len(CMPF))]
    outs += [Out("arith.select", (2, 0, 1), ft), Out("arith.bitcast", (0,), f"i{ft[1:]}")]
    for f2 in FLOATS:
        if MANT[f2] > MANT[ft]:
            outs.append(Out("arith.extf", (0,), f2))
        elif MANT[f2] < MANT[ft]:
            outs.append(Out("arith.truncf", (0,), f2))
    for w in TO_INT:
        outs += [Out("arith.fptosi", (0,), f"i{w}"), Out("arith.fptoui", (0,), f"i{w}")]
    return tuple(outs)


def float_bits(rng: Random, ft: str) -> int:
    """A float bit pattern: raw bits (every NaN payload, subnormals), a special value, a
    moderate magnitude, a float near a rounding tie of a narrower type, or a float at the
    boundary of an integer range."""
    w, p = int(ft[1:]), MANT[ft]
    kind = rng.randrange(5)
    if kind == 0:
        return rng.getrandbits(w)
    if kind == 1:
        return float_to_bits(rng.choice(SPECIALS), ft)
    if kind == 2:  # moderate magnitudes, where most arithmetic happens
        e = rng.randint(-12, 12) + (1 << (w - p - 1)) - 1
        return (rng.randrange(2) << (w - 1)) | (e << (p - 1)) | rng.getrandbits(p - 1)
    if kind == 3:  # halfway between two neighbours of a narrower type (a truncf tie), +- ulp
        narrow = rng.choice([f for f in FLOATS if MANT[f] < p] or [ft])
        nw, np_ = int(narrow[1:]), MANT[narrow]
        bits = rng.getrandbits(nw)
        if bits >> (np_ - 1) & ((1 << (nw - np_)) - 1) == (1 << (nw - np_)) - 1:
            bits ^= 1 << (np_ - 1)  # not inf/NaN
        fa = np.array([bits_to_float(bits, narrow)])
        b = np.nextafter(fa, np.array([np.inf], dtype=fa.dtype))
        x = np.array([(float(fa[0]) + float(b[0])) / 2], dtype=f"float{w}")
    else:
        k = rng.choice(TO_INT)
        v = rng.choice([2.0 ** (k - 1), 2.0**k, -(2.0 ** (k - 1)), -1.0, -0.75, 0.75])
        with np.errstate(over="ignore"):
            x = np.array([v], dtype=f"float{w}")
    step = rng.choice([0, 1, -1])
    if step:
        x = np.nextafter(x, np.array([step * np.inf], dtype=x.dtype))
    return float_to_bits(x[0], ft)


SPECIALS = [0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5,
            65504.0, 65520.0, 2.0**24 + 1, 2.0**53 + 2, 2.0**63, -(2.0**63), 2.0**64, 2.0**31,
            -(2.0**31) - 1, 5e-324, 1e-45, 6e-8, 2.0**-1022]


def float_rows(seed: int, ft: str, n: int = BATCH) -> list[list[int]]:
    rng = Random(seed)
    return [[float_bits(rng, ft), float_bits(rng, ft), rng.randrange(2)] for _ in range(n)]


def _fp_to_int_defined(x: float, op: str, w: int) -> bool:
    """LLVM defines fptosi/fptoui only when the truncated value fits the target."""
    if not math.isfinite(x):
        return False
    v = math.trunc(x)
    if op == "arith.fptosi":
        return -(1 << (w - 1)) <= v < 1 << (w - 1)
    return 0 <= v < 1 << w


def _float_agrees(op: str, rt: str, got: int, want: int, args: list[int], at: str) -> bool:
    if op in EXACT_BITS or not is_float(rt):
        return got == want
    if op in ("arith.maxnumf", "arith.minnumf"):
        x, y = (float(bits_to_float(v, at)) for v in args)
        if x == y == 0.0:  # LLVM may return either zero
            return float(bits_to_float(got, rt)) == 0.0 and float(bits_to_float(want, rt)) == 0.0
    return nan_equal(got, want, rt)


@pytest.mark.parametrize("ft", FLOATS)
def test_float_ops_fold_like_llvm(ft: str) -> None:
    k = op_kernel((ft, ft, "i1"), float_outputs(ft))

    @settings(SETTINGS, max_examples=40)
    @given(SEEDS)
    def agree(seed: int) -> None:
        rows = float_rows(seed, ft)
        for ins, got in zip(rows, k.run_rows(rows), strict=True):
            x = ins[0]
            for o, g in zip(k.outputs, got, strict=True):
                ats = tuple(k.inputs[i] for i in o.args)
                args = [ins[i] for i in o.args]
                if o.op in ("arith.fptosi", "arith.fptoui") and not _fp_to_int_defined(
                        float(bits_to_float(x, ft)), o.op, int(o.rt[1:])):
                    continue
                want = eval_op(o.op, o.rt, ats, o.attr, args)
                assert _float_agrees(o.op, o.rt, g, want, args, ft), \
                    _mismatch(o.op, o.rt, ats, args, g, want)
    agree()


@pytest.mark.parametrize("ft", FLOATS)
def test_float_bit_ops_z3_table_like_llvm(ft: str) -> None:
    """The float ops Z3 interprets exactly (negf, absf, select, bitcast, cmpf true/false)."""
    k = op_kernel((ft, ft, "i1"), float_outputs(ft))

    @settings(SETTINGS, max_examples=3)
    @given(SEEDS)
    def agree(seed: int) -> None:
        rows = float_rows(seed, ft)
        for ins, got in zip(rows, k.run_rows(rows), strict=True):
            check(ins, got)

    def check(ins: list[int], got: list[int]) -> None:
        for o, g in zip(k.outputs, got, strict=True):
            exact_cmp = o.op == "arith.cmpf" and CMPF[o.attr or 0] in ("false", "true")
            if o.op not in EXACT_BITS and not exact_cmp:
                continue
            ats = tuple(k.inputs[i] for i in o.args)
            args = [ins[i] for i in o.args]
            assert _z3_value(o.op, o.rt, ats, o.attr, args) == g
    agree()


def test_ieee_maximum_minimum_signed_zero_and_nan() -> None:
    """The cases NumPy's maximum/minimum get wrong, checked against LLVM directly."""
    ft = "f32"
    k = op_kernel((ft, ft, "i1"), float_outputs(ft))
    pz, nz, one = float_to_bits(0.0, ft), float_to_bits(-0.0, ft), float_to_bits(1.0, ft)
    nan = float_to_bits(math.nan, ft)
    for x, y in [(pz, nz), (nz, pz), (nz, nz), (nan, one), (one, nan)]:
        got = dict(zip(k.outputs, k.run([x, y, 0]), strict=True))
        for op in ("arith.maximumf", "arith.minimumf"):
            want = eval_op(op, ft, (ft, ft), None, [x, y])
            assert nan_equal(got[Out(op, (0, 1), ft)], want, ft), (op, x, y)
    assert eval_op("arith.maximumf", ft, (ft, ft), None, [nz, pz]) == pz
    assert eval_op("arith.minimumf", ft, (ft, ft), None, [pz, nz]) == nz


# ----- index values as data (64-bit in LLVM, so in L2) -----------------------------------
INDEX_BIN = ("arith.addi", "arith.subi", "arith.muli", "arith.andi", "arith.ori",
             "arith.xori", "arith.minsi", "arith.maxsi", "arith.minui", "arith.maxui")


def test_index_data_ops_are_64_bit_like_llvm() -> None:
    """L2 computes on index data as i64 terms; LLVM's index ops are 64-bit ops."""
    outs = tuple(Out(op, (0, 1), "index") for op in INDEX_BIN)
    outs += tuple(Out("arith.cmpi", (0, 1), "i1", p) for p in range(len(CMPI)))
    outs += tuple(Out(op, (0,), f"i{w}") for op in ("arith.index_cast", "arith.index_castui")
                  for w in (1, 8, 33, 64, 65, 128))
    k = op_kernel(("index", "index"), outs)
    m = (1 << 64) - 1

    @SETTINGS
    @given(SEEDS)
    def agree(seed: int) -> None:
        rng = Random(seed)
        rows = [(int_bits(rng, 64), int_bits(rng, 64)) for _ in range(BATCH)]
        ins = [[to_signed(a, 64), to_signed(b, 64)] for a, b in rows]
        for (a, b), got in zip(rows, k.run_rows(ins), strict=True):
            check(a, b, got)

    def check(a: int, b: int, got: list[int]) -> None:
        x, y = to_signed(a, 64), to_signed(b, 64)
        for o, g in zip(k.outputs, got, strict=True):
            if o.op.startswith("arith.index_cast"):
                w = int(o.rt[1:])
                ext = "arith.extsi" if o.op == "arith.index_cast" else "arith.extui"
                op = ext if w > 64 else "arith.trunci" if w < 64 else "arith.bitcast"
                want = eval_op(op, o.rt, ("i64",), None, [a])
            else:
                rt = "i64" if o.rt == "index" else o.rt
                want = eval_op(o.op, rt, ("i64", "i64"), o.attr, [a, b])
                g &= m
            assert g == want, (o, x, y, g, want)
    agree()
