"""Build and run times of GEMM kernels, as ratios to NumPy's matmul in the same process.

    PYTHONPATH=. python bench/build_and_run.py [--repeats R]

For each size (64, 256) and element type (int32, float32) it prints the build time (one
cold build: source -> MLIR, then MLIR -> LLVM JIT, and their sum) and the median run time
of the built kernel over R calls, also divided by the median time of `numpy.matmul` on the
same inputs (run/numpy > 1: the simulation is slower than NumPy). A benchmark, not a
test: it prints numbers and never fails on them.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import allo_verify as av
from allo_verify import float32, grid, int32, reduction

SIZES = (64, 256)
TYPES = {"int32": (int32, np.int32), "float32": (float32, np.float32)}


def make_gemm(n: int, T: Any) -> Callable[..., Any]:
    def gemm(A: T[n, n], B: T[n, n]) -> T[n, n]:
        C: T[n, n] = 0
        for i, j in grid(n, n):
            for k in reduction(n):
                C[i, j] += A[i, k] * B[k, j]
        return C

    return gemm


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed calls per measurement")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    header = (f"{'kernel':<16}{'mlir ms':>9}{'jit ms':>9}{'build ms':>10}{'run ms':>10}"
              f"{'numpy ms':>10}{'run/numpy':>11}  ok")
    print(header)
    print("-" * len(header))
    for n in SIZES:
        for tname, (dtype, np_dtype) in TYPES.items():
            kernel = make_gemm(n, dtype)
            t0 = time.perf_counter()
            sched = av.customize(kernel)  # source -> MLIR
            t1 = time.perf_counter()
            f = sched.build()  # MLIR -> LLVM JIT
            t2 = time.perf_counter()

            if np_dtype is np.int32:
                a = rng.integers(-100, 100, (n, n), dtype=np.int32)
                b = rng.integers(-100, 100, (n, n), dtype=np.int32)
            else:
                a = rng.normal(size=(n, n)).astype(np.float32)
                b = rng.normal(size=(n, n)).astype(np.float32)
            c = f(a, b)
            want = np.matmul(a, b)
            if np_dtype is np.int32:
                ok = bool(np.array_equal(c, want))
            else:
                ok = bool(np.allclose(c, want, rtol=1e-4, atol=1e-3))

            run_s = median_time(lambda f=f, a=a, b=b: f(a, b), args.repeats)
            np_s = median_time(lambda a=a, b=b: np.matmul(a, b), args.repeats)
            print(f"{f'gemm{n} {tname}':<16}{(t1 - t0) * 1e3:>9.1f}{(t2 - t1) * 1e3:>9.1f}"
                  f"{(t2 - t0) * 1e3:>10.1f}{run_s * 1e3:>10.3f}{np_s * 1e3:>10.3f}"
                  f"{run_s / np_s:>11.1f}  {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
