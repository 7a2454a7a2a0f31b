"""A literal as the LEFT operand of a binary operator (`1 << v`, `7 - v`, `100 // v`, ...)
computes what Python computes, for every operator, literal and operand type.

Regression (issue 8): `1 << v` typed the literal `1` as the smallest type holding it (Int(2)),
so the shift wrapped and `1 << 5` gave 0. Shifts now give a left literal the type
`max(literal, v, 32 bits)`; the other operators already widen their result (checked here).
The reference is plain Python, with the kernel language's documented choices where Python
has none: `/` on integers truncates toward zero, division by zero gives 0 (remainder: the
dividend), shifts by a negative amount give 0 (`>>`: the sign).
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lang_util import as_ints, build, carrier, int_range

import allo_verify as av
from allo_verify import Int, int32, int64, uint8

OPS = ("+", "-", "*", "/", "//", "%", "&", "|", "^", "<<", ">>", "min", "max", "<", ">=",
       "==", "!=")
N = 8


def make_kernel(lit: int, vt: Int):
    """One kernel computing `lit OP V[i]` for every operator, row k for OPS[k]."""

    def lit_left(V: vt[N], R: int64[17, N]):  # noqa: N803
        for i in range(N):
            R[0, i] = lit + V[i]
            R[1, i] = lit - V[i]
            R[2, i] = lit * V[i]
            R[3, i] = lit / V[i]
            R[4, i] = lit // V[i]
            R[5, i] = lit % V[i]
            R[6, i] = lit & V[i]
            R[7, i] = lit | V[i]
            R[8, i] = lit ^ V[i]
            R[9, i] = lit << V[i]
            R[10, i] = lit >> V[i]
            R[11, i] = min(lit, V[i])
            R[12, i] = max(lit, V[i])
            R[13, i] = lit < V[i]
            R[14, i] = lit >= V[i]
            R[15, i] = lit == V[i]
            R[16, i] = lit != V[i]

    return lit_left


def shift_width(lit: int, vt: Int) -> int:
    own = lit.bit_length() + 1 if lit >= 0 else (-lit - 1).bit_length() + 1
    return max(own, vt.bits, 32)


def reference(op: str, a: int, b: int, width: int) -> int | None:
    """Python's `a op b` (None where the kernel's defined value is checked separately)."""
    if op in ("/", "//", "%") and b == 0:
        return {"/": 0, "//": 0, "%": a}[op]
    if op == "/":
        q = abs(a) // abs(b)
        return q if (a >= 0) == (b > 0) else -q
    if op in ("<<", ">>") and b < 0:
        return 0 if op == "<<" or a >= 0 else -1
    if op == "<<":
        r = a << b
        lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
        return r if lo <= r <= hi and b < width else None  # beyond the type: not Python's
    table = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
             "//": lambda: a // b, "%": lambda: a % b, "&": lambda: a & b,
             "|": lambda: a | b, "^": lambda: a ^ b, ">>": lambda: a >> b,
             "min": lambda: min(a, b), "max": lambda: max(a, b), "<": lambda: int(a < b),
             ">=": lambda: int(a >= b), "==": lambda: int(a == b), "!=": lambda: int(a != b)}
    return table[op]()


LITERALS = (1, 3, -1, -7, 255, 1000)
TYPES = (av.int8, av.int16, int32, uint8, av.uint16, av.Int(5), av.UInt(3))


@settings(max_examples=40)
@given(st.data())
def test_left_literal_matches_python(data: st.DataObject) -> None:
    lit = data.draw(st.sampled_from(LITERALS))
    vt = data.draw(st.sampled_from(TYPES))
    lo, hi = int_range(vt.bits, vt.signed)
    small = st.integers(max(lo, -3), min(hi, 40))
    vals = data.draw(st.lists(st.one_of(small, st.integers(lo, hi)), min_size=N, max_size=N))
    f = build(make_kernel(lit, vt), key=("lit_left", lit, vt))
    out = carrier([0] * (17 * N), 64, True, (17, N))
    f(carrier(vals, vt.bits, vt.signed), out)
    width = shift_width(lit, vt)
    for k, op in enumerate(OPS):
        got = as_ints(out[k])
        for v, g in zip(vals, got, strict=True):
            want = reference(op, lit, v, width)
            if want is not None:
                assert g == want, f"{lit} {op} {v} ({vt!r}): got {g}, Python gives {want}"


def one_shifted_by(v: int32) -> int64:
    return 1 << v


def minus_three_shifted(v: uint8) -> int64:
    return (-3 << v) + (-3 >> v)


def shifted_by_loop_variable(R: int64[40]):  # noqa: N803
    for i in range(40):
        R[i] = 1 << i


def test_literal_written_in_source() -> None:
    f = build(one_shifted_by)
    assert [int(f(v)) for v in (0, 5, 17, 30)] == [1, 32, 1 << 17, 1 << 30]
    g = build(minus_three_shifted)
    assert [int(g(v)) for v in (0, 1, 4, 20)] == [(-3 << v) + (-3 >> v) for v in (0, 1, 4, 20)]


def test_literal_shifted_by_a_loop_variable() -> None:
    """`1 << i` with `i` a loop variable: index operands meet in int64."""
    out = carrier([0] * 40, 64, True)
    build(shifted_by_loop_variable)(out)
    assert as_ints(out) == [1 << i for i in range(40)]


@pytest.mark.parametrize("lit,vt,want", [(1, int32, int32), (1, uint8, av.UInt(32)),
                                         (-1, uint8, int32), (1 << 40, int32, av.Int(42)),
                                         (5, int64, int64), (1, av.Int(100), av.Int(100))])
def test_shifted_literal_type(lit: int, vt: Int, want: Int) -> None:
    from allo_verify.lang.typing_rules import shifted_literal_type

    assert shifted_literal_type(lit, vt) == want
