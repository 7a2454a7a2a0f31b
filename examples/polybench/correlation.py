"""PolyBench correlation: the correlation matrix of the columns of `data` (float_n = N,
eps = 0.1). Float only (it takes square roots).

`sqrt(float_n)` is a constant of the kernel, rounded to float32 as C's `sqrtf` rounds it.

    allo-verify verify examples/polybench/correlation.py   # Allo's schedule, MEDIUM size
"""

from typing import Any

import numpy as np
from common import design_size, rand

import allo_verify as av
from allo_verify import float32, sqrt

POLYBENCH = "correlation"
SIZES = {"MINI": {"M": 28, "N": 32}, "SMALL": {"M": 80, "N": 100},
         "MEDIUM": {"M": 240, "N": 260}}
TYPES = (float32,)
TOLERANCE = None
EPS = 0.1


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    m, n = SIZES[size].values()
    float_n = float(n)
    sqrt_n = float(np.sqrt(np.float32(n)))
    eps = EPS
    T = dtype

    def correlation(data: T[n, m], corr: T[m, m], mean: T[m], stddev: T[m]):
        for j in range(m):
            mean[j] = 0.0
            for i in range(n):
                mean[j] += data[i, j]
            mean[j] /= float_n
        for j in range(m):
            stddev[j] = 0.0
            for i in range(n):
                stddev[j] += (data[i, j] - mean[j]) * (data[i, j] - mean[j])
            stddev[j] /= float_n
            stddev[j] = sqrt(stddev[j])
            stddev[j] = 1.0 if stddev[j] <= eps else stddev[j]
        for i in range(n):
            for j in range(m):
                data[i, j] -= mean[j]
                data[i, j] /= sqrt_n * stddev[j]
        for i in range(m - 1):
            corr[i, i] = 1.0
            for j in range(i + 1, m):
                corr[i, j] = 0.0
                for k in range(n):
                    corr[i, j] += data[k, i] * data[k, j]
                corr[j, i] = corr[i, j]
        corr[m - 1, m - 1] = 1.0

    return correlation


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    m, n = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return (rand(rng, (n, m), dtype), rand(rng, (m, m), dtype), rand(rng, (m,), dtype),
            rand(rng, (m,), dtype))


def reference(data: np.ndarray, corr: np.ndarray, mean: np.ndarray,
              stddev: np.ndarray) -> None:
    n, m = data.shape
    f32 = np.float32
    mean[:] = 0
    for i in range(n):
        mean += data[i, :]
    mean /= f32(n)
    stddev[:] = 0
    for i in range(n):
        stddev += (data[i, :] - mean) * (data[i, :] - mean)
    stddev /= f32(n)
    stddev[:] = np.sqrt(stddev)
    stddev[stddev <= f32(EPS)] = f32(1.0)
    data -= mean
    data /= np.sqrt(f32(n)) * stddev
    full = np.zeros((m, m), np.float32)
    for k in range(n):
        full += data[k, :, None] * data[k, None, :]
    upper = np.triu(np.ones((m, m), bool), 1)
    corr[upper] = full[upper]
    corr[upper.T] = full.T[upper.T]
    corr[np.arange(m), np.arange(m)] = 1.0


def schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's correlation design: in every stage the loop over columns is pipelined at
    II=1, which unrolls the sweep down a column (the mean, the deviation, and each
    correlation's dot product of two columns summed along it), so data is completely
    partitioned along its rows and the statistics and corr along the pipelined loop's cells;
    the normalisation's row sweep pipelined."""
    s = av.customize(kernel(size))
    s.pipeline("j")
    s.pipeline("j_1")
    s.pipeline("j_2")
    s.pipeline("j_3")
    s.partition(s.data, av.Partition.Complete, dim=1)
    s.partition(s.mean, av.Partition.Complete, dim=1)
    s.partition(s.stddev, av.Partition.Complete, dim=1)
    s.partition(s.corr, av.Partition.Complete, dim=2)
    return s


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        return {"correlation": schedule(design_size())}
    raise AttributeError(name)
