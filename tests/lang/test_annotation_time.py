"""Signature and body annotations are read at the same time (when the kernel is
customized) from the same namespace, so a size changed between `def` and `customize`
cannot make them disagree.

Regression (issue 8): the signature's annotations were read when `def` ran and the body's
when `customize` ran; changing a size in between gave a spurious shape mismatch. Variants:
a module global changed after `def`, a closure variable rebound after `def` (through
`nonlocal`), a return type and a local array both using the size, and a nested kernel
whose signature uses an enclosing variable the body never names (which only `def` can see).
"""

import importlib.util
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import allo_verify as av
from allo_verify.errors import FrontendError

MODULE = '''
import allo_verify as av
from allo_verify import int32, float32

SIZE = 3

def scale(A: int32[SIZE]) -> int32[SIZE]:
    B: int32[SIZE] = 0
    for i in range(SIZE):
        B[i] = A[i] * 2
    return B

def make_window():
    width = 2

    def window(X: float32[width, 4]) -> float32[4]:
        acc: float32[width, 4] = X
        out: float32[4] = 0.0
        for j in range(4):
            for r in range(width):
                out[j] += acc[r, j]
        return out

    def widen(k):
        nonlocal width
        width = k

    return window, widen

def make_hidden(n):
    def hidden(A: int32[n]) -> int32:
        return A[0] + A[1]
    return hidden
'''


def load(tmp_path: Path, name: str):  # noqa: ANN201 - a module
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(MODULE))
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_module_global_changed_after_def(tmp_path: Path) -> None:
    mod = load(tmp_path, "anno_global")
    mod.SIZE = 5  # after `def scale`: both the signature and the body now read 5
    s = av.customize(mod.scale)
    assert [tuple(a.type.shape) for a in s.sig.args] == [(5,)]
    assert tuple(s.sig.results[0].shape) == (5,)
    out = s.build()(np.arange(5, dtype=np.int32))
    assert out.tolist() == [0, 2, 4, 6, 8]


def test_closure_rebound_after_def(tmp_path: Path) -> None:
    mod = load(tmp_path, "anno_closure")
    window, widen = mod.make_window()
    widen(3)  # the closure cell changes after `def window`
    s = av.customize(window)
    assert tuple(s.sig.args[0].type.shape) == (3, 4)
    X = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert np.array_equal(s.build()(X), X.sum(axis=0))


def test_size_unchanged_still_works(tmp_path: Path) -> None:
    mod = load(tmp_path, "anno_same")
    s = av.customize(mod.scale)
    assert tuple(s.sig.args[0].type.shape) == (3,)


def test_enclosing_name_only_def_can_see(tmp_path: Path) -> None:
    mod = load(tmp_path, "anno_hidden")
    s = av.customize(mod.make_hidden(4))  # `n` is not captured: Python's value is used
    assert tuple(s.sig.args[0].type.shape) == (4,)
    assert int(s.build()(np.array([5, 6, 0, 0], dtype=np.int32))) == 11


def test_global_made_invalid_is_a_frontend_error(tmp_path: Path) -> None:
    mod = load(tmp_path, "anno_bad")
    mod.SIZE = "three"
    with pytest.raises(FrontendError) as e:
        av.customize(mod.scale)
    assert "anno_bad.py" in str(e.value)
