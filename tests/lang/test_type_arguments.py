"""Bad arguments to the type constructors (`Int`, `UInt`, `Fixed`, `UFixed`, `Float`,
`T[dims]`, `Memory`, `ConstExpr`, `Struct`, `Stream`, `@`) are clear errors naming the
constructor, the argument and the rule, located at the user's code:

- built outside a kernel (a type alias, a kernel signature evaluated when `def` runs): a
  `TypeArgumentError` (a `FrontendError` and a `TypeError`) at the file:line:col of the
  call, on one line;
- in an annotation the frontend evaluates (a local declaration, a signature under
  `from __future__ import annotations`, an inline `Fixed(8, 2)(x)`): a `FrontendError` at the
  annotation's line, quoting it.

Good arguments at the edges of each range still build the type.
Each offending line ends with a marker comment `# <- NAME`; the tests look the line up.
"""

import importlib.util
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from lang_util import assert_frontend_error_at, tagged_line

import allo_verify as av
from allo_verify import ConstExpr, Memory, Stateful, Struct, int8, int32
from allo_verify.df.stream_type import Stream, StreamType
from allo_verify.errors import FrontendError, TypeArgumentError
from allo_verify.lang.annotations import Annotated
from allo_verify.lang.types import ArrayType, Fixed, Float, Int, InvalidArrayType, UFixed, UInt

# ------------------------------------------------------------ outside a kernel: the call site

BAD_CALLS = [
    ("fixed-0-0", lambda: Fixed(0, 0),  # <- fixed-0-0
     "Fixed(0, 0): the total width (first argument)"),
    ("fixed-frac", lambda: Fixed(8, 9),  # <- fixed-frac
     "Fixed(8, 9): the fractional bits (second argument) must be an int in 0..8"),
    ("fixed-neg-frac", lambda: Fixed(8, -1), "got -1"),  # <- fixed-neg-frac
    ("ufixed-wide", lambda: UFixed(513, 0), "UFixed(513, 0): the total width"),  # <- ufixed-wide
    ("fixed-float", lambda: Fixed(8.0, 2),  # <- fixed-float
     "must be an int in 1..512, got 8.0"),
    ("int-0", lambda: Int(0),  # <- int-0
     "Int(0): the width (bits) must be an int in 1..512, got 0"),
    ("uint-neg", lambda: UInt(-3),  # <- uint-neg
     "UInt(-3): the width (bits) must be an int in 1..512"),
    ("int-wide", lambda: Int(513), "got 513"),  # <- int-wide
    ("int-str", lambda: Int("8"), "Int('8'): the width (bits) must be an int"),  # <- int-str
    ("int-bool", lambda: Int(True),  # <- int-bool
     "Int(True): the width (bits) must be an int"),
    ("int-signed", lambda: Int(8, signed="yes"),  # <- int-signed
     "signed must be True or False"),
    ("float-8", lambda: Float(8),  # <- float-8
     "Float(8): the width (bits) must be 16, 32 or 64"),
    ("mem-resource", lambda: Memory(resource="FOO"),  # <- mem-resource
     "Memory(resource='FOO'): resource must be one of AUTO, BRAM"),
    ("mem-storage", lambda: Memory(storage_type="DISK"),  # <- mem-storage
     "storage_type must be one of"),
    ("mem-latency", lambda: Memory(latency=0),  # <- mem-latency
     "Memory(latency=0): latency must be a positive"),
    ("mem-dims", lambda: int32[0, 4] @ Memory(resource="URAM"),  # <- mem-dims
     "int32[0, 4] @ Memory(resource='URAM'): not a kernel type: array dimension must be a "
     "positive int, got 0"),
    ("mem-scalar", lambda: int32 @ Memory(),  # <- mem-scalar
     "annotates arrays, not the scalar type int32"),
    ("mem-twice", lambda: int32[4] @ Memory() @ Memory(resource="BRAM"),  # <- mem-twice
     "at most one Memory"),
    ("not-a-type-at", lambda: 3 @ Memory(),  # <- not-a-type-at
     "3 @ Memory(): only a kernel type can be annotated with '@', got 3"),
    ("np-type-at", lambda: np.int32 @ Stateful,  # <- np-type-at
     "int32 @ Stateful: only a kernel type"),
    ("stateful-dims", lambda: int32[2.5] @ Stateful, "got 2.5"),  # <- stateful-dims
    ("constexpr", lambda: ConstExpr[5],  # <- constexpr
     "ConstExpr[5]: ConstExpr[...] takes a scalar kernel type, got 5"),
    ("constexpr-array", lambda: ConstExpr[int32[4]], "got int32[4]"),  # <- constexpr-array
    ("struct-empty", lambda: Struct({}), "Struct takes a non-empty dict"),  # <- struct-empty
    ("struct-field", lambda: Struct({"a": 5}),  # <- struct-field
     "field 'a' must have a scalar kernel type"),
    ("struct-dims", lambda: Struct({"a": int8})[0],  # <- struct-dims
     "array dimension must be a positive int"),
    ("stream-depth", lambda: Stream[int32, 0],  # <- stream-depth
     "Stream[int32, 0]: the depth must be an int"),
    ("stream-elem", lambda: Stream[5, 2],  # <- stream-elem
     "the element type must be a kernel type, got 5"),
    ("stream-dims-elem", lambda: Stream[int32[0], 2],  # <- stream-dims-elem
     "the element type is not a kernel type"),
    ("stream-array", lambda: Stream[int32, 2][0],  # <- stream-array
     "stream array dimensions must be positive"),
]


