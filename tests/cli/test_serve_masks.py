"""`attache serve`: a photo's masks from the desk's API (PUT
/api/v1/photos/{id}/masks, docs/http-api.md "Masks"), on a real server on
loopback. A box drawn by hand is filled in every output made again from
the stored original, and the approval of the old bytes is void; a face
left unmasked on a protected photo shows again, and its outputs need a
deliberate yes. The pixels are read by OpenCV (tests/cv_oracle.py under
/usr/bin/python3), not by attache, and the box's place in the output is
worked out here from the preset (the whole photo, fitted inside), not
taken from attache's JSON."""
import json
import os
import subprocess

import desklib
import lib

# small, and stored turned (EXIF orientation 6): the boxes are fractions of
# the upright photo
PHOTO = os.path.join(lib.PHONE, "samsung-galaxy-s_o6_gps-zero_thumb.jpg")
FACES = os.path.normpath(os.path.join(lib.ROOT, "..", "shared", "samples", "faces"))
ORACLE = os.path.join(lib.ROOT, "tests", "cv_oracle.py")

# the whole photo, fitted inside 640 x 640: a fraction of the upright
# photo is the same fraction of the output
WHOLE = """[preset]
description=test: the whole photo
platform=mastodon

[fit]
width=640
height=640
mode=inside

[encode]
format=jpeg
max-bytes=400000
"""


def desk(tmp, env=None):
    pdir = os.path.join(tmp, "presets")
    os.makedirs(pdir)
    with open(os.path.join(pdir, "whole.ini"), "w") as f:
        f.write(WHOLE)
    return desklib.Desk(tmp, "--preset-dir", pdir, "--presets", "whole", env=env)


