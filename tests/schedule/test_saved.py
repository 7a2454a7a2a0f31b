"""Saved schedules: save, load and replay give the identical final IR with every step
re-proved; malformed, foreign, edited or ill-typed logs are refused with a clear error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import allo_verify as av
from allo_verify import int32
from allo_verify.design import load_designs
from allo_verify.schedule.saved import decode_arg, encode_arg
from tests.lang import template_kernels as T
from tests.schedule import kernels as K

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.py"))


def final_hash(s: av.Schedule) -> str:
    from allo_verify.schedule.saved import _hash

    return _hash(s.module)


def kernel_of(s: av.Schedule) -> Any:
    return s.kernel.origins[s.kernel.name].kernel


def statuses(s: av.Schedule) -> list[list[tuple[str, str]]]:
    return [[(c.name, c.result.status) for c in st.checks] for st in s.steps]


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_design_replays_to_the_identical_ir(example: Path, tmp_path: Path
                                                          ) -> None:
    schedules = {n: d for n, d in load_designs(example).items() if isinstance(d, av.Schedule)}
    if not schedules:
        pytest.skip(f"{example.name} exposes no Schedule")
    for name, s in schedules.items():
        path = tmp_path / f"{name}.json"
        s.save(path)
        data = json.loads(path.read_text())
        assert data["format"] == "allo-verify-schedule" and data["version"] == 1
        assert data["kernel"] == s.kernel.name and data["final_hash"] == final_hash(s)
        again = av.Schedule.load(path, kernel_of(s))
        assert str(again.module) == str(s.module)
        assert final_hash(again) == final_hash(s)
        assert [st.to_dict() for st in again.steps] == [st.to_dict() for st in s.steps]
        assert statuses(again) == statuses(s)  # every step re-proved, with the same results
        assert all(c.cost is not None for st in again.steps for c in st.checks)


def gemm_saved(tmp_path: Path) -> tuple[av.Schedule, Path, dict]:
    s = av.customize(K.gemm)
    s.split("i", 4)
    s.split("j", 4)
    s.reorder("i.outer", "j.outer", "k", "i.inner", "j.inner")
    s.pipeline("k")
    path = tmp_path / "gemm.json"
    s.save(path)
    return s, path, json.loads(path.read_text())


def write(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_composed_and_templated_schedules_keep_instances_and_arguments(tmp_path: Path) -> None:
    sub = av.customize(T.gemm, instantiate=[int32, 8, 4, 6])
    sub.split("i", 2)
    sub.pipeline("k")
    sub.save(tmp_path / "sub.json")
    data = json.loads((tmp_path / "sub.json").read_text())
    assert data["template_args"] == [{"int": 32, "signed": True}, {"value": 8},
                                     {"value": 4}, {"value": 6}]
    sub2 = av.Schedule.load(tmp_path / "sub.json", T.gemm)  # arguments read from the log
    assert sub2.kernel.origins["gemm"].args == (int32, 8, 4, 6)
    assert str(sub2.module) == str(sub.module)
    top = av.customize(T.two_mm)
    top.compose(sub, id="mm1")
    top.save(tmp_path / "top.json")
    top2 = av.Schedule.load(tmp_path / "top.json", T.two_mm)
    assert [st.instance for st in top2.steps] == ["mm1", "mm1"]
    assert [c.name for st in top2.steps for c in st.checks] == \
        [c.name for st in top.steps for c in st.checks]
    assert all(c.name.startswith("mm1: ") for st in top2.steps for c in st.checks)
    assert top2.verify(layers=("L1",)).status == "proved"


@pytest.mark.parametrize("arg", [int32, av.UInt(7), av.Fixed(12, 5), av.UFixed(8, 8),
                                 av.float16, av.index, av.int8[3, 4], 5, -3, 0.25])
def test_template_arguments_round_trip_as_data(arg: Any) -> None:
    enc = encode_arg(arg)
    assert json.loads(json.dumps(enc)) == enc
    back = decode_arg(enc, "x")
    assert back == arg and type(back) is type(arg)


@pytest.mark.parametrize("enc", [{"int": 0, "signed": True}, {"int": "32", "signed": True},
                                 {"float": 8}, {"value": True}, {"value": "8"},
                                 {"fixed": 4, "frac": 9, "signed": True}, "int32",
                                 {"array": {"int": 8, "signed": True}, "shape": []},
                                 {"int": 32, "signed": True, "extra": 1}])
def test_malformed_template_arguments_are_refused(enc: Any) -> None:
    with pytest.raises(av.ScheduleUsageError, match="x: (malformed|bad) template argument"):
        decode_arg(enc, "x")


def test_unchecked_steps_stay_unchecked_on_reload(tmp_path: Path) -> None:
    s = av.customize(T.gather, instantiate=[8])
    s.split("i", 2, unchecked=True)
    s.save(tmp_path / "g.json")
    data = json.loads((tmp_path / "g.json").read_text())
    assert data["steps"][0]["unchecked"] is True
    again = av.Schedule.load(tmp_path / "g.json", T.gather)
    assert again.steps[0].unchecked
    assert again.verify(layers=("L1",)).status != "proved"
    del data["steps"][0]["unchecked"]  # a log claiming the step was checked is not believed
    with pytest.raises(av.ScheduleError, match=r"(?s)step 1 split\(axis='i', factor=2\) does "
                                               r"not replay onto 'gather'.*could not be decided"):
        av.Schedule.load(write(tmp_path / "g2.json", data), T.gather)


# ---- refusals -----------------------------------------------------------------------------
def test_corrupted_logs_are_refused(tmp_path: Path) -> None:
    _, path, data = gemm_saved(tmp_path)
    text = path.read_text()
    cases = {
        "truncated": (text[: len(text) // 2], "malformed JSON"),
        "garbage": ("\x00\x01 not json", "malformed JSON"),
        "a list": ("[]", "not a saved schedule"),
        "other format": ({**data, "format": "pickle"}, "not a saved schedule"),
        "other version": ({**data, "version": 2}, "format version 2; this version reads 1"),
        "extra key": ({**data, "code": "print(1)"}, "exactly the keys"),
        "missing key": ({k: v for k, v in data.items() if k != "final_hash"},
                        "exactly the keys"),
        "steps not a list": ({**data, "steps": {"0": 1}}, "'steps' must be a list"),
        "hash not a string": ({**data, "original_hash": 7}, "'original_hash' must be a string"),
    }
    for what, (content, msg) in cases.items():
        with pytest.raises(av.ScheduleUsageError, match=msg):
            av.Schedule.load(write(tmp_path / f"{what}.json", content), K.gemm)
    with pytest.raises(av.ScheduleUsageError, match="cannot read the saved schedule"):
        av.Schedule.load(tmp_path / "missing.json", K.gemm)


def test_foreign_logs_are_refused(tmp_path: Path) -> None:
    _, path, _ = gemm_saved(tmp_path)
    with pytest.raises(av.ScheduleUsageError, match="saved for kernel 'gemm', not 'conv2d'"):
        av.Schedule.load(path, K.conv2d)
    sub = av.customize(T.gemm, instantiate=[int32, 8, 4, 6])
    sub.split("i", 2)
    sub.save(tmp_path / "t.json")
    with pytest.raises(av.ScheduleUsageError, match="saved for another version of 'gemm': its "
                                                    "original IR hash"):
        av.Schedule.load(tmp_path / "t.json", T.gemm, instantiate=[int32, 8, 4, 7])
    data = json.loads((tmp_path / "t.json").read_text())
    data["original_hash"] = "0" * 64
    with pytest.raises(av.ScheduleUsageError, match="another version of 'gemm'"):
        av.Schedule.load(write(tmp_path / "t2.json", data), T.gemm)


def _edit(data: dict, **step0: Any) -> dict:
    out = json.loads(json.dumps(data))
    out["steps"][0].update(step0)
    return out


@pytest.mark.parametrize("change, err, msg", [
    ({"primitive": "os.system"}, av.ScheduleUsageError, r"step 1: unknown primitive 'os.system'"),
    ({"primitive": 3}, av.ScheduleUsageError, "unknown primitive 3"),
    ({"args": {"axis": "i", "factor": "8"}}, av.ScheduleUsageError,
     r"split argument 'factor': '8' is not a int"),
    ({"args": {"axis": "i", "factor": True}}, av.ScheduleUsageError, "True is not a int"),
    ({"args": {"axis": ["i"], "factor": 8}}, av.ScheduleUsageError, r"\['i'\] is not a str"),
    ({"args": {"axis": "i"}}, av.ScheduleUsageError, "split needs argument 'factor'"),
    ({"args": {"axis": "i", "factor": 4, "evil": "__import__('os')"}}, av.ScheduleUsageError,
     "split has no argument 'evil'"),
    ({"args": [1, 2]}, av.ScheduleUsageError, "arguments of split must be a JSON object"),
    ({"unchecked": "yes"}, av.ScheduleUsageError, "'unchecked' must be true/false"),
    ({"run": "x"}, av.ScheduleUsageError, "a step has keys primitive, args"),
    ({"args": {"axis": "i", "factor": 0}}, av.ScheduleUsageError,
     "split factor must be an integer in 1..2"),
])
def test_bad_steps_are_refused(tmp_path: Path, change: dict, err: type, msg: str) -> None:
    _, _, data = gemm_saved(tmp_path)
    with pytest.raises(err, match=msg):
        av.Schedule.load(write(tmp_path / "bad.json", _edit(data, **change)), K.gemm)


def test_edited_logs_are_refused(tmp_path: Path) -> None:
    s, _, data = gemm_saved(tmp_path)
    # a factor changed: every step still proves, but the final IR is not the saved one
    with pytest.raises(av.ScheduleUsageError, match=r"the log was edited: replaying its 4 "
                                                    r"step\(s\) gives final IR hash"):
        av.Schedule.load(write(tmp_path / "e1.json",
                               _edit(data, args={"axis": "i", "factor": 2})), K.gemm)
    dropped = {**data, "steps": data["steps"][:-1]}
    with pytest.raises(av.ScheduleUsageError, match="the log was edited"):
        av.Schedule.load(write(tmp_path / "e2.json", dropped), K.gemm)
    # a step its checker refuses now: reported with the step and the reason
    bad = json.loads(json.dumps(data))
    bad["steps"].insert(0, {"primitive": "parallel", "args": {"axis": "k"}})
    with pytest.raises(av.ScheduleError, match=r"(?s)step 1 parallel\(axis='k'\) does not "
                                               "replay onto 'gemm'.*touch the same cell"):
        av.Schedule.load(write(tmp_path / "e3.json", bad), K.gemm)
    # an unknown loop
    with pytest.raises(av.ScheduleUsageError, match="no loop named 'q'"):
        av.Schedule.load(write(tmp_path / "e4.json", _edit(data, args={"axis": "q",
                                                                       "factor": 2})), K.gemm)
    assert final_hash(av.Schedule.load(tmp_path / "gemm.json", K.gemm)) == final_hash(s)


def test_loading_runs_nothing_from_the_file(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    _, _, data = gemm_saved(tmp_path)
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    for change in ({"primitive": code}, {"args": {"axis": code, "factor": 2}}):
        with pytest.raises(av.ScheduleUsageError):
            av.Schedule.load(write(tmp_path / "c.json", _edit(data, **change)), K.gemm)
    data["kernel"] = code
    with pytest.raises(av.ScheduleUsageError, match="saved for kernel"):
        av.Schedule.load(write(tmp_path / "k.json", data), K.gemm)
    assert not marker.exists()


def test_a_schedule_holding_a_refusal_is_not_saved(tmp_path: Path) -> None:
    from allo_verify.schedule.refusals import collect_refusals

    s = av.customize(K.gemm)
    with collect_refusals():
        s.parallel("k")
    assert s.refusal is not None
    with pytest.raises(av.ScheduleUsageError, match="holds a refused step"):
        s.save(tmp_path / "r.json")
