"""reshape: the array really takes the new shape, the design verifies, and a wrong
delinearization is refuted with the instance and the cells."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from mlir.ir import AffineConstantExpr, AffineExpr

import allo_verify as av
from allo_verify.schedule.primitives.reshape import Reshape
from tests.schedule import memory_kernels as K


@pytest.mark.parametrize("shape", [(2, 5, 2, 5), (100,), (4, 25), (5, 20)])
def test_reshape_moves_the_data_and_verifies(shape: tuple[int, ...]) -> None:
    s = av.customize(K.two_stage)
    s.reshape(s.B, shape)
    assert f"memref<{'x'.join(map(str, shape))}xi32>" in str(s.module)
    assert all(c.result.status == "proved" for c in s.steps[0].checks)
    a = np.arange(100, dtype=np.int32).reshape(10, 10)
    assert np.array_equal(s.build()(a), 3 * a + 3 * a.T)
    assert s.verify(trials=5).status == "proved"


@pytest.mark.parametrize(("target", "shape", "expect", "error"), [
    ("A", (100,), "argument of the kernel", av.ScheduleError),
    ("B", (3, 33), "different number of cells", av.ScheduleUsageError),
    ("B", (0, 100), "each dimension must be an integer >= 1", av.ScheduleUsageError),
    ("C", (100,), "used by func.return", av.ScheduleError),
])
def test_refusals(target: str, shape: tuple, expect: str, error: type) -> None:
    s = av.customize(K.two_stage)
    with pytest.raises(error, match=expect):
        s.reshape(target, shape)
    assert not s.steps


def test_a_partitioned_array_is_reshaped_first() -> None:
    s = av.customize(K.two_stage)
    s.partition(s.B, av.Partition.Cyclic, dim=1, factor=2)
    with pytest.raises(av.ScheduleError, match="partitioned; reshape it first"):
        s.reshape(s.B, (100,))


@dataclass(frozen=True)
class ReshapeWrongStride(Reshape):
    """Delinearizes with the stride of the next dimension (l div 10 where it should be 25)."""

    def new_cell(self, l_, shape):  # noqa: ANN001, ANN201
        return [AffineExpr.get_mod(AffineExpr.get_floor_div(l_, AffineConstantExpr.get(10)),
                                   AffineConstantExpr.get(shape[0])),
                AffineExpr.get_mod(l_, AffineConstantExpr.get(shape[1]))]


def test_a_wrong_delinearization_is_refuted_with_the_cell() -> None:
    s = av.customize(K.two_stage)
    before = str(s.module)
    with pytest.raises(av.ScheduleError) as info:
        K.apply_broken(s, ReshapeWrongStride("two_stage:B", (4, 25)))
    assert str(s.module) == before and not s.steps
    note = info.value.counterexample.note
    assert "/access" in str(info.value) and "touched B[" in note and "but now touches B[" in note
