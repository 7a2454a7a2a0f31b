"""Exact value-based dataflow of an affine `Program`, computed by isl (`compute_flow`).

For every load L, the instances of L partitioned by where their value comes from: the
instance of the statement that last wrote the cell before the read (a piecewise quasi-affine
map L -> S), or no writer at all (the read sees the array's initial contents: an input cell
of an argument, or an uninitialized local). For every output array, the same for a
read of every cell placed after the whole function: the final writer of each cell.

Law: every statement writes exactly the one cell of its store at every point of its domain
(a must-write), so isl's must-dependence is exact: a load instance in the domain of the map
to S reads the value S wrote at the image instance, and a load instance in the no-source
set reads the initial contents. Nothing is enumerated: isl works on the constraints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import islpy as isl

from allo_verify.equiv.affine_program import Access, Program


def space_text(a: Access, prefix: str = "") -> str:
    return f"{prefix}{a.name}[{', '.join(a.dims)}]"


def domain_set(ctx: isl.Context, a: Access, prefix: str = "") -> isl.Set:
    cons = f" : {a.domain}" if a.domain else ""
    return isl.Set.read_from_str(ctx, f"{{ {space_text(a, prefix)}{cons} }}")


def access_map(ctx: isl.Context, a: Access) -> isl.Map:
    cons = f" : {a.domain}" if a.domain else ""
    return isl.Map.read_from_str(
        ctx, f"{{ {space_text(a)} -> {a.array}[{', '.join(a.subs)}]{cons} }}")


def schedule_map(ctx: isl.Context, a: Access, width: int) -> isl.Map:
    vec = list(a.schedule) + ["0"] * (width - len(a.schedule))
    return isl.Map.read_from_str(ctx, f"{{ {space_text(a)} -> [{', '.join(vec)}] }}")


@dataclass
class Flow:
    """Per load (by index) and per output array: {source statement name: map sink -> source
    instance} and the set of sink instances with no source."""

    loads: list[tuple[dict[str, isl.Map], isl.Set]] = field(default_factory=list)
    finals: dict[str, tuple[dict[str, isl.Map], isl.Set]] = field(default_factory=dict)
    bounds_ok: bool = True
    bounds_note: str = ""


def array_box(ctx: isl.Context, key: str, shape: tuple[int, ...], tag: str = "") -> isl.Set:
    dims = [f"c{k}" for k in range(len(shape))]
    cons = " and ".join(f"0 <= {d} < {n}" for d, n in zip(dims, shape, strict=True))
    return isl.Set.read_from_str(
        ctx, f"{{ {tag}{key}[{', '.join(dims)}]{' : ' + cons if cons else ''} }}")


def compute(ctx: isl.Context, prog: Program) -> Flow:
    """The exact dataflow of `prog` (see the module law)."""
    width = prog.depth + 1
    sched = isl.UnionMap.empty(isl.Space.params_alloc(ctx, 0))
    writes = isl.UnionMap.empty(isl.Space.params_alloc(ctx, 0))
    reads = isl.UnionMap.empty(isl.Space.params_alloc(ctx, 0))
    flow = Flow()
    for s in prog.statements:
        w = access_map(ctx, s.acc)
        writes = writes.union(isl.UnionMap.from_map(w))
        sched = sched.union(isl.UnionMap.from_map(schedule_map(ctx, s.acc, width)))
        _bounds(ctx, prog, s.acc, w, flow)
    for ld in prog.loads:
        r = access_map(ctx, ld)
        reads = reads.union(isl.UnionMap.from_map(r))
        sched = sched.union(isl.UnionMap.from_map(schedule_map(ctx, ld, width)))
        _bounds(ctx, prog, ld, r, flow)
    # one sink per output array reading every cell after everything else
    big = 1 + max([int(s.acc.schedule[0]) for s in prog.statements] +
                  [int(x.schedule[0]) for x in prog.loads], default=0)
    for _, key in prog.outputs:
        shape = prog.arrays[key].shape
        dims = [f"c{k}" for k in range(len(shape))]
        box = array_box(ctx, key, shape, "Out_")
        m = isl.Map.from_domain_and_range(box, array_box(ctx, key, shape))
        ident = isl.Map.read_from_str(
            ctx, f"{{ Out_{key}[{', '.join(dims)}] -> {key}[{', '.join(dims)}] }}")
        reads = reads.union(isl.UnionMap.from_map(m.intersect(ident)))
        vec = ", ".join([str(big)] + ["0"] * (width - 1))
        sched = sched.union(isl.UnionMap.read_from_str(
            ctx, f"{{ Out_{key}[{', '.join(dims)}] -> [{vec}] }}"))
    info = isl.UnionAccessInfo.from_sink(reads)
    info = info.set_must_source(writes)
    info = info.set_schedule_map(sched)
    res = info.compute_flow()
    dep = res.get_must_dependence().reverse()  # sink -> source
    nosrc = res.get_must_no_source().domain()
    names = [ld.name for ld in prog.loads] + [f"Out_{key}" for _, key in prog.outputs]
    per: dict[str, tuple[dict[str, isl.Map], isl.Set]] = {}
    for n in names:
        per[n] = ({}, isl.Set.read_from_str(ctx, "{ : false }"))
    for m in _maps(dep):
        sink = m.get_tuple_name(isl.dim_type.in_)
        src = m.get_tuple_name(isl.dim_type.out)
        d = per[sink][0]
        d[src] = d[src].union(m) if src in d else m
    for st in _sets(nosrc):
        n = st.get_tuple_name()
        per[n] = (per[n][0], st)
    for k, ld in enumerate(prog.loads):
        m, s = per[ld.name]
        if s.is_empty():
            s = domain_set(ctx, ld).subtract(domain_set(ctx, ld))
        flow.loads.append((m, s))
        assert k == len(flow.loads) - 1
    for _, key in prog.outputs:
        m, s = per[f"Out_{key}"]
        if s.is_empty():
            s = array_box(ctx, key, prog.arrays[key].shape, "Out_").subtract(
                array_box(ctx, key, prog.arrays[key].shape, "Out_"))
        flow.finals[key] = (m, s)
    return flow


def _maps(um: isl.UnionMap) -> list[isl.Map]:
    out: list[isl.Map] = []
    um.foreach_map(out.append)
    return out


def _sets(us: isl.UnionSet) -> list[isl.Set]:
    out: list[isl.Set] = []
    us.foreach_set(out.append)
    return out


def _bounds(ctx: isl.Context, prog: Program, a: Access, m: isl.Map, flow: Flow) -> None:
    """Record whether every access of `a` stays inside its array's shape."""
    arr = prog.arrays[a.array]
    if not arr.shape:
        return
    outside = m.range().subtract(array_box(ctx, a.array, arr.shape))
    if not outside.is_empty():
        flow.bounds_ok = False
        flow.bounds_note = (f"{a.name} may access {arr.name} outside its shape "
                            f"{list(arr.shape)}")
