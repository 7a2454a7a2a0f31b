"""Shared test configuration: hypothesis profiles.

`dev` (the default) has no deadline: building a kernel (source -> MLIR -> LLVM JIT) takes
a fraction of a second, which would trip hypothesis' per-example deadline. `ci` is the same
but derandomized, so CI runs are reproducible; select it with HYPOTHESIS_PROFILE=ci.
"""

import os

from hypothesis import settings

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", derandomize=True, deadline=None)
settings.load_profile("ci" if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else "dev")
