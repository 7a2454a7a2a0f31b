"""Per-op compilers for `symexec`: each turns one MLIR op into a Python closure `step(env)`.

Hot ops (loads, stores) are generated as Python source so that a subscript costs a few
bytecodes. Law: each step does to `env` and the buffers exactly what the op does to values
and memory, with index values as Python ints (or `SymIdx` when they come from data), data
values as term ids, and cells of index memrefs as i64 terms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import mlir.ir as ir

from allo_verify.equiv.concrete import py_float_bits, to_signed, width
from allo_verify.equiv.symexec import (
    INDEX_TERM,
    Buffer,
    DataDependent,
    Env,
    OutOfBounds,
    Step,
    SymIdx,
    TooLarge,
    Unsupported,
    idx_term,
    idx_value,
    map_srcs,
    memref_shape,
    set_constraints,
    term_type,
)
from allo_verify.equiv.symexec_index import index_cast_step, index_op_step
from allo_verify.equiv.z3_table import Z3_OPS

if TYPE_CHECKING:
    from allo_verify.equiv.symexec import Executor

_M64 = (1 << 64) - 1


def _oob(b: Buffer, idx: tuple[int, ...]) -> None:
    raise OutOfBounds(b.name, tuple(int(i) for i in idx), b.shape)


def _exec(src: str, ns: dict[str, Any]) -> Step:
    ns.setdefault("_oob", _oob)
    exec(src, ns)  # noqa: S102 - code generated from the IR's affine maps only
    return ns["step"]  # type: ignore[no-any-return]


def _access(ex: Executor, mem: ir.Value, idx_srcs: list[str]) -> tuple[str, str]:
    """Source lines computing subscripts with a bounds check, and the flat offset expr."""
    shape, _ = memref_shape(mem.type)
    if any(d < 0 for d in shape):
        raise Unsupported(f"dynamic memref shape {mem.type}")
    lines, flat = [], []
    strides = [1] * len(shape)
    for k in range(len(shape) - 2, -1, -1):
        strides[k] = strides[k + 1] * shape[k + 1]
    names = [f"i{k}" for k in range(len(shape))]
    for k, s in enumerate(idx_srcs):
        lines.append(f"    {names[k]} = {s}")
        flat.append(f"{names[k]} * {strides[k]}" if strides[k] != 1 else names[k])
    if shape:
        cond = " and ".join(f"0 <= {n} < {d}" for n, d in zip(names, shape, strict=False))
        lines.append(f"    if not ({cond}): _oob(b, ({', '.join(names)},))")
    return "\n".join(lines), " + ".join(flat) or "0"


def _load(ex: Executor, o: ir.Operation, mem: ir.Value, idx_srcs: list[str]) -> Step:
    """A load; a cell of an index memref (an i64 term) is read as an index value."""
    body, flat = _access(ex, mem, idx_srcs)
    cell = f"b.cells[{flat}]"
    if memref_shape(mem.type)[1] == "index":
        cell = f"V(S, {cell})"
    src = (f"def step(e):\n    b = e[{ex.slot(mem)}]\n{body}\n"
           f"    e[{ex.slot(o.results[0])}] = {cell}\n")
    return _exec(src, {"V": idx_value, "S": ex.store})


def _store(ex: Executor, val: ir.Value, mem: ir.Value, idx_srcs: list[str]) -> Step:
    """A store; an index value stored into an index memref becomes its i64 term."""
    body, flat = _access(ex, mem, idx_srcs)
    v = f"e[{ex.slot(val)}]"
    if memref_shape(mem.type)[1] == "index":
        v = f"T(S, {v})"
    src = (f"def step(e):\n    b = e[{ex.slot(mem)}]\n{body}\n    k = {flat}\n"
           f"    if J: J[-1].append((b, k, b.cells[k]))\n"
           f"    b.cells[k] = {v}\n    b.written = True\n")
    return _exec(src, {"J": ex.journal, "T": idx_term, "S": ex.store})


def _affine_operands(ex: Executor, ops: list[ir.Value]) -> list[str]:
    return [f"e[{ex.slot(v)}]" for v in ops]


def _map_fn(ex: Executor, amap: ir.AffineMap, ops: list[ir.Value], red: str) -> Callable[[Env],
                                                                                        int]:
    srcs = map_srcs(amap, _affine_operands(ex, ops))
    expr = srcs[0] if len(srcs) == 1 else f"{red}({', '.join(srcs)})"
    return eval(f"lambda e: {expr}")  # type: ignore[no-any-return]  # noqa: S307


def _map_attr(o: ir.Operation, name: str) -> ir.AffineMap:
    return ir.AffineMapAttr(o.attributes[name]).value


def c_affine_load(ex: Executor, o: ir.Operation) -> Step:
    ops = list(o.operands)
    return _load(ex, o, ops[0], map_srcs(_map_attr(o, "map"), _affine_operands(ex, ops[1:])))


def c_affine_store(ex: Executor, o: ir.Operation) -> Step:
    ops = list(o.operands)
    return _store(ex, ops[0], ops[1],
                  map_srcs(_map_attr(o, "map"), _affine_operands(ex, ops[2:])))


def c_memref_load(ex: Executor, o: ir.Operation) -> Step:
    ops = list(o.operands)
    return _load(ex, o, ops[0], _affine_operands(ex, ops[1:]))


def c_memref_store(ex: Executor, o: ir.Operation) -> Step:
    ops = list(o.operands)
    return _store(ex, ops[0], ops[1], _affine_operands(ex, ops[2:]))


def c_affine_apply(ex: Executor, o: ir.Operation) -> Step:
    f = _map_fn(ex, _map_attr(o, "map"), list(o.operands), "max")
    r = ex.slot(o.results[0])

    def step(e: Env) -> None:
        e[r] = f(e)
    return step


def _minmax_op(red: str) -> Callable[[Executor, ir.Operation], Step]:
    def comp(ex: Executor, o: ir.Operation) -> Step:
        f = _map_fn(ex, _map_attr(o, "map"), list(o.operands), red)
        r = ex.slot(o.results[0])

        def step(e: Env) -> None:
            e[r] = f(e)
        return step
    return comp


def _loop(ex: Executor, lo_hi_st: Callable[[Env], tuple[Any, Any, int]], block: ir.Block,
          inits: list[int], results: list[int], iv_conv: Callable[[int], Any] | None) -> Step:
    bargs = list(block.arguments)
    ivs = ex.slot(bargs[0])
    its = [ex.slot(a) for a in bargs[1:]]
    body, ys = ex.compile_block(block)
    n = len(body) + 1

    def step(e: Env) -> None:
        lo, hi, st = lo_hi_st(e)
        if not (isinstance(lo, int) and isinstance(hi, int)):
            raise DataDependent("a loop bound depends on data values")
        cur = [e[s] for s in inits]
        trips = max(0, (hi - lo + st - 1) // st)
        if ex.work + trips * n > ex.budget:
            raise TooLarge(f"more than {ex.budget} ops would execute")
        ex.work += trips * n
        check = ex.check_terms
        for iv in range(lo, hi, st):
            check()
            e[ivs] = iv if iv_conv is None else iv_conv(iv)
            if its:
                for s, v in zip(its, cur, strict=False):
                    e[s] = v
            for f in body:
                f(e)
            if its:
                cur = [e[s] for s in ys]
        for s, v in zip(results, cur, strict=False):
            e[s] = v
    return step


def c_affine_for(ex: Executor, o: ir.Operation) -> Step:
    seg = list(ir.DenseI32ArrayAttr(o.attributes["operandSegmentSizes"]))
    ops = list(o.operands)
    lbf = _map_fn(ex, _map_attr(o, "lowerBoundMap"), ops[:seg[0]], "max")
    ubf = _map_fn(ex, _map_attr(o, "upperBoundMap"), ops[seg[0]:seg[0] + seg[1]], "min")
    st = int(ir.IntegerAttr(o.attributes["step"]).value)
    inits = [ex.slot(v) for v in ops[seg[0] + seg[1]:]]
    return _loop(ex, lambda e: (lbf(e), ubf(e), st), o.regions[0].blocks[0], inits,
                 [ex.slot(r) for r in o.results], None)


def c_scf_for(ex: Executor, o: ir.Operation) -> Step:
    ops = list(o.operands)
    lb, ub, sp = (ex.slot(v) for v in ops[:3])
    t = str(ops[0].type)
    store = ex.store
    if t == "index":
        def bounds(e: Env) -> tuple[Any, Any, int]:
            s = e[sp]
            if not isinstance(s, int) or s <= 0:
                raise DataDependent("scf.for step is not a positive constant")
            return e[lb], e[ub], s
        conv = None
    else:
        w = width(t)

        def concrete(tid: int) -> Any:
            cv = store.cval[tid]
            return to_signed(cv, w) if cv is not None else SymIdx(tid)

        def bounds(e: Env) -> tuple[Any, Any, int]:
            s = concrete(e[sp])
            if not isinstance(s, int) or s <= 0:
                raise DataDependent("scf.for step depends on data")
            return concrete(e[lb]), concrete(e[ub]), s

        def conv(iv: int) -> Any:
            return store.const(iv & ((1 << w) - 1), t)
    return _loop(ex, bounds, o.regions[0].blocks[0], [ex.slot(v) for v in ops[3:]],
                 [ex.slot(r) for r in o.results], conv)


def _branches(ex: Executor, o: ir.Operation) -> tuple[tuple[list[Step], list[int]],
                                                     tuple[list[Step], list[int]]]:
    then = ex.compile_block(o.regions[0].blocks[0])
    els: tuple[list[Step], list[int]] = ([], [])
    if len(o.regions) > 1 and len(o.regions[1].blocks) > 0:
        els = ex.compile_block(o.regions[1].blocks[0])
    return then, els


def c_affine_if(ex: Executor, o: ir.Operation) -> Step:
    amap, eqs = set_constraints(o.attributes["condition"])
    srcs = map_srcs(amap, _affine_operands(ex, list(o.operands)))
    parts = [f"({s}) {'==' if q else '>='} 0" for s, q in zip(srcs, eqs, strict=True)]
    cond = " and ".join(parts) or "True"
    test = eval(f"lambda e: {cond}")  # noqa: S307
    (tb, ty), (eb, ey) = _branches(ex, o)
    rs = [ex.slot(r) for r in o.results]

    def step(e: Env) -> None:
        body, ys = (tb, ty) if test(e) else (eb, ey)
        ex.run_block(body, e)
        for s, y in zip(rs, ys, strict=False):
            e[s] = e[y]
    return step


def c_scf_if(ex: Executor, o: ir.Operation) -> Step:
    c = ex.slot(o.operands[0])
    (tb, ty), (eb, ey) = _branches(ex, o)
    rs = [ex.slot(r) for r in o.results]
    rtypes = [str(r.type) for r in o.results]
    store, J = ex.store, ex.journal

    def step(e: Env) -> None:
        cond = e[c]
        cv = store.cval[cond]
        if cv is not None:
            body, ys = (tb, ty) if cv else (eb, ey)
            ex.run_block(body, e)
            for s, y in zip(rs, ys, strict=False):
                e[s] = e[y]
            return
        J.append([])
        ex.run_block(tb, e)
        tres = [e[y] for y in ty]
        jt = J.pop()
        tnew = {(id(b), k): b.cells[k] for b, k, _ in jt}
        base: dict[tuple[int, int], tuple[Buffer, int, int]] = {}
        for b, k, old in reversed(jt):
            b.cells[k] = old
            base[(id(b), k)] = (b, k, old)
        J.append([])
        ex.run_block(eb, e)
        eres = [e[y] for y in ey]
        je = J.pop()
        for b, k, old in reversed(je):
            base[(id(b), k)] = (b, k, old)
        for key, (b, k, old) in base.items():
            tv = tnew.get(key, old)
            ev = b.cells[k]
            if J:
                J[-1].append((b, k, old))
            b.cells[k] = ev if tv == ev else store.mk("arith.select", b.elem, (cond, tv, ev))
        for s, rt, tv, ev in zip(rs, rtypes, tres, eres, strict=False):
            if tv is ev:
                e[s] = tv
            elif rt == "index":
                a, b = idx_term(store, tv), idx_term(store, ev)
                e[s] = tv if a == b else SymIdx(store.mk("arith.select", INDEX_TERM,
                                                         (cond, a, b)))
            elif not rt.startswith("memref"):
                e[s] = store.mk("arith.select", rt, (cond, tv, ev))
            else:
                raise DataDependent("scf.if on data yields different memrefs")
    return step


def c_scf_while(ex: Executor, o: ir.Operation) -> Step:
    inits = [ex.slot(v) for v in o.operands]
    bblk, ablk = o.regions[0].blocks[0], o.regions[1].blocks[0]
    bargs = [ex.slot(a) for a in bblk.arguments]
    aargs = [ex.slot(a) for a in ablk.arguments]
    bsteps, bres = ex.compile_block(bblk)
    asteps, ares = ex.compile_block(ablk)
    rs = [ex.slot(r) for r in o.results]
    store = ex.store

    def step(e: Env) -> None:
        cur = [e[s] for s in inits]
        while True:
            for s, v in zip(bargs, cur, strict=False):
                e[s] = v
            ex.run_block(bsteps, e)
            cv = store.cval[e[bres[0]]]
            if cv is None:
                raise DataDependent("scf.while condition depends on data values")
            fwd = [e[s] for s in bres[1:]]
            if not cv:
                for s, v in zip(rs, fwd, strict=False):
                    e[s] = v
                return
            for s, v in zip(aargs, fwd, strict=False):
                e[s] = v
            ex.run_block(asteps, e)
            cur = [e[s] for s in ares]
    return step


def c_alloc(ex: Executor, o: ir.Operation) -> Step:
    if len(o.operands):
        raise Unsupported("memref.alloc with dynamic sizes")
    shape, elem = memref_shape(o.results[0].type)
    elem = term_type(elem)
    n = 1
    for d in shape:
        n *= d
    r = ex.slot(o.results[0])
    undef = ex.store.leaf("undef", (), elem)

    def step(e: Env) -> None:
        e[r] = Buffer("local", shape, elem, [undef] * n)
    return step


def c_noop(ex: Executor, o: ir.Operation) -> Step:
    return lambda e: None


def c_get_global(ex: Executor, o: ir.Operation) -> Step:
    name = ir.FlatSymbolRefAttr(o.attributes["name"]).value
    r = ex.slot(o.results[0])
    return lambda e: e.__setitem__(r, ex.global_buffer(name))


def c_copy(ex: Executor, o: ir.Operation) -> Step:
    s, d = (ex.slot(v) for v in o.operands)
    J = ex.journal

    def step(e: Env) -> None:
        src, dst = e[s], e[d]
        if J:
            J[-1].extend((dst, k, v) for k, v in enumerate(dst.cells))
        dst.cells[:] = src.cells
        dst.written = True
    return step


def c_call(ex: Executor, o: ir.Operation) -> Step:
    name = ir.FlatSymbolRefAttr(o.attributes["callee"]).value
    args = [ex.slot(v) for v in o.operands]
    rs = [ex.slot(r) for r in o.results]

    def step(e: Env) -> None:
        outs = ex.call(name, [e[s] for s in args])
        for s, v in zip(rs, outs, strict=False):
            e[s] = v
    return step


def c_constant(ex: Executor, o: ir.Operation) -> Step:
    t = str(o.results[0].type)
    a = o.attributes["value"]
    r = ex.slot(o.results[0])
    if t == "index" or t.startswith("i"):
        raw = _int_attr(a)
        v: Any = raw if t == "index" else ex.store.const(raw & ((1 << width(t)) - 1), t)
    elif t in ("f16", "f32", "f64"):
        text = str(a).split(":")[0].strip()  # hex for NaN/inf: the exact bits
        bits = int(text, 16) if text.lower().startswith("0x") else \
            py_float_bits(float(ir.FloatAttr(a).value), t)
        v = ex.store.const(bits, t)
    else:
        raise Unsupported(f"arith.constant of type {t}")
    return lambda e: e.__setitem__(r, v)


def _int_attr(a: ir.Attribute) -> int:
    """The value of an integer (or bool) attribute of any width. `IntegerAttr.value` aborts
    the process (a C++ assertion) beyond 64 bits, so the printed form is read instead."""
    text = str(a).split(":")[0].strip()
    if text in ("true", "false"):
        return int(text == "true")
    return int(text, 0)


def c_data(ex: Executor, o: ir.Operation) -> Step:
    """arith/math ops: concrete on index operands, term building on data."""
    name = o.name
    ats = tuple(str(v.type) for v in o.operands)
    rt = str(o.results[0].type)
    attr = int(ir.IntegerAttr(o.attributes["predicate"]).value) \
        if "predicate" in o.attributes else None
    a = [ex.slot(v) for v in o.operands]
    r = ex.slot(o.results[0])
    store = ex.store
    mk = store.mk
    if name in ("arith.index_cast", "arith.index_castui"):
        return index_cast_step(ex, name, ats[0], rt, a[0], r)
    if "index" in ats or rt == "index":
        return index_op_step(ex, name, ats, rt, attr, a, r)
    if name in ("arith.sitofp", "arith.uitofp") and width(ats[0]) > 128 \
            and rt in ("f16", "f32", "bf16"):
        raise Unsupported(f"{name} from {ats[0]} to {rt}: LLVM 22 converts integers wider "
                          "than 128 bits to f16/f32 wrongly (convert to f64 first)")
    if name not in Z3_OPS:
        raise Unsupported(f"no symbolic meaning for op '{name}'")
    if len(a) == 2:
        x, y = a

        def step2(e: Env) -> None:
            e[r] = mk(name, rt, (e[x], e[y]), attr)
        return step2
    if len(a) == 1:
        (x,) = a
        return lambda e: e.__setitem__(r, mk(name, rt, (e[x],), attr))
    return lambda e: e.__setitem__(r, mk(name, rt, tuple(e[s] for s in a), attr))


COMPILERS: dict[str, Callable[[Executor, ir.Operation], Step]] = {
    "affine.load": c_affine_load, "affine.store": c_affine_store,
    "memref.load": c_memref_load, "memref.store": c_memref_store,
    "affine.apply": c_affine_apply, "affine.min": _minmax_op("min"),
    "affine.max": _minmax_op("max"), "affine.for": c_affine_for, "scf.for": c_scf_for,
    "affine.if": c_affine_if, "scf.if": c_scf_if, "scf.while": c_scf_while,
    "memref.alloc": c_alloc, "memref.alloca": c_alloc, "memref.dealloc": c_noop,
    "memref.get_global": c_get_global, "memref.copy": c_copy, "func.call": c_call,
    "arith.constant": c_constant,
}


def compile_op(ex: Executor, o: ir.Operation) -> Step:
    """The closure for op `o`; raises `Unsupported` naming an op without a meaning here."""
    comp = COMPILERS.get(o.name)
    if comp is not None:
        return comp(ex, o)
    if o.name.startswith(("arith.", "math.")):
        return c_data(ex, o)
    raise Unsupported(f"no symbolic meaning for op '{o.name}'")
