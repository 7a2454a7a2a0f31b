"""Shared checks of the Allo corpus: every kernel's schedule must verify as proved.

`assert_proved(s)` runs `s.verify()` (L1 for each step, L2 on the whole kernel, L3 on a few
seeded inputs; C simulation of the emitted HLS C++ with `csim=True`) and fails with the
certificate's non-proved entries when the verdict is anything but "proved"."""

from __future__ import annotations

from typing import Any

import numpy as np

TRIALS = 4


def assert_proved(s: Any, csim: bool = False, **kw: Any) -> Any:
    """The certificate of `s` against its original kernel must be proved (CSIM agreed too)."""
    cert = s.verify(trials=kw.pop("trials", TRIALS), csim=csim, **kw)
    bad = [(e.layer, e.name, e.result) for e in cert.entries
           if type(e.result).__name__ not in ("Proved", "Agreed")]
    assert cert.status == "proved", f"verdict {cert.status}: {bad}"
    if csim:
        assert any(e.layer == "CSIM" and type(e.result).__name__ == "Agreed"
                   for e in cert.entries), "C simulation did not run or did not agree"
    return cert


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)
