"""Certificate fixtures for the report tests: real certificates written by
`tests/report/data/regenerate.py` (see its docstring), loaded as plain dicts."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"


@cache
def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    return data


def load_cert(name: str) -> dict[str, Any]:
    """A fresh deep copy of fixture `name` (tests may edit it)."""
    return copy.deepcopy(_read(name))


@pytest.fixture
def cert() -> Callable[[str], dict[str, Any]]:
    """`cert("proved")` -> the fixture certificate as a dict."""
    return load_cert
