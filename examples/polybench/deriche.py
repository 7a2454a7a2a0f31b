"""PolyBench deriche: Deriche's recursive edge-detection filter (alpha = 0.25), a causal and
an anti-causal pass along rows, then along columns. Float only.

PolyBench computes its coefficients (k, a1..a8, b1, b2, c1, c2) inside the kernel with
exp and pow in the data type; here they are computed in float32 when the kernel is built
and enter it as constants (NumPy's float32 exp may differ from a C library's expf in the
last bit, which changes the constants, not the computation)."""

from typing import Any

import numpy as np
from common import rand

from allo_verify import float32

POLYBENCH = "deriche"
SIZES = {"MINI": {"W": 64, "H": 64}, "SMALL": {"W": 192, "H": 128},
         "MEDIUM": {"W": 720, "H": 480}}
TYPES = (float32,)
TOLERANCE = None
ALPHA = 0.25


def coefficients() -> dict[str, np.float32]:
    f = np.float32
    al = f(ALPHA)
    em = np.exp(-al)
    k = (f(1.0) - em) * (f(1.0) - em) / (f(1.0) + f(2.0) * al * em - np.exp(f(2.0) * al))
    c = {"a1": k, "a2": k * em * (al - f(1.0)), "a3": k * em * (al + f(1.0)),
         "a4": -k * np.exp(f(-2.0) * al), "b1": np.power(f(2.0), -al),
         "b2": -np.exp(f(-2.0) * al), "c1": f(1.0)}
    c.update(a5=c["a1"], a6=c["a2"], a7=c["a3"], a8=c["a4"], c2=c["c1"])
    return {key: np.float32(v) for key, v in c.items()}


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    w, h = SIZES[size].values()
    k = {key: float(v) for key, v in coefficients().items()}
    a1, a2, a3, a4, a5, a6, a7, a8 = (k[f"a{i}"] for i in range(1, 9))
    b1, b2, c1, c2 = k["b1"], k["b2"], k["c1"], k["c2"]
    T = dtype

    def deriche(imgIn: T[w, h], imgOut: T[w, h], y1: T[w, h], y2: T[w, h]):  # noqa: N803
        ym1: T = 0.0
        ym2: T = 0.0
        xm1: T = 0.0
        tm1: T = 0.0
        yp1: T = 0.0
        yp2: T = 0.0
        xp1: T = 0.0
        xp2: T = 0.0
        tp1: T = 0.0
        tp2: T = 0.0
        for i in range(w):
            ym1 = 0.0
            ym2 = 0.0
            xm1 = 0.0
            for j in range(h):
                y1[i, j] = a1 * imgIn[i, j] + a2 * xm1 + b1 * ym1 + b2 * ym2
                xm1 = imgIn[i, j]
                ym2 = ym1
                ym1 = y1[i, j]
        for i in range(w):
            yp1 = 0.0
            yp2 = 0.0
            xp1 = 0.0
            xp2 = 0.0
            for j in range(h - 1, -1, -1):
                y2[i, j] = a3 * xp1 + a4 * xp2 + b1 * yp1 + b2 * yp2
                xp2 = xp1
                xp1 = imgIn[i, j]
                yp2 = yp1
                yp1 = y2[i, j]
        for i in range(w):
            for j in range(h):
                imgOut[i, j] = c1 * (y1[i, j] + y2[i, j])
        for j in range(h):
            tm1 = 0.0
            ym1 = 0.0
            ym2 = 0.0
            for i in range(w):
                y1[i, j] = a5 * imgOut[i, j] + a6 * tm1 + b1 * ym1 + b2 * ym2
                tm1 = imgOut[i, j]
                ym2 = ym1
                ym1 = y1[i, j]
        for j in range(h):
            tp1 = 0.0
            tp2 = 0.0
            yp1 = 0.0
            yp2 = 0.0
            for i in range(w - 1, -1, -1):
                y2[i, j] = a7 * tp1 + a8 * tp2 + b1 * yp1 + b2 * yp2
                tp2 = tp1
                tp1 = imgOut[i, j]
                yp2 = yp1
                yp1 = y2[i, j]
        for i in range(w):
            for j in range(h):
                imgOut[i, j] = c2 * (y1[i, j] + y2[i, j])

    return deriche


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    w, h = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return tuple(rand(rng, (w, h), dtype) for _ in range(4))


def reference(img_in: np.ndarray, img_out: np.ndarray, y1: np.ndarray,
              y2: np.ndarray) -> None:
    """Each pass's recurrence runs along one axis, vectorized over the other."""
    k = coefficients()
    w, h = img_in.shape
    zero = np.zeros(w, np.float32)
    ym1, ym2, xm1 = zero, zero, zero
    for j in range(h):
        y1[:, j] = ((k["a1"] * img_in[:, j] + k["a2"] * xm1) + k["b1"] * ym1) + k["b2"] * ym2
        xm1, ym2, ym1 = img_in[:, j].copy(), ym1, y1[:, j].copy()
    yp1, yp2, xp1, xp2 = zero, zero, zero, zero
    for j in range(h - 1, -1, -1):
        y2[:, j] = ((k["a3"] * xp1 + k["a4"] * xp2) + k["b1"] * yp1) + k["b2"] * yp2
        xp2, xp1, yp2, yp1 = xp1, img_in[:, j].copy(), yp1, y2[:, j].copy()
    img_out[...] = k["c1"] * (y1 + y2)
    zero = np.zeros(h, np.float32)
    tm1, ym1, ym2 = zero, zero, zero
    for i in range(w):
        y1[i, :] = ((k["a5"] * img_out[i, :] + k["a6"] * tm1) + k["b1"] * ym1) + k["b2"] * ym2
        tm1, ym2, ym1 = img_out[i, :].copy(), ym1, y1[i, :].copy()
    tp1, tp2, yp1, yp2 = zero, zero, zero, zero
    for i in range(w - 1, -1, -1):
        y2[i, :] = ((k["a7"] * tp1 + k["a8"] * tp2) + k["b1"] * yp1) + k["b2"] * yp2
        tp2, tp1, yp2, yp1 = tp1, img_out[i, :].copy(), yp1, y2[i, :].copy()
    img_out[...] = k["c2"] * (y1 + y2)
