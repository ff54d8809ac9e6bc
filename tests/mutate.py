#!/usr/bin/env python3
"""Seeded mutation corpus of damaged photos (issue 11, point 1).

For each format (JPEG, HEIC, PNG, WebP, AVIF, TIFF) a clean base made from
the phone photos (the phone sample itself for JPEG and HEIC; converted with
the vips CLI for the others), and from it:
  - bit flips at three densities (a fraction of the bytes past the first
    10%, where the pixel data lives), SEEDS seeds each;
  - ten truncation points;
  - inflated sizes: the JPEG SOF, the HEIF/AVIF `ispe` (and the HEIC grid),
    the PNG IHDR (CRC fixed, so only the size is wrong), the WebP frame and
    canvas, the TIFF ImageWidth/ImageLength.
Everything is derived from the seed strings: the same corpus every run.

  tests/mutate.py OUTDIR [--seeds N] [--all-phone] [--check build/attache]
  (make soak: --check, every phone JPEG and HEIC, more seeds)
"""
import argparse
import os
import random
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
PHONE = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "samples",
                                      "phone"))
FORMATS = ("jpeg", "heic", "png", "webp", "avif", "tiff")
DENSITIES = (("sparse", 1e-5), ("medium", 1e-4), ("dense", 1e-3))
TRUNCATE_AT = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99)
EXT = {"jpeg": "jpg", "heic": "heic", "png": "png", "webp": "webp",
       "avif": "avif", "tiff": "tif"}
# the real photos the bases come from
JPEG_BASE = "htc-desire_gps_small.jpg"
HEIC_BASE = "apple-iphone-xs-max_gps_p3.heic"
CONVERT_FROM = "canon-eos-600d_gps_xmp-iptc-city.jpg"
SAVE_OPTS = {"png": "", "webp": "[Q=85]", "avif": "[compression=av1,Q=60]",
             "tiff": "[compression=deflate,predictor=horizontal]"}


def make_base(fmt, outdir, source=None):
    """The clean photo of @fmt in @outdir; returns its path."""
    if fmt in ("jpeg", "heic") and source is None:
        return os.path.join(PHONE, JPEG_BASE if fmt == "jpeg" else HEIC_BASE)
    if source is not None and fmt in ("jpeg", "heic"):
        return source
    src = source or os.path.join(PHONE, CONVERT_FROM)
    stem = os.path.splitext(os.path.basename(src))[0]
    out = os.path.join(outdir, "%s-base.%s" % (stem, EXT[fmt]))
    if not os.path.exists(out):
        # upright and small: the corpus is about the container, not size
        subprocess.run(["vips", "thumbnail", src, out + SAVE_OPTS[fmt],
                        "1024"], check=True, capture_output=True)
    return out


# ---- inflated sizes, one patcher per container ----

def _jpeg_sof(data, factor):
    d = bytearray(data)
    i = 2
    while i + 4 < len(d):
        if d[i] != 0xFF:
            return None
        m = d[i + 1]
        n = struct.unpack(">H", d[i + 2:i + 4])[0]
        if m in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB,
                 0xCD, 0xCE, 0xCF):
            h, w = struct.unpack(">HH", d[i + 5:i + 9])
            if factor == "huge":
                h, w = 1500, 65500
            else:
                h, w = min(65500, h * factor), min(65500, w * factor)
            struct.pack_into(">HH", d, i + 5, h, w)
            return bytes(d)
        i += 2 + n
    return None


def _boxes(d, start, end):
    i = start
    while i + 8 <= end:
        size, typ = struct.unpack(">I4s", d[i:i + 8])
        hdr = 8
        if size == 1:
            size = struct.unpack(">Q", d[i + 8:i + 16])[0]
            hdr = 16
        elif size == 0:
            size = end - i
        if size < hdr or i + size > end:
            return
        yield typ, i, i + hdr, i + size
        i += size


def _heif_ispe(data, factor, grid_only):
    """Every ispe made @factor times larger; with @grid_only, just the
    primary grid's (the ispe of its size) and the grid descriptor in idat,
    so that its tiles no longer cover it."""
    d = bytearray(data)
    grid = None
    ispes = []
    for typ, _, body, end in _boxes(d, 0, len(d)):
        if typ != b"meta":
            continue
        for t2, _, b2, e2 in _boxes(d, body + 4, end):
            if t2 == b"iprp":
                for t3, _, b3, e3 in _boxes(d, b2, e2):
                    if t3 == b"ipco":
                        ispes += [b4 for t4, _, b4, _ in _boxes(d, b3, e3)
                                  if t4 == b"ispe"]
            if t2 == b"idat" and e2 - b2 == 8 and d[b2] == 0:
                grid = b2  # ImageGrid: version, flags, rows-1, cols-1, w, h
    if grid_only and grid is None:
        return None
    done = False
    for b4 in ispes:
        w, h = struct.unpack(">II", d[b4 + 4:b4 + 12])
        if grid_only and (w, h) != struct.unpack(">HH", d[grid + 4:grid + 8]):
            continue
        struct.pack_into(">II", d, b4 + 4, w * factor, h * factor)
        done = True
    if grid_only:
        w, h = struct.unpack(">HH", d[grid + 4:grid + 8])
        struct.pack_into(">HH", d, grid + 4, min(65535, w * factor),
                         min(65535, h * factor))
    return bytes(d) if done else None


