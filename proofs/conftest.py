"""Collect every lemma file here (named after its primitive, not test_*.py) as a test module."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if file_path.suffix == ".py" and not file_path.name.startswith(("_", "conftest")):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
