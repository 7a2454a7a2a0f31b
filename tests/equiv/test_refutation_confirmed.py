"""False refutations (issue 8): `max(x, 0.0)` and `max(0.0, x)` are the same IEEE maximum, and
a difference found by L2's own evaluator is only `Refuted` once the LLVM simulations of both
kernels show it; otherwise the result is Unknown, saying why."""


from typing import Any

import pytest

import allo_verify.equiv.terms as terms_mod
from allo_verify import check_equivalent
from allo_verify.equiv.concrete import float_to_bits
from allo_verify.equiv.results import Proved, Refuted, Unknown
from allo_verify.lang.types import float16, float32, float64


def l2(a: Any, b: Any) -> Any:
    return check_equivalent(a, b, layers=("L2",)).entries[0].result


def relu_kernels(t: Any) -> tuple[Any, ...]:
    """Kernels over element type `t`, written into an argument (this file does not use
    `from __future__ import annotations`, so signature annotations see the closure)."""
    def max_x0(X: t[4], C: t[4]):
        for i in range(4):
            C[i] = max(X[i], 0.0)

    def max_0x(X: t[4], C: t[4]):
        for i in range(4):
            C[i] = max(0.0, X[i])

    def min_x0(X: t[4], C: t[4]):
        for i in range(4):
            C[i] = min(X[i], 0.0)

    def min_0x(X: t[4], C: t[4]):
        for i in range(4):
            C[i] = min(0.0, X[i])

    def clamp_a(X: t[4], Y: t[4], C: t[4]):
        for i in range(4):
            C[i] = min(max(X[i], 0.0), Y[i])

    def clamp_b(X: t[4], Y: t[4], C: t[4]):
        for i in range(4):
            C[i] = min(Y[i], max(0.0, X[i]))

    def max_x1(X: t[4], C: t[4]):
        for i in range(4):
            C[i] = max(X[i], 1.0)
    return max_x0, max_0x, min_x0, min_0x, clamp_a, clamp_b, max_x1


@pytest.mark.parametrize("t", [float16, float32, float64], ids=repr)
def test_ieee_max_min_operand_order_is_proved(t: Any) -> None:
    max_x0, max_0x, min_x0, min_0x, clamp_a, clamp_b, max_x1 = relu_kernels(t)
    assert isinstance(l2(max_x0, max_0x), Proved)
    assert isinstance(l2(min_x0, min_0x), Proved)
    assert isinstance(l2(clamp_a, clamp_b), Proved)
    r = l2(max_x0, max_x1)  # a real difference is still refuted, confirmed by LLVM
    assert isinstance(r, Refuted) and r.counterexample.confirmed == "llvm", r


def neg_min_kernels() -> tuple[Any, Any]:
    def relu(X: float32[4]) -> float32[4]:
        C: float32[4] = 0.0
        for i in range(4):
            C[i] = max(X[i], 0.0)
        return C

    def neg_min_neg(X: float32[4]) -> float32[4]:
        C: float32[4] = 0.0
        for i in range(4):
            C[i] = -min(-X[i], -0.0)
        return C
    return relu, neg_min_neg


def test_equal_pair_with_different_terms_is_unknown_not_refuted() -> None:
    """max(x, +0) = -min(-x, -0) for every x (NaN as NaN), but not as uninterpreted terms."""
    r = l2(*neg_min_kernels())
    assert isinstance(r, Unknown), r


def test_evaluator_disagreeing_with_llvm_gives_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """The mechanism: break L2's evaluator the way NumPy's maximum was broken (-0.0 for
    maximum(-0.0, +0.0)); its "witness" is replayed on LLVM, which agrees, so the result is
    Unknown naming the disagreement, never a refutation."""
    real = terms_mod.eval_op
    nz, pz = float_to_bits(-0.0, "f32"), float_to_bits(0.0, "f32")

    def numpy_like(op: str, rt: str, ats: tuple[str, ...], attr: object, a: list[int]) -> int:
        if op == "arith.maximumf" and sorted(a) == sorted([nz, pz]):
            return a[0]  # NumPy: the first operand when they compare equal
        return real(op, rt, ats, attr, a)
    monkeypatch.setattr(terms_mod, "eval_op", numpy_like)
    r = l2(*neg_min_kernels())
    assert isinstance(r, Unknown), r
    assert "not confirmed" in r.reason and "LLVM" in r.reason, r.reason


def test_unconfirmed_when_replay_is_off() -> None:
    """Without the LLVM replay nothing can be confirmed: Unknown, with the evaluator's find."""
    import mlir.ir as ir

    from allo_verify.equiv.tv import check_equivalent_modules
    from allo_verify.lang.kernel import build_kernel

    relu, _ = neg_min_kernels()
    max_x0, _, _, _, _, _, max_x1 = relu_kernels(float32)
    ka, kb = build_kernel(max_x0), build_kernel(max_x1)
    with ir.Context():
        ma, mb = ir.Module.parse(str(ka.module)), ir.Module.parse(str(kb.module))
        sig = ka.sig
        r = check_equivalent_modules(ma, mb, sig, func_b=kb.sig.name, replay=False).result
        assert isinstance(r, Unknown) and "replay disabled" in r.reason, r
        r = check_equivalent_modules(ma, mb, sig, func_b=kb.sig.name).result
    assert isinstance(r, Refuted) and r.counterexample.confirmed == "llvm"
    assert relu is not None
