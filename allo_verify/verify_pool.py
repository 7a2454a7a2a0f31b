"""Verifying designs on a pool of workers: one `concurrent.futures.Executor` over designs and
layers, local processes by default or a Dask cluster (`--executor dask://HOST:PORT`).

Laws:
- The results are those of verifying each design alone, in one process (`-j 1`), except
  timings: a worker loads a design file once (cached by path, size and modification time)
  and runs the same `Design.verify` on it; a design split over two tasks (L3, and every
  other layer) has its L3/CSIM entries merged into the other task's certificate.
- With at least as many files as workers, each file is one task (loaded, and its schedules
  replayed with their L1 checks, by one worker only), largest file first; with fewer files,
  each design is a task (and may be split by layers) so that every worker has work.
- Results come back keyed and ordered by design, whatever order the tasks finish in.
- In one worker process, tasks run one at a time: Z3 and the MLIR bindings are not
  thread-safe, and a Dask worker runs tasks on several threads by default. A cluster runs as
  many verifications at once as it has worker processes (`dask worker --nworkers N
  --nthreads 1` gives N per machine).
- Nothing a worker does escapes as a traceback: an error while loading or verifying is the
  design's (or the file's) message and exit code, as in one process; a task that could not
  run at all (a worker lost, a result that cannot be sent back) makes the design "not run"
  (exit 2, unknown) with the reason.
"""

from __future__ import annotations

import atexit
import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from allo_verify.errors import FrontendError, ScheduleError, ScheduleUsageError

# (certificate as a dict or None, error message, exit code): one design's outcome
Outcome = tuple[dict | None, str, int]
EXIT_UNKNOWN, EXIT_USAGE = 2, 3


class ExecutorSpecError(ValueError):
    """A malformed or unreachable `--executor` (the CLI exits 3 with the message)."""


def dask_address(spec: str) -> str:
    """The scheduler address `tcp://HOST:PORT` of `dask://HOST:PORT`; anything else raises
    `ExecutorSpecError` saying what is expected."""
    want = "expected dask://HOST:PORT (the address of a Dask distributed scheduler)"
    try:
        parts = urlsplit(spec)
        port = parts.port
    except ValueError as e:
        raise ExecutorSpecError(f"--executor {spec!r}: {e}; {want}") from None
    if parts.scheme != "dask" or not parts.hostname or port is None or \
            parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ExecutorSpecError(f"--executor {spec!r}: {want}")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"tcp://{host}:{port}"


# imported once by the fork server, so that each worker forked from it starts ready
PRELOAD = ["allo_verify.verify_pool", "allo_verify.design",
           "allo_verify.equiv.api", "allo_verify.schedule.schedule"]


def _process_context() -> Any:
    """Workers forked from a fork server that imported the toolkit once (a fresh, single-
    threaded process: forking it is safe, unlike forking this one), else spawned."""
    if "forkserver" not in get_all_start_methods():
        return get_context("spawn")
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    global _STOP_REGISTERED
    if not _STOP_REGISTERED:
        atexit.register(_stop_fork_server)
        _STOP_REGISTERED = True
    return ctx


_STOP_REGISTERED = False


def _stop_fork_server() -> None:
    """At exit: stop the fork server and wait for it (it has waited for the workers), so
    that its process is not left behind and the CPU time of every worker is counted in
    this process's children (`getrusage(RUSAGE_CHILDREN)`, as a benchmark reads it)."""
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        try:
            stop()
        except OSError:
            pass


@contextmanager
def open_executor(spec: str | None, jobs: int) -> Iterator[tuple[Executor, int]]:
    """The pool and how many tasks it runs at once: `jobs` local processes when `spec` is
    None, else a Dask cluster's executor and its worker processes (each runs one task at a
    time; the client is closed afterwards; the cluster is left running)."""
    if spec is None:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=_process_context()) as pool:
            yield pool, jobs
        return
    address = dask_address(spec)
    try:
        from distributed import Client
    except ImportError as e:
        raise ExecutorSpecError(f"--executor {spec}: Dask is not installed ({e}); install the "
                                "'dask' extra: pip install 'allo-verify[dask]'") from None
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise ExecutorSpecError(f"--executor {spec}: cannot reach a Dask scheduler at "
                                f"{address}: {e}") from None
    try:
        with client.get_executor(pure=False) as pool:
            yield pool, max(1, len(client.nthreads()))
    finally:
        client.close()


