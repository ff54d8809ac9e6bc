"""What the reviewer needs to see (docs/review.md, "Severities"): flags in
three severities, attache approve leaving what needs a deliberate yes
unless it is named (--output) or --include-flagged is given, and never
approving what is blocked; prep and the review page counting the photos
without alt text; and photos that failed listed on the page, with where
their original is (prep: where it was read; the hot folder: failed/).

Oracles: approvals.json read with Python's json, exiftool for the alt text
an output carries, Chromium for the page (tests/browser.py)."""
import hashlib
import json
import os
import shutil
import subprocess

import browser
import lib
from lib import assert_eq

PHONE = lib.PHONE
TRUNCATE_FROM = os.path.join(PHONE, "google-pixel_gps_thumb.jpg")
PRESETS = {"tiny-x": ("x", 256, 144), "tiny-sq": ("test", 160, 160)}
ALT = "A nurse weighs a baby at the clinic"


def jpegs(n):
    photos = [p for p in lib.phone_photos() if p.endswith(".jpg")
              and "truncated" not in p]
    return photos[:n]


def approvals(out):
    p = os.path.join(out, "approvals.json")
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return json.load(f)["approvals"]


def approved_files(out):
    return sorted({a["file"] for a in approvals(out)})


def alt_of(path):
    """The alt text exiftool reads in an output (XMP), or None."""
    t = lib.exiftool(path)
    return t.get("XMP-iptcCore:AltTextAccessibility")


def setup(d):
    """Two photos prepared by alice into d/out: "with" has alt text (a
    sidecar), "without" has none. Returns (out, {stem: [output paths]},
    presets folder)."""
    pdir = lib.write_presets(os.path.join(d, "presets"), PRESETS)
    src = os.path.join(d, "in")
    os.makedirs(src)
    a, b = jpegs(2)
    shutil.copy(a, os.path.join(src, "with.jpg"))
    shutil.copy(b, os.path.join(src, "without.jpg"))
    with open(os.path.join(src, "with.alt.txt"), "w") as f:
        f.write(ALT)
    out = os.path.join(d, "out")
    p = lib.run("prep", "--json", "--preset-dir", pdir, "-p",
                ",".join(PRESETS), "-o", out, "--by", "alice", src, check=0)
    outs = {}
    for l in lib.json_lines(p.stdout):
        stem = os.path.basename(l["input"]).split(".")[0]
        outs.setdefault(stem, []).append(l["output"])
    # the oracle: exiftool sees alt text in one photo's outputs only
    for f in outs["with"]:
        assert_eq(alt_of(f), ALT, f)
    for f in outs["without"]:
        assert_eq(alt_of(f), None, f)
    return out, outs, pdir


def approve(out, *args, check=None):
    return lib.run("approve", out, "--by", "bob", *args, check=check)


def test_prep_counts_photos_without_alt_text():
    with lib.TempDir() as d:
        pdir = lib.write_presets(os.path.join(d, "presets"), PRESETS)
        src = os.path.join(d, "in")
        os.makedirs(src)
        for i, p in enumerate(jpegs(3)):
            shutil.copy(p, os.path.join(src, "p%d.jpg" % i))
        with open(os.path.join(src, "p1.alt.txt"), "w") as f:
            f.write(ALT)
        out = os.path.join(d, "out")
        p = lib.run("prep", "--preset-dir", pdir, "-p", ",".join(PRESETS),
                    "-o", out, src, check=0)
        assert_eq(p.returncode, 0, p.stderr)
        # what exiftool finds: photos with an output that carries none
        none = {f.split(".")[0] for f in os.listdir(out) if f.endswith(".jpg")
                and alt_of(os.path.join(out, f)) is None}
        assert_eq(sorted(none), ["p0", "p2"], "photos without alt text")
        (summary,) = [l for l in p.stderr.splitlines() if "3 photos" in l]
        assert "2 photos without alt text" in summary, p.stderr
        # all with alt text: nothing said
        p = lib.run("prep", "--preset-dir", pdir, "-p", "tiny-x", "-o",
                    os.path.join(d, "out2"), "--alt", ALT, src, check=0)
        assert "without alt text" not in p.stderr, p.stderr


