"""Loops and conditionals against Python: `range` with 1-3 arguments, affine and
triangular bounds, reversed and strided steps, `grid`, `reduction`, `while`,
`if/elif/else`, conditional expressions, `and/or/not`, augmented assignment."""

import math

import numpy as np
import pytest
from lang_util import as_ints, build, carrier, wrap, zeros

from allo_verify import grid, int32, int64, reduction

N = 8


def range_forms(A: int32[N], O: int32[5, N]):
    for i in range(N):
        O[0, i] = A[i]
    for i in range(2, N):
        O[1, i] = A[i] * 2
    for i in range(1, N, 3):
        O[2, i] = A[i] + 100
    for i in range(N - 1, -1, -1):
        O[3, N - 1 - i] = A[i]
    for i in range(N - 2, 0, -2):
        O[4, i] = A[i] - 100


def test_range_one_two_three_arguments_and_negative_steps():
    a = list(range(10, 10 + N))
    o = zeros((5, N), 32, True)
    build(range_forms)(carrier(a, 32, True), o)
    want = np.zeros((5, N), dtype=np.int64)
    for i in range(N):
        want[0, i] = a[i]
    for i in range(2, N):
        want[1, i] = a[i] * 2
    for i in range(1, N, 3):
        want[2, i] = a[i] + 100
    for i in range(N - 1, -1, -1):
        want[3, N - 1 - i] = a[i]
    for i in range(N - 2, 0, -2):
        want[4, i] = a[i] - 100
    np.testing.assert_array_equal(o, want)


def reversed_scan(A: int32[N], B: int32[N]):
    acc: int32 = 0
    for i in range(N - 1, -1, -1):
        acc = acc * 3 + A[i]  # order-dependent: a wrong direction gives another result
        B[i] = acc


def test_reversed_loop_runs_in_reverse_order():
    a = [1, -2, 3, 4, -5, 6, 0, 2]
    b = zeros(N, 32, True)
    build(reversed_scan)(carrier(a, 32, True), b)
    want, acc = [0] * N, 0
    for i in range(N - 1, -1, -1):
        acc = wrap(acc * 3 + a[i], 32, True)
        want[i] = acc
    assert as_ints(b) == want


def triangular(A: int32[N, N]) -> int32[N, N]:
    B: int32[N, N] = 0
    for i in range(N):
        for j in range(i + 1, N):  # strictly upper
            B[i, j] = A[i, j]
        for j in range(i):  # strictly lower
            B[i, j] = -A[i, j]
        for j in range(i, i + 1):  # diagonal
            B[i, j] = 1000
    return B


def test_triangular_and_affine_bounds():
    a = np.arange(N * N, dtype=np.int32).reshape(N, N) + 1
    b = build(triangular)(a)
    want = np.triu(a, 1) - np.tril(a, -1) + 1000 * np.eye(N, dtype=np.int32)
    np.testing.assert_array_equal(b, want)


def grid_reduction(A: int32[N, 4, 3]) -> int32[N]:
    S: int32[N] = 0
    for i in grid(N):
        for j in reduction(4):
            for k in reduction(3):
                S[i] += A[i, j, k] * (j + 1)
    return S


def test_grid_and_nested_reductions():
    a = np.arange(N * 12, dtype=np.int32).reshape(N, 4, 3) - 40
    s = build(grid_reduction)(a)
    np.testing.assert_array_equal(s, (a * np.arange(1, 5).reshape(1, 4, 1)).sum(axis=(1, 2)))


def gcd(a: int32, b: int32) -> int32:
    while b != 0:
        t: int32 = a % b
        a = b
        b = t
    return a


@pytest.mark.parametrize("a,b", [(12, 18), (17, 5), (0, 9), (9, 0), (1071, 462), (2**30, 2**20)])
def test_while_loop_gcd(a, b):
    assert int(build(gcd)(a, b)) == math.gcd(a, b)


def while_sum(A: int32[N]) -> int32:
    i: int32 = 0
    s: int32 = 0
    while i < N and A[i] >= 0:
        s += A[i]
        i += 1
    return s


