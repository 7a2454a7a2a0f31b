"""compose: a sub-kernel's schedule replayed onto its instances in a parent design, each step
re-proved there and filed under the instance; refusals leave the parent unchanged."""

from __future__ import annotations

import numpy as np
import pytest

import allo_verify as av
from allo_verify import int32
from tests.lang import template_kernels as T
from tests.schedule import kernels as K

RNG = np.random.default_rng(11)


def ints(shape: tuple[int, ...]) -> np.ndarray:
    return RNG.integers(-50, 50, shape).astype(np.int32)


def gemm_schedule(m: int, n: int, k: int) -> av.Schedule:
    """GEMM scheduled once: split, reorder, pipeline."""
    s = av.customize(T.gemm, instantiate=[int32, m, n, k])
    s.split("i", 2)
    s.reorder("i.outer", "j", "k", "i.inner")
    s.pipeline("k")
    return s


def other_schedule(m: int, n: int, k: int) -> av.Schedule:
    """A different schedule of the same template: split j, unroll its inner loop."""
    s = av.customize(T.gemm, instantiate=[int32, m, n, k])
    s.split("j", 2)
    s.reorder("j.outer", "k", "j.inner")
    s.unroll("j.inner")
    return s


def snapshot(s: av.Schedule) -> tuple[str, list]:
    return str(s.module), [st.to_dict(detail=True) for st in s.steps]


def test_two_instances_with_different_schedules_match_numpy_and_verify() -> None:
    top = av.customize(T.two_mm)
    top.compose(gemm_schedule(8, 4, 6), id="mm1")
    top.compose(other_schedule(8, 8, 4), id="mm2")
    assert [st.instance for st in top.steps] == ["mm1"] * 3 + ["mm2"] * 3
    assert [st.primitive.label() for st in top.steps] == [
        "split(axis='gemm_mm1:i', factor=2)",
        "reorder(axes=('gemm_mm1:i.outer', 'gemm_mm1:j', 'gemm_mm1:k', 'gemm_mm1:i.inner'))",
        "pipeline(axis='gemm_mm1:k', initiation_interval=1)",
        "split(axis='gemm_mm2:j', factor=2)",
        "reorder(axes=('gemm_mm2:j.outer', 'gemm_mm2:k', 'gemm_mm2:j.inner'))",
        "unroll(axis='gemm_mm2:j.inner', factor=0)"]
    a, b, c = ints((8, 6)), ints((6, 4)), ints((4, 8))
    assert np.array_equal(top.build()(a, b, c), (a @ b) @ c)
    cert = top.verify(trials=20)
    assert cert.status == "proved", cert.verdict().reasons
    assert {e.layer: e.result.status for e in cert.entries if e.layer != "L1"} == {
        "L2": "proved", "L3": "agreed"}
    l1 = [e for e in cert.entries if e.layer == "L1"]
    assert l1 and all(e.result.status == "proved" for e in l1)
    # each instance's replayed obligations are listed under it, in the log and the entries
    for inst in ("mm1", "mm2"):
        mine = [e.name for e in l1 if e.name.startswith(f"{inst}: ")]
        assert mine and all(f"gemm_{inst}:" in n for n in mine)
        logged = [d for d in cert.schedule_log if d.get("instance") == inst]
        assert len(logged) == 3
        assert all(d["label"].startswith(f"{inst}: ") for d in logged)
        assert sorted(n for d in logged for n in d["obligations"]) == sorted(mine)
    assert len(l1) == sum(len(d["obligations"]) for d in cert.schedule_log)
    assert all(s.label.startswith("step") and (": " in s.label) for s in cert.verdict().steps)


def test_one_schedule_composed_onto_two_instances() -> None:
    sub = gemm_schedule(8, 8, 8)
    top = av.customize(T.two_mm_same)
    top.compose(sub, id="mm1")
    top.compose(sub, id="mm2")
    loops = {lp.qualified for lp in top.all_loops()}
    assert {"gemm_mm1:i.outer", "gemm_mm2:i.inner", "gemm_mm2:k"} <= loops
    a, b, c = ints((8, 8)), ints((8, 8)), ints((8, 8))
    assert np.array_equal(top.build()(a, b, c), (a @ b) @ c)
    assert top.verify(layers=("L1",)).status == "proved"
    assert len(sub.steps) == 3  # the sub-schedule itself is untouched


