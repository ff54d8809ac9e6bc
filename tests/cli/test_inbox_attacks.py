"""Issue 11, point 3: whoever can write to a watch inbox must not reach
what the watcher can read or write elsewhere. Each attack is dropped into
an inbox (attache.ini, sidecars, links) and the test checks that nothing
outside it is read or written: the secret never appears in any output,
its alt text, the log, or what the loopback fake platform received
(tests/server/fake_social.py); no folder appears outside. The operator's
command line still reaches outside (--allow-path, -o), and pins
require-approval, upload, out and keep against the ini."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import attack
import lib
import test_watch as W
import test_watch_upload as WU
import uploadlib as U
from uploadlib import FakeSocial

SECRET = "consumer_secret = SECRET-7f3a9c-do-not-publish"


def jpegs(n):
    fx = [f for f in W.fixtures() if f.endswith(".jpg")]
    if len(fx) < n:
        lib.skip("too few JPEG fixtures")
    return fx[:n]


def plant_secret(root):
    """A credentials-like file beside the inbox, readable by the watcher
    (alt text could be made of it: one line of plain UTF-8)."""
    path = os.path.join(root, "credentials.ini")
    with open(path, "w") as f:
        f.write(SECRET + "\n")
    os.chmod(path, 0o600)
    return path


def assert_secret_nowhere(root, secret_path, srv=None):
    """No file under @root but the secret itself (and links to it) holds
    the secret's value; nor did the fake platform receive it as alt text."""
    needle = SECRET.split("= ")[1].encode()
    for d, _, files in os.walk(root):
        for n in files:
            p = os.path.join(d, n)
            if os.path.islink(p) or os.path.samefile(p, secret_path) or \
                    not os.path.isfile(p):
                continue
            with open(p, "rb") as f:
                assert needle not in f.read(), "the secret reached " + p
    if srv:
        for m in list(srv.x_media.values()) + list(srv.mastodon_media.values()):
            assert needle.decode() not in str(m), "the platform received it"


def watch_once(inbox, pdir, *args, **envx):
    return attack.run_bounded("watch", inbox, "--once", "--preset-dir", pdir,
                              "-p", "tiny", "--settle", "0.2", *args,
                              timeout=120, **envx)


def write_ini(inbox, text):
    with open(os.path.join(inbox, "attache.ini"), "w") as f:
        f.write("[attache]\n" + text)


def test_attache_ini_cannot_name_files_outside_the_inbox():
    """alt-file = ../credentials.ini put the credentials in the alt text."""
    (src,) = jpegs(1)
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        inbox = W.make_inbox(root)
        secret = plant_secret(root)
        shutil.copy(src, os.path.join(inbox, "p.jpg"))
        os.symlink(secret, os.path.join(inbox, "notes.txt"))
        for line in ("alt-file = ../credentials.ini",
                     "alt-file = " + secret,
                     "alt-file = notes.txt",           # a link in the inbox
                     "alt-manifest = ../credentials.ini",
                     "campaign = ../credentials.ini",
                     "allow-path = /"):
            write_ini(inbox, line + "\n")
            r = watch_once(inbox, pdir)
            lib.assert_eq(r.returncode, 2, (line, r))
            assert "attache.ini" in r.stderr, (line, r)
            assert any(w in r.stderr for w in ("outside the inbox",
                                               "symbolic link",
                                               "only the operator")), (line, r)
            assert not os.path.exists(os.path.join(inbox, "done", "p.jpg")), line
        assert_secret_nowhere(root, secret)


def test_symlinked_sidecar_never_reaches_the_platform():
    """p.alt.txt -> credentials.ini sent the credentials to the platform as
    the media's description. Now the photo fails naming the link, nothing
    is uploaded, and a photo with a real sidecar is uploaded with it."""
    a, b = jpegs(2)
    with lib.TempDir() as root, FakeSocial() as srv:
        pdir, inbox = WU.setup(root)
        secret = plant_secret(root)
        shutil.copy(a, os.path.join(inbox, "p.jpg"))
        os.symlink(secret, os.path.join(inbox, "p.alt.txt"))
        shutil.copy(b, os.path.join(inbox, "q.jpg"))
        with open(os.path.join(inbox, "q.alt.txt"), "w") as f:
            f.write(WU.ALT)
        # the two-person rule, as a team would run it: prepare, a second
        # person approves what landed, the next run uploads
        WU.write_ini(inbox, "presets = tiny-x\nupload = x\nrequire-approval = true\n")
        args = ["watch", inbox, "--once", "--preset-dir", pdir, "--settle", "0.2"]
        e = WU.env(srv, root, "x")
        attack.run_bounded(*args, timeout=120, **e)
        lib.run("approve", os.path.join(inbox, "out"), "--by", "second-person-bob")
        attack.run_bounded(*args, timeout=120, **e)
        assert_secret_nowhere(root, secret, srv)
        text = attack.read_text(os.path.join(inbox, "failed", "p.jpg.error.txt"))
        assert "p.alt.txt" in text and "symbolic link" in text, text
        lib.assert_eq([m["alt"] for m in srv.x_media.values()], [WU.ALT],
                      "what X received")
        assert_secret_nowhere(root, secret, srv)


