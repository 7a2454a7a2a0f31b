"""The polyhedral view of a function, as Z3 formulas, for the L1 instance-map checker.

Each store is a statement S, and so is each call (it may read and write any cell of the
arrays it is passed: its accesses have unknown subscripts) and each whole-array copy (it
touches every cell). Its iteration vector is the values of its enclosing loops, named by
their `loop_name` (Z3 integers `Int(name)`); its domain D is the conjunction of the loop
bounds (max of lower maps <= iv < min of upper maps, step congruence) and the enclosing
`affine.if` conditions (negated on the else side); its accesses are the store's cell and
every load in the tree of ops computing the stored value, subscripts as Z3 terms over the
loop variables; its order is the usual 2d+1 schedule: enclosing-op positions interleaved
with loop values, compared lexicographically. Index arithmetic is unbounded (Z3 Int):
floordiv and mod by positive constants are Z3 `div`/`mod`, which floor for positive
divisors (the terms are built in `allo_verify.equiv.affine_z3`; its names stay importable
from here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import z3
from mlir.ir import (
    AffineMapAttr,
    ArrayAttr,
    BlockArgument,
    IntegerAttr,
    MemRefType,
    OpResult,
    StringAttr,
    Value,
)

from allo_verify.equiv import z3_fast as zf
from allo_verify.equiv.affine_z3 import (  # noqa: F401 - public here as well
    NotAffine,
    affine_to_z3,
    integer_set_constraints,
    loop_domain,
    map_to_z3,
    value_to_z3,
    var,
)

LOOPS = ("affine.for", "scf.for")
STORES = ("affine.store", "memref.store")
EFFECTS = (*STORES, "func.call", "memref.copy")  # the ops that are statements
LOADS = ("affine.load", "memref.load")
_NON_SEMANTIC = {"loop_name", "stmt_id", "buffer_name", "reduction"}


@dataclass
class Access:
    """One memory access of a statement: buffer, Z3 subscripts, read or write."""

    buffer: str
    subscripts: tuple[z3.ArithRef, ...] | None  # None: not affine, may touch any cell
    write: bool
    local: bool = False  # allocated by the function itself (not an argument or a global)
    whole: bool = False  # touches every cell (a copy): no subscripts, but nothing unknown


@dataclass
class Statement:
    """A store and the computation feeding it, with its polyhedral description."""

    sid: int
    loops: tuple[str, ...]
    chain: tuple[tuple, ...]  # per enclosing op: (path key, loop name or None)
    domain: z3.BoolRef
    accesses: list[Access]  # the reads in tree order, then the write (last)
    tree: Any
    index_terms: list[z3.ArithRef] = field(default_factory=list)
    reason: str = ""  # why the statement is not fully affine ("" when it is)
    location: str = ""
    # (buffer, chain) of each load of a local scalar the statement's work reads
    scalar_loads: tuple[tuple[str, tuple], ...] = ()
    # per enclosing data-dependent branch or while region (outermost first): the ids of all
    # the function's statements under that same region (see `guard_groups`)
    guard_groups: tuple[frozenset[int], ...] = field(default=(), compare=False)
    # the whole function (scalar events), shared by its statements
    view: FunctionView | None = field(default=None, repr=False, compare=False)

    @property
    def affine(self) -> bool:
        return not self.reason


# Kinds of chain entries (the third element of each entry): how the enclosing op runs.
FOR, DYN_LOOP, IF, BRANCH, REGION, OP = "for", "loop", "if", "branch", "region", "op"
DYNAMIC = (DYN_LOOP, BRANCH, REGION)  # runs (or repeats) depending on data
REPEATING = (FOR, DYN_LOOP, REGION)  # may run its body more than once


def entry_kind(entry: tuple) -> str:
    """The kind of a chain entry (entries without one are affine loops or ops)."""
    return entry[2] if len(entry) > 2 else (FOR if entry[1] is not None else OP)


@dataclass(frozen=True)
class ScalarEvent:
    """One load or store of a local scalar (a rank-0 buffer), at the program point of the
    load/store op itself (not of the statement that uses the loaded value)."""

    buffer: str
    write: bool
    chain: tuple[tuple, ...]
    loops: tuple[str, ...]
    domain: z3.BoolRef
    exact: bool  # the domain is exactly the instances that run, up to dynamic branches
    location: str = ""


@dataclass
class FunctionView:
    """What the privatization analysis needs beyond the statements: every access to a local
    scalar in program order, and the scalars whose buffer escapes (returned, passed to a
    call or a copy), which are never private."""

    events: list[ScalarEvent]
    scalars: frozenset[str]
    escaped: frozenset[str]
    statements: list[Statement]
    loose: list[Statement]  # loads no statement captures (conditions, returns), as reads
    listed: dict[str, list[str]] = field(default_factory=dict)  # loop -> its hls.private


def attr_signature(op: Any) -> tuple:
    """The attributes that give an op its meaning (predicates, constant values)."""
    names = [str(n) for n in op.attributes]
    return tuple(sorted((n, str(op.attributes[n])) for n in names
                        if n not in _NON_SEMANTIC and n != "map"))


class _Extractor:
    """Walks one function and builds its statements."""

    def __init__(self, arg_names: list[str]) -> None:
        self.arg_names = arg_names
        self.statements: list[Statement] = []
        self.next_sid = 0
        self.seen_loads: set[Any] = set()
        self.events: list[ScalarEvent] = []
        self.load_sites: list[tuple] = []
        self.load_chain: dict[Any, tuple] = {}
        self.listed: dict[str, list[str]] = {}
        self.allocs: list[Any] = []  # every memref.alloc/alloca of the function
        self.alloc_names: dict[Any, str] = {}  # each one's buffer name (see `name_alloc`)
        self.name_counts: dict[str, int] = {}
        # enclosing data-dependent conditions: (scf.if condition, branch) or (cond, "while")
        # for a while loop's body ("while-test" for its condition region, which runs once
        # more than the body), and where each is (its op's chain and region)
        self.guards: list[tuple[Value, int | str]] = []
        self.guard_sites: list[tuple] = []
        self.sites_of: list[tuple[tuple, ...]] = []  # per statement, its guard sites
        # per statement: (chain, buffer, location, chain of the use) of each load it reads
        self.value_loads_of: list[tuple[tuple[tuple, str, str, tuple], ...]] = []

    def buffer(self, v: Value) -> str:
        if isinstance(v, BlockArgument):
            n = v.arg_number
            return self.arg_names[n] if n < len(self.arg_names) else f"arg{n}"
        op = v.owner.operation
        if "buffer_name" in op.attributes:
            return self.alloc_names.get(op) or StringAttr(op.attributes["buffer_name"]).value
        if op.name == "memref.get_global":
            return "@" + str(op.attributes["name"]).lstrip("@")
        if op.name == "func.call":  # each call returns fresh arrays: one buffer per result
            callee = str(op.attributes["callee"]).lstrip("@")
            where = f"S{IntegerAttr(op.attributes['stmt_id']).value}" \
                if "stmt_id" in op.attributes else location_of(op)
            part = f" #{v.result_number}" if v.result_number else ""
            return f"<{callee}() of {where}{part}>"
        return f"<{op.name}>"

    def name_alloc(self, op: Any) -> None:
        """Name a buffer the function allocates, in program order (before any use: the
        allocation dominates its uses): its `buffer_name`, with `#2`, `#3`, ... for the
        second and later buffers of one name (a local array declared in each unrolled copy
        of a `meta_for` body), and `@local` when an argument has that name. L1 knows
        buffers by name only, so distinct buffers must never share one: a rewrite could
        otherwise move a store to another buffer of the same name unseen."""
        if "buffer_name" not in op.attributes:
            return
        base = StringAttr(op.attributes["buffer_name"]).value
        if base in self.arg_names:
            base += "@local"
        n = self.name_counts[base] = self.name_counts.get(base, 0) + 1
        self.alloc_names[op] = base if n == 1 else f"{base}#{n}"

    def walk_block(self, block: Any, chain: tuple, region: int, domain: list, reason: str,
                   exact: bool = True) -> None:
        for k, view in enumerate(block.operations):
            op = view.operation
            entry_key = (region, k)
            name = op.name
            if name == "affine.for":
                lname = StringAttr(op.attributes["loop_name"]).value
                if "hls.private" in op.attributes:
                    self.listed[lname] = [StringAttr(a).value
                                          for a in ArrayAttr(op.attributes["hls.private"])]
                try:
                    d, r, ex = loop_domain(op), reason, exact
                except NotAffine as e:
                    d, r, ex = z3.BoolVal(True), reason or f"loop '{lname}': {e}", False
                self.walk_block(op.regions[0].blocks[0], (*chain, (entry_key, lname, FOR)), 0,
                                [*domain, d], r, ex)
            elif name == "scf.for":
                lname = StringAttr(op.attributes["loop_name"]).value \
                    if "loop_name" in op.attributes else f"scf.for@{k}"
                self.walk_block(op.regions[0].blocks[0], (*chain, (entry_key, lname, DYN_LOOP)),
                                0, domain, reason or f"loop '{lname}' has non-affine bounds",
                                False)
            elif name == "affine.if":
                try:
                    cond, r, ex = integer_set_constraints(op.attributes["condition"],
                                                          list(op.operands)), reason, exact
                except NotAffine as e:
                    cond, r, ex = z3.BoolVal(True), reason or str(e), False
                for ri, reg in enumerate(op.regions):
                    if len(reg.blocks):
                        c = cond if ri == 0 else z3.Not(cond)
                        self.walk_block(reg.blocks[0], (*chain, (entry_key, None, IF)), ri,
                                        [*domain, c], r, ex)
            elif name in EFFECTS:
                self.statement(op, (*chain, (entry_key, None, OP)), domain, reason)
                if name in STORES:
                    self.scalar_event(op, op.operands[1], True, (*chain, (entry_key, None, OP)),
                                      domain, exact)
            elif name in ("memref.alloc", "memref.alloca"):
                self.allocs.append(op)
                self.name_alloc(op)
            elif name in LOADS:
                site = (*chain, (entry_key, None, OP))
                self.load_sites.append((op, site, domain, reason))
                self.load_chain[op] = site
                self.scalar_event(op, op.operands[0], False, site, domain, exact)
            elif name == "scf.if":  # the condition becomes part of each statement inside
                for ri, reg in enumerate(op.regions):
                    for bi, blk in enumerate(reg.blocks):
                        self.guards.append((op.operands[0], ri))
                        self.guard_sites.append(((*chain, (entry_key, None, BRANCH)), ri, bi))
                        self.walk_block(blk, (*chain, (entry_key, None, BRANCH)), ri, domain,
                                        reason, exact)
                        self.guards.pop()
                        self.guard_sites.pop()
            elif name == "scf.while" and not len(op.operands) and not len(op.results):
                # Without carried values the loop repeats its body while a condition computed
                # from memory holds: each statement inside is guarded by that condition (its
                # instances at one point of the enclosing loops run together, in body order).
                cond = _terminator(op.regions[0].blocks[0]).operands[0]
                for ri, reg in enumerate(op.regions):
                    self.guards.append((cond, "while" if ri else "while-test"))
                    self.guard_sites.append(((*chain, (entry_key, None, REGION)), ri, 0))
                    self.walk_block(reg.blocks[0], (*chain, (entry_key, None, REGION)), ri,
                                    domain, reason, exact)
                    self.guards.pop()
                    self.guard_sites.pop()
            elif len(op.regions):
                for ri, reg in enumerate(op.regions):
                    for blk in reg.blocks:
                        self.walk_block(blk, (*chain, (entry_key, None, REGION)), ri, domain,
                                        reason or f"control flow {name} depends on data", exact)

    def scalar_event(self, op: Any, buf: Value, write: bool, chain: tuple, domain: list,
                     exact: bool) -> None:
        if not _is_local_scalar(buf):
            return
        self.events.append(ScalarEvent(
            self.buffer(buf), write, chain, tuple(e[1] for e in chain if e[1] is not None),
            zf.and_(*domain) if domain else z3.BoolVal(True), exact, location_of(op)))

    def subscripts(self, op: Any, first_index: int) -> tuple | None:
        operands = list(op.operands)
        if op.name.startswith("affine."):
            amap = AffineMapAttr(op.attributes["map"]).value
            return tuple(map_to_z3(amap, operands[first_index:]))
        return tuple(value_to_z3(v) for v in operands[first_index:])

    def statement(self, op: Any, chain: tuple, domain: list, reason: str) -> None:
        accesses: list[Access] = []
        index_terms: list[z3.ArithRef] = []
        notes: list[str] = [reason] if reason else []
        memo: dict[Any, Any] = {}
        scalar_loads: list[tuple[str, tuple]] = []

        def access(o: Any, first: int, write: bool, buf: Value) -> int:
            try:
                subs = self.subscripts(o, first)
            except NotAffine as e:
                subs = None
                notes.append(f"{o.name} of {self.buffer(buf)}: {e}")
            accesses.append(Access(self.buffer(buf), subs, write, _is_local(buf)))
            return len(accesses) - 1

        def tree(v: Value) -> Any:
            if v in memo:
                return memo[v]
            memo[v] = t = _tree(v)
            return t

        def _tree(v: Value) -> Any:
            if isinstance(v, BlockArgument):
                owner = v.owner.owner
                owner = owner.operation if owner is not None else None
                if owner is not None and owner.name in LOOPS:
                    try:
                        index_terms.append(value_to_z3(v))
                        return ("index", len(index_terms) - 1)
                    except NotAffine as e:
                        notes.append(str(e))
                        return ("blockarg", str(v.type))
                if owner is not None and owner.name == "func.func":
                    return ("arg", v.arg_number)
                return ("blockarg", v.arg_number, str(v.type))
            o = v.owner.operation
            if o.name in LOADS:
                self.seen_loads.add(o)
                if o in self.load_chain and _is_local_scalar(o.operands[0]):
                    scalar_loads.append((self.buffer(o.operands[0]), self.load_chain[o]))
                return ("load", access(o, 1, False, o.operands[0]))
            if o.name == "affine.apply":
                index_terms.append(value_to_z3(v))
                return ("index", len(index_terms) - 1)
            regions = tuple(tuple(tree(x) for x in _terminator(reg.blocks[0]).operands)
                            for reg in o.regions if len(reg.blocks))
            return (o.name, attr_signature(o), v.result_number if isinstance(v, OpResult) else 0,
                    tuple(tree(x) for x in o.operands), regions)

        # Under a data-dependent `scf.if` a statement runs when its condition has the value
        # of the branch: the condition's computation (and its loads) is part of the
        # statement's work, and the domain over-approximates the instances that run.
        guards = tuple((ri, tree(c)) for c, ri in self.guards)
        if op.name == "memref.copy":  # reads every cell of the source, writes the target
            src, dst = op.operands[0], op.operands[1]
            t = ("copy", self.buffer(src), self.buffer(dst))
            accesses += [Access(self.buffer(src), None, False, _is_local(src), whole=True),
                         Access(self.buffer(dst), None, True, _is_local(dst), whole=True)]
        elif op.name == "func.call":  # effects through its memref operands, cells unknown
            t = ("call", str(op.attributes["callee"]),
                 tuple(("buffer", self.buffer(v)) if _is_memref(v) else tree(v)
                       for v in op.operands))
            for v in op.operands:
                if _is_memref(v):
                    accesses += [Access(self.buffer(v), None, False, _is_local(v)),
                                 Access(self.buffer(v), None, True, _is_local(v))]
        else:
            t = tree(op.operands[0])
            access(op, 2, True, op.operands[1])
        if guards:
            t = ("guarded", guards, t)
        loops = tuple(e[1] for e in chain if e[1] is not None)
        sid = IntegerAttr(op.attributes["stmt_id"]).value if "stmt_id" in op.attributes \
            else self.next_sid
        self.statements.append(Statement(
            sid=sid, loops=loops, chain=chain, domain=zf.and_(*domain) if domain
            else z3.BoolVal(True), accesses=accesses, tree=t,
            index_terms=index_terms, reason="; ".join(notes), location=location_of(op),
            scalar_loads=tuple(scalar_loads)))
        self.sites_of.append(tuple(self.guard_sites))
        # where each load runs, and the point its value is used at: the statement for the
        # stored value, the `if`/`while` op for a guard's condition (see `load_placement`)
        roots = [(c, site[0]) for (c, _), site in zip(self.guards, self.guard_sites,
                                                      strict=True)]
        if op.name in STORES:
            roots.append((op.operands[0], chain))
        elif op.name == "func.call":
            roots += [(v, chain) for v in op.operands if not _is_memref(v)]
        self.value_loads_of.append(tuple(
            (self.load_chain[ld], self.buffer(ld.operands[0]), location_of(ld), at)
            for root, at in roots for ld in _loads_under(root) if ld in self.load_chain))
        self.next_sid += 1


def _loads_under(root: Value) -> list[Any]:
    """The load ops of the computation of `root` (as `_tree` walks it), each once."""
    out: list[Any] = []
    seen: set[Any] = set()
    stack = [root]
    while stack:
        v = stack.pop()
        if v in seen or isinstance(v, BlockArgument):
            continue
        seen.add(v)
        o = v.owner.operation
        if o.name in LOADS:
            out.append(o)
            continue
        stack += list(o.operands)
        stack += [x for reg in o.regions if len(reg.blocks)
                  for x in _terminator(reg.blocks[0]).operands]
    return out


def _is_local(v: Value) -> bool:
    return isinstance(v, OpResult) and v.owner.operation.name in ("memref.alloc", "memref.alloca")


def _is_local_scalar(v: Value) -> bool:
    # types come downcast: a ranked memref's type is a MemRefType (not printed to be read)
    return _is_local(v) and isinstance(t := v.type, MemRefType) and t.rank == 0


def _is_memref(v: Value) -> bool:
    return str(v.type).startswith("memref<")


def _terminator(block: Any) -> Any:
    ops = list(block.operations)
    return ops[-1]


def location_of(op: Any) -> str:
    """`file:line:col` of an op, when it has a file location."""
    m = re.search(r'loc\("([^"]*)":(\d+):(\d+)', str(op.location))
    return f"{m.group(1)}:{m.group(2)}:{m.group(3)}" if m else ""


def extract(func_op: Any, arg_names: list[str] | None = None) -> list[Statement]:
    """The statements of `func_op` in program order; `sid` is the store's `stmt_id`
    attribute when it has one, else its program-order number. Each statement's `view` is
    the shared `FunctionView` of the function."""
    ex = _Extractor(arg_names or [])
    ex.walk_block(func_op.regions[0].blocks[0], (), 0, [], "")
    # A local scalar is a rank-0 buffer the function allocates (`walk_block` visits every
    # op, so it saw every allocation); it escapes when some use is not the memory operand
    # of a load or a store (returned, passed to a call or a copy).
    escaped: set[str] = set()
    scalars: set[str] = set()
    for alloc in ex.allocs:
        v = alloc.results[0]
        if not _is_local_scalar(v):
            continue
        for use in v.uses:
            scalars.add(ex.buffer(v))
            name, n = use.owner.operation.name, use.operand_number
            if not ((name in LOADS and n == 0) or (name in STORES and n == 1)):
                escaped.add(ex.buffer(v))

    loose = []
    for op, chain, domain, reason in ex.load_sites:
        if op in ex.seen_loads:
            continue
        acc = [Access(ex.buffer(op.operands[0]), None, False, _is_local(op.operands[0]))]
        try:
            acc[0].subscripts = ex.subscripts(op, 1)
        except NotAffine as e:
            reason = reason or f"{op.name}: {e}"
        loose.append(Statement(
            sid=-1 - len(loose), loops=tuple(e[1] for e in chain if e[1] is not None),
            chain=chain, domain=zf.and_(*domain) if domain else z3.BoolVal(True),
            accesses=acc, tree=("loose-load",), reason=reason, location=location_of(op)))
    view = FunctionView(ex.events, frozenset(scalars), frozenset(escaped), ex.statements, loose,
                        ex.listed)
    under: dict[tuple, set[int]] = {}
    for s, sites in zip(ex.statements, ex.sites_of, strict=True):
        for site in sites:
            under.setdefault(site, set()).add(s.sid)
    for s, sites in zip(ex.statements, ex.sites_of, strict=True):
        s.view = view
        s.guard_groups = tuple(frozenset(under[site]) for site in sites)
    from allo_verify.equiv.load_placement import mark_separated_loads
    mark_separated_loads(ex.statements, ex.value_loads_of)
    return ex.statements


def guard_groups_kept(old: Statement, new: Statement) -> bool:
    """Each data-dependent branch or while region around `new` holds the same statements
    (among those both sides have) as the corresponding one around `old`. A statement's
    guard (its tree's `guarded` part) names the condition, not which evaluation of it: a
    rewrite that splits `if c: {c = 0; B = 1}` into two `if c` (the second reading the new
    c) or moves a statement into another while loop with the same condition keeps every
    tree and every modelled order, and changes what runs. Regrouping is what such a
    rewrite must do, and no loop primitive does it."""
    if not old.guard_groups and not new.guard_groups:
        return True
    if len(old.guard_groups) != len(new.guard_groups):
        return False
    both = frozenset(s.sid for s in old.view.statements) & frozenset(
        s.sid for s in new.view.statements) if old.view and new.view else frozenset()
    return all(a & both == b & both
               for a, b in zip(old.guard_groups, new.guard_groups, strict=True))
