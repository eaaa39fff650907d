"""slice_fit: how well a recording holds one slice of a sample.

    python3 slice_fit.py REC.f32 SAMPLE.f32 START LENGTH FADE PERIOD

REC.f32 is headerless float32 stereo from a JACK recorder (its left channel
is read), SAMPLE.f32 float32 mono. On a loaded machine the recorder may
lose whole periods and the player may miss some (never damage any), so
the recording is matched a
period at a time: the first period that sounds is lined up with the
slice's start (searching 64 frames either way, the fade-in blurs where
sound begins), each later one with the slice where it follows on after 0
to 16 lost periods; a silent period inside the sound (one the player was
late for) is passed over. One gain is fitted over every frame outside the FADE
frames at the slice's ends. Prints how many periods matched, how far into
the slice the last sound was, the largest difference from gain x slice
(as a share of the slice's peak) and the gain."""
import struct
import sys


def floats(path):
    data = open(path, "rb").read()
    return struct.unpack("<%df" % (len(data) // 4), data)


rec = floats(sys.argv[1])[0::2]
sample = floats(sys.argv[2])
start, length, fade, period = (int(a) for a in sys.argv[3:7])
ref = sample[start:start + length]
sounding = [i for i, v in enumerate(rec) if abs(v) > 1e-5]
if not sounding:
    print("periods 0 reached 0 worst 1 gain 0")
    sys.exit(0)
first, last = sounding[0], sounding[-1]


def pairs(rec_at, ref_at, n):
    """(recorded, reference) frame pairs of a stretch, inside both."""
    return [(rec[rec_at + i], ref[ref_at + i]) for i in range(n)
            if 0 <= ref_at + i < length and rec_at + i < len(rec)
            and fade <= ref_at + i < length - fade]


def misfit(ps):
    num = sum(r * s for r, s in ps)
    den = sum(s * s for _, s in ps) or 1.0
    g = num / den
    return max((abs(r - g * s) for r, s in ps), default=1.0), g


# The first period with sound, aligned by search.
p0 = first - first % period
best = None
for shift in range(-64, 65):
    ps = pairs(p0, p0 - first + shift, period)
    if len(ps) < period // 4:
        continue
    err, g = misfit(ps)
    if best is None or err < best[0]:
        best = (err, p0 - first + shift)
spans = [(p0, best[1])] if best else []
# Each following period: where in the slice it continues.
at = p0 + period
while spans and at <= last:
    # A period the player missed comes out silent: it holds no frame of
    # the slice, which goes on in the next one.
    if max(abs(v) for v in rec[at:at + period]) < 1e-9:
        at += period
        continue
    prev_ref = spans[-1][1]
    choice = None
    for lost in range(0, 17):
        ref_at = prev_ref + period * (1 + lost)
        ps = pairs(at, ref_at, period)
        if not ps:
            continue
        err, _ = misfit(pairs(spans[0][0], spans[0][1], period) + ps)
        if choice is None or err < choice[0]:
            choice = (err, ref_at)
    if choice is None:
        break
    spans.append((at, choice[1]))
    at += period
everything = [p for rec_at, ref_at in spans for p in pairs(rec_at, ref_at, period)]
worst, gain = misfit(everything)
peak = max(abs(gain * s) for s in ref) or 1.0
reached = spans[-1][1] + (last - spans[-1][0]) + 1 if spans else 0
print("periods %d reached %d worst %.6f gain %.6f" % (len(spans), reached, worst / peak, gain))
