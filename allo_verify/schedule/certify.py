"""The certificate of a schedule (`Schedule.verify`): the L1 results of its steps, with the
L2 and L3 layers run on its original and current designs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allo_verify.equiv.results import Unknown
from allo_verify.errors import ScheduleUsageError
from allo_verify.schedule.sources import statement_sources
from allo_verify.schedule.steps import Step
from allo_verify.schedule.usage import verify_args

if TYPE_CHECKING:
    from allo_verify.schedule.schedule import Schedule


def certify(schedule: Schedule, layers: tuple[str, ...] = ("L1", "L2", "L3"),
            trials: int = 100, seed: int = 0, allow_reassoc: bool = False,
            tolerance: float | None = None, csim: bool = False, **budgets: Any) -> Any:
    """A `Certificate` for the current design against the original kernel: the L1
    results of every step, L2 translation validation and L3 co-simulation; with `csim`,
    the C simulation of the final design's emitted HLS C++ on the L3 inputs (CSIM entry:
    evidence about the emitter; a difference makes the design refuted).

    The obligations of hardware annotations are recorded whatever `layers` says (only L1
    can vouch for them). A schedule holding a refusal (design files) gives a certificate
    of its accepted steps and the refused one, with no other layer run; a usage error is
    raised again."""
    from allo_verify.equiv.api import ir_text, verify_modules
    from allo_verify.equiv.certificate import Certificate, Entry, ir_hash
    from allo_verify.equiv.obligation import DEFAULT_RLIMIT, Obligation

    layers = verify_args(layers, trials, seed, allow_reassoc, budgets,
                         tolerance=tolerance)
    last = schedule.steps[-1].seal if schedule.steps and schedule.steps[-1].seal is not None \
        else schedule._seal
    edited = last.check(schedule.module, "verify")
    broken = [i + 1 for i, st in enumerate(schedule.steps) if st.edited_before]
    broken += [len(schedule.steps) + 1] if edited else []
    if not isinstance(csim, bool):
        raise ScheduleUsageError(f"verify: csim must be True or False, got {csim!r}")
    if csim and "L3" not in layers:
        verify_args(("L3",), trials, seed)  # C simulation draws `trials` inputs itself
    scope = {"rlimit": budgets.get("rlimit", DEFAULT_RLIMIT)}
    forced = {**scope, "forced": "a hardware annotation: L1 checks it whatever the layers"}

    def l1_entries(steps: list[Step], hardware_only: bool) -> list[Entry]:
        return [Entry("L1", c.name, c.result, c.statement, c.location, c.cost,
                      forced if hardware_only else dict(scope))
                for st in steps if type(st.primitive).hardware or not hardware_only
                for c in st.checks]

    if schedule.refusal is not None:
        refused = getattr(schedule.refusal, "step", None)
        if isinstance(schedule.refusal, ScheduleUsageError) or refused is None:
            raise type(schedule.refusal)(
                f"{schedule.refusal} (requested at {schedule.refusal_site})")
        steps = [*schedule.steps, refused]
        cert = Certificate(schedule_log=[st.to_dict(detail=True) for st in steps],
                           original_hash=ir_hash(ir_text(schedule.original)),
                           final_hash=ir_hash(ir_text(schedule.module)),
                           allow_reassoc=allow_reassoc, kernel=schedule.kernel.sig.name)
        cert.entries = l1_entries(steps, False)
        cert.statements = statement_sources(schedule.original)
        return cert
    cert = verify_modules(schedule.original, schedule.module, schedule.kernel.sig, layers,
                          obligations=[(Obligation(c.name, c.statement, _nothing,
                                                   c.location), c.result, c.cost)
                                       for st in schedule.steps for c in st.checks],
                          schedule_log=[st.to_dict(detail=True) for st in schedule.steps],
                          trials=trials, seed=seed, allow_reassoc=allow_reassoc,
                          tolerance=tolerance, csim=csim, **budgets)
    if "L1" not in layers:
        cert.entries[:0] = l1_entries(schedule.steps, True)
    if broken:  # see `edits`: L1 covers the steps, not an edit made between them
        where = ", ".join(f"before step {n}" if n <= len(schedule.steps) else "after the last "
                          "step" for n in broken)
        cert.entries.insert(0, Entry(
            "L1", "schedule/unbroken", Unknown(f"s.module was edited in place {where}"),
            "the design is the original rewritten by the recorded steps only", "schedule",
            scope=dict(scope)))
    cert.statements = statement_sources(schedule.original)
    from allo_verify.schedule.dataflow_record import dataflow_record

    cert.dataflow = dataflow_record(schedule.module, schedule.steps, schedule.ctx.arg_names)
    from allo_verify.estimate.record import estimate_record

    cert.estimate = estimate_record(schedule)
    return cert



def _nothing() -> Any:
    """The builder of an obligation already discharged (never called)."""
    raise AssertionError("an already discharged obligation was discharged again")
