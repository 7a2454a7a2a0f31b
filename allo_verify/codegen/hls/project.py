"""Vitis HLS project folders: sources, testbench, `run.tcl` (classic `vitis_hls -f`) and
`hls_config.cfg` (`v++ -c --mode hls --config`), so the folder runs in either flow.

Writing is atomic: the folder is staged as a sibling and renamed into place; an existing
folder is replaced only once the new one is complete.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from allo_verify.codegen.hls.testbench import write_inputs
from allo_verify.errors import AlloVerifyError

if TYPE_CHECKING:
    from allo_verify.codegen.hls.hls_module import HLSModule

DEFAULT_PART = "xcu280-fsvh2892-2L-e"
DEFAULT_CLOCK_NS = 3.33
MODES = ("csim", "csyn", "cosim", "impl")


class VitisNotFoundError(AlloVerifyError):
    """A Vitis step was requested but neither vitis_hls nor v++ is on PATH."""


def run_tcl(mod: HLSModule, part: str, clock_ns: float, steps: tuple[str, ...]) -> str:
    """The classic Tcl script: project, sources, testbench, then the requested steps."""
    lines = [
        "# Vitis HLS project written by allo_verify: vitis_hls -f run.tcl",
        "open_project -reset prj",
        f"set_top {mod.top}",
        "add_files kernel.cpp -cflags \"-std=c++14\"",
        "add_files -tb testbench.cpp -cflags \"-std=c++14\"",
        "add_files -tb allo_verify_tb.h",
    ]
    lines.append("if {[file exists data]} { add_files -tb data }")
    lines += [
        "open_solution -reset solution1 -flow_target vitis",
        f"set_part {{{part}}}",
        f"create_clock -period {clock_ns} -name default",
    ]
    table = {"csim": "csim_design", "csyn": "csynth_design", "cosim": "cosim_design",
             "impl": "export_design -flow impl -format xo"}
    for s in steps:
        lines.append(table[s])
    if "impl" not in steps:
        lines.append("export_design -format xo")
    lines.append("exit")
    return "\n".join(lines) + "\n"


def hls_config(mod: HLSModule, part: str, clock_ns: float) -> str:
    """The config file of the unified flow: v++ -c --mode hls --config hls_config.cfg."""
    return "\n".join([
        "# Vitis unified HLS component written by allo_verify:",
        "#   v++ -c --mode hls --config hls_config.cfg --work_dir prj",
        f"part={part}",
        "",
        "[hls]",
        "flow_target=vitis",
        f"clock={clock_ns}ns",
        f"syn.top={mod.top}",
        "syn.file=kernel.cpp",
        "syn.file_cflags=kernel.cpp,-std=c++14",
        "tb.file=testbench.cpp",
        "tb.file=allo_verify_tb.h",
        "tb.file=data",
        "csim.argv=data 1",
        "package.output.format=xo",
        "",
    ])


def write_project(mod: HLSModule, directory: Path, inputs: tuple | None,
                  part: str | None, clock_ns: float | None,
                  steps: tuple[str, ...] = ("csim", "csyn", "cosim")) -> Path:
    """Write the project folder atomically (see the module docstring)."""
    part = part or DEFAULT_PART
    clock_ns = clock_ns or DEFAULT_CLOCK_NS
    directory = directory.resolve()
    directory.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        for name, text in mod.files().items():
            (stage / name).write_text(text)
        (stage / "run.tcl").write_text(run_tcl(mod, part, clock_ns, steps))
        (stage / "hls_config.cfg").write_text(hls_config(mod, part, clock_ns))
        data = stage / "data"
        data.mkdir()
        if inputs is not None:
            mod.check_args(tuple(inputs))
            write_inputs(data, 0, mod.sig, mod.params, tuple(inputs))
        old = None
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old.{os.getpid()}")
            os.replace(directory, old)
        os.replace(stage, directory)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return directory


def vitis_tool() -> list[str] | None:
    """How to run a Tcl script with the Vitis installation on PATH, or None."""
    if shutil.which("vitis_hls"):
        return ["vitis_hls", "-f", "run.tcl"]
    if shutil.which("v++"):
        return ["v++", "-c", "--mode", "hls", "--config", "hls_config.cfg", "--work_dir", "prj"]
    return None


def run_vitis(directory: Path, mode: str) -> subprocess.CompletedProcess[str]:
    """Run Vitis on a written project; VitisNotFoundError when it is not installed."""
    tool = vitis_tool()
    if tool is None:
        raise VitisNotFoundError(
            f"mode '{mode}' needs AMD Vitis HLS (vitis_hls or v++ on PATH), which is not "
            f"installed here; the project was written to {directory}: run "
            "`vitis_hls -f run.tcl` (or `v++ -c --mode hls --config hls_config.cfg`) there "
            "on a machine with Vitis. mod.csim() runs the C simulation with g++ instead.")
    return subprocess.run(tool, cwd=directory, capture_output=True, text=True)


def build_project(mod: HLSModule, mode: str | None, project: str | Path) -> HLSModule:
    """`s.build(target="vitis_hls", mode=..., project=...)`: write the project for `mode`
    (its run.tcl runs the steps up to it), then run Vitis on it (mode None or "project":
    write only). Returns the module."""
    if mode not in (*MODES, None, "project"):
        raise ValueError(f"unknown mode {mode!r}; available: {', '.join(MODES)}, 'project'")
    steps = {"csim": ("csim",), "csyn": ("csyn",), "cosim": ("csim", "csyn", "cosim"),
             "impl": ("csyn", "impl")}.get(mode or "", ("csim", "csyn", "cosim"))
    path = write_project(mod, Path(project), None, None, None, steps)
    if mode in (None, "project"):
        return mod
    proc = run_vitis(path, mode)
    if proc.returncode != 0:
        raise AlloVerifyError(f"Vitis {mode} failed (exit {proc.returncode}); see "
                              f"{path}: {proc.stdout[-400:]}")
    return mod
