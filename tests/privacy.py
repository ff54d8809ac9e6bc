"""Helpers for the location-privacy tests (test_audit.py, test_privacy.py).

exiftool is the independent judge: what it reports is mapped to kinds here
by its own tag names and groups, never by asking attache."""
import fcntl
import glob
import json
import os
import shutil
import struct
import subprocess

import lib

GEN = os.path.join(lib.BUILD, "tests", "gen-privacy")

# The kinds prep reports as removed that the tests compare exactly.
FORBIDDEN = {"gps", "place", "serial", "owner", "makernote", "thumbnail",
             "freetext", "iptc", "other"}
COMPARED = FORBIDDEN | {"xmp"}

PLACE_TAGS = {"City", "Sub-location", "Province-State", "State", "Country",
              "Country-PrimaryLocationCode", "Country-PrimaryLocationName",
              "CountryCode", "Location", "ContentLocationName",
              "ContentLocationCode", "Sublocation"}
TEXT_TAGS = {"Comment", "UserComment", "ImageDescription", "XPComment",
             "XPKeywords", "XPSubject", "XPTitle", "Caption-Abstract",
             "Keywords", "ObjectName", "Headline", "Title", "Description",
             "Subject", "HierarchicalSubject", "RegionName", "Title-en"}


def split_key(key):
    """exiftool -G0:1 JSON key -> (family 0, family 1, tag)."""
    parts = key.split(":")
    if len(parts) == 2:          # family 0 and 1 alike ("IPTC:City")
        return parts[0], parts[0], parts[1]
    if len(parts) == 3:
        return tuple(parts)
    return "", "", key


def exiftool(paths):
    """{path: {key: value}} from one `exiftool -j -a -G0:1 -s -u` run."""
    if not paths:
        return {}
    out = subprocess.run(["exiftool", "-j", "-a", "-G0:1", "-s", "-u"] +
                         list(paths), capture_output=True, text=True,
                         timeout=600).stdout
    return {os.path.abspath(o["SourceFile"]): o for o in json.loads(out)}


def exiftool_kinds(tags):
    """The kinds a file's exiftool tags reveal."""
    k = set()
    for key, v in tags.items():
        f0, f1, t = split_key(key)
        if t == "Warning" and "MakerNotes" in str(v):
            k.add("makernote")
        if f1 == "GPS" or (f0 == "XMP" and "GPS" in t):
            k.add("gps")
        if f0 == "MakerNotes" or t.startswith("MakerNote") or \
                t == "HdrPlusMakernote":
            k.add("makernote")
        if f1 in ("IPTC", "Photoshop"):
            k.add("iptc")
        if f0 == "XMP":
            k.add("xmp")
        if f1 == "IFD1" or t in ("PhotoshopThumbnail", "ThumbnailImage",
                                 "PreviewImage") or \
                (f1.startswith("MPImage") and f1 != "MPImage1"):
            k.add("thumbnail")
        if t in PLACE_TAGS or t.startswith("LocationCreated") or \
                t.startswith("LocationShown"):
            k.add("place")
        if "SerialNumber" in t or t == "ImageUniqueID":
            k.add("serial")
        if "OwnerName" in t or t == "XPAuthor":
            k.add("owner")
        if t in TEXT_TAGS:
            k.add("freetext")
    return k


def forbidden_tags(tags):
    """exiftool tags an output must never carry: GPS, place, serial,
    owner, MakerNote, thumbnail or comment (and IPTC/Photoshop)."""
    bad = []
    for key in tags:
        if key == "SourceFile":
            continue
        f0, f1, t = split_key(key)
        if f0 in ("File", "System", "ExifTool") and t not in TEXT_TAGS:
            continue
        if (f1 == "GPS" or t.startswith("GPS") or f0 == "MakerNotes" or
                t.startswith("MakerNote") or f1 == "IFD1" or
                "Thumbnail" in t or "Preview" in t or
                f1.startswith("MPImage") or t in PLACE_TAGS or
                t.startswith("Location") or "SerialNumber" in t or
                t == "ImageUniqueID" or "OwnerName" in t or
                t == "XPAuthor" or t in TEXT_TAGS or
                f1 in ("IPTC", "Photoshop")):
            bad.append(key)
    return bad


