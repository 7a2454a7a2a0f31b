"""PEP 695 templates (`def gemm[T, M, N, K](...)`), run under Python 3.12+ in a subprocess.

The package supports Python 3.11, where that syntax does not parse, so no module of the
package (nor this file) contains it: the designs below are written to a temporary file and
run by a Python 3.12 or later interpreter found on this machine (pyenv's, `python3.12`,
`python3.13`, or `$ALLO_VERIFY_PY312`). That interpreter needs the package's dependencies:
a virtual environment for it is created once under the system temporary directory
(`allo-verify-pep695-<version>-<hash of the dependencies>`) and reused by later runs. The
test is skipped, saying why, when no such interpreter exists or the dependencies cannot be
installed (no package index reachable).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

STRING_ANNOTATIONS = '''
import numpy as np
import allo_verify as av
from allo_verify import float32, grid, int8, int32, reduction

def gemm[T, M, N, K](A: "T[M, K]", B: "T[K, N]") -> "T[M, N]":
    C: T[M, N] = 0
    for i, j in grid(M, N):
        for k in reduction(K):
            C[i, j] += A[i, k] * B[k, j]
    return C

def two_mm(A: int32[6, 4], B: int32[4, 5], C: int32[5, 6]) -> int32[6, 6]:
    tmp = gemm[int32, 6, 5, 4, "mm1"](A, B)
    D = gemm[int32, 6, 6, 5, "mm2"](tmp, C)
    return D

def mixed(A: int8[4, 3], B: int8[3, 2], X: float32[2, 2], Y: float32[2, 2]
          ) -> (int8[4, 2], float32[2, 2]):
    C = gemm[int8, 4, 2, 3](A, B)
    Z = gemm[float32, 2, 2, 2](X, Y)
    return C, Z

rng = np.random.default_rng(0)
g = av.customize(gemm, instantiate=[int32, 3, 4, 5])
a, b = rng.integers(-9, 9, (3, 5), dtype=np.int32), rng.integers(-9, 9, (5, 4), dtype=np.int32)
assert np.array_equal(g.build()(a, b), a @ b)

top = av.customize(two_mm)
assert list(top.kernel.functions) == ["two_mm", "gemm_mm1", "gemm_mm2"], top.kernel.functions
s1 = av.customize(gemm, instantiate=[int32, 6, 5, 4])
s1.split("i", 2)
s1.reorder("i.outer", "j", "k", "i.inner")
s1.pipeline("k")
s2 = av.customize(gemm, instantiate=[int32, 6, 6, 5])
s2.split("j", 3)
s2.unroll("j.inner")
top.compose(s1, id="mm1")
top.compose(s2, id="mm2")
A = rng.integers(-9, 9, (6, 4), dtype=np.int32)
B = rng.integers(-9, 9, (4, 5), dtype=np.int32)
C = rng.integers(-9, 9, (5, 6), dtype=np.int32)
assert np.array_equal(top.build()(A, B, C), (A @ B) @ C)
cert = top.verify(trials=10)
assert cert.status == "proved", cert.verdict().reasons
names = [e.name for e in cert.entries if e.layer == "L1"]
assert any(n.startswith("mm1: split(axis='gemm_mm1:i'") for n in names)
assert any(n.startswith("mm2: unroll(axis='gemm_mm2:j.inner'") for n in names)

m = av.customize(mixed)
assert list(m.kernel.functions) == ["mixed", "gemm_int8_4_2_3", "gemm_float32_2_2_2"]
assert m.verify(layers=("L2",)).status == "proved"

@av.template("T", "N")
def double(A: "T[N]") -> "T[N]":
    B: T[N] = 0
    for i in range(N):
        B[i] = A[i] * 2
    return B

d = av.customize(double, instantiate=[int32, 5])
assert np.array_equal(d.build()(np.arange(5, dtype=np.int32)), np.arange(5) * 2)
print("OK")
'''

EXPRESSION_ANNOTATIONS = '''
from __future__ import annotations
import numpy as np
import allo_verify as av
from allo_verify import grid, int16

def add[T, N](A: T[N], B: T[N]) -> T[N]:
    C: T[N] = 0
    for i in grid(N):
        C[i] = A[i] + B[i]
    return C

def top(A: int16[8], B: int16[8]) -> int16[8]:
    return add[int16, 8, "first"](A, B)

s = av.customize(top)
assert list(s.kernel.functions) == ["top", "add_first"], s.kernel.functions
a, b = np.arange(8, dtype=np.int16), np.arange(8, 16, dtype=np.int16)
assert np.array_equal(s.build()(a, b), a + b)
sub = av.customize(add, instantiate=[int16, 8])
sub.split("i", 4)
s.compose(sub, id="first")
assert s.verify(trials=5).status == "proved"
print("OK")
'''


def _deps() -> list[str]:
    return list(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])


def _candidates() -> list[str]:
    found = [os.environ.get("ALLO_VERIFY_PY312", "")]
    pyenv = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
    if pyenv.is_dir():
        found += [str(p / "bin" / "python") for p in sorted(pyenv.iterdir())]
    found += [shutil.which(n) or "" for n in ("python3.12", "python3.13", "python3.14")]
    return [p for p in found if p and Path(p).is_file()]


def _version(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=60, check=True).stdout
        major, minor = map(int, out.split())
        return major, minor
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def _works(python: Path) -> bool:
    r = subprocess.run([str(python), "-c", "import mlir.ir, z3, numpy"], capture_output=True,
                       timeout=120)
    return r.returncode == 0


@pytest.fixture(scope="module")
def python312() -> str:
    """A Python >= 3.12 with the package's dependencies (a reused venv), or a skip."""
    interp = next((p for p in _candidates() if (_version(p) or (0, 0)) >= (3, 12)), None)
    if interp is None:
        pytest.skip("no Python 3.12 or later on this machine (tried pyenv, python3.12, "
                    "python3.13, $ALLO_VERIFY_PY312): PEP 695 templates cannot be run")
    major, minor = _version(interp)  # type: ignore[misc]
    deps = _deps()
    tag = hashlib.sha256("\n".join([interp, *deps]).encode()).hexdigest()[:12]
    venv = Path(tempfile.gettempdir()) / f"allo-verify-pep695-{major}.{minor}-{tag}"
    python = venv / "bin" / "python"
    if python.is_file() and _works(python):
        return str(python)
    build = Path(tempfile.mkdtemp(prefix=venv.name + "-build-"))
    try:
        subprocess.run([interp, "-m", "venv", str(build)], check=True, capture_output=True,
                       timeout=300)
        r = subprocess.run([str(build / "bin" / "python"), "-m", "pip", "install", "-q",
                            *deps], capture_output=True, text=True, timeout=900)
        if r.returncode != 0:
            last = (r.stderr.strip().splitlines() or ["?"])[-1]
            pytest.skip(f"Python {major}.{minor} found ({interp}) but the package's "
                        f"dependencies could not be installed into a venv for it: {last}")
        shutil.rmtree(venv, ignore_errors=True)
        build.rename(venv)  # a venv's scripts name their interpreter, but we only call python
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return str(python)


@pytest.mark.parametrize("source", [STRING_ANNOTATIONS, EXPRESSION_ANNOTATIONS],
                         ids=["string-annotations", "expression-annotations"])
def test_pep695_templates(python312: str, source: str, tmp_path: Path) -> None:
    design = tmp_path / "pep695_design.py"
    design.write_text(textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    r = subprocess.run([python312, str(design)], capture_output=True, text=True,
                       cwd=tmp_path, env=env, timeout=900)
    assert r.returncode == 0 and r.stdout.strip().endswith("OK"), r.stdout + r.stderr


def test_package_imports_on_this_python_without_pep695_syntax() -> None:
    """No module of the package uses PEP 695 syntax: every one parses as Python 3.11."""
    import ast

    for path in (ROOT / "allo_verify").rglob("*.py"):
        ast.parse(path.read_text(), filename=str(path), feature_version=(3, 11))
    assert sys.version_info >= (3, 11)
