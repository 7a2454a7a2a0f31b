"""Co-simulation in a separate process, for designs whose LLVM simulation may touch memory
outside an array (undefined there: a read of whatever lies past the end, a write that
corrupts the heap, or a segfault). Law: whatever the child process does, the caller gets a
`Result` (the child's L3 result, or `Unknown` saying why there is none); the verifier's own
process never runs such code."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from allo_verify.equiv.results import Result, Unknown
from allo_verify.lang.signature import Signature

_CHILD = """
import pickle, sys
from allo_verify.equiv.cosim import cosimulate
text_a, text_b, sig, trials, seed = pickle.load(sys.stdin.buffer)
r = cosimulate(text_a, text_b, sig, trials=trials, seed=seed).result
with open(sys.argv[1], "wb") as f:
    pickle.dump(r, f)
"""

ISOLATED_TIMEOUT = 600  # seconds; a hung child gives Unknown, never a verdict


def cosimulate_isolated(text_a: str, text_b: str, sig: Signature, trials: int, seed: int
                        ) -> Result:
    """`cosimulate(text_a, text_b, sig, trials, seed).result`, computed in a child Python."""
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    with tempfile.TemporaryDirectory(prefix="allo_verify_isolated_") as d:
        out = Path(d) / "result.pickle"
        try:
            p = subprocess.run([sys.executable, "-c", _CHILD, str(out)],
                               input=pickle.dumps((text_a, text_b, sig, trials, seed)),
                               capture_output=True, timeout=ISOLATED_TIMEOUT, env=env,
                               check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            return Unknown(f"isolated LLVM simulation did not finish: {type(e).__name__}: {e}")
        if p.returncode != 0 or not out.exists():
            tail = p.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
            return Unknown(f"isolated LLVM simulation failed (exit {p.returncode}): {tail[0]}")
        r: Result = pickle.loads(out.read_bytes())  # noqa: S301 - our own child's output
        return r
