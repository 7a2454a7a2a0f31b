"""A symbolic-tier certificate is a pure function of its inputs: two runs give the same JSON
once timings (cost) are left out; the scope carries no clock reading."""

from __future__ import annotations

import allo_verify as av
from allo_verify import grid, int32, reduction


def gemm(A: int32[32, 32], B: int32[32, 32]) -> int32[32, 32]:
    C: int32[32, 32] = 0
    for i, j in grid(32, 32):
        for k in reduction(32):
            C[i, j] += A[i, k] * B[k, j]
    return C


def test_two_runs_give_the_same_certificate() -> None:
    texts = []
    for _ in range(2):
        s = av.customize(gemm)
        s.split("i", 8)
        s.reorder("i.outer", "j", "i.inner")
        cert = s.verify(layers=("L2",))
        l2 = next(e for e in cert.entries if e.layer == "L2")
        assert l2.result.status == "proved" and l2.scope["tier"] == "symbolic"
        assert "seconds" not in l2.scope
        texts.append(cert.to_json(timings=False))
    assert texts[0] == texts[1]
