"""Which loops a local scalar is private to, decided from the order of its loads and stores.

A local scalar `t` (a rank-0 buffer the function allocates) is one memory cell, so every
pair of accesses to it conflicts. It is PRIVATE to a loop L when no value of `t` crosses
iterations of L or leaves L:

(a) covered inside: every load of `t` inside L, at any instance, is preceded in the same
    iteration of L (same values of L and of every loop around it) by a store to `t`;
(b) dead on exit: no load of `t` outside L reads a value stored inside L. With C the
    innermost loop nest (or function body) around both the load and L, it suffices that
    the load is preceded, in the same iteration of C, by a store to `t` placed after L (when
    the load comes after L in C's body) or anywhere before the load (when it comes before
    L, so that it could only see L's stores from an earlier iteration of C). A load before
    L in a body that never repeats cannot see L's stores at all.

Both are stated over the program points of the load and store ops themselves (a tuple
assignment `acc, C[i] = A[i], acc` loads `acc` before it stores it), over every load (the
ones feeding conditions, bit reads, returns too), and only a store that surely runs counts
as covering: its domain is exact and any data-dependent branch around it also encloses the
load. A scalar whose buffer escapes (returned as a buffer, passed to a call or a copy) is
never private. Each condition is one Z3 validity query per load ("for every instance of the
load, some instance of a covering store exists"): proved means private, anything else
(refuted or unknown) means not private, so the analysis never assumes privacy it has not
proved.

What privacy buys (used by `order_obligations.order_obligations` and `parallel`): from (a) the
value a load inside L reads comes from its own iteration of L; from (b) no load outside
reads one from L. So the order of conflicting accesses on `t` only matters within one
iteration of L, provided the iterations correspond before and after a rewrite; `parallel`
may give each iteration its own copy (`hls.private`). Finer still, `groups`: each statement
belongs to the innermost loop `t` is private to around it, cut where `t` starts afresh in
that loop's body (every later load follows a later store); no value crosses groups, so `t`
is in effect one variable per group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import z3

from allo_verify.equiv.instance_map import Check, instance_text, lex_before, renamed, subst
from allo_verify.equiv.obligation import DEFAULT_RLIMIT, Obligation, solve
from allo_verify.equiv.polyhedral import (
    BRANCH,
    DYNAMIC,
    OP,
    REPEATING,
    FunctionView,
    ScalarEvent,
    Statement,
    entry_kind,
)


def _prefix_len(a: tuple, b: tuple) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x[0] != y[0]:
            break
        n += 1
    return n


def _loop_chain(events: Iterable[ScalarEvent], loop: str) -> tuple | None:
    """The chain prefix up to and including the entry of `loop`, from any event inside it."""
    for e in events:
        for k, entry in enumerate(e.chain):
            if entry[1] == loop:
                return e.chain[: k + 1]
    return None


def _can_cover(w: ScalarEvent, r: ScalarEvent) -> bool:
    """`w` surely runs whenever the instance of it a query picks is in its domain: its domain
    is exact and every data-dependent construct around it also encloses `r`. A store in one
    branch of a data-dependent `if` never covers a load in another branch of the same `if`
    (they never run in the same instance, whatever order their positions have)."""
    common = _prefix_len(w.chain, r.chain)
    if 0 < common < min(len(w.chain), len(r.chain)) \
            and entry_kind(w.chain[common - 1]) == BRANCH \
            and w.chain[common][0][0] != r.chain[common][0][0]:
        return False
    return w.exact and all(entry_kind(e) not in DYNAMIC for e in w.chain[common:])


def with_branch_writes(events: list[ScalarEvent]) -> list[ScalarEvent]:
    """`events` plus, for each data-dependent `if` whose two branches each store to the
    scalar directly in their bodies, one store placed at the `if` itself: whichever branch
    runs, the scalar is stored there (innermost `if`s first, so nested ones count)."""
    out = list(events)
    while True:
        branches: dict[tuple, dict[int, ScalarEvent]] = {}
        for e in out:
            if e.write and e.exact and len(e.chain) >= 2 \
                    and entry_kind(e.chain[-2]) == BRANCH and entry_kind(e.chain[-1]) == OP:
                branches.setdefault(e.chain[:-1], {}).setdefault(e.chain[-1][0][0], e)
        have = {e.chain for e in out}
        new = []
        for prefix, by_region in branches.items():
            at = (*prefix[:-1], (prefix[-1][0], None, OP))
            if {0, 1} <= set(by_region) and at not in have:
                w = by_region[0]
                new.append(ScalarEvent(w.buffer, True, at, w.loops, w.domain, True,
                                       w.location))
        if not new:
            return out
        out += new


@dataclass(frozen=True)
class Coverage:
    """One read event and the stores that may cover it, with the loops both must share."""

    read: ScalarEvent
    writes: tuple[ScalarEvent, ...]
    shared: tuple[str, ...]  # loops whose values the covering store must share with the read
    # (depth, key, strict): the store must sit after (or, not strict, at) this key there
    after: tuple | None = None
    what: str = ""  # what goes wrong when the query fails
    claim: str = ""  # what the query states

    def formula(self) -> z3.BoolRef:
        """For every instance of the read, some instance of a covering store runs before it
        (in the same iteration of the shared loops)."""
        r = self.read
        xr = renamed(r.loops, "r")
        options = []
        for k, w in enumerate(self.writes):
            if self.after is not None:
                depth, key, strict = self.after
                if len(w.chain) <= depth or w.chain[depth][0] < key \
                        or (strict and w.chain[depth][0] == key):
                    continue
            env = {n: xr[n] if n in self.shared else z3.Int(f"{n}@w{k}") for n in w.loops}
            fresh = [env[n] for n in w.loops if n not in self.shared]
            body = z3.And(subst(w.domain, env), lex_before(w, env, r, xr))  # type: ignore[arg-type]
            options.append(z3.Exists(fresh, body) if fresh else body)
        return z3.Implies(subst(r.domain, xr), z3.Or(*options) if options else z3.BoolVal(False))

    def explain(self, m: z3.ModelRef) -> str:
        xr = renamed(self.read.loops, "r")
        where = f" at {self.read.location}" if self.read.location else ""
        return (f"the load of {self.read.buffer}{where} at instance "
                f"{instance_text(self.read.loops, m, xr)} {self.what}")


class Privacy:
    """The privacy facts of one function, decided lazily and remembered."""

    def __init__(self, view: FunctionView | None, rlimit: int = DEFAULT_RLIMIT) -> None:
        self.view = view
        self.rlimit = rlimit
        self._memo: dict[tuple[str, str], bool] = {}
        self._cuts: dict[tuple[str, str, str], list[tuple]] = {}

    @classmethod
    def of(cls, stmts: Iterable[Statement]) -> Privacy:
        """The privacy facts of the function the statements belong to."""
        return cls(next((s.view for s in stmts if s.view is not None), None))

    def is_scalar(self, buf: str) -> bool:
        return self.view is not None and buf in self.view.scalars

    def coverages(self, buf: str, loop: str) -> list[Coverage] | None:
        """The queries stating that `buf` is private to `loop`; None when it cannot be
        (not a local scalar, escaping, or never stored inside `loop`)."""
        if self.view is None or buf not in self.view.scalars or buf in self.view.escaped:
            return None
        events = with_branch_writes([e for e in self.view.events if e.buffer == buf])
        lchain = _loop_chain(events, loop)
        if lchain is None:
            return None
        depth = len(lchain)
        inside = [e for e in events if e.chain[:depth] == lchain]
        if not any(e.write for e in inside):
            return None
        out = []
        shared_in = tuple(e[1] for e in lchain if e[1] is not None)
        for r in events:
            if r.write:
                continue
            if r.chain[:depth] == lchain:
                ws = tuple(w for w in inside if w.write and _can_cover(w, r))
                out.append(Coverage(r, ws, shared_in, None, "is not preceded by a store in "
                                    f"the same iteration of '{loop}'", "is preceded by a store "
                                    f"in the same iteration of '{loop}'"))
                continue
            d = _prefix_len(r.chain, lchain)
            common = lchain[:d]
            before = r.chain[d][0] < lchain[d][0]
            if before and not any(entry_kind(e) in REPEATING for e in common):
                continue  # runs before L, in a body that never repeats
            ws = tuple(w for w in events if w.write and w.chain[:d] == common
                       and w.chain[:depth] != lchain and _can_cover(w, r))
            out.append(Coverage(r, ws, tuple(e[1] for e in common if e[1] is not None),
                                None if before else (d, lchain[d][0], True),
                                f"may read a value stored inside '{loop}' (live after it)",
                                f"never reads a value stored inside '{loop}'"))
        return out

    def _segment_coverages(self, buf: str, loop: str, key: tuple) -> list[Coverage]:
        """The queries stating that every load of `buf` placed at or after `key` in the body
        of `loop` follows, in the same iteration, a store placed at or after `key`."""
        assert self.view is not None
        events = with_branch_writes([e for e in self.view.events if e.buffer == buf])
        lchain = _loop_chain(events, loop)
        assert lchain is not None
        depth = len(lchain)
        later = [e for e in events if e.chain[:depth] == lchain and e.chain[depth][0] >= key]
        shared = tuple(e[1] for e in lchain if e[1] is not None)
        return [Coverage(r, tuple(w for w in later if w.write and _can_cover(w, r)), shared,
                         (depth, key, False), f"is not preceded by a store of the same "
                         f"iteration of '{loop}' placed at or after op {key[1]} of its body",
                         "is preceded by a store of the same iteration of "
                         f"'{loop}' placed at or after op {key[1]} of its body")
                for r in later if not r.write]

    def boundaries(self, buf: str, loop: str) -> list[tuple]:
        """The positions in the body of `loop` (private to it) where `buf` starts afresh:
        every load at or after one follows a store at or after it, in the same iteration.
        Values then never flow from the statements before a boundary to those after it."""
        key = (buf, loop, "boundaries")
        if key not in self._cuts:
            events = [e for e in self.view.events if e.buffer == buf] if self.view else []
            lchain = _loop_chain(events, loop)
            out = []
            if lchain is not None and self.private(buf, loop):
                depth = len(lchain)
                keys = sorted({e.chain[depth][0] for e in events if e.write
                               and e.chain[:depth] == lchain})
                out = [k for k in keys if all(
                    solve(c.formula(), self.rlimit)[0] == z3.unsat
                    for c in self._segment_coverages(buf, loop, k))]
            self._cuts[key] = out
        return self._cuts[key]

    def boundary_checks(self, buf: str, loop: str, key: tuple, step: str) -> list[Check]:
        """The obligations that `buf` starts afresh at `key` in the body of `loop`."""
        return [Check(Obligation(
            f"{step}/fresh/{buf}/{loop}@op{key[1]}/load{n}",
            f"{buf} starts afresh in '{loop}' at op {key[1]}: the load of {buf}"
            f"{' at ' + c.read.location if c.read.location else ''} {c.claim}",
            c.formula, c.read.location or step), c.explain)
            for n, c in enumerate(self._segment_coverages(buf, loop, key))]

    def checks(self, buf: str, loop: str, step: str) -> list[Check]:
        """The obligations "`buf` is private to `loop`" (one per load); a single failing
        check when it cannot be."""
        covs = self.coverages(buf, loop)
        if covs is None:
            return [Check(Obligation(
                f"{step}/private/{buf}/{loop}", f"{buf} is a local scalar stored inside "
                f"'{loop}' whose buffer does not escape", lambda: z3.BoolVal(False), step),
                lambda m: f"{buf} is not a local scalar stored inside '{loop}', or its buffer "
                          "escapes (returned, passed to a call or a copy)")]
        out = []
        for n, c in enumerate(covs):
            out.append(Check(Obligation(
                f"{step}/private/{buf}/{loop}/load{n}",
                f"{buf} is private to '{loop}': the load of {buf}"
                f"{' at ' + c.read.location if c.read.location else ''} {c.claim}",
                c.formula, c.read.location or step), c.explain))
        return out

    def private(self, buf: str, loop: str) -> bool:
        """`buf` is proved private to `loop` (every coverage query proved)."""
        key = (buf, loop)
        if key not in self._memo:
            covs = self.coverages(buf, loop)
            self._memo[key] = covs is not None and all(
                solve(c.formula(), self.rlimit)[0] == z3.unsat for c in covs)
        return self._memo[key]

    def why_not(self, buf: str, loop: str) -> str:
        """Why `buf` is not proved private to `loop`, in source terms (a model's read)."""
        covs = self.coverages(buf, loop)
        if covs is None:
            return (f"{buf} is not private to '{loop}': it is not stored inside it, or its "
                    "buffer escapes")
        for c in covs:
            answer, solver, _ = solve(c.formula(), self.rlimit)
            if answer == z3.sat:
                return f"{buf} is not private to '{loop}': {c.explain(solver.model())}"
            if answer != z3.unsat:
                return f"{buf} is not proved private to '{loop}' (z3: {solver.reason_unknown()})"
        return f"{buf} is private to '{loop}'"

    def innermost(self, buf: str, s: Statement, t: Statement) -> str | None:
        """The innermost loop around both statements, and around every load of `buf` their
        work reads, that `buf` is private to."""
        common = [n for n in s.loops if n in t.loops and all(
            n in [e[1] for e in c] for b, c in (*s.scalar_loads, *t.scalar_loads) if b == buf)]
        return next((n for n in reversed(common) if self.private(buf, n)), None)

    def private_to(self, loop: str) -> list[str]:
        """The local scalars stored inside `loop` that are private to it, sorted."""
        if self.view is None:
            return []
        bufs = {e.buffer for e in self.view.events if e.write and loop in e.loops}
        return sorted(b for b in bufs if self.private(b, loop))


Group = tuple[str, int] | None


def groups(pv: Privacy, buf: str, stmts: dict[int, Statement], sids: list[int]
           ) -> tuple[dict[int, Group], set[tuple[str, tuple]]]:
    """The group of each statement touching the scalar `buf`: the innermost loop X around it
    that `buf` is private to (None for none) and its segment of X's body (how many of the
    boundaries where `buf` starts afresh lie at or before it; a boundary that would split
    a statement, its load before and its store after, is not used). A load's source is in
    its own group: inside X by (a), after the last boundary before the load, which every
    load after a boundary sees covered; outside all private loops by (b). Also returns the
    boundaries used."""
    touching = [n for n in sids if any(a.buffer == buf for a in stmts[n].accesses)]
    inner = {n: pv.innermost(buf, stmts[n], stmts[n]) for n in touching}
    out: dict[int, Group] = {}
    used: set[tuple[str, tuple]] = set()
    for x in {v for v in inner.values() if v is not None}:
        members = [n for n in touching if inner[n] == x]
        lchain = next(e for e in stmts[members[0]].chain if e[1] == x)
        depth = stmts[members[0]].chain.index(lchain) + 1
        spans = {}
        for n in members:
            keys = [stmts[n].chain[depth][0]] + [c[depth][0] for b, c in stmts[n].scalar_loads
                                                 if b == buf]
            spans[n] = (min(keys), max(keys))
        cuts = [k for k in pv.boundaries(buf, x)
                if not any(lo < k <= hi for lo, hi in spans.values())]
        used |= {(x, k) for k in cuts}
        for n in members:
            out[n] = (x, sum(k <= spans[n][0] for k in cuts))
    for n in touching:
        out.setdefault(n, None)
    return out, used


def same_groups(pv_old: Privacy, pv_new: Privacy, buf: str, olds: dict[int, Statement],
                news: dict[int, Statement], sids: list[int]) -> tuple | None:
    """The groups (see `groups`) of the statements touching the scalar `buf` before and
    after a rewrite, and the boundaries each side relies on, when the two partitions of the
    statements are the same; else None. Renaming `buf` to one variable per group then
    changes neither program, and pairs in different groups never conflict."""
    old, cut_old = groups(pv_old, buf, olds, sids)
    new, cut_new = groups(pv_new, buf, news, sids)
    touching = list(old)
    for k, a in enumerate(touching):
        for b in touching[k + 1:]:
            if (old[a] == old[b]) != (new[a] == new[b]):
                return None
    return old, new, cut_old, cut_new
