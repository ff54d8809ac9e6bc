"""attache watch: the notes for people (docs/watch.md, "The error file",
"When attache.ini is wrong", "Keeping originals").

The notes' words come from data/messages.ini: read back here with Python's
configparser, each language's script checked with unicodedata, and the
notes the built attache writes compared with them."""
import configparser
import os
import re
import shutil
import time
import unicodedata

import lib
import test_watch as W

LANGS = ("en", "fr", "es", "ar", "zh", "ru")
SCRIPT = {"ar": "ARABIC", "zh": "CJK UNIFIED IDEOGRAPH", "ru": "CYRILLIC"}


def messages():
    c = configparser.ConfigParser(interpolation=None, delimiters=("=",),
                                  comment_prefixes=("#",))
    c.optionxform = str
    with open(os.path.join(lib.ROOT, "data", "messages.ini"), encoding="utf-8") as f:
        c.read_file(f)
    return c


def letters_of(text, script):
    return [ch for ch in text if unicodedata.name(ch, "").startswith(script)]


def test_messages_every_language_in_its_own_script():
    c = messages()
    assert len(c.sections()) >= 30, c.sections()
    problems = []
    for sid in c.sections():
        m = c[sid]
        missing = [l for l in LANGS if not m.get(l, "").strip()]
        if missing:
            problems.append("%s: no %s" % (sid, ",".join(missing)))
            continue
        extra = sorted(set(m) - set(LANGS))
        if extra:
            problems.append("%s: unknown keys %r" % (sid, extra))
        en = m["en"]
        holes = sorted(re.findall(r"\{[a-z]+\}", en))
        for l in LANGS[1:]:
            t = m[l]
            if t == en:
                problems.append("%s.%s is the English" % (sid, l))
            if sorted(re.findall(r"\{[a-z]+\}", t)) != holes:
                problems.append("%s.%s: placeholders %r, English has %r"
                                % (sid, l, re.findall(r"\{[a-z]+\}", t), holes))
            if l in SCRIPT:
                # the message's own words in its script, not Latin with a
                # few borrowed letters: more letters of the script than
                # Latin ones outside attache's names and the placeholders
                bare = re.sub(r"\{[a-z]+\}|attache(\.ini)?|[A-Za-z]+-[a-z]+|JPEG|HEIC|PNG|WebP|TIFF|failed",
                              "", t)
                own = letters_of(bare, SCRIPT[l])
                latin = [ch for ch in bare if ch.isascii() and ch.isalpha()]
                if len(own) < 2 or len(own) < len(latin):
                    problems.append("%s.%s not in its script: %r" % (sid, l, t))
    assert not problems, "\n".join(problems)
    # the code's ids (reason_id(), the notes' frames) are all there
    code = ""
    for f in ("watch-photo.c", "watch-notes.c"):
        with open(os.path.join(lib.ROOT, "src", "lib", "watch", f)) as fh:
            code += fh.read()
    used = set(re.findall(r'"((?:note|settings)\.[a-z.-]+)"', code))
    used |= {p + s for p in re.findall(r'"(photo\.[a-z]+)"', code)
             for s in (".what", ".todo")}
    assert len(used) > 25, used
    lib.assert_eq(sorted(used - set(c.sections())), [], "ids the code uses but messages.ini lacks")


def test_watch_failed_photo_note_in_the_folders_language():
    fx = W.fixtures()
    c = messages()
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        inbox = W.make_inbox(root)
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\npresets = tiny\nnotes-lang = fr\n")
        good = W.read([x for x in fx if x.endswith(".jpg")][0])
        with open(os.path.join(inbox, "coupee.jpg"), "wb") as f:
            f.write(good[:3000])
        with open(os.path.join(inbox, "liste.txt"), "wb") as f:
            f.write(b"courses\n")
        p = lib.run("watch", inbox, "--once", "--preset-dir", pdir, "--settle", "0.3")
        lib.assert_eq(p.returncode, 1, p.stderr)
        for name, kind in (("coupee.jpg", "photo.input"), ("liste.txt", "photo.unsupported")):
            with open(os.path.join(inbox, "failed", name + ".error.txt"), encoding="utf-8") as f:
                text = f.read()
            for want in (c[kind + ".what"]["fr"], c[kind + ".todo"]["fr"],
                         c["note.what"]["fr"], c["note.photo.retry"]["fr"],
                         c["note.photo.title"]["fr"].replace("{photo}", name)):
                assert want in text, "%r not in the note:\n%s" % (want, text)
            for english in ("What went wrong", "What to do", c[kind + ".what"]["en"]):
                assert english not in text, text
        # the log's reason stays English, for support and scripts
        reasons = {l["photo"]: l["reason"] for l in W.photo_lines(inbox)}
        lib.assert_eq(reasons["coupee.jpg"], c["photo.input.what"]["en"], "log reason")

        # a language attache has no notes in is refused as a broken setting
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\nnotes-lang = de\n")
        p = lib.run("watch", inbox, "--once", "--preset-dir", pdir)
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "notes-lang" in p.stderr and "ar, zh or ru" in p.stderr, p.stderr


