"""to() refuses a stream whose producer store or consumer load runs under data-dependent
control: a FIFO is pushed and popped once per point of the affine domain, so a skipped
pop shifts every later value (the emitted C++ then differs from the LLVM simulation, where
the buffer is still an array)."""

from __future__ import annotations

import numpy as np
import pytest

import allo_verify as av
from tests.schedule import stream_guard_kernels as K


@pytest.mark.parametrize(("kernel", "expect"), [
    (K.producer_if, "stage i's store into B runs under a data-dependent scf.if"),
    (K.consumer_if, "stage i1's load from B runs under a data-dependent scf.if"),
    (K.consumer_nested_if, "stage i1's load from B runs under a data-dependent scf.if"),
    (K.consumer_while, "stage i1's load from B runs under a data-dependent scf.while"),
])
def test_data_guarded_stream_access_is_refused(kernel, expect: str) -> None:  # noqa: ANN001
    s = av.customize(kernel)
    before = str(s.module)
    with pytest.raises(av.ScheduleError, match=expect):
        s.to("B", "i1", depth=64)
    assert not s.steps and str(s.module) == before


def test_unguarded_stream_still_accepted_and_matches() -> None:
    s = av.customize(K.unguarded)
    s.to("B", "i1", depth=64)
    assert all(c.result.status == "proved" for c in s.steps[0].checks)
    a = np.random.default_rng(0).integers(-9, 9, (K.M, K.N), dtype=np.int32)
    assert np.array_equal(s.build()(a), a * 3 + 1 - 2)
