"""Alt text (issue 4): sources and their precedence, validation, and the
XMP every output carries, read back by exiftool."""
import os
import subprocess

import imgtest
import lib

SIX = {
    "en": "Two volunteers unload boxes of food & water from a van <night>",
    "fr": "Deux bénévoles déchargent des cartons « vivres » d'une camionnette",
    "es": "Dos voluntarias descargan cajas de comida de una furgoneta, ¡rápido!",
    "ar": "متطوعتان تفرغان صناديق الطعام من شاحنة صغيرة",
    "zh": "两名志愿者从货车上卸下食品箱",
    "ru": "Две волонтёрки разгружают \"коробки\" с едой из фургона",
}


def write(path, text, mode="w"):
    with open(path, mode, **({} if "b" in mode else {"encoding": "utf-8"})) \
            as f:
        f.write(text)
    return path


def csv_field(s):
    return '"' + s.replace('"', '""') + '"'


def photo(d, name="IMG_0001.jpg", w=320, h=240):
    return imgtest.flat(os.path.join(d, name), w, h, (90, 120, 150))


def alt_tags(path):
    """lang -> text of XMP-iptcCore:AltTextAccessibility, as exiftool
    reads it."""
    tags = lib.exiftool(path, "-XMP-iptcCore:all")
    out = {}
    for k, v in tags.items():
        if k.startswith("XMP-iptcCore:AltTextAccessibility"):
            lang = k.split("-", 2)[2] if k.count("-") >= 2 else "x-default"
            out[lang] = str(v)
    return out, tags


def test_six_languages_round_trip_in_jpeg_png_webp():
    with lib.TempDir() as d:
        presets = os.path.join(d, "presets")
        imgtest.preset(presets, "t-jpeg", 300, 200, fmt="jpeg")
        imgtest.preset(presets, "t-png", 300, 200, fmt="png")
        imgtest.preset(presets, "t-webp", 300, 200, fmt="webp")
        p = photo(d)
        rows = ["file,lang,alt"] + ["IMG_0001.jpg,%s,%s" % (l, csv_field(t))
                                    for l, t in SIX.items()]
        manifest = write(os.path.join(d, "alt.csv"), "\r\n".join(rows) + "\r\n")
        long = "A longer description: the van is white; boxes are stacked " \
            "three high.\nSecond line — with an em dash."
        out = os.path.join(d, "out")
        r = lib.run("prep", "--preset-dir", presets, "-p",
                    "t-jpeg,t-png,t-webp", "--alt-manifest", manifest,
                    "--alt-long", long, "--lang", "fr", "--json", "-o", out,
                    p, check=0)
        lines = lib.json_lines(r.stdout)
        lib.assert_eq(sorted(o["format"] for o in lines),
                      ["jpeg", "png", "webp"], "formats")
        for o in lines:
            got, tags = alt_tags(o["output"])
            # x-default: no neutral text was given, so the --lang one
            want = dict(SIX, **{"x-default": SIX["fr"]})
            lib.assert_eq(got, want, o["format"] + ": AltTextAccessibility")
            lib.assert_eq(tags.get("XMP-iptcCore:ExtDescrAccessibility"),
                          long, o["format"] + ": ExtDescrAccessibility")
            # the JSON line carries the same
            lib.assert_eq(o["alt"], want, "JSON alt")
            lib.assert_eq(o["alt_text"], SIX["fr"], "JSON alt_text")
            lib.assert_eq(list(o["alt"])[0], "x-default", "x-default first")
            # only what attache means to write: no other XMP namespace
            other = [k for k in tags if k.startswith("XMP")
                     and not k.startswith("XMP-iptcCore:")
                     and not k.startswith("XMP-x:")]
            lib.assert_eq(other, [], o["format"] + ": other XMP")


def test_x_default_comes_first_in_the_packet():
    with lib.TempDir() as d:
        p = photo(d)
        write(os.path.join(d, "IMG_0001.alt.ar.txt"), SIX["ar"])
        write(os.path.join(d, "IMG_0001.alt.txt"), SIX["en"])
        out = os.path.join(d, "out")
        r = lib.run("prep", "--json", "-o", out, p, check=0)
        o = lib.json_lines(r.stdout)[0]
        packet = subprocess.run(["exiftool", "-b", "-XMP", o["output"]],
                                capture_output=True).stdout.decode()
        i_def = packet.index('xml:lang="x-default"')
        i_ar = packet.index('xml:lang="ar"')
        assert i_def < i_ar, packet


