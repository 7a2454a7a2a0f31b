"""The L2 symbolic tier as `tv.check_equivalent_modules` dispatches it.

`symbolic_l2` runs `symbolic_tv.check_symbolic`; a failing claim (a candidate: an output
cell whose operation trees differ) is confirmed by running both LLVM simulations of the
actual functions on seeded inputs and reading that cell.

Law: returns `Proved` (for all input values and all sizes satisfying the stated constraints:
the sizes of the IR), `Refuted` only with a counterexample on which both LLVM simulations
were run and differ at the named cell, or `Unknown` with the reason (then the concrete
tier runs). A candidate that cannot be confirmed (too large to simulate, or the simulations
agree on the inputs tried) is `Unknown`, naming the candidate.
"""

from __future__ import annotations

from typing import Any

import islpy as isl
import numpy as np
from mlir import ir

from allo_verify.equiv.counterexample import make_counterexample
from allo_verify.equiv.results import Proved, Refuted, Result, Unknown
from allo_verify.equiv.symbolic_tv import Candidate, SymbolicOutcome, check_symbolic
from allo_verify.lang.signature import Signature

#: statement instances (both functions together) above which a candidate is not replayed
REPLAY_WORK = 300_000_000
CONFIRM_TRIES = 4

SYMBOLIC_STATEMENT = ("for all input values and all sizes satisfying C, every output cell is "
                      "computed by the same operation tree over the same input cells")


def claim_words(scope: dict[str, Any]) -> str:
    """The certificate's words for a symbolic-tier proof, with its size constraints C."""
    sizes = ", ".join(f"{k}: {'x'.join(map(str, v))}" for k, v in
                      (scope.get("sizes") or {}).items())
    return (f"proved for all input values and all sizes satisfying C, C: the sizes fixed by "
            f"the IR ({sizes}); symbolic tier")


def work_of(mod: ir.Module, fname: str, names: list[str] | None) -> int:
    """Statement instances of `@fname`, bounded by each statement's bounding box (isl)."""
    from allo_verify.equiv.affine_extract import extract_program
    from allo_verify.equiv.dataflow_isl import domain_set
    from allo_verify.equiv.symbolic_tv import _func

    with mod.context:
        prog = extract_program(_func(mod, fname), names)
    ctx = isl.Context()
    total = 0
    for acc in [s.acc for s in prog.statements] + prog.loads:
        d = domain_set(ctx, acc)
        if d.is_empty():
            continue
        vol = 1
        for k in range(len(acc.dims)):
            vol *= d.dim_max_val(k).to_python() - d.dim_min_val(k).to_python() + 1
        total += vol
    return total


def symbolic_l2(mod_a: ir.Module, mod_b: ir.Module, sig: Signature | None, fa: str, fb: str,
                allow_reassoc: bool, replay: bool, seed: int) -> tuple[Result, dict[str, Any]]:
    """The symbolic tier's answer and scope (see the module law)."""
    names = None if sig is None else [a.name for a in sig.args]
    try:
        out: SymbolicOutcome = check_symbolic(mod_a, mod_b, fa, fb, names)
    except (isl.Error, NotImplementedError, ValueError, KeyError) as e:
        return Unknown(f"symbolic tier failed: {type(e).__name__}: {e}"), {"tier": "symbolic"}
    scope = out.scope
    if out.result is not None:
        if isinstance(out.result, Proved):
            scope["claim"] = claim_words(scope)
        return out.result, scope
    cand = out.candidate
    assert cand is not None
    what = f"{cand.output}{list(cand.cell)}: {cand.reason}"
    scope["candidate"] = {"output": cand.output, "cell": list(cand.cell), "why": cand.reason}
    if cand.unsupported:
        return Unknown(f"symbolic tier: {what}"), scope
    if allow_reassoc:
        return Unknown(f"symbolic tier compares exact operation order; with reassociation "
                       f"allowed the candidate {what} is left to the concrete tier"), scope
    return _confirm(mod_a, mod_b, sig, fa, fb, cand, what, replay, seed, scope), scope


def _confirm(mod_a: ir.Module, mod_b: ir.Module, sig: Signature | None, fa: str, fb: str,
             cand: Candidate, what: str, replay: bool, seed: int,
             scope: dict[str, Any]) -> Result:
    from allo_verify.equiv.cosim import generate_inputs
    from allo_verify.equiv.replay import replay_cell, replay_signature

    if not replay:
        return Unknown(f"symbolic tier candidate {what}; not confirmed: LLVM replay disabled")
    names = None if sig is None else [a.name for a in sig.args]
    work = work_of(mod_a, fa, names) + work_of(mod_b, fb, names)
    scope["replay_work"] = work
    if work > REPLAY_WORK:
        return Unknown(f"symbolic tier candidate {what}; not confirmed: {work} statement "
                       f"instances are too many to run both LLVM simulations "
                       f"(limit {REPLAY_WORK})")
    with mod_a.context:
        rsig = replay_signature(mod_a, fa, sig)
    draws = [d for d in (_numpy_inputs(rsig, seed + k) for k in range(CONFIRM_TRIES))
             if d is not None] or generate_inputs(rsig, CONFIRM_TRIES, seed)
    for k, values in enumerate(draws):
        inputs = {a.name: v for a, v in zip(rsig.args, values, strict=True)}
        rep = replay_cell(mod_a, mod_b, sig, inputs, cand.output, cand.cell, fa, fb)
        if isinstance(rep, str):
            return Unknown(f"symbolic tier candidate {what}; not confirmed: {rep}")
        va, vb = rep
        if not _same(va, vb):
            keep = {a.name: [] for a in rsig.args}
            cex = make_counterexample(
                cand.output, cand.cell, _scalar(va), _scalar(vb), inputs, keep, "llvm",
                f"found by the symbolic tier ({cand.reason}); confirmed by the LLVM "
                f"simulation of both functions on input draw {k} (seed {seed})")
            return Refuted(cex, f"{cand.output}{list(cand.cell)} differs: {cand.reason}")
    return Unknown(f"symbolic tier candidate {what}; not confirmed: both LLVM simulations "
                   f"agree there on {CONFIRM_TRIES} inputs (seed {seed})")


def _numpy_inputs(sig: Signature, seed: int) -> tuple[Any, ...] | None:
    """Seeded random arguments with varied magnitudes (ints over their whole range, floats
    spread over many binades), or None for types these draws do not cover."""
    from allo_verify.lang.types import ArrayType, Float, Int

    rng = np.random.default_rng(seed)
    out: list[Any] = []
    for a in sig.args:
        t = a.type
        shape = t.shape if isinstance(t, ArrayType) else ()
        dt = t.dtype if isinstance(t, ArrayType) else t
        if isinstance(dt, Int) and dt.bits <= 64 and dt.np_dtype.kind in "iu" \
                and dt.np_dtype.itemsize * 8 == dt.bits:
            v = rng.integers(dt.min, dt.max, size=shape, dtype=dt.np_dtype, endpoint=True)
        elif isinstance(dt, Float) and dt.np_dtype.kind == "f":
            v = (rng.standard_normal(shape) * np.exp(rng.uniform(-4, 4, shape))) \
                .astype(dt.np_dtype)
        else:
            return None
        out.append(np.ascontiguousarray(v) if shape else v[()] if hasattr(v, "shape") else v)
    return tuple(out)


def _scalar(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _same(a: Any, b: Any) -> bool:
    x, y = np.asarray(a), np.asarray(b)
    if x.dtype.kind == "f" and y.dtype.kind == "f":
        return x.tobytes() == y.tobytes() or bool(np.isnan(x) and np.isnan(y))
    return bool(x == y)
