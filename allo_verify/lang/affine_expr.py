"""Affine index expressions over loop variables, kept symbolic until an op needs a map.

An `Aff` is `sum(coeff * term) + const` where a term is a loop dimension (an index into the
function's dimension table) or `floordiv`/`ceildiv`/`mod` of an `Aff` by a positive
constant. Equal expressions have equal canonical forms, so `i + 1 - 1 == i`.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir.ir import AffineConstantExpr, AffineDimExpr, AffineExpr

_DIVIDE = {
    "floordiv": AffineExpr.get_floor_div,
    "ceildiv": AffineExpr.get_ceil_div,
    "mod": AffineExpr.get_mod,
}

Term = tuple  # ("d", k) | ("floordiv" | "ceildiv" | "mod", Aff, c)


@dataclass(frozen=True)
class Aff:
    """A canonical affine expression: sorted (term, coeff) pairs plus a constant."""

    terms: tuple[tuple[Term, int], ...]
    const: int = 0

    @staticmethod
    def dim(k: int) -> Aff:
        return Aff(((("d", k), 1),), 0)

    @staticmethod
    def make(terms: dict[Term, int], const: int) -> Aff | int:
        """Canonical form; a constant expression collapses to its Python int."""
        kept = tuple(sorted(((t, c) for t, c in terms.items() if c != 0), key=lambda p: repr(p[0])))
        return Aff(kept, const) if kept else const

    def _as_dict(self) -> dict[Term, int]:
        return dict(self.terms)

    def add(self, other: Aff | int, sign: int = 1) -> Aff | int:
        d = self._as_dict()
        if isinstance(other, int):
            return Aff.make(d, self.const + sign * other)
        for t, c in other.terms:
            d[t] = d.get(t, 0) + sign * c
        return Aff.make(d, self.const + sign * other.const)

    def scale(self, k: int) -> Aff | int:
        return Aff.make({t: c * k for t, c in self.terms}, self.const * k)

    def divide(self, kind: str, c: int) -> Aff | int:
        """`self floordiv c`, `ceildiv` or `mod`, for a constant c > 0."""
        assert c > 0
        if c == 1:
            return 0 if kind == "mod" else self
        return Aff.make({(kind, self, c): 1}, 0)

    def dims(self) -> set[int]:
        out: set[int] = set()
        for t, _ in self.terms:
            if t[0] == "d":
                out.add(t[1])
            else:
                out |= t[1].dims()
        return out

    def to_mlir(self, position: dict[int, int]) -> AffineExpr:
        """The MLIR expression, with dimension k as `d{position[k]}`."""
        expr: AffineExpr = AffineConstantExpr.get(self.const)
        for t, c in self.terms:
            if t[0] == "d":
                e: AffineExpr = AffineDimExpr.get(position[t[1]])
            else:
                inner = t[1].to_mlir(position)
                rhs = AffineConstantExpr.get(t[2])
                e = _DIVIDE[t[0]](inner, rhs)
            expr = expr + e * AffineConstantExpr.get(c)
        return expr

    def interval(self, ranges: dict[int, tuple[int, int] | None]) -> tuple[int, int] | None:
        """Bounds of the expression given inclusive bounds for each dimension, if known."""
        lo = hi = self.const
        for t, c in self.terms:
            if t[0] == "d":
                r = ranges.get(t[1])
            else:
                inner = t[1].interval(ranges)
                if inner is None:
                    return None
                k = t[2]
                if t[0] == "floordiv":
                    r = (inner[0] // k, inner[1] // k)
                elif t[0] == "ceildiv":
                    r = (-(-inner[0] // k), -(-inner[1] // k))
                else:
                    r = (0, k - 1)
            if r is None:
                return None
            a, b = c * r[0], c * r[1]
            lo, hi = lo + min(a, b), hi + max(a, b)
        return lo, hi


def aff_add(a: Aff | int, b: Aff | int, sign: int = 1) -> Aff | int:
    """a + sign * b for affine expressions or ints."""
    if isinstance(a, int) and isinstance(b, int):
        return a + sign * b
    if isinstance(a, int):
        assert isinstance(b, Aff)
        return b.scale(sign).add(a) if sign == -1 else b.add(a)
    return a.add(b, sign)
