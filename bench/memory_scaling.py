"""L1 checking time of the jacobi-2d memory schedule at N = 64 and N = 4096, and their ratio.

    PYTHONPATH=. python bench/memory_scaling.py [--repeats R]

The schedule is `examples/jacobi2d.py`'s: four reuse_at steps (line and window buffers on
A and B), four partitions and two pipelines. Every obligation is stated over symbolic
iteration vectors with the sizes as constants, never enumerating iterations or cells, so
the checking time should not depend on N (target: ratio 4096/64 <= 1.2).

Reported per N: the number of checks and of Proved results; the checking time, the sum
over the checks of each check's least time over R repeats (the machine is shared: one
check's least time is its least disturbed measurement, and a sum of minima is far steadier
than the minimum of sums); the wall time of building the schedule (frontend, IR rewriting,
planning and checks; least of R); and Z3's resource count (`rlimit`, deterministic, so
the same on every run and load). A benchmark, not a test: it prints numbers and never fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

from allo_verify.equiv.results import Proved

SIZES = (64, 4096)
_spec = importlib.util.spec_from_file_location(
    "jacobi2d", Path(__file__).resolve().parent.parent / "examples" / "jacobi2d.py")
assert _spec is not None and _spec.loader is not None
jacobi2d = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(jacobi2d)


def run(n: int) -> tuple[dict[tuple[int, str], float], dict[str, float]]:
    """Seconds per check (keyed by step and obligation) and the run's totals."""
    t0 = time.perf_counter()
    s = jacobi2d.customize(n, 2)
    wall = time.perf_counter() - t0
    times = {(k, c.name): c.cost.seconds for k, st in enumerate(s.steps) for c in st.checks}
    checks = [c for st in s.steps for c in st.checks]
    return times, {"steps": len(s.steps), "checks": len(checks),
                   "proved": sum(isinstance(c.result, Proved) for c in checks),
                   "rlimit": sum(c.cost.rlimit for c in checks), "wall_s": wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rows = {}
    for n in SIZES:
        run(n)  # warm-up
    runs: dict[int, list] = {n: [] for n in SIZES}
    for _ in range(args.repeats):
        for n in SIZES:  # interleaved, so a burst of load hits both sizes alike
            runs[n].append(run(n))
    for n in SIZES:
        keys = runs[n][0][0].keys()
        row = dict(runs[n][0][1])
        row["check_s"] = sum(min(r[0][k] for r in runs[n]) for k in keys)
        row["wall_s"] = min(r[1]["wall_s"] for r in runs[n])
        rows[n] = row
    print(f"jacobi-2d memory schedule, {int(rows[SIZES[0]]['steps'])} steps "
          f"({args.repeats} repeats; times in ms)")
    print(f"{'N':>6} {'checks':>7} {'proved':>7} {'L1 check':>9} {'customize':>10} {'rlimit':>9}")
    for n, r in rows.items():
        print(f"{n:6d} {int(r['checks']):7d} {int(r['proved']):7d} {r['check_s'] * 1e3:9.1f} "
              f"{r['wall_s'] * 1e3:10.1f} {int(r['rlimit']):9d}")
    a, b = rows[SIZES[0]], rows[SIZES[-1]]
    ratio = b["check_s"] / a["check_s"]
    print(f"ratio {SIZES[-1]}/{SIZES[0]}: L1 check {ratio:.2f} (target <= 1.2: "
          f"{'met' if ratio <= 1.2 else 'NOT met'}), customize {b['wall_s'] / a['wall_s']:.2f}, "
          f"Z3 rlimit {b['rlimit'] / a['rlimit']:.2f}")


if __name__ == "__main__":
    main()
