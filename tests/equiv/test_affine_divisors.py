"""L1's affine terms divide only by positive constants: Z3's integer div/mod are Euclidean,
which is MLIR's floor semantics only for a positive divisor."""

import pytest
import z3
from mlir.ir import AffineConstantExpr, AffineDimExpr, AffineExpr, Context

from allo_verify.equiv.affine_z3 import NotAffine, affine_to_z3


def _exprs(c: int) -> list[AffineExpr]:
    d0, k = AffineDimExpr.get(0), AffineConstantExpr.get(c)
    return [AffineExpr.get_floor_div(d0, k), AffineExpr.get_ceil_div(d0, k),
            AffineExpr.get_mod(d0, k)]


def test_positive_divisors_follow_floor_semantics() -> None:
    with Context():
        x = z3.Int("x")
        for e, py in zip(_exprs(3), (lambda v: v // 3, lambda v: -(-v // 3), lambda v: v % 3),
                         strict=True):
            term = affine_to_z3(e, [x], [])
            for v in range(-7, 8):
                assert z3.simplify(z3.substitute(term, (x, z3.IntVal(v)))).as_long() == py(v)


@pytest.mark.parametrize("c", [-2, -1])
def test_a_non_positive_divisor_is_not_affine_for_l1(c: int) -> None:
    with Context():
        for e in _exprs(c):
            with pytest.raises(NotAffine, match="not a positive constant"):
                affine_to_z3(e, [z3.Int("x")], [])
