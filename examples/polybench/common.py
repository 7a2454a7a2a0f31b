"""Shared conventions of the PolyBench/C 4.2.1 ports in this directory.

Every port module `NAME.py` (PolyBench's name with `-` spelled `_`, and `2mm`/`3mm` spelled
`two_mm`/`three_mm`) defines:

- `POLYBENCH`: the benchmark's own name; `SIZES`: its MINI, SMALL and MEDIUM parameters
  (PolyBench 4.2.1's size tables);
- `TYPES`: the element types it is ported at (float32 always, int32 where meaningful);
- `kernel(size, dtype)`: the kernel at that size and type (a plain kernel function, ready for
  `av.customize`); every array is an argument the kernel updates in place, as in PolyBench's
  `kernel_NAME` (scratch arrays that PolyBench passes only to hold intermediates are locals);
- `inputs(size, dtype, seed)`: the argument arrays (well-conditioned where the algorithm
  divides: PolyBench's own initializers are chosen the same way);
- `reference(*args)`: NumPy, updating the arrays in place like the kernel;
- `TOLERANCE`: None when the reference performs the kernel's float32 operations in the same
  order (compared bit for bit), else the relative tolerance of the comparison and why.

The 13 kernels Allo scheduled also define `schedule(size)` and are design files for
`allo-verify verify`: their designs are built at the size named by the environment variable
`POLYBENCH_SIZE` (MINI, SMALL or MEDIUM; MEDIUM when unset).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

import allo_verify as av

SIZE_NAMES = ("MINI", "SMALL", "MEDIUM")


def design_size() -> str:
    """The size the design files build: `$POLYBENCH_SIZE`, MEDIUM by default."""
    size = os.environ.get("POLYBENCH_SIZE", "MEDIUM").upper()
    if size not in SIZE_NAMES:
        raise ValueError(f"POLYBENCH_SIZE={size!r}: expected one of {', '.join(SIZE_NAMES)}")
    return size


def np_type(dtype: Any) -> type:
    """The NumPy carrier of a kernel element type (float32 -> np.float32, int32 -> np.int32)."""
    return np.float32 if dtype is av.float32 else np.int32


def rand(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any,
         lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    """Random cells: floats uniform in [lo, hi), integers in a small range so that products
    and sums of PolyBench's sizes stay far from int32 overflow."""
    if np_type(dtype) is np.int32:
        return rng.integers(-8, 8, shape, dtype=np.int32)
    return rng.uniform(lo, hi, shape).astype(np.float32)


def const(x: float, dtype: Any) -> Any:
    """A PolyBench scalar constant (alpha = 1.5, ...) at the kernel's element type: float32
    rounds it as the kernel's literal does; int32 truncates, as C's conversion does."""
    is_float = dtype is av.float32 or np.dtype(dtype) == np.float32 if dtype is not av.int32 \
        else False
    return np.float32(x) if is_float else np.int32(int(x))


def run_port(mod: Any, size: str, dtype: Any, seed: int = 0
             ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Run the port's kernel on its LLVM simulation and its NumPy reference on the same
    inputs: (the arrays after the kernel, the arrays after the reference)."""
    args = mod.inputs(size, dtype, seed)
    got = [a.copy() for a in args]
    av.customize(mod.kernel(size, dtype)).build()(*got)
    expected = [a.copy() for a in args]
    mod.reference(*expected)
    return got, expected


def mismatch(mod: Any, got: list[np.ndarray], expected: list[np.ndarray]) -> str | None:
    """None when every array matches (bit for bit, NaN matching NaN, unless the module
    declares a TOLERANCE), else which argument differs and by how much."""
    for k, (g, e) in enumerate(zip(got, expected, strict=True)):
        if mod.TOLERANCE is None or g.dtype.kind != "f":
            same = np.array_equal(g, e, equal_nan=g.dtype.kind == "f")
        else:
            same = np.allclose(g, e, rtol=mod.TOLERANCE, atol=mod.TOLERANCE, equal_nan=True)
        if not same:
            diff = np.abs(g.astype(np.float64) - e.astype(np.float64))
            cell = np.unravel_index(int(np.nanargmax(diff)), diff.shape)
            return (f"argument {k} differs at {tuple(int(c) for c in cell)}: "
                    f"kernel {g[cell].item()!r}, reference {e[cell].item()!r}")
    return None
