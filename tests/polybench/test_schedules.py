"""The 13 PolyBench designs Allo scheduled: each verifies at MINI (every L1 obligation
proved, L2 proved, L3 agreed) and every step of its schedule is proved by L1 at MEDIUM."""

from __future__ import annotations

import pytest

from allo_verify.design import load_designs

from .ports import PORTS, SCHEDULED, load


@pytest.mark.parametrize("name", SCHEDULED)
def test_schedule_verifies_at_mini(name: str) -> None:
    s = load(name).schedule("MINI")
    cert = s.verify(layers=("L1", "L2", "L3"), trials=5, seed=0)
    by_layer: dict[str, list[str]] = {}
    for e in cert.entries:
        by_layer.setdefault(e.layer, []).append(e.result.status)
    assert by_layer["L1"] and set(by_layer["L1"]) == {"proved"}
    assert by_layer["L2"] == ["proved"]
    assert by_layer["L3"] == ["agreed"]
    assert cert.status == "proved"


@pytest.mark.parametrize("name", SCHEDULED)
def test_schedule_is_proved_by_l1_at_medium(name: str) -> None:
    mod = load(name)
    s = mod.schedule("MEDIUM")
    checks = [c for st in s.steps for c in st.checks]
    assert checks and all(c.result.status == "proved" for c in checks)
    assert not any(st.unchecked for st in s.steps)
    sizes = set(mod.SIZES["MEDIUM"].values())
    assert all(sizes & set(a.type.shape) for a in s.module.body.operations[0].arguments)


def test_design_file_builds_the_size_it_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYBENCH_SIZE", "mini")
    designs = load_designs(PORTS / "atax.py")
    assert list(designs) == ["atax"]
    m, n = load("atax").SIZES["MINI"].values()
    arg = designs["atax"].module.body.operations[0].arguments[0]
    assert list(arg.type.shape) == [m, n]
    monkeypatch.setenv("POLYBENCH_SIZE", "HUGE")
    with pytest.raises(Exception, match="POLYBENCH_SIZE='HUGE'"):
        load_designs(PORTS / "atax.py")


def test_two_mm_composed_design_verifies_and_equals_the_port() -> None:
    """2mm built from product templates, each scheduled alone (reorder, buffer_at, pipeline,
    partition) and composed under dataflow: proved, C simulation agreeing, and the composed
    kernel is proved equal to the flat port by L2."""
    import allo_verify as av

    two_mm = load("two_mm")
    s = two_mm.composed_schedule("MINI")
    assert [(type(st.primitive).__name__, st.instance) for st in s.steps] == [
        ("Reorder", "mm1"), ("BufferAt", "mm1"), *[("Pipeline", "mm1")] * 4,
        *[("ArrayPartition", "mm1")] * 2, ("Pipeline", "mm2"), *[("ArrayPartition", "mm2")] * 3,
        ("Dataflow", "")]
    cert = s.verify(layers=("L1", "L2", "L3"), trials=3, csim=True)
    assert cert.status == "proved"
    assert [e.result.status for e in cert.entries if e.layer in ("L2", "L3", "CSIM")] == [
        "proved", "agreed", "agreed"]
    equal = av.check_equivalent(two_mm.kernel("MINI"), two_mm.composed_kernel("MINI"),
                                layers=("L2",))
    assert equal.status == "proved"
    assert all(c.result.status == "proved"
               for st in two_mm.composed_schedule("MEDIUM").steps for c in st.checks)


def test_two_mm_stream_design_agrees_in_c_simulation() -> None:
    """The dataflow design with a FIFO between the products: its emitted C++ agrees."""
    cert = load("two_mm").schedule("MINI").verify(layers=("L1",), trials=3, csim=True)
    assert [e.result.status for e in cert.entries if e.layer == "CSIM"] == ["agreed"]
