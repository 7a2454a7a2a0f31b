"""Control flow of the function emitter: loops, conditionals and while loops.

`affine.for`/`scf.for` -> a labelled `for` (label `l_<loop_name>`, the loop's pragmas as the
first lines of its body, then the scalars private to it), `affine.if`/`scf.if` -> `if`,
`scf.while` -> `while (true) { before; if (!cond) break; after; }`. Values carried out of a
region (iter_args, if results, while arguments) are variables declared before the construct
and assigned at its yields (all at once), so the C++ computes the same values as the IR.
"""

from __future__ import annotations

from mlir import ir

from allo_verify.codegen.hls import pragmas
from allo_verify.codegen.hls.expressions import affine_expr
from allo_verify.codegen.hls.expressions import paren as _paren
from allo_verify.codegen.hls.types import CType, HLSEmitError, value_type


def loop_label(op: ir.Operation) -> str | None:
    if "loop_name" in op.attributes:
        return ir.StringAttr(op.attributes["loop_name"]).value
    return None


def zero(t: CType) -> str:
    return "false" if t.kind == "bool" else "0"


def fold_int64(fn: str, exprs: list[str]) -> str:
    """`fn` (std::max or std::min) over `exprs` as nested int64_t calls; one stays as it is."""
    if len(exprs) == 1:
        return exprs[0]
    out = f"(int64_t)({exprs[0]})"
    for e in exprs[1:]:
        out = f"{fn}<int64_t>({out}, {e})"
    return out




def _op(x: ir.Operation | ir.OpView) -> ir.Operation:
    return x.operation if isinstance(x, ir.OpView) else x


