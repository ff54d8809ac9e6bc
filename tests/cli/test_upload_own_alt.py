"""`attache upload` sends each file's own alt text, in the output's language
(docs/upload.md, "Alt text"): the day of issue 13 with real phone photos
prepared in French and Arabic, approved by a second person and uploaded
through the gate to the loopback server, which must receive each file's
own text. A file without alt text is refused unless --allow-no-alt; the
JSON line says when X drops an unattached media (expires_at)."""
import datetime
import glob
import json
import os
import shutil
import subprocess
import time

import lib
import uploadlib as U
from lib import assert_eq
from uploadlib import FakeSocial

# per photo and language; each text its own, so a mix-up shows
TEXTS = {
    "fr": ["Des bénévoles déchargent des sacs de riz",
           "Une file d'attente au point d'eau numéro trois",
           "Des enfants dans une salle de classe provisoire"],
    "ar": ["متطوعون يفرغون أكياس الأرز",
           "طابور عند نقطة المياه رقم ثلاثة",
           "أطفال في فصل دراسي مؤقت"],
}


def photos(n=2):
    try:
        jpgs = [p for p in lib.phone_photos() if p.endswith(".jpg")]
    except lib.Skip:
        jpgs = [p for p in lib.sample_photos() if p.endswith(".jpg")]
    return jpgs[:n]


