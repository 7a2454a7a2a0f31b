"""Markdown report of a certificate dict.

Law: `to_markdown` is a pure function of the certificate dict (same dict, same text); it
shows every entry of the certificate exactly once with its claim words from `claims`, every
counterexample in full (note, differing cell, both values, inputs), and never writes
"proved" for an entry or certificate that was not proved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from allo_verify.report.claims import (
    CertDict,
    EntryDict,
    cert_verdict,
    counterexample_of,
    counterexample_rows,
    entry_claim,
    format_scope_value,
    format_value,
    layer_claim,
    layer_title,
    overall_claim,
    overall_status,
    result_of,
    short_location,
    statement_refs,
    status_inconsistency,
    status_of,
    step_flags,
)
from allo_verify.report.dataflow import dataflow_markdown
from allo_verify.report.estimate import estimate_markdown
from allo_verify.report.structure import StepView, build_view, format_args, status_counts

DEFAULT_TITLE = "Equivalence certificate"


def md_cell(text: Any) -> str:
    """Text safe inside one Markdown table cell: pipes escaped, newlines as <br>."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def md_code(text: Any) -> str:
    """Inline code span that survives backticks in `text`."""
    s = str(text)
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{ticks}{pad}{s}{pad}{ticks}"


def md_block(lines: list[str] | str, lang: str = "text") -> list[str]:
    """A fenced code block whose fence is longer than any backtick run in the content."""
    body = lines if isinstance(lines, list) else str(lines).splitlines()
    longest = max((len(m) for ln in body for m in re.findall(r"`+", ln)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{lang}", *body, fence]


def status_word(status: str) -> str:
    """Upper-case status for emphasis: "PROVED", "REFUTED", "NOT RUN"."""
    return status.replace("_", " ").upper()


def counterexample_lines(entry: EntryDict) -> list[str]:
    """The counterexample of a refuted entry in full, or a line saying none was recorded."""
    cex = counterexample_of(entry)
    name = entry.get("name", "?")
    if cex is None:
        detail = result_of(entry).get("detail") or "no counterexample recorded"
        return [f"**Refuted** {md_code(name)}: {detail}", ""]
    out = [f"**Counterexample** for {md_code(name)}:", ""]
    if cex.get("note"):
        out.append(f"> {md_cell(cex['note'])}")
        out.append("")
    out += [f"- {k}: {md_code(v)}" for k, v in counterexample_rows(entry, cex)]
    inputs: Mapping[str, Any] = cex.get("inputs") or {}
    if inputs:
        out.append("- inputs:")
        out.append("")
        text = "\n".join(f"{k} = {format_value(inputs[k])}" for k in sorted(inputs))
        out.extend("  " + ln for ln in md_block(text))
    else:
        out.append("- inputs: none (the witness is the iteration instances in the note)")
    out.append("")
    return out


def short_name(entry: EntryDict, label: str) -> str:
    """The obligation name without its step label prefix."""
    name = str(entry.get("name", "?"))
    return name[len(label) + 1:] if name.startswith(label + "/") else name


def obligation_table(entries: list[EntryDict], label: str = "", stmts: Any = None
                     ) -> list[str]:
    """One row per obligation: name, statement, the source lines of the statements (`S3`)
    it names, result, claim words."""
    out = ["| obligation | statement | source | result | claim |", "|---|---|---|---|---|"]
    for e in entries:
        cex = counterexample_of(e) or {}
        src = statement_refs(stmts, e.get("name"), cex.get("note")) or (
            [short_location(e["location"])] if e.get("location") else [])
        out.append(f"| {md_cell(short_name(e, label))} | {md_cell(e.get('statement', ''))} | "
                   f"{md_cell(chr(10).join(src))} | "
                   f"{status_word(status_of(e))} | {md_cell(entry_claim(e))} |")
    out.append("")
    for e in entries:
        if status_of(e) == "refuted":
            out.extend(counterexample_lines(e))
    return out


def step_section(st: StepView, stmts: Any = None) -> list[str]:
    """A schedule step: primitive, arguments, refusal / unchecked / hardware flags, loops
    before/after, obligations."""
    out = [f"### Step {st.index + 1}: {md_code(st.label)}", ""]
    out += [f"- **{md_cell(flag)}**" for flag in step_flags(st.raw)]
    out.append(f"- primitive: {md_code(st.primitive)}")
    out.append(f"- arguments: {md_code(format_args(st.args))}")
    counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in
                       status_counts(st.entries).items()) or "none"
    out.append(f"- obligations: {len(st.entries)} ({counts})")
    out.append("")
    for title, loops in (("Loops before", st.loops_before), ("Loops after", st.loops_after)):
        if title == "Loops after" and st.raw.get("refused"):
            out += [f"{title}: none: the step was refused, the design is unchanged.", ""]
        elif loops is None:
            out += [f"{title}: not recorded in this log.", ""]
        else:
            out += [f"{title}:", "", *md_block(loops), ""]
    if st.entries:
        if st.obligation_names is None:
            out += ["(matched to this step by name: the log does not list its obligations)", ""]
        out += [f"Obligation names below follow {md_code(st.label + '/')}.", ""]
        out += obligation_table(st.entries, st.label, stmts)
    elif "primitive" not in st.raw:
        out += ["Log entry (not a primitive step):", "",
                *md_block(format_value(dict(st.raw)), "json"), ""]
    else:
        out += ["No L1 obligations recorded for this step.", ""]
    if st.missing:
        out.append("**Missing results** (listed by the step, absent from the certificate; "
                   "not proved):")
        out += [f"- {md_code(n)}" for n in st.missing] + [""]
    return out


def layer_entry_section(e: EntryDict) -> list[str]:
    """A whole-kernel layer entry: claim, statement, scope table, counterexample."""
    layer = str(e.get("layer", "?"))
    out = [f"### {layer_title(layer)}: {md_code(e.get('name', '?'))}", ""]
    out.append(f"**{status_word(status_of(e))}**: {entry_claim(e)}")
    out.append("")
    if e.get("statement"):
        out += [f"Statement: {e['statement']}", ""]
    detail = result_of(e).get("detail")
    if detail:
        out += [f"Detail: {detail}", ""]
    scope = e.get("scope") or {}
    if scope:
        out += ["| scope | value |", "|---|---|"]
        out += [f"| {md_cell(k)} | {md_cell(format_scope_value(k, v))} |" for k, v in scope.items()]
        out.append("")
    if status_of(e) == "refuted":
        out += counterexample_lines(e)
    return out


def to_markdown(cert: CertDict, title: str = "") -> str:
    """The whole report: overall status and claim, a per-layer summary, each schedule step,
    the whole-kernel layers with their scope, and the IR hashes."""
    view = build_view(cert)
    status = overall_status(cert)
    out = [f"# {title or DEFAULT_TITLE}", ""]
    out.append(f"**Status: {status_word(status)}**: {overall_claim(cert)}.")
    out.append("")
    v = cert_verdict(cert)
    if v.proved_by:
        out += [f"Proved by: {'L1, every step' if v.proved_by == 'L1' else 'L2, the whole kernel'}"
                " (and L1 for every hardware annotation).", ""]
    warn = status_inconsistency(cert)
    if warn:
        out += [f"**Warning**: {warn}.", ""]
    entries = list(cert.get("entries") or [])
    by_layer: dict[str, list[EntryDict]] = {}
    for e in entries:
        by_layer.setdefault(str(e.get("layer", "?")), []).append(e)
    out += ["| layer | checks | results | claim |", "|---|---|---|---|"]
    for layer, es in by_layer.items():
        counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in status_counts(es).items())
        out.append(f"| {layer_title(layer)} | {len(es)} | {counts} | "
                   f"{md_cell(layer_claim(layer, es))} |")
    if not by_layer:
        out.append("| (none) | 0 | | no checks recorded |")
    out.append("")
    if cert.get("allow_reassoc"):
        out += ["Reassociation of float reductions was allowed for this certificate.", ""]
    out += ["## Schedule steps", ""]
    if not view.steps:
        out += ["The schedule log is empty (two kernels compared directly).", ""]
    stmts = cert.get("statements")
    for st in view.steps:
        out += step_section(st, stmts)
    if view.unattributed:
        out += ["## L1 obligations not attributed to a step", ""]
        out += obligation_table(view.unattributed, "", stmts)
    if isinstance(stmts, Mapping) and stmts:
        out += ["## Statements", "", "| statement | source line | location |", "|---|---|---|"]
        for sid, info in stmts.items():
            info = info if isinstance(info, Mapping) else {}
            out.append(f"| {md_cell(sid)} | {md_code(info.get('source') or '(not available)')}"
                       f" | {md_cell(info.get('location', ''))} |")
        out.append("")
    out += ["## Whole-kernel checks", ""]
    if not view.layer_entries:
        out += ["None recorded.", ""]
    for e in view.layer_entries:
        out += layer_entry_section(e)
    out += dataflow_markdown(cert)
    out += estimate_markdown(cert)
    out += ["## IR hashes", "", "| IR | sha256 |", "|---|---|"]
    out.append(f"| original | {md_code(cert.get('original_hash') or '(not recorded)')} |")
    out.append(f"| final | {md_code(cert.get('final_hash') or '(not recorded)')} |")
    out.append("")
    if cert.get("original_hash") and cert.get("original_hash") == cert.get("final_hash"):
        out += ["The final IR is identical to the original.", ""]
    return "\n".join(out).rstrip() + "\n"
