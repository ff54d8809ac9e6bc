#!/usr/bin/env python3
"""make bench: attache against the tools people would otherwise use.

Times `attache prep -p x-landscape` over 12 MP phone JPEGs (10 copies each
of the Galaxy S7 edge and Google Pixel photos in ../shared/samples/phone)
against, in the same run and alternating:

  vipsthumbnail FILE... -s 1600x900 -m attention -o OUT/%s.jpg[Q=85,strip]
  convert FILE -auto-orient -resize 1600x900^ -gravity center
          -extent 1600x900 -strip -quality 85 OUT      (ImageMagick, per file)

and prints medians, ratios and peak RSS, then the other targets: five
presets from one photo against one, peak RSS on a long batch, and the cost
of branding with the demo campaign. Exit status 1 when a target is missed.

  tools/bench.py [--build build] [--rounds 5]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHONE = os.path.normpath(os.path.join(ROOT, "..", "shared", "samples", "phone"))
PHOTOS = ("samsung-galaxy-s7-edge_gps_thumb.jpg", "google-pixel_gps_thumb.jpg")


def timed(cmd, env=None, shell=False):
    """Runs @cmd under GNU time: (seconds, peak RSS in MiB)."""
    fd, out = tempfile.mkstemp()
    os.close(fd)
    full = ["/usr/bin/time", "-o", out, "-f", "%e %M"]
    full += ["sh", "-c", cmd] if shell else cmd
    subprocess.run(full, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    secs, kib = open(out).read().split()[-2:]
    os.unlink(out)
    return float(secs), int(kib) / 1024


def interlaced_png(path, w, h):
    """A black 8-bit RGB Adam7 PNG (libpng decodes it whole into memory),
    written with zlib: the --max-memory measurement's input."""
    import struct
    import zlib
    c = zlib.compressobj(1)
    parts = []
    for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8),
                           (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
                           (0, 1, 1, 2)):
        pw, ph = (w - x0 + dx - 1) // dx, (h - y0 + dy - 1) // dy
        parts.extend(c.compress(b"\0" + bytes(pw * 3)) for _ in range(ph))
    data = b"".join(parts) + c.flush()

    def chunk(t, d):
        return (struct.pack(">I", len(d)) + t + d +
                struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)) +
                chunk(b"IDAT", data) + chunk(b"IEND", b""))


