"""attache audit: the independent reader, against exiftool on real photos,
and the command's exit codes, --keep and --json (docs/audit.md)."""
import os
import re
import subprocess

import lib
import privacy

# exiftool family-1 group -> the XMP prefix the audit names
XMP_PREFIX = {"XMP-exif": "exif", "XMP-photoshop": "photoshop",
              "XMP-iptcCore": "Iptc4xmpCore", "XMP-iptcExt": "Iptc4xmpExt",
              "XMP-aux": "aux", "XMP-exifEX": "exifEX", "XMP-dc": "dc",
              "XMP-GCamera": "GCamera", "XMP-tiff": "tiff"}


def expected_findings(tags):
    """(kind or None, text the audit's "where" must contain) for every
    location, identity, free-text and thumbnail tag exiftool lists."""
    exp = set()
    for key, value in tags.items():
        f0, f1, t = privacy.split_key(key)
        if f1 == "GPS":
            exp.add(("gps", "EXIF GPS IFD: " + t))
        elif f1 == "IFD1":
            exp.add(("thumbnail", "EXIF IFD1 thumbnail"))
        elif f0 == "MakerNotes":
            if "OwnerName" in t:
                exp.add(("owner", "MakerNote: " + t))
            else:
                exp.add(("makernote", "MakerNote"))
        elif f1 == "IPTC":
            exp.add((None, " " + t))
        elif f1 == "Photoshop" and t == "PhotoshopThumbnail":
            exp.add(("thumbnail", "Photoshop IRB 0x040c thumbnail"))
        elif f1 == "Photoshop":
            exp.add(("iptc", "Photoshop IRB"))
        elif f1 in ("IFD0", "ExifIFD"):
            name = {"SerialNumber": "BodySerialNumber",
                    "OwnerName": "CameraOwnerName"}.get(t, t)
            if t in ("SerialNumber", "LensSerialNumber", "ImageUniqueID"):
                exp.add(("serial", name))
            elif t in ("OwnerName", "XPAuthor"):
                exp.add(("owner", name))
            elif t in ("UserComment", "ImageDescription", "XPComment",
                       "XPKeywords", "XPSubject", "XPTitle"):
                exp.add(("freetext", name))
        elif f0 == "XMP" and f1 in XMP_PREFIX:
            px = XMP_PREFIX[f1]
            m = re.match(r"(Location(Created|Shown))", t)
            kind = None
            if m:
                kind = "place"
            elif t.startswith("GPS"):
                kind = "gps"
            elif (px, t) in (("photoshop", "City"), ("photoshop", "State"),
                             ("photoshop", "Country"),
                             ("Iptc4xmpCore", "Location"),
                             ("Iptc4xmpCore", "CountryCode")):
                kind = "place"
            elif "SerialNumber" in t:
                kind = "serial"
            elif "OwnerName" in t:
                kind = "owner"
            elif px == "dc" and t in ("Title", "Description", "Subject"):
                kind = "freetext"
            elif t == "HdrPlusMakernote":
                kind = "makernote"
            if kind:
                name = m.group(1) if m else t
                exp.add((kind, ("XMP %s:%s" % (px, name)).lower()))
        elif f1.startswith("MPImage") and f1 != "MPImage1":
            exp.add(("thumbnail", "MPF"))
        elif key == "File:File:Comment" or (f0 == "File" and t == "Comment"):
            exp.add(("freetext", "JPEG COM"))
    return exp


def test_audit_finds_what_exiftool_finds_on_phone_photos():
    photos = lib.phone_photos()
    tags = privacy.exiftool(photos)
    checked = 0
    for photo in photos:
        rc, objs, err = privacy.audit([photo])
        lib.assert_eq(rc, 1, "%s: audit exit status" % photo)
        findings = objs[0]["findings"]
        for kind, needle in sorted(expected_findings(tags[photo]),
                                   key=str):
            checked += 1
            if not any((kind is None or f["kind"] == kind) and
                       needle.lower() in f["where"].lower()
                       for f in findings):
                raise AssertionError("%s: exiftool lists %s (%s); the audit "
                                     "does not" % (photo, needle, kind))
        # kind by kind, both ways (exiftool does not list HEIF thumbnail
        # items or vendor trailers: thumbnails are checked one way)
        mine = {f["kind"] for f in findings} & \
            (privacy.COMPARED - {"other"})
        theirs = privacy.exiftool_kinds(tags[photo])
        lib.assert_eq(sorted(mine - {"thumbnail"}),
                      sorted(theirs - {"thumbnail"}), photo + ": kinds")
        if "thumbnail" in theirs and "thumbnail" not in mine:
            raise AssertionError(photo + ": exiftool lists a thumbnail")
    assert checked > 150, checked


