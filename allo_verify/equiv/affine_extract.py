"""An affine MLIR function as polyhedral statements, in isl syntax (the L2 symbolic tier).

Each store is a statement S with iteration vector (the values of its enclosing loops, dims
`d0..d{n-1}`), domain D_S (loop bounds, step congruences and `affine.if` conditions, negated
on the else side), written cell (affine subscripts), the expression tree computing the stored
value, and its place in execution order (the 2d+1 schedule vector). Each load is a read
with its own domain and schedule (it may sit in an enclosing loop of the store that uses it);
a statement's tree refers to a load by id, and the load's instance is the prefix of the
statement's iteration vector. Sizes are the constants of the IR: isl keeps them symbolic
in its algorithms (nothing here enumerates iterations).

Law: `extract_program` either describes the function exactly (every executed store and load
is a point of a statement's or load's domain, at its schedule, reading and writing the given
cells, computing the given tree), or raises `NotAffine` with the reason (non-affine bound or
subscript, data-dependent control, external or recursive calls, loop-carried SSA values,
views). Calls to functions of the module are inlined (`_Extractor.call`).
"""

from __future__ import annotations

import re
from typing import Any

from mlir import ir

from allo_verify.equiv.affine_program import (
    Access,
    Array,
    NotAffine,
    Program,
    Statement,
    isl_affine,
    split_top,
)
from allo_verify.equiv.polyhedral import attr_signature


def _type(v: ir.Value) -> str:
    return str(v.type)


def _loc(op: Any) -> str:
    m = re.search(r'loc\("([^"]*)":(\d+):(\d+)', str(op.location))
    return f"{m.group(1)}:{m.group(2)}" if m else ""


