"""A photo's own settings file, PHOTO.attache.ini (issue 13, section 5):
rotate, focus and alt text per language, beside the photo (or in the hot
folder's inbox), read beneath the photo's folder; an error in it fails
that photo only, naming the file and line. Real phone photos; exiftool
reads the alt text back, vipsheader the size."""
import os
import shutil

import lib

O8 = "portrait_o8_no-make.jpg"        # upright 1200x1800
NOKIA = "nokia-n70_iptc-city_thumb.jpg"  # 640x480, orientation 1


def phone(d, name, as_name):
    lib.phone_photos()
    return shutil.copy(os.path.join(lib.PHONE, name), os.path.join(d, as_name))


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def alt_tags(path):
    tags = lib.exiftool(path, "-XMP-iptcCore:all")
    return {k.split(":", 1)[1].replace("AltTextAccessibility", "") or "-":
            v for k, v in tags.items() if "AltTextAccessibility" in k}


def prep(d, *args, code=None):
    pdir = os.path.join(d, "presets")
    os.makedirs(pdir, exist_ok=True)
    with open(os.path.join(pdir, "box.ini"), "w") as f:
        f.write("[preset]\ndescription=test box\nplatform=test\n\n[fit]\n"
                "width=300\nheight=300\nmode=inside\n\n[encode]\n"
                "format=jpeg\nmax-bytes=2MB\n")
    r = lib.run("prep", "--preset-dir", pdir, "-p", "box", "--json", *args)
    if code is not None:
        lib.assert_eq(r.returncode, code, r.stderr)
    return {os.path.basename(o["input"]): o for o in lib.json_lines(r.stdout)}, r


def test_rotate_and_alt_per_language_from_the_photo_file():
    with lib.TempDir() as d:
        a = phone(d, O8, "IMG_1.jpg")
        b = phone(d, NOKIA, "IMG_2.jpg")
        # the short form: no group needed; [alt] for more languages
        write(os.path.join(d, "IMG_1.attache.ini"),
              "# the phone lay flat: turn it\n"
              "rotate = 90\n"
              "alt = A girl reads by a window\n"
              "alt.fr = Une fille lit près d'une fenêtre\n"
              "\n[alt]\nar = فتاة تقرأ بجانب نافذة\n")
        res, r = prep(d, "-o", os.path.join(d, "out"), "--alt",
                      "for every photo", a, b, code=0)
        o = res["IMG_1.jpg"]
        # upright 200x300 in the box, turned 90: 300x200
        h = lib.header(o["output"])
        lib.assert_eq((int(h["width"]), int(h["height"])), (300, 200), "size")
        lib.assert_eq(o["rotate"], 90, "rotate in --json")
        lib.assert_eq(alt_tags(o["output"]),
                      {"-": "A girl reads by a window",
                       "-ar": "فتاة تقرأ بجانب نافذة",
                       "-fr": "Une fille lit près d'une fenêtre"}, "exiftool")
        # the other photo has no file: --alt, not turned
        lib.assert_eq(res["IMG_2.jpg"]["alt"], {"x-default": "for every photo"},
                      "IMG_2")
        lib.assert_eq(res["IMG_2.jpg"]["rotate"], 0, "IMG_2 rotate")


def test_whole_name_wins_and_sidecars_win_over_the_settings_alt():
    with lib.TempDir() as d:
        a = phone(d, O8, "IMG_1.jpg")
        write(os.path.join(d, "IMG_1.attache.ini"), "rotate = 180\n")
        write(os.path.join(d, "IMG_1.jpg.attache.ini"),
              "[photo]\nrotate = 270\nalt.fr = Texte du fichier\n"
              "alt.es = Texto del archivo\n")
        write(os.path.join(d, "IMG_1.alt.fr.txt"), "Texte du sidecar\n")
        res, r = prep(d, "-o", os.path.join(d, "out"), "--rotate", "90", a,
                      code=0)
        o = res["IMG_1.jpg"]
        lib.assert_eq(o["rotate"], 270, "the whole name's file, over --rotate")
        lib.assert_eq(o["alt"]["fr"], "Texte du sidecar", "sidecar wins")
        lib.assert_eq(o["alt"]["es"], "Texto del archivo", "the file's es")


