"""Allo's `allo.dsl`: the loop builders and math functions kernels call (`grid`,
`reduction`, `exp`, ...), from `allo_verify.lang.dsl`. Allo's compile-time constructs we
lack raise NotSupportedError; `meta_if`/`meta_elif`/`meta_else`/`meta_for` are ours."""

from allo_verify.allo_names import unsupported_getattr
from allo_verify.lang.annotations import meta_elif, meta_else, meta_for, meta_if
from allo_verify.lang.dsl import cos, exp, grid, log, log2, pow, reduction, sin, sqrt, tanh

__all__ = [
    "meta_elif", "meta_else", "meta_for", "meta_if", "cos", "exp", "grid", "log", "log2", "pow",
    "reduction", "sin", "sqrt", "tanh",
]

__getattr__ = unsupported_getattr("allo_verify.dsl")
