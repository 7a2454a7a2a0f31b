"""An int8 quantized linear layer with int32 accumulation, bias and requantization.

The accumulation stays in int32 (int8 * int8 products fit in int16); the result is shifted
and saturated back to int8. The schedule splits the output features, moves the batch loop
between the two halves, pipelines the reduction and unrolls the inner output loop. `acc` is
one scalar cell, but every (b, o) iteration starts by overwriting it, so the checker proves
it private to each iteration and the reorder is legal.

    allo-verify verify examples/quantized_linear.py
"""

import allo_verify as av
from allo_verify import grid, int8, int32, reduction

B, IN, OUT, SHIFT = 4, 32, 16, 7


def qlinear(x: int8[B, IN], w: int8[OUT, IN], bias: int32[OUT]) -> int8[B, OUT]:
    y: int8[B, OUT] = 0
    for b, o in grid(B, OUT):
        acc: int32 = bias[o]
        for i in reduction(IN):
            acc += x[b, i] * w[o, i]
        q: int32 = acc >> SHIFT
        y[b, o] = max(-128, min(127, q))
    return y


qlinear_schedule = av.customize(qlinear)
qlinear_schedule.split("o", 4)
qlinear_schedule.reorder("o.outer", "b", "o.inner")
qlinear_schedule.pipeline("i")
qlinear_schedule.unroll("o.inner")
