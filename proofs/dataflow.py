"""dataflow: the acyclicity lemma behind `allo_verify.schedule.primitives.dataflow`.

The dataflow checker numbers a region's stages in program order and proves, per buffer,
one producer stage p and one consumer stage c with p < c (no feedback unless declared).
Overlapping the stages is then safe because the channel graph has no cycle: along any chain
of channels s0 -> s1 -> ... every step raises the stage number, so the chain never returns
to where it started. For all stage numbers (symbolic), chains of up to four channels:

    forward-chain   s0 < s1, s1 < s2, ..., s_{k-1} < s_k  =>  s_k != s0    (k = 1..4)

Broken variant, refuted: with one feedback channel (a consumer numbered at or before its
producer) a chain of two channels returns to its start.
"""

from __future__ import annotations

import z3

from proofs._lemma import assert_proved, assert_refuted, report

S = z3.Ints("s0 s1 s2 s3 s4")


def forward_chain(length: int, feedback_at: int | None = None) -> z3.BoolRef:
    """A chain of `length` channels; the one at `feedback_at` may go backwards."""
    steps = [S[t] < S[t + 1] if t != feedback_at else S[t] >= S[t + 1]
             for t in range(length)]
    return z3.Implies(z3.And(*steps), S[length] != S[0])


LEMMAS = {f"forward-chain of {k}": (lambda k=k: forward_chain(k)) for k in range(1, 5)}
BROKEN = {"one feedback channel": lambda: forward_chain(2, feedback_at=1)}


def test_lemmas() -> None:
    for build in LEMMAS.values():
        assert_proved(build())


def test_feedback_channel_is_refuted() -> None:
    cex = assert_refuted(forward_chain(2, feedback_at=1))
    s0, s1, s2 = cex["s0"], cex["s1"], cex["s2"]
    assert s0 < s1 and s1 >= s2 and s2 == s0  # producer before consumer, then back again


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
