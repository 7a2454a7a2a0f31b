"""The GPT-2 block example (examples/gpt2_block.py): its LLVM simulation matches the NumPy
reference of the same block, the scheduled dataflow design is proved (every step at L1, the
whole block at L2), co-simulation agrees, and its emitted HLS C++ agrees under C simulation."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

EXAMPLE = Path(__file__).parents[2] / "examples" / "gpt2_block.py"


@pytest.fixture(scope="module")
def block() -> dict[str, Any]:
    return runpy.run_path(str(EXAMPLE))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_block_matches_numpy_reference(block: dict[str, Any], seed: int) -> None:
    args = block["random_inputs"](seed)
    got = block["gpt2"].build()(*[a.copy() for a in args])
    want = block["reference"](*args)
    assert got.shape == want.shape == (block["L"], block["D"])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_reference_comparison_detects_a_wrong_block(block: dict[str, Any]) -> None:
    """The comparison can fail: dropping the causal mask changes the output."""
    args = block["random_inputs"](0)
    got = block["gpt2"].build()(*[a.copy() for a in args])
    saved = block["reference"].__globals__["MASKED"]
    try:
        block["reference"].__globals__["MASKED"] = np.float32(0.0)  # no mask: wrong block
        wrong = block["reference"](*args)
    finally:
        block["reference"].__globals__["MASKED"] = saved
    assert not np.allclose(got, wrong, rtol=1e-4, atol=1e-5)


def test_block_is_proved_and_csim_agrees(block: dict[str, Any]) -> None:
    s = block["gpt2"]
    prims = [st.primitive.__class__.__name__.lower() for st in s.steps]
    assert any("dataflow" in p for p in prims) and any("stream" in p for p in prims), prims
    assert any(st.to_dict().get("instance") for st in s.steps)  # composed library schedules
    cert = s.verify(trials=3, csim=True)
    l1 = {e.result.status for e in cert.entries if e.layer == "L1"}
    others = {e.layer: e.result.status for e in cert.entries if e.layer != "L1"}
    assert l1 == {"proved"}
    assert others == {"L2": "proved", "L3": "agreed", "CSIM": "agreed"}, others
    assert cert.status == "proved"


def test_emitted_cpp_is_a_dataflow_design_with_a_stream(block: dict[str, Any]) -> None:
    code = block["gpt2"].build(target="vhls").code
    assert "#pragma HLS dataflow" in code
    assert "hls::stream<float>" in code and "x1r" in code
    for fn in ("std::exp(", "std::tanh(", "std::sqrt("):
        assert fn in code, fn
