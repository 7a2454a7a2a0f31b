"""The dataflow graphs a certificate records, as plain JSON data (reports read certificates
only, so the graph travels in the certificate).

Law: `dataflow_record(s)` is a pure function of the schedule's final IR and log: one record
per dataflow region (each `dataflow` step's target, in log order) and, when a `to` step made a
stream outside every such region, one for the function holding that stream. Each record is
`{"region", "stages": [names], "edges": [{"buffer", "from", "to", "kind", "depth"?, "layout",
"shape"}], "dot"}`; a buffer with no stage on one side gets an edge with `from`/`to` = "" (a
region input or output). A design with neither dataflow nor streams gives [].
"""

from __future__ import annotations

from typing import Any

from allo_verify.schedule.dataflow_stages import DataflowGraph, dataflow_graph


def edge_kind(layout: str) -> tuple[str, int | None]:
    """("stream", depth), ("partition", None) or ("memory", None) from a layout text."""
    if layout.startswith("stream(depth="):
        return "stream", int(layout[len("stream(depth="):-1])
    if layout.startswith("partition"):
        return "partition", None
    return "memory", None


def graph_record(g: DataflowGraph) -> dict[str, Any]:
    """One region's graph as JSON data (lists in program / name order)."""
    edges: list[dict[str, Any]] = []
    for c in g.channels:
        kind, depth = edge_kind(c.layout)
        for p in c.producers or [""]:
            for q in c.consumers or [""]:
                e: dict[str, Any] = {"buffer": c.buffer, "from": p, "to": q, "kind": kind,
                                     "layout": c.layout, "shape": list(c.shape)}
                if depth is not None:
                    e["depth"] = depth
                edges.append(e)
    return {"region": g.region, "stages": [s.name for s in g.stages], "edges": edges,
            "dot": g.to_dot()}


def dataflow_regions(steps: list[Any]) -> list[str]:
    """The regions to record: dataflow targets, then functions holding a stream that no
    recorded region covers (a stream target is "function:buffer")."""
    regions: list[str] = []
    for st in steps:
        p = st.primitive
        if p.name == "dataflow" and p.target not in regions:
            regions.append(p.target)
    for st in steps:
        p = st.primitive
        if p.name == "to":
            fn = p.target.split(":", 1)[0]
            if fn not in regions:
                regions.append(fn)
    return regions


def dataflow_record(module: Any, steps: list[Any], arg_names: dict[str, list[str]]
                    ) -> list[dict[str, Any]]:
    """The records of every region of `dataflow_regions(steps)` in the final `module`."""
    regions = dataflow_regions(steps)
    if not regions:
        return []
    with module.context:
        return [graph_record(dataflow_graph(module, r, arg_names)) for r in regions]