PNG_STRUCT = {"ImageWidth", "ImageHeight", "BitDepth", "ColorType",
              "Compression", "Filter", "Interlace", "Palette", "Gamma",
              "SRGBRendering", "PixelsPerUnitX", "PixelsPerUnitY",
              "PixelUnits", "Transparency", "BackgroundColor"}
RIFF_STRUCT = {"WebP_Flags", "ImageWidth", "ImageHeight", "VP8Version",
               "HorizontalScale", "VerticalScale", "AlphaPreprocessing",
               "AlphaFiltering", "AlphaCompression", "VP8L_Version",
               "HasAlpha"}
CAMERA = {"Make", "Model", "ExposureTime", "FNumber", "ExposureProgram",
          "ISO", "ShutterSpeedValue", "ApertureValue",
          "ExposureCompensation", "MeteringMode", "Flash", "FocalLength",
          "FocalLengthIn35mmFormat", "WhiteBalance", "ExposureMode"}


def not_whitelisted(tags, keep=("credit",)):
    """Tags outside what the policy may write: the image structure, the
    alt text, and per --keep credit / datetime / camera."""
    allowed = {"XMP:XMP-iptcCore:AltTextAccessibility",
               "XMP:XMP-iptcCore:ExtDescrAccessibility"}
    if "credit" in keep:
        allowed |= {"EXIF:IFD0:Artist", "EXIF:IFD0:Copyright",
                    "XMP:XMP-dc:Creator", "XMP:XMP-dc:Rights"}
    if "datetime" in keep:
        allowed |= {"EXIF:ExifIFD:DateTimeOriginal"}
    if "camera" in keep:
        allowed |= {"EXIF:IFD0:" + t for t in CAMERA} | \
            {"EXIF:ExifIFD:" + t for t in CAMERA}
    bad = []
    for key in tags:
        if key == "SourceFile" or key in allowed:
            continue
        f0, f1, t = split_key(key)
        if f0 in ("File", "System", "Composite") or \
                (f0 == "ExifTool" and t != "Warning"):
            continue
        if f0 == "PNG" and (t in PNG_STRUCT or f1 == "PNG-pHYs"):
            continue
        if f0 == "RIFF" and t in RIFF_STRUCT:
            continue
        if f0 == "JFIF":
            continue
        bad.append("%s=%r" % (key, tags[key]))
    return bad


def audit(paths, *args):
    """attache audit --json PATHS: (exit status, [objects])."""
    p = lib.run("audit", "--json", *args, *paths)
    return p.returncode, lib.json_lines(p.stdout), p.stderr


