"""`x: T @ Stateful = init` variables kept across calls.

Law (equiv/state.py): a stateful kernel is checked with its state as an extra input and
output: two designs are equivalent when, from every state and every input, they return the
same results and leave the same state, and they start from the same initial state. The
LLVM simulation keeps the state across calls of one built kernel (fresh per build); the
emitted C++ keeps it in a `static` variable, and C simulation of a call sequence agrees.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from lang_util import assert_frontend_error_at, tagged_line
from mlir import ir

import allo_verify as allo
from allo_verify import (
    Fixed,
    ScheduleError,
    Stateful,
    float32,
    int16,
    int32,
    uint4,
)
from allo_verify.codegen.hls import csim_check, emit_hls
from allo_verify.equiv.api import verify_modules

N = 8


def k_acc(A: int32[N]) -> int32:
    acc: int32 @ Stateful = 5
    hist: int32[N] @ Stateful = 0
    for i in range(N):
        acc = acc + A[i]
        hist[i] += A[i]
    return acc + hist[0]


class RefAcc:
    """NumPy model of k_acc's calls."""

    def __init__(self) -> None:
        self.acc = 5
        self.hist = np.zeros(N, dtype=np.int64)

    def __call__(self, A: np.ndarray) -> int:
        self.acc = int(np.int32(self.acc + int(A.astype(np.int64).sum())))
        self.hist = (self.hist + A).astype(np.int32).astype(np.int64)
        return int(np.int32(self.acc + self.hist[0]))


def k_chain(A: int32[4, 4]) -> int32[4]:
    """State updated in an order-sensitive way (acc = acc * 3 + x, wrapping)."""
    acc: int32 @ Stateful = 1
    out: int32[4] = 0
    for i in range(4):
        for j in range(4):
            acc = acc * 3 + A[i, j]
        out[i] = acc
    return out


def k_count(A: int32[N]) -> int32[N]:
    """Counts its calls; the result does not depend on the state."""
    calls: int32 @ Stateful = 0
    B: int32[N] = 0
    for i in range(N):
        B[i] = A[i] + 1
    calls = calls + 1
    return B


def k_fir(x: int16) -> int16:
    """A shift register kept across calls (Allo's stateful FIR pattern)."""
    taps: int16[4] @ Stateful = [0, 0, 0, 0]
    for k in range(3):
        taps[3 - k] = taps[2 - k]
    taps[0] = x
    y: int16 = 0
    for k in range(4):
        y += taps[k] * (k + 1)
    return y


def _ints(shape, seed, lo=-1000, hi=1000):
    return np.random.default_rng(seed).integers(lo, hi, shape).astype(np.int32)


def test_state_persists_across_calls_and_matches_numpy():
    f = allo.customize(k_acc).build()
    ref = RefAcc()
    outs = []
    for seed in range(5):
        A = _ints(N, seed)
        got = f(A)
        assert got == ref(A)
        outs.append(got)
    assert len(set(outs)) > 1  # the state really changes what a call returns


def test_each_build_starts_from_the_initial_state():
    s = allo.customize(k_acc)
    A = _ints(N, 0)
    first = s.build()(A)
    again = s.build()(A)
    assert first == again == RefAcc()(A)


def test_shift_register_state():
    f = allo.customize(k_fir).build()
    xs = [3, -2, 7, 1, 5, 0]
    taps = [0, 0, 0, 0]
    for x in xs:
        taps = [x, *taps[:3]]
        want = sum(t * (k + 1) for k, t in enumerate(taps))
        assert f(np.int16(x)) == want


def test_ir_is_a_global_initialized_once():
    text = str(allo.customize(k_acc).module)
    assert 'memref.global "private" @__state_k_acc_acc : memref<i32> = dense<5>' in text
    assert 'allo.stateful = "acc"' in text and 'allo.stateful = "hist"' in text
    assert "constant" not in text.split("func.func")[0]  # mutable globals