def test_focus_is_a_fraction_of_the_upright_turned_photo():
    with lib.TempDir() as d:
        a = phone(d, O8, "IMG_1.jpg")
        pdir = os.path.join(d, "presets")
        os.makedirs(pdir)
        with open(os.path.join(pdir, "sq.ini"), "w") as f:
            f.write("[preset]\ndescription=sq\nplatform=test\n\n[fit]\n"
                    "width=200\nheight=200\nmode=cover\ncrop=centre\n\n"
                    "[encode]\nformat=jpeg\nmax-bytes=2MB\n")
        # upright 1200x1800, turned 90: 1800x1200; the point near its right
        write(os.path.join(d, "IMG_1.attache.ini"),
              "rotate = 90\nfocus = 0.9,0.5\n")
        r = lib.run("prep", "--preset-dir", pdir, "-p", "sq", "--json", "-o",
                    os.path.join(d, "out"), a, check=0)
        (o,) = lib.json_lines(r.stdout)
        fx, fy = o["focus"]
        # a focus crop (not the preset's centre crop) moved right: the point
        # sits right of the middle, at 0.9 * 1800 - (1800 - 1200) = 1020 of
        # 1200
        assert abs(fx - 0.85) < 0.02 and abs(fy - 0.5) < 0.02, o["focus"]


def test_an_error_fails_that_photo_only_naming_file_and_line():
    cases = [
        ("rotate = 45\n", ':1: rotate: "45": expected 0, 90, 180 or 270'),
        ("[photo]\nalt = fine\nthis line is junk\n",
         ":3: not a key = value line"),
        ("[photo]\n\ncolour = red\n", ':3: "colour" is not a setting of a '
         "photo"),
        ("alt.english! = x\n", ':1: "english!" is not a language tag'),
        ("[alt]\nfr =    \n", ":2: alt text is blank"),
        ("[masks]\nx = 1\n", ":1: unknown group [masks]"),
        ("focus = 2,2\n", ":1: focus:"),
        (b"alt = caf\xe9\n", ":1: not valid UTF-8"),
    ]
    with lib.TempDir() as d:
        a = phone(d, O8, "IMG_1.jpg")
        b = phone(d, NOKIA, "IMG_2.jpg")
        ini = os.path.join(d, "IMG_1.jpg.attache.ini")
        for i, (text, where) in enumerate(cases):
            with open(ini, "wb") as f:
                f.write(text if isinstance(text, bytes) else text.encode())
            res, r = prep(d, "-o", os.path.join(d, "out%d" % i), a, b, code=1)
            assert ini + where in r.stderr, (text, r.stderr)
            assert res["IMG_1.jpg"]["output"] is None, text
            assert res["IMG_2.jpg"]["error"] is None, text
            assert os.path.isfile(res["IMG_2.jpg"]["output"])


def test_read_beneath_the_folder_bounded_no_links():
    with lib.TempDir() as d:
        a = phone(d, O8, "IMG_1.jpg")
        secret = write(os.path.join(d, "secret.ini"), "rotate = 90\n")
        ini = os.path.join(d, "IMG_1.attache.ini")
        os.symlink(secret, ini)
        res, r = prep(d, "-o", os.path.join(d, "o1"), a, code=1)
        assert ini in r.stderr and "symbolic link" in r.stderr, r.stderr
        os.unlink(ini)
        write(ini, "# padding\n" * 8000)  # 80 kB
        res, r = prep(d, "-o", os.path.join(d, "o2"), a, code=1)
        assert ini in r.stderr, r.stderr
        os.unlink(ini)
        os.mkfifo(ini)
        res, r = prep(d, "-o", os.path.join(d, "o3"), a, code=1)
        assert ini in r.stderr, r.stderr


def test_hot_folder_reads_it_in_the_inbox_and_leaves_it():
    with lib.TempDir() as d:
        inbox = os.path.join(d, "inbox")
        os.makedirs(inbox)
        write(os.path.join(inbox, "IMG_1.attache.ini"),
              "rotate = 90\nalt.fr = Une fille lit\n")
        phone(inbox, O8, "IMG_1.jpg")
        pdir = os.path.join(d, "presets")
        os.makedirs(pdir)
        with open(os.path.join(pdir, "box.ini"), "w") as f:
            f.write("[preset]\ndescription=box\nplatform=test\n\n[fit]\n"
                    "width=300\nheight=300\nmode=inside\n\n[encode]\n"
                    "format=jpeg\nmax-bytes=2MB\n")
        r = lib.run("watch", inbox, "--once", "--preset-dir", pdir, "-p",
                    "box", "--settle", "0.5")
        lib.assert_eq(r.returncode, 0, r.stderr)
        outs = [os.path.join(root, f)
                for root, _, files in os.walk(os.path.join(inbox, "out"))
                for f in files if f.endswith(".box.jpg")]
        lib.assert_eq(len(outs), 1, outs)
        h = lib.header(outs[0])
        lib.assert_eq((int(h["width"]), int(h["height"])), (300, 200), "size")
        lib.assert_eq(alt_tags(outs[0]).get("-fr"), "Une fille lit", "alt")
        # not taken for a photo, not moved to failed/
        assert os.path.isfile(os.path.join(inbox, "IMG_1.attache.ini"))
        assert not os.path.exists(os.path.join(inbox, "failed",
                                               "IMG_1.attache.ini"))
