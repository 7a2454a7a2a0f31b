"""L3 randomized co-simulation: both designs built with the LLVM simulation, run on
hypothesis-generated inputs, compared bit for bit (two NaNs count as equal: see
`cosim_tolerance`), or within a stated tolerance when reassociation is allowed.

Inputs by type, extremes included: integers (min, max, 0, +-1, any), floats (0, -0.0, NaN,
+-inf, subnormals, max, any), and arrays whose cells are all distinct (when the type has
enough values) so that permuted subscripts cannot hide. A difference is shrunk by hypothesis
to a minimal input. Runs are deterministic: the seed is fixed (`hypothesis.seed`), there is
no example database, and the trial count and seed are recorded in the result.

Law: `Refuted` carries inputs on which the two built kernels produce different bits (two
NaNs count as equal; beyond the tolerance, with reassociation allowed) in a named output
cell; `Agreed(trials, seed)` means no difference on exactly `trials` distinct inputs (the
number actually run, duplicates counted once, never the number requested).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import seed as hseed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from allo_verify.equiv.cosim_tolerance import (
    NAN_POLICY,
    Tolerance,
    derive_tolerance,
    float_outputs,
    within,
)
from allo_verify.equiv.counterexample import summarize
from allo_verify.equiv.results import (
    Agreed,
    Cost,
    Counterexample,
    LayerResult,
    NotRun,
    Refuted,
    Unknown,
    jsonable_scalar,
)
from allo_verify.lang.signature import Signature
from allo_verify.lang.types import ArrayType, DType, Fixed, Float, Int

DEFAULT_TRIALS = 100
DEFAULT_CELL_BUDGET = 2_000_000
MIN_TRIALS = 3  # a kernel past the cell budget still runs this many trials at its own sizes
#: argument cells of one trial past which (and past the cell budget) no trial runs: drawing
#: and running even one input would take hours and the memory of the machine
MAX_TRIAL_CELLS = 1 << 26


def affordable_trials(cells: int, trials: int, cell_budget: int) -> int:
    """How many of the `trials` requested run on a kernel with `cells` argument cells per
    trial: as many as `cell_budget` (cells x trials) allows, never fewer than
    `min(trials, MIN_TRIALS)`. Law: the result is in [min(trials, MIN_TRIALS), trials], and
    cells x result <= cell_budget whenever the result exceeds MIN_TRIALS."""
    if trials <= 0:
        return 0
    return min(trials, max(MIN_TRIALS, cell_budget // max(1, cells)))


L3Result = LayerResult  # Outcome of L3: result, scope (trials, seed, sizes), cost.


def _int_bounds(t: DType) -> tuple[int, int]:
    if isinstance(t, Int):
        return t.min, t.max
    if isinstance(t, Fixed):
        return t.storage.min, t.storage.max
    return -8, 8  # index scalars: small, sizes are static


def scalar_strategy(t: DType, bounded: bool = False) -> st.SearchStrategy[Any]:
    """Values of type `t` with its extremes weighted in; `bounded` floats are finite, in
    [-1, 1] (the inputs of a comparison within a tolerance)."""
    if isinstance(t, Float) and bounded:
        ft = t.np_dtype.type
        return st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5]),
                         st.floats(-1.0, 1.0, width=t.bits)).map(ft)
    if isinstance(t, Float):
        ft = t.np_dtype.type
        info = np.finfo(t.np_dtype)
        edges = [0.0, -0.0, float("nan"), float("inf"), float("-inf"), float(info.max),
                 float(-info.max), float(info.smallest_subnormal), 1.0, -1.0]
        return st.one_of(st.sampled_from(edges),
                         st.floats(width=t.bits, allow_nan=True, allow_infinity=True,
                                   allow_subnormal=True)).map(ft)
    lo, hi = _int_bounds(t)
    edges = sorted({lo, hi, 0, min(max(1, lo), hi), max(min(-1, hi), lo)})
    return st.one_of(st.sampled_from(edges), st.integers(lo, hi))


def _key(v: Any) -> Any:
    """Identity of a cell value for distinctness: bits for floats, the value for ints."""
    if isinstance(v, (float, np.floating)):
        return np.asarray(v).tobytes()
    return int(v)


def _finish(values: list[Any], t: ArrayType) -> np.ndarray:
    dt = t.dtype
    arr = np.array(values, dtype=object if dt.np_dtype == np.dtype(object) else dt.np_dtype)
    return arr.reshape(t.shape)


def _numpy_cells(dt: DType, n: int, rng: np.random.Generator, distinct: bool,
                 bounded: bool = False) -> list[Any]:
    """n values of `dt` from `rng`, all distinct when `distinct` (re-drawing collisions);
    `bounded` floats in [-1, 1]."""
    def draw(k: int) -> list[Any]:
        if isinstance(dt, Float) and bounded:
            return list(rng.uniform(-1.0, 1.0, k).astype(dt.np_dtype))
        if isinstance(dt, Float):
            mag = 10.0 ** rng.integers(-8, 9, k)
            return list((rng.standard_normal(k) * mag).astype(dt.np_dtype))
        lo, hi = _int_bounds(dt)
        return [lo + int(x) % (hi - lo + 1) for x in rng.integers(0, 2**63 - 1, k)] \
            if hi - lo + 1 > 2**62 else [int(x) for x in rng.integers(lo, hi + 1, k)]
    vals = draw(n)
    if not distinct:
        return vals
    for _ in range(100):
        seen: set[Any] = set()
        dup = []
        for i, v in enumerate(vals):
            key = _key(v)
            if key in seen:
                dup.append(i)
            seen.add(key)
        if not dup:
            break
        for i, v in zip(dup, draw(len(dup)), strict=True):
            vals[i] = v
    return vals


def _index_coded(dt: DType, n: int, scale: int, bounded: bool = False) -> list[Any]:
    """Cells that encode their own position: value (k + 1) * scale, wrapped into the type
    (`bounded` floats: (k + 1) / (n + 1), signed like `scale`)."""
    if isinstance(dt, Float) and bounded:
        return [dt.np_dtype.type((k + 1) / (n + 1) * (1 if scale > 0 else -1))
                for k in range(n)]
    if isinstance(dt, Float):
        return [dt.np_dtype.type((k + 1) * scale) for k in range(n)]
    lo, hi = _int_bounds(dt)
    span = hi - lo + 1
    return [lo + ((k + 1) * scale - lo) % span for k in range(n)]


def array_strategy(t: ArrayType, bounded: bool = False) -> st.SearchStrategy[np.ndarray]:
    """Arrays of `t`, cells all distinct whenever the element type has enough values.

    A base array (cells encoding their own index, the shrink target, or distinct values from
    a drawn seed) with up to 8 drawn cells overwritten by values of the type, extremes
    included; an override that would repeat a value is skipped. Cheap for any size."""
    dt = t.dtype
    n = t.size
    lo_hi = None if isinstance(dt, Float) else _int_bounds(dt)
    distinct = lo_hi is None or lo_hi[1] - lo_hi[0] + 1 >= n
    elems = scalar_strategy(dt, bounded)

    @st.composite
    def arrays(draw: st.DrawFn) -> np.ndarray:
        if draw(st.booleans()):
            seed = draw(st.integers(0, 2**32 - 1))
            vals = _numpy_cells(dt, n, np.random.default_rng(seed), distinct, bounded)
        else:
            vals = _index_coded(dt, n, draw(st.sampled_from([1, -1, 3, 1000, -65537])),
                                bounded)
        keys = {_key(v) for v in vals}
        for _ in range(draw(st.integers(0, min(n, 8)))):
            pos, v = draw(st.integers(0, n - 1)), draw(elems)
            if distinct and _key(v) in keys:
                continue
            keys.discard(_key(vals[pos]))
            keys.add(_key(v))
            vals[pos] = v
        return _finish(vals, t)
    return arrays()


def args_strategy(sig: Signature, bounded: bool = False) -> st.SearchStrategy[tuple[Any, ...]]:
    """Argument tuples for `sig` (`bounded`: floats finite in [-1, 1])."""
    parts = [array_strategy(a.type, bounded) if isinstance(a.type, ArrayType)
             else scalar_strategy(a.type, bounded) for a in sig.args]
    return st.tuples(*parts)


def _bits(x: np.ndarray) -> np.ndarray:
    if x.dtype.kind == "f":
        u = x.view(f"u{x.dtype.itemsize}").copy()
        nan = np.isnan(x)
        u[nan] = 0
        return u
    return x


def first_difference(a: Any, b: Any, tol: float | None = None
                     ) -> tuple[tuple[int, ...], Any, Any] | None:
    """The first cell where `a` and `b` differ bit for bit (NaN == NaN), or, for float
    arrays with `tol` given, by more than the tolerance (`cosim_tolerance.within`); None
    when they agree."""
    xa, xb = np.asarray(a), np.asarray(b)
    if xa.shape != xb.shape:
        return (), a, b
    if xa.ndim == 0:
        d = first_difference(xa.reshape(1), xb.reshape(1), tol)
        return None if d is None else ((), d[1], d[2])
    if tol is not None and xa.dtype.kind == "f" and xb.dtype.kind == "f":
        neq = ~within(xa, xb, tol)
    elif xa.dtype == object or xb.dtype == object:
        neq = np.array([p != q for p, q in zip(xa.ravel(), xb.ravel(), strict=True)],
                       dtype=bool).reshape(xa.shape)
    else:
        neq = _bits(np.ascontiguousarray(xa)) != _bits(np.ascontiguousarray(xb))
    if not neq.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(neq)[0])
    return idx, xa[idx], xb[idx]


def _outputs(sig: Signature, args: list[Any], res: Any) -> list[tuple[str, Any]]:
    outs = list(res) if isinstance(res, tuple) else ([] if res is None else [res])
    named = [(f"return[{k}]", v) for k, v in enumerate(outs)]
    named += [(a.name, v) for a, v in zip(sig.args, args, strict=True) if a.is_array]
    return named


def _copy(v: Any) -> Any:
    return np.array(v, copy=True) if isinstance(v, np.ndarray) else v


def _input_key(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Identity of one generated input (arrays by dtype, shape and bytes; floats by bits)."""
    out: list[Any] = []
    for v in values:
        x = np.asarray(v)
        if x.dtype == object:
            out.append(("o", x.shape, tuple(int(c) for c in x.ravel())))
        else:
            out.append((x.dtype.str, x.shape, np.ascontiguousarray(x).tobytes()))
    return tuple(out)


