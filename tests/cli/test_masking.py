"""Masking that cannot be undone (issue 14, "Masking", "Regions by hand"):
boxes given by hand (--mask, `mask =` in the photo's own file) and faces
under --protect are filled solid in every output, before any crop; the
protection only ever adds, whichever of the command line, attache.ini,
the campaign and the photo's file turns it on. Real phone photos; the
pixels are judged by OpenCV (tests/cv_oracle.py, /usr/bin/python3), not
by attache's own code."""
import json
import os
import shutil
import subprocess

import lib

O6 = "samsung-galaxy-s_o6_gps-zero_thumb.jpg"  # orientation 6: upright portrait
BACK = "portrait_o8_no-make.jpg"                 # a child seen from behind
NOKIA = "nokia-n70_iptc-city_thumb.jpg"          # 640x480, orientation 1
ORACLE = os.path.join(lib.ROOT, "tests", "cv_oracle.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, which has python3-opencv


def oracle(*args):
    out = subprocess.run([SYSTEM_PYTHON, ORACLE] + [str(a) for a in args],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def stats(path, x, y, w, h, inset=2):
    """Grey mean and std dev of a box, @inset px in from each side (JPEG's
    8x8 blocks ring at a hard edge)."""
    return oracle("stats", path, int(x) + inset, int(y) + inset,
                  max(1, int(w) - 2 * inset), max(1, int(h) - 2 * inset))


def phone(d, name, as_name=None):
    lib.phone_photos()
    return shutil.copy(os.path.join(lib.PHONE, name),
                       os.path.join(d, as_name or name))


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def box_preset(d):
    """The whole upright photo in a 600x600 box: a fraction of the photo
    is the same fraction of the output."""
    pdir = os.path.join(d, "presets")
    os.makedirs(pdir, exist_ok=True)
    write(os.path.join(pdir, "box.ini"),
          "[preset]\ndescription=test box\nplatform=test\n\n[fit]\n"
          "width=600\nheight=600\nmode=inside\n\n[encode]\nformat=jpeg\n"
          "max-bytes=2MB\n")
    return pdir


def prep(*args, code=0):
    r = lib.run("prep", "--json", *args)
    lib.assert_eq(r.returncode, code, r.stdout[-2000:] + r.stderr)
    return lib.json_lines(r.stdout), r


def protected(o):
    """Faces protection was on for this output: every face found is
    masked, and a photo with none is flagged for the reviewer."""
    faces = o.get("faces") or []
    if not faces:
        return "no-face-found" in o["flags"]
    return all(f["masked"] for f in faces)


def test_hand_boxes_are_filled_solid_in_every_preset_before_the_crop():
    with lib.TempDir() as d:
        src = phone(d, O6)
        box = (0.25, 0.40, 0.50, 0.25)  # upright fractions, mid-photo
        presets = "x-landscape,instagram-portrait,x-square,linkedin"
        plain, _ = prep("-o", os.path.join(d, "plain"), "-p", presets, src)
        masked, _ = prep("-o", os.path.join(d, "masked"), "-p", presets,
                         "--mask", ",".join(map(str, box)), src)
        lib.assert_eq(len(masked), 4, "outputs")
        plain = {o["preset"]: o for o in plain}
        shown = 0
        for o in masked:
            lib.assert_eq(len(o["regions"]), 1, o["preset"])
            r = o["regions"][0]
            assert r["masked"] is True, r
            lib.assert_eq([r["x"], r["y"], r["w"], r["h"]], list(box), "box")
            io = r["in_output"]
            if io is None:  # this crop left it out
                continue
            shown += 1
            inside = stats(o["output"], io["x"], io["y"], io["w"], io["h"])
            before = stats(plain[o["preset"]]["output"], io["x"], io["y"],
                           io["w"], io["h"])
            # solid: nothing of what was there is left
            assert inside["std"] < 1.5 and inside["mean"] < 4, (o["preset"], inside)
            assert before["std"] > 8, (o["preset"], before)
        assert shown >= 3, "the box shows in most crops"


def test_a_box_is_a_fraction_of_the_upright_photo():
    """Orientation 6 is turned before the mask: the box lands where the
    viewer sees it, found here from the fractions alone."""
    with lib.TempDir() as d:
        pdir = box_preset(d)
        src = phone(d, O6)
        res, _ = prep("--preset-dir", pdir, "-p", "box", "-o",
                      os.path.join(d, "out"), "--mask", "0.05,0.6,0.3,0.2", src)
        o = res[0]
        w, h = o["width"], o["height"]
        assert h > w, "upright portrait"
        inside = stats(o["output"], 0.05 * w, 0.6 * h, 0.3 * w, 0.2 * h)
        assert inside["std"] < 1.5 and inside["mean"] < 4, inside
        # the same box turned the other way (the photo as stored) is not
        outside = stats(o["output"], 0.6 * w, 0.05 * h, 0.2 * w, 0.3 * h)
        assert outside["std"] > 8, outside
        io = o["regions"][0]["in_output"]
        assert abs(io["x"] - 0.05 * w) <= 1 and abs(io["w"] - 0.3 * w) <= 1.5, io


def test_mask_in_the_photos_own_file_and_its_errors():
    with lib.TempDir() as d:
        pdir = box_preset(d)
        a = phone(d, NOKIA, "IMG_1.jpg")
        b = phone(d, NOKIA, "IMG_2.jpg")
        c = phone(d, NOKIA, "IMG_3.jpg")
        e = phone(d, NOKIA, "IMG_4.jpg")
        # two boxes on one line, spaces between them
        write(os.path.join(d, "IMG_1.attache.ini"),
              "# the sign and the boy\nmask = 0.1,0.1,0.2,0.2  0.6,0.5,0.3,0.4\n")
        write(os.path.join(d, "IMG_2.attache.ini"),
              "rotate = 0\nmask = 0.1,0.1,0.2\n")
        write(os.path.join(d, "IMG_3.attache.ini"),
              "mask = 0.1,0.1,0.2,0.2\nmask = 0.5,0.5,0.2,0.2\n")
        write(os.path.join(d, "IMG_4.attache.ini"),
              "[photo]\nmask = 1.2,0.1,0.2,0.2\n")
        res, r = prep("--preset-dir", pdir, "-p", "box", "-o",
                      os.path.join(d, "out"), a, b, c, e, code=1)
        res = {os.path.basename(o["input"]): o for o in res}
        o = res["IMG_1.jpg"]
        lib.assert_eq([(x["x"], x["y"], x["w"], x["h"]) for x in o["regions"]],
                      [(0.1, 0.1, 0.2, 0.2), (0.6, 0.5, 0.3, 0.4)], "boxes")
        w, h = o["width"], o["height"]
        for (x, y, bw, bh) in [(0.1, 0.1, 0.2, 0.2), (0.6, 0.5, 0.3, 0.4)]:
            s = stats(o["output"], x * w, y * h, bw * w, bh * h)
            assert s["std"] < 1.5 and s["mean"] < 4, s
        # each error names the file and the line, and fails that photo only
        err2 = res["IMG_2.jpg"]["error"]
        assert "IMG_2.attache.ini:2:" in err2 and "X,Y,W,H" in err2, err2
        err3 = res["IMG_3.jpg"]["error"]
        assert "IMG_3.attache.ini:2:" in err3 and "every box on its line" in err3, err3
        err4 = res["IMG_4.jpg"]["error"]
        assert "IMG_4.attache.ini:2:" in err4 and "not inside the photo" in err4, err4
        for n in ("IMG_2.jpg", "IMG_3.jpg", "IMG_4.jpg"):
            assert res[n]["output"] is None, n
            assert not os.path.exists(os.path.join(d, "out", n[:-4] + ".box.jpg")), n


def test_mask_flag_is_for_one_photo():
    with lib.TempDir() as d:
        a = phone(d, NOKIA, "a.jpg")
        b = phone(d, NOKIA, "b.jpg")
        for args in ([a, b], [d]):
            r = lib.run("prep", "-o", os.path.join(d, "out"), "--mask",
                        "0.1,0.1,0.2,0.2", *args)
            lib.assert_eq(r.returncode, 2, r.stderr)
            assert "--mask: for a single photo" in r.stderr, r.stderr
            assert "mask = X,Y,W,H" in r.stderr, r.stderr
        for bad in ("0.1,0.1,0.2", "0.1,0.1,0,0.2", "a,b,c,d", " "):
            r = lib.run("prep", "-o", os.path.join(d, "out"), "--mask", bad, a)
            lib.assert_eq(r.returncode, 2, bad + ": " + r.stderr)
            assert "--mask" in r.stderr, r.stderr
        assert not os.path.exists(os.path.join(d, "out"))


# ---- protection only adds -------------------------------------------

def campaign(d, protect):
    return write(os.path.join(d, "c-%s.ini" % protect.replace(",", "-")),
                 "[campaign]\nname = field\nprotect = %s\n" % protect)


def prep_with(d, tag, cli=None, camp=None, own=None):
    """One photo of the child seen from behind, with faces or text
    protection from the command line, a campaign and its own file."""
    sub = os.path.join(d, tag)
    os.makedirs(sub)
    src = phone(sub, BACK, "IMG_1.jpg")
    if own:
        write(os.path.join(sub, "IMG_1.attache.ini"), "protect = %s\n" % own)
    args = ["-p", "x-square", "-o", os.path.join(sub, "out")]
    if cli:
        args += ["--protect", cli]
    if camp:
        args += ["-c", campaign(sub, camp)]
    res, _ = prep(*(args + [src]))
    return res[0]


def test_protection_only_adds_from_every_pair_of_sources():
    """Each source turns faces protection on; the other, saying only
    `text` (the one other value there is), does not turn it off."""
    sources = ("cli", "camp", "own")
    with lib.TempDir() as d:
        off = prep_with(d, "none")
        assert not protected(off) and "faces" in off, off
        for on in sources:
            o = prep_with(d, on, **{on: "faces"})
            assert protected(o), (on, o["flags"])
            for other in sources:
                if other == on:
                    continue
                o = prep_with(d, on + "-" + other, **{on: "faces", other: "text"})
                assert protected(o), (on, other, o["flags"])
        # text alone protects no face
        o = prep_with(d, "text", cli="text")
        assert "no-face-found" not in o["flags"], o["flags"]


def test_protection_cannot_be_written_off():
    with lib.TempDir() as d:
        src = phone(d, BACK, "IMG_1.jpg")
        for value in ("", "none", "no", "faces,none"):
            r = lib.run("prep", "-p", "x-square", "-o", os.path.join(d, "out"),
                        "--protect", value, src)
            lib.assert_eq(r.returncode, 2, repr(value) + r.stderr)
            assert "--protect" in r.stderr and "faces, text" in r.stderr, r.stderr
        # in the photo's own file: the photo fails, it is not made bare
        write(os.path.join(d, "IMG_1.attache.ini"), "protect = none\n")
        res, _ = prep("-p", "x-square", "-o", os.path.join(d, "out"),
                      "--protect", "faces", src, code=1)
        assert "IMG_1.attache.ini:1:" in res[0]["error"], res[0]
        assert res[0]["output"] is None
        # in a campaign: refused before any photo
        c = write(os.path.join(d, "c.ini"), "[campaign]\nprotect = off\n")
        r = lib.run("prep", "-p", "x-square", "-o", os.path.join(d, "out2"),
                    "-c", c, src)
        lib.assert_eq(r.returncode, 2, r.stderr)
        assert "protect" in r.stderr and "c.ini" in r.stderr, r.stderr


def test_protection_in_the_hot_folder_only_adds():
    """attache.ini turns it on and neither the command line nor the
    photo's file turns it off; the command line turns it on and
    attache.ini's `protect = text` does not turn it off."""
    with lib.TempDir() as d:
        for tag, ini, flags, own in (("ini", "faces", [], "text"),
                                     ("flag", "text", ["--protect", "faces"], None),
                                     ("camp", None, [], "text")):
            inbox = os.path.join(d, tag)
            os.makedirs(inbox)
            lines = ["[attache]", "presets = x-square"]
            if ini:
                lines.append("protect = %s" % ini)
            if tag == "camp":
                campaign(inbox, "faces")
                lines.append("campaign = c-faces.ini")
            write(os.path.join(inbox, "attache.ini"), "\n".join(lines) + "\n")
            src = os.path.join(lib.PHONE, BACK)
            shutil.copy(src, os.path.join(inbox, "IMG_1.jpg"))
            if own:
                write(os.path.join(inbox, "IMG_1.attache.ini"), "protect = %s\n" % own)
            p = lib.run("watch", inbox, "--once", "--settle", "0.2", *flags)
            lib.assert_eq(p.returncode, 0, tag + ": " + p.stderr)
            with open(os.path.join(inbox, "out", "attache-manifest.jsonl")) as f:
                outs = [json.loads(l) for l in f if '"output"' in l]
            outs = [o for o in outs if o.get("preset") == "x-square"]
            lib.assert_eq(len(outs), 1, tag)
            assert protected(outs[0]), (tag, outs[0]["flags"])
