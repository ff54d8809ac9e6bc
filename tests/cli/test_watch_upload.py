"""attache watch with `upload =` in attache.ini (docs/watch.md, Upload):
the outputs of each target's presets are uploaded after they land and
before the original moves to done/, against the loopback fake platform
(tests/server/fake_social.py). A restart sends nothing twice."""
import json
import os
import shutil

import lib
import uploadlib as U
from uploadlib import FakeSocial

PRESETS = {"tiny": ("test", 200, 200), "tiny-x": ("x", 256, 144),
           "tiny-masto": ("mastodon", 240, 180)}
ALT = "Children queue for water at the camp"


def setup(root):
    pdir = lib.write_presets(os.path.join(root, "presets"), PRESETS)
    inbox = os.path.join(root, "inbox")
    os.makedirs(inbox)
    return pdir, inbox


def photos():
    try:
        ph = [p for p in lib.phone_photos() if "htc-desire" in p or "nokia" in p]
    except lib.Skip:
        ph = []
    return ph or [p for p in lib.sample_photos() if p.endswith(".jpg")][:2]


def env(srv, root, *targets):
    e = {k: None for k in U.UPLOAD_VARS}
    e.update(U.FAST)
    e["XDG_CONFIG_HOME"] = os.path.join(root, "config")
    e["XDG_CACHE_HOME"] = os.path.join(root, "cache")
    for t in targets:
        e.update(U.credentials(srv, t))
    return e


def write_ini(inbox, text):
    with open(os.path.join(inbox, "attache.ini"), "w") as f:
        f.write("[attache]\n" + text)


def log_lines(inbox):
    with open(os.path.join(inbox, "attache.log")) as f:
        return [json.loads(l) for l in f if l.strip()]


def photo_lines(inbox):
    return [l for l in log_lines(inbox) if l["event"] in ("done", "failed")]


def run(srv, root, inbox, pdir, *extra, targets=("x", "mastodon"), **envx):
    e = env(srv, root, *targets)
    e.update(envx)
    # these tests are about uploading: the operator switches the approval
    # off (in the hot folder, upload = turns it on; test_inbox_attacks.py)
    p = lib.run("watch", inbox, "--once", "--preset-dir", pdir, "--settle",
                "0.2", "--no-approval", *extra, **e)
    U.assert_no_secret(srv, p)
    return p


def test_watch_uploads_before_done_and_never_twice():
    with lib.TempDir() as root, FakeSocial() as srv:
        pdir, inbox = setup(root)
        srcs = photos()
        for s in srcs:
            shutil.copy(s, inbox)
        write_ini(inbox, "presets = tiny, tiny-x, tiny-masto\n"
                  "upload = x, mastodon\nalt = %s\n" % ALT)
        # killed right after the first upload was recorded (-j 1: no other
        # upload is in flight, so none can be cut half-way; one that is
        # leaves an unattached media on the platform, docs/watch.md)
        p = run(srv, root, inbox, pdir, "-j", "1",
                ATTACHE_WATCH_CRASH="uploaded")
        lib.assert_eq(p.returncode, -9, p.stderr)
        sent_before = len(srv.x_media) + len(srv.mastodon_media)
        assert sent_before >= 1
        p = run(srv, root, inbox, pdir)
        lib.assert_eq(p.returncode, 0, p.stderr)

        # one media per photo and target: nothing sent twice
        lib.assert_eq(len(srv.x_media), len(srcs), "X media")
        lib.assert_eq(len(srv.mastodon_media), len(srcs), "Mastodon media")
        lib.assert_eq(sorted(os.listdir(os.path.join(inbox, "done"))),
                      sorted(os.path.basename(s) for s in srcs), "done/")
        lines = photo_lines(inbox)
        lib.assert_eq(len(lines), len(srcs), "one line per photo")
        ids = set()
        for l in lines:
            lib.assert_eq(l["event"], "done", l["photo"])
            ups = {u["target"]: u for u in l["uploads"]}
            lib.assert_eq(sorted(ups), ["mastodon", "x"], "targets")
            for target, u in ups.items():
                assert u["error"] is None and isinstance(u["media_id"], str), u
                lib.assert_eq(u["alt_text"], ALT, "alt text sent")
                # each target got its own preset's output, from the folder
                want = "tiny-x" if target == "x" else "tiny-masto"
                assert u["file"].endswith("." + want + ".jpg"), u["file"]
                assert u["file"].startswith(l["folder"] + os.sep), u["file"]
                ids.add((target, u["media_id"]))
        lib.assert_eq(ids, {("x", m) for m in srv.x_media} |
                      {("mastodon", m) for m in srv.mastodon_media},
                      "media ids in the log = media on the platform")
        # the bytes X received are the output's (the fake hashes them)
        for l in lines:
            u = [u for u in l["uploads"] if u["target"] == "x"][0]
            lib.assert_eq(srv.x_media[u["media_id"]]["sha256"],
                          U.sha256(u["file"]), "bytes sent")
            lib.assert_eq(srv.x_media[u["media_id"]]["alt"], ALT, "X alt")


