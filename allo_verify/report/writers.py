"""Write a certificate and its reports to disk, all or nothing.

Laws:
- Every format is rendered in memory before any file is touched; a renderer that raises
  leaves no new file (not even a temp file) behind.
- Each file is written to a temp file in `out_dir` and moved into place with `os.replace`,
  so a reader sees either the old file or the complete new one, never a partial file.
- If moving one file into place fails, the temp files not yet moved are removed.
- An unknown format raises `ValueError` naming it and the valid ones, before anything is
  rendered or written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from allo_verify.report import html as html_report
from allo_verify.report import junit, markdown
from allo_verify.report.claims import CertDict


def render_json(cert: CertDict, stem: str) -> str:
    """The certificate itself: sorted keys, indent 2, trailing newline."""
    return json.dumps(cert, sort_keys=True, indent=2) + "\n"


def render_markdown(cert: CertDict, stem: str) -> str:
    """`to_markdown` with the stem as title."""
    return markdown.to_markdown(cert, stem)


def render_html(cert: CertDict, stem: str) -> str:
    """`to_html` with the stem as title."""
    return html_report.to_html(cert, stem)


def render_junit(cert: CertDict, stem: str) -> str:
    """`to_junit` with the stem as suite name."""
    return junit.to_junit(cert, stem)


#: format name -> (file suffix, renderer); looked up at call time, so tests can patch them
FORMATS: dict[str, tuple[str, str]] = {
    "json": (".json", "render_json"),
    "md": (".md", "render_markdown"),
    "html": (".html", "render_html"),
    "junit": (".junit.xml", "render_junit"),
}


def _renderer(fmt: str) -> Callable[[CertDict, str], str]:
    """The renderer of `fmt`, looked up now (module attribute, so it can be patched)."""
    fn: Callable[[CertDict, str], str] = globals()[FORMATS[fmt][1]]
    return fn


def _stage(directory: Path, stem: str, text: str) -> Path:
    """`text` in a fresh temporary file of `directory` (flushed to disk)."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{stem}.", suffix=".tmp", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(tmp_name)


def atomic_write(path: Path, text: str) -> None:
    """Replace `path` with `text` in one rename: readers see the old file or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _stage(path.parent, path.name, text)
    try:
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_reports(cert: CertDict, out_dir: Path, formats: list[str], stem: str) -> list[Path]:
    """Write `<stem>.json`, `.md`, `.html`, `.junit.xml` (those in `formats`, in that order
    of request, duplicates once) into `out_dir` atomically; returns the paths written."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format(s) {', '.join(map(repr, unknown))}; "
                         f"valid formats: {', '.join(FORMATS)}")
    if not stem or os.sep in stem or (os.altsep and os.altsep in stem):
        raise ValueError(f"stem must be a plain file name, got {stem!r}")
    wanted = list(dict.fromkeys(formats))
    texts = {f: _renderer(f)(cert, stem) for f in wanted}  # render everything first
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    temps: dict[str, Path] = {}
    try:
        for f in wanted:
            temps[f] = _stage(out_dir, stem, texts[f])
        paths = []
        for f in wanted:
            dest = out_dir / f"{stem}{FORMATS[f][0]}"
            os.chmod(temps[f], 0o644)
            os.replace(temps[f], dest)
            del temps[f]
            paths.append(dest)
        return paths
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
