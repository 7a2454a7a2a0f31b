"""`emit_hls`: the final IR (and the top signature) -> Vitis HLS C++, as an `HLSModule`.

The emitter reads only the IR and the signature, never a schedule's step log.

How the top function is called. `void <top>(<one parameter per kernel argument>, <one
output parameter per kernel result>)`: array arguments are C arrays of their declared
element type (`int32_t A[64][64]`), scalar arguments are passed by value; each array
result is an extra trailing array argument `out<k>` the function fills, each scalar result
an extra trailing reference `T &out<k>`. Arrays the kernel writes in place are written
in place. This is the LLVM simulation's calling convention (results are caller-allocated
out buffers there too), so a testbench or `HLSModule.csim` maps one onto the other.
Sub-kernels called by the top become C++ functions of the same form (parameters `arg<k>`,
outputs `res<k>`). Element types of arrays passed between functions are unified over the
call graph; an array that would need two different element types is an error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from mlir import ir

from allo_verify.codegen.hls import pragmas
from allo_verify.codegen.hls.helpers import PRELUDE, STREAM_HEADER, helpers_text
from allo_verify.codegen.hls.statements import FunctionEmitter, Mem, _op, dims_text, shape_of
from allo_verify.codegen.hls.types import (
    HLSEmitError,
    Names,
    Storage,
    default_storage,
    float_literal,
    int_literal,
    load_expr,
    sanitize,
    storage_for_dtype,
    store_stmt,
    typed_int,
    value_type,
)
from allo_verify.lang.signature import Signature
from allo_verify.lang.types import ArrayType

Slot = Any  # an ir.Value or a tuple ("arg" | "res", func, k) / ("global", sym)


class ModuleEmitter:
    """Whole-module state: function names, storage classes, globals, helpers used."""

    def __init__(self, module: ir.Module, sig: Signature, top: str | None,
                 interface: object) -> None:
        self.module = module
        self.sig = sig
        self.interface = interface
        self.funcs: dict[str, ir.Operation] = {}
        self.globals_ops: dict[str, ir.Operation] = {}
        for op in module.body.operations:
            op = _op(op)
            if op.name == "func.func":
                self.funcs[ir.StringAttr(op.attributes["sym_name"]).value] = op
            elif op.name == "memref.global":
                self.globals_ops[ir.StringAttr(op.attributes["sym_name"]).value] = op
        if sig.name not in self.funcs:
            raise HLSEmitError(f"the module has no func.func @{sig.name}")
        self._check_signature()
        module_names = Names()
        self.cname: dict[str, str] = {}
        self.top_cname = module_names.fresh(top or sig.name)
        self.cname[sig.name] = self.top_cname
        for name in self.funcs:
            if name != sig.name:
                self.cname[name] = module_names.fresh(name)
        self.gname = {sym: module_names.fresh("g_" + sanitize(sym)) for sym in self.globals_ops}
        self.global_names = set(module_names.used)
        self.helpers: set[str] = set()
        self.parent: dict[Slot, Slot] = {}
        self.seed: dict[Slot, Storage] = {}
        self.elem: dict[Slot, ir.Type] = {}
        self.aliases: dict[tuple[str, int], ir.Operation] = {}
        self.out_names: dict[str, list[str]] = {}
        for sym, gop in self.globals_ops.items():
            gtype = ir.MemRefType(ir.TypeAttr(gop.attributes["type"]).value)
            self.elem[("global", sym)] = gtype.element_type
        self._unify()

    # ---- signature -------------------------------------------------------------------
    def _check_signature(self) -> None:
        func = self.funcs[self.sig.name]
        ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
        got_in = [str(t) for t in ftype.inputs]
        got_out = [str(t) for t in ftype.results]
        want_in = [a.type.mlir_str() for a in self.sig.args]
        want_out = [t.mlir_str() for t in self.sig.results]
        if got_in != want_in or got_out != want_out:
            raise HLSEmitError(f"@{self.sig.name} has type ({', '.join(got_in)}) -> "
                               f"({', '.join(got_out)}) but the signature says "
                               f"({', '.join(want_in)}) -> ({', '.join(want_out)})")

    # ---- storage classes (union-find) ------------------------------------------------
    def slot(self, v: ir.Value) -> Slot:
        owner = v.owner
        if isinstance(owner, ir.Block):
            parent = _op(owner.owner)
            if parent.name == "func.func" and owner == parent.regions[0].blocks[0]:
                fname = ir.StringAttr(parent.attributes["sym_name"]).value
                return ("arg", fname, ir.BlockArgument(v).arg_number)
        return v

    def find(self, s: Slot) -> Slot:
        while self.parent.get(s, s) != s:
            s = self.parent[s]
        return s

    def union(self, a: Slot, b: Slot, where: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        sa, sb = self.seed.get(ra), self.seed.get(rb)
        if sa is not None and sb is not None and sa != sb:
            raise HLSEmitError(f"{where}: one array would need two element types, "
                               f"{sa.spell()} and {sb.spell()}")
        self.parent[ra] = rb
        if sa is not None:
            self.seed[rb] = sa
        if ra in self.elem and rb not in self.elem:
            self.elem[rb] = self.elem[ra]

    def storage_of(self, v: Slot) -> Storage:
        """The storage of the cells of memref `v` (a value or a slot): the declared type
        its class was seeded with, else the element type's default."""
        s = self.slot(v) if isinstance(v, ir.Value) else v
        root = self.find(s)
        if root in self.seed:
            return self.seed[root]
        if isinstance(v, ir.Value):
            return default_storage(ir.MemRefType(v.type).element_type)
        return default_storage(self.elem[s])

    def _unify(self) -> None:
        top = self.sig.name
        for k, a in enumerate(self.sig.args):
            if isinstance(a.type, ArrayType):
                self.seed[("arg", top, k)] = storage_for_dtype(a.type.dtype)
        for k, r in enumerate(self.sig.results):
            if isinstance(r, ArrayType):
                self.seed[("res", top, k)] = storage_for_dtype(r.dtype)
        for fname, func in self.funcs.items():
            ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
            for k, t in enumerate(ftype.inputs):
                if isinstance(t, ir.MemRefType):
                    self.elem[("arg", fname, k)] = t.element_type
            for k, t in enumerate(ftype.results):
                if isinstance(t, ir.MemRefType):
                    self.elem[("res", fname, k)] = t.element_type
            self._unify_body(fname, func)

    def _unify_body(self, fname: str, func: ir.Operation) -> None:
        where = f"@{fname}"
        ops: list[ir.Operation] = []
        func.walk(lambda op: (ops.append(op), ir.WalkResult.ADVANCE)[1])
        for op in ops:
            if op.name == "func.call":
                callee = ir.FlatSymbolRefAttr(op.attributes["callee"]).value
                if callee not in self.funcs:
                    raise HLSEmitError(f"{where}: call to @{callee}, which the module does "
                                       "not define")
                for k, v in enumerate(op.operands):
                    if isinstance(v.type, ir.MemRefType):
                        self.union(self.slot(v), ("arg", callee, k), where)
                for k, r in enumerate(op.results):
                    if isinstance(r.type, ir.MemRefType):
                        self.union(r, ("res", callee, k), where)
            elif op.name == "memref.get_global":
                sym = ir.FlatSymbolRefAttr(op.attributes["name"]).value
                self.union(op.results[0], ("global", sym), where)
            elif op.name == "func.return":
                operands = list(op.operands)
                for k, v in enumerate(operands):
                    if not isinstance(v.type, ir.MemRefType):
                        continue
                    owner = v.owner
                    if isinstance(owner, ir.Block):
                        continue
                    alloc = _op(owner)
                    once = sum(1 for w in operands if w == v) == 1
                    if alloc.name in ("memref.alloc", "memref.alloca") and once:
                        self.aliases[(fname, k)] = alloc
                        self.union(v, ("res", fname, k), where)

    # ---- per-function pieces used by FunctionEmitter ---------------------------------
    def bind_params(self, fe: FunctionEmitter, block: ir.Block) -> str:
        """The function header; binds block arguments and emits the prologue (interface
        and partition pragmas, scalar argument conversions) into `fe.lines`."""
        fname, is_top = fe.fname, fe.is_top
        func = fe.func
        ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
        params: list[str] = []
        ports: list[tuple[str, bool]] = []
        arg_attrs = (ir.ArrayAttr(func.attributes["arg_attrs"])
                     if "arg_attrs" in func.attributes else None)
        prologue: list[str] = []
        partitions: list[str] = []
        fe.param_list = []
        for k, arg in enumerate(block.arguments):
            base = self.sig.args[k].name if is_top else f"arg{k}"
            name = fe.names.fresh(base)
            fe.param_list.append(name)
            t = arg.type
            if isinstance(t, ir.MemRefType):
                shape = shape_of(t, f"@{fname} argument {k}")
                st = self.storage_of(arg)
                params.append(f"{st.spell()} {'&' if not shape else ''}{name}{dims_text(shape)}")
                fe.mems[arg] = Mem(name, st, shape)
                ports.append((name, bool(shape)))
                if arg_attrs is not None and k < len(arg_attrs):
                    d = ir.DictAttr(arg_attrs[k])
                    attr = d["hls.partition"] if "hls.partition" in d else None
                    partitions += pragmas.partition_pragmas(attr, name, len(shape),
                                                            f"argument '{base}'")
                    bind = d["hls.bind_storage"] if "hls.bind_storage" in d else None
                    partitions += pragmas.bind_storage_pragmas(bind, name, f"argument '{base}'")
            else:
                vt = value_type(t)
                st = (storage_for_dtype(self.sig.args[k].type) if is_top
                      else default_storage(t))
                params.append(f"{st.spell()} {name}")
                ports.append((name, False))
                if st.spell() == vt.spell():
                    fe.vals[arg] = name
                else:
                    local = fe.names.fresh(name + "_v")
                    prologue.append(f"  {vt.spell()} {local} = {load_expr(st, vt, name)};")
                    fe.vals[arg] = local
        outs: list[str] = []
        for k, t in enumerate(ftype.results):
            name = fe.names.fresh(f"out{k}" if is_top else f"res{k}")
            outs.append(name)
            fe.param_list.append(name)
            if isinstance(t, ir.MemRefType):
                shape = shape_of(t, f"@{fname} result {k}")
                st = self.storage_of(("res", fname, k))
                params.append(f"{st.spell()} {'&' if not shape else ''}{name}{dims_text(shape)}")
                ports.append((name, bool(shape)))
                alloc = self.aliases.get((fname, k))
                if alloc is not None:
                    fe.skip_decl.add(alloc)
                    fe.mems[alloc.results[0]] = Mem(name, st, shape)
                    attr = (alloc.attributes["hls.partition"]
                            if "hls.partition" in alloc.attributes else None)
                    partitions += pragmas.partition_pragmas(attr, name, len(shape),
                                                            f"result {k}")
                    bind = (alloc.attributes["hls.bind_storage"]
                            if "hls.bind_storage" in alloc.attributes else None)
                    partitions += pragmas.bind_storage_pragmas(bind, name, f"result {k}")
            else:
                st = storage_for_dtype(self.sig.results[k]) if is_top else default_storage(t)
                params.append(f"{st.spell()} &{name}")
                ports.append((name, False))
        self.out_names[fname] = outs
        head: list[str] = []
        if is_top:
            head += pragmas.interface_pragmas(ports, self.interface)
        head += pragmas.function_pragmas(func)
        head += partitions
        fe.lines += [f"  {p}" for p in head] + prologue
        ret = "void"
        return f"{ret} {self.cname[fname]}({', '.join(params)})"

    def param_names(self, fe: FunctionEmitter) -> list[str]:
        return fe.param_list

    def emit_return(self, fe: FunctionEmitter, op: ir.Operation) -> None:
        outs = self.out_names[fe.fname]
        ftype = ir.FunctionType(ir.TypeAttr(fe.func.attributes["function_type"]).value)
        for k, v in enumerate(op.operands):
            t = v.type
            if isinstance(t, ir.MemRefType):
                if (fe.fname, k) in self.aliases:
                    continue
                shape = shape_of(ftype.results[k], f"@{fe.fname} result {k}")
                dst = Mem(outs[k], self.storage_of(("res", fe.fname, k)), shape)
                fe.copy(fe.mem(v), dst, value_type(t.element_type))
            else:
                vt = value_type(t)
                st = (storage_for_dtype(self.sig.results[k]) if fe.is_top
                      else default_storage(t))
                fe.line(store_stmt(st, vt, outs[k], fe.ex(v)))

    def emit_call(self, fe: FunctionEmitter, op: ir.Operation) -> None:
        callee = ir.FlatSymbolRefAttr(op.attributes["callee"]).value
        args = []
        for v in op.operands:
            args.append(fe.mem(v).name if isinstance(v.type, ir.MemRefType) else fe.ex(v))
        for k, r in enumerate(op.results):
            if isinstance(r.type, ir.MemRefType):
                shape = shape_of(r.type, f"@{fe.fname} call to @{callee}")
                st = self.storage_of(r)
                name = fe.names.fresh(f"{self.cname[callee]}_out{k}")
                if shape:
                    fe.line(f"{st.spell()} {name}{dims_text(shape)};")
                else:
                    fe.line(f"{st.spell()} {name} = 0;")
                fe.mems[r] = Mem(name, st, shape)
                args.append(name)
            else:
                name = fe.declare_var(r.type)
                fe.vals[r] = name
                args.append(name)
        fe.line(f"{self.cname[callee]}({', '.join(args)});")

    # ---- globals -----------------------------------------------------------------------
    def global_mem(self, sym: str) -> tuple[str, Storage, tuple[int, ...]]:
        op = self.globals_ops[sym]
        t = ir.TypeAttr(op.attributes["type"]).value
        return self.gname[sym], self.storage_of(("global", sym)), shape_of(t, f"@{sym}")

    def _global_decl(self, sym: str) -> str:
        op = self.globals_ops[sym]
        t = ir.MemRefType(ir.TypeAttr(op.attributes["type"]).value)
        name, st, shape = self.global_mem(sym)
        init = op.attributes["initial_value"] if "initial_value" in op.attributes else None
        if init is None or isinstance(init, ir.UnitAttr):
            return f"static {st.spell()} {name}{dims_text(shape)};"
        note = ""
        if "allo.stateful" in op.attributes:  # initialized once, kept across calls
            note = (f"// Stateful '{ir.StringAttr(op.attributes['allo.stateful']).value}': "
                    "initialized once, kept across calls\n")
        count = int(np.prod(shape)) if shape else 1
        values = dense_values(init, t.element_type, count)
        cells = [cell_literal(st, v) for v in values]
        const = "const " if "constant" in op.attributes else ""
        rows = [", ".join(cells[i:i + 8]) for i in range(0, len(cells), 8)]
        body = ",\n    ".join(rows)
        return f"{note}static {const}{st.spell()} {name}{dims_text(shape)} = {{\n    {body}}};"

    def emit_body(self) -> str:
        parts: list[str] = []
        for sym in self.globals_ops:
            parts.append(self._global_decl(sym))
        funcs = []
        protos = []
        for fname, func in self.funcs.items():
            if len(func.regions[0].blocks) == 0:
                raise HLSEmitError(f"@{fname} is only a declaration")
            fe = FunctionEmitter(self, func, fname == self.sig.name)
            text = fe.emit()
            if fname == self.sig.name:
                self.prototype = text.split(" {\n", 1)[0] + ";"
                self.params = list(fe.param_list)
                funcs.append(text)
            else:
                protos.append(text.split(" {\n", 1)[0] + ";")
                funcs.insert(0, text)
        if protos:
            parts.append("\n".join(protos))
        parts += funcs
        return "\n\n".join(parts) + "\n"


