"""Pixel helpers for the branding tests: flat test images made with the
vips command, pixels read back with `vips rawsave` and plain Python (no
attache code involved)."""
import os
import subprocess

import lib


def vips(*args):
    p = subprocess.run(["vips"] + [str(a) for a in args], capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise AssertionError("vips %s: %s" % (" ".join(map(str, args)),
                                              p.stderr))


def flat(path, w, h, rgba):
    """A flat sRGB image of colour @rgba (3 or 4 values) saved at @path."""
    tmp = path + ".v"
    vips("black", tmp, w, h, "--bands", len(rgba))
    tmp2 = path + ".2.v"
    vips("linear", tmp, tmp2, " ".join("1" for _ in rgba),
         " ".join(str(v) for v in rgba), "--uchar")
    vips("copy", tmp2, path, "--interpretation", "srgb")
    os.unlink(tmp)
    os.unlink(tmp2)
    return path


class Pixels:
    """An image's pixels as bytes, read by libvips' command-line tool."""

    def __init__(self, path):
        h = lib.header(path)
        self.w, self.h = int(h["width"]), int(h["height"])
        self.bands = int(h["bands"])
        raw = path + ".raw"
        vips("rawsave", path, raw)
        with open(raw, "rb") as f:
            self.data = f.read()
        os.unlink(raw)
        assert len(self.data) == self.w * self.h * self.bands

    def at(self, x, y):
        i = (y * self.w + x) * self.bands
        return tuple(self.data[i:i + self.bands])

    def bbox(self, pred):
        """(x0, y0, x1, y1) inclusive of the pixels where pred(rgb) holds,
        or None."""
        x0 = y0 = 1 << 30
        x1 = y1 = -1
        b = self.bands
        d = self.data
        for y in range(self.h):
            row = y * self.w * b
            for x in range(self.w):
                i = row + x * b
                if pred(d[i], d[i + 1], d[i + 2]):
                    x0 = min(x0, x)
                    x1 = max(x1, x)
                    y0 = min(y0, y)
                    y1 = max(y1, y)
        return None if x1 < 0 else (x0, y0, x1, y1)

    def mask(self, pred, box=None):
        """Rows of booleans: pred(r, g, b) per pixel of box (a one-band
        image passes its value three times)."""
        x0, y0, x1, y1 = box or (0, 0, self.w - 1, self.h - 1)
        b = self.bands
        g = 1 if b >= 3 else 0
        d = self.data
        out = []
        for y in range(y0, y1 + 1):
            row = []
            for x in range(x0, x1 + 1):
                i = (y * self.w + x) * b
                row.append(pred(d[i], d[i + g], d[i + 2 * g]))
            out.append(row)
        return out


def ring_score(mask):
    """Fraction of the ink bounding box's border that is ink: near 1 for
    Pango's missing-glyph boxes (a frame around hex digits), low for real
    glyphs."""
    h = len(mask)
    w = len(mask[0])
    ys = [y for y in range(h) if any(mask[y])]
    xs = [x for x in range(w) if any(mask[y][x] for y in range(h))]
    if not ys:
        return 0.0
    y0, y1, x0, x1 = ys[0], ys[-1], xs[0], xs[-1]
    ring = [mask[y0][x] for x in range(x0, x1 + 1)] + \
        [mask[y1][x] for x in range(x0, x1 + 1)] + \
        [mask[y][x0] for y in range(y0, y1 + 1)] + \
        [mask[y][x1] for y in range(y0, y1 + 1)]
    return sum(ring) / len(ring)


def preset(folder, name, w, h, fmt="png", mode="cover", safe=None,
           alt_max=None):
    """Writes a test preset NAME.ini into folder."""
    text = ("[preset]\ndescription=test %s\nplatform=test\n\n[fit]\n"
            "width=%d\nheight=%d\nmode=%s\ncrop=centre\n\n[encode]\n"
            "format=%s\nmax-bytes=40MB\n" % (name, w, h, mode, fmt))
    if alt_max:
        text += "\n[alt]\nmax-chars=%d\n" % alt_max
    if safe:
        text += "\n[safe-area]\n" + "".join(
            "%s=%s\n" % (k, v) for k, v in safe.items())
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name + ".ini"), "w") as f:
        f.write(text)
