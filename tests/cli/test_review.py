"""attache review: the page a second person reads before approving, opened
from disk by a real browser (Debian's chromium, headless, tests/browser.py)
whose rendered DOM is read back: every image loaded at its true aspect,
every alt text with its character count and limit, the flags marked,
nothing fetched from the network, no script, user data escaped."""
import configparser
import csv
import json
import os
import shutil
import subprocess

import browser
import lib
from lib import assert_eq

CAMPAIGN = os.path.join(lib.ROOT, "campaigns", "demo.ini")

# What a photo's file name may hold: markup, quotes, URL syntax, non-ASCII.
ODD_STEM = "field <b>\"&'#%? café"
ALT = ("Two volunteers <unload> sacks of \"rice\" & 'beans' from a truck "
       "at dawn — «aide» 🍚 </p><script>alert(1)</script>")
# per language, from an alt-text manifest (docs/alt-text.md)
ALT_LANGS = {
    "en": "Two volunteers unload sacks of rice from a truck at dawn",
    "fr": "Deux bénévoles déchargent des sacs de riz d'un camion, à l'aube",
    "ar": "متطوعان يفرغان أكياس الأرز من شاحنة عند الفجر",
    "zh": "两名志愿者在黎明时分从卡车上卸下一袋袋大米",
}


def preset_limits():
    """[alt] max-chars of every built-in preset, read with configparser."""
    out = {}
    for f in os.listdir(lib.PRESETS):
        if f.endswith(".ini"):
            c = configparser.ConfigParser()
            c.read(os.path.join(lib.PRESETS, f))
            out[f[:-4]] = c.getint("alt", "max-chars", fallback=0)
    return out


def jpeg_photos():
    try:
        return [p for p in lib.phone_photos() if p.endswith(".jpg")]
    except lib.Skip:
        return [p for p in lib.sample_photos() if p.endswith(".jpg")]


def write_preset(pdir, name, fit="", w=1600, h=900, budget="5MB",
                 extra="", qmin=60, qmax=85):
    os.makedirs(pdir, exist_ok=True)
    with open(os.path.join(pdir, name + ".ini"), "w") as f:
        f.write("[preset]\ndescription=test\nplatform=test\n[fit]\n"
                "width=%d\nheight=%d\n%s\n[encode]\nmax-bytes=%s\n"
                "quality-max=%d\nquality-min=%d\n%s" %
                (w, h, fit, budget, qmax, qmin, extra))


def manifest(out):
    with open(os.path.join(out, "attache-manifest.jsonl")) as f:
        return [json.loads(l) for l in f if l.strip()]


