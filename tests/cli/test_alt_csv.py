"""The alt-text CSV as spreadsheets write it (issue 13, section 5): `;`
as well as `,`, rows for photos of other runs as one count, likely typos
named, and UTF-16 or Windows-1252 files refused with what to do. Real
phone photos; exiftool reads the alt text back."""
import os
import shutil

import lib

CITY = "canon-eos-600d_gps_xmp-iptc-city.jpg"
NOKIA = "nokia-n70_iptc-city_thumb.jpg"


def phone(d, name):
    """A copy of the real phone photo @name in @d (in the test's temp
    folder, never in the repository)."""
    lib.phone_photos()
    return shutil.copy(os.path.join(lib.PHONE, name), os.path.join(d, name))


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def xmp_alt(path):
    tags = lib.exiftool(path, "-XMP-iptcCore:all")
    return {k.split(":", 1)[1]: v for k, v in tags.items()
            if "AltTextAccessibility" in k}


def test_semicolon_csv_from_a_french_excel():
    with lib.TempDir() as d:
        a = phone(d, CITY)
        b = phone(d, NOKIA)
        # Excel in French: ';' between fields, ',' inside the alt text, CRLF
        m = write(os.path.join(d, "alt.csv"),
                  "\ufefffile;lang;alt\r\n"
                  "%s;fr;Deux bénévoles, à l'aube; sur la route\r\n"
                  % CITY.replace(".jpg", "") +
                  "%s;;\"Un marché; des fruits, des légumes\"\r\n" % NOKIA)
        # the first row's text holds a ';': only quoted is it one field
        r = lib.run("prep", "--alt-manifest", m, "-o",
                    os.path.join(d, "out"), "--json", a, b)
        lib.assert_eq(r.returncode, 2, r.stderr)
        assert m + ":2: 4 fields, expected 3 (file;lang;alt" in r.stderr, \
            r.stderr
        write(m, "file;lang;alt\r\n"
                 "%s;fr;\"Deux bénévoles, à l'aube; sur la route\"\r\n"
                 % CITY.replace(".jpg", "") +
                 "%s;;\"Un marché; des fruits, des légumes\"\r\n" % NOKIA)
        r = lib.run("prep", "--alt-manifest", m, "-o",
                    os.path.join(d, "out"), "--json", a, b, check=0)
        res = {os.path.basename(o["input"]): o
               for o in lib.json_lines(r.stdout)}
        lib.assert_eq(res[CITY]["alt"]["fr"],
                      "Deux bénévoles, à l'aube; sur la route", "fr")
        lib.assert_eq(xmp_alt(res[NOKIA]["output"]),
                      {"AltTextAccessibility":
                       "Un marché; des fruits, des légumes"}, "exiftool")
        assert xmp_alt(res[CITY]["output"])["AltTextAccessibility-fr"] == \
            "Deux bénévoles, à l'aube; sur la route"


def test_comma_header_with_semicolons_in_text_stays_comma():
    with lib.TempDir() as d:
        a = phone(d, NOKIA)
        m = write(os.path.join(d, "alt.csv"),
                  "file,lang,alt\n%s,en,\"A market; fruit; vegetables\"\n"
                  % NOKIA)
        r = lib.run("prep", "--alt-manifest", m, "-o",
                    os.path.join(d, "out"), "--json", a, check=0)
        lib.assert_eq(lib.json_lines(r.stdout)[0]["alt"]["en"],
                      "A market; fruit; vegetables", "comma CSV")


def test_rows_of_other_runs_are_one_count_typos_are_named():
    with lib.TempDir() as d:
        a = phone(d, CITY)
        b = phone(d, NOKIA)
        rows = ["file,lang,alt"]
        rows += ["IMG_%04d.jpg,en,Photo number %d of the day" % (i, i)
                 for i in range(40)]
        # one letter off the Nokia's stem, two off the Canon's file name
        rows.append("nokia-n70_iptc-city_thumbs,fr,Un marché à l'aube")
        rows.append("canon-eos-600d_gps_xmp-iptc-cty.jp,en,A street")
        rows.append("%s,en,A market at dawn" % NOKIA)
        m = write(os.path.join(d, "alt.csv"), "\n".join(rows) + "\n")
        r = lib.run("prep", "--alt-manifest", m, "-o",
                    os.path.join(d, "out"), a, b, check=0)
        err = r.stderr
        assert "IMG_0001" not in err, err
        assert "40 rows are for photos not in this run" in err, err
        lib.assert_eq(err.count("not in this run"), 1, err)
        assert ('"nokia-n70_iptc-city_thumbs", which is not among the photos '
                'given: did you mean "nokia-n70_iptc-city_thumb"?') in err, err
        assert ('"canon-eos-600d_gps_xmp-iptc-cty.jp", which is not among '
                'the photos given: did you mean "%s"?' % CITY) in err, err


def test_utf16_and_windows_1252_are_refused_naming_the_file():
    text = "file,lang,alt\n%s,fr,Un marché à Budapest\n" % NOKIA
    cases = {
        "utf16le-bom.csv": b"\xff\xfe" + text.encode("utf-16-le"),
        "utf16be-bom.csv": b"\xfe\xff" + text.encode("utf-16-be"),
        "utf16le-nobom.csv": text.encode("utf-16-le"),
        "cp1252.csv": text.encode("cp1252"),
    }
    with lib.TempDir() as d:
        a = phone(d, NOKIA)
        for name, data in cases.items():
            m = write(os.path.join(d, name), data)
            out = os.path.join(d, "out-" + name)
            r = lib.run("prep", "--alt-manifest", m, "-o", out, a)
            lib.assert_eq(r.returncode, 2, name + r.stderr)
            assert m + ":" in r.stderr, (name, r.stderr)
            assert "save it as CSV UTF-8" in r.stderr, (name, r.stderr)
            assert ("UTF-16" in r.stderr) == name.startswith("utf16"), \
                r.stderr
            if name == "cp1252.csv":
                assert m + ":2:" in r.stderr, r.stderr
            assert not os.path.exists(out), name
