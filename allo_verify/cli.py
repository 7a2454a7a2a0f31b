"""The `allo-verify` command: verified builds, CI gates, reports for reviewers.

Exit codes (every subcommand), from the verdict rule (README "The verdict rule"):
  0  proved: every step proved by L1, or L2 proved the whole kernel, and every hardware
     annotation (parallel, pipeline, unroll) proved by L1
  1  refuted (a counterexample exists; with --csim, also the emitted C++ differing from
     the LLVM simulation), or a schedule step refused by its checker
  2  unknown or not run: nothing was refuted, but the design is not proved
  3  bad usage, a Python or frontend error in the design, a step naming a loop or buffer
     that does not exist, or `diff` of certificates of different kernels
A design file's designs are verified one by one: each gets its verdict and reports, and the
exit code is the worst of them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from allo_verify.design_files import (  # noqa: F401 - re-exported for callers of the CLI
    EXIT_OK,
    EXIT_REFUTED,
    EXIT_UNKNOWN,
    EXIT_USAGE,
    DesignFailure,
    _exit_code,
    _load,
    _pick,
)
from allo_verify.errors import ScheduleUsageError

ALL_FORMATS = ("md", "html", "json", "junit")


class UsageError(Exception):
    """Bad command-line usage (exit 3)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would exit 2, which means "unknown"
        raise UsageError(f"{self.prog}: {message}")


def _status(cert: dict[str, Any]) -> str:
    from allo_verify.equiv.verdict import verdict

    return verdict(cert).status


def _say(msg: str = "") -> None:
    """Print to standard output; a reader that went away (`| head`) is not an error: the
    rest of the output is dropped and the exit code still says what was verified."""
    try:
        print(msg, flush=True)
    except BrokenPipeError:
        _drop_stdout()