def test_too_long_alt_text_fails_naming_the_limit():
    with lib.TempDir() as d:
        p1 = photo(d, "a.jpg")
        p2 = photo(d, "b.jpg")
        # counted in characters, not bytes: 1000 Arabic letters are 2000
        # bytes and still fit X's 1000
        write(os.path.join(d, "a.alt.txt"), "ب" * 1000)
        write(os.path.join(d, "b.alt.txt"), "ب" * 1001)
        out = os.path.join(d, "out")
        r = lib.run("prep", "-p", "x-landscape,mastodon", "--json", "-o",
                    out, p1, p2)
        lib.assert_eq(r.returncode, 1, "exit status")
        res = {(os.path.basename(o["input"]), o["preset"]): o
               for o in lib.json_lines(r.stdout)}
        assert res[("a.jpg", "x-landscape")]["error"] is None
        assert res[("b.jpg", "mastodon")]["error"] is None  # 1500 there
        bad = res[("b.jpg", "x-landscape")]
        assert bad["output"] is None
        assert "1001" in bad["error"] and "1000" in bad["error"], bad["error"]
        assert "1000" in r.stderr and "b.jpg" in r.stderr, r.stderr
        assert not os.path.exists(os.path.join(out, "b.x-landscape.jpg"))


def test_sidecars_discovery_and_precedence():
    with lib.TempDir() as d:
        p = photo(d)
        # stem sidecars, then the more specific full-name ones
        write(os.path.join(d, "IMG_0001.alt.txt"), "\ufeffA dog on a beach\r\n")
        write(os.path.join(d, "IMG_0001.alt.fr.txt"), "Un chien (stem)")
        write(os.path.join(d, "IMG_0001.jpg.alt.fr.txt"), "Un chien sur une "
              "plage")
        write(os.path.join(d, "IMG_0001.alt.zh-Hans.txt"), "海滩上的狗")
        # not sidecars of this photo
        write(os.path.join(d, "IMG_00011.alt.txt"), "another photo's")
        write(os.path.join(d, "IMG_0001.alt.draft.txt"), "an old draft")
        out = os.path.join(d, "out")
        r = lib.run("prep", "--alt", "fallback for every photo", "--json",
                    "-o", out, p, check=0)
        o = lib.json_lines(r.stdout)[0]
        lib.assert_eq(o["alt"], {"x-default": "A dog on a beach",
                                 "fr": "Un chien sur une plage",
                                 "zh-Hans": "海滩上的狗"}, "sidecars")
        got, _ = alt_tags(o["output"])
        # exiftool spells tags in lower case (zh-hans); XML language tags
        # are case-insensitive
        lib.assert_eq(got, {k.lower(): v for k, v in o["alt"].items()},
                      "embedded")

        # the manifest beats the sidecar for the languages it gives; --alt
        # fills x-default for a photo without its own
        manifest = write(os.path.join(d, "m.csv"),
                         "file,lang,alt\nIMG_0001,fr,Un chien (manifeste)\n")
        q = photo(d, "other.jpg")
        r = lib.run("prep", "--alt", "fallback for every photo",
                    "--alt-manifest", manifest, "--json", "-o", out, p, q,
                    check=0)
        res = {os.path.basename(o["input"]): o
               for o in lib.json_lines(r.stdout)}
        lib.assert_eq(res["IMG_0001.jpg"]["alt"]["fr"], "Un chien (manifeste)",
                      "manifest over sidecar")
        lib.assert_eq(res["IMG_0001.jpg"]["alt"]["x-default"],
                      "A dog on a beach", "sidecar over --alt")
        lib.assert_eq(res["other.jpg"]["alt"],
                      {"x-default": "fallback for every photo"}, "--alt")


def test_manifest_discovery_and_csv_quoting():
    with lib.TempDir() as d:
        sub = os.path.join(d, "field", "day1")
        os.makedirs(sub)
        a = photo(sub, "a.jpg")
        b = photo(sub, "b.png")
        c = photo(d, "c.jpg")
        text_b = 'Line one, with a comma\nline two with "quotes"'
        manifest = write(os.path.join(d, "alt.csv"),
                         "\ufefffile,lang,alt\r\n"
                         "a.jpg,,Plain text for a\r\n"
                         "\r\n"
                         "field/day1/b.png,en,%s\r\n"
                         "c,ru,\"Фото c\"\r\n" % csv_field(text_b))
        out = os.path.join(d, "out")
        r = lib.run("prep", "--alt-manifest", manifest, "--json", "-o", out,
                    a, b, c, check=0)
        res = {os.path.basename(o["input"]): o
               for o in lib.json_lines(r.stdout)}
        lib.assert_eq(res["a.jpg"]["alt"], {"x-default": "Plain text for a"},
                      "by file name")
        lib.assert_eq(res["b.png"]["alt"], {"x-default": text_b,
                                            "en": text_b}, "by path")
        lib.assert_eq(res["c.jpg"]["alt"], {"x-default": "Фото c",
                                            "ru": "Фото c"}, "by stem")