def test_out_outside_the_inbox_only_where_the_operator_allows():
    """out = ../escaped wrote outside the inbox. Now it is refused, as is
    a folder reached through a link; the documented out = /srv/social/...
    works once the operator allows the folder (--allow-path), and -o
    goes anywhere."""
    fx = jpegs(3)
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        inbox = W.make_inbox(root)
        elsewhere = os.path.join(root, "elsewhere")
        os.makedirs(elsewhere)
        os.symlink(elsewhere, os.path.join(inbox, "link"))
        shutil.copy(fx[0], os.path.join(inbox, "a.jpg"))
        for line in ("out = ../escaped", "out = link/out", "out = link"):
            write_ini(inbox, line + "\n")
            r = watch_once(inbox, pdir)
            lib.assert_eq(r.returncode, 2, (line, r))
            assert "out" in r.stderr and "attache.ini" in r.stderr, (line, r)
        lib.assert_eq(os.path.exists(os.path.join(root, "escaped")), False,
                      "../escaped made")
        lib.assert_eq(os.listdir(elsewhere), [], "written through the link")

        social = os.path.join(root, "srv", "social")
        write_ini(inbox, "out = %s/water-day\n" % social)
        r = watch_once(inbox, pdir)
        lib.assert_eq(r.returncode, 2, r)
        r = watch_once(inbox, pdir, "--allow-path", os.path.join(root, "srv"))
        lib.assert_eq(r.returncode, 0, r)
        assert lib.decodes_fully(os.path.join(social, "water-day", "a", "a.tiny.jpg"))

        # -o is the operator's own: anywhere, and the ini cannot change it
        os.unlink(os.path.join(inbox, "attache.ini"))
        shutil.copy(fx[1], os.path.join(inbox, "b.jpg"))
        r = watch_once(inbox, pdir, "-o", os.path.join(root, "op-out"))
        lib.assert_eq(r.returncode, 0, r)
        assert os.path.exists(os.path.join(root, "op-out", "b", "b.tiny.jpg"))
        write_ini(inbox, "out = sub\n")
        shutil.copy(fx[2], os.path.join(inbox, "c.jpg"))
        r = watch_once(inbox, pdir, "-o", os.path.join(root, "op-out"))
        lib.assert_eq(r.returncode, 2, r)
        assert "pinned" in r.stderr and "out" in r.stderr, r
        lib.assert_eq(os.path.exists(os.path.join(inbox, "sub")), False, "sub/")


def test_campaign_by_name_from_the_config_folder_keeps_working():
    """campaign = NAME is looked up in the operator's config folder only,
    never as a file where the watcher runs; a campaign kept in the inbox
    cannot draw a logo from outside it."""
    demo = os.path.join(lib.ROOT, "campaigns")
    if not os.path.exists(os.path.join(demo, "demo.ini")):
        lib.skip("campaigns/demo.ini is absent")
    (src,) = jpegs(1)
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        inbox = W.make_inbox(root)
        conf = os.path.join(root, "config")
        shutil.copytree(demo, os.path.join(conf, "attache", "campaigns"))
        shutil.copy(src, os.path.join(inbox, "a.jpg"))
        write_ini(inbox, "campaign = demo\nlang = fr\n")
        r = watch_once(inbox, pdir, XDG_CONFIG_HOME=conf)
        lib.assert_eq(r.returncode, 0, r)
        assert lib.decodes_fully(os.path.join(inbox, "out", "a", "a.tiny.jpg"))

        # a campaign in the inbox whose logo is outside it
        shutil.copy(os.path.join(demo, "demo-logo.svg"),
                    os.path.join(root, "logo.svg"))
        with open(os.path.join(demo, "demo.ini")) as f:
            text = f.read().replace("file=demo-logo.svg", "file=../../logo.svg")
        os.makedirs(os.path.join(inbox, "brand"))
        with open(os.path.join(inbox, "brand", "c.ini"), "w") as f:
            f.write(text)
        write_ini(inbox, "campaign = brand/c.ini\nlang = fr\n")
        r = watch_once(inbox, pdir, XDG_CONFIG_HOME=conf)
        lib.assert_eq(r.returncode, 2, r)
        assert "logo.svg" in r.stderr and "outside" in r.stderr, r


