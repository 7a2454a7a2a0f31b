"""C simulation: the emitted C++ compiled by g++ against the ap_types headers of the
installed `hls4ml` package, cached by the hash of the source, run in a subprocess.

One binary may hold several kernels (`prebuild`): each in its own namespace, chosen by the
first command-line argument, so a test suite compiles many kernels at once and every later
`csim` finds its kernel in the cache. The cache lives in `$XDG_CACHE_HOME/allo_verify/csim`
(default `~/.cache/...`); entries are written to a temporary name and renamed, so a crashed
or concurrent compile never leaves a broken binary behind.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import re
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from allo_verify.codegen.hls.helpers import STREAM_HEADER
from allo_verify.codegen.hls.testbench import TB_HEADER
from allo_verify.errors import AlloVerifyError

if TYPE_CHECKING:
    from allo_verify.codegen.hls.hls_module import HLSModule

CXX_FLAGS = ("-std=c++17", "-O2", "-ffp-contract=off", "-Wall", "-Wextra",
             "-DALLO_VERIFY_CSIM")
CACHE_VERSION = "1"
SOURCE_NAME = "csim_main.cpp"


class CSimError(AlloVerifyError):
    """C simulation could not run: a missing tool, a compile error, a crash."""


def ap_types_dir() -> Path:
    """The ap_types headers of the installed hls4ml package; CSimError if missing."""
    spec = importlib.util.find_spec("hls4ml")
    if spec is None or not spec.submodule_search_locations:
        raise CSimError("C simulation needs the ap_types headers shipped with hls4ml: "
                        "pip install 'allo-verify[csim]' (or pip install 'hls4ml>=1.3,<2')")
    for loc in spec.submodule_search_locations:
        d = Path(loc) / "templates" / "vivado" / "ap_types"
        if (d / "ap_int.h").is_file():
            return d
    raise CSimError("the installed hls4ml has no templates/vivado/ap_types/ap_int.h; "
                    "reinstall it: pip install --force-reinstall 'hls4ml>=1.3,<2'")


def compiler() -> str:
    """The g++ to use (`$CXX` if set); CSimError if there is none."""
    cxx = os.environ.get("CXX") or "g++"
    path = shutil.which(cxx)
    if path is None:
        raise CSimError(f"C simulation needs a C++17 compiler: '{cxx}' is not on PATH "
                        "(install g++, e.g. apt-get install g++)")
    return path


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    d = Path(base) / "allo_verify" / "csim"
    d.mkdir(parents=True, exist_ok=True)
    return d


@functools.cache
def _toolchain_id() -> str:
    cxx = compiler()
    version = subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout
    ap = ap_types_dir()
    return f"{CACHE_VERSION}|{cxx}|{version.splitlines()[0] if version else ''}|{ap}|" \
           f"{(ap / 'ap_int_base.h').stat().st_size}|{' '.join(CXX_FLAGS)}"


def module_key(mod: HLSModule) -> str:
    """The cache key of a module's C simulation."""
    text = "\n".join([_toolchain_id(), mod.prelude, mod.helpers, mod.body, mod.tb_body])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Binary:
    """A compiled C simulation: the executable, the selector of the kernel inside it, and
    the compiler's warnings."""

    path: Path
    selector: int
    log: str


def shared_header(mods: list[HLSModule]) -> str:
    """The headers every kernel of a batch includes (types, helpers' includes, testbench
    I/O): the part a precompiled header can hold."""
    head = max({m.prelude for m in mods}, key=len)
    if any(STREAM_HEADER in m.prelude for m in mods) and STREAM_HEADER not in head:
        head += "\n" + STREAM_HEADER  # a wide kernel's prelude and a streaming one's
    return head + "\n" + TB_HEADER


def combined_source(mods: list[HLSModule], include: str | None = None) -> str:
    """One translation unit holding every module of `mods` (namespaces m0, m1, ...) and a
    main that runs `tb_run` of the kernel chosen by argv[1]; with `include`, the shared
    header is included by that name instead of written out."""
    head = f'#include "{include}"' if include else shared_header(mods)
    parts = [head, '#pragma GCC diagnostic ignored "-Wunused-label"']
    cases = []
    for j, m in enumerate(mods):
        parts.append(f"namespace m{j} {{\n{m.helpers}\n{m.body}\n{m.tb_body}}}  // namespace m{j}")
        cases.append(f"    case {j}: return m{j}::tb_run(dir, trials);")
    parts.append("int main(int argc, char** argv) {\n"
                 "  if (argc < 2) return 2;\n"
                 "  int which = std::atoi(argv[1]);\n"
                 "  const char* dir = argc > 2 ? argv[2] : \"data\";\n"
                 "  int trials = argc > 3 ? std::atoi(argv[3]) : 1;\n"
                 "  switch (which) {\n" + "\n".join(cases) + "\n  }\n  return 2;\n}\n")
    return "\n\n".join(parts)


def _ref_path(key: str) -> Path:
    return cache_dir() / f"{key}.ref"


def lookup(mod: HLSModule) -> Binary | None:
    """The cached binary of `mod`, if any."""
    ref = _ref_path(module_key(mod))
    if not ref.is_file():
        return None
    path_text, selector = ref.read_text().rsplit("\n", 1)[0].split("\t")
    path = Path(path_text)
    if not path.is_file():
        return None
    log_path = path.with_suffix(".log")
    log = log_path.read_text() if log_path.is_file() else ""
    return Binary(path, int(selector), log)