def cosimulate(text_a: str, text_b: str, sig: Signature, trials: int = DEFAULT_TRIALS,
               seed: int = 0, cell_budget: int = DEFAULT_CELL_BUDGET,
               allow_reassoc: bool = False, tolerance: float | None = None,
               record: list[tuple[Any, ...]] | None = None) -> L3Result:
    """Run both module texts (functions `sig.name`) on up to `trials` generated inputs.
    `record`, when given, receives a copy of every distinct input run (in order), so a later
    layer (C simulation) can run on exactly the co-simulation's inputs.

    With `allow_reassoc`, float outputs are compared within a tolerance (`tolerance`, or one
    derived from the reduction length and the type) on float inputs drawn in [-1, 1]; the
    tolerance and its source are recorded in the scope. The result counts distinct inputs.

    A kernel too large for `trials` within `cell_budget` is not skipped: it runs at its own
    sizes on `affordable_trials` inputs (at least a few); the scope records both the number
    requested (`trials`) and the number allowed (`trials_allowed`), and the result the
    number of distinct inputs actually run. Past both the cell budget and
    `MAX_TRIAL_CELLS` cells per trial, L3 is NotRun "too large" at once."""
    t0 = time.perf_counter()
    cells = sum(a.type.size if isinstance(a.type, ArrayType) else 1 for a in sig.args)
    if tolerance is not None and not allow_reassoc:
        raise ValueError("a tolerance applies only with reassociation allowed "
                         "(allow_reassoc=True); otherwise L3 compares bit for bit")
    if tolerance is not None and not 0.0 <= tolerance < float("inf"):
        raise ValueError(f"the tolerance must be a finite number >= 0, got {tolerance}")
    tol: Tolerance | None = (derive_tolerance((text_a, text_b), sig, tolerance)
                             if allow_reassoc and float_outputs(sig) else None)
    scope: dict[str, Any] = {"trials": trials, "seed": seed, "cells_per_trial": cells,
                             "sizes": {a.name: list(a.type.shape) for a in sig.args
                                       if isinstance(a.type, ArrayType)}}
    if float_outputs(sig):
        scope["nan_policy"] = NAN_POLICY
    if tol is not None:
        scope["tolerance"] = tol.to_scope()
    if cells > max(MAX_TRIAL_CELLS, cell_budget):
        return L3Result(NotRun(f"too large: {cells} argument cells per trial exceed "
                               f"{max(MAX_TRIAL_CELLS, cell_budget)} (raise the cell budget "
                               f"to run it)"), scope)
    allowed = affordable_trials(cells, trials, cell_budget)
    if allowed < trials:
        scope["trials_allowed"] = allowed
        scope["budget_note"] = (f"{cells} cells per trial: the cell budget {cell_budget} "
                                f"allows {allowed} of the {trials} trials requested")
    trials = allowed
    try:
        from allo_verify.codegen.llvm_runner import build_llvm  # type: ignore[import-not-found]
        ka, kb = build_llvm(text_a, sig), build_llvm(text_b, sig)
    except Exception as e:  # noqa: BLE001 - any build failure makes L3 unknown, with reason
        return L3Result(Unknown(f"LLVM build failed: {type(e).__name__}: {e}"), scope)
    state: dict[str, Any] = {"n": 0, "found": None, "seen": set()}
    t = None if tol is None else tol.t

    def trial(values: tuple[Any, ...]) -> None:
        key = _input_key(values)
        if key in state["seen"] and state["found"] is None:
            reject()  # a repeated input proves nothing new: ask for another one
        state["n"] += 1
        if record is not None and key not in state["seen"]:
            record.append(tuple(_copy(v) for v in values))
        state["seen"].add(key)
        aa, ab = [_copy(v) for v in values], [_copy(v) for v in values]
        ra, rb = ka(*aa), kb(*ab)
        for (name, va), (_, vb) in zip(_outputs(sig, aa, ra), _outputs(sig, ab, rb),
                                       strict=True):
            d = first_difference(va, vb, t)
            if d is not None:
                state["found"] = (name, d, values)
                raise AssertionError(f"{name}{list(d[0])}: {d[1]!r} != {d[2]!r}")

    if trials == 0:
        return L3Result(NotRun("no trials requested"), scope)
    test = settings(max_examples=trials, database=None, deadline=None, derandomize=False,
                    phases=[Phase.generate, Phase.shrink], print_blob=False,
                    suppress_health_check=list(HealthCheck))(
        given(args_strategy(sig, bounded=tol is not None))(trial))
    test = hseed(seed)(test)
    try:
        test()
    except AssertionError:
        pass
    except Unsatisfiable:
        pass  # every input the strategy could produce was run (a tiny input space)
    except Exception as e:  # noqa: BLE001 - a kernel that cannot run is an unknown, not a pass
        return L3Result(Unknown(f"co-simulation failed: {type(e).__name__}: {e}"), scope,
                        Cost(seconds=time.perf_counter() - t0))
    distinct = len(state["seen"])
    cost = Cost(seconds=time.perf_counter() - t0, extra={"runs": state["n"]})
    if state["found"] is None:
        scope["distinct_inputs"] = distinct
        return L3Result(Agreed(distinct, seed), scope, cost)
    name, (cell, va, vb), values = state["found"]
    inputs = {a.name: v for a, v in zip(sig.args, values, strict=True)}
    keep = {a.name: _window(cell, a.type) for a in sig.args if isinstance(a.type, ArrayType)}
    cex = Counterexample(
        output=name, cell=tuple(cell), value_a=jsonable_scalar(va), value_b=jsonable_scalar(vb),
        inputs={k: summarize(k, v, keep.get(k, [])) for k, v in sorted(inputs.items())},
        confirmed="llvm", note=f"shrunk by hypothesis (seed {seed})"
        + ("" if tol is None else f"; differs by more than the tolerance t = {tol.t:.3g}"))
    return L3Result(Refuted(cex, f"{name}{list(cell)} differs"), scope, cost)


