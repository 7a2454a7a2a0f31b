"""Shared helper for the parametric lemmas in `proofs/`.

A lemma is a Z3 formula whose free integer variables (sizes N, F, T1, ..., iteration
vectors) are read universally: the lemma is *proved for all values* when the negation is
unsatisfiable. Every query runs under a Z3 resource limit (`rlimit`), never a wall-clock
timeout, so the answer is the same on every run. A refutation comes with the model, which
each proof file replays in plain Python to show the counterexample is real.

Also proved here, once, because split, fuse and unroll rely on it: Z3's `div`/`mod` by a
positive divisor are exactly the quotient and remainder of Euclidean division,

    for all x, d >= 1, q, r:   (q = x div d  and  r = x mod d)  <=>  (x = q*d + r, 0 <= r < d)

and the checker's ceildiv term `-((-n) div d)` is the least t with n <= t*d.

Some statements (depth-3 fusion) are too nonlinear for one query. They are proved from
*instances* of the small lemmas below: each lemma is proved valid for all values of its own
variables, so substituting any terms for those variables gives a valid formula, which may be
assumed in a later query (`instance`). Everything stays symbolic; no size is ever fixed.

    strip   d1, d2 >= 1, x = j*d2 + k, 0 <= k < d2, 0 <= x < d1*d2  =>  0 <= j < d1
    bound   d1, d2 >= 1, 0 <= j < d1, 0 <= k < d2  =>  0 <= j*d2 + k < d1*d2
    order   d >= 1, x = q*d + r, y = q'*d + r', 0 <= r, r' < d  =>  (x < y <=> (q, r) <lex (q', r'))
    pos     d1, d2 >= 1  =>  d1*d2 >= 1
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import z3

RLIMIT = 10_000_000
# Every lemma must be decided within RLIMIT / MARGIN (checked by `test_margins`), so a
# newer Z3 or a heuristic change has room before a lemma turns Unknown.
MARGIN = 10
SEED = 0
_SEED_PARAMS = ("random_seed",)  # the SMT core's seed (the solver accepts no other)


@dataclass(frozen=True)
class Outcome:
    """Z3's answer to "is the negation of the claim satisfiable?"."""

    status: str  # "proved" (unsat), "refuted" (sat) or "unknown"
    seconds: float
    rlimit: int
    model: dict[str, int] = field(default_factory=dict)
    reason: str = ""


def _model_dict(m: z3.ModelRef) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in m.decls():
        if d.arity() == 0:
            v = m[d]
            if z3.is_int_value(v) or z3.is_bv_value(v):
                out[d.name()] = v.as_long()
    return out


def solve(claim: z3.BoolRef, rlimit: int = RLIMIT, seed: int = SEED) -> Outcome:
    """Decide "is the negation of `claim` satisfiable?" deterministically.

    The query runs in a fresh Z3 context (the claim is translated into it), with every
    random seed fixed and a resource limit: its answer then depends on the claim alone,
    not on the queries run earlier in the process (which change AST numbering and the
    solver's heuristics) nor on wall-clock time."""
    ctx = z3.Context()
    s = z3.Solver(ctx=ctx)
    for p in _SEED_PARAMS:
        s.set(p, int(seed))
    s.set("rlimit", int(rlimit))
    s.add(z3.Not(claim.translate(ctx)))
    t0 = time.perf_counter()
    answer = s.check()
    dt = time.perf_counter() - t0
    st = s.statistics()
    used = int(st.get_key_value("rlimit count")) if "rlimit count" in st.keys() else 0
    if answer == z3.unsat:
        return Outcome("proved", dt, used)
    if answer == z3.sat:
        return Outcome("refuted", dt, used, _model_dict(s.model()))
    return Outcome("unknown", dt, used, reason=s.reason_unknown())


def check(claim: z3.BoolRef, rlimit: int = RLIMIT, seed: int = SEED) -> Outcome:
    """Ask Z3 whether `claim` holds for every value of its free variables.

    A top-level conjunction is proved conjunct by conjunct (it is valid exactly when each
    conjunct is); the first conjunct not proved gives the outcome."""
    parts = list(claim.children()) if z3.is_and(claim) else [claim]
    total, seconds = 0, 0.0
    for part in parts:
        out = solve(part, rlimit, seed)
        total, seconds = max(total, out.rlimit), seconds + out.seconds
        if out.status != "proved":
            return out
    return Outcome("proved", seconds, total)


def assert_proved(claim: z3.BoolRef) -> Outcome:
    out = check(claim)
    assert out.status == "proved", f"not proved: {out}"
    return out


def assert_refuted(claim: z3.BoolRef) -> dict[str, int]:
    """The claim is false; returns the counterexample (variable name -> value)."""
    out = check(claim)
    assert out.status == "refuted", f"expected a refutation, got {out}"
    return out.model


