"""Campaign branding (issue 4): logo geometry and opacity, text in Arabic and
Chinese, safe areas, campaign files checked before any photo. Pixels are
read back with the vips command and plain Python; expected positions are
computed here from the campaign's numbers and the rules in
docs/campaigns.md."""
import json
import os
import shutil
import subprocess

import imgtest
import lib

ANCHORS = {
    "top-left": (0, 0), "top": (1, 0), "top-right": (2, 0),
    "left": (0, 1), "centre": (1, 1), "right": (2, 1),
    "bottom-left": (0, 2), "bottom": (1, 2), "bottom-right": (2, 2),
}


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def red(r, g, b):
    return r > 200 and g < 60 and b < 60


def expected_box(W, H, anchor, size, margin, lw, lh, safe=(0, 0, 0, 0)):
    """Where the rules put a logo of aspect lw:lh: longest side = size x the
    shorter side, margin x the shorter side from the safe area's edges."""
    s = min(W, H)
    scale = size * s / max(lw, lh)
    w, h = round(lw * scale), round(lh * scale)
    m = round(margin * s)
    top, right, bottom, left = safe
    il, it = round(left * W) + m, round(top * H) + m
    ir, ib = W - round(right * W) - m, H - round(bottom * H) - m
    col, row = ANCHORS[anchor]
    x = il + col * (ir - il - w) // 2
    y = it + row * (ib - it - h) // 2
    return (x, y, x + w - 1, y + h - 1)


def test_logo_anchor_margin_and_same_size_landscape_portrait():
    with lib.TempDir() as d:
        presets = os.path.join(d, "presets")
        imgtest.preset(presets, "t-land", 300, 200)
        imgtest.preset(presets, "t-port", 200, 300)
        imgtest.preset(presets, "t-safe", 300, 200,
                       safe={"top": 0.1, "right": 0.05, "bottom": 0.15,
                             "left": 0.08})
        photo = imgtest.flat(os.path.join(d, "grey.png"), 450, 450,
                             (128, 128, 128))
        imgtest.flat(os.path.join(d, "logo.png"), 200, 100, (255, 0, 0, 255))
        sizes = {}
        for anchor in ANCHORS:
            camp = write(os.path.join(d, "c.ini"),
                         "[logo]\nfile=logo.png\nanchor=%s\nsize=0.2\n"
                         "margin=0.05\n" % anchor)
            out = os.path.join(d, "out-" + anchor)
            lib.run("prep", "-c", camp, "--preset-dir", presets,
                    "-p", "t-land,t-port,t-safe", "-o", out, photo, check=0)
            for name, W, H, safe in (("t-land", 300, 200, (0, 0, 0, 0)),
                                     ("t-port", 200, 300, (0, 0, 0, 0)),
                                     ("t-safe", 300, 200,
                                      (0.1, 0.05, 0.15, 0.08))):
                px = imgtest.Pixels(os.path.join(out, "grey.%s.png" % name))
                got = px.bbox(red)
                want = expected_box(W, H, anchor, 0.2, 0.05, 200, 100, safe)
                lib.assert_eq(got, want, "%s %s logo box" % (anchor, name))
                sizes.setdefault(anchor, []).append(
                    (got[2] - got[0] + 1, got[3] - got[1] + 1))
        for anchor, s in sizes.items():
            # the same shorter side (200) gives the same logo, 40x20 px
            assert len(set(s)) == 1, (anchor, s)
            lib.assert_eq(s[0], (40, 20), "logo size")


def test_logo_opacity_by_pixel_arithmetic():
    with lib.TempDir() as d:
        presets = os.path.join(d, "presets")
        imgtest.preset(presets, "t-flat", 500, 500)
        photo = imgtest.flat(os.path.join(d, "flat.png"), 500, 500,
                             (100, 100, 100))
        imgtest.flat(os.path.join(d, "white.png"), 64, 64,
                     (255, 255, 255, 255))
        imgtest.flat(os.path.join(d, "half.png"), 64, 64,
                     (255, 255, 255, 128))
        for logo, opacity, alpha in (("white.png", 0.4, 255),
                                     ("white.png", 1.0, 255),
                                     ("half.png", 0.5, 128)):
            camp = write(os.path.join(d, "c.ini"),
                         "[logo]\nfile=%s\nanchor=centre\nsize=0.2\n"
                         "opacity=%s\n" % (logo, opacity))
            out = os.path.join(d, "out")
            lib.run("prep", "-c", camp, "--preset-dir", presets, "-p",
                    "t-flat", "-o", out, photo, check=0)
            px = imgtest.Pixels(os.path.join(out, "flat.t-flat.png"))
            # OVER: base + a * (logo - base), a = alpha/255 * opacity
            a = alpha / 255.0 * opacity
            want = 100 + a * (255 - 100)
            got = px.at(250, 250)
            for c in got[:3]:
                assert abs(c - want) <= 1.5, (logo, opacity, got, want)
            lib.assert_eq(px.at(5, 5)[:3], (100, 100, 100),
                          "pixel outside the logo")


