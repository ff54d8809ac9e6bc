"""Face detection (issue 14, "Faces"): attache finds the faces in a photo
once, before the fit, and reports them in every output's --json line and
manifest line (docs/faces.md, docs/json.md).

Measured on labelled faces (tests/faces/faceset.py): the 18 faces boxed by
hand in ../shared/samples/faces and our own labels (the man by the train
window, side-on; photos with no face), each photo also mirrored, scaled
down, cut by the frame and scaled up to phone size stored with EXIF
orientation 6. The floors are below what docs/faces.md measured, so that
a detector change that loses faces (or finds faces in leaves) fails."""
import os
import sys

import imgtest
import lib

sys.path.insert(0, os.path.join(lib.ROOT, "tests", "faces"))
import faceset  # noqa: E402

TRAIN = "samsung-galaxy-s_o6_gps-zero_thumb.jpg"  # 640x480 stored, EXIF 6

# docs/faces.md: prep's default mode finds 20 of the 60 faces (0.33) and
# no false positive; the floor (18) leaves a margin of two faces. A decode
# smaller than the detection copy (the cause of a drop to 16) fails it.
RECALL_FLOOR = 0.3
FALSE_POSITIVES_MAX = 2


def faces_of(d, photo, *presets, extra=()):
    """The --json lines of @photo prepared for @presets (test presets in
    @d) and the default options."""
    out = os.path.join(d, "out-%d" % len(os.listdir(d)))
    args = []
    for p in presets:
        args += ["-p", p]
    r = lib.run("prep", "--preset-dir", os.path.join(d, "presets"), *args, "--json", "-o", out, photo, *extra, check=0)
    return lib.json_lines(r.stdout)


def presets(d):
    pdir = os.path.join(d, "presets")
    # the whole photo, decoded larger than any detection copy
    imgtest.preset(pdir, "whole", 1200, 1200, fmt="jpg", mode="inside")
    imgtest.preset(pdir, "square", 1080, 1080, fmt="jpg", mode="cover")
    imgtest.preset(pdir, "wide", 1600, 900, fmt="jpg", mode="cover")
    # needs a quarter of a 500 px photo's pixels
    imgtest.preset(pdir, "tiny", 200, 200, fmt="jpg", mode="inside")


def boxes(line):
    return [(f["x"], f["y"], f["w"], f["h"]) for f in line["faces"]]


def test_faces_recall_and_false_positives_on_the_labelled_set():
    lib.phone_photos()
    if not os.path.isfile(faceset.GROUPS):
        lib.skip("../shared/samples/faces is absent")
    with lib.TempDir() as d:
        presets(d)
        cases = faceset.cases(d)
        total, groups, train = [0, 0, 0], {}, {}
        for c in cases:
            line = faces_of(d, c.path, "whole")[0]
            assert line["error"] is None, line
            assert isinstance(line["faces"], list), (c.name, line["faces"])
            for f in line["faces"]:
                assert 0 <= f["x"] <= 1 and 0 <= f["y"] <= 1 and 0 < f["w"] <= 1 - f["x"] + 1e-9, (c.name, f)
                assert 0 <= f["score"] <= 1, (c.name, f)
            h, p, fp = faceset.score(c.faces, boxes(line))
            g = groups.setdefault(c.group, [0, 0, 0])
            for a in (total, g):
                a[0], a[1], a[2] = a[0] + h, a[1] + p, a[2] + fp
            if TRAIN[:-4] in c.name:
                train[c.group] = h
        report = ", ".join("%s %d/%d fp %d" % (k, a[0], a[1], a[2]) for k, a in groups.items())
        print("faces: recall %d/%d at IoU >= 0.3, %d false positives (%s)" % (total[0], total[1], total[2], report))
        assert total[0] >= RECALL_FLOOR * total[1], report
        assert total[2] <= FALSE_POSITIVES_MAX, report
        # the man by the train is side-on: found as he is, turned the other
        # way (mirror), and at phone size with orientation 6 (the box in
        # the oriented frame)
        for g in ("ours", "mirror", "phone-o6"):
            assert train.get(g) == 1, (g, train)
        # no face in leaves, trees and buildings
        assert groups["none"][2] <= 1, report
        # EXIF orientation 6 at phone size finds what the upright photo does
        assert groups["phone-o6"][0] >= groups["groups"][0] + train["ours"] - 2, report


def test_faces_do_not_depend_on_the_presets_asked_for():
    """The faces are found once per photo, on a copy of their own size:
    a 500 px JPEG asked for one small output (decoded at half size), or
    for one full-size output (a decode of its own beside the half-size
    one, docs/architecture.md), has the faces it has asked for two
    full-size outputs (decoded once, in full)."""
    if not os.path.isfile(faceset.GROUPS):
        lib.skip("../shared/samples/faces is absent")
    with lib.TempDir() as d:
        presets(d)
        photo = os.path.join(os.path.dirname(faceset.GROUPS), "2008_001009.jpg")
        found = {}
        for names in (("whole", "square"), ("whole",), ("tiny",)):
            line = faces_of(d, photo, *names)[0]
            assert line["error"] is None, line
            found[names] = boxes(line)
        full = found[("whole", "square")]
        assert full, "the faces of 2008_001009 decoded in full"
        for names, b in found.items():
            assert b == full, (names, b, full)


