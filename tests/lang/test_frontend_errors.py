"""Unsupported constructs and ill-typed kernels raise `av.FrontendError` at customize time,
carrying the file, the line of the offending node (a line number in this file) and a
message quoting that line.

Each offending line ends with a marker comment `# <- NAME`; the test looks the line up.
"""

import contextlib
from pathlib import Path

import pytest
from lang_util import code_of_line

import allo_verify as av
from allo_verify import float32, int32

CTX = contextlib.nullcontext()
COUNTER = 0


def _line(name: str) -> int:
    tail = "# <- " + name
    lines = Path(__file__).read_text().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if text.rstrip().endswith(tail)]
    assert len(hits) == 1, (name, hits)
    return hits[0]


def _check(kernel, name: str) -> av.FrontendError:
    with pytest.raises(av.FrontendError) as info:
        av.customize(kernel)
    err = info.value
    want = _line(name)
    assert err.lineno == want, f"{name}: reported line {err.lineno}, expected {want}\n{err}"
    assert Path(err.filename).name == Path(__file__).name
    assert code_of_line(__file__, want) in str(err), str(err)
    return err


# ---------------------------------------------------------------- unsupported constructs


def k_lambda(A: int32[4]) -> int32:
    s: int32 = A[0]
    return (lambda x: x + 1)(s)  # <- lambda


def k_try(a: int32) -> int32:
    b: int32 = 0
    try:  # <- try
        b = a + 1
    except Exception:
        b = 0
    return b


def k_listcomp(A: int32[4]) -> int32:
    b: int32 = 0
    c = [A[i] for i in range(4)]  # <- listcomp
    b = c[0]
    return b


def k_print(a: int32) -> int32:
    b: int32 = a + 1
    print(b)  # <- print
    return b


def k_sorted(A: int32[4]) -> int32:
    b: int32 = sorted(A)  # <- sorted
    return b


def k_rec(n: int32) -> int32:
    r: int32 = k_rec(n - 1)  # <- recursion
    return r


def k_break(A: int32[4]) -> int32:
    s: int32 = 0
    for i in range(4):
        if A[i] < 0:
            break  # <- break
        s += A[i]
    return s


def k_continue(A: int32[4]) -> int32:
    s: int32 = 0
    for i in range(4):
        if A[i] < 0:
            continue  # <- continue
        s += A[i]
    return s


def k_with(A: int32[4]) -> int32:
    s: int32 = 0
    with CTX:  # <- with
        s = A[0]
    return s


def k_global(a: int32) -> int32:
    global COUNTER  # <- global
    return a


def k_star_def(*args: int32) -> int32:  # <- star-def
    return 0


def add2(a: int32, b: int32) -> int32:
    return a + b


def k_star_call(A: int32[2]) -> int32:
    s: int32 = 0
    s = add2(*A)  # <- star-call
    return s


UNSUPPORTED = [
    (k_lambda, "lambda"),
    (k_try, "try"),
    (k_listcomp, "listcomp"),
    (k_print, "print"),
    (k_sorted, "sorted"),
    (k_rec, "recursion"),
    (k_break, "break"),
    (k_continue, "continue"),
    (k_with, "with"),
    (k_global, "global"),
    (k_star_def, "star-def"),
    (k_star_call, "star-call"),
]


@pytest.mark.parametrize("kernel,name", UNSUPPORTED, ids=[n for _, n in UNSUPPORTED])
def test_unsupported_construct(kernel, name):
    _check(kernel, name)


# ---------------------------------------------------------------- names, shapes, types


def k_undefined(a: int32) -> int32:
    b: int32 = a + 1
    return b + not_defined_anywhere  # noqa: F821  # <- undefined


def k_too_few_subscripts(A: int32[4, 4]) -> int32:
    s: int32 = 0
    for i in range(4):
        s += A[i]  # <- too-few
    return s


def k_too_many_subscripts(A: int32[4, 4]) -> int32:
    s: int32 = 0
    for i in range(4):
        s += A[i, i, 0]  # <- too-many
    return s


def k_const_oob(A: int32[4]) -> int32:
    s: int32 = A[0]
    s += A[4]  # <- oob
    return s


def k_const_oob_2d(A: int32[4, 3]) -> int32:
    s: int32 = A[0, 0]
    s += A[1, 3]  # <- oob-2d
    return s


def k_float_to_int_array(F: float32[4]) -> int32[4]:
    B: int32[4] = F  # <- float-array
    return B


ILL_TYPED = [
    (k_undefined, "undefined"),
    (k_too_few_subscripts, "too-few"),
    (k_too_many_subscripts, "too-many"),
    (k_const_oob, "oob"),
    (k_const_oob_2d, "oob-2d"),
    (k_float_to_int_array, "float-array"),
]


@pytest.mark.parametrize("kernel,name", ILL_TYPED, ids=[n for _, n in ILL_TYPED])
def test_ill_typed_kernel(kernel, name):
    _check(kernel, name)


def test_undefined_name_is_named_in_message():
    err = _check(k_undefined, "undefined")
    assert "not_defined_anywhere" in err.message


def test_error_line_of_a_nested_kernel_is_the_file_line():
    def nested(A: int32[4]) -> int32:
        s: int32 = 0
        for i in range(4):
            if A[i] > 2:
                break  # <- nested-break
            s += A[i]
        return s

    _check(nested, "nested-break")
