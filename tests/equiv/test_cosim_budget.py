"""L3 at the design's own sizes: a kernel past the cell budget runs on as many trials as the
budget allows (at least MIN_TRIALS), never skipped, and its claim names the number run."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from allo_verify.equiv.certificate import Entry
from allo_verify.equiv.cosim import MIN_TRIALS, affordable_trials, cosimulate
from allo_verify.equiv.results import Agreed, NotRun, Refuted
from allo_verify.lang.signature import Arg, Signature
from allo_verify.lang.types import int32
from allo_verify.report.claims import entry_claim
from tests.equiv.kernels import split_by_hand, unsplit

N = 20_000  # 40,000 cells per trial
SIG = Signature("k", (Arg("A", int32[N]), Arg("B", int32[N])), ())


@given(st.integers(1, 10**7), st.integers(0, 500), st.integers(0, 10**8))
def test_affordable_trials_law(cells: int, trials: int, budget: int) -> None:
    k = affordable_trials(cells, trials, budget)
    assert min(trials, MIN_TRIALS) <= k <= trials
    if k > MIN_TRIALS:
        assert cells * k <= budget
    if cells * trials <= budget:
        assert k == trials  # within the budget nothing is cut


def test_large_kernel_runs_at_its_sizes_with_the_trials_allowed() -> None:
    r = cosimulate(unsplit(N), split_by_hand(N, 8), SIG, trials=100, cell_budget=200_000)
    assert isinstance(r.result, Agreed)
    assert r.result.trials == 5 and r.scope["trials_allowed"] == 5
    assert r.scope["sizes"] == {"A": [N], "B": [N]}
    entry = Entry("L3", "co-simulation", r.result, "s", "k", r.cost, r.scope)
    claim = entry_claim(entry.to_dict())
    assert claim.startswith("agreed on 5 distinct random inputs") and "100 runs requested" in claim


def test_past_the_budget_at_least_min_trials_run() -> None:
    r = cosimulate(unsplit(N), unsplit(N), SIG, trials=100, cell_budget=10)
    assert isinstance(r.result, Agreed) and r.result.trials == MIN_TRIALS
    assert not isinstance(r.result, NotRun)


def test_a_broken_large_kernel_is_refuted_on_few_trials() -> None:
    """Mutation: the split that drops its tail (no guard, floor trip count) differs at
    the design's size even when the budget allows only the minimum number of trials."""
    n = N + 3
    sig = Signature("k", (Arg("A", int32[n]), Arg("B", int32[n])), ())
    r = cosimulate(unsplit(n), split_by_hand(n, 8, guarded=False), sig, trials=100,
                   cell_budget=10)
    assert isinstance(r.result, Refuted)
    assert r.result.counterexample is not None and r.result.counterexample.cell[0] >= N
