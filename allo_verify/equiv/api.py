"""The verification entry points: `check_equivalent` (two kernels) and `verify_modules`
(what `Schedule.verify` calls: original vs scheduled IR plus the per-step obligations).

Law: the returned `Certificate` lists one entry per layer run (L1: one per obligation) with
the exact scope it covers; layers beyond their budget appear as `NotRun("too large ...")`.
`cert.ok` is True exactly when the verdict rule (`equiv.verdict`) says proved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mlir import ir

from allo_verify.equiv.certificate import Certificate, Entry, ir_hash
from allo_verify.equiv.cosim import DEFAULT_CELL_BUDGET, DEFAULT_TRIALS, cosimulate
from allo_verify.equiv.cosim_tolerance import l3_statement
from allo_verify.equiv.module_text import ir_text, renamed_symbol
from allo_verify.equiv.obligation import DEFAULT_RLIMIT, Obligation, discharge
from allo_verify.equiv.results import Cost, Result
from allo_verify.equiv.state import (
    INITIAL_STATEMENT,
    externalize_state,
    has_state,
    initial_state_result,
)
from allo_verify.equiv.tv import DEFAULT_BUDGET, check_equivalent_modules
from allo_verify.errors import SignatureMismatch
from allo_verify.lang.signature import Signature, kernel_where, mismatch

L2_STATEMENT = "for all input values at the sizes in scope, every output cell is equal"


def module_and_sig(k: Any) -> tuple[ir.Module, Signature]:
    """Accept a built kernel (`.module` + `.sig` or `.kernel.sig`), a schedule-like object,
    a `(module, sig)` pair, or a plain Python kernel function (built by the frontend)."""
    if isinstance(k, tuple) and len(k) == 2:
        return k[0], k[1]
    mod = getattr(k, "module", None)
    sig = getattr(k, "sig", None) or getattr(getattr(k, "kernel", None), "sig", None)
    if mod is not None and sig is not None:
        return mod, sig
    if callable(k):
        from allo_verify.lang.kernel import build_kernel

        built = build_kernel(k)
        return built.module, built.sig
    raise TypeError(f"cannot verify {k!r}: expected a kernel, (module, sig), or a function")


def _named(k: Any, sig: Signature) -> str:
    """A kernel as an error message names it: its function and where it is defined."""
    return kernel_where(k) if hasattr(k, "__code__") else f"'{sig.name}'"


def verify_modules(original: ir.Module, final: ir.Module, sig: Signature,
                   layers: Sequence[str] = ("L1", "L2", "L3"),
                   obligations: Iterable[Obligation | tuple[Obligation, Result, Cost]] = (),
                   schedule_log: Sequence[Any] = (), trials: int = DEFAULT_TRIALS,
                   seed: int = 0, allow_reassoc: bool = False,
                   l2_budget: int = DEFAULT_BUDGET, l3_cell_budget: int = DEFAULT_CELL_BUDGET,
                   rlimit: int = DEFAULT_RLIMIT, func_a: str | None = None,
                   func_b: str | None = None, tolerance: float | None = None,
                   csim: bool = False) -> Certificate:
    """Certificate for `final` against `original`: L1 discharges `obligations` (already
    discharged ones are recorded as given), L2 translation validation, L3 co-simulation
    (within a tolerance, given or derived, when reassociation is allowed); with `csim`, the
    CSIM entry: C simulation of `final`'s emitted HLS C++ against its LLVM simulation on the
    L3 inputs (or `trials` inputs drawn from `seed` when L3 is not run). A stateful kernel is
    checked with its state as an extra input and output of every layer (`equiv/state.py`);
    L1 obligations are stated on the IR itself, where the state is a global array."""
    ta, tb = ir_text(original), ir_text(final)
    cert = Certificate(schedule_log=list(schedule_log), original_hash=ir_hash(ta),
                       final_hash=ir_hash(tb), allow_reassoc=allow_reassoc, kernel=sig.name)
    if has_state(original, final):  # the state before/after a call: an input and an output
        if "L2" in layers or "L3" in layers:
            # its own layer: a proved STATE entry must never count as L2 proving the kernel
            cert.add(Entry("STATE", "stateful-initial-values",
                           initial_state_result(original, final, sig), INITIAL_STATEMENT,
                           sig.name))
        original, final, sig = externalize_state(original, final, sig)
        ta, tb = ir_text(original), ir_text(final)
    if "L1" in layers:
        for ob in obligations:
            if isinstance(ob, tuple):
                o, r, c = ob
            else:
                o = ob
                r, c = discharge(o, rlimit)
            cert.add(Entry("L1", o.name, r, o.statement, o.location, c,
                           {"rlimit": rlimit}))
    if "L2" in layers:
        l2 = check_equivalent_modules(original, final, sig, func_a, func_b,
                                      allow_reassoc=allow_reassoc, budget=l2_budget,
                                      rlimit=rlimit, seed=seed)
        from allo_verify.equiv.symbolic_tier import SYMBOLIC_STATEMENT

        words = SYMBOLIC_STATEMENT if l2.scope.get("tier") == "symbolic" else L2_STATEMENT
        cert.add(Entry("L2", "translation-validation", l2.result, words, sig.name,
                       l2.cost, l2.scope))
    l3_inputs: list[tuple[Any, ...]] | None = None
    if "L3" in layers:
        l3_inputs = [] if csim else None
        l3 = cosimulate(ta, tb, sig, trials=trials, seed=seed, cell_budget=l3_cell_budget,
                        allow_reassoc=allow_reassoc, tolerance=tolerance, record=l3_inputs)
        tol = l3.scope.get("tolerance")
        statement = l3_statement(sig, None if tol is None else float(tol["t"]))
        cert.add(Entry("L3", "co-simulation", l3.result, statement, sig.name, l3.cost,
                       l3.scope))
        if not l3_inputs:  # L3 not run (too large, build failure): CSIM draws its own
            l3_inputs = None
    if csim:
        from allo_verify.equiv.csim_layer import csim_entry

        cert.add(csim_entry(final, sig, l3_inputs, trials, seed, l3_cell_budget))
    return cert


def check_equivalent(kernel_a: Any, kernel_b: Any, layers: Sequence[str] = ("L2", "L3"),
                     trials: int = DEFAULT_TRIALS, seed: int = 0, allow_reassoc: bool = False,
                     l2_budget: int = DEFAULT_BUDGET,
                     l3_cell_budget: int = DEFAULT_CELL_BUDGET,
                     rlimit: int = DEFAULT_RLIMIT, tolerance: float | None = None,
                     csim: bool = False) -> Certificate:
    """Is `kernel_b` equivalent to `kernel_a`? Both must have the same signature (names may
    differ; the function symbol is taken from each kernel's own signature). With `csim`, the
    emitted HLS C++ of `kernel_b` is C-simulated against its LLVM simulation (CSIM entry).

    The arguments are checked as `Schedule.verify` checks them (`ScheduleUsageError`, e.g.
    for `trials=0` with L3 selected); kernels whose signatures differ raise
    `SignatureMismatch` (a `TypeError`) naming both kernels and the first difference."""
    from allo_verify.schedule.usage import verify_args

    layers = verify_args(layers, trials, seed, allow_reassoc,
                         {"l2_budget": l2_budget, "l3_cell_budget": l3_cell_budget,
                          "rlimit": rlimit}, method="check_equivalent", tolerance=tolerance)
    ma, sa = module_and_sig(kernel_a)
    mb, sb = module_and_sig(kernel_b)
    why = mismatch(sa, sb, f"kernel_a {_named(kernel_a, sa)}", f"kernel_b {_named(kernel_b, sb)}")
    if why:
        raise SignatureMismatch(f"check_equivalent: the kernels' signatures differ: {why}")
    if sa.name != sb.name:
        # the LLVM runner looks the function up by the signature's name: rename b's symbol
        mb = renamed_symbol(mb, sb.name, sa.name)
    return verify_modules(ma, mb, sa, layers, (), (), trials, seed, allow_reassoc, l2_budget,
                          l3_cell_budget, rlimit, func_a=sa.name, func_b=sa.name,
                          tolerance=tolerance, csim=csim)