def test_instantiate_selects_the_instance_and_nested_callees_are_mapped() -> None:
    sub = av.customize(T.nested, instantiate=[av.int16, 8])
    sub.split("scale_int16_8:i", 4)  # a loop of the template's own callee
    sub.pipeline("nested:i")
    top = av.customize(T.calls_nested)
    top.compose(sub, instantiate=[av.int16, 8])
    assert [st.primitive.label() for st in top.steps] == [
        "split(axis='scale_int16_8:i', factor=4)",
        "pipeline(axis='nested_int16_8:i', initiation_interval=1)"]
    assert [st.instance for st in top.steps] == ["nested_int16_8"] * 2
    assert top.verify(layers=("L1", "L2")).status == "proved"


def test_a_replayed_step_is_rechecked_in_its_new_context() -> None:
    """parallel is legal for lag 4 (reads only cells the loop never writes) and illegal for
    lag 1: replayed onto the lag-1 instance it is refuted there, with a counterexample."""
    far = av.customize(T.lagged, instantiate=[8, 4])
    far.parallel("i")
    top = av.customize(T.two_lags)
    top.compose(far, id="far")
    assert top.steps[-1].instance == "far"
    before = snapshot(top)
    with pytest.raises(av.ScheduleError) as info:
        top.compose(far, id="near")
    msg = str(info.value)
    assert "compose into lagged_near (lagged[8, 1, 'near'])" in msg
    assert "step 1 of lagged's schedule, parallel(axis='i')" in msg
    assert "function 'lagged_near' at loop 'lagged_near:i'" in msg
    assert "touch the same cell of B in different iterations" in msg
    assert info.value.counterexample is not None
    assert snapshot(top) == before


def test_loop_already_transformed_by_a_parent_step_is_refused() -> None:
    top = av.customize(T.two_mm)
    top.split("gemm_mm1:i", 4)
    before = snapshot(top)
    with pytest.raises(av.ScheduleError) as info:
        top.compose(gemm_schedule(8, 4, 6), id="mm1")
    msg = str(info.value)
    assert "step 1 of gemm's schedule, split(axis='i', factor=2) no longer applies" in msg
    assert "loop 'gemm_mm1:i' of function 'gemm_mm1' was already transformed by the " \
           "parent's step split(axis='gemm_mm1:i', factor=4)" in msg
    assert snapshot(top) == before


def test_conflicting_parent_annotation_is_refused() -> None:
    top = av.customize(T.two_mm)
    top.pipeline("gemm_mm1:k", 2)
    before = snapshot(top)
    with pytest.raises(av.ScheduleError) as info:
        top.compose(gemm_schedule(8, 4, 6), id="mm1")
    msg = str(info.value)
    assert "step 3 of gemm's schedule, pipeline(axis='k', initiation_interval=1)" in msg
    assert "conflicts with the parent's step pipeline(axis='gemm_mm1:k', " \
           "initiation_interval=2)" in msg
    assert "hls.pipeline_ii of loop 'gemm_mm1:k' in function 'gemm_mm1'" in msg
    assert snapshot(top) == before  # steps 1 and 2 were applied, then all rolled back


def test_step_failing_midway_leaves_nothing_half_applied() -> None:
    top = av.customize(T.two_mm)
    top.compose(other_schedule(8, 8, 4), id="mm2")
    sub = av.customize(T.gemm, instantiate=[int32, 8, 4, 6])
    sub.split("i", 2)
    sub.split("j", 2)
    top.fuse("gemm_mm1:i", "gemm_mm1:j")  # the parent merges loops the sub splits next
    before = snapshot(top)
    with pytest.raises(av.ScheduleError, match="loop 'gemm_mm1:i' of function 'gemm_mm1' "
                                               "was already transformed by the parent's step "
                                               r"fuse\(axes=\('gemm_mm1:i', 'gemm_mm1:j'\)\)"):
        top.compose(sub, id="mm1")
    assert snapshot(top) == before
    # a step that fails after others applied: the parent unrolls a loop the sub then splits
    top2 = av.customize(T.two_mm)
    top2.unroll("gemm_mm1:j", 2)
    sub2 = av.customize(T.gemm, instantiate=[int32, 8, 4, 6])
    sub2.split("i", 2)
    sub2.split("j", 2)
    before2 = snapshot(top2)
    with pytest.raises(av.ScheduleError) as info:
        top2.compose(sub2, id="mm1")
    msg = str(info.value)
    assert "step 2 of gemm's schedule, split(axis='j', factor=2) (replayed as " in msg
    assert "conflicts with the parent's step unroll(axis='gemm_mm1:j', factor=2): it " \
           "transforms loop 'gemm_mm1:j' in function 'gemm_mm1', which that step " \
           "annotated (hls.unroll)" in msg
    assert snapshot(top2) == before2


