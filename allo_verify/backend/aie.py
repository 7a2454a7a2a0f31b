"""Allo's `allo.backend.aie` (AMD AI Engine): not supported; importing it says so."""

from allo_verify.errors import NotSupportedError

raise NotSupportedError("allo_verify.backend.aie", "the AMD AI Engine backend is not "
                        "supported; use s.build(target='vhls')")
