"""The CSIM layer: C simulation of the emitted HLS C++ of the final design, recorded in the
certificate beside L1, L2 and L3.

Claim when it agrees: "emitted C++ agreed with the LLVM simulation on K inputs": the C++
that `emit_hls` writes for the FINAL design, compiled with g++ and run, produced the same
bits (NaN policy of `codegen.hls.check`) as the LLVM simulation of the same final design on
each of K argument tuples: the L3 co-simulation's inputs when L3 ran, else K tuples drawn by
the same strategy from the seed. It is evidence about the emitter, never a proof: the
verdict rule (`equiv.verdict`) lets a CSIM refutation make the design refuted and never lets
CSIM make anything proved.

Law: `Refuted` carries the first differing output cell, both values (a: the LLVM simulation,
b: the emitted C++; `confirmed="csim"`) and the inputs of that trial; a C simulation that
cannot run (no g++, no ap_types headers, a construct the emitter refuses, a compile error)
is `Unknown` with the reason, never a pass; more cells than the budget is `NotRun`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from mlir import ir

from allo_verify.equiv.certificate import Entry
from allo_verify.equiv.counterexample import summarize
from allo_verify.equiv.results import (
    Agreed,
    Cost,
    Counterexample,
    NotRun,
    Refuted,
    Result,
    Unknown,
    jsonable_scalar,
)
from allo_verify.lang.signature import Signature
from allo_verify.lang.types import ArrayType

LAYER = "CSIM"
NAME = "c-simulation"
STATEMENT = ("the emitted HLS C++ of the final design, compiled with g++ and run, produces "
             "the same bits as the LLVM simulation of the final design on every input run")
#: how the two sides of a CSIM counterexample are named
SIDES = ("LLVM simulation of the final design", "emitted C++ (C simulation)")


def _keep(cell: tuple[int, ...], t: ArrayType) -> list[tuple[int, ...]]:
    if len(cell) != len(t.shape):
        return []
    out: list[tuple[int, ...]] = [()]
    for c, d in zip(cell, t.shape, strict=True):
        out = [p + (x,) for p in out for x in (c - 1, c, c + 1) if 0 <= x < d]
    return out


def csim_entry(final: ir.Module | str, sig: Signature, inputs: list[tuple[Any, ...]] | None,
               trials: int, seed: int, cell_budget: int, hls_module: Any = None) -> Entry:
    """The CSIM entry for `final` (whose function `sig.name` is the top): run on `inputs`
    (the L3 co-simulation's) or, when None, on `trials` inputs drawn from `seed`."""
    from allo_verify.codegen.hls import CSimError, HLSEmitError, csim_check, emit_hls
    from allo_verify.codegen.hls.hls_module import code_hash
    from allo_verify.equiv.cosim import generate_inputs

    t0 = time.perf_counter()
    cells = sum(a.type.size if isinstance(a.type, ArrayType) else 1 for a in sig.args)
    source = "the L3 co-simulation's inputs" if inputs is not None else \
        f"inputs drawn by the co-simulation strategy (seed {seed})"
    scope: dict[str, Any] = {"seed": seed, "inputs": source, "cells_per_trial": cells,
                             "sizes": {a.name: list(a.type.shape) for a in sig.args
                                       if isinstance(a.type, ArrayType)}}
    n = len(inputs) if inputs is not None else trials
    if cells * n > cell_budget:
        return Entry(LAYER, NAME, NotRun(f"too large: {cells} cells x {n} trials > "
                                         f"{cell_budget}"), STATEMENT, sig.name, Cost(), scope)
    try:
        runs = inputs if inputs is not None else generate_inputs(sig, trials, seed)
        if not runs:
            result: Result = NotRun("no input to run (the co-simulation ran none)")
        else:
            mod = hls_module if hls_module is not None else emit_hls(final, sig)
            scope["cxx_sha256"] = code_hash(mod.code)
            check = csim_check(final, sig, runs, hls_module=mod)
            scope["nan_policy"] = check.nan_policy
            result = _result(check, sig, runs, seed)
    except (CSimError, HLSEmitError) as e:
        result = Unknown(f"C simulation could not run: {e}")
    except Exception as e:  # noqa: BLE001 - a C simulation that crashes is unknown, not a pass
        result = Unknown(f"C simulation failed: {type(e).__name__}: {e}")
    if isinstance(result, Agreed):
        scope["trials"] = result.trials
    return Entry(LAYER, NAME, result, STATEMENT, sig.name,
                 Cost(seconds=time.perf_counter() - t0), scope)


def _result(check: Any, sig: Signature, runs: list[tuple[Any, ...]], seed: int) -> Result:
    if check.agreed:
        return Agreed(check.trials, seed)
    d = check.first_difference
    args = runs[d.trial]
    keep = {a.name: _keep(tuple(d.index), a.type) for a in sig.args
            if isinstance(a.type, ArrayType)}
    inputs = {a.name: summarize(a.name, v, keep.get(a.name, []))
              for a, v in zip(sig.args, args, strict=True)}
    cex = Counterexample(output=d.output, cell=tuple(d.index),
                         value_a=jsonable_scalar(_plain(d.llvm)),
                         value_b=jsonable_scalar(_plain(d.csim)), inputs=inputs,
                         confirmed="csim",
                         note=f"a: {SIDES[0]}; b: {SIDES[1]}; trial {d.trial + 1} of "
                              f"{len(runs)}")
    return Refuted(cex, check.claim())


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v