def read_note(inbox):
    with open(os.path.join(inbox, "attache.ini.error.txt"), encoding="utf-8") as f:
        return f.read()


def test_watch_settings_note_names_the_line_and_goes_when_fixed():
    c = messages()
    fx = [f for f in W.fixtures() if f.endswith(".jpg")]
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        inbox = W.make_inbox(root)
        ini = os.path.join(inbox, "attache.ini")
        note = os.path.join(inbox, "attache.ini.error.txt")
        # whoever writes the inbox plants a link where the note goes: it is
        # replaced, never written through
        victim = os.path.join(root, "victim.txt")
        with open(victim, "w") as f:
            f.write("keep me")
        os.symlink(victim, note)

        def write_ini(text):
            tmp = os.path.join(inbox, ".attache.ini.new")
            with open(tmp, "w") as f:
                f.write(text)
            os.rename(tmp, ini)

        # at start: nothing runs, the note says which line and why, in the
        # file's own notes-lang
        write_ini("# team folder\n[attache]\nnotes-lang = es\npresets = tiny, no-such-preset\n")
        p = lib.run("watch", inbox, "--once", "--preset-dir", pdir)
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert not os.path.islink(note), "the note went through the planted link"
        with open(victim) as f:
            lib.assert_eq(f.read(), "keep me", "the link's target")
        text = read_note(inbox)
        for want in (c["note.settings.title"]["es"],
                     c["note.settings.line"]["es"].replace("{line}", "4"),
                     "presets = tiny, no-such-preset",
                     c["settings.value"]["es"].replace("{key}", "presets"),
                     c["note.settings.stopped"]["es"], "no-such-preset"):
            assert want in text, "%r not in the note:\n%s" % (want, text)

        # fixed: the watcher starts, and the note is gone
        write_ini("[attache]\npresets = tiny\n")
        w = W.Watcher(root, inbox, "--preset-dir", pdir, "--settle", "0.3")
        W.wait_for(lambda: not os.path.exists(note), 20, "the note removed at start")
        # edits are seen from the moment it watches (its start line)
        W.wait_for(lambda: any(l["event"] == "start" for l in W.log_lines(inbox)), 20, "start")
        time.sleep(0.5)

        # broken while running: an unknown key, then a line that is no
        # setting, then a section; the note follows each saved version
        cases = [
            ("[attache]\npresets = tiny\nalt-txt = A child at a well\n", 3,
             c["settings.unknown-key"]["en"].replace("{key}", "alt-txt")),
            ("[attache]\n\npresets = tiny\nthis line is no setting\n", 4,
             c["settings.syntax"]["en"]),
            ("[attache]\npresets = tiny\n[photos]\nalt = x\n", 3,
             c["settings.unknown-section"]["en"]),
        ]
        for text, line, what in cases:
            write_ini(text)
            want_line = text.split("\n")[line - 1]
            try:
                W.wait_for(lambda: os.path.exists(note) and want_line in read_note(inbox),
                           20, "the note for %r" % want_line)
            except AssertionError:
                w.stop()
                raise AssertionError("no note for %r:\n%s\n%s" % (
                    want_line, w.stderr()[-3000:],
                    read_note(inbox) if os.path.exists(note) else "(no note)"))
            got = read_note(inbox)
            assert c["note.settings.line"]["en"].replace("{line}", str(line)) in got, got
            assert what in got and c["note.settings.running"]["en"] in got, got
        # the last good settings still prepare photos meanwhile
        shutil.copy(fx[0], os.path.join(inbox, "a.jpg"))
        W.wait_for(lambda: any(l["photo"] == "a.jpg" for l in W.photo_lines(inbox)), 30, "a.jpg")
        write_ini("[attache]\npresets = tiny-wide\n")
        W.wait_for(lambda: not os.path.exists(note), 20, "the note removed when fixed")
        lib.assert_eq(w.stop(), 0, w.stderr())
        # the note is no photo: it never went to failed/
        lib.assert_eq(sorted(os.listdir(os.path.join(inbox, "failed"))), [], "failed/")


