"""The output folder's attache-manifest.jsonl and approvals files as
attache writes them (issue 11, points 7 and 9): a line goes in whole or not
at all, a failure to record is an error, a missing final newline is added
first, and no file attache writes or locks there is reached through a
symbolic link. Lines are read back with Python's json module."""
import json
import os
import resource
import shutil
import signal
import subprocess

import lib
from lib import assert_eq

MANIFEST = "attache-manifest.jsonl"


def photo():
    try:
        return [p for p in lib.phone_photos() if p.endswith(".jpg")][0]
    except lib.Skip:
        return [p for p in lib.sample_photos() if p.endswith(".jpg")][0]


def prep(d, out, name="field", by="alice", fsize=None, check=None):
    """attache prep of one photo for x-landscape into @out; @fsize: a
    RLIMIT_FSIZE for the process (a disk that fills up at that size)."""
    src = os.path.join(d, name + ".jpg")
    if not os.path.exists(src):
        shutil.copy(photo(), src)

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    p = subprocess.run([lib.ATTACHE, "prep", "--json", "-p", "x-landscape",
                        "-o", out, "--alt", "Volunteers unload rice",
                        "--by", by, src], capture_output=True, text=True,
                       env=lib.env(), cwd=lib.ROOT, timeout=300,
                       preexec_fn=limit if fsize else None)
    if check is not None:
        assert_eq(p.returncode, check, p.stderr)
    return p


def lines(path):
    with open(path, "rb") as f:
        return [json.loads(l) for l in f.read().split(b"\n") if l.strip()]


def test_full_disk_leaves_no_partial_line_and_fails():
    with lib.TempDir() as d:
        out = os.path.join(d, "out")
        prep(d, out, name="first", check=0)
        path = os.path.join(out, MANIFEST)
        # the disk is full 200 bytes past the manifest's end: the photo
        # fits, its line (about 1 kB) does not
        pad = 2 * 1024 * 1024
        with open(path, "ab") as f:
            f.write(b"\n" * pad)
        before = open(path, "rb").read()
        p = prep(d, out, name="second", fsize=len(before) + 200)
        assert_eq(p.returncode, 1, p.stderr)
        assert path in p.stderr and "cannot add a line" in p.stderr, p.stderr
        (res,) = lib.json_lines(p.stdout)
        assert res["error"] and res["output"] is None, res
        assert_eq(open(path, "rb").read(), before, "manifest unchanged")
        assert not [f for f in os.listdir(out) if f.startswith("second")], \
            "an output nobody recorded"
        # space again: the next line is whole, and every line is JSON
        prep(d, out, name="second", check=0)
        got = lines(path)
        assert_eq([os.path.basename(l["output"]) for l in got],
                  ["first.x-landscape.jpg", "second.x-landscape.jpg"], "lines")
        p = lib.run("approve", out, "--by", "bob", check=0)
        assert "approved by bob" in p.stdout, p.stdout


def test_manifest_that_cannot_be_written_is_an_error():
    with lib.TempDir() as d:
        out = os.path.join(d, "out")
        os.makedirs(os.path.join(out, MANIFEST))  # a folder in its place
        p = prep(d, out)
        assert_eq(p.returncode, 1, p.stderr)
        assert os.path.join(out, MANIFEST) in p.stderr, p.stderr
        assert_eq(os.listdir(out), [MANIFEST], "no unrecorded output")


