"""`hls.parallel` stays true after later rewrites: its meaning depends on the loops around
the marked loop, so every step that changes more than attributes re-proves each marked
loop's independence on its result. Found by the qa4 attack: `parallel(j)` then a legal
`reorder(j, i)` of A[i, j] = A[i-1, j-1] + 1 left j, now outermost, marked parallel
while iteration j reads what iteration j-1 wrote, and the certificate said proved."""

from __future__ import annotations

import pytest

import allo_verify as av
from tests.schedule import kernels as K
from tests.schedule import qa4_kernels as Q


def test_a_reorder_that_makes_a_parallel_loop_carry_a_dependence_is_refuted() -> None:
    s = av.customize(Q.diagonal)
    s.parallel("j")
    before = str(s.module)
    with pytest.raises(av.ScheduleError) as info:
        s.reorder("j", "i")
    assert str(s.module) == before and len(s.steps) == 1
    msg = str(info.value)
    assert "/after/parallel(axis='diagonal:j')/S0/independent/A" in msg, msg
    note = info.value.counterexample.note
    assert "different iterations of 'j'" in note, note


def test_parallel_loops_stay_proved_through_legal_rewrites() -> None:
    s = av.customize(K.gemm)
    s.parallel("i")
    s.split("i", 4)
    s.reorder("j", "i.inner")
    again = [c for st in s.steps[1:] for c in st.checks if "/after/parallel(" in c.name]
    assert again and all(c.result.status == "proved" for st in s.steps for c in st.checks)
    assert s.verify(layers=("L1",)).verdict().proved_by == "L1"
    s.pipeline("k")  # attributes only: nothing to re-prove
    assert not [c for c in s.steps[-1].checks if "/after/parallel(" in c.name]
