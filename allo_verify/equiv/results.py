"""Typed outcomes of a verification step, and their JSON form.

Law: every proof attempt yields exactly one of `Proved`, `Refuted`, `Unknown`, `NotRun`;
co-simulation yields `Agreed`, `Refuted`, `Unknown` or `NotRun`.
`Unknown` and `NotRun` never count as a pass. `result_from_dict(result_to_dict(r)) == r`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

JSONValue = Any


def jsonable_scalar(v: Any) -> int | str | bool:
    """A value as JSON keeps it exactly: ints as ints, floats as `repr` strings ("nan", "-0.0").

    Law: `float(jsonable_scalar(x))` is `x` (bit for bit except NaN payloads) for any float x.
    """
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return "nan" if math.isnan(f) else repr(f)
    return str(v)


@dataclass(frozen=True)
class Counterexample:
    """A concrete witness that two programs differ.

    `output` names the differing output (`return[k]` or an argument name), `cell` its subscript,
    `value_a`/`value_b` what each program produced there, `inputs` the argument values (arrays
    in full as nested lists when small, else `{"shape", "cells"}` summaries around the cells that
    matter), `confirmed` how the difference was checked ("llvm", "concrete", "unconfirmed").
    """

    output: str
    cell: tuple[int, ...]
    value_a: JSONValue
    value_b: JSONValue
    inputs: dict[str, JSONValue]
    confirmed: str = "unconfirmed"
    note: str = ""

    def __str__(self) -> str:
        where = f"{self.output}[{', '.join(map(str, self.cell))}]" if self.cell else self.output
        lines = [f"{where}: {self.value_a} (a) != {self.value_b} (b)"
                 f"  [confirmed: {self.confirmed}]"]
        for name in sorted(self.inputs):
            lines.append(f"  {name} = {self.inputs[name]}")
        if self.note:
            lines.append(f"  note: {self.note}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "output": self.output,
            "cell": list(self.cell),
            "value_a": self.value_a,
            "value_b": self.value_b,
            "inputs": self.inputs,
            "confirmed": self.confirmed,
            "note": self.note,
        }

    @staticmethod
    def from_dict(d: dict[str, JSONValue]) -> Counterexample:
        return Counterexample(
            output=d["output"],
            cell=tuple(d["cell"]),
            value_a=d["value_a"],
            value_b=d["value_b"],
            inputs=d["inputs"],
            confirmed=d.get("confirmed", "unconfirmed"),
            note=d.get("note", ""),
        )


@dataclass(frozen=True)
class Proved:
    """The claim holds. `modulo_reassoc` marks proofs that used the reassociation tier."""

    detail: str = ""
    modulo_reassoc: bool = False
    status = "proved"

    @property
    def claim(self) -> str:
        return "equivalent modulo reassociation" if self.modulo_reassoc else "equivalent"


@dataclass(frozen=True)
class Refuted:
    """The claim is false; `counterexample` is a witness when one was built."""

    counterexample: Counterexample | None = None
    detail: str = ""
    status = "refuted"


@dataclass(frozen=True)
class Agreed:
    """Co-simulation found no difference: "agreed on `trials` distinct random inputs (seed
    `seed`)"; `trials` counts the distinct inputs actually run. Evidence, not a proof."""

    trials: int
    seed: int
    status = "agreed"


@dataclass(frozen=True)
class Unknown:
    """No answer (resource limit, unsupported construct, data-dependent control): never a pass."""

    reason: str
    status = "unknown"


@dataclass(frozen=True)
class NotRun:
    """The check was not attempted, e.g. "too large" for its work budget."""

    reason: str
    status = "not_run"


Result = Proved | Refuted | Agreed | Unknown | NotRun


def result_to_dict(r: Result) -> dict[str, JSONValue]:
    """JSON form of a result: `{"status": ..., <fields>}`."""
    if isinstance(r, Proved):
        return {"status": "proved", "detail": r.detail, "modulo_reassoc": r.modulo_reassoc}
    if isinstance(r, Refuted):
        cex = None if r.counterexample is None else r.counterexample.to_dict()
        return {"status": "refuted", "counterexample": cex, "detail": r.detail}
    if isinstance(r, Agreed):
        return {"status": "agreed", "trials": r.trials, "seed": r.seed}
    if isinstance(r, Unknown):
        return {"status": "unknown", "reason": r.reason}
    return {"status": "not_run", "reason": r.reason}


def result_from_dict(d: dict[str, JSONValue]) -> Result:
    """Inverse of `result_to_dict`."""
    s = d["status"]
    if s == "proved":
        return Proved(d.get("detail", ""), bool(d.get("modulo_reassoc", False)))
    if s == "refuted":
        c = d.get("counterexample")
        return Refuted(None if c is None else Counterexample.from_dict(c), d.get("detail", ""))
    if s == "agreed":
        return Agreed(int(d["trials"]), int(d["seed"]))
    if s == "unknown":
        return Unknown(d["reason"])
    if s == "not_run":
        return NotRun(d["reason"])
    raise ValueError(f"unknown result status {s!r}")


@dataclass
class Cost:
    """What a check consumed: Z3 queries, resource units used, seconds, other counters."""

    rlimit: int = 0
    queries: int = 0
    seconds: float = 0.0
    extra: dict[str, int] = field(default_factory=dict)

    def to_dict(self, timings: bool = True) -> dict[str, JSONValue]:
        """With `timings=False`, measurements are left out: seconds and the resource units
        consumed (Z3's counter is process-wide and drifts by a few units between runs; the
        answers themselves depend only on the fixed per-query `rlimit`)."""
        d: dict[str, JSONValue] = {"queries": self.queries}
        d["extra"] = dict(sorted(self.extra.items()))
        if timings:
            d["seconds"] = round(self.seconds, 6)
            d["rlimit"] = self.rlimit
        return d

    @staticmethod
    def from_dict(d: dict[str, JSONValue]) -> Cost:
        return Cost(d.get("rlimit", 0), d["queries"], d.get("seconds", 0.0),
                    dict(d.get("extra", {})))


@dataclass
class LayerResult:
    """Outcome of a whole-kernel layer (L2, L3): the result, what exactly it covered
    (`scope`: sizes, trials, seed, budget) and its cost."""

    result: Result
    scope: dict[str, Any] = field(default_factory=dict)
    cost: Cost = field(default_factory=Cost)

    @property
    def status(self) -> str:
        return self.result.status
