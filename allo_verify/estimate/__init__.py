"""Latency estimates of designs from their final IR (labelled estimates, never synthesis
results): `estimate(module)` and the operator table it uses."""

from allo_verify.estimate.figures import DesignEstimate, LoopEstimate
from allo_verify.estimate.latency import estimate
from allo_verify.estimate.optable import DEFAULT_TABLE, OpTable

__all__ = ["DEFAULT_TABLE", "DesignEstimate", "LoopEstimate", "OpTable", "estimate"]
