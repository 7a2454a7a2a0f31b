"""Build and run times of GEMM kernels, as ratios to NumPy's matmul in the same process.

    PYTHONPATH=. python bench/build_and_run.py [--repeats R]

NumPy runs single-threaded (OPENBLAS_NUM_THREADS=1 and friends are set before NumPy is
imported); the BLAS library NumPy calls is printed first. The last section is the scheduled
float32 GEMM 256^3 (i and j split by 8, k outside the 8x8 tile): its run time as a fraction
of NumPy's speed (target: at least 50%), its build time, and a bit-for-bit comparison of its
output with the unoptimized build (opt_level 0, no noalias, loops left to LLVM). There the
kernel and NumPy are called alternately (a change in the machine's load hits both alike);
the ratio of medians and the ratio of best calls are printed. Its inner loop keeps the 8x8
C tile in eight AVX2 registers across k (`engine.dump_to_object_file`); it multiplies and
adds separately where BLAS uses FMA, since contraction would change the float bits.

For each size (64, 256) and element type (int32, float32) it prints the build time (one
cold build: source -> MLIR, then MLIR -> LLVM JIT, and their sum) and the median run time
of the built kernel over R calls, also divided by the median time of `numpy.matmul` on the
same inputs (run/numpy > 1: the simulation is slower than NumPy). A benchmark, not a
test: it prints numbers and never fails on them.
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy is imported: single-threaded BLAS

import numpy as np  # noqa: E402

import allo_verify as av  # noqa: E402
from allo_verify import float32, grid, int32, reduction  # noqa: E402
from allo_verify.codegen.llvm_runner import build_llvm  # noqa: E402

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


def paired_times(ours: Callable[[], Any], theirs: Callable[[], Any], calls: int
                 ) -> tuple[list[float], list[float]]:
    """Seconds of `calls` calls of each, alternating (ours, theirs, ours, ...) after a warm-up
    of both, so that a change in the machine's load hits both alike."""
    ours()
    theirs()
    a: list[float] = []
    b: list[float] = []
    for _ in range(calls):
        for fn, into in ((ours, a), (theirs, b)):
            t0 = time.perf_counter()
            fn()
            into.append(time.perf_counter() - t0)
    return a, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed calls per measurement")
    args = parser.parse_args()
    print(f"NumPy {np.__version__} BLAS: {blas_info()}")

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
    scheduled_gemm(args.repeats)


def blas_info() -> str:
    """Which BLAS NumPy calls, and with how many threads."""
    try:
        from threadpoolctl import threadpool_info

        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            return "; ".join(f"{p.get('internal_api')} {p.get('version')} "
                             f"({p.get('architecture', '?')}, {p.get('num_threads')} thread(s))"
                             for p in pools)
    except ImportError:
        pass
    cfg = np.show_config(mode="dicts") if hasattr(np, "show_config") else {}
    blas = cfg.get("Build Dependencies", {}).get("blas", {}) if isinstance(cfg, dict) else {}
    return f"{blas.get('name', 'unknown')} {blas.get('version', '')} (threads not known)"


def scheduled_gemm(repeats: int, n: int = 256) -> None:
    """The tiled float32 GEMM against single-threaded NumPy, and bit-exact vs opt_level 0."""
    s = av.customize(make_gemm(n, float32))
    s.split("i", 8)
    s.split("j", 8)
    s.reorder("i.outer", "j.outer", "k", "i.inner", "j.inner")
    text, sig = str(s.module), s.kernel.sig
    t0 = time.perf_counter()
    fast = build_llvm(text, sig)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    slow = build_llvm(text, sig, opt_level=0, fast=False)
    slow_build_s = time.perf_counter() - t0
    rng = np.random.default_rng(1)
    a = rng.normal(size=(n, n)).astype(np.float32)
    b = rng.normal(size=(n, n)).astype(np.float32)
    same = bool(np.array_equal(fast(a, b).view(np.uint32), slow(a, b).view(np.uint32)))
    ours, theirs = paired_times(lambda: fast(a, b), lambda: np.matmul(a, b), 4 * repeats)
    run_s, np_s = statistics.median(ours), statistics.median(theirs)
    slow_s = median_time(lambda: slow(a, b), max(1, repeats // 3))
    print(f"\nscheduled float32 GEMM {n}^3 (split i, j by 8; k outside the tile)")
    print(f"  build (opt 3, noalias, rolled inner loops): {build_s * 1e3:.1f} ms; "
          f"unoptimized build {slow_build_s * 1e3:.1f} ms")
    print(f"  run {run_s * 1e3:.3f} ms; unoptimized {slow_s * 1e3:.3f} ms "
          f"({slow_s / run_s:.1f}x slower); numpy {np_s * 1e3:.3f} ms")
    print(f"  speed as a fraction of single-threaded NumPy: {np_s / run_s:.1%} (target >= 50%; "
          f"medians of {len(ours)} alternating calls); best call against best call: "
          f"{min(theirs) / min(ours):.1%}")
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"  warning: load average {load:.1f} on {os.cpu_count()} CPUs: other work shares "
              "the cores (and their caches); the best-call ratio is the least disturbed")
    print(f"  bit-exact with the unoptimized build: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
