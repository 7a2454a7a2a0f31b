"""The claim words of DESIGN.md ("What each layer claims"), computed from a certificate dict.

Input is always a certificate as plain JSON data (`Certificate.to_dict()` or a loaded
CERT.json), so every report can be made without MLIR or Z3.

Laws kept by this module:
- A claim containing the word "proved" is produced only for an entry whose result status is
  "proved" on a proving layer (L1, L2). Co-simulation layers (L3, CSIM) never "prove",
  whatever their recorded status says; unknown and not_run entries never read as passes.
- L1 says "proved for all sizes" only when the entry's scope has `"parametric": true`;
  otherwise "proved for this instance" (our L1 checks run at the kernel's concrete bounds).
- The overall status of a report is the verdict rule (`allo_verify.equiv.verdict`) applied
  to the certificate's entries and schedule log; a stored status field is never trusted (a
  disagreeing one is only pointed out).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from allo_verify.equiv.verdict import HARDWARE_PRIMITIVES, Verdict, verdict

CertDict = Mapping[str, Any]
EntryDict = Mapping[str, Any]

PROVING_LAYERS = ("L1", "L2")
SIMULATION_LAYERS = ("L3", "CSIM")

LAYER_TITLES = {
    "L1": "L1 per-primitive obligations",
    "L2": "L2 translation validation",
    "L3": "L3 co-simulation",
    "CSIM": "C simulation of the emitted HLS C++",
    "STATE": "initial values of Stateful variables (never proves a design by itself)",
}

PROVED_ALL_SIZES = "proved for all sizes"
PROVED_INSTANCE = "proved for this instance"

#: rank of one entry's result: higher is stronger; anything unrecognised ranks lowest
RESULT_RANK = {"proved": 4, "agreed": 3, "unknown": 1, "not_run": 1, "refuted": 0}

#: an input value rendered longer than this is cut (the JSON certificate has it in full)
MAX_VALUE_CHARS = 4000


def result_of(entry: EntryDict) -> Mapping[str, Any]:
    """The entry's result dict (`{}` when missing)."""
    r = entry.get("result")
    return r if isinstance(r, Mapping) else {}


def status_of(entry: EntryDict) -> str:
    """The entry's result status ("proved", "refuted", "agreed", "unknown", "not_run"), or
    "missing" when the entry has no result."""
    return str(result_of(entry).get("status", "missing"))


def passed(entry: EntryDict) -> bool:
    """True exactly for proved and agreed results: unknown, not_run, refuted and anything
    unrecognised are not passes."""
    return status_of(entry) in ("proved", "agreed")


def counterexample_of(entry: EntryDict) -> Mapping[str, Any] | None:
    """The counterexample dict of a refuted entry, or None."""
    c = result_of(entry).get("counterexample")
    return c if isinstance(c, Mapping) else None


def format_shape(shape: Any) -> str:
    """`[12, 6]` -> "12x6"; `[]` -> "scalar"; anything else as JSON."""
    if isinstance(shape, list) and all(isinstance(n, int) for n in shape):
        return "x".join(str(n) for n in shape) if shape else "scalar"
    return json.dumps(shape, sort_keys=True)


def format_sizes(sizes: Any) -> str:
    """Sizes of a scope as words: `{"A": [12, 6], "B": [6, 8]}` -> "A: 12x6, B: 6x8" (names in
    the recorded order); "(sizes not recorded)" when there are none."""
    if isinstance(sizes, Mapping) and sizes:
        return ", ".join(f"{k}: {format_shape(v)}" for k, v in sizes.items())
    if isinstance(sizes, list) and sizes:
        return format_shape(sizes)
    return "(sizes not recorded)"


def _reassoc(result: Mapping[str, Any]) -> str:
    """" modulo reassociation" when the proof used that tier, else ""."""
    return " modulo reassociation" if result.get("modulo_reassoc") else ""


def _count(entry: EntryDict, *keys: str) -> Any:
    """The first of `keys` found in the result, then in the scope; "?" if none."""
    res, scope = result_of(entry), entry.get("scope") or {}
    for src in (res, scope):
        for k in keys:
            if k in src:
                return src[k]
    return "?"


