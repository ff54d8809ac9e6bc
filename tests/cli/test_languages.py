"""Every language in one run (--lang fr,ar,zh; docs/prep.md, "Languages"),
and no silent overwrite of an output from another run ("Outputs already
there"): real phone photos, the demo campaign, exiftool as the judge of
the alt text each file carries, libvips' command line for the pixels,
chromium for the review page."""
import csv
import hashlib
import json
import os
import shutil
import subprocess

import browser
import imgtest
import lib
from lib import assert_eq

CAMPAIGN = os.path.join(lib.ROOT, "campaigns", "demo.ini")
LANGS = ["fr", "ar", "zh"]
ALT = {
    "en": "Two volunteers unload sacks of rice from a truck at dawn",
    "fr": "Deux bénévoles déchargent des sacs de riz d'un camion, à l'aube",
    "ar": "متطوعان يفرغان أكياس الأرز من شاحنة عند الفجر",
    "zh": "两名志愿者在黎明时分从卡车上卸下一袋袋大米",
}
PRESETS = ["x-landscape", "bluesky"]


def photos():
    """A JPEG and a HEIC from the phones (each decoded once per run), the
    JPEG first."""
    want = ("google-pixel_gps_thumb.jpg", "apple-iphone-13_o6-irot_gps_p3.heic")
    have = {os.path.basename(p): p for p in lib.phone_photos()}
    if not all(w in have for w in want):
        lib.skip("the phone samples %s are absent" % (want,))
    return [have[w] for w in want]


def alt_csv(d, names):
    path = os.path.join(d, "alt.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file", "lang", "alt"])
        for n in names:
            for lang, text in ALT.items():
                w.writerow([os.path.basename(n), lang, text])
    return path


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def manifest(out):
    with open(os.path.join(out, "attache-manifest.jsonl")) as f:
        return [json.loads(l) for l in f if l.strip()]


def exif_alt(path):
    """What exiftool reads of the file's AltTextAccessibility: the x-default
    (no suffix) and each language (-fr, -ar ...)."""
    tags = lib.exiftool(path, "-XMP-iptcCore:AltTextAccessibility*")
    out = {}
    for k, v in tags.items():
        if k.startswith("XMP-iptcCore:AltTextAccessibility"):
            lang = k[len("XMP-iptcCore:AltTextAccessibility"):].lstrip("-")
            out[lang or "x-default"] = v
    return out