def test_watch_upload_network_trouble_waits_then_finishes():
    with lib.TempDir() as root, FakeSocial() as srv:
        pdir, inbox = setup(root)
        src = photos()[0]
        name = os.path.basename(src)
        shutil.copy(src, inbox)
        write_ini(inbox, "presets = tiny, tiny-x\nupload = x\n")
        fault = srv.fault("POST", r"/2/media/upload/initialize", status=503,
                          times=1000)
        p = run(srv, root, inbox, pdir, targets=("x",))
        lib.assert_eq(p.returncode, 1, p.stderr)
        assert fault.fired >= 1
        # not the photo's fault: it waits in the inbox, its outputs landed
        assert os.path.exists(os.path.join(inbox, name))
        lib.assert_eq(os.listdir(os.path.join(inbox, "failed")), [], "failed/")
        lib.assert_eq(photo_lines(inbox), [], "no done/failed line yet")
        assert [l for l in log_lines(inbox) if l["event"] == "retry"]
        folders = [f for f in os.listdir(os.path.join(inbox, "out"))
                   if not f.startswith(".") and
                   os.path.isdir(os.path.join(inbox, "out", f))]
        lib.assert_eq(len(folders), 1, "outputs landed once")

        with srv.lock:
            srv.faults.clear()
        p = run(srv, root, inbox, pdir, targets=("x",))
        lib.assert_eq(p.returncode, 0, p.stderr)
        lib.assert_eq(os.listdir(os.path.join(inbox, "done")), [name], "done/")
        folders2 = [f for f in os.listdir(os.path.join(inbox, "out"))
                    if not f.startswith(".") and
                    os.path.isdir(os.path.join(inbox, "out", f))]
        lib.assert_eq(folders2, folders, "not prepared a second time")
        lib.assert_eq(len(srv.x_media), 1, "X media")
        (line,) = photo_lines(inbox)
        lib.assert_eq(line["recovered"], True, "finished by the second run")
        lib.assert_eq(line["uploads"][0]["media_id"], list(srv.x_media)[0],
                      "media id")


def test_watch_upload_refused_by_the_platform_fails_the_photo():
    with lib.TempDir() as root, FakeSocial() as srv:
        pdir, inbox = setup(root)
        src = photos()[0]
        name = os.path.basename(src)
        shutil.copy(src, inbox)
        # the instance takes at most 1000 pixels: the output is refused
        # before a byte is sent
        srv.mastodon_limits.update(image_matrix_limit=1000)
        write_ini(inbox, "presets = tiny-masto\nupload = mastodon\n")
        p = run(srv, root, inbox, pdir, targets=("mastodon",))
        lib.assert_eq(p.returncode, 1, p.stderr)
        lib.assert_eq(len(srv.mastodon_media), 0, "nothing sent")
        lib.assert_eq(sorted(os.listdir(os.path.join(inbox, "failed"))),
                      [name, name + ".error.txt"], "failed/")
        with open(os.path.join(inbox, "failed", name + ".error.txt")) as f:
            text = f.read()
        assert "refused" in text and "1000" in text, text
        (line,) = photo_lines(inbox)
        lib.assert_eq((line["event"], line["code"]), ("failed", "rejected"), "line")
        # the prepared outputs stay, and the line says where
        out = os.path.join(line["folder"], line["outputs"][0]["output"])
        assert lib.decodes_fully(out), out


def test_watch_upload_settings_checked():
    with lib.TempDir() as root, FakeSocial() as srv:
        pdir, inbox = setup(root)
        write_ini(inbox, "presets = tiny\nupload = x\n")
        p = run(srv, root, inbox, pdir, targets=("x",))
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "none of the presets" in p.stderr, p.stderr
        write_ini(inbox, "presets = tiny-x\nupload = x\n")
        p = run(srv, root, inbox, pdir, targets=())
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "ATTACHE_X_" in p.stderr, p.stderr
        # the command line's --upload is the same setting
        write_ini(inbox, "presets = tiny-x\n")
        p = run(srv, root, inbox, pdir, "--upload", "x", targets=())
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "ATTACHE_X_" in p.stderr, p.stderr
        p = run(srv, root, inbox, pdir, "--upload", "myspace", targets=())
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "--upload" in p.stderr and "myspace" in p.stderr, p.stderr
        lib.assert_eq(srv.requests, [], "nothing sent")
