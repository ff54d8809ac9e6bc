"""Damaged and hostile photos (issue 11, points 1, 2, 11 and 15): a FIFO or
a device given as a photo never blocks, a photo whose data cannot cover its
header is refused before decoding, a truncated photo is always refused, and
every refusal names the file. The seeded mutation corpus is
test_mutants.py."""
import os
import subprocess

import lib
from lib import assert_eq


def test_fifo_and_device_photos_never_block():
    with lib.TempDir() as d:
        fifo = os.path.join(d, "inbox.jpg")
        os.mkfifo(fifo)
        dev = os.path.join(d, "zero.jpg")
        os.symlink("/dev/zero", dev)
        good = os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg")
        for bad in (fifo, dev):
            # audit used to open the FIFO and wait for a writer forever
            try:
                p = lib.run("audit", bad, timeout=20)
            except subprocess.TimeoutExpired:
                raise AssertionError("attache audit %s blocked" % bad)
            assert p.returncode != 0, p.stdout
            assert bad in p.stderr and "not a regular file" in p.stderr, \
                p.stderr
            # in a batch: refused, and the good photo still goes through
            p = lib.run("prep", "--json", "-o", os.path.join(d, "out"), bad,
                        good, timeout=60)
            assert_eq(p.returncode, 1, p.stderr)
            lines = lib.json_lines(p.stdout)
            errs = [l["error"] for l in lines if l["input"] == bad]
            assert errs and bad in errs[0] and "not a regular file" in errs[0], \
                lines
            assert [l for l in lines if l["input"] == good and not l["error"]]
