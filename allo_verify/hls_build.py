"""The HLS project of a verified design, for `allo-verify build --target vhls`.

Law: the project is written only for a certificate whose verdict is proved AND whose CSIM
entry agreed, and only with the very C++ that C simulation ran: the emitted code's SHA-256
is recorded in the CSIM entry's scope (`cxx_sha256`) and must match the code written, so a
project can never hold C++ that was not simulated. The project lands in `<name>.hls/` inside
the build directory, which `cli.write_directory` swaps in atomically with the other files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mlir import ir

from allo_verify.codegen.hls import emit_hls
from allo_verify.codegen.hls.hls_module import code_hash
from allo_verify.design import Equivalence
from allo_verify.equiv.api import module_and_sig
from allo_verify.equiv.cosim import generate_inputs
from allo_verify.equiv.module_text import renamed_symbol
from allo_verify.lang.signature import Signature


def final_design(design: Any) -> tuple[ir.Module, Signature]:
    """The final IR and signature that verification C-simulates: a schedule's current
    module, or an equivalence's implementation under the reference's function name (as
    `check_equivalent` runs it)."""
    if isinstance(design, Equivalence):
        ma, sa = module_and_sig(design.reference)
        mb, sb = module_and_sig(design.implementation)
        return (renamed_symbol(mb, sb.name, sa.name) if sb.name != sa.name else mb), sa
    return design.module, design.kernel.sig


def csim_gate(cert: Mapping[str, Any]) -> str | None:
    """Why the HLS project must not be written despite a proved verdict (None: write it):
    no CSIM entry, or one that did not agree."""
    entries = [e for e in cert.get("entries") or [] if isinstance(e, Mapping)
               and e.get("layer") == "CSIM"]
    if not entries:
        return "no C simulation was recorded"
    for e in entries:
        r = e.get("result") if isinstance(e.get("result"), Mapping) else {}
        if r.get("status") != "agreed":
            why = r.get("reason") or r.get("detail") or r.get("status")
            return f"C simulation did not agree ({r.get('status')}: {why})"
    return None


def project_writer(design: Any, cert: Mapping[str, Any], name: str, seed: int
                   ) -> Callable[[Path], None]:
    """A function that writes the HLS project of `design` into a staging directory (as
    `<name>.hls/`, with one testbench input drawn from `seed`). Raises ValueError at once
    when the C++ emitted now is not the C++ the certificate's CSIM entry simulated."""
    module, sig = final_design(design)
    mod = emit_hls(module, sig)
    simulated = {str((e.get("scope") or {}).get("cxx_sha256")) for e in cert.get("entries")
                 or [] if isinstance(e, Mapping) and e.get("layer") == "CSIM"}
    if simulated != {code_hash(mod.code)}:
        raise ValueError("the C++ emitted for the project is not the C++ that C simulation "
                         "checked (emitter not deterministic?); nothing written")
    inputs = generate_inputs(sig, 1, seed)

    def write(stage: Path) -> None:
        mod.write(stage / f"{name}.hls", inputs[0] if inputs else None)

    return write