def test_approval_pins_and_upload_turns_the_gate_on():
    """require-approval = false in the ini switched the gate off, and
    `attache watch --require-approval` was an unknown option."""
    (src,) = jpegs(1)
    with lib.TempDir() as root, FakeSocial() as srv:
        pdir, inbox = WU.setup(root)
        e = WU.env(srv, root, "x")
        args = ["watch", inbox, "--once", "--preset-dir", pdir, "--settle", "0.2"]

        # pinned on: the ini's line is refused
        WU.write_ini(inbox, "presets = tiny-x\nupload = x\nrequire-approval = false\n")
        r = attack.run_bounded(*args, "--require-approval", timeout=60, **e)
        lib.assert_eq(r.returncode, 2, r)
        assert "require-approval" in r.stderr and "pinned" in r.stderr, r
        # not pinned: with upload, only the operator can switch it off
        r = attack.run_bounded(*args, timeout=60, **e)
        lib.assert_eq(r.returncode, 2, r)
        assert "--no-approval" in r.stderr, r
        # upload pinned: the ini cannot change the targets either
        WU.write_ini(inbox, "presets = tiny-x\nupload = x\n")
        r = attack.run_bounded(*args, "--upload", "x", "--no-approval",
                               timeout=60, **e)
        lib.assert_eq(r.returncode, 2, r)
        assert "upload" in r.stderr and "pinned" in r.stderr, r
        WU.write_ini(inbox, "presets = tiny-x\nkeep = camera\n")
        r = attack.run_bounded(*args, "--keep", "none", timeout=60, **e)
        lib.assert_eq(r.returncode, 2, r)
        assert "keep" in r.stderr and "pinned" in r.stderr, r
        lib.assert_eq(len(srv.x_media), 0, "nothing sent")

        # upload = x alone: the photo lands and waits for a second person
        shutil.copy(src, os.path.join(inbox, "a.jpg"))
        WU.write_ini(inbox, "presets = tiny-x\nupload = x\n")
        r = attack.run_bounded(*args, timeout=120, **e)
        lib.assert_eq(r.returncode, 0, r)
        assert "approv" in r.stderr, r
        lib.assert_eq(len(srv.x_media), 0, "uploaded without approval")
        lib.assert_eq(os.listdir(os.path.join(inbox, "done")), [], "done/")
        # a second person approves: the next run uploads it
        # (no alt text: a deliberate yes for all, docs/review.md)
        lib.run("approve", os.path.join(inbox, "out"), "--by",
                "second-person-bob", "--include-flagged", check=0)
        r = attack.run_bounded(*args, timeout=120, **e)
        lib.assert_eq(r.returncode, 0, r)
        lib.assert_eq(len(srv.x_media), 1, "uploaded once, after approval")
        lib.assert_eq(os.listdir(os.path.join(inbox, "done")), ["a.jpg"], "done/")


def test_inbox_out_replaced_by_a_link_is_not_followed():
    """The default output folder, INBOX/out, is the inbox writers' to
    replace: a link there (to a folder elsewhere) is refused before each
    photo; the photo waits in the inbox (a retry), nothing is written
    through the link."""
    (src,) = jpegs(1)
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        inbox = W.make_inbox(root)
        elsewhere = os.path.join(root, "elsewhere")
        os.makedirs(elsewhere)
        os.symlink(elsewhere, os.path.join(inbox, "out"))
        shutil.copy(src, os.path.join(inbox, "a.jpg"))
        r = watch_once(inbox, pdir)
        lib.assert_eq(r.returncode, 1, r)
        assert "symbolic link" in r.stderr, r
        lib.assert_eq(os.listdir(elsewhere), [], "written through the link")
        assert os.path.exists(os.path.join(inbox, "a.jpg")), "left the inbox"
