"""File names from whoever fills an inbox (issue 11, points 8, 14, 16):
terminal escapes, forged lines and bidi overrides never reach a terminal
or a log raw; names that are not UTF-8 stay valid JSON; long names still
give outputs. Output is read as bytes and judged with Python's json."""
import base64
import json
import os
import shutil
import subprocess

import lib
from lib import assert_eq

ESC = "evil\x1b[2J\x1b]0;pwned\x07"
FORGED = "forged\nattache: every photo approved by bob"
BIDI = "photo\u202egpj.exe"
RAW = [b"\x1b", b"\x07", "\u202e".encode(), b"\r"]


def photo():
    try:
        return [p for p in lib.phone_photos() if p.endswith(".jpg")][0]
    except lib.Skip:
        return [p for p in lib.sample_photos() if p.endswith(".jpg")][0]


def run_bytes(*args):
    """build/attache ARGS (str or bytes), output as bytes."""
    return subprocess.run([lib.ATTACHE] + list(args), capture_output=True,
                          env=lib.env(), cwd=lib.ROOT, timeout=300)


def assert_no_raw(data, what):
    for r in RAW:
        assert r not in data, (what, r, data[:2000])


def test_escapes_and_forged_lines_never_reach_the_terminal():
    with lib.TempDir() as d:
        with open(photo(), "rb") as f:
            good = f.read()
        for stem in (ESC, FORGED, BIDI):
            with open(os.path.join(d, stem + ".jpg"), "wb") as f:
                f.write(good[:3000])  # damaged: an error names the file
        shutil.copy(photo(), os.path.join(d, BIDI + "-ok.jpg"))
        out = os.path.join(d, "out")
        p = run_bytes("prep", "--json", "-p", "x-landscape", "-o", out,
                      "--alt", "Volunteers unload rice", d)
        assert_eq(p.returncode, 1, p.stderr)
        assert_no_raw(p.stderr, "stderr")
        assert_no_raw(p.stdout, "stdout")
        err = p.stderr.decode()
        # one line per failed photo, each naming it (escaped, visibly)
        assert_eq(len([l for l in err.splitlines() if "damaged" in l or
                       "truncated" in l or "not" in l]) >= 3, True, err)
        assert not any(l.startswith("attache: every photo") for l in
                       err.splitlines()), err
        assert "evil\\u001b[2J" in err, err
        assert "forged\\u000aattache: every photo" in err, err
        assert "photo\\u202egpj.exe" in err, err
        # the JSON lines still say the real names
        rows = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
        names = {os.path.basename(r["input"]) for r in rows}
        assert_eq(names, {ESC + ".jpg", FORGED + ".jpg", BIDI + ".jpg",
                          BIDI + "-ok.jpg"}, "inputs")
        # and so does the manifest, with nothing raw in it
        with open(os.path.join(out, "attache-manifest.jsonl"), "rb") as f:
            man = f.read()
        assert_no_raw(man, "manifest")
        lines = [json.loads(l) for l in man.splitlines() if l.strip()]
        (line,) = [l for l in lines if l.get("kind") == "output"]
        assert_eq(os.path.basename(line["input"]), BIDI + "-ok.jpg", "input")
        # the photos that failed are recorded as failures, by their names
        failed = {os.path.basename(l["input"]) for l in lines
                  if l.get("kind") == "failure"}
        assert_eq(failed, {ESC + ".jpg", FORGED + ".jpg", BIDI + ".jpg"},
                  "failure lines")


def test_watch_log_is_escaped():
    with lib.TempDir() as d:
        inbox = os.path.join(d, "inbox")
        os.makedirs(inbox)
        with open(photo(), "rb") as f:
            good = f.read()
        with open(os.path.join(inbox, ESC + ".jpg"), "wb") as f:
            f.write(good[:3000])
        p = run_bytes("watch", inbox, "--once", "-p", "x-landscape",
                      "--settle", "0.2", "--json")
        assert_eq(p.returncode, 1, p.stderr)
        assert_no_raw(p.stderr, "stderr")
        assert_no_raw(p.stdout, "stdout")
        with open(os.path.join(inbox, "attache.log"), "rb") as f:
            log = f.read()
        assert_no_raw(log, "attache.log")
        rows = [json.loads(l) for l in log.splitlines() if l.strip()]
        assert any(r.get("photo") == ESC + ".jpg" for r in rows), rows
        errf = os.path.join(inbox, "failed", ESC + ".jpg.error.txt")
        with open(errf, "rb") as f:
            text = f.read()
        assert_no_raw(text, "error file")
        assert b"evil\\u001b[2J" in text, text


RAW_NAME = b"caf\xe9 \xff\xfeplan"  # Latin-1 é, then bytes no UTF-8 has