def test_watch_keep_originals_deletes_old_originals_in_done_only():
    fx = [f for f in W.fixtures() if f.endswith(".jpg")]
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        inbox = W.make_inbox(root)
        done = os.path.join(inbox, "done")
        os.makedirs(done)
        os.makedirs(os.path.join(inbox, "failed"))
        day = 86400
        now = time.time()

        def put(path, data, age_days):
            with open(path, "wb") as f:
                f.write(data)
            os.utime(path, (now - age_days * day, now - age_days * day))

        photo = W.read(fx[0])
        put(os.path.join(done, "old.jpg"), photo, 31)
        put(os.path.join(done, "recent.jpg"), photo, 29)
        put(os.path.join(inbox, "failed", "old-failed.jpg"), photo, 400)
        outside = os.path.join(root, "outside.jpg")
        put(outside, photo, 400)
        os.symlink(outside, os.path.join(done, "link.jpg"))
        os.utime(os.path.join(done, "link.jpg"), (now - 400 * day,) * 2,
                 follow_symlinks=False)
        os.makedirs(os.path.join(done, "folder"))
        put(os.path.join(done, "folder", "inside.jpg"), photo, 400)
        os.utime(os.path.join(done, "folder"), (now - 400 * day,) * 2)
        # a photo synced with the date it was taken a year ago: prepared
        # now, it is kept DAYS from now, not deleted at once
        put(os.path.join(inbox, "taken-last-year.jpg"), W.read(fx[1]), 365)

        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\npresets = tiny\nkeep-originals = 30\n")
        p = lib.run("watch", inbox, "--once", "--preset-dir", pdir, "--settle", "0.3")
        lib.assert_eq(p.returncode, 0, p.stderr)
        lib.assert_eq(sorted(os.listdir(done)),
                      ["folder", "link.jpg", "recent.jpg", "taken-last-year.jpg"], "done/")
        lib.assert_eq(W.sha(os.path.join(done, "taken-last-year.jpg")), W.sha(fx[1]),
                      "the original, unchanged")
        for kept in (outside, os.path.join(done, "folder", "inside.jpg"),
                     os.path.join(inbox, "failed", "old-failed.jpg")):
            assert os.path.exists(kept), kept
        expired = [l for l in W.log_lines(inbox) if l["event"] == "expired"]
        lib.assert_eq([os.path.basename(l["original"]) for l in expired], ["old.jpg"], "log")
        assert "old.jpg" in p.stderr, p.stderr

        # without the setting nothing goes, however old
        os.utime(os.path.join(done, "recent.jpg"), (now - 90 * day,) * 2)
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\npresets = tiny\n")
        p = lib.run("watch", inbox, "--once", "--preset-dir", pdir, "--settle", "0.3")
        lib.assert_eq(p.returncode, 0, p.stderr)
        assert os.path.exists(os.path.join(done, "recent.jpg"))
        # 0 would delete at once: refused
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\nkeep-originals = 0\n")
        p = lib.run("watch", inbox, "--once", "--preset-dir", pdir)
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "keep-originals" in p.stderr, p.stderr
        # docs/watch.md warns that done/ still holds the location
        with open(os.path.join(lib.ROOT, "docs", "watch.md")) as f:
            docs = f.read()
        section = docs.split("## Keeping originals", 1)[1].split("\n## ", 1)[0]
        assert "keep-originals = 30" in section and "GPS" in section, "docs/watch.md"


def test_watch_settings_note_in_poll_mode_without_a_photo():
    # --poll (network and synced folders): no event tells of the edit; the
    # note still comes at the next look, not only with the next photo
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        inbox = W.make_inbox(root)
        ini = os.path.join(inbox, "attache.ini")
        note = os.path.join(inbox, "attache.ini.error.txt")
        with open(ini, "w") as f:
            f.write("[attache]\npresets = tiny\n")
        w = W.Watcher(root, inbox, "--preset-dir", pdir, "--poll", "0.5")
        W.wait_for(lambda: any(l["event"] == "start" for l in W.log_lines(inbox)), 20, "start")
        with open(ini, "w") as f:
            f.write("[attache]\npresets = tiny\nrequire-alt = perhaps\n")
        W.wait_for(lambda: os.path.exists(note), 10, "the note")
        assert "require-alt = perhaps" in read_note(inbox), read_note(inbox)
        with open(ini, "w") as f:
            f.write("[attache]\npresets = tiny\nrequire-alt = true\n")
        W.wait_for(lambda: not os.path.exists(note), 10, "the note removed")
        lib.assert_eq(w.stop(), 0, w.stderr())
