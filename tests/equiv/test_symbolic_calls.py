"""The symbolic tier inlines calls to functions of the module (`affine_extract`'s `call`):
composed designs (two_mm's top, the GPT-2 block) are proved; a callee with a wrong index, a
call instance sharing what should be a fresh local, or a callee reading the wrong argument
is refuted with an LLVM-confirmed counterexample, never proved; external and recursive calls
stay Unknown."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from mlir import ir

from allo_verify.equiv.results import Proved, Refuted, Unknown
from allo_verify.equiv.symbolic_tier import symbolic_l2

ROOT = Path(__file__).resolve().parents[2]


def _example(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"calls_{name}", ROOT / "examples" /
                                                  f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def sym(ta: str, tb: str, fn: str = "f") -> Any:
    with ir.Context():
        ma, mb = ir.Module.parse(ta), ir.Module.parse(tb)
        res, scope = symbolic_l2(ma, mb, None, fn, fn, False, True, 0)
    assert scope["tier"] == "symbolic"
    return res


def assert_refuted(res: Any) -> None:
    assert isinstance(res, Refuted), res
    cex = res.counterexample
    assert cex is not None and cex.confirmed == "llvm" and cex.value_a != cex.value_b, cex


INLINE = """
func.func @f(%a: memref<64xi32>, %b: memref<64xi32>) {
  %t = memref.alloc() : memref<64xi32>
  affine.for %i = 0 to 64 {
    %x = affine.load %a[%i] : memref<64xi32>
    %y = arith.muli %x, %x : i32
    affine.store %y, %t[%i] : memref<64xi32>
  }
  affine.for %i = 0 to 64 {
    %x = affine.load %t[%i] : memref<64xi32>
    %y = arith.muli %x, %x : i32
    affine.store %y, %b[%i] : memref<64xi32>
  }
  return
}
"""

CALLS = """
func.func @f(%a: memref<64xi32>, %b: memref<64xi32>) {
  %t = call @sq(%a) : (memref<64xi32>) -> memref<64xi32>
  %u = call @sq(%t) : (memref<64xi32>) -> memref<64xi32>
  call @copy(%u, %b) : (memref<64xi32>, memref<64xi32>) -> ()
  return
}
func.func private @sq(%p: memref<64xi32>) -> memref<64xi32> {
  %q = memref.alloc() : memref<64xi32>
  affine.for %i = 0 to 64 {
    %x = affine.load %p[%i] : memref<64xi32>
    %y = arith.muli %x, %x : i32
    affine.store %y, %q[%i] : memref<64xi32>
  }
  return %q : memref<64xi32>
}
func.func private @copy(%p: memref<64xi32>, %q: memref<64xi32>) {
  affine.for %i = 0 to 64 {
    %x = affine.load %p[%i] : memref<64xi32>
    affine.store %x, %q[%i] : memref<64xi32>
  }
  return
}
"""


def test_calls_with_fresh_locals_per_instance_proved() -> None:
    assert isinstance(sym(INLINE, CALLS), Proved)
    assert isinstance(sym(CALLS, INLINE), Proved)


@pytest.mark.parametrize("what,old,new", [
    # (a reversed index would be proved, rightly: the two calls reverse twice)
    ("callee reads a rotated index", "%x = affine.load %p[%i] : memref<64xi32>\n"
     "    %y = arith.muli", "%x = affine.load %p[(%i + 1) mod 64] : memref<64xi32>\n"
     "    %y = arith.muli"),
    ("copy callee writes a shifted cell", "affine.store %x, %q[%i]",
     "affine.store %x, %q[(%i + 1) mod 64]"),
    ("second call reads the first call's argument", "%u = call @sq(%t)", "%u = call @sq(%a)"),
])
def test_broken_callee_refuted(what: str, old: str, new: str) -> None:
    assert old in CALLS, what
    assert_refuted(sym(INLINE, CALLS.replace(old, new, 1)))


def test_external_and_recursive_calls_unknown() -> None:
    ext = CALLS.replace("func.func private @copy(%p: memref<64xi32>, %q: memref<64xi32>) {",
                        "func.func private @copy(%p: memref<64xi32>, %q: memref<64xi32>)\n"
                        "func.func private @unused(%p: memref<64xi32>, %q: memref<64xi32>) {")
    res = sym(INLINE, ext)
    assert isinstance(res, Unknown) and "external" in res.reason, res
    rec = CALLS.replace("return %q : memref<64xi32>",
                        "%r = call @sq(%q) : (memref<64xi32>) -> memref<64xi32>\n"
                        "  return %q : memref<64xi32>")
    res = sym(INLINE, rec)
    assert isinstance(res, Unknown) and "recursive" in res.reason, res


def test_two_mm_top_with_composed_calls_proved() -> None:
    s = _example("two_mm").top
    res, scope = symbolic_l2(s.original, s.module, s.sig, s.sig.name, s.sig.name, False,
                             True, 0)
    assert isinstance(res, Proved) and scope["tier"] == "symbolic", res


def test_two_mm_top_with_a_broken_callee_refuted() -> None:
    s = _example("two_mm").top
    old = "affine.load %arg0[%arg2, %arg4] : memref<16x8xi32>"
    tb = str(s.module)
    assert old in tb
    bad = tb.replace(old, "affine.load %arg0[%arg2, -%arg4 + 7] : memref<16x8xi32>", 1)
    assert_refuted(sym(str(s.original), bad, "two_mm"))


def test_gpt2_block_proved() -> None:
    s = _example("gpt2_block").gpt2
    res, scope = symbolic_l2(s.original, s.module, s.sig, s.sig.name, s.sig.name, False,
                             True, 0)
    assert isinstance(res, Proved) and scope["tier"] == "symbolic", res
