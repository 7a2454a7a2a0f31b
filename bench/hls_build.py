"""HLS C++ emission, g++ compile and C simulation time of each example design, printed
against the LLVM build (MLIR -> JIT) and LLVM run time measured in the same run.

    PYTHONPATH=. python bench/hls_build.py

Compiles in a fresh cache directory (so the compile is cold), runs each design once on
random inputs through both simulations and says whether they agreed. A benchmark, not a
test: it prints numbers and never fails on them.
"""

import importlib
import os
import pathlib
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import allo_verify as av  # noqa: E402
from allo_verify.codegen import llvm_runner  # noqa: E402
from allo_verify.codegen.hls import emit_hls  # noqa: E402
from allo_verify.codegen.hls.check import compare_outputs  # noqa: E402
from allo_verify.lang.types import ArrayType, Float  # noqa: E402


def random_args(sig, rng):
    args = []
    for a in sig.args:
        t = a.type
        dtype = t.dtype if isinstance(t, ArrayType) else t
        shape = t.shape if isinstance(t, ArrayType) else ()
        if isinstance(dtype, Float):
            v = rng.standard_normal(shape).astype(dtype.np_dtype)
        else:
            v = rng.integers(-100, 100, shape).astype(dtype.np_dtype)
        args.append(v if shape else v.item())
    return tuple(args)


def designs():
    for path in sorted((ROOT / "examples").glob("*.py")):
        mod = importlib.import_module(f"examples.{path.stem}")
        for name, obj in vars(mod).items():
            if isinstance(obj, av.Schedule):
                yield f"{path.stem}.{name}", obj


def main() -> None:
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="allo_bench_cache_")
    rng = np.random.default_rng(0)
    head = (f"{'design':36} {'emit':>8} {'g++':>8} {'csim':>8} {'llvm build':>11} "
            f"{'llvm run':>9} {'g++/llvm':>9}  agree")
    print(head)
    print("-" * len(head))
    for name, s in designs():
        llvm_runner.clear_cache()
        t0 = time.perf_counter()
        kernel = llvm_runner.build_llvm(s.module, s.sig)
        build = time.perf_counter() - t0
        args = random_args(s.sig, rng)
        t0 = time.perf_counter()
        mod = emit_hls(s.module, s.sig)
        emit = time.perf_counter() - t0
        t0 = time.perf_counter()
        mod.binary()
        gxx = time.perf_counter() - t0
        t0 = time.perf_counter()
        ((c_results, c_arrays),) = mod.run_trials([args])
        csim = time.perf_counter() - t0
        fresh = tuple(np.copy(v) if isinstance(v, np.ndarray) else v for v in args)
        t0 = time.perf_counter()
        res = kernel(*fresh)
        run = time.perf_counter() - t0
        results = [] if res is None else (list(res) if len(s.sig.results) > 1 else [res])
        after = [v for a, v in zip(s.sig.args, fresh, strict=True)
                 if isinstance(a.type, ArrayType)]
        names = [a.name for a in s.sig.args if isinstance(a.type, ArrayType)]
        names += [f"result {k}" for k in range(len(s.sig.results))]
        same = compare_outputs(s.sig, names, after + results, c_arrays + c_results) is None
        print(f"{name:36} {emit * 1e3:6.1f}ms {gxx:7.2f}s {csim * 1e3:6.1f}ms "
              f"{build * 1e3:9.1f}ms {run * 1e3:7.2f}ms {gxx / build:9.1f}  "
              f"{'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
