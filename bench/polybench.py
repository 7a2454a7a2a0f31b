"""The PolyBench table: every port at every size, checked against its NumPy reference, and
the 13 scheduled designs verified layer by layer.

    PYTHONPATH=. python bench/polybench.py                      # everything, Markdown table
    PYTHONPATH=. python bench/polybench.py --kernels gemm,atax --sizes MINI
    PYTHONPATH=. python bench/polybench.py --out bench/polybench.md

For each kernel of `examples/polybench/` and each size: whether the port matches its NumPy
reference on the LLVM simulation (every element type it is ported at; "exact" is bit for
bit), whether it has a schedule, and for scheduled kernels each layer's verdict of
`schedule.verify(...)` with the C simulation, the time it took, and the command that
reproduces it (`allo-verify verify` on the design file at that size). The latency columns
are the estimate (`Schedule.estimate()`) of the unscheduled kernel and of the design, filled
with or without `--no-verify`, next to Allo's published csynth figures at MEDIUM; an
estimate is labelled as one. A benchmark: it prints what it finds and never fails on it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PORTS = ROOT / "examples" / "polybench"

#: module name of each PolyBench kernel, in PolyBench's alphabetical order
KERNELS = ("two_mm", "three_mm", "adi", "atax", "bicg", "cholesky", "correlation",
           "covariance", "deriche", "doitgen", "durbin", "fdtd_2d", "floyd_warshall", "gemm",
           "gemver", "gesummv", "gramschmidt", "heat_3d", "jacobi_1d", "jacobi_2d", "lu",
           "ludcmp", "mvt", "nussinov", "seidel_2d", "symm", "syr2k", "syrk", "trisolv",
           "trmm")
SIZES = ("MINI", "SMALL", "MEDIUM")
#: Allo's published Vitis csynth latencies at MEDIUM (U280, 300 MHz, ms): its scheduled
#: design and the unscheduled Vitis baseline (PLDI 2024, as quoted in issue 13)
PUBLISHED_MS = {
    "2mm": (0.646, 371.99), "3mm": (0.7425, 607.39), "atax": (0.0107, 4.86),
    "bicg": (0.0055, 4.26), "correlation": (1.6606, 355.12), "gemm": (0.796, 105.67),
    "gesummv": (0.0051, 1.67), "jacobi-2d": (0.1958, 215.21), "mvt": (0.0107, 7.55),
    "symm": (1.6917, 238.00), "syr2k": (0.9863, 809.18), "syrk": (0.9775, 809.17),
    "trmm": (1.6184, 1374.62),
}


@dataclass
class Row:
    """One kernel at one size."""

    module: str
    polybench: str
    size: str
    types: str
    design: str = ""
    matches: str = ""
    scheduled: bool = False
    layers: dict[str, str] = field(default_factory=dict)
    verify_s: float | None = None
    est_base_ms: float | None = None
    est_sched_ms: float | None = None
    notes: list[str] = field(default_factory=list)

    def command(self, trials: int) -> str:
        path = f"examples/polybench/{self.module}.py"
        if self.scheduled:
            return (f"POLYBENCH_SIZE={self.size} allo-verify verify {path} --csim "
                    f"--trials {trials}" + (f" --schedule {self.design}" if self.design else ""))
        return f"PYTHONPATH=. python bench/polybench.py --kernels {self.module} " \
               f"--sizes {self.size} --no-verify"


def load(module: str) -> Any:
    """Import a port module from examples/polybench (its directory on the path, as the
    design-file loader does)."""
    if str(PORTS) not in sys.path:
        sys.path.insert(0, str(PORTS))
    return importlib.import_module(module)


def check_port(mod: Any, size: str) -> str:
    """"exact" / "within t" when every element type matches its reference, else why not."""
    from common import mismatch, run_port

    out = []
    for dtype in mod.TYPES:
        try:
            why = mismatch(mod, *run_port(mod, size, dtype))
        except Exception as e:  # noqa: BLE001 - a benchmark reports every failure
            return f"error ({dtype}): {type(e).__name__}: {str(e).splitlines()[0]}"
        if why:
            return f"NO ({dtype}): {why}"
        out.append(str(dtype))
    tol = mod.TOLERANCE
    return "exact" if tol is None else f"within {tol:g}"


def estimate_ms(schedule: Any) -> float | None:
    """The latency estimate hook: `Schedule.estimate().ms` when the package provides an
    estimate, else None (the column stays empty)."""
    est = getattr(schedule, "estimate", None)
    if est is None:
        return None
    try:
        return float(est().ms)
    except Exception:  # noqa: BLE001 - no estimate is an empty cell, not a failed bench
        return None


def verify_row(row: Row, mod: Any, trials: int, csim: bool, build: Any = None) -> None:
    """Build the schedule at the row's size (`build`, else the module's `schedule`) and
    verify it: each layer's status, the time."""
    import allo_verify as av

    t0 = time.perf_counter()
    try:
        s = (build or mod.schedule)(row.size)
        cert = s.verify(layers=("L1", "L2", "L3"), trials=trials, csim=csim)
    except Exception as e:  # noqa: BLE001 - a benchmark reports every failure
        row.layers = {"status": f"error: {type(e).__name__}: {str(e).splitlines()[0]}"}
        return
    row.verify_s = time.perf_counter() - t0
    l1 = [e.result.status for e in cert.entries if e.layer == "L1"]
    row.layers["L1"] = ("proved" if l1 and all(x == "proved" for x in l1)
                        else "refused/unknown" if l1 else "none")
    for layer in ("L2", "L3", "CSIM"):
        got = [e for e in cert.entries if e.layer == layer]
        row.layers[layer] = got[0].result.status if got else "not run"
        reason = getattr(got[0].result, "reason", "") if got else ""
        if layer == "L2" and reason:
            row.notes.append(f"L2: {reason}")
    row.layers["status"] = str(cert.status)
    row.est_sched_ms = estimate_ms(s)
    row.est_base_ms = estimate_ms(av.customize(mod.kernel(row.size)))


