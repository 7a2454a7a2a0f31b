"""L2 translation validation: two MLIR functions, same signature, all outputs compared.

Both functions run symbolically (`symexec`) into one shared `TermStore`, so equal work gives
equal term ids. Outputs are the returned values and every argument array either function
writes. Cells with identical ids are proved without Z3; the others go to Z3 in chunks
(`Or` of the differences; unsat proves the chunk), under `rlimit`; a few seeded concrete
evaluations run first, since a refutation found that way needs no solver. A sat model becomes
concrete inputs, checked by evaluating both terms (and replayed through the LLVM
simulation when it is available). With `allow_reassoc`, float sums are normalized first
and a proof then says "equivalent modulo reassociation".

Law: `Proved` only if every output cell is equal for all inputs (at these sizes, under the
exact tier or, when labeled, modulo reassociation); `Refuted` only with a witness on which
the LLVM simulations of both functions differ (an out-of-bounds access in the second function
only is refuted when co-simulating both LLVM simulations finds a difference); anything else
is `Unknown`/`NotRun` with its reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import mlir.ir as ir
import z3

from allo_verify.equiv.counterexample import (
    bits_of,
    confirm,
    input_arrays,
    make_counterexample,
    model_env,
    same_bits,
    value_of,
)
from allo_verify.equiv.module_text import ir_text, renamed_symbol
from allo_verify.equiv.obligation import make_solver, rlimit_used
from allo_verify.equiv.replay import decl_of, replay_cell
from allo_verify.equiv.results import (
    Agreed,
    Cost,
    LayerResult,
    NotRun,
    Proved,
    Refuted,
    Result,
    Unknown,
)
from allo_verify.equiv.symexec import (
    DEFAULT_MAX_TERMS,
    Buffer,
    OutOfBounds,
    SymexecError,
    TooLarge,
    execute,
)
from allo_verify.equiv.terms import TermStore
from allo_verify.errors import SignatureMismatch
from allo_verify.lang.signature import Signature
from allo_verify.lang.types import ArrayType

DEFAULT_BUDGET = 20_000_000
DEFAULT_RLIMIT = 50_000_000
DEFAULT_Z3_NODES = 1_000_000
CHUNK = 128
QUICK_CELLS = 16
QUICK_TRIES = 8


L2Result = LayerResult  # Outcome of L2: the result, what it covered (`scope`), and its cost.


@dataclass
class OutCell:
    output: str
    cell: tuple[int, ...]
    ta: int
    tb: int
    decl: Any


def _func_name(mod: ir.Module, name: str | None, sig: Signature | None) -> str:
    names = [ir.StringAttr(op.operation.attributes["sym_name"]).value
             for op in mod.body.operations if op.operation.name == "func.func"]
    if name is not None:
        return name
    if sig is not None and sig.name in names:
        return sig.name
    if not names:
        raise ValueError("module has no func.func")
    return names[-1]


def _func_type(mod: ir.Module, name: str) -> str:
    """The function type of `@name` in `mod` (ValueError when there is no such function)."""
    for op in mod.body.operations:
        o = op.operation
        if o.name == "func.func" and ir.StringAttr(o.attributes["sym_name"]).value == name:
            return str(o.attributes["function_type"])
    raise ValueError(f"module has no function @{name}")


def _outputs(store: TermStore, res_a: list[Any], res_b: list[Any], args_a: list[Any],
             args_b: list[Any], names: list[str], sig: Signature | None) -> list[OutCell]:
    cells: list[OutCell] = []

    def add(out: str, x: Any, y: Any, decl: Any) -> None:
        if isinstance(x, Buffer) and isinstance(y, Buffer):
            for k, (p, q) in enumerate(zip(x.cells, y.cells, strict=True)):
                cells.append(OutCell(out, x.unflatten(k), p, q, decl))
        elif isinstance(x, int) and isinstance(y, int):
            cells.append(OutCell(out, (), x, y, decl))
        else:
            raise SymexecError(f"output {out} is not comparable ({type(x).__name__})")

    if len(res_a) != len(res_b):
        raise SymexecError("the functions return different numbers of results")
    for k, (x, y) in enumerate(zip(res_a, res_b, strict=True)):
        decl = sig.results[k] if sig is not None and k < len(sig.results) else None
        add(f"return[{k}]", x, y, decl)
    for k, (x, y) in enumerate(zip(args_a, args_b, strict=True)):
        if isinstance(x, Buffer) and (x.written or y.written):
            decl = sig.args[k].type if sig is not None else None
            add(names[k], x, y, decl)
    return cells


def _arg_info(store: TermStore, names: list[str], args: list[Any], sig: Signature | None) \
        -> list[tuple[str, Any, str]]:
    """(name, declared type, MLIR element type) per argument."""
    out = []
    for k, (n, b) in enumerate(zip(names, args, strict=True)):
        if isinstance(b, Buffer):
            elem, default = b.elem, ArrayType(decl_of(b.elem), b.shape)
        else:
            elem = store.ty[getattr(b, "tid", b)]
            default = decl_of(elem)
        out.append((n, sig.args[k].type if sig is not None else default, elem))
    return out


def check_equivalent_modules(mod_a: ir.Module, mod_b: ir.Module, sig: Signature | None = None,
                             func_a: str | None = None, func_b: str | None = None,
                             allow_reassoc: bool = False, budget: int = DEFAULT_BUDGET,
                             rlimit: int = DEFAULT_RLIMIT, replay: bool = True,
                             seed: int = 0, z3_nodes: int = DEFAULT_Z3_NODES,
                             max_terms: int = DEFAULT_MAX_TERMS,
                             symbolic: bool = True) -> L2Result:
    """Translation validation of `func_a` in `mod_a` against `func_b` in `mod_b`.

    With `symbolic`, the size-independent symbolic tier (`symbolic_tier`) runs first: its
    Proved or Refuted is the answer (scope "tier": "symbolic"); on Unknown the concrete tier
    below runs and its scope records why under "symbolic".

    Concrete-tier budgets: `budget` executed ops per function (else NotRun "too large";
    estimated from trip counts before anything runs, so a kernel far past it answers at
    once), `max_terms` terms built in all (memory), `rlimit` Z3 resource units per query,
    `z3_nodes` term nodes sent to Z3 in all (else NotRun). Concrete proofs hold at the
    design's own sizes only."""
    t0 = time.perf_counter()
    with mod_a.context:
        fa = _func_name(mod_a, func_a, sig)
        ta = _func_type(mod_a, fa)
    with mod_b.context:
        fb = _func_name(mod_b, func_b, sig)
        tb = _func_type(mod_b, fb)
    if ta != tb:  # outputs are compared by position: different signatures are not comparable
        raise SignatureMismatch(f"check_equivalent_modules: @{fa} has type {ta} but @{fb} "
                                f"has type {tb}; equivalence needs the same signature")
    cost = Cost()
    symbolic_note = None
    if symbolic:
        from allo_verify.equiv.symbolic_tier import symbolic_l2

        sres, sscope = symbolic_l2(mod_a, mod_b, sig, fa, fb, allow_reassoc, replay, seed)
        if not isinstance(sres, Unknown):
            cost.seconds = time.perf_counter() - t0
            return L2Result(sres, sscope, cost)
        symbolic_note = sres.reason
    store = TermStore()
    scope: dict[str, Any] = {"budget": budget, "rlimit": rlimit, "z3_nodes": z3_nodes,
                             "max_terms": max_terms, "tier": "exact"}
    if symbolic_note is not None:
        scope["symbolic"] = symbolic_note
    ctx_names = None if sig is None else [a.name for a in sig.args]
    try:
        with mod_a.context:
            ra = execute(mod_a, store, fa, ctx_names, budget, max_terms=max_terms)
        names = ctx_names or [f"arg{k}" for k in range(len(ra.args))]
        with mod_b.context:
            try:
                rb = execute(mod_b, store, fb, names, budget, max_terms=max_terms)
            except OutOfBounds as e:
                oob = _oob_result(e, mod_a, mod_b, sig, fa, fb, replay, seed)
                cost.seconds = time.perf_counter() - t0
                return L2Result(oob, scope, cost)
        outs = _outputs(store, ra.results, rb.results, ra.args, rb.args, names, sig)
    except TooLarge as e:
        cost.seconds = time.perf_counter() - t0
        return L2Result(NotRun(f"too large: {e}"), scope, cost)
    except (SymexecError, NotImplementedError) as e:
        cost.seconds = time.perf_counter() - t0
        return L2Result(Unknown(f"{type(e).__name__}: {e}"), scope, cost)
    scope.update(work_a=ra.work, work_b=rb.work, terms=len(store), cells=len(outs),
                 sizes={n: list(b.shape) for n, b in zip(names, ra.args, strict=False)
                        if isinstance(b, Buffer)})
    with mod_a.context:
        arg_info = _arg_info(store, names, ra.args, sig)
    undef = [lf for lf, (name, _) in store.leaf_info.items() if name == "undef"]
    if undef and set(undef) & set(store.leaves([c.ta for c in outs] + [c.tb for c in outs])):
        cost.seconds = time.perf_counter() - t0
        return L2Result(Unknown("an output depends on a local array read before it was "
                                "written (uninitialized memref.alloc)"), scope, cost)
    diff = [c for c in outs if c.ta != c.tb]
    scope["differing_cells"] = len(diff)
    result = _decide(store, diff, allow_reassoc, rlimit, cost, scope, seed, z3_nodes)
    if isinstance(result, tuple):
        c, w = result
        result = _refutation(store, c, w, arg_info, mod_a, mod_b, sig, replay, fa, fb)
    cost.seconds = time.perf_counter() - t0
    return L2Result(result, scope, cost)


