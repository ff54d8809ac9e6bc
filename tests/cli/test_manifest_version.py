"""The manifest's version 2 (issue 12, point 5; docs/json.md): a real
line's members are exactly those docs/json.md documents, a folder written
by an attache before version 2 (lines without "attache_manifest", and its
approvals.json) keeps working when prepared into, reviewed and approved,
and a line of a newer version is refused rather than skipped. Lines are
read with Python's json module, the page with html.parser."""
import html.parser
import json
import os
import re
import shutil
import subprocess

import lib
from lib import assert_eq

MANIFEST = "attache-manifest.jsonl"
DOC = os.path.join(lib.ROOT, "docs", "json.md")

# The members, in order, of a line the attache before version 2 wrote
# (main at 9d0838a, `attache prep -p x-landscape --alt ... --by alice`):
# what the version 1 lines below are checked to look like.
V1_MEMBERS = ["input", "preset", "output", "width", "height", "bytes",
              "max_bytes", "format", "quality", "flags", "removed", "kept",
              "alt", "alt_text", "warnings", "sha256", "focus", "campaign",
              "lang", "prepared_by", "prepared_at", "audit", "error"]


def jpegs():
    try:
        return [p for p in lib.phone_photos() if p.endswith(".jpg")]
    except lib.Skip:
        return [p for p in lib.sample_photos() if p.endswith(".jpg")]


def lines(path):
    with open(path, "rb") as f:
        return [json.loads(l) for l in f.read().split(b"\n") if l.strip()]


def doc_members(heading):
    """The member names in the first column of the table under @heading
    in docs/json.md (every `name` of a row's first cell)."""
    with open(DOC, encoding="utf-8") as f:
        text = "\n" + f.read()
    start = text.index("\n" + heading + "\n")
    names = set()
    in_table = False
    for row in text[start + len(heading) + 2:].split("\n"):
        if row.startswith("#"):
            break
        if row.startswith("| `"):
            in_table = True
            names.update(re.findall(r"`([^`]+)`", row.split("|")[1]))
        elif in_table and not row.startswith("|"):
            break
    assert names, "no table under " + heading
    return names


def prep(out, photo, by, *extra, name=None):
    """attache prep --json of @photo (bytes path allowed) into @out."""
    args = [lib.ATTACHE, "prep", "--json", "-p", "x-landscape", "-o", out,
            "--alt", "Volunteers unload rice", "--by", by] + list(extra)
    p = subprocess.run(args + [photo], capture_output=True, env=lib.env(),
                       cwd=lib.ROOT, timeout=300)
    assert_eq(p.returncode, 0, p.stderr.decode(errors="replace"))
    return [json.loads(l) for l in p.stdout.split(b"\n") if l.strip()]


class Page(html.parser.HTMLParser):
    """data-file and data-approval of the review page's outputs."""

    def __init__(self):
        super().__init__()
        self.files, self.approval = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-file" in a:
            self.files.append(a["data-file"])
        if "data-approval" in a:
            self.approval.append(a["data-approval"])


def review(out):
    page = os.path.join(out, "review.html")
    p = lib.run("review", out, "-o", page)
    parsed = Page()
    with open(page, encoding="utf-8") as f:
        parsed.feed(f.read())
    return p, parsed


def test_docs_name_every_member_of_a_real_line():
    with lib.TempDir() as d:
        # a name that is not UTF-8, so that input_bytes is there too
        src = os.path.join(os.fsencode(d), b"field-\xff.jpg")
        shutil.copy(jpegs()[0], src)
        out = os.path.join(d, "out")
        (res,) = prep(out, src, "alice", "--alt-long", "A longer description")
        (line,) = lines(os.path.join(out, MANIFEST))
        assert_eq(line["attache_manifest"], 2, "version")
        assert_eq(line["kind"], "output", "kind")
        assert_eq(list(line)[:2], ["attache_manifest", "kind"], "first")
        assert line["input_bytes"] and line["alt_long"], line
        documented = doc_members("### Output lines (`\"kind\": \"output\"`)")
        assert_eq(sorted(set(line) - documented), [],
                  "members of a real line that docs/json.md does not name")
        assert_eq(sorted(documented - set(line)), [],
                  "members docs/json.md names that a line does not have")
        # the --json line: every member is in the first table
        json_doc = doc_members("# `attache prep --json`: one line per output")
        assert_eq(sorted(set(res) - json_doc), [], "--json members")

        lib.run("approve", out, "--by", "bob", check=0)
        with open(os.path.join(out, "approvals.json")) as f:
            ap = json.load(f)
        keys = set(ap) | set().union(*(set(a) for a in ap["approvals"]))
        assert_eq(sorted(keys ^ doc_members("## `OUT/approvals.json`")), [],
                  "approvals.json members against docs/json.md")


