"""Certificates: every result with its cost and scope, the schedule log, IR hashes.

Law: `Certificate.from_json(c.to_json()) == c`, and `c.to_json(timings=False)` is a pure
function of the inputs (sorted keys, lists in a stable order), so two runs on the same input
produce byte-identical text except timings.

Status: `allo_verify.equiv.verdict.verdict` applied to the entries and the schedule log (the
one verdict rule of the library, the CLI and the reports); the stored `status` field of a JSON
certificate is written for readers and never read back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from allo_verify.equiv.results import (
    Cost,
    Proved,
    Result,
    result_from_dict,
    result_to_dict,
)
from allo_verify.equiv.verdict import Verdict, verdict


def ir_hash(text: str) -> str:
    """sha256 of IR text (print the module with the same options on both sides)."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Entry:
    """One checked claim: its layer ("L1", "L2", "L3"), name, statement, location, result,
    cost, and `scope` (sizes, trials, seed, budget: what exactly the claim covers)."""

    layer: str
    name: str
    result: Result
    statement: str = ""
    location: str = ""
    cost: Cost = field(default_factory=Cost)
    scope: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, timings: bool = True) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "name": self.name,
            "statement": self.statement,
            "location": self.location,
            "result": result_to_dict(self.result),
            "cost": self.cost.to_dict(timings),
            "scope": self.scope,
        }

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Entry:
        return Entry(d["layer"], d["name"], result_from_dict(d["result"]), d["statement"],
                     d["location"], Cost.from_dict(d["cost"]), d["scope"])


@dataclass
class Certificate:
    """All results of verifying `final` against `original` under a schedule log."""

    entries: list[Entry] = field(default_factory=list)
    schedule_log: list[Any] = field(default_factory=list)
    original_hash: str = ""
    final_hash: str = ""
    allow_reassoc: bool = False
    kernel: str = ""
    #: statement id ("S3") -> {"location": "file:line:col", "source": the source line}, so a
    #: reader of an obligation about S3 sees which line of the kernel it is
    statements: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the dataflow graphs of the final design (`schedule.dataflow_record`); [] without
    #: dataflow regions or streams (then absent from the JSON, as in older certificates)
    dataflow: list[dict[str, Any]] = field(default_factory=list)
    #: the latency estimate (`allo_verify.estimate.record`): the original and final design,
    #: and the cycles after each step; {} when not estimated (then absent from the JSON)
    estimate: dict[str, Any] = field(default_factory=dict)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)

    def verdict(self) -> Verdict:
        """The verdict rule applied to this certificate's entries and schedule log."""
        return verdict({"entries": [e.to_dict(timings=False) for e in self.entries],
                        "schedule_log": self.schedule_log})

    @property
    def status(self) -> str:
        """"proved", "refuted", "refused" or "unknown", by the verdict rule."""
        return self.verdict().status

    @property
    def ok(self) -> bool:
        return self.status == "proved"

    @property
    def claim(self) -> str:
        """The words the report uses: 'equivalent' or 'equivalent modulo reassociation'."""
        if self.status != "proved":
            return self.status
        reassoc = any(isinstance(e.result, Proved) and e.result.modulo_reassoc
                      for e in self.entries)
        return "equivalent modulo reassociation" if reassoc else "equivalent"

    def layers(self) -> dict[str, list[dict[str, Any]]]:
        """Per layer, what ran at which scope and its status."""
        out: dict[str, list[dict[str, Any]]] = {}
        for e in self.entries:
            out.setdefault(e.layer, []).append(
                {"name": e.name, "status": e.result.status, "scope": e.scope})
        return out

    def to_dict(self, timings: bool = True) -> dict[str, Any]:
        v = self.verdict()
        return {
            "status": v.status,
            "reasons": list(v.reasons),
            "claim": self.claim,
            "kernel": self.kernel,
            "allow_reassoc": self.allow_reassoc,
            "original_hash": self.original_hash,
            "final_hash": self.final_hash,
            "schedule_log": self.schedule_log,
            "statements": self.statements,
            "entries": [e.to_dict(timings) for e in self.entries],
        } | ({"dataflow": self.dataflow} if self.dataflow else {}) \
          | ({"estimate": self.estimate} if self.estimate else {})

    def to_json(self, timings: bool = True) -> str:
        """Sorted-key, indented JSON; with `timings=False` fully deterministic."""
        return json.dumps(self.to_dict(timings), sort_keys=True, indent=2)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Certificate:
        return Certificate([Entry.from_dict(e) for e in d["entries"]], d["schedule_log"],
                           d["original_hash"], d["final_hash"], d["allow_reassoc"],
                           d.get("kernel", ""), dict(d.get("statements") or {}),
                           list(d.get("dataflow") or []), dict(d.get("estimate") or {}))

    @staticmethod
    def from_json(text: str) -> Certificate:
        return Certificate.from_dict(json.loads(text))

    def summary(self) -> str:
        lines = [f"status: {self.status} ({self.claim})"]
        lines += [f"  because {r}" for r in self.verdict().reasons]
        for e in self.entries:
            lines.append(f"  {e.layer} {e.name}: {e.result.status} {e.scope}")
        return "\n".join(lines)