def _drop_stdout() -> None:
    """Send the rest of standard output to /dev/null (also at exit, when Python flushes)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file: replace the object
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process exits
    finally:
        os.close(devnull)


def _check_out(out: str, flag: str = "--out") -> Path:
    """An output directory that can be created: validated before any work is done."""
    path = Path(out)
    for p in [path, *path.parents]:
        if p.exists():
            if not p.is_dir():
                what = "is a file" if p == path else f"is inside {p}, which is a file"
                raise UsageError(f"{flag} {out} {what}, not a directory")
            if not os.access(p, os.W_OK):
                raise UsageError(f"{flag} {out}: {p} is not writable")
            break
    return path


# ---- verify ------------------------------------------------------------------------------
def cmd_verify(args: argparse.Namespace) -> int:
    formats = _formats(args.format)
    if formats:
        _check_out(args.out)
    opts = {"layers": args.layers.split(","), "trials": args.trials, "seed": args.seed,
            "allow_reassoc": args.allow_reassoc, "tolerance": args.tolerance,
            "csim": args.csim}
    files = [str(Path(f).resolve()) for f in args.design]
    with _progress("verifying") as progress:
        if args.jobs > 1 or args.executor:  # one pool over every file, design and layer
            from allo_verify.verify_pool import ExecutorSpecError, open_executor, verify_files

            try:
                with open_executor(args.executor, args.jobs) as (pool, workers):
                    per_file = verify_files(pool, files, args.schedule, opts, progress,
                                            workers)
            except ExecutorSpecError as e:
                raise UsageError(str(e)) from None
        else:
            from allo_verify.verify_pool import verify_one

            per_file = {}
            for f, given in zip(files, args.design, strict=True):
                try:
                    designs = _load(given)
                    names = _pick(designs, args.schedule, given)
                except DesignFailure as e:
                    per_file[f] = (str(e), e.code)
                    continue
                per_file[f] = {n: verify_one(designs[n], opts, f, n)[1:] for n in names}
    if len(files) == 1 and isinstance(per_file[files[0]], tuple):
        raise DesignFailure(*per_file[files[0]])  # one file: as it always was
    code = EXIT_OK
    summaries = {}
    for f in files:
        got = per_file[f]
        if isinstance(got, tuple):  # the file could not be loaded: its message, its code
            if got[1] == EXIT_USAGE:
                print(got[0], file=sys.stderr)
            else:
                _say(got[0])
            code = _worse(code, got[1])
            continue
        for n, (cert, err, c) in got.items():
            stem = n if len(files) == 1 else f"{Path(f).stem}.{n}"
            if cert is None:
                _say(err)
                code = _worse(code, c)
                continue
            written = _write(cert, Path(args.out), formats, stem)
            summaries[stem] = {"status": _status(cert), "claim": cert["claim"],
                               "reports": [str(p) for p in written]}
            if not args.json:
                _say(_summary(stem, cert, written))
            code = _worse(code, _exit_code(cert))
    if args.json:
        _say(json.dumps({"designs": summaries, "exit_code": code}, sort_keys=True, indent=2))
    return code


def _worse(a: int, b: int) -> int:
    """The more severe exit code: usage > refuted > unknown > ok."""
    rank = {EXIT_OK: 0, EXIT_UNKNOWN: 1, EXIT_REFUTED: 2, EXIT_USAGE: 3}
    return a if rank[a] >= rank[b] else b


def _formats(text: str) -> list[str]:
    fmts = [f.strip() for f in text.split(",") if f.strip()]
    bad = [f for f in fmts if f not in ALL_FORMATS]
    if bad:
        raise UsageError(f"unknown format(s) {bad}; valid: {', '.join(ALL_FORMATS)}")
    return fmts


def _write(cert: dict[str, Any], out: Path, formats: list[str], stem: str) -> list[Path]:
    from allo_verify.report.writers import write_reports

    return write_reports(cert, out, formats, stem) if formats else []


def _summary(name: str, cert: dict[str, Any], written: list[Path]) -> str:
    from allo_verify.equiv.verdict import verdict
    from allo_verify.report.claims import entry_claim, statement_refs

    v = verdict(cert)
    lines = [f"{name}: {v.status.upper()} ({cert['claim']})"]
    lines += [f"  because {r}" for r in v.reasons]
    for st in cert.get("schedule_log") or []:
        if isinstance(st, dict) and st.get("refused"):
            lines.append(f"  refused step {st.get('label', st.get('primitive'))}:")
            lines += ["    " + ln for ln in str(st.get("reason", "")).splitlines()]
        elif isinstance(st, dict) and st.get("unchecked"):
            lines.append(f"  unchecked step (the user opted in): "
                         f"{st.get('label', st.get('primitive'))}")
    entries = cert["entries"]
    l1 = [e for e in entries if e["layer"] == "L1"]
    if l1:
        by: dict[str, int] = {}
        for e in l1:
            by[e["result"]["status"]] = by.get(e["result"]["status"], 0) + 1
        counts = ", ".join(f"{v} {k}" for k, v in sorted(by.items()))
        lines.append(f"  L1  {len(l1)} obligations over {len(cert['schedule_log'])} steps: "
                     f"{counts} (each for this instance)")
    for e in entries:
        if e["layer"] != "L1":
            lines.append(f"  {e['layer']}  {entry_claim(e)}")
    for e in entries:
        cex = e["result"].get("counterexample")
        if cex:
            lines.append(f"  counterexample ({e['layer']} {e['name']}):")
            lines += ["    " + ln for ln in _cex_text(cex).splitlines()]
            lines += [f"    statement {ref}" for ref in
                      statement_refs(cert.get("statements"), e["name"], cex.get("note"))]
        elif e["layer"] == "L1" and e["result"]["status"] in ("unknown", "not_run"):
            lines.append(f"  {e['layer']} {e['name']}: {e['result']['status']}: "
                         f"{e['result'].get('reason', '')}")
    from allo_verify.report.estimate import estimate_line

    lines += [f"  {ln}" for ln in estimate_line(cert)]
    if written:
        lines.append(f"  reports: {', '.join(str(p) for p in written)}")
    return "\n".join(lines)


def _cex_text(cex: dict[str, Any]) -> str:
    from allo_verify.equiv.results import Counterexample

    return str(Counterexample.from_dict(cex))


class _progress:  # noqa: N801 - used as a context manager
    """A spinner on a terminal (stderr), nothing otherwise."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.status: Any = None

    def __enter__(self) -> Any:
        if sys.stderr.isatty():
            from rich.console import Console

            self.status = Console(stderr=True).status(self.text)
            self.status.__enter__()
        return self.update

    def update(self, done: str) -> None:
        if self.status is not None:
            self.status.update(f"{self.text}: {done} done")

    def __exit__(self, *exc: Any) -> None:
        if self.status is not None:
            self.status.__exit__(*exc)


