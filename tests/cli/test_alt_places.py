"""Alt text that names the place the photo's metadata named (issue 13,
section 5): the GPS and the IPTC/XMP place names are removed, but alt text
written from the caption would still say where. Real phone photos with
IPTC and XMP City/State/Country; exiftool is the oracle for what the
original said and what the output no longer carries."""
import os

import lib

CANON = "canon-eos-600d_gps_xmp-iptc-city.jpg"  # Berkeley, California, US
NOKIA = "nokia-n70_iptc-city_thumb.jpg"          # Budapest, Hungary (IPTC)


def prep(d, photo, *alt, out="out"):
    lib.phone_photos()
    r = lib.run("prep", "-p", "x-square", "--json", "-o",
                os.path.join(d, out), os.path.join(lib.PHONE, photo), *alt,
                check=0)
    return lib.json_lines(r.stdout)[0], r.stderr


def test_the_photos_name_these_places():
    lib.phone_photos()
    tags = lib.exiftool(os.path.join(lib.PHONE, CANON))
    lib.assert_eq((tags["IPTC:City"], tags["XMP-photoshop:State"]),
                  ("Berkeley", "California"), "exiftool on the original")
    tags = lib.exiftool(os.path.join(lib.PHONE, NOKIA))
    lib.assert_eq((tags["IPTC:City"], tags["IPTC:Country-PrimaryLocationName"]),
                  ("Budapest", "Hungary"), "exiftool on the original")


def test_alt_naming_the_city_is_flagged_and_warned():
    with lib.TempDir() as d:
        # casefolded and NFKC: "ＢＥＲＫＥＬＥＹ" (full width) is Berkeley
        o, err = prep(d, CANON, "--alt",
                      "Volunteers hand out water in downtown ＢＥＲＫＥＬＥＹ")
        assert "alt-names-place" in o["flags"], o["flags"]
        assert any('names "Berkeley"' in w for w in o["warnings"]), o
        assert 'alt text (x-default) names "Berkeley"' in err, err
        # the output itself carries no place name: exiftool finds none
        tags = lib.exiftool(o["output"])
        assert not any(k.endswith((":City", ":State", ":Country"))
                       for k in tags), tags


def test_each_language_and_the_state_and_country():
    with lib.TempDir() as d:
        m = os.path.join(d, "alt.csv")
        with open(m, "w", encoding="utf-8") as f:
            f.write("file,lang,alt\n"
                    "%s,en,Two volunteers unload a van\n"
                    "%s,fr,Deux bénévoles en Hongrie près du marché\n"
                    "%s,es,Dos voluntarias cerca de Hungary Street\n"
                    % (NOKIA, NOKIA, NOKIA))
        o, err = prep(d, NOKIA, "--alt-manifest", m)
        assert "alt-names-place" in o["flags"], o["flags"]
        # "Hongrie" is French for Hungary, but only what the metadata says
        # is looked for: the Spanish text names "Hungary" as written
        assert 'alt text (es) names "Hungary"' in err, err
        assert "alt text (fr)" not in err and "alt text (en)" not in err, err
        o, err = prep(d, CANON, "--alt", "A street market in california",
                      out="out2")
        assert 'names "California"' in err, err


def test_whole_words_only_and_no_flag_without_a_place():
    with lib.TempDir() as d:
        # "Budapesti" (Hungarian: "of Budapest") is another word
        o, err = prep(d, NOKIA, "--alt", "Budapesti volunteers at work")
        assert "alt-names-place" not in o["flags"], o["flags"]
        assert "names" not in err, err
        # a photo whose metadata names no place is never flagged
        o, err = prep(d, "google-pixel_gps_thumb.jpg", "--alt",
                      "Volunteers in Berkeley", out="out2")
        assert "alt-names-place" not in o["flags"], o["flags"]


def test_review_page_shows_the_flag():
    with lib.TempDir() as d:
        out = os.path.join(d, "out")
        prep(d, NOKIA, "--alt", "The market in Budapest at dawn")
        lib.run("review", out, check=0)
        with open(os.path.join(out, "review.html"), encoding="utf-8") as f:
            page = f.read()
        assert 'data-flag="alt-names-place"' in page, page[-2000:]
        assert "Alt text names a place" in page


def test_han_without_spaces_and_decomposed_accents():
    """exiftool writes the places into a copy of a real photo: a Han city
    (no spaces between words) and a city with an accent, which the alt
    text spells decomposed (NFD): NFKC makes them the same."""
    import shutil
    import subprocess
    lib.phone_photos()
    with lib.TempDir() as d:
        photo = shutil.copy(os.path.join(lib.PHONE, NOKIA),
                            os.path.join(d, "p.jpg"))
        subprocess.run(["exiftool", "-q", "-overwrite_original",
                        "-XMP-photoshop:City=北京",
                        "-IPTC:CodedCharacterSet=UTF8",
                        "-IPTC:Sub-location=Zürich", photo], check=True)
        tags = lib.exiftool(photo)
        lib.assert_eq(tags.get("XMP-photoshop:City"), "北京", "exiftool")
        m = os.path.join(d, "alt.csv")
        with open(m, "w", encoding="utf-8") as f:
            f.write("file,lang,alt\n"
                    "p.jpg,zh,志愿者在北京分发饮用水\n"
                    "p.jpg,de,Freiwillige in Zu\u0308rich\n"
                    "p.jpg,en,Volunteers hand out water\n")
        r = lib.run("prep", "-p", "x-square", "--json", "-o",
                    os.path.join(d, "out"), "--alt-manifest", m, photo,
                    check=0)
        (o,) = lib.json_lines(r.stdout)
        assert "alt-names-place" in o["flags"], o
        assert 'alt text (zh) names "北京"' in r.stderr, r.stderr
        assert 'alt text (de) names "Zürich"' in r.stderr, r.stderr
        assert "alt text (en)" not in r.stderr, r.stderr
