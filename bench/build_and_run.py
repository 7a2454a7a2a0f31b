"""Build and run times of GEMM kernels, as ratios to NumPy's matmul in the same process.

    PYTHONPATH=. python bench/build_and_run.py [--repeats R] [--calls C] [--tile 4x16]
                                               [--kblock 16] [--kunroll 4]

NumPy runs single-threaded (OPENBLAS_NUM_THREADS=1 and friends are set before NumPy is
imported); the BLAS library NumPy calls, with the kernel it picked for this CPU
(threadpoolctl's `architecture`, or the same OpenBLAS query without it), is printed first.
The last section is the scheduled float32 GEMM 256^3: its run time as a fraction of NumPy's
speed (target: at least 50%), its build time, each schedule step with its obligations (all
must be proved), and a bit-for-bit comparison of its output with the unoptimized build
(opt_level 0, no noalias, loops left to LLVM), on ordinary inputs and on magnitudes from
1e-30 to 1e30. There the kernel and NumPy are called alternately, C times each (a change in
the machine's load hits both alike); the ratio of medians and the ratio of best calls are
printed, with the load average.

The schedule (`tiled_schedule`): i split by 4, j by 16, k by 16 and k.inner by 4, loops
ordered k.outer, i.outer, j.outer, k.inner.outer, k.inner.inner, i.inner, j.inner (LLVM
fully unrolls the 4-trip k.inner.inner: 4 k steps per iteration of the k loop). The 4x16
C tile is eight AVX2 registers that stay in registers across k.inner (4 broadcasts of A and
2 loads of B per 8 multiplies and 8 adds; an 8x8 tile needs 9 loads for as many); the
16 x 256 block of B that k.outer selects is 16 KB of contiguous rows, so it stays in L1
while every C tile takes its 16 updates from it (a 16-column panel of B over all k is rows
1 KB apart, which fall into 4 of L1's 64 sets and come from L2 at every k). It multiplies
and adds separately where BLAS uses FMA, since contraction would change the float bits.

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
from allo_verify.library.linalg import schedule_matmul_blocked  # noqa: E402

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
    parser.add_argument("--calls", type=int, default=201,
                        help="alternating calls (ours, NumPy) for the scheduled GEMM")
    parser.add_argument("--tile", default="4x16",
                        help="the scheduled GEMM's tile, ROWSxCOLS (i split, j split)")
    parser.add_argument("--kblock", type=int, default=16,
                        help="the scheduled GEMM's k split (0: k not split, the tile "
                             "innermost under k)")
    parser.add_argument("--kunroll", type=int, default=4,
                        help="split k.inner by this (LLVM unrolls the short loop; 1: not)")
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
    rows, _, cols = args.tile.partition("x")
    if not (rows.isdigit() and cols.isdigit()) or int(rows) < 1 or int(cols) < 1:
        parser.error(f"--tile must be ROWSxCOLS with positive integers, got {args.tile!r}")
    if args.kblock < 0 or args.kunroll < 1:
        parser.error(f"--kblock must be >= 0 and --kunroll >= 1, got {args.kblock}, "
                     f"{args.kunroll}")
    scheduled_gemm(args.calls, (int(rows), int(cols)), args.kblock, args.kunroll)


def blas_info() -> str:
    """Which BLAS NumPy calls: library, version, the kernel (core) it picked for this CPU
    and its thread count. threadpoolctl's answer when it is installed; otherwise the same
    facts asked of the OpenBLAS library NumPy loaded, through the same exported functions
    threadpoolctl calls (`openblas_get_corename`, ...)."""
    try:
        from threadpoolctl import threadpool_info

        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            return "; ".join(f"{p.get('internal_api')} {p.get('version')} "
                             f"(kernel {p.get('architecture', '?')}, "
                             f"{p.get('num_threads')} thread(s))" for p in pools)
    except ImportError:
        pass
    found = _openblas_facts()
    if found:
        return found
    cfg = np.show_config(mode="dicts") if hasattr(np, "show_config") else {}
    blas = cfg.get("Build Dependencies", {}).get("blas", {}) if isinstance(cfg, dict) else {}
    return f"{blas.get('name', 'unknown')} {blas.get('version', '')} (kernel not known)"


def _openblas_facts() -> str | None:
    """Config, kernel and threads of the OpenBLAS library loaded in this process (NumPy's
    wheels bundle one, with the symbol prefix `scipy_` and suffix `64_`), or None."""
    import ctypes

    np.matmul(np.ones((2, 2)), np.ones((2, 2)))  # make sure the BLAS library is loaded
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(p for p in paths if p.startswith("/")):
        lib = ctypes.CDLL(path)
        for pre, suf in (("scipy_", "64_"), ("", ""), ("", "64_"), ("scipy_", "")):
            core = getattr(lib, f"{pre}openblas_get_corename{suf}", None)
            config = getattr(lib, f"{pre}openblas_get_config{suf}", None)
            threads = getattr(lib, f"{pre}openblas_get_num_threads{suf}", None)
            if core is None or config is None:
                continue
            core.restype = config.restype = ctypes.c_char_p
            n = threads() if threads is not None else "?"
            return (f"OpenBLAS ({config().decode().strip()}; kernel {core().decode()}, "
                    f"{n} thread(s); {path.rsplit('/', 1)[-1]})")
    return None


def tiled_schedule(n: int, tile: tuple[int, int], kblock: int, kunroll: int) -> Any:
    """The scheduled GEMM as a user writes it, every step checked: split i and j by the
    tile's sides; with `kblock`, split k by it too and put k.outer outermost, so that one
    kblock x n block of B (contiguous rows: it spreads over every L1 set) stays in L1 while
    every C tile takes its kblock updates from it; k.inner stays outside the tile, so the C
    tile lives in registers across it. With `kunroll` > 1, k.inner is split once more: LLVM
    fully unrolls that short loop (only the innermost loop is kept rolled), i.e. the k loop
    runs `kunroll` steps per iteration. Each C[i, j] still takes its updates in k order."""
    return schedule_matmul_blocked(av.customize(make_gemm(n, float32)), tile, kblock, kunroll)


def proof_summary(s: Any) -> str:
    """Each step of `s` with the count of its obligations and whether all are Proved."""
    from allo_verify.equiv.results import Proved

    parts = []
    for st in s.steps:
        proved = sum(isinstance(r.result, Proved) for r in st.checks)
        state = "proved" if proved == len(st.checks) and not st.unchecked else "NOT PROVED"
        parts.append(f"{st.primitive.label()}: {proved}/{len(st.checks)} {state}")
    return "; ".join(parts)


def scheduled_gemm(calls: int, tile: tuple[int, int], kblock: int, kunroll: int,
                   n: int = 256) -> None:
    """The tiled float32 GEMM against single-threaded NumPy, and bit-exact vs opt_level 0."""
    s = tiled_schedule(n, tile, kblock, kunroll)
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
    # bit-exact on ordinary inputs and on magnitudes from 1e-30 to 1e30 (overflow to inf,
    # subnormal products, signed zeros)
    wide = [(rng.normal(size=(n, n)) * 10.0 ** rng.integers(-30, 30, (n, n))).astype(np.float32)
            for _ in range(2)]
    same = all(bool(np.array_equal(fast(x, y).view(np.uint32), slow(x, y).view(np.uint32)))
               for x, y in ((a, b), tuple(wide)))
    load_before = os.getloadavg()
    ours, theirs = paired_times(lambda: fast(a, b), lambda: np.matmul(a, b), calls)
    load_after = os.getloadavg()
    run_s, np_s = statistics.median(ours), statistics.median(theirs)
    slow_s = median_time(lambda: slow(a, b), 3)
    blocked = (f", k by {kblock}, k.outer outermost" if kblock else "")
    blocked += f", k.inner by {kunroll}" if kblock and kunroll > 1 else ""
    print(f"\nscheduled float32 GEMM {n}^3 (split i by {tile[0]}, j by {tile[1]}{blocked}; "
          f"k{'.inner' if kblock else ''} outside the {tile[0]}x{tile[1]} tile)")
    print(f"  schedule checks: {proof_summary(s)}")
    print(f"  build (opt 3, noalias, rolled inner loops): {build_s * 1e3:.1f} ms; "
          f"unoptimized build {slow_build_s * 1e3:.1f} ms")
    print(f"  run {run_s * 1e3:.3f} ms; unoptimized {slow_s * 1e3:.3f} ms "
          f"({slow_s / run_s:.1f}x slower); numpy {np_s * 1e3:.3f} ms")
    print(f"  speed as a fraction of single-threaded NumPy: {np_s / run_s:.1%} (target >= 50%; "
          f"medians of {len(ours)} alternating calls); best call against best call: "
          f"{min(theirs) / min(ours):.1%}")
    print(f"  load average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after, "
          f"on {os.cpu_count()} CPUs")
    if max(load_before[0], load_after[0]) > (os.cpu_count() or 1) / 2:
        print("  note: other work shares the cores (and their caches); the best-call ratio "
              "is the least disturbed")
    print(f"  bit-exact with the unoptimized build: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