def estimate_row(row: Row, mod: Any, build: Any = None) -> None:
    """The latency columns without verifying: the estimate of the unscheduled kernel, and of
    the design (`build`, else the module's `schedule`) when the kernel has one."""
    import allo_verify as av

    row.est_base_ms = estimate_ms(av.customize(mod.kernel(row.size)))
    if row.scheduled:
        try:
            row.est_sched_ms = estimate_ms((build or mod.schedule)(row.size))
        except Exception as e:  # noqa: BLE001 - a benchmark reports every failure
            row.notes.append(f"schedule: {type(e).__name__}: {str(e).splitlines()[0]}")


def collect(kernels: list[str], sizes: list[str], verify: bool, trials: int,
            csim: bool) -> list[Row]:
    rows = []
    for name in kernels:
        mod = load(name)
        for size in sizes:
            row = Row(name, mod.POLYBENCH, size, ", ".join(str(t) for t in mod.TYPES))
            row.scheduled = hasattr(mod, "schedule")
            row.design = name if hasattr(mod, "composed_schedule") else ""
            row.matches = check_port(mod, size)
            if verify and row.scheduled:
                verify_row(row, mod, trials, csim)
            else:
                estimate_row(row, mod)
            rows.append(row)
            print(f"  {name:15} {size:6} {row.matches:8} {row.layers.get('status', '')}",
                  file=sys.stderr)
            if hasattr(mod, "composed_schedule"):  # 2mm: a second design
                extra = Row(name, mod.POLYBENCH, size, row.types, f"{name}_composed",
                            row.matches, True)
                if verify:
                    verify_row(extra, mod, trials, csim, mod.composed_schedule)
                else:
                    estimate_row(extra, mod, mod.composed_schedule)
                rows.append(extra)
    return rows


def _ms(x: float | None) -> str:
    return "" if x is None else f"{x:.4g}"


def markdown(rows: list[Row], trials: int) -> str:
    head = ["kernel", "size", "types", "matches NumPy", "schedule", "L1", "L2", "L3", "csim",
            "verify s", "est. ms unscheduled", "est. ms scheduled", "Allo ms (baseline)",
            "reproduce"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        pub = PUBLISHED_MS.get(r.polybench) if r.size == "MEDIUM" else None
        lines.append("| " + " | ".join([
            r.polybench + (f" ({r.design})" if r.design else ""), r.size, r.types, r.matches,
            "yes" if r.scheduled else "no",
            r.layers.get("L1", ""), r.layers.get("L2", ""), r.layers.get("L3", ""),
            r.layers.get("CSIM", ""), "" if r.verify_s is None else f"{r.verify_s:.1f}",
            _ms(r.est_base_ms), _ms(r.est_sched_ms),
            f"{pub[0]:g} ({pub[1]:g})" if pub else "", f"`{r.command(trials)}`"]) + " |")
    notes = sorted({f"{r.polybench} {r.size}: {n}" for r in rows for n in r.notes})
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    lines += ["", "Latencies are estimates from the schedule (`Schedule.estimate()`), not "
              "synthesis results; Allo's figures are its published Vitis csynth latencies."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernels", default=",".join(KERNELS), help="module names, comma-separated")
    ap.add_argument("--sizes", default=",".join(SIZES), help="MINI,SMALL,MEDIUM")
    ap.add_argument("--no-verify", action="store_true", help="only compare ports to NumPy")
    ap.add_argument("--no-csim", action="store_true", help="verify without C simulation")
    ap.add_argument("--trials", type=int, default=10, help="L3 and csim inputs (10)")
    ap.add_argument("--out", help="write the Markdown table here (default: stdout)")
    args = ap.parse_args(argv)
    kernels = [k for k in args.kernels.split(",") if k]
    unknown = [k for k in kernels if k not in KERNELS]
    sizes = [s.upper() for s in args.sizes.split(",") if s]
    if unknown or any(s not in SIZES for s in sizes):
        ap.error(f"unknown kernel or size: {unknown or sizes}")
    rows = collect(kernels, sizes, not args.no_verify, args.trials, not args.no_csim)
    table = markdown(rows, args.trials)
    if args.out:
        Path(args.out).write_text(table)
    else:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
