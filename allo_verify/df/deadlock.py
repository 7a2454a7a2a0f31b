"""No deadlock at the declared depths, decided by running the channels' tokens.

Model: each stage of the region (a top-level loop nest: one kernel instance) is a sequence
of events "put into channel c" / "get from channel c" in its program order, read from the
IR: the affine.store / affine.load ops of the channel arrays inside constant-trip affine.for
nests (bounds may be affine in enclosing loop variables). A put blocks while its channel
holds `depth` tokens, a get while it holds none. In a dataflow region all stages run
concurrently; otherwise they run one after another, each to completion.

Law: these stages only block on channels and their event sequences do not depend on data,
so the network is a Kahn process network with bounded channels: its execution is
determinate, and one run that fires enabled events until none is enabled decides
deadlock for every schedule. All stages finishing is "no deadlock"; stopping earlier is a
deadlock, reported with each blocked stage, the channel it waits on and that channel's
fill, and the smallest depth of the full channels (searched, each depth tried by a run)
that avoids it. More than `budget` events, or a channel access the model cannot place
(under `affine.if` / scf control, or a loop with non-constant bounds), is undecided.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mlir.ir import (
    AffineAddExpr,
    AffineCeilDivExpr,
    AffineConstantExpr,
    AffineDimExpr,
    AffineFloorDivExpr,
    AffineMapAttr,
    AffineModExpr,
    AffineMulExpr,
    AffineSymbolExpr,
    IntegerAttr,
)

DEFAULT_BUDGET = 2_000_000


class Undecided(Exception):
    """The model cannot decide (budget, or an access it cannot place)."""


@dataclass
class Outcome:
    """The result of one run: deadlock-free, or the blocked state."""

    deadlock: bool
    events: int
    blocked: list[str] = field(default_factory=list)  # "stage waits to put into c (fill 4/4)"
    full: list[str] = field(default_factory=list)  # channels full at the deadlock


def _eval(e: Any, dims: list[int], syms: list[int]) -> int:
    if isinstance(e, AffineConstantExpr):
        return e.value
    if isinstance(e, AffineDimExpr):
        return dims[e.position]
    if isinstance(e, AffineSymbolExpr):
        return syms[e.position]
    for cls, f in ((AffineAddExpr, lambda a, b: a + b), (AffineMulExpr, lambda a, b: a * b),
                   (AffineModExpr, lambda a, b: a % b), (AffineFloorDivExpr, lambda a, b: a // b),
                   (AffineCeilDivExpr, lambda a, b: -((-a) // b))):
        if isinstance(e, cls):
            return f(_eval(e.lhs, dims, syms), _eval(e.rhs, dims, syms))
    raise Undecided(f"affine expression {e} has no evaluation here")


def _touches(op: Any, channels: dict[Any, str]) -> bool:
    found = False

    def visit(o: Any) -> Any:
        nonlocal found
        from mlir.ir import WalkResult
        if (o.name == "affine.store" and _chan(o.operands[1], channels)) or \
                (o.name == "affine.load" and _chan(o.operands[0], channels)) or \
                (o.name in ("memref.load", "memref.store") and any(
                    _chan(v, channels) for v in o.operands)):
            found = True
            return WalkResult.INTERRUPT
        return WalkResult.ADVANCE

    op.walk(visit)
    return found


def _chan(v: Any, channels: dict[Any, str]) -> str | None:
    for k, name in channels.items():
        if k == v:
            return name
    return None


def _plan(op: Any, channels: dict[Any, str]) -> list[Any]:
    """`op` as a tree of ("for", bounds, iv, children) and ("put"|"get", channel) nodes
    (read from the IR once; ops that touch no channel are left out)."""
    if op.name == "affine.for":
        if not _touches(op, channels):
            return []
        lmap = AffineMapAttr(op.attributes["lowerBoundMap"]).value
        umap = AffineMapAttr(op.attributes["upperBoundMap"]).value
        ops = list(op.operands)
        bounds = (lmap, ops[:lmap.n_inputs], umap, ops[lmap.n_inputs:],
                  IntegerAttr(op.attributes["step"]).value)
        iv = op.regions[0].blocks[0].arguments[0]
        children = [n for inner in op.regions[0].blocks[0].operations
                    for n in _plan(inner.operation, channels)]
        return [("for", bounds, iv, children)]
    if op.name == "affine.store" and _chan(op.operands[1], channels):
        return [("put", _chan(op.operands[1], channels))]
    if op.name == "affine.load" and _chan(op.operands[0], channels):
        return [("get", _chan(op.operands[0], channels))]
    if len(op.regions) and _touches(op, channels):
        raise Undecided(f"a channel access under {op.name} (only affine.for nests with "
                        "constant trip counts are modelled)")
    if op.name in ("memref.load", "memref.store") and _touches(op, channels):
        raise Undecided(f"a channel access by {op.name} (non-affine subscript)")
    return []


def _bound_of(amap: Any, operands: list[Any], env: list[tuple[Any, int]], lower: bool
              ) -> int:
    vals = []
    for v in operands:
        hit = [x for val, x in env if val == v]
        if not hit:
            raise Undecided("a loop bound depends on a value other than loop variables")
        vals.append(hit[-1])
    dims, syms = vals[:amap.n_dims], vals[amap.n_dims:]
    res = [_eval(r, dims, syms) for r in amap.results]
    return max(res) if lower else min(res)


def _walk(nodes: list[Any], env: list[tuple[Any, int]]) -> Iterator[tuple[str, str]]:
    for n in nodes:
        if n[0] != "for":
            yield n
            continue
        lmap, lops, umap, uops, step = n[1]
        lo = _bound_of(lmap, lops, env, True)
        hi = _bound_of(umap, uops, env, False)
        for x in range(lo, hi, step):
            yield from _walk(n[3], [*env, (n[2], x)])


def events(op: Any, channels: dict[Any, str]) -> Iterator[tuple[str, str]]:
    """The (kind, channel) events of `op` and the ops nested in it, in program order."""
    return _walk(_plan(op, channels), [])


def run(stages: list[tuple[str, Any]], channels: dict[Any, str], depth: dict[str, int],
        concurrent: bool, budget: int | None = None) -> Outcome:
    """One run of the network (see the module docstring); `budget` events at most
    (default `DEFAULT_BUDGET`)."""
    budget = DEFAULT_BUDGET if budget is None else budget
    fill = dict.fromkeys(depth, 0)
    its = [(name, events(op, channels)) for name, op in stages]
    head: list[tuple[str, str] | None] = [next(it, None) for _, it in its]
    count = 0

    def fire(k: int) -> bool:
        nonlocal count
        ev = head[k]
        if ev is None:
            return False
        kind, c = ev
        if kind == "put" and fill[c] >= depth[c]:
            return False
        if kind == "get" and fill[c] == 0:
            return False
        fill[c] += 1 if kind == "put" else -1
        count += 1
        if count > budget:
            raise Undecided(f"deadlock freedom not decided: more than {budget} events")
        head[k] = next(its[k][1], None)
        return True

    if concurrent:
        progress = True
        while progress:
            progress = False
            for k in range(len(its)):
                while fire(k):
                    progress = True
    else:
        for k in range(len(its)):
            while fire(k):
                pass
            if head[k] is not None:
                break
    blocked, full = [], []
    for k, ev in enumerate(head):
        if ev is None:
            continue
        kind, c = ev
        how = f"put into {c} (fill {fill[c]}/{depth[c]})" if kind == "put" else \
            f"get from {c} (empty)"
        blocked.append(f"{its[k][0]} waits to {how}")
        if kind == "put" and fill[c] >= depth[c] and c not in full:
            full.append(c)
    return Outcome(bool(blocked), count, blocked, full)


def min_depth(stages: list[tuple[str, Any]], channels: dict[Any, str], depth: dict[str, int],
              full: list[str], concurrent: bool, cap: int, budget: int | None = None
              ) -> int | None:
    """The smallest d such that raising every channel in `full` to depth max(its depth, d)
    avoids deadlock (a larger FIFO never blocks a put that a smaller one allows), or None
    when even `cap` (every token of a channel queued) deadlocks."""
    def ok(d: int) -> bool:
        trial = {c: (max(v, d) if c in full else v) for c, v in depth.items()}
        return not run(stages, channels, trial, concurrent, budget).deadlock

    lo = min(depth[c] for c in full) + 1
    if not full or not ok(cap):
        return None
    hi = cap
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def df_depth_checks(module: Any, region: str, stages: list[Any], values: dict[str, Any],
                    step: str) -> list[Any]:
    """Obligation 6 of `to` for a lowered df.region: for each stream, "no deadlock at the
    declared depths" by one run of the whole network (refuted with the blocked state and
    the minimum depth; undecided past the event budget)."""
    import z3
    from mlir.ir import DictAttr

    from allo_verify.equiv.instance_map import Check
    from allo_verify.equiv.obligation import Obligation
    from allo_verify.schedule.primitives.base import function
    from allo_verify.schedule.primitives.dataflow import fact

    fn = function(module, region)
    concurrent = "hls.dataflow" in fn.attributes
    channels: dict[Any, str] = {}
    depth: dict[str, int] = {}
    streams: list[str] = []
    for name, v in sorted(values.items()):
        try:
            op = v.owner.operation
        except AttributeError:
            continue
        attrs = op.attributes
        key = "hls.stream" if "hls.stream" in attrs else "df.channel" \
            if "df.channel" in attrs else None
        if key is None:
            continue
        channels[v] = name
        depth[name] = IntegerAttr(DictAttr(attrs[key])["depth"]).value
        if key == "hls.stream":
            streams.append(name)
    model = "stages run concurrently (dataflow)" if concurrent else \
        "stages run in sequence (no dataflow)"
    st = [(s.name, s.op) for s in stages]
    try:
        out = run(st, channels, depth, concurrent)
    except Undecided as e:
        return [Check(Obligation(f"{step}/{b}/depth", f"stream {b} cannot deadlock at depth "
                                 f"{depth[b]} ({model})", lambda: z3.BoolVal(False), step),
                      unknown=str(e)) for b in streams]
    why = ""
    if out.deadlock:
        cap = max(1, out.events + sum(depth.values()))
        try:
            need = min_depth(st, channels, depth, out.full, concurrent, cap)
        except Undecided:
            need = None
        hint = f"; depth {need} for {', '.join(out.full)} avoids it" if need else \
            "; no depth of the full channels avoids it"
        why = "deadlock: " + "; ".join(out.blocked) + hint
    return [fact(f"{step}/{b}/depth", f"stream {b} cannot deadlock at depth {depth[b]}, nor "
                 f"any channel of {region} at its depth ({model}; {out.events} events run)",
                 not out.deadlock, step, why) for b in streams]
