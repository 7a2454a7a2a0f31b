"""The verdict rule: one function decides whether a certificate proves its design.

The library (`Certificate.status`, `Schedule.verify`), the CLI exit codes, every report and
`allo-verify diff` call `verdict` on the certificate's plain data (its `to_dict()` or the
JSON file); none of them trusts a stored status field. The rule:

- Refuted if any entry outside a refused step is refuted (any layer). Else refused if a step
  of the log was refused by its checker (a design file keeps going after a refusal and
  records the step with its obligations: a refuted one there is the checker's reason to
  refuse the step, not a difference between two designs that both exist).
- A step is proved when the log lists its obligations, each has an L1 entry, every entry of
  the step is proved, and the step was not accepted `unchecked`.
- Hardware annotations (parallel, pipeline, unroll, partition, dataflow, streams) are
  invisible to the LLVM simulation, so only L1 vouches for them: every hardware step must be
  proved, whatever layers ran.
- Proved when every step is proved (at least one step), or when L2 proved the whole kernel;
  in both cases every hardware step must be proved, and no L1 entry that cannot be placed in
  a step may be unproved (it might belong to a hardware step). Otherwise unknown.
- C simulation (CSIM: the emitted HLS C++ of the final design run against the LLVM
  simulation of the same design) is evidence about the emitter, never a proof: it cannot
  make anything proved, and an agreed, unknown or not-run CSIM entry leaves the verdict as
  the other layers make it (a design can be proved AND its C++ agreed). A refuted CSIM entry
  makes the design refuted, whatever the proofs say: the artefact a user would synthesize
  computes something else, so the design must never read proved. (`allo-verify build
  --target vhls` further requires CSIM to have agreed before it writes the HLS project.)
- Exit codes: 0 proved, 1 refuted or refused, 2 unknown (3, bad usage, is the CLI's).

Law: `verdict` is a pure function of the entries and the schedule log; it needs neither MLIR
nor Z3. Entries are placed in steps exactly as the reports group them (`attribute`).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: primitives whose effect only HLS sees; a log entry's own `hardware` flag is honoured too
#: (tests check this set against the registry's `Primitive.hardware` flags)
HARDWARE_PRIMITIVES = frozenset({"parallel", "pipeline", "unroll", "partition", "dataflow",
                                 "to", "stream", "unfold"})

EXIT_CODES = {"proved": 0, "refuted": 1, "refused": 1, "unknown": 2}
#: rank of an overall status: higher is stronger
STATUS_RANK = {"proved": 2, "unknown": 1, "refused": 0, "refuted": 0}


def _status(entry: Mapping[str, Any]) -> str:
    r = entry.get("result")
    return str(r.get("status", "missing")) if isinstance(r, Mapping) else "missing"


def freeze(v: Any) -> Any:
    """Lists become tuples (JSON has no tuples), recursively; dicts become sorted tuples."""
    if isinstance(v, (list, tuple)):
        return tuple(freeze(x) for x in v)
    if isinstance(v, Mapping):
        return tuple(sorted((str(k), freeze(x)) for k, x in v.items()))
    return v


def parse_label(name: str) -> tuple[str, tuple[Any, ...]] | None:
    """The `(primitive, frozen args)` of the step label that prefixes an obligation name, or
    None when the name does not start with `prim(k=literal, ...)/`."""
    for pos, ch in enumerate(name):
        if ch != "/":
            continue
        try:
            node = ast.parse(name[:pos], mode="eval").body
        except SyntaxError:
            continue
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            return None
        try:
            kw = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
            pos_args = [ast.literal_eval(a) for a in node.args]
        except ValueError:
            return None
        if pos_args:
            kw["*"] = pos_args
        return node.func.id, freeze(kw)
    return None


def _log_entry(raw: Any) -> Mapping[str, Any]:
    return raw if isinstance(raw, Mapping) else {"value": raw}


def listed_obligations(raw: Any) -> list[str] | None:
    """The obligation names a log entry lists, or None when it lists none (older logs)."""
    v = _log_entry(raw).get("obligations")
    return [str(x) for x in v] if isinstance(v, (list, tuple)) else None


@dataclass
class Attribution:
    """Which L1 entries (indices into the certificate's entries) belong to which step."""

    steps: list[list[int]]
    missing: list[list[str]]  # names a step lists that have no entry
    unattributed: list[int]


def attribute(entries: Sequence[Mapping[str, Any]], log: Sequence[Any]) -> Attribution:
    """Place each L1 entry in a step: first, for logs that list their obligations, the first
    unused entry of each listed name in turn; then, for older logs, by the step label that
    prefixes the entry name (first step with that label). Everything else is unattributed."""
    l1 = [k for k, e in enumerate(entries) if e.get("layer") == "L1"]
    used: set[int] = set()
    steps: list[list[int]] = [[] for _ in log]
    missing: list[list[str]] = [[] for _ in log]
    for i, raw in enumerate(log):
        names = listed_obligations(raw)
        for name in names or []:
            k = next((k for k in l1 if k not in used and entries[k].get("name") == name), None)
            if k is None:
                missing[i].append(name)
            else:
                used.add(k)
                steps[i].append(k)
    keys: dict[tuple[str, Any], int] = {}
    for i, raw in enumerate(log):
        d = _log_entry(raw)
        if listed_obligations(raw) is None and "primitive" in d:
            args = d.get("args") if isinstance(d.get("args"), Mapping) else {}
            keys.setdefault((str(d["primitive"]), freeze(args)), i)
    for k in l1:
        if k in used:
            continue
        parsed = parse_label(str(entries[k].get("name", "")))
        i = keys.get(parsed) if parsed else None  # type: ignore[arg-type]
        if i is not None:
            used.add(k)
            steps[i].append(k)
    return Attribution(steps, missing, [k for k in l1 if k not in used])


def is_hardware(raw: Any) -> bool:
    """A hardware annotation: flagged so in the log, or a known hardware primitive."""
    d = _log_entry(raw)
    return d.get("hardware") is True or str(d.get("primitive", "")) in HARDWARE_PRIMITIVES


def step_label_of(raw: Any, i: int) -> str:
    d = _log_entry(raw)
    if "primitive" not in d:
        return f"step {i + 1}"
    args = d.get("args") if isinstance(d.get("args"), Mapping) else {}
    inner = ", ".join(f"{k}={freeze(v)!r}" for k, v in args.items())
    inst = f"{d['instance']}: " if d.get("instance") else ""  # replayed by compose
    return f"step {i + 1} {inst}{d['primitive']}({inner})"


@dataclass(frozen=True)
class StepVerdict:
    """One step: proved by L1 or not, and why not."""

    label: str
    hardware: bool
    unchecked: bool
    refused: bool
    proved: bool
    why: str = ""


@dataclass(frozen=True)
class Verdict:
    """The status ("proved", "refuted", "refused", "unknown"), how it was proved ("L1": every
    step, "L2": the whole kernel), and the reasons it is not proved (or what was refuted)."""

    status: str
    proved_by: str = ""
    reasons: tuple[str, ...] = ()
    steps: tuple[StepVerdict, ...] = field(default_factory=tuple)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]


