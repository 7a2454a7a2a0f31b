"""NumPy references of the library kernels, one per template, operation for operation.

Integer results are exact values wrapped to the result type (two's complement), as the
kernels compute them; float results follow the kernels' order of operations in the
result's float type, so they agree with the kernels up to libm and summation rounding
(the tests compare floats with a tolerance, integers exactly).
"""

from __future__ import annotations

import numpy as np

from allo_verify.lang.types import DType, Float, Int
from allo_verify.library.elementwise import GELU_C0, GELU_C1
from allo_verify.library.nn import LAYERNORM_EPS


def _wrap(x: np.ndarray, t: DType) -> np.ndarray:
    """Exact integer values as `t` holds them (wrapped), or floats rounded to `t`."""
    if isinstance(t, Int):
        v = np.asarray(x).astype(object)
        m = 1 << t.bits
        w = [(int(e) % m) for e in v.ravel()]
        if t.signed:
            w = [e - m if e >= m // 2 else e for e in w]
        return np.array(w, dtype=object).reshape(v.shape).astype(t.np_dtype)
    return np.asarray(x).astype(t.np_dtype)


def _exact(a: np.ndarray, t: DType) -> np.ndarray:
    """Operands converted to the result type first (integers as Python ints)."""
    if isinstance(t, Int):
        return _wrap(a, t).astype(object)
    return np.asarray(a).astype(t.np_dtype)


def matmul(a: np.ndarray, b: np.ndarray, t: DType) -> np.ndarray:
    """C = A @ B with both operands converted to `t`."""
    return _wrap(_exact(a, t) @ _exact(b, t), t)


def bmm(a: np.ndarray, b: np.ndarray, t: DType) -> np.ndarray:
    x, y = _exact(a, t), _exact(b, t)
    return _wrap(np.stack([x[i] @ y[i] for i in range(x.shape[0])]), t)


def transpose(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(a).T)


def linear2d(x: np.ndarray, w: np.ndarray, b: np.ndarray, t: DType) -> np.ndarray:
    """X @ W^T + b (torch.nn.Linear)."""
    return _wrap(_exact(x, t) @ _exact(w, t).T + _exact(b, t), t)


def binary(op: str, a: np.ndarray, b: np.ndarray, t: DType) -> np.ndarray:
    """Elementwise `op` computed exactly (integers) or in the float type, then held in `t`.
    Integer `div` truncates toward zero, and a zero divisor gives 0 (the kernel's rule)."""
    if isinstance(t, Float):
        x, y = np.asarray(a).astype(t.np_dtype), np.asarray(b).astype(t.np_dtype)
        with np.errstate(all="ignore"):
            out = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
                   "max": np.maximum, "min": np.minimum}[op](x, y)
        return out.astype(t.np_dtype)
    x, y = np.asarray(a).astype(object), np.asarray(b).astype(object)

    def div(p: int, q: int) -> int:
        if q == 0:
            return 0
        r = abs(p) // abs(q)
        return r if (p >= 0) == (q > 0) else -r

    f = {"add": lambda p, q: p + q, "sub": lambda p, q: p - q, "mul": lambda p, q: p * q,
         "div": div, "max": max, "min": min}[op]
    out = np.array([f(int(p), int(q)) for p, q in zip(x.ravel(), y.ravel(), strict=True)],
                   dtype=object).reshape(x.shape)
    return _wrap(out, t)


def unary(op: str, a: np.ndarray, t: DType) -> np.ndarray:
    """relu / exp / gelu (tanh approximation) / neg of `a` converted to `t`."""
    x = _exact(a, t)
    if op == "relu":
        return _wrap(np.maximum(x, 0), t)
    if op == "neg":
        return _wrap(-x, t)
    with np.errstate(all="ignore"):
        if op == "exp":
            return np.exp(x).astype(t.np_dtype)
        c0, c1 = t.np_dtype.type(GELU_C0), t.np_dtype.type(GELU_C1)
        half, one = t.np_dtype.type(0.5), t.np_dtype.type(1.0)
        return (half * x * (one + np.tanh(c0 * (x + c1 * x * x * x)))).astype(t.np_dtype)


def relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0).astype(np.asarray(a).dtype)


def gelu(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    return unary("gelu", a, Float(a.dtype.itemsize * 8))


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis: exp(x - max) / sum."""
    x = np.asarray(x)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(x.dtype)


def layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
              eps: float = LAYERNORM_EPS) -> np.ndarray:
    """(x - mean) / sqrt(var + eps) * gamma + beta over the last axis (biased variance),
    in the kernel's order and precision: sums left to right in the input's float type, so
    a near-constant row (where the result is dominated by rounding) agrees too."""
    x = np.asarray(x)
    t = x.dtype.type
    d = x.shape[-1]
    total = np.zeros(x.shape[:-1], dtype=x.dtype)
    for j in range(d):
        total = total + x[..., j]
    mean = (total / t(d)).astype(x.dtype)
    sq = np.zeros_like(total)
    for j in range(d):
        diff = x[..., j] - mean
        sq = sq + diff * diff
    inv = (t(1.0) / np.sqrt(sq / t(d) + t(eps))).astype(x.dtype)
    g, b = np.asarray(gamma, dtype=x.dtype), np.asarray(beta, dtype=x.dtype)
    return ((x - mean[..., None]) * inv[..., None] * g + b).astype(x.dtype)


def conv2d(inp: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """NCHW convolution (cross-correlation), stride 1, no padding, plus bias."""
    inp, kernel = np.asarray(inp), np.asarray(kernel)
    b, _, h, w = inp.shape
    co, _, kh, kw = kernel.shape
    out = np.zeros((b, co, h - kh + 1, w - kw + 1), dtype=np.result_type(inp, kernel))
    for y in range(h - kh + 1):
        for x in range(w - kw + 1):
            win = inp[:, :, y:y + kh, x:x + kw]
            out[:, :, y, x] = np.einsum("bchw,ochw->bo", win, kernel)
    return (out + np.asarray(bias)[None, :, None, None]).astype(out.dtype)


def maxpool2d(inp: np.ndarray, k: int) -> np.ndarray:
    """NCHW max pooling, window and stride `k`, no padding (a partial window is dropped)."""
    inp = np.asarray(inp)
    b, c, h, w = inp.shape
    v = inp[:, :, :h // k * k, :w // k * k].reshape(b, c, h // k, k, w // k, k)
    return v.max(axis=(3, 5))
