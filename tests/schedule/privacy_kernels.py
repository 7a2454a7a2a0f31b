"""Kernels for the privatization tests: scalars that are private to a loop, and variants
that carry a value across iterations or out of the loop (defined in a file so their source
is readable)."""

from allo_verify import float32, grid, int32

M, N, P = 5, 4, 3


def swap_through_two(A: int32[M, N], B: int32[M, N]):
    # u reads v's value from the previous iteration (a swap through two scalars): carried.
    u: int32 = 0
    v: int32 = 0
    for i in range(M):
        for j in range(N):
            u, v = v, A[i, j]
            B[i, j] = u


def tuple_both_fresh(A: int32[M, N], B: int32[M, N]):
    # Both scalars are stored (from the arrays) before they are read: private to i and j.
    u: int32 = 0
    v: int32 = 0
    for i in range(M):
        for j in range(N):
            u, v = A[i, j], A[i, j] + 1
            B[i, j] = u * v


def live_out_by_return(A: int32[M, N]) -> int32:
    t: int32 = 0
    for i in range(M):
        for j in range(N):
            t = A[i, j] * 2
            A[i, j] = t + 1
    return t


def dead_after_reset(A: int32[M, N]) -> int32:
    t: int32 = 0
    for i in range(M):
        for j in range(N):
            t = A[i, j] * 2
            A[i, j] = t + 1
    t = 7
    return t


def live_out_by_second_nest(A: int32[M, N], B: int32[N]):
    t: int32 = 0
    for i in range(M):
        for j in range(N):
            t = A[i, j] + i
            A[i, j] = t * 3
    for k in range(N):
        B[k] = t + k


def second_nest_redeclares(A: int32[M, N], B: int32[M, N]):
    for i in range(M):
        for j in range(N):
            acc: int32 = A[i, j] + 1
            A[i, j] = acc * acc
    for i in range(M):
        for j in range(N):
            acc: int32 = B[i, j] - A[i, j]
            B[i, j] = acc + acc


def inner_loop_last_value(A: int32[M, P], C: int32[M, N]):
    # t is stored in every iteration of k and read after the k loop: it is private to j
    # (each (i, j) iteration stores it before reading it) but live out of k.
    t: int32 = 0
    for i in range(M):
        for j in range(N):
            for k in range(P):
                t = A[i, k] + j
            C[i, j] = t


def clamp_with_if(A: int32[M, N]) -> int32[M, N]:
    out: int32[M, N] = 0
    for j in range(N):
        for i in range(M):
            c: int32 = A[i, j] * 3
            if c > 20:
                c = 20
            elif c < -20:
                c = -20
            out[i, j] = c
    return out


def halve_while(A: int32[M, N]) -> int32[M, N]:
    out: int32[M, N] = 0
    for i in range(M):
        for j in range(N):
            x: int32 = A[i, j]
            n: int32 = 0
            while x > 1:
                x = x // 2
                n = n + 1
            out[i, j] = n
    return out


def bit_fields(A: int32[M, N]) -> int32[M, N]:
    out: int32[M, N] = 0
    for i, j in grid(M, N):
        w: int32 = A[i, j] + j
        out[i, j] = w[1:4] + w[0]
    return out


def predeclared_temp(A: float32[M, N], B: float32[N, N]) -> float32[M, N]:
    # Like PolyBench's symm: temp2 is declared once, before the loops, and every (i, j)
    # iteration overwrites it before reading it.
    temp2: float32 = 0.0
    out: float32[M, N] = 0.0
    for i in range(M):
        for j in range(N):
            temp2 = 0.0
            for k in range(j + 1):
                temp2 += A[i, k] * B[k, j]
            out[i, j] = temp2 * 2.0 + A[i, j]
    return out


def predeclared_partly_reset(A: int32[M, N]) -> int32[M, N]:
    # temp is reset only when j > 0: the j == 0 iterations read the previous row's value.
    temp: int32 = 0
    out: int32[M, N] = 0
    for i in range(M):
        for j in range(N):
            if j > 0:
                temp = 0
            temp += A[i, j]
            out[i, j] = temp
    return out


def double(X: int32[N]) -> int32[N]:
    Y: int32[N] = 0
    for q in range(N):
        Y[q] = X[q] * 2
    return Y


def two_call_results(a: int32[N], b: int32[N]) -> int32[N]:
    Pa = double(a)
    Qb = double(b)
    for i in range(N):
        for j in range(N):
            Pa[i] = Pa[i] + Qb[j] * (j + 1)
    return Pa


def one_call_result_conflict(a: int32[N], b: int32[N]) -> int32[N]:
    # Reads and writes the same call result across iterations: reorder(j, i) is illegal.
    Pa = double(a)
    Qb = double(b)
    for i in range(N):
        for j in range(N):
            Pa[i] = Pa[i] + Pa[j] * Qb[j]
    return Pa


# The same kernels with one loop run backwards: what a parallel loop may do. A legal
# `parallel` means any order of its iterations gives the same result.

def swap_through_two_rev(A: int32[M, N], B: int32[M, N]):
    u: int32 = 0
    v: int32 = 0
    for i in range(M):
        for j in range(N - 1, -1, -1):
            u, v = v, A[i, j]
            B[i, j] = u


