"""Allo's spatial dataflow regions (`allo_verify.dataflow`): the Stream type, the lowering
of a region to one function, and the deadlock decision for its channels."""