def entry_claim(entry: EntryDict) -> str:
    """The claim words for one entry, exactly as DESIGN.md words them.

    proved:  L1 -> "proved for all sizes" (scope parametric) / "proved for this instance";
             L2 -> "proved for all input values at sizes S" (concrete tier) or "proved for
             all input values and all sizes satisfying C, C: ..." (symbolic tier, scope
             "tier": "symbolic"); other proving layers ->
             "proved (<layer>)"; with " modulo reassociation" appended when the proof used it.
    agreed:  L3 -> "agreed on K random inputs (seed s)"; CSIM -> "emitted C++ agreed with the
             LLVM simulation on K inputs"; a recorded "proved" on these layers reads the same
             (simulation never proves).
    refuted -> "refuted" (+ where, when a counterexample is recorded);
    unknown -> "unknown: <reason>"; not_run -> "not run: <reason>".
    """
    layer = str(entry.get("layer", ""))
    status = status_of(entry)
    res = result_of(entry)
    scope = entry.get("scope") or {}
    if status in ("proved", "agreed") and layer == "L3":
        return l3_claim(entry)
    if status in ("proved", "agreed") and layer == "CSIM":
        k = _count(entry, "trials", "inputs", "runs")
        return f"emitted C++ agreed with the LLVM simulation on {k} inputs"
    if status == "proved":
        if layer == "L1":
            base = PROVED_ALL_SIZES if scope.get("parametric") is True else PROVED_INSTANCE
            return base + _reassoc(res)
        if layer == "L2" and scope.get("tier") == "symbolic":
            return (f"proved for all input values and all sizes satisfying C, C: the sizes "
                    f"fixed by the IR ({format_sizes(scope.get('sizes'))}); symbolic tier"
                    + _reassoc(res))
        if layer == "L2":
            return (f"proved for all input values at sizes {format_sizes(scope.get('sizes'))}"
                    + _reassoc(res))
        return f"proved ({layer or 'unnamed layer'})" + _reassoc(res)
    if status == "agreed":
        return f"agreed ({layer or 'unnamed layer'}; not a proof)"
    if status == "refuted":
        cex = counterexample_of(entry)
        if cex is None:
            detail = res.get("detail") or "no counterexample recorded"
            return f"refuted ({detail})"
        if cex.get("note") and cex.get("output") == entry.get("name"):
            return f"refuted: {cex['note']}"  # an L1 witness: the note says it in words
        return f"refuted: {counterexample_headline(cex)}"
    if status == "unknown":
        return f"unknown: {res.get('reason') or 'no reason recorded'}"
    if status == "not_run":
        return f"not run: {res.get('reason') or 'no reason recorded'}"
    return f"no result ({status})"


def l3_claim(entry: EntryDict) -> str:
    """"agreed on K distinct random inputs (seed s)", K the number actually run, with
    "within tolerance t" when the comparison used one, the number requested when fewer
    distinct inputs ran, and the NaN policy when outputs are floats."""
    scope = entry.get("scope") or {}
    k, requested = _count(entry, "trials"), scope.get("trials")
    text = f"agreed on {k} distinct random inputs (seed {_count(entry, 'seed')})"
    tol = scope.get("tolerance")
    if isinstance(tol, Mapping) and isinstance(tol.get("t"), (int, float)):
        text += f" within tolerance {float(tol['t']):.3g}"
    if isinstance(k, int) and isinstance(requested, int) and k < requested:
        text += f" ({requested} runs requested)"
    if scope.get("nan_policy"):
        text += f"; {scope['nan_policy']}"
    return text


def cert_verdict(cert: CertDict) -> Verdict:
    """The verdict rule applied to the certificate's entries and schedule log."""
    return verdict(cert)


def recomputed_status(cert: CertDict) -> str:
    """The status the verdict rule gives the entries and log: "proved", "refuted", "refused"
    (a step refused by its checker) or "unknown"."""
    return verdict(cert).status