def live_out_by_return_rev(A: int32[M, N]) -> int32:
    t: int32 = 0
    for i in range(M):
        for j in range(N - 1, -1, -1):
            t = A[i, j] * 2
            A[i, j] = t + 1
    return t


def inner_loop_last_value_rev(A: int32[M, P], C: int32[M, N]):
    t: int32 = 0
    for i in range(M):
        for j in range(N):
            for k in range(P - 1, -1, -1):
                t = A[i, k] + j
            C[i, j] = t


def tuple_both_fresh_rev(A: int32[M, N], B: int32[M, N]):
    u: int32 = 0
    v: int32 = 0
    for i in range(M):
        for j in range(N - 1, -1, -1):
            u, v = A[i, j], A[i, j] + 1
            B[i, j] = u * v


def predeclared_temp_rev(A: float32[M, N], B: float32[N, N]) -> float32[M, N]:
    temp2: float32 = 0.0
    out: float32[M, N] = 0.0
    for i in range(M - 1, -1, -1):
        for j in range(N):
            temp2 = 0.0
            for k in range(j + 1):
                temp2 += A[i, k] * B[k, j]
            out[i, j] = temp2 * 2.0 + A[i, j]
    return out


def while_carries(A: int32[M, N], out: int32[M, N]):
    # x is not reset: each while loop continues from the previous iteration's value.
    x: int32 = 0
    for i in range(M):
        for j in range(N):
            while x < A[i, j]:
                x = x + 3
            out[i, j] = x


def stored_in_one_branch(A: int32[M, N], out: int32[M, N]):
    # t keeps the last positive value seen: stored only when the condition holds.
    t: int32 = 0
    for i in range(M):
        for j in range(N):
            if A[i, j] > 0:
                t = A[i, j]
            out[i, j] = t - j


def stored_in_both_branches(A: int32[M, N], out: int32[M, N]):
    t: int32 = 0
    for i in range(M):
        for j in range(N):
            if A[i, j] > 0:
                t = A[i, j]
            else:
                t = 0 - A[i, j]
            out[i, j] = t * 2


def zero_trip_first(A: int32[M], out: int32[M]):
    # the inner loop runs no iteration when i == 0: t then holds the previous row's value.
    t: int32 = 5
    for i in range(M):
        for k in range(i):
            t = A[k] + i
        out[i] = t


SM, SN = 4, 3


def symm(alpha: float32, beta: float32, C: float32[SM, SN], A: float32[SM, SM],
         B: float32[SM, SN]):
    # PolyBench symm, as its C source declares temp2: once, before the loops.
    temp2: float32 = 0.0
    for i in range(SM):
        for j in range(SN):
            temp2 = 0.0
            for k in range(i):
                C[k, j] += alpha * B[i, j] * A[i, k]
                temp2 += B[k, j] * A[i, k]
            C[i, j] = beta * C[i, j] + alpha * B[i, j] * A[i, i] + alpha * temp2


def nests_share_a_scalar(A: int32[M, N], C: int32[M, N]):
    # Producer and consumer nests reuse one scalar name (one buffer), each iteration
    # storing it before reading it.
    B: int32[M, N] = 0
    for i in range(M):
        for j in range(N):
            s: int32 = A[i, j] * 2
            B[i, j] = s + 1
    for i in range(M):
        for j in range(N):
            s = B[i, j] - 3
            C[i, j] = s * s + j


def consumer_reads_producers_scalar(A: int32[M, N], C: int32[M, N]):
    # The consumer reads the scalar the producer nest left: it is live out of the producer.
    B: int32[M, N] = 0
    for i in range(M):
        for j in range(N):
            s: int32 = A[i, j] * 2
            B[i, j] = s + 1
    for i in range(M):
        for j in range(N):
            C[i, j] = B[i, j] + s


def moved_read_before(B: int32[2]):
    t: int32 = 0
    for a in range(2):  # noqa: B007 - the loop names are matched by the test
        t = 1
    for x in range(2):
        t = 5
        B[x] = t


def moved_read_after(B: int32[2]):
    # A broken rewrite of `moved_read_before`: the read moved from x's nest into a's, after
    # the store of 1. Each store is private to a loop on each side, but the groups differ.
    t: int32 = 0
    for x in range(2):  # noqa: B007
        t = 5
    for a in range(2):
        t = 1
        B[a] = t


def fresh_twice(A: int32[M, N], B: int32[M, N], C: int32[M, N]):
    # s starts afresh twice in each iteration: two independent values.
    s: int32 = 0
    for i in range(M):
        for j in range(N):
            s = A[i, j]
            B[i, j] = s + 1
            s = A[i, j] * 3
            C[i, j] = s


def fresh_twice_broken(A: int32[M, N], B: int32[M, N], C: int32[M, N]):
    # A broken rewrite of `fresh_twice`: B's read of s moved past the second store.
    s: int32 = 0
    for i in range(M):
        for j in range(N):
            s = A[i, j]
            s = A[i, j] * 3
            B[i, j] = s + 1
            C[i, j] = s
