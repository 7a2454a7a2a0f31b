"""Issue 10's HLS acceptance: the memory customizations survive into the emitted C++ and
its C simulation. jacobi-2d and the 3x3 convolution (reuse_at line and window buffers,
partitions) and Allo's GEMM (buffer_at, partitions) verify with L1, L2, L3 and CSIM; their
C++ compiles without warnings and carries one `#pragma HLS array_partition` per partitioned
dimension; a layout given to a buffer passed into a sub-kernel reaches the callee's
argument in the IR and as a pragma in the callee's C++."""

from __future__ import annotations

import re

import pytest
from mlir.ir import ArrayAttr, DictAttr, IntegerAttr, StringAttr

import allo_verify as av
from allo_verify import grid, int16, int32
from allo_verify.codegen.hls.csim import generated_warnings
from allo_verify.schedule.buffers import functions
from examples import conv_reuse, gemm_buffer, jacobi2d


def expected_pragmas(s: av.Schedule) -> list[tuple[str, str]]:
    """(variable, pragma regex) for every partition step of the log, as a Vitis user
    expects it: `dim=0` (every dimension) may be spelled one pragma per dimension."""
    out = []
    for step in s.log():
        if step["primitive"] != "partition":
            continue
        a = step["args"]
        var = a["target"].split(":")[-1]
        kind, dim, factor = a["partition_type"], a["dim"], a["factor"]
        fac = "" if kind == "complete" else rf" factor={factor}"
        dims = r"\d+" if dim == 0 else str(dim)
        out.append((var, rf"#pragma HLS array_partition variable={re.escape(var)} "
                         rf"type={kind}{fac} dim=({dims})\b"))
    return out


DESIGNS = {
    "jacobi2d": lambda: jacobi2d.customize(8, 2),
    "jacobi2d_example": lambda: jacobi2d.customize(),
    "conv_reuse": lambda: conv_reuse.conv_schedule,
    "gemm_buffer": lambda: gemm_buffer.gemm_schedule,
}


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_memory_design_verifies_with_csim_and_carries_its_pragmas(name: str) -> None:
    s = DESIGNS[name]()
    cert = s.verify(trials=6, csim=True)
    assert cert.status == "proved", cert.verdict().reasons
    layers = {e.layer: e.result.status for e in cert.entries if e.layer != "L1"}
    assert layers == {"L2": "proved", "L3": "agreed", "CSIM": "agreed"}, layers
    mod = s.build(target="vhls")
    assert generated_warnings(mod.binary().log) == []
    code = mod.code
    wanted = expected_pragmas(s)
    assert wanted, "each of these designs partitions something"
    for var, pat in wanted:
        assert re.search(pat, code), f"no pragma for {var}: {pat}\n{code}"
        assert re.search(rf"\b{re.escape(var)}(\[\d+\])+[;,)]", code), var  # an array


def test_gemm_carries_allos_partition_pragmas() -> None:
    code = gemm_buffer.gemm_schedule.build(target="vhls").code
    for line in ("#pragma HLS array_partition variable=A type=cyclic factor=4 dim=2",
                 "#pragma HLS array_partition variable=B type=cyclic factor=4 dim=2",
                 "#pragma HLS array_partition variable=C_buf type=cyclic factor=4 dim=1"):
        assert line in code


M, N = 4, 6


def inc(X: int16[M, N]) -> int16[M, N]:
    Y: int16[M, N] = 0
    for i, j in grid(M, N):
        Y[i, j] = X[i, j] - 7
    return Y


