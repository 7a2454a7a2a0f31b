"""`allo-verify verify` on a design file holding a df.region's schedule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from allo_verify import cli

DESIGN = Path(__file__).parent / "designs" / "df_design.py"


def test_cli_verifies_a_df_region_schedule(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    code = cli.main(["verify", str(DESIGN), "--out", str(tmp_path), "--trials", "10"])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    cert = json.loads((tmp_path / "s.json").read_text())
    assert cert["status"] == "proved"
    names = [e["name"] for e in cert["entries"] if e["layer"] == "L1"]
    channel = [n for n in names if n.startswith("to(target='scale:q'")]
    for ob in ("/producer-once", "/consumer-once", "/covers", "/same-order", "/q/depth"):
        assert any(n.endswith(ob) for n in channel), (ob, channel)
    # the later partition step re-proves the channel's order and depth
    assert any(n.startswith("partition(") and n.endswith("/q/depth") for n in names)
