"""Hand-written MLIR kernel pairs used by the equivalence tests and the benchmark."""

from __future__ import annotations


def gemm(n: int, t: str = "i32", order: str = "ijk") -> str:
    """C[i,j] += A[i,k] * B[k,j] in the loop `order` (a permutation of 'ijk')."""
    add, mul = ("arith.addf", "arith.mulf") if t.startswith("f") else ("arith.addi", "arith.muli")
    loops = "".join(f"affine.for %{v} = 0 to {n} {{\n" for v in order)
    ends = "} " * 3
    return f"""
func.func @gemm(%A: memref<{n}x{n}x{t}>, %B: memref<{n}x{n}x{t}>, %C: memref<{n}x{n}x{t}>) {{
{loops}
  %a = affine.load %A[%i, %k] : memref<{n}x{n}x{t}>
  %b = affine.load %B[%k, %j] : memref<{n}x{n}x{t}>
  %c = affine.load %C[%i, %j] : memref<{n}x{n}x{t}>
  %p = {mul} %a, %b : {t}
  %s = {add} %c, %p : {t}
  affine.store %s, %C[%i, %j] : memref<{n}x{n}x{t}>
{ends}
  return
}}
"""


def stencil(n: int, order: str = "ij", t: str = "i32", jacobi_bug: bool = False) -> str:
    """B[i,j] = A[i-1,j] + A[i+1,j] + A[i,j-1] + A[i,j+1] + A[i,j] over the interior; with
    `jacobi_bug` the reads come from B itself (Gauss-Seidel-like in-place sweep)."""
    add = "arith.addf" if t.startswith("f") else "arith.addi"
    src = "%B" if jacobi_bug else "%A"
    loops = "".join(f"affine.for %{v} = 1 to {n - 1} {{\n" for v in order)
    m = f"memref<{n}x{n}x{t}>"
    return f"""
func.func @stencil(%A: {m}, %B: {m}) {{
{loops}
  %n = affine.load {src}[%i - 1, %j] : {m}
  %s = affine.load {src}[%i + 1, %j] : {m}
  %w = affine.load {src}[%i, %j - 1] : {m}
  %e = affine.load {src}[%i, %j + 1] : {m}
  %c = affine.load %A[%i, %j] : {m}
  %0 = {add} %n, %s : {t}
  %1 = {add} %0, %w : {t}
  %2 = {add} %1, %e : {t}
  %3 = {add} %2, %c : {t}
  affine.store %3, %B[%i, %j] : {m}
}} }}
  return
}}
"""


def split_by_hand(n: int, f: int, guarded: bool = True) -> str:
    """B[i] = A[i] * 3 for i < n, split by `f` with a remainder guard (`guarded=False`:
    floor trip count and no guard, so the tail is dropped)."""
    m = f"memref<{n}xi32>"
    body = f"""%v = affine.load %A[%o * {f} + %ii] : {m}
        %w = arith.muli %v, %c3 : i32
        affine.store %w, %B[%o * {f} + %ii] : {m}"""
    if guarded:
        body = (f"affine.if affine_set<(d0, d1) : ({n - 1} - d0 * {f} - d1 >= 0)>(%o, %ii) {{\n"
                f"        {body}\n      }}")
    trips = -(-n // f) if guarded else n // f
    return f"""
func.func @k(%A: {m}, %B: {m}) {{
  %c3 = arith.constant 3 : i32
  affine.for %o = 0 to {trips} {{
    affine.for %ii = 0 to {f} {{
      {body}
    }}
  }}
  return
}}
"""


def unsplit(n: int, ub: int | None = None) -> str:
    """B[i] = A[i] * 3 for i in 0..ub (default n)."""
    m = f"memref<{n}xi32>"
    return f"""
func.func @k(%A: {m}, %B: {m}) {{
  %c3 = arith.constant 3 : i32
  affine.for %i = 0 to {n if ub is None else ub} {{
    %v = affine.load %A[%i] : {m}
    %w = arith.muli %c3, %v : i32
    affine.store %w, %B[%i] : {m}
  }}
  return
}}
"""
