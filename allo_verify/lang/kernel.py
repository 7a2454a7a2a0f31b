"""Parsing a Python kernel function and assembling its MLIR module.

`build_kernel(fn)` returns a `Kernel`: the top function and every kernel it calls, each a
`func.func` in one module (a callee called twice is one function), plus the top function's
`Signature`. Names a kernel uses resolve, in order, to its own variables, the function's
closure, its module globals, then Python builtins.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from mlir.dialects import func, memref
from mlir.ir import (
    Attribute,
    Context,
    DenseElementsAttr,
    FunctionType,
    InsertionPoint,
    Location,
    Module,
    RankedTensorType,
    StringAttr,
    TypeAttr,
)

from allo_verify.errors import FrontendError
from allo_verify.lang.annotations import Annotated, Memory
from allo_verify.lang.dialects import design_context
from allo_verify.lang.loops import LoopKeyword
from allo_verify.lang.qualified import set_arg_memory
from allo_verify.lang.signature import Arg, Signature
from allo_verify.lang.statements import FunctionBuilder
from allo_verify.lang.templates import Instance, Origin, arg_key, origin_of, python_function
from allo_verify.lang.types import (
    ArrayType,
    DType,
    Fixed,
    Float,
    Index,
    Int,
    InvalidArrayType,
    to_fixed,
)
from allo_verify.lang.values import mlir_type


@dataclass
class SourceInfo:
    """Where a kernel's source lives, to place every node in the user's file."""

    filename: str
    first_line: int
    indent: int
    lines: list[str]

    def position(self, node: ast.AST) -> tuple[int, int]:
        line = getattr(node, "lineno", 1)
        return self.first_line + line - 1, getattr(node, "col_offset", 0) + self.indent

    def error(self, node: ast.AST, msg: str) -> FrontendError:
        line, col = self.position(node)
        rel = getattr(node, "lineno", 1) - 1
        text = self.lines[rel] if 0 <= rel < len(self.lines) else ""
        return FrontendError(msg, self.filename, line, col, text)


def parse_function(fn: Any) -> tuple[ast.FunctionDef, SourceInfo]:
    """The function's AST and the map from its nodes to file positions."""
    if not inspect.isfunction(fn):
        raise TypeError(f"expected a Python function, got {type(fn).__name__}")
    given = getattr(fn, "__allo_verify_ast__", None)  # a generated kernel (df.region lowering)
    if given is not None:
        return given
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError) as e:
        raise TypeError(f"cannot read the source of '{fn.__name__}': {e}") from None
    filename = inspect.getsourcefile(fn) or "<unknown>"
    indent = len(lines[0]) - len(lines[0].lstrip())
    tree = ast.parse(textwrap.dedent("".join(lines)))
    fdef = tree.body[0]
    src = SourceInfo(filename, first, indent, [ln.rstrip("\n") for ln in lines])
    if isinstance(fdef, ast.AsyncFunctionDef):
        raise src.error(fdef, f"'{fn.__name__}' is an async def; a kernel is a plain def")
    if not isinstance(fdef, ast.FunctionDef):
        raise src.error(fdef, f"'{fn.__name__}' is not defined by a def statement (a lambda "
                              "cannot be a kernel)")
    return fdef, src


def namespace_of(fn: Any) -> dict[str, Any]:
    ns = dict(fn.__globals__)
    if fn.__closure__:
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__, strict=True):
            try:
                ns[name] = cell.cell_contents
            except ValueError:
                pass
    return ns


@dataclass
class Kernel:
    """A parsed kernel: its MLIR module (owning context), signature and source file."""

    name: str
    sig: Signature
    module: Module
    context: Context
    filename: str
    functions: dict[str, Signature] = field(default_factory=dict)
    loop_keywords: list[LoopKeyword] = field(default_factory=list)  # applied by customize
    origins: dict[str, Origin] = field(default_factory=dict)  # symbol -> function/instance