def test_scheduled_stateful_kernel_verifies_with_state_as_input_and_output():
    s = allo.customize(k_acc)
    s.split("i", 4)
    s.pipeline("i.inner")
    cert = s.verify(csim=True, trials=30)
    assert cert.ok, cert
    names = {e.name for e in cert.entries}
    assert "stateful-initial-values" in names
    l3 = next(e for e in cert.entries if e.layer == "L3")
    assert l3.result.status == "agreed"


def test_reorder_changing_final_state_is_refused():
    """Reordering i and j changes the order of the updates of `acc` (and its final value):
    L1 refutes, the step is refused and the schedule is unchanged."""
    s = allo.customize(k_chain)
    before = str(s.module)
    with pytest.raises(ScheduleError):
        s.reorder("j", "i")
    assert str(s.module) == before


def _mutated(s, old: str, new: str) -> ir.Module:
    text = str(s.module)
    assert old in text
    with s.module.context:
        return ir.Module.parse(text.replace(old, new, 1))


def _plus_one_before_store(s, tag: str) -> ir.Module:
    """The module with 1 added to the value the store tagged `tag` writes."""
    lines = str(s.module).splitlines()
    k = next(n for n, t in enumerate(lines) if "affine.store" in t and tag in t)
    m = re.match(r"(\s*)affine\.store (%[\w]+), (.*)", lines[k])
    assert m, lines[k]
    pad, v, rest = m.groups()
    lines[k:k + 1] = [f"{pad}%mut_one = arith.constant 1 : i32",
                      f"{pad}%mut_v = arith.addi {v}, %mut_one : i32",
                      f"{pad}affine.store %mut_v, {rest}"]
    with s.module.context:
        return ir.Module.parse("\n".join(lines))


def test_changed_final_state_is_refuted_not_proved():
    """A design that leaves a different value in the state (every result unchanged) is
    refuted by L2 and L3, with the state named as the differing output."""
    s = allo.customize(k_count)
    bad = _plus_one_before_store(s, "[] {stmt_id")  # calls = calls + 1 stores one more
    cert = verify_modules(s.module, bad, s.sig, layers=("L2", "L3"))
    assert not cert.ok
    l2 = next(e for e in cert.entries if e.name == "translation-validation")
    l3 = next(e for e in cert.entries if e.layer == "L3")
    assert l2.result.status == "refuted" and l3.result.status == "refuted"
    assert l3.result.counterexample.output == "state_calls"
    assert l2.result.counterexample.output == "state_calls"


def test_changed_initial_state_is_refuted():
    s = allo.customize(k_acc)
    bad = _mutated(s, "dense<5>", "dense<6>")
    cert = verify_modules(s.module, bad, s.sig, layers=("L2", "L3"))
    assert not cert.ok
    e = next(e for e in cert.entries if e.name == "stateful-initial-values")
    assert e.result.status == "refuted"
    assert (e.result.counterexample.value_a, e.result.counterexample.value_b) == (5, 6)


def test_equal_initial_state_alone_never_proves():
    """The STATE entry is not a proof of the design: with only L3 run, not proved."""
    s = allo.customize(k_acc)
    cert = verify_modules(s.module, s.module, s.sig, layers=("L3",))
    state = next(e for e in cert.entries if e.name == "stateful-initial-values")
    assert state.layer == "STATE" and state.result.status == "proved"
    assert not cert.ok


def test_reports_render_the_state_entry():
    from allo_verify.report.html import to_html
    from allo_verify.report.markdown import to_markdown

    s = allo.customize(k_acc)
    s.split("i", 4)
    d = s.verify(trials=10).to_dict()
    assert "stateful-initial-values" in to_markdown(d)
    assert "stateful-initial-values" in to_html(d)


