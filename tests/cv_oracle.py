"""The independent judge of faces and pixels for the masking tests: Debian's
python3-opencv (run with /usr/bin/python3, which has it; attache itself
does not use these Haar cascades). Prints one JSON document.

  cv_oracle.py faces FILE          every face OpenCV's Haar frontal and
                                    profile cascades find (the profile one
                                    on the photo and on its mirror image),
                                    as [x, y, w, h] in FILE's pixels
  cv_oracle.py stats FILE X Y W H  mean and standard deviation of the
                                    box's pixels (grey), and its size
  cv_oracle.py cover ORIG OUT BOXES
                                    where OUT (a cover crop of ORIG, upright
                                    as OpenCV turns it by its EXIF
                                    orientation) lies in ORIG, found by
                                    matching its pixels (not from attache's
                                    JSON); then for each box of the JSON
                                    list BOXES ([x, y, w, h] in ORIG's
                                    upright pixels) its part in OUT: the
                                    share of it that is black (masked, or
                                    black already: nothing shows either
                                    way), its grey std dev there and in
                                    the original, and each face
                                    the cascades find in OUT over it
  cv_oracle.py covers ORIG BOXES OUT...
                                    the same for each OUT, as a list
  cv_oracle.py windows < PAIRS      for each [photo, output] pair of the
                                    JSON list on stdin, where the cover
                                    crop output lies in the upright photo:
                                    [x0, y0, x1, y1] fractions, found by
                                    sliding both, shrunk, over each other
"""
import json
import sys

import cv2
import numpy as np

CASCADES = "/usr/share/opencv4/haarcascades/"


def faces(path):
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    grey = cv2.equalizeHist(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))
    w = grey.shape[1]
    found = []
    # small faces count: the group photos hold faces of 36 px,
    # and no smaller than a 20th of the short side: a phone photo's
    # 57 px speck (14 px of the photo it was scaled up from) is no face
    m = max(20, min(grey.shape) // 20)
    kw = dict(scaleFactor=1.1, minNeighbors=5, minSize=(m, m))
    for name in ("haarcascade_frontalface_default.xml",
                 "haarcascade_frontalface_alt2.xml"):
        c = cv2.CascadeClassifier(CASCADES + name)
        found += [list(map(int, r)) for r in c.detectMultiScale(grey, **kw)]
    prof = cv2.CascadeClassifier(CASCADES + "haarcascade_profileface.xml")
    found += [list(map(int, r)) for r in prof.detectMultiScale(grey, **kw)]
    for (x, y, bw, bh) in prof.detectMultiScale(cv2.flip(grey, 1), **kw):
        found.append([int(w - x - bw), int(y), int(bw), int(bh)])
    return found


def stats(path, x, y, w, h):
    img = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    box = img[y:y + h, x:x + w].astype(np.float64)
    return {"mean": float(box.mean()) if box.size else None,
            "std": float(box.std()) if box.size else None,
            "w": int(box.shape[1]), "h": int(box.shape[0])}


def locate(orig, out):
    """Scale and offset of the cover crop @out of @orig: the scale from
    the sizes (a cover fills one side exactly), the offset where the
    scaled original matches @out best (masked boxes differ, the rest
    matches)."""
    oh, ow = orig.shape[:2]
    h, w = out.shape[:2]
    s = max(w / ow, h / oh)
    big = cv2.resize(orig, (max(w, round(ow * s)), max(h, round(oh * s))),
                     interpolation=cv2.INTER_AREA)
    g1 = cv2.cvtColor(big, cv2.COLOR_BGR2GRAY)
    g2 = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY)
    res = cv2.matchTemplate(g1, g2, cv2.TM_CCOEFF_NORMED)
    _, score, _, (dx, dy) = cv2.minMaxLoc(res)
    return s, dx, dy, score


def overlaps(a, b):
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return ix * iy / max(1, min(a[2] * a[3], b[2] * b[3]))


