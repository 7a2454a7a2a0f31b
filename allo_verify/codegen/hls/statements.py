"""Statements: one `func.func` of the final IR -> one C++ function.

Structure kept one to one: `affine.for`/`scf.for` -> a labelled `for` (label `l_<loop_name>`,
pragmas as the first lines of the body), `affine.if`/`scf.if` -> `if`, `scf.while` ->
`while (true) { before; if (!cond) break; after; }`, `func.call` -> a call, memrefs ->
C arrays (rank 0: scalars), `memref.copy` -> a copy loop nest. Every SSA value becomes one
declared variable `T vN = <expr>;` at the place of its op (constants are written inline);
values carried out of regions (loop iter_args, if results, while arguments) are variables
declared before the construct and assigned at its yields.

Law: executing the C++ function performs the IR function's loads, stores and calls in the
same order with the same values; pure ops whose results nobody uses are not emitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlir import ir

from allo_verify.codegen.hls import pragmas
from allo_verify.codegen.hls.control import ControlFlow, fold_int64, loop_label, zero
from allo_verify.codegen.hls.expressions import OPS, affine_expr
from allo_verify.codegen.hls.types import (
    CType,
    HLSEmitError,
    Names,
    Storage,
    float_literal,
    int_literal,
    load_expr,
    store_stmt,
    typed_int,
    value_type,
)

if TYPE_CHECKING:
    from allo_verify.codegen.hls.module import ModuleEmitter

PURE_PREFIXES = ("arith.", "math.")
PURE_OPS = frozenset({"affine.apply", "affine.load", "memref.load", "affine.min",
                      "affine.max", "memref.get_global"})
LOOPS = ("affine.for", "scf.for")
FOLDABLE_CASTS = frozenset({"arith.extsi", "arith.extui", "arith.trunci", "arith.index_cast",
                            "arith.index_castui"})


@dataclass
class Mem:
    """A memref as C++: its name, cell storage and shape (() for a scalar)."""

    name: str
    storage: Storage
    shape: tuple[int, ...]
    stream: bool = False  # an `hls::stream` (attribute `hls.stream`): cells in FIFO order


def _op(x: ir.Operation | ir.OpView) -> ir.Operation:
    return x.operation if isinstance(x, ir.OpView) else x


def shape_of(t: ir.Type, where: str) -> tuple[int, ...]:
    mt = ir.MemRefType(t)
    if not mt.has_static_shape:
        raise HLSEmitError(f"{where}: memref {t} has a dynamic shape")
    strides, offset = mt.get_strides_and_offset()
    expect, step = [], 1
    for size in reversed(mt.shape):
        expect.insert(0, step)
        step *= size
    if offset != 0 or list(strides) != expect:
        raise HLSEmitError(f"{where}: memref {t} has a non-identity layout")
    return tuple(mt.shape)


def dims_text(shape: tuple[int, ...]) -> str:
    return "".join(f"[{d}]" for d in shape)


class FunctionEmitter(ControlFlow):
    """Emits one function. `mod` supplies storage classes, names and helpers."""

    def __init__(self, mod: ModuleEmitter, func: ir.Operation, is_top: bool) -> None:
        self.mod = mod
        self.func = func
        self.fname = ir.StringAttr(func.attributes["sym_name"]).value
        self.is_top = is_top
        self.names = Names(set(mod.global_names))
        self.lines: list[str] = []
        self.depth = 1
        self.vals: dict[ir.Value, str] = {}
        self.consts: dict[ir.Value, tuple[str, int | float]] = {}
        self.mems: dict[ir.Value, Mem] = {}
        self.helpers = mod.helpers
        self.counter = 0
        self.dead: set[ir.Operation] = set()
        self.skip_decl: set[ir.Operation] = set()  # allocs emitted elsewhere
        self.private_at: dict[ir.Operation, list[ir.Operation]] = {}
        self.all_const_operands = False

    # ---- output helpers --------------------------------------------------------------
    def line(self, text: str) -> None:
        self.lines.append("  " * self.depth + text)

    def pragma(self, text: str) -> None:
        self.lines.append("  " * self.depth + text)

    def fresh_value(self) -> str:
        name = self.names.fresh(f"v{self.counter}")
        self.counter += 1
        return name

    # ---- operand expressions (the Operands protocol of expressions.py) -----------------
    def const_int(self, v: ir.Value) -> int | None:
        c = self.consts.get(v)
        return int(c[1]) if c is not None and c[0] != "float" else None

    def ex(self, v: ir.Value, plain: bool = False) -> str:
        if v in self.consts:
            kind, value = self.consts[v]
            t = value_type(v.type)
            if kind == "float":
                return float_literal(float(value), t.bits)
            if t.kind == "bool":
                return "true" if value else "false"
            if t.kind == "index":
                return int_literal(int(value), 64)
            if plain and not self.all_const_operands:
                return int_literal(int(value), t.bits)
            return typed_int(int(value), t.bits)
        if v not in self.vals:
            raise HLSEmitError(f"@{self.fname}: a value is used before the C++ defines it")
        return self.vals[v]

    # ---- analysis --------------------------------------------------------------------
    def _find_dead(self) -> None:
        """Pure ops none of whose results is used by a live op (to a fixed point)."""
        pure: list[ir.Operation] = []

        def visit(op: ir.Operation) -> ir.WalkResult:
            if op.name.startswith(PURE_PREFIXES) or op.name in PURE_OPS:
                pure.append(op)
            return ir.WalkResult.ADVANCE

        self.func.walk(visit)
        changed = True
        while changed:
            changed = False
            for op in pure:
                if op in self.dead:
                    continue
                users = [_op(u.owner) for r in op.results for u in r.uses]
                if all(u in self.dead for u in users):
                    self.dead.add(op)
                    changed = True

    def _place_private(self) -> None:
        """Allocas named by a loop's hls.private are declared at the top of that loop's
        body (the outermost such loop); every use must lie inside it."""
        allocas: dict[str, list[ir.Operation]] = {}
        loops: list[ir.Operation] = []

        def visit(op: ir.Operation) -> ir.WalkResult:
            if op.name == "memref.alloca" and "buffer_name" in op.attributes:
                allocas.setdefault(ir.StringAttr(op.attributes["buffer_name"]).value,
                                   []).append(op)
            if op.name in LOOPS or op.name == "scf.while":
                loops.append(op)
            return ir.WalkResult.ADVANCE

        self.func.walk(visit, ir.WalkOrder.PRE_ORDER)
        for loop in loops:  # pre-order: outer loops first
            for name in pragmas.private_buffers(loop):
                found = allocas.get(name)
                if not found:
                    raise HLSEmitError(f"@{self.fname}: hls.private on loop "
                                       f"'{loop_label(loop)}' names '{name}', no such scalar")
                for alloca in found:
                    if alloca in self.skip_decl:
                        continue
                    for use in alloca.results[0].uses:
                        if not _inside(_op(use.owner), loop):
                            raise HLSEmitError(
                                f"@{self.fname}: scalar '{name}' is declared private to loop "
                                f"'{loop_label(loop)}' but is used outside it")
                    self.skip_decl.add(alloca)
                    self.private_at.setdefault(loop, []).append(alloca)

    # ---- the function ----------------------------------------------------------------
    def emit(self) -> str:
        self._find_dead()
        block = self.func.regions[0].blocks[0]
        header = self.mod.bind_params(self, block)
        self._place_private()
        body_start = len(self.lines)
        self.emit_block(block)
        body = self.lines[body_start:]
        prefix = self.lines[:body_start]
        text_body = "\n".join(body)
        voids = [f"  (void){p};" for p in self.mod.param_names(self)
                 if not _mentions(text_body, p) and not _mentions("\n".join(prefix), p)]
        return "\n".join([header + " {", *prefix, *voids, *body, "}"])

    def emit_block(self, block: ir.Block, yield_to: list[str] | None = None) -> None:
        for op in block.operations:
            self.emit_op(_op(op), yield_to)

    def emit_op(self, op: ir.Operation, yield_to: list[str] | None) -> None:
        name = op.name
        if op in self.dead:
            return
        if name == "arith.constant":
            self._constant(op)
        elif name in FOLDABLE_CASTS and self._fold_cast(op):
            return
        elif name in OPS:
            self.all_const_operands = all(v in self.consts for v in op.operands)
            rhs = OPS[name](self, op)
            self.all_const_operands = False
            self.define(op.results[0], rhs)
        elif name in ("affine.yield", "scf.yield"):
            self.assign_all(yield_to or [], list(op.operands))
        elif name == "func.return":
            self.mod.emit_return(self, op)
        else:
            handler = getattr(self, "op_" + name.replace(".", "_"), None)
            if handler is None:
                raise HLSEmitError(f"@{self.fname}: no C++ spelling for {name} "
                                   f"(at {op.location})")
            handler(op)

    def _fold_cast(self, op: ir.Operation) -> bool:
        """An integer extension, truncation or index cast of a constant is a constant of
        the result type (the value the op computes); returns whether it was folded."""
        c = self.const_int(op.operands[0])
        if c is None:
            return False
        src, dst = op.operands[0].type, op.results[0].type
        sw = 64 if isinstance(src, ir.IndexType) else ir.IntegerType(src).width
        dw = 64 if isinstance(dst, ir.IndexType) else ir.IntegerType(dst).width
        raw = c & ((1 << sw) - 1)
        unsigned = op.name in ("arith.extui", "arith.index_castui")
        value = raw if unsigned else (raw - (1 << sw) if raw >> (sw - 1) else raw)
        value &= (1 << dw) - 1
        if dw > 1 and value >> (dw - 1):
            value -= 1 << dw
        self.consts[op.results[0]] = ("int", value)
        return True

    def define(self, v: ir.Value, rhs: str) -> None:
        name = self.fresh_value()
        self.line(f"{value_type(v.type).spell()} {name} = {rhs};")
        self.vals[v] = name

    def declare_var(self, v_type: ir.Type, base: str = "") -> str:
        name = self.names.fresh(base) if base else self.fresh_value()
        t = value_type(v_type)
        self.line(f"{t.spell()} {name} = {zero(t)};")
        return name

    def assign_all(self, targets: list[str], values: list[ir.Value]) -> None:
        """targets[k] = values[k] for all k at once (temporaries when a target is read)."""
        exprs = [self.ex(v) for v in values]
        pairs = [(t, e) for t, e in zip(targets, exprs, strict=True) if t != e]
        if len(pairs) > 1 and any(_mentions(e, t) for t, _ in pairs for _, e in pairs):
            temps = []
            for (t, e), v in zip(pairs, values, strict=False):
                tmp = self.fresh_value()
                self.line(f"{value_type(v.type).spell()} {tmp} = {e};")
                temps.append((t, tmp))
            pairs = temps
        for t, e in pairs:
            self.line(f"{t} = {e};")

    def _constant(self, op: ir.Operation) -> None:
        attr = op.attributes["value"]
        v = op.results[0]
        if isinstance(attr, ir.FloatAttr):
            self.consts[v] = ("float", ir.FloatAttr(attr).value)
        elif isinstance(attr, (ir.IntegerAttr, ir.BoolAttr)):
            t = value_type(v.type)
            if t.kind == "int" and t.bits > 64:  # .value asserts beyond 64 bits
                value = int(str(attr).split(":")[0].strip())
            else:
                value = ir.IntegerAttr(attr).value
            if t.kind == "bool":
                value = 1 if value else 0
            self.consts[v] = ("int", value)
        else:
            raise HLSEmitError(f"@{self.fname}: constant {attr} has no C++ spelling")

    # ---- memory ----------------------------------------------------------------------
    def mem(self, v: ir.Value) -> Mem:
        if v not in self.mems:
            raise HLSEmitError(f"@{self.fname}: a memref is used before the C++ defines it")
        return self.mems[v]

    def ref(self, m: Mem, subs: list[str]) -> str:
        """The cell `subs` of `m`; for a stream, its next element (`read()`): L1 proved that
        the reads meet the cells in the order the producer wrote them."""
        if m.stream:
            return f"{m.name}.read()"
        return m.name + "".join(f"[{s}]" for s in subs)

    def affine_subs(self, op: ir.Operation, map_attr: str, operands: list[ir.Value]) -> list[str]:
        amap = ir.AffineMapAttr(op.attributes[map_attr]).value
        dims = [self.ex(v) for v in operands[:amap.n_dims]]
        syms = [self.ex(v) for v in operands[amap.n_dims:]]
        return [affine_expr(e, dims, syms, self.helpers) for e in amap.results]

    def op_affine_load(self, op: ir.Operation) -> None:
        m = self.mem(op.operands[0])
        subs = self.affine_subs(op, "map", list(op.operands)[1:])
        v = op.results[0]
        self.define(v, load_expr(m.storage, value_type(v.type), self.ref(m, subs)))

    def op_memref_load(self, op: ir.Operation) -> None:
        m = self.mem(op.operands[0])
        subs = [self.ex(i) for i in list(op.operands)[1:]]
        v = op.results[0]
        self.define(v, load_expr(m.storage, value_type(v.type), self.ref(m, subs)))

    def op_affine_store(self, op: ir.Operation) -> None:
        val, memv = op.operands[0], op.operands[1]
        m = self.mem(memv)
        subs = self.affine_subs(op, "map", list(op.operands)[2:])
        self.store(m, subs, val)

    def op_memref_store(self, op: ir.Operation) -> None:
        val, memv = op.operands[0], op.operands[1]
        m = self.mem(memv)
        subs = [self.ex(i) for i in list(op.operands)[2:]]
        self.store(m, subs, val)

    def store(self, m: Mem, subs: list[str], val: ir.Value) -> None:
        """m[subs] = val; an integer constant into an integer cell is written as a literal
        of the cell's signedness."""
        if m.stream:  # the next element of the FIFO, in program order
            tmp = self.names.fresh(f"{m.name}_in")
            self.line(f"{m.storage.spell()} {tmp};")
            self.line(store_stmt(m.storage, value_type(val.type), tmp, self.ex(val)))
            self.line(f"{m.name}.write({tmp});")
            return
        st, ref = m.storage, self.ref(m, subs)
        c = self.const_int(val)
        if c is not None and st.kind == "int" and st.bits <= 64:
            v = c & ((1 << st.bits) - 1) if not st.signed else c
            lit = int_literal(v, 64) if st.signed or v < 2**63 else f"{v}ULL"
            self.line(f"{ref} = {lit};")
            return
        self.line(store_stmt(st, value_type(val.type), ref, self.ex(val)))

    def op_memref_alloc(self, op: ir.Operation) -> None:
        if op in self.skip_decl:
            return
        self.declare_mem(op)

    op_memref_alloca = op_memref_alloc

    def declare_mem(self, op: ir.Operation) -> None:
        v = op.results[0]
        where = f"@{self.fname}"
        shape = shape_of(v.type, where)
        base = (ir.StringAttr(op.attributes["buffer_name"]).value
                if "buffer_name" in op.attributes else "buf")
        name = self.names.fresh(base)
        st = self.mod.storage_of(v)
        if "hls.stream" in op.attributes and shape:
            depth = ir.IntegerAttr(ir.DictAttr(op.attributes["hls.stream"])["depth"]).value
            self.line(f'hls::stream<{st.spell()}> {name}("{name}");')
            self.pragma(f"#pragma HLS stream variable={name} depth={depth}")
            self.mems[v] = Mem(name, st, shape, stream=True)
            return
        if shape:
            self.line(f"{st.spell()} {name}{dims_text(shape)};")
        else:
            self.line(f"{st.spell()} {name} = {zero(st.value)};")
        self.mems[v] = Mem(name, st, shape)
        attr = op.attributes["hls.partition"] if "hls.partition" in op.attributes else None
        for p in pragmas.partition_pragmas(attr, name, len(shape), f"buffer '{base}'"):
            self.pragma(p)
        bind = op.attributes["hls.bind_storage"] if "hls.bind_storage" in op.attributes else None
        for p in pragmas.bind_storage_pragmas(bind, name, f"buffer '{base}'"):
            self.pragma(p)

    def op_memref_dealloc(self, op: ir.Operation) -> None:
        return

    def op_memref_get_global(self, op: ir.Operation) -> None:
        sym = ir.FlatSymbolRefAttr(op.attributes["name"]).value
        v = op.results[0]
        name, st, shape = self.mod.global_mem(sym)
        if self.mod.storage_of(v) != st:
            raise HLSEmitError(f"@{self.fname}: constant array @{sym} flows into an array "
                               "declared with another element type")
        self.mems[v] = Mem(name, st, shape)

    def op_memref_copy(self, op: ir.Operation) -> None:
        src, dst = self.mem(op.operands[0]), self.mem(op.operands[1])
        self.copy(src, dst, value_type(ir.MemRefType(op.operands[0].type).element_type))

    def copy(self, src: Mem, dst: Mem, vt: CType) -> None:
        """dst = src cell by cell, through the value type (bits unchanged)."""
        ivs = []
        for d in src.shape:
            iv = self.names.fresh("c")
            self.line(f"for (int {iv} = 0; {iv} < {d}; {iv}++) {{")
            self.depth += 1
            ivs.append(iv)
        self.line(store_stmt(dst.storage, vt, self.ref(dst, ivs),
                             load_expr(src.storage, vt, self.ref(src, ivs))))
        for _ in src.shape:
            self.depth -= 1
            self.line("}")

    # ---- index ops -------------------------------------------------------------------
    def op_affine_apply(self, op: ir.Operation) -> None:
        (e,) = self.affine_subs(op, "map", list(op.operands))
        self.define(op.results[0], e)

    def _minmax(self, op: ir.Operation, fn: str) -> None:
        exprs = self.affine_subs(op, "map", list(op.operands))
        self.define(op.results[0], fold_int64(fn, exprs))

    def op_affine_min(self, op: ir.Operation) -> None:
        self._minmax(op, "std::min")

    def op_affine_max(self, op: ir.Operation) -> None:
        self._minmax(op, "std::max")

    def op_func_call(self, op: ir.Operation) -> None:
        self.mod.emit_call(self, op)




def _mentions(text: str, name: str) -> bool:
    import re

    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is not None


def _inside(op: ir.Operation | None, loop: ir.Operation) -> bool:
    while op is not None:
        if op == loop:
            return True
        parent = op.parent
        op = _op(parent) if parent is not None else None
    return False