def alt_csv(d, srcs):
    path = os.path.join(d, "alt.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("file,lang,alt\n")
        for lang, texts in TEXTS.items():
            for src, text in zip(srcs, texts):
                f.write('%s,%s,"%s"\n' % (os.path.basename(src), lang, text))
    return path


def prep_two_languages(d):
    """Each photo prepared by alice in fr into d/fr and in ar into d/ar,
    with the CSV's text per photo and language. Returns
    {output path: (lang, expected alt text)}."""
    srcs = photos()
    csv = alt_csv(d, srcs)
    want = {}
    for lang in ("fr", "ar"):
        out = os.path.join(d, lang)
        p = lib.run("prep", "-p", "x-landscape", "--lang", lang,
                    "--alt-manifest", csv, "--by", "alice", "--json", "-o",
                    out, *srcs, check=0)
        for line in lib.json_lines(p.stdout):
            i = srcs.index(line["input"])
            want[line["output"]] = (lang, TEXTS[lang][i])
    assert_eq(len(want), 2 * len(srcs), "outputs")
    return want


def approve(out, *files, flagged=False):
    """bob approves @files of @out; @flagged: also those that need a
    deliberate yes (no alt text), docs/review.md "Severities"."""
    extra = ("--include-flagged",) if flagged else ()
    return lib.run("approve", out, "--by", "bob", *extra, *files, check=0)


def by_file(p):
    return {line["file"]: line for line in U.lines(p)}


def test_gate_sends_each_files_own_alt_in_its_language():
    with lib.TempDir() as d, FakeSocial() as srv:
        want = prep_two_languages(d)
        for lang in ("fr", "ar"):
            approve(os.path.join(d, lang))
        files = sorted(glob.glob(os.path.join(d, "fr", "*.jpg"))) + \
            sorted(glob.glob(os.path.join(d, "ar", "*.jpg")))
        assert_eq(sorted(files), sorted(want), "files to upload")
        before = time.time()
        p = U.upload(srv, d, "x", "--require-approval", "--json", *files,
                     check=0, allow_no_alt=False)
        res = by_file(p)
        assert_eq(len(srv.x_media), len(files), "media created")
        for f in files:
            lang, text = want[f]
            r = res[f]
            assert_eq(r["error"], None, f)
            # what the server holds for that media id: this file's own text
            media = srv.x_media[r["media_id"]]
            assert_eq(media["sha256"], U.sha256(f), "bytes of " + f)
            assert_eq(media["alt"], text, "alt text X received for " + f)
            assert_eq(r["alt_text"], text, "alt_text in the JSON")
            assert_eq(r["lang"], lang, "lang in the JSON")
            assert_eq(r["account"], None, "the default account")
            # the fake X says expires_after_secs 86400 at finalize
            t = datetime.datetime.strptime(r["expires_at"],
                                           "%Y-%m-%dT%H:%M:%SZ")
            at = t.replace(tzinfo=datetime.timezone.utc).timestamp()
            assert before + 86400 - 5 <= at <= time.time() + 86400 + 5, \
                (r["expires_at"], before)
        # exiftool agrees that each file carries the text it was sent with
        for f in files:
            tags = lib.exiftool(f)
            assert_eq(tags.get("XMP-iptcCore:AltTextAccessibility"),
                      want[f][1], "XMP x-default of " + f)


def test_without_the_gate_alt_overrides_and_manifest_is_the_fallback():
    with lib.TempDir() as d, FakeSocial() as srv:
        want = prep_two_languages(d)
        f = sorted(glob.glob(os.path.join(d, "ar", "*.jpg")))[0]
        p = U.upload(srv, d, "x", "--json", "--alt", "Given text", f,
                     check=0, allow_no_alt=False)
        (r,) = U.lines(p)
        assert_eq(srv.x_media[r["media_id"]]["alt"], "Given text", "--alt")

        # the XMP taken out (as another tool might), the manifest line
        # updated to the new bytes: its alt text in the output's language
        subprocess.run(["exiftool", "-q", "-overwrite_original", "-XMP:all=",
                        f], check=True)
        assert "XMP-iptcCore:AltTextAccessibility" not in lib.exiftool(f)
        manifest = os.path.join(d, "ar", "attache-manifest.jsonl")
        name = os.path.basename(f)
        with open(manifest, encoding="utf-8") as fh:
            rows = [json.loads(l) for l in fh if l.strip()]
        for row in rows:
            if os.path.basename(row["output"]) == name:
                row["sha256"] = U.sha256(f)
        with open(manifest, "w", encoding="utf-8") as fh:
            fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n"
                             for r in rows))
        p = U.upload(srv, d, "x", "--json", f, check=0, allow_no_alt=False)
        (r,) = U.lines(p)
        assert_eq(r["error"], None, "from the manifest")
        assert_eq(srv.x_media[r["media_id"]]["alt"], want[f][1],
                  "the manifest line's ar text")
        assert_eq(r["lang"], "ar", "lang")

        # under the gate the manifest does not count: bob approves these
        # bytes, still no alt text inside them
        approve(os.path.join(d, "ar"), f)
        n = len(srv.x_media)
        p = U.upload(srv, d, "x", "--require-approval", "--json", f, check=3,
                     allow_no_alt=False)
        (r,) = U.lines(p)
        assert_eq(r["code"], "alt-text", r["error"])
        assert_eq(len(srv.x_media), n, "nothing sent")

        # a damaged manifest line gives no alt text
        with open(manifest, "w", encoding="utf-8") as fh:
            for row in rows:
                line = json.dumps(row, ensure_ascii=False)
                if os.path.basename(row["output"]) == name:
                    line = line[:-5]
                fh.write(line + "\n")
        p = U.upload(srv, d, "x", "--json", f, check=3, allow_no_alt=False)
        (r,) = U.lines(p)
        assert_eq(r["code"], "alt-text", r["error"])


def test_no_alt_is_refused_unless_allowed():
    with lib.TempDir() as d, FakeSocial() as srv:
        out = os.path.join(d, "out")
        p = lib.run("prep", "-p", "x-landscape", "--by", "alice", "--json",
                    "-o", out, photos(1)[0], check=0)
        (f,) = [l["output"] for l in lib.json_lines(p.stdout)]
        approve(out, f, flagged=True)
        p = U.upload(srv, d, "x", "--require-approval", "--json", f, check=3,
                     allow_no_alt=False)
        (r,) = U.lines(p)
        assert_eq(r["code"], "alt-text", "code")
        assert r["error"].startswith(f + ": no alt text"), r["error"]
        assert "--allow-no-alt" in r["error"], r["error"]
        assert f in p.stderr, p.stderr
        assert_eq(srv.x_media, {}, "nothing reached X")

        p = U.upload(srv, d, "x", "--require-approval", "--allow-no-alt",
                     "--json", f, check=0, allow_no_alt=False)
        (r,) = U.lines(p)
        assert_eq(r["error"], None, "allowed")
        assert_eq(r["alt_text"], None, "no alt text")
        assert_eq(srv.x_media[r["media_id"]]["alt"], None, "none set")
        assert r["expires_at"], r