def dense_values(attr: ir.Attribute, elem: ir.Type, count: int) -> list[int | float]:
    """The values of a dense initializer, as Python ints (signed) or floats."""
    is_float = not isinstance(elem, ir.IntegerType)
    try:
        if isinstance(elem, ir.IntegerType) and elem.width not in (8, 16, 32, 64):
            raise ValueError("odd width: read the text")
        arr = np.array(attr)
        flat = [float(x) if is_float else int(x) for x in arr.ravel()]
    except (TypeError, ValueError, RuntimeError):
        body = str(attr).rpartition(" : ")[0]
        if '"0x' in body:
            raise HLSEmitError(f"hex-encoded initializer {body[:40]}... is not supported") \
                from None
        body = body.replace("true", "1").replace("false", "0")
        import re

        pattern = r"[-+]?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|inf|nan|\d+)"
        flat = [float(x) if is_float else int(x) for x in re.findall(pattern, body)]
    if len(flat) == 1 and count > 1:
        flat = flat * count
    if len(flat) != count:
        raise HLSEmitError(f"initializer has {len(flat)} values for {count} cells")
    if isinstance(elem, ir.IntegerType):
        w = elem.width
        flat = [((int(v) + (1 << (w - 1))) % (1 << w)) - (1 << (w - 1)) if w > 1
                else int(v) & 1 for v in flat]
    return flat