def test_logo_over_a_transparent_photo():
    """A PNG with alpha fitted "inside" keeps its alpha: the logo is blended
    over it as "over" defines for two translucent layers."""
    with lib.TempDir() as d:
        presets = os.path.join(d, "presets")
        imgtest.preset(presets, "t-alpha", 300, 300, mode="inside")
        photo = imgtest.flat(os.path.join(d, "glass.png"), 300, 300,
                             (100, 100, 100, 128))
        imgtest.flat(os.path.join(d, "white.png"), 32, 32,
                     (255, 255, 255, 255))
        camp = write(os.path.join(d, "c.ini"),
                     "[logo]\nfile=white.png\nanchor=centre\nsize=0.2\n"
                     "opacity=0.5\n")
        out = os.path.join(d, "out")
        lib.run("prep", "-c", camp, "--preset-dir", presets, "-p", "t-alpha",
                "-o", out, photo, check=0)
        px = imgtest.Pixels(os.path.join(out, "glass.t-alpha.png"))
        lib.assert_eq(px.bands, 4, "bands")
        a, ab = 0.5, 128 / 255.0
        out_a = a + ab * (1 - a)
        want_c = (255 * a + 100 * ab * (1 - a)) / out_a
        got = px.at(150, 150)
        for v in got[:3]:
            assert abs(v - want_c) <= 1.5, (got, want_c)
        assert abs(got[3] - 255 * out_a) <= 1.5, (got, out_a)
        lib.assert_eq(px.at(3, 3), (100, 100, 100, 128), "outside the logo")


def render_text(d, presets, lang, extra=""):
    """Renders the text layer for --lang LANG in white on a black photo;
    returns the output's Pixels."""
    out = os.path.join(d, "out-" + lang)
    lib.run("prep", "-c", os.path.join(d, "text.ini"), "--lang", lang,
            "--preset-dir", presets, "-p", "t-text", "-o", out,
            os.path.join(d, "black.png"), check=0)
    return imgtest.Pixels(os.path.join(out, "black.t-text.png"))


def white(r, g, b):
    return r > 128


def test_arabic_and_chinese_render_real_glyphs_and_arabic_runs_rtl():
    with lib.TempDir() as d:
        presets = os.path.join(d, "presets")
        imgtest.preset(presets, "t-text", 800, 400)
        imgtest.flat(os.path.join(d, "black.png"), 800, 400, (0, 0, 0))
        write(os.path.join(d, "text.ini"),
              "[campaign]\nlanguages=en,ar,zh\n\n"
              "[text]\ntext.en=Hello \u2588\ntext.ar=\u0645\u0631\u062d\u0628"
              "\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 \u2588\n"
              "text.zh=\u4e2d\u6587\u5b57\u4f53\nfont=Noto Sans\n"
              "size=0.16\ncolour=#ffffff\nanchor=centre\n")
        size_px = round(0.16 * 400)

        # the baseline: what a code point no font has looks like (Pango's
        # missing-glyph box), rendered by the vips command at the same size
        tofu_png = os.path.join(d, "tofu.png")
        subprocess.run(["vips", "text", tofu_png, "\u0378\u0378\u0378",
                        "--font", "Noto Sans %d" % size_px], check=True)
        tofu = imgtest.Pixels(tofu_png)
        tofu_score = imgtest.ring_score(tofu.mask(lambda r, g, b: r > 128))
        assert tofu_score > 0.8, "the missing-glyph detector: %.2f" % tofu_score

        for lang in ("ar", "zh"):
            px = render_text(d, presets, lang)
            box = px.bbox(white)
            assert box, "%s: no text drawn" % lang
            score = imgtest.ring_score(px.mask(white, box))
            assert score < 0.5, "%s looks like missing-glyph boxes (%.2f)" % (
                lang, score)

        # direction: the block (a neutral) ends the paragraph, so it sits
        # right of English and left of Arabic
        for lang, side in (("en", "right"), ("ar", "left")):
            px = render_text(d, presets, lang)
            x0, y0, x1, y1 = box = px.bbox(white)
            m = px.mask(white, box)
            h = y1 - y0 + 1
            tall = [x for x in range(x1 - x0 + 1)
                    if sum(m[y][x] for y in range(h)) >= 0.8 * h]
            assert tall, "%s: no solid block found" % lang
            centre = sum(tall) / len(tall) / (x1 - x0 + 1)
            got = "left" if centre < 0.5 else "right"
            lib.assert_eq(got, side, "%s: block side" % lang)