def prebuild(mods: list[HLSModule], jobs: int = 1) -> list[Binary]:
    """Compile every module of `mods` not yet in the cache (into `jobs` binaries compiled
    concurrently); return the binary of each module (in order)."""
    missing = []
    seen: set[str] = set()
    for m in mods:
        key = module_key(m)
        if lookup(m) is None and key not in seen:
            missing.append(m)
            seen.add(key)
    if missing:
        jobs = max(1, min(jobs, len(missing)))
        chunks = [missing[j::jobs] for j in range(jobs)]
        if jobs == 1:
            _compile(missing)
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(jobs) as pool:
                for f in [pool.submit(_compile, c) for c in chunks]:
                    f.result()
    out = []
    for m in mods:
        b = lookup(m)
        if b is None:
            raise CSimError(f"C simulation of {m.top}: the compiled binary vanished from "
                            f"the cache {cache_dir()}")
        out.append(b)
    return out


PCH_NAME = "allo_verify_csim_pch.h"


def _precompiled(header: str) -> Path | None:
    """A folder holding `header` as PCH_NAME and its precompiled form (built once per
    header text and toolchain, renamed into the cache), or None when g++ cannot make it
    (the compile then reads the header as text; the result is the same)."""
    key = hashlib.sha256((_toolchain_id() + header).encode()).hexdigest()[:24]
    folder = cache_dir() / f"pch-{key}"
    if (folder / (PCH_NAME + ".gch")).is_file():
        return folder
    stage = Path(tempfile.mkdtemp(prefix=".pch.", dir=cache_dir()))
    try:
        (stage / PCH_NAME).write_text(header)
        cmd = [compiler(), *CXX_FLAGS, "-isystem", str(ap_types_dir()), "-x", "c++-header",
               str(stage / PCH_NAME), "-o", str(stage / (PCH_NAME + ".gch"))]
        if subprocess.run(cmd, capture_output=True).returncode != 0:
            return None
        try:
            os.replace(stage, folder)
        except OSError:  # built concurrently by another process: use theirs
            pass
        return folder if (folder / (PCH_NAME + ".gch")).is_file() else None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _compile(mods: list[HLSModule]) -> None:
    digest = hashlib.sha256((_toolchain_id() + combined_source(mods)).encode()).hexdigest()[:32]
    pch = _precompiled(shared_header(mods))
    source = combined_source(mods, PCH_NAME if pch is not None else None)
    cache = cache_dir()
    exe = cache / f"bin-{digest}"
    with tempfile.TemporaryDirectory(prefix="allo_csim_") as tmp:
        src = Path(tmp) / SOURCE_NAME
        src.write_text(source)
        out = Path(tmp) / "csim"
        include = ["-I", str(pch), "-Winvalid-pch"] if pch is not None else []
        cmd = [compiler(), *CXX_FLAGS, "-isystem", str(ap_types_dir()), *include, str(src),
               "-o", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            errors = [ln for ln in proc.stderr.splitlines() if "error" in ln][:10]
            raise CSimError("g++ could not compile the emitted C++ of "
                            f"{', '.join(m.top for m in mods)}:\n" + "\n".join(errors))
        log = proc.stderr.replace(str(src), SOURCE_NAME)
        tmp_exe = cache / f".{digest}.{os.getpid()}.tmp"
        shutil.copyfile(out, tmp_exe)
        tmp_exe.chmod(0o755)
        os.replace(tmp_exe, exe)
        tmp_log = cache / f".{digest}.{os.getpid()}.log.tmp"
        tmp_log.write_text(log)
        os.replace(tmp_log, exe.with_suffix(".log"))
    for j, m in enumerate(mods):
        ref = _ref_path(module_key(m))
        tmp_ref = ref.with_suffix(f".{os.getpid()}.tmp")
        tmp_ref.write_text(f"{exe}\t{j}\n")
        os.replace(tmp_ref, ref)


def generated_warnings(log: str, hls_pragmas: bool = False) -> list[str]:
    """The compiler warnings located in the generated source (not in the ap_types headers),
    one line each. g++ does not know `#pragma HLS` and says so (-Wunknown-pragmas, which a
    `#pragma GCC diagnostic` cannot silence before GCC 13); those are left out unless
    `hls_pragmas`."""
    pat = re.compile(rf"^{re.escape(SOURCE_NAME)}:\d+(?::\d+)?: warning: .*$", re.M)
    found = pat.findall(log)
    if not hls_pragmas:
        found = [w for w in found if "ignoring \u2018#pragma HLS" not in w
                 and "ignoring '#pragma HLS" not in w]
    return found


def _raise_stack() -> None:  # pragma: no cover - runs in the child process
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    want = 1 << 30
    if hard == resource.RLIM_INFINITY or hard >= want:
        if soft != resource.RLIM_INFINITY and soft < want:
            resource.setrlimit(resource.RLIMIT_STACK, (want, hard))


def run(binary: Binary, directory: Path, trials: int, timeout: float = 600.0) -> None:
    """Run the kernel's testbench on the input files in `directory`."""
    cmd = [str(binary.path), str(binary.selector), str(directory), str(trials)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              preexec_fn=_raise_stack)
    except subprocess.TimeoutExpired:
        raise CSimError(f"C simulation did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0:
        raise CSimError(f"C simulation exited with status {proc.returncode}: "
                        f"{proc.stderr.strip()[-500:]}")