OOB_TRIALS = 30  # inputs the LLVM simulations of both kernels are run on after an OOB access


def _oob_result(e: OutOfBounds, mod_a: ir.Module, mod_b: ir.Module, sig: Signature | None,
                fa: str, fb: str, replay: bool, seed: int) -> Result:
    """`fb` accesses an array outside its shape where `fa` does not. The LLVM simulation
    does not guard that access (it reads or writes whatever memory lies there: undefined),
    so by itself it is no refutation. Law: `Refuted` only when co-simulating both LLVM
    simulations (in a separate process, `isolated`) on up to `OOB_TRIALS` inputs finds
    outputs that differ (confirmed "llvm"); otherwise `Unknown`, naming the access."""
    what = (f"@{fb} accesses {e.buffer}[{', '.join(map(str, e.index))}] outside its shape "
            f"{list(e.shape)}, which @{fa} does not (undefined in the LLVM simulation)")
    if not replay or sig is None:
        return Unknown(f"{what}; not confirmed: "
                       + ("LLVM replay disabled" if not replay else "no signature to run"))
    from allo_verify.equiv.isolated import cosimulate_isolated

    try:
        texts = [ir_text(m if f == sig.name else renamed_symbol(m, f, sig.name))
                 for m, f in ((mod_a, fa), (mod_b, fb))]
    except Exception as x:  # noqa: BLE001 - any replay failure leaves the question open
        return Unknown(f"{what}; not confirmed: LLVM replay failed: {type(x).__name__}: {x}")
    # the access is undefined in LLVM (it may corrupt the heap): run it in another process
    r = cosimulate_isolated(texts[0], texts[1], sig, OOB_TRIALS, seed)
    if isinstance(r, Refuted) and r.counterexample is not None:
        cex = replace(r.counterexample, note=f"{r.counterexample.note}; {what}")
        return Refuted(cex, f"{r.detail} ({what})")
    if isinstance(r, Agreed):
        return Unknown(f"{what}; not confirmed: the LLVM simulations of both kernels agreed on "
                       f"{r.trials} inputs (seed {seed})")
    return Unknown(f"{what}; not confirmed: {getattr(r, 'reason', r)}")


