"""Scenes with a sign in them, for the --scan-text tests (tests/cli/
test_text.py): the words are drawn by libvips (`vips text`, Pango, the
Noto fonts), put on a plate, and the plate is warped onto a real photo
with a perspective (OpenCV, Debian's python3-opencv: run with
/usr/bin/python3). Prints one JSON document: the plate's corners in the
scene's pixels and its axis-aligned box as fractions, which the test knows
independently of attache.

  text_scene.py OUT.jpg BACKGROUND TEXT FONT CORNERS
     CORNERS: x0,y0,x1,y1,x2,y2,x3,y3 fractions of the scene (top-left,
     top-right, bottom-right, bottom-left of the plate)
"""
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

SCENE_WIDTH = 1600


def render(text, font):
    """The words, white on black (an alpha mask), in their own pixels."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "t.png")
        subprocess.run(["vips", "text", path, text, "--font", font,
                        "--dpi", "300"], check=True)
        mask = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    return mask


def plate(mask):
    """Dark words on a light plate, with a margin and a dark rim."""
    h, w = mask.shape
    m = h // 2
    p = np.full((h + 2 * m, w + 2 * m, 3), (225, 235, 240), np.uint8)
    ink = np.array((40, 30, 25), np.float64)
    a = (mask.astype(np.float64) / 255.0)[..., None]
    inner = p[m:m + h, m:m + w].astype(np.float64)
    p[m:m + h, m:m + w] = (inner * (1 - a) + ink * a).astype(np.uint8)
    cv2.rectangle(p, (0, 0), (p.shape[1] - 1, p.shape[0] - 1), (60, 60, 60),
                  max(2, h // 12))
    return p


def main():
    out, background, text, font, corners = sys.argv[1:6]
    bg = cv2.imread(background, cv2.IMREAD_COLOR)
    scale = SCENE_WIDTH / bg.shape[1]
    bg = cv2.resize(bg, (SCENE_WIDTH, int(round(bg.shape[0] * scale))),
                    interpolation=cv2.INTER_AREA)
    H, W = bg.shape[:2]
    c = [float(v) for v in corners.split(",")]
    dst = np.float32([[c[i] * W, c[i + 1] * H] for i in range(0, 8, 2)])
    p = plate(render(text, font))
    ph, pw = p.shape[:2]
    src = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    M = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(p, M, (W, H), flags=cv2.INTER_LINEAR)
    alpha = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), M, (W, H))
    a = (alpha.astype(np.float64) / 255.0)[..., None]
    scene = (bg * (1 - a) + warped * a).astype(np.uint8)
    cv2.imwrite(out, scene, [cv2.IMWRITE_JPEG_QUALITY, 92])
    xs, ys = dst[:, 0], dst[:, 1]
    print(json.dumps({"width": W, "height": H,
                      "corners": dst.tolist(),
                      "box": [float(xs.min() / W), float(ys.min() / H),
                              float((xs.max() - xs.min()) / W),
                              float((ys.max() - ys.min()) / H)]}))


if __name__ == "__main__":
    main()
