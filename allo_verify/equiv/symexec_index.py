"""Step compilers for arith ops on `index` values, for `symexec_ops`.

Index values are Python ints when they come from loop control (bounds, induction variables,
affine maps) and `SymIdx` (an i64 term) when they come from data. Law: an op on Python ints
computes what LLVM's 64-bit op computes on them (short of overflowing 64 bits); an op with a
`SymIdx` operand builds the i64 term of LLVM's op; `index_cast`/`index_castui` extend (by
their signedness) or truncate through the 64-bit pattern, as LLVM does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allo_verify.equiv.concrete import _INDEX_OPS, CMPI, width
from allo_verify.equiv.symexec import (
    INDEX_TERM,
    Env,
    Step,
    SymIdx,
    Unsupported,
    idx_term,
    idx_value,
    term_type,
)
from allo_verify.equiv.z3_table import Z3_OPS

if TYPE_CHECKING:
    from allo_verify.equiv.symexec import Executor

_M64 = (1 << 64) - 1


def _resize(store: Any, tid: int, src: str, dst: str, signed: bool) -> int:
    """The term of `tid` (type `src`) extended by `signed` or truncated to `dst`."""
    ws, wd = width(src), width(dst)
    if ws == wd:
        return tid
    if wd < ws:
        return store.mk("arith.trunci", dst, (tid,))  # type: ignore[no-any-return]
    return store.mk("arith.extsi" if signed else "arith.extui", dst,  # type: ignore[no-any-return]
                    (tid,))


def index_cast_step(ex: Executor, name: str, at: str, rt: str, x: int, r: int) -> Step:
    """index <-> iN as LLVM does it: through the index's 64-bit pattern, extended by the op's
    signedness (index_cast: signed, index_castui: unsigned) or truncated."""
    store = ex.store
    signed = name == "arith.index_cast"
    if at == "index":
        def to_int(e: Env) -> None:
            e[r] = _resize(store, idx_term(store, e[x]), INDEX_TERM, rt, signed)
        return to_int

    def to_index(e: Env) -> None:
        e[r] = idx_value(store, _resize(store, e[x], at, INDEX_TERM, signed))
    return to_index


def index_op_step(ex: Executor, name: str, ats: tuple[str, ...], rt: str, attr: int | None,
              a: list[int], r: int) -> Step:
    """An arith op on index operands: on Python ints when every operand is one (control),
    else on the operands' i64 terms (index data), the result read back as an index value."""
    store = ex.store
    trt = term_type(rt)
    if name not in Z3_OPS:
        raise Unsupported(f"no symbolic meaning for op '{name}'")
    fn = _INDEX_OPS.get(name) if rt == "index" and all(t == "index" for t in ats) else None
    t1, f1 = store.const(1, "i1"), store.const(0, "i1")
    rel = CMPI[attr or 0] if name == "arith.cmpi" else ""
    unsigned = rel.startswith("u")
    py_rel = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">",
              "ge": ">="}.get(rel if rel in ("eq", "ne") else rel[1:], "==")
    cmp = eval(f"lambda p, q: p {py_rel} q")  # noqa: S307

    def concrete(vals: list[Any]) -> Any:
        if name == "arith.cmpi":
            p, q = (v & _M64 for v in vals) if unsigned else vals
            return t1 if cmp(p, q) else f1
        if name == "arith.select":
            cv = store.cval[vals[0]]
            if cv is not None:
                return vals[1] if cv else vals[2]
            if vals[1] == vals[2]:
                return vals[1]
            return None
        return fn(*vals) if fn is not None else None

    def step(e: Env) -> None:
        vals = [e[s] for s in a]
        if not any(isinstance(v, SymIdx) for v, t in zip(vals, ats, strict=True)
                   if t == "index"):
            res = concrete(vals)
            if res is not None:
                e[r] = res
                return
        terms = tuple(idx_term(store, v) if t == "index" else v
                      for v, t in zip(vals, ats, strict=True))
        out = store.mk(name, trt, terms, attr)
        e[r] = idx_value(store, out) if rt == "index" else out
    if fn is not None and len(a) == 2:  # the hot case: index arithmetic of loop control
        x, y = a

        def fast(e: Env) -> None:
            p, q = e[x], e[y]
            if type(p) is int and type(q) is int:
                e[r] = fn(p, q)
            else:
                step(e)
        return fast
    return step
