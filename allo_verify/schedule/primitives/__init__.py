"""Schedule primitives, one module each; importing this package registers them all."""

from allo_verify.schedule.primitives import (  # noqa: F401 - registers them
    buffer_at,
    compute_at,
    dataflow,
    fuse,
    parallel,
    partition,
    pipeline,
    reorder,
    reshape,
    reuse_at,
    split,
    stream,
    unfold,
    unroll,
)
from allo_verify.schedule.primitives.base import REGISTRY, Context, Primitive

__all__ = ["REGISTRY", "Context", "Primitive"]