# ---- build -------------------------------------------------------------------------------
def cmd_build(args: argparse.Namespace) -> int:
    _check_out(args.out)
    designs = _load(args.design)
    names = _pick(designs, args.schedule, args.design)
    if len(names) != 1:
        raise DesignFailure(f"{args.design} has several designs ({', '.join(names)}); pick one "
                            "with --schedule NAME", EXIT_USAGE)
    name = names[0]
    design = designs[name]
    refusal = getattr(design, "refusal", None)
    if refusal is not None:  # never build (even unverified) a design missing a step
        code = EXIT_USAGE if isinstance(refusal, ScheduleUsageError) else EXIT_REFUTED
        raise DesignFailure(f"{args.design}: {name}: a schedule step was refused, nothing "
                            f"built:\n{refusal}", code)
    out = Path(args.out)
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if not p.name.startswith(f"{name}."))
        if foreign:
            raise UsageError(f"--out {out} holds other files ({', '.join(foreign[:5])}); build "
                             "replaces the whole directory: choose a new or empty one")
    files: dict[str, str] = {}
    from allo_verify.design import Equivalence

    module = design.module if not isinstance(design, Equivalence) else None
    if isinstance(design, Equivalence):
        from allo_verify.equiv.api import module_and_sig

        module = module_and_sig(design.implementation)[0]
    files[f"{name}.mlir"] = str(module)
    log = design.log() if not isinstance(design, Equivalence) else []
    files[f"{name}.schedule.json"] = json.dumps(log, sort_keys=True, indent=2) + "\n"
    code = EXIT_OK
    hls = args.target == "vhls"
    if args.no_verify:
        files[f"{name}.UNVERIFIED.txt"] = (
            "This design was written with --no-verify: no layer checked it.\n")
        _say(f"{name}: NOT VERIFIED (--no-verify)")
    else:
        opts = {"layers": args.layers.split(","), "trials": args.trials, "seed": args.seed,
                "allow_reassoc": args.allow_reassoc, "tolerance": args.tolerance,
                "csim": args.csim or hls}
        from allo_verify.verify_pool import verify_design

        cert = verify_design(design, opts)
        code = _exit_code(cert)
        _say(_summary(name, cert, []))
        if code != EXIT_OK:
            _say(f"{name}: not built: verification did not pass (nothing written)")
            return code
        files[f"{name}.cert.json"] = json.dumps(cert, sort_keys=True, indent=2) + "\n"
    extra = None
    if hls:
        from allo_verify.hls_build import csim_gate, project_writer

        why = csim_gate(cert)
        if why is not None:
            _say(f"{name}: not built: the HLS project is written only when C simulation "
                 f"agrees, and {why} (nothing written)")
            return EXIT_UNKNOWN
        extra = project_writer(design, cert, name, args.seed)
    write_directory(out, files, extra)
    made = sorted(files) + ([f"{name}.hls/ (Vitis HLS project)"] if hls else [])
    _say(f"{name}: wrote {', '.join(str(out / f) for f in made)}")
    return code


