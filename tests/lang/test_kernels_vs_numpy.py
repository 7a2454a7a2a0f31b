"""Real kernels against NumPy: GEMM (int32, float32), 2D convolution, jacobi-2d, trmm
(triangular loop bounds), a lower-triangular solve in float64, row softmax in float32, and
an int8 matmul that accumulates in int32 at extreme values."""

import numpy as np
import pytest
from lang_util import build

import allo_verify as av
from allo_verify import float32, float64, grid, int8, int32, reduction

M, N = 4, 4


def gemm(A: int32[M, N], B: int32[N, M]) -> int32[M, M]:
    C: int32[M, M] = 0
    for i, j in grid(M, M):
        for k in reduction(N):
            C[i, j] += A[i, k] * B[k, j]
    return C


def test_gemm_int32_as_in_the_readme():
    rng = np.random.default_rng(0)
    a = rng.integers(-1000, 1000, (M, N), dtype=np.int32)
    b = rng.integers(-1000, 1000, (N, M), dtype=np.int32)
    s = av.customize(gemm)
    f = s.build()
    c = f(a, b)
    assert isinstance(c, np.ndarray) and c.dtype == np.int32 and c.shape == (M, M)
    np.testing.assert_array_equal(c, a @ b)


def test_gemm_int32_wraps_like_numpy_int32():
    a = np.full((M, N), 2**20, dtype=np.int32)
    b = np.full((N, M), 2**12 + 1, dtype=np.int32)
    c = build(gemm)(a, b)
    np.testing.assert_array_equal(c, a @ b)  # NumPy int32 matmul wraps as well


P, Q, R = 16, 24, 8


def gemm_f32(A: float32[P, Q], B: float32[Q, R]) -> float32[P, R]:
    C: float32[P, R] = 0.0
    for i, j in grid(P, R):
        for k in reduction(Q):
            C[i, j] += A[i, k] * B[k, j]
    return C


def test_gemm_float32():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(P, Q)).astype(np.float32)
    b = rng.normal(size=(Q, R)).astype(np.float32)
    c = build(gemm_f32)(a, b)
    assert c.dtype == np.float32
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)
    # the kernel adds in k order, in float32: exactly the sequential sum
    ref = np.zeros((P, R), np.float32)
    for k in range(Q):
        ref += np.outer(a[:, k], b[k, :]).astype(np.float32)
    np.testing.assert_array_equal(c, ref)


H, W, KH, KW = 10, 9, 3, 3
OH, OW = H - KH + 1, W - KW + 1


def conv2d(X: int32[H, W], K: int32[KH, KW]) -> int32[OH, OW]:
    Y: int32[OH, OW] = 0
    for y, x in grid(OH, OW):
        for r in reduction(KH):
            for c in reduction(KW):
                Y[y, x] += X[y + r, x + c] * K[r, c]
    return Y


def test_conv2d():
    rng = np.random.default_rng(2)
    x = rng.integers(-50, 50, (H, W), dtype=np.int32)
    k = rng.integers(-5, 5, (KH, KW), dtype=np.int32)
    y = build(conv2d)(x, k)
    win = np.lib.stride_tricks.sliding_window_view(x, (KH, KW))
    np.testing.assert_array_equal(y, np.einsum("yxrc,rc->yx", win, k))


S = 12


def jacobi2d(A: float32[S, S], B: float32[S, S]):
    for i, j in grid(S - 2, S - 2):
        B[i + 1, j + 1] = 0.2 * (
            A[i + 1, j + 1] + A[i, j + 1] + A[i + 2, j + 1] + A[i + 1, j] + A[i + 1, j + 2]
        )


def test_jacobi2d_writes_interior_in_place():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(S, S)).astype(np.float32)
    b = np.full((S, S), -7.0, dtype=np.float32)
    assert build(jacobi2d)(a, b) is None
    want = np.full((S, S), -7.0, dtype=np.float32)
    c = a[1:-1, 1:-1]
    want[1:-1, 1:-1] = np.float32(0.2) * (c + a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2]
                                          + a[1:-1, 2:])
    np.testing.assert_array_equal(b, want)


T = 8


