"""The two-person rule: attache approve records who approved which bytes in
DIR/approvals.json; attache upload --require-approval sends only outputs
whose current bytes someone other than their preparer approved. Checked
against the loopback upload server (tests/server/fake_social.py), with
approvals.json read back by Python's json module."""
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess

import browser
import lib
import uploadlib as U
from lib import assert_eq
from uploadlib import FakeSocial

PRESETS = ["x-landscape", "x-square", "x-portrait", "instagram-square",
           "instagram-portrait", "bluesky"]


def photo():
    try:
        return [p for p in lib.phone_photos() if p.endswith(".jpg")][0]
    except lib.Skip:
        return [p for p in lib.sample_photos() if p.endswith(".jpg")][0]


def prep(d, by="alice", presets=PRESETS, alt="Volunteers unload rice",
         name="field"):
    """One photo prepared by @by for @presets into d/out; returns
    {preset: output path}."""
    src = os.path.join(d, name + ".jpg")
    if not os.path.exists(src):
        shutil.copy(photo(), src)
    out = os.path.join(d, "out")
    p = lib.run("prep", "--json", "-p", ",".join(presets), "-o", out,
                "--alt", alt, "--by", by, src, check=0)
    return {l["preset"]: l["output"] for l in lib.json_lines(p.stdout)}


def approvals(out):
    with open(os.path.join(out, "approvals.json")) as f:
        return json.load(f)["approvals"]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def change(path):
    """Re-encodes the file with libvips: still a clean image, other bytes."""
    tmp = path + ".tmp.jpg"
    subprocess.run(["vips", "copy", path, tmp + "[Q=70,strip]"], check=True)
    os.replace(tmp, path)


def approve(out, by, *files, check=None):
    return lib.run("approve", out, "--by", by, *files, check=check)


def test_gate_uploads_only_approved_unchanged_outputs():
    with lib.TempDir() as d, FakeSocial() as srv:
        o = prep(d, by="alice")
        out = os.path.dirname(o["x-landscape"])
        unapproved = o["x-landscape"]
        self_approved = o["x-square"]
        approved = o["x-portrait"]
        changed = o["instagram-square"]
        # a file dropped into the folder that attache did not make
        foreign = os.path.join(out, "foreign.jpg")
        shutil.copy(o["instagram-portrait"], foreign)
        change(foreign)

        p = approve(out, "alice", self_approved, check=0)
        assert "does not count" in p.stderr, p.stderr
        approve(out, "bob", approved, changed, check=0)
        change(changed)

        files = [unapproved, self_approved, approved, changed, foreign]
        p = U.upload(srv, d, "mastodon", "--require-approval", "--json",
                     *files, check=3)
        res = {l["file"]: l for l in U.lines(p)}
        # only the approved, unchanged output reached the server
        lib.assert_eq(len(srv.mastodon_media), 1, "media on the server")
        (m,) = srv.mastodon_media.values()
        assert_eq(m["sha256"], sha256(approved), "the approved bytes")
        assert_eq(res[approved]["error"], None, "approved")
        assert res[approved]["media_id"]

        want = {
            unapproved: "nobody has approved it",
            self_approved: "approved only by alice, who prepared it",
            changed: "changed after approval",
            foreign: "no record of who prepared it",
        }
        for f, phrase in want.items():
            r = res[f]
            assert_eq(r["code"], "approval", f)
            assert r["media_id"] is None, r
            assert r["error"].startswith(f + ": not approved"), r["error"]
            assert phrase in r["error"], (phrase, r["error"])
            # the same message on stderr, naming the file
            assert r["error"] in p.stderr, p.stderr

        # without the gate the same files go out: it was the gate
        p = U.upload(srv, d, "mastodon", "--json", unapproved, check=0)
        assert_eq(len(srv.mastodon_media), 2, "media without the gate")


