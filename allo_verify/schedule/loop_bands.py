"""Allo's view of a design's loops: `s.get_loops()` indexed by band and loop name.

Allo names a loop nest (a *band*) after the statement that opens it: the `name=` given to
`grid`/`reduction`, else `S_<vars>_<n>` where `<vars>` are the loop variables of the
top-level `for` joined by `_` and `<n>` counts the `for` statements of the function that
come before it (`for i, j in grid(...)` first in a kernel is `S_i_j_0`). Inside a band a
loop is named by its variable (`i`), and the loops a primitive made by their suffix
(`i.outer`, `i.inner`). So `loops = s.get_loops(); loops.S_i_j_0.i`, `loops["S_i_j_0"]["i"]`
and `s.get_loops("gemm")` (another kernel's bands; also `loops["gemm"]`) address loops as
in Allo, and each entry is a `LoopRef` every schedule method accepts.

Law: the view is computed from the current design each time (never stale); every entry is
a loop of the current design, and the names only translate: they never select a loop that
`find_loop` with our own name would not. Our buffer initialization nests (`C.init0`) are
bands of their own (`C_init`), not counted in `<n>`, as Allo has no such loops.
"""

from __future__ import annotations

import ast
import linecache
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mlir.ir import Module, StringAttr

from allo_verify.equiv.polyhedral import location_of
from allo_verify.errors import ScheduleUsageError
from allo_verify.schedule.loops import LOOP_OPS, LoopRef, list_loops

_INIT = re.compile(r"^(.+)\.init\d+$")


@dataclass
class Band:
    """One loop nest of a kernel, Allo-style: loops by Allo name, outermost first."""

    name: str
    kernel: str
    loops: dict[str, LoopRef] = field(default_factory=dict)

    def __getattr__(self, name: str) -> LoopRef:
        if name.startswith("_") or "loops" not in self.__dict__:
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, key: str | int) -> LoopRef:
        if isinstance(key, int) and not isinstance(key, bool):
            refs = list(self.loops.values())
            if -len(refs) <= key < len(refs):
                return refs[key]
        elif key in self.loops:
            return self.loops[key]
        raise ScheduleUsageError(f"band '{self.name}' of kernel '{self.kernel}' has no loop "
                                 f"{key!r}; its loops: {', '.join(self.loops) or 'none'}")

    def __iter__(self) -> Iterator[tuple[str, LoopRef]]:
        """(Allo loop name, loop) pairs, outermost first, as Allo's `LoopBand` iterates."""
        return iter(self.loops.items())

    def __len__(self) -> int:
        return len(self.loops)

    def __contains__(self, name: object) -> bool:
        return name in self.loops

    def __repr__(self) -> str:
        return f"Band({self.name}: {list(self.loops)})"

    @property
    def outermost(self) -> LoopRef:
        return next(iter(self.loops.values()))


@dataclass
class KernelLoops:
    """The bands of one kernel in program order; `loops[band]` or `loops.band`; a name that
    is not a band but another kernel of the design gives that kernel's bands."""

    kernel: str
    bands: dict[str, Band]
    others: dict[str, KernelLoops] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Band | KernelLoops:
        if name.startswith("_") or "bands" not in self.__dict__:
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, key: str) -> Band | KernelLoops:
        if key in self.bands:
            return self.bands[key]
        if key in self.others:
            return self.others[key]
        raise ScheduleUsageError(
            f"kernel '{self.kernel}' has no loop band {key!r}; bands: "
            f"{', '.join(self.bands) or 'none'}"
            + (f"; kernels: {', '.join(self.others)}" if self.others else ""))

    def __iter__(self) -> Iterator[tuple[str, Band]]:
        """(band name, band) pairs in program order, as Allo's `get_loops()` iterates."""
        return iter(self.bands.items())

    def __len__(self) -> int:
        return len(self.bands)

    def __contains__(self, name: object) -> bool:
        return name in self.bands

    def __repr__(self) -> str:
        return f"KernelLoops({self.kernel}: {list(self.bands)})"

    def all(self) -> list[LoopRef]:
        """Every loop of this kernel's bands, in program order."""
        return [ref for band in self.bands.values() for ref in band.loops.values()]


# ---- the original program: band names and Allo loop names ------------------------------

@dataclass(frozen=True)
class _Origin:
    band: str
    allo: str  # the loop's Allo name: its variable


