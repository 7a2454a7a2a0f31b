"""Conversions and total operators, as the frontend lowers them, mean the same in L2 as in the
LLVM simulation: for every type of the typing table (odd widths, unsigned, wider than 128 bits,
fixed and unsigned fixed point, float16/32/64, index).

Each kernel is generated once (a source file per kernel, since the frontend reads source),
and checked two ways on the same inputs: L2's symbolic terms evaluated on the inputs, and L2
run on constant inputs (so every op folds through `TermStore.mk`); both must equal the LLVM
simulation bit for bit (NaN matching NaN). Inputs include division by zero, shift amounts
past the width and negative, the signed minimum, NaN, infinities, -0.0 and rounding ties.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import sys
import tempfile
from pathlib import Path
from random import Random
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allo_verify.codegen.llvm_runner import build_llvm
from allo_verify.equiv.counterexample import bits_of, same_bits
from allo_verify.equiv.symexec import Buffer, Executor, execute, term_type
from allo_verify.equiv.terms import TermStore
from allo_verify.lang import typing_rules as rules
from allo_verify.lang.kernel import Kernel, build_kernel
from allo_verify.lang.types import DType, Fixed, Float, Index, Int, UFixed, UInt

R = 16  # rows per kernel call
SETTINGS = settings(max_examples=5, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))
SEEDS = st.integers(0, 2**32 - 1)

TYPES: list[DType] = [UInt(1), Int(3), UInt(5), Int(8), UInt(8), Int(17), UInt(31), Int(32),
                      Int(64), UInt(64), Int(65), UInt(100), Int(130), Fixed(8, 3),
                      UFixed(12, 4), Fixed(32, 16), Fixed(70, 20), Fixed(16, 16), Float(16),
                      Float(32), Float(64), Index()]


def src(t: DType) -> str:
    """Python source constructing `t`."""
    if isinstance(t, Fixed):
        return f"{'Fixed' if t.signed else 'UFixed'}({t.bits}, {t.frac})"
    if isinstance(t, Int):
        return f"{'Int' if t.signed else 'UInt'}({t.bits})"
    if isinstance(t, Float):
        return f"Float({t.bits})"
    return "Index()"


_DIR = Path(tempfile.mkdtemp(prefix="allo_verify_folds_"))


def _load(name: str, text: str) -> Any:
    path = _DIR / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod.k


HEADER = "from allo_verify.lang.types import Fixed, Float, Index, Int, UFixed, UInt\n"


@functools.cache
def cast_kernel(s: int) -> Kernel:
    """Kernel: one output array per type of TYPES, each assigned the input (a conversion)."""
    outs = [f"B{k}: {src(t)}[{R}]" for k, t in enumerate(TYPES)]
    body = [f"        B{k}[i] = A[i]" for k in range(len(TYPES))]
    text = (HEADER + f"def k(A: {src(TYPES[s])}[{R}], {', '.join(outs)}):\n"
            f"    for i in range({R}):\n" + "\n".join(body) + "\n")
    return build_kernel(_load(f"cast_{s}", text))


def _op_lines(t: DType) -> list[tuple[str, DType]]:
    """(expression, result type) of the operators the frontend lowers for type `t`."""
    b = UInt(1)
    cmp = [(f"A[i] {o} C[i]", b) for o in ("<", "<=", "==", "!=")]
    if isinstance(t, Float):
        return [(f"A[i] {o} C[i]", t) for o in ("+", "-", "*", "/", "//", "%")] + \
            [("min(A[i], C[i])", t), ("max(A[i], C[i])", t), ("max(A[i], 0.0)", t),
             ("min(0.0, A[i])", t), ("-A[i]", t), ("abs(A[i])", t)] + cmp
    if isinstance(t, Fixed):
        return [(f"A[i] {o} C[i]", rules.fixed_binary(o, t, t)) for o in ("+", "-", "*")] + \
            [("min(A[i], C[i])", t), ("max(A[i], C[i])", t)] + cmp
    assert isinstance(t, Int)
    lines = [(f"A[i] {o} C[i]", rules.int_binary(o, t, t))
             for o in ("+", "-", "*", "/", "//", "%", "&", "|", "^")]
    lines += [("A[i] << D[i]", t), ("A[i] >> D[i]", t), ("A[i] << 3", t), ("A[i] >> 70", t),
              ("min(A[i], C[i])", rules.int_binary("min", t, t)), ("~A[i]", t),
              ("abs(A[i])", Int(min(t.bits + 1, 512)) if t.signed else t)]
    return lines + cmp


OP_TYPES = [t for t in TYPES if not isinstance(t, Index)]


@functools.cache
def op_kernel(s: int) -> tuple[Kernel, list[str]]:
    t = OP_TYPES[s]
    lines = _op_lines(t)
    outs = [f"B{k}: {src(rt)}[{R}]" for k, (_, rt) in enumerate(lines)]
    body = [f"        B{k}[i] = {e}" for k, (e, _) in enumerate(lines)]
    text = (HEADER + f"def k(A: {src(t)}[{R}], C: {src(t)}[{R}], D: Int(9)[{R}], "
            f"{', '.join(outs)}):\n    for i in range({R}):\n" + "\n".join(body) + "\n")
    return build_kernel(_load(f"ops_{s}", text)), [e for e, _ in lines]


# ----- inputs ----------------------------------------------------------------------------

def value(rng: Random, t: DType) -> Any:
    """A carrier value of `t`: edges (0, +-1, min, max), powers of two near rounding
    boundaries, or uniform; floats also NaN, +-inf, -0.0, subnormals and ties."""
    if isinstance(t, Float):
        specials = [0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -2.5, math.inf, -math.inf, math.nan,
                    65504.0, 2.0**24 + 1, 2.0**31, -(2.0**63), 2.0**70, 1e-40, 5e-324, 3.75]
        with np.errstate(all="ignore"):
            if rng.random() < 0.4:
                return t.np_dtype.type(rng.choice(specials))
            return t.np_dtype.type(rng.uniform(-1, 1) * 2.0 ** rng.randint(-20, 40))
    lo, hi = (-(1 << 63), (1 << 63) - 1) if isinstance(t, Index) else \
        (t.storage.min, t.storage.max) if isinstance(t, Fixed) else (t.min, t.max)  # type: ignore[union-attr]
    k = rng.randrange(4)
    if k == 0:
        v = rng.choice([0, 1, -1, lo, hi, lo + 1, hi - 1, 2, -2])
    elif k == 1:
        e = rng.choice([11, 24, 25, 53, 54, 63])
        v = (1 << e) + rng.choice([0, 1, -1, 3]) * rng.choice([1, -1])
    else:
        v = rng.randint(lo, hi)
    return min(max(v, lo), hi)


def carrier_array(t: DType, vals: list[Any]) -> np.ndarray:
    dt = np.dtype(np.int64) if isinstance(t, Index) else t.np_dtype
    return np.array(vals, dtype=dt)


def rows(rng: Random, t: DType) -> np.ndarray:
    return carrier_array(t, [value(rng, t) for _ in range(R)])


# ----- L2 two ways, against LLVM ---------------------------------------------------------

_SYMBOLIC: dict[int, tuple[TermStore, Any]] = {}


def symbolic(k: Kernel) -> tuple[TermStore, Any]:
    """L2's terms for kernel `k` (computed once per kernel)."""
    if id(k) not in _SYMBOLIC:
        store = TermStore()
        with k.module.context:
            run = execute(k.module, store, k.sig.name, [a.name for a in k.sig.args])
        _SYMBOLIC[id(k)] = (store, run)
    return _SYMBOLIC[id(k)]


