"""`from allo.ir.types import int32, float32, Fixed, ...` as Allo users write it: the kernel
types of `allo_verify.lang.types` under Allo's module path. `AlloType` is our `DType`.
`Stream` is the df.region channel type. Allo types we lack (bfloat16, ...) raise
NotSupportedError."""

from allo_verify.allo_names import unsupported_getattr
from allo_verify.df.stream_type import Stream
from allo_verify.lang.annotations import ConstExpr, Memory, Stateful
from allo_verify.lang.structs import Struct
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

AlloType = DType

__all__ = [
    "AlloType", "ArrayType", "ConstExpr", "Stream", "Memory", "Stateful", "Struct", "DType",
    "Fixed",
    "Float", "Index", "Int", "UFixed", "UInt", "bool", "float16", "float32", "float64", "index",
    "int1", "int2", "int4", "int8", "int16", "int32", "int64", "int128", "int256", "int512",
    "uint1", "uint2", "uint4", "uint8", "uint16", "uint32", "uint64", "uint128", "uint256",
    "uint512",
]

__getattr__ = unsupported_getattr("allo_verify.ir.types")
