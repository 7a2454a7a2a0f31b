"""The one pragma table: IR attributes -> `#pragma HLS` lines.

| attribute (where)                       | emitted (where)                                   |
|-----------------------------------------|---------------------------------------------------|
| `hls.pipeline_ii = n` (loop)            | `#pragma HLS pipeline II=n` (first line of body)  |
| `hls.unroll = 0` / `= n` (loop)         | `#pragma HLS unroll` / `... unroll factor=n`      |
| `hls.parallel` (loop)                   | `#pragma HLS unroll` (see below)                  |
| `hls.unfold` (loop, with `hls.unroll`)  | a comment: the loop's copies are Allo's PEs       |
| `hls.dataflow` (loop or func)           | `#pragma HLS dataflow`                            |
| `hls.inline` (func; false: `off`)       | `#pragma HLS inline` / `#pragma HLS inline off`   |
| `hls.partition` (alloc/alloca; func arg)| `#pragma HLS array_partition variable=NAME ...`   |
|                                         | after the declaration / at the function's top     |
| `hls.bind_storage = {type, impl,        | `#pragma HLS bind_storage variable=NAME type=T    |
|  latency?}` (alloc; func arg)           | impl=I [latency=L]` where partition pragmas go    |
| `hls.private` (loop)                    | the named local scalars declared inside the body  |
| `hls.stream = {depth = D}` (alloc)      | `hls::stream<T> NAME("NAME");` + `#pragma HLS     |
|                                         | stream variable=NAME depth=D` (statements.py)     |

`hls.parallel` means L1 proved the iterations independent. Vitis HLS has no loop-level
pragma that runs the iterations of a rolled loop concurrently; the way to do so is a full
unroll, so a parallel loop without an explicit `hls.unroll` is fully unrolled (a comment says
why). `hls.partition` is an ArrayAttr of DictionaryAttr {type: "complete" | "block" |
"cyclic", dim: i64 (1-based, 0 = every dimension), factor: i64}. `hls.stream` (set by `to`,
see `schedule/primitives/stream.py`): the array's one store becomes `NAME.write(v)` and its one
load `NAME.read()`, in program order; L1 proved the order matches cell by cell.
"""

from __future__ import annotations

from mlir import ir

from allo_verify.codegen.hls.types import HLSEmitError

PARTITION_TYPES = ("complete", "block", "cyclic")


def _int(attr: ir.Attribute) -> int:
    return ir.IntegerAttr(attr).value


def loop_pragmas(op: ir.Operation) -> list[str]:
    """The pragma lines that open the body of the loop `op` (pipeline first, then unroll,
    then dataflow)."""
    attrs = op.attributes
    lines: list[str] = []
    if "hls.pipeline_ii" in attrs:
        ii = _int(attrs["hls.pipeline_ii"])
        lines.append(f"#pragma HLS pipeline II={ii}")
    if "hls.unfold" in attrs:
        lines.append("// unfold: one instance (PE) per iteration, proved independent")
    if "hls.unroll" in attrs:
        factor = _int(attrs["hls.unroll"])
        lines.append("#pragma HLS unroll" if factor <= 0 else f"#pragma HLS unroll factor={factor}")
    elif "hls.parallel" in attrs:
        lines.append("// parallel: iterations proved independent; unrolled to run concurrently")
        lines.append("#pragma HLS unroll")
    if "hls.dataflow" in attrs:
        lines.append("#pragma HLS dataflow")
    return lines


def function_pragmas(op: ir.Operation) -> list[str]:
    """Pragmas at the top of a function body from the func's own attributes."""
    attrs = op.attributes
    lines: list[str] = []
    if "hls.inline" in attrs:
        attr = attrs["hls.inline"]
        off = isinstance(attr, ir.BoolAttr) and not ir.BoolAttr(attr).value
        lines.append("#pragma HLS inline off" if off else "#pragma HLS inline")
    if "hls.dataflow" in attrs:
        lines.append("#pragma HLS dataflow")
    return lines


def partition_pragmas(attr: ir.Attribute | None, name: str, rank: int, where: str) -> list[str]:
    """`#pragma HLS array_partition` lines for an `hls.partition` attribute on the array
    `name` of rank `rank`; a malformed entry raises HLSEmitError naming `where`."""
    if attr is None:
        return []
    if not isinstance(attr, ir.ArrayAttr):
        raise HLSEmitError(f"hls.partition on {where} must be an array of dictionaries")
    lines: list[str] = []
    for entry in ir.ArrayAttr(attr):
        if not isinstance(entry, ir.DictAttr):
            raise HLSEmitError(f"hls.partition on {where}: entry {entry} is not a dictionary")
        d = ir.DictAttr(entry)
        kind = ir.StringAttr(d["type"]).value if "type" in d else ""
        if kind not in PARTITION_TYPES:
            raise HLSEmitError(f"hls.partition on {where}: type must be one of "
                               f"{', '.join(PARTITION_TYPES)}, got {kind!r}")
        dim = _int(d["dim"]) if "dim" in d else 0
        if not 0 <= dim <= rank:
            raise HLSEmitError(f"hls.partition on {where}: dim {dim} outside 0..{rank}")
        text = f"#pragma HLS array_partition variable={name} type={kind}"
        if kind != "complete":
            factor = _int(d["factor"]) if "factor" in d else 0
            if factor < 1:
                raise HLSEmitError(f"hls.partition on {where}: a {kind} partition needs a "
                                   "factor >= 1")
            text += f" factor={factor}"
        lines.append(f"{text} dim={dim}")
    return lines