def test_check_equivalent_matches_state_by_variable():
    def k_same(A: int32[N]) -> int32:
        acc: int32 @ Stateful = 5
        hist: int32[N] @ Stateful = 0
        for i in range(N):
            hist[i] += A[i]
            acc = acc + A[i]
        return hist[0] + acc

    def k_drop(A: int32[N]) -> int32:
        acc: int32 @ Stateful = 5
        hist: int32[N] @ Stateful = 0
        for i in range(N):
            acc = acc + A[i]
            hist[i] += A[i] * (1 if i < N - 1 else 0)
        return acc + hist[0]

    assert allo.check_equivalent(k_acc, k_same).ok
    cert = allo.check_equivalent(k_acc, k_drop)
    assert not cert.ok
    assert any(e.result.status == "refuted" for e in cert.entries)


def test_emitted_cpp_keeps_state_static_and_csim_agrees_over_a_sequence():
    s = allo.customize(k_acc)
    mod = emit_hls(s.module, s.sig)
    assert "// Stateful 'acc': initialized once, kept across calls" in mod.code
    assert "static ap_int<32> g_state_k_acc_acc = {\n    5};" in mod.code
    ins = [(_ints(N, k),) for k in range(6)]
    # the LLVM simulation of the sequence differs call to call (state), and C++ agrees
    f = s.build()
    outs = [f(a.copy()) for (a,) in ins]
    assert len(set(outs)) > 1
    assert csim_check(s.module, s.sig, ins).agreed


# ------------------------------------------------------------------ errors at file:line


def _line(tag: str) -> int:
    return tagged_line(__file__, tag)


def e_nonconst_init(A: int32[4]) -> int32:
    acc: int32 @ Stateful = A[0]  # <- nonconst-init
    return acc


def e_stateful_arg(A: int32[4] @ Stateful) -> int32:  # <- stateful-arg
    return A[0]


def e_redeclared(A: int32[4]) -> int32:
    acc: int32 = 0
    acc: int32 @ Stateful = 0  # noqa: F842  # <- redeclared
    return acc


def e_bad_shape(A: int32[4]) -> int32:
    buf: int32[4] @ Stateful = [1, 2, 3]  # <- bad-shape
    return buf[0]


ERRORS = [(e_nonconst_init, "nonconst-init", "compile-time"),
          (e_stateful_arg, "stateful-arg", "cannot be Stateful"),
          (e_redeclared, "redeclared", "already declared"),
          (e_bad_shape, "bad-shape", "does not match")]


@pytest.mark.parametrize("kernel,tag,words", ERRORS, ids=[t for _, t, _ in ERRORS])
def test_bad_stateful_uses_are_frontend_errors(kernel, tag, words):
    assert_frontend_error_at(kernel, __file__, tag, words)


def sub_counter(x: int32) -> int32:
    c: uint4 @ Stateful = 15
    c = c + 1
    return x + c


def k_mixed_state(A: int32[4]) -> int32[4]:
    """State of several types, and state inside a called kernel (one per callee)."""
    f: float32 @ Stateful = 0.5
    q: Fixed(8, 2) @ Stateful = 1.25
    B: int32[4] = 0
    for i in range(4):
        B[i] = sub_counter(A[i])
        f = f * 2.0
        q = q + 0.25
    B[0] = B[0] + int(f) + int(q)
    return B


def test_state_of_several_types_and_in_callees():
    s = allo.customize(k_mixed_state)
    g = s.build()
    A = np.arange(4, dtype=np.int32)
    c, f, q = 15, 0.5, 1.25
    for _ in range(3):
        want = []
        for a in A:
            c = (c + 1) % 16
            want.append(int(a) + c)
        f, q = f * 16, q + 1.0
        want[0] += int(f) + int(q)
        assert g(A).tolist() == want
    cert = s.verify(csim=True, trials=15)
    assert cert.ok, cert
    l3 = next(e for e in cert.entries if e.layer == "L3")
    assert set(l3.scope["sizes"]) >= {"state_c", "state_f", "state_q"}