def test_text_a_font_cannot_draw_is_refused_before_any_photo():
    with lib.TempDir() as d:
        camp = write(os.path.join(d, "c.ini"),
                     "[text]\ntext=abc \u0378\n")
        out = os.path.join(d, "out")
        p = lib.run("prep", "-c", camp, "-o", out,
                    os.path.join(d, "nothing.jpg"), check=2)
        assert "U+0378" in p.stderr and "[text] text" in p.stderr, p.stderr
        assert not os.path.exists(out)


def test_band_and_layers_stay_inside_the_safe_area():
    with lib.TempDir() as d:
        presets = os.path.join(d, "presets")
        safe = {"top": 0.1, "right": 0.05, "bottom": 0.12, "left": 0.05}
        imgtest.preset(presets, "t-safe", 400, 500, safe=safe)
        photo = imgtest.flat(os.path.join(d, "p.png"), 400, 500,
                             (30, 120, 60))
        imgtest.flat(os.path.join(d, "logo.png"), 50, 50, (255, 0, 0, 255))
        camp = write(os.path.join(d, "c.ini"),
                     "[logo]\nfile=logo.png\nanchor=top-left\nsize=0.9\n"
                     "margin=0\n\n"
                     "[text band]\ntext=<b>#Action2015</b> a long line that "
                     "has to wrap inside the band\nbackground=band\n"
                     "background-colour=#0000ff\nanchor=bottom\nmargin=0\n"
                     "size=0.06\n")
        out = os.path.join(d, "out")
        lib.run("prep", "-c", camp, "--preset-dir", presets, "-p", "t-safe",
                "-o", out, photo, check=0)
        px = imgtest.Pixels(os.path.join(out, "p.t-safe.png"))
        changed = px.bbox(lambda r, g, b: (r, g, b) != (30, 120, 60))
        sl, st = round(0.05 * 400), round(0.1 * 500)
        sr, sb = 400 - round(0.05 * 400) - 1, 500 - round(0.12 * 500) - 1
        assert changed, "nothing drawn"
        x0, y0, x1, y1 = changed
        assert x0 >= sl and y0 >= st and x1 <= sr and y1 <= sb, (
            changed, (sl, st, sr, sb))
        # the band spans the safe area's width and sits on its bottom edge
        band = px.bbox(lambda r, g, b: b > 200 and r < 60 and g < 60)
        lib.assert_eq((band[0], band[2], band[3]), (sl, sr, sb), "band")
        # the logo asked for 90 % of the side was shrunk into the safe area
        logo = px.bbox(red)
        assert logo[0] == sl and logo[1] == st, logo