# ---- in a worker -------------------------------------------------------------------------
_ONE_AT_A_TIME = threading.RLock()  # file_task calls list_task


def one_at_a_time(task: Callable[..., Any]) -> Callable[..., Any]:
    """`task` holding this process's task lock: two tasks never run at once in one process,
    whatever threads the executor calls them on (Z3 and MLIR are not thread-safe)."""
    @functools.wraps(task)
    def run(*args: Any, **kwargs: Any) -> Any:
        with _ONE_AT_A_TIME:
            return task(*args, **kwargs)

    return run


_LOADED: dict[tuple[str, int, int], dict[str, Any]] = {}


def load_cached(path: str) -> dict[str, Any]:
    """The designs of `path`, loaded once per process while the file is unchanged (raises
    `DesignFailure` like `cli._load`)."""
    from allo_verify.design_files import _load

    st = Path(path).stat()
    key = (path, st.st_mtime_ns, st.st_size)
    if key not in _LOADED:
        for old in [k for k in _LOADED if k[0] == path]:
            del _LOADED[old]
        _LOADED[key] = _load(path)
    return _LOADED[key]


@one_at_a_time
def list_task(path: str, name: str | None) -> tuple[dict[str, bool] | None, str, int]:
    """In a worker: the file's chosen designs, each with whether its layers may be split
    over two tasks (not for a design whose schedule was refused), or (None, error, code)."""
    from allo_verify.design_files import DesignFailure, _pick

    try:
        designs = load_cached(path)
        names = _pick(designs, name, path)
    except DesignFailure as e:
        return None, str(e), e.code
    except Exception as e:  # noqa: BLE001 - an error is the file's verdict, not a traceback
        return None, f"{path}: loading failed: {type(e).__name__}: {e}", EXIT_USAGE
    return {n: getattr(designs[n], "refusal", None) is None for n in names}, "", 0


@one_at_a_time
def verify_task(path: str, name: str, opts: dict[str, Any]) -> Outcome:
    """In a worker: one design of `path` verified with `opts` (its layers)."""
    from allo_verify.design_files import DesignFailure

    try:
        designs = load_cached(path)
    except DesignFailure as e:
        return None, str(e), e.code
    except Exception as e:  # noqa: BLE001 - an error is the design's verdict
        return None, f"{path}: loading failed: {type(e).__name__}: {e}", EXIT_USAGE
    return verify_one(designs[name], opts, path, name)[1:]


@one_at_a_time
def file_task(path: str, name: str | None, opts: dict[str, Any]
              ) -> tuple[str, int] | dict[str, Outcome]:
    """In a worker: every chosen design of `path` verified with `opts`, loading the file
    once; (error, exit code) when the file cannot be loaded, as `-j 1` reports it."""
    names, err, code = list_task(path, name)
    if names is None:
        return err, code
    designs = load_cached(path)
    return {n: verify_one(designs[n], opts, path, n)[1:] for n in names}


def largest_first(files: list[str]) -> list[str]:
    """`files` ordered by decreasing size (ties in the given order): the cost of a file is
    not known before it is loaded, and a big file most often builds the most designs; a
    long task started last would leave the other workers idle at the end. An unreadable
    file sorts last (its task reports the error)."""
    def size(f: str) -> int:
        try:
            return Path(f).stat().st_size
        except OSError:
            return -1

    return sorted(files, key=lambda f: -size(f))


# ---- one design, in one process ----------------------------------------------------------
def run_layers(design: Any, opts: dict[str, Any], layers: tuple[str, ...]) -> Any:
    """The design's certificate for `layers` with the options of `opts`."""
    return design.verify(layers=layers, trials=opts["trials"], seed=opts["seed"],
                         allow_reassoc=opts["allow_reassoc"], tolerance=opts.get("tolerance"),
                         csim=bool(opts.get("csim")))


def verify_design(design: Any, opts: dict[str, Any]) -> dict[str, Any]:
    """The design's certificate as a dict (every layer of `opts`, in this process)."""
    return run_layers(design, opts, tuple(opts["layers"])).to_dict()