def test_gate_on_x_and_bluesky_and_reapproval():
    """The gate is the library's, for every target; an output prepared
    again (new bytes) needs a new approval, and gets it."""
    with lib.TempDir() as d, FakeSocial() as srv:
        o = prep(d, by="alice", presets=["x-landscape", "bluesky"])
        out = os.path.dirname(o["bluesky"])
        approve(out, "bob", check=0)
        U.upload(srv, d, "x", "--require-approval", o["x-landscape"],
                 check=0)
        U.upload(srv, d, "bluesky", "--require-approval", o["bluesky"],
                 check=0)
        assert_eq(len(srv.x_media), 1, "x")
        assert_eq(len(srv.bsky_blobs), 1, "bluesky")

        # prepared again with other alt text: other bytes, same name
        old = sha256(o["bluesky"])
        o = prep(d, by="alice", presets=["bluesky"],
                 alt="Volunteers unload rice at dawn")
        assert sha256(o["bluesky"]) != old
        p = U.upload(srv, d, "bluesky", "--require-approval", "--json",
                     o["bluesky"], check=3)
        assert "changed after approval" in U.lines(p)[0]["error"], p.stdout
        assert_eq(len(srv.bsky_blobs), 1, "nothing new sent")
        # approved again by a second reviewer: goes out
        approve(out, "carol", o["bluesky"], check=0)
        U.upload(srv, d, "bluesky", "--require-approval", o["bluesky"],
                 check=0)
        assert_eq(len(srv.bsky_blobs), 2, "sent after re-approval")


def test_self_approval_never_counts_whatever_the_spelling():
    with lib.TempDir() as d, FakeSocial() as srv:
        o = prep(d, by="Alice Martin", presets=["x-landscape"])
        out = os.path.dirname(o["x-landscape"])
        for name in ("alice martin", " ALICE MARTIN ", "Ａｌｉｃｅ Martin"):
            approve(out, name, check=0)
        p = U.upload(srv, d, "x", "--require-approval", "--json",
                     o["x-landscape"], check=3)
        assert "approved only by" in U.lines(p)[0]["error"], p.stdout
        assert_eq(len(srv.x_media), 0, "sent")
        # a file prepared twice with the same bytes by two people: neither
        # may approve it
        o2 = prep(d, by="bob", presets=["x-landscape"])
        assert_eq(sha256(o2["x-landscape"]), sha256(o["x-landscape"]),
                  "prep is deterministic")
        approve(out, "bob", check=0)
        p = U.upload(srv, d, "x", "--require-approval", "--json",
                     o["x-landscape"], check=3)
        err = U.lines(p)[0]["error"]
        assert "approved only by" in err and "bob" in err, err
        approve(out, "carol", check=0)
        U.upload(srv, d, "x", "--require-approval", o["x-landscape"],
                 check=0)
        assert_eq(len(srv.x_media), 1, "sent once carol approved")


def test_lookalike_names_are_the_preparer():
    """NFKC, default-ignorables removed, trimmed, casefolded, then the
    UTS #39 skeleton: none of these spellings is a second person."""
    with lib.TempDir() as d, FakeSocial() as srv:
        o = prep(d, by="alice", presets=["x-landscape"])
        out = os.path.dirname(o["x-landscape"])
        names = ["alice\u00a0", "alice\u200b", "\u200balice", "alice\u00ad",
                 "\u0430lice", "\u202ealice", "al\u2060ice"]
        for name in names:
            p = approve(out, name, check=0)
            assert "does not count" in p.stderr, (ascii(name), p.stderr)
            # and its closing count does not call it approved
            assert "0 outputs approved by" in p.stderr, (ascii(name), p.stderr)
            assert "1 recorded but not counted" in p.stderr, p.stderr
            r = U.upload(srv, d, "x", "--require-approval", "--json",
                         o["x-landscape"], check=3)
            err = U.lines(r)[0]["error"]
            assert "approved only by" in err, (ascii(name), err)
        assert_eq(len(srv.x_media), 0, "sent")
        # recorded without the invisible padding
        recorded = {a["by"] for a in approvals(out)}
        assert "alice" in recorded, recorded
        assert not any("\u200b" in b or "\u00ad" in b or "\u00a0" in b
                       for b in recorded), ascii(recorded)
        # a different person still counts
        approve(out, "alicia", check=0)
        U.upload(srv, d, "x", "--require-approval", o["x-landscape"],
                 check=0)
        assert_eq(len(srv.x_media), 1, "sent once alicia approved")


