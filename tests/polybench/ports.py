"""Access to the PolyBench ports of examples/polybench for the tests."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

PORTS = Path(__file__).resolve().parents[2] / "examples" / "polybench"
SCHEDULED = ("two_mm", "three_mm", "atax", "bicg", "correlation", "gemm", "gesummv",
             "jacobi_2d", "mvt", "symm", "syr2k", "syrk", "trmm")


if str(PORTS) not in sys.path:  # the ports import `common` beside them
    sys.path.insert(0, str(PORTS))


def port_names() -> list[str]:
    return sorted(p.stem for p in PORTS.glob("*.py") if p.stem != "common")


def load(name: str) -> Any:
    """Import a port (its directory on the path, as the design-file loader puts it)."""
    if str(PORTS) not in sys.path:
        sys.path.insert(0, str(PORTS))
    return importlib.import_module(name)