def top(A: int16[M, N]) -> int16[M, N]:
    B: int16[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 3
    C: int16[M, N] = inc(B)
    return C


def twice(A: int32[M, N], D: int32[M, N]) -> int32[M, N]:
    E: int32[M, N] = 0
    for i, j in grid(M, N):
        E[i, j] = A[i, j] + D[i, j]
    F: int32[M, N] = dbl(E)
    G: int32[M, N] = dbl(D)
    for i, j in grid(M, N):
        F[i, j] += G[i, j]
    return F


def dbl(X: int32[M, N]) -> int32[M, N]:
    Y: int32[M, N] = 0
    for i, j in grid(M, N):
        Y[i, j] = X[i, j] * 2
    return Y


def callee_arg_layout(s: av.Schedule, func: str, k: int) -> list[tuple[str, int, int]]:
    f = functions(s.module)[func]
    d = DictAttr(ArrayAttr(f.attributes["arg_attrs"])[k])
    return [(StringAttr(DictAttr(a)["type"]).value, IntegerAttr(DictAttr(a)["dim"]).value,
             IntegerAttr(DictAttr(a)["factor"]).value) for a in ArrayAttr(d["hls.partition"])]


def function_body(code: str, name: str) -> str:
    """The C++ definition of `name` (from its signature to the closing brace at column 0)."""
    m = re.search(rf"^void {name}\((.*?)\) \{{\n(.*?)^\}}", code, re.S | re.M)
    assert m, f"no definition of {name}"
    return m.group(0)


@pytest.mark.parametrize("kind, dim, factor, spelled", [
    (av.Partition.Cyclic, 2, 3, "type=cyclic factor=3 dim=2"),
    (av.Partition.Block, 1, 2, "type=block factor=2 dim=1"),
    (av.Partition.Complete, 2, 0, "type=complete dim=2"),
])
def test_a_layout_passed_into_a_sub_kernel_reaches_the_callee_ir_and_cpp(
        kind, dim, factor, spelled) -> None:  # noqa: ANN001
    s = av.customize(top)
    s.partition(s.B, kind, dim=dim, factor=factor)
    assert callee_arg_layout(s, "inc", 0) == [(kind.value, dim, factor)]
    code = s.build(target="vhls").code
    callee = function_body(code, "inc")
    param = re.match(r"void inc\(ap_int<16> (\w+)\[", callee).group(1)
    assert f"#pragma HLS array_partition variable={param} {spelled}" in callee
    assert f"#pragma HLS array_partition variable=B {spelled}" in function_body(code, "top")
    cert = s.verify(trials=5, csim=True)
    assert cert.status == "proved"
    assert [e.result.status for e in cert.entries if e.layer == "CSIM"] == ["agreed"]


def test_one_callee_argument_bound_at_two_call_sites_gets_one_layout() -> None:
    s = av.customize(twice)
    s.partition(s.D, av.Partition.Cyclic, dim=1, factor=2)
    assert callee_arg_layout(s, "dbl", 0) == [("cyclic", 1, 2)]
    code = s.build(target="vhls").code
    assert "type=cyclic factor=2 dim=1" in function_body(code, "dbl")
    assert "variable=E type=cyclic factor=2 dim=1" in function_body(code, "twice")
    assert s.verify(trials=4, csim=True).status == "proved"
    with pytest.raises(av.ScheduleUsageError) as info:
        s.partition(s.E, av.Partition.Block, dim=1, factor=2)
    assert "step 1 (partition(target='twice:D'" in str(info.value)
    assert "twice:E" in str(info.value)


def test_a_broken_emitter_is_caught_on_the_memory_design(monkeypatch) -> None:  # noqa: ANN001
    """Mutation: the emitter writes `+` for a multiplication. GEMM's proofs (L1, L2) and L3
    are about the IR and still pass; C simulation refutes the design at a named cell."""
    from allo_verify.codegen.hls import expressions

    monkeypatch.setitem(expressions.OPS, "arith.muli", expressions._binary("+"))
    cert = gemm_buffer.gemm_schedule.verify(layers=("L1", "L3"), trials=3, csim=True)
    cs = [e for e in cert.entries if e.layer == "CSIM"][0]
    assert cs.result.status == "refuted" and cert.status == "refuted"
    cex = cs.result.counterexample
    assert cex.output == "result" and len(cex.cell) == 2 and cex.value_a != cex.value_b


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_partition_pragmas_sit_right_after_their_declaration(name: str) -> None:
    """Where a Vitis user expects them: a local buffer's pragmas directly follow its
    declaration; an argument's follow the function's opening (with the interface ones)."""
    s = DESIGNS[name]()
    lines = [ln.strip() for ln in s.build(target="vhls").code.splitlines()]
    for var, _ in expected_pragmas(s):
        at = [k for k, ln in enumerate(lines)
              if ln.startswith(f"#pragma HLS array_partition variable={var} ")]
        assert at, var
        k = at[0] - 1
        while lines[k].startswith("#pragma HLS"):
            k -= 1
        decl = lines[k]
        assert re.match(rf"[\w<>, ]+ {re.escape(var)}(\[\d+\])+;$", decl) or \
            decl.startswith("void "), f"{var}: pragma after {decl!r}"
        assert at == list(range(at[0], at[0] + len(at))), f"{var}: pragmas not together"
