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
        (line,) = [json.loads(l) for l in man.splitlines() if l.strip()]
        assert_eq(os.path.basename(line["input"]), BIDI + "-ok.jpg", "input")


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