def _header(location: str) -> tuple[list[str], str | None] | None:
    """The loop variables and the constant `name=` of the `for` statement at `location`
    (`file:line:col`), read from the source; None when it cannot be read."""
    parts = location.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    line = int(parts[1])
    head = linecache.getline(parts[0], line)[max(0, int(parts[2]) - 1):].rstrip()
    if not head.lstrip().startswith(("for ", "for(")):
        return None
    node = None
    for more in range(1, 12):  # a header may continue over several lines
        for text in (head.strip() + " pass", head.strip()):  # body on the next line / same
            try:
                node = ast.parse(text).body[0]
                break
            except (SyntaxError, IndexError):
                continue
        if node is not None:
            break
        head += "\n" + linecache.getline(parts[0], line + more).rstrip()
    if node is None:
        return None
    if not isinstance(node, ast.For):
        return None
    targets = node.target.elts if isinstance(node.target, ast.Tuple) else [node.target]
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    band = None
    if isinstance(node.iter, ast.Call):
        for kw in node.iter.keywords:
            if kw.arg == "name" and isinstance(kw.value, ast.Constant) and \
                    isinstance(kw.value.value, str):
                band = kw.value.value
    return (names, band) if len(names) == len(targets) else None


def _loop_name(op: Any) -> str | None:
    return StringAttr(op.attributes["loop_name"]).value if "loop_name" in op.attributes \
        else None


def _functions(module: Module) -> Iterator[tuple[str, Any]]:
    for fop in module.body.operations:
        if fop.operation.name == "func.func":
            yield StringAttr(fop.operation.attributes["sym_name"]).value, fop.operation


def _subtree_loops(op: Any) -> Iterator[tuple[Any, int]]:
    """(loop op, number of enclosing loops with the same location) in pre-order."""
    def walk(o: Any, chain: list[str]) -> Iterator[tuple[Any, int]]:
        here = chain
        if o.name in LOOP_OPS and _loop_name(o) is not None:
            loc = location_of(o)
            yield o, sum(1 for c in chain if c == loc and loc)
            here = [*chain, loc]
        for region in o.regions:
            for block in region.blocks:
                for inner in block.operations:
                    yield from walk(inner.operation, here)
    yield from walk(op, [])


def origins(module: Module) -> dict[str, dict[str, _Origin]]:
    """For each function of the original design: our loop name -> (Allo band, Allo name)."""
    out: dict[str, dict[str, _Origin]] = {}
    for fname, fop in _functions(module):
        table: dict[str, _Origin] = {}
        seen: set[str] = set()  # locations of the `for` statements met so far
        used: set[str] = set()
        for top in fop.regions[0].blocks[0].operations:
            top = top.operation
            loops = list(_subtree_loops(top))
            if top.name in LOOP_OPS and _loop_name(top) is not None:
                band = _band_of(top, len(seen), used)
                for op, idx in loops:
                    table[_loop_name(op)] = _Origin(band, _allo_name(op, idx))
            seen |= {location_of(op) or f"#{id(op)}" for op, _ in loops
                     if not _INIT.match(_loop_name(op) or "")}
        out[fname] = table
    return out


def _band_of(top: Any, count: int, used: set[str]) -> str:
    """The Allo band name of the top-level loop `top`, `count` statements into the function."""
    name = _loop_name(top) or ""
    init = _INIT.match(name)
    if init:
        band = f"{init.group(1)}_init"
    else:
        head = _header(location_of(top))
        if head is not None:
            names, given = head
            band = given or "S_" + "_".join([*names, str(count)])
        else:
            band = f"S_{name.replace('.', '_')}_{count}"
    base, k = band, 0
    while band in used:
        k += 1
        band = f"{base}_{k}"
    used.add(band)
    return band


def _allo_name(op: Any, idx: int) -> str:
    """The variable of loop `op`, the `idx`-th loop of its `for` statement."""
    name = _loop_name(op) or ""
    if _INIT.match(name):
        return name
    head = _header(location_of(op))
    if head is not None and idx < len(head[0]):
        return head[0][idx]
    return name


# ---- the current design -------------------------------------------------------------------

def _origin_of(name: str, table: dict[str, _Origin]) -> tuple[_Origin, str] | None:
    """The original loop `name` derives from (itself, or `orig.outer`, `orig.inner.outer`,
    ...: the longest original name that is a dotted prefix) and the rest of the name."""
    best = None
    for orig in table:
        if (name == orig or name.startswith(orig + ".")) and \
                (best is None or len(orig) > len(best)):
            best = orig
    return (table[best], name[len(best):]) if best is not None else None


