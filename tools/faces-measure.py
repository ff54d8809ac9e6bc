#!/usr/bin/env python3
"""The figures in docs/faces.md: recall at IoU >= 0.3, false positives and
CPU time of attache's face detectors (build/faces-probe, the detectors
attache links) on the labelled set of tests/faces/faceset.py, for each
configuration given.

usage: tools/faces-measure.py BUILD TMP CONFIG...
  CONFIG: LONG_SIDE,DETECTORS,MIN_PX,HOG_UPSAMPLE,STEP,LBP_FLOOR,HOG_FLOOR
  (DETECTORS: 1 LBP frontal, 2 LBP profile and its mirror, 4 dlib HOG)
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "faces"))
import faceset  # noqa: E402


_probed = {}


def probe(build, path, cfg):
    """The raw boxes (every cascade box of 3 neighbours and more, every
    HOG box of confidence -0.5 and more): the floors are applied after, so
    configurations that differ only there share one run."""
    key = (path,) + tuple(cfg[:5])
    if key not in _probed:
        _probed[key] = _probe(build, path, cfg)
    return _probed[key]


def _probe(build, path, cfg):
    L, det, min_px, up, step = cfg[:5]
    out = subprocess.run([os.path.join(build, "faces-probe"), path, str(L), str(det), str(min_px), str(up), str(step)],
                         capture_output=True, text=True, check=True).stdout
    boxes, ms, dims = [], 0.0, None
    for line in out.splitlines():
        w = line.split()
        if w[0] == "box":
            boxes.append((int(w[1]),) + tuple(float(v) for v in w[2:]))
        elif w[0] == "size":
            dims = (int(w[1]), int(w[2]))
            ms = float(w[8])
    return boxes, dims, ms


def unit(det, s):
    # vision/faces.c's unit_score()
    import math
    return min(1, max(0, 0.5 + s / 2)) if det == 4 else min(1, max(0, 1 - math.exp(-s / 8)))


def merged(boxes, dims, lbp_floor, hog_floor):
    keep = [(x, y, w, h, unit(d, s)) for d, x, y, w, h, s in boxes
            if (d == 4 and s >= hog_floor) or (d != 4 and s >= lbp_floor)]
    keep.sort(key=lambda b: -b[4])
    out = []
    for b in keep:
        if all(faceset.iou(b, k) <= 0.3 and inside(b, k) <= 0.6 for k in out):
            out.append(b)
    W, H = dims
    return [(x / W, y / H, w / W, h / H) for x, y, w, h, _ in out]


def inside(a, b):
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return ix * iy / max(1e-9, min(a[2] * a[3], b[2] * b[3]))


def main():
    build, tmp, configs = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(tmp, exist_ok=True)
    cases = faceset.cases(tmp)
    for c in configs:
        v = c.split(",")
        cfg = (v[0], int(v[1]), int(v[2]), int(v[3]), float(v[4]), float(v[5]), float(v[6]))
        groups, total, ms12 = {}, [0, 0, 0], []
        for case in cases:
            boxes, dims, ms = probe(build, case.path, cfg)
            found = merged(boxes, dims, cfg[5], cfg[6])
            h, p, fp = faceset.score(case.faces, found)
            g = groups.setdefault(case.group, [0, 0, 0])
            for a in (g, total):
                a[0] += h
                a[1] += p
                a[2] += fp
            if case.group == "phone-o6":
                ms12.append(ms)
        per = " ".join("%s %d/%d fp %d" % (k, a[0], a[1], a[2]) for k, a in groups.items())
        print("%s: recall %d/%d fp %d, detect %.0f ms CPU per phone-size photo (median) | %s" %
              (c, total[0], total[1], total[2], sorted(ms12)[len(ms12) // 2], per), flush=True)


if __name__ == "__main__":
    main()
