"""The L2 symbolic tier on Allo's 13 scheduled PolyBench designs (issues 12 and 13).

    PYTHONPATH=. python bench/l2_polybench.py [--size MEDIUM] [--kernels gemm,atax]

For each of the 13 kernels Allo scheduled: `schedule(size)` is built and the symbolic tier
(`symbolic_tier.symbolic_l2`, as `tv.check_equivalent_modules` calls it first) runs on the
original module against the scheduled one. Prints kernel, result, reason and seconds. A
benchmark: it prints what it finds and asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples" / "polybench"))

from allo_verify.equiv.symbolic_tier import symbolic_l2  # noqa: E402

CONCRETE = False
SCHEDULED = ("two_mm", "three_mm", "atax", "bicg", "correlation", "gemm", "gesummv",
             "jacobi_2d", "mvt", "symm", "syr2k", "syrk", "trmm")


def concrete(s: object) -> str:
    """The concrete tier alone on the same pair: its answer and time (it must answer "too
    large" at once from its static estimate when the design is past its budget)."""
    from allo_verify.equiv.tv import check_equivalent_modules

    sig = s.kernel.sig  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    r = check_equivalent_modules(s.original, s.module, sig, symbolic=False)  # type: ignore[attr-defined]
    return f"{r.result.status} {time.perf_counter() - t0:.2f}s"


def run(name: str, size: str) -> tuple[str, str, float]:
    """(result status, reason, seconds) of the symbolic tier on `name`'s design."""
    mod = importlib.import_module(name)
    s = mod.schedule(size)
    sig = s.kernel.sig
    t0 = time.perf_counter()
    res, _ = symbolic_l2(s.original, s.module, sig, sig.name, sig.name, False, True, 0)
    secs = time.perf_counter() - t0
    reason = getattr(res, "reason", "") or ""
    if CONCRETE:
        reason = f"[concrete tier alone: {concrete(s)}] {reason}"
    return res.status, reason, secs


def run_examples() -> None:
    """The same for every Schedule design of examples/*.py (top with calls, reuse_at, ...)."""
    from allo_verify.design import load_designs
    from allo_verify.schedule.schedule import Schedule

    for path in sorted((ROOT / "examples").glob("*.py")):
        try:
            designs = load_designs(path)
        except Exception as e:  # noqa: BLE001 - a benchmark reports and goes on
            print(f"{path.name:24} load failed: {e}")
            continue
        for name, s in designs.items():
            if not isinstance(s, Schedule) or s.refusal is not None:
                continue
            sig = s.kernel.sig
            t0 = time.perf_counter()
            res, _ = symbolic_l2(s.original, s.module, sig, sig.name, sig.name, False, True, 0)
            secs = time.perf_counter() - t0
            reason = (getattr(res, "reason", "") or "")[:140]
            print(f"{path.stem + ':' + name:36} {res.status:8} {secs:8.2f}  {reason}",
                  flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="MEDIUM")
    ap.add_argument("--kernels", default=",".join(SCHEDULED))
    ap.add_argument("--examples", action="store_true", help="also every examples/*.py design")
    ap.add_argument("--concrete", action="store_true",
                    help="also time the concrete tier alone (symbolic=False) on each kernel")
    args = ap.parse_args()
    global CONCRETE
    CONCRETE = args.concrete
    print(f"{'kernel':12} {'result':8} {'seconds':>8}  reason")
    for name in args.kernels.split(","):
        status, reason, secs = run(name, args.size)
        print(f"{name:12} {status:8} {secs:8.2f}  {reason[:160]}", flush=True)
    if args.examples:
        run_examples()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
