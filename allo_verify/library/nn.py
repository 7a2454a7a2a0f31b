"""Neural-network kernels of the library (Allo's `allo.library.nn` names), in the kernel
language as templates: `softmax`, `layernorm` (`layer_norm`), `conv2d`, `maxpool2d`, and the
2-D instances `relu2d` / `gelu` of the elementwise templates; `linear2d` lives in
`linalg.py`.

Laws (each is the NumPy reference of `references.py`, operation for operation):
- softmax over the last axis of `X[N, L]`: `m = max_j X[i, j]` (left to right),
  `E = exp(X - m)`, `s = sum_j E[i, j]` (left to right), `Z = E / s`.
- layernorm over the last axis of `X[L, D]`: `mean = sum_j X / D`,
  `var = sum_j (X - mean)^2 / D` (two passes), `Z = (X - mean) / sqrt(var + eps) * g + b`.
- conv2d (NCHW, stride 1, no padding; `kernel[Cout, Cin, Kh, Kw]`, `bias[Cout]`):
  `Z[b, co, y, x] = bias[co] + sum_{ci, ky, kx} inp[b, ci, y + ky, x + kx] *
  kernel[co, ci, ky, kx]`, summed in that loop order.
- maxpool2d (NCHW, window and stride K, no padding): the maximum of each K x K window.
"""
# ruff: noqa: F821 - template parameters bind only when a template is instantiated

from typing import Any

from allo_verify.lang.dsl import exp, grid, reduction, sqrt
from allo_verify.lang.templates import template
from allo_verify.library.elementwise import unary2d
from allo_verify.library.linalg import linear2d

__all__ = ["GeLU", "conv2d", "gelu", "layer_norm", "layernorm", "linear2d", "maxpool2d",
           "relu2d", "softmax"]

LAYERNORM_EPS = 1e-5


@template("T", "N", "L")
def softmax(X: "T[N, L]") -> "T[N, L]":
    Z: T[N, L] = 0
    E: T[N, L] = 0
    for i in range(N):
        m: T = X[i, 0]
        for j in range(1, L):
            m = max(m, X[i, j])
        s: T = 0
        for j in range(L):
            e: T = exp(X[i, j] - m)
            E[i, j] = e
            s += e
        for j in range(L):
            Z[i, j] = E[i, j] / s
    return Z


def schedule_softmax(s: Any) -> Any:
    """Allo's: the exponent-and-sum loop and the normalization loop pipelined."""
    s.pipeline("j_1")
    s.pipeline("j_2")
    return s


@template("T", "L", "D")
def layernorm(X: "T[L, D]", gamma: "T[D]", beta: "T[D]") -> "T[L, D]":
    Z: T[L, D] = 0
    for i in range(L):
        total: T = 0
        for j in range(D):
            total += X[i, j]
        mean: T = total / D
        sq: T = 0
        for j in range(D):
            d: T = X[i, j] - mean
            sq += d * d
        inv: T = 1.0 / sqrt(sq / D + LAYERNORM_EPS)
        for j in range(D):
            Z[i, j] = (X[i, j] - mean) * inv * gamma[j] + beta[j]
    return Z


def schedule_layernorm(s: Any) -> Any:
    """The two reduction loops and the normalization loop pipelined."""
    s.pipeline("j")
    s.pipeline("j_1")
    s.pipeline("j_2")
    return s


@template("T", "B", "Cin", "Cout", "H", "W", "Kh", "Kw")
def conv2d(inp: "T[B, Cin, H, W]", kernel: "T[Cout, Cin, Kh, Kw]", bias: "T[Cout]"
           ) -> "T[B, Cout, H - Kh + 1, W - Kw + 1]":
    Z: T[B, Cout, H - Kh + 1, W - Kw + 1] = 0
    for b, co, y, x in grid(B, Cout, H - Kh + 1, W - Kw + 1):
        acc: T = bias[co]
        for ci in reduction(Cin):
            for ky in reduction(Kh):
                for kx in reduction(Kw):
                    acc += inp[b, ci, y + ky, x + kx] * kernel[co, ci, ky, kx]
        Z[b, co, y, x] = acc
    return Z


def schedule_conv2d(s: Any) -> Any:
    """The innermost window loop pipelined."""
    s.pipeline("kx")
    return s


@template("T", "B", "C", "H", "W", "K")
def maxpool2d(inp: "T[B, C, H, W]") -> "T[B, C, H // K, W // K]":
    Z: T[B, C, H // K, W // K] = 0
    for b, c, y, x in grid(B, C, H // K, W // K):
        m: T = inp[b, c, y * K, x * K]
        for ky, kx in grid(K, K):
            m = max(m, inp[b, c, y * K + ky, x * K + kx])
        Z[b, c, y, x] = m
    return Z


def schedule_maxpool2d(s: Any) -> Any:
    s.pipeline("kx")
    return s


layer_norm = layernorm  # Allo's spelling


@template("T", "H", "W")
def relu2d(X: "T[H, W]") -> "T[H, W]":
    """Allo's `relu2d[T, H, W]`: the elementwise relu instance at this shape."""
    return unary2d[T, T, 0, H, W](X)


@template("T", "L", "D")
def gelu(X: "T[L, D]") -> "T[L, D]":
    """GELU, tanh approximation (GPT-2's): the elementwise gelu instance at this shape."""
    return unary2d[T, T, 2, L, D](X)


GeLU = gelu  # Allo's spelling
