"""The definite-assignment analysis that decides which scalars are zero-initialized,
checked on small function bodies (names whose read may come before any assignment)."""

import ast
import textwrap

import pytest

from allo_verify.lang.definite import maybe_unassigned


def names(src: str) -> set[str]:
    fdef = ast.parse(textwrap.dedent(src)).body[0]
    assert isinstance(fdef, ast.FunctionDef)
    return maybe_unassigned(fdef)


@pytest.mark.parametrize("src,want", [
    ("def f(n):\n  for i in range(n):\n    x = i\n  return x\n", {"x"}),
    ("def f(n):\n  while n > 0:\n    y = n\n    n -= 1\n  return y\n", {"y"}),
    ("def f(c):\n  if c:\n    z = 1\n  return z\n", {"z"}),
    ("def f(c):\n  if c:\n    z = 1\n  else:\n    z = 2\n  return z\n", set()),
    ("def f(c):\n  if c:\n    z = 1\n  elif c > 2:\n    z = 3\n  return z\n", {"z"}),
    ("def f(n):\n  for i in range(n):\n    a = i\n    b = a + 1\n  return 0\n", set()),
    ("def f(n):\n  for i in range(n):\n    a = i\n  for j in range(n):\n    a = j\n"
     "    b = a\n  return 0\n", set()),
    ("def f(n):\n  k = 0\n  while k < n:\n    k += 1\n  return k\n", set()),
    ("def f(n):\n  while w < n:\n    w = 1\n  return 0\n", {"w"}),
    ("def f(n):\n  for i in range(n):\n    acc += i\n    acc = 0\n  return acc\n", {"acc"}),
    ("def f(n):\n  x: int = 0\n  for i in range(n):\n    x += i\n  return x\n", set()),
    ("def f(n):\n  x: int\n  return x\n", set()),
    ("def f(n):\n  if n > 0:\n    v = 1\n    v2 = v\n  return 0\n", set()),
    ("def f(A):\n  for i in range(4):\n    bits = 0\n  bits[2] = 1\n  return bits\n", {"bits"}),
])
def test_maybe_unassigned(src: str, want: set[str]) -> None:
    assert names(src) == want