def kernel_loops(original: Module, current: Module, kernel: str) -> KernelLoops:
    """Allo's view of the loops of `kernel` in `current` (other kernels under `.others`)."""
    with current.context:
        tables = origins(original)
        refs = list_loops(current)
        views: dict[str, KernelLoops] = {}
        for fname, fop in _functions(current):
            table = tables.get(fname, {})
            bands: dict[str, Band] = {}
            by_op = {r.op.operation: r for r in refs if r.kernel == fname}
            for n, top in enumerate(fop.regions[0].blocks[0].operations):
                top = top.operation
                if top.name not in LOOP_OPS or _loop_name(top) is None:
                    continue
                entries: list[tuple[str, LoopRef]] = []
                band_name = None
                for op, _ in _subtree_loops(top):
                    ref = by_op.get(op)
                    if ref is None:
                        continue
                    hit = _origin_of(ref.name, table)
                    allo = hit[0].allo + hit[1] if hit else ref.name
                    if hit and band_name is None:
                        band_name = hit[0].band
                    entries.append((allo, ref))
                band_name = band_name or f"L_{n}"
                base, k = band_name, 0
                while band_name in bands:
                    k += 1
                    band_name = f"{base}_{k}"
                band = Band(band_name, fname)
                for allo, ref in entries:
                    key = allo if allo not in band.loops else ref.name
                    band.loops[key] = ref
                bands[band_name] = band
            views[fname] = KernelLoops(fname, bands)
    for view in views.values():
        view.others = {k: v for k, v in views.items() if k != view.kernel}
    if kernel not in views:
        raise ScheduleUsageError(f"get_loops: no kernel named {kernel!r}; kernels: "
                                 f"{', '.join(views)}")
    return views[kernel]


def allo_candidates(original: Module, current: Module, axis: str) -> list[LoopRef]:
    """The loops of `current` whose Allo spelling is `axis`: `i` (a loop's Allo name),
    `band.i`, and each with `kernel:` in front."""
    kernel, _, rest = axis.rpartition(":")
    view = kernel_loops(original, current, kernel) if kernel else None
    kernels = [view] if view is not None else []
    if not kernel:
        for fname, _ in _functions(current):
            try:
                kernels.append(kernel_loops(original, current, fname))
            except ScheduleUsageError:
                continue
            break
        kernels = [kernels[0], *kernels[0].others.values()] if kernels else []
    hits = []
    for kl in kernels:
        for bname, band in kl:
            for allo, ref in band:
                if rest in (allo, f"{bname}.{allo}"):
                    hits.append(ref)
    return hits


def resolve_allo_axis(original: Module, current: Module, axis: str) -> str:
    """`axis` when it names a loop of `current` by our name; else the qualified name of the
    one loop its Allo spelling names (`i` for our `C.i` in band `C`, `S_i_0.i`); several
    such loops are an error listing them; none leaves `axis` (find_loop reports it)."""
    from allo_verify.schedule.loops import find_loop

    try:
        find_loop(current, axis)
        return axis
    except ScheduleUsageError as e:
        if "no loop named" not in str(e):
            raise
    hits = allo_candidates(original, current, axis)
    if len(hits) == 1:
        return hits[0].qualified
    if len(hits) > 1:
        raise ScheduleUsageError(f"loop name '{axis}' is ambiguous; candidates: "
                                 f"{', '.join(h.qualified for h in hits)}")
    return axis


def band_loops(s: Any, band: Any, axes: Any, method: str) -> list[LoopRef]:
    """The loops at the consecutive positions `axes` (0 = outermost, pre-order as Allo
    counts them) of `band` in schedule `s`: a band name from `get_loops()`,
    `"kernel:band"`, or a `Band`."""
    from allo_verify.schedule.usage import int_param, loop_list

    if isinstance(band, str) and band.strip():
        kernel, _, name = band.rpartition(":")
        found = s.get_loops(kernel or None)[name]
        if not isinstance(found, Band):
            raise ScheduleUsageError(f"{method}: '{band}' is a kernel, not a loop band")
        band = found
    if not isinstance(band, Band):
        raise ScheduleUsageError(f"{method}: the band must be a band name from get_loops() "
                                 f"or a band, got {type(band).__name__} {band!r}")
    picked = sorted(int_param(a, method, "each axis", 0, max(0, len(band) - 1))
                    for a in loop_list(axes, method))
    if not picked or picked != list(range(picked[0], picked[0] + len(picked))):
        raise ScheduleUsageError(f"{method}: axes must be consecutive positions in band "
                                 f"'{band.name}', got {list(axes)}")
    return [band[a] for a in picked]
