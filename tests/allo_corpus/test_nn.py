"""Corpus, nn: neural-network kernels from the library (`allo.softmax`, `allo.layernorm`,
`allo.gelu`, `allo.relu`, `allo.conv2d`, `allo.maxpool2d`, `allo_verify.library.nn`) and
hand-written layers. Transcendental results compare with NumPy within rtol 1e-4 (float32
exp/tanh/sqrt differ from NumPy's float64 in the last bits); the layers agree exactly with
each other (L2, C simulation)."""

import numpy as np

import allo_verify as allo
from allo_verify.ir.types import float32, int32
from allo_verify.library import nn

from .corpus_util import assert_proved, rng

TOL = 1e-4


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_softmax():
    def kernel(X: float32[4, 8]) -> float32[4, 8]:
        return allo.softmax(X)

    s = allo.customize(kernel)
    x = rng().standard_normal((4, 8)).astype(np.float32)
    np.testing.assert_allclose(s.build()(x), _softmax(x), rtol=TOL)
    assert_proved(s, csim=True)


def test_layernorm():
    def kernel(X: float32[4, 8], g: float32[8], b: float32[8]) -> float32[4, 8]:
        return allo.layernorm(X, g, b)

    s = allo.customize(kernel)
    x = rng().standard_normal((4, 8)).astype(np.float32)
    g = rng(1).random(8).astype(np.float32)
    b = rng(2).random(8).astype(np.float32)
    m = x.mean(axis=1, keepdims=True)
    v = ((x - m) ** 2).mean(axis=1, keepdims=True)
    np.testing.assert_allclose(s.build()(x, g, b), (x - m) / np.sqrt(v + 1e-5) * g + b,
                               rtol=TOL, atol=1e-5)
    assert_proved(s)


def test_gelu_and_relu_allo_spellings():
    def kernel(X: float32[4, 8]) -> (float32[4, 8], float32[4, 8]):
        return nn.GeLU[float32, 4, 8](X), nn.relu2d[float32, 4, 8](X)

    s = allo.customize(kernel)
    x = rng().standard_normal((4, 8)).astype(np.float32)
    g, r = s.build()(x)
    want = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    np.testing.assert_allclose(g, want, rtol=TOL, atol=1e-6)
    np.testing.assert_array_equal(r, np.maximum(x, 0))
    assert_proved(s)


def test_conv2d_library():
    def kernel(X: int32[1, 2, 6, 6], W: int32[2, 2, 3, 3], b: int32[2]) -> int32[1, 2, 4, 4]:
        return allo.conv2d(X, W, b)

    s = allo.customize(kernel)
    x = rng().integers(-4, 4, (1, 2, 6, 6)).astype(np.int32)
    w = rng(1).integers(-4, 4, (2, 2, 3, 3)).astype(np.int32)
    b = rng(2).integers(-4, 4, 2).astype(np.int32)
    want = np.zeros((1, 2, 4, 4), dtype=np.int32)
    for co, y, xx in np.ndindex(2, 4, 4):
        want[0, co, y, xx] = b[co] + np.sum(x[0, :, y:y + 3, xx:xx + 3] * w[co])
    np.testing.assert_array_equal(s.build()(x, w, b), want)
    assert_proved(s, csim=True)


def test_maxpool2d_library():
    def kernel(X: float32[1, 2, 8, 8]) -> float32[1, 2, 4, 4]:
        return allo.maxpool2d(X, 2)

    s = allo.customize(kernel)
    x = rng().standard_normal((1, 2, 8, 8)).astype(np.float32)
    want = x.reshape(1, 2, 4, 2, 4, 2).max(axis=(3, 5))
    np.testing.assert_array_equal(s.build()(x), want)
    assert_proved(s)


def test_mlp_layer_written_by_hand():
    def mlp(X: float32[4, 8], W: float32[8, 8], b: float32[8]) -> float32[4, 8]:
        Y: float32[4, 8] = 0.0
        for i, j in allo.grid(4, 8):
            acc: float32 = b[j]
            for k in allo.reduction(8):
                acc += X[i, k] * W[k, j]
            Y[i, j] = max(acc, 0.0)
        return Y

    s = allo.customize(mlp)
    s.pipeline("j")
    x = rng().standard_normal((4, 8)).astype(np.float32)
    w = rng(1).standard_normal((8, 8)).astype(np.float32)
    b = rng(2).standard_normal(8).astype(np.float32)
    np.testing.assert_allclose(s.build()(x, w, b), np.maximum(x @ w + b, 0), rtol=TOL,
                               atol=1e-5)
    assert_proved(s)


def test_attention_scores():
    def attn(Q: float32[4, 8], K: float32[4, 8]) -> float32[4, 4]:
        S = Q @ allo.transpose(K)
        return allo.softmax(S)

    s = allo.customize(attn)
    q = rng().standard_normal((4, 8)).astype(np.float32)
    k = rng(1).standard_normal((4, 8)).astype(np.float32)
    np.testing.assert_allclose(s.build()(q, k), _softmax(q @ k.T), rtol=TOL)
    assert_proved(s)