@pytest.mark.parametrize("kwargs, msg", [
    ({}, r"'gemm' has several instances in 'two_mm' \(gemm_mm1 \(gemm\[int32, 8, 4, 6, "
         r"'mm1'\]\); gemm_mm2 .*choose one with id=... or instantiate"),
    ({"id": "mm3"}, r"no instance of 'gemm' in 'two_mm' matches id='mm3'; instances:"),
    ({"id": 3}, "id must be an instance name"),
    ({"instantiate": [int32, 8, 8]}, r"takes 4 argument\(s\)"),
    ({"instantiate": [int32, 9, 9, 9]}, r"matches instantiate=\[int32, 9, 9, 9\]"),
])
def test_selecting_an_instance(kwargs: dict, msg: str) -> None:
    top = av.customize(T.two_mm)
    with pytest.raises(av.ScheduleUsageError, match=msg):
        top.compose(gemm_schedule(8, 4, 6), **kwargs)
    assert top.steps == []


def test_compose_usage_errors() -> None:
    top = av.customize(T.two_mm)
    with pytest.raises(av.ScheduleUsageError, match="takes the Schedule of a sub-kernel"):
        top.compose("gemm")
    with pytest.raises(av.ScheduleUsageError, match="cannot be composed into itself"):
        top.compose(top)
    lag = av.customize(T.lagged, instantiate=[8, 2])
    with pytest.raises(av.ScheduleUsageError, match="'two_mm' does not call 'lagged'"):
        top.compose(lag)
    plain = av.customize(T.two_mm_same)
    with pytest.raises(av.ScheduleUsageError, match="'two_mm_same' is not a kernel template"):
        top.compose(plain, instantiate=[int32])


def test_unchecked_steps_stay_unchecked_and_others_are_not_accepted_unchecked() -> None:
    """A data-dependent subscript leaves split's obligations undecided: accepted in the sub
    only with unchecked=True, replayed unchecked; the same step logged as checked (as if
    the sub had proved it) is refused in the parent, whose checker cannot decide it."""
    sub = av.customize(T.gather, instantiate=[8])
    sub.split("i", 2, unchecked=True)
    assert sub.steps[0].unchecked
    top = av.customize(T.gather_top)
    top.compose(sub, id="g")
    assert top.steps[0].unchecked and top.steps[0].instance == "g"
    assert any(c.result.status == "unknown" for c in top.steps[0].checks)
    a = np.arange(8, dtype=np.int32) * 10
    idx = np.array([3, 1, 4, 1, 5, 2, 6, 0], dtype=np.int32)
    assert np.array_equal(top.build()(a, idx), a[idx])
    sub.steps[0].unchecked = False
    with pytest.raises(av.ScheduleError, match="(?s)could not be decided.*accepted it with "
                                               "unchecked=True"):
        av.customize(T.gather_top).compose(sub, id="g")


def test_compose_in_a_design_file_records_the_refusal(tmp_path) -> None:  # noqa: ANN001
    from allo_verify.design import load_designs

    design = tmp_path / "d.py"
    design.write_text(
        "import allo_verify as av\n"
        "from allo_verify import int32\n"
        "from tests.lang import template_kernels as T\n"
        "sub = av.customize(T.gemm, instantiate=[int32, 8, 4, 6])\n"
        "sub.split('i', 2)\n"
        "top = av.customize(T.two_mm)\n"
        "top.split('gemm_mm1:i', 4)\n"
        "top.compose(sub, id='mm1')\n"
        "top.pipeline('gemm_mm2:k')\n")
    designs = load_designs(design)
    top = designs["top"]
    assert top.refusal is not None and "already transformed" in str(top.refusal)
    assert len(top.steps) == 1 and top.skipped
    assert designs["sub"].refusal is None
    refused = top.refusal.step  # type: ignore[union-attr]
    assert refused.instance == "mm1" and "already transformed" in refused.refused
    cert = top.verify(trials=5)
    assert cert.status == "refused" and cert.verdict().exit_code == 1


