"""attache prep: sizes, budgets, colour, orientation, bad input, the batch
contract (issue 2). Results are read back with vipsheader and exiftool."""
import json
import os
import random
import subprocess
import zlib
import struct
import sys

import lib
from lib import assert_eq

ALL_PRESETS = ("x-landscape,x-square,x-portrait,instagram-square,"
               "instagram-portrait,instagram-landscape,facebook-link,"
               "linkedin,mastodon,bluesky,bluesky-1mb,threads")


def preset_table():
    """Every preset's size, fit and budget, read with Python's configparser
    (not attache's parser)."""
    import configparser
    out = {}
    for f in os.listdir(lib.PRESETS):
        if not f.endswith(".ini"):
            continue
        c = configparser.ConfigParser()
        c.read(os.path.join(lib.PRESETS, f))
        mb = c["encode"]["max-bytes"]
        mult = {"MiB": 1 << 20, "MB": 10**6}
        for suf, m in mult.items():
            if mb.endswith(suf):
                mb = int(float(mb[:-len(suf)]) * m)
                break
        # [fit] pixels: a pixel budget, with or without a box
        out[f[:-4]] = dict(w=int(c["fit"].get("width", 0)),
                           h=int(c["fit"].get("height", 0)),
                           pixels=int(c["fit"].get("pixels", 0)),
                           fit=c["fit"].get("mode", "cover"),
                           max_bytes=int(mb))
    return out


def oriented_size(path):
    """The photo's displayed size by the documented rule, from exiftool's
    reading: HEIF irot (QuickTime:Rotation) when present, else the EXIF
    Orientation (valid values only)."""
    t = json.loads(subprocess.run(
        ["exiftool", "-j", "-n", "-G1", "-Composite:ImageSize",
         "-QuickTime:Rotation", "-IFD0:Orientation", path],
        capture_output=True, text=True).stdout)[0]
    w, h = (int(v) for v in str(t["Composite:ImageSize"]).replace("x", " ").split())
    if "QuickTime:Rotation" in t:
        swap = t["QuickTime:Rotation"] in (90, 270)
    else:
        swap = t.get("IFD0:Orientation") in (5, 6, 7, 8)
    return (h, w) if swap else (w, h)


def expected_size(ow, oh, p):
    W, H = p["w"], p["h"]
    if p["fit"] == "cover":
        if ow >= W and oh >= H:
            return W, H
        k = min(ow / W, oh / H)
        return int(W * k + 1e-9), int(H * k + 1e-9)
    s = min(W / ow, H / oh) if W else float("inf")
    if p["pixels"]:
        # docs/presets.md: at most that many pixels, rounded down if over
        s = min(s, (p["pixels"] / (ow * oh)) ** 0.5)
    if s >= 1:
        return ow, oh
    w, h = round(ow * s), round(oh * s)
    if W:
        w, h = min(W, w), min(H, h)
    if p["pixels"] and w * h > p["pixels"]:
        w, h = int(ow * s), int(oh * s)
    return w, h


def check_output(o, presets, oriented=None):
    """Checks one JSON line against the file it names."""
    p = presets[o["preset"]]
    assert o["error"] is None, o
    path = o["output"]
    assert os.path.isfile(path), path
    size = os.path.getsize(path)
    assert_eq(o["bytes"], size, "bytes in JSON vs file")
    assert size <= p["max_bytes"], (path, size, p["max_bytes"])
    h = lib.header(path)
    assert_eq((int(h["width"]), int(h["height"])), (o["width"], o["height"]),
              path)
    # sRGB, 8-bit, three bands, no profile left to misread
    assert_eq(h["format"], "uchar", path)
    assert_eq(h["interpretation"], "srgb", path)
    assert_eq(h["bands"], "3", path)
    assert "icc-profile-data" not in h, path
    if oriented:
        want = expected_size(oriented[0], oriented[1], p)
        assert_eq((o["width"], o["height"]), want,
                  "%s %s (photo %dx%d)" % (os.path.basename(o["input"]),
                                           o["preset"], *oriented))
    assert "downscaled" not in o["flags"], o


# make check: every phone photo through a cover crop of each shape and
# the 1 MB byte budget; every preset (mastodon's full-resolution budget,
# a second of CPU per 12 MP photo, included) is checked on the samples
# below. make soak runs every preset on every phone photo.
PHONE_PRESETS = "x-landscape,instagram-portrait,bluesky"