class _Extractor:
    def __init__(self, arg_names: list[str]) -> None:
        self.arg_names = arg_names
        self.prog = Program()
        self.ivs: dict[Any, str] = {}   # block argument -> dim name
        self.load_ids: dict[Any, int] = {}
        self.locals: dict[Any, str] = {}
        self.globals: dict[str, Any] = {}
        self.value_ifs: set[Any] = set()  # scf.if ops accepted by `value_if`
        self.funcs: dict[str, Any] = {}   # the module's functions, for inlining calls
        self.ctx = 0                      # the inlined call instance being walked (0: top)
        self.binds: dict[int, dict[Any, tuple[int, Any]]] = {}
        self.stack: list[str] = []

    # -- values as affine expressions -------------------------------------------------
    def index(self, v: ir.Value) -> str:
        if isinstance(v, ir.BlockArgument):
            if v in self.ivs:
                return self.ivs[v]
            ctx, w = self.deref(v)
            if ctx != self.ctx or w != v:
                return self.in_ctx(ctx, self.index, w)
            raise NotAffine("an index that is a function argument or a loop-carried value")
        op = v.owner.operation
        if op.name == "affine.apply":
            m = ir.AffineMapAttr(op.attributes["map"]).value
            ops = [self.index(x) for x in op.operands]
            return isl_affine(m.results[0], ops[:m.n_dims], ops[m.n_dims:])
        if op.name == "arith.constant" and _type(v) == "index":
            return str(ir.IntegerAttr(op.attributes["value"]).value)
        raise NotAffine(f"index computed by {op.name} (data-dependent or non-affine)")

    def map_exprs(self, op: Any, attr: str, operands: list[ir.Value]) -> list[str]:
        m = ir.AffineMapAttr(op.attributes[attr]).value
        xs = [self.index(x) for x in operands]
        return [isl_affine(r, xs[:m.n_dims], xs[m.n_dims:]) for r in m.results]

    def deref(self, v: ir.Value) -> tuple[int, ir.Value]:
        """The value `v` stands for: a callee's argument is the caller's operand, a call's
        memref result is the callee's returned memref (each in its own call instance)."""
        ctx = self.ctx
        while v in self.binds.get(ctx, {}):
            ctx, v = self.binds[ctx][v]
        return ctx, v

    def in_ctx(self, ctx: int, fn: Any, v: ir.Value, *rest: Any) -> Any:
        saved, self.ctx = self.ctx, ctx
        try:
            return fn(v, *rest)
        finally:
            self.ctx = saved

    def array(self, v: ir.Value) -> str:
        ctx, w = self.deref(v)
        if ctx != self.ctx or w != v:
            return self.in_ctx(ctx, self.array, w)
        if isinstance(v, ir.BlockArgument):
            owner = v.owner.owner
            if owner is None or owner.operation.name != "func.func":
                raise NotAffine("a memref that is a block argument of a loop")
            if self.ctx != 0:
                raise NotAffine("an argument of an inlined function without a binding")
            n = v.arg_number
            name = self.arg_names[n] if n < len(self.arg_names) else f"arg{n}"
            kind, argno = "arg", n
        elif v.owner.operation.name == "memref.get_global":
            return self.global_array(v)
        else:
            op = v.owner.operation
            if op.name not in ("memref.alloc", "memref.alloca") or len(op.operands):
                raise NotAffine(f"memref produced by {op.name}")
            if (self.ctx, v) not in self.locals:  # a fresh array per inlined call instance
                self.locals[(self.ctx, v)] = f"local{len(self.locals)}"
            name, kind, argno = self.locals[(self.ctx, v)], "local", -1
        key = "a_" + re.sub(r"\W", "_", name)
        if key not in self.prog.arrays:
            t = ir.MemRefType(v.type)
            if str(t.layout) not in ("", str(ir.AffineMapAttr.get(
                    ir.AffineMap.get_identity(t.rank)))):
                raise NotAffine(f"memref {name} has a non-identity layout {t.layout}")
            self.prog.arrays[key] = Array(name, tuple(t.shape), str(t.element_type), kind,
                                          argno)
        return key

    def global_array(self, v: ir.Value) -> str:
        """A constant global table: keyed by its type and contents (two modules' tables with
        the same contents are the same input); a non-constant global is not handled."""
        import hashlib

        sym = str(v.owner.operation.attributes["name"]).lstrip("@")
        decl = self.globals.get(sym)
        if decl is None or "constant" not in decl.attributes:
            raise NotAffine(f"global @{sym} is not a constant table")
        init = str(decl.attributes["initial_value"]) + str(v.type)
        key = "g_" + hashlib.sha256(init.encode()).hexdigest()[:12]
        if key not in self.prog.arrays:
            t = ir.MemRefType(v.type)
            self.prog.arrays[key] = Array(f"@{sym}", tuple(t.shape), str(t.element_type),
                                          "global")
        return key

    # -- walking -----------------------------------------------------------------------
    def walk(self, block: Any, sched: tuple[str, ...], dims: tuple[str, ...],
             dom: tuple[str, ...]) -> None:
        for pos, view in enumerate(block.operations):
            op = view.operation
            name = op.name
            here = (*sched, str(pos))
            if name == "affine.for":
                if len(op.results):
                    raise NotAffine("affine.for with loop-carried values (iter_args)")
                body = op.regions[0].blocks[0]
                iv = body.arguments[0]
                d = f"d{len(dims)}"
                self.ivs[iv] = d
                nlb = ir.AffineMapAttr(op.attributes["lowerBoundMap"]).value.n_inputs
                operands = list(op.operands)
                lbs = self.map_exprs(op, "lowerBoundMap", operands[:nlb])
                ubs = self.map_exprs(op, "upperBoundMap", operands[nlb:])
                step = ir.IntegerAttr(op.attributes["step"]).value
                cons = [f"{d} >= {x}" for x in lbs] + [f"{d} < {x}" for x in ubs]
                if step != 1:
                    if len(lbs) != 1:
                        raise NotAffine("a stepped loop with a max lower bound")
                    cons.append(f"({d} - ({lbs[0]})) mod {step} = 0")
                self.walk(body, (*here, d), (*dims, d), (*dom, *cons))
            elif name == "affine.if":
                if len(op.results):
                    raise NotAffine("affine.if yielding values")
                cond = self.set_cond(op)
                for ri, reg in enumerate(op.regions):
                    if len(reg.blocks):
                        c = cond if ri == 0 else f"not ({cond})"
                        self.walk(reg.blocks[0], (*here, str(ri)), dims, (*dom, c))
            elif name == "scf.if" and len(op.results):
                self.value_if(op, here, dims, dom)
            elif name in ("func.call", "call"):
                self.call(op, here, dims, dom)
            elif name in ("affine.store", "memref.store"):
                self.store(op, here, dims, dom)
            elif name == "memref.copy":
                self.copy(op, here, dims, dom)
            elif name in ("affine.load", "memref.load"):
                arr = self.array(op.operands[0])
                subs = self.subscripts(op, 1)
                lid = len(self.prog.loads)
                self.load_ids[op] = lid
                self.prog.loads.append(Access(f"L{lid}", dims, " and ".join(dom), arr, subs,
                                              _pad(here, dims)))
            elif name in ("memref.alloc", "memref.alloca") and dims:
                # a fresh buffer per iteration: a cell written in one iteration is not
                # there in the next (one array per function would claim it is)
                raise NotAffine(f"{name} inside a loop at {_loc(op) or 'unknown location'}")
            elif name in ("affine.yield", "func.return", "arith.constant", "affine.apply",
                          "memref.alloc", "memref.alloca", "memref.dealloc",
                          "memref.get_global") or \
                    (name.startswith(("arith.", "math.")) and not len(op.regions)):
                continue
            else:
                raise NotAffine(f"operation {name} at {_loc(op) or 'unknown location'}")

    def value_if(self, op: Any, here: tuple[str, ...], dims: tuple[str, ...],
                 dom: tuple[str, ...]) -> None:
        """A value-yielding `scf.if` whose branches only load and compute (no stores, no
        other regions but nested value-yielding ifs): its loads are registered as reads at
        the if's place, unconditionally (a read has no effect, and no store runs between the
        if and its branches, so a branch's load reads exactly what the unconditional read
        at that place reads); `tree` gives the if the node scf.if(cond, then, else)."""
        self.value_ifs.add(op)
        for ri, reg in enumerate(op.regions):
            if not len(reg.blocks):
                raise NotAffine(f"scf.if without an else branch at {_loc(op) or 'unknown'}")
            for pos, view in enumerate(reg.blocks[0].operations):
                o = view.operation
                at = (*here, str(ri), str(pos))
                if o.name == "scf.if" and len(o.results):
                    self.value_if(o, at, dims, dom)
                elif o.name in ("affine.load", "memref.load"):
                    lid = len(self.prog.loads)
                    self.load_ids[o] = lid
                    self.prog.loads.append(Access(f"L{lid}", dims, " and ".join(dom),
                                                  self.array(o.operands[0]),
                                                  self.subscripts(o, 1), _pad(at, dims)))
                elif o.name in ("scf.yield", "arith.constant", "affine.apply") or \
                        (o.name.startswith(("arith.", "math.")) and not len(o.regions)):
                    continue
                else:
                    raise NotAffine(f"operation {o.name} in a branch of scf.if at "
                                    f"{_loc(o) or 'unknown location'}")

    def call(self, op: Any, here: tuple[str, ...], dims: tuple[str, ...],
             dom: tuple[str, ...]) -> None:
        """Inline a call to a function of the module: its body is walked in place (its
        statements run at the call's place in execution order, inside the caller's loops),
        in a new call instance: each argument stands for the caller's operand, each local
        array is fresh, and each memref result stands for the memref the callee returns.
        Law: a `func.call` executes its callee's body on the operands, so the inlined
        statements describe exactly what the call executes. Calls to external functions,
        recursion and scalar results are NotAffine."""
        callee = str(op.attributes["callee"]).lstrip("@")
        fn = self.funcs.get(callee)
        if fn is None or not len(fn.regions[0].blocks):
            raise NotAffine(f"call to external function @{callee} at {_loc(op) or 'unknown'}")
        if callee in self.stack or len(self.stack) > 16:
            raise NotAffine(f"recursive call to @{callee}")
        if len(fn.regions[0].blocks) != 1:
            raise NotAffine(f"@{callee} has more than one block")
        block = fn.regions[0].blocks[0]
        new = len(self.binds) + 1
        self.binds[new] = {a: (self.ctx, x) for a, x in
                           zip(block.arguments, op.operands, strict=True)}
        caller = self.ctx
        self.ctx = new
        self.stack.append(callee)
        try:
            self.walk(block, here, dims, dom)
        finally:
            self.ctx = caller
            self.stack.pop()
        ret = list(block.operations)[-1]
        for res, x in zip(op.results, ret.operands, strict=True):
            if not str(res.type).startswith("memref<"):
                raise NotAffine(f"call to @{callee} with a scalar result")
            self.binds.setdefault(caller, {})[res] = (new, x)

    def set_cond(self, op: Any) -> str:
        text = str(op.attributes["condition"])
        m = re.match(r"affine_set<\(([^)]*)\)(\[[^\]]*\])?\s*:\s*\((.*)\)>$", text.strip())
        if not m:
            raise NotAffine(f"affine.if condition {text}")
        names = [x.strip() for x in m.group(1).split(",") if x.strip()]
        snames = [x.strip() for x in (m.group(2) or "[]")[1:-1].split(",") if x.strip()]
        vals = [self.index(v) for v in op.operands]
        env = dict(zip(names + snames, vals, strict=True))
        parts = []
        for c in split_top(m.group(3)):
            c = re.sub(r"\b([ds]\d+)\b", lambda mm: f"({env[mm.group(1)]})", c)
            parts.append(c.replace("==", "="))
        return " and ".join(parts) or "true"

    def subscripts(self, op: Any, first: int) -> tuple[str, ...]:
        operands = list(op.operands)[first:]
        if op.name.startswith("affine."):
            return tuple(self.map_exprs(op, "map", operands))
        return tuple(self.index(v) for v in operands)

    def store(self, op: Any, sched: tuple[str, ...], dims: tuple[str, ...],
              dom: tuple[str, ...]) -> None:
        arr = self.array(op.operands[1])
        if self.prog.arrays[arr].kind == "global":
            raise NotAffine(f"a store into the global table {self.prog.arrays[arr].name}")
        subs = self.subscripts(op, 2)
        memo: dict[Any, Any] = {}
        sid = len(self.prog.statements)
        acc = Access(f"S{sid}", dims, " and ".join(dom), arr, subs, _pad(sched, dims))
        self.prog.statements.append(Statement(acc, self.tree(op.operands[0], dims, memo),
                                              _loc(op)))

    def copy(self, op: Any, here: tuple[str, ...], dims: tuple[str, ...],
             dom: tuple[str, ...]) -> None:
        """A whole-array copy: one load and one store per cell, cell loops innermost."""
        src, dst = self.array(op.operands[0]), self.array(op.operands[1])
        if self.prog.arrays[dst].kind == "global":
            raise NotAffine(f"a copy into the global table {self.prog.arrays[dst].name}")
        shape = self.prog.arrays[src].shape
        if shape != self.prog.arrays[dst].shape:
            raise NotAffine("memref.copy between arrays of different shapes")
        cells = tuple(f"d{len(dims) + k}" for k in range(len(shape)))
        cdom = (*dom, *(f"0 <= {c} < {n}" for c, n in zip(cells, shape, strict=True)))
        inner = tuple(x for c in cells for x in (c, "0"))
        lsched = (*here, *inner) if cells else (*here, "0")
        ssched = (*here, *inner[:-1], "1") if cells else (*here, "1")
        lid = len(self.prog.loads)
        self.prog.loads.append(Access(f"L{lid}", (*dims, *cells), " and ".join(cdom), src,
                                      cells, lsched))
        sid = len(self.prog.statements)
        elem = self.prog.arrays[src].elem
        self.prog.statements.append(Statement(
            Access(f"S{sid}", (*dims, *cells), " and ".join(cdom), dst, cells, ssched),
            ("load", lid, elem), _loc(op)))

    def tree(self, v: ir.Value, dims: tuple[str, ...], memo: dict[Any, Any]) -> Any:
        if v in memo:
            return memo[v]
        if isinstance(v, ir.BlockArgument):
            ctx, w = self.deref(v)
            if v in self.ivs:
                t: Any = ("iv", self.ivs[v], _type(v))
            elif ctx != self.ctx or w != v:
                t = self.in_ctx(ctx, self.tree, w, dims, memo)
            elif self.ctx != 0:
                raise NotAffine("an argument of an inlined function without a binding")
            else:
                owner = v.owner.owner
                if owner is None or owner.operation.name != "func.func":
                    raise NotAffine("a value carried by a region argument")
                t = ("arg", v.arg_number, _type(v))
        else:
            op = v.owner.operation
            if op.name in ("affine.load", "memref.load"):
                if op not in self.load_ids:
                    raise NotAffine("a load used outside the loops it was read in")
                t = ("load", self.load_ids[op], _type(v))
            elif op.name == "affine.apply":
                t = ("iv", self.index(v), _type(v))
            elif op.name == "arith.constant":
                t = ("const", str(op.attributes["value"]), _type(v))
            elif op.name == "scf.if" and op in self.value_ifs:
                k = v.result_number
                yields = [list(r.blocks[0].operations)[-1].operands[k] for r in op.regions]
                t = ("op", "scf.if", "", _type(v), k,
                     (self.tree(op.operands[0], dims, memo),
                      *(self.tree(y, dims, memo) for y in yields)))
            elif op.name.startswith(("arith.", "math.")) and not len(op.regions):
                _check_meaning(op)
                t = ("op", op.name, attr_signature(op), _type(v), v.result_number,
                     tuple(self.tree(x, dims, memo) for x in op.operands))
            else:
                raise NotAffine(f"value computed by {op.name}")
        memo[v] = t
        return t


