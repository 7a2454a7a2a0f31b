"""Elementwise kernels of the library (ranks 1 to 4), in the kernel language as templates.

One binary template per rank computes `Z = A op B` for op = add, sub, mul, div, max, min
(the template argument `OP`, an index into `BINARY_OPS`; the `if` on it is decided when the
template is built, so each instance holds one operation). Each cell is computed with the
kernel language's typing rules (`typing_rules.py`) and converted to the result type `TC`.
One unary template per rank computes relu, exp, gelu (tanh approximation, as GPT-2) or
negation (`UNARY_OPS`). Law: cell `Z[idx]` depends only on the operands' cells `[idx]`.
"""
# ruff: noqa: F821 - template parameters bind only when a template is instantiated

from typing import Any

from allo_verify.lang.dsl import exp, grid, tanh
from allo_verify.lang.templates import template

BINARY_OPS = ("add", "sub", "mul", "div", "max", "min")
UNARY_OPS = ("relu", "exp", "gelu", "neg")

GELU_C0 = 0.7978845608028654  # sqrt(2 / pi)
GELU_C1 = 0.044715


@template("TA", "TB", "TC", "OP", "D0")
def binary1d(A: "TA[D0]", B: "TB[D0]") -> "TC[D0]":
    Z: TC[D0] = 0
    for i in range(D0):
        if OP == 0:
            Z[i] = A[i] + B[i]
        elif OP == 1:
            Z[i] = A[i] - B[i]
        elif OP == 2:
            Z[i] = A[i] * B[i]
        elif OP == 3:
            Z[i] = A[i] / B[i]
        elif OP == 4:
            Z[i] = max(A[i], B[i])
        else:
            Z[i] = min(A[i], B[i])
    return Z


@template("TA", "TB", "TC", "OP", "D0", "D1")
def binary2d(A: "TA[D0, D1]", B: "TB[D0, D1]") -> "TC[D0, D1]":
    Z: TC[D0, D1] = 0
    for i, j in grid(D0, D1):
        if OP == 0:
            Z[i, j] = A[i, j] + B[i, j]
        elif OP == 1:
            Z[i, j] = A[i, j] - B[i, j]
        elif OP == 2:
            Z[i, j] = A[i, j] * B[i, j]
        elif OP == 3:
            Z[i, j] = A[i, j] / B[i, j]
        elif OP == 4:
            Z[i, j] = max(A[i, j], B[i, j])
        else:
            Z[i, j] = min(A[i, j], B[i, j])
    return Z


@template("TA", "TB", "TC", "OP", "D0", "D1", "D2")
def binary3d(A: "TA[D0, D1, D2]", B: "TB[D0, D1, D2]") -> "TC[D0, D1, D2]":
    Z: TC[D0, D1, D2] = 0
    for i, j, k in grid(D0, D1, D2):
        if OP == 0:
            Z[i, j, k] = A[i, j, k] + B[i, j, k]
        elif OP == 1:
            Z[i, j, k] = A[i, j, k] - B[i, j, k]
        elif OP == 2:
            Z[i, j, k] = A[i, j, k] * B[i, j, k]
        elif OP == 3:
            Z[i, j, k] = A[i, j, k] / B[i, j, k]
        elif OP == 4:
            Z[i, j, k] = max(A[i, j, k], B[i, j, k])
        else:
            Z[i, j, k] = min(A[i, j, k], B[i, j, k])
    return Z


@template("TA", "TB", "TC", "OP", "D0", "D1", "D2", "D3")
def binary4d(A: "TA[D0, D1, D2, D3]", B: "TB[D0, D1, D2, D3]") -> "TC[D0, D1, D2, D3]":
    Z: TC[D0, D1, D2, D3] = 0
    for i, j, k, m in grid(D0, D1, D2, D3):
        if OP == 0:
            Z[i, j, k, m] = A[i, j, k, m] + B[i, j, k, m]
        elif OP == 1:
            Z[i, j, k, m] = A[i, j, k, m] - B[i, j, k, m]
        elif OP == 2:
            Z[i, j, k, m] = A[i, j, k, m] * B[i, j, k, m]
        elif OP == 3:
            Z[i, j, k, m] = A[i, j, k, m] / B[i, j, k, m]
        elif OP == 4:
            Z[i, j, k, m] = max(A[i, j, k, m], B[i, j, k, m])
        else:
            Z[i, j, k, m] = min(A[i, j, k, m], B[i, j, k, m])
    return Z


@template("T", "TC", "OP", "D0")
def unary1d(A: "T[D0]") -> "TC[D0]":
    Z: TC[D0] = 0
    for i in range(D0):
        x: TC = A[i]
        if OP == 0:
            Z[i] = max(x, 0)
        elif OP == 1:
            Z[i] = exp(x)
        elif OP == 2:
            Z[i] = 0.5 * x * (1.0 + tanh(GELU_C0 * (x + GELU_C1 * x * x * x)))
        else:
            Z[i] = -x
    return Z


@template("T", "TC", "OP", "D0", "D1")
def unary2d(A: "T[D0, D1]") -> "TC[D0, D1]":
    Z: TC[D0, D1] = 0
    for i, j in grid(D0, D1):
        x: TC = A[i, j]
        if OP == 0:
            Z[i, j] = max(x, 0)
        elif OP == 1:
            Z[i, j] = exp(x)
        elif OP == 2:
            Z[i, j] = 0.5 * x * (1.0 + tanh(GELU_C0 * (x + GELU_C1 * x * x * x)))
        else:
            Z[i, j] = -x
    return Z