def _elem(a: Any) -> str:
    return a.type.dtype.mlir_str()


def check_kernel(k: Kernel, inputs: dict[str, np.ndarray], what: list[str]) -> None:
    """L2 (evaluated and folded) equals LLVM on every written cell of every output."""
    names = [a.name for a in k.sig.args]
    args = [np.array(inputs[n], copy=True) if n in inputs
            else np.zeros(a.type.shape, dtype=np.int64 if isinstance(a.type.dtype, Index)
                          else a.type.dtype.np_dtype) for n, a in zip(names, k.sig.args,
                                                                       strict=True)]
    build_llvm(k.module, k.sig)(*args)
    store, run = symbolic(k)
    env = {}
    for lf, (name, cell) in store.leaf_info.items():
        env[lf] = bits_of(inputs[name][cell], store.ty[lf]) if name in inputs else 0
    # folded: the same function run on constant inputs
    fstore = TermStore()
    with k.module.context:
        ex = Executor(k.module, fstore)
        bufs = []
        for n, a in zip(names, k.sig.args, strict=True):
            et = term_type(_elem(a))
            cells = [fstore.const(bits_of(inputs[n][j], et) if n in inputs else 0, et)
                     for j in range(a.type.shape[0])]
            bufs.append(Buffer(n, a.type.shape, et, cells))
        ex.call(k.sig.name, bufs)
    for j, n in enumerate(names):
        if n in inputs:
            continue
        sym = run.args[j]
        assert isinstance(sym, Buffer) and sym.written
        got = store.evaluate(sym.cells, env)
        for c in range(R):
            t = store.ty[sym.cells[c]]
            want = bits_of(args[j][c], t)
            label = f"{what[j - len(inputs)]} at row {c}: inputs " \
                f"{ {m: inputs[m][c] for m in inputs} }"
            assert same_bits(got[sym.cells[c]], want, t), \
                f"L2 evaluation of {label}: {got[sym.cells[c]]:#x} vs LLVM {want:#x}"
            fv = fstore.cval[bufs[j].cells[c]]
            assert fv is not None, f"{label} did not fold to a constant"
            assert same_bits(fv, want, t), f"L2 fold of {label}: {fv:#x} vs LLVM {want:#x}"


@pytest.mark.parametrize("s", range(len(TYPES)), ids=[repr(t) for t in TYPES])
def test_conversions_fold_like_llvm(s: int) -> None:
    k = cast_kernel(s)
    t = TYPES[s]

    @SETTINGS
    @given(SEEDS)
    def agree(seed: int) -> None:
        check_kernel(k, {"A": rows(Random(seed), t)}, [f"{t!r} -> {u!r}" for u in TYPES])
    agree()


@pytest.mark.parametrize("s", range(len(OP_TYPES)), ids=[repr(t) for t in OP_TYPES])
def test_operators_fold_like_llvm(s: int) -> None:
    k, exprs = op_kernel(s)
    t = OP_TYPES[s]

    @SETTINGS
    @given(SEEDS)
    def agree(seed: int) -> None:
        rng = Random(seed)
        a = rows(rng, t)
        c = rows(rng, t)
        d = np.array([rng.choice([0, 1, 3, t.bits - 1, t.bits, t.bits + 1, 255, -1, -256])
                      for _ in range(R)], dtype=np.int16)
        check_kernel(k, {"A": a, "C": c, "D": d}, [f"{e} on {t!r}" for e in exprs])
    agree()
