"""Allo's `allo.backend` namespace. Our backends are reached through the schedule:
`s.build(target="llvm")` (LLVM simulation) and `s.build(target="vhls")` (Vitis HLS C++);
Allo's other backends (AI Engine, Catapult, Tapa, XLS, IP) raise NotSupportedError."""

from allo_verify.allo_names import unsupported_getattr

__getattr__ = unsupported_getattr("allo_verify.backend", {
    "llvm": "use s.build(target='llvm')",
    "hls": "use s.build(target='vhls')",
    "ip": "external IP modules are not supported",
    "catapult": "the Catapult backend is not supported",
    "tapa": "the TAPA backend is not supported",
    "xls": "the XLS backend is not supported",
    "simulator": "use s.build(target='llvm')",
})
