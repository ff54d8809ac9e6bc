"""The independent judge of faces and pixels for the masking tests: Debian's
python3-opencv (run with /usr/bin/python3, which has it; attache itself
does not use these Haar cascades). Prints one JSON document.

  cv_oracle.py faces FILE          every face OpenCV's Haar frontal and
                                    profile cascades find (the profile one
                                    on the photo and on its mirror image),
                                    as [x, y, w, h] in FILE's pixels
  cv_oracle.py stats FILE X Y W H  mean and standard deviation of the
                                    box's pixels (grey), and its size
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
    # small faces count: the group photos hold faces of 30 px
    kw = dict(scaleFactor=1.1, minNeighbors=5, minSize=(20, 20))
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


def main():
    cmd = sys.argv[1]
    if cmd == "faces":
        out = faces(sys.argv[2])
    elif cmd == "stats":
        out = stats(sys.argv[2], *map(int, sys.argv[3:7]))
    else:
        raise SystemExit("unknown command " + cmd)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