def test_audit_exit_codes():
    photos = lib.phone_photos()
    with lib.TempDir() as tmp:
        clean = os.path.join(tmp, "clean.jpg")
        subprocess.run(["vips", "black", clean + "[strip]", "64", "48"],
                       check=True)
        text = os.path.join(tmp, "notes.jpg")
        with open(text, "w") as f:
            f.write("not an image\n")
        empty = os.path.join(tmp, "empty.png")
        open(empty, "w").close()

        lib.run("audit", clean, check=0)
        lib.run("audit", photos[0], check=1)
        lib.run("audit", clean, photos[0], check=1)
        for bad in (text, empty, os.path.join(tmp, "missing.jpg")):
            p = lib.run("audit", clean, bad, check=2)
            assert bad in p.stderr, p.stderr
        # unreadable wins over findings
        lib.run("audit", photos[0], text, check=2)
        lib.run("audit", "--keep", "nonsense", clean, check=2)
        lib.run("audit", check=2)


def test_audit_keep_counts_only_what_the_policy_drops():
    with lib.TempDir() as tmp:
        d = privacy.fixtures()
        credit = os.path.join(d, "hidden", "jpeg-credit.jpg")
        # credit is allowed by default; Make/Model (camera) and
        # DateTimeOriginal (datetime) are not
        rc, objs, _ = privacy.audit([credit])
        lib.assert_eq(rc, 1, "default keep")
        lib.assert_eq(sorted(objs[0]["kinds"]), ["camera", "datetime"],
                      "counted kinds")
        for f in objs[0]["findings"]:
            lib.assert_eq(f["counts"], f["kind"] not in
                          ("credit", "xmp", "alt-text", "icc"), f["where"])
        rc, objs, _ = privacy.audit([credit], "--keep",
                                    "credit,camera,datetime")
        lib.assert_eq((rc, objs[0]["status"]), (0, "clean"), "keep all")
        rc, objs, _ = privacy.audit([credit], "--keep", "none",)
        lib.assert_eq(rc, 1, "keep none")
        assert "credit" in objs[0]["kinds"], objs[0]["kinds"]


def test_audit_json_lines():
    photos = lib.phone_photos()
    with lib.TempDir() as tmp:
        text = os.path.join(tmp, "x.png")
        with open(text, "w") as f:
            f.write("nope")
        rc, objs, _ = privacy.audit([photos[0], text])
        lib.assert_eq(rc, 2, "exit status")
        lib.assert_eq(len(objs), 2, "one line per file")
        a, b = objs
        lib.assert_eq((a["file"], a["status"], b["file"], b["status"]),
                      (photos[0], "findings", text, "unreadable"), "status")
        assert a["format"] in ("jpeg", "heif"), a
        assert a["error"] is None and text in b["error"], b
        lib.assert_eq(b["findings"], [], "no findings when unreadable")
        for f in a["findings"]:
            assert set(f) == {"kind", "where", "value", "counts"}, f


def test_audit_human_output_names_kind_and_place():
    photos = [p for p in lib.phone_photos() if "canon-eos-600d" in p]
    if not photos:
        lib.skip("canon-eos-600d photo absent")
    p = lib.run("audit", photos[0], check=1)
    lines = p.stdout.splitlines()
    assert lines[0].startswith(photos[0] + ": jpeg, "), lines[0]
    for want in ("gps        EXIF GPS IFD: GPSLatitude",
                 "place      XMP photoshop:City = Berkeley",
                 "place      Photoshop IRB 0x0404 IPTC-NAA > IPTC 2:90 City",
                 "thumbnail  EXIF IFD1 thumbnail",
                 "credit     EXIF IFD0: Artist = Patrik  (allowed)"):
        assert any(l.strip().startswith(want) for l in lines), want
