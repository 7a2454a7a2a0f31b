"""What changed between two certificates, and whether the new one is weaker.

Keys: a step is keyed by its label plus an occurrence number (the 2nd identical step is
`label#2`); an entry by layer, name and occurrence number, so duplicates are compared in
order.

Law (`CertDiff.weaker`): True exactly when at least one of these holds, each listed in
`weakenings`:
- an entry that passed in old (proved/agreed) is missing in new, or its result ranks lower
  (proved > agreed > unknown = not_run > refuted);
- an L1 entry proved for all sizes (scope `parametric: true`) is now only proved for this
  instance;
- a co-simulation entry (L3, CSIM) that agreed now covers fewer trials;
- a step accepted checked in old is accepted unchecked in new;
- the overall status rank dropped (proved > unknown > refuted), or the overall claim went
  from "equivalent" to "equivalent modulo reassociation".
Adding steps, obligations or layers, or only strengthening results, is never weaker.
Overall statuses come from the verdict rule, never from a stored status field.

Certificates of different kernels (both name their kernel and the names differ) are not
compared: `different_kernels` says so and the command exits 3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from allo_verify.equiv.verdict import STATUS_RANK
from allo_verify.report.claims import (
    RESULT_RANK,
    CertDict,
    EntryDict,
    entry_claim,
    overall_claim,
    overall_status,
    passed,
    status_of,
)
from allo_verify.report.structure import StepView, build_view


@dataclass
class StatusChange:
    """One entry whose result changed: key, old and new status and claim words."""

    key: str
    layer: str
    old_status: str
    new_status: str
    old_claim: str
    new_claim: str


@dataclass
class CertDiff:
    """The differences from `old` to `new`."""

    steps_added: list[str] = field(default_factory=list)
    steps_removed: list[str] = field(default_factory=list)
    steps_changed: list[str] = field(default_factory=list)
    steps_reordered: bool = False
    obligations_added: list[str] = field(default_factory=list)
    obligations_removed: list[str] = field(default_factory=list)
    layers_added: list[str] = field(default_factory=list)
    layers_removed: list[str] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)
    scope_changes: list[str] = field(default_factory=list)
    overall_old: str = ""
    overall_new: str = ""
    claim_old: str = ""
    claim_new: str = ""
    hashes_changed: list[str] = field(default_factory=list)
    weakenings: list[str] = field(default_factory=list)
    different_kernels: str = ""

    @property
    def weaker(self) -> bool:
        """True when the new certificate is weaker than the old (see the module law)."""
        return bool(self.weakenings)

    @property
    def unchanged(self) -> bool:
        """True when nothing that a report shows changed (timings are ignored)."""
        return not any((self.steps_added, self.steps_removed, self.steps_changed,
                        self.steps_reordered, self.obligations_added,
                        self.obligations_removed, self.layers_added, self.layers_removed,
                        self.status_changes, self.scope_changes, self.hashes_changed,
                        self.overall_old != self.overall_new, self.claim_old != self.claim_new))

    def to_text(self) -> str:
        """A plain-text rendering, one change per line, weakenings first."""
        if self.different_kernels:
            return self.different_kernels + "\n"
        lines = [f"overall: {self.overall_old} -> {self.overall_new}"
                 if self.overall_old != self.overall_new else f"overall: {self.overall_new}"]
        if self.claim_old != self.claim_new:
            lines.append(f"claim: {self.claim_old} -> {self.claim_new}")
        lines.append("WEAKER: " + "; ".join(self.weakenings) if self.weaker
                     else "not weaker")
        groups: list[tuple[str, Sequence[str]]] = [
            ("step added", self.steps_added), ("step removed", self.steps_removed),
            ("step changed", self.steps_changed),
            ("obligation added", self.obligations_added),
            ("obligation removed", self.obligations_removed),
            ("layer entry added", self.layers_added),
            ("layer entry removed", self.layers_removed),
            ("scope changed", self.scope_changes), ("hash changed", self.hashes_changed)]
        if self.steps_reordered:
            lines.append("steps: order changed")
        for title, items in groups:
            lines += [f"{title}: {x}" for x in items]
        for c in self.status_changes:
            lines.append(f"status changed: {c.key}: {c.old_status} -> {c.new_status} "
                         f"({c.old_claim} -> {c.new_claim})")
        if self.unchanged:
            lines.append("no changes")
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.to_text()


def _keyed(items: Sequence[Any], key_of: Any) -> dict[str, Any]:
    """Key each item; the n-th repeat of a key gets `#n` appended (n >= 2)."""
    seen: dict[str, int] = {}
    out: dict[str, Any] = {}
    for it in items:
        k = key_of(it)
        seen[k] = seen.get(k, 0) + 1
        out[k if seen[k] == 1 else f"{k}#{seen[k]}"] = it
    return out


def _entry_key(e: EntryDict) -> str:
    """`layer:name`, the identity of an entry across certificates."""
    return f"{e.get('layer', '?')}:{e.get('name', '?')}"


def _step_facts(st: StepView) -> tuple[Any, ...]:
    """What makes two steps with the same label differ: loops and obligation list."""
    return (st.loops_before, st.loops_after, st.obligation_names)


def _trials(e: EntryDict) -> int | None:
    """How many inputs a simulation entry covered (result first, then scope)."""
    for src in (e.get("result") or {}, e.get("scope") or {}):
        v = src.get("trials") if isinstance(src, Mapping) else None
        if isinstance(v, int):
            return v
    return None


def _compare_entry(key: str, a: EntryDict, b: EntryDict, d: CertDiff) -> None:
    """Record in `d` the status, claim and scope changes of one entry present in both,
    and every way `b` is weaker than `a` (the module law)."""
    sa, sb = status_of(a), status_of(b)
    ca, cb = entry_claim(a), entry_claim(b)
    layer = str(b.get("layer", "?"))
    if sa != sb or ca != cb:
        d.status_changes.append(StatusChange(key, layer, sa, sb, ca, cb))
    if passed(a) and RESULT_RANK.get(sb, 0) < RESULT_RANK.get(sa, 0):
        d.weakenings.append(f"{key} was {sa}, now {sb}")
    elif sa == sb == "proved" and layer == "L1":
        pa = (a.get("scope") or {}).get("parametric") is True
        pb = (b.get("scope") or {}).get("parametric") is True
        if pa and not pb:
            d.weakenings.append(f"{key} was proved for all sizes, now only for this instance")
    if passed(a) and passed(b) and layer in ("L3", "CSIM"):
        ta, tb = _trials(a), _trials(b)
        if ta is not None and tb is not None and tb < ta:
            d.weakenings.append(f"{key} agreed on {ta} inputs, now only on {tb}")
    scope_a, scope_b = a.get("scope") or {}, b.get("scope") or {}
    if scope_a != scope_b:
        changed = sorted(k for k in set(scope_a) | set(scope_b)
                         if scope_a.get(k) != scope_b.get(k))
        d.scope_changes.append(f"{key}: " + ", ".join(
            f"{k} {scope_a.get(k, '(absent)')} -> {scope_b.get(k, '(absent)')}"
            for k in changed))


def diff_certificates(old: CertDict, new: CertDict) -> CertDiff:
    """Compare two certificate dicts (see the module law for `weaker`)."""
    d = CertDiff()
    ka, kb = old.get("kernel"), new.get("kernel")
    if ka and kb and ka != kb:
        d.different_kernels = (f"the certificates are of different kernels ({ka!r} and {kb!r}):"
                               " they cannot be compared")
        return d
    va, vb = build_view(old), build_view(new)
    sa = _keyed(va.steps, lambda s: s.label)
    sb = _keyed(vb.steps, lambda s: s.label)
    d.steps_added = [k for k in sb if k not in sa]
    d.steps_removed = [k for k in sa if k not in sb]
    d.steps_changed = [k for k in sa if k in sb and _step_facts(sa[k]) != _step_facts(sb[k])]
    common_a = [k for k in sa if k in sb]
    common_b = [k for k in sb if k in sa]
    d.steps_reordered = common_a != common_b
    for k in common_a:
        if not sa[k].raw.get("unchecked") and sb[k].raw.get("unchecked"):
            d.weakenings.append(f"step {k} is now accepted unchecked")
    ea = _keyed(list(old.get("entries") or []), _entry_key)
    eb = _keyed(list(new.get("entries") or []), _entry_key)
    for k in eb:
        if k not in ea:
            (d.obligations_added if k.startswith("L1:") else d.layers_added).append(k)
    for k, e in ea.items():
        if k not in eb:
            (d.obligations_removed if k.startswith("L1:") else d.layers_removed).append(k)
            if passed(e):
                d.weakenings.append(f"{k} was {status_of(e)}, now missing")
        else:
            _compare_entry(k, e, eb[k], d)
    d.overall_old, d.overall_new = overall_status(old), overall_status(new)
    d.claim_old, d.claim_new = overall_claim(old), overall_claim(new)
    if STATUS_RANK[d.overall_new] < STATUS_RANK[d.overall_old]:
        d.weakenings.append(f"overall status dropped from {d.overall_old} to {d.overall_new}")
    elif (d.overall_old == d.overall_new == "proved" and "modulo" in d.claim_new
          and "modulo" not in d.claim_old):
        d.weakenings.append("overall claim now holds only modulo reassociation")
    for h in ("original_hash", "final_hash"):
        if old.get(h) != new.get(h):
            d.hashes_changed.append(f"{h}: {old.get(h) or '(none)'} -> {new.get(h) or '(none)'}")
    return d
