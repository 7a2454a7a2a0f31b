"""A hash-consed term graph in plain Python.

Each term is an int id. `TermStore.mk` interns `(op, type, args, attr)` after cheap
normalizations, so structurally equal terms get the same id:
- constant folding with `concrete.eval_op` (ints; floats only for ops exact in LLVM; a
  float-to-int conversion only when its value fits, since LLVM leaves the rest undefined),
- commutative ops (integer add/mul/and/or/xor/min/max, float add/mul, eq/ne compares)
  get their operands sorted by id,
- integer identities: x+0, x-0, x*1, x|0, x^0 -> x; x*0, x&0 -> 0; select(c, a, a) -> a;
  select on a constant condition picks its branch; truncation is pushed through modular
  ops (add, sub, mul, and, or, xor, select) and folded into extensions, so the frontend's
  widen-compute-truncate patterns meet the narrow arithmetic they are equal to.
No float identity is applied (x + 0.0 is not x for x = -0.0).

Law: two ids are equal only if the terms are equal in every model; unequal ids say nothing
(Z3 decides those). `reassociate` is a separate, opt-in rewrite (float sums as sorted
n-ary `reassoc.sumf`) that is sound only modulo reassociation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allo_verify.equiv.concrete import eval_op, fold_defined, is_float, width
from allo_verify.equiv.z3_table import FLOAT_COMMUTATIVE, lookup, uf, z3_const, z3_var

_INT_COMM = frozenset({"arith.addi", "arith.muli", "arith.andi", "arith.ori", "arith.xori",
                       "arith.minsi", "arith.maxsi", "arith.minui", "arith.maxui"})
# Float ops folded on constants: those whose `eval_op` is bit-exact with LLVM (see
# tests/equiv/test_fold_vs_llvm.py; NaN results match any NaN). Not the libm functions.
_FLOAT_FOLD = frozenset({"arith.addf", "arith.subf", "arith.mulf", "arith.divf", "arith.remf",
                         "arith.negf", "math.absf", "arith.extf", "arith.truncf", "arith.cmpf",
                         "arith.sitofp", "arith.uitofp", "arith.bitcast", "arith.select",
                         "math.sqrt", "math.floor", "arith.maximumf", "arith.minimumf",
                         "arith.fptosi", "arith.fptoui"})
_TRUNC_THROUGH = frozenset({"arith.addi", "arith.subi", "arith.muli", "arith.andi",
                            "arith.ori", "arith.xori", "arith.select"})
_COMM = _INT_COMM | FLOAT_COMMUTATIVE
_SIMPLIFIABLE = frozenset({"arith.select", "arith.trunci"})
SUMF = "reassoc.sumf"
CONST = "const"
LEAF = "leaf"


class TermStore:
    """Interned terms. Parallel lists indexed by id: op, type, args, attr; `cval[id]` is the
    constant value (bit pattern) or None; `leaf_info[id]` is (name, cell) for inputs."""

    def __init__(self) -> None:
        self.op: list[str] = []
        self.ty: list[str] = []
        self.args: list[tuple[int, ...]] = []
        self.attr: list[Any] = []
        self.cval: list[int | None] = []
        self.table: dict[tuple[Any, ...], int] = {}
        self.leaf_info: dict[int, tuple[str, tuple[int, ...]]] = {}

    def __len__(self) -> int:
        return len(self.op)

    def _new(self, key: tuple[Any, ...], op: str, t: str, args: tuple[int, ...], attr: Any,
             cv: int | None) -> int:
        i = len(self.op)
        self.op.append(op)
        self.ty.append(t)
        self.args.append(args)
        self.attr.append(attr)
        self.cval.append(cv)
        self.table[key] = i
        return i

    def const(self, value: int, t: str) -> int:
        """The constant term with bit pattern (or index int) `value` of type `t`."""
        key = (CONST, t, value)
        i = self.table.get(key)
        return i if i is not None else self._new(key, CONST, t, (), value, value)

    def leaf(self, name: str, cell: tuple[int, ...], t: str) -> int:
        """The input variable `name[cell]` of type `t` (cell () for scalars)."""
        key = (LEAF, t, name, cell)
        i = self.table.get(key)
        if i is None:
            i = self._new(key, LEAF, t, (), (name, cell), None)
            self.leaf_info[i] = (name, cell)
        return i

    def mk(self, op: str, t: str, args: tuple[int, ...], attr: Any = None) -> int:
        """The interned, normalized term `op(args) : t`."""
        if op in _COMM and args[0] > args[1]:
            args = (args[1], args[0])
        key = (op, t, args, attr)
        i = self.table.get(key)
        if i is not None:
            return i
        cv = self.cval
        vals = [cv[a] for a in args]
        if None not in vals:
            if (not is_float(t) and not any(is_float(self.ty[a]) for a in args)
                    or op in _FLOAT_FOLD) and fold_defined(op, t, self.ty[args[0]], vals):
                ats = tuple(self.ty[a] for a in args)
                return self.const(eval_op(op, t, ats, attr, vals), t)  # type: ignore[arg-type]
        elif op in _SIMPLIFIABLE or vals.count(None) < len(vals):
            r = self._simplify(op, t, args, vals)
            if r is not None:
                self.table[key] = r  # remember the rewrite: a chain is simplified once
                return r
        return self._new(key, op, t, args, attr, None)

    def _simplify(self, op: str, t: str, args: tuple[int, ...], vals: list[int | None]) -> \
            int | None:
        if op == "arith.select":
            c, a, b = args
            if vals[0] is not None:
                return a if vals[0] else b
            return a if a == b else None
        if op == "arith.trunci":
            return self._trunc(args[0], t)
        if is_float(t) or len(args) != 2:
            return None
        # commutative ops have a constant (lower id is not guaranteed): check both sides
        for k in (0, 1):
            v = vals[k]
            if v is None:
                continue
            other = args[1 - k]
            if v == 0 and (op in ("arith.addi", "arith.ori", "arith.xori")
                           or (k == 1 and op in ("arith.subi", "arith.shli", "arith.shrui",
                                                 "arith.shrsi"))):
                return other
            if v == 0 and op in ("arith.muli", "arith.andi"):
                return args[k]
            if v == 1 and op == "arith.muli":
                return other
            if t != "index" and v == (1 << width(t)) - 1 and op == "arith.andi":
                return other
        return None

    def _trunc(self, x: int, t: str) -> int | None:
        """Push a truncation to `t` into modular ops: trunc(x op y) = trunc(x) op trunc(y) for
        add/sub/mul/and/or/xor/select, and trunc(ext(x)) is x, trunc(x) or ext(x) by width."""
        op = self.op[x]
        if op in _TRUNC_THROUGH:
            a = self.args[x]
            if op == "arith.select":
                return self.mk(op, t, (a[0], self.mk("arith.trunci", t, (a[1],)),
                                       self.mk("arith.trunci", t, (a[2],))))
            return self.mk(op, t, tuple(self.mk("arith.trunci", t, (y,)) for y in a))
        if op in ("arith.extsi", "arith.extui", "arith.trunci"):
            inner = self.args[x][0]
            wi, wt = width(self.ty[inner]), width(t)
            if wi == wt:
                return inner
            if wi > wt:
                return self.mk("arith.trunci", t, (inner,))
            return self.mk(op, t, (inner,)) if op != "arith.trunci" else None
        return None

    def deps(self, roots: Iterable[int]) -> list[int]:
        """All ids reachable from `roots`, children before parents."""
        seen: set[int] = set()
        order: list[int] = []
        for r in roots:
            if r in seen:
                continue
            stack: list[tuple[int, bool]] = [(r, False)]
            while stack:
                n, done = stack.pop()
                if done:
                    order.append(n)
                    continue
                if n in seen:
                    continue
                seen.add(n)
                stack.append((n, True))
                for a in self.args[n]:
                    if a not in seen:
                        stack.append((a, False))
        return order

    def leaves(self, roots: Iterable[int]) -> list[int]:
        return [n for n in self.deps(roots) if self.op[n] == LEAF]

    def evaluate(self, roots: Iterable[int], env: dict[int, int]) -> dict[int, int]:
        """Concrete values (bit patterns) of `roots` given leaf values `env` (id -> bits).

        Law: agrees with `to_z3` under the model leaf = env[leaf] for interpreted ops;
        floats are computed with IEEE (NumPy) semantics, sums left to right in id order."""
        val: dict[int, int] = {}
        for n in self.deps(roots):
            op = self.op[n]
            if op == CONST:
                val[n] = self.attr[n]
            elif op == LEAF:
                val[n] = env[n]
            elif op == SUMF:
                acc = val[self.args[n][0]]
                t = self.ty[n]
                for a in self.args[n][1:]:
                    acc = eval_op("arith.addf", t, (t, t), None, [acc, val[a]])
                val[n] = acc
            else:
                ats = tuple(self.ty[a] for a in self.args[n])
                val[n] = eval_op(op, self.ty[n], ats, self.attr[n],
                                 [val[a] for a in self.args[n]])
        return val

    def to_z3(self, roots: Iterable[int], memo: dict[int, Any]) -> list[Any]:
        """Z3 expressions for `roots` (memoized in `memo`); leaves become variables
        named `name[cell]`. Raises NotImplementedError for an op missing from the table."""
        roots = list(roots)
        for n in self.deps(roots):
            if n in memo:
                continue
            op = self.op[n]
            t = self.ty[n]
            if op == CONST:
                memo[n] = z3_const(self.attr[n], t)
            elif op == LEAF:
                memo[n] = z3_var(leaf_name(*self.attr[n]), t)
            elif op == SUMF:
                f = uf("arith.addf", (t, t), t)
                acc = memo[self.args[n][0]]
                for a in self.args[n][1:]:
                    acc = f(acc, memo[a])
                memo[n] = acc
            else:
                ats = tuple(self.ty[a] for a in self.args[n])
                memo[n] = lookup(op)([memo[a] for a in self.args[n]], t, ats, self.attr[n])
        return [memo[r] for r in roots]

    def reassociate(self, roots: Iterable[int], memo: dict[int, int]) -> list[int]:
        """Rewrite float sums into sorted n-ary `reassoc.sumf` terms, dropping +0.0 terms
        (sound only modulo reassociation and commutation of float addition and the sign of
        a zero sum, as with fast-math reassoc + nsz). Memoized in `memo`."""
        roots = list(roots)
        for n in self.deps(roots):
            if n in memo:
                continue
            op = self.op[n]
            if op in (CONST, LEAF):
                memo[n] = n
                continue
            args = tuple(memo[a] for a in self.args[n])
            if op == "arith.addf" or op == SUMF:
                flat: list[int] = []
                for a in args:
                    if self.op[a] == SUMF:
                        flat.extend(self.args[a])
                    else:
                        flat.append(a)
                nonzero = [a for a in flat if not (self.op[a] == CONST and self.attr[a] == 0)]
                flat = sorted(nonzero) if nonzero else flat[:1]
                if len(flat) == 1:
                    memo[n] = flat[0]
                    continue
                key = (SUMF, self.ty[n], tuple(flat), None)
                i = self.table.get(key)
                memo[n] = i if i is not None else self._new(key, SUMF, self.ty[n],
                                                            tuple(flat), None, None)
            else:
                memo[n] = self.mk(op, self.ty[n], args, self.attr[n]) \
                    if args != self.args[n] else n
        return [memo[r] for r in roots]

    def show(self, i: int, depth: int = 3) -> str:
        """A short readable rendering of term `i`."""
        op = self.op[i]
        if op == CONST:
            return f"{self.attr[i]}:{self.ty[i]}"
        if op == LEAF:
            return leaf_name(*self.attr[i])
        if depth == 0:
            return "..."
        inner = ", ".join(self.show(a, depth - 1) for a in self.args[i])
        return f"{op.split('.')[-1]}({inner})"


def leaf_name(name: str, cell: tuple[int, ...]) -> str:
    """The Z3 variable name of input cell `name[cell]`."""
    return f"{name}[{','.join(map(str, cell))}]" if cell else name