def test_batch_reuses_assets_png_and_svg():
    """Many photos, two workers, a PNG and an SVG logo: every output has
    both (libvips' sequential reads would fail the second photo if the
    overlay were not kept in memory)."""
    with lib.TempDir() as d:
        presets = os.path.join(d, "presets")
        imgtest.preset(presets, "t-a", 300, 200)
        imgtest.preset(presets, "t-b", 200, 300)
        photos = [imgtest.flat(os.path.join(d, "p%d.png" % i), 640, 480,
                               (20 * i, 90, 90)) for i in range(6)]
        imgtest.flat(os.path.join(d, "logo.png"), 80, 80, (255, 0, 0, 255))
        write(os.path.join(d, "logo.svg"),
              '<svg xmlns="http://www.w3.org/2000/svg" width="40" '
              'height="20"><rect width="40" height="20" fill="#00ff00"/>'
              '</svg>')
        camp = write(os.path.join(d, "c.ini"),
                     "[logo]\nfile=logo.png\nanchor=top-left\nsize=0.2\n\n"
                     "[logo svg]\nfile=logo.svg\nanchor=bottom-right\n"
                     "size=0.3\n")
        out = os.path.join(d, "out")
        p = lib.run("prep", "-c", camp, "--preset-dir", presets, "-p",
                    "t-a,t-b", "-j", "2", "--json", "-o", out, *photos,
                    check=0)
        lines = lib.json_lines(p.stdout)
        lib.assert_eq(len(lines), 12, "outputs")
        for o in lines:
            assert o["error"] is None and o["campaign"] == "c", o
            px = imgtest.Pixels(o["output"])
            s = min(px.w, px.h)
            logo = px.bbox(red)
            lib.assert_eq(logo[2] - logo[0] + 1, round(0.2 * s), "png logo")
            green = px.bbox(lambda r, g, b: g > 200 and r < 60)
            lib.assert_eq(green[2] - green[0] + 1, round(0.3 * s),
                          "svg logo width")
            lib.assert_eq(green[3] - green[1] + 1, round(0.15 * s),
                          "svg logo height")


def test_per_preset_override():
    with lib.TempDir() as d:
        presets = os.path.join(d, "presets")
        imgtest.preset(presets, "t-a", 400, 300)
        imgtest.preset(presets, "t-b", 400, 300)
        photo = imgtest.flat(os.path.join(d, "p.png"), 400, 300, (0, 0, 0))
        imgtest.flat(os.path.join(d, "logo.png"), 10, 10, (255, 0, 0, 255))
        camp = write(os.path.join(d, "c.ini"),
                     "[logo]\nfile=logo.png\nanchor=top-left\nsize=0.1\n"
                     "margin=0\n\n[logo@t-b]\nanchor=bottom-right\n"
                     "size=0.2\n")
        out = os.path.join(d, "out")
        lib.run("prep", "-c", camp, "--preset-dir", presets, "-p", "t-a,t-b",
                "-o", out, photo, check=0)
        a = imgtest.Pixels(os.path.join(out, "p.t-a.png")).bbox(red)
        b = imgtest.Pixels(os.path.join(out, "p.t-b.png")).bbox(red)
        lib.assert_eq(a, (0, 0, 29, 29), "t-a: the layer's own values")
        lib.assert_eq(b, (340, 240, 399, 299), "t-b: the override")


BAD_CAMPAIGNS = [
    # (file text, what the message must name)
    ("[logo]\nfile=logo.png\nanchr=top\n", "anchr"),
    ("[logo]\nfile=logo.png\nanchor=upper-left\n", "anchor"),
    ("[logo]\nfile=logo.png\nopacity=1.5\n", "opacity"),
    ("[logo]\nfile=logo.png\nsize=big\n", "size"),
    ("[logo]\nfile=missing.png\n", "missing.png"),
    ("[logo]\nfile=broken.png\n", "broken.png"),
    ("[logo]\nanchor=top\n", "file"),
    ("[text]\ntext=<b>unclosed\n", "[text] text"),
    ("[text]\ntext=hi\nfont=No Such Font Family\n", "No Such Font Family"),
    ("[text]\ntext=hi\ncolour=white\n", "colour"),
    ("[text]\ntext=hi\nbackground=stripe\n", "background"),
    ("[text]\ntext=hi\ntext.xx-!=bad\n", "text.xx-!"),
    ("[campaign]\nlanguages=en,fr\n\n[text]\ntext.en=hi\n", "text.fr"),
    ("[campaign]\nlanguages=en,fr\n\n[text]\ntext=hi\ntext.de=hallo\n",
     "text.de"),
    ("[logo]\nfile=logo.png\n\n[logo@no-such-preset]\nsize=0.2\n",
     "no-such-preset"),
    ("[logo]\nfile=logo.png\n\n[logo]\nsize=0.2\n", "[logo]"),
    ("[watermark]\nfile=logo.png\n", "[watermark]"),
    ("[campaign]\nname=x\n", "no layers"),
]


