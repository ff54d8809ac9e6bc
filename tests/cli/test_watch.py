"""attache watch: the hot folder (docs/watch.md).

Every test runs the built attache as a separate process on a fresh inbox
and judges the result with independent readers: hashlib for the originals,
vips (fail_on=warning) and vipsheader for the outputs, exiftool for
metadata, the JSON of attache.log read back line by line."""
import collections
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import lib

# small presets keep the suite fast; cover fit gives exact dimensions
PRESETS = {"tiny": (200, 200), "tiny-wide": (256, 144)}

_fixtures_lock = threading.Lock()
_fixtures = []


def fixtures():
    """Small copies (480 px) of the real phone photos in ../shared and of
    the repository's samples/, their metadata (GPS included) kept, each in
    its own format (JPEG, HEIC, PNG, WebP). Made once per checkout under
    tests/tmp."""
    with _fixtures_lock:
        if _fixtures:
            return list(_fixtures)
        sources = []
        if os.path.isdir(lib.PHONE):
            sources += lib.phone_photos()
        if os.path.isdir(lib.SAMPLES):
            sources += lib.sample_photos()
        if not sources:
            lib.skip("no photos: ../shared/samples/phone and samples/ are absent")
        d = os.path.join(lib.TMP_ROOT, "watch-fixtures-%d" % len(sources))
        if not os.path.isdir(d):
            os.makedirs(lib.TMP_ROOT, exist_ok=True)
            tmp = tempfile.mkdtemp(dir=lib.TMP_ROOT)
            for src in sources:
                stem, ext = os.path.splitext(os.path.basename(src))
                ext = ext.lower()
                ext = {".heif": ".heic", ".jpeg": ".jpg", ".tif": ".jpg",
                       ".tiff": ".jpg", ".avif": ".jpg"}.get(ext, ext)
                if src.startswith(lib.SAMPLES):
                    stem = "repo-" + stem
                subprocess.run(["vips", "thumbnail", src,
                                os.path.join(tmp, stem + ext), "480"],
                               capture_output=True)
            try:
                os.rename(tmp, d)
            except OSError:
                shutil.rmtree(tmp, ignore_errors=True)
        _fixtures.extend(sorted(
            os.path.join(d, f) for f in os.listdir(d)
            if os.path.getsize(os.path.join(d, f)) > 0))
        if len(_fixtures) < len(sources) // 2:
            raise AssertionError("too few fixtures made from %r" % sources)
        return list(_fixtures)