def test_phone_all_presets():
    photos = lib.phone_photos()
    presets = preset_table()
    names = ALL_PRESETS if lib.SOAK else PHONE_PRESETS
    with lib.TempDir() as out:
        p = lib.run("prep", "--json", "-j", "2", "-p", names, "-o", out,
                    *photos)
        lines = lib.json_lines(p.stdout)
        assert_eq(len(lines), len(photos) * len(names.split(",")), "one line per output")
        bad = [l for l in lines if l["error"]]
        # The one photo Pillow cut short on purpose: refused, clearly.
        for l in bad:
            assert "truncated" in os.path.basename(l["input"]), l
            assert "cut short" in l["error"] and l["input"] in l["error"], l
        assert_eq(p.returncode, 1 if bad else 0, "exit status")
        sizes = {}
        for l in lines:
            if l["error"]:
                continue
            if l["input"] not in sizes:
                sizes[l["input"]] = oriented_size(l["input"])
            check_output(l, presets, sizes[l["input"]])
            for k in ("input", "preset", "output", "width", "height", "bytes",
                      "format", "quality", "error"):
                assert k in l, k
            assert l["format"] == "jpeg" and 1 <= l["quality"] <= 90
            if l["preset"].startswith("x-"):
                assert l["quality"] <= 85, l


def test_samples_all_presets():
    photos = lib.sample_photos()
    assert len(photos) >= 5, photos
    presets = preset_table()
    with lib.TempDir() as out:
        p = lib.run("prep", "--json", "-p", ALL_PRESETS, "-o", out, lib.SAMPLES,
                    check=0)
        lines = lib.json_lines(p.stdout)
        assert_eq(len(lines), len(photos) * len(presets), "outputs")
        for l in lines:
            check_output(l, presets, oriented_size(l["input"]))


def test_heic_rotates_once():
    """iPhone 13: EXIF 6 and irot 270 say the same turn; Galaxy S24 FE:
    EXIF 6 and no irot. Both are portrait photos."""
    photos = lib.phone_photos()
    iphone = [f for f in photos if "iphone-13" in f][0]
    samsung = [f for f in photos if "s24fe" in f][0]
    with lib.TempDir() as out:
        lines = lib.json_lines(lib.run("prep", "--json", "-p", "bluesky", "-o",
                                       out, iphone, samsung, check=0).stdout)
        by = {os.path.basename(l["input"]): l for l in lines}
        a = by[os.path.basename(iphone)]
        assert_eq((a["width"], a["height"]), (1500, 2000), "iPhone 13")
        b = by[os.path.basename(samsung)]
        assert_eq((b["width"], b["height"]), (924, 2000), "Galaxy S24 FE")
        # the iPhone's pixels are those libheif gives with irot applied,
        # nothing more: compare with vipsthumbnail's rendering
        ref = os.path.join(out, "ref.v")
        subprocess.run(["vips", "thumbnail", iphone, ref, "1500", "--height",
                        "2000", "--no-rotate"], check=True)
        diff = subprocess.run(
            ["python3", "-c", COMPARE, a["output"], ref], capture_output=True,
            text=True, check=True).stdout
        assert float(diff) < 6, diff


# mean absolute difference of two images of the same size (libvips CLI)
COMPARE = r"""
import subprocess, sys, tempfile, os
a, b = sys.argv[1], sys.argv[2]
d = tempfile.mkdtemp()
def run(*c): subprocess.run(c, check=True, capture_output=True)
run("vips", "subtract", a, b, d + "/d.v")
run("vips", "abs", d + "/d.v", d + "/a.v")
print(subprocess.run(["vips", "avg", d + "/a.v"], capture_output=True,
      text=True, check=True).stdout.strip())
"""


def mean_diff(a, b):
    return float(subprocess.run(["python3", "-c", COMPARE, a, b],
                                capture_output=True, text=True,
                                check=True).stdout)


def make_oriented_copies(src, folder):
    """For each EXIF orientation N, a JPEG whose stored pixels are the photo
    turned so that applying N shows it upright (made with the vips CLI and
    tagged with exiftool), plus the upright original."""
    up = os.path.join(folder, "upright.jpg")
    subprocess.run(["vips", "thumbnail", src, up + "[Q=95,strip]", "900"],
                   check=True)
    # stored = inverse of the display transform of orientation N
    inverse = {
        1: [], 2: [["flip", "horizontal"]], 3: [["rot", "d180"]],
        4: [["flip", "vertical"]],
        5: [["rot", "d90"], ["flip", "horizontal"]],
        6: [["rot", "d270"]],
        7: [["rot", "d270"], ["flip", "horizontal"]],
        8: [["rot", "d90"]],
    }
    files = {}
    for n, ops in inverse.items():
        cur = up
        for i, op in enumerate(ops):
            nxt = os.path.join(folder, "o%d_%d.v" % (n, i))
            subprocess.run(["vips", op[0], cur, nxt, op[1]], check=True)
            cur = nxt
        out = os.path.join(folder, "orient%d.jpg" % n)
        subprocess.run(["vips", "copy", cur, out + "[Q=95,strip]"], check=True)
        subprocess.run(["exiftool", "-q", "-overwrite_original", "-n",
                        "-IFD0:Orientation=%d" % n, out], check=True)
        files[n] = out
    return up, files


