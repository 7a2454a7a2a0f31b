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
    """The certificate's JSON, with paths made relative to the repository (so the fixtures
    do not depend on where the checkout lives)."""
    text = cert.to_json(timings=False)  # type: ignore[attr-defined]
    (HERE / name).write_text(text.replace(str(HERE.parents[2]) + "/", "") + "\n")


def main() -> None:
    import allo_verify as av
    from allo_verify.equiv import Certificate, check_equivalent, verify_modules
    from allo_verify.equiv.certificate import Entry
    from allo_verify.equiv.results import NotRun, Unknown
    from allo_verify.lang.kernel import build_kernel
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

    # A refused step, recorded as a design file records it (`collect_refusals`): the
    # certificate holds the refused step and its refuted obligation.
    from allo_verify.schedule.refusals import collect_refusals

    with collect_refusals():
        s = av.customize(K.seidel)
        s.reorder("j", "i")
    assert s.refusal is not None, "seidel reorder(j, i) must be refused"
    _write("refuted_l1.json", s.verify(trials=5))

    d = json.loads(proved.to_json(timings=False))
    entries = [Entry.from_dict(x) for x in d["entries"]]
    sound = next(e for e in entries if e.name == "split(axis='i', factor=4)/S1/sound")
    sound.result = Unknown("resource limit (rlimit 20000000) reached [fixture]")
    entries[-2].result = NotRun("too large: more than 100 ops would execute [fixture]")
    unknown = Certificate(entries, d["schedule_log"], d["original_hash"], d["final_hash"],
                          kernel=d["kernel"], statements=d["statements"])
    _write("unknown.json", unknown)


if __name__ == "__main__":
    main()
