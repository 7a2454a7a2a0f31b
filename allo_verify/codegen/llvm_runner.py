"""The LLVM simulation: a typed MLIR kernel compiled by the MLIR ExecutionEngine and
called on NumPy arrays.

    kernel = build_llvm(module, sig)      # module: mlir.ir.Module or its text
    out = kernel(A, B, 3)                 # None | value | array | tuple

How a call crosses into native code. `build_llvm` adds an entry function

    func.func @__allo_entry(<one memref per argument>, <one memref per result>)
        attributes {llvm.emit_c_interface}

that loads each scalar argument from a `memref<1xT>`, calls the kernel (whose memref
results buffer-results-to-out-params has turned into out parameters) and stores each
scalar result into a `memref<1xT>`. So every value, of any width (i1 ... i512, f16,
index), crosses as a memref buffer laid out by packing.py; nothing depends on how the C
ABI passes wide integers, and result buffers are allocated by the caller (no leaks).

Laws: the caller's module is never mutated (compilation works on a copy in a fresh
Context); arguments are fully validated before anything reaches native code; arrays the
kernel writes are updated in the user's array; each array result is a fresh array of its
own (that call's result buffer, handed over without a copy, so a call costs no copy of its
results); the same module text and signature give the same compiled kernel object (cache).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from mlir import ir
from mlir.execution_engine import ExecutionEngine
from mlir.passmanager import PassManager

from allo_verify.codegen import packing
from allo_verify.codegen.fast_llvm import mark_noalias, memref_ranks
from allo_verify.codegen.pipeline import (
    clone_module,
    find_func,
    lower_in_place,
    module_text,
    prepare_in_place,
)
from allo_verify.lang.signature import Signature
from allo_verify.lang.types import ArrayType

ENTRY = "__allo_entry"
OPT_LEVEL = 3  # bit-exact at any level: LLVM never reassociates floats without fast-math
CACHE_SIZE = 128

# i128 division and i128 <-> float conversions become calls to compiler
# runtime functions (__divti3, __modti3, __floattidf, __fixdfti, ...). They live in libgcc_s,
# which the Python process does not load by itself; libm functions are already loaded.
# The engine wants an absolute path (a bare soname is looked up relative to the cwd).


def _library_path(name: str) -> str | None:
    """Absolute path of the shared library `name` (e.g. "gcc_s") once loaded, or None."""
    soname = ctypes.util.find_library(name)
    if soname is None:
        return None
    try:
        ctypes.CDLL(soname)
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if path.startswith("/") and path.rsplit("/", 1)[-1] == soname:
                    return path
    except OSError:
        return None
    return None


_RUNTIME_LIBS: tuple[str, ...] = tuple(p for p in (_library_path("gcc_s"),) if p)


@dataclass
class _Compiled:
    """One compiled module: the Context, lowered module, pass managers and engine live and
    die together (the engine's code refers to all of them)."""

    context: ir.Context
    module: ir.Module
    passes: list[PassManager]
    engine: ExecutionEngine
    entry: Any  # the ctypes callable of the packed entry point
    text: str = field(repr=False)


class LLVMKernel:
    """A compiled kernel, callable on NumPy values: kernel(*args) -> None | value | tuple.

    Arguments follow `sig`: arrays as NumPy arrays of the carrier dtype and exact shape,
    scalars as Python/NumPy numbers. Array arguments the kernel writes are updated in
    place. Results: none -> None, one -> that value, several -> a tuple; integer scalars
    come back as Python ints, floats as NumPy floats of the declared width, arrays as
    new NumPy arrays (object arrays of Python ints for widths over 64)."""

    def __init__(self, sig: Signature, compiled: _Compiled) -> None:
        self.sig = sig
        self._compiled = compiled

    @property
    def engine(self) -> ExecutionEngine:
        """The ExecutionEngine behind this kernel (shared by every cache hit)."""
        return self._compiled.engine

    @property
    def llvm_module(self) -> ir.Module:
        """The lowered module (LLVM dialect) the engine was built from."""
        return self._compiled.module

    def __repr__(self) -> str:
        args = ", ".join(f"{a.name}: {a.type!r}" for a in self.sig.args)
        return f"<LLVMKernel {self.sig.name}({args})>"

    def __call__(self, *args: Any, fixed_as_float: bool = False) -> Any:
        """Run the kernel once. Every argument is validated (count, type, dtype, shape,
        range) before any native code runs; a failed check raises TypeError or ValueError
        naming the argument and leaves every array untouched. Arrays of another dtype and
        reals for fixed point are converted first, with range checks (`arg_convert.py`);
        with `fixed_as_float`, fixed-point results come back as float64 reals."""
        from allo_verify.codegen import arg_convert

        sig = self.sig
        if not isinstance(fixed_as_float, bool):
            raise TypeError(f"fixed_as_float must be True or False, got {fixed_as_float!r}")
        if len(args) != len(sig.args):
            names = ", ".join(a.name for a in sig.args)
            raise TypeError(f"{sig.name}() takes {len(sig.args)} argument"
                            f"{'' if len(sig.args) == 1 else 's'} ({names}), got {len(args)}")
        users = args
        converted: dict[int, Any] = {}
        args = list(args)
        for i, (arg, value) in enumerate(zip(sig.args, users, strict=True)):
            if isinstance(arg.type, ArrayType):
                args[i], copy = arg_convert.convert_array(arg.name, value, arg.type.dtype)
                if copy:
                    converted[i] = args[i].copy()
            else:
                args[i] = arg_convert.convert_scalar(value, arg.type, arg.name)
        scalars: dict[int, Any] = {}
        for i, (arg, value) in enumerate(zip(sig.args, args, strict=True)):
            if isinstance(arg.type, ArrayType):
                packing.check_array(arg.name, value, arg.type.dtype, arg.type.shape)
            else:
                scalars[i] = packing.check_scalar(arg.name, value, arg.type)
        arrays = [(a.name, v) for a, v in zip(sig.args, users, strict=True)
                  if isinstance(a.type, ArrayType) and isinstance(v, np.ndarray)]
        for k, (name_a, va) in enumerate(arrays):
            for name_b, vb in arrays[k + 1:]:
                if np.shares_memory(va, vb):
                    raise ValueError(f"{sig.name}(): arguments '{name_a}' and '{name_b}' share "
                                     "memory; a kernel's array arguments must be distinct arrays")
        buffers: list[packing.Buffer] = []
        for i, (arg, value) in enumerate(zip(sig.args, args, strict=True)):
            if isinstance(arg.type, ArrayType):
                buffers.append(packing.argument_buffer(
                    arg.name, value, arg.type.dtype, arg.type.shape))
            else:
                buffers.append(packing.scalar_buffer(scalars[i], arg.type))
        results = [
            packing.result_buffer(t.dtype, t.shape) if isinstance(t, ArrayType)
            else packing.result_buffer(t, (1,))
            for t in sig.results
        ]
        slots = [b.slot() for b in buffers + results]  # the buffers keep them alive
        packed = (ctypes.c_void_p * max(1, len(slots)))(*slots)
        self._compiled.entry(packed)
        errors: list[ValueError] = []
        for b in buffers:  # write back every argument, even if one of them cannot be
            try:
                b.write_back()
            except ValueError as err:
                errors.append(err)
        if errors:
            raise errors[0]
        for i, before in converted.items():
            arg_convert.write_back(users[i], args[i], before, sig.args[i].type.dtype)
        values = [
            r.values(copy=False) if isinstance(t, ArrayType) else packing.scalar_value(r)
            for t, r in zip(sig.results, results, strict=True)
        ]
        if fixed_as_float:
            values = arg_convert.results_as_float(values, list(sig.results))
        if not values:
            return None
        return values[0] if len(values) == 1 else tuple(values)


# ---------------------------------------------------------------- building

_cache: OrderedDict[str, LLVMKernel] = OrderedDict()
_lock = threading.Lock()


def cache_key(text: str, sig: Signature, opt_level: int = OPT_LEVEL, fast: bool = True) -> str:
    """The cache key of a module text compiled for `sig` at `opt_level` (`fast`: with the
    `fast_llvm` facts)."""
    return hashlib.sha256(f"{text}\n{sig!r}\n{opt_level}\n{fast}".encode()).hexdigest()


def clear_cache() -> None:
    """Forget every cached kernel (kernels already handed out keep working)."""
    with _lock:
        _cache.clear()


def build_llvm(module: ir.Module | str, sig: Signature, opt_level: int | None = None,
               fast: bool = True) -> LLVMKernel:
    """Compile `module` (which contains `func.func @<sig.name>`) for `sig`. The module is
    not mutated. Raises ValueError when the function's MLIR types disagree with `sig`.
    The same module (as given, or as printed by MLIR) for the same signature and options
    returns the same kernel object, compiled once; except a module with `allo.stateful`
    globals, whose every build is a new kernel with the initial state (state persists across
    the calls of one kernel object, never between builds). `opt_level` (default `OPT_LEVEL`)
    is LLVM's; `fast` adds the `fast_llvm` facts (noalias arrays, innermost loops kept
    rolled). Every choice computes the same bits (no fast-math)."""
    level = OPT_LEVEL if opt_level is None else opt_level
    if level not in (0, 1, 2, 3):
        raise ValueError(f"opt_level must be 0, 1, 2 or 3, got {opt_level!r}")
    text = module_text(module)
    if "allo.stateful" in text:  # state lives in the engine: each build starts afresh
        return LLVMKernel(sig, _compile(clone_module(text), sig, text, level, fast))
    key = cache_key(text, sig, level, fast)
    with _lock:
        hit = _cache.get(key)
        if hit is None:
            copy = clone_module(text)
            canonical = cache_key(str(copy), sig, level, fast)
            hit = _cache.get(canonical)
            if hit is None:
                hit = LLVMKernel(sig, _compile(copy, sig, text, level, fast))
                _remember(canonical, hit)
            _remember(key, hit)
        _cache.move_to_end(key)
        return hit


def _remember(key: str, kernel: LLVMKernel) -> None:
    _cache[key] = kernel
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)


