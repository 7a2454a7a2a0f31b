"""The HTML report in a real browser: Debian's Chromium renders it (headless) and the DOM
it built still carries the step names and the counterexample note."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from allo_verify.report.html import to_html
from tests.report.test_html import parse

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def test_chromium_renders_counterexample(cert: Any, tmp_path: Path) -> None:
    exe = shutil.which("chromium")
    if exe is None:
        pytest.skip("no `chromium` binary on PATH (Debian: apt-get install -y chromium)")
    assert exe is not None
    c = cert("refuted_l1")
    c["schedule_log"].insert(0, {"primitive": "split", "args": {"axis": "i", "factor": 2},
                                 "loops_before": ["seidel:i  1 to 7"],
                                 "loops_after": ["seidel:i.outer  0 to 3"],
                                 "obligations": []})
    refuted = [e for e in c["entries"] if e["result"].get("counterexample")]
    assert refuted, "the fixture holds a refuted entry with its counterexample"
    note = refuted[0]["result"]["counterexample"]["note"]
    page = tmp_path / "report.html"
    page.write_text(to_html(c, "seidel"), encoding="utf-8")
    proc = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = parse(proc.stdout)
    assert "Step 1: split(axis='i', factor=2)" in dom.text
    assert "Step 2: reorder(axes=('j', 'i'))" in dom.text
    assert note in dom.text
    # the fixture is a design whose reorder its checker refused (the verdict's "refused")
    assert "REFUSED a schedule step was refused by its checker" in dom.text
    assert "step 2 reorder(axes=('j', 'i')) was refused" in dom.text