def test_orientation_all_eight():
    """A photo with orientation N and the same pixels pre-rotated give the
    same output, for every N."""
    src = os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg")
    with lib.TempDir() as d:
        up, files = make_oriented_copies(src, d)
        out = os.path.join(d, "out")
        lib.run("prep", "-q", "-p", "x-square,x-landscape", "-o", out, up,
                *files.values(), check=0)
        for preset in ("x-square", "x-landscape"):
            ref = os.path.join(out, "upright.%s.jpg" % preset)
            for n in files:
                got = os.path.join(out, "orient%d.%s.jpg" % (n, preset))
                h = lib.header(got)
                rh = lib.header(ref)
                assert_eq((h["width"], h["height"]),
                          (rh["width"], rh["height"]), got)
                diff = mean_diff(got, ref)
                assert diff < 3, "orientation %d %s: mean diff %.2f" % (
                    n, preset, diff)


def test_wide_gamut_converted():
    """The Display P3 sample's colours are converted, not reinterpreted: the
    output matches lcms' conversion done by the vips CLI, and differs from
    the raw values."""
    src = os.path.join(lib.SAMPLES, "market-display-p3.jpg")
    with lib.TempDir() as d:
        lines = lib.json_lines(lib.run("prep", "--json", "-p", "mastodon",
                                       "-o", d, src, check=0).stdout)
        out = lines[0]["output"]
        assert "icc-converted" in lines[0]["removed"], lines[0]
        w, h = lines[0]["width"], lines[0]["height"]
        conv = os.path.join(d, "conv.v")
        raw = os.path.join(d, "raw.v")
        subprocess.run(["vips", "icc_transform", src, conv, "srgb",
                        "--embedded", "--intent", "perceptual"], check=True)
        subprocess.run(["vips", "copy", src, raw], check=True)
        for name in (conv, raw):
            subprocess.run(["vips", "resize", name, name + ".s.v",
                            str(w / 2000)], check=True)
        d_conv = mean_diff(out, conv + ".s.v")
        d_raw = mean_diff(out, raw + ".s.v")
        assert d_conv < 3, d_conv
        assert d_raw > d_conv + 1, (d_raw, d_conv)


def test_16bit_heic_to_8bit():
    photos = lib.phone_photos()
    oppo = [f for f in photos if "10bit" in f][0]
    with lib.TempDir() as d:
        lines = lib.json_lines(lib.run("prep", "--json", "-p", "x-landscape",
                                       "-o", d, oppo, check=0).stdout)
        h = lib.header(lines[0]["output"])
        assert_eq(h["format"], "uchar")
        assert lib.decodes_fully(lines[0]["output"])


