# ruff: noqa: F821, B007 - streams are declared by annotation, as Allo writes them
"""Bad df.region usage stops with a FrontendError at the offending line of this file."""

from __future__ import annotations

import pytest

import allo_verify as allo
import allo_verify.dataflow as df
from allo_verify.errors import FrontendError
from allo_verify.ir.types import Stream, float32, int32


def refused(region: object, match: str, line_text: str) -> None:
    with pytest.raises(FrontendError, match=match) as e:
        df.customize(region)
    assert e.value.filename == __file__, e.value.filename
    assert line_text in e.value.source_line, (e.value.source_line, str(e.value))
    assert e.value.lineno > 0


def test_put_on_an_undeclared_stream() -> None:
    @df.region()
    def top(A: int32[4]):
        @df.kernel(mapping=[1], args=[A])
        def p(a: int32[4]):
            for i in range(4):
                nowhere.put(a[i])

    refused(top, "put on an undeclared stream 'nowhere'", "nowhere.put(a[i])")


def test_get_of_the_wrong_type() -> None:
    @df.region()
    def top(A: float32[4], B: float32[4]):
        s: Stream[float32, 2]

        @df.kernel(mapping=[1], args=[A])
        def p(a: float32[4]):
            for i in range(4):
                s.put(a[i])

        @df.kernel(mapping=[1], args=[B])
        def c(b: float32[4]):
            for i in range(4):
                x: int32 = s.get()
                b[i] = x

    refused(top, "get of the wrong type", "x: int32 = s.get()")


def test_mapping_not_a_list_of_ints() -> None:
    @df.region()
    def top(A: int32[4]):
        @df.kernel(mapping=[2.5], args=[A])
        def p(a: int32[4]):
            a[0] = 1

    refused(top, "mapping must be a list of positive ints", "mapping=[2.5]")


def test_region_body_with_computation() -> None:
    @df.region()
    def top(A: int32[4]):
        A[0] = 1

        @df.kernel(mapping=[1], args=[A])
        def p(a: int32[4]):
            a[1] = 1

    refused(top, "body holds only Stream declarations", "A[0] = 1")


def test_put_under_a_data_dependent_if() -> None:
    @df.region()
    def top(A: int32[4], B: int32[4]):
        s: Stream[int32, 2]

        @df.kernel(mapping=[1], args=[A])
        def p(a: int32[4]):
            for i in range(4):
                if a[i] > 0:
                    s.put(a[i])

        @df.kernel(mapping=[1], args=[B])
        def c(b: int32[4]):
            for i in range(4):
                b[i] = s.get()

    refused(top, "not supported: put on stream 's' inside a data-dependent if",
            "s.put(a[i])")


def test_put_in_a_triangular_loop() -> None:
    @df.region()
    def top(A: int32[4], B: int32[10]):
        s: Stream[int32, 2]

        @df.kernel(mapping=[1], args=[A])
        def p(a: int32[4]):
            for i in range(4):
                for j in range(i + 1):
                    s.put(a[j])

        @df.kernel(mapping=[1], args=[B])
        def c(b: int32[10]):
            for i in range(10):
                b[i] = s.get()

    refused(top, "not supported: put on stream 's' inside a loop whose bounds",
            "s.put(a[j])")


def test_two_put_statements_of_one_channel() -> None:
    @df.region()
    def top(A: int32[4], B: int32[8]):
        s: Stream[int32, 2]

        @df.kernel(mapping=[1], args=[A])
        def p(a: int32[4]):
            for i in range(4):
                s.put(a[i])
                s.put(a[i])

        @df.kernel(mapping=[1], args=[B])
        def c(b: int32[8]):
            for i in range(8):
                b[i] = s.get()

    refused(top, "not supported: stream s has 2 put statements", "s.put(a[i])")


def test_cycle_between_instances() -> None:
    @df.region()
    def top(A: int32[4]):
        s: Stream[int32, 2]
        t: Stream[int32, 2]

        @df.kernel(mapping=[1], args=[A])
        def p(a: int32[4]):
            for i in range(4):
                s.put(a[i])
                a[i] = t.get()

        @df.kernel(mapping=[1], args=[A])
        def c(a: int32[4]):
            for i in range(4):
                t.put(s.get())

    refused(top, "cycle through streams s, t", "def top(A: int32[4]):")


def test_stream_subscript_out_of_range() -> None:
    @df.region()
    def top(A: int32[4]):
        f: Stream[int32, 2][2]

        @df.kernel(mapping=[2], args=[A])
        def p(a: int32[4]):
            i = df.get_pid()
            with allo.meta_if(i == 0):
                f[i + 5].put(a[0])

    refused(top, "stream subscript 'f\\[i \\+ 5\\]'", "f[i + 5].put(a[0])")


def test_kernel_without_decorator() -> None:
    @df.region()
    def top(A: int32[4]):
        def p(a: int32[4]):
            a[0] = 1

    refused(top, "must be decorated with @df.kernel", "def p(a: int32[4]):")


def test_meta_condition_on_data_is_refused() -> None:
    @df.region()
    def top(A: int32[4]):
        @df.kernel(mapping=[1], args=[A])
        def p(a: int32[4]):
            with allo.meta_if(a[0] > 0):
                a[1] = 1

    refused(top, "is not a compile-time constant", "with allo.meta_if(a[0] > 0):")


def test_customize_of_a_plain_function_is_a_usage_error() -> None:
    from allo_verify.errors import ScheduleUsageError

    def f(A: int32[4]) -> None:
        pass

    with pytest.raises(ScheduleUsageError, match="expected a @df.region"):
        df.customize(f)
