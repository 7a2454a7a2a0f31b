"""reshape of a scalar (a local declared inside a loop, a 0-d memref) is a usage error
naming the target, never a TypeError from the checker, and leaves the schedule unchanged."""

from __future__ import annotations

import pytest

import allo_verify as av
from tests.schedule import memory_kernels as K


@pytest.mark.parametrize("shape", [(1,), (1, 1)])
def test_reshape_of_a_scalar_is_a_usage_error(shape: tuple[int, ...]) -> None:
    s = av.customize(K.conv3x3)
    before = str(s.module)
    with pytest.raises(av.ScheduleUsageError, match="conv3x3:v is a scalar"):
        s.reshape("v", shape)
    assert not s.steps and str(s.module) == before
