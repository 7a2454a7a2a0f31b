"""jacobi-2d (PolyBench) with line and window buffers from reuse_at and partitioned arrays,
every step checked as it is applied.

    allo-verify verify examples/jacobi2d.py
    python examples/jacobi2d.py          # runs it against NumPy (exit 1 on a mismatch)

Each time step reads A through a 3-row line buffer and a 3x3 window into B, then B the same
way into A, as in Allo's jacobi-2d design: one new row and one new column per iteration,
the buffers and the window completely partitioned so HLS can read them in one cycle.
"""

import sys

import numpy as np

import allo_verify as av
from allo_verify import float32

N, TSTEPS = 16, 4


def make(n: int, tsteps: int):  # noqa: ANN201 - a kernel
    def jacobi_2d(A: float32[n, n], B: float32[n, n]):
        for t in range(tsteps):  # noqa: B007 - the time loop
            for i in range(1, n - 1):
                for j in range(1, n - 1):
                    B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j]
                                     + A[i - 1, j])
            for i in range(1, n - 1):
                for j in range(1, n - 1):
                    A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j]
                                     + B[i - 1, j])

    return jacobi_2d


def customize(n: int = N, tsteps: int = TSTEPS) -> av.Schedule:
    s = av.customize(make(n, tsteps))
    a_rows = s.reuse_at(s.A, "i")            # line buffer: rows i-1 .. i+1 of A
    a_win = s.reuse_at(a_rows, "j")          # window: columns j-1 .. j+1 of those rows
    b_rows = s.reuse_at(s.B, "i_1")
    b_win = s.reuse_at(b_rows, "j_1")
    s.partition(a_rows, av.Partition.Complete, dim=1)
    s.partition(b_rows, av.Partition.Complete, dim=1)
    s.partition(a_win)
    s.partition(b_win)
    s.pipeline("j")
    s.pipeline("j_1")
    return s


jacobi_2d_schedule = customize()


def reference(a: np.ndarray, b: np.ndarray, tsteps: int = TSTEPS) -> None:
    """PolyBench's loops in float32, in the kernel's order of operations."""
    c = np.float32(0.2)
    for _ in range(tsteps):
        b[1:-1, 1:-1] = c * ((((a[1:-1, 1:-1] + a[1:-1, :-2]) + a[1:-1, 2:]) + a[2:, 1:-1])
                             + a[:-2, 1:-1])
        a[1:-1, 1:-1] = c * ((((b[1:-1, 1:-1] + b[1:-1, :-2]) + b[1:-1, 2:]) + b[2:, 1:-1])
                             + b[:-2, 1:-1])


def main() -> int:
    rng = np.random.default_rng(0)
    a = rng.random((N, N), dtype=np.float32)
    b = rng.random((N, N), dtype=np.float32)
    ra, rb = a.copy(), b.copy()
    jacobi_2d_schedule.build()(a, b)
    reference(ra, rb)
    ok = bool(np.array_equal(a, ra) and np.array_equal(b, rb))
    checks = [c for st in jacobi_2d_schedule.steps for c in st.checks]
    proved = sum(c.result.status == "proved" for c in checks)
    print(f"jacobi-2d float32, N={N}, {TSTEPS} time steps: "
          f"{len(jacobi_2d_schedule.steps)} steps, {proved}/{len(checks)} L1 obligations proved")
    print(f"  matches NumPy: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
