"""Allo's `allo.ir` namespace: `allo_verify.ir.types` holds the kernel types; the rest of
Allo's IR package (builder, visitor, transform) has no counterpart and raises
NotSupportedError."""

from allo_verify.allo_names import unsupported_getattr

__getattr__ = unsupported_getattr("allo_verify.ir", {
    "builder": "Allo's AST builder is internal to Allo; kernels are parsed by customize()",
    "visitor": "Allo's AST visitor is internal to Allo",
    "transform": "Allo's IR transforms are internal; use the Schedule methods",
    "infer": "Allo's type inference is internal; see allo_verify.lang.typing_rules",
})