def write_directory(out: Path, files: dict[str, str], extra: Any = None) -> None:
    """Make `out` hold exactly `files` (and what `extra(stage)` writes, e.g. the HLS
    project), atomically: staged in a sibling temporary directory, then swapped in by
    rename, so a failure never leaves a half-written directory."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    stage.chmod(0o777 & ~umask)  # mkdtemp's private 0700 would become the output's mode
    try:
        for fname, text in files.items():
            (stage / fname).write_text(text)
        if extra is not None:
            extra(stage)
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old.{os.getpid()}"
            os.replace(out, old)
        os.replace(stage, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


# ---- report and diff ---------------------------------------------------------------------
def _read_cert(path: str) -> dict[str, Any]:
    try:
        cert = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise UsageError(f"{path}: cannot read certificate: {e}") from None
    if not isinstance(cert, dict) or not isinstance(cert.get("entries"), list):
        raise UsageError(f"{path}: not an allo-verify certificate (no 'entries' list)")
    return cert


def cmd_report(args: argparse.Namespace) -> int:
    from allo_verify.report.html import to_html
    from allo_verify.report.markdown import to_markdown

    if args.out and Path(args.out).is_dir():
        raise UsageError(f"--out {args.out} is a directory; report writes one file")
    cert = _read_cert(args.cert)
    title = Path(args.cert).stem
    text = to_html(cert, title) if args.format == "html" else to_markdown(cert, title)
    if args.out:
        from allo_verify.report.writers import atomic_write

        atomic_write(Path(args.out), text)
    else:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            _drop_stdout()
    return _exit_code(cert)


def cmd_diff(args: argparse.Namespace) -> int:
    from allo_verify.report.diff import diff_certificates

    d = diff_certificates(_read_cert(args.old), _read_cert(args.new))
    if d.different_kernels:
        print(d.different_kernels, file=sys.stderr)
        return EXIT_USAGE
    _say(str(d))
    return EXIT_REFUTED if d.weaker else EXIT_OK


# ---- entry -------------------------------------------------------------------------------
def _common(p: argparse.ArgumentParser, many: bool = False) -> None:
    p.add_argument("design", nargs="+" if many else None,
                   help="Python design file(s)" if many else "a Python design file")
    p.add_argument("--schedule", metavar="NAME", help="the design to use when a file has several")
    p.add_argument("--trials", type=int, default=100, help="L3 co-simulation trials (100)")
    p.add_argument("--seed", type=int, default=0, help="L3 seed (0)")
    p.add_argument("--allow-reassoc", action="store_true",
                   help="accept float reductions reassociated (labeled as such); L3 then "
                        "compares floats within a tolerance stated in the certificate")
    p.add_argument("--tolerance", type=float, default=None, metavar="T",
                   help="with --allow-reassoc: the L3 float tolerance t, |a - b| <= t * "
                        "max(1, |a|, |b|) (default: derived from the reduction length)")
    p.add_argument("--layers", default="L1,L2,L3", help="layers to run (L1,L2,L3)")
    p.add_argument("--csim", action="store_true",
                   help="also C-simulate the emitted HLS C++ of the final design on the L3 "
                        "inputs (needs g++ and the csim extra); a difference is a refutation")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="allo-verify", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)
    v = sub.add_parser("verify", help="verify every design of some files and write reports")
    _common(v, many=True)
    v.add_argument("--out", default="allo-verify-out", help="report directory")
    v.add_argument("--format", default="md,html,json,junit", help="md,html,json,junit")
    v.add_argument("-j", "--jobs", type=int, default=1,
                   help="worker processes: designs (and each design's L3 beside its other "
                        "layers) in parallel")
    v.add_argument("--executor", metavar="dask://HOST:PORT",
                   help="run the workers on a Dask distributed cluster instead of -j local "
                        "processes")
    v.add_argument("--json", action="store_true", help="print a machine-readable summary")
    v.set_defaults(run=cmd_verify)
    b = sub.add_parser("build", help="write a verified design's MLIR, log and certificate")
    _common(b)
    b.add_argument("--out", required=True, help="output directory (replaced atomically)")
    b.add_argument("--no-verify", action="store_true", help="write without verifying")
    b.add_argument("--target", choices=("llvm", "vhls"), default="llvm",
                   help="llvm: MLIR, log, certificate (default); vhls: also the Vitis HLS "
                        "project in NAME.hls/, written only when C simulation agrees")
    b.set_defaults(run=cmd_build)
    r = sub.add_parser("report", help="render a certificate for a reviewer")
    r.add_argument("cert", help="a certificate JSON file")
    r.add_argument("--format", choices=("md", "html"), default="md")
    r.add_argument("--out", help="write to this file instead of standard output")
    r.set_defaults(run=cmd_report)
    d = sub.add_parser("diff", help="what changed between two certificates")
    d.add_argument("old")
    d.add_argument("new")
    d.set_defaults(run=cmd_diff)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (see the module docstring)."""
    try:
        args = build_parser().parse_args(argv)
        _validate(args)
        return args.run(args)
    except UsageError as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    except DesignFailure as e:
        if e.code == EXIT_USAGE:
            print(str(e), file=sys.stderr)
        else:
            _say(str(e))
        return e.code
    except BrokenPipeError:  # output cut by the reader; nothing else went wrong
        _drop_stdout()
        return EXIT_USAGE
    except Exception as e:  # noqa: BLE001 - never let a crash read as "refuted" (exit 1)
        print(f"allo-verify: error: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_USAGE


def _validate(args: argparse.Namespace) -> None:
    if getattr(args, "jobs", 1) < 1:
        raise UsageError("-j must be at least 1")
    if getattr(args, "target", "llvm") == "vhls" and args.no_verify:
        raise UsageError("--target vhls cannot be combined with --no-verify: the HLS project "
                         "is written only after verification and C simulation pass")
    if getattr(args, "trials", 0) < 0:
        raise UsageError("--trials must be at least 0")
    tol = getattr(args, "tolerance", None)
    if tol is not None and (not tol >= 0 or tol == float("inf")):
        raise UsageError(f"--tolerance must be a finite number >= 0, got {tol}")
    if tol is not None and not getattr(args, "allow_reassoc", False):
        raise UsageError("--tolerance only applies with --allow-reassoc (without it, L3 "
                         "compares bit for bit)")
    layers = getattr(args, "layers", None)
    if layers is not None:
        bad = [x for x in layers.split(",") if x not in ("L1", "L2", "L3")]
        if bad or not layers:
            raise UsageError(f"unknown layer(s) {bad}; valid: L1, L2, L3")
        csim = getattr(args, "csim", False) or getattr(args, "target", "llvm") == "vhls"
        if args.trials == 0 and csim and not getattr(args, "no_verify", False):
            raise UsageError("--trials 0 gives C simulation no input: give at least 1")
        if args.trials == 0 and "L3" in layers.split(",") and \
                not getattr(args, "no_verify", False):
            raise UsageError("--trials 0 runs no co-simulation input: give at least 1, or "
                             "leave L3 out of --layers to skip co-simulation")


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