def _key(fn: Any) -> Any:
    """Functions are one `func.func` per Python object; instances one per (args, name)."""
    return fn.key() if isinstance(fn, Instance) else id(fn)


class ModuleBuilder:
    """Owns the module under construction: functions by Python identity, constants."""

    def __init__(self) -> None:
        self.context = design_context()
        self.module = Module.create(Location.unknown(self.context))
        self.functions: dict[Any, tuple[str, Signature]] = {}
        self.origins: dict[str, Origin] = {}
        self.signatures: dict[str, Signature] = {}
        self.building: list[Any] = []
        self.returns_argument: dict[str, str] = {}  # function -> the argument it returns
        self.written_args: dict[str, set[str]] = {}  # function -> argument arrays it writes
        self.globals: dict[tuple, tuple[str, ArrayType]] = {}
        self.keep: list[Any] = []
        self.loop_keywords: list[LoopKeyword] = []

    def function_for(
        self, fn: Any, node: ast.AST | None, caller: SourceInfo | None
    ) -> tuple[str, Signature]:
        """The `func.func` symbol and signature of kernel `fn`, building it on first use."""
        if _key(fn) in self.functions:
            return self.functions[_key(fn)]
        if any(python_function(b) is python_function(fn) for b in self.building):
            chain = " -> ".join(f.__name__ for f in [*self.building, fn])
            assert caller is not None and node is not None
            raise caller.error(node, f"recursive kernel call ({chain}) is not supported")
        clash = _instance_name_clash(self.origins, fn)
        if clash:
            raise caller.error(node, clash) if caller and node else FrontendError(clash)
        self.building.append(fn)
        try:
            result = self._build(fn, is_top=not self.functions and len(self.building) == 1)
        finally:
            self.building.pop()
        return result

    def _build(self, fn: Any, is_top: bool) -> tuple[str, Signature]:
        inst = fn if isinstance(fn, Instance) else None
        pyfn = python_function(fn)
        fdef, src = parse_function(pyfn)
        ns = namespace_of(pyfn) | (inst.bindings() if inst else {})
        base = inst.symbol() if inst and not is_top else pyfn.__name__
        name = base
        k = 1
        while name in self.signatures:
            name = f"{base}_{k}"
            k += 1
        fb = FunctionBuilder(self, src, fdef, ns)
        fb.func_name = name
        fb.qualname = getattr(pyfn, "__qualname__", name)
        args: list[tuple[str, Any]] = []
        a = fdef.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs or a.defaults:
            raise src.error(fdef, "kernel arguments must be plain typed names (no *args, "
                                  "**kwargs, keyword-only or default values)")
        # a template's annotations mean something only with its bindings: read the source
        given = {} if inst else getattr(pyfn, "__annotations__", {})
        memories: dict[int, Memory] = {}
        for k, arg in enumerate(a.args):
            if arg.annotation is None:
                raise src.error(arg, f"argument '{arg.arg}' needs a type annotation")
            args.append((arg.arg, _annotation(fb, given.get(arg.arg), arg.annotation, src,
                                              f"argument '{arg.arg}'")))
            q = fb.qualifiers.get(id(arg.annotation))
            if q is not None and q.stateful:
                raise src.error(arg, f"argument '{arg.arg}' cannot be Stateful (declare the "
                                     "state as a local: 'x: T @ Stateful = init')")
            if q is not None and q.memory is not None:
                memories[k] = q.memory
        declared: list[Any] | None = None
        r = fdef.returns
        if r is not None and not (isinstance(r, ast.Constant) and r.value is None):
            value = given.get("return")
            if isinstance(r, ast.Tuple):
                parts = value if isinstance(value, tuple) and len(value) == len(r.elts) \
                    else [None] * len(r.elts)
                declared = [_annotation(fb, v, e, src) for v, e in zip(parts, r.elts,
                                                                        strict=True)]
            else:
                declared = [_annotation(fb, value, r, src)]
        self.signatures[name] = Signature(name, tuple(Arg(n, t) for n, t in args), ())
        with self.context, Location.file(src.filename, *src.position(fdef)):
            ftype = FunctionType.get([mlir_type(t) for _, t in args],
                                     [mlir_type(t) for t in declared or []])
            with InsertionPoint(self.module.body):
                fop = func.FuncOp(name, ftype)
            if not is_top:
                fop.attributes["sym_visibility"] = StringAttr.get("private")
            results = fb.build(fop, args, declared)
            for k, m in memories.items():
                if m.read_only and args[k][0] in fb.written_args:
                    raise src.error(a.args[k], f"argument '{args[k][0]}' is written by the "
                                               f"kernel but its Memory is the read-only "
                                               f"{m.storage_type}")
            set_arg_memory(fop, memories)
            self.written_args[name] = fb.written_args
            self.loop_keywords += fb.loop_keywords
            fop.attributes["function_type"] = TypeAttr.get(FunctionType.get(
                [mlir_type(t) for _, t in args], [mlir_type(t) for t in results]))
        sig = Signature(name, tuple(Arg(n, t) for n, t in args), tuple(results))
        self.signatures[name] = sig
        self.functions[_key(fn)] = (name, sig)
        self.origins[name] = origin_of(fn)
        self.keep.append(fn)
        return name, sig

    def list_constant(self, node: ast.AST, value: list, src: SourceInfo) -> np.ndarray:
        try:
            arr = np.array(value)
        except ValueError:
            raise src.error(node, "a nested-list initializer must be rectangular") from None
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            raise src.error(node, "a list initializer must hold numbers")
        return arr

    def global_constant(self, node: ast.AST, value: np.ndarray, dtype: DType | None,
                        src: SourceInfo) -> tuple[str, ArrayType]:
        """A private constant `memref.global` holding `value` converted to `dtype`."""
        arr = np.asarray(value)
        if dtype is None:
            dtype = _dtype_of_numpy(arr, node, src)
        t = ArrayType(dtype, tuple(int(d) for d in arr.shape))
        data = _convert(arr, dtype, node, src)
        key = (t, data.tobytes() if data.dtype != object else repr(data.tolist()))
        if key in self.globals:
            return self.globals[key]
        name = f"__const_{len(self.globals)}"
        with self.context, Location.unknown():
            attr = dense_initializer(data, t.shape, dtype)
            with InsertionPoint.at_block_begin(self.module.body):
                memref.GlobalOp(name, TypeAttr.get(mlir_type(t)), sym_visibility="private",
                                initial_value=attr, constant=True)
        self.globals[key] = (name, t)
        return name, t


