"""A latency estimate of a design, read from its final IR: cycles and initiation interval
per loop and for the whole function. It is an estimate, not a synthesis result: it follows
the schedule (pipeline II, unroll, partitions, dataflow, streams) through the operator and
memory-port table of `optable.py`, and says so wherever it is shown.

The model, loop by loop:
- one iteration of a loop body is an as-soon-as-possible schedule of its operations: an op
  starts when its operands are ready; a load waits for an earlier store to the same array in
  the same iteration; nested loops run one after another;
- a rolled loop takes trip x (iteration + loop overhead) cycles;
- `hls.unroll = f` makes f copies of the body per iteration (0: all of them). Copies run side
  by side unless the body carries a value through memory (a store whose cell does not depend
  on the loop variable, read back by a load of the same array): then they chain;
- a pipelined loop (`hls.pipeline_ii`) fully unrolls the loops inside it (as Vitis HLS does)
  and starts an iteration every II cycles: II = max(requested, memory-port bound, recurrence
  bound), latency = (trip - 1) x II + iteration depth + fill. The memory-port bound of an
  array is ceil(accesses per iteration / ports), ports = 2 per bank, banks from `hls.partition`
  (accesses assumed spread evenly over banks); the recurrence bound is the cycles from a
  carried load to its store;
- a dataflow region (`hls.dataflow`) runs its stages (top-level loops and calls)
  concurrently: its interval is the slowest stage; its latency is the sum of the stages when
  they exchange whole arrays, or the slowest stage plus the others' iteration depths when
  every channel between them is a stream;
- a call costs the callee's estimate; trip counts that depend on outer loops (triangular
  nests) use the outer variables' mean value; a trip count that cannot be read is taken as 1
  and named in `notes`.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mlir import ir

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


@dataclass
class _Body:
    """What one execution of a block costs: its latency, memory accesses per array, and the
    longest carried chain (load start to store finish) per array whose stored cell does not
    depend on `carried_iv`."""

    latency: int = 0
    accesses: Counter = field(default_factory=Counter)
    chains: dict[str, int] = field(default_factory=dict)
    #: array -> the stores that close its chain (a nested chain is carried by an enclosing
    #: loop only when one of them stores a cell that loop's variable does not change)
    chain_stores: dict[Any, list[Any]] = field(default_factory=dict)
    #: [array, store, cycles]: each store of a cell read earlier in its block, with the
    #: path from that read; an enclosing loop that stores the same cell in every iteration
    #: carries it (a recurrence), however deep the store is nested
    updates: list[list[Any]] = field(default_factory=list)
    #: array -> "load" or "store": the kind of its first access in one execution
    first: dict[Any, str] = field(default_factory=dict)
    #: the loads behind `accesses`: [array, load op, copies so far]; a load whose address
    #: does not change across the copies of an unrolled loop is one access (HLS merges them)
    loads: list[list[Any]] = field(default_factory=list)


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

    def trip(self, op: Any) -> tuple[float, float, float]:
        """(mean trip count, lower bound, step) of a loop; 1 with a note when unreadable."""
        name = loop_name(op, op.name)
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
                return trip_count(lb, ub, step), lb, step
        else:
            lb, ub, step = (self.value(o) for o in list(op.operands)[:3])
            if lb is not None and ub is not None and step:
                return trip_count(lb, ub, step), lb, step
        self.notes.append(f"loop {name}: trip count not known statically, taken as 1")
        return 1.0, 0.0, 1.0

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
    def block(self, block: Any, carried_iv: ir.Value | None, unrolled_into: str) -> _Body:
        """The cost of one execution of `block` (see the module docstring)."""
        ready: dict[Any, int] = {}
        last_store: dict[Any, int] = {}
        first_load: dict[Any, int] = {}
        #: value -> array -> cycles along its longest operand path from a load of the array
        #: (the load can start as late as the path allows: waiting elsewhere is no recurrence)
        path: dict[Any, dict[Any, int]] = {}
        barrier = 0
        body = _Body()
        for op in block.operations:
            op = op.operation
            name = op.name
            start = max([barrier] + [ready.get(o, 0) for o in op.operands])
            if name in LOOPS:
                sub = self.loop(op, unrolled_into)
                finish = max([start, *ready.values(), *last_store.values()]) + sub.latency
                self.merge(body, sub, first_load, start, carried_iv)
                barrier = finish
            elif name in ("affine.if", "scf.if"):
                arms = [self.block(r.blocks[0], carried_iv, unrolled_into)
                        for r in op.regions if len(r.blocks)]
                finish = start + max((a.latency for a in arms), default=0)
                for a in arms:
                    self.merge(body, a, first_load, start, carried_iv)
            elif name == "func.call":
                callee = self.function(ir.FlatSymbolRefAttr(op.attributes["callee"]).value)
                finish = max([start, *ready.values(), *last_store.values()]) + callee.cycles
                barrier = finish
            elif name in LOADS:
                arr = self.array_of(op)
                start = max(start, last_store.get(arr, 0))
                regs = math.isinf(self.banks.get(arr, 1.0))
                finish = start + (0 if regs else self.table.read_cycles)
                first_load.setdefault(arr, start)
                body.first.setdefault(arr, "load")
                body.accesses[arr] += 1
                body.loads.append([arr, op, 1])
                path[op.results[0]] = {arr: finish - start}
            elif name in STORES:
                arr = self.array_of(op)
                regs = math.isinf(self.banks.get(arr, 1.0))
                finish = start + (0 if regs else self.table.write_cycles)
                last_store[arr] = max(last_store.get(arr, 0), finish)
                body.first.setdefault(arr, "store")
                body.accesses[arr] += 1
                invariant = carried_iv is not None and not any(
                    self.depends_on(i, carried_iv) for i in list(op.operands)[2:])
                if body.first.get(arr) == "load":
                    along = path.get(op.operands[0], {}).get(arr)
                    chain = finish - first_load[arr] if along is None else \
                        along + (finish - start)
                    body.updates.append([arr, op, chain])
                    if invariant:
                        body.chains[arr] = max(body.chains.get(arr, 0), chain)
                        body.chain_stores.setdefault(arr, []).append(op)
            elif name in ("scf.while",):
                self.notes.append("a while loop: its trip count is unknown, taken as 1")
                inner = [self.block(r.blocks[0], None, unrolled_into) for r in op.regions]
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
                    for arr, c in path.get(o, {}).items():
                        along[arr] = max(along.get(arr, 0), c + finish - start)
                for r in op.results:
                    path[r] = along
            for r in op.results:
                ready[r] = finish
            body.latency = max(body.latency, finish)
        return body

    def carries(self, store: Any, iv: ir.Value | None) -> bool:
        """Whether `store` writes one cell in every iteration of the loop of `iv`."""
        return iv is not None and not any(self.depends_on(i, iv)
                                          for i in list(store.operands)[2:])

    def merge(self, body: _Body, sub: _Body, first_load: dict[Any, int], start: int,
              carried_iv: ir.Value | None) -> None:
        """Fold a nested region's accesses, chains and first-access kinds into `body`. A
        nested chain stays a chain only when it is carried by the loop of `carried_iv` too
        (else that loop's iterations update different cells and do not wait on each other)."""
        body.accesses.update(sub.accesses)
        body.loads.extend(sub.loads)
        for arr, c in sub.chains.items():
            stores = [st for st in sub.chain_stores.get(arr, []) if self.carries(st, carried_iv)]
            if stores:
                body.chains[arr] = max(body.chains.get(arr, 0), c)
                body.chain_stores.setdefault(arr, []).extend(stores)
        for arr, st, c in sub.updates:
            if body.first.get(arr, "load") == "load" and self.carries(st, carried_iv):
                body.chains[arr] = max(body.chains.get(arr, 0), c)
                body.chain_stores.setdefault(arr, []).append(st)
        body.updates.extend(sub.updates)
        for arr, kind in sub.first.items():
            body.first.setdefault(arr, kind)
            if kind == "load":
                first_load.setdefault(arr, start)

    def loop(self, op: Any, unrolled_into: str) -> _Body:
        """The cost of a whole loop (all its iterations) and the `LoopEstimate` it adds."""
        name = loop_name(op, "loop")
        trip, lb, step = self.trip(op)
        iv = op.regions[0].blocks[0].arguments[0]
        self.env[iv] = lb + step * max(trip - 1, 0) / 2
        ii_req = int_attr(op, "hls.pipeline_ii") or 0
        unroll = int_attr(op, "hls.unroll")
        if unroll is None and "hls.parallel" in op.attributes:
            unroll = 0
        into = unrolled_into or (name if ii_req else "")
        copies = 1
        if unrolled_into:
            copies = max(1, int(trip))
        elif unroll is not None:
            copies = max(1, int(trip) if unroll <= 0 else min(unroll, max(1, int(trip))))
        one = self.block(op.regions[0].blocks[0], iv, into)
        private = {ir.StringAttr(a).value for a in ir.ArrayAttr(op.attributes["hls.private"])} \
            if "hls.private" in op.attributes else set()
        one.chains = {a: c for a, c in one.chains.items() if self.array_name(a) not in private}
        carried = max(one.chains.values(), default=0)
        accesses, loads = self.copied_accesses(one, iv, copies)
        if copies > 1:
            # copies side by side, or chained through a carried cell: each copy starts its
            # recurrence when the one before has stored (the rest of its work overlaps)
            lat = one.latency + (copies - 1) * carried if carried else one.latency
            ports, why = self.port_cycles(accesses)
            depth = max(lat, ports)
        else:
            depth, why = one.latency, ""
        iters = math.ceil(trip / copies) if float(trip).is_integer() else trip / copies
        out = _Body(accesses=accesses, first=dict(one.first), loads=loads,
                    chain_stores={a: list(v) for a, v in one.chain_stores.items()},
                    updates=list(one.updates))
        if unrolled_into:
            out.latency = depth
            out.chains = {a: c * copies for a, c in one.chains.items()} if copies > 1 else \
                dict(one.chains)
            ii = 0
            cycles = depth
        elif ii_req:
            res, res_why = self.port_cycles(accesses)
            ii, why = ii_req, ""
            if res > ii:
                ii, why = res, res_why
            if carried > ii:
                arr = max(one.chains, key=one.chains.__getitem__)
                ii, why = carried, f"recurrence through {self.array_name(arr)} ({carried} cycles)"
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

    def copied_accesses(self, one: _Body, iv: ir.Value, copies: int
                        ) -> tuple[Counter, list[list[Any]]]:
        """The accesses of `copies` copies of the body `one` of the loop of `iv`: each access
        `copies` times, except a load whose address does not depend on `iv` (and whose array
        the body carries no value through): its copies read one cell, merged into one read."""
        accesses = Counter({a: n * copies for a, n in one.accesses.items()})
        loads = []
        for arr, op, n in one.loads:
            same_cell = copies > 1 and arr not in one.chains and not any(
                self.depends_on(i, iv) for i in list(op.operands)[1:])
            if same_cell:
                accesses[arr] -= n * (copies - 1)
            loads.append([arr, op, n if same_cell else n * copies])
        return accesses, loads

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
            cycles = self.block(block, None, "").latency
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
