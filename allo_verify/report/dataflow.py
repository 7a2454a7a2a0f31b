"""The dataflow graphs of a certificate (its `dataflow` field) as report sections.

Law: a section shows every recorded region with one table row per edge (buffer, producer,
consumer, kind, depth, shape) and the region's Graphviz DOT text verbatim; every value from
the certificate is escaped (HTML) or cell-quoted (Markdown); a malformed or absent field gives
no section, never an exception. No scripts: the DOT text is shown, not rendered.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any


def _regions(cert: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    recs = cert.get("dataflow")
    if not isinstance(recs, list):
        return []
    return [r for r in recs if isinstance(r, Mapping)]


def _edges(rec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    es = rec.get("edges")
    return [e for e in es if isinstance(e, Mapping)] if isinstance(es, list) else []


def _side(v: Any, word: str) -> str:
    return str(v) if v else f"({word})"


def _row(e: Mapping[str, Any]) -> list[str]:
    depth = e.get("depth")
    return [str(e.get("buffer", "?")), _side(e.get("from"), "region input"),
            _side(e.get("to"), "region output"), str(e.get("kind", "?")),
            "" if depth is None else str(depth), str(e.get("shape", ""))]


HEAD = ["buffer", "from stage", "to stage", "kind", "depth", "shape"]


def dataflow_html(cert: Mapping[str, Any]) -> list[str]:
    """HTML lines: a heading, then per region its edge table and DOT source."""
    regions = _regions(cert)
    if not regions:
        return []
    out = ["<h2>Dataflow graph</h2>"]
    for rec in regions:
        stages = rec.get("stages") if isinstance(rec.get("stages"), list) else []
        out.append(f"<h3>Region {html.escape(str(rec.get('region', '?')))}</h3>")
        out.append(f"<p>Stages: {html.escape(', '.join(map(str, stages)) or '(none)')}</p>")
        out.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in HEAD) + "</tr>")
        for e in _edges(rec):
            out.append("<tr>" + "".join(f"<td>{html.escape(c, quote=True)}</td>"
                                        for c in _row(e)) + "</tr>")
        out.append("</table>")
        out.append("<p>Graphviz DOT:</p>")
        out.append(f"<pre><code>{html.escape(str(rec.get('dot', '')), quote=True)}"
                   "</code></pre>")
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def dataflow_markdown(cert: Mapping[str, Any]) -> list[str]:
    """Markdown lines: a heading, then per region its edge table and DOT source."""
    regions = _regions(cert)
    if not regions:
        return []
    out = ["## Dataflow graph", ""]
    for rec in regions:
        stages = rec.get("stages") if isinstance(rec.get("stages"), list) else []
        out += [f"### Region {_cell(str(rec.get('region', '?')))}", "",
                f"Stages: {_cell(', '.join(map(str, stages)) or '(none)')}", "",
                "| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
        out += ["| " + " | ".join(_cell(c) for c in _row(e)) + " |" for e in _edges(rec)]
        dot = str(rec.get("dot", "")).replace("```", "'''")
        out += ["", "```dot", dot.rstrip("\n"), "```", ""]
    return out
