"""Verification core: obligations, MLIR-to-Z3, translation validation (L2), randomized
co-simulation (L3), certificates."""

from allo_verify.equiv.api import check_equivalent, module_and_sig, verify_modules
from allo_verify.equiv.certificate import Certificate, Entry, ir_hash
from allo_verify.equiv.cosim import L3Result, cosimulate
from allo_verify.equiv.obligation import Obligation, discharge
from allo_verify.equiv.results import (
    Agreed,
    Cost,
    Counterexample,
    NotRun,
    Proved,
    Refuted,
    Result,
    Unknown,
)
from allo_verify.equiv.tv import L2Result, check_equivalent_modules
from allo_verify.equiv.z3_table import Z3_OPS

__all__ = [
    "Agreed", "Certificate", "Cost", "Counterexample", "Entry", "L2Result", "L3Result",
    "NotRun", "Obligation", "Proved", "Refuted", "Result", "Unknown", "Z3_OPS",
    "check_equivalent", "check_equivalent_modules", "cosimulate", "discharge", "ir_hash",
    "module_and_sig", "verify_modules",
]