def test_append_adds_a_missing_final_newline():
    with lib.TempDir() as d:
        out = os.path.join(d, "out")
        prep(d, out, name="first", check=0)
        path = os.path.join(out, MANIFEST)
        with open(path, "rb") as f:
            good = f.read()
        # a line cut short by an older writer, without its newline
        with open(path, "ab") as f:
            f.write(b'{"input":"x.jpg","output":"out/x.jpg","prepared_by":"ev')
        prep(d, out, name="second", check=0)
        with open(path, "rb") as f:
            text = f.read()
        assert text.endswith(b"\n"), text[-40:]
        rows = text.split(b"\n")
        assert_eq(rows[0] + b"\n", good, "first line kept")
        assert rows[1].endswith(b'"prepared_by":"ev'), rows[1]
        last = json.loads(rows[2])
        assert_eq(os.path.basename(last["output"]), "second.x-landscape.jpg",
                  "the new line is whole, on its own")
        # the damage is reported; the intact outputs are approved
        p = lib.run("approve", out, "--by", "bob")
        assert_eq(p.returncode, 1, p.stderr)
        assert "line 2 is damaged" in p.stderr, p.stderr
        assert "second.x-landscape.jpg: approved by bob" in p.stdout, p.stdout
        assert "first.x-landscape.jpg: approved by bob" in p.stdout, p.stdout


def test_symlinked_manifest_and_lock_are_refused():
    with lib.TempDir() as d:
        out = os.path.join(d, "out")
        os.makedirs(out)
        victim = os.path.join(d, "victimrc")
        with open(victim, "w") as f:
            f.write("export PS1='$ '\n")
        os.symlink(victim, os.path.join(out, MANIFEST))
        p = prep(d, out)
        assert_eq(p.returncode, 1, p.stderr)
        assert "symbolic link" in p.stderr, p.stderr
        assert_eq(open(victim).read(), "export PS1='$ '\n", "victim")
        # review and approve do not read through it either
        p = lib.run("review", out)
        assert p.returncode != 0 and "symbolic link" in p.stderr, p.stderr
        os.unlink(os.path.join(out, MANIFEST))

        prep(d, out, check=0)
        target = os.path.join(d, "created-by-lock")
        lock = os.path.join(out, ".approvals.json.lock")
        os.symlink(target, lock)
        p = lib.run("approve", out, "--by", "bob")
        assert_eq(p.returncode, 1, p.stderr)
        assert lock in p.stderr and "symbolic link" in p.stderr, p.stderr
        assert not os.path.lexists(target), "the link's target was created"
        assert not os.path.exists(os.path.join(out, "approvals.json"))
        os.unlink(lock)

        # approvals.json as a link is damaged, never followed or approved
        elsewhere = os.path.join(d, "approvals.json")
        with open(elsewhere, "w") as f:
            f.write('{"attache_approvals":1,"approvals":[]}')
        os.symlink(elsewhere, os.path.join(out, "approvals.json"))
        p = lib.run("approve", out, "--by", "bob")
        assert_eq(p.returncode, 1, p.stderr)
        assert "symbolic link" in p.stderr, p.stderr
        assert_eq(open(elsewhere).read(),
                  '{"attache_approvals":1,"approvals":[]}', "left alone")


def test_hot_folder_never_appends_through_a_link():
    """The hot folder's manifest in OUTDIR and its attache.log in the inbox
    are appended to with no link followed: their targets stay as they
    were, and the photo waits in the inbox (disk trouble), not done."""
    with lib.TempDir() as d:
        inbox = os.path.join(d, "inbox")
        os.makedirs(os.path.join(inbox, "out"))
        victims = {}
        for link in (os.path.join(inbox, "out", MANIFEST),
                     os.path.join(inbox, "attache.log")):
            v = os.path.join(d, "victim-" + os.path.basename(link))
            with open(v, "w") as f:
                f.write("export PS1='$ '\n")
            os.symlink(v, link)
            victims[v] = "export PS1='$ '\n"
        shutil.copy(photo(), os.path.join(inbox, "p.jpg"))
        p = lib.run("watch", inbox, "--once", "-p", "x-landscape",
                    "--settle", "0.2")
        assert p.returncode != 0, p.stderr
        assert "symbolic link" in p.stderr, p.stderr
        for v, text in victims.items():
            assert_eq(open(v).read(), text, v)
        assert os.path.exists(os.path.join(inbox, "p.jpg")), "not kept"