def _expected_types(sig: Signature) -> tuple[list[str], list[str]]:
    return [a.type.mlir_str() for a in sig.args], [t.mlir_str() for t in sig.results]


def _func_types(func: ir.Operation) -> tuple[list[str], list[str]]:
    ftype = ir.TypeAttr(func.attributes["function_type"]).value
    return [str(t) for t in ftype.inputs], [str(t) for t in ftype.results]


def _check_signature(module: ir.Module, sig: Signature) -> None:
    func = find_func(module, sig.name)
    if func is None:
        raise ValueError(f"the module has no func.func @{sig.name}")
    if len(func.regions[0].blocks) == 0:
        raise ValueError(f"func.func @{sig.name} is only a declaration")
    got_in, got_out = _func_types(func)
    want_in, want_out = _expected_types(sig)
    if len(got_in) != len(want_in):
        raise ValueError(f"@{sig.name} takes {len(got_in)} arguments, the signature says "
                         f"{len(want_in)}")
    for arg, want, got in zip(sig.args, want_in, got_in, strict=True):
        if want != got:
            raise ValueError(f"argument '{arg.name}': the signature says {want}, "
                             f"@{sig.name} takes {got}")
    if want_out != got_out:
        raise ValueError(f"@{sig.name} returns ({', '.join(got_out)}), the signature says "
                         f"({', '.join(want_out)})")
    if find_func(module, ENTRY) is not None:
        raise ValueError(f"the module already defines @{ENTRY}")