def png_header_only(w, h):
    """A PNG whose header claims w x h, with a few bytes of data: enough for
    a header read, nowhere near enough to decode."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(
            ">I", zlib.crc32(t + d) & 0xffffffff)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))


def jpeg_header_only(w, h, folder):
    """A real 64x64 JPEG (vips CLI) whose SOF header is patched to say
    w x h: the header reads, the data is nowhere near enough."""
    small = os.path.join(folder, "small.jpg")
    subprocess.run(["vips", "black", small + "[strip]", "64", "64", "--bands",
                    "3"], check=True)
    data = bytearray(open(small, "rb").read())
    for i in range(len(data) - 1):
        if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC2):
            struct.pack_into(">HH", data, i + 5, h, w)
            return bytes(data)
    raise AssertionError("no SOF")


def test_pixel_limit_before_decoding():
    """30000 x 30000 (900 MP) is refused from the header: quickly, in little
    memory, with the limit named."""
    with lib.TempDir() as d:
        bomb_png = os.path.join(d, "bomb-png.png")
        bomb_jpg = os.path.join(d, "bomb-jpg.jpg")
        open(bomb_png, "wb").write(png_header_only(30000, 30000))
        open(bomb_jpg, "wb").write(jpeg_header_only(30000, 30000, d))
        good = os.path.join(lib.SAMPLES, "camp.webp")
        rss = os.path.join(d, "rss")
        p = subprocess.run(["/usr/bin/time", "-o", rss, "-f", "%M",
                            lib.ATTACHE, "prep", "-j", "1", "-o",
                            os.path.join(d, "out"), bomb_png, bomb_jpg, good],
                           capture_output=True, text=True, env=lib.env())
        assert_eq(p.returncode, 1, p.stderr)
        for f in (bomb_png, bomb_jpg):
            line = [l for l in p.stderr.splitlines() if f in l]
            assert line, p.stderr
            assert "30000 x 30000" in line[0] and "pixel limit" in line[0], line
        assert os.path.exists(os.path.join(d, "out", "camp.x-landscape.jpg"))
        # a decode of 900 MP would need 2.7 GB: the peak stayed far below
        # (ASan's shadow memory makes the figure meaningless there)
        peak_kib = int(open(rss).read().split()[-1])
        if not lib.SANITIZED:
            assert peak_kib < 200 * 1024, peak_kib

        # the limit is configurable: 3.8 MP sample against a 1 MP limit
        p = lib.run("prep", "--max-pixels", "1MP", "-o",
                    os.path.join(d, "o2"),
                    os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg"))
        assert_eq(p.returncode, 1)
        assert "1.0 MP" in p.stderr, p.stderr
        p = lib.run("prep", "--max-pixels", "4MP", "-o",
                    os.path.join(d, "o3"),
                    os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg"), check=0)


def test_bad_inputs_do_not_stop_the_batch():
    with lib.TempDir() as d:
        good = os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg")
        data = open(good, "rb").read()
        files = {
            "empty.jpg": b"",
            "truncated.jpg": data[: len(data) // 2],
            "corrupt.jpg": data[:600] + bytes(random.Random(1).randrange(256)
                                              for _ in range(20000)),
            "notes.jpg": b"Meeting notes: bring the cables.\n" * 20,
            "random.heic": bytes(random.Random(2).randrange(256)
                                 for _ in range(5000)),
        }
        paths = []
        for name, content in files.items():
            path = os.path.join(d, name)
            open(path, "wb").write(content)
            paths.append(path)
        missing = os.path.join(d, "missing.jpg")
        out = os.path.join(d, "out")
        p = lib.run("prep", "--json", "-o", out, good, *paths, missing)
        assert_eq(p.returncode, 1, p.stderr)
        lines = lib.json_lines(p.stdout)
        ok = [l for l in lines if not l["error"]]
        assert_eq(len(ok), 1, "the good photo")
        assert_eq(os.path.basename(ok[0]["input"]), "camp-gps-thumbnail.jpg")
        assert os.path.isfile(ok[0]["output"])
        why = {
            "empty.jpg": "empty",
            "truncated.jpg": "cut short",
            "corrupt.jpg": "",
            "notes.jpg": "not a photo",
            "random.heic": "not a photo",
            "missing.jpg": "No such file",
        }
        for name, word in why.items():
            path = os.path.join(d, name)
            errs = [l for l in p.stderr.splitlines() if path in l]
            assert errs, (name, p.stderr)
            assert word in errs[0], (name, errs[0])
            js = [l for l in lines if l["input"] == path]
            assert js and js[0]["error"] and path in js[0]["error"], js
        # nothing but the good photo's output (and the manifest) was written
        produced = sorted(os.listdir(out))
        assert_eq(produced, ["attache-manifest.jsonl",
                             "camp-gps-thumbnail.x-landscape.jpg"], "outputs")
        # and the user's files are untouched
        for name, content in files.items():
            assert open(os.path.join(d, name), "rb").read() == content


def test_usage_errors_exit_2():
    with lib.TempDir() as d:
        s = os.path.join(lib.SAMPLES, "camp.webp")
        for args, word in (
                (["-p", "nope"], "unknown preset"),
                (["--fit", "stretch"], "--fit"),
                (["--crop", "focus"], "--focus"),
                (["--focus", "2,0.5"], "--focus"),
                (["--keep", "gps"], "--keep"),
                (["--max-pixels", "many"], "--max-pixels"),
                (["--bogus"], "bogus")):
            p = lib.run("prep", "-o", d, *args, s)
            assert_eq(p.returncode, 2, (args, p.stderr))
            assert word in p.stderr, (args, p.stderr)
        assert not os.path.exists(os.path.join(d, "camp.x-landscape.jpg"))
        p = lib.run("prep")
        assert_eq(p.returncode, 2)


def test_budget_and_quality_search():
    """A preset with a tight budget: under it, with the quality reached
    reported, pixels cut only when the floor does not fit."""
    with lib.TempDir() as d:
        src = os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg")
        full = lib.json_lines(lib.run("prep", "--json", "-o",
                                      os.path.join(d, "full"), src,
                                      check=0).stdout)[0]
        # budgets between what q60 and q85 give, and far below q60
        tight, tinyb = int(full["bytes"] * 0.8), int(full["bytes"] * 0.15)
        pdir = os.path.join(d, "presets")
        os.makedirs(pdir)
        for name, budget in (("tight", tight), ("tiny", tinyb)):
            open(os.path.join(pdir, name + ".ini"), "w").write(
                "[preset]\ndescription=t\nplatform=test\n[fit]\nwidth=1600\n"
                "height=900\n[encode]\nmax-bytes=%d\nquality-max=85\n"
                "quality-min=60\n" % budget)
        lines = lib.json_lines(lib.run("prep", "--json", "--preset-dir", pdir,
                                       "-p", "tight,tiny", "-o", d,
                                       src, check=0).stdout)
        by = {l["preset"]: l for l in lines}
        t = by["tight"]
        assert t["bytes"] <= tight and os.path.getsize(t["output"]) <= tight
        assert 60 <= t["quality"] < 85, t
        assert_eq((t["width"], t["height"]), (1600, 900))
        tiny = by["tiny"]
        assert os.path.getsize(tiny["output"]) <= tinyb
        assert "downscaled" in tiny["flags"] and tiny["width"] < 1600, tiny
        assert abs(tiny["width"] / tiny["height"] - 16 / 9) < 0.02
        # quality really is what the file has (exiftool's estimate is not
        # exact; libvips records none): smaller quality, smaller file
        assert t["bytes"] < full["bytes"]


def jpeg_frame(path):
    """The JPEG's start-of-frame marker, read from the file: 0xc0 baseline,
    0xc2 progressive."""
    d = open(path, "rb").read()
    i = 2
    while i + 4 <= len(d) and d[i] == 0xFF:
        m = d[i + 1]
        if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
            return m
        i += 2 + (d[i + 2] << 8 | d[i + 3])
    return None


def test_full_size_output_streamed_and_searched():
    """A full-size output (a pixel budget, as mastodon's) is made from a
    decode streamed once, top to bottom: when its budget needs a second
    encode it is made again from a whole decode, not failed; its pixels
    are those of the run whose budget fits at once. Outputs above 4 MP
    are baseline JPEGs, the others progressive (docs/presets.md)."""
    src = os.path.join(lib.PHONE, "google-pixel_gps_thumb.jpg")
    with lib.TempDir() as d:
        pdir = os.path.join(d, "presets")
        os.makedirs(pdir)
        for name, budget in (("roomy", 16 << 20), ("tight", 1200000)):
            open(os.path.join(pdir, name + ".ini"), "w").write(
                "[preset]\ndescription=t\nplatform=test\n[fit]\n"
                "pixels=8294400\nmode=inside\n[encode]\nmax-bytes=%d\n"
                "quality-max=90\nquality-min=40\n" % budget)
        by = {}
        for name in ("roomy", "tight"):
            out = os.path.join(d, name)
            line = lib.json_lines(lib.run(
                "prep", "--json", "--preset-dir", pdir, "-p",
                name + ",x-landscape", "-o", out, src, check=0).stdout)
            by.update({(name, l["preset"]): l for l in line})
        roomy, tight = by[("roomy", "roomy")], by[("tight", "tight")]
        assert not roomy["error"] and not tight["error"], (roomy, tight)
        assert_eq(roomy["quality"], 90)
        assert tight["quality"] < 90 and tight["bytes"] <= 1200000, tight
        assert os.path.getsize(tight["output"]) <= 1200000
        # the same frame, not a downscale
        assert_eq((tight["width"], tight["height"]),
                  (roomy["width"], roomy["height"]))
        assert roomy["width"] * roomy["height"] > 4 << 20
        # the same picture at a lower quality: not garbage, not another
        # part of the photo (the vips CLI as the judge)
        sys.path.insert(0, os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        import mutate
        db = mutate.psnr(roomy["output"], tight["output"], d)
        assert db is not None and db > 30, db
        assert_eq(jpeg_frame(roomy["output"]), 0xC0)
        assert_eq(jpeg_frame(by[("roomy", "x-landscape")]["output"]), 0xC2)


def test_png_and_webp_presets():
    with lib.TempDir() as d:
        pdir = os.path.join(d, "presets")
        os.makedirs(pdir)
        for name, fmt, budget in (("p-big", "png", 4000000),
                                  ("p-small", "png", 300000),
                                  ("w", "webp", 300000)):
            open(os.path.join(pdir, name + ".ini"), "w").write(
                "[preset]\ndescription=t\nplatform=test\n[fit]\nwidth=1200\n"
                "height=800\n[encode]\nformat=%s\nmax-bytes=%d\n" % (fmt, budget))
        src = os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg")
        lines = lib.json_lines(lib.run("prep", "--json", "--preset-dir", pdir,
                                       "-p", "p-big,p-small,w", "-o", d, src,
                                       check=0).stdout)
        by = {l["preset"]: l for l in lines}
        for l in lines:
            assert os.path.getsize(l["output"]) <= l["max_bytes"], l
            h = lib.header(l["output"])
            assert_eq(h["vips-loader"], {"png": "pngload", "webp": "webpload",
                                         "jpeg": "jpegload"}[l["format"]])
            assert lib.decodes_fully(l["output"])
        assert_eq(by["p-big"]["format"], "png")
        assert by["p-big"]["output"].endswith(".png")
        assert_eq(by["w"]["format"], "webp")
        # 1200x800 photo-like PNG cannot fit 300 kB even as a palette:
        # the fallback format, flagged
        small = by["p-small"]
        if small["format"] == "png":
            assert lib.header(small["output"]).get("palette-bit-depth") or \
                small["quality"] < 100
        else:
            assert "format-fallback" in small["flags"], small
            assert small["output"].endswith(".jpg")


def test_fit_modes_and_focus():
    src = os.path.join(lib.SAMPLES, "doorway-orientation6.jpg")  # 1400x2100
    with lib.TempDir() as d:
        c = lib.json_lines(lib.run("prep", "--json", "--fit", "contain", "-p",
                                   "x-landscape", "-o", os.path.join(d, "c"),
                                   src, check=0).stdout)[0]
        assert_eq((c["width"], c["height"]), (1600, 900))
        assert "padded" in c["flags"]
        # blurred photo behind, not a flat colour: the left band varies
        cols = [lib.pixel(c["output"], 100, y)[2] for y in (100, 450, 800)]
        assert max(cols) - min(cols) > 5, cols
        i = lib.json_lines(lib.run("prep", "--json", "--fit", "inside", "-p",
                                   "x-landscape", "-o", os.path.join(d, "i"),
                                   src, check=0).stdout)[0]
        assert_eq((i["width"], i["height"]), (600, 900))
        # focus: top vs bottom of the portrait photo in a landscape crop
        top = lib.json_lines(lib.run(
            "prep", "--json", "--focus", "0.5,0", "-p", "x-landscape", "-o",
            os.path.join(d, "t"), src, check=0).stdout)[0]
        bottom = lib.json_lines(lib.run(
            "prep", "--json", "--focus", "0.5,1", "-p", "x-landscape", "-o",
            os.path.join(d, "b"), src, check=0).stdout)[0]
        # the doorway scene is pale at the top, and the floor darker
        w, h = top["width"], top["height"]
        t = sum(lib.pixel(top["output"], w // 2, 20))
        b = sum(lib.pixel(bottom["output"], w // 2, h - 20))
        assert t > b, (t, b)
        assert mean_diff(top["output"], bottom["output"]) > 5


def test_small_photo_not_upscaled():
    with lib.TempDir() as d:
        small = os.path.join(d, "small.jpg")
        subprocess.run(["vips", "thumbnail",
                        os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg"),
                        small, "640"], check=True)
        pdir = os.path.join(d, "presets")
        os.makedirs(pdir)
        open(os.path.join(pdir, "up.ini"), "w").write(
            "[preset]\ndescription=t\nplatform=test\n[fit]\nwidth=1600\n"
            "height=900\nupscale=true\n[encode]\nmax-bytes=5MB\n")
        lines = lib.json_lines(lib.run("prep", "--json", "--preset-dir", pdir,
                                       "-p", "x-landscape,up", "-o", d, small,
                                       check=0).stdout)
        by = {l["preset"]: l for l in lines}
        x = by["x-landscape"]
        assert_eq((x["width"], x["height"]), (640, 360))
        assert "small-source" in x["flags"] and "upscaled" not in x["flags"]
        u = by["up"]
        assert_eq((u["width"], u["height"]), (1600, 900))
        assert "upscaled" in u["flags"]


def test_outputs_replaced_atomically_and_names():
    with lib.TempDir() as d:
        a = os.path.join(d, "a")
        b = os.path.join(d, "b")
        os.makedirs(a)
        os.makedirs(b)
        src = os.path.join(lib.SAMPLES, "camp.webp")
        for x in (a, b):
            subprocess.run(["cp", src, os.path.join(x, "IMG_1.webp")], check=True)
        subprocess.run(["cp", os.path.join(lib.SAMPLES, "doorway.png"),
                        os.path.join(a, "IMG_1.png")], check=True)
        out = os.path.join(d, "out")
        # an earlier run's output of the same photo (the first in input
        # order keeps the plain stem): its own, so replaced; a file the
        # manifest does not record never is (test_languages.py)
        stale = os.path.join(out, "IMG_1.x-landscape.jpg")
        lib.run("prep", "-o", out, os.path.join(a, "IMG_1.png"), check=0)
        old = open(stale, "rb").read()
        ino = os.stat(stale).st_ino
        p = lib.run("prep", "-o", out, d, check=0)
        names = sorted(n for n in os.listdir(out) if n.endswith(".jpg"))
        # three photos called IMG_1: three distinct outputs, a warning each
        assert_eq(names, ["IMG_1-2.x-landscape.jpg", "IMG_1-3.x-landscape.jpg",
                          "IMG_1.x-landscape.jpg"])
        assert p.stderr.count("also called") == 2, p.stderr
        assert os.stat(stale).st_ino != ino, "replaced by a new file"
        assert_eq(open(stale, "rb").read(), old, "the same photo's output")
        assert lib.decodes_fully(stale)
        # no temporary file left behind
        assert not [n for n in os.listdir(out) if n.startswith(".")]


def test_recursive_walk_skips_output_folder():
    with lib.TempDir() as d:
        inbox = os.path.join(d, "in")
        os.makedirs(os.path.join(inbox, "day1", "morning"))
        subprocess.run(["cp", os.path.join(lib.SAMPLES, "camp.webp"),
                        os.path.join(inbox, "day1", "morning", "a.webp")],
                       check=True)
        subprocess.run(["cp", os.path.join(lib.SAMPLES, "doorway.png"),
                        os.path.join(inbox, "b.png")], check=True)
        open(os.path.join(inbox, "readme.txt"), "w").write("x")
        open(os.path.join(inbox, ".hidden.jpg"), "w").write("x")
        out = os.path.join(inbox, "out")
        lib.run("prep", "-o", out, inbox, check=0)
        # a second run must not pick up its own outputs
        p = lib.run("prep", "--json", "-o", out, inbox, check=0)
        inputs = sorted(os.path.basename(l["input"])
                        for l in lib.json_lines(p.stdout))
        assert_eq(inputs, ["a.webp", "b.png"])


def test_jobs_give_same_results():
    with lib.TempDir() as d:
        r = {}
        for j in ("1", "2"):
            p = lib.run("prep", "--json", "-j", j, "-p", "x-square,bluesky",
                        "-o", os.path.join(d, j), lib.SAMPLES, check=0)
            r[j] = sorted((os.path.basename(l["output"]), l["sha256"])
                          for l in lib.json_lines(p.stdout))
        assert_eq(r["1"], r["2"], "-j 1 vs -j 2")


def test_progress_only_on_a_terminal():
    import pty
    import select
    with lib.TempDir() as d:
        # stderr is a pipe: no progress bar
        p = lib.run("prep", "-o", os.path.join(d, "a"), lib.SAMPLES, check=0)
        assert "ETA" not in p.stderr and "\r" not in p.stderr
        # stderr is a terminal: the bar, with done/total, rate and ETA
        master, slave = pty.openpty()
        proc = subprocess.Popen([lib.ATTACHE, "prep", "-o",
                                 os.path.join(d, "b"), lib.SAMPLES],
                                stdout=subprocess.DEVNULL, stderr=slave,
                                env=lib.env(), cwd=lib.ROOT)
        os.close(slave)
        seen = b""
        while True:
            r, _, _ = select.select([master], [], [], 60)
            if not r:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        proc.wait()
        os.close(master)
        text = seen.decode(errors="replace")
        n = len(lib.sample_photos())
        assert "/%d" % n in text and "photos/s" in text and "ETA" in text, text
        # --json: none of it even on a terminal
        master, slave = pty.openpty()
        proc = subprocess.Popen([lib.ATTACHE, "prep", "--json", "-o",
                                 os.path.join(d, "c"), lib.SAMPLES],
                                stdout=subprocess.DEVNULL, stderr=slave,
                                env=lib.env(), cwd=lib.ROOT)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        proc.wait()
        os.close(master)
        assert b"ETA" not in seen, seen


def test_presets_command():
    p = lib.run("presets", check=0)
    names = [l.split()[0] for l in p.stdout.splitlines()]
    files = sorted(f[:-4] for f in os.listdir(lib.PRESETS) if f.endswith(".ini"))
    assert_eq(sorted(names), files)
    table = preset_table()
    with lib.TempDir() as d:
        for name in files:
            shown = lib.run("presets", name, check=0).stdout
            # what it shows is a preset file that loads back the same
            pdir = os.path.join(d, name)
            os.makedirs(pdir)
            open(os.path.join(pdir, "copy.ini"), "w").write(shown)
            again = lib.run("presets", "--preset-dir", pdir, "copy",
                            check=0).stdout
            assert_eq(again.split("\n", 1)[1], shown.split("\n", 1)[1], name)
            if table[name]["w"]:
                assert "width=%d" % table[name]["w"] in shown
            else:
                assert "pixels=%d" % table[name]["pixels"] in shown
        # user presets add to and override the built-in ones
        xdg = os.path.join(d, "xdg")
        os.makedirs(os.path.join(xdg, "attache", "presets"))
        open(os.path.join(xdg, "attache", "presets", "bluesky.ini"), "w").write(
            "[preset]\ndescription=Bluesky 2 MB\nplatform=bluesky\n[fit]\n"
            "width=4000\nheight=4000\nmode=inside\n[encode]\nmax-bytes=2000000\n")
        p = lib.run("presets", "bluesky", check=0, XDG_CONFIG_HOME=xdg)
        assert "max-bytes=2000000" in p.stdout
        # a broken one: file, line and key, exit 2
        open(os.path.join(xdg, "attache", "presets", "broken.ini"), "w").write(
            "[preset]\ndescription=x\nplatform=x\n[fit]\nwidth=800\n"
            "height=600\ncrop=middle\n[encode]\nmax-bytes=1MB\n")
        p = lib.run("presets", XDG_CONFIG_HOME=xdg)
        assert_eq(p.returncode, 2)
        assert "broken.ini:7:" in p.stderr and "crop" in p.stderr, p.stderr
        p = lib.run("prep", "-o", d, os.path.join(lib.SAMPLES, "camp.webp"),
                    XDG_CONFIG_HOME=xdg)
        assert_eq(p.returncode, 2)


def test_each_failing_preset_says_why():
    """A photo that fails one preset but not another: the reason of every
    failure is printed, and the budget counts the metadata attache adds."""
    with lib.TempDir() as d:
        pdir = os.path.join(d, "presets")
        os.makedirs(pdir)
        # min-side larger than the photo can shrink to: an impossible budget
        open(os.path.join(pdir, "impossible.ini"), "w").write(
            "[preset]\ndescription=t\nplatform=test\n[fit]\nwidth=1600\n"
            "height=900\n[encode]\nmax-bytes=5000\nmin-side=800\n")
        src = os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg")
        p = lib.run("prep", "--preset-dir", pdir, "-p",
                    "x-landscape,impossible", "-o", d, src)
        assert_eq(p.returncode, 1, p.stderr)
        assert "impossible" in p.stderr and "cannot fit 5" in p.stderr, p.stderr


def test_budget_includes_metadata():
    """A budget just above what the pixels take: the XMP of a long alt text
    in six languages still fits, because the search leaves room for it."""
    with lib.TempDir() as d:
        src = os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg")
        bare = lib.json_lines(lib.run("prep", "--json", "--keep", "none", "-o",
                                      os.path.join(d, "bare"), src,
                                      check=0).stdout)[0]
        pdir = os.path.join(d, "presets")
        os.makedirs(pdir)
        open(os.path.join(pdir, "snug.ini"), "w").write(
            "[preset]\ndescription=t\nplatform=test\n[fit]\nwidth=1600\n"
            "height=900\n[encode]\nmax-bytes=%d\n" % (bare["bytes"] + 500))
        alt = "Families queue at a water point " * 30
        p = lib.run("prep", "--json", "--preset-dir", pdir, "-p", "snug",
                    "--alt", alt[:990], "-o", os.path.join(d, "o"), src,
                    check=0)
        (l,) = lib.json_lines(p.stdout)
        assert l["bytes"] <= bare["bytes"] + 500
        assert l["quality"] < bare["quality"], (l["quality"], bare["quality"])


def test_wide_gamut_profiles_converted_srgb_left_alone():
    """Every phone photo whose MANIFEST lists a wide-gamut profile (Display
    P3, DCI-P3 — whose name says "sRGB Transfer" —, Adobe RGB) is converted;
    sRGB and untagged ones are not touched."""
    photos = lib.phone_photos()
    rows = {}
    with open(os.path.join(lib.PHONE, "MANIFEST.tsv")) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(head, line.rstrip("\n").split("\t")))
            rows[r["file"]] = r["icc_profile"]
    with lib.TempDir() as d:
        p = lib.run("prep", "--json", "-p", "x-square", "-o", d, *photos)
        for l in lib.json_lines(p.stdout):
            if l["error"]:
                continue
            icc = rows[os.path.basename(l["input"])]
            wide = any(w in icc for w in ("P3", "Adobe"))
            assert_eq("icc-converted" in l["removed"], wide,
                      "%s (%s)" % (os.path.basename(l["input"]), icc))
