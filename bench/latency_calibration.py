"""The latency estimate next to Allo's published Vitis HLS latencies, PolyBench MEDIUM.

    PYTHONPATH=. python bench/latency_calibration.py [--markdown]

For each of the 13 PolyBench kernels Allo scheduled, it builds the unscheduled kernel and the
scheduled design of `examples/polybench/NAME.py` at MEDIUM size, estimates both
(`allo_verify.estimate`: an estimate from the schedule, not synthesis), and prints them with
the csynth latencies Allo's paper reports (AMD U280 at 300 MHz, in ms) and the ratio
estimate / published. The schedules here are this project's, written from the primitives
Allo's designs use, not Allo's exact designs, so a scheduled ratio far from 1 can be the
schedule as much as the model. A benchmark: it prints numbers and never fails on them.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
import time
from pathlib import Path

import allo_verify as av

ROOT = Path(__file__).resolve().parent.parent
#: kernel -> (Allo's scheduled latency, the unscheduled Vitis baseline), ms at 300 MHz
PUBLISHED = {
    "2mm": (0.646, 371.99), "3mm": (0.7425, 607.39), "atax": (0.0107, 4.86),
    "bicg": (0.0055, 4.26), "correlation": (1.6606, 355.12), "gemm": (0.796, 105.67),
    "gesummv": (0.0051, 1.67), "jacobi-2d": (0.1958, 215.21), "mvt": (0.0107, 7.55),
    "symm": (1.6917, 238.00), "syr2k": (0.9863, 809.18), "syrk": (0.9775, 809.17),
    "trmm": (1.6184, 1374.62),
}
MODULES = {"2mm": "two_mm", "3mm": "three_mm", "jacobi-2d": "jacobi_2d"}


def rows() -> list[dict[str, object]]:
    sys.path.insert(0, str(ROOT / "examples" / "polybench"))
    out = []
    for name, (sched_ms, base_ms) in PUBLISHED.items():
        mod = importlib.import_module(MODULES.get(name, name))
        t0 = time.perf_counter()
        base = av.customize(mod.kernel("MEDIUM")).estimate()
        design = mod.schedule("MEDIUM").estimate()
        out.append({"kernel": name, "base_est": base.ms, "base_pub": base_ms,
                    "sched_est": design.ms, "sched_pub": sched_ms,
                    "seconds": time.perf_counter() - t0})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    table = rows()
    head = ["kernel", "unscheduled est. ms", "Vitis baseline ms", "ratio",
            "scheduled est. ms", "Allo published ms", "ratio"]
    lines = []
    for r in table:
        lines.append([r["kernel"], f"{r['base_est']:.4g}", f"{r['base_pub']:g}",
                      f"{r['base_est'] / r['base_pub']:.2f}", f"{r['sched_est']:.4g}",
                      f"{r['sched_pub']:g}", f"{r['sched_est'] / r['sched_pub']:.2f}"])
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for ln in lines:
            print("| " + " | ".join(ln) + " |")
    else:
        widths = [max(len(h), *(len(ln[k]) for ln in lines)) for k, h in enumerate(head)]
        print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
        for ln in lines:
            print("  ".join(c.ljust(w) for c, w in zip(ln, widths, strict=True)))

    def gmean(xs: list[float]) -> float:
        return math.exp(sum(math.log(x) for x in xs) / len(xs))

    for key, pub, word in (("base_est", "base_pub", "unscheduled"),
                           ("sched_est", "sched_pub", "scheduled")):
        ratios = [r[key] / r[pub] for r in table]
        print(f"{word}: estimate / published, geometric mean {gmean(ratios):.2f}, "
              f"range {min(ratios):.2f} .. {max(ratios):.2f}")
    print("(all estimates are estimates from the schedule and the operator table of "
          "docs/estimate.md, not synthesis results)")


if __name__ == "__main__":
    main()
