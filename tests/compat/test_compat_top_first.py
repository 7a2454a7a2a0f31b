"""A plain loop name in a step method, when several kernels of the design use it, names the
top kernel's loop (Allo looks loops up in the top function; `s.A` finds buffers the same
way); with no such loop in the top kernel the name stays ambiguous, listing the candidates.
The step is logged with the qualified name, so a saved log or a compose replays exactly."""

import numpy as np
import pytest

import allo_verify as allo
from allo_verify import int32

M = 4


def add(A: int32[M, M], B: int32[M, M]) -> int32[M, M]:
    C: int32[M, M] = 0
    for i, j in allo.grid(M, M):
        C[i, j] = A[i, j] + B[i, j]
    return C


def scale(A: int32[M, M]) -> int32[M, M]:
    C: int32[M, M] = 0
    for i, j in allo.grid(M, M):
        C[i, j] = A[i, j] * 2
    return C


def top(A: int32[M, M], B: int32[M, M]) -> int32[M, M]:
    C = add(A, B)
    D = scale(C)
    E: int32[M, M] = 0
    for i in range(M):
        for k in range(M):
            E[i, k] = D[i, k] - 1
    return E


def test_plain_name_means_the_top_kernels_loop() -> None:
    s = allo.customize(top)
    s.split("i", 2)
    assert s.log()[-1]["args"]["axis"] == "top:i"
    s.pipeline("i.inner")
    a = np.arange(M * M, dtype=np.int32).reshape(M, M)
    np.testing.assert_array_equal(s.build()(a, a + 1), (a + a + 1) * 2 - 1)
    assert s.verify(trials=3).status == "proved"


def test_ambiguous_among_callees_only_is_an_error() -> None:
    s = allo.customize(top)
    with pytest.raises(allo.ScheduleUsageError, match="loop name 'j' is ambiguous; "
                                                      "candidates: add:j, scale:j"):
        s.pipeline("j")
    assert s.log() == []
    s.pipeline("scale:j")
    assert s.log()[-1]["args"]["axis"] == "scale:j"


def test_public_loop_lookup_still_reports_ambiguity() -> None:
    s = allo.customize(top)
    with pytest.raises(allo.ScheduleUsageError, match="ambiguous"):
        s.loop("i")