def generate_inputs(sig: Signature, trials: int, seed: int) -> list[tuple[Any, ...]]:
    """Up to `trials` distinct argument tuples from the co-simulation's strategy (extremes
    included), deterministic for a given `seed`: the inputs of a layer that runs without L3."""
    out: list[tuple[Any, ...]] = []
    seen: set[Any] = set()

    def take(values: tuple[Any, ...]) -> None:
        key = _input_key(values)
        if key in seen:
            reject()
        seen.add(key)
        out.append(tuple(_copy(v) for v in values))

    run = settings(max_examples=trials, database=None, deadline=None, derandomize=False,
                   phases=[Phase.generate], print_blob=False,
                   suppress_health_check=list(HealthCheck))(given(args_strategy(sig))(take))
    try:
        hseed(seed)(run)()
    except Unsatisfiable:
        pass  # every input the strategy could produce was drawn (a tiny input space)
    return out


def _window(cell: tuple[int, ...], t: ArrayType) -> list[tuple[int, ...]]:
    """Cells of `t` within distance 1 of `cell` (matching rank only)."""
    if len(cell) != len(t.shape):
        return []
    out = [()]  # type: list[tuple[int, ...]]
    for c, d in zip(cell, t.shape, strict=True):
        out = [p + (x,) for p in out for x in (c - 1, c, c + 1) if 0 <= x < d]
    return out
