"""PolyBench durbin: Levinson-Durbin recursion solving a Toeplitz system. Float only.

The autocorrelation input decays (|r[k]| < 1/(k+2)), which keeps beta away from 0 as
PolyBench's own initialisation does.
"""

from typing import Any

import numpy as np

from allo_verify import float32

POLYBENCH = "durbin"
SIZES = {"MINI": {"N": 40}, "SMALL": {"N": 120}, "MEDIUM": {"N": 400}}
TYPES = (float32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    (n,) = SIZES[size].values()
    T = dtype

    def durbin(r: T[n], y: T[n]):
        z: T[n] = 0.0
        y[0] = -r[0]
        beta: T = 1.0
        alpha: T = -r[0]
        for k in range(1, n):
            beta = (1.0 - alpha * alpha) * beta
            s: T = 0.0
            for i in range(k):
                s += r[k - i - 1] * y[i]
            alpha = -(r[k] + s) / beta
            for i in range(k):
                z[i] = y[i] + alpha * y[k - i - 1]
            for i in range(k):
                y[i] = z[i]
            y[k] = alpha

    return durbin


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    (n,) = SIZES[size].values()
    rng = np.random.default_rng(seed)
    r = (rng.uniform(-1, 1, n) / (np.arange(n) + 2)).astype(np.float32)
    return r, np.zeros(n, np.float32)


def reference(r: np.ndarray, y: np.ndarray) -> None:
    f32 = np.float32
    n = r.shape[0]
    y[0] = -r[0]
    beta, alpha = f32(1.0), -r[0]
    for k in range(1, n):
        beta = (f32(1.0) - alpha * alpha) * beta
        s = f32(0.0)
        for i in range(k):
            s = s + r[k - i - 1] * y[i]
        alpha = -(r[k] + s) / beta
        y[:k] = y[:k] + alpha * y[k - 1::-1]
        y[k] = alpha
