"""Library kernel instances the tests run: template, template arguments, NumPy reference
(taking the kernel's arguments) and the float tolerance (None: integers, compared exactly)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from allo_verify import float32, int8, int16, int32
from allo_verify.library import elementwise as ew
from allo_verify.library import linalg, nn
from allo_verify.library import references as ref


@dataclass(frozen=True)
class Case:
    id: str
    template: Any
    args: tuple[Any, ...]
    reference: Callable[..., np.ndarray]
    tol: float | None = None  # relative and absolute tolerance for floats


def _bin(op: str, t: Any) -> Callable[..., np.ndarray]:
    return lambda a, b: ref.binary(op, a, b, t)


def _un(op: str, t: Any) -> Callable[..., np.ndarray]:
    return lambda a: ref.unary(op, a, t)


ADD, SUB, MUL, DIV, MAX, MIN = range(6)
RELU, EXP, GELU, NEG = range(4)
SMUL, RSUB = 2, 4  # indices in elementwise.SCALAR_OPS

CASES = [
    Case("matmul_int8_int32", linalg.matmul, (int8, int8, int32, 4, 3, 5),
         lambda a, b: ref.matmul(a, b, int32)),
    Case("matmul_f32", linalg.matmul, (float32, float32, float32, 4, 6, 5),
         lambda a, b: ref.matmul(a, b, float32), 1e-5),
    Case("bmm_f32", linalg.bmm, (float32, float32, float32, 2, 3, 4, 5),
         lambda a, b: ref.bmm(a, b, float32), 1e-5),
    Case("bmm_int16_int32", linalg.bmm, (int16, int16, int32, 2, 3, 4, 2),
         lambda a, b: ref.bmm(a, b, int32)),
    Case("transpose_int32", linalg.transpose, (int32, 3, 5), ref.transpose),
    Case("linear2d_f32", linalg.linear2d, (float32, 4, 5, 6),
         lambda x, w, b: ref.linear2d(x, w, b, float32), 1e-5),
    Case("linear2d_int32", linalg.linear2d, (int32, 3, 4, 5),
         lambda x, w, b: ref.linear2d(x, w, b, int32)),
    Case("add_int16_int32", ew.binary2d, (int16, int16, int32, ADD, 3, 4), _bin("add", int32)),
    Case("sub_int8_wraps", ew.binary2d, (int8, int8, int8, SUB, 3, 4), _bin("sub", int8)),
    Case("mul_int8_int16", ew.binary2d, (int8, int8, int16, MUL, 3, 4), _bin("mul", int16)),
    Case("div_int16", ew.binary2d, (int16, int16, int16, DIV, 3, 4), _bin("div", int16)),
    Case("max_f32", ew.binary2d, (float32, float32, float32, MAX, 3, 4),
         _bin("max", float32), 0.0),
    Case("min_int8", ew.binary2d, (int8, int8, int8, MIN, 3, 4), _bin("min", int8)),
    Case("mul_f32", ew.binary2d, (float32, float32, float32, MUL, 3, 4),
         _bin("mul", float32), 0.0),
    Case("add_rank1", ew.binary1d, (int32, int32, int32, ADD, 7), _bin("add", int32)),
    Case("add_rank3", ew.binary3d, (float32, float32, float32, ADD, 2, 3, 4),
         _bin("add", float32), 0.0),
    Case("mul_rank4", ew.binary4d, (int8, int8, int32, MUL, 2, 2, 3, 2), _bin("mul", int32)),
    Case("relu_int8", ew.unary2d, (int8, int8, RELU, 3, 4), _un("relu", int8)),
    Case("relu_f32_rank3", ew.unary3d, (float32, float32, RELU, 2, 3, 4),
         _un("relu", float32), 0.0),
    Case("neg_int8_int16", ew.unary1d, (int8, int16, NEG, 6), _un("neg", int16)),
    Case("exp_f32", ew.unary2d, (float32, float32, EXP, 3, 4), _un("exp", float32), 1e-6),
    Case("gelu_f32", ew.unary2d, (float32, float32, GELU, 3, 4), _un("gelu", float32), 1e-5),
    Case("gelu_f32_rank4", ew.unary4d, (float32, float32, GELU, 2, 2, 2, 3),
         _un("gelu", float32), 1e-5),
    Case("rsub_scalar_int8", ew.scalar2d, (int8, int32, int8, RSUB, 3, 4),
         lambda a, x: ref.binary("sub", np.full(a.shape, int(x), dtype=object), a, int8)),
    Case("mul_scalar_f32", ew.scalar1d, (float32, float32, float32, SMUL, 6),
         lambda a, x: ref.binary("mul", a, np.full(a.shape, x, dtype=np.float32), float32),
         0.0),
    Case("softmax_f32", nn.softmax, (float32, 3, 6), ref.softmax, 1e-5),
    Case("layernorm_f32", nn.layernorm, (float32, 3, 8), ref.layernorm, 1e-4),
    Case("conv2d_f32", nn.conv2d, (float32, 1, 2, 3, 6, 5, 3, 2), ref.conv2d, 1e-5),
    Case("conv2d_int32", nn.conv2d, (int32, 2, 1, 2, 4, 4, 2, 2), ref.conv2d),
    Case("maxpool2d_f32", nn.maxpool2d, (float32, 1, 2, 4, 6, 2),
         lambda x: ref.maxpool2d(x, 2), 0.0),
    Case("maxpool2d_int8", nn.maxpool2d, (int8, 2, 1, 6, 6, 3),
         lambda x: ref.maxpool2d(x, 3)),
]