def _z3_chunks(store: TermStore, cells: list[OutCell], rlimit: int, cost: Cost,
               node_budget: int) -> tuple[str, OutCell | None, dict[int, int] | None, str]:
    """('unsat', ...) if all cells are equal for all inputs; ('sat', cell, env, '') with a
    model for one differing cell; ('too_large', ...) past `node_budget` Z3 terms;
    ('unknown', None, None, reason) otherwise."""
    memo: dict[int, Any] = {}
    for i in range(0, len(cells), CHUNK):
        chunk = cells[i:i + CHUNK]
        roots = [c.ta for c in chunk] + [c.tb for c in chunk]
        if len(memo) + sum(1 for n in store.deps(roots) if n not in memo) > node_budget:
            return "too_large", None, None, f"more than {node_budget} term nodes for Z3"
        za = store.to_z3([c.ta for c in chunk], memo)
        zb = store.to_z3([c.tb for c in chunk], memo)
        s = make_solver(rlimit)
        s.add(z3.Or([x != y for x, y in zip(za, zb, strict=True)]))
        r = s.check()
        cost.queries += 1
        cost.rlimit += rlimit_used(s)
        if r == z3.unknown:
            return "unknown", None, None, f"z3: {s.reason_unknown()} (rlimit {rlimit})"
        if r == z3.sat:
            m = s.model()
            for c, x, y in zip(chunk, za, zb, strict=True):
                if z3.is_true(m.eval(x != y, model_completion=True)):
                    return "sat", c, model_env(store, store.leaves([c.ta, c.tb]), memo, m), ""
            return "unknown", None, None, "z3 model names no differing cell"
    return "unsat", None, None, ""


