"""The one-file HTML report: same content as Markdown, escaped, self-contained."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from allo_verify.report.html import to_html

BLOCK = {"p", "div", "td", "th", "tr", "table", "li", "ul", "pre", "h1", "h2", "h3", "h4",
         "title", "body", "br"}


class TextAndTags(HTMLParser):
    """Collects the text content (block elements and cells separated by a space, like
    `innerText`), the tags and attributes of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in BLOCK:
            self.chunks.append(" ")
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1
        if tag in BLOCK:
            self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.chunks)).strip()


def parse(doc: str) -> TextAndTags:
    p = TextAndTags()
    p.feed(doc)
    p.close()
    return p


def test_proved_page(cert: Any) -> None:
    doc = to_html(cert("proved"), "gemm")
    p = parse(doc)
    assert doc.startswith("<!DOCTYPE html>")
    assert "PROVED the scheduled design is equivalent to the original kernel" in p.text
    assert "proved for all input values at sizes A: 12x6, B: 6x8" in p.text
    assert "agreed on 10 distinct random inputs (seed 0)" in p.text
    assert "S1: C[i, j] += A[i, k] * B[k, j] (kernels.py:12)" in p.text  # statements readable
    assert "hardware annotation: the LLVM simulation ignores it" in p.text
    assert "Step 1: split(axis='i', factor=4)" in p.text
    assert "gemm:i.outer 0 to 3 gemm:i.inner 0 to 4" in p.text
    assert cert("proved")["final_hash"] in p.text
    # self-contained: nothing loaded, nothing scripted, nothing collapsed
    tags = {t for t, _ in p.tags}
    assert not tags & {"script", "link", "img", "iframe", "details", "object", "embed"}
    assert not any(k in ("src", "href") for _, a in p.tags for k in a)
    assert "url(" not in doc and "@import" not in doc
    assert "status s-proved" in doc


def test_refuted_page_shows_counterexample(cert: Any) -> None:
    c = cert("refuted_l1")
    note = next(e for e in c["entries"] if e["result"]["status"] == "refuted")[
        "result"]["counterexample"]["note"]
    p = parse(to_html(c))
    assert "REFUSED a schedule step was refused by its checker" in p.text
    assert f"Counterexample for reorder(axes=('j', 'i'))/S0/order/A {note}" in p.text
    assert "before the step holds before" in p.text and "after the step broken after" in p.text
    assert "REFUSED by its checker: reorder(axes=('j', 'i')) refused" in p.text
    assert "equivalent to the original" not in p.text
    p = parse(to_html(cert("refuted_l2")))
    assert "differing output cell return[0][0, 0]" in p.text
    assert "value in the original (a) 148327175" in p.text
    assert "value in the transformed design (b) -2092762307" in p.text
    assert "A = [ [0, 1, 1537810351, -1, -148327174, -2147483648]," in p.text


def test_unknown_page_never_proved(cert: Any) -> None:
    doc = to_html(cert("unknown"))
    p = parse(doc)
    assert ("UNKNOWN not established: L2 did not prove the whole kernel, and step 1 "
            "split(axis='i', factor=4) is not proved by L1") in p.text
    assert "UNKNOWN unknown: resource limit (rlimit 20000000) reached [fixture]" in p.text
    assert "NOT RUN not run: too large: more than 100 ops would execute [fixture]" in p.text
    assert "equivalent to the original" not in p.text
    assert 'class="banner b-unknown"' in doc


def test_everything_is_escaped(cert: Any) -> None:
    c = cert("refuted_l2")
    evil = "<script>alert('x')</script>&"
    c["entries"][0]["result"]["counterexample"]["note"] = evil
    c["entries"][0]["name"] = evil
    doc = to_html(c, title=evil)
    assert "<script>" not in doc
    p = parse(doc)
    assert evil in p.text and not any(t == "script" for t, _ in p.tags)