def test_loops_buffers_and_qualified_names_are_renamed_into_the_instance() -> None:
    """The renaming compose applies to any primitive's fields (a stand-in for the memory
    primitives: a buffer `target`, a loop `axis`, a tuple of loops, another qualified name)."""
    from dataclasses import dataclass

    from allo_verify.schedule.compose import renamed
    from allo_verify.schedule.primitives import Primitive

    @dataclass(frozen=True)
    class Stand(Primitive):
        target: str
        axis: str
        axes: tuple[str, ...] = ()
        note: str = ""
        factor: int = 1
        name = "stand"

    sub = av.customize(T.nested, instantiate=[av.int16, 8])
    fmap = {"nested": "nested_int16_8", "scale_int16_8": "scale_int16_8"}
    prim = Stand("C", "nested:i", ("scale_int16_8:i", "C.init0"), "scale_int16_8:B", 3)
    out = renamed(prim, sub.original, {**fmap}, "nested")
    assert out == Stand("nested_int16_8:C", "nested_int16_8:i",
                        ("scale_int16_8:i", "nested_int16_8:C.init0"), "scale_int16_8:B", 3)
    qualified = Stand("scale_int16_8:B", "scale_int16_8:i")
    assert renamed(qualified, sub.original, {"nested": "nested_x", "scale_int16_8": "scale_y"},
                   "nested") == Stand("scale_y:B", "scale_y:i")
    with pytest.raises(av.ScheduleError, match="names buffer 'scale_int16_8:B' of function "
                                               "'scale_int16_8', which has no counterpart"):
        renamed(qualified, sub.original, {"nested": "nested_x"}, "nested")
    with pytest.raises(av.ScheduleUsageError, match="loop name 'i' is ambiguous"):
        renamed(Stand("C", "i"), sub.original, fmap, "nested")


def calls_plain_gemm(A: int32[12, 6], B: int32[6, 8]) -> int32[12, 8]:
    return K.gemm(A, B)


def test_compose_onto_a_plain_callee() -> None:
    sub = av.customize(K.gemm)
    sub.split("i", 4)
    sub.pipeline("k")
    top = av.customize(calls_plain_gemm)
    top.compose(sub)
    assert [(st.instance, st.primitive.label()) for st in top.steps] == [
        ("gemm", "split(axis='gemm:i', factor=4)"),
        ("gemm", "pipeline(axis='gemm:k', initiation_interval=1)")]
    a, b = ints((12, 6)), ints((6, 8))
    assert np.array_equal(top.build()(a, b), a @ b)
    assert top.verify(trials=5).status == "proved"
    with pytest.raises(av.ScheduleUsageError, match="matches id='x'; instances: gemm "
                                                    r"\(kernel gemm\)"):
        av.customize(calls_plain_gemm).compose(sub, id="x")


def test_loop_keyword_steps_are_not_replayed_and_their_loops_can_be_transformed() -> None:
    """`grid(..., pipeline=True)` is applied by customize to the sub and to the instance
    alike: compose replays only the sub's own steps, and transforming the keyword's loop is
    no conflict (the parent did not choose that annotation; the template did)."""
    sub = av.customize(T.keyworded, instantiate=[8])
    assert [st.primitive.name for st in sub.steps] == ["pipeline"]
    sub.split("j", 4)
    top = av.customize(T.keyworded_top)
    assert [st.primitive.name for st in top.steps] == ["pipeline"]
    top.compose(sub, id="kw")
    assert [(st.instance, st.primitive.label()) for st in top.steps] == [
        ("", "pipeline(axis='keyworded_kw:j', initiation_interval=1)"),
        ("kw", "split(axis='keyworded_kw:j', factor=4)")]
    a = ints((8, 8))
    assert np.array_equal(top.build()(a), a + 1)
    assert top.verify(trials=5).status == "proved"


def test_memory_primitives_replay_onto_an_instance(tmp_path) -> None:  # noqa: ANN001
    sub = av.customize(T.gemm, instantiate=[int32, 8, 4, 6])
    sub.partition(sub.A, "cyclic", dim=2, factor=2)
    sub.buffer_at(sub.C, "i")
    sub.pipeline("k")
    top = av.customize(T.two_mm)
    top.compose(sub, id="mm1")
    assert [st.primitive.label() for st in top.steps] == [
        "partition(target='gemm_mm1:A', partition_type='cyclic', dim=2, factor=2)",
        "buffer_at(target='gemm_mm1:C', axis='gemm_mm1:i')",
        "pipeline(axis='gemm_mm1:k', initiation_interval=1)"]
    a, b, c = ints((8, 6)), ints((6, 4)), ints((4, 8))
    assert np.array_equal(top.build()(a, b, c), (a @ b) @ c)
    assert top.verify(trials=5).status == "proved"
    top.save(tmp_path / "top.json")
    assert str(av.Schedule.load(tmp_path / "top.json", T.two_mm).module) == str(top.module)
