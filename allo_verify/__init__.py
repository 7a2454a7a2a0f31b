"""allo_verify: accelerator kernels in Python where every hardware customization is proved."""

from allo_verify.allo_names import unsupported_getattr
from allo_verify.design import Equivalence, equivalence
from allo_verify.df.stream_type import Stream
from allo_verify.equiv.api import check_equivalent
from allo_verify.equiv.layouts import Partition
from allo_verify.errors import (
    AlloVerifyError,
    FrontendError,
    NotSupportedError,
    ScheduleError,
    ScheduleUsageError,
)
from allo_verify.lang.annotations import (
    ConstExpr,
    Memory,
    Stateful,
    meta_elif,
    meta_else,
    meta_for,
    meta_if,
)
from allo_verify.lang.dsl import cos, exp, grid, log, log2, pow, reduction, sin, sqrt, tanh
from allo_verify.lang.structs import Struct
from allo_verify.lang.templates import template
from allo_verify.lang.types import (
    ArrayType,
    DType,
    Fixed,
    Float,
    Index,
    Int,
    UFixed,
    UInt,
    bool,
    float16,
    float32,
    float64,
    from_fixed,
    index,
    int1,
    int2,
    int4,
    int8,
    int16,
    int32,
    int64,
    int128,
    int256,
    int512,
    to_fixed,
    uint1,
    uint2,
    uint4,
    uint8,
    uint16,
    uint32,
    uint64,
    uint128,
    uint256,
    uint512,
)
from allo_verify.library.linalg import linear2d
from allo_verify.library.ops import (
    add,
    bmm,
    conv2d,
    div,
    gelu,
    layernorm,
    linear,
    matmul,
    maxpool2d,
    mul,
    relu,
    softmax,
    sub,
    transpose,
)
from allo_verify.schedule.schedule import Schedule, customize
from allo_verify.verify_result import VerifyResult, verify

__all__ = [
    "AlloVerifyError", "ArrayType", "ConstExpr", "Memory", "Stateful", "Struct", "meta_elif",
    "meta_else", "meta_for", "meta_if", "DType", "Fixed", "Float", "FrontendError", "Index", "Int",
    "Partition", "Schedule", "ScheduleError", "Stream", "ScheduleUsageError", "UFixed", "UInt",
    "bool",
    "Equivalence", "NotSupportedError", "VerifyResult", "check_equivalent", "cos", "customize",
    "equivalence", "exp",
    "float16", "float32", "float64", "from_fixed", "grid", "index", "int1", "int2", "int4",
    "int8", "int16", "int32", "int64", "int128", "int256", "int512", "log", "log2", "pow",
    "reduction", "sin", "sqrt", "tanh", "template", "to_fixed", "uint1", "uint2", "uint4", "uint8",
    "uint16", "uint32", "uint64", "uint128", "uint256", "uint512", "verify",
    "add", "bmm", "conv2d", "div", "gelu", "layernorm", "linear", "linear2d", "matmul",
    "maxpool2d", "mul", "relu", "softmax", "sub", "transpose",
]

# `import allo_verify as allo`: Allo's names we lack raise NotSupportedError (allo_names.py)
__getattr__ = unsupported_getattr("allo_verify")