def _entry_text(module: ir.Module, sig: Signature) -> str:
    """The entry function (see the module docstring) for the prepared kernel."""
    func = find_func(module, sig.name)
    assert func is not None
    call_in, call_out = _func_types(func)
    params: list[str] = []
    body: list[str] = ["    %c0 = arith.constant 0 : index"]
    operands: list[str] = []
    for i, arg in enumerate(sig.args):
        t = call_in[i]
        if isinstance(arg.type, ArrayType):
            params.append(f"%a{i}: {t}")
            operands.append(f"%a{i}")
        else:
            params.append(f"%a{i}: memref<1x{t}>")
            body.append(f"    %v{i} = memref.load %a{i}[%c0] : memref<1x{t}>")
            operands.append(f"%v{i}")
    outs = call_in[len(sig.args):]
    array_results = [j for j, t in enumerate(sig.results) if isinstance(t, ArrayType)]
    scalar_results = [j for j, t in enumerate(sig.results) if not isinstance(t, ArrayType)]
    if len(outs) != len(array_results) or len(call_out) != len(scalar_results):
        raise ValueError(f"@{sig.name}: unexpected signature after moving memref results to "
                         f"out parameters: ({', '.join(call_in)}) -> ({', '.join(call_out)})")
    out_of = dict(zip(array_results, outs, strict=True))
    for j, t in enumerate(sig.results):
        if j in out_of:
            params.append(f"%r{j}: {out_of[j]}")
            operands.append(f"%r{j}")
        else:
            params.append(f"%r{j}: memref<1x{t.mlir_str()}>")
    call = (f'func.call @"{sig.name}"({", ".join(operands)}) : '
            f'({", ".join(call_in)}) -> ({", ".join(call_out)})')
    body.append(f"    %res:{len(call_out)} = {call}" if call_out else f"    {call}")
    for k, j in enumerate(scalar_results):
        body.append(f"    memref.store %res#{k}, %r{j}[%c0] : memref<1x{call_out[k]}>")
    body.append("    return")
    head = f"  func.func @{ENTRY}({', '.join(params)}) attributes {{llvm.emit_c_interface}} {{"
    return "\n".join([head, *body, "  }"])


