"""What makes the LLVM simulation fast without changing a single result bit.

Two facts LLVM cannot see by itself in MLIR's lowering, given to it explicitly:

- `mark_noalias`: the aligned pointer of every memref argument of the kernel gets LLVM's
  `noalias`. Sound because the runner (`LLVMKernel.__call__`) refuses arguments that share
  memory and allocates every result buffer fresh, so no two pointer arguments of one call
  ever reach the same byte. `convert-to-llvm` in 22.1.8 drops `llvm.noalias` on `func.func`
  memref arguments, so the attribute is set on the lowered `llvm.func` instead. Only the
  aligned pointer is marked: the allocated pointer of the same memref is the same address
  (it is never accessed by the kernel, but marking both would claim two arguments based on
  the same object are disjoint).
- `keep_inner_loops`: every innermost `scf.for` gets `llvm.loop_annotation` with
  `unroll disable`. LLVM's full unroll runs before its loop vectorizer, so an innermost loop
  of 8 or 16 iterations (a split's inner loop) is otherwise flattened into scalar statements
  and never becomes one vector loop. `lower-affine` drops loop annotations, so this runs
  after it, on `scf.for`; `convert-scf-to-cf` carries the annotation to the loop's latch.

Neither changes the meaning of the program: `noalias` is a true fact about every call the
runner makes, and a loop annotation only limits one transformation. Floating-point
reassociation is never enabled (no fast-math flags), so a float reduction is computed in
the program's order: the optimized build is bit-exact with the unoptimized one (tested),
except for the sign and payload of a NaN: LLVM leaves them unspecified and may commute
`fadd`/`fmul`, and x86 returns the first operand's NaN (inf*0's negative default NaN plus
an input NaN differ in sign; tests/codegen/test_fast_llvm_nan.py). Every comparison counts
NaN == NaN.
"""

from __future__ import annotations

from mlir import ir

NO_UNROLL = "#llvm.loop_annotation<unroll = #llvm.loop_unroll<disable = true>>"
_LOOPS = frozenset({"scf.for", "scf.while", "scf.parallel", "affine.for", "affine.parallel"})


def _has_loop_inside(op: ir.Operation) -> bool:
    found = False

    def visit(inner: ir.Operation) -> ir.WalkResult:
        nonlocal found
        if inner != op and inner.name in _LOOPS:
            found = True
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    op.walk(visit, ir.WalkOrder.PRE_ORDER)
    return found


def keep_inner_loops(module: ir.Module) -> int:
    """Annotate every innermost `scf.for` of `module` (in place) with `unroll disable`,
    unless it already carries a loop annotation. Returns the number annotated."""
    loops: list[ir.Operation] = []

    def visit(op: ir.Operation) -> ir.WalkResult:
        if op.name == "scf.for" and "llvm.loop_annotation" not in op.attributes:
            loops.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit, ir.WalkOrder.PRE_ORDER)
    with module.context:
        attr = ir.Attribute.parse(NO_UNROLL)
        inner = [op for op in loops if not _has_loop_inside(op)]
        for op in inner:
            op.attributes["llvm.loop_annotation"] = attr
    return len(inner)


def memref_ranks(func: ir.Operation) -> list[int | None]:
    """Per argument of a `func.func`: the rank of a memref argument, None for a scalar."""
    ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
    return [ir.MemRefType(t).rank if isinstance(t, ir.MemRefType)
            or str(t).startswith("memref<") else None for t in ftype.inputs]


def aligned_positions(ranks: list[int | None]) -> list[int]:
    """Positions, among the lowered `llvm.func`'s parameters, of each memref argument's
    aligned pointer. MLIR's default calling convention expands a memref of rank r into
    (allocated ptr, aligned ptr, offset, r sizes, r strides); a scalar stays one parameter."""
    out, pos = [], 0
    for r in ranks:
        if r is None:
            pos += 1
        else:
            out.append(pos + 1)
            pos += 3 + 2 * r
    return out


def mark_noalias(module: ir.Module, name: str, ranks: list[int | None]) -> list[int]:
    """Set `llvm.noalias` on the aligned pointer parameters of `llvm.func @name` (in place),
    given the memref ranks of its arguments before lowering. Returns the positions marked;
    nothing is marked (empty list) when the lowered parameters do not have the expected
    count and pointer types, since then the layout is not the one assumed."""
    func = next((op.operation for op in module.body.operations
                 if op.operation.name == "llvm.func"
                 and ir.StringAttr(op.operation.attributes["sym_name"]).value == name), None)
    if func is None:
        return []
    params = list(func.regions[0].blocks[0].arguments) if func.regions[0].blocks else []
    expected = sum(1 if r is None else 3 + 2 * r for r in ranks)
    marks = aligned_positions(ranks)
    if len(params) != expected or any(str(params[p].type) != "!llvm.ptr" for p in marks):
        return []
    with module.context:
        old = (list(ir.ArrayAttr(func.attributes["arg_attrs"]))
               if "arg_attrs" in func.attributes else [ir.DictAttr.get({})] * len(params))
        new = []
        for k, d in enumerate(old):
            entries = {a.name: a.attr for a in ir.DictAttr(d)}
            if k in marks:
                entries["llvm.noalias"] = ir.UnitAttr.get()
            new.append(ir.DictAttr.get(entries))
        func.attributes["arg_attrs"] = ir.ArrayAttr.get(new)
    return marks