def stats(c, o, box, tmp, inset=3):
    """OpenCV's grey mean and standard deviation inside @box (fractions)
    of output @o's served bytes, @inset pixels in from its edges."""
    f = c.get(o["url"])
    assert f.status == 200, f
    path = os.path.join(tmp, "out-%s.jpg" % o["sha256"][:12])
    with open(path, "wb") as w:
        w.write(f.body)
    x, y, bw, bh = box
    px = [round(x * o["width"]) + inset, round(y * o["height"]) + inset,
          round(bw * o["width"]) - 2 * inset, round(bh * o["height"]) - 2 * inset]
    assert px[2] > 4 and px[3] > 4, (box, o["width"], o["height"])
    out = subprocess.run(["/usr/bin/python3", ORACLE, "stats", path] + [str(v) for v in px],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def put_masks(c, pid, body, **kw):
    return c.request("PUT", "/api/v1/photos/%s/masks" % pid, body=body, **kw)


def test_serve_masks_fill_a_drawn_box_and_void_the_approval():
    """A reviewer approves; the preparer draws a box: every output is
    made again, the box is black where it lies (and was not before), the
    rest of the photo is as it was, the approval is void and the preparer
    is a maker of the new bytes; the reviewer approves those."""
    box = (0.25, 0.30, 0.30, 0.25)
    rest = (0.62, 0.62, 0.30, 0.30)
    with lib.TempDir() as d, desk(d) as s:
        amina = s.session("amina")
        li = s.client("li", "read,review")
        pid = amina.upload(PHOTO, alt="A street at noon").json()["id"]
        (o,) = amina.wait_prepared(pid)["outputs"]
        before, before_rest = stats(amina, o, box, d), stats(amina, o, rest, d)
        assert before["std"] > 8 or before["mean"] > 24, ("the test needs a box that is not black already", before)
        r = li.post("/api/v1/outputs/%s/review" % o["id"], {"decision": "approve", "confirm": True})
        lib.assert_eq(r.status, 200, r)
        lib.assert_eq(amina.photo(pid)["state"], "approved", "approved before the masks")

        r = put_masks(amina, pid, {"regions": [dict(zip("xywh", box))]})
        lib.assert_eq(r.status, 202, r)
        p = amina.wait_prepared(pid)
        (o2,) = p["outputs"]
        lib.assert_eq(o2["id"], o["id"], "the same slot")
        assert o2["sha256"] != o["sha256"], "the output's bytes did not change"
        after, after_rest = stats(amina, o2, box, d), stats(amina, o2, rest, d)
        assert after["mean"] < 8 and after["std"] < 4, ("the box is not filled", after, before)
        assert abs(after_rest["mean"] - before_rest["mean"]) < 3, ("the rest changed", before_rest, after_rest)
        # the approval held for the old bytes only
        lib.assert_eq(o2["review"]["state"], "void", o2["review"])
        assert p["state"] != "approved", p["state"]
        assert "amina" in o2["prepared_by"], o2["prepared_by"]
        got = p["masks"]["regions"]
        lib.assert_eq(len(got), 1, got)
        for k, v in zip("xywh", box):
            assert abs(got[0][k] - v) < 1e-4, (got, box)
        ev = [e for e in p["history"] if e["kind"] == "masks"]
        lib.assert_eq([(e["actor"], e["state"]) for e in ev], [("amina", "processing")], ev)
        r = li.post("/api/v1/outputs/%s/review" % o2["id"], {"decision": "approve", "confirm": True})
        lib.assert_eq(r.status, 200, r)
        # an empty list clears them: the pixels come back
        lib.assert_eq(put_masks(amina, pid, {"regions": []}).status, 202, "clear")
        (o3,) = amina.wait_prepared(pid)["outputs"]
        again = stats(amina, o3, box, d)
        assert abs(again["mean"] - before["mean"]) < 3, (again, before)
        lib.assert_eq(amina.photo(pid)["masks"]["regions"], [], "cleared")


def test_serve_masks_are_checked():
    """Boxes outside the photo, too many, unknown face numbers and an
    empty body are 400 bad-option and change nothing; no CSRF token is
    403 csrf, a read-only token 403 forbidden."""
    with lib.TempDir() as d, desk(d) as s:
        amina = s.session("amina")
        pid = amina.upload(PHOTO, alt="A street").json()["id"]
        sha = amina.wait_prepared(pid)["outputs"][0]["sha256"]
        ok = {"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2}
        for body in ({"regions": [dict(ok, x=1.2)]}, {"regions": [dict(ok, w=0)]},
                     {"regions": [dict(ok, y=-0.1)]}, {"regions": [dict(ok, h="0.2")]},
                     {"regions": [ok] * 65}, {"regions": "0.1,0.1,0.2,0.2"},
                     {"unmask": [99]}, {"unmask": [0]}, {"unmask": ["1"]}, {}):
            r = put_masks(amina, pid, body)
            lib.assert_eq((r.status, r.code()), (400, "bad-option"), (body, r))
        r = put_masks(amina, pid, {"regions": [ok]}, csrf=False)
        lib.assert_eq((r.status, r.code()), (403, "csrf"), r)
        r = put_masks(s.client("li", "read"), pid, {"regions": [ok]})
        lib.assert_eq((r.status, r.code()), (403, "forbidden"), r)
        r = put_masks(amina, "p_" + "0" * 32, {"regions": [ok]})
        lib.assert_eq((r.status, r.code()), (404, "not-found"), r)
        p = amina.photo(pid)
        lib.assert_eq((p["state"], p["outputs"][0]["sha256"], p["masks"]["regions"]), ("review", sha, []),
                      "nothing changed")


def test_serve_masks_unmask_a_protected_face_needs_a_yes():
    """In a campaign that requires protection (`[campaign] protect =
    faces`; the page's protect=true is the browser test's) each face found
    is masked; leaving face 1 unmasked shows it again (OpenCV's grey
    deviation inside its box), keeps the others masked, and flags every
    output faces-visible: the reviewer's approval needs confirm."""
    src = os.path.join(FACES, "2008_001009.jpg")
    if not os.path.exists(src):
        lib.skip("../shared/samples/faces is absent")
    with lib.TempDir() as d:
        cdir = os.path.join(d, "config", "attache", "campaigns")
        os.makedirs(cdir)
        with open(os.path.join(cdir, "guarded.ini"), "w") as f:
            f.write("[campaign]\nprotect = faces\n")
        with desk(d, env={"XDG_CONFIG_HOME": os.path.join(d, "config")}) as s:
            unmask_a_protected_face(s, src, d)


def unmask_a_protected_face(s, src, d):
    """Face 1 of @src unmasked on the protected desk @s."""
    amina = s.session("amina")
    li = s.client("li", "read,review")
    pid = amina.upload(src, alt="Two people", campaign="guarded").json()["id"]
    p = amina.wait_prepared(pid)
    assert p["faces_protected"], p
    faces = p["faces"]
    assert faces and all(f["masked"] for f in faces), faces
    (o,) = p["outputs"]
    flags = [f["flag"] for f in o["flags"]]
    assert "faces-visible" not in flags, flags
    box = lambda f: (f["x"], f["y"], f["w"], f["h"])
    masked = stats(amina, o, box(faces[0]), d, inset=1)
    assert masked["std"] < 4 and masked["mean"] < 8, masked
    r = put_masks(amina, pid, {"unmask": [1]})
    lib.assert_eq(r.status, 202, r)
    p = amina.wait_prepared(pid)
    lib.assert_eq(p["masks"]["unmask"], [1], p["masks"])
    lib.assert_eq([f["masked"] for f in p["faces"]], [False] + [True] * (len(faces) - 1), p["faces"])
    (o2,) = p["outputs"]
    assert "faces-visible" in [f["flag"] for f in o2["flags"]], o2["flags"]
    lib.assert_eq(p["state"], "attention", "a face shows: needs a deliberate yes")
    shown = stats(amina, o2, box(faces[0]), d, inset=1)
    assert shown["std"] > 10, ("face 1 is still masked", shown)
    for f in faces[1:]:
        st = stats(amina, o2, box(f), d, inset=1)
        assert st["std"] < 4 and st["mean"] < 8, ("another face shows", f, st)
    r = li.post("/api/v1/outputs/%s/review" % o2["id"], {"decision": "approve"})
    lib.assert_eq((r.status, r.code()), (409, "needs-confirm"), r)
    r = li.post("/api/v1/outputs/%s/review" % o2["id"], {"decision": "approve", "confirm": True})
    lib.assert_eq(r.status, 200, r)
