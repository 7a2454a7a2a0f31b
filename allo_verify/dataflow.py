"""Allo's `allo.dataflow` (`df.region`, `df.kernel`, typed streams): not implemented yet;
importing it says so. Checked dataflow today: `s.dataflow(...)` and `s.to(...)`."""

from allo_verify.errors import NotSupportedError

raise NotSupportedError("allo_verify.dataflow (df.region, df.kernel)", "use s.dataflow(...) "
                        "and s.to(buffer, stage, depth) for checked dataflow and FIFOs")
