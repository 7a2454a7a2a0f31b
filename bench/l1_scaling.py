"""L1 checking time of one GEMM schedule at N = 64 and N = 4096, and their ratio.

    PYTHONPATH=. python bench/l1_scaling.py [--repeats R]

The L1 checker states every obligation over symbolic loop variables with the trip counts as
constraints, never enumerating iterations, so its time should not depend on N (target:
ratio 4096/64 <= 1.2). For each N it builds the kernel, applies the same nine-step schedule
(split, split, reorder, split, reorder, pipeline, unroll, parallel, pipeline ii), and
reports, as medians over R repeats (default 15; each from a cold start: no extraction reused
from an earlier repeat): the checking time (sum of `cost.seconds` over every
check of every step), the wall time of the primitive calls ("steps": apply, obligation
construction and checks), and the number
of checks and of Proved results. If `exo-lang` is importable, the same run times Exo's
scheduling of a comparable GEMM schedule (divide_loop / reorder_loops / unroll_loop, whose
own legality checks run inside) at both sizes, printed as a ratio next to ours ("steps/exo":
our whole schedule, every step with its checks, over Exo's; target <= 1). Both tools first
run WARMUP times untimed at each size; then our repeats and Exo's alternate, so a change
in the machine's load reaches both alike; the CPU time of the
process ("cpu/exo", both single-threaded) is printed too, as it is less disturbed by other
jobs on a shared machine than the wall time. Install Exo with the `bench` extra:
pip install -e '.[bench]'.
A benchmark, not a test: it prints numbers and never fails on them.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import allo_verify as av
from allo_verify import grid, int32, reduction
from allo_verify.equiv.results import Proved
from allo_verify.schedule.primitives.base import forget_statements

SIZES = (64, 4096)
WARMUP = 3  # untimed runs of both tools at each size before the timed, alternating ones


def make(n: int) -> Callable[..., Any]:
    def gemm(A: int32[n, n], B: int32[n, n]) -> int32[n, n]:
        C: int32[n, n] = 0
        for i, j in grid(n, n):
            for k in reduction(n):
                C[i, j] += A[i, k] * B[k, j]
        return C

    return gemm


def schedule(s: Any) -> None:
    s.split("i", 8)
    s.split("j", 8)
    s.reorder("i.outer", "j.outer", "i.inner", "j.inner")
    s.split("k", 4)
    s.reorder("k.outer", "i.inner", "j.inner", "k.inner")
    s.pipeline("j.inner")
    s.unroll("k.inner")
    s.parallel("j.outer")
    s.pipeline("i.inner", 2)


def ours(n: int) -> dict[str, float]:
    forget_statements()  # a cold start: no extraction reused from an earlier repeat
    s = av.customize(make(n))
    t0, c0 = time.perf_counter(), time.process_time()
    schedule(s)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    checks = [c for st in s.steps for c in st.checks]
    return {"steps": len(s.steps), "checks": len(checks),
            "proved": sum(isinstance(c.result, Proved) for c in checks),
            "check_s": sum(c.cost.seconds for c in checks), "apply_s": wall, "cpu_s": cpu}


def exo_runner() -> tuple[Callable[[int], tuple[float, float]] | None, str]:
    """Exo's scheduling time (wall, CPU) of a comparable GEMM schedule, or None and why
    not."""
    try:
        from exo import proc
        from exo.stdlib.scheduling import divide_loop, reorder_loops, unroll_loop
    except ImportError as e:
        return None, f"exo-lang not importable ({e}); Exo comparison skipped"

    @proc
    def exo_gemm(N: size, A: i32[N, N], B: i32[N, N], C: i32[N, N]):  # noqa: F821
        for i in seq(0, N):  # noqa: F821
            for j in seq(0, N):  # noqa: F821
                for k in seq(0, N):  # noqa: F821
                    C[i, j] += A[i, k] * B[k, j]

    def run(n: int) -> tuple[float, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        p = exo_gemm.partial_eval(N=n)
        p = divide_loop(p, "i", 8, ["io", "ii"], perfect=True)
        p = divide_loop(p, "j", 8, ["jo", "ji"], perfect=True)
        p = reorder_loops(p, "ii jo")
        p = divide_loop(p, "k", 4, ["ko", "ki"], perfect=True)
        p = reorder_loops(p, "ji ko")
        p = reorder_loops(p, "ii ko")
        p = unroll_loop(p, "ki")
        return time.perf_counter() - t0, time.process_time() - c0

    from importlib.metadata import version
    return run, (f"exo: exo-lang {version('exo-lang')}, 7 ops (3x divide_loop, 3x reorder_loops, "
                 "unroll_loop); Exo has no pipeline/parallel annotation steps to match ours")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    exo, exo_note = exo_runner()
    rows: dict[int, dict[str, float]] = {}
    for n in SIZES:
        for _ in range(WARMUP):  # imports, first-call caches of both tools, the allocator
            ours(n)
            if exo:
                exo(n)
        runs, exo_runs = [], []
        for _ in range(args.repeats):  # alternating: load changes reach both alike
            runs.append(ours(n))
            if exo:
                exo_runs.append(exo(n))
        row = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        row["all_proved"] = float(all(r["proved"] == r["checks"] for r in runs))
        if exo:
            row["exo_s"] = statistics.median(w for w, _ in exo_runs)
            row["exo_cpu_s"] = statistics.median(c for _, c in exo_runs)
        rows[n] = row
    print(f"GEMM schedule, {int(rows[SIZES[0]]['steps'])} steps "
          f"(median of {args.repeats}; times in ms)")
    print(f"{'N':>6} {'checks':>7} {'proved':>7} {'L1 check':>9} {'steps':>9} {'exo':>9} "
          f"{'steps/exo':>10} {'cpu/exo':>8}")
    for n, r in rows.items():
        exo_ms = f"{r['exo_s'] * 1e3:9.1f}" if exo else f"{'-':>9}"
        vs = f"{r['apply_s'] / r['exo_s']:10.2f}" if exo else f"{'-':>10}"
        cpu = f"{r['cpu_s'] / r['exo_cpu_s']:8.2f}" if exo else f"{'-':>8}"
        print(f"{n:6d} {int(r['checks']):7d} {int(r['proved']):7d} {r['check_s'] * 1e3:9.1f} "
              f"{r['apply_s'] * 1e3:9.1f} {exo_ms} {vs} {cpu}")
    if exo:
        worst = max(r["apply_s"] / r["exo_s"] for r in rows.values())
        worst_cpu = max(r["cpu_s"] / r["exo_cpu_s"] for r in rows.values())
        print(f"ours (every step with its checks) / Exo: at most {worst:.2f} over both sizes "
              f"(target <= 1: {'met' if worst <= 1 else 'NOT met'}); CPU time: at most "
              f"{worst_cpu:.2f}")
    a, b = rows[SIZES[0]], rows[SIZES[-1]]
    ratio = b["check_s"] / a["check_s"]
    print(f"ratio {SIZES[-1]}/{SIZES[0]}: L1 check {ratio:.2f} (target <= 1.2: "
          f"{'met' if ratio <= 1.2 else 'NOT met'}), steps {b['apply_s'] / a['apply_s']:.2f}"
          + (f", exo {b['exo_s'] / a['exo_s']:.2f}" if exo else ""))
    every = all(r["all_proved"] for r in rows.values())
    print(f"every check Proved: {'yes' if every else 'NO'} "
          f"({int(a['proved'])}/{int(a['checks'])} at N={SIZES[0]}, "
          f"{int(b['proved'])}/{int(b['checks'])} at N={SIZES[-1]})")
    print(exo_note)


if __name__ == "__main__":
    main()
