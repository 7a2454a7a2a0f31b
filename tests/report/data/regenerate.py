"""Regenerate the certificate fixtures of tests/report from real runs (needs MLIR and Z3).

Run: `PYTHONPATH=. python tests/report/data/regenerate.py` from the repository root. The
fixtures are written with `timings=False`, so a rerun gives byte-identical files.
Only `unknown.json` is edited by hand-written code: no small kernel yields a real `Unknown`
quickly, so one L1 result of the proved certificate is replaced by one (marked in its reason).
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent


def _write(name: str, cert: object) -> None:
    (HERE / name).write_text(cert.to_json(timings=False) + "\n")  # type: ignore[attr-defined]


def main() -> None:
    import allo_verify as av
    from allo_verify.equiv import Certificate, check_equivalent, verify_modules
    from allo_verify.equiv.certificate import Entry, ir_hash
    from allo_verify.equiv.results import NotRun, Refuted, Unknown
    from allo_verify.lang.kernel import build_kernel
    from allo_verify.schedule.loops import describe_loops
    from tests.equiv.test_api import fsum_pair, fsum_seq, gemm_ijk, gemm_swapped
    from tests.schedule import kernels as K

    s = av.customize(K.gemm)
    s.split("i", 4)
    s.split("j", 4)
    s.reorder("i.outer", "j.outer", "k", "i.inner", "j.inner")
    s.pipeline("k")
    proved = s.verify(trials=10)
    _write("proved.json", proved)

    _write("refuted_l2.json", check_equivalent(gemm_ijk, gemm_swapped, trials=5))
    _write("reassoc.json", check_equivalent(fsum_seq, fsum_pair, trials=5, allow_reassoc=True))

    k = build_kernel(gemm_ijk)
    _write("not_run.json", verify_modules(k.module, k.module, k.sig, layers=("L2", "L3"),
                                          l2_budget=100, l3_cell_budget=10))

    # A refused step: the schedule raises instead of logging it, so the certificate a tool
    # would record for it is assembled here from the ScheduleError's counterexample.
    s = av.customize(K.seidel)
    before = describe_loops(s.module)
    try:
        s.reorder("j", "i")
        raise AssertionError("seidel reorder(j, i) must be refused")
    except av.ScheduleError as e:
        cex = e.counterexample
    name = "reorder(axes=('j', 'i'))/S0/order/A"
    cert = Certificate(schedule_log=[{"primitive": "reorder", "args": {"axes": ["j", "i"]},
                                      "loops_before": before, "obligations": [name]}],
                       original_hash=ir_hash(str(s.original)),
                       final_hash=ir_hash(str(s.module)))
    cert.add(Entry("L1", name, Refuted(cex, "order broken"),  # type: ignore[arg-type]
                   "instances of S0 that touch the same cell of A keep their order after "
                   "reorder(axes=('j', 'i'))", "tests/schedule/kernels.py:60:13"))
    _write("refuted_l1.json", cert)

    d = json.loads(proved.to_json(timings=False))
    entries = [Entry.from_dict(x) for x in d["entries"]]
    entries[4].result = Unknown("resource limit (rlimit 20000000) reached [fixture]")
    entries[-2].result = NotRun("too large: more than 100 ops would execute [fixture]")
    unknown = Certificate(entries, d["schedule_log"], d["original_hash"], d["final_hash"])
    _write("unknown.json", unknown)


if __name__ == "__main__":
    main()