@pytest.mark.parametrize(("tag", "make", "words"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_type_argument_names_it_at_the_call(tag, make, words) -> None:  # noqa: ANN001
    with pytest.raises(TypeArgumentError) as info:
        make()
    err = info.value
    assert isinstance(err, TypeError) and isinstance(err, FrontendError)
    assert words in err.message, err.message
    assert Path(err.filename) == Path(__file__)
    assert err.lineno == tagged_line(__file__, tag)
    text = str(err)
    assert "\n" not in text and text.startswith(f"{err.filename}:{err.lineno}:{err.col + 1}: ")


def test_error_points_at_the_column_of_the_bad_call() -> None:
    with pytest.raises(TypeArgumentError) as info:
        _ = (int32, UInt(0))  # <- column
    line = Path(__file__).read_text().splitlines()[tagged_line(__file__, "column") - 1]
    assert info.value.col == line.index("UInt(0)")


GOOD = [
    (lambda: Int(1), Int(1)), (lambda: Int(512), Int(512)), (lambda: UInt(1), Int(1, False)),
    (lambda: UInt(512), Int(512, signed=False)), (lambda: Fixed(1, 0), Fixed(1, 0)),
    (lambda: Fixed(8, 8), Fixed(8, 8)), (lambda: UFixed(512, 512), Fixed(512, 512, False)),
    (lambda: Float(16), Float(16)), (lambda: Float(64), Float(64)),
    (lambda: Int(8, signed=np.bool_(False)), Int(8, False)),
    (lambda: int32[1, 2], ArrayType(int32, (1, 2))),
    (lambda: int32[np.int64(3)], ArrayType(int32, (3,))),
    (lambda: ConstExpr[int32].dtype, int32),
    (lambda: Memory(resource="bram", storage_type="ram_1p", latency=2).pragma_fields(),
     {"type": "RAM_1P", "impl": "BRAM", "latency": 2}),
    (lambda: int32[4] @ Memory(resource="URAM"),
     Annotated(int32[4], Memory(resource="URAM"), False)),
    (lambda: int32 @ Stateful, Annotated(int32, None, True)),
    (lambda: Struct({"a": int8, "b": int32})[2].shape, (2,)),
    (lambda: Stream[int32, 1][2, 3], StreamType(int32, 1, (2, 3))),
]


@pytest.mark.parametrize(("make", "want"), GOOD)
def test_good_type_arguments_still_build(make, want) -> None:  # noqa: ANN001
    assert make() == want


def test_bad_dimension_is_still_deferred_to_the_kernel() -> None:
    """`T[bad]` in a signature does not raise when `def` runs: the kernel reports it with the
    argument's name (`tests/compat/test_compat_frontend_errors.py`)."""
    t = int32[0, 4]
    assert isinstance(t, InvalidArrayType) and repr(t) == "int32[0, 4]"


# ---------------------------------------------- annotations the frontend evaluates: FrontendError


def k_local_int(A: int32[4]) -> int32:
    x: Int(0) = 1  # <- local-int
    return x + A[0]


def k_local_uint(A: int32[4]) -> int32:
    x: UInt(-3) = 1  # <- local-uint
    return x + A[0]


def k_local_fixed(A: int32[4]) -> int32:
    x: Fixed(0, 0) = 0  # <- local-fixed
    return A[0] + x


def k_local_dim(A: int32[4]) -> int32:
    B: int32[0, 4] = 0  # <- local-dim
    return A[0] + B[0, 0]


def k_local_float_dim(A: int32[4]) -> int32:
    B: int32[2.5] = 0  # <- local-float-dim
    return A[0] + B[0]


def k_local_memory(A: int32[4]) -> int32:
    B: int32[4] @ Memory(resource="FOO") = 0  # <- local-memory
    return B[0] + A[0]


def k_local_latency(A: int32[4]) -> int32:
    B: int32[4] @ Memory(latency=-1) = 0  # <- local-latency
    return B[0] + A[0]


def k_local_constexpr(A: int32[4]) -> int32:
    n: ConstExpr[5] = 1  # <- local-constexpr
    return A[0] + n


def k_local_not_type(A: int32[4]) -> int32:
    x: np.int32 = 1  # <- local-not-type
    return x + A[0]


def k_inline_cast(A: int32[4]) -> int32:
    x: int32 = Fixed(8, 9)(A[0])  # <- inline-cast
    return x


FRONTEND = [
    (k_local_int, "local-int", "annotation 'Int(0)' is not a kernel type: Int(0): the width"),
    (k_local_uint, "local-uint", "UInt(-3): the width (bits) must be an int in 1..512, got -3"),
    (k_local_fixed, "local-fixed", "Fixed(0, 0): the total width (first argument)"),
    (k_local_dim, "local-dim", "array dimension must be a positive int, got 0"),
    (k_local_float_dim, "local-float-dim", "array dimension must be a positive int, got 2.5"),
    (k_local_memory, "local-memory", "Memory(resource='FOO'): resource must be one of"),
    (k_local_latency, "local-latency", "Memory(latency=-1): latency must be a positive int"),
    (k_local_constexpr, "local-constexpr", "ConstExpr[...] takes a scalar kernel type, got 5"),
    (k_local_not_type, "local-not-type", "annotation 'np.int32' is not a kernel type"),
    (k_inline_cast, "inline-cast", "Fixed(8, 9): the fractional bits"),
]


@pytest.mark.parametrize(("kernel", "tag", "words"), FRONTEND, ids=[c[1] for c in FRONTEND])
def test_bad_type_in_a_kernel_is_a_frontend_error_at_its_line(kernel, tag, words) -> None:  # noqa: ANN001
    err = assert_frontend_error_at(kernel, __file__, tag, words)
    assert str(err).count(f"{Path(__file__).name}:") == 1  # one location, not two


def test_good_types_in_a_kernel_still_build() -> None:
    def k(A: Fixed(8, 8)[4] @ Memory(resource="BRAM"), B: UInt(1)[2]) -> Int(512):
        x: UFixed(512, 0) = 0
        y: Float(16) = 1.0
        C: int32[1] @ Memory(latency=1) = 0
        C[0] = int32(y) - 1
        return x + C[0]

    mod = av.customize(k).build()
    assert mod(np.zeros(4, dtype=np.int8), np.zeros(2, dtype=np.uint8)) == 0


# ------------------------------------ a module whose kernel signature holds a bad type argument


def _import(tmp_path: Path, name: str, source: str) -> object:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules.pop(name, None)
    return mod


@pytest.mark.parametrize(("annotation", "words"), [
    ("Fixed(0, 0)[4]", "Fixed(0, 0): the total width"),
    ("UInt(-3)", "UInt(-3): the width"),
    ("int32[4] @ Memory(resource='FOO')", "Memory(resource='FOO'): resource must be one of"),
    ("int32[0, 4] @ Memory()", "int32[0, 4] @ Memory(): not a kernel type"),
])
def test_signature_evaluated_at_def_is_located_at_the_def(tmp_path: Path, annotation: str,
                                                          words: str) -> None:
    source = f"""
        from allo_verify import Memory, int32
        from allo_verify.lang.types import Fixed, UInt

        def k(A: int32[4], B: {annotation}) -> None:
            pass
    """
    with pytest.raises(TypeArgumentError) as info:
        _import(tmp_path, "sig_at_def", source)
    err = info.value
    assert err.filename == str(tmp_path / "sig_at_def.py") and err.lineno == 5
    assert words in err.message
    line = textwrap.dedent(source).splitlines()[4]
    start = line.index(f"B: {annotation}") + 3
    assert start <= err.col < start + len(annotation)  # the column of the failing part


def test_signature_under_future_annotations_is_a_frontend_error(tmp_path: Path) -> None:
    mod = _import(tmp_path, "sig_future", """
        from __future__ import annotations
        from allo_verify import int32
        from allo_verify.lang.types import Fixed

        def k(A: int32[4], B: Fixed(8, 9)[4]) -> None:
            pass
    """)
    with pytest.raises(FrontendError) as info:
        av.customize(mod.k)
    err = info.value
    assert err.filename == str(tmp_path / "sig_future.py") and err.lineno == 6
    assert "annotation 'Fixed(8, 9)[4]' is not a kernel type: Fixed(8, 9): the fractional bits" \
        in err.message
    assert "def k(" in err.source_line
