"""--scan-text (issue 14, "Text that can name a place"): the words a photo
shows, read with Tesseract after OpenCV's MSER has found the lines, each
word's box in the JSON line and the manifest (text_found), the flag
shows-text, the review page's warning, and --protect text's solid fill.

The oracles are independent of the detector: the camp sample's sign was
boxed by hand (looking at the photo), and the signs in perspective are
drawn by tests/text_scene.py, which knows where it put them (vips text,
then OpenCV's perspective warp onto a real phone photo)."""
import json
import os
import subprocess
import unicodedata

import imgtest
import lib

CAMP = os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg")
# the "WATER POINT 3" plate in the camp sample, boxed by hand (fractions
# x, y, w, h of the photo: 2400x1600, plate 150..846 x 990..1080)
CAMP_SIGN = (0.0625, 0.619, 0.29, 0.056)
FACES = os.path.normpath(os.path.join(lib.ROOT, "..", "shared", "samples",
                                      "faces"))
SCENE = os.path.join(lib.ROOT, "tests", "text_scene.py")


def presets(d):
    """A landscape that keeps the camp's sign, and a tall portrait whose
    centre crop leaves it out (it lies left of the middle third)."""
    pdir = os.path.join(d, "presets")
    imgtest.preset(pdir, "wide", 800, 450, fmt="jpeg")
    imgtest.preset(pdir, "tall", 300, 900, fmt="jpeg")
    return pdir


def prep(d, photo, out, *extra, presets_given=("wide",)):
    r = lib.run("prep", "--preset-dir", presets(d), "-p", ",".join(presets_given),
                "--json", "-o", out, photo, *extra, check=0)
    return lib.json_lines(r.stdout)