def _decide(store: TermStore, diff: list[OutCell], allow_reassoc: bool, rlimit: int,
            cost: Cost, scope: dict[str, Any], seed: int, node_budget: int) -> \
        Result | tuple[OutCell, Any]:
    if not diff:
        return Proved("all output cells structurally identical")
    quick = _quick(store, diff, seed) if not allow_reassoc else None
    if quick is not None:
        scope["found_by"] = "concrete search before Z3"
        return quick
    try:
        verdict, cell, env, why = _z3_chunks(store, diff, rlimit, cost, node_budget)
    except NotImplementedError as e:
        return Unknown(str(e))
    if verdict == "too_large":
        return NotRun(f"too large: {why}")
    if verdict == "unsat":
        return Proved(f"{len(diff)} cells proved equal by Z3")
    if verdict == "sat":
        assert cell is not None
        w = confirm(store, cell.ta, cell.tb, env, seed)
        if w is not None and not allow_reassoc:
            return cell, w
        if not allow_reassoc:
            return Unknown(f"{cell.output}{list(cell.cell)} differs only as uninterpreted "
                           f"float terms; no concrete witness found")
    if not allow_reassoc:
        return Unknown(why)
    scope["tier"] = "reassoc"
    memo: dict[int, int] = {}
    norm = []
    for c in diff:
        na, nb = store.reassociate([c.ta, c.tb], memo)
        if na != nb:
            norm.append(OutCell(c.output, c.cell, na, nb, c.decl))
    scope["differing_after_reassoc"] = len(norm)
    if not norm:
        return Proved("all cells equal modulo reassociation of float sums", modulo_reassoc=True)
    quick = _quick(store, norm, seed)
    if quick is None:
        verdict, cell, env, why = _z3_chunks(store, norm, rlimit, cost, node_budget)
        if verdict == "too_large":
            return NotRun(f"too large: {why}")
        if verdict == "unsat":
            return Proved(f"{len(norm)} cells proved equal by Z3 modulo reassociation",
                          modulo_reassoc=True)
        if verdict != "sat":
            return Unknown(why)
        assert cell is not None
        w = confirm(store, cell.ta, cell.tb, env, seed)
        if w is None:
            return Unknown(f"{cell.output}{list(cell.cell)} differs even modulo reassociation "
                           f"as uninterpreted terms; no concrete witness found")
        quick = (cell, w)
    cell, w = quick
    orig = next(c for c in diff if c.output == cell.output and c.cell == cell.cell)
    v = store.evaluate([orig.ta, orig.tb], w.env)
    if not same_bits(v[orig.ta], v[orig.tb], store.ty[orig.ta]):
        w.va, w.vb = v[orig.ta], v[orig.tb]
    w.how += " (differs even modulo reassociation)"
    return orig, w


def _quick(store: TermStore, cells: list[OutCell], seed: int) -> tuple[OutCell, Any] | None:
    """A refutation by a few seeded concrete evaluations, before asking Z3."""
    for c in cells[:QUICK_CELLS]:
        w = confirm(store, c.ta, c.tb, None, seed, tries=QUICK_TRIES)
        if w is not None:
            return c, w
    return None


def _refutation(store: TermStore, c: OutCell, w: Any, arg_info: list[tuple[str, Any, str]],
                mod_a: ir.Module, mod_b: ir.Module, sig: Signature | None,
                replay: bool, fa: str, fb: str) -> Result:
    """`Refuted` only when the LLVM simulation of both kernels, run on the witness's inputs,
    differs at the cell; otherwise `Unknown`, saying what the L2 semantics found and why it
    was not confirmed (the L2 evaluator and LLVM may differ where LLVM leaves results
    undefined, on libm results, or the replay may be impossible)."""
    inputs = input_arrays(store, w.env, arg_info)
    keep: dict[str, list[tuple[int, ...]]] = {}
    for lf in store.leaves([c.ta, c.tb]):
        name, cell = store.leaf_info[lf]
        keep.setdefault(name, []).append(cell)
    t = store.ty[c.ta]
    dt = c.decl.dtype if isinstance(c.decl, ArrayType) else c.decl
    va, vb = value_of(w.va, t, dt), value_of(w.vb, t, dt)
    where = f"{c.output}{list(c.cell)}"
    found = f"L2 evaluation found {where} = {va!r} vs {vb!r} (by {w.how})"
    if not replay:
        return Unknown(f"{found}; not confirmed: LLVM replay disabled")
    rep = replay_cell(mod_a, mod_b, sig, inputs, c.output, c.cell, fa, fb)
    if isinstance(rep, str):
        return Unknown(f"{found}; not confirmed: {rep}")
    la, lb = rep
    if same_bits(bits_of(la, t), bits_of(lb, t), t):
        return Unknown(f"{found}; not confirmed: the LLVM simulations of both kernels give "
                       f"{la!r} there")
    cex = make_counterexample(c.output, c.cell, la, lb, inputs, keep, "llvm",
                              f"found by {w.how}; confirmed by the LLVM simulation of both")
    return Refuted(cex, f"{where} differs")