# ---- accounts per language (docs/upload.md, "Accounts per language") ----

CAMPAIGN = """[campaign]
name=accounts
languages=fr,ar,es
[text tag]
text=<b>#Test</b>
text.fr=<b>#Test</b> fr
text.ar=اختبار <b>#Test</b>
text.es=<b>#Test</b> es
font=Noto Sans
font.ar=Noto Sans Arabic
size=0.04
[accounts]
fr = un-fr
ar = un-ar
"""


def accounts_setup(d, srv):
    """A campaign mapping fr and ar to their accounts, and a
    credentials.ini with [x.un-fr] and [x.un-ar] only (no default [x]).
    Returns the campaign's path."""
    camp = os.path.join(d, "accounts.ini")
    with open(camp, "w", encoding="utf-8") as f:
        f.write(CAMPAIGN)
    U.write_ini(d, "[x.un-fr]\nbearer = %s\n\n[x.un-ar]\nbearer = %s\n" % (
        srv.add_x_account("un-fr"), srv.add_x_account("un-ar")))
    return camp


def test_each_language_goes_to_its_own_account():
    with lib.TempDir() as d, FakeSocial() as srv:
        camp = accounts_setup(d, srv)
        want = prep_two_languages(d)
        for lang in ("fr", "ar"):
            approve(os.path.join(d, lang))
        files = sorted(want)
        env = {"ATTACHE_X_API": srv.url}
        # without the campaign every file is the default account's, and
        # there is none: a configuration error, nothing sent
        p = U.upload(srv, d, "x", "--require-approval", *files, check=2,
                     creds=False, env=env, allow_no_alt=False)
        assert "[x]" in p.stderr, p.stderr
        assert_eq(srv.x_media, {}, "nothing sent")

        p = U.upload(srv, d, "x", "-c", camp, "--require-approval", "--json",
                     *files, check=0, creds=False, env=env,
                     allow_no_alt=False)
        res = by_file(p)
        for f in files:
            lang, text = want[f]
            media = srv.x_media[res[f]["media_id"]]
            assert_eq(media["account"], "un-" + lang, "account of " + f)
            assert_eq(res[f]["account"], "un-" + lang, "account in the JSON")
            assert_eq(media["alt"], text, "alt text of " + f)
        # and the requests of each media carried that account's token only
        for r in srv.requests:
            auth = r["headers"].get("authorization", "")
            assert auth in ("Bearer " + srv.x_accounts["un-fr"],
                            "Bearer " + srv.x_accounts["un-ar"]), auth

        # an account the file does not have is refused before anything
        U.write_ini(d, "[x.un-fr]\nbearer = %s\n" % srv.x_accounts["un-fr"])
        n = len(srv.x_media)
        p = U.upload(srv, d, "x", "-c", camp, "--require-approval", *files,
                     check=2, creds=False, env=env, allow_no_alt=False)
        assert "[x.un-ar]" in p.stderr, p.stderr
        assert_eq(len(srv.x_media), n, "nothing sent")


