"""reshape(target, shape): give a local array another shape with the same cells, row-major.

Rewrite (lin the row-major linearization of the old shape, lin' of the new one, delin' its
inverse: q_k = (l div stride'_k) mod n'_k):

    %B = memref.alloc() : memref<10x10xi32>        %B = memref.alloc() : memref<2x5x2x5xi32>
    B[i, j] = ...                          ==>     B[delin'(lin(i, j))] = ...

every access rewritten, so the data really lives in the new shape (L2 and L3 see it).
Only local arrays that are read and written by affine loads and stores are reshaped (an
argument or a returned array is part of the kernel's interface).

Obligations (Z3, at the instance's shapes; x a symbolic old cell, l a linear index):

1. into: 0 <= x < old shape  =>  0 <= lin(x) < total and delin'(lin(x)) is a new cell;
2. bijection: 0 <= l < total  =>  lin'(delin'(l)) = l, and two old cells with one new cell
   are the same cell;
3. every access: for every instance y of a statement accessing B, old subscripts s(y) and
   new ones s'(y): lin'(s'(y)) = lin(s(y)) and s'(y) is a new cell;
4. the instance-map obligations (identity witness) between the original with B's cells
   renamed by delin'(lin(.)) and the new function, and nothing outside it changes.

`proofs/reshape.py` proves 1-2 for all shapes of rank 2 and all factors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import z3
from mlir.dialects import affine, memref
from mlir.ir import (
    AffineConstantExpr,
    AffineExpr,
    AffineMap,
    InsertionPoint,
    MemRefType,
    Module,
)

from allo_verify.equiv.instance_map import IDENTITY, Check, statement_obligations
from allo_verify.equiv.obligation import Obligation
from allo_verify.equiv.order_obligations import order_obligations
from allo_verify.equiv.polyhedral import Statement, var
from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.schedule.buffers import ALLOCS, BufferRef, buffer_value, shape_of
from allo_verify.schedule.memory import access_map, memref_operand
from allo_verify.schedule.primitives.base import (
    Context,
    Primitive,
    others_unchanged_check,
    register,
    statements,
)


def strides(shape: tuple[int, ...]) -> list[int]:
    out, acc = [], 1
    for n in reversed(shape):
        out.insert(0, acc)
        acc *= n
    return out


def lin(subs: list, shape: tuple[int, ...]) -> Any:
    """Row-major linear index of `subs` (Z3 terms or affine expressions)."""
    total = None
    for s, st in zip(subs, strides(shape), strict=True):
        term = s * st
        total = term if total is None else total + term
    return total if total is not None else 0


def delin(l_: Any, shape: tuple[int, ...]) -> list:
    """The cell of `shape` with row-major index `l_` (floor division and modulo)."""
    if isinstance(l_, z3.ArithRef):
        return [(l_ / st) % n for st, n in zip(strides(shape), shape, strict=True)]
    return [AffineExpr.get_mod(AffineExpr.get_floor_div(l_, AffineConstantExpr.get(st)),
                               AffineConstantExpr.get(n))
            for st, n in zip(strides(shape), shape, strict=True)]


@register
@dataclass(frozen=True)
class Reshape(Primitive):
    target: str  # "kernel:buffer"
    shape: tuple[int, ...]
    name = "reshape"

    def validate(self, module: Module, ctx: Context) -> tuple[Any, tuple[int, ...]]:
        kernel, bname = self.target.split(":", 1)
        v = buffer_value(module, BufferRef(kernel, bname), ctx.arg_names)
        old = shape_of(v)
        new = tuple(self.shape)
        if not old:
            raise ScheduleUsageError(f"reshape: {self.target} is a scalar; only arrays can be "
                                     "reshaped")
        if not new or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1
                              for n in new):
            raise ScheduleUsageError(f"reshape: the shape must be positive integers, got "
                                     f"{self.shape!r}")
        if lin([n - 1 for n in old], old) + 1 != lin([n - 1 for n in new], new) + 1:
            raise ScheduleUsageError(f"reshape: {self.target} has shape {old} "
                                     f"({lin([n - 1 for n in old], old) + 1} cells); {new} "
                                     "has a different number of cells")
        if not hasattr(v, "owner") or not hasattr(v.owner, "operation") or \
                v.owner.operation.name not in ALLOCS:
            raise ScheduleError(f"reshape: {self.target} is an argument of the kernel; only "
                                "local arrays can be reshaped (the interface stays)")
        if "hls.partition" in v.owner.operation.attributes:
            raise ScheduleError(f"reshape: {self.target} is partitioned; reshape it first")
        for use in v.uses:
            op = use.owner
            op = getattr(op, "operation", op)
            if op.name == "memref.dealloc":
                continue
            if op.name not in ("affine.load", "affine.store") or \
                    op.operands[memref_operand(op)] != v:
                raise ScheduleError(f"reshape: {self.target} is used by {op.name}; only arrays "
                                    "accessed by affine loads and stores can be reshaped")
        return v, old

    def apply(self, module: Module, ctx: Context) -> None:
        v, old = self.validate(module, ctx)
        new = tuple(self.shape)
        alloc = v.owner.operation
        elem = MemRefType(v.type).element_type
        with alloc.location, InsertionPoint(alloc):
            fresh = memref.AllocOp(MemRefType.get(list(new), elem), [], [])
        for k in [str(n) for n in alloc.attributes]:
            fresh.operation.attributes[k] = alloc.attributes[k]
        for use in list(v.uses):
            op = use.owner
            op = getattr(op, "operation", op)
            if op.name == "memref.dealloc":
                op.operands[0] = fresh.result
                continue
            amap, ops = access_map(op)
            exprs = self.new_cell(lin(list(amap.results), old), new)
            m = AffineMap.get(amap.n_dims, amap.n_symbols, exprs)
            with op.location, InsertionPoint(op):
                if op.name == "affine.load":
                    n_op = affine.AffineLoadOp(elem, fresh.result, ops, m)
                    op.results[0].replace_all_uses_with(n_op.result)
                else:
                    n_op = affine.AffineStoreOp(op.operands[0], fresh.result, ops, m)
                    for k in [str(n) for n in op.attributes if str(n) != "map"]:
                        n_op.operation.attributes[k] = op.attributes[k]
            op.erase()
        alloc.erase()

    def new_cell(self, l_: AffineExpr, shape: tuple[int, ...]) -> list[AffineExpr]:
        """The new subscripts of linear index `l_` (tests override it with broken ones)."""
        return delin(l_, shape)

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        step = self.label()
        kernel, bname = self.target.split(":", 1)
        _, old = self.validate(before, ctx)
        new = tuple(self.shape)
        total = lin([n - 1 for n in old], old) + 1
        x = [z3.Int(f"{bname}@{d}") for d in range(len(old))]
        y = [z3.Int(f"{bname}@{d}'") for d in range(len(old))]
        li = z3.Int(f"{bname}@lin")

        def box(c: list, shape: tuple[int, ...]) -> z3.BoolRef:
            return z3.And(*[z3.And(0 <= e, e < n) for e, n in zip(c, shape, strict=True)])

        def into() -> z3.BoolRef:
            return z3.Implies(box(x, old), z3.And(0 <= lin(x, old), lin(x, old) < total,
                                                  box(delin(lin(x, old), new), new)))

        def bijection() -> z3.BoolRef:
            back = z3.Implies(z3.And(0 <= li, li < total), lin(delin(li, new), new) == li)
            same = [a == b for a, b in zip(delin(lin(x, old), new), delin(lin(y, old), new),
                                           strict=True)]
            inj = z3.Implies(z3.And(box(x, old), box(y, old), *same),
                             z3.And(*[a == b for a, b in zip(x, y, strict=True)]))
            return z3.And(back, inj)

        cell = lambda m, c: ", ".join(str(m.eval(e, model_completion=True))  # noqa: E731
                                      for e in c)
        out = [others_unchanged_check(before, after, kernel, step),
               Check(Obligation(f"{step}/into", f"every cell of {bname} has a place in shape "
                                f"{new}", into, step),
                     lambda m: f"cell {bname}[{cell(m, x)}] has no place in shape {new}"),
               Check(Obligation(f"{step}/bijection", f"the row-major linearizations of {old} "
                                f"and {new} match cells one to one", bijection, step),
                     lambda m: f"cells {bname}[{cell(m, x)}] and {bname}[{cell(m, y)}] (or "
                               f"linear index {m.eval(li, model_completion=True)}) do not "
                               "match one to one")]
        olds = statements(before, kernel, ctx)
        news = statements(after, kernel, ctx)
        renamed: dict[int, Statement] = {}
        for sid, s in olds.items():
            acc = [replace(a, subscripts=tuple(delin(lin(list(a.subscripts), old), new)))
                   if a.buffer == bname and a.subscripts is not None else a
                   for a in s.accesses]
            renamed[sid] = replace(s, accesses=acc)
            if sid in news:
                out += self.access_checks(s, news[sid], bname, old, new, step)
        for sid in sorted(olds):
            if sid not in news:
                out.append(Check(Obligation(f"{step}/S{sid}/exists", f"statement S{sid} "
                                            f"still exists after {step}",
                                            lambda: z3.BoolVal(False), step),
                                 lambda m, sid=sid: f"statement S{sid} disappeared"))
                continue
            out += statement_obligations(renamed[sid], news[sid], IDENTITY, step)
        kept = {k: v for k, v in news.items() if k in olds}
        return out + order_obligations({k: renamed[k] for k in kept}, kept, IDENTITY, step)

    def access_checks(self, old: Statement, new: Statement, bname: str,
                      oshape: tuple[int, ...], nshape: tuple[int, ...], step: str
                      ) -> list[Check]:
        out = []
        for k, (a, b) in enumerate(zip(old.accesses, new.accesses, strict=False)):
            if a.buffer != bname or a.subscripts is None:
                continue
            ok = b.buffer == bname and b.subscripts is not None and \
                len(b.subscripts) == len(nshape)

            def build(a: Any = a, b: Any = b, ok: bool = ok) -> z3.BoolRef:
                if not ok:
                    return z3.Not(new.domain)
                return z3.Implies(new.domain, z3.And(
                    lin(list(b.subscripts), nshape) == lin(list(a.subscripts), oshape),
                    *[z3.And(0 <= e, e < n) for e, n in zip(b.subscripts, nshape,
                                                             strict=True)]))

            def explain(m: z3.ModelRef, a: Any = a, b: Any = b) -> str:
                inst = ", ".join(f"{n}={m.eval(var(n), model_completion=True)}"
                                 for n in new.loops)
                ev = lambda es: ", ".join(str(m.eval(e, model_completion=True))  # noqa: E731
                                          for e in es)
                return (f"S{new.sid}({inst}) touched {bname}[{ev(a.subscripts)}] (linear "
                        f"{m.eval(lin(list(a.subscripts), oshape))}) but now touches "
                        f"{bname}[{ev(b.subscripts or ())}]")

            out.append(Check(Obligation(
                f"{step}/S{old.sid}/access{k}", f"access {k} of S{old.sid} reaches the same "
                f"linear cell of {bname}", build, new.location or step), explain))
        return out