def test_approve_a_glob_leaves_what_needs_a_deliberate_yes():
    with lib.TempDir() as d:
        out, outs, _ = setup(d)
        every = sorted(outs["with"] + outs["without"])
        # a shell glob: every output named on the command line
        p = approve(out, *every, check=0)
        assert_eq(p.returncode, 0, p.stderr)
        assert_eq(approved_files(out),
                  sorted(os.path.basename(f) for f in outs["with"]),
                  "only the outputs with alt text")
        assert "2 outputs approved by bob, 2 left" in p.stderr, p.stderr
        assert "2 need a deliberate yes (No alt text: 2)" in p.stderr, \
            p.stderr
        assert "--include-flagged" in p.stderr and "--output" in p.stderr, \
            p.stderr
        for f in outs["without"]:
            assert f + ": left unapproved" in p.stderr, p.stderr
        # -q prints no line per file, but leaving outputs is never silent
        p = approve(out, "-q", check=0)
        assert "left unapproved" not in p.stderr, p.stderr
        assert "2 need a deliberate yes" in p.stderr, p.stderr

        # the same in --json: a line per file, then the summary
        p = approve(out, "--json", check=0)
        lines = lib.json_lines(p.stdout)
        summary = lines[-1]["summary"]
        assert_eq((summary["approved"], summary["left"],
                   summary["needs_yes"], summary["blocking"]),
                  (2, 2, 2, 0), "summary")
        assert_eq(summary["reasons"], {"alt-missing": 2}, "reasons")
        by_file = {l["file"]: l for l in lines[:-1]}
        for f in outs["without"]:
            r = by_file[os.path.join(out, os.path.basename(f))]
            assert_eq((r["recorded"], r["left"], r["severity"]),
                      (False, True, "needs-yes"), f)
            assert r["reasons"][0] == "alt-missing", r
        for f in outs["with"]:
            r = by_file[os.path.join(out, os.path.basename(f))]
            assert r["recorded"] and not r["left"], r



def test_include_flagged_approves_them():
    with lib.TempDir() as d:
        out, outs, _ = setup(d)
        p = approve(out, "--include-flagged", check=0)
        assert_eq(p.returncode, 0, p.stderr)
        assert_eq(approved_files(out),
                  sorted(os.path.basename(f)
                         for f in outs["with"] + outs["without"]), "all")
        assert "4 outputs approved by bob, 0 left" in p.stderr, p.stderr


def test_naming_one_approves_it_and_a_lone_file_argument_does_not():
    with lib.TempDir() as d:
        out, outs, _ = setup(d)
        one, other = sorted(outs["without"])
        # a single FILE argument is still a list (a glob may match one)
        p = approve(out, one, check=0)
        assert_eq(p.returncode, 0, p.stderr)
        assert_eq(approved_files(out), [], "a FILE argument is no name")
        # named with --output (a bare name): that one, and only it
        p = approve(out, "--output", os.path.basename(one), check=0)
        assert_eq(p.returncode, 0, p.stderr)
        assert_eq(approved_files(out), [os.path.basename(one)], "named")
        assert "1 output approved by bob, 0 left" in p.stderr, p.stderr
        # a path works too, and FILEs beside it are still only a list
        p = approve(out, "--output", other, *outs["with"], check=0)
        assert_eq(approved_files(out),
                  sorted(os.path.basename(f) for f in [one, other] +
                         outs["with"]), "named and listed")


def inject_gps(path):
    subprocess.run(["exiftool", "-q", "-overwrite_original",
                    "-GPSLatitude=48.85", "-GPSLatitudeRef=N",
                    "-GPSLongitude=2.35", "-GPSLongitudeRef=E", path],
                   check=True)
    assert "GPS:GPSLatitude" in lib.exiftool(path), "exiftool wrote GPS"


