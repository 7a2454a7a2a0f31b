"""A 3x3 convolution with a line buffer and a window buffer from reuse_at, both partitioned,
as in Allo's convolution example; every step checked as it is applied.

    allo-verify verify examples/conv_reuse.py
    python examples/conv_reuse.py        # runs it against NumPy (exit 1 on a mismatch)
"""

import sys

import numpy as np

import allo_verify as av
from allo_verify import grid, int32, reduction

H, W = 16, 16


def conv3x3(A: int32[H, W], F: int32[3, 3]) -> int32[H - 2, W - 2]:
    B: int32[H - 2, W - 2] = 0
    for y, x in grid(H - 2, W - 2):
        v: int32 = 0
        for r in reduction(3):
            for c in reduction(3):
                v += A[y + r, x + c] * F[r, c]
        B[y, x] = v
    return B


conv_schedule = av.customize(conv3x3)
line = conv_schedule.reuse_at(conv_schedule.A, "y")    # 3 rows of A
window = conv_schedule.reuse_at(line, "x")             # 3x3 window on those rows
conv_schedule.partition(line, av.Partition.Complete, dim=1)
conv_schedule.partition(window)
conv_schedule.partition(conv_schedule.F)
conv_schedule.pipeline("x")


def main() -> int:
    rng = np.random.default_rng(0)
    a = rng.integers(-1000, 1000, (H, W), dtype=np.int32)
    f = rng.integers(-10, 10, (3, 3), dtype=np.int32)
    ref = np.array([[int((a[y:y + 3, x:x + 3].astype(np.int64) * f).sum())
                     for x in range(W - 2)] for y in range(H - 2)], dtype=np.int32)
    ok = bool(np.array_equal(conv_schedule.build()(a, f), ref))
    checks = [c for st in conv_schedule.steps for c in st.checks]
    proved = sum(c.result.status == "proved" for c in checks)
    print(f"conv3x3 int32 {H}x{W}: {len(conv_schedule.steps)} steps, {proved}/{len(checks)} "
          "L1 obligations proved")
    print(f"  matches NumPy: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