def verify_one(design: Any, opts: dict[str, Any], path: str, name: str
               ) -> tuple[str, dict | None, str, int]:
    """One design's (name, certificate, error, exit code): an error in one design (a usage
    mistake in a step, a crash) fails that design only."""
    from allo_verify.design_files import DesignFailure, _exit_code

    try:
        cert = verify_design(design, opts)
    except DesignFailure as e:
        return name, None, f"{name}: {e}", e.code
    except ScheduleUsageError as e:
        return name, None, f"{path}: {name}: schedule error: {e}", EXIT_USAGE
    except (FrontendError, ScheduleError) as e:
        return name, None, f"{path}: {name}: {e}", EXIT_USAGE
    except Exception as e:  # noqa: BLE001 - never let a crash read as refuted, nor stop others
        return name, None, f"{name}: verification failed: {type(e).__name__}: {e}", EXIT_USAGE
    return name, cert, "", _exit_code(cert)


# ---- the pool ----------------------------------------------------------------------------
def _outcome(fut: Future, what: str) -> Any:
    """A task's result; a task that could not run gives (None, reason, exit 2)."""
    try:
        return fut.result()
    except Exception as e:  # noqa: BLE001 - the pool failed, not the design: "not run"
        return None, f"{what}: not run: the worker failed: {type(e).__name__}: {e}", \
            EXIT_UNKNOWN


def _merge(main: Outcome, l3: Outcome) -> Outcome:
    """`main`'s certificate with the L3/CSIM entries of `l3` (which recorded L1 too)."""
    from allo_verify.design_files import _exit_code
    from allo_verify.equiv.certificate import Certificate

    if main[0] is None:
        return main
    if l3[0] is None:
        return l3
    cert = Certificate.from_dict(main[0])
    for entry in Certificate.from_dict(l3[0]).entries:
        if entry.layer in ("L3", "CSIM"):
            cert.add(entry)
    d = cert.to_dict()
    return d, "", _exit_code(d)


def verify_files(pool: Executor, files: list[str], name: str | None, opts: dict[str, Any],
                 done: Callable[[str], None] = lambda n: None, workers: int = 1
                 ) -> dict[str, tuple[str, int] | dict[str, Outcome]]:
    """Every chosen design of every file, verified on `pool`: per file, either (error,
    exit code) when the file could not be loaded, or its designs' outcomes in file order.
    With several files, at least as many as `workers`, each file is one task (a file is
    loaded, its schedules replayed and checked, by one worker only). Otherwise each design
    is a task, and when there are fewer designs than `workers`, a design whose layers
    include L3 and another layer runs as two tasks (with enough designs, splitting would
    only load each file in more workers)."""
    if 1 < len(files) and workers <= len(files):
        return _by_file(pool, files, name, opts, done)
    layers = list(opts["layers"])
    listed = {f: pool.submit(list_task, f, name) for f in files}
    found = {f: _outcome(listed[f], f) for f in files}
    count = sum(len(names) for names, _, _ in found.values() if names is not None)
    split = "L3" in layers and len(layers) > 1 and count < workers
    tasks: dict[str, dict[str, tuple[Future, Future | None]]] = {}
    out: dict[str, tuple[str, int] | dict[str, Outcome]] = {}
    for f in files:
        names, err, code = found[f]
        if names is None:
            out[f] = (err, code)
            continue
        tasks[f] = {}
        for n, splittable in names.items():
            if split and splittable:
                rest = {**opts, "csim": False, "layers": [x for x in layers if x != "L3"]}
                tasks[f][n] = (pool.submit(verify_task, f, n, rest),
                               pool.submit(verify_task, f, n, {**opts, "layers": ["L3"]}))
            else:
                tasks[f][n] = (pool.submit(verify_task, f, n, opts), None)
    for f, per in tasks.items():
        results: dict[str, Outcome] = {}
        for n, (main, l3) in per.items():
            got = _outcome(main, n)
            results[n] = got if l3 is None else _merge(got, _outcome(l3, n))
            done(n)
        out[f] = results
    return out


def _by_file(pool: Executor, files: list[str], name: str | None, opts: dict[str, Any],
             done: Callable[[str], None]) -> dict[str, tuple[str, int] | dict[str, Outcome]]:
    """`verify_files` with one task per file, submitted largest first."""
    futs = {f: pool.submit(file_task, f, name, opts) for f in largest_first(files)}
    out: dict[str, tuple[str, int] | dict[str, Outcome]] = {}
    for f in files:
        got = _outcome(futs[f], f)
        if isinstance(got, tuple) and len(got) == 3:  # the task itself failed: not run
            got = (got[1], got[2])
        if isinstance(got, dict):
            for n in got:
                done(n)
        out[f] = got
    return out