def _png_ihdr(data, factor):
    d = bytearray(data)
    if d[12:16] != b"IHDR":
        return None
    w, h = struct.unpack(">II", d[16:24])
    struct.pack_into(">II", d, 16, w * factor, h * factor)
    struct.pack_into(">I", d, 29, zlib.crc32(bytes(d[12:29])))
    return bytes(d)


def _webp_size(data, factor):
    d = bytearray(data)
    done = False
    i = 12
    while i + 8 <= len(d):
        typ = bytes(d[i:i + 4])
        n = struct.unpack("<I", d[i + 4:i + 8])[0]
        b = i + 8
        if typ == b"VP8X":
            w = 1 + int.from_bytes(d[b + 4:b + 7], "little")
            h = 1 + int.from_bytes(d[b + 7:b + 10], "little")
            d[b + 4:b + 7] = (w * factor - 1).to_bytes(3, "little")
            d[b + 7:b + 10] = (h * factor - 1).to_bytes(3, "little")
            done = True
        elif typ == b"VP8 " and d[b + 3:b + 6] == b"\x9d\x01\x2a":
            w, h = struct.unpack("<HH", d[b + 6:b + 10])
            w = min(16383, (w & 0x3FFF) * factor) | (w & 0xC000)
            h = min(16383, (h & 0x3FFF) * factor) | (h & 0xC000)
            struct.pack_into("<HH", d, b + 6, w, h)
            done = True
        i = b + n + (n & 1)
    return bytes(d) if done else None


def _tiff_size(data, factor):
    d = bytearray(data)
    e = "<" if d[:2] == b"II" else ">"
    ifd = struct.unpack(e + "I", d[4:8])[0]
    n = struct.unpack(e + "H", d[ifd:ifd + 2])[0]
    done = False
    for k in range(n):
        o = ifd + 2 + 12 * k
        tag, typ, cnt = struct.unpack(e + "HHI", d[o:o + 8])
        if tag in (256, 257) and cnt == 1:
            if typ == 3:
                v = struct.unpack(e + "H", d[o + 8:o + 10])[0]
                struct.pack_into(e + "H", d, o + 8, min(65535, v * factor))
            else:
                v = struct.unpack(e + "I", d[o + 8:o + 12])[0]
                struct.pack_into(e + "I", d, o + 8, v * factor)
            done = True
    return bytes(d) if done else None


def inflated(fmt, data):
    """[(name, bytes)] of the size-inflating mutants of @data."""
    out = []
    if fmt == "jpeg":
        out = [("sof-x2", _jpeg_sof(data, 2)), ("sof-x8", _jpeg_sof(data, 8)),
               ("sof-huge", _jpeg_sof(data, "huge"))]
    elif fmt in ("heic", "avif"):
        out = [("ispe-x2", _heif_ispe(data, 2, False)),
               ("ispe-grid-x2", _heif_ispe(data, 2, True))]
    elif fmt == "png":
        out = [("ihdr-x2", _png_ihdr(data, 2)), ("ihdr-x8", _png_ihdr(data, 8))]
    elif fmt == "webp":
        out = [("size-x2", _webp_size(data, 2))]
    elif fmt == "tiff":
        out = [("size-x2", _tiff_size(data, 2))]
    seen = set()
    res = []
    for name, b in out:
        if b is not None and b != data and b not in seen:
            seen.add(b)
            res.append((name, b))
    return res


def flipped(data, seed, density):
    """@data with round(density * len) (at least 1) random bits flipped past
    its first 10%."""
    r = random.Random(seed)
    d = bytearray(data)
    lo = len(d) // 10
    for _ in range(max(1, round(density * len(d)))):
        d[r.randrange(lo, len(d))] ^= 1 << r.randrange(8)
    return bytes(d)


def mutants(fmt, data, seeds=2, tag=""):
    """[(name, bytes)]: the whole seeded corpus of one base photo."""
    out = []
    for dname, dens in DENSITIES:
        for s in range(seeds):
            out.append(("flip-%s-%d" % (dname, s),
                        flipped(data, "%s%s-%s-%d" % (fmt, tag, dname, s),
                                dens)))
    for f in TRUNCATE_AT:
        out.append(("cut-%02d" % round(f * 100), data[:int(len(data) * f)]))
    out += inflated(fmt, data)
    return out


def write_corpus(fmt, base, outdir, seeds=2):
    """Writes the mutants of @base into @outdir; returns their paths."""
    data = open(base, "rb").read()
    stem = os.path.splitext(os.path.basename(base))[0]
    paths = []
    for name, b in mutants(fmt, data, seeds, stem):
        p = os.path.join(outdir, "%s.%s.%s" % (stem, name, EXT[fmt]))
        with open(p, "wb") as f:
            f.write(b)
        paths.append(p)
    return paths


