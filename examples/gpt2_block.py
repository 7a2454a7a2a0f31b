"""One GPT-2 transformer block, float32, built from the kernel library and scheduled as a
dataflow design:

    h   = layernorm(X)                      ln_1
    qkv = h @ Wqkv^T + bqkv                 c_attn (one projection to Q, K, V, as GPT-2)
    per head: S = Q K^T / sqrt(Dh), causal mask, P = softmax(S), C = P V
    x1  = X + (concat_heads(C) @ Wo^T + bo) attn.c_proj + residual
    y   = x1 + (gelu(layernorm(x1) @ W1^T + b1) @ W2^T + b2)   ln_2, mlp, residual

Sequence 8, hidden 32, 2 heads of 16, MLP width 128. Every operator is a library template
instance (layernorm, linear2d, bmm, softmax, unary gelu); the glue between them (splitting
heads, the causal mask, merging heads, the residual adds) is plain loops. Each library
instance gets its default schedule by `compose_defaults` (re-proved here), the glue loops
are pipelined, the top function is a dataflow region (each stage a call or a loop nest),
and the residual `x1` reaches the last stage through a FIFO (`to`).

    allo-verify verify examples/gpt2_block.py --csim
    python examples/gpt2_block.py            # runs the block against the NumPy reference
"""

import sys

import numpy as np

import allo_verify as av
from allo_verify import float32, grid
from allo_verify.library import compose_defaults
from allo_verify.library import references as ref

L, D, H = 8, 32, 2        # sequence length, hidden size, heads
DH = D // H               # head size
F = 4 * D                 # MLP width
SCALE = 1.0 / DH ** 0.5   # 0.25: exact in float32
MASKED = -1.0e30          # a causally masked score: exp(MASKED - max) is 0


def gpt2_block(X: float32[L, D], ln1_g: float32[D], ln1_b: float32[D],
               Wqkv: float32[3 * D, D], bqkv: float32[3 * D],
               Wo: float32[D, D], bo: float32[D], ln2_g: float32[D], ln2_b: float32[D],
               W1: float32[F, D], b1: float32[F], W2: float32[D, F], b2: float32[D]
               ) -> float32[L, D]:
    h = av.layernorm(X, ln1_g, ln1_b)
    qkv = av.linear(h, Wqkv, bqkv)
    Q: float32[H, L, DH] = 0
    KT: float32[H, DH, L] = 0
    V: float32[H, L, DH] = 0
    for i, hd, d in grid(L, H, DH, name="split"):
        Q[hd, i, d] = qkv[i, hd * DH + d]
        KT[hd, d, i] = qkv[i, D + hd * DH + d]
        V[hd, i, d] = qkv[i, 2 * D + hd * DH + d]
    S = Q @ KT
    SM: float32[H * L, L] = 0
    for hd, i, j in grid(H, L, L, name="mask"):
        if j <= i:
            SM[hd * L + i, j] = S[hd, i, j] * SCALE
        else:
            SM[hd * L + i, j] = MASKED
    PM = av.softmax(SM)
    P: float32[H, L, L] = 0
    for hd, i, j in grid(H, L, L, name="heads"):
        P[hd, i, j] = PM[hd * L + i, j]
    C = P @ V
    A: float32[L, D] = 0
    for hd, i, d in grid(H, L, DH, name="merge"):
        A[i, hd * DH + d] = C[hd, i, d]
    O = av.linear(A, Wo, bo)
    x1: float32[L, D] = 0
    x1r: float32[L, D] = 0
    for i, j in grid(L, D, name="res1"):
        r: float32 = X[i, j] + O[i, j]
        x1[i, j] = r
        x1r[i, j] = r
    h2 = av.layernorm(x1, ln2_g, ln2_b)
    f = av.gelu(av.linear(h2, W1, b1))
    m = av.linear(f, W2, b2)
    Y: float32[L, D] = 0
    for i, j in grid(L, D, name="res2"):
        Y[i, j] = x1r[i, j] + m[i, j]
    return Y


gpt2 = av.customize(gpt2_block)
compose_defaults(gpt2)              # each library instance: its default schedule, re-proved
for glue in ("split.d", "mask.j", "heads.j", "merge.d", "res1.j", "res2.j"):
    gpt2.pipeline(glue)
gpt2.dataflow("gpt2_block")
gpt2.to("x1r", "res2.i", depth=L * D)   # another path (ln_2, MLP) joins res2: the FIFO holds x1


def reference(X: np.ndarray, ln1_g: np.ndarray, ln1_b: np.ndarray, Wqkv: np.ndarray,
              bqkv: np.ndarray, Wo: np.ndarray, bo: np.ndarray, ln2_g: np.ndarray,
              ln2_b: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray,
              b2: np.ndarray) -> np.ndarray:
    """The same block in NumPy (float32), written from GPT-2's definition."""
    f32 = np.float32
    h = ref.layernorm(X, ln1_g, ln1_b)
    qkv = h @ Wqkv.T + bqkv
    q, k, v = (qkv[:, n * D:(n + 1) * D].reshape(L, H, DH).transpose(1, 0, 2)
               for n in range(3))
    scores = (q @ k.transpose(0, 2, 1)) * f32(SCALE)
    causal = np.tril(np.ones((L, L), dtype=bool))
    scores = np.where(causal, scores, f32(MASKED)).astype(f32)
    p = ref.softmax(scores.reshape(H * L, L)).reshape(H, L, L)
    a = (p @ v).transpose(1, 0, 2).reshape(L, D)
    x1 = X + (a @ Wo.T + bo)
    f = ref.gelu((ref.layernorm(x1, ln2_g, ln2_b) @ W1.T + b1).astype(f32))
    return (x1 + (f @ W2.T + b2)).astype(f32)


def random_inputs(seed: int = 0) -> list[np.ndarray]:
    """Weights at GPT-2's initialization scale (0.02), activations of unit scale."""
    rng = np.random.default_rng(seed)
    shapes = [(L, D), (D,), (D,), (3 * D, D), (3 * D,), (D, D), (D,), (D,), (D,),
              (F, D), (F,), (D, F), (D,)]
    out = []
    for n, shape in enumerate(shapes):
        scale = 1.0 if n == 0 else 0.02
        x = rng.normal(0, scale, shape).astype(np.float32)
        if n in (1, 7):  # layernorm gains near 1
            x = (1.0 + x).astype(np.float32)
        out.append(x)
    return out


def main() -> int:
    args = random_inputs()
    got = gpt2.build()(*[a.copy() for a in args])
    want = reference(*args)
    ok = bool(np.allclose(got, want, rtol=1e-4, atol=1e-5))
    print(f"GPT-2 block (seq {L}, hidden {D}, {H} heads, MLP {F}): {len(gpt2.steps)} checked "
          f"steps; max |diff| vs NumPy {np.max(np.abs(got - want)):.2e}; "
          f"matches: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
