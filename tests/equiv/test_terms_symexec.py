"""Term graph normalizations and the symbolic executor's concrete control."""

from __future__ import annotations

import mlir.ir as ir
import numpy as np
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from allo_verify.equiv.symexec import execute
from allo_verify.equiv.terms import SUMF, TermStore


def test_hash_consing_commutation_and_identities() -> None:
    s = TermStore()
    x, y = s.leaf("A", (0,), "i32"), s.leaf("A", (1,), "i32")
    assert s.leaf("A", (0,), "i32") == x
    assert s.mk("arith.addi", "i32", (x, y)) == s.mk("arith.addi", "i32", (y, x))
    assert s.mk("arith.subi", "i32", (x, y)) != s.mk("arith.subi", "i32", (y, x))
    zero, one = s.const(0, "i32"), s.const(1, "i32")
    assert s.mk("arith.addi", "i32", (zero, x)) == x
    assert s.mk("arith.muli", "i32", (x, one)) == x
    assert s.mk("arith.muli", "i32", (zero, x)) == zero
    assert s.mk("arith.addi", "i32", (s.const(2**32 - 1, "i32"), one)) == zero  # folded
    t = s.const(1, "i1")
    assert s.mk("arith.select", "i32", (t, x, y)) == x
    c = s.leaf("c", (), "i1")
    assert s.mk("arith.select", "i32", (c, x, x)) == x
    fx = s.leaf("F", (0,), "f32")
    fz = s.const(0, "f32")
    assert s.mk("arith.addf", "f32", (fx, fz)) != fx  # no float identities (-0.0 + 0.0)
    e = s.mk("arith.extsi", "i64", (x,))
    assert s.mk("arith.trunci", "i32", (e,)) == x


def test_reassociation_normal_form() -> None:
    s = TermStore()
    a, b, c, d = (s.leaf("X", (k,), "f32") for k in range(4))
    add = lambda p, q: s.mk("arith.addf", "f32", (p, q))  # noqa: E731
    seq = add(add(add(a, b), c), d)
    pair = add(add(a, b), add(c, d))
    assert seq != pair
    na, nb = s.reassociate([seq, pair], {})
    assert na == nb and s.op[na] == SUMF and len(s.args[na]) == 4


OPS = ["arith.addi", "arith.subi", "arith.muli", "arith.divsi", "arith.remui", "arith.shrsi",
       "arith.andi", "arith.xori", "arith.maxsi"]


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50), st.integers(0, 50)),
                min_size=1, max_size=12),
       st.lists(st.integers(0, 2**13 - 1), min_size=3, max_size=3))
def test_evaluate_agrees_with_z3(prog: list[tuple[str, int, int]], vals: list[int]) -> None:
    s = TermStore()
    nodes = [s.leaf("v", (k,), "i13") for k in range(3)] + [s.const(5, "i13")]
    for op, i, j in prog:
        nodes.append(s.mk(op, "i13", (nodes[i % len(nodes)], nodes[j % len(nodes)])))
    root = nodes[-1]
    env = {nodes[k]: vals[k] for k in range(3)}
    got = s.evaluate([root], env)[root]
    memo: dict[int, object] = {}
    (z,) = s.to_z3([root], memo)
    sub = [(z3.BitVec(f"v[{k}]", 13), z3.BitVecVal(vals[k], 13)) for k in range(3)]
    assert z3.simplify(z3.substitute(z, *sub)).as_long() == got


LB = "max affine_map<(d0) -> (0, d0 - 5)>(%c0)"
UB = "min affine_map<() -> (12, 11)>()"
JLB = "affine_map<(d0) -> (d0 floordiv 3)>(%i)"
JUB = "affine_map<(d0) -> ((d0 + 1) ceildiv 2)>(%i)"
CONTROL = """
func.func @k(%A: memref<12xi32>, %n: index) {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1 : i32
  affine.for %i = LB to UB step 2 {
    affine.for %j = JLB to JUB {
      affine.if affine_set<(d0, d1) : (d0 mod 4 == 0, d1 - 1 >= 0)>(%i, %j) {
        %v = affine.load %A[%i] : memref<12xi32>
        %w = arith.addi %v, %one : i32
        affine.store %w, %A[%i] : memref<12xi32>
      } else {
        %m = affine.apply affine_map<(d0, d1) -> ((d0 * 7 + d1) mod 12)>(%i, %j)
        %v = affine.load %A[%m] : memref<12xi32>
        %w = arith.subi %v, %one : i32
        affine.store %w, %A[%m] : memref<12xi32>
      }
    }
  }
  return
}
"""


def test_affine_control_matches_python_reference() -> None:
    ref = np.zeros(12, dtype=np.int64)
    for i in range(max(0, 0 - 5), min(12, 11), 2):
        for j in range(i // 3, -(-(i + 1) // 2)):
            if i % 4 == 0 and j - 1 >= 0:
                ref[i] += 1
            else:
                ref[(i * 7 + j) % 12] -= 1
    s = TermStore()
    with ir.Context():
        src = CONTROL.replace("JLB", JLB).replace("JUB", JUB)
        src = src.replace("LB", LB).replace("UB", UB)
        run = execute(ir.Module.parse(src), s, "k", ["A", "n"])
    buf = run.args[0]
    env = {lf: 0 for lf in s.leaves(buf.cells)}
    vals = s.evaluate(buf.cells, env)
    got = [vals[c] - (1 << 32) if vals[c] >> 31 else vals[c] for c in buf.cells]
    assert got == ref.tolist() and buf.written
