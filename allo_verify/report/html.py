"""One self-contained HTML page for a certificate dict.

Laws: `to_html` is a pure function of the certificate dict; the page carries the same facts
as `to_markdown` (overall status and claim, every step with arguments, loops before/after,
each obligation's statement, result and claim words, every counterexample in full, the
whole-kernel layers with their scope, the IR hashes); every piece of certificate text goes
through `html.escape`; the page loads nothing (inline CSS only, no scripts, no links out)
and counterexamples are always visible (no collapsed elements).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from allo_verify.report.claims import (
    CertDict,
    EntryDict,
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
from allo_verify.report.dataflow import dataflow_html
from allo_verify.report.estimate import estimate_html
from allo_verify.report.markdown import DEFAULT_TITLE, short_name, status_word
from allo_verify.report.structure import StepView, build_view, format_args, status_counts

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em;
       color: #1b1b1b; line-height: 1.4; padding: 0 1em; }
h1 { margin-bottom: .2em; } h2 { border-bottom: 1px solid #ccc; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .6em 0; width: 100%; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
pre { background: #f6f8fa; border: 1px solid #ddd; padding: .6em; overflow-x: auto; }
code { font-family: ui-monospace, monospace; font-size: 95%; }
.status { display: inline-block; padding: .05em .5em; border-radius: .3em;
          font-weight: bold; color: #fff; }
.s-proved { background: #1a7f37; } .s-agreed { background: #0a6c74; }
.s-refuted, .s-refused { background: #c62828; } .s-unknown { background: #b26a00; }
.s-not_run { background: #6e7781; } .s-missing { background: #6e7781; }
.banner { font-size: 1.2em; padding: .6em; border-radius: .3em; margin: .6em 0; }
.b-proved { background: #dafbe1; } .b-refuted, .b-refused { background: #ffebe9; }
.b-unknown { background: #fff8c5; }
.cex { border: 2px solid #c62828; background: #fff5f5; padding: .5em 1em;
       margin: .6em 0; border-radius: .3em; }
.cex .note { font-weight: bold; }
.warn { color: #c62828; font-weight: bold; }
.step { border-left: 4px solid #ccc; padding-left: 1em; margin: 1.2em 0; }
.loops { display: flex; gap: 1em; } .loops > div { flex: 1; min-width: 0; }
"""


def esc(v: Any) -> str:
    """`html.escape` of `str(v)` (quotes too)."""
    return html.escape(str(v), quote=True)


def badge(status: str) -> str:
    """A colored status label; the CSS class is chosen from a fixed set, never from data."""
    cls = (status if status in ("proved", "agreed", "refuted", "refused", "unknown", "not_run")
           else "missing")
    return f'<span class="status s-{cls}">{esc(status_word(status))}</span>'


def pre(text: str | list[str]) -> str:
    """Preformatted, escaped text."""
    body = "\n".join(text) if isinstance(text, list) else text
    return f"<pre><code>{esc(body)}</code></pre>"


def counterexample_html(entry: EntryDict) -> str:
    """The counterexample of a refuted entry, always expanded."""
    cex = counterexample_of(entry)
    name = esc(entry.get("name", "?"))
    if cex is None:
        detail = result_of(entry).get("detail") or "no counterexample recorded"
        return f'<div class="cex"><p>Refuted <code>{name}</code>: {esc(detail)}</p></div>'
    parts = [f'<div class="cex"><p>Counterexample for <code>{name}</code></p>']
    if cex.get("note"):
        parts.append(f'<p class="note">{esc(cex["note"])}</p>')
    parts.append("<table>")
    rows = counterexample_rows(entry, cex)
    parts += [f"<tr><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>" for k, v in rows]
    parts.append("</table>")
    inputs: Mapping[str, Any] = cex.get("inputs") or {}
    if inputs:
        parts.append("<p>Inputs:</p>")
        parts.append(pre("\n".join(f"{k} = {format_value(inputs[k])}" for k in sorted(inputs))))
    else:
        parts.append("<p>Inputs: none (the witness is the iteration instances in the note)</p>")
    parts.append("</div>")
    return "\n".join(parts)


def obligation_table(entries: list[EntryDict], label: str = "", stmts: Any = None) -> str:
    """One row per obligation (with the source lines of the statements it names), then the
    counterexamples of the refuted ones."""
    rows = ["<table><tr><th>obligation</th><th>statement</th><th>source</th><th>result</th>"
            "<th>claim</th></tr>"]
    for e in entries:
        cex = counterexample_of(e) or {}
        src = statement_refs(stmts, e.get("name"), cex.get("note")) or (
            [short_location(e["location"])] if e.get("location") else [])
        rows.append(f'<tr><td title="{esc(e.get("name", ""))}"><code>'
                    f"{esc(short_name(e, label))}</code></td>"
                    f"<td>{esc(e.get('statement', ''))}</td>"
                    f"<td>{'<br>'.join(f'<code>{esc(x)}</code>' for x in src)}</td>"
                    f"<td>{badge(status_of(e))}</td>"
                    f"<td>{esc(entry_claim(e))}</td></tr>")
    rows.append("</table>")
    rows += [counterexample_html(e) for e in entries if status_of(e) == "refuted"]
    return "\n".join(rows)


