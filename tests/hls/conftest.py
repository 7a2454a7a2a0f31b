"""Shared fixtures of the HLS tests: the corpus emitted once and compiled in two batches
(the binaries are cached by code hash, so later tests and runs reuse them)."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lang"))

from corpus import corpus  # noqa: E402

from allo_verify.codegen.hls import emit_hls, prebuild  # noqa: E402

UPDATE_GOLDEN = os.environ.get("ALLO_VERIFY_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="session")
def emitted() -> dict[str, tuple[Any, Any]]:
    """name -> (Schedule, HLSModule) for the whole corpus, compiled."""
    designs = corpus()
    out = {name: (s, emit_hls(s.module, s.sig)) for name, s in designs.items()}
    prebuild([m for _, m in out.values()], jobs=2)
    return out
