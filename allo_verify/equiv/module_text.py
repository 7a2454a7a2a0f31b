"""A module's canonical text, and copies of a module with one symbol renamed.

Law: `renamed_symbol(mod, old, new)` leaves `mod` unchanged and returns a module in the same
Context that differs from it only in names: `old` is called `new` at its definition and every
use, and a different symbol that was already called `new` is renamed first to the first free
`new_1`, `new_2`, ... , so no symbol is ever defined twice.
"""

from __future__ import annotations

from mlir import ir


def renamed_symbol(mod: ir.Module, old: str, new: str) -> ir.Module:
    """A copy of `mod` (same Context; `mod` is not changed) in which the symbol `old` is
    called `new`, uses included. A different symbol already named `new` (a sub-kernel of the
    same name) is renamed first, to `new_1`, `new_2`, ... (the first name free in the
    module), so the copy never defines a symbol twice."""
    with mod.context, ir.Location.unknown():
        copy = ir.Module.parse(ir_text(mod))
        names = {ir.StringAttr(op.operation.attributes["sym_name"]).value
                 for op in copy.body.operations if "sym_name" in op.operation.attributes}
        if new in names:
            k = 1
            while f"{new}_{k}" in names:
                k += 1
            _rename(copy, new, f"{new}_{k}")
        _rename(copy, old, new)
    return copy


def _rename(mod: ir.Module, old: str, new: str) -> None:
    ir.SymbolTable.replace_all_symbol_uses(old, new, mod.operation)
    for op in mod.body.operations:
        o = op.operation
        if "sym_name" in o.attributes and ir.StringAttr(o.attributes["sym_name"]).value == old:
            ir.SymbolTable.set_symbol_name(o, new)


def ir_text(mod: ir.Module) -> str:
    """Canonical text of a module (for hashing and for rebuilding in the LLVM runner)."""
    return str(mod)