def _check_meaning(op: Any) -> None:
    """Ops the concrete tier also gives a meaning (`Z3_OPS`), minus known LLVM defects."""
    from allo_verify.equiv.z3_table import Z3_OPS

    name = op.name
    if name not in Z3_OPS and name not in ("arith.index_cast", "arith.index_castui"):
        raise NotAffine(f"no symbolic meaning for op '{name}'")
    if name in ("arith.sitofp", "arith.uitofp"):
        src, dst = str(op.operands[0].type), str(op.results[0].type)
        if src.startswith("i") and int(src[1:]) > 128 and dst in ("f16", "f32", "bf16"):
            raise NotAffine(f"{name} from {src} to {dst}: LLVM 22 converts integers wider "
                            "than 128 bits to f16/f32 wrongly")


def _pad(sched: tuple[str, ...], dims: tuple[str, ...]) -> tuple[str, ...]:
    """The 2d+1 schedule vector (positions interleaved with `dims`; padded by isl users)."""
    return sched


def extract_program(func_op: Any, arg_names: list[str] | None = None) -> Program:
    """The polyhedral description of `func_op` (a `func.func`), or `NotAffine`."""
    ex = _Extractor(arg_names or [])
    parent = func_op.parent
    if parent is not None:
        for view in parent.regions[0].blocks[0].operations:
            o = view.operation
            if o.name == "memref.global":
                ex.globals[ir.StringAttr(o.attributes["sym_name"]).value] = o
            elif o.name == "func.func":
                ex.funcs[ir.StringAttr(o.attributes["sym_name"]).value] = o
    region = func_op.regions[0]
    if len(region.blocks) != 1:
        raise NotAffine("the function body has more than one block")
    block = region.blocks[0]
    ex.prog.n_args = len(block.arguments)
    for v in block.arguments:  # every argument array is an output (written or not)
        if str(v.type).startswith("memref<"):
            ex.array(v)
    ex.walk(block, (), (), ())
    ret = list(block.operations)[-1]
    pos = str(len(list(block.operations)) - 1)
    for k, v in enumerate(ret.operands):
        if str(v.type).startswith("memref<"):
            ex.prog.outputs.append((f"return[{k}]", ex.array(v)))
            continue
        # a scalar result: a statement at the return writing the 0-d pseudo array ret{k}
        key = f"ret{k}"
        ex.prog.arrays[key] = Array(f"return[{k}]", (), str(v.type), "result")
        sid = len(ex.prog.statements)
        ex.prog.statements.append(Statement(Access(f"S{sid}", (), "", key, (), (pos, str(k))),
                                            ex.tree(v, (), {}), _loc(ret)))
        ex.prog.outputs.append((f"return[{k}]", key))
    for key, a in ex.prog.arrays.items():
        if a.kind == "arg":
            ex.prog.outputs.append((a.name, key))
    return ex.prog
