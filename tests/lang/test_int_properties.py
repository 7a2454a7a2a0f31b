"""Property tests: integer arithmetic and casts over widths 1..128, signed and unsigned,
against a Python reference model written from the typing table.

Each example draws two operand types, a store target type and a few values. One kernel per
type combination computes every operator; results go (a) into an Int(300) array, which holds
every intermediate of the table exactly, and (b) into an array of the target type, which
shows the truncation (wrap) on store. Built kernels are cached per type combination.
"""

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lang_util import as_ints, build, carrier, int_range, wrap, zeros

from allo_verify import Int

N = 6
WIDE = Int(300)


# ----------------------------------------------------------------- the reference model


@dataclass(frozen=True)
class T:
    """An integer type of the model: width and signedness."""

    bits: int
    signed: bool

    @property
    def lo(self) -> int:
        return int_range(self.bits, self.signed)[0]

    @property
    def hi(self) -> int:
        return int_range(self.bits, self.signed)[1]

    def holds(self, v: int) -> bool:
        return self.lo <= v <= self.hi

    def dtype(self) -> Int:
        return Int(self.bits, self.signed)


def sw(t: T) -> int:
    return t.bits if t.signed else t.bits + 1


def common(a: T, b: T) -> T:
    if not a.signed and not b.signed:
        return T(max(a.bits, b.bits), False)
    return T(max(sw(a), sw(b)), True)


def result_type(op: str, a: T, b: T) -> T:
    """The typing table, rewritten for the model (widths here stay below the 512 cap)."""
    u = not a.signed and not b.signed
    if op == "+":
        return T(max(a.bits, b.bits) + 1, False) if u else T(max(sw(a), sw(b)) + 1, True)
    if op == "-":
        return T(max(sw(a), sw(b)) + 1, True)
    if op == "**2":  # repeated `*`: a * a
        return T(2 * a.bits, False) if not a.signed else T(2 * sw(a), True)
    if op == "*":
        return T(a.bits + b.bits, False) if u else T(sw(a) + sw(b), True)
    if op in ("/", "//", "%"):
        return common(a, b) if u else T(max(sw(a), sw(b)) + 1, True)
    if op in ("&", "|", "^", "min", "max"):
        return common(a, b)
    if op in ("<", "<=", ">", ">=", "==", "!="):
        return T(1, False)
    if op in ("<<", ">>", "~"):
        return a
    raise KeyError(op)


def trunc_div(x: int, y: int) -> int:
    if y == 0:
        return 0
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


def binary(op: str, a: int, b: int, ta: T, tb: T) -> int:
    """Value of `a op b` in its table result type (operands already in range)."""
    rt = result_type(op, ta, tb)
    if op == "+":
        v = a + b
    elif op == "-":
        v = a - b
    elif op == "*":
        v = a * b
    elif op == "**2":
        v = a * a
    elif op == "/":
        v = trunc_div(a, b)
    elif op == "//":
        v = 0 if b == 0 else a // b
    elif op == "%":
        v = a if b == 0 else a % b
    elif op == "&":
        v = a & b
    elif op == "|":
        v = a | b
    elif op == "^":
        v = a ^ b
    elif op == "min":
        v = min(a, b)
    elif op == "max":
        v = max(a, b)
    elif op == "<":
        v = int(a < b)
    elif op == "<=":
        v = int(a <= b)
    elif op == ">":
        v = int(a > b)
    elif op == ">=":
        v = int(a >= b)
    elif op == "==":
        v = int(a == b)
    elif op == "!=":
        v = int(a != b)
    elif op == "<<":
        v = 0 if b < 0 or b >= ta.bits else wrap(a << b, ta.bits, ta.signed)
    elif op == ">>":
        if b < 0 or b >= ta.bits:
            v = -1 if (ta.signed and a < 0) else 0
        else:
            v = a >> b
    else:
        raise KeyError(op)
    # the table's result type holds the exact result: the model is self-consistent
    assert rt.holds(v), (op, a, b, ta, tb, rt, v)
    return v


# ----------------------------------------------------------------- kernels