def test_bad_manifest_is_a_usage_error_naming_the_line():
    cases = [
        ("file,lang,alt\na.jpg,en,\"never closed\n", ":2:"),
        ("file,lang,alt\na.jpg,en,fine\na.jpg,en,again\n", ":3:"),
        ("file,lang,alt\na.jpg,english!,x\n", ":2:"),
        ("file,lang,alt\na.jpg,en,   \n", ":2:"),
        ("file,lang,alt\na.jpg,en,x,extra\n", ":2:"),
        ("name,alt\na.jpg,x\n", ":1:"),
        (b"file,lang,alt\na.jpg,en,caf\xe9\n", ":2:"),
    ]
    with lib.TempDir() as d:
        p = photo(d, "a.jpg")
        for i, (text, where) in enumerate(cases):
            m = os.path.join(d, "m%d.csv" % i)
            write(m, text, "wb" if isinstance(text, bytes) else "w")
            out = os.path.join(d, "out%d" % i)
            r = lib.run("prep", "--alt-manifest", m, "-o", out, p)
            lib.assert_eq(r.returncode, 2, repr(text))
            assert m + where in r.stderr, (text, r.stderr)
            assert not os.path.exists(out)


def test_require_alt_fails_only_that_photo():
    with lib.TempDir() as d:
        a = photo(d, "a.jpg")
        b = photo(d, "b.jpg")
        write(os.path.join(d, "a.alt.txt"), "A red kite over a field")
        out = os.path.join(d, "out")
        r = lib.run("prep", "--require-alt", "--json", "-o", out, a, b)
        lib.assert_eq(r.returncode, 1, "exit status")
        res = {os.path.basename(o["input"]): o
               for o in lib.json_lines(r.stdout)}
        assert res["a.jpg"]["error"] is None
        assert "alt" in res["b.jpg"]["error"], res["b.jpg"]
        assert "b.jpg" in r.stderr and "--require-alt" in r.stderr
        assert os.path.exists(res["a.jpg"]["output"])
        assert not [f for f in os.listdir(out) if f.startswith("b.")]
        # without --require-alt the same photo is fine, with no alt text
        r = lib.run("prep", "--json", "-o", out, b, check=0)
        lib.assert_eq(lib.json_lines(r.stdout)[0]["alt"], {}, "no alt")


def test_invalid_sidecar_fails_that_photo_batch_continues():
    with lib.TempDir() as d:
        a = photo(d, "a.jpg")
        b = photo(d, "b.jpg")
        c = photo(d, "c.jpg")
        write(os.path.join(d, "a.alt.txt"), b"caf\xe9 au lait", "wb")
        write(os.path.join(d, "b.alt.fr.txt"), " \n\t\n")
        write(os.path.join(d, "c.alt.txt"), "A cup of coffee")
        out = os.path.join(d, "out")
        r = lib.run("prep", "--json", "-o", out, a, b, c)
        lib.assert_eq(r.returncode, 1, "exit status")
        res = {os.path.basename(o["input"]): o
               for o in lib.json_lines(r.stdout)}
        assert "a.alt.txt" in res["a.jpg"]["error"] and \
            "UTF-8" in res["a.jpg"]["error"], res["a.jpg"]
        assert "b.alt.fr.txt" in res["b.jpg"]["error"] and \
            "blank" in res["b.jpg"]["error"], res["b.jpg"]
        assert res["c.jpg"]["error"] is None


def test_bad_alt_options_are_usage_errors():
    with lib.TempDir() as d:
        p = photo(d)
        out = os.path.join(d, "out")
        for args, said in ((["--alt", "   "], "blank"),
                           (["--alt", "a\x01b"], "U+0001"),
                           (["--alt-file", os.path.join(d, "none.txt")],
                            "none.txt"),
                           (["--alt", "x", "--alt-file", p], "--alt-file")):
            r = lib.run("prep", *args, "-o", out, p, check=2)
            assert said in r.stderr, (args, r.stderr)
        assert not os.path.exists(out)
        f = write(os.path.join(d, "alt.txt"), "A harbour at dawn\n")
        r = lib.run("prep", "--alt-file", f, "--json", "-o", out, p, check=0)
        lib.assert_eq(lib.json_lines(r.stdout)[0]["alt_text"],
                      "A harbour at dawn", "--alt-file")


def test_warnings_for_file_name_and_image_of():
    with lib.TempDir() as d:
        a = photo(d, "IMG_0042.jpg")
        b = photo(d, "b.jpg")
        write(os.path.join(d, "IMG_0042.alt.txt"), "img 0042.JPG")
        write(os.path.join(d, "b.alt.txt"), "Image of a lighthouse")
        out = os.path.join(d, "out")
        r = lib.run("prep", "-p", "x-landscape,bluesky", "--json", "-o", out,
                    a, b, check=0)
        res = {}
        for o in lib.json_lines(r.stdout):
            res.setdefault(os.path.basename(o["input"]), []).append(o)
        for o in res["IMG_0042.jpg"]:
            assert any("file name" in w for w in o["warnings"]), o
            assert o["output"], "a warning is not an error"
        for o in res["b.jpg"]:
            assert any('"Image of"' in w for w in o["warnings"]), o
        # on stderr once per photo, not once per preset
        lines = [l for l in r.stderr.splitlines() if "warning" in l]
        lib.assert_eq(len(lines), 2, "warning lines:\n" + r.stderr)
        assert "IMG_0042.jpg" in lines[0] + lines[1]
