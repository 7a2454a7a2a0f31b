"""Python reference semantics of every op the frontend emits, on bit patterns.

Values: integers of type `iN` are unsigned bit patterns in [0, 2**N); `index` values are
unbounded Python ints; floats `fN` are their IEEE bit patterns (ints). Types are MLIR type
strings ("i32", "index", "f32").

Total semantics (the same as `z3_table`, which follows SMT-LIB bitvectors):
- `divui x 0 = 2**N - 1`, `remui x 0 = x`; `divsi`/`remsi` truncate toward zero and are
  SMT-LIB `bvsdiv`/`bvsrem` (so `divsi x 0` is -1 for x >= 0 and 1 for x < 0, `remsi x 0 = x`,
  `INT_MIN / -1 = INT_MIN`). `floordivsi`/`ceildivsi` adjust that quotient by the remainder.
- shifts by >= N give 0 (`shli`, `shrui`) or the sign fill (`shrsi`).
- LLVM leaves these cases poison/undefined; the frontend guards them with selects.
- `fptosi`/`fptoui` saturate (NaN -> 0), like `llvm.fpto*i.sat`.
- floats are IEEE-754 with round-to-nearest-even: `sitofp`/`uitofp` round the exact integer
  once (never through float64), `maximumf`/`minimumf` are IEEE-754-2019 maximum/minimum
  (NaN if either operand is NaN, +0.0 > -0.0), `maxnumf`/`minnumf` return the non-NaN
  operand (and order zeros the same way; LLVM may return either zero).
Law: for every op, `eval_op` agrees with the Z3 meaning in `z3_table` on constants, and with
the LLVM simulation of the op on every operand where LLVM defines the result (NaN results
match any NaN: LLVM does not fix NaN payloads or signs of arithmetic results). The libm
functions (`exp`, `log`, `log2`, `sin`, `cos`, `tanh`, `powf`) are NumPy's, which may differ
from libm in the last place: they are never constant folded (see `terms`), and a difference
found with them is only reported once the LLVM simulation confirms it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from allo_verify.lang.bit_patterns import (
    FLOAT_NP,
    MANTISSA_BITS,
    bits_to_float,
    float_to_bits,
    int_to_float_bits,
    is_float,
    py_float_bits,  # noqa: F401 - re-exported: symexec reads it from here
    to_signed,
    width,
)

CMPI = ("eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge")
CMPF = ("false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord",
        "ueq", "ugt", "uge", "ult", "ule", "une", "uno", "true")


_M64 = (1 << 64) - 1


def _is_nan_bits(b: int, t: str) -> bool:
    w, p = width(t), MANTISSA_BITS[t]
    exp_mask = ((1 << (w - p)) - 1) << (p - 1)
    return b & exp_mask == exp_mask and b & ((1 << (p - 1)) - 1) != 0


def _ieee_minmax(op: str, a: int, b: int, t: str) -> int:
    """IEEE-754-2019 maximum/minimum (`maximumf`, `minimumf`: NaN wins) and maximumNumber /
    minimumNumber (`maxnumf`, `minnumf`: the number wins), with -0.0 < +0.0, on bit patterns.
    A NaN result is the NaN operand made quiet."""
    quiet = 1 << (MANTISSA_BITS[t] - 2)
    na, nb = _is_nan_bits(a, t), _is_nan_bits(b, t)
    if na or nb:
        if op in ("arith.maximumf", "arith.minimumf") or (na and nb):
            return (a if na else b) | quiet
        return b if na else a
    x, y = float(bits_to_float(a, t)), float(bits_to_float(b, t))
    if x == y:  # equal values: only the zeros have two patterns
        sign = 1 << (width(t) - 1)
        neg_a = bool(a & sign)
        if op in ("arith.maximumf", "arith.maxnumf"):
            return a if not neg_a else b
        return a if neg_a else b
    bigger = x > y
    return a if bigger == (op in ("arith.maximumf", "arith.maxnumf")) else b


def _sdiv(a: int, b: int, w: int) -> int:
    m = (1 << w) - 1
    sa, sb = to_signed(a, w), to_signed(b, w)
    if sb == 0:
        return m if sa >= 0 else 1
    q = abs(sa) // abs(sb)
    return (q if (sa < 0) == (sb < 0) else -q) & m


def _srem(a: int, b: int, w: int) -> int:
    sa, sb = to_signed(a, w), to_signed(b, w)
    if sb == 0:
        return a
    r = abs(sa) % abs(sb)
    return (-r if sa < 0 else r) & ((1 << w) - 1)


def _floordiv(a: int, b: int, w: int) -> int:
    q, r = _sdiv(a, b, w), _srem(a, b, w)
    neg_r, neg_b = to_signed(r, w) < 0, to_signed(b, w) < 0
    return (q - 1) & ((1 << w) - 1) if r != 0 and neg_r != neg_b else q


def _ceildiv(a: int, b: int, w: int) -> int:
    q, r = _sdiv(a, b, w), _srem(a, b, w)
    neg_r, neg_b = to_signed(r, w) < 0, to_signed(b, w) < 0
    return (q + 1) & ((1 << w) - 1) if r != 0 and neg_r == neg_b else q


def _cmpi(p: int, a: int, b: int, w: int) -> int:
    name = CMPI[p]
    if name[0] == "s":
        a, b = to_signed(a, w), to_signed(b, w)
    rel = name if name in ("eq", "ne") else name[1:]
    return int({"eq": a == b, "ne": a != b, "lt": a < b, "le": a <= b,
                "gt": a > b, "ge": a >= b}[rel])


def _cmpf(p: int, x: float, y: float) -> int:
    name = CMPF[p]
    if name in ("false", "true"):
        return int(name == "true")
    uno = math.isnan(x) or math.isnan(y)
    if name == "ord":
        return int(not uno)
    if name == "uno":
        return int(uno)
    rel = name[1:]
    r = {"eq": x == y, "gt": x > y, "ge": x >= y, "lt": x < y, "le": x <= y,
         "ne": x != y}[rel]
    return int(uno or r) if name[0] == "u" else int((not uno) and r)


def fold_defined(op: str, rt: str, at: str, a: list[int]) -> bool:
    """Whether folding `op` on constants `a` gives the value LLVM computes: false only for
    `fptosi`/`fptoui` outside the target's range (or NaN, inf), where LLVM's result is
    undefined (the frontend selects the saturated value itself)."""
    if op not in ("arith.fptosi", "arith.fptoui"):
        return True
    x = float(bits_to_float(a[0], at))
    if not math.isfinite(x):
        return False
    v, w = math.trunc(x), width(rt)
    lo, hi = (-(1 << (w - 1)), 1 << (w - 1)) if op == "arith.fptosi" else (0, 1 << w)
    return lo <= v < hi


def _fp_to_int(x: float, w: int, signed: bool) -> int:
    lo, hi = (-(1 << (w - 1)), (1 << (w - 1)) - 1) if signed else (0, (1 << w) - 1)
    if math.isnan(x):
        return 0
    if math.isinf(x):
        v = hi if x > 0 else lo
    else:
        v = min(max(int(x), lo), hi)
    return v & ((1 << w) - 1)


_FUN1: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "math.exp": np.exp, "math.log": np.log, "math.log2": np.log2, "math.sqrt": np.sqrt,
    "math.sin": np.sin, "math.cos": np.cos, "math.tanh": np.tanh, "math.floor": np.floor,
    "math.absf": np.abs, "arith.negf": np.negative,
}
_FUN2: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "arith.addf": np.add, "arith.subf": np.subtract, "arith.mulf": np.multiply,
    "arith.divf": np.divide, "arith.remf": np.fmod, "math.powf": np.power,
}
_MINMAX_F = frozenset({"arith.minimumf", "arith.maximumf", "arith.minnumf", "arith.maxnumf"})


def eval_op(op: str, rt: str, ats: tuple[str, ...], attr: object, a: list[int]) -> int:
    """Result bit pattern (or index int) of `op` with result type `rt`, operand types `ats`,
    attribute `attr` (the predicate for cmpi/cmpf), on operand values `a`."""
    if rt == "index" and ats and ats[0] == "index" and op in _INDEX_OPS:
        return _INDEX_OPS[op](*a)
    if op == "arith.cmpi" and ats[0] == "index":
        rel = CMPI[int(attr)]  # type: ignore[arg-type]
        rel = rel if rel in ("eq", "ne") else rel[1:]
        x, y = a
        return int({"eq": x == y, "ne": x != y, "lt": x < y, "le": x <= y,
                    "gt": x > y, "ge": x >= y}[rel])
    if is_float(rt) or (ats and is_float(ats[0])):
        return _eval_float(op, rt, ats, attr, a)
    w = width(rt)
    m = (1 << w) - 1
    aw = width(ats[0]) if ats else w
    if op == "arith.cmpi":
        return _cmpi(int(attr), a[0], a[1], aw)  # type: ignore[arg-type]
    if op == "arith.select":
        return a[1] if a[0] else a[2]
    if op == "arith.extsi":
        return to_signed(a[0], aw) & m
    if op in ("arith.extui", "arith.trunci", "arith.bitcast"):
        return a[0] & m
    if op in ("arith.index_cast", "arith.index_castui"):
        if ats[0] == "index":  # index -> iN: the 64-bit pattern, truncated or extended
            return (to_signed(a[0] & _M64, 64) if op == "arith.index_cast" or w <= 64
                    else a[0] & _M64) & m
        # iN -> index: extended (by the op's signedness) or truncated to 64 bits
        v = to_signed(a[0], aw) if op == "arith.index_cast" else a[0]
        return to_signed(v & _M64, 64)
    if op == "math.absi":
        return abs(to_signed(a[0], w)) & m
    f = _INT_OPS[op]
    return f(a[0], a[1], w) & m


_INT_OPS: dict[str, Callable[[int, int, int], int]] = {
    "arith.addi": lambda x, y, w: x + y,
    "arith.subi": lambda x, y, w: x - y,
    "arith.muli": lambda x, y, w: x * y,
    "arith.divui": lambda x, y, w: x // y if y else (1 << w) - 1,
    "arith.remui": lambda x, y, w: x % y if y else x,
    "arith.ceildivui": lambda x, y, w: -(-x // y) if y else (1 << w) - 1,
    "arith.divsi": _sdiv,
    "arith.remsi": _srem,
    "arith.floordivsi": _floordiv,
    "arith.ceildivsi": _ceildiv,
    "arith.andi": lambda x, y, w: x & y,
    "arith.ori": lambda x, y, w: x | y,
    "arith.xori": lambda x, y, w: x ^ y,
    "arith.shli": lambda x, y, w: x << y if y < w else 0,
    "arith.shrui": lambda x, y, w: x >> y if y < w else 0,
    "arith.shrsi": lambda x, y, w: to_signed(x, w) >> min(y, w - 1),
    "arith.minsi": lambda x, y, w: x if to_signed(x, w) <= to_signed(y, w) else y,
    "arith.maxsi": lambda x, y, w: x if to_signed(x, w) >= to_signed(y, w) else y,
    "arith.minui": lambda x, y, w: min(x, y),
    "arith.maxui": lambda x, y, w: max(x, y),
}


def _tdiv(x: int, y: int) -> int:
    if y == 0:
        return 0
    q = abs(x) // abs(y)
    return q if (x < 0) == (y < 0) else -q


_INDEX_OPS: dict[str, Callable[..., int]] = {
    "arith.addi": lambda x, y: x + y,
    "arith.subi": lambda x, y: x - y,
    "arith.muli": lambda x, y: x * y,
    "arith.divsi": _tdiv,
    "arith.remsi": lambda x, y: x - _tdiv(x, y) * y if y else x,
    "arith.floordivsi": lambda x, y: x // y if y else 0,
    "arith.ceildivsi": lambda x, y: -(-x // y) if y else 0,
    "arith.divui": lambda x, y: x // y if y else 0,
    "arith.remui": lambda x, y: x % y if y else x,
    "arith.minsi": min,
    "arith.maxsi": max,
    "arith.minui": min,
    "arith.maxui": max,
    "arith.select": lambda c, x, y: x if c else y,
}


def _eval_float(op: str, rt: str, ats: tuple[str, ...], attr: object, a: list[int]) -> int:
    at = ats[0] if ats else rt
    with np.errstate(all="ignore"):
        if op == "arith.cmpf":
            x, y = (float(bits_to_float(v, at)) for v in a)
            return _cmpf(int(attr), x, y)  # type: ignore[arg-type]
        if op == "arith.select":
            return a[1] if a[0] else a[2]
        if op == "arith.bitcast":
            return a[0]
        if op == "arith.negf":
            return a[0] ^ (1 << (width(rt) - 1))
        if op == "math.absf":
            return a[0] & ((1 << (width(rt) - 1)) - 1)
        if op in ("arith.sitofp", "arith.uitofp"):
            w = width(at)
            v = to_signed(a[0], w) if op == "arith.sitofp" else a[0]
            return int_to_float_bits(v, rt)
        if op in _MINMAX_F:
            return _ieee_minmax(op, a[0], a[1], rt)
        if op in ("arith.fptosi", "arith.fptoui"):
            return _fp_to_int(float(bits_to_float(a[0], at)), width(rt), op == "arith.fptosi")
        xs = [bits_to_float(v, at) for v in a]
        if op in ("arith.extf", "arith.truncf"):
            return float_to_bits(FLOAT_NP[rt](xs[0]), rt)
        if op in _FUN1:
            return float_to_bits(_FUN1[op](xs[0]), rt)
        if op in _FUN2:
            return float_to_bits(_FUN2[op](xs[0], xs[1]), rt)
    raise NotImplementedError(f"no concrete semantics for {op} : {ats} -> {rt}")
