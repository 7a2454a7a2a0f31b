"""The L2 symbolic tier's cost against the problem size (issue 12).

    python bench/l2_scaling.py

GEMM built by the frontend, Allo's tiled schedule against the original, at n = 64, 256,
1024, and a hand-written GEMM pair (init nest + i,k,j order against i,j,k with a scalar
accumulator) at the same sizes. Prints the symbolic tier's time at each n, T(1024)/T(64)
(target <= 1.5, each under 2 s) and the verdict. A benchmark prints numbers; it asserts
nothing about time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from allo_verify.equiv.api import module_and_sig  # noqa: E402
from allo_verify.equiv.symbolic_tier import symbolic_l2  # noqa: E402
from tests.equiv import symbolic_kernels as K  # noqa: E402

SIZES = (64, 256, 1024)


def timed(a: Any, b: Any) -> tuple[float, str]:
    ma, sa = module_and_sig(a)
    mb, _ = module_and_sig(b)
    t0 = time.perf_counter()
    res, scope = symbolic_l2(ma, mb, sa, sa.name, sa.name, False, True, 0)
    return time.perf_counter() - t0, f"{res.status} ({scope.get('tier')} tier)"


def main() -> int:
    def tiled(n: int) -> tuple[Any, Any]:
        s = K.gemm_tiled(n)
        return (s.original, s.sig), s

    cases = {
        "gemm tiled vs original": tiled,
        "gemm hand-written pair": lambda n: (K.gemm_ikj_init(n), K.gemm_acc(n)),
    }
    timed(*tiled(16))  # warm-up: imports and first isl/MLIR contexts are not the tier's cost
    for name, make in cases.items():
        times = {}
        for n in SIZES:
            a, b = make(n)
            t, verdict = timed(a, b)
            times[n] = t
            print(f"{name:26s} n={n:5d}  symbolic tier {t:6.3f} s  {verdict}")
        print(f"{name:26s} T(1024)/T(64) = {times[1024] / times[64]:.2f} "
              f"(target <= 1.5); max {max(times.values()):.3f} s (target < 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
