"""Which claims the outputs need: reachability in the claim graph of the symbolic tier.

Nodes are isl spaces (one per output, one per pair of statements); an edge src -> dst is a
map from src instances to the dst instances a claim needs. `reach` returns, per node, the
map output cell -> needed instances (so a failing instance names its output cell).

Per strongly connected component, in topological order from the outputs:
- no cycle: the images of what reaches it;
- one node with a self-loop (a reduction chain): isl's transitive closure of that map, once
  (an over-approximation when isl says inexact, which is sound for proofs);
- a cycle through several nodes (a time loop whose statements ping-pong): bounded iteration;
  if it does not reach a fixpoint within `max_rounds`, the result is an under-approximation
  and `complete` is False (good for finding a difference, not for a proof).

Law: with `complete` True, every node's map contains every (cell, instance) that a chain of
edges from the cell reaches; the maps never contain a pair no chain reaches unless the
closure was inexact (`exact` False).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import islpy as isl


@dataclass
class Reach:
    maps: dict[str, isl.UnionMap] = field(default_factory=dict)
    complete: bool = True
    exact: bool = True
    note: str = ""


def _sccs(nodes: list[str], succ: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's SCCs, returned in topological order (sources first)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        work = [(v, iter(succ.get(v, [])))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(succ.get(nxt, []))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                out.append(comp)

    for v in nodes:
        if v not in index:
            visit(v)
    out.reverse()
    return out


def _topo(nodes: set[str], succ: dict[str, list[str]]) -> list[str] | None:
    """`nodes` in topological order of the edges among them, or None if they have a cycle."""
    indeg = {v: 0 for v in nodes}
    for v in nodes:
        for d in succ.get(v, []):
            if d in nodes:
                indeg[d] += 1
    order, ready = [], sorted(v for v, k in indeg.items() if k == 0)
    while ready:
        v = ready.pop()
        order.append(v)
        for d in succ.get(v, []):
            if d in nodes:
                indeg[d] -= 1
                if indeg[d] == 0:
                    ready.append(d)
    return order if len(order) == len(nodes) else None


def _img(m: isl.UnionMap, e: isl.Map) -> isl.UnionMap:
    return m.apply_range(isl.UnionMap.from_map(e))


def reach(ctx: isl.Context, start: dict[str, isl.Set], edges: dict[tuple[str, str], isl.Map],
          max_rounds: int = 3, max_disjuncts: int = 8) -> Reach:
    """Per node, the map output cell -> instances needed (see the module law)."""
    succ: dict[str, list[str]] = {}
    for s, d in edges:
        succ.setdefault(s, []).append(d)
    nodes = list(start) + sorted({n for e in edges for n in e} - set(start))
    empty = isl.UnionMap.empty(isl.Space.params_alloc(ctx, 0))
    r = Reach({n: empty for n in nodes})
    for o, box in start.items():
        r.maps[o] = isl.UnionMap.from_map(isl.Map.identity(box.get_space().map_from_set())
                                          .intersect_domain(box))
    for comp in _sccs(nodes, succ):
        members = set(comp)
        cyclic = len(comp) > 1 or (comp[0], comp[0]) in edges
        if cyclic and not _close(r, comp, edges, succ, max_disjuncts):
            _iterate(r, comp, {k: m for k, m in edges.items()
                               if k[0] in members and k[1] in members}, max_rounds)
        for v in comp:
            for d in succ.get(v, []):
                if d not in members:
                    r.maps[d] = r.maps[d].union(_img(r.maps[v], edges[(v, d)])).coalesce()
    return r


def _close(r: Reach, comp: list[str], edges: dict[tuple[str, str], isl.Map],
           succ: dict[str, list[str]], max_disjuncts: int) -> bool:
    """Close a cyclic component through a head h whose removal leaves it acyclic: the loop
    map L (all paths h -> ... -> h) gets isl's transitive closure once. False when no such
    head exists or L has too many pieces for a closure (the caller then iterates)."""
    members = set(comp)
    for h in sorted(comp, key=lambda v: (not v.startswith("R"), v)):
        rest = members - {h}
        order = _topo(rest, succ)
        if order is None:
            continue
        ident = isl.UnionMap.from_map(_identity_of(edges, h))
        paths: dict[str, isl.UnionMap] = {}   # from h's instances, through `rest`
        entry: dict[str, isl.UnionMap] = {}   # from the outputs, entering at `rest`
        for w in order:
            p = None
            q = r.maps[w]
            for u in [h, *order[:order.index(w)]]:
                if (u, w) in edges:
                    src = ident if u == h else paths[u]
                    img = _img(src, edges[(u, w)])
                    p = img if p is None else p.union(img)
                    if u != h:
                        q = q.union(_img(entry[u], edges[(u, w)]))
            paths[w] = p.coalesce() if p is not None else ident.subtract(ident)
            entry[w] = q.coalesce()
        loop = None
        into = r.maps[h]
        for u in [h, *order]:
            if (u, h) in edges:
                img = _img(ident if u == h else paths[u], edges[(u, h)])
                loop = img if loop is None else loop.union(img)
                if u != h:
                    into = into.union(_img(entry[u], edges[(u, h)]))
        if loop is None:
            continue
        loop = loop.coalesce()
        maps = []
        loop.foreach_map(maps.append)
        if len(maps) != 1 or maps[0].n_basic_map() > max_disjuncts:
            return False
        closure, exact = maps[0].transitive_closure()
        r.exact = r.exact and bool(exact)
        r.maps[h] = into.union(_img(into, closure)).coalesce()
        for w in order:
            r.maps[w] = entry[w].union(r.maps[h].apply_range(paths[w])).coalesce()
        return True
    return False


def _identity_of(edges: dict[tuple[str, str], isl.Map], h: str) -> isl.Map:
    """The identity map on node h's space (taken from any edge touching h)."""
    for (s, d), m in edges.items():
        if s == h:
            sp = m.get_space().domain()
            return isl.Map.identity(sp.map_from_set())
        if d == h:
            sp = m.get_space().range()
            return isl.Map.identity(sp.map_from_set())
    raise KeyError(h)
def _iterate(r: Reach, comp: list[str], inner: dict[tuple[str, str], isl.Map],
             max_rounds: int) -> None:
    frontier = {v: r.maps[v] for v in comp}
    for _ in range(max_rounds):
        new: dict[str, isl.UnionMap] = {}
        for (s, d), m in inner.items():
            img = frontier[s].apply_range(isl.UnionMap.from_map(m)).subtract(r.maps[d])
            if not img.is_empty():
                new[d] = new[d].union(img) if d in new else img
        if not new:
            return
        frontier = {v: new.get(v, isl.UnionMap.empty(r.maps[v].get_space()))
                    for v in comp}
        for v, m in new.items():
            r.maps[v] = r.maps[v].union(m).coalesce()
    r.complete = False
    r.note = (f"a recurrence through {len(comp)} statement pairs (a time loop) did not "
              f"close within {max_rounds} rounds")
