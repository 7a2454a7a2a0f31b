"""The shape every report shares: schedule steps with their L1 obligations, L1 entries no
step claims, and the whole-kernel layer entries (L2, L3, CSIM, ...).

Laws kept here:
- Every entry of the certificate appears exactly once: in one step, in `unattributed`, or in
  `layer_entries` (L1 entries never go to `layer_entries`).
- A step whose log lists an obligation that has no entry gets it in `missing`; it is never
  shown with a result.
- Older logs without `obligations` are matched by the step label that prefixes each L1
  entry name (`split(axis='i', factor=4)/S1/sound`), comparing primitive and arguments as
  values, so argument order in the JSON does not matter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from allo_verify.equiv.verdict import attribute, freeze, parse_label
from allo_verify.report.claims import CertDict, EntryDict, status_of

__all__ = ["CertView", "StepView", "build_view", "format_args", "parse_label", "status_counts",
           "step_label"]


@dataclass
class StepView:
    """One schedule-log entry as reports show it."""

    index: int
    primitive: str
    args: dict[str, Any]
    label: str
    loops_before: list[str] | None
    loops_after: list[str] | None
    obligation_names: list[str] | None
    entries: list[EntryDict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class CertView:
    """A certificate dict arranged for rendering."""

    steps: list[StepView]
    unattributed: list[EntryDict]
    layer_entries: list[EntryDict]


def step_label(primitive: str, args: Mapping[str, Any]) -> str:
    """`split(axis='i', factor=4)`: the label a primitive prints (lists shown as tuples)."""
    parts = [f"{k}={freeze(v)!r}" for k, v in args.items()]
    return f"{primitive}({', '.join(parts)})"


def _str_list(v: Any) -> list[str] | None:
    """A list (or tuple) as strings; None (not recorded) for anything else."""
    return [str(x) for x in v] if isinstance(v, (list, tuple)) else None


def _step(i: int, raw: Any) -> StepView:
    """The view of log entry `i`; entries without `primitive` keep their raw dict."""
    d: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {"value": raw}
    prim = str(d.get("primitive") or d.get("name") or "?")
    raw_args = d.get("args")
    args: Mapping[str, Any] = raw_args if isinstance(raw_args, Mapping) else {}
    label = step_label(prim, args) if "primitive" in d else f"step {i + 1}: {prim}"
    return StepView(i, prim, dict(args), label, _str_list(d.get("loops_before")),
                    _str_list(d.get("loops_after")), _str_list(d.get("obligations")), raw=d)


def build_view(cert: CertDict) -> CertView:
    """Arrange `cert` into steps (with their L1 entries), unattributed L1 entries and the
    other layers' entries, keeping the certificate's order everywhere."""
    entries: list[EntryDict] = list(cert.get("entries") or [])
    log: Sequence[Any] = cert.get("schedule_log") or []
    steps = [_step(i, raw) for i, raw in enumerate(log)]
    att = attribute(entries, log)  # the verdict rule's own placement of L1 entries
    for st, mine, missing in zip(steps, att.steps, att.missing, strict=True):
        st.entries = [entries[k] for k in mine]
        st.missing = list(missing)
    unattributed = [entries[k] for k in att.unattributed]
    others = [e for e in entries if e.get("layer") != "L1"]
    return CertView(steps, unattributed, others)


def format_args(args: Mapping[str, Any]) -> str:
    """`axis='i', factor=4` (or "(none)")."""
    return ", ".join(f"{k}={freeze(v)!r}" for k, v in args.items()) or "(none)"


def status_counts(entries: Sequence[EntryDict]) -> dict[str, int]:
    """How many entries have each result status: known statuses first in a fixed order
    (proved, agreed, refuted, unknown, not_run), then any others by name."""
    order = ["proved", "agreed", "refuted", "unknown", "not_run"]
    counts: dict[str, int] = {}
    for e in entries:
        s = status_of(e)
        counts[s] = counts.get(s, 0) + 1
    keys = [s for s in order if s in counts] + sorted(s for s in counts if s not in order)
    return {s: counts[s] for s in keys}
