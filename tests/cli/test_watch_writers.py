"""Issue 11, points 5 and 12: the hot folder against the writers and
folders of real life.

- A writer that appends in chunks (open, write 400 kB, close, wait 0.5 s)
  made the photo look complete between chunks: it went to failed/ cut
  short, eleven times (grow.jpg ... grow-11.jpg), and was never prepared.
  A photo that cannot be prepared while it is still changing now waits
  for the settle time before it counts as failed.
- The inbox deleted or replaced while watching went unnoticed."""
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import attack
import lib
import test_watch as W


def chunked_write(src, dest, chunk=400 * 1024, pause=0.5):
    with open(src, "rb") as f:
        data = f.read()
    for i in range(0, len(data), chunk):
        with open(dest, "ab") as f:
            f.write(data[i:i + chunk])
        time.sleep(pause)


def test_a_photo_written_in_chunks_with_pauses_is_prepared_once():
    src = os.path.join(lib.PHONE, "apple-iphone-5_o3_gps_thumb.jpg")
    if not os.path.exists(src):
        lib.skip("no phone photos")
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        inbox = W.make_inbox(root)
        p, err = attack.start_watch(root, inbox, "--preset-dir", pdir, "-p",
                                    "tiny")   # the default settle time, 2 s
        try:
            attack.wait_for(lambda: os.path.exists(os.path.join(inbox, "attache.log")),
                            20, "the watcher to start")
            writer = threading.Thread(target=chunked_write,
                                      args=(src, os.path.join(inbox, "grow.jpg")))
            writer.start()
            writer.join()
            attack.wait_for(lambda: W.photo_lines(inbox), 60, "grow.jpg's line")
            time.sleep(0.5)  # a second, wrong line would come now
        finally:
            rc = attack.stop_watch(p)
        lib.assert_eq(rc, 0, attack.read_text(err))
        lib.assert_eq(os.listdir(os.path.join(inbox, "failed")), [], "failed/")
        lib.assert_eq([(l["event"], l["photo"]) for l in W.photo_lines(inbox)],
                      [("done", "grow.jpg")], "log lines")
        lib.assert_eq(W.sha(os.path.join(inbox, "done", "grow.jpg")), W.sha(src),
                      "done/grow.jpg is the whole photo")
        assert lib.decodes_fully(os.path.join(inbox, "out", "grow", "grow.tiny.jpg"))


def test_a_cut_short_photo_that_stays_cut_short_still_fails():
    """The wait is for the settle time only: a truncated photo that no one
    finishes goes to failed/, once."""
    src = os.path.join(lib.PHONE, "apple-iphone-5_o3_gps_thumb.jpg")
    if not os.path.exists(src):
        lib.skip("no phone photos")
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        inbox = W.make_inbox(root)
        with open(src, "rb") as f:
            data = f.read()
        with open(os.path.join(inbox, "cut.jpg"), "wb") as f:
            f.write(data[: len(data) // 3])
        r = attack.run_bounded("watch", inbox, "--once", "--preset-dir", pdir,
                               "-p", "tiny", "--settle", "1", timeout=60)
        lib.assert_eq(r.returncode, 1, r)
        lib.assert_eq(sorted(os.listdir(os.path.join(inbox, "failed"))),
                      ["cut.jpg", "cut.jpg.error.txt"], "failed/")
        lib.assert_eq(len(W.photo_lines(inbox)), 1, "one line")


def test_inbox_deleted_or_replaced_while_watching_stops_with_status_4():
    """Deleting and recreating the inbox went unnoticed: retries failed for
    ever, and a second watcher could start beside the first. Now the
    watcher says what happened and exits 4; a watcher on the new folder
    takes it over."""
    (src,) = [f for f in W.fixtures() if f.endswith(".jpg")][:1]
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        for how in ("deleted", "replaced"):
            inbox = os.path.join(root, "inbox-" + how)
            os.makedirs(inbox)
            p, err = attack.start_watch(root, inbox, "--preset-dir", pdir,
                                        "-p", "tiny", "--settle", "0.3", tag=how)
            try:
                attack.wait_for(lambda: os.path.exists(os.path.join(inbox, "attache.log")),
                                20, "the watcher to start")
                if how == "deleted":
                    shutil.rmtree(inbox)
                else:
                    os.rename(inbox, inbox + ".old")
                    os.makedirs(inbox)
                rc = p.wait(20)
            except subprocess.TimeoutExpired:
                raise AssertionError("the watcher did not notice the inbox %s" % how)
            finally:
                if p.poll() is None:
                    attack.stop_watch(p)
            text = attack.read_text(err)
            lib.assert_eq(rc, 4, text)
            assert inbox in text and how in text, text
        # the new folder is an inbox of its own: another watcher takes it
        shutil.copy(src, os.path.join(inbox, "a.jpg"))
        r = attack.run_bounded("watch", inbox, "--once", "--preset-dir", pdir,
                               "-p", "tiny", "--settle", "0.2", timeout=60)
        lib.assert_eq(r.returncode, 0, r)
        assert os.path.exists(os.path.join(inbox, "done", "a.jpg"))
        # nothing was written into the new folder by the old watcher
        assert not os.path.exists(os.path.join(inbox + ".old", "done", "a.jpg"))


def test_systemd_unit_restarts_the_watcher_once_the_folder_exists():
    """docs/attache-watch.service: exit 4 is restarted (Restart=on-failure,
    no limit), and ExecStartPre, run here by sh as systemd would run it,
    waits while the inbox is missing and ends once it exists."""
    unit = os.path.join(lib.ROOT, "docs", "attache-watch.service")
    keys = {}
    with open(unit) as f:
        for line in f:
            if "=" in line and not line.lstrip().startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                keys[k.strip()] = v.strip()
    assert keys.get("Restart") in ("on-failure", "always"), keys
    assert "4" not in keys.get("RestartPreventExitStatus", ""), keys
    lib.assert_eq(keys.get("StartLimitIntervalSec"), "0", "no start limit")
    with lib.TempDir() as home:
        inbox = os.path.join(home, "Attache", "Inbox")
        pre = keys["ExecStartPre"].replace("%h", home)
        # systemd's quoting is sh's for this line: one single-quoted word
        p = subprocess.Popen(["/bin/sh", "-c", "exec " + pre])
        time.sleep(1.0)
        assert p.poll() is None, "ExecStartPre did not wait for the folder"
        os.makedirs(inbox)
        lib.assert_eq(p.wait(10), 0, "ExecStartPre once the folder exists")