class ControlFlow:
    """Mixed into FunctionEmitter (which provides lines, names, vals, ex, emit_block...)."""

    def _open_loop(self, op: ir.Operation, head: str) -> None:
        label = loop_label(op)
        prefix = f"{self.names.fresh('l_' + label)}: " if label else ""
        self.line(f"{prefix}{head} {{")
        self.depth += 1
        for p in pragmas.loop_pragmas(op):
            self.pragma(p)
        for alloca in self.private_at.get(op, []):
            self.declare_mem(alloca)

    def _close(self) -> None:
        self.depth -= 1
        self.line("}")

    def _carried(self, results: list[ir.Value], inits: list[ir.Value] | None) -> list[str]:
        names = []
        for k, r in enumerate(results):
            t = value_type(r.type)
            name = self.fresh_value()
            init = self.ex(inits[k]) if inits is not None else zero(t)
            self.line(f"{t.spell()} {name} = {init};")
            self.vals[r] = name
            names.append(name)
        return names

    def op_affine_for(self, op: ir.Operation) -> None:
        f = op.opview
        lb_map = ir.AffineMapAttr(op.attributes["lowerBoundMap"]).value
        ub_map = ir.AffineMapAttr(op.attributes["upperBoundMap"]).value
        lbo, ubo = list(f.lowerBoundOperands), list(f.upperBoundOperands)
        lbs = [affine_expr(e, [self.ex(v) for v in lbo[:lb_map.n_dims]],
                           [self.ex(v) for v in lbo[lb_map.n_dims:]], self.helpers)
               for e in lb_map.results]
        ubs = [affine_expr(e, [self.ex(v) for v in ubo[:ub_map.n_dims]],
                           [self.ex(v) for v in ubo[ub_map.n_dims:]], self.helpers)
               for e in ub_map.results]
        step = ir.IntegerAttr(op.attributes["step"]).value
        inits = list(f.inits)
        carried = self._carried(list(op.results), inits)
        body = f.body
        iv = body.arguments[0]
        iv_name = self.names.fresh(loop_label(op) or "i")
        self.vals[iv] = iv_name
        for arg, name in zip(list(body.arguments)[1:], carried, strict=True):
            self.vals[arg] = name
        inc = f"{iv_name}++" if step == 1 else f"{iv_name} += {step}"
        self._open_loop(op, f"for (int {iv_name} = {fold_int64('std::max', lbs)}; "
                            f"{iv_name} < {fold_int64('std::min', ubs)}; {inc})")
        self.emit_block(body, carried)
        self._close()

    def op_scf_for(self, op: ir.Operation) -> None:
        lb, ub, step = op.operands[0], op.operands[1], op.operands[2]
        inits = list(op.operands)[3:]
        carried = self._carried(list(op.results), inits)
        body = op.regions[0].blocks[0]
        iv_name = self.names.fresh(loop_label(op) or "i")
        self.vals[body.arguments[0]] = iv_name
        for arg, name in zip(list(body.arguments)[1:], carried, strict=True):
            self.vals[arg] = name
        self._open_loop(op, f"for (int64_t {iv_name} = {self.ex(lb)}; {iv_name} < "
                            f"{self.ex(ub)}; {iv_name} += {self.ex(step)})")
        self.emit_block(body, carried)
        self._close()

    def _if(self, op: ir.Operation, cond: str) -> None:
        carried = self._carried(list(op.results), None)
        self.line(f"if ({cond}) {{")
        self.depth += 1
        self.emit_block(op.regions[0].blocks[0], carried)
        self.depth -= 1
        if len(op.regions) > 1 and len(op.regions[1].blocks):
            else_block = op.regions[1].blocks[0]
            if carried or any(_op(o).name not in ("scf.yield", "affine.yield")
                              for o in else_block.operations):
                self.line("} else {")
                self.depth += 1
                self.emit_block(else_block, carried)
                self.depth -= 1
        self.line("}")

    def op_scf_if(self, op: ir.Operation) -> None:
        self._if(op, self.ex(op.operands[0]))

    def op_affine_if(self, op: ir.Operation) -> None:
        amap, kinds = _integer_set(op.attributes["condition"])
        operands = list(op.operands)
        dims = [self.ex(v) for v in operands[:amap.n_dims]]
        syms = [self.ex(v) for v in operands[amap.n_dims:]]
        conds = [f"{affine_expr(e, dims, syms, self.helpers)} {k} 0"
                 for e, k in zip(amap.results, kinds, strict=True)]
        self._if(op, " && ".join(f"({c})" for c in conds) if conds else "true")

    def op_scf_while(self, op: ir.Operation) -> None:
        before, after = op.regions[0].blocks[0], op.regions[1].blocks[0]
        state = self._carried(list(before.arguments), list(op.operands))
        for arg, name in zip(before.arguments, state, strict=True):
            self.vals[arg] = name
        results = self._carried(list(op.results), None)
        for arg, name in zip(after.arguments, results, strict=True):
            self.vals[arg] = name
        self._open_loop(op, "while (true)")
        for o in before.operations:
            o = _op(o)
            if o.name == "scf.condition":
                cond, *fwd = list(o.operands)
                self.assign_all(results, fwd)
                self.line(f"if (!{_paren(self.ex(cond))}) break;")
            else:
                self.emit_op(o, None)
        self.emit_block(after, state)
        self._close()




def _integer_set(attr: ir.Attribute) -> tuple[ir.AffineMap, list[str]]:
    """An integer set as (the affine map of its constraint expressions, ">=" / "==" per
    constraint): the bindings expose no IntegerSet of an IntegerSetAttr, so the printed set
    is read back as a map."""
    text = str(attr)
    inner = text[text.index("<") + 1:text.rindex(">")]
    head, _, body = inner.partition(" : ")
    body = body.strip()[1:-1]
    parts, depth, cur = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur.strip():
        parts.append(cur.strip())
    exprs, kinds = [], []
    for p in parts:
        if p.endswith(">= 0"):
            exprs.append(p[:-4].strip())
            kinds.append(">=")
        elif p.endswith("== 0"):
            exprs.append(p[:-4].strip())
            kinds.append("==")
        else:
            raise HLSEmitError(f"cannot read the affine constraint {p!r}")
    amap = ir.AffineMapAttr(ir.Attribute.parse(f"affine_map<{head} -> ({', '.join(exprs)})>"))
    return amap.value, kinds