def test_names_that_are_not_utf8_stay_valid_json():
    with lib.TempDir() as d:
        db = d.encode()
        src = os.path.join(db, RAW_NAME + b".jpg")
        shutil.copy(photo(), src)
        shutil.copy(photo(), os.path.join(d, "plain.jpg"))
        out = os.path.join(d, "out")
        p = run_bytes("prep", "--json", "-p", "x-landscape", "-o", out,
                      "--alt", "Volunteers unload rice", db)
        assert_eq(p.returncode, 0, p.stderr)
        rows = {os.path.basename(r["input"]): r
                for r in map(json.loads, p.stdout.splitlines())}
        shown = "caf\ufffd \ufffd\ufffdplan.jpg"
        assert_eq(sorted(rows), sorted([shown, "plain.jpg"]), "inputs")
        r = rows[shown]
        assert_eq(base64.b64decode(r["input_bytes"]), src, "input_bytes")
        assert "input_bytes" not in rows["plain.jpg"], rows["plain.jpg"]
        # the output's name: each invalid byte as %XX
        assert_eq(os.path.basename(r["output"]),
                  "caf%E9 %FF%FEplan.x-landscape.jpg", "output name")
        assert os.path.isfile(r["output"])
        # the manifest is JSON line by line, and the gate reads it
        with open(os.path.join(out, "attache-manifest.jsonl"), "rb") as f:
            man = [json.loads(l) for l in f.read().splitlines() if l.strip()]
        assert_eq(sorted(base64.b64decode(m["input_bytes"]) for m in man
                         if "input_bytes" in m), [src], "manifest")
        p = lib.run("approve", out, "--by", "bob", check=0)
        p = lib.run("review", out, check=0)
        # a result line naming a file that is not UTF-8 is still JSON
        p = run_bytes("approve", out, "--by", "carol", "--json",
                      os.path.join(out.encode(), b"nope\xe9.jpg"))
        assert_eq(p.returncode, 1, p.stderr)
        (bad,) = [json.loads(l) for l in p.stdout.splitlines()
                  if "file" in json.loads(l)]
        assert bad["file"].endswith("nope\ufffd.jpg"), bad
        assert b"nope\\xe9.jpg" in p.stderr, p.stderr

        # the hot folder: attache.log and --json, photo_bytes
        inbox = os.path.join(db, b"inbox")
        os.makedirs(inbox)
        shutil.copy(photo(), os.path.join(inbox, RAW_NAME + b".jpg"))
        p = run_bytes("watch", inbox, "--once", "-p", "x-landscape",
                      "--settle", "0.2", "--json")
        assert_eq(p.returncode, 0, p.stderr)
        for l in p.stdout.splitlines():
            json.loads(l)
        with open(os.path.join(inbox, b"attache.log"), "rb") as f:
            log = [json.loads(l) for l in f.read().splitlines() if l.strip()]
        (done,) = [l for l in log if l["event"] == "done"]
        assert_eq(done["photo"], shown, "photo")
        assert_eq(base64.b64decode(done["photo_bytes"]), RAW_NAME + b".jpg",
                  "photo_bytes")
        assert os.path.isdir(os.path.join(inbox, b"out",
                                          b"caf%E9 %FF%FEplan")), \
            os.listdir(os.path.join(inbox, b"out"))


def test_long_names_shortened_unique_and_readable():
    with lib.TempDir() as d:
        words = "Volunteers unloading rice at the warehouse in the rain "
        a = (words * 5)[:240] + "-first"      # 246 bytes + .jpg = 250
        b = (words * 5)[:240] + "-other"
        c = "\u00e9" * 123                     # 246 bytes of UTF-8
        for stem in (a, b, c):
            assert_eq(len((stem + ".jpg").encode()), 250, "name length")
            shutil.copy(photo(), os.path.join(d, stem + ".jpg"))
        out = os.path.join(d, "out")
        p = lib.run("prep", "--json", "-p", "x-landscape,bluesky", "-o", out,
                    "--alt", "Volunteers unload rice", d)
        assert_eq(p.returncode, 0, p.stderr)
        rows = lib.json_lines(p.stdout)
        assert_eq(len(rows), 6, "outputs")
        names = [os.path.basename(r["output"]) for r in rows]
        assert_eq(len(set(names)), 6, "unique")
        for n in names:
            # room left for the temporary file's ".NAME.XXXXXX.tmp",
            # a ".LANG" part and a -N suffix
            assert len(n.encode()) + 12 + 13 + 6 <= 255, (len(n.encode()), n)
            assert os.path.isfile(os.path.join(out, n))
        # readable: the start of the photo's name, whole characters
        for r in rows:
            base = os.path.basename(r["input"])[:-4]
            n = os.path.basename(r["output"])
            cut = base.encode()[:140].decode(errors="ignore")
            assert n.startswith(cut), (base, n)
            assert "~" in n, n
        # the hot folder, and its failed/NAME.error.txt
        inbox = os.path.join(d, "inbox")
        os.makedirs(inbox)
        shutil.copy(photo(), os.path.join(inbox, a + ".jpg"))
        p = lib.run("watch", inbox, "--once", "-p", "x-landscape",
                    "--settle", "0.2")
        assert_eq(p.returncode, 0, p.stderr)
        assert os.listdir(os.path.join(inbox, "done")) == [a + ".jpg"]
        # a damaged photo of that name: failed/, with its error file
        with open(photo(), "rb") as f:
            head = f.read(3000)
        with open(os.path.join(inbox, b + ".jpg"), "wb") as f:
            f.write(head)
        p = lib.run("watch", inbox, "--once", "-p", "x-landscape",
                    "--settle", "0.2")
        assert_eq(p.returncode, 1, p.stderr)
        failed = os.listdir(os.path.join(inbox, "failed"))
        assert_eq(len(failed), 2, failed)
        (err,) = [f for f in failed if f.endswith(".error.txt")]
        assert err.startswith(b[:100]), err
        with open(os.path.join(inbox, "failed", err)) as f:
            assert "could not prepare" in f.read()
