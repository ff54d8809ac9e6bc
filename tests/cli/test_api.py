"""The C library: docs/examples/prep-one.c compiles against the build and
against an installed copy, and does what the command does."""
import json
import os
import subprocess

import lib
from lib import assert_eq

EXAMPLE = os.path.join(lib.ROOT, "docs", "examples", "prep-one.c")


def pkg(*args, env=None):
    return subprocess.run(["pkg-config"] + list(args), capture_output=True,
                          text=True, check=True, env=env).stdout.split()


def check_example(binary, d, env):
    out = os.path.join(d, "out")
    os.makedirs(out)
    photo = os.path.join(lib.SAMPLES, "doorway-orientation6.jpg")
    p = subprocess.run([binary, photo, out], capture_output=True, text=True,
                       env=env)
    assert_eq(p.returncode, 0, p.stderr)
    lines = [json.loads(l) for l in p.stdout.splitlines()]
    assert_eq([l["preset"] for l in lines], ["x-landscape", "bluesky"])
    for l in lines:
        assert l["error"] is None and os.path.isfile(l["output"]), l
        assert_eq(l["alt_text"], "Volunteers unload sacks of rice from a truck")
    # the same bytes as the command makes
    cli = os.path.join(d, "cli")
    q = lib.run("prep", "--json", "-p", "x-landscape,bluesky", "-o", cli,
                "--alt", "Volunteers unload sacks of rice from a truck", photo,
                check=0)
    by = {l["preset"]: l["sha256"] for l in lib.json_lines(q.stdout)}
    for l in lines:
        assert_eq(l["sha256"], by[l["preset"]], l["preset"])


def test_example_against_build():
    with lib.TempDir() as d:
        binary = os.path.join(d, "prep-one")
        # what attache.pc says a static link needs (Requires.private)
        pc = os.path.join(lib.BUILD, "attache.pc")
        mods = [m for line in open(pc) if line.startswith("Requires")
                for m in line.split(":", 1)[1].replace(",", " ").split()]
        deps = pkg("--cflags", "--libs", *mods)
        # the sanitized build's library needs the sanitizers' runtime
        cc = ["clang", "-fsanitize=address,undefined"] if lib.SANITIZED \
            else ["cc"]
        subprocess.run(cc + ["-o", binary, EXAMPLE,
                        "-I" + os.path.join(lib.ROOT, "src", "lib"),
                        os.path.join(lib.BUILD, "libattache.a")] + deps +
                       ["-lm"], check=True)
        check_example(binary, d, lib.env())


def test_install_and_pkg_config():
    if lib.SANITIZED:
        lib.skip("install is checked with the normal build")
    with lib.TempDir() as d:
        prefix = os.path.join(d, "prefix")
        subprocess.run(["make", "-s", "--no-print-directory", "install",
                        "PREFIX=" + prefix, "BUILD=" + os.path.join(d, "build")],
                       cwd=lib.ROOT, check=True, capture_output=True)
        for f in ("bin/attache", "lib/libattache.a", "lib/libattache.so.0",
                  "include/attache.h", "lib/pkgconfig/attache.pc",
                  "share/attache/presets/x-landscape.ini"):
            assert os.path.exists(os.path.join(prefix, f)), f
        env = dict(lib.env(), PKG_CONFIG_PATH=os.path.join(prefix, "lib",
                                                           "pkgconfig"))
        # the installed tool finds its presets without being told
        env.pop("ATTACHE_PRESET_DIR")
        p = subprocess.run([os.path.join(prefix, "bin", "attache"), "presets"],
                           capture_output=True, text=True, env=env)
        assert_eq(p.returncode, 0, p.stderr)
        assert "x-landscape" in p.stdout and "bluesky" in p.stdout
        # a program built with pkg-config against the installed library
        binary = os.path.join(d, "prep-one")
        flags = pkg("--cflags", "--libs", "attache", env=env)
        subprocess.run(["cc", "-o", binary, EXAMPLE] + flags +
                       ["-Wl,-rpath," + os.path.join(prefix, "lib")],
                       check=True, env=env)
        check_example(binary, d, env)
        static = pkg("--static", "--cflags", "--libs", "attache", env=env)
        assert "-lvips" in static
