"""--max-memory: the memory budget of a batch (issue 11, point 11). Photos
are generated here as PNGs with Python's zlib (not libvips, not attache);
peak RSS is read by /usr/bin/time, a separate program."""
import os
import struct
import subprocess
import zlib

import lib
from lib import assert_eq

MIB = 1 << 20


def write_png(path, w, h, depth=8, interlace=False):
    """A black RGB PNG of w x h at 8 or 16 bits, optionally Adam7
    interlaced (libpng then decodes the whole image into memory)."""
    c = zlib.compressobj(1)
    parts = []

    def rows(pw, ph):
        if pw and ph:
            row = b"\0" + bytes(pw * 3 * depth // 8)
            parts.extend(c.compress(row) for _ in range(ph))

    if interlace:
        for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8),
                               (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
                               (0, 1, 1, 2)):
            rows((w - x0 + dx - 1) // dx, (h - y0 + dy - 1) // dy)
    else:
        rows(w, h)
    data = b"".join(parts) + c.flush()

    def chunk(t, d):
        return (struct.pack(">I", len(d)) + t + d +
                struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, 2, 0, 0,
                                           int(interlace))) +
                chunk(b"IDAT", data) + chunk(b"IEND", b""))


def peak_rss(args):
    """Runs attache ARGS under /usr/bin/time; (process, peak RSS bytes)."""
    rss = args[-1] + ".rss"
    p = subprocess.run(["/usr/bin/time", "-o", rss, "-f", "%M", lib.ATTACHE] +
                       [str(a) for a in args[:-1]], capture_output=True,
                       text=True, env=lib.env(), cwd=lib.ROOT)
    return p, int(open(rss).read().split()[-1]) * 1024


def test_over_budget_photo_refused_the_batch_goes_on():
    """A 100 MP 16-bit PNG needs ~575 MiB decoded: with --max-memory 64M it
    is refused before decoding, naming the file and the budget; the phone
    photo beside it is prepared (prep and watch)."""
    with lib.TempDir() as d:
        big = os.path.join(d, "big16.png")
        write_png(big, 10000, 10000, depth=16)
        assert_eq(lib.header(big)["format"], "ushort", "the fixture")
        phone = os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg")
        out = os.path.join(d, "out")
        p = lib.run("prep", "-j", "2", "--max-memory", "64M", "-o", out, big,
                    phone)
        assert_eq(p.returncode, 1, "one photo failed: " + p.stderr)
        # (GLib writes the sizes with a no-break space)
        err = p.stderr.replace("\u00a0", " ")
        line = [l for l in err.splitlines() if big in l]
        assert line and "64.0 MiB" in line[0] and "--max-memory" in line[0], \
            p.stderr
        assert not [f for f in os.listdir(out) if f.startswith("big16")]
        done = os.path.join(out, "camp-gps-thumbnail.x-landscape.jpg")
        assert_eq(lib.header(done)["width"], "1600", "the other photo")

        # the hot folder: to failed/ with the reason, the other one done
        inbox = os.path.join(d, "inbox")
        os.makedirs(inbox)
        os.link(big, os.path.join(inbox, "big16.png"))
        os.link(phone, os.path.join(inbox, "camp.jpg"))
        p = lib.run("watch", inbox, "--once", "--settle", "0.2",
                    "--max-memory", "64M")
        assert_eq(p.returncode, 1, p.stderr)
        why = open(os.path.join(inbox, "failed", "big16.png.error.txt"),
                   encoding="utf-8").read().replace("\u00a0", " ")
        assert "64.0 MiB" in why and "memory budget" in why, why
        assert os.path.exists(os.path.join(inbox, "done", "camp.jpg"))

        # a size that is not one is a usage error
        for cmd in (["prep", "-o", out, phone], ["watch", inbox, "--once"]):
            p = lib.run(cmd[0], "--max-memory", "lots", *cmd[1:])
            assert_eq(p.returncode, 2, p.stderr)
            assert "--max-memory" in p.stderr, p.stderr


def test_peak_rss_stays_within_the_budget():
    """Two interlaced 7000 x 7000 PNGs (147 MiB decoded each) with -j 2 and
    --max-memory 200M: the second waits for the first, so the peak stays
    under the budget plus a fixed 80 MiB for the process itself (without
    the budget, the two decodes in parallel peak near 370 MiB)."""
    if lib.SANITIZED:
        lib.skip("ASan's shadow memory makes RSS meaningless")
    with lib.TempDir() as d:
        a = os.path.join(d, "a.png")
        b = os.path.join(d, "b.png")
        write_png(a, 7000, 7000, interlace=True)
        os.link(a, b)
        out = os.path.join(d, "out")
        p, peak = peak_rss(["prep", "-q", "-j", "2", "--max-memory", "200M",
                            "-o", out, a, b, os.path.join(d, "run")])
        assert_eq(p.returncode, 0, p.stderr)
        for n in ("a", "b"):
            assert_eq(lib.header(os.path.join(out, n + ".x-landscape.jpg"))
                      ["width"], "1600", n)
        assert peak < (200 + 80) * MIB, "peak RSS %.0f MiB" % (peak / MIB)
