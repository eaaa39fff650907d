#!/usr/bin/env python3
"""Reads a stereo float32 recording: from the first 50 ms window that
sounds to the last, prints how many windows are silent (a gap in the
playback) and how many sound: "gaps G sounding S".
usage: no_gaps.py FILE RATE"""
import math
import struct
import sys

data = open(sys.argv[1], "rb").read()
rate = int(sys.argv[2])
n = len(data) // 8
left = struct.unpack("<%df" % (2 * n), data[: 8 * n])[0::2]
win = rate // 20
loud = []
for at in range(0, n - win, win):
    x = left[at:at + win]
    loud.append(math.sqrt(sum(v * v for v in x) / win) > 0.005)
first = loud.index(True) if True in loud else 0
last = len(loud) - 1 - loud[::-1].index(True) if True in loud else -1
span = loud[first:last + 1]
print("gaps %d sounding %d" % (span.count(False), span.count(True)))