def norm(word):
    """A word as compared: upper case, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFC", word.upper())
                   if c.isalnum())


def centre_inside(word, box, slack=0.01):
    cx, cy = word["x"] + word["w"] / 2, word["y"] + word["h"] / 2
    x, y, w, h = box
    return (x - slack <= cx <= x + w + slack) and (y - slack <= cy <= y + h + slack)


def test_scan_text_reads_the_camp_sign_where_it_stands():
    with lib.TempDir() as d:
        out = os.path.join(d, "out")
        wide, tall = prep(d, CAMP, out, "--scan-text", presets_given=("wide", "tall"))
        words = [norm(w["text"]) for w in wide["text_found"]]
        for want in ("WATER", "POINT", "3"):
            assert want in words, (want, wide["text_found"])
        for w in wide["text_found"]:
            assert centre_inside(w, CAMP_SIGN), w
            assert 0 < w["score"] <= 1 and w["masked"] is False, w
        # the same words for every output; flagged where they show
        lib.assert_eq([w["text"] for w in tall["text_found"]],
                      [w["text"] for w in wide["text_found"]], "same list")
        assert "shows-text" in wide["flags"], wide["flags"]
        assert all(w["in_output"] for w in wide["text_found"])
        # in the wide output's pixels: where the sign is at 800x450
        # (a cover crop of 2400x1600 to 16:9 keeps the full width)
        for w in wide["text_found"]:
            io = w["in_output"]
            assert abs(io["x"] - w["x"] * 800) < 3 and io["w"] > 0, w
        assert all(w["in_output"] is None for w in tall["text_found"]), tall
        assert "shows-text" not in tall["flags"], tall["flags"]
        # the manifest says the same
        lines = [json.loads(l) for l in open(os.path.join(out, "attache-manifest.jsonl"))]
        lib.assert_eq([w["text"] for w in lines[0]["text_found"]],
                      [w["text"] for w in wide["text_found"]], "manifest")

        # not asked: not looked for (null), and no flag
        plain = prep(d, CAMP, os.path.join(d, "plain"))[0]
        lib.assert_eq(plain["text_found"], None, "not scanned")
        assert "shows-text" not in plain["flags"]


SIGNS = [
    # language, text, font, plate corners (fractions), words that must be read
    ("fr", "POINT D'EAU", "Noto Sans Bold 24",
     "0.15,0.30,0.60,0.36,0.58,0.50,0.16,0.48", ["POINT", "EAU"]),
    ("ru", "ПУНКТ ВОДЫ", "Noto Sans Bold 24",
     "0.35,0.55,0.85,0.50,0.86,0.66,0.34,0.68", ["ПУНКТ", "ВОДЫ"]),
    ("ar", "نقطة المياه", "Noto Sans Arabic Bold 24",
     "0.20,0.20,0.62,0.26,0.62,0.42,0.20,0.40", ["نقطة"]),
]


def draw(d, lang, text, font, corners):
    lib.phone_photos()
    scene = os.path.join(d, "sign-%s.jpg" % lang)
    bg = os.path.join(lib.PHONE, "google-pixel_gps_thumb.jpg")
    p = subprocess.run(["/usr/bin/python3", SCENE, scene, bg, text, font, corners],
                       capture_output=True, text=True, check=True)
    return scene, json.loads(p.stdout)


def test_scan_text_reads_signs_in_perspective_in_three_scripts():
    """French, Russian and Arabic signs at an angle, narrowing one way,
    on a real photo's grass and sky: the words are read in the run's
    language, and every box lies on the plate that was drawn."""
    with lib.TempDir() as d:
        for lang, text, font, corners, must in SIGNS:
            scene, truth = draw(d, lang, text, font, corners)
            o = prep(d, scene, os.path.join(d, "out-" + lang), "--scan-text", "--lang", lang)[0]
            found = o["text_found"]
            words = [norm(w["text"]) for w in found]
            for want in must:
                assert any(want in w for w in words), (lang, want, found)
            # nothing read off the plate: grass and clouds are not text
            for w in found:
                assert centre_inside(w, truth["box"]), (lang, w, truth["box"])
            # the words cover most of the plate's width
            x0 = min(w["x"] for w in found)
            x1 = max(w["x"] + w["w"] for w in found)
            assert x1 - x0 > 0.6 * truth["box"][2], (lang, found, truth)
            assert "shows-text" in o["flags"], o["flags"]


def test_scan_text_finds_no_words_in_photos_without_text():
    """The hand-labelled face photos show people, no sign: at most one
    stray word in all four."""
    if not os.path.isdir(FACES):
        lib.skip("../shared/samples/faces is absent")
    photos = sorted(os.path.join(FACES, f) for f in os.listdir(FACES) if f.endswith(".jpg"))
    with lib.TempDir() as d:
        stray = []
        for photo in photos:
            o = prep(d, photo, os.path.join(d, "out"), "--scan-text")[0]
            assert o["text_found"] is not None, o
            stray += o["text_found"]
        assert len(stray) <= 1, stray


def test_protect_text_fills_the_words_solid():
    with lib.TempDir() as d:
        o = prep(d, CAMP, os.path.join(d, "out"), "--protect", "text")[0]
        # --protect text reads the text by itself, and fills each word
        assert o["text_found"], o
        assert all(w["masked"] for w in o["text_found"]), o["text_found"]
        # masked text does not show: no flag for it
        assert "shows-text" not in o["flags"], o["flags"]
        for w in o["text_found"]:
            io = w["in_output"]
            crop = os.path.join(d, "word.png")
            x, y = int(io["x"]) + 1, int(io["y"]) + 1
            imgtest.vips("crop", o["output"], crop, x, y, max(1, int(io["w"]) - 2), max(1, int(io["h"]) - 2))
            dev = float(subprocess.run(["vips", "deviate", crop], capture_output=True, text=True,
                                       check=True).stdout)
            # a solid fill, through JPEG: no stroke of a letter is left
            assert dev < 4, (w, dev)


LAYER = "\n[text tag]\ntext = #field\nanchor = bottom-right\n"


def test_campaign_scan_text_and_the_review_page_warning():
    """scan-text = yes in a campaign's [campaign] scans its photos; the
    review page then says what the photo shows."""
    with lib.TempDir() as d:
        camp = os.path.join(d, "c.ini")
        with open(camp, "w") as f:
            f.write("[campaign]\nname = field\nscan-text = yes\n" + LAYER)
        out = os.path.join(d, "out")
        o = prep(d, CAMP, out, "-c", camp)[0]
        assert "WATER" in [norm(w["text"]) for w in o["text_found"]], o
        lib.run("review", out, check=0)
        page = open(os.path.join(out, "review.html"), encoding="utf-8").read()
        assert "The photo shows text: <strong dir=\"auto\">WATER POINT 3</strong>" in page, page[-3000:]
        # a campaign that says no, and a bad value
        with open(camp, "w") as f:
            f.write("[campaign]\nscan-text = no\n" + LAYER)
        o = prep(d, CAMP, os.path.join(d, "no"), "-c", camp)[0]
        lib.assert_eq(o["text_found"], None, "scan-text = no")
        with open(camp, "w") as f:
            f.write("[campaign]\nscan-text = perhaps\n" + LAYER)
        r = lib.run("prep", "-c", camp, "-o", os.path.join(d, "bad"), CAMP)
        lib.assert_eq(r.returncode, 2, r.stderr)
        assert "scan-text" in r.stderr, r.stderr


def test_inbox_attache_ini_scan_text():
    """scan-text = yes in INBOX/attache.ini: the hot folder's photos are
    read, and its manifest lines carry the words."""
    with lib.TempDir() as d:
        inbox = os.path.join(d, "inbox")
        os.makedirs(inbox)
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\nscan-text = yes\n")
        with open(CAMP, "rb") as src, open(os.path.join(inbox, "camp.jpg"), "wb") as dst:
            dst.write(src.read())
        lib.run("watch", inbox, "--once", "--preset-dir", presets(d), "-p", "wide",
                "--settle", "0.5", check=0)
        lines = []
        for root, _, files in os.walk(os.path.join(inbox, "out")):
            if "attache-manifest.jsonl" in files:
                lines += [json.loads(l) for l in open(os.path.join(root, "attache-manifest.jsonl"))]
        outs = [l for l in lines if l.get("kind") != "failure"]
        assert outs, lines
        for o in outs:
            assert "WATER" in [norm(w["text"]) for w in o["text_found"] or []], o
            assert "shows-text" in o["flags"], o