def dense_initializer(data: np.ndarray, shape: tuple[int, ...], dtype: DType) -> Attribute:
    """The `dense<...>` initializer of a `memref.global` of `shape` x `dtype` holding `data`
    (the values as `_convert` stores them). Integers are written as decimal text, exact at
    any width; floats are taken from their buffer. Call inside an MLIR context."""
    tensor = RankedTensorType.get(list(shape), mlir_type(dtype))
    if isinstance(dtype, Float):
        return DenseElementsAttr.get(np.ascontiguousarray(data), type=tensor)
    body = np.array2string(np.asarray(data), separator=",", threshold=1 << 62,
                           max_line_width=1 << 30).replace("\n", "")
    return Attribute.parse(f"dense<{body}> : {tensor}")


def _instance_name_clash(origins: dict[str, Origin], fn: Any) -> str:
    """Why `fn` cannot be built: its instance name already names another instance of its
    template (one name, one instance); "" when it can."""
    if not isinstance(fn, Instance) or not fn.id:
        return ""
    for sym, o in origins.items():
        if o.fn is fn.fn and o.id == fn.id and arg_key(o.args or ()) != arg_key(fn.args):
            return (f"instance name '{fn.id}' of template '{fn.template_name}' is already "
                    f"used by {o.describe(sym)}; give {fn.__name__} another name")
    return ""


