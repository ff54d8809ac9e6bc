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
