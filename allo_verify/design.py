"""Design files: what `allo-verify` loads and verifies.

A design file is a Python module. Its designs are its module-level variables that hold
either a `Schedule` (a kernel customized step by step; every step is checked as it is
applied) or an `Equivalence` (a hand-written implementation paired with the reference
kernel it must compute: `av.equivalence(reference, implementation)`). A design's name is
its variable's name. A module may also define `DESIGNS = {name: design, ...}` to choose
the names and order explicitly.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from allo_verify.errors import AlloVerifyError, DesignLoadError, SignatureMismatch
from allo_verify.lang.signature import kernel_where, mismatch
from allo_verify.schedule.refusals import collect_refusals
from allo_verify.schedule.schedule import Schedule


@dataclass
class Equivalence:
    """A claim that `implementation` computes exactly what `reference` computes."""

    reference: Callable[..., Any]
    implementation: Callable[..., Any]

    def verify(self, layers: tuple[str, ...] = ("L2", "L3"), trials: int = 100,
               seed: int = 0, allow_reassoc: bool = False, tolerance: float | None = None,
               csim: bool = False) -> Any:
        """The certificate of L2 (and L3) on the pair; there are no steps for L1. With
        `csim`, also the C simulation of the implementation's emitted HLS C++ (CSIM)."""
        from allo_verify.equiv.api import check_equivalent

        layers = tuple(layer for layer in layers if layer != "L1") or ("L2",)
        return check_equivalent(self.reference, self.implementation, layers=layers,
                                trials=trials, seed=seed, allow_reassoc=allow_reassoc,
                                tolerance=tolerance, csim=csim)


def equivalence(reference: Callable[..., Any], implementation: Callable[..., Any]
                ) -> Equivalence:
    """Declare that a hand-written `implementation` must equal its `reference` kernel.
    Kernels whose signatures differ cannot be compared: `SignatureMismatch` at once,
    naming both kernels and the first argument or result that differs."""
    check_signatures(reference, implementation)
    return Equivalence(reference, implementation)


def check_signatures(reference: Any, implementation: Any) -> None:
    """Raise `SignatureMismatch` unless both kernels take and return the same types."""
    from allo_verify.equiv.api import module_and_sig

    sa, sb = module_and_sig(reference)[1], module_and_sig(implementation)[1]
    why = mismatch(sa, sb, f"reference {kernel_where(reference)}",
                   f"implementation {kernel_where(implementation)}")
    if why:
        raise SignatureMismatch(f"av.equivalence: the kernels' signatures differ: {why}")


Design = Schedule | Equivalence


def _python_error(path: Path, e: BaseException) -> DesignLoadError:
    if isinstance(e, SyntaxError):
        return DesignLoadError(f"{e.filename or path}:{e.lineno}:{e.offset or 0}: "
                               f"syntax error: {e.msg}\n    {(e.text or '').rstrip()}")
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == str(path)]
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else str(path)
    return DesignLoadError(f"{where}: {type(e).__name__}: {e}")


def load_designs(path: str | Path) -> dict[str, Design]:
    """Import the design file and return its designs by name, in definition order.

    A step refused by its checker, or naming a loop that does not exist, is recorded on its
    schedule (`Schedule.refusal`) and the file goes on loading, so every other design still
    gets its verdict. Frontend errors, and schedule errors outside a primitive step,
    propagate as they are (they carry their own locations); any other failure while
    importing becomes a `DesignLoadError` with file and line.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise DesignLoadError(f"{path}: no such design file")
    name = f"allo_verify_design_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DesignLoadError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    here = str(path.parent)  # a design may import the modules beside it, as a script would
    sys.path.insert(0, here)
    try:
        with collect_refusals():  # a refused step fails its own design, not the file
            spec.loader.exec_module(module)
    except AlloVerifyError:
        raise
    except (Exception, SystemExit) as e:  # noqa: BLE001 - any error in user code is reported
        raise _python_error(path, e) from None
    finally:
        sys.modules.pop(name, None)
        if here in sys.path:
            sys.path.remove(here)
    explicit = getattr(module, "DESIGNS", None)
    if isinstance(explicit, dict):
        items = list(explicit.items())
    else:
        items = [(k, v) for k, v in vars(module).items() if not k.startswith("_")]
    designs = {k: v for k, v in items if isinstance(v, (Schedule, Equivalence))}
    if not designs:
        raise DesignLoadError(f"{path}: defines no design (a module-level Schedule or "
                              "av.equivalence(reference, implementation))")
    return designs
