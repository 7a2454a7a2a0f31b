"""Names kernels use that mean something only inside a kernel: loop builders and math.

Outside a kernel they behave like their Python meaning, so a kernel stays runnable as plain
Python for small inputs (`grid` is `itertools.product` of ranges, `exp` is `math.exp`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator


def grid(*extents: int, name: str | None = None, pipeline: bool | int = False,
         unroll: bool | int = False) -> Iterator[tuple[int, ...]]:
    """`for i, j in grid(M, N)`: a perfect loop nest, outermost first. The keywords
    (Allo's) name the band's loops `name.i`, ... and ask HLS to pipeline its innermost loop
    (`pipeline=True` or an initiation interval) or unroll its loops (`unroll=True` or a
    factor); `customize` applies them as checked schedule steps. Run as plain Python, they
    change nothing."""
    return itertools.product(*(range(e) for e in extents))


def reduction(*extents: int, name: str | None = None, pipeline: bool | int = False,
              unroll: bool | int = False) -> Iterator[int] | Iterator[tuple[int, ...]]:
    """`for k in reduction(N)` / `for i, j in reduction(M, N)`: a loop band like `grid`
    whose every loop is marked as a reduction loop (Allo's `reduction`, `numpy.ndindex` of
    the extents); the keywords mean what they mean for `grid`. As plain Python, one extent
    gives the ints of `range(N)`, several the index tuples of `grid`."""
    if len(extents) == 1:
        return iter(range(extents[0]))
    return itertools.product(*(range(e) for e in extents))


exp, log, log2, sqrt, sin, cos, tanh, pow = (  # noqa: A001 - the kernel language's math
    math.exp, math.log, math.log2, math.sqrt, math.sin, math.cos, math.tanh, math.pow)
