"""Kernel templates: one Python function, several concrete kernels.

Two spellings with one meaning. On Python 3.12 and later, PEP 695 type parameters:

    def gemm[T, M, N, K](A: "T[M, K]", B: "T[K, N]") -> "T[M, N]": ...

and on every supported Python (3.11 included) a decorator naming the parameters:

    @av.template("T", "M", "N", "K")
    def gemm(A: "T[M, K]", B: "T[K, N]") -> "T[M, N]": ...

A template is instantiated by `av.customize(gemm, instantiate=[int32, 32, 32, 32])`, or
called from another kernel as `gemm[int32, 32, 32, 32](A, B)`; an instance name as one extra
last argument, `gemm[int32, 32, 32, 32, "mm1"](A, B)`, makes a separate instance of the same
arguments. Parameters bind, for the instance only, as names the signature and the body see
(a parameter hides a global of the same name). Annotations of a template are always read
from its source with those bindings, never from what Python evaluated at `def` time.

Law: one template yields one `func.func` per distinct (arguments, instance name); the symbol
is `gemm_<instance name>` when named, else `gemm_<mangled arguments>` (`gemm_int32_32_32_32`),
and the template's own name when it is the top kernel. An instance name used twice with
different arguments is an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from allo_verify.errors import ScheduleUsageError
from allo_verify.lang.types import ArrayType, DType

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class TemplateError(ScheduleUsageError):
    """A template used wrongly (missing or bad arguments, a bad instance name). Inside a
    kernel it becomes a `FrontendError` at the offending subscript."""


@dataclass(frozen=True, eq=False)
class Template:
    """A kernel function with named parameters (the decorator spelling of a template)."""

    fn: Callable[..., Any]
    params: tuple[str, ...]

    @property
    def __name__(self) -> str:
        return self.fn.__name__

    def __getitem__(self, args: Any) -> Instance:
        return instantiate(self, args if isinstance(args, tuple) else (args,))

    def __call__(self, *args: Any, **kw: Any) -> Any:
        raise TemplateError(f"template '{self.__name__}' must be instantiated before it is "
                            f"called: {self.__name__}[{', '.join(self.params)}](...)")

    def __repr__(self) -> str:
        return f"<template {self.__name__}[{', '.join(self.params)}]>"


def template(*params: str) -> Callable[[Callable[..., Any]], Template]:
    """Decorator: `@template("T", "M")` makes the function a template over T and M (the
    spelling that works on Python 3.11; PEP 695 `def f[T, M](...)` means the same)."""
    if not params:
        raise TemplateError("template(...) needs at least one parameter name")
    for p in params:
        if not isinstance(p, str) or not _IDENT.match(p):
            raise TemplateError(f"template parameter names must be identifiers, got {p!r}")
    if len(set(params)) != len(params):
        raise TemplateError(f"template parameter names repeat: {list(params)}")

    def wrap(fn: Callable[..., Any]) -> Template:
        if isinstance(fn, Template) or not callable(fn) or not hasattr(fn, "__code__"):
            raise TemplateError(f"@template applies to a kernel function, got {fn!r}")
        if getattr(fn, "__type_params__", ()):
            raise TemplateError(f"'{fn.__name__}' already has PEP 695 type parameters; use "
                                "either them or @template, not both")
        return Template(fn, tuple(params))
    return wrap


def template_of(obj: Any) -> tuple[Callable[..., Any], tuple[str, ...]] | None:
    """`(function, parameter names)` when `obj` is a template (either spelling), else None."""
    if isinstance(obj, Template):
        return obj.fn, obj.params
    tps = getattr(obj, "__type_params__", ()) if callable(obj) else ()
    if tps and hasattr(obj, "__code__"):
        return obj, tuple(tp.__name__ for tp in tps)
    return None


@dataclass(frozen=True, eq=False)
class Instance:
    """A template with its arguments bound (and an optional instance name)."""

    fn: Callable[..., Any]
    params: tuple[str, ...]
    args: tuple[Any, ...]
    id: str | None = None
    source: Any = None  # the template as written: a `Template` or a PEP 695 function

    @property
    def template_name(self) -> str:
        return self.fn.__name__

    @property
    def __name__(self) -> str:
        inner = ", ".join(map(repr, self.args + ((self.id,) if self.id else ())))
        return f"{self.template_name}[{inner}]"

    def bindings(self) -> dict[str, Any]:
        return dict(zip(self.params, self.args, strict=True))

    def key(self) -> tuple[Any, ...]:
        """What makes two instances the same function."""
        return (id(self.fn), arg_key(self.args), self.id)

    def symbol(self) -> str:
        """The `func.func` symbol this instance gets when called from another kernel."""
        return f"{self.template_name}_{self.id if self.id else mangle(self.args)}"

    def __call__(self, *args: Any, **kw: Any) -> Any:
        raise TemplateError(f"{self.__name__} is a kernel instance: call it from inside "
                            "another kernel, or customize the template with instantiate=[...]")


def arg_key(args: Sequence[Any]) -> tuple[Any, ...]:
    """Template arguments compared by value and kind (`1` and `1.0` and `True` differ)."""
    return tuple((type(a).__name__, a) for a in args)


def mangle(args: Sequence[Any]) -> str:
    """A readable identifier fragment for template arguments: `int32_32_32_32`."""
    parts = []
    for a in args:
        text = repr(a) if isinstance(a, (DType, ArrayType)) else str(a)
        text = text.replace("-", "m").replace(".", "p")
        parts.append(re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_"))
    return "_".join(parts)


def check_arg(name: str, param: str, a: Any) -> None:
    """A template argument is a kernel type, an integer or a float."""
    if isinstance(a, bool) or not isinstance(a, (DType, ArrayType, int, float)):
        raise TemplateError(f"argument for parameter '{param}' of template '{name}' must be a "
                            f"kernel type, an int or a float, got {a!r}")


def instantiate(obj: Any, args: Sequence[Any], allow_id: bool = True) -> Instance:
    """The instance of template `obj` at `args` (one per parameter, then optionally an
    instance name); a wrong count, a bad argument or a bad name raises `TemplateError`."""
    found = template_of(obj)
    if found is None:
        raise TemplateError(f"{getattr(obj, '__name__', obj)!r} is not a kernel template")
    fn, params = found
    args = tuple(args)
    inst_id: str | None = None
    if allow_id and len(args) == len(params) + 1 and isinstance(args[-1], str):
        inst_id, args = args[-1], args[:-1]
        if not _IDENT.match(inst_id):
            raise TemplateError(f"instance name {inst_id!r} of template '{fn.__name__}' must "
                                "be an identifier")
    if len(args) != len(params):
        extra = " and optionally an instance name" if allow_id else ""
        raise TemplateError(f"template '{fn.__name__}' takes {len(params)} argument(s) "
                            f"[{', '.join(params)}]{extra}, got {len(args)}")
    for p, a in zip(params, args, strict=True):
        check_arg(fn.__name__, p, a)
    return Instance(fn, params, args, inst_id, obj)


def kernel_entry(fn: Any, instantiate_args: Sequence[Any] | None) -> Any:
    """What `customize(fn, instantiate=...)` builds: the function itself, or the instance of
    a template (which then keeps the template's name as its symbol)."""
    is_template = template_of(fn) is not None
    if instantiate_args is None:
        if is_template:
            _, params = template_of(fn)  # type: ignore[misc]
            raise TemplateError(f"'{fn.__name__}' is a template: customize it with "
                                f"instantiate=[{', '.join(params)}]")
        return fn
    if not is_template:
        raise TemplateError(f"instantiate= given, but '{getattr(fn, '__name__', fn)}' is not "
                            "a kernel template")
    if isinstance(instantiate_args, (str, bytes)) or not isinstance(instantiate_args,
                                                                    Sequence):
        raise TemplateError(f"instantiate= takes a list of template arguments, got "
                            f"{instantiate_args!r}")
    return instantiate(fn, instantiate_args, allow_id=False)


def python_function(fn: Any) -> Any:
    """The Python function behind a kernel, a template or an instance."""
    return fn.fn if isinstance(fn, (Template, Instance)) else fn


@dataclass(frozen=True)
class Origin:
    """Where a `func.func` came from: its Python function, and for a template instance the
    arguments and instance name (what `compose` selects by)."""

    fn: Any
    args: tuple[Any, ...] | None = None
    id: str | None = None
    kernel: Any = None  # what `customize` takes to build it again (the template itself)

    @property
    def name(self) -> str:
        return self.fn.__name__

    def describe(self, symbol: str) -> str:
        if self.args is None:
            return f"{symbol} (kernel {self.name})"
        inner = ", ".join(map(repr, self.args + ((self.id,) if self.id else ())))
        return f"{symbol} ({self.name}[{inner}])"


def origin_of(fn: Any) -> Origin:
    if isinstance(fn, Instance):
        return Origin(fn.fn, fn.args, fn.id, fn.source)
    return Origin(fn, kernel=fn)


def instance_at(builder: Any, node: Any) -> Instance:
    """The instance a kernel's `tmpl[args...]` (an `ast.Subscript`) names, its arguments
    evaluated at build time: constants, kernel types, names from the enclosing scopes (a
    template's own parameters included) and constant arithmetic on them."""
    import ast

    base = builder.static_value(node.value)
    if template_of(base) is None:
        raise builder.error(node, f"'{ast.unparse(node.value)}' is not a kernel template, so "
                                  f"'{ast.unparse(node)}' cannot be called")
    elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    args: list[Any] = []
    for e in elts:
        if isinstance(e, ast.Constant):
            v = e.value
        elif isinstance(e, ast.Name) and e.id in builder.symbols:
            raise builder.error(e, f"template argument '{e.id}' is a kernel variable; template "
                                   "arguments must be known when the kernel is built")
        elif isinstance(e, (ast.Name, ast.Attribute, ast.Call)):
            v = builder.static_value(e)
        else:
            v = builder.scalar(e)
        args.append(v)
    try:
        return instantiate(base, args)
    except TemplateError as err:
        raise builder.error(node, str(err)) from None


def unquote(node: Any) -> Any:
    """A string annotation (`"T[M, K]"`) as the expression it spells, placed at the string's
    position; any other annotation unchanged. A string that is not an expression is returned
    as is (evaluating it then reports it as not a kernel type)."""
    import ast

    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return node
    try:
        expr = ast.parse(node.value.strip(), mode="eval").body
    except SyntaxError:
        return node
    for n in ast.walk(expr):
        for attr in ("lineno", "end_lineno", "col_offset", "end_col_offset"):
            if attr in n._attributes:
                setattr(n, attr, getattr(node, attr))
    return expr
