"""The operator latency and memory port table the latency estimate uses.

Every number here is a documented assumption, not a measurement of a particular device: the
defaults describe a Vitis HLS design on an AMD UltraScale+ part (such as the Alveo U280) at
300 MHz, which is where Allo's published PolyBench figures were measured. The estimate is
only as good as this table; `docs/estimate.md` explains each entry.

| operation class                         | cycles | note                                  |
|-----------------------------------------|-------:|---------------------------------------|
| integer add/sub/logic/compare/select    | 0      | chained into the surrounding cycle    |
| integer add/sub wider than 32 bits      | 1      | carry chain registered                |
| integer multiply (<= 18 bits)           | 1      | one DSP                               |
| integer multiply (<= 32 bits)           | 3      | cascaded DSPs, pipelined              |
| integer multiply (> 32 bits)            | 5      |                                       |
| integer divide / remainder              | width/2 + 2 | radix-2 divider                  |
| float add / sub (f32)                   | 4      | `fadd` core at 300 MHz                |
| float multiply (f32)                    | 3      | `fmul` core                           |
| float divide (f32)                      | 12     | `fdiv`                                |
| float compare / min / max / negate      | 1      |                                       |
| float conversions (int<->float, ext)    | 3      |                                       |
| sqrt (f32)                              | 12     |                                       |
| exp, log, pow, tanh, sin, cos (f32)     | 20     | math library cores                    |
| f64 add/sub / mul / div / sqrt           | 5/5/22/22 |                                    |
| f16/bf16 add/sub / mul                  | 3/2    |                                       |
| memory read (BRAM/URAM)                 | 2      | address register + read latency       |
| memory write                            | 1      |                                       |
| register (completely partitioned) read  | 0      |                                       |
| loop entry/exit (not pipelined)         | 1      | per iteration of a rolled loop        |
| pipeline fill                           | 1      | once per pipelined loop               |

Memory: each bank of an array is a true dual-port RAM, so two accesses of one bank fit in a
cycle. Partitioning multiplies the banks (complete on a dimension of size s: s banks; block or
cyclic with factor f: f banks); a complete partition on every dimension (dim 0) turns the array
into registers with as many ports as needed. Streams (FIFOs) take one read and one write per
cycle and cost one cycle of latency.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CLOCK_MHZ = 300.0
RAM_PORTS = 2
READ_CYCLES = 2
WRITE_CYCLES = 1
LOOP_OVERHEAD = 1
PIPELINE_FILL = 1

#: integer ops that cost nothing: chained combinational logic
FREE_INT = frozenset({
    "arith.andi", "arith.ori", "arith.xori", "arith.cmpi", "arith.select", "arith.extsi",
    "arith.extui", "arith.trunci", "arith.index_cast", "arith.index_castui", "arith.shli",
    "arith.shrsi", "arith.shrui", "arith.constant", "arith.bitcast", "affine.apply",
    "arith.maxsi", "arith.minsi", "arith.maxui", "arith.minui",
})
INT_ADD = frozenset({"arith.addi", "arith.subi"})
INT_MUL = frozenset({"arith.muli"})
INT_DIV = frozenset({"arith.divsi", "arith.divui", "arith.remsi", "arith.remui",
                     "arith.floordivsi", "arith.ceildivsi", "arith.ceildivui"})
FLOAT_ADD = frozenset({"arith.addf", "arith.subf"})
FLOAT_MUL = frozenset({"arith.mulf"})
FLOAT_DIV = frozenset({"arith.divf", "arith.remf"})
FLOAT_CHEAP = frozenset({"arith.cmpf", "arith.maximumf", "arith.minimumf", "arith.maxnumf",
                         "arith.minnumf", "arith.negf", "math.absf", "math.copysign"})
FLOAT_CONVERT = frozenset({"arith.sitofp", "arith.uitofp", "arith.fptosi", "arith.fptoui",
                           "arith.extf", "arith.truncf"})
SQRT = frozenset({"math.sqrt", "math.rsqrt"})
TRANSCENDENTAL = frozenset({"math.exp", "math.exp2", "math.log", "math.log2", "math.log10",
                            "math.powf", "math.tanh", "math.sin", "math.cos", "math.erf",
                            "math.fpowi", "math.ipowi", "math.atan", "math.atan2"})

#: float latency per class and width: (add, mul, div, sqrt, transcendental)
_FLOAT = {16: (3, 2, 8, 8, 12), 32: (4, 3, 12, 12, 20), 64: (5, 5, 22, 22, 30)}


@dataclass(frozen=True)
class OpTable:
    """The latency table; `latency(name, width)` is the number of cycles one operation takes,
    with `width` the bit width of its widest operand or result (0 if unknown)."""

    clock_mhz: float = CLOCK_MHZ
    ram_ports: int = RAM_PORTS
    read_cycles: int = READ_CYCLES
    write_cycles: int = WRITE_CYCLES
    loop_overhead: int = LOOP_OVERHEAD
    pipeline_fill: int = PIPELINE_FILL
    overrides: dict[str, int] = field(default_factory=dict)

    def latency(self, name: str, width: int, is_float: bool) -> int:
        """Cycles of the operation `name` at bit width `width` (see the module table)."""
        if name in self.overrides:
            return self.overrides[name]
        if name in FREE_INT:
            return 0
        if name in INT_ADD:
            return 1 if width > 32 else 0
        if name in INT_MUL:
            return 1 if width <= 18 else 3 if width <= 32 else 5
        if name in INT_DIV:
            return max(width, 1) // 2 + 2
        fw = 16 if 0 < width <= 16 else 64 if width > 32 else 32
        add, mul, div, sqrt, trans = _FLOAT[fw]
        if name in FLOAT_ADD:
            return add
        if name in FLOAT_MUL:
            return mul
        if name in FLOAT_DIV:
            return div
        if name in FLOAT_CHEAP:
            return 1
        if name in FLOAT_CONVERT:
            return 3
        if name in SQRT:
            return sqrt
        if name in TRANSCENDENTAL:
            return trans
        return 1 if is_float else 0

    def ms(self, cycles: float) -> float:
        """`cycles` at the table's clock, in milliseconds."""
        return cycles / (self.clock_mhz * 1e3)


DEFAULT_TABLE = OpTable()
