"""attache prep --dry-run (issue 13, section 5): prints what would be
written, where and under which names (the real ones, -2 included), and
writes nothing: no output folder, no manifest. Real phone photos."""
import os
import shutil

import lib

NOKIA = "nokia-n70_iptc-city_thumb.jpg"
PORTRAIT = "portrait_o8_no-make.jpg"


def inbox(d):
    """Two photos called IMG_1 in two folders, and a file that is no
    photo: the names collide, and one photo would fail."""
    lib.phone_photos()
    src = os.path.join(d, "in")
    for sub, name in (("a", NOKIA), ("b", PORTRAIT)):
        os.makedirs(os.path.join(src, sub))
        shutil.copy(os.path.join(lib.PHONE, name),
                    os.path.join(src, sub, "IMG_1.jpg"))
    with open(os.path.join(src, "notes.jpg"), "w") as f:
        f.write("not a photo")
    return src


def listing(top):
    out = []
    for root, dirs, files in os.walk(top):
        out += [os.path.relpath(os.path.join(root, f), top) for f in files]
    return sorted(out)


def test_dry_run_names_what_the_run_writes_and_writes_nothing():
    with lib.TempDir() as d:
        src = inbox(d)
        out = os.path.join(d, "out")
        before = listing(d)
        args = ["prep", "-p", "x-square,instagram-portrait", "-o", out, src]
        dry = lib.run(*(args[:1] + ["--dry-run", "--json"] + args[1:]))
        lib.assert_eq(dry.returncode, 1, dry.stderr)  # notes.jpg would fail
        assert not os.path.exists(out), "no output folder"
        lib.assert_eq(listing(d), before, "nothing written anywhere")
        planned = lib.json_lines(dry.stdout)
        assert all(p["dry_run"] for p in planned)
        would = sorted(p["output"] for p in planned if p["error"] is None)
        lib.assert_eq(len(would), 4, would)
        assert any(p["output"] is None and "notes.jpg" in p["error"]
                   for p in planned), planned
        assert "notes.jpg: not a photo" in dry.stderr, dry.stderr

        real = lib.run(*(args[:1] + ["--json"] + args[1:]))
        lib.assert_eq(real.returncode, 1, real.stderr)
        wrote = sorted(o["output"] for o in lib.json_lines(real.stdout)
                       if o["error"] is None)
        lib.assert_eq(would, wrote, "the dry run's names are the run's")
        assert any(w.endswith("IMG_1-2.x-square.jpg") for w in wrote), wrote
        for w in wrote:
            assert os.path.isfile(w), w


def test_dry_run_in_words_says_where_and_what_it_replaces():
    with lib.TempDir() as d:
        src = inbox(d)
        os.unlink(os.path.join(src, "notes.jpg"))
        out = os.path.join(d, "out")
        lib.run("prep", "-p", "x-square", "-o", out,
                os.path.join(src, "a"), check=0)
        manifest = os.path.join(out, "attache-manifest.jsonl")
        with open(manifest, "rb") as f:
            lines = f.read()
        r = lib.run("prep", "-n", "-p", "x-square", "-o", out, src, check=0)
        a = os.path.join(out, "IMG_1.x-square.jpg")
        b = os.path.join(out, "IMG_1-2.x-square.jpg")
        assert "would write %s (x-square, jpeg): replaces the file there" % a \
            in r.stdout, r.stdout
        assert "would write %s (x-square, jpeg)\n" % b in r.stdout, r.stdout
        assert "dry run: 2 photos, 2 outputs would be written in %s/; " \
            "nothing was written" % out in r.stderr, r.stderr
        assert not os.path.exists(b)
        with open(manifest, "rb") as f:
            lib.assert_eq(f.read(), lines, "manifest untouched")


def test_dry_run_still_checks_alt_text():
    with lib.TempDir() as d:
        src = inbox(d)
        os.unlink(os.path.join(src, "notes.jpg"))
        r = lib.run("prep", "--dry-run", "--require-alt", "-o",
                    os.path.join(d, "out"), src)
        lib.assert_eq(r.returncode, 1, r.stderr)
        assert "no alt text, and --require-alt is given" in r.stderr, r.stderr
        assert not os.path.exists(os.path.join(d, "out"))
