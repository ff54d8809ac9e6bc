"""The review sheet's faces and masks (issue 14, "Review sheet"), in a real
browser (Debian's chromium, headless, tests/browser.py): each face found
and each region masked is drawn over its output where the manifest says
it lies, the caption says "3 faces, masked" or "... visible, not
masked", and a face a reviewer unmasked in a campaign that requires
protection is flagged faces-visible, needing a deliberate yes."""
import json
import os
import shutil

import browser
import lib

GROUP = os.path.normpath(os.path.join(lib.ROOT, "..", "shared", "samples",
                                      "faces", "2008_001322.jpg"))
HAND = (0.05, 0.05, 0.2, 0.15)

# every output's image, boxes (rect, kind, masked, border colour) and words
FACTS = r"""
(() => {
  const rect = e => { const r = e.getBoundingClientRect();
    return {x: r.left, y: r.top, w: r.width, h: r.height}; };
  return [...document.querySelectorAll('figure.output')].map(f => ({
    preset: f.dataset.preset,
    flags: f.dataset.flags,
    severity: f.dataset.severity,
    img: rect(f.querySelector('img')),
    boxes: [...f.querySelectorAll('.box')].map(b => ({
      kind: b.dataset.kind, n: +b.dataset.n, masked: b.dataset.masked,
      rect: rect(b), border: getComputedStyle(b).borderTopColor,
      visible: getComputedStyle(b).display !== 'none'})),
    faces: (f.querySelector('.faces') || {}).textContent || null,
    regions: (f.querySelector('.regions') || {}).textContent || null,
    flagText: [...f.querySelectorAll('.flag')].map(e => e.textContent).join(' | '),
  }));
})()
"""


def manifest(out):
    with open(os.path.join(out, "attache-manifest.jsonl")) as f:
        return {l["preset"]: l for l in map(json.loads, f) if "preset" in l}


def page_facts(out, shot=None):
    lib.run("review", out, check=0)
    with browser.Browser() as b:
        b.open(browser.file_url(os.path.join(out, "review.html")))
        facts = b.evaluate(FACTS)
        if shot:
            b.screenshot(shot)
        return facts


def check_boxes(fig, line):
    """Each box where the manifest line's in_output box says, scaled to
    the image as drawn (1.5 px of rounding)."""
    img = fig["img"]
    sx, sy = img["w"] / line["width"], img["h"] / line["height"]
    want = []
    for kind, key in (("face", "faces"), ("hand", "regions")):
        for i, r in enumerate(line.get(key) or []):
            if r["in_output"]:
                want.append((kind, i + 1, r))
    lib.assert_eq(sorted((k, n) for k, n, _ in want),
                  sorted((b["kind"], b["n"]) for b in fig["boxes"]),
                  fig["preset"] + ": boxes drawn")
    for kind, n, r in want:
        b = [b for b in fig["boxes"] if b["kind"] == kind and b["n"] == n][0]
        io = r["in_output"]
        got = b["rect"]
        for a, bb, what in ((got["x"] - img["x"], io["x"] * sx, "left"),
                            (got["y"] - img["y"], io["y"] * sy, "top"),
                            (got["w"], io["w"] * sx, "width"),
                            (got["h"], io["h"] * sy, "height")):
            assert abs(a - bb) <= 1.5, (fig["preset"], kind, n, what, a, bb)
        assert b["visible"] and b["masked"] == ("yes" if r["masked"] else "no"), b


def test_the_sheet_draws_faces_and_masks_and_says_so():
    with lib.TempDir() as d:
        src = shutil.copy(GROUP, os.path.join(d, "group.jpg"))
        out = os.path.join(d, "out")
        lib.run("prep", "-o", out, "-p", "x-landscape,instagram-portrait",
                "--protect", "faces", "--mask", ",".join(map(str, HAND)),
                "--alt", "Three people at a table", src, check=0)
        lines = manifest(out)
        n = len(lines["x-landscape"]["faces"])
        assert n >= 1, "the detector finds a face in a group of three"
        shot = os.path.join(d, "sheet.png") if os.environ.get("KEEP_TMP") == "1" else None
        facts = page_facts(out, shot)
        lib.assert_eq(sorted(f["preset"] for f in facts),
                      ["instagram-portrait", "x-landscape"], "outputs")
        for fig in facts:
            line = lines[fig["preset"]]
            check_boxes(fig, line)
            lib.assert_eq(fig["faces"], "%d face%s, masked" % (n, "" if n == 1 else "s")
                          + ("" if all(f["in_output"] for f in line["faces"]) else
                             " (%d outside this crop)" % sum(not f["in_output"] for f in line["faces"])),
                          fig["preset"])
            lib.assert_eq(fig["regions"], "1 region masked by hand", fig["preset"])
            assert "faces-visible" not in fig["flags"], fig
            # masked faces and hand regions are told apart by colour
            kinds = {b["kind"]: b["border"] for b in fig["boxes"]}
            if "face" in kinds and "hand" in kinds:
                assert kinds["face"] != kinds["hand"], kinds


def test_a_face_unmasked_by_a_reviewer_is_flagged_in_a_protecting_campaign():
    with lib.TempDir() as d:
        src = shutil.copy(GROUP, os.path.join(d, "group.jpg"))
        camp = os.path.join(d, "field.ini")
        with open(camp, "w") as f:
            f.write("[campaign]\nname = field\nprotect = faces\n")
        with open(os.path.join(d, "group.attache.ini"), "w") as f:
            f.write("# the reviewer: face 1 is the spokesperson, who agreed\n"
                    "unmask = 1\nalt = Three people at a table\n")
        out = os.path.join(d, "out")
        lib.run("prep", "-o", out, "-p", "x-landscape", "-c", camp, src,
                check=0)
        line = manifest(out)["x-landscape"]
        faces = line["faces"]
        assert len(faces) >= 1, "the detector finds a face in a group of three"
        lib.assert_eq([f["masked"] for f in faces],
                      [False] + [True] * (len(faces) - 1), "masked")
        assert "faces-visible" in line["flags"], line["flags"]
        fig = page_facts(out)[0]
        check_boxes(fig, line)
        n = len(faces)
        want = ("1 face visible, not masked" if n == 1 else
                "%d faces: %d masked, 1 visible, not masked (face 1)" % (n, n - 1))
        assert fig["faces"].startswith(want), (fig["faces"], want)
        lib.assert_eq(fig["severity"], "needs-yes", "severity")
        assert "faces-visible" in fig["flags"], fig
        # the visible face is drawn apart from the masked ones
        vis = [b for b in fig["boxes"] if b["kind"] == "face" and b["masked"] == "no"]
        if faces[0]["in_output"]:
            lib.assert_eq(len(vis), 1, "the unmasked face's box")
            others = [b for b in fig["boxes"] if b["kind"] == "face" and b["masked"] == "yes"]
            for o in others:
                assert o["border"] != vis[0]["border"], (o, vis)
