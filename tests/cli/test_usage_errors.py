"""Mistakes in a schedule request are usage errors (`ScheduleUsageError`, CLI exit 3 with a
message), never a checker's refusal (`ScheduleError`, exit 1 "refuted") without a
counterexample; the schedule is unchanged after each.

Regression (issue 8): fuse with its loops in the wrong order, a loop given as an int and
`unroll(axis, True)` were reported as refusals or accepted. Variants here cover every
`Schedule` method with a wrong argument type or value.
"""

from pathlib import Path

import numpy as np
import pytest

import allo_verify as av
from allo_verify import cli, int32
from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.schedule.primitives.split import Split

N = 6


def stage(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:  # noqa: N803
    C: int32[N, N] = 0
    for p, q in av.grid(N, N):
        C[p, q] = A[p, q] + 1
    D: int32[N, N] = 0
    for r, c in av.grid(N, N):
        D[r, c] = C[r, c] * B[r, c]
    return D


def other(X: int32[N]) -> int32[N]:  # noqa: N803
    Y: int32[N] = 0
    for t in range(N):
        Y[t] = X[t]
    return Y


MISTAKES = {
    "split loop as int": lambda s: s.split(0, 2),
    "split loop as None": lambda s: s.split(None, 2),
    "split factor True": lambda s: s.split("p", True),
    "split factor float": lambda s: s.split("p", 2.0),
    "split factor string": lambda s: s.split("p", "2"),
    "split factor 0": lambda s: s.split("q", 0),
    "reorder loop as int": lambda s: s.reorder("p", 1),
    "reorder same loop twice": lambda s: s.reorder("p", "p"),
    "tile axes as a string": lambda s: s.tile("pq", [2, 2]),
    "tile factor True": lambda s: s.tile(["p", "q"], [2, True]),
    "tile factors not a list": lambda s: s.tile(["p", "q"], 2),
    "tile lengths differ": lambda s: s.tile(["p", "q"], [2]),
    "fuse inner loop first": lambda s: s.fuse("q", "p"),
    "fuse loop twice": lambda s: s.fuse("r", "r"),
    "fuse one loop": lambda s: s.fuse("r"),
    "fuse loop as float": lambda s: s.fuse("r", 1.5),
    "unroll factor True": lambda s: s.unroll("q", True),
    "unroll factor False": lambda s: s.unroll("c", False),
    "unroll factor negative": lambda s: s.unroll("c", -2),
    "unroll loop as int": lambda s: s.unroll(3),
    "pipeline ii True": lambda s: s.pipeline("q", True),
    "pipeline ii 0": lambda s: s.pipeline("q", 0),
    "pipeline ii float": lambda s: s.pipeline("q", 1.5),
    "parallel loop as list": lambda s: s.parallel(["p"]),
    "compute_at consumer first": lambda s: s.compute_at("r.outer", "p"),
    "compute_at same loop": lambda s: s.compute_at("p", "p"),
    "compute_at loop as int": lambda s: s.compute_at("q", 2),
    "loop as int": lambda s: s.loop(7),
    "unknown loop": lambda s: s.split("zz", 2),
    "verify trials 0": lambda s: s.verify(layers=("L3",), trials=0),
    "verify trials True": lambda s: s.verify(layers=("L3",), trials=True),
    "verify unknown layer": lambda s: s.verify(layers=("L4",)),
    "verify no layer": lambda s: s.verify(layers=()),
    "verify seed negative": lambda s: s.verify(layers=("L1",), seed=-1),
    "build unknown target": lambda s: s.build("fpga"),
    "verify misspelt budget": lambda s: s.verify(layers=("L1",), trails=5),
    "verify budget zero": lambda s: s.verify(layers=("L2",), l2_budget=0),
    "verify allow_reassoc string": lambda s: s.verify(layers=("L1",), allow_reassoc="no"),
    "apply not a primitive": lambda s: s.apply("split"),
    "apply a primitive class": lambda s: s.apply(Split),
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistake_is_a_usage_error_and_changes_nothing(name: str) -> None:
    s = av.customize(stage)
    s.split("r", 3)
    before, log = str(s.module), s.log()
    with pytest.raises(ScheduleUsageError) as e:
        MISTAKES[name](s)
    assert str(e.value)  # a message, naming what is wrong
    assert str(s.module) == before and s.log() == log


def test_message_names_the_method_and_the_argument() -> None:
    s = av.customize(stage)
    with pytest.raises(ScheduleUsageError, match=r"unroll: factor .* got bool True"):
        s.unroll("q", True)
    with pytest.raises(ScheduleUsageError, match=r"fuse\('p', 'q'\), not fuse\('q', 'p'\)"):
        s.fuse("q", "p")
    with pytest.raises(ScheduleUsageError, match=r"split: the loop must be a loop name.*int 0"):
        s.split(0, 2)


def test_loops_in_two_kernels_are_a_usage_error() -> None:
    def both(A: int32[N, N], X: int32[N]) -> int32[N]:  # noqa: N803
        B: int32[N, N] = A
        stage(A, B)
        Y = other(X)
        return Y

    s = av.customize(both)
    with pytest.raises(ScheduleUsageError):
        s.reorder("stage:p", "other:t")


def test_numpy_integers_are_accepted_and_checker_refusals_stay_refusals() -> None:
    s = av.customize(stage)
    s.split("p", np.int64(2))
    s.unroll("q", np.int32(2))
    s.pipeline(s.loop("c"), np.int16(1))
    with pytest.raises(ScheduleError) as e:  # not a usage error: the loops are not a band
        s.fuse("p.outer", "q")
    assert not isinstance(e.value, ScheduleUsageError)


DESIGN = """
import allo_verify as av
from allo_verify import int32

def k(A: int32[4, 4]) -> int32[4, 4]:
    B: int32[4, 4] = 0
    for i, j in av.grid(4, 4):
        B[i, j] = A[i, j]
    return B

s = av.customize(k)
{step}
"""


@pytest.mark.parametrize("step", ['s.fuse("j", "i")', "s.split(1, 2)", 's.unroll("j", True)',
                                  's.pipeline("i", 0)'])
def test_cli_exits_3_with_a_message(step: str, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "design.py"
    path.write_text(DESIGN.format(step=step))
    code = cli.main(["verify", str(path), "--out", str(tmp_path / "out"), "--trials", "3"])
    text = capsys.readouterr()
    assert code == 3, text
    assert "schedule error" in text.err + text.out  # per-design messages go to stdout
    assert "Traceback" not in text.err + text.out
