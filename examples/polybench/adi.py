"""PolyBench adi: alternating direction implicit solver of 2-D heat diffusion, TSTEPS
steps of a column sweep then a row sweep (tridiagonal solves). Float only.

PolyBench computes its coefficients (DX = 1/N, DT = 1/TSTEPS, mul1 = 2 DT / DX^2, a, b, c,
d, e, f, 1 + 2d, 1 + 2a) inside the kernel in the data type; here they are computed the
same way in float32 when the kernel is built and enter it as constants."""

from typing import Any

import numpy as np
from common import rand

from allo_verify import float32

POLYBENCH = "adi"
SIZES = {"MINI": {"TSTEPS": 20, "N": 20}, "SMALL": {"TSTEPS": 40, "N": 60},
         "MEDIUM": {"TSTEPS": 100, "N": 200}}
TYPES = (float32,)
TOLERANCE = None


def coefficients(n: int, tsteps: int) -> dict[str, np.float32]:
    """PolyBench's coefficients, each operation rounded to float32."""
    f = np.float32
    dx, dy, dt = f(1.0) / f(n), f(1.0) / f(n), f(1.0) / f(tsteps)
    b1, b2 = f(2.0), f(1.0)
    mul1 = b1 * dt / (dx * dx)
    mul2 = b2 * dt / (dy * dy)
    a, b = -mul1 / f(2.0), f(1.0) + mul1
    d, e = -mul2 / f(2.0), f(1.0) + mul2
    c, ff = a, d
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": ff, "nc": -c, "nf": -ff,
            "nd": -d, "na": -a, "d2": f(1.0) + f(2.0) * d, "a2": f(1.0) + f(2.0) * a}


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    tsteps, n = SIZES[size].values()
    k = {key: float(v) for key, v in coefficients(n, tsteps).items()}
    a, b, c, d, e, f = k["a"], k["b"], k["c"], k["d"], k["e"], k["f"]
    nc, nf, nd, na, d2, a2 = k["nc"], k["nf"], k["nd"], k["na"], k["d2"], k["a2"]
    T = dtype

    def adi(u: T[n, n], v: T[n, n], p: T[n, n], q: T[n, n]):
        for t in range(1, tsteps + 1):  # noqa: B007 - the time loop
            for i in range(1, n - 1):
                v[0, i] = 1.0
                p[i, 0] = 0.0
                q[i, 0] = v[0, i]
                for j in range(1, n - 1):
                    p[i, j] = nc / (a * p[i, j - 1] + b)
                    q[i, j] = ((nd * u[j, i - 1] + d2 * u[j, i] - f * u[j, i + 1]
                                - a * q[i, j - 1]) / (a * p[i, j - 1] + b))
                v[n - 1, i] = 1.0
                for j in range(n - 2, 0, -1):
                    v[j, i] = p[i, j] * v[j + 1, i] + q[i, j]
            for i in range(1, n - 1):
                u[i, 0] = 1.0
                p[i, 0] = 0.0
                q[i, 0] = u[i, 0]
                for j in range(1, n - 1):
                    p[i, j] = nf / (d * p[i, j - 1] + e)
                    q[i, j] = ((na * v[i - 1, j] + a2 * v[i, j] - c * v[i + 1, j]
                                - d * q[i, j - 1]) / (d * p[i, j - 1] + e))
                u[i, n - 1] = 1.0
                for j in range(n - 2, 0, -1):
                    u[i, j] = p[i, j] * u[i, j + 1] + q[i, j]

    return adi


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    tsteps, n = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return tuple(rand(rng, (n, n), dtype) for _ in range(4))


def reference(u: np.ndarray, v: np.ndarray, p: np.ndarray, q: np.ndarray) -> None:
    """Each sweep's rows are independent: the recurrences run over j, vectorized over i."""
    n = u.shape[0]
    tsteps = next(s["TSTEPS"] for s in SIZES.values() if s["N"] == n)
    k = coefficients(n, tsteps)
    a, b, c, d, e, f = k["a"], k["b"], k["c"], k["d"], k["e"], k["f"]
    r = slice(1, n - 1)
    for _ in range(tsteps):
        v[0, r] = 1.0
        p[r, 0] = 0.0
        q[r, 0] = v[0, r]
        for j in range(1, n - 1):
            den = a * p[r, j - 1] + b
            p[r, j] = k["nc"] / den
            q[r, j] = ((((k["nd"] * u[j, :-2] + k["d2"] * u[j, r]) - f * u[j, 2:])
                        - a * q[r, j - 1]) / den)
        v[n - 1, r] = 1.0
        for j in range(n - 2, 0, -1):
            v[j, r] = p[r, j] * v[j + 1, r] + q[r, j]
        u[r, 0] = 1.0
        p[r, 0] = 0.0
        q[r, 0] = u[r, 0]
        for j in range(1, n - 1):
            den = d * p[r, j - 1] + e
            p[r, j] = k["nf"] / den
            q[r, j] = ((((k["na"] * v[:-2, j] + k["a2"] * v[r, j]) - c * v[2:, j])
                        - d * q[r, j - 1]) / den)
        u[r, n - 1] = 1.0
        for j in range(n - 2, 0, -1):
            u[r, j] = p[r, j] * u[r, j + 1] + q[r, j]
