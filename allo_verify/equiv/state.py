"""Stateful kernels under verification: the state is an extra input and output.

A kernel with `x: T @ Stateful` variables reads and writes private mutable
`memref.global`s tagged `allo.stateful` (lang/qualified.py). What one call computes depends
on the state before the call and leaves the state after it, so the law that L2 and L3 check
is, for every input values AND every state value before the call:

    same results, same written arguments, and the same state after the call.

`externalize_state(mod_a, mod_b, sig)` makes that an ordinary equivalence question. In a
copy of each module the top function `@K` becomes `@K__stateful_body` and a new `@K` takes
the original arguments plus one array argument per state variable (the union of both
modules' state, ordered by symbol; a scalar state is a 1-element array): it copies each
state argument into its global, calls the body, and copies each global back into its
argument. A module without some state variable passes that argument through unchanged, so
a schedule that drops, adds or changes what is left in the state differs on that output.
Both copies use affine loops (no `memref.copy`), which every layer reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from mlir import ir

from allo_verify.lang import types as kt
from allo_verify.lang.signature import Arg, Signature
from allo_verify.lang.types import ArrayType, DType

STATEFUL_ATTR = "allo.stateful"
STATE_DTYPE_ATTR = "allo.state_dtype"
BODY_SUFFIX = "__stateful_body"


@dataclass(frozen=True)
class StateVar:
    """One stateful global: its symbol, the variable's name, dtype and shape (() scalar)."""

    symbol: str
    name: str
    dtype: DType
    shape: tuple[int, ...]
    key: str = ""  # what matches it across two modules (see `_keyed`)

    @property
    def arg_type(self) -> ArrayType:
        return ArrayType(self.dtype, self.shape or (1,))


def stateful_globals(mod: ir.Module) -> list[StateVar]:
    """The module's stateful globals, ordered by symbol."""
    out: list[StateVar] = []
    for op in mod.body.operations:
        o = op.operation
        if o.name != "memref.global" or STATEFUL_ATTR not in o.attributes:
            continue
        sym = ir.StringAttr(o.attributes["sym_name"]).value
        name = ir.StringAttr(o.attributes[STATEFUL_ATTR]).value
        t = ir.MemRefType(ir.TypeAttr(o.attributes["type"]).value)
        dtype = _dtype(o, t)
        out.append(StateVar(sym, name, dtype, tuple(t.shape)))
    return sorted(out, key=lambda s: s.symbol)


def _dtype(o: ir.Operation, t: ir.MemRefType) -> DType:
    if STATE_DTYPE_ATTR in o.attributes:
        text = ir.StringAttr(o.attributes[STATE_DTYPE_ATTR]).value
        v = eval(text, {k: getattr(kt, k) for k in dir(kt)})  # noqa: S307 - our own repr
        if isinstance(v, DType):
            return v
    e = t.element_type
    if ir.IntegerType.isinstance(e):
        return kt.Int(ir.IntegerType(e).width)
    return {"f16": kt.float16, "f32": kt.float32, "f64": kt.float64,
            "index": kt.index}[str(e)]


def _keyed(mod: ir.Module, top: str) -> dict[str, StateVar]:
    """The module's state by key: 'top:<name>' for state the top function declares (two
    kernels compared under one name match by variable name), the symbol otherwise."""
    direct: set[str] = set()
    for op in mod.body.operations:
        o = op.operation
        if o.name == "func.func" and ir.StringAttr(o.attributes["sym_name"]).value == top:
            for b in o.regions[0].blocks:
                for inner in b.operations:
                    if inner.operation.name == "memref.get_global":
                        direct.add(ir.FlatSymbolRefAttr(inner.operation.attributes["name"]).value)
    out: dict[str, StateVar] = {}
    for s in stateful_globals(mod):
        key = f"top:{s.name}" if s.symbol in direct else s.symbol
        out[key] = StateVar(s.symbol, s.name, s.dtype, s.shape, key)
    return out


def has_state(*mods: ir.Module) -> bool:
    return any(stateful_globals(m) for m in mods)


