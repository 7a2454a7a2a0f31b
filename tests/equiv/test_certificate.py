"""Results, obligations and certificates: JSON round trips and determinism."""

from __future__ import annotations

import json

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from allo_verify.equiv.certificate import Certificate, Entry, ir_hash
from allo_verify.equiv.obligation import Obligation, discharge
from allo_verify.equiv.results import (
    Agreed,
    Cost,
    Counterexample,
    NotRun,
    Proved,
    Refuted,
    Unknown,
    jsonable_scalar,
    result_from_dict,
    result_to_dict,
)

json_scalars = st.one_of(st.integers(-(2**70), 2**70), st.text(max_size=8), st.booleans())
cexs = st.builds(
    Counterexample, output=st.text(max_size=6),
    cell=st.lists(st.integers(0, 9), max_size=3).map(tuple), value_a=json_scalars,
    value_b=json_scalars, inputs=st.dictionaries(st.text(max_size=4), json_scalars, max_size=3),
    confirmed=st.sampled_from(["llvm", "concrete", "unconfirmed"]), note=st.text(max_size=8))
results = st.one_of(
    st.builds(Proved, st.text(max_size=8), st.booleans()),
    st.builds(Refuted, st.one_of(st.none(), cexs), st.text(max_size=8)),
    st.builds(Agreed, st.integers(0, 1000), st.integers(0, 2**32)),
    st.builds(Unknown, st.text(max_size=8)), st.builds(NotRun, st.text(max_size=8)))


@settings(max_examples=100, derandomize=True, database=None)
@given(results)
def test_result_round_trip(r: object) -> None:
    d = result_to_dict(r)  # type: ignore[arg-type]
    assert result_from_dict(json.loads(json.dumps(d))) == r


@settings(max_examples=50, derandomize=True, database=None)
@given(st.lists(st.tuples(st.sampled_from(["L1", "L2", "L3"]), results), max_size=5))
def test_certificate_round_trip_and_status(items: list[tuple[str, object]]) -> None:
    c = Certificate(schedule_log=[{"prim": "split", "args": [1, 4]}],
                    original_hash=ir_hash("a"), final_hash=ir_hash("b"))
    for k, (layer, r) in enumerate(items):
        c.add(Entry(layer, f"e{k}", r, "stmt", "f.py:3", Cost(5, 1, 0.25), {"n": k}))  # type: ignore[arg-type]
    text = c.to_json()
    c2 = Certificate.from_json(text)
    assert c2.to_json() == text and c2.status == c.status
    statuses = [r.status for _, r in items]  # type: ignore[attr-defined]
    # the log entry is not a primitive step, so no step is proved by L1 and the L1 entries
    # belong to no step: proved only through L2, and only if no stray L1 entry is unproved
    l2 = any(layer == "L2" and r.status == "proved" for layer, r in items)  # type: ignore[attr-defined]
    stray = any(layer == "L1" and r.status != "proved" for layer, r in items)  # type: ignore[attr-defined]
    if "refuted" in statuses:
        assert c.status == "refuted"
    elif l2 and not stray:
        assert c.status == "proved"
    else:
        assert c.status == "unknown"
    assert c.ok == (c.status == "proved")


def test_certificate_deterministic_except_timings() -> None:
    def make(seconds: float) -> Certificate:
        c = Certificate(original_hash=ir_hash("x"), final_hash=ir_hash("y"))
        c.add(Entry("L2", "tv", Proved("ok", modulo_reassoc=True), cost=Cost(10, 2, seconds),
                    scope={"z": 1, "a": [3, 2]}))
        c.add(Entry("L3", "cosim", Agreed(100, 0), cost=Cost(seconds=seconds)))
        return c
    a, b = make(0.5), make(1.5)
    assert a.to_json(timings=False) == b.to_json(timings=False)
    assert a.to_json() != b.to_json()
    assert a.status == "proved" and a.claim == "equivalent modulo reassociation"
    text = a.to_json()
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_only_cosim_is_not_a_proof_and_not_run_is_recorded() -> None:
    c = Certificate()
    c.add(Entry("L3", "cosim", Agreed(10, 1)))
    assert c.status == "unknown" and not c.ok
    c.add(Entry("L2", "tv", NotRun("too large: 1e9 ops")))
    assert c.status == "unknown"
    c.add(Entry("L1", "split.sound", Proved()))
    assert c.status == "unknown"  # an L1 entry of no step proves nothing about the design
    c.schedule_log = [{"primitive": "split", "args": {}, "obligations": ["split.sound"]}]
    assert c.status == "proved" and c.verdict().proved_by == "L1"
    assert c.layers()["L2"][0]["status"] == "not_run"


def test_jsonable_floats_keep_bits() -> None:
    for x in (0.0, -0.0, float("inf"), 1e-310, 0.1):
        s = jsonable_scalar(x)
        assert isinstance(s, str) and float(s).hex() == x.hex()
    assert jsonable_scalar(float("nan")) == "nan"


def test_obligation_discharge() -> None:
    x = z3.Int("x")
    ok = Obligation("pos", "x*x >= 0", lambda: x * x >= 0, "test.py:1")
    r, cost = discharge(ok)
    assert isinstance(r, Proved) and cost.queries == 1
    bad = Obligation("lt", "x < 5", lambda: x < 5)
    r, _ = discharge(bad)
    assert isinstance(r, Refuted) and r.counterexample is not None
    assert r.counterexample.inputs["x"] >= 5
    y, w = z3.BitVecs("y w", 64)
    hard = Obligation("hard", "no factors", lambda: z3.Or(
        z3.ULE(y, 1), z3.ULE(w, 1), z3.UGE(y, 2**32), z3.UGE(w, 2**32),
        y * w != 18446743979220271189))
    r, _ = discharge(hard, rlimit=1000)
    assert isinstance(r, Unknown) and "rlimit" in r.reason
