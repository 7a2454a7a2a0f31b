"""Forwarding values through copies (the L2 symbolic tier): buffers, line buffers, windows.

A *copy* is a statement whose stored value is one load, unchanged (`X[f(x)] = Y[g(x)]`:
buffer_at fills and write-backs, reuse_at's fill/shift/load of a line buffer or window,
`memref.copy`). Schedules add chains of copies, and a line buffer's shift is a recurrence
through copies (the cell after the shift holds what the next cell held before it), which
the claim graph would otherwise have to pair, instance by instance, with the other design.

`forward` gives, for every load, where its value really comes from: the instance of a
statement that is not a copy, or an initial cell of an array, following copies with isl's
transitive closure of the copy relation G (copy instance -> the instance or initial cell its
load reads). For a load L with direct dataflow D_L: F_L = (D_L u D_L . G+) restricted to
non-copy instances and initial cells.

Law: a copy's value equals the value its load reads, so by induction on execution time the
value L reads equals the value of the last element of the chain of copies that leads to it,
which is a non-copy instance or an initial cell; that element is in F_L. When isl's closure
is not exact, F_L is a superset of the true sources: every one is then claimed equal (more
claims checked, still sound), and `exact` records it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import islpy as isl

from allo_verify.equiv.affine_program import Program
from allo_verify.equiv.dataflow_isl import Flow, access_map, domain_set


@dataclass
class Forwarded:
    """Per load index: {statement name "S<k>": map load instance -> writer instance} over
    non-copy writers, and {array key: map load instance -> initial cell of that array}."""

    writers: list[dict[str, isl.Map]] = field(default_factory=list)
    initial: list[dict[str, isl.Map]] = field(default_factory=list)
    exact: bool = True
    copies: int = 0


def _init_space(key: str) -> str:
    return f"IN_{key}"


def direct(ctx: isl.Context, prog: Program, flow: Flow, load: int) -> isl.UnionMap:
    """D_L: load instance -> writer instance, or -> IN_<array>[cell] where nothing wrote it."""
    ld = prog.loads[load]
    deps, nosrc = flow.loads[load]
    out = isl.UnionMap.empty(isl.Space.params_alloc(ctx, 0))
    for m in deps.values():
        out = out.union(isl.UnionMap.from_map(m))
    if not nosrc.is_empty():
        cells = access_map(ctx, ld).intersect_domain(nosrc) \
            .set_tuple_name(isl.dim_type.out, _init_space(ld.array))
        out = out.union(isl.UnionMap.from_map(cells))
    return out


def is_copy(tree: object) -> bool:
    return isinstance(tree, tuple) and len(tree) == 3 and tree[0] == "load"


def forward(ctx: isl.Context, prog: Program, flow: Flow) -> Forwarded:
    """The forwarded dataflow of every load (see the module law)."""
    copies = {k for k, s in enumerate(prog.statements) if is_copy(s.tree)}
    res = Forwarded(copies=len(copies))
    dl = [direct(ctx, prog, flow, k) for k in range(len(prog.loads))]
    closure = None
    if copies:
        g = isl.UnionMap.empty(isl.Space.params_alloc(ctx, 0))
        for k in copies:
            st = prog.statements[k]
            ld = prog.loads[st.tree[1]]
            proj = isl.Map.read_from_str(
                ctx, f"{{ {st.acc.name}[{', '.join(st.acc.dims)}] -> "
                     f"{ld.name}[{', '.join(ld.dims)}] }}") \
                .intersect_domain(domain_set(ctx, st.acc))
            g = g.union(isl.UnionMap.from_map(proj).apply_range(dl[st.tree[1]]))
        closure, exact = g.transitive_closure()
        res.exact = bool(exact)
    keep = {f"S{k}" for k in range(len(prog.statements)) if k not in copies}
    for k in range(len(prog.loads)):
        f = dl[k]
        if closure is not None:
            f = f.union(f.apply_range(closure)).coalesce()
        writers: dict[str, isl.Map] = {}
        initial: dict[str, isl.Map] = {}
        maps: list[isl.Map] = []
        f.foreach_map(maps.append)
        for m in maps:
            name = m.get_tuple_name(isl.dim_type.out)
            if name in keep:
                writers[name] = writers[name].union(m) if name in writers else m
            elif name.startswith("IN_"):
                key = name[3:]
                m = m.set_tuple_name(isl.dim_type.out, key)
                initial[key] = initial[key].union(m) if key in initial else m
        res.writers.append(writers)
        res.initial.append(initial)
    return res