def test_bad_campaign_files_fail_before_any_photo():
    with lib.TempDir() as d:
        imgtest.flat(os.path.join(d, "logo.png"), 20, 20, (255, 0, 0, 255))
        write(os.path.join(d, "broken.png"), "\x89PNG\r\n\x1a\n not really")
        photo = imgtest.flat(os.path.join(d, "p.png"), 100, 100, (0, 0, 0))
        for i, (text, named) in enumerate(BAD_CAMPAIGNS):
            camp = write(os.path.join(d, "bad%d.ini" % i), text)
            out = os.path.join(d, "out%d" % i)
            p = lib.run("prep", "-c", camp, "-o", out, photo)
            assert p.returncode == 2, (text, p.returncode, p.stderr)
            assert camp in p.stderr, (text, p.stderr)
            assert named in p.stderr, (text, named, p.stderr)
            assert not os.path.exists(out), "%s: %s written" % (text, out)


def test_campaign_by_name_and_lang_checks():
    with lib.TempDir() as d:
        xdg = os.path.join(d, "config")
        cdir = os.path.join(xdg, "attache", "campaigns")
        os.makedirs(cdir)
        imgtest.flat(os.path.join(cdir, "logo.png"), 20, 20, (255, 0, 0, 255))
        write(os.path.join(cdir, "spring.ini"),
              "[campaign]\nlanguages=en,fr\nlang=en\n\n[logo]\n"
              "file=logo.png\n\n[text]\ntext=Spring\ntext.fr=Printemps\n")
        photo = imgtest.flat(os.path.join(d, "p.jpg"), 300, 200, (0, 0, 0))
        out = os.path.join(d, "out")
        p = lib.run("prep", "-c", "spring", "--lang", "fr", "--json", "-o",
                    out, photo, XDG_CONFIG_HOME=xdg, check=0)
        o = lib.json_lines(p.stdout)[0]
        lib.assert_eq((o["campaign"], o["lang"]), ("spring", "fr"),
                      "campaign and language")
        # a language the campaign does not have
        p = lib.run("prep", "-c", "spring", "--lang", "ar", "-o", out, photo,
                    XDG_CONFIG_HOME=xdg, check=2)
        assert "ar" in p.stderr and "en, fr" in p.stderr, p.stderr
        # a name that is not there
        p = lib.run("prep", "-c", "autumn", "-o", out, photo,
                    XDG_CONFIG_HOME=xdg, check=2)
        assert "autumn" in p.stderr, p.stderr


def test_demo_campaign_six_languages():
    with lib.TempDir() as d:
        photo = imgtest.flat(os.path.join(d, "p.jpg"), 1200, 900,
                             (200, 180, 150))
        for lang in ("en", "fr", "es", "ar", "zh", "ru"):
            out = os.path.join(d, lang)
            p = lib.run("prep", "-c", os.path.join(lib.ROOT, "campaigns",
                                                   "demo.ini"),
                        "--lang", lang, "-p", "instagram-portrait",
                        "--json", "-o", out, photo, check=0)
            o = lib.json_lines(p.stdout)[0]
            assert o["lang"] == lang and o["campaign"] == "demo", o
            # down the middle column: the band's blue is there, at the
            # bottom (Instagram's 3:4 grid trims the sides, not the bottom)
            h, w = o["height"], o["width"]
            rows = band_rows(o["output"], w, h)
            assert rows, lang
            assert max(rows) >= h - 2, (lang, max(rows))
            assert min(rows) > h * 0.8, (lang, "band not at the bottom")
            # across its last row: within the middle columns the grid
            # shows, 1/32 of the width trimmed a side (34 px at 1080; the
            # flat photo is small, so 23 of 720 here)
            side = int(w / 32 + 0.5)
            cols = band_cols(o["output"], w, max(rows))
            assert abs(min(cols) - side) <= 1, (lang, min(cols), side)
            assert abs(max(cols) - (w - side - 1)) <= 1, (lang, max(cols))


def band_cols(path, w, y):
    """Columns of row @y that have the demo band's blue."""
    row = os.path.join(os.path.dirname(path), "row.png")
    imgtest.vips("crop", path, row, 0, y, w, 1)
    px = imgtest.Pixels(row)
    return [x for x in range(w)
            if (lambda r, g, b: b > 150 and r < 60)(*px.at(x, 0)[:3])]


def band_rows(path, w, h):
    """Rows of the middle column that have the demo band's blue."""
    col = os.path.join(os.path.dirname(path), "col.png")
    imgtest.vips("crop", path, col, w // 2, 0, 1, h)
    px = imgtest.Pixels(col)
    return [y for y in range(h)
            if (lambda r, g, b: b > 150 and r < 60)(*px.at(0, y)[:3])]