def lex_lt(a: list, b: list) -> z3.BoolRef:
    """Strict lexicographic order on equal-length integer vectors."""
    terms, equal = [], []
    for x, y in zip(a, b, strict=True):
        terms.append(z3.And(*equal, x < y))
        equal.append(x == y)
    return z3.Or(*terms)


def ceildiv(n: z3.ArithRef, d: z3.ArithRef | int) -> z3.ArithRef:
    """ceildiv as the checker translates MLIR's `ceildiv` (polyhedral.affine_to_z3)."""
    return -((-n) / d)


def instance(lemma: z3.BoolRef, **terms: z3.ArithRef) -> z3.BoolRef:
    """`lemma` with its variables (named by keyword, e.g. `_x=...`) replaced by terms.
    Valid whenever `lemma` is proved valid."""
    return z3.substitute(lemma, *[(z3.Int(n), t) for n, t in terms.items()])


_x, _y, _d, _d1, _d2, _q, _r, _q2, _r2, _j, _k = z3.Ints("_x _y _d _d1 _d2 _q _r _q2 _r2 _j _k")


def strip_lemma() -> z3.BoolRef:
    return z3.Implies(z3.And(_d1 >= 1, _d2 >= 1, _x == _j * _d2 + _k, 0 <= _k, _k < _d2,
                             0 <= _x, _x < _d1 * _d2), z3.And(0 <= _j, _j < _d1))


def bound_lemma() -> z3.BoolRef:
    return z3.Implies(z3.And(_d1 >= 1, _d2 >= 1, 0 <= _j, _j < _d1, 0 <= _k, _k < _d2),
                      z3.And(0 <= _j * _d2 + _k, _j * _d2 + _k < _d1 * _d2))


def order_lemma() -> z3.BoolRef:
    return z3.Implies(z3.And(_d >= 1, _x == _q * _d + _r, 0 <= _r, _r < _d,
                             _y == _q2 * _d + _r2, 0 <= _r2, _r2 < _d),
                      (_x < _y) == lex_lt([_q, _r], [_q2, _r2]))


def pos_lemma() -> z3.BoolRef:
    return z3.Implies(z3.And(_d1 >= 1, _d2 >= 1), _d1 * _d2 >= 1)


def divmod_lemma() -> z3.BoolRef:
    x, d, q, r = _x, _d, _q, _r
    return z3.Implies(d >= 1, (z3.And(q == x / d, r == x % d))
                      == z3.And(x == q * d + r, 0 <= r, r < d))


def ceildiv_lemma() -> z3.BoolRef:
    n, d, t = z3.Ints("n d t")
    least = z3.And(n <= t * d, (t - 1) * d < n)
    return z3.Implies(d >= 1, (t == ceildiv(n, d)) == least)


def broken_divmod_lemma() -> z3.BoolRef:
    """Without `r < d` the remainder is not unique: refuted."""
    x, d, q, r = _x, _d, _q, _r
    return z3.Implies(d >= 1, (z3.And(q == x / d, r == x % d)) == z3.And(x == q * d + r, 0 <= r))


def broken_strip_lemma() -> z3.BoolRef:
    """With x <= d1*d2 (off by one) the strip index can reach d1: refuted."""
    return z3.Implies(z3.And(_d1 >= 1, _d2 >= 1, _x == _j * _d2 + _k, 0 <= _k, _k < _d2,
                             0 <= _x, _x <= _d1 * _d2), z3.And(0 <= _j, _j < _d1))


LEMMAS = {"divmod": divmod_lemma, "ceildiv": ceildiv_lemma, "strip": strip_lemma,
          "bound": bound_lemma, "order": order_lemma, "pos": pos_lemma}
BROKEN = {"divmod without r < d": broken_divmod_lemma, "strip with x <= d1*d2": broken_strip_lemma}


def report(lemmas: dict, broken: dict) -> None:
    """Print each lemma's outcome and each broken variant's counterexample."""
    for name, build in lemmas.items():
        o = check(build())
        print(f"lemma  {name:50s} {o.status:8s} {o.seconds * 1000:7.1f} ms  rlimit {o.rlimit}")
    for name, build in broken.items():
        o = check(build())
        print(f"broken {name:50s} {o.status:8s} {o.seconds * 1000:7.1f} ms  {o.model}")


def test_divmod() -> None:
    assert_proved(divmod_lemma())


def test_ceildiv() -> None:
    assert_proved(ceildiv_lemma())


def test_helper_lemmas() -> None:
    for build in (strip_lemma, bound_lemma, order_lemma, pos_lemma):
        assert_proved(build())


def test_broken_divmod() -> None:
    m = assert_refuted(broken_divmod_lemma())
    x, d = m.get("_x", 0), m.get("_d", 1)
    # the model's (q, r) satisfies the weakened side but is not Python's divmod
    assert (m.get("_q", 0), m.get("_r", 0)) != divmod(x, d)


def test_broken_strip() -> None:
    m = assert_refuted(broken_strip_lemma())
    assert m.get("_j", 0) >= m.get("_d1", 1)


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
