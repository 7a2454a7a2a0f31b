"""An out-of-bounds access that only the second function makes is undefined in the LLVM
simulation (nothing guards it there), so L2 reports it as a refutation only when running both
LLVM simulations shows different outputs ("llvm"-confirmed); when they agree it is Unknown,
naming the access. Mutants are written as MLIR text from a frontend kernel."""

from __future__ import annotations

from mlir import ir

import allo_verify as av
from allo_verify import int32
from allo_verify.equiv.results import Refuted, Unknown
from allo_verify.equiv.tv import check_equivalent_modules


def shift(A: int32[6], C: int32[6]) -> int32[6]:
    B: int32[6] = 0
    for i in range(6):
        B[i] = A[i] + C[i]
    return B


LOAD_A = "affine.load %arg0[%arg2] : memref<6xi32>"


def _variant(text: str):
    s = av.customize(shift)
    assert LOAD_A in str(s.module), str(s.module)
    with s.module.context:
        mod_b = ir.Module.parse(text)
    return s, mod_b


def test_oob_read_that_changes_outputs_is_refuted_by_llvm() -> None:
    s0 = av.customize(shift)
    s, mod_b = _variant(str(s0.module).replace(LOAD_A, "affine.load %arg0[%arg2 + 1] : "
                                                        "memref<6xi32>"))
    r = check_equivalent_modules(s.module, mod_b, s.kernel.sig).result
    assert isinstance(r, Refuted), r
    assert r.counterexample is not None and r.counterexample.confirmed == "llvm"
    assert "outside its shape" in r.counterexample.note


def test_oob_read_that_changes_nothing_is_unknown() -> None:
    s0 = av.customize(shift)
    text = str(s0.module)
    # a dead read of A[i + 1] (never used): A[6] is out of bounds on the last iteration
    extra = LOAD_A + "\n      %dead = affine.load %arg0[%arg2 + 1] : memref<6xi32>"
    s, mod_b = _variant(text.replace(LOAD_A, extra, 1))
    r = check_equivalent_modules(s.module, mod_b, s.kernel.sig).result
    assert isinstance(r, Unknown), r
    assert "A[6] outside its shape [6]" in r.reason
    assert "agreed" in r.reason
    r2 = check_equivalent_modules(s.module, mod_b, s.kernel.sig, replay=False).result
    assert isinstance(r2, Unknown) and "replay disabled" in r2.reason


def test_far_out_of_bounds_read_never_takes_the_verifier_down() -> None:
    """A read 10**8 cells past the end may segfault the LLVM simulation: it runs in a child
    process, so this process survives and gets Unknown (or an LLVM-confirmed refutation)."""
    s0 = av.customize(shift)
    s, mod_b = _variant(str(s0.module).replace(LOAD_A, "affine.load %arg0[%arg2 + 100000000] "
                                                        ": memref<6xi32>"))
    r = check_equivalent_modules(s.module, mod_b, s.kernel.sig).result
    assert "A[100000000] outside its shape [6]" in str(r)
    assert isinstance(r, Unknown) or (isinstance(r, Refuted) and r.counterexample is not None
                                      and r.counterexample.confirmed == "llvm"), r
