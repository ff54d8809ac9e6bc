"""attache prep: a photo prepared again replaces its own outputs, and a
different photo with the same name gets its own -2 name (docs/prep.md,
"Prepared again"). "The same photo" is the same bytes: the manifest's
input_sha256, checked against hashlib; alt text read back with exiftool,
the approval state with `attache review`."""
import json
import os
import shutil

import lib
import test_watch as W
from test_watch_redrop import alt_of, review_counts


def manifest_lines(out):
    with open(os.path.join(out, "attache-manifest.jsonl")) as f:
        return [json.loads(l) for l in f if l.strip()]


def test_prep_again_replaces_its_own_outputs_another_photo_gets_2():
    fx = [f for f in W.fixtures() if f.endswith(".jpg")]
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        for d in ("phone-a", "phone-b"):
            os.makedirs(os.path.join(root, d))
        a = os.path.join(root, "phone-a", "IMG_0001.jpg")
        b = os.path.join(root, "phone-b", "IMG_0001.jpg")
        shutil.copy(fx[0], a)
        shutil.copy(fx[1], b)
        out = os.path.join(root, "out")

        def prep(src, alt):
            # no faces: a face flag (a flower taken for a face, cut by the
            # centre crop) would need a deliberate yes, and this test is
            # about replacing outputs
            return lib.run("prep", src, "-o", out, "--preset-dir", pdir, "-p", "tiny",
                           "--by", "alice", "--alt", alt, "--crop", "attention-only", check=0)

        prep(a, "A child carries water")
        first = W.read(os.path.join(out, "IMG_0001.tiny.jpg"))
        lib.run("approve", out, "--by", "bob", check=0)
        lib.assert_eq(review_counts(out), (1, 1), "approved")
        # the manifest says which bytes each output was made from
        lib.assert_eq(manifest_lines(out)[-1]["input_sha256"], W.sha(a), "input_sha256")

        # again, with corrected alt text: the same name, new bytes, and the
        # approval of the old ones no longer counts
        prep(a, "A girl carries a jerrycan of water")
        lib.assert_eq(sorted(n for n in os.listdir(out) if n.endswith(".jpg")),
                      ["IMG_0001.tiny.jpg"], "no IMG_0001-2")
        now = os.path.join(out, "IMG_0001.tiny.jpg")
        assert W.read(now) != first, "not replaced"
        lib.assert_eq(alt_of(now), ["A girl carries a jerrycan of water"], "new alt text")
        lib.assert_eq(review_counts(out), (1, 0), "the old approval no longer counts")

        # another phone's IMG_0001: its own name, the first photo's outputs
        # untouched, and the user told why
        p = prep(b, "A water point at dusk")
        assert "IMG_0001-2" in p.stderr and "another photo" in p.stderr, p.stderr
        second = os.path.join(out, "IMG_0001-2.tiny.jpg")
        lib.assert_eq(alt_of(second), ["A water point at dusk"], "IMG_0001-2")
        lib.assert_eq(alt_of(now), ["A girl carries a jerrycan of water"], "IMG_0001 untouched")
        # and again: it replaces its own -2, no -3
        prep(b, "A water point at dusk, Tuesday")
        lib.assert_eq(sorted(n for n in os.listdir(out) if n.endswith(".jpg")),
                      ["IMG_0001-2.tiny.jpg", "IMG_0001.tiny.jpg"], "no -3")
        lib.assert_eq(alt_of(second), ["A water point at dusk, Tuesday"], "-2 replaced")
        by_file = {}
        for l in manifest_lines(out):
            by_file[os.path.basename(l["output"])] = l["input_sha256"]
        lib.assert_eq(by_file, {"IMG_0001.tiny.jpg": W.sha(a), "IMG_0001-2.tiny.jpg": W.sha(b)},
                      "each output's photo")
