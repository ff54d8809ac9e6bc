"""Presets as the platforms are today (issue 13, section 6): Mastodon's pixel
budget instead of a landscape box, Bluesky's 2,000,000 bytes (and
bluesky-1mb for servers not upgraded), Instagram's 3:4 profile grid safe
area at the sides. Sizes are read back with vipsheader, pixels with the
vips command (imgtest), not with attache's code."""
import os

import imgtest
import lib
import uploadlib as U

BUDGET = 8294400  # Mastodon: 3840 x 2160's pixel count, any orientation


def prep_json(*args):
    p = lib.run("prep", "--json", *args, check=0)
    return lib.json_lines(p.stdout)


def test_mastodon_pixel_budget_portrait_landscape_and_small():
    """A 3024x4032 portrait (an iPhone HEIC) and a 4032x3024 landscape
    (a Galaxy JPEG) both come out near 8.29 MP, aspect kept; the 3840x2160
    box gave the portrait 3.5 MP. A 640x480 photo is not enlarged."""
    lib.phone_photos()
    photos = {
        "apple-iphone-13_o6-irot_gps_p3.heic": (3024, 4032),
        "samsung-galaxy-s7-edge_gps_thumb.jpg": (4032, 3024),
        "nokia-n70_iptc-city_thumb.jpg": (640, 480),
    }
    with lib.TempDir() as d:
        out = os.path.join(d, "out")
        lines = prep_json("-p", "mastodon", "-o", out,
                          *[os.path.join(lib.PHONE, f) for f in photos])
        lib.assert_eq(len(lines), 3, "outputs")
        for o in lines:
            assert o["error"] is None, o
            w0, h0 = photos[os.path.basename(o["input"])]
            h = lib.header(o["output"])
            w, hh = int(h["width"]), int(h["height"])
            lib.assert_eq((w, hh), (o["width"], o["height"]), "JSON size")
            if w0 * h0 > BUDGET:
                assert w * hh <= BUDGET, (o["input"], w, hh)
                assert w * hh > 0.999 * BUDGET, (o["input"], w, hh)
            else:
                lib.assert_eq((w, hh), (w0, h0), "never upscaled")
            # aspect kept (to the pixel) and the orientation too
            assert abs(w / hh - w0 / h0) < 2.0 / min(w, hh), (w, hh, w0, h0)
            assert "upscaled" not in o["flags"], o["flags"]


def test_mastodon_preset_has_no_box():
    """`attache presets` shows the budget instead of a box, and the preset
    prints a [fit] pixels key and no width or height."""
    p = lib.run("presets", "mastodon", check=0)
    assert "pixels=8294400" in p.stdout, p.stdout
    assert "width=" not in p.stdout and "height=" not in p.stdout, p.stdout
    p = lib.run("presets", check=0)
    (line,) = [l for l in p.stdout.splitlines() if l.startswith("mastodon ")]
    assert "8.3MP" in line and "3840" not in line, line


def test_bluesky_two_megabytes_and_bluesky_1mb():
    """A photo that does not fit at quality 90: bluesky fits 2,000,000 bytes
    and uses more than 1,000,000 of them; bluesky-1mb fits 1,000,000. Both
    keep the whole photo within 2000x2000. The real photo beside it fits
    both, within the box."""
    lib.phone_photos()
    with lib.TempDir() as d:
        noisy = U.noise_image(os.path.join(d, "noisy.png"), 1600, 1200)
        real = os.path.join(lib.PHONE, "samsung-galaxy-s7-edge_gps_thumb.jpg")
        out = os.path.join(d, "out")
        lines = prep_json("-p", "bluesky,bluesky-1mb", "-o", out, noisy, real)
        lib.assert_eq(len(lines), 4, "outputs")
        got = {}
        for o in lines:
            assert o["error"] is None, o
            size = os.path.getsize(o["output"])
            h = lib.header(o["output"])
            assert max(int(h["width"]), int(h["height"])) <= 2000, h
            got[(os.path.basename(o["input"]), o["preset"])] = size
        assert 1000000 < got[("noisy.png", "bluesky")] <= 2000000, got
        assert got[("noisy.png", "bluesky-1mb")] <= 1000000, got
        real_b = got[("samsung-galaxy-s7-edge_gps_thumb.jpg", "bluesky")]
        assert real_b <= 2000000, got


def test_instagram_portrait_safe_area_at_the_sides():
    """The 3:4 profile grid trims a 1080x1350 post by 34 px a side and not
    at the top or bottom: a logo at the top-left corner with no margin sits
    at x=34, y=0; one at the bottom-right ends at x=1045, y=1349."""
    with lib.TempDir() as d:
        photo = imgtest.flat(os.path.join(d, "grey.png"), 1600, 2000,
                             (128, 128, 128))
        imgtest.flat(os.path.join(d, "logo.png"), 100, 100, (255, 0, 0, 255))
        for anchor, corner in (("top-left", (34, 0)),
                               ("bottom-right", (1045, 1349))):
            camp = os.path.join(d, "c.ini")
            with open(camp, "w") as f:
                f.write("[logo]\nfile=logo.png\nanchor=%s\nsize=0.1\n"
                        "margin=0\n" % anchor)
            out = os.path.join(d, "out-" + anchor)
            lib.run("prep", "-c", camp, "-p", "instagram-portrait", "-o", out,
                    photo, check=0)
            px = imgtest.Pixels(os.path.join(out,
                                             "grey.instagram-portrait.jpg"))
            lib.assert_eq((px.w, px.h), (1080, 1350), "size")
            box = px.bbox(lambda r, g, b: r > 200 and g < 60 and b < 60)
            x, y = (box[0], box[1]) if anchor == "top-left" else \
                (box[2], box[3])
            assert abs(x - corner[0]) <= 1 and abs(y - corner[1]) <= 1, \
                (anchor, box)
