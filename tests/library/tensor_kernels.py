"""Kernels using tensor-level operators, for tests/library/test_tensor_ops.py."""

import allo_verify as av
from allo_verify import exp, float32, int8, int16, int32
from allo_verify.library import linear2d, nn


def mm_int8(A: int8[4, 3], B: int8[3, 5]) -> int32[4, 5]:
    C: int32[4, 5] = A @ B
    return C


def mm_named(A: float32[4, 3], B: float32[3, 5]) -> float32[4, 5]:
    return av.matmul(A, B)


def mm_into_declared(A: int8[2, 3], B: int8[3, 2]) -> int16[2, 2]:
    C: int16[2, 2] = 0
    C = A @ B
    return C


def elementwise(A: float32[3, 4], B: float32[3, 4]) -> float32[3, 4]:
    return (A + B) * A - B / (exp(A) + B * B + exp(B))


def mixed_ints(A: int8[3, 4], B: int16[3, 4]) -> int32[3, 4]:
    C: int32[3, 4] = A * B
    return C


def negate_and_relu(A: int8[5]) -> int16[5]:
    C: int16[5] = -A
    return av.relu(C)


def batched(A: float32[2, 3, 4], B: float32[2, 4, 2]) -> float32[2, 3, 2]:
    return A @ B


def layer(X: float32[4, 6], W: float32[5, 6], b: float32[5]) -> (float32[4, 5], float32[4, 5]):
    Y = av.linear(X, W, b)
    Z = linear2d[float32, 4, 5, 6](X, W, b)
    return Y, Z


def transposed_square(A: int32[3, 5]) -> int32[3, 3]:
    return A @ av.transpose(A)


def elementwise_max(A: int8[4], B: int8[4]) -> int8[4]:
    return max(A, B)


def square(X: float32[3, 3]) -> float32[3, 3]:
    return X * X


def with_scalars(A: float32[3, 4], B: int8[5], n: int32
                 ) -> (float32[3, 4], int8[5], int32[5]):
    X = A * 2.0 - 1.0
    Y = 3 - B
    Z: int32[5] = B * n
    return 0.5 / (X + A), Y, Z


def allo_spellings(X: float32[4, 6], g: float32[6], b: float32[6]) -> (float32[4, 6],
                                                                        float32[4, 6]):
    from_ln = nn.layer_norm[float32, 4, 6](X, g, b)
    return nn.relu2d[float32, 4, 6](from_ln), nn.GeLU[float32, 4, 6](X)


def returns_wider(A: int8[2, 3], B: int8[3, 2]) -> (int32[2, 2], int8[2, 2]):
    return A @ B, A @ B
