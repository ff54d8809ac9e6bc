"""attache watch with `require-approval = true` and `upload =`
(docs/review.md, docs/watch.md): the outputs land, their upload waits until
a second person approves them with `attache approve OUT`, output by output,
then goes out; the photo moves to done/ once every upload is done. Against
the loopback fake platform (tests/server/fake_social.py)."""
import json
import os
import shutil

import lib
import uploadlib as U
from lib import assert_eq
from uploadlib import FakeSocial

PRESETS = {"tiny-x": ("x", 256, 144), "tiny-masto": ("mastodon", 240, 180)}
ALT = "Children queue for water at the camp"


def setup(root):
    pdir = lib.write_presets(os.path.join(root, "presets"), PRESETS)
    inbox = os.path.join(root, "inbox")
    os.makedirs(inbox)
    return pdir, inbox


def photo():
    try:
        return [p for p in lib.phone_photos() if p.endswith(".jpg")][0]
    except lib.Skip:
        return [p for p in lib.sample_photos() if p.endswith(".jpg")][0]


def log_lines(inbox):
    with open(os.path.join(inbox, "attache.log")) as f:
        return [json.loads(l) for l in f if l.strip()]


def run(srv, root, inbox, pdir):
    e = {k: None for k in U.UPLOAD_VARS}
    e.update(U.FAST)
    e["XDG_CONFIG_HOME"] = os.path.join(root, "config")
    e["XDG_CACHE_HOME"] = os.path.join(root, "cache")
    for t in ("x", "mastodon"):
        e.update(U.credentials(srv, t))
    p = lib.run("watch", inbox, "--once", "--preset-dir", pdir, "--settle",
                "0.2", **e)
    U.assert_no_secret(srv, p)
    # waiting for a person is not a failure: cron must not cry wolf
    assert_eq(p.returncode, 0, p.stderr)
    return p


def sent(srv):
    return len(srv.x_media) + len(srv.mastodon_media)


def test_watch_uploads_only_after_a_second_person_approves():
    with lib.TempDir() as root, FakeSocial() as srv:
        pdir, inbox = setup(root)
        src = photo()
        name = os.path.basename(src)
        shutil.copy(src, inbox)
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\npresets = tiny-x, tiny-masto\n"
                    "upload = x, mastodon\nrequire-approval = true\n"
                    "by = alice\nalt = %s\n" % ALT)
        out = os.path.join(inbox, "out")

        # prepared and landed, nothing sent, the photo waits in the inbox
        p = run(srv, root, inbox, pdir)
        assert_eq(sent(srv), 0, "sent before approval")
        assert os.path.exists(os.path.join(inbox, name)), "photo waits"
        assert_eq(os.listdir(os.path.join(inbox, "done")), [], "done/")
        assert_eq([l for l in log_lines(inbox)
                   if l["event"] in ("done", "failed")], [], "no done line")
        (wait,) = [l for l in log_lines(inbox)
                   if l["event"] == "awaiting-approval"]
        assert "nobody has approved it" in wait["error"], wait
        assert "waits for approval" in p.stderr, p.stderr
        folder = wait["folder"]
        outs = sorted(os.path.join(folder, f) for f in os.listdir(folder)
                      if f.endswith(".jpg"))
        assert_eq(len(outs), 2, "outputs landed")
        x_out = [o for o in outs if ".tiny-x." in o][0]
        m_out = [o for o in outs if ".tiny-masto." in o][0]

        # looked at again: same state, no second line
        run(srv, root, inbox, pdir)
        assert_eq(len([l for l in log_lines(inbox)
                       if l["event"] == "awaiting-approval"]), 1,
                  "one line per state")

        # the preparer approving does not count
        lib.run("approve", out, "--by", "Alice", check=0)
        run(srv, root, inbox, pdir)
        assert_eq(sent(srv), 0, "sent after self-approval")
        last = [l for l in log_lines(inbox)
                if l["event"] == "awaiting-approval"][-1]
        assert "approved only by Alice" in last["error"], last

        # a second person approves one output: that one goes, by name
        # alone (the hot folder keeps outputs in OUT/PHOTO/)
        lib.run("approve", out, "--by", "bob", os.path.basename(x_out),
                check=0)
        run(srv, root, inbox, pdir)
        assert_eq((len(srv.x_media), len(srv.mastodon_media)), (1, 0),
                  "X only")
        assert os.path.exists(os.path.join(inbox, name)), "still waits"
        # then the other: the photo is done, each sent once
        lib.run("approve", out, "--by", "bob", m_out, check=0)
        run(srv, root, inbox, pdir)
        assert_eq((len(srv.x_media), len(srv.mastodon_media)), (1, 1),
                  "both, once")
        assert_eq(os.listdir(os.path.join(inbox, "done")), [name], "done/")
        (done,) = [l for l in log_lines(inbox) if l["event"] == "done"]
        ups = {u["target"]: u for u in done["uploads"]}
        assert_eq(sorted(ups), ["mastodon", "x"], "uploads in the log")
        for u in ups.values():
            assert u["error"] is None and u["media_id"], u
        assert_eq(srv.x_media[ups["x"]["media_id"]]["sha256"],
                  U.sha256(x_out), "the approved bytes")

        # the review page reads the hot folder's layout
        p = lib.run("review", out, check=0)
        assert "2 outputs" in p.stdout and "2 approved" in p.stdout, p.stdout


def test_watch_changed_after_approval_waits_again():
    with lib.TempDir() as root, FakeSocial() as srv:
        pdir, inbox = setup(root)
        shutil.copy(photo(), inbox)
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\npresets = tiny-x\nupload = x\n"
                    "require-approval = true\nby = alice\n")
        out = os.path.join(inbox, "out")
        run(srv, root, inbox, pdir)
        # no alt text: a deliberate yes (docs/review.md)
        lib.run("approve", out, "--by", "bob", "--include-flagged", check=0)
        (wait,) = [l for l in log_lines(inbox)
                   if l["event"] == "awaiting-approval"]
        (x_out,) = [os.path.join(wait["folder"], f)
                    for f in os.listdir(wait["folder"]) if f.endswith(".jpg")]
        # someone edits the approved output before the upload
        U._vips("copy", x_out, x_out + ".tmp.jpg[Q=50,strip]")
        os.replace(x_out + ".tmp.jpg", x_out)
        run(srv, root, inbox, pdir)
        assert_eq(len(srv.x_media), 0, "edited bytes not sent")
        last = [l for l in log_lines(inbox)
                if l["event"] == "awaiting-approval"][-1]
        assert "changed after approval" in last["error"], last
