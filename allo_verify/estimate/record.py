"""The latency estimate as a certificate records it: what each step bought.

Law: `estimate_record(s)` is a pure function of the schedule's designs (the original, the
design after each accepted step, the final one) and the operator table; every figure carries
the label "estimate". A design the estimator cannot read gives a record with its reason and
no figures, never an exception, so a certificate is always produced.
"""

from __future__ import annotations

from typing import Any

from allo_verify.estimate.latency import DesignEstimate, estimate
from allo_verify.estimate.optable import DEFAULT_TABLE


def _figures(est: DesignEstimate) -> dict[str, Any]:
    return {"cycles": est.cycles, "interval": est.interval, "ms": round(est.ms, 6)}


def estimate_record(schedule: Any) -> dict[str, Any]:
    """{"label", "clock_mhz", "original": figures, "final": the final design's full estimate,
    "steps": [figures after each step, in log order]} for `schedule`."""
    name, names = schedule.kernel.name, schedule.ctx.arg_names
    try:
        original = estimate(schedule.original, name, arg_names=names)
        final = estimate(schedule.module, name, arg_names=names)
        steps = [_figures(estimate(st.after, name, arg_names=names)) if st.after is not None
                 else {} for st in schedule.steps]
    except Exception as e:  # noqa: BLE001 - an estimate never stops a certificate
        return {"label": "estimate", "error": f"not estimated: {type(e).__name__}: {e}"}
    return {"label": "estimate", "clock_mhz": DEFAULT_TABLE.clock_mhz,
            "original": _figures(original), "final": final.to_dict(), "steps": steps}