def test_gate_sends_the_alt_text_inside_the_approved_bytes():
    """Under --require-approval the alt text sent is the one embedded in
    the approved file's XMP (which its SHA-256 covers): --alt is refused,
    and an edited manifest copy changes nothing."""
    with lib.TempDir() as d, FakeSocial() as srv:
        o = prep(d, by="alice", presets=["mastodon", "x-landscape"],
                 alt="Volunteers unload rice")
        out = os.path.dirname(o["mastodon"])
        approve(out, "bob", check=0)
        for opt in (["--alt", "UNREVIEWED"], ["--alt-file", __file__]):
            p = U.upload(srv, d, "mastodon", "--require-approval", *opt,
                         o["mastodon"], check=2)
            assert opt[0] in p.stderr and "embedded" in p.stderr, p.stderr
        assert_eq(len(srv.mastodon_media), 0, "sent with --alt")
        # whoever can write the folder edits the manifest's copy
        path = os.path.join(out, "attache-manifest.jsonl")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("Volunteers unload rice", "FORGED caption"))
        p = U.upload(srv, d, "mastodon", "--require-approval", "--json",
                     o["mastodon"], check=0)
        (m,) = srv.mastodon_media.values()
        assert_eq(m["description"], "Volunteers unload rice", "sent alt")
        assert_eq(U.lines(p)[0]["alt_text"], "Volunteers unload rice", "json")
        # the same on X
        U.upload(srv, d, "x", "--require-approval", o["x-landscape"], check=0)
        (x,) = srv.x_media.values()
        assert_eq(x["alt"], "Volunteers unload rice", "x alt")


