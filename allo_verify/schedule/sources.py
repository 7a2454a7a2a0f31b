"""Source lines of statements: what reports and refusals show next to `S3`."""

from __future__ import annotations

from typing import Any

from mlir.ir import IntegerAttr, Module, WalkResult


def source_line(location: str) -> str:
    """The stripped source line at `file:line[:col]`, or "" when it cannot be read."""
    import linecache

    parts = location.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit():
        return linecache.getline(parts[0], int(parts[1])).strip()
    return ""


def with_source(location: str) -> str:
    """`file:line:col` followed by the source line there, when readable."""
    line = source_line(location)
    return f"{location}: {line}" if line else location


def statement_sources(module: Module) -> dict[str, dict[str, str]]:
    """For each numbered statement, `{"S<id>": {"location": "file:line:col", "source": the
    stripped source line (empty when the file cannot be read)}}`."""
    from allo_verify.equiv.polyhedral import location_of

    out: dict[str, dict[str, str]] = {}

    def visit(op: Any) -> WalkResult:
        if "stmt_id" in op.attributes:
            loc = location_of(op)
            out[f"S{IntegerAttr(op.attributes['stmt_id']).value}"] = {
                "location": loc, "source": source_line(loc)}
        return WalkResult.ADVANCE

    with module.context:
        module.operation.walk(visit)
    return dict(sorted(out.items(), key=lambda kv: int(kv[0][1:])))