def test_prep_upload_goes_to_the_languages_account():
    with lib.TempDir() as d, FakeSocial() as srv:
        camp = accounts_setup(d, srv)
        src = photos(1)[0]
        e = {k: None for k in U.UPLOAD_VARS}
        e.update(U.FAST)
        e.update(XDG_CONFIG_HOME=os.path.join(d, "config"),
                 XDG_CACHE_HOME=os.path.join(d, "cache"),
                 ATTACHE_X_API=srv.url)
        for lang in ("ar", "fr"):
            p = lib.run("prep", "-p", "x-landscape", "-c", camp, "--lang",
                        lang, "--alt", "Texte " + lang, "--upload", "x",
                        "--json", "-o", os.path.join(d, "p" + lang), src,
                        check=0, **e)
            (line,) = lib.json_lines(p.stdout)
            media = srv.x_media[line["upload"]["media_id"]]
            assert_eq(media["account"], "un-" + lang, "account")
            assert_eq(media["alt"], "Texte " + lang, "alt")
        U.assert_no_secret(srv, p)

        # every language in one run: each output goes with its language's
        # account (one uploader per account, made before any photo)
        with open(os.path.join(d, "alt.csv"), "w", encoding="utf-8") as f:
            f.write("file,lang,alt\n%s,fr,Texte fr\n%s,ar,نص عربي\n"
                    % (os.path.basename(src), os.path.basename(src)))
        p = lib.run("prep", "-p", "x-landscape", "-c", camp, "--lang",
                    "fr,ar", "--alt-manifest", os.path.join(d, "alt.csv"),
                    "--upload", "x", "--json", "-o", os.path.join(d, "both"),
                    src, check=0, **e)
        lines = lib.json_lines(p.stdout)
        assert_eq(sorted(l["lang"] for l in lines), ["ar", "fr"], "languages")
        for line in lines:
            media = srv.x_media[line["upload"]["media_id"]]
            assert_eq(media["account"], "un-" + line["lang"], "account")
            assert_eq(media["alt"], {"fr": "Texte fr", "ar": "نص عربي"}[
                line["lang"]], "its own alt text")
        U.assert_no_secret(srv, p)


def test_accounts_group_is_checked_when_the_campaign_is_read():
    with lib.TempDir() as d:
        src = photos(1)[0]
        for bad, why in (("de = un-de\n", "not in [campaign] languages"),
                         ("fr = un fr!\n", "not an account name")):
            camp = os.path.join(d, "bad.ini")
            with open(camp, "w", encoding="utf-8") as f:
                f.write(CAMPAIGN + bad)
            p = lib.run("prep", "-c", camp, "-o", os.path.join(d, "o"), src,
                        check=2)
            assert camp in p.stderr and "[accounts]" in p.stderr and \
                why in p.stderr, p.stderr


def test_mastodon_says_no_expiry():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = sorted(prep_two_languages(d))[0]
        p = U.upload(srv, d, "mastodon", "--json", f, check=0,
                     allow_no_alt=False)
        (r,) = U.lines(p)
        assert_eq(r["error"], None, "uploaded")
        assert_eq(r["expires_at"], None, "Mastodon gives no expiry")
        assert r["alt_text"], r


def test_hot_folder_uploads_each_language_to_its_account():
    """attache watch with `lang = fr,ar` and a campaign whose [accounts]
    names un-fr and un-ar: each language's output goes to its account."""
    with lib.TempDir() as d, FakeSocial() as srv:
        camp = accounts_setup(d, srv)
        inbox = os.path.join(d, "inbox")
        os.makedirs(inbox)
        shutil.copy(camp, os.path.join(inbox, "accounts.ini"))
        src = photos(1)[0]
        shutil.copy(src, inbox)
        stem = os.path.splitext(os.path.basename(src))[0]
        for lang, text in (("fr", "Texte fr"), ("ar", "نص عربي")):
            with open(os.path.join(inbox, "%s.alt.%s.txt" % (stem, lang)),
                      "w", encoding="utf-8") as f:
                f.write(text)
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\ncampaign = accounts.ini\nlang = fr,ar\n"
                    "upload = x\n")
        e = {k: None for k in U.UPLOAD_VARS}
        e.update(U.FAST)
        e.update(XDG_CONFIG_HOME=os.path.join(d, "config"),
                 XDG_CACHE_HOME=os.path.join(d, "cache"),
                 ATTACHE_X_API=srv.url)
        p = lib.run("watch", inbox, "--once", "-p", "x-landscape",
                    "--settle", "0.2", "--no-approval", check=0, **e)
        U.assert_no_secret(srv, p)
        got = sorted((m["account"], m["alt"]) for m in srv.x_media.values())
        assert_eq(got, [("un-ar", "نص عربي"), ("un-fr", "Texte fr")],
                  "each language's output, its account and alt text")
