"""PolyBench fdtd-2d: TMAX steps of the 2-D finite-difference time-domain update of the
fields ex, ey, hz, with the source `_fict_` on the first row of ey. Float only."""

from typing import Any

import numpy as np
from common import rand

from allo_verify import float32

POLYBENCH = "fdtd-2d"
SIZES = {"MINI": {"TMAX": 20, "NX": 20, "NY": 30}, "SMALL": {"TMAX": 40, "NX": 60, "NY": 80},
         "MEDIUM": {"TMAX": 100, "NX": 200, "NY": 240}}
TYPES = (float32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    tmax, nx, ny = SIZES[size].values()
    T = dtype

    def fdtd_2d(ex: T[nx, ny], ey: T[nx, ny], hz: T[nx, ny], fict: T[tmax]):
        for t in range(tmax):
            for j in range(ny):
                ey[0, j] = fict[t]
            for i in range(1, nx):
                for j in range(ny):
                    ey[i, j] = ey[i, j] - 0.5 * (hz[i, j] - hz[i - 1, j])
            for i in range(nx):
                for j in range(1, ny):
                    ex[i, j] = ex[i, j] - 0.5 * (hz[i, j] - hz[i, j - 1])
            for i in range(nx - 1):
                for j in range(ny - 1):
                    hz[i, j] = hz[i, j] - 0.7 * (ex[i, j + 1] - ex[i, j] + ey[i + 1, j]
                                                 - ey[i, j])

    return fdtd_2d


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    tmax, nx, ny = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return (rand(rng, (nx, ny), dtype), rand(rng, (nx, ny), dtype), rand(rng, (nx, ny), dtype),
            rand(rng, (tmax,), dtype))


def reference(ex: np.ndarray, ey: np.ndarray, hz: np.ndarray, fict: np.ndarray) -> None:
    h, s = np.float32(0.5), np.float32(0.7)
    for t in range(fict.shape[0]):
        ey[0, :] = fict[t]
        ey[1:, :] = ey[1:, :] - h * (hz[1:, :] - hz[:-1, :])
        ex[:, 1:] = ex[:, 1:] - h * (hz[:, 1:] - hz[:, :-1])
        hz[:-1, :-1] = hz[:-1, :-1] - s * (((ex[:-1, 1:] - ex[:-1, :-1]) + ey[1:, :-1])
                                           - ey[:-1, :-1])