def prepare(d):
    """Three photos in d/out, prepared for real:
    - ODD_STEM.jpg: x-landscape, mastodon and three test presets that force
      the flags (tight budget: quality-floor + downscaled; contain in a
      square: padded; upscale: upscaled + small-source), with ALT as the
      x-default alt text and ALT_LANGS from an alt-text manifest, branded
      with the demo campaign in French;
    - small.jpg (640 px): small-source, its alt text only its file name;
    - noalt.jpg: no alt text at all.
    Returns (out folder, presets folder, manifest lines)."""
    photo = jpeg_photos()[0]
    src = os.path.join(d, "in")
    os.makedirs(src)
    odd = os.path.join(src, ODD_STEM + ".jpg")
    shutil.copy(photo, odd)
    small = os.path.join(src, "small.jpg")
    subprocess.run(["vips", "thumbnail", photo, small, "640"], check=True)
    noalt = os.path.join(src, "noalt.jpg")
    shutil.copy(jpeg_photos()[-1], noalt)

    csvp = os.path.join(d, "alt.csv")
    with open(csvp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file", "lang", "alt"])
        for lang, text in ALT_LANGS.items():
            w.writerow([os.path.basename(odd), lang, text])
    pdir = os.path.join(d, "presets")
    # tight: a single quality, 60, and 70 % of the bytes it gives (measured
    # with the same metadata): the floor, then fewer pixels
    write_preset(pdir, "probe", qmin=60, qmax=60)
    probe = lib.json_lines(lib.run(
        "prep", "--json", "--preset-dir", pdir, "-p", "probe", "-o",
        os.path.join(d, "probe"), "--alt", ALT, "--alt-manifest", csvp,
        "-c", CAMPAIGN, "--lang", "fr", odd, check=0).stdout)[0]
    write_preset(pdir, "tight", qmin=60, qmax=60,
                 budget=str(int(probe["bytes"] * 0.7)))
    write_preset(pdir, "boxed", fit="mode=contain", w=1000, h=1000)
    # larger than any phone photo
    write_preset(pdir, "up", fit="upscale=true", w=6000, h=3375,
                 budget="20MB")
    out = os.path.join(d, "out")
    lib.run("prep", "--preset-dir", pdir, "-p",
            "x-landscape,mastodon,tight,boxed,up", "-o", out, "--alt", ALT,
            "--alt-manifest", csvp, "-c", CAMPAIGN, "--lang", "fr",
            "--by", "alice", odd, check=0)
    lib.run("prep", "-p", "x-landscape", "-o", out, "--alt", "small.jpg",
            "--by", "alice", small, check=0)
    lib.run("prep", "-p", "x-landscape,instagram-portrait", "-o", out,
            "--by", "alice", noalt, check=0)
    return out, pdir, manifest(out)


def check_images(facts, lines, embedded, preview=640):
    """Every output has exactly one figure whose image loaded, at the
    output's aspect."""
    by_file = {os.path.basename(l["output"]): l for l in lines}
    imgs = {i["file"]: i for i in facts["imgs"]}
    assert_eq(sorted(imgs), sorted(by_file), "one image per output")
    assert_eq(len(facts["imgs"]), len(by_file), "no other image")
    for name, i in imgs.items():
        l = by_file[name]
        assert i["complete"] and i["naturalWidth"] > 0, \
            "image not loaded: %s (%s)" % (name, i["src"][:80])
        if embedded:
            assert i["src"].startswith("data:image/"), i["src"][:40]
            assert max(i["naturalWidth"], i["naturalHeight"]) <= preview, i
        else:
            # the output itself
            assert_eq((i["naturalWidth"], i["naturalHeight"]),
                      (l["width"], l["height"]), name)
        true = l["width"] / l["height"]
        assert abs(i["naturalWidth"] / i["naturalHeight"] - true) < 0.02, i
        # drawn at its true aspect (within a pixel of rounding)
        assert abs(i["width"] - i["height"] * true) <= 1.5, (name, i, true)


def check_alts(facts):
    """Every alt text of the three photos of prepare(), verbatim, with its
    character count, the limit, and the marks."""
    limits = preset_limits()
    # alt text: the text itself, its count in characters, the tightest
    # limit of the platforms it goes to
    odd = {a["lang"]: a for a in facts["alts"] if "field" in a["photo"]}
    texts = dict(ALT_LANGS, **{"x-default": ALT})
    assert_eq(sorted(odd), sorted(texts), "one row per language")
    want = min(limits["x-landscape"], limits["mastodon"])
    for lang, text in texts.items():
        a = odd[lang]
        assert_eq(a["text"], text, lang + ": alt text shown verbatim")
        assert_eq(a["chars"], len(text), lang + ": code points")
        assert "%d characters" % len(text) in a["count"], a["count"]
        assert_eq(a["limit"], want, lang + ": limit")
        assert "of %d allowed" % want in a["count"], a["count"]
        assert_eq(a["state"], "ok", lang)
        assert a["visible"], a
    # the images' text alternative is the alt text itself
    for i in facts["imgs"]:
        if "field" in i["file"]:
            assert_eq(i["alt"], ALT, i["file"])

    # alt text that only repeats the file name, and none at all
    sm = [a for a in facts["alts"] if a["photo"].endswith("small.jpg")]
    assert_eq([a["state"] for a in sm], ["filename"], "small.jpg")
    assert "Only repeats the file name" in sm[0]["all"], sm[0]
    na = [a for a in facts["alts"] if a["photo"].endswith("noalt.jpg")]
    assert_eq([a["state"] for a in na], ["missing"], "noalt.jpg")
    assert "Missing alt text" in na[0]["all"], na[0]
    for f in facts["outputs"]:
        if f["file"].startswith(("small.", "noalt.")):
            assert f["marked"], f
    for i in facts["imgs"]:
        if i["file"].startswith("noalt."):
            assert i["alt"].startswith("No alt text"), i


def check_page(facts, requests, lines, page_dir_allowed):
    assert_eq(facts["scripts"], 0, "script elements")
    # nothing but local files (and embedded data) was asked for
    for url in requests:
        assert url.startswith("file://") or url.startswith("data:"), url
        if url.startswith("file://"):
            assert any(url.startswith(p) for p in page_dir_allowed), url
    by_file = {os.path.basename(l["output"]): l for l in lines}
    figs = {f["file"]: f for f in facts["outputs"]}
    assert_eq(sorted(figs), sorted(by_file), "figures")
    for name, f in figs.items():
        l = by_file[name]
        assert_eq(f["preset"], l["preset"], name)
        assert_eq(sorted(f["flags"]), sorted(l["flags"]), name + " flags")
        # each flag is spelled out, visibly, and the output is marked
        assert_eq(sorted(x["flag"] for x in f["flagItems"]),
                  sorted(l["flags"]), name)
        assert all(x["visible"] and "Check" in x["text"]
                   for x in f["flagItems"]), f["flagItems"]
        if l["flags"]:
            assert f["marked"] and f["attention"] == "yes", f
        assert "%d × %d" % (l["width"], l["height"]) in f["caption"], f
        assert "quality %d" % l["quality"] in f["caption"], f
        assert f["photo"] == l["input"], (f["photo"], l["input"])


def test_review_page_in_chromium():
    with lib.TempDir() as d:
        out, pdir, lines = prepare(d)
        flags = {l["preset"]: l["flags"] for l in lines
                 if os.path.basename(l["input"]).startswith("field")}
        # the photos really raised what the page must mark
        assert "quality-floor" in flags["tight"], flags
        assert "downscaled" in flags["tight"], flags
        assert "padded" in flags["boxed"], flags
        assert "upscaled" in flags["up"], flags
        small = [l for l in lines if l["input"].endswith("small.jpg")]
        assert "small-source" in small[0]["flags"], small

        p = lib.run("review", "--preset-dir", pdir, out, check=0)
        page = os.path.join(out, "review.html")
        assert page in p.stdout, p.stdout
        shot = os.path.join(d, "laptop.png") \
            if os.environ.get("KEEP_TMP") == "1" else None
        facts, requests = browser.page_facts(page, shot=shot)
        check_images(facts, lines, embedded=False)
        check_page(facts, requests, lines,
                   [browser.file_url(out) + "/"])

        # grouped by photo, each heading the photo's own name, verbatim
        headings = sorted(ph["heading"] for ph in facts["photos"])
        assert_eq(headings, sorted([ODD_STEM + ".jpg", "small.jpg",
                                    "noalt.jpg"]), "photos")
        assert_eq(facts["summary"]["photos"], "3 photos", "summary")
        assert_eq(facts["summary"]["outputs"], "%d outputs" % len(lines),
                  "summary")

        check_alts(facts)
        # campaign and language shown
        for ph in facts["photos"]:
            odd_photo = ph["heading"].startswith("field")
            assert_eq(ph["campaign"], "demo" if odd_photo else "none",
                      ph["heading"])
            assert_eq(ph["lang"], "fr" if odd_photo else "not set",
                      ph["heading"])
            # removed and kept: what the manifest says of its outputs
            mine = [l for l in lines if l["input"] == ph["input"]]
            want_removed = sorted({k for l in mine for k in l["removed"]})
            want_kept = sorted({k for l in mine for k in l["kept"]})
            assert_eq(sorted(ph["removed"]), want_removed, ph["heading"])
            assert_eq(sorted(ph["kept"]), want_kept, ph["heading"])
            assert ("alt-text" in ph["kept"]) == \
                (ph["heading"] != "noalt.jpg"), ph
        # a phone: one column, nothing wider than the screen, still loaded
        facts, _ = browser.page_facts(page, width=390, height=844,
                                      mobile=True)
        assert facts["scrollWidth"] <= facts["innerWidth"], \
            (facts["scrollWidth"], facts["innerWidth"])
        check_images(facts, lines, embedded=False)
        for f in facts["outputs"]:
            assert f["width"] > 300 and abs(f["left"] - facts["outputs"][0]["left"]) < 1, f


def test_review_embed_travels_alone():
    with lib.TempDir() as d:
        out, pdir, lines = prepare(d)
        page = os.path.join(d, "pages", "sheet.html")
        os.makedirs(os.path.dirname(page))
        p = lib.run("review", "--preset-dir", pdir, "--embed",
                    "--preview-size", "480", "-o", page, out, check=0)
        assert page in p.stdout, p.stdout
        # the page alone, in a folder of its own, with the outputs gone
        alone = os.path.join(d, "mail", "sheet.html")
        os.makedirs(os.path.dirname(alone))
        shutil.copy(page, alone)
        shutil.rmtree(out)
        facts, requests = browser.page_facts(alone)
        check_images(facts, lines, embedded=True, preview=480)
        check_page(facts, requests, lines, [browser.file_url(alone)])
        check_alts(facts)
        assert_eq(len([u for u in requests if u.startswith("file:")]), 1,
                  "only the page itself from disk")


def test_review_page_elsewhere_links_back():
    """-o in another folder: the relative links climb back to the outputs,
    whatever their names hold."""
    with lib.TempDir() as d:
        out, pdir, lines = prepare(d)
        page = os.path.join(d, "pages", "a b", "review.html")
        os.makedirs(os.path.dirname(page))
        lib.run("review", "--preset-dir", pdir, "-o", page, out, check=0)
        facts, requests = browser.page_facts(page)
        check_images(facts, lines, embedded=False)
        for i in facts["imgs"]:
            assert i["src"].startswith("../../out/"), i["src"]
        check_page(facts, requests, lines,
                   [browser.file_url(out) + "/", browser.file_url(page)])


def test_review_alt_languages_and_limits():
    """Expected languages missing are marked (--langs), and a limit lower
    than the text (a platform's limit read from the preset as it is now) is
    marked over."""
    with lib.TempDir() as d:
        out, pdir, lines = prepare(d)
        # the platform lowered its limit: the preset now says 40
        write_preset(pdir, "x-landscape", extra="[alt]\nmax-chars=40\n")
        lib.run("review", "--preset-dir", pdir, "--langs", "en,fr,es,ru",
                out, check=0)
        facts, _ = browser.page_facts(os.path.join(out, "review.html"))
        odd = {a["lang"]: a for a in facts["alts"] if "field" in a["photo"]}
        assert_eq(sorted(odd), sorted(["x-default", "en", "fr", "ar", "zh",
                                       "es", "ru"]), "languages")
        x = odd["x-default"]
        assert_eq(x["state"], "over", "over the lowered limit")
        assert_eq(x["limit"], 40, "limit")
        assert "over the limit of x-landscape (40)" in x["count"], x
        for lang in ("es", "ru"):
            assert_eq(odd[lang]["state"], "missing", lang)
            assert "Missing alt text" in odd[lang]["all"], odd[lang]
        for lang, text in ALT_LANGS.items():
            assert_eq(odd[lang]["state"], "over" if len(text) > 40 else "ok",
                      lang)
        assert any(len(t) <= 40 for t in ALT_LANGS.values())
        for f in facts["outputs"]:
            if "field" in f["file"]:
                assert f["marked"], f


def test_review_usage_and_missing_manifest():
    with lib.TempDir() as d:
        assert_eq(lib.run("review").returncode, 2, "no folder")
        p = lib.run("review", d)
        assert_eq(p.returncode, 1, p.stderr)
        assert "attache-manifest.jsonl" in p.stderr, p.stderr
        assert not os.path.exists(os.path.join(d, "review.html"))
        p = lib.run("review", os.path.join(d, "nope"))
        assert_eq(p.returncode, 1, p.stderr)
