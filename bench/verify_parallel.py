"""`allo-verify verify` over every example with -j 1 and with -j 2, and their ratio.

    PYTHONPATH=. python bench/verify_parallel.py [--repeats R] [--trials T] [--jobs J]

Each measurement is one whole process, `python -m allo_verify.cli verify examples/*.py -j J`
(every design of every file: L1, L2, L3), timed from outside; the two commands alternate
(-j 1, -j J, -j 1, ...) so a drift in the machine's speed hits both alike, and the medians
over R repeats are printed with their ratio, and so is the CPU time of each command and all
its processes (`getrusage(RUSAGE_CHILDREN)`: the pool's fork server is stopped and waited
for at exit, so its workers are counted). On a machine other people load, wall time
depends on their work (each command runs in a session of its own: with Linux's
sched_autogroup a busy machine gives a session one fair share, however many processes it
runs, which is printed); the CPU time says whether -j J does more work than -j 1 (a load
average above the CPU count is printed as a warning). Both runs must give the same exit code and the
same verdict per design (checked and printed). A benchmark, not a test: it never fails on
time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu_children() -> float:
    """User + system seconds of every waited-for descendant so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(jobs: int, trials: int) -> tuple[float, float, int, dict[str, str]]:
    """Wall and CPU seconds, exit code and {design: status} of one verification of every
    example."""
    files = sorted(str(p) for p in (ROOT / "examples").glob("*.py"))
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "allo_verify.cli", "verify", *files, "-j", str(jobs),
               "--trials", str(trials), "--format", "json", "--json", "--out", out]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        t0, c0 = time.perf_counter(), cpu_children()
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env,
                           start_new_session=True)  # its own scheduler autogroup
        wall, cpu = time.perf_counter() - t0, cpu_children() - c0
    try:
        designs = json.loads(p.stdout)["designs"]
    except (ValueError, KeyError):
        print(p.stdout[-2000:], p.stderr[-2000:], file=sys.stderr)
        designs = {}
    return wall, cpu, p.returncode, {k: v["status"] for k, v in designs.items()}


def autogroups() -> bool:
    """Whether Linux schedules by session autogroup (fair shares between sessions)."""
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--trials", type=int, default=100, help="L3 trials per design (100)")
    ap.add_argument("--jobs", type=int, default=2, help="workers of the parallel run (2)")
    args = ap.parse_args()
    times: dict[int, list[float]] = {1: [], args.jobs: []}
    cpus: dict[int, list[float]] = {1: [], args.jobs: []}
    loads = []
    seen: dict[int, tuple[int, dict[str, str]]] = {}
    for _ in range(args.repeats):
        for j in (1, args.jobs):
            wall, cpu, code, verdicts = run(j, args.trials)
            loads.append(os.getloadavg()[0])
            times[j].append(wall)
            cpus[j].append(cpu)
            seen[j] = (code, verdicts)
    one, many = statistics.median(times[1]), statistics.median(times[args.jobs])
    n = len(seen[1][1])
    print(f"allo-verify verify examples/*.py ({n} designs, --trials {args.trials}; "
          f"median of {args.repeats}, {os.cpu_count()} CPUs)")
    c1, cj = statistics.median(cpus[1]), statistics.median(cpus[args.jobs])
    print(f"  -j 1: {one:7.1f} s wall {c1:7.1f} s CPU   exit {seen[1][0]}")
    print(f"  -j {args.jobs}: {many:7.1f} s wall {cj:7.1f} s CPU   exit {seen[args.jobs][0]}")
    print(f"ratio -j {args.jobs} / -j 1: wall {many / one:.2f} "
          f"({'faster' if many < one else 'NOT faster'}), CPU {cj / c1:.2f}")
    cpus_n = os.cpu_count() or 1
    if max(loads) > cpus_n:
        print(f"warning: load average up to {max(loads):.1f} on {cpus_n} CPUs during the runs "
              "(other work): wall times measure the machine's load as much as this tool; "
              f"the CPU ratio is the work -j {args.jobs} adds")
        if autogroups():
            print("  the kernel shares the CPUs fairly between sessions (sched_autogroup): a "
                  "session's processes together get one share, so while other sessions keep "
                  f"the CPUs busy, -j {args.jobs} gets no more CPU time per second than -j 1")
    same = seen[1] == seen[args.jobs]
    print(f"same exit code and verdicts: {'yes' if same else 'NO'}")
    for name, status in seen[1][1].items():
        other = seen[args.jobs][1].get(name, "missing")
        print(f"  {name}: {status}" + ("" if other == status else f" vs {other}"))


if __name__ == "__main__":
    main()
