"""write_reports: every format, atomically, all or nothing."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from allo_verify.report import markdown, writers
from allo_verify.report.writers import write_reports

ALL = ["json", "md", "html", "junit"]


def test_writes_every_format(cert: Any, tmp_path: Path) -> None:
    c = cert("refuted_l2")
    out = tmp_path / "reports"
    paths = write_reports(c, out, ALL, "gemm")
    assert [p.name for p in paths] == ["gemm.json", "gemm.md", "gemm.html", "gemm.junit.xml"]
    assert sorted(os.listdir(out)) == sorted(p.name for p in paths)  # no temp files left
    text = (out / "gemm.json").read_text()
    assert json.loads(text) == c and text == json.dumps(c, sort_keys=True, indent=2) + "\n"
    assert (out / "gemm.md").read_text().startswith("# gemm\n")
    assert "<title>gemm</title>" in (out / "gemm.html").read_text()
    assert ET.parse(out / "gemm.junit.xml").getroot().tag == "testsuites"
    assert write_reports(c, out, ["md", "md"], "gemm") == [out / "gemm.md"]


def test_renderer_failure_leaves_nothing(cert: Any, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(cert: Any, stem: str) -> str:
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(writers, "render_junit", boom)
    with pytest.raises(RuntimeError, match="renderer broke"):
        write_reports(cert("proved"), tmp_path, ALL, "gemm")
    assert os.listdir(tmp_path) == []
    # an existing report stays exactly as it was
    (tmp_path / "gemm.md").write_text("old")
    monkeypatch.setattr(markdown, "to_markdown", lambda c, t="": 1 / 0)
    with pytest.raises(ZeroDivisionError):
        write_reports(cert("proved"), tmp_path, ["json", "md"], "gemm")
    assert os.listdir(tmp_path) == ["gemm.md"] and (tmp_path / "gemm.md").read_text() == "old"


def test_failure_while_moving_cleans_temp_files(cert: Any, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.replace
    calls: list[str] = []

    def flaky(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if len(calls) == 2:
            raise OSError("disk full")
        real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)  # writers calls os.replace at call time
    with pytest.raises(OSError, match="disk full"):
        write_reports(cert("proved"), tmp_path, ALL, "g")
    assert os.listdir(tmp_path) == ["g.json"]  # the one moved before; no temp files


def test_unknown_format_and_bad_stem(cert: Any, tmp_path: Path) -> None:
    with pytest.raises(ValueError) as e:
        write_reports(cert("proved"), tmp_path, ["md", "pdf"], "g")
    assert "'pdf'" in str(e.value) and "json, md, html, junit" in str(e.value)
    with pytest.raises(ValueError, match="plain file name"):
        write_reports(cert("proved"), tmp_path, ["md"], "../g")
    assert os.listdir(tmp_path) == []