def trmm(A: int32[T, T], B: int32[T, T], alpha: int32):
    # PolyBench trmm: B := alpha * A^T B, A unit lower triangular
    for i, j in grid(T, T):
        for k in range(i + 1, T):
            B[i, j] += A[k, i] * B[k, j]
        B[i, j] = alpha * B[i, j]


def test_trmm_triangular_bounds():
    rng = np.random.default_rng(4)
    a = rng.integers(-9, 9, (T, T), dtype=np.int32)
    b = rng.integers(-9, 9, (T, T), dtype=np.int32)
    want = b.astype(np.int64).copy()
    for i in range(T):
        for j in range(T):
            for k in range(i + 1, T):
                want[i, j] += a[k, i] * want[k, j]
            want[i, j] *= 3
    got = b.copy()
    build(trmm)(a, got, 3)
    np.testing.assert_array_equal(got, want.astype(np.int32))
    # the same thing written with NumPy: strictly lower part of A, transposed, plus identity
    np.testing.assert_array_equal(got, 3 * ((np.tril(a, -1).T + np.eye(T, dtype=np.int32)) @ b))


L = 10


def lower_solve(Lm: float64[L, L], b: float64[L]) -> float64[L]:
    x: float64[L] = 0.0
    for i in range(L):
        s: float64 = b[i]
        for j in range(i):
            s -= Lm[i, j] * x[j]
        x[i] = s / Lm[i, i]
    return x


def test_lower_triangular_solve_float64():
    rng = np.random.default_rng(5)
    lm = np.tril(rng.normal(size=(L, L))) + 4 * np.eye(L)
    b = rng.normal(size=L)
    x = build(lower_solve)(lm, b)
    assert x.dtype == np.float64
    np.testing.assert_allclose(lm @ x, b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x, np.linalg.solve(lm, b), rtol=1e-10)


RS, CS = 6, 20


def softmax(X: float32[RS, CS]) -> float32[RS, CS]:
    Y: float32[RS, CS] = 0.0
    for i in range(RS):
        m: float32 = X[i, 0]
        for j in range(1, CS):
            m = max(m, X[i, j])
        total: float32 = 0.0
        for j in range(CS):
            Y[i, j] = av.exp(X[i, j] - m)
            total += Y[i, j]
        for j in range(CS):
            Y[i, j] = Y[i, j] / total
    return Y


def test_row_softmax_float32():
    rng = np.random.default_rng(6)
    x = rng.normal(0, 3, (RS, CS)).astype(np.float32)
    x[0, 3] = 80.0  # exp without the max subtraction would overflow float32
    x[1, :] = -100.0
    y = build(softmax)(x)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    want = e / e.sum(axis=1, keepdims=True)
    assert y.dtype == np.float32
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-5)


MQ, KQ = 4, 32


def matmul_i8(A: int8[MQ, KQ], B: int8[KQ, MQ]) -> int32[MQ, MQ]:
    C: int32[MQ, MQ] = 0
    for i, j in grid(MQ, MQ):
        for k in reduction(KQ):
            C[i, j] += A[i, k] * B[k, j]
    return C


@pytest.mark.parametrize("va,vb", [(-128, -128), (127, 127), (-128, 127)])
def test_int8_matmul_accumulates_in_int32(va, vb):
    a = np.full((MQ, KQ), va, dtype=np.int8)
    b = np.full((KQ, MQ), vb, dtype=np.int8)
    c = build(matmul_i8)(a, b)
    want = a.astype(np.int32) @ b.astype(np.int32)
    assert abs(int(want[0, 0])) > 2**15  # int8 or int16 accumulation would overflow
    np.testing.assert_array_equal(c, want)


def test_int8_matmul_random_extremes():
    rng = np.random.default_rng(7)
    a = rng.choice(np.array([-128, 127, -1, 0, 1], dtype=np.int8), size=(MQ, KQ))
    b = rng.choice(np.array([-128, 127, -127], dtype=np.int8), size=(KQ, MQ))
    c = build(matmul_i8)(a, b)
    np.testing.assert_array_equal(c, a.astype(np.int32) @ b.astype(np.int32))