def band_diff(a, b, d):
    """Mean absolute difference of @a and @b (same size) in the bottom
    eighth (the demo campaign's hashtag band) and in the middle (the photo
    only), with the vips command."""
    h = int(lib.header(a)["height"])
    w = int(lib.header(a)["width"])
    res = []
    for top, height in ((h - h // 8, h // 8), (h * 3 // 8, h // 8)):
        parts = []
        for i, f in enumerate((a, b)):
            c = os.path.join(d, "crop%d.v" % i)
            imgtest.vips("crop", f, c, 0, top, w, height)
            parts.append(c)
        diff = os.path.join(d, "diff.v")
        absd = os.path.join(d, "abs.v")
        imgtest.vips("subtract", parts[0], parts[1], diff)
        imgtest.vips("abs", diff, absd)
        p = subprocess.run(["vips", "avg", absd], capture_output=True,
                           text=True, check=True)
        res.append(float(p.stdout))
    return res


def test_three_languages_in_one_run():
    """--lang fr,ar,zh: STEM.PRESET.LANG.EXT for each preset and language,
    each file with every language's alt text and its own as x-default, the
    band in its own language, one manifest, one review page."""
    ins = photos()
    with lib.TempDir() as d:
        out = os.path.join(d, "out")
        p = lib.run("prep", "-c", CAMPAIGN, "--lang", ",".join(LANGS),
                    "-p", ",".join(PRESETS), "--alt-manifest",
                    alt_csv(d, ins), "--json", "-o", out, *ins, check=0)
        lines = lib.json_lines(p.stdout)
        want = sorted("%s.%s.%s.jpg" % (stem(i), pr, l) for i in ins
                      for pr in PRESETS for l in LANGS)
        assert_eq(sorted(f for f in os.listdir(out) if f.endswith(".jpg")),
                  want, "one file per photo, preset and language")
        assert_eq(len(lines), len(want), "one JSON line per output")

        for o in lines:
            f = o["output"]
            got = exif_alt(f)
            # every language, read by exiftool, not by attache
            for lang, text in ALT.items():
                assert_eq(got.get(lang), text, "%s: %s alt text" % (f, lang))
            assert_eq(got.get("x-default"), ALT[o["lang"]],
                      f + ": x-default is its own language's")
            assert_eq(o["alt_text"], ALT[o["lang"]], f + ": alt_text")
            assert f.endswith(".%s.jpg" % o["lang"]), f
            assert_eq(o["campaign"], "demo", "campaign")

        # one manifest, a line per output, its language and the photo's hash
        man = manifest(out)
        assert_eq(sorted(os.path.basename(m["output"]) for m in man), want,
                  "manifest lines")
        by_input = {i: sha256(i) for i in ins}
        for m in man:
            assert_eq(m["input_sha256"], by_input[m["input"]], "input_sha256")
            assert m["lang"] in LANGS and m["output"].endswith(
                ".%s.jpg" % m["lang"]), m

        # the band's text is each language's: the French output of this run
        # matches a French-only run's, and differs from the Arabic one in
        # the band, not in the photo above it
        solo = os.path.join(d, "solo")
        lib.run("prep", "-c", CAMPAIGN, "--lang", "fr", "-p", "x-landscape",
                "--alt-manifest", alt_csv(d, ins), "-o", solo, ins[0],
                check=0)
        s = stem(ins[0])
        fr = os.path.join(out, s + ".x-landscape.fr.jpg")
        ar = os.path.join(out, s + ".x-landscape.ar.jpg")
        zh = os.path.join(out, s + ".x-landscape.zh.jpg")
        same_band, same_mid = band_diff(fr, os.path.join(
            solo, s + ".x-landscape.jpg"), d)
        assert same_band < 0.5 and same_mid < 0.5, (same_band, same_mid)
        for other in (ar, zh):
            band, mid = band_diff(fr, other, d)
            assert band > 2 and band > 10 * mid, (other, band, mid)

        # one review page: the photo once, its three languages grouped
        page = os.path.join(out, "review.html")
        lib.run("review", out, "-o", page, check=0)
        facts, _ = browser.page_facts(page)
        assert_eq(len(facts["photos"]), len(ins), "one section per photo")
        for ph in facts["photos"]:
            assert_eq(ph["lang"], ", ".join(LANGS), "the photo's languages")
        figs = facts["outputs"]
        assert_eq(sorted(f["file"] for f in figs), want, "every output shown")
        for f in figs:
            assert_eq(f["group"], f["lang"], f["file"] + ": in its group")
            assert f["file"].endswith(".%s.jpg" % f["lang"]), f
        # the groups come in the order of --lang, each photo's in its section
        for ph in facts["photos"]:
            order = []
            for f in figs:
                if f["photo"] == ph["input"] and f["group"] not in order:
                    order.append(f["group"])
            assert_eq(order, LANGS, "language groups in order")
        # one alt-text list per photo: every language, each once
        for i in ins:
            rows = [a["lang"] for a in facts["alts"] if a["photo"] == i]
            assert_eq(sorted(rows), sorted(ALT), i + ": alt rows")


def test_lang_all_takes_the_campaigns_languages():
    ins = photos()[:1]
    with lib.TempDir() as d:
        out = os.path.join(d, "out")
        p = lib.run("prep", "-c", CAMPAIGN, "--lang", "all", "-p",
                    "x-square", "--json", "-o", out, *ins, check=0)
        got = sorted(o["lang"] for o in lib.json_lines(p.stdout))
        assert_eq(got, sorted(["en", "fr", "es", "ar", "zh", "ru"]),
                  "the campaign's languages = ")
        for o in lib.json_lines(p.stdout):
            assert os.path.isfile(o["output"]) and o["output"].endswith(
                ".x-square.%s.jpg" % o["lang"]), o
        # a single language keeps today's name; --langs is the same option
        one = os.path.join(d, "one")
        p = lib.run("prep", "-c", CAMPAIGN, "--langs", "ar", "-p",
                    "x-square", "--json", "-o", one, *ins, check=0)
        o = lib.json_lines(p.stdout)[0]
        assert_eq(os.path.basename(o["output"]),
                  stem(ins[0]) + ".x-square.jpg", "one language: no .LANG")
        assert_eq(o["lang"], "ar", "lang")
        # usage errors, before any photo is read
        for args, words in (
                (["--lang", "all"], ["all", "no campaign"]),
                (["-c", CAMPAIGN, "--lang", "fr,all"], ["stands alone"]),
                (["-c", CAMPAIGN, "--lang", "fr,de"], ["de", "demo"]),
                (["--lang", "fr,zh-Hant-HKabc"], ["longer than 11"]),
                (["--lang", "fr,1x"], ["1x", "not a language tag"])):
            bad = os.path.join(d, "bad")
            p = lib.run("prep", *args, "-o", bad, *ins, check=2)
            for w in words:
                assert w in p.stderr, (args, w, p.stderr)
            assert not os.path.exists(bad), args


def test_another_runs_output_is_never_replaced_silently():
    """--lang fr then --lang ar into one folder: the French file stays, the
    Arabic output is refused naming both. The same photo in the same
    language replaces its own output; a different photo of the same name,
    or a file attache did not record, is refused too."""
    photo = photos()[0]
    with lib.TempDir() as d:
        out = os.path.join(d, "out")
        name = os.path.join(out, stem(photo) + ".x-landscape.jpg")
        lib.run("prep", "-c", CAMPAIGN, "--lang", "fr", "-o", out, photo,
                check=0)
        before = sha256(name)
        ino = os.stat(name).st_ino

        p = lib.run("prep", "-c", CAMPAIGN, "--lang", "ar", "--json", "-o",
                    out, photo, check=1)
        o = lib.json_lines(p.stdout)[0]
        assert_eq(o["output"], None, "no Arabic output")
        for w in (name, "in fr", "in ar", "not replaced", "--lang fr,ar"):
            assert w in p.stderr, (w, p.stderr)
        assert_eq(sha256(name), before, "the French file is untouched")
        assert_eq([m["lang"] for m in manifest(out) if "lang" in m],
                  ["fr"], "no line for an Arabic output")
        # exiftool: still the French output (its campaign text is French,
        # and so is what the manifest says of it)
        assert_eq(sha256(name), manifest(out)[0]["sha256"], "recorded bytes")

        # the same photo, language and campaign: its own output, replaced
        lib.run("prep", "-c", CAMPAIGN, "--lang", "fr", "-o", out, photo,
                check=0)
        assert os.stat(name).st_ino != ino, "replaced by a new file"
        assert_eq(manifest(out)[-1]["lang"], "fr", "re-prepared")

        # without a campaign: another run's output too
        p = lib.run("prep", "-o", out, photo, check=1)
        assert "no campaign" in p.stderr and "campaign demo" in p.stderr, \
            p.stderr

        # another photo with the same file name
        other = os.path.join(d, "other", os.path.basename(photo))
        os.makedirs(os.path.dirname(other))
        shutil.copy([q for q in lib.phone_photos()
                     if q.endswith(".jpg") and q != photo][0], other)
        after = sha256(name)
        p = lib.run("prep", "-c", CAMPAIGN, "--lang", "fr", "--json", "-o",
                    out, other)
        assert_eq(sha256(name), after, "not replaced by another photo")
        o = lib.json_lines(p.stdout)[0]
        # refused naming both, or written under a name of its own (-2)
        if p.returncode:
            assert "not replaced" in p.stderr and o["output"] is None, p.stderr
        else:
            assert os.path.abspath(o["output"]) != os.path.abspath(name), o

        # a file of the user's that the manifest does not record
        mine = os.path.join(out, stem(photo) + ".x-square.jpg")
        with open(mine, "wb") as f:
            f.write(b"the user's own file")
        p = lib.run("prep", "-c", CAMPAIGN, "--lang", "fr", "-p", "x-square",
                    "-o", out, photo, check=1)
        assert mine in p.stderr and "not an output" in p.stderr, p.stderr
        with open(mine, "rb") as f:
            assert_eq(f.read(), b"the user's own file", "the user's file")

        # every language in one run needs no other folder: new names
        p = lib.run("prep", "-c", CAMPAIGN, "--lang", "fr,ar", "-o", out,
                    photo, check=0)
        for l in ("fr", "ar"):
            assert os.path.isfile(os.path.join(
                out, "%s.x-landscape.%s.jpg" % (stem(photo), l))), l


def test_hot_folder_makes_every_language_of_attache_ini():
    """lang = fr,ar in INBOX/attache.ini: the hot folder makes both from
    the one photo, named STEM.PRESET.LANG.EXT, a manifest line each."""
    photo = photos()[0]
    with lib.TempDir() as d:
        inbox = os.path.join(d, "inbox")
        os.makedirs(inbox)
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\npresets = x-square\ncampaign = %s\n"
                    "lang = fr,ar\nalt-manifest = alt.csv\n" % CAMPAIGN)
        shutil.copy(photo, os.path.join(inbox, "p.jpg"))
        alt_csv(inbox, [os.path.join(inbox, "p.jpg")])
        lib.run("watch", inbox, "--once", "--settle", "0.2", "--allow-path",
                os.path.dirname(CAMPAIGN), check=0)
        out = os.path.join(inbox, "out")
        man = manifest(out)
        assert_eq(sorted(os.path.basename(m["output"]) for m in man),
                  ["p.x-square.ar.jpg", "p.x-square.fr.jpg"], "outputs")
        for m in man:
            path = os.path.join(out, "p", os.path.basename(m["output"]))
            got = exif_alt(path)
            assert_eq(got.get("x-default"), ALT[m["lang"]], path)
            for lang, text in ALT.items():
                assert_eq(got.get(lang), text, path + ": " + lang)
            assert_eq(m["input_sha256"], sha256(photo), "input_sha256")