def _with_entry(module: ir.Module, sig: Signature) -> ir.Module:
    """`module` plus the entry function, re-parsed in the same Context."""
    text = str(module)
    end = text.rindex("}")
    with module.context, ir.Location.unknown():
        return ir.Module.parse(text[:end] + _entry_text(module, sig) + "\n" + text[end:])


def _missing_symbols(module: ir.Module) -> list[str]:
    """External functions the lowered module calls that no loaded library provides."""
    names = re.findall(r"llvm\.func @([\w$.]+)\([^)]*\)[^{\n]*$", str(module), re.M)
    libs = [ctypes.CDLL(None)] + [ctypes.CDLL(lib) for lib in _RUNTIME_LIBS]
    return [n for n in names if not any(hasattr(lib, n) for lib in libs)]


def _compile(module: ir.Module, sig: Signature, text: str, opt_level: int = OPT_LEVEL,
             fast: bool = True) -> _Compiled:
    """Compile the fresh copy `module` (consumed) of `text` for `sig`."""
    _check_signature(module, sig)
    passes = prepare_in_place(module)
    module = _with_entry(module, sig)
    kernel = find_func(module, sig.name)
    assert kernel is not None
    ranks = memref_ranks(kernel)  # after prepare: memref results are out parameters
    passes += lower_in_place(module, keep_loops=fast)
    if fast:  # sound: __call__ refuses arrays that share memory; results are fresh buffers
        mark_noalias(module, sig.name, ranks)
    with module.context:
        engine = ExecutionEngine(module, opt_level=opt_level, shared_libs=list(_RUNTIME_LIBS))
    if not engine.raw_lookup("_mlir_ciface_" + ENTRY):
        missing = _missing_symbols(module)
        why = f"unresolved symbols: {', '.join(missing)}" if missing else "unknown reason"
        raise RuntimeError(f"the JIT could not materialize @{sig.name} ({why})")
    return _Compiled(module.context, module, passes, engine, engine.lookup(ENTRY), text)
