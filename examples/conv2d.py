"""A 2D convolution with its output loops tiled (split + reorder), checked at every step.

    allo-verify verify examples/conv2d.py
"""

import allo_verify as av
from allo_verify import grid, int32

H, W, R = 16, 16, 3


def conv2d(img: int32[H, W], ker: int32[R, R]) -> int32[H - R + 1, W - R + 1]:
    out: int32[H - R + 1, W - R + 1] = 0
    for y, x in grid(H - R + 1, W - R + 1):
        for ry, rx in grid(R, R):
            out[y, x] += img[y + ry, x + rx] * ker[ry, rx]
    return out


conv_tiled = av.customize(conv2d)
conv_tiled.tile(["y", "x"], [4, 7])          # 14 = 2 * 7: no remainder; 14 = 3 * 4 + 2: guarded
conv_tiled.pipeline("x.inner")
conv_tiled.unroll("rx")
