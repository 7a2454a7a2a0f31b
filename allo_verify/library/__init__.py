"""The kernel library: templates written in the kernel language (`linalg`, `elementwise`,
`nn`), their NumPy references (`references`), their default schedules, and the operators
(`ops`) that kernels call as `av.matmul(A, B)`, `A @ B`, `av.softmax(X)`, ...

Each template is scheduled and verified like a user kernel. `default_schedule(tmpl, args)`
customizes one instance and applies its default schedule (checked steps only);
`compose_defaults(s)` composes the default schedule of every library instance a design
calls onto that instance, each step re-proved in the design.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from allo_verify.library import elementwise, linalg, nn, references
from allo_verify.library.linalg import bmm as bmm_template
from allo_verify.library.linalg import linear2d
from allo_verify.library.linalg import matmul as matmul_template
from allo_verify.library.linalg import transpose as transpose_template
from allo_verify.library.nn import conv2d as conv2d_template
from allo_verify.library.nn import layernorm as layernorm_template
from allo_verify.library.nn import maxpool2d as maxpool2d_template
from allo_verify.library.nn import softmax as softmax_template
from allo_verify.library.ops import (
    LibraryOp,
    add,
    bmm,
    conv2d,
    div,
    gelu,
    layernorm,
    linear,
    matmul,
    maxpool2d,
    mul,
    neg,
    relu,
    softmax,
    sub,
    transpose,
)

layer_norm = layernorm_template  # Allo's spelling of the template

DEFAULT_SCHEDULES: dict[Any, Callable[[Any], Any]] = {
    linalg.matmul: linalg.schedule_matmul, linalg.bmm: linalg.schedule_bmm,
    linalg.transpose: linalg.schedule_transpose, linalg.linear2d: linalg.schedule_linear2d,
    nn.softmax: nn.schedule_softmax, nn.layernorm: nn.schedule_layernorm,
    nn.conv2d: nn.schedule_conv2d, nn.maxpool2d: nn.schedule_maxpool2d,
    **{t: elementwise.schedule_elementwise for t in (*elementwise.BINARY.values(),
                                                     *elementwise.UNARY.values(),
                                                     *elementwise.SCALAR.values())},
}


def default_schedule(tmpl: Any, args: Sequence[Any]) -> Any:
    """A schedule of `tmpl` at `args` with its default schedule applied (each step
    checked; a refusal raises `ScheduleError` and nothing is returned)."""
    from allo_verify.schedule.schedule import customize

    s = customize(tmpl, instantiate=list(args))
    return DEFAULT_SCHEDULES[tmpl](s)


def compose_defaults(s: Any) -> list[str]:
    """Compose, onto every library instance design `s` calls, that template's default
    schedule (re-proved in `s`); returns the composed function symbols, in module order.
    The top kernel itself is left alone."""
    done: list[str] = []
    for sym, origin in s.kernel.origins.items():
        if sym == s.kernel.name or origin.args is None or origin.kernel not in DEFAULT_SCHEDULES:
            continue
        sub = default_schedule(origin.kernel, origin.args)
        s.compose(sub, id=origin.id, instantiate=list(origin.args))
        done.append(sym)
    return done


__all__ = [
    "DEFAULT_SCHEDULES", "LibraryOp", "add", "bmm", "bmm_template", "compose_defaults",
    "conv2d", "conv2d_template", "default_schedule", "div", "elementwise", "gelu",
    "layer_norm", "layernorm", "layernorm_template", "linalg", "linear", "linear2d",
    "matmul", "matmul_template", "maxpool2d", "maxpool2d_template", "mul", "neg", "nn",
    "references", "relu", "softmax", "softmax_template", "sub", "transpose",
    "transpose_template",
]