def _step_verdict(i: int, raw: Any, mine: list[Mapping[str, Any]], missing: list[str]
                  ) -> StepVerdict:
    d = _log_entry(raw)
    label, hw = step_label_of(raw, i), is_hardware(raw)
    unchecked, refused = d.get("unchecked") is True, d.get("refused") is True
    bad = [e for e in mine if _status(e) != "proved"]
    if "primitive" not in d:
        why = "the log entry is not a primitive step"
    elif refused:
        first = str(d.get("reason") or "no reason recorded").splitlines()[0]
        why = f"was refused by its checker ({first})"
    elif unchecked:
        why = "accepted unchecked (the user opted in): its obligations were not all proved"
    elif missing:
        why = f"obligation {missing[0]} has no result"
    elif not mine:
        why = "no L1 obligation recorded for it"
    elif bad:
        e = bad[0]
        r = e.get("result") if isinstance(e.get("result"), Mapping) else {}
        why = (f"obligation {e.get('name')} is {_status(e).replace('_', ' ')}"
               f"{': ' + str(r.get('reason')) if r.get('reason') else ''}")
    else:
        why = ""
    return StepVerdict(label, hw, unchecked, refused, not why, why)


def _refuted_reason(e: Mapping[str, Any]) -> str:
    if e.get("layer") == "CSIM":
        return (f"CSIM {e.get('name')} is refuted: the emitted HLS C++ differs from the LLVM "
                "simulation of the final design (an emitter defect: whatever the proofs say "
                "of the IR, the C++ computes something else)")
    return f"{e.get('layer')} {e.get('name')} is refuted"


#: the L1 entry saying the design was edited in place between steps (`schedule.edits`)
UNBROKEN = "schedule/unbroken"


def verdict(cert: Mapping[str, Any]) -> Verdict:
    """The status of a certificate (as plain data), computed from its entries and log only."""
    entries = [e if isinstance(e, Mapping) else {} for e in (cert.get("entries") or [])]
    log = list(cert.get("schedule_log") or [])
    att = attribute(entries, log)
    steps = tuple(_step_verdict(i, raw, [entries[k] for k in att.steps[i]], att.missing[i])
                  for i, raw in enumerate(log))
    in_refused = {k for i, s in enumerate(steps) if s.refused for k in att.steps[i]}
    refuted = [e for k, e in enumerate(entries)
               if _status(e) == "refuted" and k not in in_refused]
    if refuted:
        return Verdict("refuted", "", tuple(_refuted_reason(e) for e in refuted), steps)
    refused = [s for s in steps if s.refused]
    if refused:
        return Verdict("refused", "", tuple(f"{s.label} {s.why}" for s in refused), steps)
    reasons: list[str] = []
    for s in steps:
        if s.hardware and not s.proved:
            reasons.append(f"{s.label} is a hardware annotation, which only L1 can vouch for "
                           f"(the LLVM simulation ignores it), and it is not proved: {s.why}")
    # an edit of the design between steps (schedule.edits): L1 covers each step, not the
    # chain from the original to the final design; L2 compares those two and still can
    broken = [entries[k] for k in att.unattributed if entries[k].get("name") == UNBROKEN
              and _status(entries[k]) != "proved"]
    stray = [entries[k] for k in att.unattributed if _status(entries[k]) != "proved"
             and entries[k].get("name") != UNBROKEN]
    for e in stray:
        reasons.append(f"L1 {e.get('name')} is {_status(e).replace('_', ' ')} and belongs to "
                       "no step of the log")
    l2 = any(e.get("layer") == "L2" and _status(e) == "proved" for e in entries)
    all_steps = bool(steps) and all(s.proved for s in steps) and not broken
    if not reasons and (all_steps or l2):
        return Verdict("proved", "L1" if all_steps else "L2", (), steps)
    if not all_steps and not l2:
        first = next((s for s in steps if not s.proved), None)
        r = broken[0].get("result") if broken and isinstance(broken[0].get("result"),
                                                               Mapping) else {}
        l1_part = (f"{first.label} is not proved by L1: {first.why}" if first is not None
                   else f"L1 covers only the steps: {r.get('reason')}" if broken
                   else "the schedule log has no step for L1 to prove")
        reasons.append(f"L2 did not prove the whole kernel, and {l1_part}")
    return Verdict("unknown", "", tuple(reasons), steps)
