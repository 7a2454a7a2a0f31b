"""The polyhedral description of an affine function, as isl text (the L2 symbolic tier).

`Program` holds the arrays a function touches, each store as a `Statement` (its write
`Access` and the tree of the stored value) and each load as an `Access`: instance space,
domain, cell and 2d+1 schedule, all as isl syntax. `isl_affine` writes an MLIR affine
expression as isl text; law: the text has MLIR's meaning (floor semantics for floordiv and
mod), or `NotAffine` is raised (a product of two indices, a division by a non-constant).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlir import ir


class NotAffine(Exception):
    """The function is outside what the symbolic tier describes (the message says why)."""


@dataclass
class Array:
    """A memref the function touches: `name` (isl identifier), shape, element type, kind
    ("arg" with its argument number, or "local")."""

    name: str
    shape: tuple[int, ...]
    elem: str
    kind: str
    argno: int = -1


@dataclass
class Access:
    """One read (`Load`) or the write of a statement, as isl text."""

    name: str            # isl tuple name of the instance space ("S3", "L7")
    dims: tuple[str, ...]
    domain: str          # isl constraints over dims ("" = true)
    array: str
    subs: tuple[str, ...]
    schedule: tuple[str, ...]  # the 2d+1 vector: positions and dims interleaved


@dataclass
class Statement:
    """A store: its write access and the tree of the stored value."""

    acc: Access
    tree: Any
    location: str = ""


@dataclass
class Program:
    """All statements and loads of one function, its arrays and its outputs."""

    statements: list[Statement] = field(default_factory=list)
    loads: list[Access] = field(default_factory=list)
    arrays: dict[str, Array] = field(default_factory=dict)
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (output name, array)
    n_args: int = 0

    @property
    def depth(self) -> int:
        xs = [len(s.acc.schedule) for s in self.statements] + [len(x.schedule)
                                                               for x in self.loads]
        return max(xs, default=1)


def isl_affine(e: ir.AffineExpr, dims: list[str], syms: list[str]) -> str:
    """An MLIR affine expression as isl text (floor semantics for floordiv and mod)."""
    if isinstance(e, ir.AffineDimExpr):
        return dims[e.position]
    if isinstance(e, ir.AffineSymbolExpr):
        return syms[e.position]
    if isinstance(e, ir.AffineConstantExpr):
        return str(e.value)
    if isinstance(e, ir.AffineAddExpr):
        return f"({isl_affine(e.lhs, dims, syms)} + {isl_affine(e.rhs, dims, syms)})"
    if isinstance(e, ir.AffineMulExpr):
        lhs, rhs = isl_affine(e.lhs, dims, syms), isl_affine(e.rhs, dims, syms)
        if not isinstance(e.lhs, ir.AffineConstantExpr) and \
                not isinstance(e.rhs, ir.AffineConstantExpr):
            raise NotAffine(f"product of two indices in {e}")
        return f"({lhs} * {rhs})"
    if isinstance(e, (ir.AffineModExpr, ir.AffineFloorDivExpr, ir.AffineCeilDivExpr)):
        if not isinstance(e.rhs, ir.AffineConstantExpr) or e.rhs.value <= 0:
            raise NotAffine(f"division by a non-constant in {e}")
        a, c = isl_affine(e.lhs, dims, syms), e.rhs.value
        if isinstance(e, ir.AffineModExpr):
            return f"(({a}) mod {c})"
        return f"floor(({a}) / {c})" if isinstance(e, ir.AffineFloorDivExpr) \
            else f"ceil(({a}) / {c})"
    raise NotAffine(f"affine expression {e}")


def split_top(s: str) -> list[str]:
    """`s` split at the commas outside parentheses, each part stripped."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out