def sha(path_or_bytes):
    if isinstance(path_or_bytes, bytes):
        return hashlib.sha256(path_or_bytes).hexdigest()
    with open(path_or_bytes, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write_presets(root):
    return lib.write_presets(os.path.join(root, "presets"), PRESETS)


def bad_contents(good):
    """Files with photo names that no reader can decode."""
    return {
        "truncated.jpg": good[: len(good) * 2 // 5],
        "random.jpg": random.Random(7).randbytes(20000),
        "text.heic": b"this is not a photo\n" * 50,
        "garbage.jpg": good[:200] + random.Random(8).randbytes(30000),
        "empty.png": b"",
    }


def assert_same(got, want, what):
    """Lists compared as multisets, the difference shown (not the lists)."""
    g, w = collections.Counter(got), collections.Counter(want)
    if g != w:
        raise AssertionError("%s: missing %r, unexpected %r" % (
            what, sorted((w - g).elements())[:10], sorted((g - w).elements())[:10]))


def undecodable(paths):
    """The paths whose pixels do not decode in full (libvips with
    fail_on=warning): one vips process for the lot, then each file alone
    only if that fails."""
    if not paths:
        return []
    with tempfile.TemporaryDirectory(dir=lib.TMP_ROOT) as d:
        spec = " ".join(p + "[fail_on=warning]" for p in paths)
        r = subprocess.run(["vips", "arrayjoin", spec,
                            os.path.join(d, "all.v")], capture_output=True)
    if r.returncode == 0:
        return []
    return [p + ": does not decode in full" for p in paths
            if not lib.decodes_fully(p)] or ["vips arrayjoin failed: %s" % r.stderr]


def sizes(paths):
    """path -> (width, height), read by vipsheader (one process)."""
    out = {}
    if paths:
        r = subprocess.run(["vipsheader"] + paths, capture_output=True,
                           text=True, check=True)
        for line in r.stdout.splitlines():
            path, rest = line.rsplit(": ", 1)
            w, h = rest.split(" ", 1)[0].split("x")
            out[path] = (int(w), int(h))
    assert sorted(out) == sorted(paths), "vipsheader: %s" % r.stderr
    return out


def log_lines(inbox):
    path = os.path.join(inbox, "attache.log")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def photo_lines(inbox):
    return [l for l in log_lines(inbox) if l["event"] in ("done", "failed")]


wait_for = lib.wait_for


class Watcher:
    """attache watch in the background, its output in files (a pipe could
    fill and block it)."""

    def __init__(self, root, inbox, *args, tag="w", **envx):
        self.out_path = os.path.join(root, tag + ".stdout")
        self.err_path = os.path.join(root, tag + ".stderr")
        self.out = open(self.out_path, "w")
        self.err = open(self.err_path, "w")
        self.p = subprocess.Popen(
            [lib.ATTACHE, "watch", inbox] + [str(a) for a in args],
            stdout=self.out, stderr=self.err, env=lib.env(**envx),
            cwd=lib.ROOT)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise AssertionError("attache watch did not stop within %ds: %s"
                                 % (timeout, self.stderr()[-3000:]))
        self.out.close()
        self.err.close()
        return rc

    def stdout(self):
        with open(self.out_path) as f:
            return f.read()

    def stderr(self):
        with open(self.err_path) as f:
            return f.read()


def inbox_photos(inbox):
    """Regular files at the top of the inbox that the watcher should act
    on (its own files and temporary names excluded)."""
    return sorted(n for n in os.listdir(inbox)
                  if os.path.isfile(os.path.join(inbox, n)) and
                  not n.startswith((".", "~$")) and
                  n not in ("attache.log", "attache.ini", "Thumbs.db",
                            "desktop.ini") and
                  not n.endswith((".part", ".tmp", ".crdownload")))


def check_outputs(inbox, out, good, bad, presets):
    """The whole contract for a finished inbox. @good: name -> bytes of
    photos that must be prepared; @bad: name -> bytes of those that must
    fail."""
    problems = []
    # no photo lost: in = done + failed, nothing left behind
    assert inbox_photos(inbox) == [], "left in the inbox: %r" % inbox_photos(inbox)
    done = sorted(os.listdir(os.path.join(inbox, "done")))
    failed = sorted(n for n in os.listdir(os.path.join(inbox, "failed"))
                    if not n.endswith(".error.txt"))
    assert_same(done, sorted(good), "done/")
    assert_same(failed, sorted(bad), "failed/")
    lib.assert_eq(len(done) + len(failed), len(good) + len(bad), "in = done + failed")
    for n, data in good.items():
        lib.assert_eq(sha(os.path.join(inbox, "done", n)), sha(data),
                      "done/%s is the original, unchanged" % n)
    for n, data in bad.items():
        lib.assert_eq(read(os.path.join(inbox, "failed", n)), data,
                      "failed/%s unchanged" % n)
        with open(os.path.join(inbox, "failed", n + ".error.txt")) as f:
            text = f.read()
        assert "What went wrong:" in text and "What to do:" in text and \
            n in text, text

    # exactly one log line per photo, none processed twice
    lines = photo_lines(inbox)
    per = collections.Counter(l["photo"] for l in lines)
    twice = {k: v for k, v in per.items() if v != 1}
    assert not twice, "photos with more than one log line: %r" % twice
    assert_same(sorted(per), sorted(list(good) + list(bad)), "log photos")
    for l in lines:
        want = "done" if l["photo"] in good else "failed"
        lib.assert_eq(l["event"], want, l["photo"])

    # every good photo: one folder, every preset, each output whole
    folders = sorted(n for n in os.listdir(out)
                     if not n.startswith(".") and
                     os.path.isdir(os.path.join(out, n))) \
        if os.path.isdir(out) else []
    lib.assert_eq(len(folders), len(good), "one output folder per photo")
    by_photo = {}
    for f in folders:
        with open(os.path.join(out, f, ".attache-photo.json")) as fh:
            receipt = json.load(fh)
        by_photo[receipt["photo"]] = (f, receipt)
    assert_same(sorted(by_photo), sorted(good), "receipts")
    outputs = []
    for n, data in good.items():
        f, receipt = by_photo[n]
        lib.assert_eq(receipt["sha256"], sha(data), "receipt hash of " + n)
        files = sorted(x for x in os.listdir(os.path.join(out, f))
                       if not x.startswith("."))
        lib.assert_eq(files, sorted("%s.%s.jpg" % (f, p) for p in presets),
                      "outputs of " + n)
        hidden = [x for x in os.listdir(os.path.join(out, f))
                  if x.startswith(".") and x != ".attache-photo.json"]
        lib.assert_eq(hidden, [], "temporary files in " + f)
        for x in files:
            outputs.append(os.path.join(out, f, x))
    # the outputs decode in full, at the preset's size
    problems += undecodable(outputs)
    for path, (w, h) in sizes(outputs).items():
        want = PRESETS[path.rsplit(".", 2)[-2]]
        if (w, h) != want:
            problems.append("%s: %dx%d, expected %dx%d" % ((path, w, h) + want))
    assert not problems, "\n".join(problems[:20])

    # the manifest lists each output once, with its hash
    man = []
    if good or os.path.exists(os.path.join(out, "attache-manifest.jsonl")):
        with open(os.path.join(out, "attache-manifest.jsonl")) as fh:
            man = [json.loads(l) for l in fh if l.strip()]
    # a photo that failed has a failure line (at most one: the review page
    # lists it), naming its original in failed/
    fails = [m for m in man if m.get("kind") == "failure"]
    man = [m for m in man if m.get("kind") != "failure"]
    per = collections.Counter(os.path.basename(m["input"]) for m in fails)
    assert all(v == 1 for v in per.values()), per
    assert set(per) <= set(bad), (per, sorted(bad))
    for m in fails:
        lib.assert_eq(os.path.dirname(m["original"]),
                      os.path.join(inbox, "failed"), "original")
    assert_same(sorted(m["output"] for m in man), sorted(outputs), "manifest")
    for m in man:
        lib.assert_eq(sha(m["output"]), m["sha256"], "manifest hash")

    # privacy: no output carries GPS (exiftool, one run for all)
    if outputs:
        p = subprocess.run(["exiftool", "-j", "-G1", "-a", "-GPS:all"] +
                           outputs, capture_output=True, text=True)
        for rec in json.loads(p.stdout or "[]"):
            gps = [k for k in rec if "GPS" in k]
            assert not gps, "%s: %r" % (rec.get("SourceFile"), gps)

    # nothing half-done remains
    jdir = os.path.join(inbox, ".attache", "journal")
    lib.assert_eq(os.listdir(jdir), [], "journals left")
    staging = os.path.join(out, ".attache-staging")
    if os.path.isdir(staging):
        for k in os.listdir(staging):
            lib.assert_eq(os.listdir(os.path.join(staging, k)), [], "staging")
    return lines


def in_hand(inbox, out):
    """A photo is being prepared (a staging folder has something in it)
    or finished (a journal exists)."""
    try:
        if os.listdir(os.path.join(inbox, ".attache", "journal")):
            return True
        staging = os.path.join(out, ".attache-staging")
        return any(os.listdir(os.path.join(staging, k)) for k in os.listdir(staging))
    except FileNotFoundError:
        return False


def make_inbox(root):
    inbox = os.path.join(root, "inbox")
    os.makedirs(inbox)
    return inbox


# ---------------------------------------------------------------------------


@lib.serial
def test_watch_hot_folder_100_photos_kill9_restart():
    """100 photos dropped while the watcher runs (plain copies, slow
    chunked writers that keep the file open, temporary names renamed at the
    end, moves from elsewhere, corrupt files); kill -9 midway; restart.
    Nothing lost, nothing twice."""
    fx = fixtures()
    rnd = random.Random(2024)
    with lib.TempDir() as root:
        pdir = write_presets(root)
        inbox = make_inbox(root)
        elsewhere = os.path.join(root, "elsewhere")
        os.makedirs(elsewhere)
        out = os.path.join(inbox, "out")
        good, bad, plan = {}, {}, []
        bads = list(bad_contents(read(fx[0])).items())
        for i in range(100):
            if i % 10 == 9:
                bname, data = bads[(i // 10) % len(bads)]
                name = "p%03d-%s" % (i, bname)
                bad[name] = data
                how = "copy"
            else:
                src = fx[i % len(fx)]
                name = "p%03d-%s" % (i, os.path.basename(src))
                data = read(src)
                good[name] = data
                how = ["copy", "slow", "rename", "move", "copy"][i % 5]
            plan.append((name, data, how))
        rnd.shuffle(plan)

        def drop(item):
            name, data, how = item
            final = os.path.join(inbox, name)
            if how == "copy":
                with open(final, "wb") as f:
                    f.write(data)
            elif how == "slow":
                # kept open; pauses shorter than the settle time
                with open(final, "wb") as f:
                    step = max(1, len(data) // 5)
                    for k in range(0, len(data), step):
                        f.write(data[k:k + step])
                        f.flush()
                        time.sleep(0.12)
            elif how == "rename":
                tmpname = rnd.choice([name + ".part", name + ".crdownload",
                                      "." + name + ".tmp", "~$" + name])
                tmp = os.path.join(inbox, tmpname)
                with open(tmp, "wb") as f:
                    for k in range(0, len(data), 8192):
                        f.write(data[k:k + 8192])
                    f.flush()
                    time.sleep(0.3)  # a temporary name is never touched
                os.rename(tmp, final)
            elif how == "move":
                tmp = os.path.join(elsewhere, name)
                with open(tmp, "wb") as f:
                    f.write(data)
                os.rename(tmp, final)

        w = Watcher(root, inbox, "--preset-dir", pdir, "-p", "tiny,tiny-wide",
                    "--settle", "1.5", "-j", "2", "--json", tag="first")
        import concurrent.futures
        ex = concurrent.futures.ThreadPoolExecutor(4)
        futs = []
        w2 = None
        for n, item in enumerate(plan):
            futs.append(ex.submit(drop, item))
            time.sleep(rnd.uniform(0, 0.08))
            # midway, while a photo is in hand (or at the last drop, if none
            # ever was at the right moment): kill -9, restart
            end = time.time() + 0.5
            while (w2 is None and n >= 45 and time.time() < end and
                   not (len(photo_lines(inbox)) >= 15 and in_hand(inbox, out))):
                time.sleep(0.01)
            if w2 is None and ((n >= 45 and len(photo_lines(inbox)) >= 15 and
                                in_hand(inbox, out)) or n == len(plan) - 1):
                w.p.kill()
                w.p.wait()
                killed_at = len(photo_lines(inbox))
                time.sleep(0.3)
                w2 = Watcher(root, inbox, "--preset-dir", pdir, "-p",
                             "tiny,tiny-wide", "--settle", "1.5", "-j", "2",
                             "--json", tag="second")
        for f in futs:
            f.result()
        ex.shutdown()
        wait_for(lambda: inbox_photos(inbox) == [] and
                 len(photo_lines(inbox)) == 100, 120,
                 "every photo done or failed (%d of 100 logged)" %
                 len(photo_lines(inbox)))
        rc = w2.stop()
        lib.assert_eq(rc, 0, "exit status after SIGTERM")
        assert 0 < killed_at < 100, killed_at
        check_outputs(inbox, out, good, bad, ["tiny", "tiny-wide"])
        # --json: stdout carries the log's photo lines (the two runs
        # together; the killed one may have lost its last lines)
        lines = [json.loads(l) for l in (w.stdout() + w2.stdout()).splitlines()
                 if l.strip()]
        got = collections.Counter(l["photo"] for l in lines
                                  if l["event"] in ("done", "failed"))
        assert max(got.values()) == 1, got.most_common(3)
        assert sum(got.values()) >= 100 - 4, sum(got.values())


def test_watch_once_ignores_and_reports():
    fx = fixtures()
    with lib.TempDir() as root:
        pdir = write_presets(root)
        inbox = make_inbox(root)
        good = {}
        for src in fx[:3] + [f for f in fx if f.endswith(".heic")][:1]:
            good[os.path.basename(src)] = read(src)
        bad = {"broken.jpg": read(fx[0])[:3000],
               "notes.txt": b"shopping list\n"}
        ignored = {".DS_Store": b"x", "IMG_9.jpg.part": read(fx[1]),
                   "~$report.docx": b"lock", "Thumbs.db": b"t",
                   "desktop.ini": b"[.ShellClassInfo]\n",
                   "video.mp4.crdownload": b"v", ".hidden.jpg": read(fx[2])}
        for n, d in list(good.items()) + list(bad.items()) + list(ignored.items()):
            with open(os.path.join(inbox, n), "wb") as f:
                f.write(d)
        os.makedirs(os.path.join(inbox, "sub"))
        shutil.copy(fx[0], os.path.join(inbox, "sub", "inside.jpg"))

        p = lib.run("watch", inbox, "--once", "--preset-dir", pdir, "-p",
                    "tiny,tiny-wide", "--settle", "0.5", "--json")
        lib.assert_eq(p.returncode, 1, "exit status with failed photos: " + p.stderr)
        # the temporary and system names, and the sub-folder, are untouched
        for n, d in ignored.items():
            lib.assert_eq(read(os.path.join(inbox, n)), d, n)
        assert os.path.exists(os.path.join(inbox, "sub", "inside.jpg"))
        check_outputs(inbox, os.path.join(inbox, "out"), good, bad,
                      ["tiny", "tiny-wide"])
        # stdout (--json) has the same photo lines as the log
        out_lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
        # (in the order each finished: two workers may swap neighbours)
        assert_same([json.dumps(l, sort_keys=True) for l in out_lines
                     if l["event"] in ("done", "failed")],
                    [json.dumps(l, sort_keys=True) for l in photo_lines(inbox)],
                    "stdout = log")
        # each failure is explained on stderr and in words in the error file
        assert "broken.jpg" in p.stderr and "notes.txt" in p.stderr, p.stderr
        with open(os.path.join(inbox, "failed", "notes.txt.error.txt")) as f:
            assert "not a kind of photo" in f.read()
        with open(os.path.join(inbox, "failed", "broken.jpg.error.txt")) as f:
            assert "damaged" in f.read()
        # outputs lose the location the originals carried
        gps_in = [n for n in good if lib.exiftool(os.path.join(inbox, "done", n)).get("GPS:GPSLatitude")]
        assert gps_in, "the fixtures should carry GPS for this test to mean anything"

        # a second --once with nothing new: exit 0, no new photo line
        n = len(photo_lines(inbox))
        p = lib.run("watch", inbox, "--once", "--preset-dir", pdir, "-p", "tiny",
                    "--settle", "0.5", check=0)
        lib.assert_eq(len(photo_lines(inbox)), n, "photo lines after an empty run")


def test_watch_name_collisions_never_overwrite():
    fx = fixtures()
    with lib.TempDir() as root:
        pdir = write_presets(root)
        inbox = make_inbox(root)
        out = os.path.join(root, "elsewhere-out")
        # what earlier runs (or people) left
        os.makedirs(os.path.join(inbox, "done"))
        os.makedirs(os.path.join(inbox, "failed"))
        os.makedirs(os.path.join(out, "IMG"))
        before = {
            os.path.join(inbox, "done", "IMG.jpg"): b"an older photo",
            os.path.join(inbox, "failed", "bad.jpg"): b"older bad",
            os.path.join(inbox, "failed", "bad.jpg.error.txt"): b"older why",
            os.path.join(out, "IMG", "IMG.tiny.jpg"): b"older output",
        }
        for path, d in before.items():
            with open(path, "wb") as f:
                f.write(d)
        jpg = [f for f in fx if f.endswith(".jpg")][0]
        heic = [f for f in fx if f.endswith(".heic")][0]
        shutil.copy(jpg, os.path.join(inbox, "IMG.jpg"))
        shutil.copy(heic, os.path.join(inbox, "IMG.heic"))
        with open(os.path.join(inbox, "bad.jpg"), "wb") as f:
            f.write(b"\xff\xd8 not really")
        p = lib.run("watch", inbox, "--once", "-o", out, "--preset-dir", pdir,
                    "-p", "tiny", "--settle", "0.3")
        lib.assert_eq(p.returncode, 1, p.stderr)
        for path, d in before.items():
            lib.assert_eq(read(path), d, "untouched: " + path)
        lib.assert_eq(sorted(os.listdir(os.path.join(inbox, "done"))),
                      ["IMG-2.jpg", "IMG.heic", "IMG.jpg"], "done/")
        lib.assert_eq(read(os.path.join(inbox, "done", "IMG-2.jpg")), read(jpg), "IMG-2.jpg")
        lib.assert_eq(sorted(os.listdir(os.path.join(inbox, "failed"))),
                      ["bad-2.jpg", "bad-2.jpg.error.txt", "bad.jpg",
                       "bad.jpg.error.txt"], "failed/")
        folders = sorted(n for n in os.listdir(out) if not n.startswith("."))
        lib.assert_eq(folders, ["IMG", "IMG-2", "IMG-3", "attache-manifest.jsonl"], "out/")
        # each new folder holds one photo's outputs, named after the folder
        photos = set()
        for f in ("IMG-2", "IMG-3"):
            with open(os.path.join(out, f, ".attache-photo.json")) as fh:
                photos.add(json.load(fh)["photo"])
            assert lib.decodes_fully(os.path.join(out, f, f + ".tiny.jpg"))
        lib.assert_eq(photos, {"IMG.jpg", "IMG.heic"}, "photos in the folders")
        # the log says where each original went
        orig = {l["photo"]: os.path.basename(l["original"]) for l in photo_lines(inbox)}
        lib.assert_eq(orig["bad.jpg"], "bad-2.jpg", "log: failed name")
        lib.assert_eq([orig["IMG.jpg"], orig["IMG.heic"]],
                      ["IMG-2.jpg", "IMG.heic"], "log: done names")


def test_watch_crash_at_every_step_then_restart():
    """ATTACHE_WATCH_CRASH kills the watcher (SIGKILL) at each step of a
    photo's transaction; a restart finishes it exactly once."""
    fx = fixtures()
    jpg = [f for f in fx if f.endswith(".jpg")][1]
    cases = [("good", p) for p in ("staged", "journal", "landed", "manifest",
                                   "moved", "logged")] + \
            [("bad", p) for p in ("journal", "landed", "moved", "logged")]
    with lib.TempDir() as root:
        pdir = write_presets(root)
        for kind, point in cases:
            inbox = os.path.join(root, "%s-%s" % (kind, point))
            os.makedirs(inbox)
            data = read(jpg) if kind == "good" else b"not a photo at all"
            with open(os.path.join(inbox, "photo.jpg"), "wb") as f:
                f.write(data)
            args = ["watch", inbox, "--once", "--preset-dir", pdir, "-p",
                    "tiny,tiny-wide", "--settle", "0.2"]
            p = lib.run(*args, ATTACHE_WATCH_CRASH=point)
            lib.assert_eq(p.returncode, -signal.SIGKILL,
                          "%s %s: killed at the step; stderr %s" % (kind, point, p.stderr))
            p = lib.run(*args)
            lib.assert_eq(p.returncode, 0 if kind == "good" else 1,
                          "%s %s: restart: %s" % (kind, point, p.stderr))
            good = {"photo.jpg": data} if kind == "good" else {}
            bad = {"photo.jpg": data} if kind == "bad" else {}
            lines = check_outputs(inbox, os.path.join(inbox, "out"), good,
                                  bad, ["tiny", "tiny-wide"])
            # the log line is written by the restart unless the crash came
            # before the journal (done afresh) or after the line
            lib.assert_eq(lines[0]["recovered"],
                          point in ("journal", "landed", "manifest", "moved"),
                          "%s %s: recovered" % (kind, point))


@lib.serial
def test_watch_sigterm_finishes_the_photo_in_hand():
    # a full-size HEIC (12 MP): long enough to signal while one is in hand
    heic = [f for f in lib.phone_photos() if f.endswith(".heic")]
    heic = ([f for f in heic if "oneplus" in f] or heic)[0]
    with lib.TempDir() as root:
        pdir = write_presets(root)
        inbox = make_inbox(root)
        w = Watcher(root, inbox, "--preset-dir", pdir, "-p", "tiny,tiny-wide",
                    "-j", "1", "--settle", "0.5")
        wait_for(lambda: os.path.exists(os.path.join(inbox, "attache.log")), 20,
                 "the watcher to start")
        names = ["a.heic", "b.heic", "c.heic"]
        for n in names:
            tmp = os.path.join(root, n)
            shutil.copy(heic, tmp)
            os.rename(tmp, os.path.join(inbox, n))
        wait_for(lambda: in_hand(inbox, os.path.join(inbox, "out")), 30,
                 "a photo in hand")
        t0 = time.time()
        rc = w.stop(signal.SIGTERM)
        lib.assert_eq(rc, 0, "exit status: " + w.stderr())
        done = os.listdir(os.path.join(inbox, "done"))
        lib.assert_eq(len(done), 1, "the photo in hand was finished: %r" % done)
        left = inbox_photos(inbox)
        lib.assert_eq(sorted(done + left), names, "the others wait in the inbox")
        for n in left:
            lib.assert_eq(sha(os.path.join(inbox, n)), sha(heic), n)
        lib.assert_eq(len(photo_lines(inbox)), 1, "log lines")
        assert time.time() - t0 < 20
        # the next run takes the rest
        p = lib.run("watch", inbox, "--once", "--preset-dir", pdir, "-p",
                    "tiny,tiny-wide", "--settle", "0.2", check=0)
        check_outputs(inbox, os.path.join(inbox, "out"),
                      {n: read(heic) for n in names}, {}, ["tiny", "tiny-wide"])


@lib.serial
def test_watch_settle_time_for_writers_that_keep_the_file_open():
    fx = fixtures()
    data = read([f for f in fx if f.endswith(".jpg")][2])
    # longer than the 2 s after which GLib sends a CHANGES_DONE_HINT for a
    # file still open: that hint must not count as "closed"
    settle = 3.0
    with lib.TempDir() as root:
        pdir = write_presets(root)
        inbox = make_inbox(root)
        w = Watcher(root, inbox, "--preset-dir", pdir, "-p", "tiny",
                    "--settle", settle)
        wait_for(lambda: os.path.exists(os.path.join(inbox, "attache.log")), 20,
                 "the watcher to start")

        def done_at(name):
            return any(l["photo"] == name for l in photo_lines(inbox))

        # 1: written in chunks with pauses shorter than the settle time
        # (and longer than GLib's 2 s): nothing happens until the last chunk
        with open(os.path.join(inbox, "slow.jpg"), "wb") as f:
            step = len(data) // 3 + 1
            for k in range(0, len(data), step):
                f.write(data[k:k + step])
                f.flush()
                last = time.time()
                if k + step >= len(data):
                    break
                while time.time() - last < 2.4:
                    assert not done_at("slow.jpg"), "prepared while still being written"
                    time.sleep(0.05)
            # 2: complete, but kept open: prepared after the settle time,
            # not before, and without waiting for the close
            while not done_at("slow.jpg"):
                elapsed = time.time() - last
                assert elapsed < settle + 5, "not prepared %.1fs after the last write" % elapsed
                time.sleep(0.05)
            elapsed = time.time() - last
            assert elapsed >= settle - 0.1, "prepared %.2fs after the last write, before the settle time" % elapsed
        lib.assert_eq(sha(os.path.join(inbox, "done", "slow.jpg")), sha(data), "the whole file")
        line = photo_lines(inbox)[0]
        lib.assert_eq(line["bytes"], len(data), "bytes prepared")

        # 3: written and closed: no settle wait
        t = time.time()
        with open(os.path.join(inbox, "quick.jpg"), "wb") as f:
            f.write(data)
        wait_for(lambda: done_at("quick.jpg"), 10, "quick.jpg")
        assert time.time() - t < settle, "a closed file waits for nothing"
        lib.assert_eq(w.stop(), 0, "exit status")


def test_watch_settings_file_changes_apply_to_the_next_photo():
    fx = [f for f in fixtures() if f.endswith(".jpg")]
    fx = (fx * 6)[:6]  # six drops; the project's own JPEGs are three
    with lib.TempDir() as root:
        pdir = write_presets(root)
        inbox = make_inbox(root)
        ini = os.path.join(inbox, "attache.ini")

        def write_ini(text):
            tmp = os.path.join(inbox, ".attache.ini.new")
            with open(tmp, "w") as f:
                f.write(text)
            os.rename(tmp, ini)

        # a broken file at the start: refuse to start, say why
        write_ini("[attache]\npresets = no-such-preset\n")
        p = lib.run("watch", inbox, "--once", "--preset-dir", pdir)
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "attache.ini" in p.stderr and "no-such-preset" in p.stderr, p.stderr

        write_ini("# the team's folder\n[attache]\npresets = tiny\n")
        # out = ../published is outside the inbox: the operator allows it
        w = Watcher(root, inbox, "--preset-dir", pdir, "--settle", "0.5",
                    "--allow-path", root)

        def drop(name, src):
            tmp = os.path.join(root, name)
            shutil.copy(src, tmp)
            os.rename(tmp, os.path.join(inbox, name))
            wait_for(lambda: any(l["photo"] == name for l in photo_lines(inbox)),
                     30, name)
            return [l for l in photo_lines(inbox) if l["photo"] == name][0]

        def presets_of(line):
            return sorted(o["preset"] for o in line["outputs"])

        lib.assert_eq(presets_of(drop("a.jpg", fx[0])), ["tiny"], "a.jpg")
        write_ini("[attache]\npresets = tiny, tiny-wide\nkeep = camera\n")
        lib.assert_eq(presets_of(drop("b.jpg", fx[1])), ["tiny", "tiny-wide"], "b.jpg")

        # broken while running: reported, the last good settings stay
        write_ini("[attache]\npresets = tiny\nkeep = everything\n")
        wait_for(lambda: any(l["event"] == "settings" and "error" in l
                             for l in log_lines(inbox)), 10, "the settings error")
        lib.assert_eq(presets_of(drop("c.jpg", fx[2])), ["tiny", "tiny-wide"], "c.jpg")
        write_ini("this is not an ini file\n")
        lib.assert_eq(presets_of(drop("d.jpg", fx[3])), ["tiny", "tiny-wide"], "d.jpg")
        # a campaign that cannot be loaded is refused, not ignored
        write_ini("[attache]\npresets = tiny\ncampaign = un-day\n")
        lib.assert_eq(presets_of(drop("e.jpg", fx[4])), ["tiny", "tiny-wide"], "e.jpg")

        # fixed, with another output folder (relative to the inbox)
        write_ini("[attache]\npresets = tiny-wide\nout = ../published\n")
        line = drop("f.jpg", fx[5])
        lib.assert_eq(presets_of(line), ["tiny-wide"], "f.jpg")
        published = os.path.join(root, "published")
        lib.assert_eq(line["folder"], os.path.join(os.path.realpath(published), "f"), "folder")
        assert lib.decodes_fully(os.path.join(published, "f", "f.tiny-wide.jpg"))

        lib.assert_eq(w.stop(), 0, "exit status")
        err = w.stderr()
        for why in ("keep", "everything", "un-day", "campaign",
                    "attache.ini"):
            assert why in err, "stderr should say %r:\n%s" % (why, err)
        errors = [l for l in log_lines(inbox) if l["event"] == "settings" and "error" in l]
        lib.assert_eq(len(errors), 3, "one settings error line per broken version")
        # keep = camera reached b.jpg's outputs (the camera's Make kept),
        # not a.jpg's (before the edit); c.jpg, prepared while the file was
        # broken, kept all of the last good settings, keep included
        def make(n):
            tags = lib.exiftool(os.path.join(inbox, "out", n, n + ".tiny.jpg"))
            return [v for k, v in tags.items() if k.endswith(":Make")]
        for n in "abc":
            assert lib.exiftool(os.path.join(inbox, "done", n + ".jpg")).get("IFD0:Make"), n
        lib.assert_eq(make("a"), [], "a.jpg Make")
        assert make("b"), "keep = camera did not apply"
        assert make("c"), "c.jpg lost the last good settings"


def test_watch_poll_mode_and_one_watcher_per_folder():
    fx = fixtures()
    with lib.TempDir() as root:
        pdir = write_presets(root)
        inbox = make_inbox(root)
        w = Watcher(root, inbox, "--preset-dir", pdir, "-p", "tiny", "--poll",
                    "0.3", "--settle", "0.5")
        wait_for(lambda: os.path.exists(os.path.join(inbox, "attache.log")), 20,
                 "the watcher to start")
        assert any(l.get("mode") == "poll" for l in log_lines(inbox))
        # a second watcher on the same inbox is refused
        p = lib.run("watch", inbox, "--preset-dir", pdir, "--once")
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "already running" in p.stderr, p.stderr
        good = {}
        for src in fx[:3]:
            n = os.path.basename(src)
            good[n] = read(src)
            tmp = os.path.join(inbox, n + ".part")
            shutil.copy(src, tmp)
            os.rename(tmp, os.path.join(inbox, n))
        wait_for(lambda: len(photo_lines(inbox)) == 3, 30, "3 photos")
        lib.assert_eq(w.stop(signal.SIGINT), 0, "exit status after SIGINT")
        check_outputs(inbox, os.path.join(inbox, "out"), good, {}, ["tiny"])


def test_watch_usage_errors():
    with lib.TempDir() as root:
        p = lib.run("watch", os.path.join(root, "nope"), "--once")
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "nope" in p.stderr
        p = lib.run("watch", root, "--once", "-p", "no-such-preset")
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "no-such-preset" in p.stderr
        p = lib.run("watch", root, "--once", "--keep", "all")
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "--keep" in p.stderr
        p = lib.run("watch", root, "--once", "--settle", "-1")
        lib.assert_eq(p.returncode, 2, p.stderr)
        p = lib.run("watch", root, "--once", "-o", root)
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "output folder" in p.stderr
        # a broken attache.ini is reported even where the command line
        # overrides the key
        with open(os.path.join(root, "attache.ini"), "w") as f:
            f.write("[attache]\npresets = no-such-preset\n")
        p = lib.run("watch", root, "--once", "-p", "x-square")
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert "attache.ini" in p.stderr and "no-such-preset" in p.stderr, p.stderr


def test_watch_disk_trouble_keeps_the_photo_in_the_inbox():
    """An output folder that cannot be made is not the photo's fault: it
    stays in the inbox (not failed/), a retry line is logged, and it is
    prepared once the folder can be written."""
    fx = [f for f in fixtures() if f.endswith(".jpg")]
    with lib.TempDir() as root:
        pdir = write_presets(root)
        inbox = make_inbox(root)
        with open(os.path.join(root, "blocker"), "w") as f:
            f.write("a file where a folder should be\n")
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\npresets = tiny\nout = ../blocker/out\n")
        shutil.copy(fx[0], os.path.join(inbox, "a.jpg"))
        args = ["watch", inbox, "--once", "--preset-dir", pdir, "--settle", "0.2",
                "--allow-path", root]
        p = lib.run(*args)
        lib.assert_eq(p.returncode, 1, p.stderr)
        assert "tried again" in p.stderr and "blocker" in p.stderr, p.stderr
        lib.assert_eq(inbox_photos(inbox), ["a.jpg"], "still in the inbox")
        lib.assert_eq(sha(os.path.join(inbox, "a.jpg")), sha(fx[0]), "unchanged")
        lib.assert_eq(photo_lines(inbox), [], "no done/failed line yet")
        assert [l for l in log_lines(inbox) if l["event"] == "retry"]
        lib.assert_eq(os.listdir(os.path.join(inbox, "failed")), [], "failed/")
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\npresets = tiny\nout = ../published\n")
        p = lib.run(*args, check=0)
        check_outputs(inbox, os.path.join(root, "published"),
                      {"a.jpg": read(fx[0])}, {}, ["tiny"])


def alt_texts(path):
    """lang -> XMP-iptcCore:AltTextAccessibility, as exiftool reads it."""
    tags = lib.exiftool(path)
    out = {}
    for k, v in tags.items():
        if k.startswith("XMP-iptcCore:AltTextAccessibility"):
            lang = k.split("-", 2)[-1] if k.count("-") >= 2 else "x-default"
            out[lang] = v
    return out


def test_watch_campaign_and_alt_text_sources():
    """attache.ini names a campaign, a language, an alt-text manifest kept
    in the inbox, and requires alt text: sidecars and the manifest give the
    text, a photo with none fails, and an edit to the manifest applies from
    the next photo on."""
    campaign = os.path.join(lib.ROOT, "campaigns", "demo.ini")
    if not os.path.exists(campaign):
        lib.skip("campaigns/demo.ini is absent")
    fx = [f for f in fixtures() if f.endswith(".jpg")]
    with lib.TempDir() as root:
        pdir = write_presets(root)
        inbox = make_inbox(root)
        manifest = os.path.join(inbox, "alt.csv")
        with open(manifest, "w") as f:
            f.write("file,lang,alt\na.jpg,fr,Deux bénévoles déchargent un camion\n")
        with open(os.path.join(inbox, "b.alt.txt"), "w") as f:
            f.write("Children queue for water\n")
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\npresets = tiny\ncampaign = %s\nlang = fr\n"
                    "alt-manifest = alt.csv\nrequire-alt = true\n" % campaign)
        for n, src in (("a.jpg", fx[0]), ("b.jpg", fx[1]), ("c.jpg", fx[2])):
            shutil.copy(src, os.path.join(inbox, n))
        # the campaign lives outside the inbox: the operator allows its folder
        args = ["watch", inbox, "--once", "--preset-dir", pdir, "--settle", "0.2",
                "--allow-path", os.path.dirname(campaign)]
        p = lib.run(*args)
        lib.assert_eq(p.returncode, 1, p.stderr)
        # the manifest and the sidecar are the folder's, not photos
        for n in ("alt.csv", "b.alt.txt"):
            assert os.path.exists(os.path.join(inbox, n)), n
        lib.assert_eq(sorted(os.listdir(os.path.join(inbox, "done"))),
                      ["a.jpg", "b.jpg"], "done/")
        with open(os.path.join(inbox, "failed", "c.jpg.error.txt")) as f:
            assert "alt text" in f.read()
        out = os.path.join(inbox, "out")
        lib.assert_eq(alt_texts(os.path.join(out, "a", "a.tiny.jpg")).get("fr"),
                      "Deux bénévoles déchargent un camion", "a.jpg alt (fr)")
        assert "Children queue for water" in \
            alt_texts(os.path.join(out, "b", "b.tiny.jpg")).values()
        # branded with the campaign, in French (the manifest records both)
        with open(os.path.join(out, "attache-manifest.jsonl")) as f:
            man = [json.loads(l) for l in f if l.strip()]
        man = [m for m in man if m.get("kind") != "failure"]
        lib.assert_eq(sorted((m["campaign"], m["lang"]) for m in man),
                      [("demo", "fr"), ("demo", "fr")], "campaign and lang")

        # the manifest gains a row; the photo goes back into the folder
        with open(manifest, "a") as f:
            f.write("c.jpg,,A nurse weighs a baby\n")
        os.rename(os.path.join(inbox, "failed", "c.jpg"),
                  os.path.join(inbox, "c.jpg"))
        p = lib.run(*args, check=0)
        assert "A nurse weighs a baby" in \
            alt_texts(os.path.join(out, "c", "c.tiny.jpg")).values()
        lines = [l for l in photo_lines(inbox) if l["photo"] == "c.jpg"]
        lib.assert_eq([l["event"] for l in lines], ["failed", "done"],
                      "c.jpg: failed, then done once put back")


def test_watch_unwritable_log_is_reported_not_fatal():
    """An attache.log that cannot be written (here a folder of that name)
    does not undo the photo: it lands in done/, and the problem reaches
    stderr through the run's events, printed by the command (the library
    itself never prints)."""
    fx = [f for f in fixtures() if f.endswith(".jpg")]
    with lib.TempDir() as root:
        pdir = write_presets(root)
        inbox = make_inbox(root)
        os.makedirs(os.path.join(inbox, "attache.log"))
        with open(os.path.join(inbox, "attache.ini"), "w") as f:
            f.write("[attache]\npresets = tiny\n")
        shutil.copy(fx[0], os.path.join(inbox, "a.jpg"))
        p = lib.run("watch", inbox, "--once", "--preset-dir", pdir,
                    "--settle", "0.2")
        lib.assert_eq(p.returncode, 0, p.stderr)
        lib.assert_eq(os.listdir(os.path.join(inbox, "done")), ["a.jpg"],
                      "done/")
        said = [l for l in p.stderr.splitlines()
                if "attache.log" in l and "cannot add a line" in l]
        lib.assert_eq(len(said), 1, p.stderr)
        assert said[0].startswith("attache: "), said[0]
