"""The source tree itself: formatted with the project's .clang-format, and
every sub-command documented."""
import glob
import os
import shutil
import subprocess

import lib


def test_clang_format_clean():
    if not shutil.which("clang-format"):
        lib.skip("clang-format is not installed")
    files = []
    for pat in ("src/lib/*.h", "src/lib/*/*.[ch]", "src/cli/*.[ch]", "tests/unit/*.[ch]",
                "tests/gen/*.c", "tests/fuzz/*.c", "tools/*.c",
                "docs/examples/*.c"):
        files += glob.glob(os.path.join(lib.ROOT, pat))
    p = subprocess.run(["clang-format", "--dry-run", "-Werror"] + files,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-3000:]


def test_every_command_has_help_and_docs():
    p = lib.run("--help", check=0)
    commands = [l.split()[0] for l in p.stdout.splitlines()
                if l.startswith("  ") and l.split()]
    assert {"prep", "audit", "upload", "watch", "review", "approve",
            "presets"} <= set(commands), commands
    readme = open(os.path.join(lib.ROOT, "README.md")).read()
    for c in commands:
        h = lib.run(c, "--help", check=0)
        assert "Usage:" in h.stdout, c
        assert "attache " + c in readme, c


def test_layers_from_the_objects_symbols():
    """No library file reaches up a layer, and no files form a cycle
    that src/lib/LAYERS does not list (tools/layers.py reads nm)."""
    p = subprocess.run([os.path.join(lib.ROOT, "tools", "layers.py"),
                        lib.BUILD, os.path.join(lib.ROOT, "src", "lib",
                                                "LAYERS")],
                       capture_output=True, text=True, cwd=lib.ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
    assert " 0 problems" in p.stdout, p.stdout
