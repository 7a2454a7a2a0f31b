"""Lowering of func/affine/scf/memref/arith/math modules to the LLVM dialect.

The law every function here keeps: the caller's module is never mutated. `clone_module`
makes an independent copy in a fresh `Context`; everything else works in place on such
a copy. After `lower_in_place` the module holds only `llvm.*` ops and is ready for
`mlir.execution_engine.ExecutionEngine`.

Why each pass is in the pipelines (all verified with the 22.1.8 bindings):

PREPARE_PIPELINE
  buffer-results-to-out-params   memref results become caller-allocated out parameters
    {hoist-static-allocs}          (appended after the inputs); a returned static
    {modify-public-functions}      `memref.alloc` is replaced by the out parameter itself,
                                   so nothing is malloc'd for the caller and nothing leaks.
                                   Without modify-public-functions the public kernel keeps
                                   its memref results.

LOWERING_PIPELINE
  convert-math-to-funcs          math.ipowi / math.fpowi have no LLVM intrinsic: replaced
                                 by calls to generated software implementations
  convert-math-to-llvm           math ops with an LLVM intrinsic (exp, log, log2, sqrt, sin,
                                 cos, tanh, powf, absf, absi, floor, ...): the JIT resolves
                                 the libm functions behind them in the running process
  convert-math-to-libm           what is left (atan, erf, tan, cbrt, ...) to libm calls
  lower-affine                   affine.for/if/load/store/apply/min/max to scf + memref
  arith-expand                   ceildivsi, ceildivui, ... (floordivsi, float min/max: before)
                                 into basic arith that convert-to-llvm understands
  convert-scf-to-cf              scf.for/while/if to branches
  expand-strided-metadata        subviews and reinterpret casts to plain descriptors
  finalize-memref-to-llvm        memref ops (alloc -> malloc, dealloc -> free, copy ->
                                 memcpy, globals) to llvm
  convert-to-llvm                func, arith, cf, index and the rest to llvm
  reconcile-unrealized-casts     removes the casts left between converted pieces

Three Python rewrites run before LOWERING_PIPELINE. `expand_floordivsi` replaces
arith-expand's expansion of floordivsi, which is wrong for widths over 64 in 22.1.8.
`expand_odd_int_copies` turns memref.copy of odd-width integers (its memcpy size comes
from MLIR's data layout, which disagrees with LLVM's cells) and of strided memrefs into
loops. And
`widen_subbyte_memrefs` rewrites memrefs of i1..i7 to i8 (with
extui/trunci at each load and store): the 22.1.8 memref-to-llvm lowering aborts the
process (a failed C++ assertion) on sub-byte element types, and LLVM would give them a
1-byte cell anyway.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mlir import ir
from mlir.dialects import arith, memref, scf
from mlir.passmanager import PassManager

from allo_verify.codegen.fast_llvm import keep_inner_loops
from allo_verify.lang.dialects import create_op, design_context

PREPARE_PASSES: tuple[str, ...] = (
    "buffer-results-to-out-params{hoist-static-allocs=true modify-public-functions=true}",
)
LOWERING_PASSES: tuple[str, ...] = (
    "convert-math-to-funcs",
    "convert-math-to-llvm",
    "convert-math-to-libm",
    "lower-affine",
    "arith-expand",
    "convert-scf-to-cf",
    "expand-strided-metadata",
    "finalize-memref-to-llvm",
    "convert-to-llvm",
    "reconcile-unrealized-casts",
)
PREPARE_PIPELINE = f"builtin.module({','.join(PREPARE_PASSES)})"
LOWERING_PIPELINE = f"builtin.module({','.join(LOWERING_PASSES)})"
_SPLIT = LOWERING_PASSES.index("convert-scf-to-cf")  # innermost loops are annotated here
LOWERING_HEAD = f"builtin.module({','.join(LOWERING_PASSES[:_SPLIT])})"
LOWERING_TAIL = f"builtin.module({','.join(LOWERING_PASSES[_SPLIT:])})"

_SUBBYTE_MEMREF = re.compile(r"memref<(?:[0-9?]+x)*i[1-7][,>]")
# Users of a buffer that cannot make an alias of it outlive the op itself.
_PLAIN_USERS = frozenset(
    {"memref.load", "memref.store", "affine.load", "affine.store", "func.call", "memref.copy"}
)
_LOAD_OPS = frozenset({"memref.load", "affine.load"})
_STORE_OPS = frozenset({"memref.store", "affine.store"})
_UNSUPPORTED_ON_SUBBYTE = frozenset({"memref.atomic_rmw", "memref.generic_atomic_rmw",
                                     "affine.vector_load", "affine.vector_store"})


def module_text(module: ir.Module | str) -> str:
    """The textual form of `module` (the text itself for a string); reading only."""
    if isinstance(module, str):
        return module
    return str(module)


def clone_module(module: ir.Module | str) -> ir.Module:
    """An independent copy of `module` parsed in a fresh Context (which the copy keeps
    alive). The caller's module and context are only read. Attributes of unregistered
    dialects (e.g. `#hls.*` annotations) are allowed and left to be dropped by lowering."""
    ctx = design_context()
    ctx.allow_unregistered_dialects = True
    with ctx, ir.Location.unknown():
        return ir.Module.parse(module_text(module))


def run_pipeline(module: ir.Module, pipeline: str) -> PassManager:
    """Run `pipeline` on `module` in place and return the PassManager used (callers that
    keep the module keep the pass manager with it)."""
    with module.context:
        pm = PassManager.parse(pipeline)
        pm.run(module.operation)
    return pm


def find_func(module: ir.Module, name: str) -> ir.Operation | None:
    """The top-level `func.func` named `name`, or None."""
    for op in module.body.operations:
        operation = op.operation
        if operation.name == "func.func" and ir.StringAttr(
            operation.attributes["sym_name"]
        ).value == name:
            return operation
    return None


def ops_where(module: ir.Module | ir.Operation, keep: Callable[[ir.Operation], bool]
              ) -> list[ir.Operation]:
    """Every op of `module` (a module or any operation, itself included; pre-order walk,
    that is program order) for which `keep` holds; collected before any rewrite so that
    rewriting cannot disturb the walk."""
    found: list[ir.Operation] = []

    def visit(op: ir.Operation) -> ir.WalkResult:
        if keep(op):
            found.append(op)
        return ir.WalkResult.ADVANCE

    getattr(module, "operation", module).walk(visit, ir.WalkOrder.PRE_ORDER)
    return found


# ---------------------------------------------------------------- sub-byte widening


def _is_subbyte_int(t: ir.Type) -> bool:
    return isinstance(t, ir.IntegerType) and t.width < 8


def _widen_type(t: ir.Type) -> ir.Type:
    """`t` with every memref-of-iN (N < 8) element type replaced by i8; other types as is."""
    if isinstance(t, ir.MemRefType) and _is_subbyte_int(t.element_type):
        i8 = ir.IntegerType.get_signless(8)
        return ir.MemRefType.get(t.shape, i8, t.layout, t.memory_space)
    if isinstance(t, ir.FunctionType):
        return ir.FunctionType.get([_widen_type(x) for x in t.inputs],
                                   [_widen_type(x) for x in t.results])
    return t


def _widen_dense(attr: ir.Attribute, shape: list[int], bits: int) -> ir.Attribute:
    """The i8 version of a dense iN initializer: each value zero-extended from N bits."""
    body = str(attr).rpartition(" : ")[0]
    if '"0x' in body:
        raise NotImplementedError("hex-encoded initializer of a sub-byte memref.global")
    mask = (1 << bits) - 1
    body = body.replace("true", "1").replace("false", "0")
    body = re.sub(r"-?\d+", lambda m: str(int(m.group()) & mask), body)
    dims = "".join(f"{d}x" for d in shape)
    return ir.Attribute.parse(f"{body} : tensor<{dims}i8>")


def widen_subbyte_memrefs(module: ir.Module) -> bool:
    """Rewrite, in place, every memref of i1..i7 to a memref of i8 holding the same values
    zero-extended (loads get an `arith.trunci`, stores an `arith.extui`). The program's
    observable behaviour is unchanged; each element keeps its 1-byte cell. Returns whether
    anything changed."""
    if not _SUBBYTE_MEMREF.search(str(module)):
        return False
    with module.context, ir.Location.unknown():
        ops = ops_where(module, lambda op: True)
        i8 = ir.IntegerType.get_signless(8)
        loads: list[ir.Operation] = []
        stores: list[ir.Operation] = []
        for op in ops:  # classify before any type changes
            if any(
                isinstance(v.type, ir.MemRefType) and _is_subbyte_int(v.type.element_type)
                for v in op.operands
            ):
                if op.name in _UNSUPPORTED_ON_SUBBYTE:
                    raise NotImplementedError(f"{op.name} on a memref of a sub-byte integer")
                if op.name in _LOAD_OPS:
                    loads.append(op)
                elif op.name in _STORE_OPS:
                    stores.append(op)
        for op in loads:
            result = op.results[0]
            narrow = result.type
            result.set_type(i8)
            trunc = arith.TruncIOp(narrow, result, ip=ir.InsertionPoint.after(op))
            result.replace_all_uses_except(trunc.result, trunc.operation)
        for op in stores:
            ext = arith.ExtUIOp(i8, op.operands[0], ip=ir.InsertionPoint(op))
            op.operands[0] = ext.result
        for op in ops:
            name = op.name
            for region in op.regions:
                for block in region.blocks:
                    for arg in block.arguments:
                        arg.set_type(_widen_type(arg.type))
            for res in op.results:
                res.set_type(_widen_type(res.type))
            if name == "func.func":
                ftype = ir.TypeAttr(op.attributes["function_type"]).value
                op.attributes["function_type"] = ir.TypeAttr.get(_widen_type(ftype))
            elif name == "memref.global":
                gtype = ir.TypeAttr(op.attributes["type"]).value
                if _is_subbyte_int(gtype.element_type):
                    bits = gtype.element_type.width
                    init = op.attributes["initial_value"] if (
                        "initial_value" in op.attributes) else None
                    if init is not None and isinstance(init, ir.DenseIntElementsAttr):
                        op.attributes["initial_value"] = _widen_dense(
                            init, list(gtype.shape), bits)
                    op.attributes["type"] = ir.TypeAttr.get(_widen_type(gtype))
        if not module.operation.verify():
            raise RuntimeError("widening sub-byte memrefs produced an invalid module")
    return True


# ---------------------------------------------------------------- floordivsi


def expand_floordivsi(module: ir.Module) -> int:
    """Replace every `arith.floordivsi` on an integer type, in place, by
    q = divsi(a, b); r = remsi(a, b); q - 1 if r != 0 and (r < 0) != (b < 0) else q.
    The 22.1.8 arith-expand expansion adds the constant -1 built from a 64-bit value, so
    for widths over 64 it adds 2**64 - 1 instead (a wrong result). Returns the count."""
    pred = arith.CmpIPredicate
    with module.context, ir.Location.unknown():
        ops = ops_where(module, lambda op: op.name == "arith.floordivsi"
                        and isinstance(op.results[0].type, ir.IntegerType))
        for op in ops:
            a, b = op.operands[0], op.operands[1]
            with ir.InsertionPoint(op), op.location:
                t = a.type
                q = arith.divsi(a, b)
                r = arith.remsi(a, b)
                zero = arith.constant(t, 0)
                inexact = arith.cmpi(pred.ne, r, zero)
                signs = arith.xori(arith.cmpi(pred.slt, r, zero), arith.cmpi(pred.slt, b, zero))
                adjust = arith.andi(inexact, signs)
                down = arith.subi(q, arith.constant(t, 1))
                result = arith.select(adjust, down, q)
            op.results[0].replace_all_uses_with(result)
            op.erase()
    return len(ops)


# ---------------------------------------------------------------- float min / max

_IEEE_MIN_MAX = {"arith.maximumf": "llvm.intr.maximum", "arith.minimumf": "llvm.intr.minimum"}


def lower_float_min_max(module: ir.Module) -> int:
    """Replace `arith.maximumf`/`minimumf` by the LLVM intrinsics of the same IEEE-754-2019
    meaning, in place, before arith-expand runs: its compare-and-select expansion returns
    -0.0 for maximum(+0.0, -0.0). Returns the count."""
    with module.context, ir.Location.unknown():
        ops = ops_where(module, lambda op: op.name in _IEEE_MIN_MAX)
        for op in ops:
            with ir.InsertionPoint(op), op.location:
                # `create_op` loads the llvm dialect first: a design context has not
                # loaded it, and the op would otherwise be created unregistered
                new = create_op(_IEEE_MIN_MAX[op.name], results=[op.results[0].type],
                                operands=list(op.operands))
            op.results[0].replace_all_uses_with(new.results[0])
            op.erase()
    return len(ops)


# ---------------------------------------------------------------- odd-width copies


def expand_odd_int_copies(module: ir.Module) -> int:
    """Replace, in place, every `memref.copy` that the memcpy lowering gets wrong or
    cannot do alone by a loop nest of element loads and stores: copies of integers whose
    width is not 8, 16, 32 or 64 (in 22.1.8 the memcpy size comes from MLIR's default data
    layout, which for widths such as 65, 96, 129, 200 is smaller than LLVM's cell, so the
    tail was not copied), and copies between non-contiguous memrefs (which would call
    `memrefCopy` from a runtime library the JIT does not load). Returns the count."""
    def needs_loops(op: ir.Operation) -> bool:
        if op.name != "memref.copy":
            return False
        src, dst = op.operands[0].type, op.operands[1].type
        elem = src.element_type
        odd = isinstance(elem, ir.IntegerType) and elem.width not in (8, 16, 32, 64)
        return odd or not (_is_plain(src) and _is_plain(dst))

    with module.context, ir.Location.unknown():
        copies = ops_where(module, needs_loops)
        index = ir.IndexType.get()
        for op in copies:
            src, dst = op.operands[0], op.operands[1]
            with ir.InsertionPoint(op), op.location:
                zero, one = arith.constant(index, 0), arith.constant(index, 1)
                _copy_nest(src, dst, 0, [], zero, one)
            op.erase()
    return len(copies)


def _is_plain(mtype: ir.MemRefType) -> bool:
    """Whether `mtype` is a static, row-major contiguous memref at offset 0."""
    if not mtype.has_static_shape:
        return False
    strides, offset = mtype.get_strides_and_offset()
    expect, step = [], 1
    for size in reversed(mtype.shape):
        expect.insert(0, step)
        step *= size
    return offset == 0 and list(strides) == expect


def _copy_nest(src: ir.Value, dst: ir.Value, level: int, ivs: list[ir.Value],
               zero: ir.Value, one: ir.Value) -> None:
    """At the insertion point: for each index of `src` from dimension `level` on (with
    `ivs` fixed), dst[idx] = src[idx]."""
    mtype = src.type
    if level == mtype.rank:
        memref.StoreOp(memref.LoadOp(src, ivs).result, dst, ivs)
        return
    if mtype.is_dynamic_dim(level):
        upper = memref.DimOp(src, arith.constant(ir.IndexType.get(), level)).result
    else:
        upper = arith.constant(ir.IndexType.get(), mtype.get_dim_size(level))
    loop = scf.ForOp(zero, upper, one)
    with ir.InsertionPoint(loop.body):
        _copy_nest(src, dst, level + 1, [*ivs, loop.induction_variable], zero, one)
        scf.YieldOp([])


# ---------------------------------------------------------------- leak repair


def free_call_result_copies(module: ir.Module) -> int:
    """After buffer-results-to-out-params a memref returned by a *call* is alloc'd at the
    call site and copied into the caller's out parameter, and the alloc is never freed.
    Insert `memref.dealloc` right after such a copy when every other use of the alloc
    comes before the copy in the same block (so the dealloc cannot free live memory).
    Returns the number of deallocs inserted."""
    inserted = 0
    with module.context, ir.Location.unknown():
        for copy in ops_where(module, lambda op: op.name == "memref.copy"):
            src = copy.operands[0]
            if isinstance(src.owner, ir.Block):
                continue
            alloc = src.owner.operation
            if alloc.name != "memref.alloc" or alloc.block != copy.block:
                continue
            others = [_op(use.owner) for use in src.uses if use.owner != copy]
            if all(u.name in _PLAIN_USERS and _before(u, copy) for u in others):
                memref.DeallocOp(src, ip=ir.InsertionPoint.after(copy))
                inserted += 1
    return inserted


def _op(user: ir.Operation | ir.OpView) -> ir.Operation:
    return user.operation if isinstance(user, ir.OpView) else user


def _before(op: ir.Operation | None, anchor: ir.Operation) -> bool:
    """Whether `op` (or the op enclosing it in `anchor`'s block) precedes `anchor`."""
    while op is not None and op.block != anchor.block:
        parent = op.parent
        op = parent.operation if parent is not None else None
    return op is not None and op.is_before_in_block(anchor)


# ---------------------------------------------------------------- entry points


def prepare_in_place(module: ir.Module) -> list[PassManager]:
    """Memref results to out parameters (see PREPARE_PIPELINE), then free the call-site
    buffers that pass leaves behind. Returns the pass managers used."""
    pm = run_pipeline(module, PREPARE_PIPELINE)
    free_call_result_copies(module)
    return [pm]


def lower_in_place(module: ir.Module, keep_loops: bool = True) -> list[PassManager]:
    """Widen sub-byte memrefs, expand floordivsi and odd-width copies, lower float
    minimum/maximum to their LLVM intrinsics, then run
    LOWERING_PIPELINE; all in place. With `keep_loops`, innermost loops are annotated
    against full unrolling between lower-affine and convert-scf-to-cf (`fast_llvm`; it
    limits one optimization and changes no result). Raises NotImplementedError naming any
    op left outside the LLVM dialect."""
    widen_subbyte_memrefs(module)
    expand_floordivsi(module)
    lower_float_min_max(module)
    expand_odd_int_copies(module)
    head = run_pipeline(module, LOWERING_HEAD)
    if keep_loops:
        keep_inner_loops(module)
    pm = run_pipeline(module, LOWERING_TAIL)
    left = {op.name for op in ops_where(module, lambda op: not op.name.startswith("llvm."))}
    left.discard("builtin.module")
    if left:
        raise NotImplementedError(f"no LLVM lowering for: {', '.join(sorted(left))}")
    return [head, pm]


def lower_to_llvm(module: ir.Module | str, c_interface: tuple[str, ...] = ()) -> ir.Module:
    """A lowered copy of `module`: memref results turned into out parameters, every op in
    the LLVM dialect, `llvm.emit_c_interface` set on the functions named in `c_interface`.
    The input (object or text) is left untouched."""
    copy = clone_module(module)
    with copy.context:
        for name in c_interface:
            func = find_func(copy, name)
            if func is None:
                raise ValueError(f"no func.func @{name} in the module")
            func.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
    prepare_in_place(copy)
    lower_in_place(copy)
    return copy
