"""Negative operands: division, remainder, shifts and casts keep MLIR's meaning in C++
(checked against Python's integer model and against the LLVM simulation), and the
mutation test: broken emitters are caught by C simulation with a readable first cell."""

from __future__ import annotations

import numpy as np
import pytest

import allo_verify as av
from allo_verify import int8, int16, int32, int64
from allo_verify.codegen.hls import csim_check, emit_hls
from allo_verify.codegen.hls import expressions as ex
from allo_verify.codegen.hls import statements as stm
from allo_verify.codegen.hls.types import value_type

N = 8


def divisions(A: int32[N], B: int32[N], T: int64[N], F: int64[N], M: int64[N],
              SL: int32[N], SR: int32[N], C8: int8[N], U: int16[N]):
    for i in range(N):
        T[i] = A[i] / B[i]
        F[i] = A[i] // B[i]
        M[i] = A[i] % B[i]
        SL[i] = A[i] << B[i]
        SR[i] = A[i] >> B[i]
        C8[i] = int8(A[i])
        U[i] = int16(av.uint16(A[i]) >> 3)


def wrap_then_widen(A: int8[N], B: int8[N]) -> int32[N]:
    C: int32[N] = 0
    for i in range(N):
        C[i] = int32(int8(A[i] + B[i]))
    return C


AV = [-7, 7, -7, 7, -1, -2147483648, 100, 0]
BV = [2, -2, -2, 2, 40, -1, 0, 5]


def _py(a, b):
    def trunc_div(x, y):
        if y == 0:
            return 0
        q = abs(x) // abs(y)
        return q if (x < 0) == (y < 0) else -q

    def wrap(v, bits):
        v &= (1 << bits) - 1
        return v - (1 << bits) if v >> (bits - 1) else v

    t = [trunc_div(x, y) for x, y in zip(a, b, strict=True)]
    f = [0 if y == 0 else x // y for x, y in zip(a, b, strict=True)]
    m = [x if y == 0 else x % y for x, y in zip(a, b, strict=True)]
    sl = [wrap(x << y, 32) if 0 <= y < 32 else 0 for x, y in zip(a, b, strict=True)]
    sr = [x >> y if 0 <= y < 32 else (-1 if x < 0 else 0) for x, y in zip(a, b, strict=True)]
    c8 = [wrap(x, 8) for x in a]
    u = [wrap((x & 0xFFFF) >> 3, 16) for x in a]
    return t, f, m, sl, sr, c8, u


def _run(fn, args, csim):
    s = av.customize(fn)
    if csim:
        return emit_hls(s.module, s.sig).csim(*args), s
    return s.build()(*args), s


def test_negative_operands_keep_mlir_meaning():
    a, b = np.array(AV, dtype=np.int32), np.array(BV, dtype=np.int32)
    outs = [np.zeros(N, np.int64)] * 0
    outs = [np.zeros(N, np.int64), np.zeros(N, np.int64), np.zeros(N, np.int64),
            np.zeros(N, np.int32), np.zeros(N, np.int32), np.zeros(N, np.int8),
            np.zeros(N, np.int16)]
    s = av.customize(divisions)
    emit_hls(s.module, s.sig).csim(a, b, *outs)
    want = _py(AV, BV)
    for got, exp in zip(outs, want, strict=True):
        assert [int(v) for v in got] == exp
    assert [int(v) for v in outs[0][:4]] == [-3, -3, 3, 3]   # C truncation
    assert [int(v) for v in outs[1][:4]] == [-4, -4, 3, 3]   # floor
    assert [int(v) for v in outs[2][:4]] == [1, -1, -1, 1]   # divisor's sign
    result = csim_check(s.module, s.sig, [(a, b, *[np.zeros_like(o) for o in outs])])
    assert result.agreed, result.claim()


def test_mutant_c_division_for_floor_division_is_caught(monkeypatch):
    s = av.customize(divisions)
    monkeypatch.setitem(ex.OPS, "arith.floordivsi", ex._signed_div("/"))
    broken = emit_hls(s.module, s.sig)
    assert "av::floordiv" not in broken.code
    a, b = np.array(AV, dtype=np.int32), np.array(BV, dtype=np.int32)
    zeros = [np.zeros(N, t) for t in (np.int64, np.int64, np.int64, np.int32, np.int32,
                                      np.int8, np.int16)]
    result = csim_check(s.module, s.sig, [(a, b, *zeros)], hls_module=broken)
    assert not result.agreed
    d = result.first_difference
    assert d.output == "F" and d.index == (0,)
    assert (d.llvm, d.csim) == (-4, -3)
    text = str(d)
    assert "F[0]: LLVM simulation -4, emitted C++ -3" in text and "A=" in text


def test_mutant_dropped_truncation_is_caught(monkeypatch):
    s = av.customize(wrap_then_widen)
    original = stm.FunctionEmitter.emit_op

    def no_trunc(self, op, yield_to):
        if op.name == "arith.trunci":  # declared at the source's width: nothing truncates
            src = op.operands[0]
            name = self.fresh_value()
            self.line(f"{value_type(src.type).spell()} {name} = {self.ex(src)};")
            self.vals[op.results[0]] = name
            return
        original(self, op, yield_to)

    monkeypatch.setattr(stm.FunctionEmitter, "emit_op", no_trunc)
    broken = emit_hls(s.module, s.sig)
    a = np.array([100, -100, 1, 2, 3, 4, 5, 6], dtype=np.int8)
    b = np.array([100, -100, 1, 2, 3, 4, 5, 6], dtype=np.int8)
    result = csim_check(s.module, s.sig, [(a, b)], hls_module=broken)
    assert not result.agreed
    d = result.first_difference
    assert (d.output, d.index, d.llvm, d.csim) == ("result", (0,), -56, 200)
    assert "result[0]: LLVM simulation -56, emitted C++ 200" in str(d)


@pytest.mark.parametrize("fn", [wrap_then_widen])
def test_correct_emitter_agrees_on_the_mutants_inputs(fn):
    s = av.customize(fn)
    a = np.array([100, -100, 1, 2, 3, 4, 5, 6], dtype=np.int8)
    assert csim_check(s.module, s.sig, [(a, a.copy())]).agreed
