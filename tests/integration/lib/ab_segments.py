#!/usr/bin/env python3
"""Reads a stereo float32 recording and splits it into 50 ms windows; each
window that sounds is named by its frequency (the span of the zero
crossings of the left side). Prints the order of the tones heard, e.g.
"1000 800 1000", and the RMS in dB of each tone's windows that it fills:
"rms 1000 -23.01 800 -22.97".
usage: ab_segments.py FILE RATE"""
import math
import struct
import sys


def main():
    path, rate = sys.argv[1], int(sys.argv[2])
    data = open(path, "rb").read()
    n = len(data) // 8
    left = struct.unpack("<%df" % (2 * n), data[: 8 * n])[0::2]
    win = rate // 20
    period = rate // 700  # a little over one period of the lower tone
    order, energy = [], {}
    for at in range(0, n - win, win):
        x = left[at:at + win]
        rms = math.sqrt(sum(v * v for v in x) / win)
        if rms < 0.005:
            continue
        # The frequency from the span of the crossings, not their count:
        # a window the tone starts or ends in counts fewer crossings and
        # would pass for a lower tone.
        at_cross = [i for i, (a, b) in enumerate(zip(x, x[1:])) if a < 0 <= b]
        if len(at_cross) < 3:
            continue
        freq = (len(at_cross) - 1) * rate / (at_cross[-1] - at_cross[0])
        tone = 1000 if abs(freq - 1000) < 30 else 800 if abs(freq - 800) < 30 else 0
        if not tone:
            continue  # a window holding a crossfade or a lost period
        if not order or order[-1] != tone:
            order.append(tone)
        if at_cross[0] > period or at_cross[-1] < win - 1 - period:
            continue  # only windows the tone fills weigh in its level
        e = energy.setdefault(tone, [0.0, 0])
        e[0] += rms * rms
        e[1] += 1
    print(" ".join(str(t) for t in order))
    print("rms " + " ".join("%d %.2f" % (t, 10 * math.log10(e[0] / e[1]))
                            for t, e in sorted(energy.items())))


main()