def step_html(st: StepView, stmts: Any = None) -> str:
    """A schedule step: label, refusal / unchecked / hardware flags, primitive, arguments,
    loops before and after, obligations."""
    counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in
                       status_counts(st.entries).items()) or "none"
    out = [f'<div class="step"><h3>Step {st.index + 1}: <code>{esc(st.label)}</code></h3>',
           *[f'<p class="warn">{esc(flag)}</p>' for flag in step_flags(st.raw)],
           f"<p>primitive <code>{esc(st.primitive)}</code>; arguments "
           f"<code>{esc(format_args(st.args))}</code>; obligations: {len(st.entries)} "
           f"({esc(counts)})</p>", '<div class="loops">']
    for title, loops in (("Loops before", st.loops_before), ("Loops after", st.loops_after)):
        body = pre(loops) if loops is not None else "<p>not recorded in this log</p>"
        if title == "Loops after" and st.raw.get("refused"):
            body = "<p>none: the step was refused, the design is unchanged</p>"
        out.append(f"<div><h4>{title}</h4>{body}</div>")
    out.append("</div>")
    if st.entries:
        if st.obligation_names is None:
            out.append("<p>(matched to this step by name: the log does not list its "
                       "obligations)</p>")
        out.append(f"<p>Obligation names below follow <code>{esc(st.label)}/</code>.</p>")
        out.append(obligation_table(st.entries, st.label, stmts))
    elif "primitive" not in st.raw:
        out.append("<p>Log entry (not a primitive step):</p>" + pre(format_value(dict(st.raw))))
    else:
        out.append("<p>No L1 obligations recorded for this step.</p>")
    if st.missing:
        out.append('<p class="warn">Missing results (listed by the step, absent from the '
                   "certificate; not proved):</p><ul>")
        out += [f"<li><code>{esc(n)}</code></li>" for n in st.missing]
        out.append("</ul>")
    out.append("</div>")
    return "\n".join(out)


def layer_entry_html(e: EntryDict) -> str:
    """A whole-kernel layer entry: claim, statement, detail, scope, counterexample."""
    out = [f"<h3>{esc(layer_title(str(e.get('layer', '?'))))}: "
           f"<code>{esc(e.get('name', '?'))}</code></h3>",
           f"<p>{badge(status_of(e))} {esc(entry_claim(e))}</p>"]
    if e.get("statement"):
        out.append(f"<p>Statement: {esc(e['statement'])}</p>")
    if result_of(e).get("detail"):
        out.append(f"<p>Detail: {esc(result_of(e)['detail'])}</p>")
    scope = e.get("scope") or {}
    if scope:
        out.append("<table><tr><th>scope</th><th>value</th></tr>")
        out += [f"<tr><td>{esc(k)}</td><td><code>{esc(format_scope_value(k, v))}</code></td>"
                "</tr>" for k, v in scope.items()]
        out.append("</table>")
    if status_of(e) == "refuted":
        out.append(counterexample_html(e))
    return "\n".join(out)


def to_html(cert: CertDict, title: str = "") -> str:
    """The whole report as one HTML document (UTF-8, inline CSS, no scripts)."""
    view = build_view(cert)
    status = overall_status(cert)
    heading = esc(title or DEFAULT_TITLE)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{heading}</title><style>{CSS}</style></head><body>",
           f"<h1>{heading}</h1>",
           f'<div class="banner b-{status}">{badge(status)} {esc(overall_claim(cert))}</div>']
    warn = status_inconsistency(cert)
    if warn:
        out.append(f'<p class="warn">Warning: {esc(warn)}.</p>')
    by_layer: dict[str, list[EntryDict]] = {}
    for e in cert.get("entries") or []:
        by_layer.setdefault(str(e.get("layer", "?")), []).append(e)
    out.append("<table><tr><th>layer</th><th>checks</th><th>results</th><th>claim</th></tr>")
    for layer, es in by_layer.items():
        counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in status_counts(es).items())
        out.append(f"<tr><td>{esc(layer_title(layer))}</td><td>{len(es)}</td>"
                   f"<td>{esc(counts)}</td><td>{esc(layer_claim(layer, es))}</td></tr>")
    if not by_layer:
        out.append("<tr><td>(none)</td><td>0</td><td></td><td>no checks recorded</td></tr>")
    out.append("</table>")
    if cert.get("allow_reassoc"):
        out.append("<p>Reassociation of float reductions was allowed for this certificate.</p>")
    out.append("<h2>Schedule steps</h2>")
    if not view.steps:
        out.append("<p>The schedule log is empty (two kernels compared directly).</p>")
    stmts = cert.get("statements")
    out += [step_html(st, stmts) for st in view.steps]
    if view.unattributed:
        out.append("<h2>L1 obligations not attributed to a step</h2>")
        out.append(obligation_table(view.unattributed, "", stmts))
    if isinstance(stmts, Mapping) and stmts:
        out.append("<h2>Statements</h2><table><tr><th>statement</th><th>source line</th>"
                   "<th>location</th></tr>")
        for sid, info in stmts.items():
            info = info if isinstance(info, Mapping) else {}
            out.append(f"<tr><td>{esc(sid)}</td><td><code>"
                       f"{esc(info.get('source') or '(not available)')}</code></td>"
                       f"<td>{esc(info.get('location', ''))}</td></tr>")
        out.append("</table>")
    out.append("<h2>Whole-kernel checks</h2>")
    if not view.layer_entries:
        out.append("<p>None recorded.</p>")
    out += [layer_entry_html(e) for e in view.layer_entries]
    out += dataflow_html(cert)
    out += estimate_html(cert)
    out.append("<h2>IR hashes</h2><table><tr><th>IR</th><th>sha256</th></tr>")
    for k in ("original", "final"):
        h = cert.get(f"{k}_hash") or "(not recorded)"
        out.append(f"<tr><td>{k}</td><td><code>{esc(h)}</code></td></tr>")
    out.append("</table>")
    if cert.get("original_hash") and cert.get("original_hash") == cert.get("final_hash"):
        out.append("<p>The final IR is identical to the original.</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
