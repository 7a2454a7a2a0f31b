"""Counterexamples: from Z3 models or concrete searches to checked input values.

Law: a counterexample reported as confirmed "concrete" makes the two output terms evaluate
(with `TermStore.evaluate`) to different values (NaN-aware: two NaNs are equal); "llvm"
means both built kernels, run on `inputs`, differ at the named cell.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np
import z3

from allo_verify.equiv.concrete import bits_to_float, float_to_bits, is_float, to_signed, width
from allo_verify.equiv.results import Counterexample, jsonable_scalar
from allo_verify.equiv.terms import TermStore
from allo_verify.lang.types import ArrayType, Float, Index, Int

SMALL_ARRAY = 64


def same_bits(a: int, b: int, t: str) -> bool:
    """Bit equality, except that any two NaNs are equal (for floats)."""
    if a == b:
        return True
    if is_float(t):
        x, y = bits_to_float(a, t), bits_to_float(b, t)
        return bool(np.isnan(x) and np.isnan(y))
    return False


def value_of(bits: int, t: str, dtype: Any = None) -> Any:
    """The user-facing value of a bit pattern: signed/unsigned int per `dtype`, or float."""
    if is_float(t):
        return bits_to_float(bits, t)
    if t == "index":
        return bits
    if isinstance(dtype, Int) and not dtype.signed:
        return bits
    return to_signed(bits, width(t))


def bits_of(value: Any, t: str) -> int:
    """Inverse of `value_of`."""
    if is_float(t):
        return float_to_bits(value, t)
    if t == "index":
        return int(value)
    return int(value) & ((1 << width(t)) - 1)


def model_env(store: TermStore, leaves: list[int], memo: dict[int, Any], m: z3.ModelRef) -> \
        dict[int, int]:
    """Leaf values from a Z3 model (unconstrained leaves complete to 0)."""
    env: dict[int, int] = {}
    for lf in leaves:
        v = m.eval(memo[lf], model_completion=True) if lf in memo else None
        env[lf] = int(v.as_long()) if v is not None else 0
    return env


_FLOAT_POOL = [0.0, -0.0, 1.0, -1.0, 0.5, 3.0, 1e-3, 1e8, -1e8, 1e-8, 7.25, 1e30, -2.5]


def random_env(store: TermStore, leaves: list[int], rng: random.Random) -> dict[int, int]:
    """Random leaf values: ints uniform over their width (with edges), floats of mixed
    magnitudes (so that rounding differences show)."""
    env: dict[int, int] = {}
    for lf in leaves:
        t = store.ty[lf]
        if is_float(t):
            x = rng.choice(_FLOAT_POOL) if rng.random() < 0.3 else \
                rng.uniform(-1, 1) * 10.0 ** rng.randint(-6, 8)
            env[lf] = float_to_bits(x, t)
        elif t == "index":
            env[lf] = rng.randint(-8, 8)
        else:
            w = width(t)
            env[lf] = rng.choice([0, 1, (1 << w) - 1, 1 << (w - 1), rng.getrandbits(w)])
    return env


@dataclass
class Witness:
    """Leaf values (id -> bits) under which `ta` and `tb` evaluate to `va` != `vb`."""

    env: dict[int, int]
    va: int
    vb: int
    how: str


def confirm(store: TermStore, ta: int, tb: int, first: dict[int, int] | None, seed: int = 0,
            tries: int = 300) -> Witness | None:
    """A concrete witness that terms `ta`, `tb` differ: the given env first (a Z3 model), then
    `tries` seeded random envs. None if no witness was found."""
    leaves = store.leaves([ta, tb])
    t = store.ty[ta]
    rng = random.Random(seed)
    cands = ([first] if first is not None else [])
    for k in range(tries + len(cands)):
        env = cands[k] if k < len(cands) else random_env(store, leaves, rng)
        for lf in leaves:
            env.setdefault(lf, 0)
        v = store.evaluate([ta, tb], env)
        if not same_bits(v[ta], v[tb], t):
            return Witness(env, v[ta], v[tb], "z3-model" if k < len(cands) else "search")
    return None


def input_arrays(store: TermStore, env: dict[int, int], arg_info: list[tuple[str, Any, str]]) \
        -> dict[str, Any]:
    """NumPy inputs per argument (name, declared type, MLIR elem type); cells not in `env`
    are 0. Scalars become NumPy scalars of their carrier type."""
    by_name: dict[str, dict[tuple[int, ...], int]] = {}
    for lf, bits in env.items():
        name, cell = store.leaf_info.get(lf, ("", ()))
        by_name.setdefault(name, {})[cell] = bits
    out: dict[str, Any] = {}
    for name, decl, elem in arg_info:
        dt = decl.dtype if isinstance(decl, ArrayType) else decl
        carrier = dt.np_dtype if isinstance(dt, (Int, Float, Index)) else np.dtype(np.int64)
        cells = by_name.get(name, {})
        if isinstance(decl, ArrayType):
            arr = np.zeros(decl.shape, dtype=carrier)
            for cell, bits in cells.items():
                arr[cell] = value_of(bits, elem, dt)
            out[name] = arr
        else:
            out[name] = carrier.type(value_of(cells.get((), 0), elem, dt))
    return out


def summarize(name: str, arr: Any, keep: list[tuple[int, ...]]) -> Any:
    """A JSON view of an input: small arrays in full, large ones as the cells in `keep`."""
    if not isinstance(arr, np.ndarray):
        return jsonable_scalar(arr)
    if arr.size <= SMALL_ARRAY:
        return np.vectorize(jsonable_scalar, otypes=[object])(arr).tolist() if arr.ndim else \
            jsonable_scalar(arr[()])
    shown = sorted(set(keep))[:32]
    cells = {",".join(map(str, c)): jsonable_scalar(arr[c]) for c in shown}
    rest = np.ones(arr.shape, dtype=np.bool_)
    for c in shown:
        rest[c] = False
    # "others": 0 only when it is true (bit for bit), so the input can be rebuilt from it
    others: Any = 0 if _all_zero(arr[rest]) else OTHERS_NOT_SHOWN
    return {"shape": list(arr.shape), "cells": cells, "others": others}


OTHERS_NOT_SHOWN = "not shown: the input run had other nonzero cells (the note says how it " \
    "was drawn)"


def _all_zero(vals: np.ndarray) -> bool:
    """Whether every value is zero bit for bit (-0.0 is not)."""
    if vals.size == 0:
        return True
    if vals.dtype.kind == "f":
        return not np.ascontiguousarray(vals).view(np.uint8).any()
    return bool(np.all(vals == 0))


def make_counterexample(output: str, cell: tuple[int, ...], va: Any, vb: Any,
                        inputs: dict[str, Any], keep: dict[str, list[tuple[int, ...]]],
                        confirmed: str, note: str = "") -> Counterexample:
    """The JSON-ready counterexample naming the differing cell and both values."""
    return Counterexample(
        output=output, cell=tuple(int(c) for c in cell), value_a=jsonable_scalar(va),
        value_b=jsonable_scalar(vb),
        inputs={k: summarize(k, v, keep.get(k, [])) for k, v in sorted(inputs.items())},
        confirmed=confirmed, note=note)
