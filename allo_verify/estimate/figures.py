"""What a latency estimate reports: one `LoopEstimate` per loop and one `DesignEstimate` per
function (cycles, interval, clock), each labelled "estimate" wherever it is shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LoopEstimate:
    """One loop's estimate: average trip count, achieved and requested II (0: not pipelined),
    depth (cycles of one iteration), total cycles, body copies per iteration (unroll), what
    bounds its II, and the pipelined loop it was unrolled into (if any)."""

    name: str
    trip: float
    ii: int
    requested_ii: int
    depth: int
    cycles: int
    copies: int
    limited_by: str = ""
    unrolled_into: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "trip": round(self.trip, 2), "ii": self.ii,
                "requested_ii": self.requested_ii, "depth": self.depth, "cycles": self.cycles,
                "copies": self.copies, "limited_by": self.limited_by,
                "unrolled_into": self.unrolled_into}


@dataclass(frozen=True)
class DesignEstimate:
    """The estimate of one function: total cycles (latency of one call), interval (cycles
    between starts of consecutive calls), every loop, and the table's clock."""

    function: str
    cycles: int
    interval: int
    loops: tuple[LoopEstimate, ...]
    clock_mhz: float
    notes: tuple[str, ...] = ()

    @property
    def ms(self) -> float:
        return self.cycles / (self.clock_mhz * 1e3)

    def to_dict(self) -> dict[str, Any]:
        return {"function": self.function, "cycles": self.cycles, "interval": self.interval,
                "ms": round(self.ms, 6), "clock_mhz": self.clock_mhz,
                "loops": [lp.to_dict() for lp in self.loops], "notes": list(self.notes),
                "label": "estimate"}

    def summary(self) -> str:
        lines = [f"latency estimate of {self.function}: {self.cycles} cycles "
                 f"({self.ms:.4f} ms at {self.clock_mhz:g} MHz), interval {self.interval}"]
        for lp in self.loops:
            how = (f"unrolled into {lp.unrolled_into}" if lp.unrolled_into else
                   f"pipelined II={lp.ii}" if lp.ii else "rolled")
            limit = f" ({lp.limited_by})" if lp.limited_by else ""
            lines.append(f"  {lp.name}: trip {lp.trip:g}, {how}{limit}, depth {lp.depth}, "
                         f"{lp.cycles} cycles")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)