def cover(orig_path, out_path, boxes):
    orig = cv2.imread(orig_path, cv2.IMREAD_COLOR)
    out = cv2.imread(out_path, cv2.IMREAD_COLOR)
    s, dx, dy, score = locate(orig, out)
    oh, ow = orig.shape[:2]
    big = cv2.resize(orig, (max(out.shape[1], round(ow * s)), max(out.shape[0], round(oh * s))),
                     interpolation=cv2.INTER_AREA)
    h, w = out.shape[:2]
    found = faces(out_path)
    res = []
    for (x, y, bw, bh) in boxes:
        x0, y0 = x * s - dx, y * s - dy
        x1, y1 = x0 + bw * s, y0 + bh * s
        cx0, cy0 = max(0, int(round(x0))), max(0, int(round(y0)))
        cx1, cy1 = min(w, int(round(x1))), min(h, int(round(y1)))
        r = {"box": [x, y, bw, bh], "in_out": [x0, y0, x1 - x0, y1 - y0]}
        if cx1 - cx0 < 2 or cy1 - cy0 < 2:
            r["shown"] = 0
            res.append(r)
            continue
        part = out[cy0:cy1, cx0:cx1]
        black = (part.max(axis=2) < 24)
        r["shown"] = (cx1 - cx0) * (cy1 - cy0) / max(1, (x1 - x0) * (y1 - y0))
        r["black"] = float(black.mean())
        r["std"] = float(cv2.cvtColor(part, cv2.COLOR_BGR2GRAY).std())
        before = big[cy0 + dy:cy1 + dy, cx0 + dx:cx1 + dx]
        r["std_before"] = float(cv2.cvtColor(before, cv2.COLOR_BGR2GRAY).std())
        r["faces_over"] = [f for f in found
                           if overlaps(f, [cx0, cy0, cx1 - cx0, cy1 - cy0]) > 0.3]
        res.append(r)
    return {"scale": s, "dx": dx, "dy": dy, "match": score, "boxes": res}


def window(orig_path, out_path, n=96):
    """Where the cover crop @out_path lies in @orig_path (upright, as
    OpenCV's imread turns it by EXIF): [x0, y0, x1, y1] fractions. Both
    are shrunk so that the axis the crop keeps whole is @n px, and the
    output slides along the other to the smallest squared difference."""
    orig = cv2.imread(orig_path, cv2.IMREAD_GRAYSCALE)
    out = cv2.imread(out_path, cv2.IMREAD_GRAYSCALE)
    oh, ow = orig.shape[:2]
    h, w = out.shape[:2]
    wide = ow / oh > w / h  # the crop spans the photo's height
    if wide:
        up_w, up_h = round(n * ow / oh), n
        o_w, o_h = min(up_w, round(n * w / h)), n
    else:
        up_w, up_h = n, round(n * oh / ow)
        o_w, o_h = n, min(up_h, round(n * h / w))
    up = cv2.resize(orig, (up_w, up_h), interpolation=cv2.INTER_AREA).astype("float32")
    o = cv2.resize(out, (o_w, o_h), interpolation=cv2.INTER_AREA).astype("float32")
    res = cv2.matchTemplate(up, o, cv2.TM_SQDIFF)
    _, _, (mx, my), _ = cv2.minMaxLoc(res)
    if wide:
        return [mx / up_w, 0.0, (mx + o_w) / up_w, 1.0]
    return [0.0, my / up_h, 1.0, (my + o_h) / up_h]


def main():
    cmd = sys.argv[1]
    if cmd == "faces":
        out = faces(sys.argv[2])
    elif cmd == "stats":
        out = stats(sys.argv[2], *map(int, sys.argv[3:7]))
    elif cmd == "windows":
        # a JSON list of [photo, output] pairs on stdin: one start-up
        out = [window(a, b) for a, b in json.load(sys.stdin)]
    elif cmd == "cover":
        out = cover(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
    elif cmd == "covers":  # ORIG BOXES OUT...: one start-up for them all
        boxes = json.loads(sys.argv[3])
        out = [cover(sys.argv[2], o, boxes) for o in sys.argv[4:]]
    else:
        raise SystemExit("unknown command " + cmd)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