def overall_status(cert: CertDict) -> str:
    """The report's status: recomputed by the verdict rule; the stored field is ignored."""
    return recomputed_status(cert)


def status_inconsistency(cert: CertDict) -> str:
    """A sentence when the stored status differs from the recomputed one, else ""."""
    stored, mine = cert.get("status"), recomputed_status(cert)
    if stored == mine:
        return ""
    return (f"the stored status {stored!r} does not match the status its entries give "
            f"({mine!r}); the recomputed one is reported")


def overall_claim(cert: CertDict) -> str:
    """One sentence for the whole certificate: "equivalent" (or "equivalent modulo
    reassociation") only when the overall status is proved; otherwise why not."""
    status = overall_status(cert)
    entries = list(cert.get("entries") or [])
    if status == "proved":
        reassoc = any(result_of(e).get("modulo_reassoc") and status_of(e) == "proved"
                      for e in entries)
        words = "equivalent modulo reassociation" if reassoc else "equivalent"
        if not cert.get("schedule_log"):
            return f"the two kernels are {words}"
        return f"the scheduled design is {words} to the original kernel"
    if status == "refuted":
        n = sum(status_of(e) == "refuted" for e in entries)
        return f"NOT equivalent: {n} check(s) refuted"
    reasons = verdict(cert).reasons
    if status == "refused":
        return "a schedule step was refused by its checker: " + "; ".join(reasons)
    if not entries:
        return "not established: no checks were recorded"
    return "not established: " + ("; ".join(reasons) or "no proving layer proved it")


def layer_title(layer: str) -> str:
    """Human title of a layer ("L2" -> "L2 translation validation")."""
    return LAYER_TITLES.get(layer, f"{layer} checks")


def format_scope_value(key: str, v: Any) -> str:
    """A scope value in words: sizes as "A: 12x6, B: 6x8", others as compact JSON."""
    if key == "sizes":
        return format_sizes(v)
    return format_value(v, 300)


def format_value(v: Any, limit: int = MAX_VALUE_CHARS) -> str:
    """A JSON value as compact text; nested lists of lists one row per line; cut at `limit`
    characters with a note that the JSON certificate has the rest."""
    if isinstance(v, list) and v and all(isinstance(r, list) for r in v):
        text = "[\n" + ",\n".join("  " + json.dumps(r) for r in v) + "\n]"
    else:
        text = json.dumps(v, sort_keys=True)
    if len(text) > limit:
        text = text[:limit] + f" ... ({len(text) - limit} more characters in the JSON)"
    return text


def counterexample_where(cex: Mapping[str, Any]) -> str:
    """`output[cell]` of a counterexample (just `output` for an empty cell)."""
    cell = cex.get("cell") or []
    out = str(cex.get("output", "?"))
    return f"{out}[{', '.join(map(str, cell))}]" if cell else out


def sides(cex: Mapping[str, Any]) -> tuple[str, str]:
    """What the two sides a and b of a counterexample are: the original and the transformed
    design, or, for a C simulation difference (`confirmed` "csim"), the LLVM simulation of
    the final design and its emitted C++."""
    if cex.get("confirmed") == "csim":
        return "LLVM simulation", "emitted C++"
    return "original", "transformed"


def counterexample_headline(cex: Mapping[str, Any]) -> str:
    """One line: where the programs differ and both values."""
    a, b = sides(cex)
    return (f"{counterexample_where(cex)}: {cex.get('value_a')} (a, {a}) != "
            f"{cex.get('value_b')} (b, {b})")


def counterexample_text(cex: Mapping[str, Any]) -> str:
    """The whole counterexample in plain text: note, headline, how it was confirmed, and
    every input (the same facts as `Counterexample.__str__`)."""
    lines = []
    if cex.get("note"):
        lines.append(f"note: {cex['note']}")
    lines.append(counterexample_headline(cex))
    lines.append(f"confirmed: {cex.get('confirmed', 'unconfirmed')}")
    inputs = cex.get("inputs") or {}
    for name in sorted(inputs):
        lines.append(f"input {name} = {format_value(inputs[name])}")
    return "\n".join(lines)


