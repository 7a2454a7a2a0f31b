"""Obligation 3' of `dataflow` (see dataflow.py): arguments written by several stages at
disjoint cells.

Law: if no stage reads argument X, every write of X is an affine store inside a loop-nest
stage, and no two stores of different stages write the same cell (for all points of both
iteration domains, a Z3 query over symbolic iteration vectors), then each cell of X has at
most one writer stage, so the order in which the stages run (in sequence, or concurrently
under `#pragma HLS dataflow`) cannot change X's final contents.
"""

from __future__ import annotations

from typing import Any

import z3
from mlir.ir import BlockArgument, Module

from allo_verify.equiv.instance_map import Check, renamed, subst
from allo_verify.equiv.obligation import Obligation
from allo_verify.schedule.dataflow_stages import Stage
from allo_verify.schedule.primitives.base import function
from allo_verify.schedule.primitives.dataflow import fact


def disjoint_checks(module: Module, region: str, stages: list[Stage], values: dict[str, Any],
                    disjoint: tuple[str, ...], arg_names: list[str], step: str) -> list[Check]:
    """Obligation 3' for each buffer of `disjoint`."""
    from allo_verify.equiv.polyhedral import extract

    stmts = extract(function(module, region), arg_names)
    names = {s.name for s in stages}
    out: list[Check] = []
    for buf in disjoint:
        v = values.get(buf)
        readers = [s.name for s in stages if buf in s.reads]
        out.append(fact(f"{step}/{buf}/argument", f"{buf} is an argument of {region}",
                        isinstance(v, BlockArgument), step, f"{buf} is not an argument"))
        out.append(fact(f"{step}/{buf}/write-only", f"no stage of {region} reads {buf}",
                        not readers, step, f"stage {readers[0] if readers else ''} reads "
                        f"{buf}, which several stages write"))
        writes = [(s, a) for s in stmts for a in s.accesses if a.write and a.buffer == buf]
        bad = [s for s, a in writes if a.subscripts is None or not s.affine or not s.loops
               or s.loops[0] not in names]
        if bad:
            out.append(Check(Obligation(f"{step}/{buf}/disjoint", f"the stages of {region} "
                                        f"write disjoint cells of {buf}",
                                        lambda: z3.BoolVal(False), step),
                             unknown=f"a write of {buf} is not an affine store in a loop-nest "
                                     "stage"))
            continue
        for k, (s1, a1) in enumerate(writes):
            for s2, a2 in writes[k + 1:]:
                if s1.loops[0] == s2.loops[0]:
                    continue
                out.append(_pair(s1, a1, s2, a2, buf, step))
    return out


def _pair(s1: Any, a1: Any, s2: Any, a2: Any, buf: str, step: str) -> Check:
    x, y = renamed(s1.loops, "a"), renamed(s2.loops, "b")

    def clash() -> z3.BoolRef:
        return z3.And(subst(s1.domain, x), subst(s2.domain, y),
                      *[subst(p, x) == subst(q, y)
                        for p, q in zip(a1.subscripts, a2.subscripts, strict=True)])

    def explain(m: z3.ModelRef) -> str:
        cell = ", ".join(str(m.eval(subst(p, x), model_completion=True))
                         for p in a1.subscripts)
        return f"stages {s1.loops[0]} and {s2.loops[0]} both write {buf}[{cell}]"

    return Check(Obligation(f"{step}/{buf}/disjoint {s1.loops[0]}|{s2.loops[0]}",
                            f"stages {s1.loops[0]} and {s2.loops[0]} never write the same "
                            f"cell of {buf}", lambda: z3.Not(clash()), step), explain)