@template("T", "TC", "OP", "D0", "D1", "D2")
def unary3d(A: "T[D0, D1, D2]") -> "TC[D0, D1, D2]":
    Z: TC[D0, D1, D2] = 0
    for i, j, k in grid(D0, D1, D2):
        x: TC = A[i, j, k]
        if OP == 0:
            Z[i, j, k] = max(x, 0)
        elif OP == 1:
            Z[i, j, k] = exp(x)
        elif OP == 2:
            Z[i, j, k] = 0.5 * x * (1.0 + tanh(GELU_C0 * (x + GELU_C1 * x * x * x)))
        else:
            Z[i, j, k] = -x
    return Z


@template("T", "TC", "OP", "D0", "D1", "D2", "D3")
def unary4d(A: "T[D0, D1, D2, D3]") -> "TC[D0, D1, D2, D3]":
    Z: TC[D0, D1, D2, D3] = 0
    for i, j, k, m in grid(D0, D1, D2, D3):
        x: TC = A[i, j, k, m]
        if OP == 0:
            Z[i, j, k, m] = max(x, 0)
        elif OP == 1:
            Z[i, j, k, m] = exp(x)
        elif OP == 2:
            Z[i, j, k, m] = 0.5 * x * (1.0 + tanh(GELU_C0 * (x + GELU_C1 * x * x * x)))
        else:
            Z[i, j, k, m] = -x
    return Z


BINARY = {1: binary1d, 2: binary2d, 3: binary3d, 4: binary4d}
UNARY = {1: unary1d, 2: unary2d, 3: unary3d, 4: unary4d}
INNER = {1: "i", 2: "j", 3: "k", 4: "m"}


def schedule_elementwise(s: Any) -> Any:
    """The innermost loop pipelined (II 1): each cell is independent."""
    rank = len(s.kernel.sig.results[0].shape)
    s.pipeline(INNER[rank])
    return s


# ---- an array and a scalar -----------------------------------------------------------------
# `A op s` (and `s op A` for the reversed ops): the scalar is a kernel argument of type TS
# (a literal takes the type the typing rules give it beside the array's element type), so
# each cell is computed exactly as the scalar expression `A[idx] op s` would be.
SCALAR_OPS = ("add", "sub", "mul", "div", "rsub", "rdiv", "max", "min")


@template("TA", "TS", "TC", "OP", "D0")
def scalar1d(A: "TA[D0]", s: "TS") -> "TC[D0]":
    Z: TC[D0] = 0
    for i in range(D0):
        if OP == 0:
            Z[i] = A[i] + s
        elif OP == 1:
            Z[i] = A[i] - s
        elif OP == 2:
            Z[i] = A[i] * s
        elif OP == 3:
            Z[i] = A[i] / s
        elif OP == 4:
            Z[i] = s - A[i]
        elif OP == 5:
            Z[i] = s / A[i]
        elif OP == 6:
            Z[i] = max(A[i], s)
        else:
            Z[i] = min(A[i], s)
    return Z


@template("TA", "TS", "TC", "OP", "D0", "D1")
def scalar2d(A: "TA[D0, D1]", s: "TS") -> "TC[D0, D1]":
    Z: TC[D0, D1] = 0
    for i, j in grid(D0, D1):
        if OP == 0:
            Z[i, j] = A[i, j] + s
        elif OP == 1:
            Z[i, j] = A[i, j] - s
        elif OP == 2:
            Z[i, j] = A[i, j] * s
        elif OP == 3:
            Z[i, j] = A[i, j] / s
        elif OP == 4:
            Z[i, j] = s - A[i, j]
        elif OP == 5:
            Z[i, j] = s / A[i, j]
        elif OP == 6:
            Z[i, j] = max(A[i, j], s)
        else:
            Z[i, j] = min(A[i, j], s)
    return Z


@template("TA", "TS", "TC", "OP", "D0", "D1", "D2")
def scalar3d(A: "TA[D0, D1, D2]", s: "TS") -> "TC[D0, D1, D2]":
    Z: TC[D0, D1, D2] = 0
    for i, j, k in grid(D0, D1, D2):
        if OP == 0:
            Z[i, j, k] = A[i, j, k] + s
        elif OP == 1:
            Z[i, j, k] = A[i, j, k] - s
        elif OP == 2:
            Z[i, j, k] = A[i, j, k] * s
        elif OP == 3:
            Z[i, j, k] = A[i, j, k] / s
        elif OP == 4:
            Z[i, j, k] = s - A[i, j, k]
        elif OP == 5:
            Z[i, j, k] = s / A[i, j, k]
        elif OP == 6:
            Z[i, j, k] = max(A[i, j, k], s)
        else:
            Z[i, j, k] = min(A[i, j, k], s)
    return Z


@template("TA", "TS", "TC", "OP", "D0", "D1", "D2", "D3")
def scalar4d(A: "TA[D0, D1, D2, D3]", s: "TS") -> "TC[D0, D1, D2, D3]":
    Z: TC[D0, D1, D2, D3] = 0
    for i, j, k, m in grid(D0, D1, D2, D3):
        if OP == 0:
            Z[i, j, k, m] = A[i, j, k, m] + s
        elif OP == 1:
            Z[i, j, k, m] = A[i, j, k, m] - s
        elif OP == 2:
            Z[i, j, k, m] = A[i, j, k, m] * s
        elif OP == 3:
            Z[i, j, k, m] = A[i, j, k, m] / s
        elif OP == 4:
            Z[i, j, k, m] = s - A[i, j, k, m]
        elif OP == 5:
            Z[i, j, k, m] = s / A[i, j, k, m]
        elif OP == 6:
            Z[i, j, k, m] = max(A[i, j, k, m], s)
        else:
            Z[i, j, k, m] = min(A[i, j, k, m], s)
    return Z


SCALAR = {1: scalar1d, 2: scalar2d, 3: scalar3d, 4: scalar4d}
