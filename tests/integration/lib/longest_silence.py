#!/usr/bin/env python3
"""Reads a mono float32 recording at 48 kHz and prints, in seconds, the
sound before its longest silence (from the first sample over 1e-3), that
silence, and the sound after it (to the last such sample):
"BEFORE GAP AFTER"; "0 0 0" when nothing sounds.
usage: longest_silence.py FILE"""
import array
import sys

a = array.array("f")
a.frombytes(open(sys.argv[1], "rb").read())
loud = [i for i, x in enumerate(a) if abs(x) > 1e-3]
if not loud:
    print(0, 0, 0)
    sys.exit()
first, last = loud[0], loud[-1]
best, at = 0, first
for p, q in zip(loud, loud[1:]):
    if q - p > best:
        best, at = q - p, p
print(round((at - first) / 48000, 2), round(best / 48000, 2),
      round((last - at - best) / 48000, 2))