@pytest.mark.parametrize("a", [[1, 2, 3, 4, 5, 6, 7, 8], [1, 2, -1, 4, 5, 6, 7, 8], [-1] * N])
def test_while_with_data_dependent_exit(a):
    want = 0
    for v in a:
        if v < 0:
            break
        want += v
    assert int(build(while_sum)(carrier(a, 32, True))) == want


def classify(A: int32[N], O: int32[N], P: int32[N]):
    for i in range(N):
        if A[i] < -10:
            O[i] = -2
        elif A[i] < 0:
            O[i] = -1
        elif A[i] == 0:
            O[i] = 0
        else:
            O[i] = 1
        P[i] = A[i] if A[i] > 0 else -A[i] * 2


def test_if_elif_else_and_conditional_expression():
    a = [-100, -10, -1, 0, 1, 50, -11, 3]
    o, p = zeros(N, 32, True), zeros(N, 32, True)
    build(classify)(carrier(a, 32, True), o, p)
    assert as_ints(o) == [-2 if v < -10 else -1 if v < 0 else 0 if v == 0 else 1 for v in a]
    assert as_ints(p) == [v if v > 0 else -v * 2 for v in a]


def logic(A: int32[N], B: int32[N], O: int32[4, N]):
    for i in range(N):
        O[0, i] = A[i] > 0 and B[i] > 0
        O[1, i] = A[i] > 0 or not B[i] > 0
        O[2, i] = not A[i]
        if A[i] and (B[i] < 0 or A[i] > B[i]):
            O[3, i] = 1
        else:
            O[3, i] = 0


def test_and_or_not():
    a = [0, 1, -1, 5, 0, 3, -7, 2]
    b = [0, 0, 1, -5, 4, 3, 8, 1]
    o = zeros((4, N), 32, True)
    build(logic)(carrier(a, 32, True), carrier(b, 32, True), o)
    got = np.asarray(o)
    assert list(got[0]) == [int(x > 0 and y > 0) for x, y in zip(a, b, strict=True)]
    assert list(got[1]) == [int(x > 0 or not y > 0) for x, y in zip(a, b, strict=True)]
    assert list(got[2]) == [int(not x) for x in a]
    assert list(got[3]) == [int(bool(x) and (y < 0 or x > y)) for x, y in zip(a, b, strict=True)]


def augmented(a: int32, b: int32, O: int64[10]):
    x: int32 = a
    x += b
    O[0] = x
    x -= 3 * b
    O[1] = x
    x *= b
    O[2] = x
    x //= 7
    O[3] = x
    x %= 5
    O[4] = x
    x = a
    x &= b
    O[5] = x
    x |= 0x100
    O[6] = x
    x ^= b
    O[7] = x
    x <<= 3
    O[8] = x
    x >>= 2
    O[9] = x


@pytest.mark.parametrize("a,b", [(100, 7), (-100, 7), (2**31 - 1, 2), (-(2**31), -3), (5, -9)])
def test_augmented_assignment(a, b):
    o = zeros(10, 64, True)
    build(augmented)(a, b, o)

    def w(v: int) -> int:
        return wrap(v, 32, True)

    want = []
    x = w(a + b)
    want.append(x)
    x = w(x - 3 * b)
    want.append(x)
    x = w(x * b)
    want.append(x)
    x = w(x // 7)
    want.append(x)
    x = w(x % 5)
    want.append(x)
    x = a & b
    want.append(x)
    x = x | 0x100
    want.append(x)
    x = x ^ b
    want.append(x)
    x = w(x << 3)
    want.append(x)
    x = x >> 2
    want.append(x)
    assert as_ints(o) == want


def loop_index_as_data(O: int64[N, N]):
    for i, j in grid(N, N):
        O[i, j] = i * 10 - j


def test_loop_variables_as_data():
    o = zeros((N, N), 64, True)
    build(loop_index_as_data)(o)
    i, j = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
    np.testing.assert_array_equal(o, i * 10 - j)
