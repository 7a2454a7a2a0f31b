"""The latency estimate of a certificate (its `estimate` field) as report sections.

Law: every figure shown is labelled an estimate; a section lists the original design's
cycles, the cycles after each step with the change it made, and the final design's loops;
values from the certificate are escaped (HTML) or cell-quoted (Markdown); a malformed or
absent field gives no section (or its recorded reason), never an exception.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

TITLE = "Latency estimate (an estimate from the schedule, not a synthesis result)"


def _num(v: Any) -> str:
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else "?"


def _rows(cert: Mapping[str, Any]) -> tuple[list[list[str]], list[list[str]], str] | None:
    rec = cert.get("estimate")
    if not isinstance(rec, Mapping) or not rec:
        return None
    if rec.get("error"):
        return [], [], str(rec["error"])
    log = cert.get("schedule_log") if isinstance(cert.get("schedule_log"), list) else []
    orig = rec.get("original") if isinstance(rec.get("original"), Mapping) else {}
    prev = orig.get("cycles")
    steps = [["original design", _num(prev), ""]]
    for k, fig in enumerate(rec.get("steps") or []):
        fig = fig if isinstance(fig, Mapping) else {}
        cyc = fig.get("cycles")
        entry = log[k] if k < len(log) and isinstance(log[k], Mapping) else {}
        label = str(entry.get("label") or entry.get("primitive") or f"step {k + 1}")
        change = ""
        if isinstance(cyc, int) and isinstance(prev, int) and cyc and prev:
            if abs(cyc - prev) <= 0.005 * prev:
                change = "no change" if cyc == prev else f"about the same ({cyc - prev:+,})"
            else:
                change = f"{prev / cyc:.2f}x faster" if cyc < prev else \
                    f"{cyc / prev:.2f}x slower"
        steps.append([f"{k + 1}: {label}", _num(cyc), change])
        prev = cyc if isinstance(cyc, int) else prev
    final = rec.get("final") if isinstance(rec.get("final"), Mapping) else {}
    loops = []
    for lp in final.get("loops") or []:
        if not isinstance(lp, Mapping):
            continue
        how = (f"unrolled into {lp.get('unrolled_into')}" if lp.get("unrolled_into") else
               f"pipelined, II {lp.get('ii')}" if lp.get("ii") else "rolled")
        loops.append([str(lp.get("name", "?")), str(lp.get("trip", "?")), how,
                      str(lp.get("limited_by") or ""), str(lp.get("depth", "?")),
                      _num(lp.get("cycles"))])
    clock = rec.get("clock_mhz", "?")
    head = (f"final design: {_num(final.get('cycles'))} cycles, interval "
            f"{_num(final.get('interval'))}, {final.get('ms', '?')} ms at {clock} MHz")
    return steps, loops, head


_STEP_HEAD = ["design", "estimated cycles", "what the step bought"]
_LOOP_HEAD = ["loop", "trip", "how", "II bound by", "iteration depth", "estimated cycles"]


def estimate_markdown(cert: Mapping[str, Any]) -> list[str]:
    """The Markdown section, or [] without an estimate."""
    got = _rows(cert)
    if got is None:
        return []
    steps, loops, head = got
    out = [f"## {TITLE}", ""]
    if not steps:
        return [*out, head, ""]

    def table(hd: list[str], rows: list[list[str]]) -> list[str]:
        cell = [[c.replace("|", "\\|").replace("\n", " ") for c in r] for r in rows]
        return ["| " + " | ".join(hd) + " |", "|" + "---|" * len(hd),
                *("| " + " | ".join(r) + " |" for r in cell), ""]

    out += table(_STEP_HEAD, steps) + [head, ""] + (table(_LOOP_HEAD, loops) if loops else [])
    return out


def estimate_html(cert: Mapping[str, Any]) -> list[str]:
    """The HTML section, or [] without an estimate."""
    got = _rows(cert)
    if got is None:
        return []
    steps, loops, head = got
    out = [f"<section class=\"estimate\"><h2>{html.escape(TITLE)}</h2>"]

    def table(hd: list[str], rows: list[list[str]]) -> list[str]:
        lines = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in hd) + "</tr>"]
        lines += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                  for r in rows]
        return [*lines, "</table>"]

    if steps:
        out += table(_STEP_HEAD, steps)
    out.append(f"<p>{html.escape(head)}</p>")
    if loops:
        out += table(_LOOP_HEAD, loops)
    return [*out, "</section>"]


def estimate_line(cert: Mapping[str, Any]) -> list[str]:
    """One summary line for the command's output: final vs original estimated cycles."""
    rec = cert.get("estimate")
    if not isinstance(rec, Mapping) or not rec:
        return []
    if rec.get("error"):
        return [f"latency estimate: {rec['error']}"]
    orig = rec.get("original") if isinstance(rec.get("original"), Mapping) else {}
    final = rec.get("final") if isinstance(rec.get("final"), Mapping) else {}
    a, b = orig.get("cycles"), final.get("cycles")
    if not isinstance(a, int) or not isinstance(b, int):
        return []
    gain = f", {a / b:.1f}x fewer" if b and a > b else ""
    return [f"latency estimate: {b:,} cycles ({final.get('ms', '?')} ms at "
            f"{rec.get('clock_mhz', '?')} MHz), original {a:,}{gain} (an estimate, not "
            "synthesis)"]
