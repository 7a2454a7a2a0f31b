"""Helpers shared by the frontend tests: building kernels once, NumPy carriers, and the
Python reference model of bit-precise integers (written from the spec, not imported from
the package under test)."""

from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

import allo_verify as av

_BUILT: dict[Hashable, Any] = {}


def build(fn: Callable[..., Any], key: Hashable | None = None) -> Any:
    """`av.customize(fn).build()`, cached by `key` (default: the function object)."""
    k = fn if key is None else key
    if k not in _BUILT:
        _BUILT[k] = av.customize(fn).build()
    return _BUILT[k]


def wrap(v: int, bits: int, signed: bool) -> int:
    """Two's complement truncation of the Python int `v` to `bits` bits."""
    v &= (1 << bits) - 1
    if signed and v >> (bits - 1):
        v -= 1 << bits
    return v


def int_range(bits: int, signed: bool) -> tuple[int, int]:
    if signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def carrier_dtype(bits: int, signed: bool) -> np.dtype:
    """The NumPy carrier of Int/UInt(bits) per the spec: smallest of 8/16/32/64, else object."""
    if bits > 64:
        return np.dtype(object)
    for size in (8, 16, 32, 64):
        if bits <= size:
            return np.dtype(f"{'int' if signed else 'uint'}{size}")
    raise AssertionError(bits)


def carrier(values: Iterable[Any], bits: int, signed: bool, shape: Any = None) -> np.ndarray:
    """A carrier array holding the Python ints `values` for Int/UInt(bits)."""
    vals = [int(v) for v in values]
    dt = carrier_dtype(bits, signed)
    if dt == np.dtype(object):
        arr = np.empty(len(vals), dtype=object)
        arr[:] = vals
    else:
        arr = np.array(vals, dtype=dt)
    return arr.reshape(shape) if shape is not None else arr


def zeros(shape: Any, bits: int, signed: bool) -> np.ndarray:
    n = int(np.prod(shape))
    return carrier([0] * n, bits, signed, shape)


def as_ints(arr: Any) -> list[int]:
    """Python ints of every element of a carrier array (or a scalar)."""
    return [int(v) for v in np.asarray(arr, dtype=object).ravel()]


def marker_line(path: str, marker: str) -> int:
    """1-based number of the only line of `path` that contains `marker`."""
    hits = [n for n, line in enumerate(Path(path).read_text().splitlines(), 1) if marker in line]
    assert len(hits) == 1, (marker, hits)
    return hits[0]


def code_of_line(path: str, lineno: int) -> str:
    """The code on a line, without its trailing comment and surrounding blanks."""
    line = Path(path).read_text().splitlines()[lineno - 1]
    return line.split("#", 1)[0].strip()


def tagged_line(path: str, tag: str) -> int:
    """The one line of the file `path` that ends with the comment `# <- tag`."""
    lines = Path(path).read_text().splitlines()
    hits = [n for n, t in enumerate(lines, 1) if t.rstrip().endswith("# <- " + tag)]
    assert len(hits) == 1, f"{tag}: {len(hits)} tagged lines"
    return hits[0]


def assert_frontend_error_at(kernel: Callable[..., Any], path: str, tag: str,
                             words: str) -> av.FrontendError:
    """`customize(kernel)` raises a FrontendError naming `path` and the line tagged `tag`,
    with `words` in its message; returns the error."""
    import pytest

    with pytest.raises(av.FrontendError) as info:
        av.customize(kernel)
    err = info.value
    assert err.lineno == tagged_line(path, tag), str(err)
    assert Path(err.filename).name == Path(path).name
    assert words in str(err)
    return err
