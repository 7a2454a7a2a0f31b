"""How L3 compares outputs: bit for bit, or, when reassociation is allowed, within a stated
tolerance; and the words that say so.

Exact comparison: integers and fixed point by value, floats by their bits, except that any
two NaNs count as equal (NaN sign and payload are not compared: IEEE leaves them to the
hardware); the claim says so whenever an output is a float.

With reassociation allowed, float cells agree when |a - b| <= t * max(1, |a|, |b|) (NaN
equal to NaN, infinities only to themselves), and float inputs are drawn finite in [-1, 1].
Derived tolerance: t = n^2 * eps(T), n the reduction length (see `reduction_length`), T the
least precise float type among the outputs. Why: two summation orders of n terms differ by
at most 2 * gamma_(n-1) * sum|terms| ~ n * eps * sum|terms|, and with inputs in [-1, 1] each
term of a sum of products of two inputs is at most 1, so sum|terms| <= n.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from allo_verify.lang.signature import Signature
from allo_verify.lang.types import ArrayType, Float

NAN_POLICY = "any two NaNs count as equal (NaN sign and payload are not compared)"

_FOR = re.compile(r"(?:affine|scf)\.for (%[\w.]+) = (.+?) to (.+?)(?: step (\S+))? \{")
_STORE = re.compile(r"affine\.store (%[\w.#]+), %[\w.]+\[(.*?)\]|memref\.store (%[\w.#]+), "
                    r"%[\w.]+\[(.*?)\]")
_DEF = re.compile(r"^\s*(%[\w.#]+)(?::\d+)? = (arith\.(?:addf|subf))")


def float_outputs(sig: Signature) -> list[Float]:
    """Float element types among the results and the argument arrays (either may be an
    output)."""
    types = [r.dtype if isinstance(r, ArrayType) else r for r in sig.results]
    types += [a.type.dtype for a in sig.args if isinstance(a.type, ArrayType)]
    return [t for t in types if isinstance(t, Float)]


def _trip(lo: str, hi: str, step: str | None, fallback: int) -> int:
    try:
        n = int(hi) - int(lo)
        return max(1, -(-n // int(step or "1")))
    except ValueError:
        return fallback


def reduction_length(text: str, fallback: int) -> int:
    """An upper bound on how many float additions feed one output cell: for each store of
    an `addf`/`subf` result, the product of the trip counts of the enclosing loops whose
    variable is not in the store's subscripts (non-constant bounds count `fallback`), times
    one more than the number of float additions in the module text. At least 2."""
    stack: list[tuple[str, int]] = []
    adds: set[str] = set()
    n_adds = 0
    best = 1
    for line in text.splitlines():
        s = line.strip()
        m = _FOR.search(s)
        if m:
            stack.append((m.group(1), _trip(m.group(2), m.group(3), m.group(4), fallback)))
            continue
        if s.endswith("{"):
            stack.append(("", 1))
            continue
        if s.startswith("}"):
            if stack:
                stack.pop()
            if s.endswith("{"):
                stack.append(("", 1))
            continue
        d = _DEF.match(line)
        if d:
            adds.add(d.group(1))
            n_adds += 1
        st = _STORE.search(s)
        if st:
            value = st.group(1) or st.group(3)
            subs = st.group(2) if st.group(1) else (st.group(4) or "")
            if value in adds:
                prod = 1
                for iv, trips in stack:
                    if iv and not re.search(re.escape(iv) + r"\b", subs):
                        prod *= trips
                best = max(best, prod)
    return max(2, best * (n_adds + 1))


@dataclass(frozen=True)
class Tolerance:
    """`t`, and where it came from (the derivation or "given by the user")."""

    t: float
    source: str

    def to_scope(self) -> dict[str, Any]:
        return {"t": self.t, "rule": "|a - b| <= t * max(1, |a|, |b|); float inputs finite "
                                     "in [-1, 1]", "source": self.source}


def derive_tolerance(texts: tuple[str, str], sig: Signature, given: float | None
                     ) -> Tolerance:
    """The tolerance a reassociated comparison uses: `given` when the user gave one, else
    n^2 * eps of the least precise float output type (module docstring)."""
    if given is not None:
        return Tolerance(float(given), "given by the user")
    floats = float_outputs(sig)
    if not floats:
        return Tolerance(0.0, "no float output: compared exactly")
    widest_eps = max(float(np.finfo(f.np_dtype).eps) for f in floats)
    name = next(str(f) for f in floats if float(np.finfo(f.np_dtype).eps) == widest_eps)
    cells = max([a.type.size for a in sig.args if isinstance(a.type, ArrayType)] + [2])
    n = max(reduction_length(t, cells) for t in texts)
    return Tolerance(n * n * widest_eps,
                     f"n^2 * eps({name}) with reduction length n = {n} (an upper bound from "
                     "the loops around each float accumulation)")


def within(xa: np.ndarray, xb: np.ndarray, t: float) -> np.ndarray:
    """Cells of two float arrays that agree within `t` (see the module docstring)."""
    a, b = xa.astype(np.float64), xb.astype(np.float64)
    both_nan = np.isnan(a) & np.isnan(b)
    same = (a == b) | both_nan
    with np.errstate(invalid="ignore", over="ignore"):
        scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
        close = np.abs(a - b) <= t * scale
    return same | (np.isfinite(a) & np.isfinite(b) & close)


def l3_statement(sig: Signature, t: float | None) -> str:
    """What an L3 agreement states: the comparison used (`t`: the tolerance, if any)."""
    if t is not None and float_outputs(sig):
        return (f"both LLVM simulations agree within tolerance t = {t:.3g} "
                "(|a - b| <= t * max(1, |a|, |b|)) on every float output cell, and exactly "
                "elsewhere, on the distinct generated inputs; " + NAN_POLICY)
    if float_outputs(sig):
        return ("both LLVM simulations agree bit for bit on the distinct generated inputs, "
                "except that " + NAN_POLICY)
    return "both LLVM simulations agree bit for bit on the distinct generated inputs"