def test_damaged_approvals_is_an_error_never_approved():
    with lib.TempDir() as d, FakeSocial() as srv:
        o = prep(d, by="alice", presets=["x-landscape", "x-square"])
        out = os.path.dirname(o["x-landscape"])
        approve(out, "bob", check=0)
        path = os.path.join(out, "approvals.json")
        with open(path, "rb") as f:
            good = f.read()
        recs = json.loads(good)
        damages = {
            "truncated": good[:len(good) // 2],
            "empty": b"",
            "not json": b"approved: everything\n",
            "array": b"[]",
            "no format": json.dumps({"approvals": recs["approvals"]}).encode(),
            "newer format": json.dumps(dict(recs, attache_approvals=2)).encode(),
            "bad sha": json.dumps(dict(recs, approvals=[dict(
                recs["approvals"][0], sha256="abc")])).encode(),
            "no by": json.dumps(dict(recs, approvals=[{
                k: v for k, v in recs["approvals"][0].items()
                if k != "by"}])).encode(),
            "bad time": json.dumps(dict(recs, approvals=[dict(
                recs["approvals"][0], at="yesterday")])).encode(),
            "not utf-8": good.replace(b"bob", b"b\xffb"),
        }
        for what, data in damages.items():
            with open(path, "wb") as f:
                f.write(data)
            p = U.upload(srv, d, "x", "--require-approval", "--json",
                         o["x-landscape"], check=3)
            err = U.lines(p)[0]["error"]
            assert "approvals.json is damaged" in err, (what, err)
            assert err.startswith(o["x-landscape"]), err
            # approve refuses to touch it: the damage stays for a person
            p = approve(out, "carol", o["x-square"])
            assert_eq(p.returncode, 1, what + ": " + p.stderr)
            assert "damaged" in p.stderr, (what, p.stderr)
            with open(path, "rb") as f:
                assert_eq(f.read(), data, what + ": left as it was")
        assert_eq(len(srv.x_media), 0, "nothing sent")

        # the review page says so, and marks nothing approved
        lib.run("review", out, check=0)
        facts, _ = browser.page_facts(os.path.join(out, "review.html"))
        assert any("approvals.json is damaged" in t
                   for t in facts["problems"]), facts["problems"]
        assert_eq({f["approval"] for f in facts["outputs"]}, {"damaged"},
                  "approval states")

        # repaired: works again
        with open(path, "wb") as f:
            f.write(good)
        U.upload(srv, d, "x", "--require-approval", o["x-landscape"],
                 check=0)


def test_damaged_manifest_line_refuses_only_its_own_output():
    """A manifest line that cannot be read may hide who prepared the output
    it was about: the gate refuses that output, naming the line. Outputs
    whose own line is intact are bound to their own bytes and go out; a
    line that names nobody's output is reported by approve and review."""
    with lib.TempDir() as d, FakeSocial() as srv:
        o = prep(d, by="alice", presets=["x-landscape", "x-square"])
        out = os.path.dirname(o["x-landscape"])
        approve(out, "bob", check=0)
        path = os.path.join(out, "attache-manifest.jsonl")
        with open(path) as f:
            lines = f.read().splitlines(keepends=True)
        own = [i for i, l in enumerate(lines)
               if json.loads(l)["preset"] == "x-landscape"][0]
        # x-landscape's line cut short, before its hash
        lines[own] = lines[own][:lines[own].index('"width"')] + "\n"
        with open(path, "w") as f:
            f.write("".join(lines))
            f.write('{"input":"x.jpg","output":"out/x.jpg","prepared_by":"ev')
        n = own + 1
        p = U.upload(srv, d, "x", "--require-approval", "--json",
                     o["x-landscape"], o["x-square"], check=3)
        res = {l["file"]: l for l in U.lines(p)}
        err = res[o["x-landscape"]]["error"]
        assert f"attache-manifest.jsonl line {n} is damaged" in err, err
        assert_eq(res[o["x-square"]]["error"], None, "intact line")
        # the other damage is still reported, as a warning
        assert any(l.startswith("attache: warning: ") and "is damaged" in l
                   and "1 more lines" in l for l in p.stderr.splitlines()), \
            p.stderr
        assert_eq(len(srv.x_media), 1, "sent")
        (m,) = srv.x_media.values()
        assert_eq(m["sha256"], sha256(o["x-square"]), "the intact output")
        # approve reports both damaged lines and refuses the damaged output
        p = approve(out, "carol", o["x-landscape"], o["x-square"])
        assert_eq(p.returncode, 1, p.stderr)
        assert f"line {n} is damaged" in p.stderr, p.stderr
        assert "line 3 is damaged" in p.stderr, p.stderr
        assert (o["x-landscape"] + ": not approved") in p.stderr, p.stderr
        assert (o["x-square"] + ": approved by carol") in p.stdout, p.stdout
        # review lists them
        lib.run("review", out, check=0)
        facts, _ = browser.page_facts(os.path.join(out, "review.html"))
        assert any(f"line {n} is damaged" in t for t in facts["problems"]), \
            facts["problems"]


def test_approve_records_and_refuses():
    with lib.TempDir() as d:
        o = prep(d, by="alice", presets=["x-landscape", "x-square",
                                         "bluesky"])
        out = os.path.dirname(o["bluesky"])
        # no FILE: every output in the folder
        p = approve(out, "bob", "--json", check=0)
        # one line per file, then the summary
        lines = lib.json_lines(p.stdout)
        assert_eq(lines[-1]["summary"]["approved"], len(o), "summary")
        lines = lines[:-1]
        assert_eq(sorted(l["file"] for l in lines), sorted(o.values()),
                  "all outputs")
        recs = approvals(out)
        assert_eq(sorted((r["file"], r["sha256"], r["by"]) for r in recs),
                  sorted((os.path.basename(f), sha256(f), "bob")
                         for f in o.values()), "records")
        for r in recs:
            assert r["at"].endswith("Z"), r
        # again: nothing added, the first time kept
        p = approve(out, "bob", o["bluesky"], "--json", check=0)
        assert lib.json_lines(p.stdout)[0]["again"] is True
        assert_eq(approvals(out), recs, "unchanged")
        # a second reviewer adds records of their own
        approve(out, "carol", os.path.basename(o["x-square"]), check=0)
        assert_eq(len(approvals(out)), len(recs) + 1, "carol's record")

        # refused: changed since prep, not in the folder, not an output
        change(o["x-landscape"])
        p = approve(out, "dave", o["x-landscape"])
        assert_eq(p.returncode, 1, p.stderr)
        assert "changed since attache prep made it" in p.stderr, p.stderr
        elsewhere = os.path.join(d, "elsewhere.jpg")
        shutil.copy(o["x-square"], elsewhere)
        p = approve(out, "dave", elsewhere)
        assert_eq(p.returncode, 1, p.stderr)
        stray = os.path.join(out, "stray.jpg")
        shutil.copy(photo(), stray)
        p = approve(out, "dave", stray)
        assert_eq(p.returncode, 1, p.stderr)
        assert "not an output recorded" in p.stderr, p.stderr
        assert not [r for r in approvals(out) if r["by"] == "dave"]
        # the good ones of a mixed list are recorded
        p = approve(out, "erin", o["bluesky"], stray)
        assert_eq(p.returncode, 1, p.stderr)
        assert [r for r in approvals(out) if r["by"] == "erin"]

        # usage
        for args in ([out], [out, "--by", ""], [out, "--by", "a\tb"], []):
            assert_eq(lib.run("approve", *args).returncode, 2, args)
        p = lib.run("approve", d, "--by", "bob")
        assert_eq(p.returncode, 1, p.stderr)
        assert "attache-manifest.jsonl" in p.stderr


def test_concurrent_approvals_lose_nothing():
    with lib.TempDir() as d:
        o = prep(d, by="alice")
        out = os.path.dirname(o["bluesky"])
        files = sorted(o.values())
        jobs = [("reviewer-%02d" % i, files[i % len(files)])
                for i in range(24)]
        env = lib.env()
        def one(job):
            by, f = job
            return subprocess.run([lib.ATTACHE, "approve", out, "--by", by,
                                   f], capture_output=True, text=True,
                                  env=env)
        with concurrent.futures.ThreadPoolExecutor(max_workers=24) as ex:
            results = list(ex.map(one, jobs))
        for r in results:
            assert_eq(r.returncode, 0, r.stderr)
        recs = approvals(out)
        assert_eq(sorted((r["by"], r["file"]) for r in recs),
                  sorted((by, os.path.basename(f)) for by, f in jobs),
                  "every approval kept")
        # no temporary file left behind
        assert not [n for n in os.listdir(out) if n.endswith(".tmp")]


def test_review_page_shows_approval_states():
    with lib.TempDir() as d:
        o = prep(d, by="alice", presets=["x-landscape", "x-square",
                                         "x-portrait", "bluesky"])
        out = os.path.dirname(o["bluesky"])
        approve(out, "alice", o["x-square"], check=0)
        approve(out, "bob", o["x-portrait"], o["bluesky"], check=0)
        change(o["bluesky"])
        p = lib.run("review", out, check=0)
        assert "1 approved" in p.stdout, p.stdout
        facts, _ = browser.page_facts(os.path.join(out, "review.html"))
        st = {f["file"]: f for f in facts["outputs"]}
        b = os.path.basename
        assert_eq(st[b(o["x-landscape"])]["approval"], "not-approved", "none")
        assert_eq(st[b(o["x-square"])]["approval"], "self-approved", "self")
        assert_eq(st[b(o["x-portrait"])]["approval"], "approved", "approved")
        assert "bob" in st[b(o["x-portrait"])]["approvalText"]
        # changed after prep and approval: marked on the page
        ch = st[b(o["bluesky"])]
        assert_eq(ch["approval"], "changed", "changed")
        assert "changed" in ch["notes"] and ch["marked"], ch
        assert_eq(facts["summary"]["approved"], "1 approved", "summary")
