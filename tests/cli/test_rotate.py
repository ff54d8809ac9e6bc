"""--rotate 90|180|270 (issue 13, section 5): turns a photo whose EXIF
orientation is wrong, after that orientation; recorded in --json and the
manifest. Real phone photos with orientations 8 and 6; the output's size
is read by vipsheader, its pixels by the vips command, its orientation
tag by exiftool."""
import json
import os

import imgtest
import lib

O8 = "portrait_o8_no-make.jpg"        # 1800x1200 stored, EXIF 8: 1200x1800
O6 = "samsung-sm-j327t1_o6_thumb.jpg"  # 2576x1932 stored, EXIF 6


def prep(d, photo, out, *extra):
    pdir = os.path.join(d, "presets")
    imgtest.preset(pdir, "box", 300, 300, fmt="png", mode="inside")
    r = lib.run("prep", "--preset-dir", pdir, "-p", "box", "--json", "-o",
                out, photo, *extra, check=0)
    return lib.json_lines(r.stdout)[0]


def mean_diff(a, b):
    """Mean absolute difference of two images of one size, 0..255."""
    pa, pb = imgtest.Pixels(a), imgtest.Pixels(b)
    assert (pa.w, pa.h) == (pb.w, pb.h), ((pa.w, pa.h), (pb.w, pb.h))
    n = min(pa.bands, pb.bands, 3)
    total = 0
    for y in range(0, pa.h, 3):
        for x in range(0, pa.w, 3):
            total += sum(abs(u - v) for u, v in
                         zip(pa.at(x, y)[:n], pb.at(x, y)[:n]))
    return total / (((pa.h + 2) // 3) * ((pa.w + 2) // 3) * n)


def test_rotate_turns_after_the_exif_orientation():
    lib.phone_photos()
    with lib.TempDir() as d:
        photo = os.path.join(lib.PHONE, O8)
        plain = prep(d, photo, os.path.join(d, "plain"))
        # EXIF 8 is applied first: a portrait, 200x300 in the 300 box
        lib.assert_eq((plain["width"], plain["height"]), (200, 300), "o8")
        lib.assert_eq(plain["rotate"], 0, "json rotate")
        for deg, angle in (("90", "d90"), ("180", "d180"), ("270", "d270")):
            out = os.path.join(d, "r" + deg)
            o = prep(d, photo, out, "--rotate", deg)
            lib.assert_eq(o["rotate"], int(deg), "json rotate")
            h = lib.header(o["output"])
            want = (300, 200) if deg != "180" else (200, 300)
            lib.assert_eq((int(h["width"]), int(h["height"])), want, deg)
            # the pixels are the upright photo turned by that much: vips
            # turning the plain output is the oracle
            ref = os.path.join(d, "ref%s.png" % deg)
            imgtest.vips("rot", plain["output"], ref, angle)
            assert mean_diff(o["output"], ref) < 4, deg
            if deg == "180":
                assert mean_diff(o["output"], plain["output"]) > 10
            # no orientation tag left for a viewer to apply again
            tags = lib.exiftool(o["output"])
            assert tags.get("IFD0:Orientation") in (None, 1,
                                                    "Horizontal (normal)"), tags
            with open(os.path.join(out, "attache-manifest.jsonl")) as f:
                line = json.loads(f.readline())
            lib.assert_eq(line["rotate"], int(deg), "manifest rotate")


def test_focus_is_a_fraction_of_the_turned_photo():
    lib.phone_photos()
    with lib.TempDir() as d:
        photo = os.path.join(lib.PHONE, O6)
        pdir = os.path.join(d, "presets")
        imgtest.preset(pdir, "sq", 200, 200, fmt="png", mode="cover")
        outs = {}
        for deg in ("0", "90"):
            r = lib.run("prep", "--preset-dir", pdir, "-p", "sq", "--json",
                        "-o", os.path.join(d, "o" + deg), "--rotate", deg,
                        "--crop", "focus", "--focus", "0.9,0.1", photo,
                        check=0)
            outs[deg] = lib.json_lines(r.stdout)[0]
        # EXIF 6: 1932x2576 upright; turned 90, 2576x1932. The point is
        # read in the turned photo: near its top right (x 0.9, y 0.1) in
        # the output, where the unturned photo's (0.9, 0.1) would have
        # come out near the bottom right after the turn
        fx, fy = outs["90"]["focus"]
        assert fx > 0.8 and fy < 0.15, outs["90"]["focus"]
        fx, fy = outs["0"]["focus"]
        assert abs(fx - 0.9) < 0.01 and fy < 0.2, outs["0"]["focus"]
        lib.assert_eq(outs["90"]["rotate"], 90, "rotate")


def test_rotate_refuses_other_angles():
    with lib.TempDir() as d:
        r = lib.run("prep", "--rotate", "45", "-o", os.path.join(d, "o"),
                    os.path.join(lib.PHONE, O8))
        lib.assert_eq(r.returncode, 2, r.stderr)
        assert "--rotate: \"45\": expected 0, 90, 180 or 270" in r.stderr, \
            r.stderr
