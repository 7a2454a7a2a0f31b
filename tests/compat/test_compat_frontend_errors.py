"""Issue 14, item 5: frontend errors as Allo's tests expect them: a FrontendError whose
message starts with file:line of the offending statement in the user's file, for every
error path (unsupported node, type mismatch, unknown name, bad annotation, async def,
lambda). The bad annotations below are evaluated when this module is imported: that they
import at all is part of the test (they raised TypeError at import before)."""

import pytest

import allo_verify as allo
from allo_verify import int32

HERE = __file__


def bad_dim(A: int32[4.5], B: int32[4]) -> int32:
    return 0


def bad_result(A: int32[4]) -> int32[0]:
    return 0


def not_a_type(A: 5) -> int32:
    return 0


def bad_local(A: int32[4]) -> int32:
    x: int32[-1] = 0  # noqa: F841 - the annotation is the test
    return 0


async def asynchronous(A: int32[4]) -> int32:
    return 0


as_lambda = lambda A: 0  # noqa: E731 - the lambda is the test


def unknown_name(A: int32[4]) -> int32:
    return foo + 1  # noqa: F821 - the unknown name is the test


def mismatch(A: int32[4]) -> int32[4]:
    x: int32[3] = A  # noqa: F841 - the mismatch is the test
    return A


def unsupported(A: int32[4]) -> int32:
    y = [a for a in range(3)]  # noqa: F841
    return 0


def line_of(fn, text):
    import inspect

    lines, first = inspect.getsourcelines(fn)
    return first + next(k for k, ln in enumerate(lines) if text in ln)


@pytest.mark.parametrize(("fn", "text", "message"), [
    (bad_dim, "int32[4.5]", "argument 'A': annotation 'int32\\[4.5\\]' is not a kernel type: "
                            "array dimension must be a positive int, got 4.5"),
    (bad_result, "int32[0]", "the result: annotation 'int32\\[0\\]' is not a kernel type"),
    (not_a_type, "A: 5", "argument 'A': annotation '5' is not a kernel type"),
    (bad_local, "int32[-1]", "annotation 'int32\\[-1\\]' is not a kernel type"),
    (asynchronous, "async def", "'asynchronous' is an async def"),
    (as_lambda, "lambda", "not defined by a def statement"),
    (unknown_name, "foo", "name 'foo' is not defined"),
    (mismatch, "int32[3]", "cannot initialize int32\\[3\\] from int32\\[4\\]"),
    (unsupported, "for a in", "list comprehensions are not supported"),
])
def test_error_names_file_and_line(fn, text, message):
    with pytest.raises(allo.FrontendError, match=message) as e:
        allo.customize(fn)
    err = e.value
    assert err.filename == HERE and err.lineno == line_of(fn, text)
    assert str(err).startswith(f"{HERE}:{err.lineno}:")
    assert text.split("[")[0] in err.source_line