ARITH = ["+", "-", "*", "**2", "/", "//", "%", "<", "<=", ">", ">=", "==", "!=", "min", "max",
         "cast(a+b)", "cast(a*b)"]
NARITH = len(ARITH)


def make_arith(ta: Int, tb: Int, tt: Int, n: int):
    def arith(A: ta[n], B: tb[n], R: WIDE[NARITH, n], Q: tt[NARITH, n]):
        for i in range(n):
            a: ta = A[i]
            b: tb = B[i]
            R[0, i] = a + b
            Q[0, i] = a + b
            R[1, i] = a - b
            Q[1, i] = a - b
            R[2, i] = a * b
            Q[2, i] = a * b
            R[3, i] = a**2
            Q[3, i] = a**2
            R[4, i] = a / b
            Q[4, i] = a / b
            R[5, i] = a // b
            Q[5, i] = a // b
            R[6, i] = a % b
            Q[6, i] = a % b
            R[7, i] = a < b
            Q[7, i] = a < b
            R[8, i] = a <= b
            Q[8, i] = a <= b
            R[9, i] = a > b
            Q[9, i] = a > b
            R[10, i] = a >= b
            Q[10, i] = a >= b
            R[11, i] = a == b
            Q[11, i] = a == b
            R[12, i] = a != b
            Q[12, i] = a != b
            R[13, i] = min(a, b)
            Q[13, i] = min(a, b)
            R[14, i] = max(a, b)
            Q[14, i] = max(a, b)
            R[15, i] = tt(a + b)  # explicit cast of an intermediate
            Q[15, i] = tt(a + b)
            R[16, i] = tt(a * b)
            Q[16, i] = tt(a * b)

    return arith


BITS = ["&", "|", "^", "<<", ">>", "~", "neg", "abs", "cast_a", "cast_b", "store_a"]
NBITS = len(BITS)


def make_bits(ta: Int, tb: Int, tt: Int, n: int):
    def bits(A: ta[n], B: tb[n], R: WIDE[NBITS, n], Q: tt[NBITS, n]):
        for i in range(n):
            a: ta = A[i]
            b: tb = B[i]
            R[0, i] = a & b
            Q[0, i] = a & b
            R[1, i] = a | b
            Q[1, i] = a | b
            R[2, i] = a ^ b
            Q[2, i] = a ^ b
            R[3, i] = a << b
            Q[3, i] = a << b
            R[4, i] = a >> b
            Q[4, i] = a >> b
            R[5, i] = ~a
            Q[5, i] = ~a
            R[6, i] = -a
            Q[6, i] = -a
            R[7, i] = abs(a)
            Q[7, i] = abs(a)
            R[8, i] = tt(a)
            Q[8, i] = tt(a)
            R[9, i] = tt(b)
            Q[9, i] = tt(b)
            R[10, i] = a
            Q[10, i] = a

    return bits


def ref_arith(op: str, a: int, b: int, ta: T, tb: T, tt: T) -> int:
    if op == "cast(a+b)":
        return wrap(binary("+", a, b, ta, tb), tt.bits, tt.signed)
    if op == "cast(a*b)":
        return wrap(binary("*", a, b, ta, tb), tt.bits, tt.signed)
    return binary(op, a, b, ta, tb)


def ref_bits(op: str, a: int, b: int, ta: T, tb: T, tt: T) -> int:
    if op == "~":
        return wrap(~a, ta.bits, ta.signed)
    if op == "neg":
        v = -a
        assert T(sw(ta) + 1, True).holds(v)
        return v
    if op == "abs":
        v = abs(a)
        assert (T(ta.bits + 1, True) if ta.signed else ta).holds(v)
        return v
    if op == "cast_a":
        return wrap(a, tt.bits, tt.signed)
    if op == "cast_b":
        return wrap(b, tt.bits, tt.signed)
    if op == "store_a":
        return a
    return binary(op, a, b, ta, tb)


# ----------------------------------------------------------------- running