def _annotation(fb: FunctionBuilder, value: Any, node: ast.expr, src: SourceInfo,
                what: str = "the result") -> Any:
    """The kernel type a signature annotation denotes, read when the kernel is customized,
    from the same namespace as the annotations in the body (the function's closure and
    module globals), so a size changed between `def` and `customize` is seen by both.

    One case cannot be read then: a nested function whose annotation names a variable the
    body never uses; Python resolved it in the enclosing function when `def` ran and kept
    no reference to it. That annotation takes the value Python evaluated (`value`), which
    no body annotation can contradict (the body does not use the name)."""
    fn_names = _body_names(fb.fdef)
    nested = "<locals>" in fb.qualname
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    unreadable = nested and any(n not in fn_names for n in names)
    if unreadable and isinstance(value, (DType, ArrayType)):
        return value
    if isinstance(value, InvalidArrayType):
        raise src.error(node, f"{what}: annotation '{ast.unparse(node)}' is not a kernel "
                              f"type: {value.reason}")
    if value is not None and not isinstance(value, (str, DType, ArrayType, Annotated)):
        raise src.error(node, f"{what}: annotation '{ast.unparse(node)}' is not a kernel type")
    return fb.eval_type(node)


def _body_names(fdef: ast.FunctionDef) -> set[str]:
    """Every name the function's body uses (a name it shares with the signature resolves
    the same way in both: to the closure when the body captured it, else a global)."""
    return {n.id for s in fdef.body for n in ast.walk(s) if isinstance(n, ast.Name)}


def _dtype_of_numpy(arr: np.ndarray, node: ast.AST, src: SourceInfo) -> DType:
    kind, size = arr.dtype.kind, arr.dtype.itemsize * 8
    if kind == "b":
        return Int(1, signed=False)
    if kind in "iu":
        return Int(size, signed=kind == "i")
    if kind == "f" and size in (16, 32, 64):
        return Float(size)
    raise src.error(node, f"NumPy arrays of dtype {arr.dtype} cannot be used in kernels")


def _convert(arr: np.ndarray, t: DType, node: ast.AST, src: SourceInfo) -> np.ndarray:
    """Values of `arr` as `t` stores them (scaled integers for fixed point)."""
    if isinstance(t, Float):
        return arr.astype(t.np_dtype)
    if isinstance(t, Fixed):
        if arr.dtype.kind == "f":
            return to_fixed(arr, t)
        arr = arr.astype(object) * (1 << t.frac)
        t_int = t.storage
    elif isinstance(t, Index):
        t_int = Int(64)  # an index holds a 64-bit signed integer when run
    elif isinstance(t, Int):
        t_int = t
    else:
        raise src.error(node, f"cannot initialize values of type {t!r} from a constant")
    if arr.dtype.kind == "f":
        raise src.error(node, f"cannot initialize {t!r} values from floats")
    flat = [int(v) for v in np.asarray(arr).ravel()]
    bad = [v for v in flat if not t_int.min <= v <= t_int.max]
    if bad:
        raise src.error(node, f"initializer value {bad[0]} does not fit {t!r}")
    return np.array(flat, dtype=object).reshape(arr.shape)


def build_kernel(fn: Any) -> Kernel:
    """Parse `fn` and everything it calls into one verified MLIR module."""
    mb = ModuleBuilder()
    name, sig = mb.function_for(fn, None, None)
    with mb.context:
        if not mb.module.operation.verify():
            raise FrontendError(f"internal error: the module built for '{name}' does not verify")
    code = python_function(fn).__code__
    return Kernel(name, sig, mb.module, mb.context, getattr(code, "co_filename", "?"),
                  dict(mb.signatures), list(mb.loop_keywords), dict(mb.origins))
