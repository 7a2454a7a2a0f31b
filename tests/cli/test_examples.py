"""Every example design verifies with exit 0 and writes Markdown, HTML, JSON and JUnit."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from allo_verify import cli
from allo_verify.design import load_designs

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.py"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_verifies(example: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = cli.main(["verify", str(example), "--out", str(tmp_path), "--trials", "20"])
    text = capsys.readouterr().out
    assert code == 0, text
    for name in load_designs(example):
        assert f"{name}: PROVED" in text
        for suffix in (".md", ".html", ".json", ".junit.xml"):
            assert (tmp_path / f"{name}{suffix}").stat().st_size > 0
        cert = json.loads((tmp_path / f"{name}.json").read_text())
        suite = ET.parse(tmp_path / f"{name}.junit.xml").getroot().find("testsuite")
        assert suite is not None and int(suite.get("failures", "0")) == 0
        assert int(suite.get("tests", "0")) == len(cert["entries"]) + 1  # + the verdict
