"""Definite assignment of a kernel's local names (the frontend's zero-initialization rule).

`maybe_unassigned(fdef)` is the set of names some read of which may run before any
assignment of that name has run, on some path through the kernel: a loop that may run no
iteration, a branch that may not be taken. The frontend zero-initializes exactly those local
scalars at the function entry, so every read has one defined value, and leaves every other
scalar without an extra store (its first assignment always runs first).

The analysis is the usual forward "definitely assigned" one over the AST, conservative in
the safe direction: after `if`, a name is assigned when both branches assign it; after a
loop, only what was assigned before it (the loop may run no iteration); a loop body is read
with what was assigned before the loop plus what the body assigns before the read (the
first iteration). Kernels have no break, continue or early return, so statements in a
block run in order.
"""

from __future__ import annotations

import ast


def _reads(node: ast.AST | None) -> list[str]:
    if node is None:
        return []
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)]


def _targets(node: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Store)]


class _Analysis:
    def __init__(self, locals_: set[str]) -> None:
        self.locals = locals_
        self.maybe: set[str] = set()

    def read(self, names: list[str], assigned: set[str]) -> None:
        self.maybe.update(n for n in names if n in self.locals and n not in assigned)

    def block(self, stmts: list[ast.stmt], assigned: set[str]) -> set[str]:
        out = set(assigned)
        for s in stmts:
            out = self.stmt(s, out)
        return out

    def stmt(self, s: ast.stmt, assigned: set[str]) -> set[str]:
        if isinstance(s, ast.If):
            self.read(_reads(s.test), assigned)
            return self.block(s.body, assigned) & self.block(s.orelse, assigned)
        if isinstance(s, ast.For):
            self.read(_reads(s.iter), assigned)
            self.block(s.body, assigned | set(_targets(s.target)))
            return assigned
        if isinstance(s, ast.With):  # meta blocks: built or not, like a branch
            self.block(s.body, assigned | {n for i in s.items for n in _targets(i)})
            return assigned
        if isinstance(s, ast.While):
            self.read(_reads(s.test), assigned)
            self.block(s.body, assigned)
            return assigned
        if isinstance(s, ast.AugAssign):  # reads its target first
            self.read(_reads(s.value) + _targets(s.target) + _reads(s.target), assigned)
            return assigned | set(_targets(s.target))
        if isinstance(s, (ast.Assign, ast.AnnAssign)):
            value = s.value
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            self.read(_reads(value) + [r for t in targets for r in _reads(t)], assigned)
            if isinstance(s, ast.AnnAssign) and value is None:
                return assigned | set(_targets(s.target))  # `x: int32` declares x = 0
            return assigned | {n for t in targets for n in _targets(t)}
        self.read(_reads(s), assigned)
        return assigned


def maybe_unassigned(fdef: ast.FunctionDef) -> set[str]:
    """Local names of `fdef` that some read may reach before any assignment of them."""
    locals_ = {n for s in fdef.body for n in _targets(s)}
    a = _Analysis(locals_)
    a.block(fdef.body, {arg.arg for arg in fdef.args.args})
    return a.maybe