# ---- the check: refused, or within PSNR_DB of the clean photo's output ----

PSNR_DB = 35.0
PRESET = "bluesky"  # the whole photo, uncropped: damage anywhere shows


def psnr(a, b, tmp):
    """PSNR in dB between two 8-bit images of one size (the vips CLI as
    the judge); None when their sizes differ."""
    def size(p):
        r = subprocess.run(["vipsheader", "-f", "width", p], capture_output=True,
                           text=True, check=True).stdout.strip()
        r2 = subprocess.run(["vipsheader", "-f", "height", p],
                            capture_output=True, text=True,
                            check=True).stdout.strip()
        return int(r), int(r2)
    if size(a) != size(b):
        return None
    diff = os.path.join(tmp, "diff.v")
    subprocess.run(["vips", "subtract", a, b, diff], check=True,
                   capture_output=True)
    st = subprocess.run(["vips", "stats", diff, os.path.join(tmp, "st.csv")],
                        check=True, capture_output=True)
    rows = open(os.path.join(tmp, "st.csv")).read().split("\n")
    # row 0 is all bands: min max sum sum2 mean sigma ... (after a header)
    vals = [float(v) for v in rows[1].split()]
    w, h = size(a)
    bands = len([r for r in rows[2:] if r.strip()])
    mse = vals[3] / (w * h * bands)
    return 99.0 if mse == 0 else 10 * __import__("math").log10(255 ** 2 / mse)


def prep(attache, env, outdir, photos, jobs=2):
    """{input: json line} of one batch run."""
    import json
    p = subprocess.run([attache, "prep", "--json", "-j", str(jobs), "-p",
                        PRESET, "-o", outdir] + photos, capture_output=True,
                       text=True, env=env, timeout=1800)
    if p.returncode not in (0, 1):
        raise AssertionError("attache prep exited %d (a crash?)\n%s" %
                             (p.returncode, p.stderr[-3000:]))
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    return {l["input"]: l for l in lines}, p


def check(fmt, base, work, attache, env, seeds=2):
    """Runs the corpus of @base; returns (refused, harmless, bad, total)
    where bad lists (mutant, why) of outputs that differ by more than
    PSNR_DB from the clean output. The clean photo must go through."""
    clean_out = os.path.join(work, "clean")
    got, p = prep(attache, env, clean_out, [base])
    if got[base]["error"]:
        raise AssertionError("the clean %s photo is refused: %s" %
                             (fmt, got[base]["error"]))
    clean = got[base]["output"]
    mdir = os.path.join(work, "mutants")
    os.makedirs(mdir, exist_ok=True)
    paths = write_corpus(fmt, base, mdir, seeds)
    got, p = prep(attache, env, os.path.join(work, "out"), paths)
    refused, harmless, bad = 0, 0, []
    for m in paths:
        line = got.get(m)
        name = os.path.basename(m)
        if line is None:
            bad.append((name, "no JSON line"))
        elif line["error"]:
            if m not in line["error"]:
                bad.append((name, "error does not name the file: " +
                            line["error"]))
            refused += 1
        else:
            db = psnr(clean, line["output"], work)
            if db is not None and db >= PSNR_DB:
                harmless += 1
            else:
                bad.append((name, "published, %s" % (
                    "size %dx%d" % (line["width"], line["height"])
                    if db is None else "%.1f dB from the clean output" % db)))
    return refused, harmless, bad, len(paths)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--all-phone", action="store_true",
                    help="every phone JPEG and HEIC as a base too")
    ap.add_argument("--check", metavar="ATTACHE",
                    help="run each corpus through this attache and report")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    n, failed = 0, 0
    env = dict(os.environ, LC_ALL="C.UTF-8",
               ATTACHE_PRESET_DIR=os.path.join(HERE, "..", "presets"))
    for fmt in FORMATS:
        d = os.path.join(a.outdir, fmt)
        os.makedirs(d, exist_ok=True)
        bases = [make_base(fmt, d)]
        if a.all_phone:
            ext = {"jpeg": ".jpg", "heic": ".heic"}.get(fmt)
            if ext:
                bases = [os.path.join(PHONE, f)
                         for f in sorted(os.listdir(PHONE))
                         if f.endswith(ext) and "truncated" not in f]
        for b in bases:
            if not a.check:
                n += len(write_corpus(fmt, b, d, a.seeds))
                continue
            work = os.path.join(d, os.path.splitext(os.path.basename(b))[0])
            os.makedirs(work, exist_ok=True)
            refused, harmless, bad, total = check(fmt, b, work, a.check, env,
                                                  a.seeds)
            n += total
            failed += len(bad)
            print("%-4s %-52s %3d/%3d refused, %3d within %.0f dB, %d bad" %
                  (fmt, os.path.basename(b), refused, total, harmless,
                   PSNR_DB, len(bad)), flush=True)
            for m, why in bad:
                print("     %s: %s" % (m, why))
    print("%d mutants, %d published damaged" % (n, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