def _state_arg_names(sig: Signature, states: list[StateVar]) -> list[str]:
    taken = {a.name for a in sig.args}
    names: list[str] = []
    for s in states:
        base = f"state_{s.name}"
        n, k = base, 1
        while n in taken:
            n, k = f"{base}_{k}", k + 1
        taken.add(n)
        names.append(n)
    return names


def externalize_state(mod_a: ir.Module, mod_b: ir.Module, sig: Signature
                      ) -> tuple[ir.Module, ir.Module, Signature]:
    """Copies of both modules whose `@<sig.name>` takes the state as in/out arguments, and
    the extended signature. Modules without state are returned as they are."""
    sa, sb = _keyed(mod_a, sig.name), _keyed(mod_b, sig.name)
    if not sa and not sb:
        return mod_a, mod_b, sig
    union: dict[str, StateVar] = dict(sa)
    for s in sb.values():
        other = union.get(s.key)
        if other is not None and (other.dtype, other.shape) != (s.dtype, s.shape):
            from allo_verify.errors import AlloVerifyError

            raise AlloVerifyError(f"state '{s.name}' has type {other.dtype!r}{list(other.shape)}"
                                  f" in one kernel and {s.dtype!r}{list(s.shape)} in the other")
        union.setdefault(s.key, s)
    keys = sorted(union)
    names = _state_arg_names(sig, [union[k] for k in keys])
    new_sig = Signature(sig.name, sig.args + tuple(Arg(n, union[k].arg_type)
                                                    for n, k in zip(names, keys, strict=True)),
                        sig.results)
    return (_wrap(mod_a, sig.name, [sa.get(k) or union[k] for k in keys], set(sa)),
            _wrap(mod_b, sig.name, [sb.get(k) or union[k] for k in keys], set(sb)), new_sig)


def _wrap(mod: ir.Module, name: str, states: list[StateVar], own: set[str]) -> ir.Module:
    """`mod` with `@name` wrapped; `states` in argument order, `own` the keys it has."""
    from allo_verify.equiv.module_text import renamed_symbol

    present = {s.symbol for s in states if s.key in own}
    copy = renamed_symbol(mod, name, name + BODY_SUFFIX)
    body = None
    for op in copy.body.operations:
        o = op.operation
        if o.name == "func.func" and ir.StringAttr(o.attributes["sym_name"]).value == \
                name + BODY_SUFFIX:
            body = o
    assert body is not None, f"no function @{name}"
    ftype = ir.FunctionType(ir.TypeAttr(body.attributes["function_type"]).value)
    ins, outs = list(ftype.inputs), list(ftype.results)
    params = [f"%a{k}: {t}" for k, t in enumerate(ins)]
    lines: list[str] = ["    %c0 = arith.constant 0 : index"]
    for k, s in enumerate(states):
        params.append(f"%s{k}: {_memref(s.arg_type)}")
        if s.symbol in present:
            lines += _copy(k, s, to_global=True)
    call_args = ", ".join(f"%a{k}" for k in range(len(ins)))
    sig_text = f"({', '.join(map(str, ins))}) -> ({', '.join(map(str, outs))})"
    res = f"%r:{len(outs)} = " if len(outs) > 1 else ("%r = " if outs else "")
    lines.append(f"    {res}func.call @{name}{BODY_SUFFIX}({call_args}) : {sig_text}")
    for k, s in enumerate(states):
        if s.symbol in present:
            lines += _copy(k, s, to_global=False)
    rets = [f"%r#{k}" for k in range(len(outs))] if len(outs) > 1 else (["%r"] if outs else [])
    ret = f"    return {', '.join(rets)} : {', '.join(map(str, outs))}" if outs else "    return"
    lines.append(ret)
    head = f"  func.func @{name}({', '.join(params)})"
    if outs:
        head += f" -> ({', '.join(map(str, outs))})"
    wrapper = head + " {\n" + "\n".join(lines) + "\n  }\n"
    text = str(copy).rstrip()
    assert text.endswith("}")
    with mod.context:
        return ir.Module.parse(text[:-1] + wrapper + "}\n")


