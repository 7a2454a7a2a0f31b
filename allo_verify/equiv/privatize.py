"""Local scalars that each loop iteration starts by overwriting carry no value between
iterations; the order obligation may then ignore conflicts across those iterations.

A kernel's `acc: int32 = bias[o]` inside `for o` is one memory cell reused by every
iteration, so memory-based dependences serialize all iterations of `o`. But each iteration
begins by storing to `acc`, so no value flows from one iteration to the next: the
iterations may be reordered as long as (1) the same holds after the rewrite, (2) the
iterations before and after correspond one to one (instances share an iteration before
exactly when they share one after), and (3) inside one iteration the conflicting accesses
keep their order. Loop iterations run contiguously, so then every read sees the same write.
"""

from __future__ import annotations

from collections.abc import Iterable

from allo_verify.equiv.polyhedral import Statement


def _common_prefix(chains: list[tuple]) -> tuple:
    out = []
    for entries in zip(*chains, strict=False):
        if any(e != entries[0] for e in entries):
            break
        out.append(entries[0])
    return tuple(out)


def private_scope(stmts: Iterable[Statement], buf: str) -> tuple[str, ...] | None:
    """The loops (outermost first, ending with L) of the innermost loop L enclosing every
    access to the local scalar `buf`, when each iteration of L begins with a statement
    directly in L's body that writes `buf` without reading it; else None."""
    found = private_kill(stmts, buf)
    return found[0] if found else None


def private_kill(stmts: Iterable[Statement], buf: str
                 ) -> tuple[tuple[str, ...], Statement] | None:
    """`private_scope` and the statement that overwrites `buf` first in each iteration."""
    touching = [s for s in stmts if any(a.buffer == buf for a in s.accesses)]
    accs = [a for s in touching for a in s.accesses if a.buffer == buf]
    if not touching or any(not a.local or a.subscripts != () for a in accs):
        return None
    if buf in touching[0].loose_reads:  # read by a return, a condition, a call: not private
        return None
    prefix = _common_prefix([s.chain for s in touching])
    loops_at = [k for k, e in enumerate(prefix) if e[1] is not None]
    if not loops_at:
        return None
    depth = loops_at[-1] + 1
    if any(len(s.chain) <= depth for s in touching):
        return None
    first = min(touching, key=lambda s: s.chain[depth][0])
    kills = (len(first.chain) == depth + 1
             and [a.write for a in first.accesses if a.buffer == buf] == [True])
    if not kills or sum(s.chain[depth][0] == first.chain[depth][0] for s in touching) != 1:
        return None
    return tuple(e[1] for e in prefix[:depth] if e[1] is not None), first
