"""Property: on random loop bodies mixing two local scalars (tuple assignments, data-
dependent and affine conditions, read-modify-writes, a value read after the loops), what the
checker accepts keeps the results: an accepted `parallel("j")` gives the same results when
the iterations of j run backwards (one of the orders it allows; private scalars are then
still stored before they are read), and an accepted `reorder("j", "i")` gives the same
results on the LLVM simulation. Both oracles run the kernels, not the checker."""

from __future__ import annotations

import atexit
import importlib.util
import shutil
import tempfile
from pathlib import Path
from types import ModuleType

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allo_verify as av

STATEMENTS = [
    "t = A[i, j] + 1",
    "t = t + A[i, j]",
    "u = t * 2",
    "u = A[i, j] - j",
    "t, u = u, A[i, j]",
    "u, t = A[i, j], A[i, j] * 3",
    "if A[i, j] > 0:\n{ind}    t = A[i, j]",
    "if A[i, j] > 0:\n{ind}    u = 1\n{ind}else:\n{ind}    u = 2",
    "if j > 1:\n{ind}    t = 5",
    "B[i, j] = t + u",
    "B[i, j] = B[i, j] + t",
]
AFTER = ["", "B[0, 0] = t", "B[1, 1] = u + 1"]
BEFORE = ["", "t = 4"]
_DIR = Path(tempfile.mkdtemp(prefix="privacy_props_"))
atexit.register(shutil.rmtree, _DIR, ignore_errors=True)
_count = [0]


def kernel_source(before: str, body: list[str], after: str, reverse_j: bool) -> str:
    ind = " " * 12
    jr = "range(N - 1, -1, -1)" if reverse_j else "range(N)"
    lines = ["from allo_verify import int32", "M, N = 3, 4", "",
             "def k(A: int32[M, N], B: int32[M, N]):",
             "    t: int32 = 0", "    u: int32 = 0"]
    if before:
        lines.append(f"    {before}")
    lines += ["    for i in range(M):", f"        for j in {jr}:"]
    lines += [ind + s.format(ind=ind) for s in body]
    if after:
        lines.append(f"    {after}")
    return "\n".join(lines) + "\n"


def load(source: str) -> ModuleType:
    _count[0] += 1
    path = _DIR / f"privacy_prop_{_count[0]}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(s: av.Schedule, A: np.ndarray) -> np.ndarray:
    B = np.zeros_like(A)
    s.build()(A, B)
    return B


programs = st.tuples(st.sampled_from(BEFORE),
                     st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=5),
                     st.sampled_from(AFTER))


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
def test_accepted_steps_keep_the_results(program: tuple) -> None:
    before, body, after = program
    forward = load(kernel_source(before, body, after, reverse_j=False)).k
    backward = load(kernel_source(before, body, after, reverse_j=True)).k
    rng = np.random.RandomState(len(body))
    inputs = [rng.randint(-9, 9, (3, 4)).astype(np.int32) for _ in range(3)]
    original = av.customize(forward)
    want = [run(original, A) for A in inputs]
    s = av.customize(forward)
    try:
        s.parallel("j")
        parallel = True
    except av.ScheduleError:
        parallel = False
    if parallel:
        back = av.customize(backward)
        for A, w in zip(inputs, want, strict=True):
            np.testing.assert_array_equal(run(back, A), w)
    s = av.customize(forward)
    try:
        s.reorder("j", "i")
    except av.ScheduleError:
        return
    for A, w in zip(inputs, want, strict=True):
        np.testing.assert_array_equal(run(s, A), w)
