"""Issue 11, point 4: every small file attache reads that is not a photo
(sidecar, --alt-file, alt-text manifest, campaign, preset, attache.ini,
credentials) is read bounded: a device, a FIFO or a huge file is refused
at once, naming the file, and never hangs a run or fills the memory. A
bad sidecar fails its own photo only; a FIFO attache.ini neither stops
the watcher nor makes it ignore SIGTERM.

Each run is watched (tests/attack.py): a hang or memory past a cap kills
it and fails the test. Outputs are read back with exiftool."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import attack
import lib
import test_watch as W
import uploadlib as U

ALT = "Children queue for water at the camp"
RSS_MB = 450  # preparing a 480 px photo needs far less; /dev/zero far more


def jpegs(n):
    fx = [f for f in W.fixtures() if f.endswith(".jpg")]
    if len(fx) < n:
        lib.skip("too few JPEG fixtures")
    return fx[:n]


def sparse(path, size=600 * 1024 * 1024):
    with open(path, "wb") as f:
        f.truncate(size)


def alt_of(path):
    tags = lib.exiftool(path, "-XMP-iptcCore:all")
    return [str(v) for k, v in tags.items()
            if k.startswith("XMP-iptcCore:AltTextAccessibility")]


def test_device_fifo_and_huge_files_named_as_options_are_refused_at_once():
    """--alt-file /dev/zero reached 3.8 GB; a FIFO blocked for ever."""
    (src,) = jpegs(1)
    with lib.TempDir() as d:
        photo = os.path.join(d, "a.jpg")
        shutil.copy(src, photo)
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        big = os.path.join(d, "big.txt")
        sparse(big)
        pdir = os.path.join(d, "presets")
        os.makedirs(pdir)
        os.mkfifo(os.path.join(pdir, "stuck.ini"))
        cases = [
            (["--alt-file", "/dev/zero"], "/dev/zero", "regular file"),
            (["--alt-file", fifo], fifo, "regular file"),
            (["--alt-file", big], big, "limit"),
            (["--alt-manifest", fifo], fifo, "regular file"),
            (["--alt-manifest", "/dev/zero"], "/dev/zero", "regular file"),
            (["--campaign", fifo + ".ini"], fifo + ".ini", None),
            (["--preset-dir", pdir], "stuck.ini", "regular file"),
        ]
        os.mkfifo(fifo + ".ini")
        for args, name, why in cases:
            out = os.path.join(d, "out")
            r = attack.run_bounded("prep", photo, "-o", out, *args,
                                   timeout=30, max_rss_mb=RSS_MB)
            assert r.returncode in (1, 2), (args, r)
            assert name in r.stderr, (args, r)
            if why:
                assert why in r.stderr, (args, r)
            assert r.max_rss_mb < RSS_MB, (args, r)
            assert not os.path.exists(os.path.join(out, "a.x-landscape.jpg")), args


def test_bad_sidecars_fail_only_their_own_photo_in_prep():
    """A /dev/zero link, a FIFO and a 600 MB sparse file as sidecars: each
    photo fails naming its sidecar, quickly and in little memory; the
    photo with a good sidecar is prepared with its text."""
    fx = jpegs(4)
    with lib.TempDir() as d:
        src = os.path.join(d, "in")
        os.makedirs(src)
        for n, f in zip("abcd", fx):
            shutil.copy(f, os.path.join(src, n + ".jpg"))
        os.symlink("/dev/zero", os.path.join(src, "a.alt.txt"))
        os.mkfifo(os.path.join(src, "b.alt.txt"))
        sparse(os.path.join(src, "c.alt.txt"))
        with open(os.path.join(src, "d.alt.txt"), "w") as f:
            f.write(ALT + "\n")
        out = os.path.join(d, "out")
        r = attack.run_bounded("prep", src, "-o", out, "-p", "x-landscape",
                               timeout=120, max_rss_mb=RSS_MB)
        lib.assert_eq(r.returncode, 1, r)
        assert r.max_rss_mb < RSS_MB, r
        for n in "abc":
            assert os.path.join(src, n + ".alt.txt") in r.stderr, (n, r)
            assert not os.path.exists(os.path.join(out, n + ".x-landscape.jpg")), n
        assert "symbolic link" in r.stderr, r
        assert "regular file" in r.stderr, r
        assert "limit" in r.stderr, r
        lib.assert_eq(alt_of(os.path.join(out, "d.x-landscape.jpg")), [ALT],
                      "d.jpg's alt text")


def test_audit_refuses_a_fifo_instead_of_hanging():
    with lib.TempDir() as d:
        fifo = os.path.join(d, "photo.jpg")
        os.mkfifo(fifo)
        r = attack.run_bounded("audit", fifo, timeout=30)
        lib.assert_eq(r.returncode, 2, r)
        assert fifo in r.stderr and "regular file" in r.stderr, r


def test_bad_sidecars_in_an_inbox_fail_only_their_photo():
    """`ln -s /dev/zero IN/p.alt.txt` made the watcher reach 24 GB RSS; a
    FIFO sidecar hung it. Now each such photo goes to failed/ with an
    error file naming the sidecar, and the others are prepared."""
    fx = jpegs(4)
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        inbox = W.make_inbox(root)
        for n, f in zip("abcd", fx):
            shutil.copy(f, os.path.join(inbox, n + ".jpg"))
        os.symlink("/dev/zero", os.path.join(inbox, "a.alt.txt"))
        os.mkfifo(os.path.join(inbox, "b.alt.txt"))
        sparse(os.path.join(inbox, "c.alt.txt"))
        with open(os.path.join(inbox, "d.alt.txt"), "w") as f:
            f.write(ALT)
        r = attack.run_bounded("watch", inbox, "--once", "--preset-dir", pdir,
                               "-p", "tiny", "--settle", "0.2", timeout=120,
                               max_rss_mb=RSS_MB)
        lib.assert_eq(r.returncode, 1, r)
        assert r.max_rss_mb < RSS_MB, r
        lib.assert_eq(sorted(os.listdir(os.path.join(inbox, "done"))),
                      ["d.jpg"], "done/")
        for n in "abc":
            text = attack.read_text(os.path.join(inbox, "failed",
                                                 n + ".jpg.error.txt"))
            assert n + ".alt.txt" in text, text
        lib.assert_eq(alt_of(os.path.join(inbox, "out", "d", "d.tiny.jpg")),
                      [ALT], "d.jpg's alt text")


def test_fifo_attache_ini_neither_stops_the_watcher_nor_blocks_sigterm():
    fx = jpegs(2)
    with lib.TempDir() as root:
        pdir = W.write_presets(root)
        inbox = W.make_inbox(root)
        ini = os.path.join(inbox, "attache.ini")
        # at start: a settings error (exit 2) naming the file, not a hang
        os.mkfifo(ini)
        r = attack.run_bounded("watch", inbox, "--once", "--preset-dir", pdir,
                               timeout=30)
        lib.assert_eq(r.returncode, 2, r)
        assert ini in r.stderr and "regular file" in r.stderr, r
        os.unlink(ini)

        # while running: reported, the settings in force stay, photos are
        # still prepared, and SIGTERM is obeyed
        with open(ini, "w") as f:
            f.write("[attache]\npresets = tiny\n")
        p, err = attack.start_watch(root, inbox, "--preset-dir", pdir,
                                    "--settle", "0.3")
        try:
            attack.wait_for(lambda: os.path.exists(os.path.join(inbox, "attache.log")),
                            20, "the watcher to start")
            os.unlink(ini)
            os.mkfifo(ini)
            shutil.copy(fx[0], os.path.join(inbox, "a.jpg"))
            attack.wait_for(lambda: os.path.exists(os.path.join(inbox, "done", "a.jpg")),
                            60, "a.jpg to be prepared despite the FIFO")
            assert os.path.exists(os.path.join(inbox, "out", "a", "a.tiny.jpg"))
        finally:
            rc = attack.stop_watch(p, timeout=30)
        lib.assert_eq(rc, 0, attack.read_text(err))
        text = attack.read_text(err)
        assert "attache.ini" in text and "regular file" in text, text


def test_fifo_credentials_file_is_refused_without_blocking():
    (src,) = jpegs(1)
    with lib.TempDir() as d:
        conf = os.path.join(d, "config", "attache")
        os.makedirs(conf)
        cred = os.path.join(conf, "credentials.ini")
        os.mkfifo(cred, 0o600)
        photo = os.path.join(d, "a.jpg")
        shutil.copy(src, photo)
        env = {k: None for k in U.UPLOAD_VARS}
        r = attack.run_bounded("upload", "--to", "x", photo, timeout=30,
                               XDG_CONFIG_HOME=os.path.join(d, "config"), **env)
        assert r.returncode in (2, 3), r
        assert cred in r.stderr, r