def _memref(t: ArrayType) -> str:
    return t.mlir_str()


def _copy(k: int, s: StateVar, to_global: bool) -> list[str]:
    """Affine loops copying state argument %s<k> into its global, or back."""
    g = f"%g{k}_{'in' if to_global else 'out'}"
    gtype = f"memref<{''.join(f'{d}x' for d in s.shape)}{s.dtype.mlir_str()}>"
    out = [f"    {g} = memref.get_global @{s.symbol} : {gtype}"]
    atype = _memref(s.arg_type)
    if not s.shape:
        v = f"%v{k}_{'in' if to_global else 'out'}"
        if to_global:
            out += [f"    {v} = affine.load %s{k}[0] : {atype}",
                    f"    affine.store {v}, {g}[] : {gtype}"]
        else:
            out += [f"    {v} = affine.load {g}[] : {gtype}",
                    f"    affine.store {v}, %s{k}[0] : {atype}"]
        return out
    tag = f"{k}{'i' if to_global else 'o'}"
    ivs = [f"%i{tag}_{d}" for d in range(len(s.shape))]
    for d, n in enumerate(s.shape):
        out.append(f"    {'  ' * d}affine.for {ivs[d]} = 0 to {n} {{")
    ind = "    " + "  " * len(s.shape)
    idx = ", ".join(ivs)
    v = f"%v{tag}"
    src, dst, st, dt = (f"%s{k}", g, atype, gtype) if to_global else (g, f"%s{k}", gtype, atype)
    out += [f"{ind}{v} = affine.load {src}[{idx}] : {st}",
            f"{ind}affine.store {v}, {dst}[{idx}] : {dt}"]
    for d in reversed(range(len(s.shape))):
        out.append(f"    {'  ' * d}}}")
    return out


INITIAL_STATEMENT = ("every state variable starts with the same value before the first call "
                     "(and exists in both kernels)")


def initial_state_result(mod_a: ir.Module, mod_b: ir.Module, sig: Signature) -> Any:
    """Proved when both modules declare the same state (matched as `externalize_state`
    matches it) with the same initial values, else Refuted naming the first differing cell
    (or the state only one kernel has). The externalized check covers every call from any
    state; this covers the state the first call starts from."""
    from allo_verify.codegen.hls.module import dense_values
    from allo_verify.equiv.results import Counterexample, Proved, Refuted

    sa, sb = _keyed(mod_a, sig.name), _keyed(mod_b, sig.name)
    for key in sorted(set(sa) | set(sb)):
        if key not in sa or key not in sb:
            which = "b" if key not in sa else "a"
            name = (sa.get(key) or sb[key]).name
            return Refuted(Counterexample(f"state {name}", (), "absent" if which == "b" else
                                          "present", "present" if which == "b" else "absent",
                                          {}, "concrete"),
                           f"state '{name}' exists only in kernel {which}")
        va, vb = (_initial(m, s.symbol, dense_values) for m, s in ((mod_a, sa[key]),
                                                                    (mod_b, sb[key])))
        for k, (x, y) in enumerate(zip(va, vb, strict=True)):
            if x != y:
                s = sa[key]
                cell = tuple(int(c) for c in np.unravel_index(k, s.shape)) if s.shape else ()
                return Refuted(Counterexample(f"state {s.name} (initial value)", cell, x, y,
                                              {}, "concrete"),
                               f"state '{s.name}' starts with different values")
    return Proved(f"{len(sa)} state variable(s) start equal")


def _initial(mod: ir.Module, symbol: str, dense_values: Any) -> list[Any]:
    for op in mod.body.operations:
        o = op.operation
        if o.name == "memref.global" and ir.StringAttr(o.attributes["sym_name"]).value == symbol:
            t = ir.MemRefType(ir.TypeAttr(o.attributes["type"]).value)
            count = int(np.prod(t.shape)) if t.shape else 1
            return list(dense_values(o.attributes["initial_value"], t.element_type, count))
    raise KeyError(symbol)
