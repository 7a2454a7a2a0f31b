"""A latency estimate of a design, read from its final IR: cycles and initiation interval
per loop and for the whole function. It is an estimate, not a synthesis result: it follows
the schedule (pipeline II, unroll, partitions, dataflow, streams) through the operator and
memory-port table of `optable.py`, and says so wherever it is shown.

The model, loop by loop:
- one iteration of a loop body is an as-soon-as-possible schedule of its operations: an op
  starts when its operands are ready; a load waits for an earlier store to the same array in
  the same iteration; nested loops run one after another;
- a rolled loop takes trip x (iteration + loop overhead) cycles;
- `hls.unroll = f` makes f copies of the body per iteration (0: all of them; a loop whose
  trip count depends on outer loops gets as many copies as its largest trip count, as HLS
  unrolls to the bound with a guard per copy). Copies run side by side unless the body
  carries a value through memory (a store of a cell that a load reads d copies later):
  then every d-th copy chains;
- a pipelined loop (`hls.pipeline_ii`) fully unrolls the loops inside it (as Vitis HLS does)
  and starts an iteration every II cycles: II = max(requested, memory-port bound, recurrence
  bound), latency = (trip - 1) x II + iteration depth + fill. The memory-port bound of an
  array is ceil(accesses per iteration / ports), ports = 2 per bank, banks from `hls.partition`
  (accesses assumed spread evenly over banks; the arms of an `if`/`else` share ports, an arm
  without `else` takes its ports in every iteration); the recurrence bound is
  ceil(chain / d) over each load -> store pair of one array that the loop carries at
  distance d (`dependence.distance`, per cell), chain the cycles from the load to the store;
- a dataflow region (`hls.dataflow`) runs its stages (top-level loops and calls)
  concurrently: its interval is the slowest stage; its latency is the sum of the stages when
  they exchange whole arrays, or the slowest stage plus the others' iteration depths when
  every channel between them is a stream;
- a call costs the callee's estimate; trip counts that depend on outer loops (triangular
  nests) use the outer variables' mean value for the work done; a trip count that cannot be
  read is taken as 1 and named in `notes`.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from mlir import ir

from allo_verify.estimate.body import Body as _Body
from allo_verify.estimate.body import total_accesses
from allo_verify.estimate.dependence import distance
from allo_verify.estimate.figures import DesignEstimate, LoopEstimate
from allo_verify.estimate.ir_facts import (
    LOADS,
    LOOPS,
    STORES,
    eval_affine,
    int_attr,
    loop_name,
    scalar_width,
    trip_count,
    unwidened,
    walk_ops,
)
from allo_verify.estimate.optable import DEFAULT_TABLE, OpTable


class _Estimator:
    """Walks a module's functions, memoizing each function's estimate."""

    def __init__(self, module: ir.Module, table: OpTable,
                 arg_names: dict[str, list[str]] | None = None) -> None:
        self.arg_names = arg_names or {}
        self.table = table
        self.funcs = {ir.StringAttr(op.attributes["sym_name"]).value: op
                      for op in module.body.operations if op.operation.name == "func.func"}
        self.memo: dict[str, DesignEstimate] = {}
        self.loops: list[LoopEstimate] = []
        self.notes: list[str] = []
        self.env: dict[Any, float] = {}  # loop variable -> its mean value
        self.span: dict[Any, tuple[float, float]] = {}  # loop variable -> its least, greatest
        #: (load, store, loop) -> the least dependence distance, None: no dependence
        self.distances: dict[tuple[Any, Any, Any], int | None] = {}
        self.banks: dict[Any, float] = {}  # array value -> banks (inf: registers)
        self.names: dict[Any, str] = {}

    # ---- values ----------------------------------------------------------------------
    def value(self, v: ir.Value) -> float | None:
        """The mean value of an index `v` over the loops around it, or None."""
        if v in self.env:
            return self.env[v]
        if isinstance(v, ir.OpResult):
            op = v.owner
            if op.name == "arith.constant":
                try:
                    return float(ir.IntegerAttr(op.attributes["value"]).value)
                except (ValueError, TypeError):
                    return None
            if op.name == "affine.apply":
                amap = ir.AffineMapAttr(op.attributes["map"]).value
                vals = [self.value(o) for o in op.operands]
                if None in vals:
                    return None
                return eval_affine(amap.results[0], vals[: amap.n_dims], vals[amap.n_dims:])
            if op.name in ("arith.index_cast", "arith.extsi", "arith.extui"):
                return self.value(op.operands[0])
        return None

    def bounds(self, op: Any) -> tuple[float, float, float] | None:
        """(lower bound, upper bound, step) of a loop at the current values of the outer
        loop variables (`env`), or None when they cannot be read."""
        if op.name == "affine.for":
            view = op.opview
            step = float(ir.IntegerAttr(op.attributes["step"]).value)
            lmap = ir.AffineMapAttr(op.attributes["lowerBoundMap"]).value
            umap = ir.AffineMapAttr(op.attributes["upperBoundMap"]).value
            lv = [self.value(o) for o in view.lowerBoundOperands]
            uv = [self.value(o) for o in view.upperBoundOperands]
            if None not in lv and None not in uv:
                lb = max(eval_affine(r, lv[: lmap.n_dims], lv[lmap.n_dims:]) for r in lmap.results)
                ub = min(eval_affine(r, uv[: umap.n_dims], uv[umap.n_dims:]) for r in umap.results)
                return lb, ub, step
            return None
        lb, ub, step = (self.value(o) for o in list(op.operands)[:3])
        return (lb, ub, step) if lb is not None and ub is not None and step else None

    def corners(self, op: Any) -> list[tuple[float, float, float]]:
        """The loop's bounds at every corner of the ranges of the outer loop variables its
        bounds read (each at its least or greatest value): their extremes, for affine bounds."""
        used = [v for v in self.span if any(self.depends_on(o, v) for o in op.operands)]
        if not used or len(used) > 8:
            b = self.bounds(op)
            return [b] if b is not None else []
        saved, out = self.env, []
        for k in range(2 ** len(used)):
            self.env = {**saved, **{v: self.span[v][(k >> n) & 1] for n, v in enumerate(used)}}
            b = self.bounds(op)
            if b is not None:
                out.append(b)
        self.env = saved
        return out

    def trip(self, op: Any) -> tuple[float, float, float, float]:
        """(mean trip count, lower bound, step, largest trip count) of a loop; 1 with a note
        when unreadable. The mean is at the outer variables' mean values (so a triangular
        nest's total work is exact); the largest is over their ranges (what HLS unrolls to)."""
        name = loop_name(op, op.name)
        b = self.bounds(op)
        if b is not None:
            lb, ub, step = b
            mean = trip_count(lb, ub, step)
            most = max([mean] + [trip_count(lo, hi, st) for lo, hi, st in self.corners(op)])
            return mean, lb, step, most
        self.notes.append(f"loop {name}: trip count not known statically, taken as 1")
        return 1.0, 0.0, 1.0, 1.0

    def iv_span(self, op: Any) -> tuple[float, float]:
        """(least, greatest) value the loop's variable takes over all executions."""
        cs = [(lb, lb + st * (trip_count(lb, ub, st) - 1)) for lb, ub, st in self.corners(op)
              if trip_count(lb, ub, st) >= 1]
        if not cs:
            v = self.env.get(op.regions[0].blocks[0].arguments[0], 0.0)
            return v, v
        return min(c[0] for c in cs), max(c[1] for c in cs)

    def depends_on(self, v: ir.Value, iv: ir.Value, seen: int = 0) -> bool:
        """Whether the index `v` is computed from the loop variable `iv`."""
        if v == iv:
            return True
        if isinstance(v, ir.OpResult) and seen < 32:
            return any(self.depends_on(o, iv, seen + 1) for o in v.owner.operands)
        return False

    def array_of(self, op: Any) -> ir.Value:
        return op.operands[1] if op.name in STORES else op.operands[0]

    def array_name(self, v: ir.Value) -> str:
        if v in self.names:
            return self.names[v]
        if isinstance(v, ir.OpResult) and "buffer_name" in v.owner.attributes:
            return ir.StringAttr(v.owner.attributes["buffer_name"]).value
        return str(v.get_name()) if hasattr(v, "get_name") else "array"

    # ---- memory ----------------------------------------------------------------------
    def record_banks(self, v: ir.Value, attr: ir.Attribute | None) -> None:
        """Banks of the array `v` from its `hls.partition` (1 when unpartitioned)."""
        shape = list(v.type.shape) if isinstance(v.type, ir.MemRefType) else []
        banks = 1.0 if shape else math.inf  # a scalar lives in a register
        complete: set[int] = set()  # dimensions split into single cells
        for entry in (ir.ArrayAttr(attr) if attr is not None else []):
            d = ir.DictAttr(entry)
            kind = ir.StringAttr(d["type"]).value
            dim = ir.IntegerAttr(d["dim"]).value
            factor = ir.IntegerAttr(d["factor"]).value if "factor" in d else 0
            dims = range(len(shape)) if dim == 0 else [dim - 1]
            for k in dims:
                if kind == "complete":
                    banks *= shape[k] if dim else math.inf
                    complete.add(k)
                else:
                    banks *= max(1, min(factor, shape[k]))
        if shape and complete >= set(range(len(shape))):
            banks = math.inf  # complete on every dimension, one entry each: registers
        self.banks[v] = banks

    def port_cycles(self, accesses: Counter) -> tuple[int, str]:
        """The memory-port bound on cycles per iteration, and the array that sets it."""
        worst, why = 0, ""
        for arr, n in accesses.items():
            banks = self.banks.get(arr, 1.0)
            if math.isinf(banks):
                continue
            c = math.ceil(n / (self.table.ram_ports * banks))
            if c > worst:
                worst = c
                why = "" if c <= 1 else (f"memory: {self.array_name(arr)} ({n} accesses, "
                                         f"{int(banks)} bank(s))")
        return worst, why

    # ---- blocks ----------------------------------------------------------------------
    def block(self, block: Any, unrolled_into: str,
              outer: tuple[dict[Any, tuple[Any, int]], dict[Any, dict[Any, int]], int]
              | None = None) -> _Body:
        """The cost of one execution of `block` (see the module docstring). `outer`: for an
        `if` arm, the enclosing block's loads, paths and the arm's start, so that a guarded
        store pairs with the loads before the `if` (a bounds-checked update)."""
        ready: dict[Any, int] = {}
        last_store: dict[Any, int] = {}
        #: load op -> (array, start): every load so far, a nested one at its region's start
        load_at: dict[Any, tuple[Any, int]] = {}
        #: value -> load op -> cycles along its longest operand path from that load (the
        #: load can start as late as the path allows: waiting elsewhere is no recurrence)
        path: dict[Any, dict[Any, int]] = {}
        read_before: set[Any] = set()  # arrays an enclosing block loaded before this arm
        if outer is not None:
            load_at = {ld: (arr, t - outer[2]) for ld, (arr, t) in outer[0].items()}
            path = dict(outer[1])
            read_before = {arr for arr, _t in load_at.values()}
        barrier = 0
        body = _Body()
        for op in block.operations:
            op = op.operation
            name = op.name
            start = max([barrier] + [ready.get(o, 0) for o in op.operands])
            if name in LOOPS:
                sub = self.loop(op, unrolled_into)
                finish = max([start, *ready.values(), *last_store.values()]) + sub.latency
                self.merge(body, sub, load_at, start)
                barrier = finish
            elif name in ("affine.if", "scf.if"):
                arms = [self.block(r.blocks[0], unrolled_into,
                                   (load_at, path, start))
                        for r in op.regions if len(r.blocks)]
                finish = start + max((a.latency for a in arms), default=0)
                for a in arms:
                    self.merge(body, a, load_at, start, guarded=True)
                body.alts.append(arms)
            elif name == "func.call":
                callee = self.function(ir.FlatSymbolRefAttr(op.attributes["callee"]).value)
                finish = max([start, *ready.values(), *last_store.values()]) + callee.cycles
                barrier = finish
            elif name in LOADS:
                arr = self.array_of(op)
                start = max(start, last_store.get(arr, 0))
                regs = math.isinf(self.banks.get(arr, 1.0))
                finish = start + (0 if regs else self.table.read_cycles)
                load_at.setdefault(op, (arr, start))
                body.first.setdefault(arr, "load")
                body.accesses[arr] += 1
                body.loads.append([arr, op, 1])
                path[op.results[0]] = {op: finish - start}
            elif name in STORES:
                arr = self.array_of(op)
                regs = math.isinf(self.banks.get(arr, 1.0))
                finish = start + (0 if regs else self.table.write_cycles)
                last_store[arr] = max(last_store.get(arr, 0), finish)
                body.first.setdefault(arr, "store")
                body.accesses[arr] += 1
                if body.first.get(arr) == "load" or arr in read_before:
                    along = path.get(op.operands[0], {})
                    for ld, (la, lstart) in load_at.items():
                        if la == arr:
                            chain = along[ld] + (finish - start) if ld in along else \
                                finish - lstart
                            body.pairs.append([arr, ld, op, chain])
            elif name in ("scf.while",):
                self.notes.append("a while loop: its trip count is unknown, taken as 1")
                inner = [self.block(r.blocks[0], unrolled_into) for r in op.regions]
                finish = start + sum(a.latency for a in inner)
                barrier = finish
            else:
                widths = [scalar_width(unwidened(o).type) for o in op.operands] or \
                         [scalar_width(r.type) for r in op.results]
                if name.startswith("math.") or name in ("arith.sitofp", "arith.uitofp"):
                    widths += [scalar_width(r.type) for r in op.results]
                w = max((x[0] for x in widths), default=0)
                fl = any(x[1] for x in widths)
                finish = start + self.table.latency(name, w, fl)
                along: dict[Any, int] = {}
                for o in op.operands:
                    for ld, c in path.get(o, {}).items():
                        along[ld] = max(along.get(ld, 0), c + finish - start)
                for r in op.results:
                    path[r] = along
            for r in op.results:
                ready[r] = finish
            body.latency = max(body.latency, finish)
        return body

    def merge(self, body: _Body, sub: _Body, load_at: dict[Any, tuple[Any, int]],
              start: int, guarded: bool = False) -> None:
        """Fold a nested region's accesses (unless `guarded`: an `if` arm's go to `alts`),
        load -> store pairs and first-access kinds into `body`. A nested pair whose array
        `body` writes before it reads it (a cell set in every execution before the nested
        region) is no recurrence of a loop around `body`."""
        if not guarded:
            body.accesses.update(sub.accesses)
            body.loads.extend(sub.loads)
            body.alts.extend(sub.alts)
        for pair in sub.pairs:
            if body.first.get(pair[0], "load") == "load":
                body.pairs.append(pair)
        for arr, kind in sub.first.items():
            body.first.setdefault(arr, kind)
        for arms in [[sub], *sub.alts]:
            for arm in arms:
                for arr, ld, _n in arm.loads:
                    load_at.setdefault(ld, (arr, start))

    def carried(self, one: _Body, op: Any, private: set[str]) -> list[tuple[list[Any], int]]:
        """The pairs of `one` that the loop `op` carries, each with its least distance."""
        out = []
        for pair in one.pairs:
            arr, ld, st, _c = pair
            if self.array_name(arr) in private or one.first.get(arr) != "load":
                continue
            key = (ld, st, op)
            if key not in self.distances:
                self.distances[key] = distance(st, ld, op)
            d = self.distances[key]
            if d is not None:
                out.append((pair, d))
        return out

    def loop(self, op: Any, unrolled_into: str) -> _Body:
        """The cost of a whole loop (all its iterations) and the `LoopEstimate` it adds."""
        name = loop_name(op, "loop")
        trip, lb, step, most = self.trip(op)
        iv = op.regions[0].blocks[0].arguments[0]
        self.env[iv] = lb + step * max(trip - 1, 0) / 2
        self.span[iv] = self.iv_span(op)
        ii_req = int_attr(op, "hls.pipeline_ii") or 0
        unroll = int_attr(op, "hls.unroll")
        if unroll is None and "hls.parallel" in op.attributes:
            unroll = 0
        into = unrolled_into or (name if ii_req else "")
        # HLS unrolls to the bound: a loop whose trip count depends on outer loops gets one
        # (guarded) copy per iteration of its largest trip count
        copies = 1
        if unrolled_into:
            copies = max(1, int(most))
        elif unroll is not None:
            copies = max(1, int(most) if unroll <= 0 else min(unroll, max(1, int(most))))
        one = self.block(op.regions[0].blocks[0], into)
        private = {ir.StringAttr(a).value for a in ir.ArrayAttr(op.attributes["hls.private"])} \
            if "hls.private" in op.attributes else set()
        carried = self.carried(one, op, private) if (copies > 1 or ii_req) else []
        through = {pair[0] for pair, _d in carried}
        scaled = self.scaled(one, iv, copies, through)
        accesses = total_accesses(scaled)
        if copies > 1:
            # copies side by side, or chained through a carried cell: a copy starts its
            # recurrence when the copy d before it has stored (the rest of its work overlaps)
            extra = max(((math.ceil(copies / d) - 1) * pair[3] for pair, d in carried),
                        default=0)
            ports, why = self.port_cycles(accesses)
            depth = max(one.latency + extra, ports)
        else:
            depth, why = one.latency, ""
        full = unrolled_into or (unroll is not None and unroll <= 0)
        iters = 1 if full and copies > 1 else \
            math.ceil(trip / copies) if float(trip).is_integer() else trip / copies
        chain_of = {id(pair): math.ceil(copies / d) for pair, d in carried}
        out = _Body(accesses=scaled.accesses, first=dict(one.first), loads=scaled.loads,
                    alts=scaled.alts,
                    pairs=[[a, ld, st, c * chain_of.get(id(p), 1)]
                           for p in one.pairs for a, ld, st, c in [p]])
        if unrolled_into:
            out.latency = depth
            ii = 0
            cycles = depth
        elif ii_req:
            res, res_why = self.port_cycles(accesses)
            ii, why = ii_req, ""
            if res > ii:
                ii, why = res, res_why
            rec = max(((math.ceil(pair[3] / d), pair) for pair, d in carried),
                      default=(0, None), key=lambda x: x[0])
            if rec[0] > ii:
                ii = rec[0]
                dist = next(d for p, d in carried if p is rec[1])
                why = f"recurrence through {self.array_name(rec[1][0])} ({rec[1][3]} cycles" + \
                    (f", distance {dist})" if dist > 1 else ")")
            cycles = round(max(iters - 1, 0) * ii + depth + self.table.pipeline_fill)
            out.latency = cycles
        else:
            ii = 0
            cycles = round(iters * (depth + self.table.loop_overhead))
            out.latency = cycles
        self.loops.append(LoopEstimate(name, trip, ii, ii_req, depth, cycles, copies, why,
                                       unrolled_into))
        if "hls.dataflow" in op.attributes and not unrolled_into:
            stage = self.dataflow(op.regions[0].blocks[0])
            out.latency = int(max(iters - 1, 0) * stage[1] + stage[0])
        return out

    def scaled(self, one: _Body, iv: ir.Value, copies: int, through: set[Any]) -> _Body:
        """The accesses of `copies` copies of `one` (the body of the loop of `iv`): each
        access `copies` times, except a load whose address does not depend on `iv` and whose
        array carries no value across the copies (`through`): its copies read one cell,
        merged into one read. Guarded arms are scaled arm by arm."""
        out = _Body(accesses=Counter({a: n * copies for a, n in one.accesses.items()}))
        for arr, op, n in one.loads:
            same_cell = copies > 1 and arr not in through and not any(
                self.depends_on(i, iv) for i in list(op.operands)[1:])
            if same_cell:
                out.accesses[arr] -= n * (copies - 1)
            out.loads.append([arr, op, n if same_cell else n * copies])
        out.alts = [[self.scaled(arm, iv, copies, through) for arm in arms]
                    for arms in one.alts]
        return out

    def dataflow(self, block: Any) -> tuple[int, int]:
        """(latency, interval) of a dataflow region's stages."""
        stages: list[int] = []
        depths: list[int] = []
        streams = False
        for op in block.operations:
            op = op.operation
            if "hls.stream" in op.attributes:
                streams = True
            if op.name in LOOPS:
                before = len(self.loops)
                sub = self.loop(op, "")
                stages.append(sub.latency)
                mine = self.loops[before:]
                depths.append(max((lp.depth for lp in mine), default=sub.latency))
            elif op.name == "func.call":
                est = self.function(ir.FlatSymbolRefAttr(op.attributes["callee"]).value)
                stages.append(est.cycles)
                depths.append(max((lp.depth for lp in est.loops), default=est.cycles))
        if not stages:
            return 0, 0
        slowest = max(stages)
        if streams:
            k = stages.index(slowest)
            return slowest + sum(d for i, d in enumerate(depths) if i != k), slowest
        return sum(stages), slowest

    # ---- functions -------------------------------------------------------------------
    def function(self, name: str) -> DesignEstimate:
        if name in self.memo:
            return self.memo[name]
        if name not in self.funcs:
            self.notes.append(f"call of {name}: no body in the module, taken as 1 cycle")
            return DesignEstimate(name, 1, 1, (), self.table.clock_mhz)
        fn = self.funcs[name]
        saved, self.loops = self.loops, []
        block = fn.regions[0].blocks[0]
        arg_attrs = (ir.ArrayAttr(fn.attributes["arg_attrs"])
                     if "arg_attrs" in fn.attributes else None)
        for k, arg in enumerate(block.arguments):
            attr = None
            if arg_attrs is not None and k < len(arg_attrs):
                d = ir.DictAttr(arg_attrs[k])
                attr = d["hls.partition"] if "hls.partition" in d else None
            self.record_banks(arg, attr)
            names = self.arg_names.get(name, [])
            self.names[arg] = names[k] if k < len(names) else f"arg{k}"
        for op in walk_ops(block):
            if op.name in ("memref.alloc", "memref.alloca"):
                res = op.results[0]
                self.record_banks(res, op.attributes["hls.partition"]
                                  if "hls.partition" in op.attributes else None)
                if "hls.stream" in op.attributes:
                    self.banks[res] = math.inf
        if "hls.dataflow" in fn.attributes:
            cycles, interval = self.dataflow(block)
        else:
            cycles = self.block(block, "").latency
            interval = cycles
        est = DesignEstimate(name, int(cycles), int(interval), tuple(self.loops),
                             self.table.clock_mhz, tuple(dict.fromkeys(self.notes)))
        self.loops = saved
        self.memo[name] = est
        return est


def estimate(module: ir.Module, function: str | None = None,
             table: OpTable = DEFAULT_TABLE,
             arg_names: dict[str, list[str]] | None = None) -> DesignEstimate:
    """The latency estimate of `function` (default: the last function of `module`, the
    top of a design) under `table`; `arg_names` (function -> argument names) names the
    arrays in the reasons."""
    est = _Estimator(module, table, arg_names)
    if function is None:
        if not est.funcs:
            raise ValueError("the module has no function to estimate")
        function = list(est.funcs)[-1]
    with module.context:
        return est.function(function)
