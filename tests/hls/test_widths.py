"""Odd widths from 1 to 512 bits, signed and unsigned, fixed point and float conversions:
the kernel factories of the frontend's property tests, instantiated at a spread of types,
emitted, compiled in one batch and checked against the LLVM simulation (hypothesis inputs
with type extremes)."""


import warnings

import pytest
import test_conversion_properties as conv_props
import test_int_properties as int_props
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allo_verify as av
from allo_verify import Fixed, Int, UInt, float16, float32, float64
from allo_verify.codegen.hls import csim_check, emit_hls, prebuild
from allo_verify.equiv.cosim import args_strategy

N = 4
INT_TRIPLES = [(Int(1), UInt(1), Int(8)), (UInt(7), Int(17), UInt(33)),
               (Int(64), UInt(64), Int(65)), (UInt(512), Int(129), Int(200))]
FIXED_TRIPLES = [(Fixed(8, 3), Fixed(16, 12), Fixed(12, 0)),
                 (Fixed(1, 1, False), Fixed(33, 7), Fixed(64, 40, False)),
                 (Fixed(20, 20), Fixed(5, 2, False), Fixed(40, 10))]
CONV_TYPES = [Int(1), UInt(33), Int(64), UInt(128)]


def make_math(T):
    def math_all(X: T[N], Y: T[N], O: T[12, N]):
        for i in range(N):
            O[0, i] = av.exp(X[i])
            O[1, i] = av.log(X[i])
            O[2, i] = av.log2(X[i])
            O[3, i] = av.sqrt(X[i])
            O[4, i] = av.sin(X[i])
            O[5, i] = av.cos(X[i])
            O[6, i] = av.tanh(X[i])
            O[7, i] = av.pow(X[i], Y[i])
            O[8, i] = X[i] % Y[i]
            O[9, i] = min(X[i], Y[i])
            O[10, i] = max(abs(X[i]), Y[i])
            O[11, i] = X[i] // Y[i]

    return math_all


def _kernels() -> dict[str, object]:
    out = {f"math{t.bits}": make_math(t) for t in (float16, float32, float64)}
    for k, (a, b, t) in enumerate(INT_TRIPLES):
        out[f"arith{k}"] = int_props.make_arith(a, b, t, N)
        out[f"bits{k}"] = int_props.make_bits(a, b, t, N)
    for k, (a, b, t) in enumerate(FIXED_TRIPLES):
        out[f"fixed{k}"] = conv_props.make_fixed(a, b, t, N)
    for k, ti in enumerate(CONV_TYPES):
        out[f"conv{k}"] = conv_props.make_conv(ti, N)
    return out


@pytest.fixture(scope="module")
def width_modules():
    designs = {name: av.customize(fn) for name, fn in _kernels().items()}
    mods = {name: emit_hls(s.module, s.sig) for name, s in designs.items()}
    prebuild(list(mods.values()), jobs=2)
    return {name: (designs[name], mods[name]) for name in designs}


@pytest.mark.parametrize("name", sorted(_kernels()))
def test_width_kernel_agrees(width_modules, name):
    s, mod = width_modules[name]

    @settings(max_examples=3, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(args_strategy(s.sig), min_size=4, max_size=4))
    def run(inputs):
        result = csim_check(s.module, s.sig, inputs, hls_module=mod)
        assert result.agreed, result.claim()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        run()
