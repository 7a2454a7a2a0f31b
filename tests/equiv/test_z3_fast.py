"""`z3_fast` builds exactly the terms z3.py's operators build (the same AST, so the same
queries and models), and falls back to z3.py for anything else."""

from __future__ import annotations

import z3

from allo_verify.equiv import z3_fast as zf


def test_each_builder_gives_the_z3py_term() -> None:
    x, y, z = z3.Ints("x y z")
    p, q = z3.Bools("p q")
    seven = z3.IntVal(7)
    assert zf.intval(7).eq(seven) and isinstance(zf.intval(7), z3.IntNumRef)
    assert zf.intval(-3).eq(z3.IntVal(-3))
    pairs = [(zf.add(x, y), x + y), (zf.sub(x, y), x - y), (zf.mul(x, seven), x * seven),
             (zf.div(x, seven), x / seven), (zf.mod(x, seven), x % seven), (zf.neg(x), -x),
             (zf.eq(x, y), x == y), (zf.lt(x, y), x < y), (zf.le(x, y), x <= y),
             (zf.gt(x, y), x > y), (zf.ge(x, y), x >= y),
             (zf.and_(p, q, x < y), z3.And(p, q, x < y)), (zf.or_(p, q), z3.Or(p, q)),
             (zf.not_(p), z3.Not(p)), (zf.implies(p, q), z3.Implies(p, q)),
             (zf.and_(p), z3.And(p)), (zf.and_(), z3.And()), (zf.or_(), z3.Or())]
    for fast, slow in pairs:
        assert fast.eq(slow), (fast, slow)
        assert type(fast) is type(slow) or isinstance(fast, type(slow)), (fast, slow)
    # a sum of a sum stays nested exactly as z3.py nests it
    assert zf.add(zf.add(x, y), z).eq((x + y) + z)

def test_other_arguments_fall_back_to_z3py() -> None:
    x = z3.Int("x")
    r = z3.Real("r")
    p = z3.Bool("p")
    assert zf.add(x, r).eq(x + r)  # mixed sorts: z3.py coerces
    assert zf.eq(x, 3).eq(x == 3)  # a Python int
    assert zf.and_(p, True).eq(z3.And(p, True))  # a Python bool
    assert zf.lt(r, r).eq(r < r)
    assert zf.neg(r).eq(-r)
    other = z3.Context()
    y = z3.Int("y", other)
    assert zf.ge(y, z3.IntVal(0, other)).eq(y >= 0)
    assert zf.intval(5, other).eq(z3.IntVal(5, other))


def test_fast_wrappers_are_z3py_objects_holding_their_term() -> None:
    """The wrappers made without z3.py's constructor are the classes z3.py makes, and each
    holds its own reference: the term outlives every other handle on it."""
    import gc

    x, y = z3.Ints("x y")
    for fast, slow in [(zf.add(x, y), x + y), (zf.eq(x, y), x == y), (zf.neg(x), -x),
                       (zf.not_(x < y), z3.Not(x < y))]:
        assert type(fast) is type(slow), (fast, slow)
    made = [zf.add(zf.mul(x, zf.intval(k)), y) for k in range(50)]
    del x, y
    gc.collect()
    z3.Ints("a b c")  # new terms may reuse freed nodes: ours must not have been freed
    assert [str(t) for t in made] == [f"x*{k} + y" for k in range(50)]
    ctx = made[0].ctx
    n = zf.wrap_int(zf.intval(3).ast, ctx)
    assert type(n) is z3.IntNumRef and n.as_long() == 3  # a numeral, as `_to_expr_ref` says
    assert type(zf.wrap_int(made[0].ast, ctx)) is z3.ArithRef


def test_substitution_keeps_z3py_classes() -> None:
    """`instance_map.subst` returns what z3.substitute returns (same term, same class),
    including a numeral when every variable is replaced by a constant."""
    from allo_verify.equiv.instance_map import subst
    from allo_verify.equiv.polyhedral import var

    i, j = var("i"), var("j")
    for e, env in [(zf.add(i, j), {"i": zf.intval(2), "j": zf.intval(5)}),
                   (zf.add(i, j), {"i": var("k")}), (zf.lt(i, j), {"j": zf.intval(1)}),
                   (i, {"i": zf.intval(4)})]:
        slow = z3.substitute(e, *[(var(n), t) for n, t in env.items()])
        fast = subst(e, env)
        assert fast.eq(slow) and type(fast) is type(slow), (fast, slow)


def test_boolval_and_integer_pairs() -> None:
    """`boolval` is `z3.BoolVal` (also in another context); a comparison of an integer
    with a real, or of terms of two contexts, still falls back to z3.py."""
    assert zf.boolval(True).eq(z3.BoolVal(True)) and zf.boolval(False).eq(z3.BoolVal(False))
    other = z3.Context()
    assert zf.boolval(True, other).ctx is other
    assert zf.boolval(False, other).eq(z3.BoolVal(False, other))
    x, r = z3.Int("x"), z3.Real("r")
    assert zf.lt(x, r).eq(x < r) and zf.eq(r, x).eq(r == x)
    y = z3.Int("y", other)
    try:
        zf.lt(x, y)
    except z3.Z3Exception:
        pass
    else:
        raise AssertionError("terms of two contexts were combined")


def test_only_integer_terms_are_marked_known_integers() -> None:
    x, y, r = z3.Int("x"), z3.Int("y"), z3.Real("r")
    assert zf._int_pair(x, r) is None and zf._int_pair(r, x) is None
    assert not getattr(r, "_zi", False)
    s = zf.add(x, y)  # both asked once: known integers from now on
    assert x._zi and y._zi and s._zi and zf.intval(3)._zi
    assert zf._int_pair(s, r) is None  # a marked integer with an unmarked real
    assert isinstance(zf.lt(s, r), z3.BoolRef)  # the slow path: z3.py coerces the mix
    assert zf.lt(s, zf.intval(3)).eq(s < 3)