def fresh(d):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int,
                    default=int(os.environ.get("BENCH_ROUNDS", "5")))
    args = ap.parse_args()
    attache = os.path.join(ROOT, args.build, "attache")
    if not all(os.path.exists(os.path.join(PHONE, p)) for p in PHOTOS):
        print("bench: ../shared/samples/phone is absent: nothing to measure")
        return 0

    env = dict(os.environ, ATTACHE_PRESET_DIR=os.path.join(ROOT, "presets"),
               XDG_CONFIG_HOME=tempfile.mkdtemp())
    work = tempfile.mkdtemp(prefix="attache-bench-")
    inp = os.path.join(work, "in")
    os.makedirs(inp)
    for i in range(10):
        for p in PHOTOS:
            stem = p.split("_")[0]
            shutil.copy(os.path.join(PHONE, p),
                        os.path.join(inp, "%s-%02d.jpg" % (stem, i)))
    files = sorted(os.path.join(inp, f) for f in os.listdir(inp))
    n = len(files)
    out = os.path.join(work, "out")
    print("bench: %d photos of 12 MP (%s), %d rounds, %d cores" %
          (n, ", ".join(PHOTOS), args.rounds, os.cpu_count()))

    runs = {"attache": [], "vipsthumbnail": [], "imagemagick": []}
    rss = {k: [] for k in runs}
    im_loop = " ; ".join(
        "convert %s -auto-orient -resize 1600x900^ -gravity center "
        "-extent 1600x900 -strip -quality 85 %s/%s" %
        (f, out, os.path.basename(f)) for f in files)
    for r in range(args.rounds):
        # alternate, so load changes on the machine hit all three alike
        t, m = timed([attache, "prep", "-q", "-p", "x-landscape", "-o",
                      fresh(out)] + files, env=env)
        runs["attache"].append(t)
        rss["attache"].append(m)
        t, m = timed(["vipsthumbnail"] + files + [
            "-s", "1600x900", "-m", "attention", "-o",
            fresh(out) + "/%s.jpg[Q=85,strip]"])
        runs["vipsthumbnail"].append(t)
        rss["vipsthumbnail"].append(m)
        if r < max(2, args.rounds // 2):  # ImageMagick is slow: fewer rounds
            fresh(out)
            t, m = timed(im_loop, shell=True)
            runs["imagemagick"].append(t)
            rss["imagemagick"].append(m)

    med = {k: statistics.median(v) for k, v in runs.items()}
    print("\n%-14s %10s %12s %14s" % ("tool", "median s", "photos/s",
                                       "peak RSS MiB"))
    for k in runs:
        print("%-14s %10.2f %12.2f %14.1f" % (k, med[k], n / med[k],
                                              max(rss[k])))

    results = []

    def target(name, value, limit, higher_is_better):
        ok = value >= limit if higher_is_better else value <= limit
        results.append(ok)
        print("%-52s %7.2f  (target %s %.2f)  %s" %
              (name, value, ">=" if higher_is_better else "<=", limit,
               "met" if ok else "MISSED"))

    print()
    target("throughput vs vipsthumbnail (x)",
           med["vipsthumbnail"] / med["attache"], 1.3, True)
    target("throughput vs ImageMagick (x)",
           med["imagemagick"] / med["attache"], 4.0, True)

    # five presets from one photo cost at most 2.5x one preset: the time
    # to prepare one photo (what a scheduler waits for), each of the two
    # photos in turn; and, for information, the same over the whole batch
    five = "x-landscape,instagram-portrait,instagram-square,facebook-link,bluesky"
    one_t, five_t = [], []
    for r in range(args.rounds):
        for p in PHOTOS:
            src = os.path.join(PHONE, p)
            one_t.append(timed([attache, "prep", "-q", "-p", "x-landscape",
                                "-o", fresh(out), src], env=env)[0])
            five_t.append(timed([attache, "prep", "-q", "-p", five, "-o",
                                 fresh(out), src], env=env)[0])
    print("one photo: one preset %.2f s, five presets %.2f s (medians)" %
          (statistics.median(one_t), statistics.median(five_t)))
    target("five presets / one preset, one photo (time)",
           statistics.median(five_t) / statistics.median(one_t), 2.5, False)
    b1 = [timed([attache, "prep", "-q", "-p", "x-landscape", "-o",
                 fresh(out)] + files, env=env)[0] for r in range(2)]
    b5 = [timed([attache, "prep", "-q", "-p", five, "-o", fresh(out)] +
                files, env=env)[0] for r in range(2)]
    print("batch of %d: one preset %.2f s, five presets %.2f s: %.2fx "
          "(information: with every core busy on photos this is the CPU "
          "ratio)" % (n, min(b1), min(b5), min(b5) / min(b1)))

    # peak RSS does not grow with the batch: 20 photos and 100 photos
    long_in = os.path.join(work, "long")
    os.makedirs(long_in)
    for i in range(100):
        src = files[i % n]
        os.link(src, os.path.join(long_in, "p%03d.jpg" % i))
    _, m20 = timed([attache, "prep", "-q", "-p", five, "-o", fresh(out)] +
                   files, env=env)
    _, m100 = timed([attache, "prep", "-q", "-p", five, "-o", fresh(out),
                     long_in], env=env)
    print("peak RSS, five presets: %d photos %.1f MiB, 100 photos %.1f MiB" %
          (n, m20, m100))
    target("peak RSS on a 100-photo batch (MiB)", m100, 150, False)

    # branding: the demo campaign may add at most 15 % per photo
    campaign = os.path.join(ROOT, "campaigns", "demo.ini")
    if os.path.exists(campaign):
        plain, branded = [], []
        for r in range(args.rounds):
            plain.append(timed([attache, "prep", "-q", "-p", "x-landscape",
                                "-o", fresh(out)] + files, env=env)[0])
            branded.append(timed([attache, "prep", "-q", "-p", "x-landscape",
                                  "-c", campaign, "-o", fresh(out)] + files,
                                 env=env)[0])
        target("branding with campaigns/demo.ini (time, x)",
               statistics.median(branded) / statistics.median(plain), 1.15,
               False)
    else:
        print("branding: campaigns/demo.ini absent, not measured")

    # --max-memory: two 49 MP interlaced PNGs (147 MiB decoded each), -j 2
    big = [os.path.join(work, "big%d.png" % i) for i in (1, 2)]
    interlaced_png(big[0], 7000, 7000)
    os.link(big[0], big[1])
    _, free = timed([attache, "prep", "-q", "-j", "2", "--max-memory", "10G",
                     "-o", fresh(out)] + big, env=env)
    _, capped = timed([attache, "prep", "-q", "-j", "2", "--max-memory",
                       "200M", "-o", fresh(out)] + big, env=env)
    print("peak RSS, -j 2 on two 49 MP PNGs: --max-memory 10G %.1f MiB, "
          "--max-memory 200M %.1f MiB" % (free, capped))
    target("peak RSS under --max-memory 200M (MiB, budget + 80)", capped,
           280, False)

    shutil.rmtree(work, ignore_errors=True)
    print("\nbench: %d of %d targets met" % (sum(results), len(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