def run(factory, ops, ref, ta: T, tb: T, tt: T, avals: list[int], bvals: list[int]):
    n = len(avals)
    key = (factory.__name__, ta, tb, tt, n)
    f = build(factory(ta.dtype(), tb.dtype(), tt.dtype(), n), key=key)
    a = carrier(avals, ta.bits, ta.signed)
    b = carrier(bvals, tb.bits, tb.signed)
    r = zeros((len(ops), n), WIDE.bits, True)
    q = zeros((len(ops), n), tt.bits, tt.signed)
    f(a, b, r, q)
    got_r = as_ints(r)
    got_q = as_ints(q)
    for row, op in enumerate(ops):
        for i, (x, y) in enumerate(zip(avals, bvals, strict=True)):
            want = ref(op, x, y)
            got = got_r[row * n + i]
            assert got == want, f"{x} {op} {y} with {ta}, {tb}: got {got}, want {want}"
            want_q = wrap(want, tt.bits, tt.signed)
            got = got_q[row * n + i]
            assert got == want_q, (
                f"{x} {op} {y} with {ta}, {tb} stored into {tt}: got {got}, want {want_q}"
            )


types = st.builds(T, st.integers(1, 128), st.booleans())


def values(t: T, small: tuple[int, int] | None = None) -> st.SearchStrategy[int]:
    edges = sorted({t.lo, t.hi, max(t.lo, min(t.hi, 0)), max(t.lo, min(t.hi, 1)),
                    max(t.lo, min(t.hi, -1)), t.lo + 1 if t.lo < t.hi else t.lo})
    parts = [st.sampled_from(edges), st.integers(t.lo, t.hi)]
    if small is not None:
        lo, hi = max(t.lo, small[0]), min(t.hi, small[1])
        if lo <= hi:
            parts.append(st.integers(lo, hi))
    return st.one_of(*parts)


@st.composite
def arith_case(draw):
    ta, tb, tt = draw(types), draw(types), draw(types)
    a = draw(st.lists(values(ta), min_size=N, max_size=N))
    b = draw(st.lists(values(tb, small=(-3, 3)), min_size=N, max_size=N))
    return ta, tb, tt, a, b


@st.composite
def bits_case(draw):
    ta, tb, tt = draw(types), draw(types), draw(types)
    a = draw(st.lists(values(ta), min_size=N, max_size=N))
    b = draw(st.lists(values(tb, small=(-2, ta.bits + 2)), min_size=N, max_size=N))
    return ta, tb, tt, a, b


@settings(max_examples=30)
@given(arith_case())
def test_arith_and_compare_match_model(case):
    ta, tb, tt, a, b = case
    run(make_arith, ARITH, lambda op, x, y: ref_arith(op, x, y, ta, tb, tt), ta, tb, tt, a, b)


@settings(max_examples=30)
@given(bits_case())
def test_bitwise_shift_unary_cast_match_model(case):
    ta, tb, tt, a, b = case
    run(make_bits, BITS, lambda op, x, y: ref_bits(op, x, y, ta, tb, tt), ta, tb, tt, a, b)


# Exhaustive over every value pair of a few narrow type combinations.
NARROW = [
    (T(3, True), T(3, True), T(3, True)),
    (T(3, False), T(2, True), T(4, False)),
    (T(4, False), T(4, False), T(2, True)),
    (T(1, True), T(1, False), T(1, True)),
]


def _all_pairs(ta: T, tb: T) -> tuple[list[int], list[int]]:
    pairs = [(x, y) for x in range(ta.lo, ta.hi + 1) for y in range(tb.lo, tb.hi + 1)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


@pytest.mark.parametrize("ta,tb,tt", NARROW, ids=lambda t: f"{'' if t.signed else 'u'}{t.bits}")
def test_narrow_widths_exhaustive(ta, tb, tt):
    a, b = _all_pairs(ta, tb)
    run(make_arith, ARITH, lambda op, x, y: ref_arith(op, x, y, ta, tb, tt), ta, tb, tt, a, b)
    run(make_bits, BITS, lambda op, x, y: ref_bits(op, x, y, ta, tb, tt), ta, tb, tt, a, b)