def fixtures():
    """The generated fixtures (tests/gen/gen-privacy.c), made once per
    generator build and shared by the tests (a lock: they run at once)."""
    st = os.stat(GEN)
    key = "%d-%d" % (st.st_mtime_ns, st.st_size)
    os.makedirs(lib.TMP_ROOT, exist_ok=True)
    d = os.path.join(lib.TMP_ROOT, "privacy-fixtures-" + key)
    with open(os.path.join(lib.TMP_ROOT, "privacy-fixtures.lock"), "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        if not os.path.exists(os.path.join(d, ".done")):
            for old in glob.glob(os.path.join(lib.TMP_ROOT,
                                              "privacy-fixtures-*")):
                shutil.rmtree(old, ignore_errors=True)
            subprocess.run([GEN, d], check=True, capture_output=True,
                           timeout=600)
            open(os.path.join(d, ".done"), "w").close()
    return d


def hidden_list(d):
    """[(file, kinds, [(kind, where)], artist bytes, copyright bytes)]"""
    rows = []
    for line in open(os.path.join(d, "hidden.tsv")):
        name, kinds, needles, a, c = line.rstrip("\n").split("\t")
        rows.append((os.path.join(d, "hidden", name), set(kinds.split(",")),
                     [tuple(n.split("=", 1)) for n in needles.split("|")],
                     None if a == "-" else bytes.fromhex(a),
                     None if c == "-" else bytes.fromhex(c)))
    return rows


def malformed_list(d):
    return [(os.path.join(d, "malformed", l.split("\t")[0]),
             l.rstrip("\n").split("\t")[1])
            for l in open(os.path.join(d, "malformed.tsv"))]


SHAPES = [("wide", 480, 270, "cover"), ("square", 320, 320, "cover"),
          ("inside", 400, 400, "inside")]


def presets(folder, formats=("jpeg", "png", "webp")):
    """Three shapes in each format, in @folder (for --preset-dir).
    Returns the preset names."""
    os.makedirs(folder, exist_ok=True)
    names = []
    for shape, w, h, mode in SHAPES:
        for fmt in formats:
            name = "t-%s-%s" % (shape, fmt)
            with open(os.path.join(folder, name + ".ini"), "w") as f:
                f.write("[preset]\ndescription=test %s %s\nplatform=test\n"
                        "[fit]\nwidth=%d\nheight=%d\nmode=%s\n"
                        "[encode]\nformat=%s\nmax-bytes=4000000\n" %
                        (shape, fmt, w, h, mode, fmt))
            names.append(name)
    return names


def prep(inputs, out, preset_dir, names, *args):
    """attache prep --json: (exit status, {input: [output objects]}, stderr)"""
    p = lib.run("prep", "--json", "-j", "2", "-o", out, "--preset-dir",
                preset_dir, "-p", ",".join(names), *args, *inputs)
    by_input = {}
    for o in lib.json_lines(p.stdout):
        by_input.setdefault(o["input"], []).append(o)
    return p.returncode, by_input, p.stderr


def exif_ifd0(path):
    """{tag: raw value bytes} of IFD0 of the EXIF block in a JPEG, PNG or
    WebP output, read here with struct (a third reader)."""
    b = open(path, "rb").read()
    tiff = None
    if b[:2] == b"\xff\xd8":
        pos = 2
        while pos + 4 <= len(b) and b[pos] == 0xFF and b[pos + 1] != 0xDA:
            n = struct.unpack(">H", b[pos + 2:pos + 4])[0]
            seg = b[pos + 4:pos + 2 + n]
            if b[pos + 1] == 0xE1 and seg[:6] == b"Exif\0\0":
                tiff = seg[6:]
                break
            pos += 2 + n
    elif b[:8] == b"\x89PNG\r\n\x1a\n":
        pos = 8
        while pos + 8 <= len(b):
            n, t = struct.unpack(">I4s", b[pos:pos + 8])
            if t == b"eXIf":
                tiff = b[pos + 8:pos + 8 + n]
                break
            pos += 12 + n
    elif b[:4] == b"RIFF":
        pos = 12
        while pos + 8 <= len(b):
            t, n = struct.unpack("<4sI", b[pos:pos + 8])
            if t == b"EXIF":
                tiff = b[pos + 8:pos + 8 + n]
                if tiff[:6] == b"Exif\0\0":
                    tiff = tiff[6:]
                break
            pos += 8 + n + (n & 1)
    if not tiff:
        return {}
    e = "<" if tiff[:2] == b"II" else ">"
    off = struct.unpack(e + "I", tiff[4:8])[0]
    count = struct.unpack(e + "H", tiff[off:off + 2])[0]
    sizes = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8}
    out = {}
    for i in range(count):
        ent = tiff[off + 2 + 12 * i:off + 14 + 12 * i]
        tag, typ, n = struct.unpack(e + "HHI", ent[:8])
        size = sizes.get(typ, 1) * n
        if size <= 4:
            out[tag] = ent[8:8 + size]
        else:
            at = struct.unpack(e + "I", ent[8:12])[0]
            out[tag] = tiff[at:at + size]
    return out