def test_version_1_folder_is_read_and_appended_to():
    with lib.TempDir() as d:
        photos = jpegs()
        # outputs made for real, to stand in for an older run's
        scratch = os.path.join(d, "scratch")
        prep(scratch, photos[0], "alice")
        prep(os.path.join(scratch, "IMG"), photos[1], "alice")
        made = lines(os.path.join(scratch, MANIFEST)) + \
            lines(os.path.join(scratch, "IMG", MANIFEST))

        # the old folder: prep's output beside the manifest, the hot
        # folder's one level down, lines as version 1 wrote them
        old = os.path.join(d, "old")
        os.makedirs(os.path.join(old, "IMG"))
        v1 = []
        for i, l in enumerate(made):
            rel = os.path.basename(l["output"]) if i == 0 else \
                os.path.join("IMG", os.path.basename(l["output"]))
            shutil.copy(l["output"], os.path.join(old, rel))
            # what version 2 added: the version, the kind, the photo's
            # hash, and later what the pixels show (issue 14)
            line = {k: v for k, v in l.items()
                    if k not in ("attache_manifest", "kind", "input_sha256",
                                 "rotate", "faces", "regions", "text_found")}
            line["output"] = os.path.join(old, rel)
            assert_eq(list(line), V1_MEMBERS, "a version 1 line's members")
            v1.append(json.dumps(line, separators=(",", ":"),
                                 ensure_ascii=False))
        text = ("\n".join(v1) + "\n").encode()
        with open(os.path.join(old, MANIFEST), "wb") as f:
            f.write(text)
        first = os.path.basename(made[0]["output"])
        with open(os.path.join(old, "approvals.json"), "w") as f:
            json.dump({"attache_approvals": 1, "approvals": [
                {"file": first, "sha256": made[0]["sha256"], "by": "bob",
                 "at": "2026-12-01T09:00:00Z"}]}, f, indent="\t")

        # prep into it: appended as version 2, the old lines untouched
        prep(old, photos[2], "carol")
        with open(os.path.join(old, MANIFEST), "rb") as f:
            now = f.read()
        assert now.startswith(text), "version 1 lines rewritten"
        new = lines(os.path.join(old, MANIFEST))[2:]
        assert_eq([(l["attache_manifest"], l["kind"]) for l in new],
                  [(2, "output")], "appended")
        newest = os.path.basename(new[0]["output"])

        # review lists all three; the old approval still counts
        p, page = review(old)
        assert_eq(p.returncode, 0, p.stderr)
        assert "damaged" not in p.stderr, p.stderr
        want = sorted([first, "IMG/" + os.path.basename(made[1]["output"]),
                       newest])
        assert_eq(sorted(page.files), want, "outputs on the page")
        assert_eq(page.approval.count("approved"), 1, page.approval)

        # approve: every output, old and new
        p = lib.run("approve", old, "--by", "bob")
        assert_eq(p.returncode, 0, p.stderr)
        assert first + ": already approved by bob" in p.stdout, p.stdout
        assert newest + ": approved by bob" in p.stdout, p.stdout
        assert "IMG/" in p.stdout, p.stdout
        assert "3 outputs approved by bob, 0 left" in p.stderr, p.stderr
        _, page = review(old)
        assert_eq(page.approval, ["approved"] * 3, "after approve")

        # prep's "an output of an earlier run" check reads version 1 too
        # (named, it is left out with a note, so nothing is left to do)
        p = lib.run("prep", "-p", "x-landscape", "-o", old, "--alt", "x",
                    os.path.join(old, first))
        assert_eq(p.returncode, 1, p.stderr)
        assert first + ": skipped: an output of an earlier run" in p.stderr, \
            p.stderr
        assert_eq(len(lines(os.path.join(old, MANIFEST))), 3, "no new line")


def test_newer_version_is_refused_not_skipped():
    with lib.TempDir() as d:
        out = os.path.join(d, "out")
        prep(out, jpegs()[0], "alice")
        prep(out, jpegs()[1], "alice")
        path = os.path.join(out, MANIFEST)
        got = lines(path)
        # the second output's line rewritten as a newer attache might
        future = dict(got[1], attache_manifest=3)
        with open(path, "w") as f:
            f.write(json.dumps(got[0]) + "\n" + json.dumps(future) + "\n")
        p = lib.run("approve", out, "--by", "bob")
        assert_eq(p.returncode, 1, p.stderr)
        assert ("line 2 is damaged: written by a newer attache "
                "(\"attache_manifest\": 3; this one reads up to version 2)"
                in p.stderr), p.stderr
        assert os.path.basename(got[0]["output"]) + ": approved by bob" \
            in p.stdout, p.stdout
        assert os.path.basename(got[1]["output"]) + ": approved" \
            not in p.stdout, p.stdout
        # the page shows it at the top, and the output is not approved
        p, page = review(out)
        assert_eq(p.returncode, 0, p.stderr)
        assert "damaged" in p.stderr, p.stderr
        with open(os.path.join(out, "review.html"), encoding="utf-8") as f:
            assert "written by a newer attache" in f.read(), "page"
        assert_eq(page.files, [os.path.basename(got[0]["output"])], "listed")