def layer_claim(layer: str, entries: Sequence[EntryDict]) -> str:
    """The claim for all entries of one layer together: the shared claim when every entry
    passed with the same words; "proved for this instance (k of n for all sizes)" for mixed
    L1 scopes; otherwise "not established: <counts>" (never "proved" unless all proved)."""
    if not entries:
        return "not run: no entries"
    if all(passed(e) for e in entries):
        claims = [entry_claim(e) for e in entries]
        if len(set(claims)) == 1:
            return claims[0]
        if layer == "L1" and all(c.startswith("proved for") for c in claims):
            n_all = sum(c.startswith(PROVED_ALL_SIZES) for c in claims)
            return f"{PROVED_INSTANCE} ({n_all} of {len(claims)} {PROVED_ALL_SIZES})"
        return "; ".join(dict.fromkeys(claims))
    if len(entries) == 1:
        return entry_claim(entries[0])
    bad: dict[str, int] = {}
    for e in entries:
        if not passed(e):
            s = status_of(e).replace("_", " ")
            bad[s] = bad.get(s, 0) + 1
    counts = ", ".join(f"{n} {s}" for s, n in bad.items())
    return f"not established: {counts} of {len(entries)}"


def counterexample_rows(entry: EntryDict, cex: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of a counterexample. An obligation-level witness (its `output` is
    the obligation name, as L1 writes it) is labelled as such, not as an output cell."""
    confirmed = ("confirmed by", str(cex.get("confirmed", "unconfirmed")))
    if cex.get("output") == entry.get("name"):
        return [("obligation", str(cex.get("output"))),
                ("before the step", str(cex.get("value_a"))),
                ("after the step", str(cex.get("value_b"))), confirmed]
    if cex.get("confirmed") == "csim":
        return [("differing output cell", counterexample_where(cex)),
                ("value in the LLVM simulation of the final design (a)",
                 str(cex.get("value_a"))),
                ("value in the emitted C++ (b)", str(cex.get("value_b"))), confirmed]
    return [("differing output cell", counterexample_where(cex)),
            ("value in the original (a)", str(cex.get("value_a"))),
            ("value in the transformed design (b)", str(cex.get("value_b"))), confirmed]


_SID = re.compile(r"\bS(\d+)\b")


def short_location(loc: str) -> str:
    """`/path/to/kernels.py:12:13` -> `kernels.py:12`."""
    parts = str(loc).rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit():
        return f"{os.path.basename(parts[0])}:{parts[1]}"
    return os.path.basename(str(loc))


def statement_refs(statements: Any, *texts: Any) -> list[str]:
    """For each statement id (`S3`) named in `texts`, in order of first mention, the words
    "S3: <source line> (file:line)" from the certificate's `statements` table."""
    table = statements if isinstance(statements, Mapping) else {}
    out: list[str] = []
    seen: set[str] = set()
    for text in texts:
        for m in _SID.finditer(str(text or "")):
            sid = m.group(0)
            info = table.get(sid)
            if sid in seen or not isinstance(info, Mapping):
                continue
            seen.add(sid)
            src = str(info.get("source") or "(source line not available)")
            out.append(f"{sid}: {src} ({short_location(str(info.get('location', '?')))})")
    return out


def step_flags(raw: Mapping[str, Any]) -> list[str]:
    """What a reader must know about a step beyond its obligations: refused, accepted
    unchecked, a hardware annotation."""
    out = []
    if raw.get("refused"):
        out.append(f"REFUSED by its checker: {raw.get('reason') or 'no reason recorded'}")
    if raw.get("unchecked"):
        out.append("UNCHECKED: accepted only because the user opted in (unchecked=True); its "
                   "obligations are not all proved, so L1 does not vouch for it")
    if raw.get("hardware") is True or str(raw.get("primitive", "")) in HARDWARE_PRIMITIVES:
        out.append("hardware annotation: the LLVM simulation ignores it, so only L1 can vouch "
                   "for it, whatever layers ran")
    return out
