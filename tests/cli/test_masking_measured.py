"""Masking, measured (issue 14, "Measured, not assumed"): on the labelled
group photos (../shared/samples/faces, 18 faces boxed by hand), as they
are and scaled up to phone size with EXIF orientation 6, every
hand-labelled face and every face an independent detector finds in the
original (OpenCV's Haar frontal and profile cascades, which attache does
not use: tests/cv_oracle.py under /usr/bin/python3) is at least 95%
covered by the solid mask in every output, nothing of it is left (grey
std dev inside at most a tenth of the original's), and the same detector
finds no face there after. Every face of these photos is labelled, so a
Haar box over no labelled face is the oracle's false positive (a wine
glass at 4x), listed and not checked.

Where each output lies in the photo is found by matching its pixels
against the original (cv_oracle.py cover), not taken from attache's JSON;
attache's own in_output boxes are checked against that."""
import csv
import json
import os
import subprocess

import lib

FACES = os.path.normpath(os.path.join(lib.ROOT, "..", "shared", "samples", "faces"))
ORACLE = os.path.join(lib.ROOT, "tests", "cv_oracle.py")
PRESETS = "x-landscape,instagram-portrait,x-square"
# scaled up 4x with orientation 6 (a phone's 2000 x 1500, upright): the
# crowd of seven small faces and the group of six (--protect spends about
# 3 s of CPU on each)
PHONE_SIZED = ("2007_007763.jpg", "2008_002079.jpg")


def oracle(*args):
    out = subprocess.run(["/usr/bin/python3", ORACLE] + [str(a) for a in args],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def labels():
    if not os.path.isdir(FACES):
        lib.skip("../shared/samples/faces is absent")
    by = {}
    with open(os.path.join(FACES, "faces.tsv")) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if r["ignore"] == "0":
                by.setdefault(r["file"], []).append(
                    [int(r[k]) for k in ("left", "top", "width", "height")])
    return by


def phone_sized(src, dst, factor=4):
    """@src scaled up @factor times and stored turned a quarter anticlockwise
    with EXIF orientation 6, so that it shows upright: the boxes hold in
    the upright frame, times @factor."""
    tmp = dst + ".v"
    subprocess.run(["vips", "resize", src, tmp, str(factor)], check=True)
    subprocess.run(["vips", "rot", tmp, dst + "[Q=92]", "d270"], check=True)
    os.unlink(tmp)
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-n",
                    "-Orientation=6", dst], check=True)
    return dst


def iou(a, b):
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    i = ix * iy
    return i / (a[2] * a[3] + b[2] * b[3] - i)


def faces_to_check(labelled, haar, dropped):
    """The labelled faces, and each face Haar finds that is one of them
    (IoU >= 0.3), with Haar's own, looser box. Every face of these photos
    is labelled (README), so a Haar box over none is the oracle's false
    positive (a wine glass in 2008_002079 at 4x): counted in @dropped."""
    keep = []
    for h in haar:
        if any(iou(h, l) >= 0.3 for l in labelled):
            keep.append(h)
        else:
            dropped.append(h)
    return labelled + keep


def check_photo(d, src, boxes, tag, report):
    out = os.path.join(d, "out-" + tag)
    r = lib.run("prep", "--json", "-o", out, "-p", PRESETS, "--protect",
                "faces", src, check=0)
    outs = lib.json_lines(r.stdout)
    lib.assert_eq(len(outs), 3, tag)
    covers = oracle("covers", src, json.dumps(boxes), *[o["output"] for o in outs])
    for o, got in zip(outs, covers):
        # the oracle's geometry and attache's own boxes agree
        s = got["scale"]
        W, H = o["width"] / s, o["height"] / s  # not needed beyond a check
        assert W > 0 and H > 0
        for f in o["faces"]:
            io = f["in_output"]
            if not io or io["x"] < 1 or io["y"] < 1:
                continue
            up = upright_size(src)
            ox = f["x"] * up[0] * s - got["dx"]
            oy = f["y"] * up[1] * s - got["dy"]
            assert abs(ox - io["x"]) <= 2 and abs(oy - io["y"]) <= 2, (tag, o["preset"], f, got)
        for b in got["boxes"]:
            if b["shown"] < 0.05:  # this crop left it out
                continue
            report.append((tag, o["preset"], b["box"], b["black"], b["std"], b["std_before"]))
            assert b["black"] >= 0.95, ("not covered", tag, o["preset"], b)
            # what little is left unfilled (at most 5%) is no detail:
            # the box's contrast is a tenth of the original's at most
            assert b["std"] <= max(2.0, 0.1 * b["std_before"]), ("detail left", tag, o["preset"], b)
            assert not b["faces_over"], ("a face still found", tag, o["preset"], b)


_sizes = {}


def upright_size(path):
    if path not in _sizes:
        t = lib.exiftool(path, "-ImageWidth", "-ImageHeight", "-Orientation", "-n")
        w, h = t["File:ImageWidth"], t["File:ImageHeight"]
        o = t.get("IFD0:Orientation", 1)
        _sizes[path] = (h, w) if o in (5, 6, 7, 8) else (w, h)
    return _sizes[path]


def test_every_labelled_and_independently_found_face_is_masked_in_every_output():
    lab = labels()
    report, dropped = [], []
    with lib.TempDir() as d:
        for name, boxes in sorted(lab.items()):
            src = os.path.join(FACES, name)
            haar = oracle("faces", src)
            check_photo(d, src, faces_to_check(boxes, haar, dropped), name, report)
            if name not in PHONE_SIZED:
                continue
            big = phone_sized(src, os.path.join(d, "o6-" + name))
            haar = oracle("faces", big)
            check_photo(d, big, faces_to_check([[v * 4 for v in b] for b in boxes], haar, dropped),
                        "o6x4-" + name, report)
    # every photo, in both forms, had faces in its outputs to check
    assert len({t for t, *_ in report}) == len(lab) + len(PHONE_SIZED), sorted({t for t, *_ in report})
    # the oracle is a detector worth its name on these photos
    assert len(dropped) <= 3, dropped
    if os.environ.get("VERBOSE") == "1":
        print("Haar boxes over no labelled face, not checked:", dropped)
        for t, p, b, black, std, before in report:
            print("%-24s %-18s %-22s black %.3f std %.2f (before %.1f)" % (t, p, b, black, std, before))