def test_blocking_is_never_approved():
    with lib.TempDir() as d:
        out, outs, _ = setup(d)
        changed, leaky = sorted(outs["with"])
        # changed since prep: other bytes than the manifest's
        inject_gps(changed)
        # audit failure: GPS in bytes the manifest records (a line
        # rewritten to match, as a careless tool or an old attache might)
        inject_gps(leaky)
        with open(leaky, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        man = os.path.join(out, "attache-manifest.jsonl")
        with open(man) as f:
            lines = [json.loads(l) for l in f if l.strip()]
        for l in lines:
            if l.get("output") == leaky:
                l["sha256"] = sha
        with open(man, "w") as f:
            f.write("".join(json.dumps(l) + "\n" for l in lines))

        p = approve(out, "--include-flagged", "--json", "--output",
                    os.path.basename(changed), "--output",
                    os.path.basename(leaky), check=1)
        res = {os.path.basename(l["file"]): l for l in
               lib.json_lines(p.stdout) if "file" in l}
        c, k = res[os.path.basename(changed)], res[os.path.basename(leaky)]
        assert_eq((c["recorded"], c["severity"], c["reasons"]),
                  (False, "blocking", ["changed"]), c)
        assert_eq((k["recorded"], k["severity"], k["reasons"][0]),
                  (False, "blocking", "audit-failed"), k)
        assert "audit" in k["error"] and "gps" in k["error"], k
        assert os.path.basename(changed) not in approved_files(out)
        assert os.path.basename(leaky) not in approved_files(out)
        assert_eq(json.loads(p.stdout.splitlines()[-1])["summary"]["blocking"],
                  2, "summary")

        # the page shows them blocked, with their severity
        lib.run("review", out, check=0)
        facts = page(out)
        figs = {f["file"]: f for f in facts["outputs"]}
        for f in (changed, leaky):
            assert_eq(figs[os.path.basename(f)]["severity"], "blocking", f)
        notes = figs[os.path.basename(leaky)]["noteSev"]
        assert ["audit-failed", "blocking"] in notes, notes
        assert_eq(facts["summary"]["blocking"], "2 blocked", "count")


# The page's severities and failures, read from the rendered DOM.
SEVERITY_FACTS = r"""
(() => ({
  outputs: [...document.querySelectorAll('figure.output')].map(f => ({
    file: f.dataset.file, severity: f.dataset.severity,
    flagSev: [...f.querySelectorAll('li.flag')].map(
      l => [l.dataset.flag, l.dataset.severity, l.textContent]),
    noteSev: [...f.querySelectorAll('li.note')].map(
      l => [l.dataset.note, l.dataset.severity]),
    visible: f.getBoundingClientRect().height > 0})),
  failures: [...document.querySelectorAll('li.failure')].map(l => ({
    input: l.dataset.input, code: l.dataset.code,
    name: l.querySelector('.name').textContent,
    reason: l.querySelector('.reason').textContent,
    original: (l.querySelector('.original') || {}).textContent,
    errorFile: (l.querySelector('.error-file') || {}).textContent,
    text: l.innerText,
    visible: l.getBoundingClientRect().height > 0})),
  summary: Object.fromEntries([...document.querySelectorAll(
    '[data-count]')].map(e => [e.dataset.count, e.textContent]))}))()
"""


def page(out):
    with browser.Browser() as b:
        b.open(browser.file_url(os.path.join(out, "review.html")))
        return b.evaluate(SEVERITY_FACTS)


def test_page_shows_severities_and_counts_missing_alt_text():
    with lib.TempDir() as d:
        out, outs, pdir = setup(d)
        p = lib.run("review", "--preset-dir", pdir, out, check=0)
        assert "2 need a deliberate yes, 1 photo without alt text" in \
            p.stdout, p.stdout
        facts = page(out)
        figs = {f["file"]: f for f in facts["outputs"]}
        for f in outs["without"]:
            v = figs[os.path.basename(f)]
            assert_eq(v["severity"], "needs-yes", f)
            assert ["alt-missing", "needs-yes"] in v["noteSev"], v
        for f in outs["with"]:
            v = figs[os.path.basename(f)]
            assert v["severity"] in ("none", "info"), v
            # every flag shown says its severity, in words
            for flag, sev, text in v["flagSev"]:
                assert_eq(sev, "info", flag)
                assert "Information" in text, text
        assert_eq(facts["summary"]["without-alt"],
                  "1 photo without alt text", "count")
        assert_eq(facts["summary"]["needs-yes"],
                  "2 need a deliberate yes", "count")


def truncated(d, name="broken.jpg"):
    path = os.path.join(d, name)
    with open(TRUNCATE_FROM, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:len(data) // 3])
    return path


def test_failed_photo_is_on_the_page_prep():
    with lib.TempDir() as d:
        pdir = lib.write_presets(os.path.join(d, "presets"), PRESETS)
        src = os.path.join(d, "in")
        os.makedirs(src)
        shutil.copy(jpegs(1)[0], os.path.join(src, "good.jpg"))
        bad = truncated(src)
        out = os.path.join(d, "out")
        p = lib.run("prep", "--preset-dir", pdir, "-p", "tiny-x", "-o", out,
                    "--alt", ALT, src)
        assert_eq(p.returncode, 1, p.stderr)
        assert "1 photo failed" in p.stderr, p.stderr
        p = lib.run("review", "--preset-dir", pdir, out, check=0)
        assert "1 photo failed" in p.stdout, p.stdout
        facts = page(out)
        (f,) = facts["failures"]
        assert f["visible"], f
        assert_eq(f["name"], "broken.jpg", "name")
        assert_eq(f["input"], bad, "input")
        assert "broken.jpg" in f["reason"], f
        assert_eq(f["original"], bad, "the original stays where it was")
        assert_eq(facts["summary"]["failed"], "1 photo failed", "count")
        # prepared again, whole: no longer listed
        shutil.copy(TRUNCATE_FROM, bad)
        lib.run("prep", "--preset-dir", pdir, "-p", "tiny-x", "-o", out,
                "--alt", ALT, bad, check=0)
        lib.run("review", "--preset-dir", pdir, out, check=0)
        assert_eq(page(out)["failures"], [], "prepared since")


def test_failed_photo_is_on_the_page_hot_folder():
    with lib.TempDir() as d:
        pdir = lib.write_presets(os.path.join(d, "presets"), PRESETS)
        inbox = os.path.join(d, "inbox")
        os.makedirs(inbox)
        shutil.copy(jpegs(1)[0], os.path.join(inbox, "good.jpg"))
        truncated(inbox)
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\npresets = tiny-x\nalt = %s\n" % ALT)
        p = lib.run("watch", inbox, "--once", "--preset-dir", pdir,
                    "--settle", "0.2")
        assert_eq(p.returncode, 1, p.stderr)
        failed = os.path.join(inbox, "failed", "broken.jpg")
        assert os.path.exists(failed), os.listdir(inbox)
        out = os.path.join(inbox, "out")
        lib.run("review", "--preset-dir", pdir, out, check=0)
        facts = page(out)
        (f,) = facts["failures"]
        assert_eq(f["name"], "broken.jpg", "name")
        assert_eq(f["original"], failed, "where the original is")
        assert_eq(f["errorFile"], failed + ".error.txt", "error file")
        # the same plain words as the error file
        with open(failed + ".error.txt") as e:
            words = e.read()
        assert f["reason"] and f["reason"] in words, (f["reason"], words)
        assert_eq(facts["summary"]["failed"], "1 photo failed", "count")
        # one line, even after another run
        lib.run("watch", inbox, "--once", "--preset-dir", pdir, "--settle",
                "0.2")
        with open(os.path.join(out, "attache-manifest.jsonl")) as m:
            kinds = [json.loads(l).get("kind") for l in m if l.strip()]
        assert_eq(kinds.count("failure"), 1, "failure lines")


def test_every_flag_is_in_the_one_table_and_the_docs():
    """Every flag prep emits (names.c) has a row in flags.c's table, and
    docs/review.md's table gives each row its severity as the code does."""
    import re
    src = os.path.join(lib.ROOT, "src", "lib")
    with open(os.path.join(src, "core", "names.c")) as f:
        names_c = f.read()
    emitted = re.findall(r'\{ ATTACHE_FLAG_\w+, "([\w-]+)" \}', names_c)
    assert len(emitted) >= 6, emitted
    with open(os.path.join(src, "review", "flags.c")) as f:
        table = dict(re.findall(r'\{ "([\w-]+)", ATTACHE_SEVERITY_(\w+),',
                                f.read()))
    for name in emitted:
        assert name in table, name + " has no severity in flags.c"
    words = {"blocking": "BLOCKING", "needs a deliberate yes": "NEEDS_YES",
             "information": "INFO"}
    with open(os.path.join(lib.ROOT, "docs", "review.md")) as f:
        doc = f.read().split("## Severities", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in doc.splitlines():
        m = re.match(r"\| `([\w-]+)` \| (?:\*\*)?([a-z ]+?)(?:\*\*)? \|", line)
        if m:
            rows[m.group(1)] = words[m.group(2)]
    assert_eq(rows, {k: v for k, v in table.items() if k != "unknown"},
              "docs/review.md's table against flags.c")
