"""L2 translation-validation time vs a naive per-op Z3-term baseline, measured in one run.

    PYTHONPATH=. python bench/tv_scaling.py [--sizes 8,16,32,64] [--naive-max 64]

For each pair (GEMM ijk vs ikj for n in sizes; a 2D 5-point stencil with its loops
interchanged), prints the L2 time of `check_equivalent_modules` (hash-consed term graph,
structural comparison, Z3 only for differing cells) next to the baseline: the same
symbolic execution building one Z3 term per executed op (no interning, no folding) and
asking Z3 one query per output cell, and the ratio baseline / L2. The baseline is skipped
above --naive-max (it grows with n^3 Z3 API calls).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import mlir.ir as ir
import z3

import allo_verify as av
from allo_verify import grid, int32, reduction
from allo_verify.equiv.results import Proved
from allo_verify.equiv.symexec import Buffer, execute
from allo_verify.equiv.terms import TermStore
from allo_verify.equiv.tv import check_equivalent_modules
from allo_verify.equiv.z3_table import lookup, z3_const, z3_var
from tests.equiv.kernels import gemm, stencil


class NaiveZ3Store(TermStore):
    """Every executed op builds its Z3 term at once; nothing is interned or folded."""

    def __init__(self) -> None:
        super().__init__()
        self.z: list[Any] = []

    def _push(self, op: str, t: str, args: tuple[int, ...], attr: Any, cv: int | None,
              z: Any) -> int:
        self.op.append(op)
        self.ty.append(t)
        self.args.append(args)
        self.attr.append(attr)
        self.cval.append(cv)
        self.z.append(z)
        return len(self.op) - 1

    def const(self, value: int, t: str) -> int:
        return self._push("const", t, (), value, value, z3_const(value, t))

    def leaf(self, name: str, cell: tuple[int, ...], t: str) -> int:
        label = f"{name}[{','.join(map(str, cell))}]"
        return self._push("leaf", t, (), (name, cell), None, z3_var(label, t))

    def mk(self, op: str, t: str, args: tuple[int, ...], attr: Any = None) -> int:
        ats = tuple(self.ty[a] for a in args)
        z = lookup(op)([self.z[a] for a in args], t, ats, attr)
        return self._push(op, t, args, attr, None, z)


def naive(ma: ir.Module, mb: ir.Module, func: str) -> tuple[float, bool]:
    """Seconds for the baseline, and whether it proved every cell."""
    t0 = time.perf_counter()
    store = NaiveZ3Store()
    ra = execute(ma, store, func)
    rb = execute(mb, store, func)
    ok = True
    for x, y in zip(ra.args, rb.args, strict=True):
        if isinstance(x, Buffer) and (x.written or y.written):
            for p, q in zip(x.cells, y.cells, strict=True):
                s = z3.Solver()
                s.set("rlimit", 50_000_000)
                s.add(store.z[p] != store.z[q])
                ok = ok and s.check() == z3.unsat
    return time.perf_counter() - t0, ok


def ours(ma: ir.Module, mb: ir.Module) -> tuple[float, bool]:
    t0 = time.perf_counter()
    r = check_equivalent_modules(ma, mb, replay=False)
    return time.perf_counter() - t0, isinstance(r.result, Proved)


def frontend_gemm(n: int) -> tuple[str, str]:
    """Original and tiled (split i, j by 8, reorder) GEMM as the frontend emits them: i32
    data widened to i64 products and i65 sums, truncated on store."""
    def gemm(A: int32[n, n], B: int32[n, n]) -> int32[n, n]:
        C: int32[n, n] = 0
        for i, j in grid(n, n):
            for k in reduction(n):
                C[i, j] += A[i, k] * B[k, j]
        return C

    s = av.customize(gemm)
    s.tile(["i", "j"], [8, 8])
    return str(s.original), str(s.module)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="8,16,32,64")
    ap.add_argument("--naive-max", type=int, default=64)
    ap.add_argument("--stencil", type=int, default=64)
    ns = ap.parse_args()
    cases: list[tuple[str, str, str, str, int]] = []
    for n in (int(x) for x in ns.sizes.split(",")):
        cases.append((f"gemm i32 n={n}", gemm(n, "i32", "ijk"), gemm(n, "i32", "ikj"), "gemm", n))
    for n in (int(x) for x in ns.sizes.split(",")):
        if n >= 8:
            a, b = frontend_gemm(n)
            cases.append((f"gemm frontend n={n}", a, b, "gemm", n))
    m = ns.stencil
    cases.append((f"stencil2d f32 n={m}", stencil(m, "ij", "f32"), stencil(m, "ji", "f32"),
                  "stencil", 0))
    print(f"{'case':<22} {'L2 (s)':>9} {'naive (s)':>10} {'naive/L2':>9}  proved")
    with ir.Context():
        for name, a, b, func, n in cases:
            ma, mb = ir.Module.parse(a), ir.Module.parse(b)
            t_ours, ok = ours(ma, mb)
            if n <= ns.naive_max:
                t_naive, ok_naive = naive(ma, mb, func)
                ratio = f"{t_naive / t_ours:8.1f}x"
                tn = f"{t_naive:10.3f}"
            else:
                tn, ratio, ok_naive = f"{'skipped':>10}", f"{'-':>9}", True
            print(f"{name:<22} {t_ours:9.3f} {tn} {ratio}  {ok and ok_naive}", flush=True)


if __name__ == "__main__":
    main()
