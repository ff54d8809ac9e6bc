"""The C library: docs/examples/prep-one.c compiles against the build and
against an installed copy, and does what the command does."""
import json
import os
import re
import shutil
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
        # and its Libs.private: libm, the face detectors' libraries and the
        # C++ runtime
        private = [f for line in open(pc) if line.startswith("Libs.private:")
                   for f in line.split(":", 1)[1].split()]
        # the sanitized build's library needs the sanitizers' runtime
        cc = ["clang", "-fsanitize=address,undefined"] if lib.SANITIZED \
            else ["cc"]
        subprocess.run(cc + ["-o", binary, EXAMPLE,
                        "-I" + os.path.join(lib.ROOT, "src", "lib"),
                        os.path.join(lib.BUILD, "libattache.a")] + deps +
                       private, check=True)
        check_example(binary, d, lib.env())


def test_install_and_pkg_config():
    if lib.SANITIZED:
        lib.skip("install is checked with the normal build")
    with lib.TempDir() as d:
        prefix = os.path.join(d, "prefix")
        build = seed_build(os.path.join(d, "build"))
        subprocess.run(["make", "-s", "--no-print-directory", "install",
                        "PREFIX=" + prefix, "BUILD=" + build],
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
        check_installed_conventions(prefix, d, env)


def seed_build(build):
    """A copy of the tested build (times kept), so that make install with
    another PREFIX recompiles only core/init.c and relinks: the tree is
    not compiled a second time, and the tested build is left as it is."""
    shutil.copytree(lib.BUILD, build, symlinks=True,
                    ignore=lambda top, names: ["tests"] if os.path.samefile(top, lib.BUILD) else [])
    return build


def check_installed_conventions(prefix, d, env):
    """make install's man page, completions, docs, unit and example
    campaign (issue 13, section 7): the installed command finds `-c demo`
    on its own; the page renders as attache(1) with a section per
    command."""
    attache = os.path.join(prefix, "bin", "attache")
    for f in ("share/man/man1/attache.1", "share/attache/campaigns/demo.ini",
              "share/attache/campaigns/demo-logo.svg",
              "share/doc/attache/prep.md", "share/doc/attache/README.md",
              "share/doc/attache/attache-watch.service",
              "share/bash-completion/completions/attache",
              "share/zsh/site-functions/_attache"):
        assert os.path.exists(os.path.join(prefix, f)), f
    unit = open(os.path.join(prefix, "lib", "systemd", "user",
                             "attache-watch.service")).read()
    assert "ExecStart=%s watch " % attache in unit, unit
    # -c demo, from anywhere, with an empty user config
    out = os.path.join(d, "demo-out")
    photo = os.path.join(lib.PHONE, "canon-eos-600d_gps_xmp-iptc-city.jpg")
    if not os.path.exists(photo):
        photo = os.path.join(lib.SAMPLES, "doorway-orientation6.jpg")
    p = subprocess.run([attache, "prep", "-c", "demo", "--lang", "fr",
                        "--json", "-p", "instagram-portrait", "-o", out,
                        photo], capture_output=True, text=True, env=env,
                       cwd=d)
    assert_eq(p.returncode, 0, p.stderr)
    (o,) = [json.loads(l) for l in p.stdout.splitlines()]
    assert_eq((o["campaign"], o["lang"]), ("demo", "fr"), "campaign")
    assert o["error"] is None and os.path.isfile(o["output"]), o
    # the page, as man shows it (groff's nroff when man is absent)
    page = os.path.join(prefix, "share", "man", "man1", "attache.1")
    if shutil.which("man") or shutil.which("nroff"):
        cmd = ["man", "-l", page] if shutil.which("man") else \
            ["nroff", "-man", page]
        text = subprocess.run(cmd, capture_output=True, text=True, check=True,
                              env=dict(env, MANWIDTH="100", PAGER="cat",
                                       MAN_KEEP_FORMATTING="")).stdout
        text = re.sub(r".\x08", "", text)  # overstrike bold, if any
        assert text.startswith("ATTACHE(1)"), text[:200]
    else:
        # no formatter on this machine: the roff itself, requests unwrapped
        roff = open(page, encoding="utf-8").read()
        assert roff.startswith(".TH ATTACHE 1 "), roff[:200]
        text = re.sub(r'^\.S[HS] "?([^"\n]*)"?$', r"\1", roff, flags=re.M)
        text = text.replace("\\-", "-").replace("\\fB", "") \
            .replace("\\fR", "").replace("\\fI", "")
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "FILES"):
        assert re.search(r"^%s$" % section, text, re.M), section
    names = re.findall(r"^  (\w+)\s", subprocess.run(
        [attache, "--help"], capture_output=True, text=True,
        env=env).stdout, re.M)
    assert_eq(len(names), 10, "commands")  # serve, user, token joined the seven
    for name in names:
        assert re.search(r"^ATTACHE %s$" % name.upper(), text, re.M), name
        # its usage line and every flag its --help lists
        usage = subprocess.run([attache, "help", name], capture_output=True,
                               text=True, env=env).stdout
        for flag in re.findall(r"^  (?:-\w, )?(--[\w-]+)", usage, re.M):
            if flag != "--help":
                assert flag in text, (name, flag)
    assert "--presets" in text and "x-landscape" in text
