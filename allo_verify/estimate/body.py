"""What one execution of a block costs, as the latency estimator accumulates it: latency,
memory accesses (unguarded, and per `if` arm), and the load -> store pairs a loop around it
may carry.

Law: `total_accesses(b)` counts every unguarded access of `b` once and, for each `if`, the
per-array maximum over its arms: never less than what any one execution of `b` accesses,
and no more than the sum over all arms.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Body:
    """What one execution of a block costs: its latency, its memory accesses per array, and
    the load -> store chains through memory that a loop around it may carry."""

    latency: int = 0
    #: accesses per array that happen in every execution (`alts` holds the guarded ones)
    accesses: Counter = field(default_factory=Counter)
    #: [array, load, store, cycles]: a store of `array` after a load of it in one execution,
    #: with the cycles from the load's start to the store's end (along the stored value's
    #: operands when the load feeds the store); a loop around both carries it only at the
    #: distance `dependence.distance` finds (per cell, not per array)
    pairs: list[list[Any]] = field(default_factory=list)
    #: array -> "load" or "store": the kind of its first access in one execution
    first: dict[Any, str] = field(default_factory=dict)
    #: the loads behind `accesses`: [array, load op, copies so far]; a load whose address
    #: does not change across the copies of an unrolled loop is one access (HLS merges them)
    loads: list[list[Any]] = field(default_factory=list)
    #: the arms of each `if`: one group per `if`, its arms mutually exclusive (they share
    #: ports: a group costs the per-array maximum over its arms, see `total_accesses`)
    alts: list[list[Body]] = field(default_factory=list)


def total_accesses(body: Body) -> Counter:
    """Accesses per array of one execution of `body` as ports see them: the unguarded ones,
    plus for each `if` the per-array maximum over its arms (mutually exclusive arms can share
    a port in one cycle; an `if` without `else` is one arm, charged in full, as a statically
    scheduled pipeline reserves its ports whether or not it runs)."""
    out = Counter(body.accesses)
    for arms in body.alts:
        per = [total_accesses(arm) for arm in arms]
        for arr in {a for p in per for a in p}:
            out[arr] += max(p[arr] for p in per)
    return out