def test_protect_faces_masks_them_whatever_the_crop():
    """--protect faces finds and masks the faces with --crop
    attention-only too, a crop that needs no faces (the other crops:
    test_masking.py)."""
    if not os.path.isfile(faceset.GROUPS):
        lib.skip("../shared/samples/faces is absent")
    with lib.TempDir() as d:
        presets(d)
        photo = os.path.join(os.path.dirname(faceset.GROUPS), "2008_001322.jpg")
        line = faces_of(d, photo, "square", extra=("--protect", "faces", "--crop", "attention-only"))[0]
        assert line["error"] is None, line
        assert line["faces"] and all(f["masked"] for f in line["faces"]), line["faces"]
        assert "no-face-found" not in line["flags"], line["flags"]


def expected_in_output(face, pw, ph, ow, oh):
    """A centre crop's box for @face (fractions of the @pw x @ph photo) in
    the @ow x @oh output, clipped to it, or None: computed here from the
    geometry of a centre crop, not by attache's code."""
    s = max(ow / pw, oh / ph)
    dx, dy = (pw * s - ow) / 2, (ph * s - oh) / 2
    x0, y0 = face["x"] * pw * s - dx, face["y"] * ph * s - dy
    x1, y1 = x0 + face["w"] * pw * s, y0 + face["h"] * ph * s
    x0, x1 = min(max(x0, 0), ow), min(max(x1, 0), ow)
    y0, y1 = min(max(y0, 0), oh), min(max(y1, 0), oh)
    if x1 - x0 < 1 or y1 - y0 < 1:
        return None
    return (x0, y0, x1 - x0, y1 - y0)


def region_diff(a, abox, b, bbox, d):
    """Mean difference (0..255) of box @abox of image @a and box @bbox of
    @b, both resized to 64x64 by the vips command."""
    out = []
    for n, (img, (x, y, w, h)) in enumerate(((a, abox), (b, bbox))):
        c = os.path.join(d, "c%d.v" % n)
        imgtest.vips("crop", img, c, int(round(x)), int(round(y)), max(1, int(round(w))), max(1, int(round(h))))
        r = os.path.join(d, "r%d.png" % n)
        imgtest.vips("thumbnail", c, r, 64, "--height", 64, "--size", "force")
        out.append(r)
    pa, pb = imgtest.Pixels(out[0]), imgtest.Pixels(out[1])
    return sum(abs(u - v) for u, v in zip(pa.data, pb.data)) / len(pa.data)


def test_faces_same_for_every_preset_and_in_output_follows_the_crop():
    lib.phone_photos()
    with lib.TempDir() as d:
        presets(d)
        photo = os.path.join(lib.PHONE, TRAIN)
        lines = faces_of(d, photo, "whole", "square", "wide", extra=("--crop", "centre"))
        by = {x["preset"]: x for x in lines}
        assert set(by) == {"whole", "square", "wide"}, by.keys()
        same = [[(f["x"], f["y"], f["w"], f["h"], f["score"]) for f in x["faces"]] for x in lines]
        assert same[0] and all(s == same[0] for s in same), same
        whole = by["whole"]
        pw, ph = whole["width"], whole["height"]  # the upright photo, 480x640
        lib.assert_eq((pw, ph), (480, 640), "upright size")
        for name in ("whole", "square", "wide"):
            x = by[name]
            for f in x["faces"]:
                want = expected_in_output(f, pw, ph, x["width"], x["height"])
                got = f["in_output"]
                if want is None:
                    assert got is None, (name, f)
                    continue
                assert got is not None, (name, f, want)
                for k, v in zip(("x", "y", "w", "h"), want):
                    assert abs(got[k] - v) <= 1.5, (name, k, got, want)
        # and it is the face: the pixels in the square output's box are the
        # whole photo's pixels in the face's box
        f = by["square"]["faces"][0]
        io = f["in_output"]
        assert io["w"] > 0.9 * f["w"] * pw, "the square crop holds the whole face"
        diff = region_diff(by["square"]["output"], (io["x"], io["y"], io["w"], io["h"]), whole["output"],
                           (f["x"] * pw, f["y"] * ph, f["w"] * pw, f["h"] * ph), d)
        assert diff < 8, diff


def test_faces_left_out_by_the_crop_are_null_in_output():
    lib.phone_photos()
    with lib.TempDir() as d:
        presets(d)
        photo = os.path.join(lib.PHONE, TRAIN)
        # the 16:9 crop at the bottom of the portrait photo: the face
        # (upper third) is not in it
        line = faces_of(d, photo, "wide", extra=("--crop", "focus", "--focus", "0.5,0.95"))[0]
        assert line["faces"], line
        assert all(f["in_output"] is None for f in line["faces"]), line["faces"]


def test_faces_in_the_manifest_line():
    lib.phone_photos()
    with lib.TempDir() as d:
        presets(d)
        out = os.path.join(d, "out")
        r = lib.run("prep", "--preset-dir", os.path.join(d, "presets"), "-p", "square", "--json", "-o", out,
                    os.path.join(lib.PHONE, TRAIN), check=0)
        line = lib.json_lines(r.stdout)[0]
        with open(os.path.join(out, "attache-manifest.jsonl"), encoding="utf-8") as f:
            rec = [lib.json_lines(t)[0] for t in f if '"kind":"output"' in t][-1]
        lib.assert_eq(rec["faces"], line["faces"], "manifest faces")