BIND_TYPES = ("RAM_1P", "RAM_2P", "RAM_T2P", "RAM_S2P", "RAM_1WNR", "ROM_1P", "ROM_2P",
              "ROM_NP", "FIFO")
BIND_IMPLS = ("AUTO", "BRAM", "URAM", "LUTRAM", "SRL")


def bind_storage_pragmas(attr: ir.Attribute | None, name: str, where: str) -> list[str]:
    """The `#pragma HLS bind_storage` line of an `hls.bind_storage` attribute (set by a
    `Memory(...)` annotation) on the array `name`. A hardware annotation: it chooses the RAM
    that holds the array, never what the kernel computes. A malformed attribute raises
    HLSEmitError naming `where`."""
    if attr is None:
        return []
    if not isinstance(attr, ir.DictAttr):
        raise HLSEmitError(f"hls.bind_storage on {where} must be a dictionary")
    d = ir.DictAttr(attr)
    kind = ir.StringAttr(d["type"]).value.upper() if "type" in d else ""
    impl = ir.StringAttr(d["impl"]).value.upper() if "impl" in d else ""
    if kind not in BIND_TYPES or impl not in BIND_IMPLS:
        raise HLSEmitError(f"hls.bind_storage on {where}: type must be one of "
                           f"{', '.join(BIND_TYPES)} and impl one of {', '.join(BIND_IMPLS)}, "
                           f"got type={kind!r} impl={impl!r}")
    text = f"#pragma HLS bind_storage variable={name} type={kind.lower()} impl={impl.lower()}"
    if "latency" in d:
        latency = _int(d["latency"])
        if latency < 1:
            raise HLSEmitError(f"hls.bind_storage on {where}: latency must be >= 1")
        text += f" latency={latency}"
    return [text]


def private_buffers(op: ir.Operation) -> list[str]:
    """The buffer names listed by the loop's `hls.private` attribute."""
    if "hls.private" not in op.attributes:
        return []
    attr = op.attributes["hls.private"]
    if not isinstance(attr, ir.ArrayAttr):
        raise HLSEmitError("hls.private must be an array of buffer names")
    return [ir.StringAttr(a).value for a in ir.ArrayAttr(attr)]


def interface_pragmas(ports: list[tuple[str, bool]], spec: object) -> list[str]:
    """Interface pragmas of the top function. `ports` lists (name, is_array) in order.

    `spec` None or "m_axi": each array its own AXI master bundle (`gmem0`, `gmem1`, ...),
    scalars and the block-level control on `s_axilite` bundle `control`; another string
    (e.g. "ap_memory", "bram") is the mode of every array; "none" emits no interface pragma;
    a mapping {port: "mode [options]"} overrides single ports (unlisted ones keep the
    default)."""
    if spec == "none":
        return []
    default = "m_axi"
    overrides: dict[str, str] = {}
    if isinstance(spec, str):
        default = spec
    elif isinstance(spec, dict):
        overrides = {str(k): str(v) for k, v in spec.items()}
        unknown = set(overrides) - {n for n, _ in ports}
        if unknown:
            raise HLSEmitError(f"interface names unknown ports: {', '.join(sorted(unknown))}")
    elif spec is not None:
        raise HLSEmitError("interface must be None, a mode string or a {port: mode} mapping")
    lines: list[str] = []
    bundle = 0
    for name, is_array in ports:
        if name in overrides:
            mode, _, rest = overrides[name].partition(" ")
            lines.append(f"#pragma HLS interface {mode} port={name}{' ' + rest if rest else ''}")
        elif is_array and default == "m_axi":
            lines.append(f"#pragma HLS interface m_axi port={name} offset=slave "
                         f"bundle=gmem{bundle}")
            bundle += 1
        elif is_array:
            lines.append(f"#pragma HLS interface {default} port={name}")
        else:
            lines.append(f"#pragma HLS interface s_axilite port={name} bundle=control")
    lines.append("#pragma HLS interface s_axilite port=return bundle=control")
    return lines
