"""`HLSModule`: the emitted C++ of one design, its project files and its C simulation."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from allo_verify.codegen import packing
from allo_verify.codegen.hls import csim as csim_mod
from allo_verify.codegen.hls.helpers import STREAM_HEADER
from allo_verify.codegen.hls.testbench import (
    TB_HEADER,
    TB_MAIN,
    ports,
    testbench_body,
    unpack,
    write_inputs,
)
from allo_verify.lang.signature import Signature
from allo_verify.lang.types import ArrayType

HEADER_NAME = "kernel.h"
KERNEL_NAME = "kernel.cpp"
TB_NAME = "testbench.cpp"
TB_HEADER_NAME = "allo_verify_tb.h"
STREAM_NAME = "allo_verify_stream.h"


def code_hash(code: str) -> str:
    """The SHA-256 of the emitted kernel source, as recorded in a CSIM entry's scope
    (`cxx_sha256`): a project is written only with the C++ whose hash C simulation recorded."""
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass
class HLSModule:
    """The Vitis HLS C++ of a design. `code` (= `str(mod)`) is kernel.cpp, `header` is
    kernel.h (types and the top's prototype); `csim(*args)` runs the C simulation with the
    LLVM simulation's calling convention; `write(dir)` writes a Vitis project folder."""

    sig: Signature
    top: str
    prelude: str
    helpers: str
    body: str
    prototype: str
    params: list[str]
    tb_body: str = field(init=False)

    def __post_init__(self) -> None:
        self.tb_body = testbench_body(self.sig, self.params, self.top)

    # ---- text ----------------------------------------------------------------------
    @property
    def header(self) -> str:
        guard = f"ALLO_VERIFY_{self.top.upper()}_H"
        return (f"#ifndef {guard}\n#define {guard}\n\n{self.prelude}\n{self.prototype}\n\n"
                f"#endif\n")

    @property
    def code(self) -> str:
        parts = [f'#include "{HEADER_NAME}"',
                 "// Loop labels name loops in the Vitis HLS reports; nothing jumps to them.",
                 '#pragma GCC diagnostic ignored "-Wunused-label"']
        if self.helpers:
            parts.append(self.helpers.rstrip())
        parts.append(self.body.rstrip())
        return "\n\n".join(parts) + "\n"

    @property
    def testbench(self) -> str:
        return (f'#include "{HEADER_NAME}"\n#include "{TB_HEADER_NAME}"\n\n'
                f"{self.tb_body}\n{TB_MAIN}")

    def __str__(self) -> str:
        return self.code

    def files(self) -> dict[str, str]:
        """The source files of the project (name -> text)."""
        return {KERNEL_NAME: self.code, HEADER_NAME: self.header, TB_NAME: self.testbench,
                TB_HEADER_NAME: TB_HEADER, STREAM_NAME: STREAM_HEADER}

    # ---- project ---------------------------------------------------------------------
    def write(self, directory: str | Path, inputs: tuple | None = None,
              part: str | None = None, clock_ns: float | None = None) -> Path:
        """Write the project folder (sources, testbench, run.tcl, hls_config.cfg and, with
        `inputs` (one argument tuple), the testbench's data/in0_*.bin), atomically: the
        folder is staged beside `directory` and renamed into place. Returns its path."""
        from allo_verify.codegen.hls.project import write_project

        return write_project(self, Path(directory), inputs, part, clock_ns)

    # ---- C simulation ----------------------------------------------------------------
    def csim(self, *args: Any) -> Any:
        """Run the C simulation once: arguments and results exactly as for the LLVM
        simulation (`s.build()`): arrays the kernel writes are updated in place; results:
        None, one value, or a tuple."""
        (results, arrays), = self.run_trials([args])
        for (arg, value), new in zip(self._arrays(args), arrays, strict=True):
            if not np.array_equal(np.asarray(value, dtype=object), np.asarray(new, dtype=object)):
                if not value.flags.writeable:
                    raise ValueError(f"argument '{arg}' is a read-only array but the kernel "
                                     "wrote to it")
                value[...] = new
        if not results:
            return None
        return results[0] if len(results) == 1 else tuple(results)

    def _arrays(self, args: tuple) -> list[tuple[str, np.ndarray]]:
        return [(a.name, v) for a, v in zip(self.sig.args, args, strict=True)
                if isinstance(a.type, ArrayType)]

    def check_args(self, args: tuple) -> None:
        """Validate arguments as the LLVM simulation does (TypeError / ValueError)."""
        sig = self.sig
        if len(args) != len(sig.args):
            raise TypeError(f"{sig.name}() takes {len(sig.args)} arguments, got {len(args)}")
        for a, v in zip(sig.args, args, strict=True):
            if isinstance(a.type, ArrayType):
                packing.check_array(a.name, v, a.type.dtype, a.type.shape)
            else:
                packing.check_scalar(a.name, v, a.type)

    def binary(self) -> csim_mod.Binary:
        """The compiled C simulation (compiled now unless cached)."""
        return csim_mod.prebuild([self])[0]

    def run_trials(self, trials: list[tuple]) -> list[tuple[list[Any], list[np.ndarray]]]:
        """Run the C simulation on each argument tuple of `trials` (one process for all);
        for each: (results, array arguments after the call). Nothing is written back."""
        for args in trials:
            self.check_args(args)
        binary = self.binary()
        table = ports(self.sig, self.params)
        with tempfile.TemporaryDirectory(prefix="allo_csim_run_") as tmp:
            d = Path(tmp)
            for t, args in enumerate(trials):
                write_inputs(d, t, self.sig, self.params, args)
            csim_mod.run(binary, d, len(trials))
            out = []
            for t in range(len(trials)):
                results: list[Any] = []
                arrays: list[np.ndarray] = []
                for k, (name, st, shape, role) in enumerate(table):
                    if role == "arg" and not shape:
                        continue
                    data = (d / f"out{t}_{name}.bin").read_bytes()
                    if role == "arg":
                        dtype = self.sig.args[k].type.dtype  # type: ignore[union-attr]
                        arrays.append(unpack(data, dtype, st, shape))
                        continue
                    r = self.sig.results[k - len(self.sig.args)]
                    if isinstance(r, ArrayType):
                        results.append(unpack(data, r.dtype, st, shape))
                    else:
                        v = unpack(data, r, st, (1,))[0]
                        elem = packing.elem_of(r)
                        results.append(int(v) if elem.is_int else elem.carrier.type(v))
                out.append((results, arrays))
        return out
