"""The labelled faces attache's detection is measured on (tests/cli/
test_faces.py asserts floors on it; tools/faces-measure.py prints the
figures of docs/faces.md from it).

Two label files: ../shared/samples/faces/faces.tsv (4 group photos, 18
faces) and tests/faces/labels.tsv (our own: the man by the train window,
side-on, and photos with no face). Each photo is used as it is and in
variants made here with the vips command: its mirror image (a profile
turned the other way), scaled down (small faces), cut by the frame, and
scaled up to phone size stored turned with EXIF orientation 6 (boxes must
come out in the oriented frame). Every box is kept as fractions of the
upright photo, which is what attache reports."""
import csv
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "samples"))
OURS = os.path.join(HERE, "labels.tsv")
GROUPS = os.path.join(SHARED, "faces", "faces.tsv")


def vips(*args):
    subprocess.run(["vips"] + [str(a) for a in args], check=True, capture_output=True)


def size(path):
    """The upright size of @path (after its EXIF orientation)."""
    out = subprocess.run(["vipsheader", "-f", "width", path], capture_output=True, text=True, check=True).stdout
    w = int(out)
    h = int(subprocess.run(["vipsheader", "-f", "height", path], capture_output=True, text=True, check=True).stdout)
    o = subprocess.run(["vipsheader", "-f", "orientation", path], capture_output=True, text=True).stdout.strip()
    return (h, w) if o in ("5", "6", "7", "8") else (w, h)


def read_labels(path, folder=""):
    """{photo path: [(x, y, w, h, ignore) in upright pixels]}; [] for a
    photo with no face."""
    photos = {}
    with open(path, encoding="utf-8") as f:
        rows = csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")
        for r in rows:
            p = os.path.join(SHARED, folder, r["file"])
            boxes = photos.setdefault(p, [])
            if r["left"] != "-":
                boxes.append(tuple(float(r[k]) for k in ("left", "top", "width", "height")) + (r["ignore"] == "1",))
    return photos


class Case:
    """One image attache is run on: its file, and the faces in it as
    fractions of its upright frame (x, y, w, h, ignore)."""

    def __init__(self, name, path, faces):
        self.name, self.path, self.faces = name, path, faces

    @property
    def group(self):
        return self.name.split(":")[0]


def fractions(boxes, w, h):
    return [(x / w, y / h, bw / w, bh / h, ig) for x, y, bw, bh, ig in boxes]


def mirror(boxes):
    return [(1 - x - w, y, w, h, ig) for x, y, w, h, ig in boxes]


def cut(boxes, left):
    """The boxes after the photo's left @left (fraction) is cut off: what
    stays of each, as fractions of what stays; a box cut away is dropped."""
    out = []
    for x, y, w, h, ig in boxes:
        x0, x1 = max(x, left), x + w
        if x1 - x0 > 0.02:
            out.append(((x0 - left) / (1 - left), y, (x1 - x0) / (1 - left), h, ig))
    return out


def cases(tmp):
    """Every case, made in the folder @tmp. The variants are PNG without
    metadata (the photo's EXIF would turn them again) but for the
    phone-size one, a JPEG stored turned with only EXIF orientation 6."""
    out = []
    labelled = dict(read_labels(GROUPS, "faces"))
    labelled.update(read_labels(OURS))
    for n, (photo, px) in enumerate(sorted(labelled.items())):
        base = os.path.splitext(os.path.basename(photo))[0]
        w, h = size(photo)
        faces = fractions(px, w, h)
        group = "groups" if "/faces/" in photo else ("none" if not px else "ours")
        out.append(Case("%s:%s" % (group, base), photo, faces))
        if not px:
            continue
        up = os.path.join(tmp, "%s.upright.v" % base)
        vips("autorot", photo, up)
        mir = os.path.join(tmp, "%s.mirror.png" % base)
        vips("flip", up, mir + "[strip]", "horizontal")
        out.append(Case("mirror:%s" % base, mir, mirror(faces)))
        # phone size, stored turned: rotating it 90 degrees clockwise
        # (EXIF orientation 6) shows it upright
        big = os.path.join(tmp, "%s.big.v" % base)
        vips("resize", up, big, 4000 / max(w, h))
        turned = os.path.join(tmp, "%s.turned.v" % base)
        vips("rot", big, turned, "d270")
        o6 = os.path.join(tmp, "%s.phone-o6.jpg" % base)
        subprocess.run(["vips", "copy", turned, o6 + "[Q=90,strip]"], check=True, capture_output=True)
        subprocess.run(["exiftool", "-q", "-overwrite_original", "-n", "-Orientation=6", o6], check=True)
        out.append(Case("phone-o6:%s" % base, o6, faces))
        if group == "ours":
            for scale in (0.5, 0.33):
                small = os.path.join(tmp, "%s.small%g.png" % (base, scale))
                vips("resize", up, small + "[strip]", scale)
                out.append(Case("small:%s@%g" % (base, scale), small, faces))
            # the frame cuts the face: the left edge through its middle
            x, _, fw, _, _ = next(f for f in faces if not f[4])
            left = x + fw / 2
            c = os.path.join(tmp, "%s.cut.png" % base)
            vips("crop", up, c + "[strip]", int(left * w), 0, w - int(left * w), h)
            out.append(Case("cut:%s" % base, c, cut(faces, left)))
    return out


def iou(a, b):
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def score(truth, found, at=0.3):
    """(found, labelled, false positives) of one case: a labelled face is
    found when a box not matched yet overlaps it at IoU >= @at; a box
    matching no face (nor one marked ignore) is a false positive."""
    used, hits = set(), 0
    for t in (t for t in truth if not t[4]):
        best = max(((iou(t, f), j) for j, f in enumerate(found) if j not in used), default=(0, None))
        if best[0] >= at:
            used.add(best[1])
            hits += 1
    fp = sum(1 for j, f in enumerate(found) if j not in used and not any(iou(t, f) >= at for t in truth))
    return hits, sum(1 for t in truth if not t[4]), fp
