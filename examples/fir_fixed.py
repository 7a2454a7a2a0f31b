"""A fixed-point FIR filter (Fixed(16, 12) samples and taps, Fixed(32, 24) accumulator),
paired with a hand-written implementation that reverses the tap loop and keeps a partial
sum per output. Both the schedule and the hand-written kernel are checked.

    allo-verify verify examples/fir_fixed.py
"""

import numpy as np

import allo_verify as av
from allo_verify import Fixed, grid, reduction

N, TAPS = 32, 8
sample = Fixed(16, 12)
acc_t = Fixed(32, 24)
COEFFS = np.array([0.03, -0.07, 0.16, 0.38, 0.38, 0.16, -0.07, 0.03])


def fir(x: sample[N]) -> sample[N - TAPS + 1]:
    h: sample[TAPS] = COEFFS
    y: sample[N - TAPS + 1] = 0.0
    for n in range(N - TAPS + 1):
        acc: acc_t = 0.0
        for t in reduction(TAPS):
            acc += x[n + t] * h[t]
        y[n] = acc
    return y


def fir_reversed(x: sample[N]) -> sample[N - TAPS + 1]:
    h: sample[TAPS] = COEFFS
    y: sample[N - TAPS + 1] = 0.0
    for n, in grid(N - TAPS + 1):
        acc: acc_t = 0.0
        for t in range(TAPS):
            acc = acc + x[n + t] * h[t]
        y[n] = acc
    return y


fir_schedule = av.customize(fir)
fir_schedule.split("n", 5)
fir_schedule.pipeline("n.inner")
fir_schedule.unroll("t")

fir_hand_written = av.equivalence(fir, fir_reversed)