def cell_literal(st: Storage, v: int | float) -> str:
    """An initializer of one cell of storage `st` holding the raw value `v`."""
    if st.kind == "float":
        return float_literal(float(v), st.bits)
    if st.kind == "bool":
        return "true" if int(v) else "false"
    if st.kind == "index":
        return int_literal(int(v), 64)
    if st.kind == "fixed":
        raise HLSEmitError("a constant array of fixed-point cells needs raw-bit "
                           "initialization, which is not supported")
    bits = st.bits
    value = int(v)
    if not st.signed:
        value &= (1 << bits) - 1
        if value < 2**31:
            return str(value)
        return f"{value}ULL" if bits <= 64 else f'ap_uint<{bits}>("0x{value:x}", 16)'
    return int_literal(value, bits) if bits <= 64 else typed_int(value, bits)


def sanitize_top(name: str) -> str:
    return sanitize(name)


def emit_module(module: ir.Module, sig: Signature, top: str | None,
                interface: object) -> dict[str, str]:
    """The pieces of the C++ for `module`: prelude, helpers, body, prototype, top."""
    em = ModuleEmitter(module, sig, top, interface)
    body = em.emit_body()
    max_w = _max_width(module)
    prelude = PRELUDE
    if max_w > 512:
        prelude = f"#define AP_INT_MAX_W {min(32768, 2 * max_w)}\n" + prelude
    if "hls.stream" in str(module):  # FIFOs: our shim in C simulation, hls_stream.h in Vitis
        prelude += "\n" + STREAM_HEADER
    return {"prelude": prelude, "helpers": helpers_text(em.helpers), "body": body,
            "prototype": em.prototype, "top": em.top_cname, "params": em.params}


def _max_width(module: ir.Module) -> int:
    import re

    widths = [int(w) for w in re.findall(r"\bi(\d+)\b", str(module))]
    return max(widths, default=1)
