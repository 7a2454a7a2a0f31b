"""An integer literal converted to a float type is rounded once, from its exact value, as
LLVM's `sitofp` rounds a runtime integer: whether the literal is cast (`float32(V)`),
assigned to a float location (`B[i] = V`) or combined with a float value (`V + Z[i]`).
Rounding through float64 first would round twice (2**60 + 2**36 + 1 in float32) or overflow
(beyond 2**1024). Constant expressions Python cannot evaluate are FrontendErrors.

The reference is the LLVM simulation itself: the same value passed at run time as an
`Int(128)` argument and converted by the kernel (`sitofp i128`, rounded once); for literals
wider than that, an exact nearest-even rounding written here with fractions."""

from __future__ import annotations

import importlib.util
import math
import sys
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import allo_verify as av
from allo_verify.lang.kernel import build_kernel

_DIR = Path(tempfile.mkdtemp(prefix="allo_verify_literals_"))
_DBL_MAX_TIE = 2**1024 - 2**970  # halfway between float64's largest finite value and 2**1024

# ties at each format's precision, values just off the ties, past int64, and negatives
VALUES = [2**60 + 2**36 + 1, -(2**60 + 2**36 + 1), 2**60 + 2**36, 2**24 + 1, 2**24 + 3,
          2**53 + 1, 2**53 + 3, -(2**53 + 1), 2**11 + 1, 2**11 + 3, 65519, 65520, -65520,
          2**64 + 2**40 + 1, 2**100 + 2**76 + 1, -(2**126 + 2**102 + 1), 2**127 - 2**103,
          2**127 - 2**103 - 1]
# wider than int128: checked against `_nearest`
WIDE = [2**127 * 3 + 1, -(2**300 + 2**247 + 1), 2**128 - 2**103, 2**128 - 2**103 - 1,
        2**200 + 2**147, 2**200 + 2**148 + 2**147]


def _nearest(v: int, bits: int) -> float:
    """`v` rounded to nearest, ties to even, in float`bits` (+-inf past the largest value)."""
    dt = np.dtype(f"float{bits}")
    fmax = Fraction(float(np.finfo(dt).max))
    ulp_max = fmax - Fraction(float(np.nextafter(np.finfo(dt).max, 0, dtype=dt)))
    if abs(v) >= fmax + ulp_max / 2:
        return math.copysign(math.inf, v)
    # float64 is within one float`bits` ulp; look at its neighbours exactly
    with np.errstate(over="ignore"):
        guess = dt.type(float(Fraction(v)))
        cands = [np.nextafter(guess, -np.inf, dtype=dt), guess,
                 np.nextafter(guess, np.inf, dtype=dt)]
    cands = [c for c in cands if np.isfinite(c)]
    best = min(cands, key=lambda c: (abs(Fraction(float(c)) - v),
                                     int(np.array(c, dt).view(f"uint{bits}")) & 1))
    return float(best)


def _load(name: str, text: str) -> Any:
    path = _DIR / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod.k


def _kernel(bits: int) -> Any:
    n = len(VALUES) + len(WIDE)
    lines = []
    for k, v in enumerate(VALUES + WIDE):
        lines += [f"    B[{k}] = float{bits}({v})", f"    C[{k}] = {v}",
                  f"    D[{k}] = {v} + Z[{k}]"]
        if k < len(VALUES):
            lines.append(f"    R[{k}] = A[{k}]")
    text = ("from allo_verify.lang.types import Float, Int, float16, float32, float64\n"
            f"def k(A: Int(128)[{n}], Z: Float({bits})[{n}], B: Float({bits})[{n}], "
            f"C: Float({bits})[{n}], D: Float({bits})[{n}], R: Float({bits})[{n}]):\n"
            + "\n".join(lines) + "\n")
    return av.customize(_load(f"lit{bits}", text)).build()


