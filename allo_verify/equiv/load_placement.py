"""Where a statement's loads run, against what L1's model assumes.

The instance-map checker models every load of a statement's value as running at the
statement itself (same instance, same place in the 2d+1 order). That is exact when no
write to the loaded buffer can run between the load and the statement; otherwise the model
reads a value the program never reads. A rewrite could then keep every modelled fact and
change the program: hoisting `%v = load x` above `x = ...` keeps the statement `B[i] = v + 1`
with the same tree, loops, accesses and chain, yet B now gets the previous value of x.

The same holds for the loads of a data-dependent condition, whose value is used where its
`if` (or `while`) op is, the place `guard_groups` keeps: hoisting the load of `c[i]` in
`c[i] = c[i] - 1; if c[i] > 0: ...` above the store tests the old value.

Law kept here: a statement some of whose loads are separated from their use (the statement,
or the op of the condition the load feeds) by a write to the loaded buffer, on either side
of a rewrite, gets a `reason`, so its obligations are Unknown, never proved. A write W
separates load L from use U when W runs after L and before U in program order
(`L < W < U` by position), or W is inside a loop around U that L is outside of (an earlier
iteration of W precedes a later instance of U, W = the statement itself included).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from allo_verify.equiv.polyhedral import Statement


def _position(chain: tuple) -> tuple:
    """Program (pre-)order key of an op: the positions of its enclosing ops and its own."""
    return tuple(e[0] for e in chain)


def separates(load: tuple, write: tuple, stmt: tuple) -> bool:
    """Whether a write at chain `write` may run between a load at chain `load` and the
    instance of the statement at chain `stmt` that uses the loaded value."""
    from allo_verify.equiv.polyhedral import REPEATING, entry_kind

    if _position(load) < _position(write) < _position(stmt):
        return True
    common = 0
    while common < min(len(load), len(stmt)) and load[common] == stmt[common]:
        common += 1
    return any(entry_kind(stmt[d]) in REPEATING and write[:d + 1] == stmt[:d + 1]
               for d in range(common, len(stmt)))


def mark_separated_loads(statements: Sequence[Statement],
                         loads: Sequence[tuple[tuple[tuple, str, str, tuple], ...]]) -> None:
    """Give each statement with a load (chain, buffer, location, chain of its use) that a
    write to the loaded buffer separates from its use (see the module docstring) a `reason`
    naming the load and the write."""
    writers: dict[str, list[Statement]] = {}
    for s in statements:
        for a in s.accesses:
            if a.write:
                writers.setdefault(a.buffer, []).append(s)
    for s, used in zip(statements, loads, strict=True):
        for chain, buf, where, at in used:
            w = next((w for w in writers.get(buf, ()) if separates(chain, w.chain, at)), None)
            if w is not None:
                note = (f"its load of {buf} ({where or 'no location'}) runs before a write to "
                        f"{buf} (S{w.sid}, {w.location or 'no location'}) that may precede "
                        "its use, and L1 models every load at its use")
                s.reason = f"{s.reason}; {note}" if s.reason else note
                break
