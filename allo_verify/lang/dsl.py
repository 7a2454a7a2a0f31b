"""Names kernels use that mean something only inside a kernel: loop builders and math.

Outside a kernel they behave like their Python meaning, so a kernel stays runnable as plain
Python for small inputs (`grid` is `itertools.product` of ranges, `exp` is `math.exp`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator


def grid(*extents: int) -> Iterator[tuple[int, ...]]:
    """`for i, j in grid(M, N)`: a perfect loop nest, outermost first."""
    return itertools.product(*(range(e) for e in extents))


def reduction(*args: int) -> range:
    """`for k in reduction(N)`: a `range` marked as a reduction loop (`loop_type`)."""
    return range(*args)


exp, log, log2, sqrt, sin, cos, tanh, pow = (  # noqa: A001 - the kernel language's math
    math.exp, math.log, math.log2, math.sqrt, math.sin, math.cos, math.tanh, math.pow)