@pytest.mark.parametrize("bits", [16, 32, 64])
def test_integer_literals_round_once_like_sitofp(bits: int) -> None:
    f = _kernel(bits)
    n, m = len(VALUES) + len(WIDE), len(VALUES)
    dt = np.dtype(f"float{bits}")
    outs = [np.zeros(n, dt) for _ in range(4)]
    a = np.array(VALUES + [0] * len(WIDE), dtype=object)
    f(a, np.zeros(n, dt), *outs)
    b, c, d, runtime = outs
    ubits = np.dtype(f"uint{bits}")
    expected = runtime[:m].view(ubits).tolist() + \
        np.array([_nearest(v, bits) for v in WIDE], dt).view(ubits).tolist()
    assert runtime[:m].tolist() == [_nearest(v, bits) for v in VALUES]  # the oracle agrees
    for form in (b, c, d):
        assert form.view(ubits).tolist() == expected, (bits, form, runtime)
    if bits == 32:  # the pair: once-rounded, not float64-rounded
        assert b[0] == np.float32(2**60 + 2**37) != np.float32(float(VALUES[0]))


def test_literals_past_float64_range_round_to_infinity_or_max() -> None:
    """2**1024 - 2**970 is a tie that rounds to +inf; one less rounds to the largest finite
    float64; Python's float() raises OverflowError on both, the kernel must not."""
    text = ("from allo_verify.lang.types import Float, float32, float64\n"
            "def k(B: Float(64)[4], C: Float(32)[2]):\n"
            f"    B[0] = float64({_DBL_MAX_TIE})\n"
            f"    B[1] = float64({_DBL_MAX_TIE - 1})\n"
            f"    B[2] = -{_DBL_MAX_TIE}\n"
            "    B[3] = 10**400\n"
            "    C[0] = float32(10**400)\n"
            "    C[1] = -(10**400) + C[1]\n")
    f = av.customize(_load("lit_inf", text)).build()
    b, c = np.zeros(4), np.zeros(2, np.float32)
    f(b, c)
    assert b.tolist() == [np.inf, np.finfo(np.float64).max, -np.inf, np.inf]
    assert c.tolist() == [np.inf, -np.inf]


@pytest.mark.parametrize("expr", ["1.0 / 0.0", "2.5 % 0 + 1.0 / 0", "2.0 ** 5000",
                                  "10**400 * 1.5", "math.sqrt(10**400)", "math.exp(1e4)",
                                  "math.log(0.0)", "math.sqrt(-2.0)", "2 ** 10**9",
                                  "(1 << 10**12)"])
def test_unevaluable_constant_expressions_are_frontend_errors(expr: str) -> None:
    text = ("import math\nfrom allo_verify.lang.types import Float\n"
            "def k(B: Float(32)[1]):\n"
            f"    B[0] = B[0] + {expr}\n")
    k = _load(f"bad_const_{abs(hash(expr))}", text)
    with pytest.raises(av.FrontendError, match="constant expression"):
        build_kernel(k)


@pytest.mark.parametrize(("body", "says"), [
    ("for i in range(2**70):\n        B[0] = 1.0", "outside the 64-bit index range"),
    ("for i in range(-2**65, 0):\n        B[0] = 1.0", "outside the 64-bit index range"),
    ("for i in range(0, 8, 2**64):\n        B[0] = 1.0", "outside the 64-bit index range"),
    ("for i in range(3):\n        for j in range(i * 2**66, 4):\n            B[0] = 1.0",
     "outside the 64-bit index range"),
    ("B[0] = B[0] ** (2**70)", "at most 512"),
    ("B[0] = B[0] ** 100000", "at most 512"),
])
def test_huge_loop_bounds_and_exponents_are_frontend_errors(body: str, says: str) -> None:
    """Bounds beyond MLIR's 64-bit index crashed inside the bindings; a huge constant
    exponent (expanded into that many multiplications) never finished."""
    text = ("from allo_verify.lang.types import Float\n"
            "def k(B: Float(32)[1]):\n    " + body + "\n")
    k = _load(f"huge_{abs(hash(body))}", text)
    with pytest.raises(av.FrontendError, match=says):
        build_kernel(k)


def test_exponent_at_the_limit_still_builds() -> None:
    text = ("from allo_verify.lang.types import Float\n"
            "def k(B: Float(64)[1]):\n    B[0] = B[0] ** 512\n")
    f = av.customize(_load("pow512", text)).build()
    b = np.array([1.0009765625])
    f(b)
    assert b[0] == pytest.approx(1.0009765625 ** 512, rel=1e-12)
