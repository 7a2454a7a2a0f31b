"""Interface unification: each buffer's layout type, solved over the whole design.

A buffer's interface type is one of `memory` (plain memory, the default), `partition` (banks
from a `partition` step) or `stream` (a FIFO from a `to` step). Buffers bound to one another
through calls (a call's operand and the callee's parameter, a call's result and the array the
callee returns: the union-find classes of `equiv.layouts.buffer_graph`) are one variable of
this type system, so they must get one type.

Law (`check_interface_types`): given the steps already in the log and a new `partition` or
`to` step, the step is accepted only if every class then has one type:
- no class is both partitioned and streamed (the two steps are named);
- a streamed class holds, besides the streamed buffer itself and callee parameters (which
  take the type they are bound to), no other array: a top-level argument or a local array of
  another function bound to it stays plain memory, so the stream and that call's binding are
  named;
- two `to` steps on the same buffer are refused (one channel, one depth).
A refusal raises `ScheduleError` before anything is rewritten, so the schedule is unchanged.
Other primitives are not typed here (they keep their own checks).
"""

from __future__ import annotations

from typing import Any

from mlir.ir import BlockArgument, Module

from allo_verify.equiv.layouts import BufferGraph, Node, buffer_graph, node_text
from allo_verify.errors import ScheduleError
from allo_verify.schedule.primitives import Context

TYPED = ("partition", "to")


def _kind(prim: Any) -> str:
    return "stream" if prim.name == "to" else "partition"


def _node(target: str) -> Node:
    fn, _, name = target.partition(":")
    return fn, name


def _is_param(graph: BufferGraph, node: Node, top: str) -> bool:
    """A parameter of a function other than the top kernel (it takes its binding's type)."""
    v = graph.values.get(node)
    return v is not None and isinstance(v[1], BlockArgument) and node[0] != top


def _plain_partner(graph: BufferGraph, node: Node, top: str, typed: set[Node]) -> Node | None:
    """A member of `node`'s class that stays plain memory under a stream on `node`."""
    for m in graph.members(node):
        if m == node or m in typed or "%" in m[1] or m[0] == "":
            continue
        if m in graph.values and not _is_param(graph, m, top):
            return m
    return None


def check_interface_types(steps: list[Any], new: Any, module: Module, ctx: Context,
                          top: str) -> None:
    """Refuse `new` (a `partition` or `to` primitive) with `ScheduleError` naming both steps
    when it gives some buffer class two interface types (see the module law)."""
    if getattr(new, "name", "") not in TYPED:
        return
    logged = [(f"step {k + 1} ({st.primitive.label()})", st.primitive)
              for k, st in enumerate(steps) if st.primitive.name in TYPED]
    with module.context:
        graph = buffer_graph(module, ctx.arg_names)
    seen: dict[Node, tuple[str, str, Node]] = {}  # class root -> (kind, step label, buffer)
    streamed: set[Node] = set()
    this = f"{new.label()}"
    for label, p in [*logged, (this, new)]:
        node = _node(p.target)
        if node not in graph.values:
            continue
        root, kind = graph.classes.find(node), _kind(p)
        old = seen.get(root)
        if old is not None and kind == "stream" and old[0] == "stream" and old[2] == node:
            raise ScheduleError(f"{new.label()} refused: {node_text(node)} is already a stream "
                                f"by {old[1]}; a buffer is one channel with one depth")
        if old is not None and old[0] != kind:
            which = (f"{node_text(node)}" if old[2] == node else
                     f"{node_text(node)}, bound through calls to {node_text(old[2])},")
            raise ScheduleError(
                f"{new.label()} refused: interface types disagree: {label} makes {which} a "
                f"{kind}, but {old[1]} made it a {old[0]} (a buffer is plain memory, "
                "partitioned memory or a stream, one type for every buffer bound to it)")
        if old is None or kind == "stream":
            seen[root] = (kind, label, node)
        if kind == "stream":
            streamed.add(node)
    for node in streamed:
        partner = _plain_partner(graph, node, top, streamed)
        if partner is not None:
            raise ScheduleError(
                f"{new.label()} refused: interface types disagree: "
                f"{seen[graph.classes.find(node)][1]} makes {node_text(node)} a stream, but "
                f"a call binds it to {node_text(partner)}, which is plain memory (a callee "
                "parameter has one interface type at every call site)")
